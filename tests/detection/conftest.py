"""Fixtures of the detection tests: one pose detector per session, real photos."""

from __future__ import annotations

from pathlib import Path

import pytest

from fashion_core.detection.fusion import box_iou


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


def served_f1(rows: list[tuple[dict, list]], doc: dict) -> float:
    """F1 of served target-class boxes against a photo's target garments (IoU 0.5, same category, each garment
    matched once), over ``rows`` of (ccp image row, detections)."""
    names = {c["id"]: c["name"] for c in doc["categories"]}
    hits = served = targets = 0
    for image_row, dets in rows:
        truth = [(names[a["category_id"]], (a["bbox"][0], a["bbox"][1], a["bbox"][0] + a["bbox"][2],
                                            a["bbox"][1] + a["bbox"][3]))
                 for a in doc["annotations"] if a["image_id"] == image_row["id"] and names[a["category_id"]] in TARGETS]
        used: set[int] = set()
        for d in (d for d in dets if d.category in TARGETS):
            served += 1
            j = next((j for j, (c, b) in enumerate(truth) if j not in used and c == d.category
                      and box_iou(d.box, b) >= 0.5), None)
            if j is not None:
                used.add(j)
        hits, targets = hits + len(used), targets + len(truth)
    return 2 * hits / max(1, served + targets)
