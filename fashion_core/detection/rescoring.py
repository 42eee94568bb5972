"""Contextual rescoring of a detector's ranked boxes: each box's score is re-read with what else the photo holds.

A box alone says "skirt, 0.4"; the boxes around it say more: a dress box on the same place at 0.6 and a top
above it make a skirt less likely, a top and shoes at the right heights more. As in the contextual rescoring of
deformable-part-model detectors (Felzenszwalb et al., "Object detection with discriminatively trained part-based
models", 2010; written here from that description), a per-category logistic regression reads, for each box:

- its own score (as a log-odds) and its category (one-hot, and one-hot × score);
- the best score of each category among the other boxes that overlap it (IoU ≥ 0.5);
- the best score of each category anywhere in the photo;
- its place and size in the photo (x, y, width, height as shares of the photo's).

It returns the probability that the box is a right garment: the first box (best first) to cover an unclaimed
ground-truth garment of its category at IoU ≥ 0.5, as COCO's matching counts it. It learns from ranked lists of
photos the detector never saw (out-of-fold lists), so it learns how the detector errs on new photos.
Saved as JSON (``rescorer.json``: categories, feature names, weights); no pickle.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..taxonomy import CATEGORIES
from .fusion import box_iou
from .types import Box

FORMAT = "fashion-core-box-rescorer/1"
WEIGHTS_FILE = "rescorer.json"
OVERLAP_IOU = 0.5
"""Another box is on the same place when it overlaps this much (the IoU at which a box counts as right)."""
MIN_ROWS = 50
"""A category with fewer training boxes (or without both right and wrong ones) keeps its detector score."""


@dataclass(frozen=True)
class RankedBox:
    """One box of a ranked list: category, (x0, y0, x1, y1) in the photo's pixels, score."""

    category: str
    box: Box
    score: float


def feature_names() -> list[str]:
    """Names of the :func:`context_features` columns, in order."""
    return (["log_odds"] + [f"score_if_{c}" for c in CATEGORIES] + [f"overlap_{c}" for c in CATEGORIES]
            + [f"photo_{c}" for c in CATEGORIES] + ["x", "y", "width", "height"] + [f"is_{c}" for c in CATEGORIES])


def context_features(boxes: Sequence[RankedBox], width: float, height: float) -> np.ndarray:
    """(n, features) float64: each box of one photo's ranked list read with the others (see the module doc)."""
    cidx = {c: k for k, c in enumerate(CATEGORIES)}
    n_cat, n = len(CATEGORIES), len(boxes)
    if n == 0:
        return np.zeros((0, 1 + 4 * n_cat + 4))
    cat = np.array([cidx[b.category] for b in boxes])
    score = np.array([float(b.score) for b in boxes])
    xy = np.array([b.box for b in boxes], dtype=np.float64)
    one = np.zeros((n, n_cat))
    one[np.arange(n), cat] = 1.0
    photo_best = np.zeros(n_cat)
    np.maximum.at(photo_best, cat, score)
    iw = np.clip(np.minimum(xy[:, None, 2], xy[None, :, 2]) - np.maximum(xy[:, None, 0], xy[None, :, 0]), 0, None)
    ih = np.clip(np.minimum(xy[:, None, 3], xy[None, :, 3]) - np.maximum(xy[:, None, 1], xy[None, :, 1]), 0, None)
    inter = iw * ih
    area = (xy[:, 2] - xy[:, 0]) * (xy[:, 3] - xy[:, 1])
    union = area[:, None] + area[None, :] - inter
    near = np.where(union > 0, inter / np.where(union > 0, union, 1.0), 0.0) >= OVERLAP_IOU
    np.fill_diagonal(near, False)
    # overlap[i, c]: the best score of category c among the boxes on box i's place
    overlap = (near[:, :, None] * (one * score[:, None])[None, :, :]).max(axis=1)
    s = np.clip(score, 1e-4, 1 - 1e-4)
    w, h = max(float(width), 1.0), max(float(height), 1.0)
    place = np.stack([xy[:, 0] / w, xy[:, 1] / h, (xy[:, 2] - xy[:, 0]) / w, (xy[:, 3] - xy[:, 1]) / h], axis=1)
    return np.concatenate([(np.log(s) - np.log1p(-s))[:, None], one * score[:, None], overlap,
                           np.broadcast_to(photo_best, (n, n_cat)), place, one], axis=1)


def right_boxes(boxes: Sequence[RankedBox], truth: Sequence[tuple[str, Box]], iou: float = 0.5) -> np.ndarray:
    """1 for each box that is right by COCO's matching (best first, the first box to cover an unclaimed true garment
    of its category at ``iou``), else 0: what the rescorer learns to predict."""
    order = sorted(range(len(boxes)), key=lambda i: -boxes[i].score)
    claimed: set[int] = set()
    out = np.zeros(len(boxes))
    for i in order:
        best, best_iou = -1, iou
        for t, (cat, box) in enumerate(truth):
            if t in claimed or cat != boxes[i].category:
                continue
            v = box_iou(boxes[i].box, box)
            if v >= best_iou:
                best, best_iou = t, v
        if best >= 0:
            claimed.add(best)
            out[i] = 1.0
    return out


@dataclass
class BoxRescorer:
    """Per-category logistic regressions over :func:`context_features`; categories without one keep their score."""

    weights: dict[str, tuple[list[float], float]] = field(default_factory=dict)
    """Category → (coefficients, intercept)."""
    trained_on: dict = field(default_factory=dict)

    def rescore(self, boxes: Sequence[RankedBox], width: float, height: float) -> list[float]:
        """The probability that each box of one photo's ranked list is a right garment (its own score for a
        category the rescorer has no model of)."""
        if not boxes:
            return []
        x = context_features(boxes, width, height)
        out = []
        for b, row in zip(boxes, x):
            model = self.weights.get(b.category)
            if model is None:
                out.append(float(b.score))
                continue
            coef, intercept = model
            out.append(float(1.0 / (1.0 + np.exp(-(row @ np.asarray(coef) + intercept)))))
        return out

    def save(self, folder: str | Path) -> Path:
        """Write ``rescorer.json`` into ``folder``."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        doc = {"format": FORMAT, "features": feature_names(), "trained_on": self.trained_on,
               "weights": {c: {"coef": [round(float(v), 8) for v in w], "intercept": round(float(b), 8)}
                           for c, (w, b) in sorted(self.weights.items())}}
        path = folder / WEIGHTS_FILE
        path.write_text(json.dumps(doc, indent=1) + "\n")
        return path

    @classmethod
    def load(cls, folder: str | Path) -> BoxRescorer:
        """Read a rescorer written by :meth:`save`; a clear error for another file or another feature layout."""
        path = Path(folder)
        path = path / WEIGHTS_FILE if path.is_dir() else path
        try:
            doc = json.loads(path.read_text())
        except (OSError, json.JSONDecodeError) as e:
            raise ValueError(f"{path}: not a box rescorer ({e}); rebuild it with `fashion-core models rebuild "
                             "box-rescorer`") from e
        if doc.get("format") != FORMAT or doc.get("features") != feature_names():
            raise ValueError(f"{path}: a box rescorer of another format or feature layout; rebuild it with "
                             "`fashion-core models rebuild box-rescorer`")
        return cls({c: (list(map(float, w["coef"])), float(w["intercept"])) for c, w in doc["weights"].items()},
                   doc.get("trained_on", {}))


def fit_rescorer(features: np.ndarray, categories: Sequence[str], right: np.ndarray, c: float = 1.0,
                 trained_on: dict | None = None) -> BoxRescorer:
    """One logistic regression per category (L2, ``C = c``, lbfgs: deterministic) on out-of-fold boxes."""
    from sklearn.linear_model import LogisticRegression

    cats = np.asarray(categories)
    weights = {}
    for cat in CATEGORIES:
        rows = cats == cat
        if rows.sum() < MIN_ROWS or len(set(right[rows].tolist())) < 2:
            continue
        lr = LogisticRegression(C=c, max_iter=2000).fit(features[rows], right[rows])
        weights[cat] = (lr.coef_[0].tolist(), float(lr.intercept_[0]))
    return BoxRescorer(weights, dict(trained_on or {}, boxes=int(len(cats)), right=int(right.sum())))
