"""Shared bits of the detection benchmarks: ccp loading, COCO evaluation, result files."""

from __future__ import annotations

import contextlib
import datetime as _dt
import io
import json
import platform
import sys
from pathlib import Path

import numpy as np

from fashion_core.taxonomy import CATEGORIES, CATEGORY_IDS

TARGET_CLASSES = ("top", "outerwear", "pants", "shorts", "skirt", "dress", "shoes")
RESULTS = Path(__file__).resolve().parent / "results"


def load_coco(path: Path):
    """pycocotools COCO object for ``path``, quietly."""
    from pycocotools.coco import COCO

    with contextlib.redirect_stdout(io.StringIO()):
        return COCO(str(path))


def coco_eval(gt, results: list[dict], image_ids: list[int]) -> dict:
    """Per-class and mean AP@0.5 and AP@[.5:.95] (classes with no detections count as 0)."""
    from pycocotools.cocoeval import COCOeval

    per = {c: {"ap50": 0.0, "ap": 0.0} for c in CATEGORIES}
    if results:
        with contextlib.redirect_stdout(io.StringIO()):
            dt = gt.loadRes(results)
            ev = COCOeval(gt, dt, "bbox")
            ev.params.imgIds = image_ids
            ev.evaluate()
            ev.accumulate()
        prec = ev.eval["precision"]  # [T, R, K, A, M]
        for k, c in enumerate(CATEGORIES):
            p50, pall = prec[0, :, k, 0, -1], prec[:, :, k, 0, -1]
            per[c] = {"ap50": float(p50[p50 > -1].mean()) if (p50 > -1).any() else 0.0,
                      "ap": float(pall[pall > -1].mean()) if (pall > -1).any() else 0.0}
    return {"per_class": per,
            "map50_all": float(np.mean([per[c]["ap50"] for c in CATEGORIES])),
            "map_all": float(np.mean([per[c]["ap"] for c in CATEGORIES])),
            "map50_target": float(np.mean([per[c]["ap50"] for c in TARGET_CLASSES])),
            "map_target": float(np.mean([per[c]["ap"] for c in TARGET_CLASSES]))}


def to_coco(image_id: int, detections) -> list[dict]:
    """COCO result rows for one image's detections."""
    return [{"image_id": image_id, "category_id": CATEGORY_IDS[d.category],
             "bbox": [d.box[0], d.box[1], d.box[2] - d.box[0], d.box[3] - d.box[1]], "score": d.score}
            for d in detections]


def write_result(name: str, figures: dict) -> Path:
    """Write ``benchmarks/results/<name>.json`` with machine, date, command and figures."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    doc = {"benchmark": name, "machine": f"{platform.node()} {platform.machine()} {platform.processor()}".strip(),
           "date": _dt.datetime.now().isoformat(timespec="seconds"),
           "command": " ".join([".venv/bin/python"] + sys.argv), "figures": figures}
    out = RESULTS / f"{name}.json"
    out.write_text(json.dumps(doc, indent=2))
    return out
