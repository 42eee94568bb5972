"""Weighted boxes fusion (``detection/fusion.py``) on hand-made lists whose fused boxes and scores are known."""

from __future__ import annotations

import random

import pytest

from fashion_core.detection import Detection
from fashion_core.detection.fusion import box_iou, fuse_boxes


def _d(box, category="top", score=0.5, person=0) -> Detection:
    return Detection(box=box, category=category, score=score, person=person)


def test_two_detectors_that_agree_give_one_box_between_theirs_with_the_mean_score():
    a, b = _d((0, 0, 100, 200), score=0.8), _d((10, 0, 110, 200), score=0.4)
    (f,) = fuse_boxes([[a], [b]])
    # corners weighted by score: x0 = (0 * 0.8 + 10 * 0.4) / 1.2
    assert f.box == pytest.approx((10 / 3, 0, 100 + 10 / 3, 200))
    assert f.score == pytest.approx((0.8 + 0.4) / 2)
    assert f.best_member(0) is a and f.best_member(1) is b


def test_a_garment_one_detector_alone_sees_is_halved_and_other_categories_never_merge():
    fused = fuse_boxes([[_d((0, 0, 100, 100), "pants", 0.9)], [_d((0, 0, 100, 100), "skirt", 0.6)]])
    assert sorted((f.category, round(f.score, 3)) for f in fused) == [("pants", 0.45), ("skirt", 0.3)]
    assert fused[0].category == "pants"  # best first
    assert fused[0].best_member(1) is None


def test_boxes_that_overlap_too_little_stay_apart_and_one_detectors_duplicates_count_once():
    left, right = _d((0, 0, 100, 100), "shoes", 0.7), _d((80, 0, 180, 100), "shoes", 0.6)  # IoU 0.11
    assert box_iou(left.box, right.box) == pytest.approx(20 * 100 / (2 * 100 * 100 - 20 * 100))
    assert len(fuse_boxes([[left, right], []])) == 2
    twice = fuse_boxes([[_d((0, 0, 100, 100), score=0.8), _d((2, 0, 102, 100), score=0.6)], []])
    assert len(twice) == 1 and twice[0].score == pytest.approx(0.8 / 2)  # its best score, not the sum


def test_weights_scale_a_detector_and_the_result_ignores_the_order_of_the_boxes():
    rng = random.Random(0)
    lists = [[_d((rng.uniform(0, 50), rng.uniform(0, 50), rng.uniform(60, 120), rng.uniform(60, 120)),
                 rng.choice(["top", "pants"]), rng.uniform(0.05, 0.95)) for _ in range(12)] for _ in range(2)]
    first = [(f.category, f.box, f.score) for f in fuse_boxes(lists, weights=[1.0, 3.0])]
    for _ in range(3):
        shuffled = [rng.sample(found, len(found)) for found in lists]
        assert [(f.category, f.box, f.score) for f in fuse_boxes(shuffled, weights=[1.0, 3.0])] == first
    (f,) = fuse_boxes([[_d((0, 0, 10, 10), score=0.4)], [_d((0, 0, 10, 10), score=0.8)]], weights=[1.0, 3.0])
    assert f.score == pytest.approx((0.4 + 3 * 0.8) / 4)
    with pytest.raises(ValueError, match="2 weights for 3 detectors"):
        fuse_boxes([[], [], []], weights=[1.0, 1.0])
