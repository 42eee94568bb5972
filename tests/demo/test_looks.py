"""Look photos: COCO boxes inside the image and on the drawn garments, keypoints where a body has them."""

from __future__ import annotations

import numpy as np
from PIL import Image

from fashion_core import taxonomy
from fashion_core.demo.figure import KEYPOINTS
from fashion_core.imageio import load_image

from .helpers import COLOUR_BY_NAME, catalog, looks, outfits

REQUIRED = ("nose", "left_eye", "right_eye", "left_shoulder", "right_shoulder", "left_hip", "right_hip",
            "left_knee", "right_knee", "left_ankle", "right_ankle")


def test_coco_document_shape_and_category_coverage(demo_world):
    doc = looks(demo_world)
    assert len(doc["images"]) == 12
    assert [c["name"] for c in sorted(doc["categories"], key=lambda c: c["id"])] == list(taxonomy.CATEGORIES)
    assert {a["category_id"] for a in doc["annotations"]} == set(range(1, 13)), "12 looks should show all 12"
    for a in doc["annotations"]:
        assert a["person"] == 0 and a["iscrowd"] == 0 and a["area"] > 0


def test_boxes_inside_images_and_from_the_look_outfit(demo_world):
    doc = looks(demo_world)
    by_set = {o["set_id"]: {it["item_id"] for it in o["items"]} for s in ("train", "valid", "test")
              for o in outfits(demo_world, s)}
    cats = dict(zip(catalog(demo_world)["product_id"], catalog(demo_world)["category"]))
    images = {im["id"]: im for im in doc["images"]}
    for a in doc["annotations"]:
        im = images[a["image_id"]]
        x, y, w, h = a["bbox"]
        assert 0 <= x and 0 <= y and w > 0 and h > 0 and x + w <= im["width"] and y + h <= im["height"]
        assert a["product_id"] in by_set[im["set_id"]]
        assert taxonomy.CATEGORY_IDS[cats[a["product_id"]]] == a["category_id"]
    for im in doc["images"]:
        shown = {a["product_id"] for a in doc["annotations"] if a["image_id"] == im["id"]}
        assert len(shown) >= len(by_set[im["set_id"]]) - 1, "at most one garment may be hidden"


def test_boxes_match_the_drawn_garment_pixels(demo_world):
    """Each box is the extent of its category's mask pixels, and solid garments show their colour there."""
    doc = looks(demo_world)
    colours = dict(zip(catalog(demo_world)["product_id"], catalog(demo_world)["colour"]))
    patterns = dict(zip(catalog(demo_world)["product_id"], catalog(demo_world)["pattern"]))
    checked = 0
    for im in doc["images"]:
        folder = demo_world / "looks"
        mask = np.asarray(Image.open(folder / im["mask"]))
        pixels = np.asarray(load_image(folder / im["file_name"]), dtype=np.float32)
        assert mask.shape == (im["height"], im["width"]) == pixels.shape[:2]
        anns = [a for a in doc["annotations"] if a["image_id"] == im["id"]]
        for a in anns:
            x, y, w, h = a["bbox"]
            inside = mask[y:y + h, x:x + w] == a["category_id"]
            assert inside[0, :].any() and inside[-1, :].any() and inside[:, 0].any() and inside[:, -1].any()
            if sum(b["category_id"] == a["category_id"] for b in anns) == 1:
                ys, xs = np.nonzero(mask == a["category_id"])
                assert [xs.min(), ys.min(), xs.max() + 1 - xs.min(), ys.max() + 1 - ys.min()] == a["bbox"]
            if patterns[a["product_id"]] == "solid" and a["area"] > 400:
                region = pixels[y:y + h, x:x + w][inside]
                target = np.array(COLOUR_BY_NAME[colours[a["product_id"]]].rgb, np.float32)
                close = np.linalg.norm(region - target, axis=1) < 60
                assert close.mean() > 0.5, f"look {im['id']}: {a['product_id']} box does not show its colour"
                checked += 1
    assert checked >= 10


def test_keypoints_present_inside_and_anatomical(demo_world):
    for im in looks(demo_world)["images"]:
        assert len(im["people"]) == 1
        kp = im["people"][0]["keypoints"]
        assert set(REQUIRED) <= set(kp) and set(kp) == set(KEYPOINTS)
        for x, y in kp.values():
            assert 0 <= x < im["width"] and 0 <= y < im["height"]
        for side in ("left", "right"):
            assert kp[f"{side}_eye"][1] < kp[f"{side}_shoulder"][1] < kp[f"{side}_hip"][1]
            assert kp[f"{side}_hip"][1] < kp[f"{side}_knee"][1] < kp[f"{side}_ankle"][1]
        assert kp["left_shoulder"][0] > kp["nose"][0] > kp["right_shoulder"][0], "front-facing: left is image right"
        assert kp["left_hip"][0] > kp["right_hip"][0]


def test_worn_items_sit_where_the_body_is(demo_world):
    doc = looks(demo_world)
    images = {im["id"]: im for im in doc["images"]}
    for a in doc["annotations"]:
        kp = images[a["image_id"]]["people"][0]["keypoints"]
        x, y, w, h = a["bbox"]
        cy = y + h / 2
        name = taxonomy.CATEGORIES[a["category_id"] - 1]
        if name == "shoes":
            assert abs(cy - kp["left_ankle"][1]) < 40
        if name in ("hat", "sunglasses"):
            assert cy < kp["left_shoulder"][1]
        if name in ("top", "belt"):
            assert kp["left_shoulder"][1] - 20 < cy < kp["left_hip"][1] + 10
        if name in ("pants", "shorts", "skirt"):
            assert cy > kp["left_shoulder"][1] and y + h > kp["left_hip"][1]
