"""The contextual box rescorer: its features, COCO-style right/wrong labels, what it learns, its file format."""

from __future__ import annotations

import json

import numpy as np
import pytest

from fashion_core.detection.rescoring import (
    BoxRescorer,
    RankedBox,
    context_features,
    feature_names,
    fit_rescorer,
    right_boxes,
)
from fashion_core.taxonomy import CATEGORIES


def test_features_read_the_boxes_on_the_same_place_and_in_the_photo():
    boxes = [RankedBox("skirt", (10, 100, 90, 180), 0.4), RankedBox("dress", (12, 40, 88, 182), 0.2),
             RankedBox("dress", (10, 98, 92, 182), 0.7), RankedBox("top", (10, 20, 90, 100), 0.9)]
    x = context_features(boxes, 100, 200)
    names = feature_names()
    assert x.shape == (4, len(names))
    col = {n: k for k, n in enumerate(names)}
    skirt = x[0]
    assert skirt[col["overlap_dress"]] == pytest.approx(0.7)  # the dress box on its place, not the taller one
    assert skirt[col["overlap_top"]] == 0.0  # the top lies above it
    assert skirt[col["photo_top"]] == pytest.approx(0.9) and skirt[col["photo_skirt"]] == pytest.approx(0.4)
    assert skirt[col["is_skirt"]] == 1.0 and skirt[col["score_if_skirt"]] == pytest.approx(0.4)
    assert skirt[col["log_odds"]] == pytest.approx(np.log(0.4 / 0.6))
    assert skirt[[col["x"], col["y"], col["width"], col["height"]]] == pytest.approx([0.1, 0.5, 0.8, 0.4])


def test_right_boxes_counts_as_coco_does():
    truth = [("skirt", (10, 100, 90, 180)), ("top", (10, 20, 90, 100))]
    boxes = [RankedBox("skirt", (12, 102, 88, 178), 0.5),  # right
             RankedBox("skirt", (10, 100, 90, 182), 0.8),  # right too, and better: it claims the skirt first
             RankedBox("dress", (10, 100, 90, 180), 0.9),  # the wrong category
             RankedBox("top", (60, 20, 140, 100), 0.7)]  # the right category, too far off (IoU < 0.5)
    assert right_boxes(boxes, truth).tolist() == [0, 1, 0, 0]


def _photos(n: int, seed: int):
    """Drawn ranked lists: a skirt box is right unless a dress box sits on its place with a higher score."""
    rng = np.random.default_rng(seed)
    feats, cats, right, lists = [], [], [], []
    for _ in range(n):
        s_skirt, s_dress = rng.uniform(0.05, 0.95, 2)
        boxes = [RankedBox("skirt", (10, 100, 90, 180), s_skirt), RankedBox("dress", (10, 98, 90, 182), s_dress)]
        worn = "dress" if s_dress > s_skirt else "skirt"
        feats.append(context_features(boxes, 100, 200))
        cats += ["skirt", "dress"]
        right.append(right_boxes(boxes, [(worn, (10, 99, 90, 181))]))
        lists.append(boxes)
    return np.concatenate(feats), cats, np.concatenate(right), lists


def test_the_rescorer_learns_what_the_context_says_and_scores_new_photos_better(tmp_path):
    x, cats, y, _ = _photos(400, seed=0)
    rescorer = fit_rescorer(x, cats, y)
    assert set(rescorer.weights) == {"skirt", "dress"}
    # a middling skirt box under a confident dress box: the dress is worn, so the skirt drops
    boxes = [RankedBox("skirt", (10, 100, 90, 180), 0.5), RankedBox("dress", (10, 98, 90, 182), 0.8)]
    skirt, dress = rescorer.rescore(boxes, 100, 200)
    assert skirt < 0.3 < 0.7 < dress
    # on photos it never saw, ranking by the rescored probability beats ranking by the score alone
    from sklearn.metrics import roc_auc_score

    _, _, yt, lists = _photos(200, seed=1)
    probs = [p for boxes in lists for p in rescorer.rescore(boxes, 100, 200)]
    plain = [b.score for boxes in lists for b in boxes]
    assert roc_auc_score(yt, probs) > roc_auc_score(yt, plain) + 0.1
    # saved as JSON and read back: the same probabilities
    rescorer.save(tmp_path)
    again = BoxRescorer.load(tmp_path)
    assert again.rescore(boxes, 100, 200) == pytest.approx([skirt, dress])
    # a category it has no model of keeps its score
    assert again.rescore([RankedBox("hat", (0, 0, 10, 10), 0.33)], 100, 200) == [pytest.approx(0.33)]


def test_a_damaged_or_foreign_rescorer_file_says_what_to_do(tmp_path):
    (tmp_path / "rescorer.json").write_text("{not json")
    with pytest.raises(ValueError, match="models rebuild box-rescorer"):
        BoxRescorer.load(tmp_path)
    (tmp_path / "rescorer.json").write_text(json.dumps({"format": "fashion-core-box-rescorer/1",
                                                         "features": ["log_odds"], "weights": {}}))
    with pytest.raises(ValueError, match="another format or feature layout"):
        BoxRescorer.load(tmp_path)


def test_every_category_has_its_feature_columns():
    names = feature_names()
    for c in CATEGORIES:
        assert {f"score_if_{c}", f"overlap_{c}", f"photo_{c}", f"is_{c}"} <= set(names)


def test_the_ensemble_serves_the_rescored_probabilities_of_its_fused_boxes(shared_data):
    """Wiring, with the real models: the ensemble with the shipped rescorer ranks exactly the boxes it ranks
    without one, each scored by the rescorer's probability read from the unrescored list; served boxes clear
    ``RESCORED_MIN_SCORE``."""
    from fashion_core.config import Settings
    from fashion_core.detection import RESCORED_MIN_SCORE, create_detector
    from fashion_core.imageio import load_image

    path = Settings.resolve(env={}).box_rescorer
    assert path is not None and (path / "rescorer.json").is_file(), "models/box-rescorer is not shipped"
    rescorer = BoxRescorer.load(path)
    plain = create_detector("pose-ensemble", rescorer=None, alternatives=True, min_score=0.0)
    rescored = create_detector("pose-ensemble", rescorer=rescorer, alternatives=True, min_score=0.0)
    served = create_detector("pose-ensemble")
    assert served.rescorer is not None and served.min_score == RESCORED_MIN_SCORE
    photo = load_image(shared_data / "ccp" / "photos" / "0043.jpg")
    before = plain.detect(photo)
    boxes = [RankedBox(d.category, d.box, d.score) for d in before]
    want = sorted(zip(rescorer.rescore(boxes, photo.width, photo.height), [b.category for b in boxes]), reverse=True)
    got = sorted(((d.score, d.category) for d in rescored.detect(photo)), reverse=True)
    assert len(got) == len(want) > 5
    assert [c for _, c in got] == [c for _, c in want]
    assert [s for s, _ in got] == pytest.approx([s for s, _ in want], abs=1e-6)
    assert got != sorted(((d.score, d.category) for d in before), reverse=True)  # it did rescore
    out = served.detect(photo)
    assert out and all(d.score >= RESCORED_MIN_SCORE for d in out)
