"""Icon placement on real street photos (../shared/data/ccp masks): share of icons on the garment's own pixels.

Per category, knee→hip 25% heuristic beside the box centroid, (a) on the ground-truth boxes with MediaPipe
keypoints, (b) on the pose detector's own boxes that match a ground-truth box (IoU ≥ 0.5, same category): its
rule regions by default, or with ``--parser-cv`` its garment parser, cross-validated over photo folds exactly as
``bench_detection.py`` does (no photo is parsed by a parser that saw it).

    .venv/bin/python benchmarks/bench_icons.py [--step 1] [--parser-cv]
"""

from __future__ import annotations

import argparse
import os
import sys
from collections import defaultdict
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "2")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402
from common_detection import load_coco, write_result  # noqa: E402
from PIL import Image  # noqa: E402

from fashion_core import taxonomy  # noqa: E402
from fashion_core.config import SHARED_DATA  # noqa: E402
from fashion_core.detection import create_detector  # noqa: E402
from fashion_core.detection.fusion import box_iou  # noqa: E402
from fashion_core.detection.icons import icon_position  # noqa: E402
from fashion_core.imageio import load_image  # noqa: E402


def _on(garment: np.ndarray, p) -> bool:
    h, w = garment.shape
    x, y = int(p[0]), int(p[1])
    return 0 <= x < w and 0 <= y < h and bool(garment[y, x])


def main() -> None:
    """Run over ccp, print per-category hit rates, write the result file."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--step", type=int, default=1)
    ap.add_argument("--parser-cv", action="store_true", help="detector boxes from the garment parser, cross-validated")
    args = ap.parse_args()
    ccp = SHARED_DATA / "ccp"
    gt = load_coco(ccp / "annotations.json")
    labels = gt.dataset["info"]["ccp_labels"]
    label_cat = np.array([taxonomy.CCP.get(lbl) or "" for lbl in labels], dtype=object)
    parsers = None
    if args.parser_cv:
        from bench_detection import fold_parsers, photo_fold

        from fashion_core.encoders import create_encoder

        encoder = create_encoder("efficientnet-lite0")
        parsers = fold_parsers(encoder)
        det = create_detector("pose", evidence=False, parser=parsers[0], encoder=encoder)
    else:
        det = create_detector("pose", evidence=False, parser=None)
    hits = defaultdict(lambda: np.zeros(3))  # (knee-hip hits, centroid hits, n) per (mode, category)
    for i in sorted(gt.getImgIds())[:: args.step]:
        info = gt.imgs[i]
        img = load_image(ccp / info["file_name"])
        if parsers is not None:
            det.parser = parsers[photo_fold(info["file_name"])]
        mask = np.asarray(Image.open(ccp / info["mask"]))
        cat_map = label_cat[mask]
        dets = det.detect(img)
        kps = dets[0].keypoints if dets else {}
        for a in gt.loadAnns(gt.getAnnIds(imgIds=[i])):
            cat = taxonomy.CATEGORIES[a["category_id"] - 1]
            x, y, w, h = a["bbox"]
            box = (x, y, x + w, y + h)
            garment = cat_map == cat
            hits[("gt", cat)] += (_on(garment, icon_position(box, cat, kps)),
                                  _on(garment, icon_position(box, cat, method="centroid")), 1)
            for d in dets:
                if d.category == cat and box_iou(d.box, box) >= 0.5:
                    hits[("detector", cat)] += (_on(garment, d.icon),
                                                _on(garment, icon_position(d.box, cat, method="centroid")), 1)
                    break
    figures = {}
    for mode in ("gt", "detector"):
        print(f"\n{mode} boxes: share of icons on the garment's own mask pixels")
        print(f"{'category':12s} {'knee-hip':>9s} {'centroid':>9s} {'n':>6s}")
        rows = {}
        bottom = np.zeros(3)
        for c in taxonomy.CATEGORIES:
            k, ce, n = hits[(mode, c)]
            rows[c] = {"knee_hip": k / n if n else None, "centroid": ce / n if n else None, "n": int(n)}
            if c in taxonomy.BOTTOMWEAR:
                bottom += hits[(mode, c)]
            print(f"{c:12s} {k / n if n else float('nan'):9.3f} {ce / n if n else float('nan'):9.3f} {int(n):6d}")
        b = {"knee_hip": bottom[0] / bottom[2] if bottom[2] else None,
             "centroid": bottom[1] / bottom[2] if bottom[2] else None, "n": int(bottom[2])}
        print(f"{'BOTTOMWEAR':12s} {b['knee_hip']:9.3f} {b['centroid']:9.3f} {b['n']:6d}")
        figures[mode] = {"per_category": rows, "bottomwear": b}
    out = write_result("bench_icons_parser" if args.parser_cv else "bench_icons", figures)
    print(f"wrote {out}\nreproduce: .venv/bin/python benchmarks/bench_icons.py --step {args.step}"
          f"{' --parser-cv' if args.parser_cv else ''}")


if __name__ == "__main__":
    main()
