"""Detection on real street photos (../shared/data/ccp): COCO box mAP per class and latency per photo.

Every class is printed, including those a detector does not attempt (AP 0). The pose-guided detector is run
with ``alternatives=True`` (every scored hypothesis, the ranked list mAP expects) and, for the app's view,
the best hypothesis per body region. Latency: p50/p95 of ``detect`` after warm-up, on this machine.

``--category-model-cv``: the pose detector's evidence comes from a shopper-photo category model
(``fashion_core.category_model``) fitted on ccp garment crops + clothing/ photos, **cross-validated**: the
photos are split in 5 folds (sha1 of the file name) and each fold is detected with a model fitted without
that fold's crops, so no photo is scored by a model that saw it.

By default the pose detector runs as it is served, with its garment parser (``fashion_core.detection.parser``)
fitted by the shipped recipe (``PARSER_RECIPE``: ccp masks + generated demo training looks of seed 1, mirrored
photos, a per-label cap on the cells) and **cross-validated**: each fold's ccp photos are parsed by a parser
refitted on the other 4 folds' photos + the demo training looks (a parser fitted on all of ccp would have seen the
answers). A second table scores the parser fitted on all training photos on **held-out demo looks**: the shipped
demo world's 200 looks (``build_demo`` seed 0), never trained on. Pose + encoder cells are computed once per photo
and cached in data/cache/parser-cells (npz, git-ignored), so a refit costs only the MLP fits; the boxes come from
the cached cells exactly as the detector computes them (``detections_from_cells``; the latency row runs the real
detector). ``--recipe mirror=0,demo_looks=0,per_label=0`` is the recipe before the demo looks; ``--step N`` trains
and scores on every N-th ccp photo only (quick iterations). ``--rules``: the rule regions alone (no parser), as on a
machine without ../shared/data/ccp.

The served default is now ``pose-ensemble`` (this parser fused with the shipped YOLO): it needs a YOLO trained
without each fold, so its figures come from ``bench_yolo.py`` (one fold per run, ``--summary`` for their mean).

    .venv/bin/python benchmarks/bench_detection.py [--step 1] [--detector pose] [--rules] [--no-evidence]
        [--category-model-cv] [--recipe KEY=VALUE,...]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "2")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402
from common_detection import TARGET_CLASSES, coco_eval, load_coco, to_coco, write_result  # noqa: E402

from fashion_core.category_model import fold_of, source_name  # noqa: E402
from fashion_core.config import SHARED_DATA  # noqa: E402
from fashion_core.detection import create_detector  # noqa: E402
from fashion_core.imageio import load_image  # noqa: E402
from fashion_core.taxonomy import CATEGORIES  # noqa: E402

CCP_JSON = SHARED_DATA / "ccp" / "annotations.json"
CACHE = Path(__file__).resolve().parent.parent / "data" / "cache"
"""Cached parser cells (npz per photo) and the generated demo looks; git-ignored."""
SPLIT = ("5-fold photo-disjoint cross-validation on ccp (fold = sha1 of the photo's file name); each fold is parsed "
         "by a parser refitted on the other 4 folds' photos + {demo_looks} generated demo training looks (seed "
         "{demo_seed}); training seed {seed}; also held out: the shipped demo world's 200 looks (seed 0)")


def fold_models(folds: int = 5) -> tuple[list, object]:
    """One category model per fold, each fitted on clothing/ photos + ccp crops of the other folds' photos."""
    from fashion_core.category_model import encode_labelled, fit_category_model
    from fashion_core.encoders import create_encoder

    encoder = create_encoder("efficientnet-lite0")
    views, labels, groups = encode_labelled(encoder, [CCP_JSON, SHARED_DATA / "clothing" / "labels.csv"])
    ccp = source_name(CCP_JSON)
    models = []
    for f in range(folds):  # a ccp crop's group is its photo: held out with the photo's fold
        train = [None if g.startswith(f"{ccp}:") and fold_of(g, folds) == f else lab for lab, g in zip(labels, groups)]
        models.append(fit_category_model(encoder, views, train))
    return models, encoder


def parser_training_set(encoder, recipe: dict, step: int = 1, progress: bool = True,
                        estimator=None) -> tuple[list, list, dict]:
    """The parser's training cells, photo by photo (``parser_training.fold_training_rows``): (fold or -1 for a demo
    look, features, labels) per photo, plus the ccp photos and their folds. Cells are cached in data/cache."""
    from fashion_core.detection.parser_training import fold_training_rows

    return fold_training_rows(CCP_JSON, CACHE, encoder, recipe, step, progress, estimator)


def fit_on(rows: list, encoder, recipe: dict, held_out: int | None):
    """A parser fitted on the training rows outside fold ``held_out`` (None: all of them, the shipped recipe)."""
    from fashion_core.detection.parser_training import fit_without_fold

    return fit_without_fold(rows, encoder, held_out, recipe)


def parser_figures(step: int, recipe: dict, folds: int = 5) -> tuple[dict, object, object]:
    """5-fold photo-disjoint ccp figures (each fold parsed by a parser refitted without it, the demo training
    looks in every fold's training set) and the held-out demo looks' figures (the shipped demo world's looks,
    seed 0, scored by the parser fitted on all training photos); returns the figures, the fold-0 parser and the
    encoder (for the latency run)."""
    from fashion_core.demo import build_looks
    from fashion_core.detection.parser_training import (
        cached_photo_cells,
        detections_from_cells,
        mask_dataset,
    )
    from fashion_core.detection.people import PoseEstimator
    from fashion_core.encoders import create_encoder

    encoder, estimator = create_encoder("efficientnet-lite0"), PoseEstimator()
    rows, ccp, fold = parser_training_set(encoder, recipe, step, estimator=estimator)
    print(f"training rows: {sum(len(r[2]) for r in rows)} cells from {len(rows)} photos (mirrored copies count)",
          flush=True)
    gt = load_coco(CCP_JSON)
    id_of = {im["file_name"]: i for i, im in gt.imgs.items()}
    ranked, best, ids, parser0 = [], [], [], None
    for k in range(folds):
        t = time.perf_counter()
        parser = fit_on(rows, encoder, recipe, k)
        parser0 = parser0 or parser
        held = [n for n, f in fold.items() if f == k]
        for n in held:
            cells = cached_photo_cells(encoder, ccp[n], CACHE / "parser-cells", estimator)
            i = id_of[str(ccp[n].image.relative_to(CCP_JSON.parent))]
            ids.append(i)
            ranked += to_coco(i, _dets(detections_from_cells(parser, cells, True, 0.0)))
            best += to_coco(i, _dets(detections_from_cells(parser, cells, False, 0.3)))
        print(f"fold {k}: parser fitted on the other folds + demo looks in {time.perf_counter() - t:.0f} s, "
              f"{len(held)} photos parsed", flush=True)
    figures = {"ranked": coco_eval(gt, ranked, sorted(ids)), "best_per_region": coco_eval(gt, best, sorted(ids)),
               "n_photos": len(ids)}
    demo_json = build_looks(CACHE / "demo-looks-seed0", seed=0) if not (CACHE / "demo-looks-seed0" /
                                                                         "annotations.json").is_file() \
        else CACHE / "demo-looks-seed0" / "annotations.json"
    shipped = fit_on(rows, encoder, recipe, None)
    dgt = load_coco(demo_json)
    drows, dbest = [], []
    for n, photo in enumerate(mask_dataset(demo_json)):
        cells = cached_photo_cells(encoder, photo, CACHE / "parser-cells", estimator)
        i = n + 1  # build_looks numbers the looks 1.. in file order
        drows += to_coco(i, _dets(detections_from_cells(shipped, cells, True, 0.0)))
        dbest += to_coco(i, _dets(detections_from_cells(shipped, cells, False, 0.3)))
    dids = sorted(dgt.getImgIds())
    figures["demo_looks"] = {"ranked": coco_eval(dgt, drows, dids), "best_per_region": coco_eval(dgt, dbest, dids),
                             "n_photos": len(dids), "split": "the shipped demo world's looks (build_demo seed 0, "
                             "200 looks), never trained on; parser fitted on all training photos"}
    return figures, parser0, encoder


def _dets(found: list) -> list:
    from fashion_core.detection import Detection

    return [Detection(box=b, category=c, score=s, person=p, source="pose") for c, b, s, p in found]


def fold_parsers(encoder, folds: int = 5, recipe: dict | None = None) -> list:
    """One garment parser per fold, each fitted by the shipped recipe without that fold's ccp photos (cells cached)."""
    from fashion_core.detection.parser_training import PARSER_RECIPE

    recipe = recipe or dict(PARSER_RECIPE)
    rows, _, _ = parser_training_set(encoder, recipe)
    return [fit_on(rows, encoder, recipe, k) for k in range(folds)]


def photo_fold(file_name: str, folds: int = 5) -> int:
    """Fold of a ccp photo (the same split the category model's cross-validation and the shipped YOLO use)."""
    from fashion_core.detection.yolo_training import photo_fold as fold

    return fold(file_name, folds)


def run(detector_name: str, step: int, evidence: bool, latency_runs: int, category_cv: bool = False,
        parser_cv: bool = False, recipe: dict | None = None) -> dict:
    """Evaluate one detector on every ``step``-th ccp photo; returns the figures."""
    ccp = SHARED_DATA / "ccp"
    gt = load_coco(ccp / "annotations.json")
    ids = sorted(gt.getImgIds())[::step]
    kwargs = {"evidence": evidence, "parser": None} if detector_name == "pose" else {}
    if parser_cv:  # from cached cells, exactly what the detector computes (tests/detection/test_parser.py checks)
        parsed, parser0, encoder = parser_figures(step, recipe)
        best = create_detector(detector_name, **{**kwargs, "parser": parser0, "encoder": encoder})
        figures = {"detector": detector_name, "evidence": evidence, "parser": "garment parser, 5-fold "
                   "cross-validated", "recipe": recipe, "split": SPLIT.format(**recipe), **parsed}
        return {**figures, "latency_ms": latency(best, gt, ids, latency_runs)}
    models = None
    if category_cv:
        from fashion_core.detection.evidence import CategoryModelEvidence

        models, encoder = fold_models()
        evidences = [CategoryModelEvidence(m, encoder) for m in models]
        kwargs.update(category_model=models[0], encoder=encoder)  # the model evidence weight; swapped per fold
    ranked = create_detector(detector_name, alternatives=True, min_score=0.0, **kwargs) \
        if detector_name == "pose" else create_detector(detector_name, min_score=0.001)
    best = create_detector(detector_name, **kwargs)
    rows_all, rows_best = [], []
    for i in ids:
        img = load_image(ccp / gt.imgs[i]["file_name"])
        if models is not None:
            ranked.evidence = best.evidence = evidences[photo_fold(gt.imgs[i]["file_name"])]
        rows_all += to_coco(i, ranked.detect(img))
        if detector_name == "pose":
            rows_best += to_coco(i, best.detect(img))
    figures = {"detector": detector_name, "evidence": "category model, 5-fold cross-validated" if category_cv
               else evidence, "parser": None, "n_photos": len(ids), "ranked": coco_eval(gt, rows_all, ids)}
    if detector_name == "pose":
        figures["best_per_region"] = coco_eval(gt, rows_best, ids)
    return {**figures, "latency_ms": latency(best, gt, ids, latency_runs)}


def latency(detector, gt, ids: list[int], runs: int) -> dict:
    """p50 / p95 of ``detector.detect`` on ccp photos after 3 warm-up runs."""
    ccp = SHARED_DATA / "ccp"
    img = load_image(ccp / gt.imgs[ids[0]]["file_name"])
    for _ in range(3):
        detector.detect(img)
    times = []
    for k in range(runs):
        img = load_image(ccp / gt.imgs[ids[k % len(ids)]]["file_name"])
        t = time.perf_counter()
        detector.detect(img)
        times.append((time.perf_counter() - t) * 1000)
    return {"p50": float(np.percentile(times, 50)), "p95": float(np.percentile(times, 95)), "runs": len(times),
            "photo": "550x832 ccp"}


def report(figures: dict) -> None:
    """Print the split, the per-class table and the summary lines."""
    if figures.get("split"):
        print(f"split: {figures['split']}")
    tables = [("ccp", figures)] + ([("held-out demo looks", figures["demo_looks"])] if "demo_looks" in figures else [])
    for title, fig in tables:
        keys = ["ranked"] + (["best_per_region"] if "best_per_region" in fig else [])
        print(f"-- {title} ({fig.get('n_photos', '?')} photos)")
        print(f"{'class':12s} " + " ".join(f"{k + ' AP50':>22s} {k + ' AP':>20s}" for k in keys))
        for c in CATEGORIES:
            mark = "*" if c in TARGET_CLASSES else " "
            print(f"{c:11s}{mark} " + " ".join(f"{fig[k]['per_class'][c]['ap50']:22.3f} "
                                                f"{fig[k]['per_class'][c]['ap']:20.3f}" for k in keys))
        for k in keys:
            f = fig[k]
            print(f"{title} {k}: mAP@0.5 over the 7 target classes (*) = {f['map50_target']:.3f}, mAP@[.5:.95] = "
                  f"{f['map_target']:.3f}; over all 12 classes mAP@0.5 = {f['map50_all']:.3f}, "
                  f"mAP@[.5:.95] = {f['map_all']:.3f}")
    lat = figures["latency_ms"]
    print(f"latency per photo after warm-up: p50 {lat['p50']:.0f} ms, p95 {lat['p95']:.0f} ms over {lat['runs']} runs "
          f"(this machine, shared CPU: pessimistic)")


def main() -> None:
    """Parse arguments, run, print, write the result file."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--detector", default="pose")
    ap.add_argument("--step", type=int, default=1, help="use every N-th ccp photo, to train and to score (1 = all 714)")
    ap.add_argument("--no-evidence", action="store_true", help="pose detector without ImageNet evidence")
    ap.add_argument("--latency-runs", type=int, default=30)
    ap.add_argument("--category-model-cv", action="store_true",
                    help="pose evidence from a category model, cross-validated over ccp photos (see the module doc)")
    ap.add_argument("--rules", action="store_true",
                    help="pose detector without its garment parser (the rule regions; default: parser, cross-validated)")
    ap.add_argument("--recipe", default="",
                    help="parser recipe changes, KEY=VALUE,... over the shipped PARSER_RECIPE (e.g. mirror=0,balance=0,"
                         "demo_looks=0: the recipe before the demo looks)")
    args = ap.parse_args()
    args.parser_cv = args.detector == "pose" and not (args.rules or args.category_model_cv)
    import torch

    from fashion_core.detection.parser_training import PARSER_RECIPE

    torch.set_num_threads(2)
    recipe = dict(PARSER_RECIPE)
    for item in filter(None, args.recipe.split(",")):
        key, _, value = item.partition("=")
        if key not in recipe:
            ap.error(f"--recipe: unknown key {key!r}; known: {', '.join(recipe)}")
        recipe[key] = type(recipe[key])(float(value)) if not isinstance(recipe[key], bool) else value not in ("0", "")
    figures = run(args.detector, args.step, not args.no_evidence, args.latency_runs, args.category_model_cv,
                  args.parser_cv, recipe)
    report(figures)
    name = "bench_detection" if args.detector == "pose" else f"bench_detection_{args.detector.split(':')[0]}"
    name += "_category_model" if args.category_model_cv else ""
    name += "_rules" if args.detector == "pose" and args.rules else ""
    name += "_recipe-" + args.recipe.replace("=", "").replace(",", "_") if args.recipe and args.parser_cv else ""
    name += f"_step{args.step}" if args.step != 1 and args.parser_cv else ""
    out = write_result(name, figures)
    print(f"wrote {out}\nreproduce: .venv/bin/python benchmarks/bench_detection.py --detector {args.detector} "
          f"--step {args.step}{' --no-evidence' if args.no_evidence else ''}"
          f"{' --category-model-cv' if args.category_model_cv else ''}{' --rules' if args.rules else ''}"
          f"{' --recipe ' + args.recipe if args.recipe else ''}")


if __name__ == "__main__":
    main()
