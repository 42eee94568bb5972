"""Pose-guided detection on real photos, overlay icon placement, crops, overlays and the detect CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from fashion_core.detection import Detection, create_detector, list_detectors
from fashion_core.detection.crops import crop
from fashion_core.detection.fusion import box_iou
from fashion_core.detection.icons import icon_position, nearest_icon
from fashion_core.detection.parser_training import mask_dataset
from fashion_core.detection.render import draw_overlays
from fashion_core.imageio import load_image

from .conftest import TRAIN_PHOTOS

ROOT = Path(__file__).resolve().parents[2]
ASSETS = Path(__import__("ultralytics").__file__).parent / "assets"


@pytest.fixture(scope="module")
def detector():
    return create_detector("pose")


def test_street_photos_give_garments_that_match_the_ground_truth(small_parser, shared_data):
    """Scored on ccp photos the test's own parser never saw (the shipped parser saw all of ccp)."""
    detector = create_detector("pose", parser=small_parser)
    doc = json.loads((shared_data / "ccp" / "annotations.json").read_text())
    names = {c["id"]: c["name"] for c in doc["categories"]}
    matched = total = 0
    seen = {p.image.name for p in mask_dataset(shared_data / "ccp" / "annotations.json")[:TRAIN_PHOTOS]}
    held_out = [im for im in sorted(doc["images"], key=lambda r: r["file_name"])
                if Path(im["file_name"]).name not in seen][:12]
    assert len(held_out) == 12
    for im in held_out:
        dets = detector.detect(load_image(shared_data / "ccp" / im["file_name"]))
        assert dets, im["file_name"]
        assert all(0 <= d.box[0] < d.box[2] <= im["width"] and 0 <= d.box[1] < d.box[3] <= im["height"] for d in dets)
        for a in doc["annotations"]:
            if a["image_id"] != im["id"] or names[a["category_id"]] not in ("top", "outerwear", "pants", "shorts",
                                                                            "skirt", "dress", "shoes"):
                continue
            x, y, w, h = a["bbox"]
            total += 1
            matched += any(d.category == names[a["category_id"]] and box_iou(d.box, (x, y, x + w, y + h)) >= 0.5
                           for d in dets)
    assert matched / total >= 0.3, (matched, total)


def test_photo_without_a_person_gives_nothing(detector, shared_data):
    import pandas as pd

    labels = pd.read_csv(shared_data / "clothing" / "labels.csv")
    flat = load_image(shared_data / "clothing" / labels[labels.label == "pants"].image.iloc[0])
    assert all(d.person == -1 for d in detector.detect(flat)), "no person in a flat-laid garment photo"
    from PIL import Image

    assert detector.detect(Image.new("RGB", (320, 240), (200, 200, 200))) == []


def test_group_photo_is_sensible(detector):
    dets = detector.detect(load_image(ASSETS / "bus.jpg"))
    assert dets and all(isinstance(d, Detection) for d in dets)
    for d in dets:
        x0, y0, x1, y1 = d.box
        assert x0 <= d.icon[0] <= x1 and y0 <= d.icon[1] <= y1
        assert d.full_shot in (True, False) and d.front_facing in (True, False)


def test_bottomwear_icon_is_a_quarter_from_knee_to_hip():
    kps = {"left_hip": (120.0, 200.0), "left_knee": (120.0, 300.0)}
    x, y = icon_position((80, 180, 200, 320), "pants", kps)
    assert (x, y) == (120.0, 275.0)
    assert icon_position((80, 180, 200, 320), "pants", {}) == (140.0, 250.0)  # no keypoints: centroid
    assert icon_position((0, 0, 10, 10), "top", kps) == (5.0, 5.0)
    x, y = icon_position((80, 180, 200, 240), "shorts", kps)  # knee point outside a short box: centroid
    assert 80 <= x <= 200 and 180 <= y <= 240


def test_nearest_icon_within_radius():
    dets = [Detection((0, 0, 10, 10), "top", 0.9), Detection((50, 50, 70, 70), "shoes", 0.8)]
    assert nearest_icon(dets, (6, 4), 5) == 0
    assert nearest_icon(dets, (58, 61), 5) == 1
    assert nearest_icon(dets, (30, 30), 5) is None


def test_crop_and_overlays():
    from PIL import Image

    img = Image.new("RGB", (100, 80), (255, 255, 255))
    det = Detection((10, 20, 50, 60), "top", 0.9)
    c = crop(img, det, pad=0.0)
    assert c.size == (40, 40)
    out = draw_overlays(img, [det], selected=0)
    assert out.size == img.size and np.asarray(out).min() < 255 and np.asarray(img).min() == 255
    assert {"pose", "yolo[:<weights>]", "pose-yolo[:<weights>]"} <= set(list_detectors())
    with pytest.raises(ValueError, match="unknown detector"):
        create_detector("nope")


def test_cli_detect_json_contract(shared_data):
    photo = shared_data / "ccp" / "photos" / "0001.jpg"
    res = subprocess.run([sys.executable, "-m", "fashion_core", "detect", "--image", str(photo), "--json"],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    dets = json.loads(res.stdout)["detections"]
    assert dets and {"box", "category", "score", "icon"} <= set(dets[0])
    assert len(dets[0]["box"]) == 4 and len(dets[0]["icon"]) == 2
    bad = subprocess.run([sys.executable, "-m", "fashion_core", "detect", "--image", str(ROOT / "README.md")],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert bad.returncode == 2 and ("not a recognised image" in bad.stderr or "plain text" in bad.stderr)


def test_row_extent_of_a_lone_column_at_the_image_edge_is_found_not_a_crash():
    import numpy as np

    from fashion_core.detection.regions import row_extent

    mask = np.zeros((20, 30), bool)
    mask[:, 29] = True  # an even closing kernel erased it and the nearest-run search crashed (an fpi photo)
    assert row_extent(mask, 0, 20, 5) == (29.0, 30.0)
    assert row_extent(np.zeros((20, 30), bool), 0, 20, 5) is None
    mask = np.zeros((20, 30), bool)
    mask[:, 10:14] = True
    assert row_extent(mask, 0, 20, 25) == (10.0, 14.0)


def test_box_adjustment_moves_edges_by_a_share_of_the_box():
    from fashion_core.detection.garments import BOX_ADJUST, adjust_box

    box = (100.0, 200.0, 140.0, 240.0)
    x0, y0, x1, y1 = adjust_box(box, "shoes")
    a = BOX_ADJUST["shoes"]
    assert (x0, y0, x1, y1) == pytest.approx((100 + 40 * a[0], 200 + 40 * a[1], 140 + 40 * a[2], 240 + 40 * a[3]))
    assert y0 > box[1]  # a shoe starts below the ankle keypoint
    assert adjust_box(box, "bag") == box  # categories without an adjustment are left alone
