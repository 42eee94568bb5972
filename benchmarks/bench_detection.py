"""Detection on real street photos (../shared/data/ccp): COCO box mAP per class and latency per photo.

Every class is printed, including those a detector does not attempt (AP 0). The pose-guided detector is run
with ``alternatives=True`` (every scored hypothesis, the ranked list mAP expects) and, for the app's view,
the best hypothesis per body region. Latency: p50/p95 of ``detect`` after warm-up, on this machine.

``--category-model-cv``: the pose detector's evidence comes from a shopper-photo category model
(``fashion_core.category_model``) fitted on ccp garment crops + clothing/ photos, **cross-validated**: the
photos are split in 5 folds (sha1 of the file name) and each fold is detected with a model fitted without
that fold's crops, so no photo is scored by a model that saw it.

By default the pose detector runs as it is served, with its garment parser (``fashion_core.detection.parser``),
fitted on ccp masks and **cross-validated** the same way: each fold's photos are parsed by a parser fitted on
the other 4 folds' photos only (a parser fitted on all of ccp would have seen the answers). ``--rules``: the rule
regions alone (no parser), as on a machine without ../shared/data/ccp.

    .venv/bin/python benchmarks/bench_detection.py [--step 1] [--detector pose] [--rules] [--no-evidence]
        [--category-model-cv]
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


def fold_parsers(encoder, folds: int = 5) -> list:
    """One garment parser per fold, each fitted on the cells of the other folds' ccp photos (cells read once)."""
    from fashion_core.detection.parser_training import fit_parser, mask_dataset, training_cells

    photos = mask_dataset(CCP_JSON)
    cells = {n: (f, y) for n, f, y in training_cells(encoder, photos)}
    fold = {n: photo_fold(str(photos[n].image.relative_to(CCP_JSON.parent))) for n in cells}
    parsers = []
    for k in range(folds):
        keep = [n for n in cells if fold[n] != k]
        parsers.append(fit_parser(np.concatenate([cells[n][0] for n in keep]),
                                  np.concatenate([cells[n][1] for n in keep]), encoder,
                                  trained_on={"data": [str(CCP_JSON)], "fold_held_out": k}))
        print(f"parser for fold {k}: fitted on {len(keep)} photos", flush=True)
    return parsers


def photo_fold(file_name: str, folds: int = 5) -> int:
    """Fold of a ccp photo (the same split the category model's cross-validation uses)."""
    return fold_of(f"{source_name(CCP_JSON)}:{file_name}", folds)


def run(detector_name: str, step: int, evidence: bool, latency_runs: int, category_cv: bool = False,
        parser_cv: bool = False) -> dict:
    """Evaluate one detector on every ``step``-th ccp photo; returns the figures."""
    ccp = SHARED_DATA / "ccp"
    gt = load_coco(ccp / "annotations.json")
    ids = sorted(gt.getImgIds())[::step]
    kwargs = {"evidence": evidence, "parser": None} if detector_name == "pose" else {}
    models = None
    if category_cv:
        from fashion_core.detection.evidence import CategoryModelEvidence

        models, encoder = fold_models()
        evidences = [CategoryModelEvidence(m, encoder) for m in models]
        kwargs.update(category_model=models[0], encoder=encoder)  # the model evidence weight; swapped per fold
    parsers = None
    if parser_cv:
        from fashion_core.encoders import create_encoder

        encoder = create_encoder("efficientnet-lite0")
        parsers = fold_parsers(encoder)
        kwargs.update(parser=parsers[0], encoder=encoder)
    ranked = create_detector(detector_name, alternatives=True, min_score=0.0, **kwargs) \
        if detector_name == "pose" else create_detector(detector_name, min_score=0.001)
    best = create_detector(detector_name, **kwargs)
    rows_all, rows_best, times = [], [], []
    for i in ids:
        img = load_image(ccp / gt.imgs[i]["file_name"])
        if models is not None:
            ranked.evidence = best.evidence = evidences[photo_fold(gt.imgs[i]["file_name"])]
        if parsers is not None:
            ranked.parser = best.parser = parsers[photo_fold(gt.imgs[i]["file_name"])]
        rows_all += to_coco(i, ranked.detect(img))
        if detector_name == "pose":
            rows_best += to_coco(i, best.detect(img))
    figures = {"detector": detector_name, "evidence": "category model, 5-fold cross-validated" if category_cv
               else evidence, "parser": "garment parser, 5-fold cross-validated" if parser_cv else None,
               "n_photos": len(ids), "ranked": coco_eval(gt, rows_all, ids)}
    if detector_name == "pose":
        figures["best_per_region"] = coco_eval(gt, rows_best, ids)
    img = load_image(ccp / gt.imgs[ids[0]]["file_name"])
    for _ in range(3):
        best.detect(img)
    for k in range(latency_runs):
        img = load_image(ccp / gt.imgs[ids[k % len(ids)]]["file_name"])
        t = time.perf_counter()
        best.detect(img)
        times.append((time.perf_counter() - t) * 1000)
    figures["latency_ms"] = {"p50": float(np.percentile(times, 50)), "p95": float(np.percentile(times, 95)),
                             "runs": len(times), "photo": "550x832 ccp"}
    return figures


def report(figures: dict) -> None:
    """Print the per-class table and the summary lines."""
    keys = ["ranked"] + (["best_per_region"] if "best_per_region" in figures else [])
    print(f"{'class':12s} " + " ".join(f"{k + ' AP50':>22s} {k + ' AP':>20s}" for k in keys))
    for c in CATEGORIES:
        mark = "*" if c in TARGET_CLASSES else " "
        print(f"{c:11s}{mark} " + " ".join(f"{figures[k]['per_class'][c]['ap50']:22.3f} "
                                            f"{figures[k]['per_class'][c]['ap']:20.3f}" for k in keys))
    for k in keys:
        f = figures[k]
        print(f"{k}: mAP@0.5 over the 7 target classes (*) = {f['map50_target']:.3f}, mAP@[.5:.95] = "
              f"{f['map_target']:.3f}; over all 12 classes mAP@0.5 = {f['map50_all']:.3f}, "
              f"mAP@[.5:.95] = {f['map_all']:.3f}")
    lat = figures["latency_ms"]
    print(f"latency per photo after warm-up: p50 {lat['p50']:.0f} ms, p95 {lat['p95']:.0f} ms over {lat['runs']} runs "
          f"(this machine, shared CPU: pessimistic)")


def main() -> None:
    """Parse arguments, run, print, write the result file."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--detector", default="pose")
    ap.add_argument("--step", type=int, default=1, help="use every N-th photo (1 = all 714)")
    ap.add_argument("--no-evidence", action="store_true", help="pose detector without ImageNet evidence")
    ap.add_argument("--latency-runs", type=int, default=30)
    ap.add_argument("--category-model-cv", action="store_true",
                    help="pose evidence from a category model, cross-validated over ccp photos (see the module doc)")
    ap.add_argument("--rules", action="store_true",
                    help="pose detector without its garment parser (the rule regions; default: parser, cross-validated)")
    args = ap.parse_args()
    args.parser_cv = args.detector == "pose" and not (args.rules or args.category_model_cv)
    import torch

    torch.set_num_threads(2)
    figures = run(args.detector, args.step, not args.no_evidence, args.latency_runs, args.category_model_cv,
                  args.parser_cv)
    report(figures)
    name = "bench_detection" if args.detector == "pose" else f"bench_detection_{args.detector.split(':')[0]}"
    name += "_category_model" if args.category_model_cv else ""
    name += "_rules" if args.detector == "pose" and args.rules else ""
    out = write_result(name, figures)
    print(f"wrote {out}\nreproduce: .venv/bin/python benchmarks/bench_detection.py --detector {args.detector} "
          f"--step {args.step}{' --no-evidence' if args.no_evidence else ''}"
          f"{' --category-model-cv' if args.category_model_cv else ''}{' --rules' if args.rules else ''}")


if __name__ == "__main__":
    main()
