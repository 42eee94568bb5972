"""ultralytics YOLO trained here, side by side with the pose-guided detector and its garment parser.

Both detectors learn from the same photos and are scored on the same held-out ones:

- **training photos**: the ccp photos outside the held-out fold (5 photo-disjoint folds by sha1 of the file name,
  the folds ``bench_detection.py`` uses) + the 300 generated demo training looks of seed 1 (the parser's
  ``PARSER_RECIPE`` looks, exact boxes). YOLO is built from ``yolov8n.yaml`` (from scratch: no pretrained weights
  are reachable offline) and trained on CPU with ultralytics' own augmentation (mosaic, left-right flips, HSV);
  it validates only after its last epoch (10 demo training looks), so nothing is chosen on held-out photos;
- **held-out photos**: the fold's ccp photos, and the shipped demo world's 200 looks (seed 0, never trained on);
- **the parser row** is the shipped recipe refitted without the fold (from the cached cells, as
  ``bench_detection.py`` does); **latency** is p50 / p95 of ``detect`` on the same ccp photos, one after the other;
- **the ensemble row** (``pose-ensemble``) is that parser and this YOLO fused box by box (weighted boxes fusion,
  ``detection/fusion.py``, with the method's default IoU and equal weights: nothing tuned on these photos), run as
  the real detector.

One fold per run: training YOLO takes about an hour per fold on 2 CPU cores; ``--summary`` prints the mean over
the folds measured so far. The verdict line applies the issue's rule (ship YOLO as the default when it wins on mAP,
or comes within 0.03 while running faster) to YOLO alone and to the ensemble.

    .venv/bin/python benchmarks/bench_yolo.py [--fold 0] [--epochs 36] [--imgsz 320] [--reuse] [--summary]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "2")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402
from bench_detection import CACHE, CCP_JSON, _dets, fit_on, latency, parser_training_set, photo_fold  # noqa: E402
from common_detection import TARGET_CLASSES, coco_eval, load_coco, to_coco, write_result  # noqa: E402

from fashion_core.taxonomy import CATEGORIES  # noqa: E402


def yolo_dataset(fold: int, demo_ann: Path, out: Path):
    """The YOLO dataset of one fold: ccp photos outside ``fold`` + the demo training looks; returns the report."""
    from fashion_core.detection.converters import write_dataset
    from fashion_core.detection.yolo_training import training_splits

    return write_dataset(training_splits(CCP_JSON, demo_ann, fold), out)


def score_ranked(ranked, served, gt, ids: list[int], dgt, demo_root: Path, latency_runs: int) -> dict:
    """A detector's ranked list scored on the held-out ccp photos and demo looks, and the latency of its served
    form on the ccp photos."""
    from fashion_core.imageio import load_image

    rows = []
    for i in ids:
        rows += to_coco(i, ranked.detect(load_image(CCP_JSON.parent / gt.imgs[i]["file_name"])))
    drows = []
    for i in sorted(dgt.getImgIds()):
        drows += to_coco(i, ranked.detect(load_image(demo_root / dgt.imgs[i]["file_name"])))
    return {"ccp": coco_eval(gt, rows, ids), "demo_looks": coco_eval(dgt, drows, sorted(dgt.getImgIds())),
            "latency_ms": latency(served, gt, ids, latency_runs)}


def score_yolo(weights: Path, imgsz: int, gt, ids: list[int], dgt, demo_root: Path, latency_runs: int) -> dict:
    """YOLO's ranked boxes (conf ≥ 0.001, as ultralytics validates); served at its conf 0.25."""
    from fashion_core.detection import create_detector

    return score_ranked(create_detector(f"yolo:{weights}", conf=0.001, imgsz=imgsz),
                        create_detector(f"yolo:{weights}", imgsz=imgsz), gt, ids, dgt, demo_root, latency_runs)


def score_pose_yolo(weights: Path, imgsz: int, gt, ids: list[int], latency_runs: int) -> dict:
    """YOLO's boxes given to the people pose finds (``pose-yolo``): the same boxes, so the same mAP unless the
    hand-over loses some (checked here), and the latency of both models together."""
    from fashion_core.detection import create_detector
    from fashion_core.imageio import load_image

    det = create_detector(f"pose-yolo:{weights}", min_score=0.001, imgsz=imgsz)
    rows, on_person, total = [], 0, 0
    for i in ids:
        found = det.detect(load_image(CCP_JSON.parent / gt.imgs[i]["file_name"]))
        rows += to_coco(i, found)
        on_person += sum(d.person >= 0 for d in found if d.score >= 0.25)
        total += sum(d.score >= 0.25 for d in found)
    served = create_detector(f"pose-yolo:{weights}", imgsz=imgsz)
    return {"ccp": coco_eval(gt, rows, ids), "share_on_a_person": round(on_person / max(1, total), 4),
            "latency_ms": latency(served, gt, ids, latency_runs)}


def fold_parser(fold: int) -> tuple:
    """The shipped parser recipe refitted without ``fold``: (parser, encoder, pose estimator, ccp photos, their
    folds, seconds the fit took)."""
    from fashion_core.detection.parser_training import PARSER_RECIPE
    from fashion_core.detection.people import PoseEstimator
    from fashion_core.encoders import create_encoder

    recipe = dict(PARSER_RECIPE)
    encoder, estimator = create_encoder("efficientnet-lite0"), PoseEstimator()
    rows, ccp, folds = parser_training_set(encoder, recipe, progress=False, estimator=estimator)
    t = time.perf_counter()
    parser = fit_on(rows, encoder, recipe, fold)
    return parser, encoder, estimator, ccp, folds, time.perf_counter() - t


def score_parser(fold: int, fitted: tuple, gt, ids: list[int], dgt, demo_json: Path, latency_runs: int) -> dict:
    """The parser refitted without ``fold`` (:func:`fold_parser`), on the same photos (boxes from the cached
    cells, as the detector computes them)."""
    from fashion_core.detection import create_detector
    from fashion_core.detection.parser_training import cached_photo_cells, detections_from_cells, mask_dataset

    parser, encoder, estimator, ccp, folds, fit_s = fitted
    id_of = {im["file_name"]: i for i, im in gt.imgs.items()}
    ranked = []
    for n, f in folds.items():
        if f == fold:
            cells = cached_photo_cells(encoder, ccp[n], CACHE / "parser-cells", estimator)
            ranked += to_coco(id_of[str(ccp[n].image.relative_to(CCP_JSON.parent))],
                              _dets(detections_from_cells(parser, cells, True, 0.0)))
    drows = []
    for n, photo in enumerate(mask_dataset(demo_json)):
        cells = cached_photo_cells(encoder, photo, CACHE / "parser-cells", estimator)
        drows += to_coco(n + 1, _dets(detections_from_cells(parser, cells, True, 0.0)))
    served = create_detector("pose", parser=parser, encoder=encoder)
    return {"ccp": coco_eval(gt, ranked, ids), "demo_looks": coco_eval(dgt, drows, sorted(dgt.getImgIds())),
            "latency_ms": latency(served, gt, ids, latency_runs), "fit_s": round(fit_s, 1)}


def score_ensemble(weights: Path, imgsz: int, parser, encoder, gt, ids: list[int], dgt, demo_root: Path,
                   latency_runs: int) -> dict:
    """``pose-ensemble``: the fold's parser and YOLO fused box by box (weighted boxes fusion, equal weights, IoU
    0.55: the method's defaults, not tuned here), run as the real detector on the same photos."""
    from fashion_core.detection import create_detector

    ranked = create_detector(f"pose-ensemble:{weights}", parser=parser, encoder=encoder, alternatives=True,
                             min_score=0.0, yolo_conf=0.001, imgsz=imgsz)
    served = create_detector(f"pose-ensemble:{weights}", parser=parser, encoder=encoder, imgsz=imgsz)
    return score_ranked(ranked, served, gt, ids, dgt, demo_root, latency_runs)


def verdict(yolo: dict, parser: dict, ensemble: dict) -> str:
    """The issue's rule, for YOLO alone and for the ensemble that uses it: it becomes the default if it wins on ccp
    mAP@0.5, or is within 0.03 and faster."""
    p, lat = parser["ccp"]["map50_target"], parser["latency_ms"]["p50"]
    out = []
    for name, fig in (("YOLO", yolo), ("the ensemble", ensemble)):
        y, faster = fig["ccp"]["map50_target"], fig["latency_ms"]["p50"] < lat
        ok = y >= p or (y >= p - 0.03 and faster)
        out.append(f"{name} {'qualifies' if ok else 'does not qualify'} ({y:.3f} vs {p:.3f} for the pose + parser, "
                   f"{'faster' if faster else 'slower'})")
    return "; ".join(out)


def summary() -> None:
    """Mean over the folds measured so far (the ``bench_yolo_fold*.json`` results), per detector and class."""
    from common_detection import RESULTS

    figs = [json.loads(f.read_text())["figures"] for f in sorted(RESULTS.glob("bench_yolo_fold*.json"))]
    figs = [f for f in figs if "ensemble" in f]
    if not figs:
        raise SystemExit("no fold with the ensemble measured yet: run --fold K first")
    print(f"folds measured: {[f['fold'] for f in figs]} (of 5)")
    names = ("parser", "yolo", "ensemble")
    for table in ("ccp", "demo_looks"):
        print(f"-- {table}: AP@0.5 per class, mean over the folds")
        print(f"{'class':12s} " + " ".join(f"{n:>9s}" for n in names))
        for c in CATEGORIES:
            mark = "*" if c in TARGET_CLASSES else " "
            print(f"{c:11s}{mark} " + " ".join(
                f"{np.mean([f[n][table]['per_class'][c]['ap50'] for f in figs]):9.3f}" for n in names))
        for key in ("map50_target", "map50_all", "map_target"):
            print(f"{table} {key:13s} " + " ".join(f"{n} {np.mean([f[n][table][key] for f in figs]):.3f}"
                                                   for n in names))
    print("latency p50 ms: " + ", ".join(f"{n} {np.mean([f[n]['latency_ms']['p50'] for f in figs]):.0f}"
                                          for n in names))
    for n in names:
        ccp = np.mean([f[n]["ccp"]["map50_target"] for f in figs])
        demo = np.mean([f[n]["demo_looks"]["map50_target"] for f in figs])
        weak = {c: np.mean([f[n]["ccp"]["per_class"][c]["ap50"] for f in figs]) for c in TARGET_CLASSES}
        low = ", ".join(f"{c} {v:.3f}" for c, v in sorted(weak.items()) if v < 0.35) or "none"
        print(f"targets, {n} over {len(figs)} fold(s): ccp 7 classes {ccp:.3f} (>= 0.55: "
              f"{'met' if ccp >= 0.55 else 'not met'}); classes under 0.35: {low}; demo looks {demo:.3f} "
              f"(>= 0.80: {'met' if demo >= 0.80 else 'not met'})")


def report(fig: dict) -> None:
    """Print the split, the per-class table of both detectors and the cost lines."""
    print(f"split: {fig['split']}")
    for table in ("ccp", "demo_looks"):
        print(f"-- {table}: AP@0.5 per class (* = the 7 target classes)")
        print(f"{'class':12s} {'pose + parser':>14s} {'YOLO':>8s} {'ensemble':>9s}")
        for c in CATEGORIES:
            mark = "*" if c in TARGET_CLASSES else " "
            print(f"{c:11s}{mark} {fig['parser'][table]['per_class'][c]['ap50']:14.3f} "
                  f"{fig['yolo'][table]['per_class'][c]['ap50']:8.3f} "
                  f"{fig['ensemble'][table]['per_class'][c]['ap50']:9.3f}")
        for name in ("parser", "yolo", "ensemble"):
            f = fig[name][table]
            print(f"{table} {name}: mAP@0.5 7 classes {f['map50_target']:.3f}, 12 classes {f['map50_all']:.3f}, "
                  f"mAP@[.5:.95] 7 classes {f['map_target']:.3f}")
    py = fig["pose_yolo"]
    print(f"pose-yolo (YOLO's boxes given to the people pose finds): ccp mAP@0.5 7 classes "
          f"{py['ccp']['map50_target']:.3f}; {py['share_on_a_person']:.3f} of the served boxes (score >= 0.25) "
          "land on a person")
    for name in ("parser", "yolo", "pose_yolo", "ensemble"):
        lat = fig[name]["latency_ms"]
        print(f"latency {name}: p50 {lat['p50']:.0f} ms, p95 {lat['p95']:.0f} ms over {lat['runs']} runs (550x832 ccp)")
    print(f"cost: YOLO trained {fig['yolo']['train_s']:.0f} s ({fig['epochs']} epochs at {fig['imgsz']} px, "
          f"{fig['yolo']['train_images']} images, {fig['yolo']['weights_mb']:.1f} MB); the parser refits in "
          f"{fig['parser']['fit_s']:.0f} s from cached cells")
    print(f"verdict: {fig['verdict']}")


def main() -> None:
    """Build the fold's dataset, train (or reuse) YOLO, score both detectors, print and write the result."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--fold", type=int, default=0, help="the held-out ccp fold (0-4)")
    ap.add_argument("--epochs", type=int, default=20)
    ap.add_argument("--imgsz", type=int, default=416)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--latency-runs", type=int, default=30)
    ap.add_argument("--reuse", action="store_true", help="reuse this fold's YOLO weights when already trained with "
                                                          "the same epochs and size")
    ap.add_argument("--summary", action="store_true", help="print the mean over the folds measured so far and stop")
    args = ap.parse_args()
    if args.summary:
        summary()
        return
    import torch

    from fashion_core.demo import build_looks
    from fashion_core.detection.parser_training import DEMO_LOOKS, DEMO_LOOKS_SEED, demo_training_looks
    from fashion_core.detection.yolo import train_yolo

    torch.set_num_threads(2)
    demo_ann = demo_training_looks(CACHE, DEMO_LOOKS_SEED, DEMO_LOOKS)
    run_dir = CACHE / "yolo" / f"fold{args.fold}-e{args.epochs}-s{args.imgsz}"
    data = yolo_dataset(args.fold, demo_ann, CACHE / "yolo" / f"fold{args.fold}-data")
    weights = run_dir / "weights" / "best.safetensors"
    info = run_dir / "train.json"
    if not (args.reuse and weights.is_file() and info.is_file()):
        t = time.perf_counter()
        weights = train_yolo(data.data_yaml, run_dir, epochs=args.epochs, imgsz=args.imgsz, batch=args.batch,
                             val=False)
        info.write_text(json.dumps({"train_s": time.perf_counter() - t}))
    train_s = json.loads(info.read_text())["train_s"]
    gt = load_coco(CCP_JSON)
    ids = sorted(i for i, im in gt.imgs.items() if photo_fold(im["file_name"]) == args.fold)
    demo_json = CACHE / "demo-looks-seed0" / "annotations.json"
    if not demo_json.is_file():
        build_looks(demo_json.parent, seed=0)
    dgt = load_coco(demo_json)
    yolo = score_yolo(weights, args.imgsz, gt, ids, dgt, demo_json.parent, args.latency_runs)
    yolo.update(train_s=train_s, train_images=data.images["train"], weights_mb=weights.stat().st_size / 1e6)
    pose_yolo = score_pose_yolo(weights, args.imgsz, gt, ids, args.latency_runs)
    fitted = fold_parser(args.fold)
    parser = score_parser(args.fold, fitted, gt, ids, dgt, demo_json, args.latency_runs)
    ensemble = score_ensemble(weights, args.imgsz, fitted[0], fitted[1], gt, ids, dgt, demo_json.parent,
                              args.latency_runs)
    fig = {"split": f"ccp fold {args.fold} of 5 (photo-disjoint, sha1 of the file name; {len(ids)} photos) and the "
                    f"shipped demo world's 200 looks (seed 0), both never trained on; training: the other 4 folds' "
                    f"ccp photos + {DEMO_LOOKS} demo looks of seed {DEMO_LOOKS_SEED}; YOLO seed 0",
           "fold": args.fold, "epochs": args.epochs, "imgsz": args.imgsz, "yolo": yolo, "parser": parser,
           "pose_yolo": pose_yolo, "ensemble": ensemble}
    fig["verdict"] = verdict(yolo, parser, ensemble)
    report(fig)
    out = write_result(f"bench_yolo_fold{args.fold}", fig)
    print(f"wrote {out}\nreproduce: .venv/bin/python benchmarks/bench_yolo.py --fold {args.fold} --epochs {args.epochs} "
          f"--imgsz {args.imgsz}")
    print(f"mean AP@0.5 over the 7 classes, YOLO - parser: "
          f"{np.round(yolo['ccp']['map50_target'] - parser['ccp']['map50_target'], 3)}")


if __name__ == "__main__":
    main()
