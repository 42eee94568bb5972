"""The pose-guided detector on real photos: a street look, a group, two people, no person, a flat-laid garment."""

from __future__ import annotations

import json

import numpy as np
import pytest

from fashion_core.detection import create_detector, list_detectors
from fashion_core.detection.crops import crop, product_crop
from fashion_core.detection.render import draw_overlays
from fashion_core.imageio import load_image
from fashion_core.taxonomy import CATEGORIES


def _inside(det, img):
    x0, y0, x1, y1 = det.box
    ix, iy = det.icon
    return 0 <= x0 < x1 <= img.width and 0 <= y0 < y1 <= img.height and x0 <= ix <= x1 and y0 <= iy <= y1


def test_registry_names_and_bad_names():
    assert {"pose", "yolo[:<weights>]", "pose-yolo[:<weights>]"} <= set(list_detectors())
    with pytest.raises(ValueError, match="unknown detector"):
        create_detector("magic")
    assert create_detector("yolo").name.endswith("garment-yolo/yolo.safetensors")  # the shipped weights


def test_yolo_without_shipped_weights_says_how_to_get_them(monkeypatch, tmp_path):
    monkeypatch.setenv("FASHION_MODELS_DIR", str(tmp_path))
    for name in ("yolo", "pose-yolo"):
        with pytest.raises(FileNotFoundError, match="models rebuild garment-yolo"):
            create_detector(name)
    with pytest.raises(FileNotFoundError, match="detector train"):
        create_detector("yolo:/no/such/weights.pt")


def test_street_look_finds_one_person_with_garments_and_two_shoes(pose_detector, shared_data):
    img = load_image(shared_data / "ccp" / "photos" / "0003.jpg")
    dets = pose_detector.detect(img)
    cats = [d.category for d in dets]
    assert cats.count("shoes") == 2
    assert any(c in ("top", "outerwear", "dress") for c in cats)
    assert all(c in CATEGORIES for c in cats) and {d.person for d in dets} == {0}
    assert all(_inside(d, img) for d in dets)
    assert all(d.full_shot is True for d in dets)
    # shoes are below the upper garment, which is above the feet
    upper = max((d for d in dets if d.category in ("top", "outerwear", "dress")), key=lambda d: d.score)
    assert all(s.box[1] > upper.box[1] for s in dets if s.category == "shoes")


def test_same_photo_same_result(pose_detector, shared_data):
    img = load_image(shared_data / "ccp" / "photos" / "0010.jpg")
    a = [d.to_dict() for d in pose_detector.detect(img)]
    b = [d.to_dict() for d in pose_detector.detect(img)]
    assert json.dumps(a) == json.dumps(b)


def test_group_photo_finds_three_people(pose_detector, ultralytics_assets):
    img = load_image(ultralytics_assets / "bus.jpg")
    dets = pose_detector.detect(img)
    assert len({d.person for d in dets}) >= 3
    assert all(_inside(d, img) for d in dets)


def test_two_people_half_length(pose_detector, ultralytics_assets):
    img = load_image(ultralytics_assets / "zidane.jpg")
    dets = pose_detector.detect(img)
    assert len({d.person for d in dets}) == 2
    assert not any(d.category == "shoes" for d in dets)  # feet are out of the frame
    assert all(d.full_shot is False for d in dets)


def test_no_person_photo_gives_nothing(pose_detector, ultralytics_assets):
    bus = load_image(ultralytics_assets / "bus.jpg")
    street = bus.crop((0, 0, bus.width, 380))  # the bus and the street above the people's heads
    assert pose_detector.detect(street) == []


def test_flat_laid_garment_gives_one_whole_garment_box(pose_detector, shared_data):
    import pandas as pd

    labels = pd.read_csv(shared_data / "clothing" / "labels.csv")
    row = labels[labels["label"] == "pants"].iloc[0]
    img = load_image(shared_data / "clothing" / row["image"])
    dets = pose_detector.detect(img)
    assert len(dets) == 1, "a flat-laid garment is one whole-garment box"
    d = dets[0]
    assert d.person == -1 and d.category in CATEGORIES and _inside(d, img)
    assert (d.box[2] - d.box[0]) * (d.box[3] - d.box[1]) > 0.2 * img.width * img.height


def test_crops_and_overlays(pose_detector, shared_data):
    img = load_image(shared_data / "ccp" / "photos" / "0003.jpg")
    dets = pose_detector.detect(img)
    shoe = next(d for d in dets if d.category == "shoes")
    c = crop(img, shoe)
    assert c.width < img.width / 2 and c.height < img.height / 3
    over = draw_overlays(img, dets, selected=0)
    assert over.size == img.size
    x, y = (int(v) for v in dets[0].icon)
    assert not np.array_equal(np.asarray(over)[y, x], np.asarray(img)[y, x])


class _P:
    def __init__(self, category):
        self.category = category


def test_product_crop_on_worn_and_packshot_photos(shared_data):
    worn = load_image(shared_data / "ccp" / "photos" / "0003.jpg")
    out = product_crop(worn, _P("shoes"))
    assert out.width * out.height < 0.1 * worn.width * worn.height
    missing = product_crop(worn, _P("belt"))  # no belt hypothesis: the whole photo
    assert missing.size == worn.size
