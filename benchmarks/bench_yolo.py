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
  the real detector, YOLO reading the photo as served in the ensemble (416 px with test-time augmentation, the
  setting ``--tta`` chose on the 5 folds).

One fold per run: training YOLO takes about an hour per fold on 2 CPU cores; ``--summary`` prints the mean over
the folds measured so far. ``--tta`` scores the ensemble with YOLO reading the photo at several sizes, with and
without test-time augmentation, on every trained fold (the served reading was chosen there). ``--rescore``
measures the ensemble with its contextual box rescorer (``models/box-rescorer``) nested over the 5 folds: each
fold rescored by a rescorer fitted on the other folds' out-of-fold ranked boxes; the fold rows above are the
ensemble without it. The verdict line applies the issue's rule (ship YOLO as the default when it wins on mAP,
or comes within 0.03 while running faster) to YOLO alone and to the ensemble.

    .venv/bin/python benchmarks/bench_yolo.py [--fold 0] [--epochs 36] [--imgsz 320] [--reuse] [--summary] [--tta] [--rescore]
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
from common_detection import (  # noqa: E402
    CATEGORY_IDS as CATEGORY_ID,
)
from common_detection import TARGET_CLASSES, coco_eval, load_coco, to_coco, write_result  # noqa: E402

from fashion_core.taxonomy import CATEGORIES  # noqa: E402


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


def score_ensemble(weights: Path, parser, encoder, gt, ids: list[int], dgt, demo_root: Path,
                   latency_runs: int, **yolo_reading) -> dict:
    """``pose-ensemble`` without the box rescorer (the shipped one learned from every fold; ``--rescore`` measures
    it nested): the fold's parser and YOLO fused box by box (weighted boxes fusion, equal weights, IoU
    0.55: the method's defaults, not tuned here), run as the real detector on the same photos, YOLO reading the
    photo as served (``ENSEMBLE_YOLO_IMGSZ`` with test-time augmentation) unless ``yolo_reading`` (``imgsz``,
    ``augment``) says otherwise."""
    from fashion_core.detection import ENSEMBLE_YOLO_AUGMENT, ENSEMBLE_YOLO_IMGSZ, create_detector

    ranked = create_detector(f"pose-ensemble:{weights}", parser=parser, encoder=encoder, alternatives=True,
                             min_score=0.0, yolo_conf=0.001, rescorer=None, **yolo_reading)
    served = create_detector(f"pose-ensemble:{weights}", parser=parser, encoder=encoder, rescorer=None,
                             **yolo_reading)
    reading = {"imgsz": ENSEMBLE_YOLO_IMGSZ, "augment": ENSEMBLE_YOLO_AUGMENT, **yolo_reading}
    return {**score_ranked(ranked, served, gt, ids, dgt, demo_root, latency_runs), "yolo_reading": reading}


TTA_GRID = ((320, False), (320, True), (384, True), (416, True), (448, True), (480, True))
"""(size, test-time augmentation) readings of YOLO that ``--tta`` scores inside the ensemble."""


def tta_sweep(folds: list[int], epochs: int, imgsz: int) -> None:
    """Score the ensemble's ranked boxes on each fold's held-out ccp photos with YOLO reading the photo at each
    :data:`TTA_GRID` setting (the fold's YOLO and parser fitted without it), print the 7-class mAP@0.5 per fold
    and setting, the mean, and the nested choice (for each fold, the setting best on the other folds)."""
    from fashion_core.detection import create_detector
    from fashion_core.imageio import load_image

    gt = load_coco(CCP_JSON)
    runs: dict[str, dict[int, dict]] = {}
    for fold in folds:
        weights = CACHE / "yolo" / f"fold{fold}-e{epochs}-s{imgsz}" / "weights" / "best.safetensors"
        if not weights.is_file():
            raise SystemExit(f"no YOLO trained for fold {fold} ({weights}): run --fold {fold} first")
        parser, encoder = fold_parser(fold)[:2]
        ids = sorted(i for i, im in gt.imgs.items() if photo_fold(im["file_name"]) == fold)
        for size, augment in TTA_GRID:
            det = create_detector(f"pose-ensemble:{weights}", parser=parser, encoder=encoder, alternatives=True,
                                  min_score=0.0, yolo_conf=0.001, imgsz=size, augment=augment, rescorer=None)
            rows = []
            for i in ids:
                rows += to_coco(i, det.detect(load_image(CCP_JSON.parent / gt.imgs[i]["file_name"])))
            ev = coco_eval(gt, rows, ids)
            key = f"{size}{' tta' if augment else ''}"
            runs.setdefault(key, {})[fold] = {"map50_target": ev["map50_target"], "map50_all": ev["map50_all"],
                                              "per_class": {c: ev["per_class"][c]["ap50"] for c in TARGET_CLASSES}}
            print(f"fold {fold}, YOLO at {key}: 7 classes {ev['map50_target']:.3f}, skirt "
                  f"{ev['per_class']['skirt']['ap50']:.3f}", flush=True)
    print(f"{'YOLO reading':14s} " + " ".join(f"fold {f}" for f in folds) + "   mean  skirt")
    means = {}
    for key, per in runs.items():
        means[key] = float(np.mean([per[f]["map50_target"] for f in folds]))
        skirt = np.mean([per[f]["per_class"]["skirt"] for f in folds])
        print(f"{key:14s} " + " ".join(f"{per[f]['map50_target']:6.3f}" for f in folds) + f" {means[key]:6.3f} "
              f"{skirt:6.3f}")
    nested = []
    for f in folds:
        others = [g for g in folds if g != f] or [f]
        pick = max(runs, key=lambda k: np.mean([runs[k][g]["map50_target"] for g in others]))
        nested.append({"fold": f, "choice": pick, "map50_target": runs[pick][f]["map50_target"]})
    nested_mean = float(np.mean([n["map50_target"] for n in nested]))
    print("nested choice (best on the other folds): " + ", ".join(f"fold {n['fold']} {n['choice']}" for n in nested)
          + f"; mean 7-class mAP@0.5 {nested_mean:.3f}")
    out = write_result("bench_yolo_tta", {"folds": folds, "grid": [list(g) for g in TTA_GRID], "runs": runs,
                                          "means": means, "nested": nested, "nested_mean": nested_mean})
    print(f"wrote {out}\nreproduce: .venv/bin/python benchmarks/bench_yolo.py --tta --epochs {epochs} --imgsz {imgsz}")


def rescore_eval(latency_runs: int) -> None:
    """The ensemble with its contextual box rescorer (``detection/rescoring.py``), nested 5-fold: for each ccp fold,
    a rescorer fitted on the other 4 folds' out-of-fold ranked lists rescores the boxes of the fold's detectors (YOLO
    and parser fitted without the fold), run as the real detector on the fold's photos and on the held-out demo
    looks; the same detectors without a rescorer give the row beside it. Also: the served threshold (best F1 of the
    rescored out-of-fold boxes) and the latency with and without the rescorer."""
    from fashion_core.demo import build_looks
    from fashion_core.detection import create_detector
    from fashion_core.detection.rescorer_training import fold_detectors, fold_lists, train
    from fashion_core.detection.rescoring import RankedBox, right_boxes
    from fashion_core.imageio import load_image

    gt = load_coco(CCP_JSON)
    demo_json = CACHE / "demo-looks-seed0" / "annotations.json"
    if not demo_json.is_file():
        build_looks(demo_json.parent, seed=0)
    dgt = load_coco(demo_json)
    detectors = fold_detectors(CACHE, CCP_JSON, progress=True)
    fitted = {k: detectors(k) for k in range(5)}
    lists = {k: fold_lists(CACHE, CCP_JSON, k, fitted[k][0], lambda k=k: fitted[k][1:], progress=True)
             for k in range(5)}
    per_fold, scored, rescorers = [], [], {}
    for k in range(5):
        yolo, parser, encoder = fitted[k]
        rescorer = rescorers[k] = train({j: v for j, v in lists.items() if j != k})
        ids = sorted(i for i, im in gt.imgs.items() if photo_fold(im["file_name"]) == k)
        plain_rows = [{"image_id": p["image_id"], "category_id": CATEGORY_ID[c], "bbox": [b[0], b[1], b[2] - b[0],
                                                                                        b[3] - b[1]], "score": sc}
                      for p in lists[k] for c, b, sc in p["boxes"]]
        figs = {}
        for name, r in (("ensemble", None), ("rescored", rescorer)):
            det = create_detector(f"pose-ensemble:{yolo}", parser=parser, encoder=encoder, rescorer=r,
                                  alternatives=True, min_score=0.0, yolo_conf=0.001)
            drows = []
            for i in sorted(dgt.getImgIds()):
                drows += to_coco(i, det.detect(load_image(demo_json.parent / dgt.imgs[i]["file_name"])))
            rows = plain_rows
            if r is not None:
                rows = []
                by_id = {p["image_id"]: p for p in lists[k]}
                for i in ids:
                    found = det.detect(load_image(CCP_JSON.parent / gt.imgs[i]["file_name"]))
                    rows += to_coco(i, found)
                    boxes = [RankedBox(d.category, d.box, d.score) for d in found]
                    truth = [(c, tuple(b)) for c, b in by_id[i]["truth"]]
                    scored += list(zip([b.score for b in boxes], right_boxes(boxes, truth), [len(truth)] * len(boxes)))
            figs[name] = {"ccp": coco_eval(gt, rows, ids), "demo_looks": coco_eval(dgt, drows, sorted(dgt.getImgIds()))}
        per_fold.append({"fold": k, **figs})
        print(f"fold {k}: 7 classes ensemble {figs['ensemble']['ccp']['map50_target']:.3f} -> rescored "
              f"{figs['rescored']['ccp']['map50_target']:.3f} (skirt {figs['ensemble']['ccp']['per_class']['skirt']['ap50']:.3f}"
              f" -> {figs['rescored']['ccp']['per_class']['skirt']['ap50']:.3f}); demo looks "
              f"{figs['ensemble']['demo_looks']['map50_target']:.3f} -> {figs['rescored']['demo_looks']['map50_target']:.3f}",
              flush=True)
    n_true = sum(len(p["truth"]) for v in lists.values() for p in v)
    s = np.array([t[0] for t in scored])
    y = np.array([t[1] for t in scored])
    f1 = {}
    for t in np.round(np.arange(0.2, 0.65, 0.05), 2):
        tp, n = float(y[s >= t].sum()), int((s >= t).sum())
        f1[float(t)] = round(2 * tp / (n + n_true), 4) if n + n_true else 0.0
    best_t = max(f1, key=f1.get)
    print("F1 of the rescored out-of-fold boxes by serving threshold: " + ", ".join(f"{t:.2f} {v:.3f}"
                                                                                  for t, v in f1.items()))
    yolo, parser, encoder = fitted[0]
    ids0 = sorted(i for i, im in gt.imgs.items() if photo_fold(im["file_name"]) == 0)
    lat = {name: latency(create_detector(f"pose-ensemble:{yolo}", parser=parser, encoder=encoder, rescorer=r),
                         gt, ids0, latency_runs)
           for name, r in (("ensemble", None), ("rescored", rescorers[0]))}
    means = {}
    for name in ("ensemble", "rescored"):
        for table in ("ccp", "demo_looks"):
            means[f"{name} {table}"] = {
                "map50_target": round(float(np.mean([f[name][table]["map50_target"] for f in per_fold])), 4),
                "map50_all": round(float(np.mean([f[name][table]["map50_all"] for f in per_fold])), 4),
                "per_class": {c: round(float(np.mean([f[name][table]["per_class"][c]["ap50"] for f in per_fold])), 4)
                              for c in CATEGORIES}}
    print(f"{'class':12s} {'ensemble':>9s} {'rescored':>9s}   (ccp AP@0.5, mean over the 5 folds)")
    for c in CATEGORIES:
        mark = "*" if c in TARGET_CLASSES else " "
        print(f"{c:11s}{mark} {means['ensemble ccp']['per_class'][c]:9.3f} {means['rescored ccp']['per_class'][c]:9.3f}")
    for table in ("ccp", "demo_looks"):
        print(f"{table}: mAP@0.5 7 classes ensemble {means['ensemble ' + table]['map50_target']:.3f}, rescored "
              f"{means['rescored ' + table]['map50_target']:.3f}; all 12 classes "
              f"{means['ensemble ' + table]['map50_all']:.3f} -> {means['rescored ' + table]['map50_all']:.3f}")
    weak = {c: means["rescored ccp"]["per_class"][c] for c in TARGET_CLASSES}
    print(f"targets, rescored: ccp 7 classes {means['rescored ccp']['map50_target']:.3f} (>= 0.55), classes under "
          f"0.35: {', '.join(f'{c} {v:.3f}' for c, v in weak.items() if v < 0.35) or 'none'}; demo looks "
          f"{means['rescored demo_looks']['map50_target']:.3f} (>= 0.80)")
    print(f"served threshold with the best F1: {best_t:.2f} (F1 {f1[best_t]:.3f})")
    print(f"latency p50, fold 0 photos: ensemble {lat['ensemble']['p50']:.0f} ms, rescored {lat['rescored']['p50']:.0f} ms")
    card = {"ccp 5-fold mAP@0.5, 7 target classes: ensemble without / with the rescorer":
            [means["ensemble ccp"]["map50_target"], means["rescored ccp"]["map50_target"]],
            "ccp 5-fold AP@0.5 per target class, with the rescorer": {c: weak[c] for c in TARGET_CLASSES},
            "held-out demo looks mAP@0.5, 7 target classes: without / with":
            [means["ensemble demo_looks"]["map50_target"], means["rescored demo_looks"]["map50_target"]],
            "served threshold (best F1 of the out-of-fold boxes)": best_t,
            "latency p50 ms without / with (fold 0 photos)": [round(lat["ensemble"]["p50"], 1),
                                                             round(lat["rescored"]["p50"], 1)]}
    out = write_result("bench_yolo_rescore", {"folds": per_fold, "means": means, "f1_by_threshold": f1,
                                              "best_threshold": best_t, "latency_ms": lat, "card": card})
    print(f"wrote {out}\nreproduce: .venv/bin/python benchmarks/bench_yolo.py --rescore")


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
    ap.add_argument("--rescore", action="store_true", help="instead: the ensemble with and without its contextual "
                    "box rescorer, nested over the 5 folds (fold YOLOs trained first when missing)")
    ap.add_argument("--tta", action="store_true", help="instead: score the ensemble with YOLO reading the photo at "
                    "several sizes, with and without test-time augmentation, on every fold already trained")
    args = ap.parse_args()
    if args.summary:
        summary()
        return
    if args.tta:
        tta_sweep(list(range(5)), args.epochs, args.imgsz)
        return
    if args.rescore:
        rescore_eval(args.latency_runs)
        return
    import torch

    from fashion_core.demo import build_looks
    from fashion_core.detection.parser_training import DEMO_LOOKS, DEMO_LOOKS_SEED
    from fashion_core.detection.rescorer_training import fold_dataset
    from fashion_core.detection.yolo import train_yolo

    torch.set_num_threads(2)
    run_dir = CACHE / "yolo" / f"fold{args.fold}-e{args.epochs}-s{args.imgsz}"
    data = fold_dataset(CACHE, CCP_JSON, args.fold)
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
    ensemble = score_ensemble(weights, fitted[0], fitted[1], gt, ids, dgt, demo_json.parent, args.latency_runs)
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
