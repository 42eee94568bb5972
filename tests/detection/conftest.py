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
