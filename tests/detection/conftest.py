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
