"""Icon placement, hit-testing and the Detection shape: pure functions, no models."""

from __future__ import annotations

import pytest

from fashion_core.detection import Detection
from fashion_core.detection.icons import centroid, icon_position, nearest_icon

KPS = {"left_hip": (120.0, 200.0), "left_knee": (120.0, 300.0), "right_hip": (80.0, 200.0),
       "right_knee": (80.0, 300.0)}


def test_bottomwear_icon_is_quarter_from_knee_to_hip():
    x, y = icon_position((60, 180, 140, 420), "pants", KPS, {"left_knee": 0.9, "left_hip": 0.9,
                                                             "right_knee": 0.5, "right_hip": 0.9})
    assert (x, y) == pytest.approx((120.0, 275.0))


def test_more_visible_side_wins():
    x, _ = icon_position((60, 180, 140, 420), "skirt", KPS, {"left_knee": 0.2, "right_knee": 0.95})
    assert x == pytest.approx(80.0)


def test_other_categories_and_missing_keypoints_use_centroid():
    box = (10, 20, 50, 100)
    assert icon_position(box, "top", KPS) == centroid(box)
    assert icon_position(box, "shorts", {}) == centroid(box)
    assert icon_position((60, 180, 140, 420), "pants", KPS, method="centroid") == centroid((60, 180, 140, 420))


def test_icon_always_inside_box():
    box = (0, 0, 50, 50)  # knee/hip far outside this box
    x, y = icon_position(box, "pants", KPS)
    assert 0 <= x <= 50 and 0 <= y <= 50


def test_unknown_method_is_refused():
    with pytest.raises(ValueError, match="icon method"):
        icon_position((0, 0, 1, 1), "pants", KPS, method="magic")


def test_nearest_icon_within_radius():
    dets = [Detection((0, 0, 10, 10), "top", 0.9), Detection((100, 100, 120, 120), "shoes", 0.8)]
    assert nearest_icon(dets, (108, 112), radius=10) == 1
    assert nearest_icon(dets, (6, 4), radius=3) == 0
    assert nearest_icon(dets, (60, 60), radius=10) is None
    assert nearest_icon([], (0, 0), radius=10) is None


def test_detection_to_dict_has_cli_shape():
    d = Detection((1, 2, 30, 40), "dress", 0.5, full_shot=True, front_facing=False).to_dict()
    assert {"box", "category", "score", "icon"} <= set(d)
    assert d["box"] == [1.0, 2.0, 30.0, 40.0] and d["icon"] == [15.5, 21.0]
    assert d["full_shot"] is True and d["front_facing"] is False
