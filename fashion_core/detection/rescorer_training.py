"""Training the ensemble's box rescorer (``models/box-rescorer``) from out-of-fold ranked lists of ccp photos.

For each of the 5 photo-disjoint ccp folds, the ensemble is built from detectors fitted without that fold (YOLO
trained on the other folds + the demo training looks, the parser recipe refitted on the other folds' cells) and
run on the fold's photos: its ranked boxes, with the photos' true garments, are what the rescorer learns from
(``rescoring.py``). Those lists are cached under ``<cache>/box-rescorer`` (keyed by the fold's weights), the fold
YOLOs under ``<cache>/yolo`` (shared with ``benchmarks/bench_yolo.py``): training a missing fold YOLO takes about
an hour on 2 CPU cores.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np

from ..results import RebuildResult
from .rescoring import BoxRescorer, RankedBox, context_features, fit_rescorer, right_boxes
from .yolo_training import YOLO_RECIPE, photo_fold, training_splits

ROWS_VERSION = 2


def fold_dataset(cache_dir: Path, ccp_json: Path, fold: int):
    """The YOLO dataset without ccp fold ``fold`` (the other folds' photos + the demo training looks), written under
    ``<cache>/yolo/fold<K>-data``; returns ``write_dataset``'s report."""
    from .converters import write_dataset
    from .parser_training import DEMO_LOOKS, DEMO_LOOKS_SEED, demo_training_looks

    r = YOLO_RECIPE
    demo = demo_training_looks(cache_dir, DEMO_LOOKS_SEED, DEMO_LOOKS)
    return write_dataset(training_splits(ccp_json, demo, fold, r["folds"], r["val_looks"]),
                         Path(cache_dir) / "yolo" / f"fold{fold}-data")


def fold_yolo(cache_dir: Path, ccp_json: Path, fold: int, progress: bool = False) -> Path:
    """The YOLO recipe trained without ccp fold ``fold`` (cached; trained here when missing, about an hour)."""
    from .yolo import train_yolo

    r = YOLO_RECIPE
    run = Path(cache_dir) / "yolo" / f"fold{fold}-e{r['epochs']}-s{r['imgsz']}"
    weights = run / "weights" / "best.safetensors"
    if weights.is_file():
        return weights
    data = fold_dataset(cache_dir, ccp_json, fold)
    return train_yolo(data.data_yaml, run, epochs=r["epochs"], imgsz=r["imgsz"], model=r["model"], seed=r["seed"],
                      batch=r["batch"], val=False)


def fold_detectors(cache_dir: Path, ccp_json: Path, progress: bool = False):
    """A function ``fold → (YOLO weights, parser, encoder)`` of the detectors fitted without each fold (the
    parser's training cells are read once and shared; each call refits the parser, about 40 s)."""
    from ..encoders import create_encoder
    from .parser_training import fit_without_fold, fold_training_rows
    from .people import PoseEstimator

    encoder, estimator = create_encoder("efficientnet-lite0"), PoseEstimator()
    rows = fold_training_rows(ccp_json, cache_dir, encoder, progress=progress, estimator=estimator)[0]

    def detectors(fold: int):
        return fold_yolo(cache_dir, ccp_json, fold, progress), fit_without_fold(rows, encoder, fold), encoder

    return detectors


def fold_lists(cache_dir: Path, ccp_json: Path, fold: int, yolo: Path, parser_for, progress: bool = False
               ) -> list[dict]:
    """The unrescored ensemble's ranked boxes on each photo of ccp fold ``fold`` with its true garments:
    ``[{"file_name", "width", "height", "boxes": [[category, [x0, y0, x1, y1], score]], "truth": [[category,
    box]]}]``, cached per fold, YOLO weights and parser recipe (the fold's parser refit is deterministic);
    ``parser_for()`` gives ``(parser, encoder)`` fitted without the fold, called only when the lists are not cached."""
    from tqdm import tqdm

    from ..imageio import load_image
    from . import ENSEMBLE_YOLO_AUGMENT, ENSEMBLE_YOLO_IMGSZ, create_detector
    from .parser_training import PARSER_RECIPE

    key = hashlib.sha256(f"{ROWS_VERSION}|{fold}|{hashlib.sha256(yolo.read_bytes()).hexdigest()}|"
                         f"{json.dumps(PARSER_RECIPE, sort_keys=True)}|{ENSEMBLE_YOLO_IMGSZ}|{ENSEMBLE_YOLO_AUGMENT}"
                         .encode()).hexdigest()[:16]
    cache = Path(cache_dir) / "box-rescorer" / f"fold{fold}-{key}.json"
    if cache.is_file():
        return json.loads(cache.read_text())
    parser, encoder = parser_for()
    doc = json.loads(Path(ccp_json).read_text())
    names = {c["id"]: c["name"] for c in doc["categories"]}
    truth: dict[int, list] = {}
    for a in doc["annotations"]:
        x, y, w, h = a["bbox"]
        truth.setdefault(a["image_id"], []).append([names[a["category_id"]], [x, y, x + w, y + h]])
    det = create_detector(f"pose-ensemble:{yolo}", parser=parser, encoder=encoder, rescorer=None, alternatives=True,
                          min_score=0.0, yolo_conf=0.001)
    out = []
    photos = [im for im in sorted(doc["images"], key=lambda m: m["file_name"]) if photo_fold(im["file_name"]) == fold]
    for im in tqdm(photos, desc=f"fold {fold} ranked boxes", unit="photo", disable=not progress):
        found = det.detect(load_image(Path(ccp_json).parent / im["file_name"]))
        out.append({"file_name": im["file_name"], "image_id": im["id"], "width": im["width"],
                    "height": im["height"],
                    "boxes": [[d.category, [float(v) for v in d.box], float(d.score)] for d in found],
                    "truth": truth.get(im["id"], [])})
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_text(json.dumps(out))
    return out


def training_set(photos: list[dict]) -> tuple[np.ndarray, list[str], np.ndarray]:
    """Context features, categories and right/wrong labels of every ranked box of ``photos``."""
    xs, cats, ys = [], [], []
    for p in photos:
        boxes = [RankedBox(c, tuple(b), s) for c, b, s in p["boxes"]]
        if not boxes:
            continue
        xs.append(context_features(boxes, p["width"], p["height"]))
        cats += [b.category for b in boxes]
        ys.append(right_boxes(boxes, [(c, tuple(b)) for c, b in p["truth"]]))
    if not xs:
        raise ValueError("no ranked boxes to learn from")
    return np.concatenate(xs), cats, np.concatenate(ys)


def train(lists: dict[int, list[dict]]) -> BoxRescorer:
    """A rescorer fitted on the ranked lists of the given folds (``fold → photos``)."""
    x, cats, y = training_set([p for fold in sorted(lists) for p in lists[fold]])
    return fit_rescorer(x, cats, y, trained_on={"ccp_folds": sorted(lists),
                                                "photos": sum(len(v) for v in lists.values())})


def rebuild(out: Path, settings, progress: bool = False) -> RebuildResult:
    """``models rebuild box-rescorer``: the out-of-fold ranked lists of all 5 folds (the fold YOLOs cached under
    data/cache, else trained: hours), one rescorer fitted on them; scores from ``bench_yolo_rescore.json``."""
    ccp_json = settings.shared_data / "ccp" / "annotations.json"
    detectors = None
    lists = {}
    for fold in range(YOLO_RECIPE["folds"]):
        def parser_for(fold=fold):
            nonlocal detectors
            detectors = detectors or fold_detectors(settings.cache_dir, ccp_json, progress)
            return detectors(fold)[1:]

        yolo = fold_yolo(settings.cache_dir, ccp_json, fold, progress)
        lists[fold] = fold_lists(settings.cache_dir, ccp_json, fold, yolo, parser_for, progress)
    rescorer = train(lists)
    rescorer.save(out)
    (out / "config.json").write_text(json.dumps({"kind": "box-rescorer", "weights": "rescorer.json",
                                                 "trained_on": rescorer.trained_on}, indent=2) + "\n")
    return card_facts(settings)


def card_facts(settings) -> RebuildResult:
    """The card's data, split, recipe and held-out scores (``benchmarks/results/bench_yolo_rescore.json``)."""
    path = settings.results_dir / "bench_yolo_rescore.json"
    scores: dict = {"see": f"{path.name} (not run yet: `.venv/bin/python benchmarks/bench_yolo.py --rescore`)"}
    if path.is_file():
        doc = json.loads(path.read_text())
        fig = doc["figures"]
        scores = {"benchmark": doc.get("command"), "benchmark date": doc.get("date"), **fig.get("card", {})}
    return RebuildResult(
        ["ccp"], scores,
        "5-fold photo-disjoint cross-validation on ccp (sha1 of the file name): each fold's boxes are rescored by a "
        "rescorer fitted on the other 4 folds' ranked lists, and those lists come from detectors fitted without "
        "their own fold; the held-out demo looks (seed 0) are never trained on",
        "one L2 logistic regression per garment category (C = 1, lbfgs) over each fused box's context: its score, "
        "the best score of each category on the same place and in the whole photo, its place and size "
        "(`detection/rescoring.py`); fitted on the ensemble's ranked boxes of all 714 ccp photos, each list made by "
        "detectors fitted without the photo's fold (`detection/rescorer_training.py`)",
        ["Contextual rescoring as in Felzenszwalb et al. (2010), written here from the paper's description.",
         "It serves inside `pose-ensemble`: the fused boxes' scores become the rescorer's probabilities, served "
         "from `RESCORED_MIN_SCORE` (`detection/__init__.py`); `FASHION_BOX_RESCORER=none` turns it off.",
         "A rebuild reuses the fold YOLOs and ranked lists cached under data/cache; without them it trains 5 YOLOs "
         "(about an hour each on 2 CPU cores)."])
