"""Fixtures of the detection tests: one pose detector per session, real photos."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def pose_detector():
    """The default pose-guided detector (with ImageNet evidence), loaded once."""
    from fashion_core.detection import create_detector

    return create_detector("pose")


@pytest.fixture(scope="session")
def ultralytics_assets() -> Path:
    """ultralytics' bundled sample photos (bus.jpg: a group, zidane.jpg: two people)."""
    import ultralytics

    return Path(ultralytics.__file__).parent / "assets"


TRAIN_PHOTOS = 40
"""The tests' own parser sees only the first 40 ccp photos; quality is scored on later ones."""


@pytest.fixture(scope="session")
def small_parser(shared_data):
    """A garment parser fitted in the test session on the first :data:`TRAIN_PHOTOS` ccp photos only (the shipped
    one saw every ccp photo, so scoring it on ccp would flatter it)."""
    from fashion_core.detection.parser_training import train_parser
    from fashion_core.encoders import create_encoder

    return train_parser([shared_data / "ccp" / "annotations.json"], encoder=create_encoder("efficientnet-lite0"),
                        limit=TRAIN_PHOTOS, progress=False)


TARGETS = ("top", "outerwear", "pants", "shorts", "skirt", "dress", "shoes")
"""The 7 garment classes the detection targets are measured on."""


def box_iou(a, b) -> float:
    """Intersection over union of two (x0, y0, x1, y1) boxes."""
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter)


def matched_targets(image_row: dict, doc: dict, dets) -> tuple[int, int]:
    """(target garments of one ccp photo found at IoU 0.5 with their category, target garments in the photo)."""
    names = {c["id"]: c["name"] for c in doc["categories"]}
    matched = total = 0
    for a in doc["annotations"]:
        if a["image_id"] == image_row["id"] and names[a["category_id"]] in TARGETS:
            x, y, w, h = a["bbox"]
            total += 1
            matched += any(d.category == names[a["category_id"]] and box_iou(d.box, (x, y, x + w, y + h)) >= 0.5
                           for d in dets)
    return matched, total
