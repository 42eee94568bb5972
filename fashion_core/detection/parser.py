"""Pose-guided garment parser: a pixel classifier that labels every part of a person, then garment boxes.

The rule-based regions of :mod:`.garments` guess where a garment ends from colour changes; a coat over a
top, a dress under a coat, boots or a bag defeat them (mAP@0.5 0.30 on ccp). The parser instead labels
each cell of a stride-8 grid over the person's crop as background, skin, hair, another accessory or one of
the 12 taxonomy categories, from
- dense EfficientNet-Lite features of the crop (stride 8, 16 and 32 stages, ``feature_maps``),
- the cell's colour (Lab), the person's segmentation mask, and
- where the cell sits in the person's **body frame** (offsets from the shoulder, hip, knee and ankle lines in
  torso lengths, distances to wrists, ankles, knees, hips and the nose): the pose guides the labels.
Two small MLPs (one hidden layer, different seeds, averaged) map these to 16 label probabilities; they are
fitted on photos with garment masks (:mod:`.parser_training`: the shipped one on ccp and on generated demo
looks, mirrored too; its ``mask_dataset`` reads a COCO json with ``info.ccp_labels`` or ``info.mask_labels``,
``info.taxonomy_map`` and ``masks/``). A garment's box is the
box of the cells whose most probable label it is (one box per connected shoe, one per other garment, as ccp's
boxes are made).
Artifacts are numbers only: ``parser.npz`` + ``config.json`` (classes, encoder, data, training).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from .. import taxonomy
from .fusion import box_iou
from .regions import clip_box
from .types import Box, Person

LABELS = ("background", "skin", "hair", "other") + tuple(taxonomy.CATEGORIES)
"""Pixel labels, in probability column order: three body / scene labels, other accessories, then the taxonomy."""
FIRST_GARMENT = 4
PARSE_HEIGHT = 512
"""A person's crop is resized to this height before the features (the stride-8 grid is then 64 cells high)."""
MAX_ASPECT = 1.5
"""Crops wider than this × their height are capped (a lying or very wide group crop)."""
BODY_FEATURES = 12
UPSAMPLE = 4
"""Probabilities are resized from the stride-8 grid by this factor before labels and boxes are read."""
MIN_PART = 0.15
"""A garment's box joins the pieces of its label holding at least this share of its biggest piece."""
ALTERNATIVE_THRESHOLD = 0.2
"""Ranked lists (benchmarks) also get, per garment, the box of the cells where its probability tops this."""
ALTERNATIVE_WEIGHT = 0.5
MAX_SHOES = 2
"""Shoe boxes kept per person without alternatives (the best-scored pieces)."""
VOTE_GROUP = ("pants", "shorts", "skirt", "dress")
"""Garments below the waist that one connected piece of cells is only one of (see :func:`vote`)."""
ALTERNATIVE_GROUPS = (VOTE_GROUP, ("top", "outerwear", "dress"))
"""Garments one piece of cells may be mistaken between: ranked lists offer each piece as the others of its group."""
MIN_ALTERNATIVE_SCORE = 0.01
BOTTOMS = ("pants", "shorts", "skirt")
"""Worn one at a time: without alternatives only the one covering most cells is kept."""
BACKGROUND_KEEP = 0.35
"""Share of background cells kept for training (all other cells are kept)."""
CONFIG = "config.json"
ARRAYS = "parser.npz"


class ParserError(ValueError):
    """A parser or parsing dataset that cannot be used, with what to do about it."""


def body_features(person: Person | None, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """(n, 12) position of points (xs, ys) in ``person``'s body frame (torso lengths, clipped to ±5); zeros
    without a person. Pose tells the parser that a cell below the knee line is likelier shoe than top."""
    if person is None:
        return np.zeros((len(xs), BODY_FEATURES), np.float32)

    def kp(name: str) -> np.ndarray:
        return np.asarray(person.keypoints[name][:2], np.float64)

    ls, rs, lh, rh = kp("left_shoulder"), kp("right_shoulder"), kp("left_hip"), kp("right_hip")
    sy, hy = (ls[1] + rs[1]) / 2, (lh[1] + rh[1]) / 2
    torso = max(hy - sy, 8.0)
    cx = (ls[0] + rs[0] + lh[0] + rh[0]) / 4
    sw = max(abs(ls[0] - rs[0]), 0.3 * torso)
    ky = (kp("left_knee")[1] + kp("right_knee")[1]) / 2
    ay = (kp("left_ankle")[1] + kp("right_ankle")[1]) / 2
    pts = np.stack([xs, ys], 1).astype(np.float64)

    def nearest(a: str, b: str) -> np.ndarray:
        return np.minimum(np.linalg.norm(pts - kp(a), axis=1), np.linalg.norm(pts - kp(b), axis=1)) / torso

    cols = [(xs - cx) / sw, (ys - sy) / torso, (ys - hy) / torso, (ys - ky) / torso, (ys - ay) / torso,
            np.abs(xs - cx) / sw, nearest("left_ankle", "right_ankle"), nearest("left_wrist", "right_wrist"),
            np.linalg.norm(pts - kp("nose"), axis=1) / torso, nearest("left_knee", "right_knee"),
            nearest("left_hip", "right_hip"), np.ones(len(xs))]
    return np.clip(np.stack(cols, 1), -5, 5).astype(np.float32)


def crop_for(person: Person, rgb: np.ndarray) -> tuple[tuple[int, int, int, int], float]:
    """The person's padded box in ``rgb`` and the scale that brings it to :data:`PARSE_HEIGHT` pixels high."""
    from .garments import person_box

    x0, y0, x1, y1 = person_box(person, rgb.shape[:2])
    h, w = y1 - y0, x1 - x0
    scale = PARSE_HEIGHT / max(1, h)
    if w * scale > MAX_ASPECT * PARSE_HEIGHT:
        scale = MAX_ASPECT * PARSE_HEIGHT / max(1, w)
    return (x0, y0, x1, y1), scale


def cell_features(encoder, rgb: np.ndarray, person: Person) -> tuple[np.ndarray, tuple[int, int], tuple]:
    """Features of every stride-8 cell of ``person``'s crop: (n_cells, d), the grid (gh, gw) and the crop box in
    ``rgb``. Columns: dense encoder features, Lab colour, person mask, body frame."""
    (x0, y0, x1, y1), scale = crop_for(person, rgb)
    size = (max(8, round((x1 - x0) * scale)), max(8, round((y1 - y0) * scale)))
    crop = cv2.resize(np.ascontiguousarray(rgb[y0:y1, x0:x1]), size, interpolation=cv2.INTER_AREA
                      if scale < 1 else cv2.INTER_LINEAR)
    deep = encoder.feature_maps(crop)
    gh, gw = deep.shape[:2]
    lab = cv2.cvtColor(cv2.resize(crop, (gw, gh), interpolation=cv2.INTER_AREA), cv2.COLOR_RGB2LAB)
    lab = lab.reshape(-1, 3).astype(np.float32) / 128.0 - 1.0
    if person.mask is not None:
        mask = cv2.resize(person.mask[y0:y1, x0:x1].astype(np.float32), (gw, gh), interpolation=cv2.INTER_AREA)
    else:
        mask = np.ones((gh, gw), np.float32)
    ys, xs = np.mgrid[0:gh, 0:gw]
    # cell centres in the original image's pixels: the body frame is measured there
    px = x0 + (xs.ravel() + 0.5) * (x1 - x0) / gw
    py = y0 + (ys.ravel() + 0.5) * (y1 - y0) / gh
    feats = np.concatenate([deep.reshape(gh * gw, -1), lab, mask.reshape(-1, 1), body_features(person, px, py)], 1)
    return feats.astype(np.float32), (gh, gw), (x0, y0, x1, y1)


@dataclass
class GarmentParser:
    """Label probabilities for parser cell features: the mean of an ensemble of one-hidden-layer MLPs (weights
    stacked on a first axis, one per member); see the module doc."""

    mean: np.ndarray
    std: np.ndarray
    w1: np.ndarray
    b1: np.ndarray
    w2: np.ndarray
    b2: np.ndarray
    encoder: dict
    trained_on: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.w1.ndim == 2:  # a single MLP
            self.w1, self.b1, self.w2, self.b2 = (a[None] for a in (self.w1, self.b1, self.w2, self.b2))

    def probs(self, feats: np.ndarray) -> np.ndarray:
        """(n, 16) label probabilities (columns in :data:`LABELS` order) for (n, d) cell features."""
        if feats.shape[1] != self.mean.shape[0]:
            raise ParserError(f"the parser expects {self.mean.shape[0]} features per cell, got {feats.shape[1]}: "
                              "it was fitted with another encoder; retrain it with `fashion-core detector "
                              "parser-train`")
        x = (feats - self.mean) / self.std
        out = np.zeros((len(x), self.w2.shape[-1]), np.float32)
        for w1, b1, w2, b2 in zip(self.w1, self.b1, self.w2, self.b2):
            z = np.maximum(x @ w1 + b1, 0.0) @ w2 + b2
            z -= z.max(1, keepdims=True)
            e = np.exp(z)
            out += e / e.sum(1, keepdims=True)
        return out / len(self.w1)

    def check_encoder(self, encoder) -> None:
        """Refuse an encoder other than the one the parser was fitted with (its features mean nothing here)."""
        want = self.encoder.get("weights_id")
        got = getattr(encoder, "feature_maps_id", getattr(encoder, "weights_id", None))
        if want and got and want != got:
            raise ParserError(f"the garment parser was fitted on encoder {self.encoder.get('name')} "
                              f"(weights {want}) but {getattr(encoder, 'name', '?')} (weights {got}) was given: "
                              "use that encoder or retrain the parser with `fashion-core detector parser-train`")

    def save(self, out_dir: str | Path) -> Path:
        """Write ``parser.npz`` (numbers only) and ``config.json`` under ``out_dir``."""
        import shutil

        out = Path(out_dir)
        stage = out.with_name(out.name + ".tmp")  # written whole, then swapped in: never half a parser
        shutil.rmtree(stage, ignore_errors=True)
        stage.mkdir(parents=True)
        np.savez(stage / ARRAYS, mean=self.mean, std=self.std, w1=self.w1, b1=self.b1, w2=self.w2, b2=self.b2)
        (stage / CONFIG).write_text(json.dumps({"kind": "garment-parser", "labels": list(LABELS),
                                                "parse_height": PARSE_HEIGHT, "encoder": self.encoder,
                                                "trained_on": self.trained_on}, indent=2))
        shutil.rmtree(out, ignore_errors=True)
        stage.rename(out)
        return out

    @classmethod
    def load(cls, path: str | Path) -> GarmentParser:
        """Read a parser saved by :meth:`save` (no pickles); clear errors for a missing or foreign folder."""
        path = Path(path)
        cfg_path, arr_path = path / CONFIG, path / ARRAYS
        if not cfg_path.is_file() or not arr_path.is_file():
            raise ParserError(f"{path} is not a garment parser (expected {CONFIG} and {ARRAYS}); make one with "
                              "`fashion-core detector parser-train --data ccp/annotations.json --out DIR`")
        cfg = json.loads(cfg_path.read_text())
        if cfg.get("kind") != "garment-parser" or list(cfg.get("labels", [])) != list(LABELS):
            raise ParserError(f"{path} holds a model of another kind or label set ({cfg.get('kind')!r}); "
                              "retrain it with `fashion-core detector parser-train`")
        try:
            with np.load(arr_path, allow_pickle=False) as z:
                arrays = {k: z[k].astype(np.float32) for k in ("mean", "std", "w1", "b1", "w2", "b2")}
        except (OSError, ValueError, KeyError) as exc:
            raise ParserError(f"{arr_path} cannot be read ({exc}); retrain the parser with "
                              "`fashion-core detector parser-train`") from exc
        return cls(**arrays, encoder=cfg.get("encoder", {}), trained_on=cfg.get("trained_on", {}))


def garment_boxes(probs: np.ndarray, alternatives: bool = False) -> list[tuple[str, Box, float]]:
    """(category, box, score) for the garments of a (gh, gw, 16) probability grid; boxes in grid units.

    Each cell takes its most probable label (a connected piece of :data:`VOTE_GROUP` labels takes one of them,
    :func:`vote`); a garment's box covers the pieces of its label holding at
    least :data:`MIN_PART` of its biggest piece (shoes: one box per piece); the score is its mean probability
    there. ``alternatives`` adds, per garment, the box where its probability tops
    :data:`ALTERNATIVE_THRESHOLD` (a second guess for ranked lists), unless it repeats the first box; without
    it, only one of :data:`BOTTOMS` and at most :data:`MAX_SHOES` shoes are kept."""
    gh, gw, _ = probs.shape
    up = cv2.resize(probs.astype(np.float32), (gw * UPSAMPLE, gh * UPSAMPLE), interpolation=cv2.INTER_LINEAR)
    best = vote(up.argmax(2), up, VOTE_GROUP)
    out: list[tuple[str, Box, float]] = []
    first: dict[str, Box] = {}
    skip: set[str] = set()
    if not alternatives:  # one answer per person: a single bottom garment, the one with the most pixels
        area = {c: int((best == LABELS.index(c)).sum()) for c in BOTTOMS}
        skip = {c for c in BOTTOMS if c != max(BOTTOMS, key=lambda c: (area[c], c))}
    for k, cat in enumerate(taxonomy.CATEGORIES):
        if cat in skip:
            continue
        ch = up[..., FIRST_GARMENT + k]
        pieces = _pieces(best == FIRST_GARMENT + k, ch, split=cat == "shoes")
        if cat == "shoes" and not alternatives:  # two feet: further pieces are fragments of a shoe
            pieces = sorted(pieces, key=lambda p: -p[1])[:MAX_SHOES]
        for box, score in pieces:
            out.append((cat, box, score))
            first.setdefault(cat, box)
        if alternatives and cat != "shoes":
            for box, score in _pieces(ch > ALTERNATIVE_THRESHOLD, ch, split=False):
                if cat not in first or box_iou(box, first[cat]) <= 0.7:
                    out.append((cat, box, ALTERNATIVE_WEIGHT * score))
    if alternatives:
        out += _group_alternatives(best, up)
    return [(c, tuple(v / UPSAMPLE for v in b), s) for c, b, s in out]


def _group_alternatives(best: np.ndarray, up: np.ndarray) -> list[tuple[str, Box, float]]:
    """Ranked lists only: each piece of a garment of an :data:`ALTERNATIVE_GROUPS` group is also offered as every
    other garment of its group, scored by that garment's mean probability over the piece (a detector's per-class
    scores for one box: a skirt the vote read as pants is still found, lower in the list)."""
    out = []
    for group in ALTERNATIVE_GROUPS:
        for cat in group:
            k = LABELS.index(cat)
            n, pieces, stats, _ = cv2.connectedComponentsWithStats((best == k).astype(np.uint8), connectivity=8)
            if n <= 1:
                continue
            areas = stats[1:, cv2.CC_STAT_AREA]
            for j in 1 + np.flatnonzero(areas >= max(3.0, MIN_PART * float(areas.max()))):
                sel = pieces == j
                x, y, w, h = stats[j, :4]
                box = (float(x), float(y), float(x + w), float(y + h))
                for other in group:
                    score = float(up[..., LABELS.index(other)][sel].mean())
                    if other != cat and score >= MIN_ALTERNATIVE_SCORE:
                        out.append((other, box, score))
    return out


def vote(best: np.ndarray, probs: np.ndarray, group: tuple[str, ...]) -> np.ndarray:
    """``best`` (label map) with each connected piece of ``group`` labels relabelled to the group label holding
    most probability mass over the piece: a skirt's cells are not half pants, half dress."""
    chans = [LABELS.index(c) for c in group]
    n, pieces = cv2.connectedComponents(np.isin(best, chans).astype(np.uint8), connectivity=8)
    if n <= 1:
        return best
    best = best.copy()
    flat = pieces.ravel()
    mass = np.stack([np.bincount(flat, weights=probs[..., c].ravel(), minlength=n) for c in chans], 1)
    winner = np.asarray(chans)[mass.argmax(1)]
    sel = flat > 0
    best.ravel()[sel] = winner[flat[sel]]
    return best


def _pieces(mask: np.ndarray, prob: np.ndarray, split: bool) -> list[tuple[Box, float]]:
    if mask.sum() < 3:
        return []
    n, lab, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    areas = stats[1:, cv2.CC_STAT_AREA]
    biggest = float(areas.max())
    if split:
        out = []
        for j in range(1, n):
            a = float(stats[j, cv2.CC_STAT_AREA])
            if a < max(4.0, 0.2 * biggest):
                continue
            x, y, w, h = stats[j, :4]
            out.append(((float(x), float(y), float(x + w), float(y + h)),
                        float(prob[lab == j].mean()) * min(1.0, a / (0.5 * biggest))))
        return out
    keep = 1 + np.flatnonzero(areas >= MIN_PART * biggest)
    sel = np.isin(lab, keep)
    ys, xs = np.nonzero(sel)
    return [((float(xs.min()), float(ys.min()), float(xs.max() + 1), float(ys.max() + 1)), float(prob[sel].mean()))]


def parse_person(parser: GarmentParser, encoder, rgb: np.ndarray, person: Person,
                 alternatives: bool = False) -> list[tuple[str, Box, float]]:
    """(category, box in ``rgb`` pixels, score) of every garment the parser finds on ``person``."""
    feats, grid, crop = cell_features(encoder, rgb, person)
    return boxes_in_image(parser, feats, grid, crop, rgb.shape[:2], alternatives)


def boxes_in_image(parser: GarmentParser, feats: np.ndarray, grid: tuple[int, int], crop: tuple,
                   shape: tuple[int, int], alternatives: bool = False) -> list[tuple[str, Box, float]]:
    """(category, box in image pixels, score) from one person's cell features (:func:`cell_features`: the
    features, their grid and the crop box in an image of ``shape`` (h, w)); the second half of :func:`parse_person`,
    also run on cached cell features (benchmarks)."""
    (gh, gw), (x0, y0, x1, y1) = grid, crop
    probs = parser.probs(np.asarray(feats, np.float32)).reshape(gh, gw, -1)
    sx, sy = (x1 - x0) / gw, (y1 - y0) / gh
    return [(c, clip_box((x0 + b[0] * sx, y0 + b[1] * sy, x0 + b[2] * sx, y0 + b[3] * sy), shape), s)
            for c, b, s in garment_boxes(probs, alternatives)]
