"""Scored garment hypotheses for one person (upper, lower, one-piece, feet), from :mod:`.regions` measurements."""

from __future__ import annotations

import cv2
import numpy as np

from . import skin as sk
from .regions import (
    Body,
    Hypothesis,
    Maps,
    body_frame,
    build_maps,
    clip_box,
    leg_length,
    polyline,
    row_extent,
    scan_down,
    scan_up,
)
from .types import Person

SIDES = ("left", "right")


def _squash(x: float) -> float:
    return float(1.0 / (1.0 + np.exp(-x)))


BOX_ADJUST: dict[str, tuple[float, float, float, float]] = {
    "top": (0.01, 0.06, 0.0, 0.01),
    "outerwear": (0.0, 0.03, 0.0, 0.06),
    "pants": (0.0, -0.01, 0.0, 0.02),
    "shorts": (0.07, -0.03, -0.06, -0.01),
    "skirt": (0.0, -0.03, -0.01, -0.01),
    "dress": (0.05, 0.08, -0.06, 0.0),
    "shoes": (-0.06, 0.15, 0.03, 0.0),
}
"""Per-category shift of each box edge (x0, y0, x1, y1) as a share of the box's width / height: the median
offset from the rule boxes to the garment masks' boxes on ccp (e.g. a shoe box starts at the ankle keypoint,
the shoe below it; a dress box from the shoulder line is too wide at the hem)."""


def adjust_box(box: tuple[float, float, float, float], category: str) -> tuple[float, float, float, float]:
    """``box`` with the category's :data:`BOX_ADJUST` edge shifts applied (unknown categories unchanged)."""
    a = BOX_ADJUST.get(category)
    if a is None:
        return box
    x0, y0, x1, y1 = box
    w, h = x1 - x0, y1 - y0
    return (x0 + a[0] * w, y0 + a[1] * h, x1 + a[2] * w, y1 + a[3] * h)

WORK_HEIGHT = 360
"""Rules run on the person's padded box scaled to at most this many pixels high (speed; boxes map back)."""


def propose(rgb: np.ndarray, person: Person) -> list[Hypothesis]:
    """Every garment hypothesis for ``person`` in ``rgb`` (H, W, 3 uint8), several per region, scored 0..1."""
    h, w = rgb.shape[:2]
    x0, y0, x1, y1 = person_box(person, (h, w))
    scale = min(1.0, WORK_HEIGHT / max(1, y1 - y0))
    crop = rgb[y0:y1, x0:x1]
    size = (max(1, round((x1 - x0) * scale)), max(1, round((y1 - y0) * scale)))
    local = Person({n: ((k[0] - x0) * scale, (k[1] - y0) * scale, k[2]) for n, k in person.keypoints.items()},
                   None if person.mask is None else cv2.resize(person.mask[y0:y1, x0:x1], size,
                                                               interpolation=cv2.INTER_LINEAR), person.index)
    small = cv2.resize(crop, size, interpolation=cv2.INTER_AREA) if scale < 1.0 else crop
    body = body_frame(local)
    if body is None:
        return []
    maps = build_maps(np.ascontiguousarray(small), local, body)
    hyps = upper_and_lower(maps, local, body) + feet(maps, local, body)
    if not legs_seen(local, small.shape[:2]):
        hyps = [hp for hp in hyps if hp.region not in ("lower",) and hp.category != "dress"]
    return [Hypothesis(hp.region, hp.category, clip_box((hp.box[0] / scale + x0, hp.box[1] / scale + y0,
                                                         hp.box[2] / scale + x0, hp.box[3] / scale + y0), (h, w)),
                       hp.score) for hp in hyps]


def legs_seen(person: Person, shape: tuple[int, int]) -> bool:
    """True when at least one knee is visible inside the image (else no lower garment is proposed)."""
    h, w = shape
    for side in SIDES:
        p = person.point(f"{side}_knee")
        if p is not None and 0 <= p[0] < w and 0 <= p[1] < h:
            return True
    return False


def person_box(person: Person, shape: tuple[int, int], pad: float = 0.08) -> tuple[int, int, int, int]:
    """Integer box around the person's mask and keypoints, padded, inside the image."""
    h, w = shape
    pts = np.array([(k[0], k[1]) for k in person.keypoints.values()])
    xs, ys = [pts[:, 0].min(), pts[:, 0].max()], [pts[:, 1].min(), pts[:, 1].max()]
    if person.mask is not None:
        m = person.mask > 0.5
        rows, cols = np.flatnonzero(m.any(1)), np.flatnonzero(m.any(0))
        if len(rows):
            xs += [cols[0], cols[-1]]
            ys += [rows[0], rows[-1]]
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    px, py = pad * (x1 - x0), pad * (y1 - y0)
    return (int(np.clip(x0 - px, 0, w - 1)), int(np.clip(y0 - py, 0, h - 1)),
            int(np.clip(x1 + px + 1, 1, w)), int(np.clip(y1 + py + 1, 1, h)))


def leg_gap(maps: Maps, legs: dict[str, np.ndarray], length: float, body: Body) -> float | None:
    """Share of garment pixels between the two legs over the lower part of the garment (skirt-like when high)."""
    if len(legs) < 2 or length < 0.45:
        return None
    left, right = legs["left"], legs["right"]
    n = len(left)
    r = max(2, int(0.03 * body.torso))
    vals = []
    for i in range(n):
        u = 2 * i / (n - 1)
        if 0.55 * length <= u <= 0.95 * length:
            sep = abs(left[i][0] - right[i][0])
            if sep < 4 * r:
                continue  # legs touching: the gap says nothing
            mx, my = (left[i] + right[i]) / 2
            v = maps.frac(mx, my, r)
            if not np.isnan(v):
                vals.append(v)
    return float(np.mean(vals)) if vals else None


def arm_cover(maps: Maps, person: Person, body: Body) -> float:
    """Share of the arms (shoulder to wrist, both sides) covered by garment: 1.0 for long sleeves."""
    r = max(2, int(0.04 * body.torso))
    vals = []
    for side in SIDES:
        pts = [person.xy(f"{side}_shoulder"), person.xy(f"{side}_elbow"), person.xy(f"{side}_wrist")]
        for t, (x, y) in enumerate(polyline(pts, 21)):
            if t < 3:
                continue
            v = maps.frac(x, y, r)
            if not np.isnan(v):
                vals.append(v >= 0.4)
    return float(np.mean(vals)) if vals else 0.5


def upper_and_lower(maps: Maps, person: Person, body: Body) -> list[Hypothesis]:
    """Top / outerwear / dress / pants / shorts / skirt hypotheses with boxes from colour extents."""
    out: list[Hypothesis] = []
    shape = maps.garment.shape
    T, sw = body.torso, body.shoulder_w
    # torso colours: centre strip and sides
    cy0, cy1 = body.shoulder_y + 0.2 * T, body.shoulder_y + 0.8 * T
    centre = sk.palette(_pixels(maps, body.cx - 0.18 * sw, body.cx + 0.18 * sw, cy0, cy1))
    sides = sk.palette(np.concatenate([
        _pixels(maps, body.cx - 0.5 * sw, body.cx - 0.3 * sw, cy0, cy1),
        _pixels(maps, body.cx + 0.3 * sw, body.cx + 0.5 * sw, cy0, cy1)]))
    if len(centre) == 0:
        centre = sides
    open_front = sk.palette_distance(centre, sides) if len(sides) and len(centre) else 0.0
    match_top = sk.matches(maps.lab, centre) & maps.garment
    band0, band1 = body.cx - 0.55 * max(sw, body.hip_w), body.cx + 0.55 * max(sw, body.hip_w)

    # legs
    legs, lengths, ends = {}, [], []
    for side in SIDES:
        length, pts = leg_length(maps, person, side, body)
        legs[side] = pts
        lengths.append(length)
        i = int(round(length / 2 * (len(pts) - 1)))
        ends.append(pts[i][1])
    length = max(lengths)
    y_end = max(ends) + 0.04 * T
    gap = leg_gap(maps, legs, length, body)

    # bottom colours: thighs
    thigh_px = []
    r = max(2, int(0.05 * T))
    for pts in legs.values():
        n = len(pts)
        for i in range(n):
            u = 2 * i / (n - 1)
            if 0.15 <= u <= max(0.3, 0.8 * length):
                x, y = pts[i]
                thigh_px.append(_pixels(maps, x - r, x + r, y - r, y + r))
    bottom = sk.palette(np.concatenate(thigh_px)) if thigh_px else np.zeros((0, 3), np.float32)
    same_colour = sk.palette_distance(centre, bottom) < 22 if len(bottom) else True

    # top extent: the centre colour scanned down from mid-torso
    top_y1 = scan_down(match_top, body.cx - 0.3 * sw, body.cx + 0.3 * sw, body.shoulder_y + 0.5 * T, shape[0])
    top_y0 = scan_up(maps.garment, body.cx - 0.3 * sw, body.cx + 0.3 * sw, body.shoulder_y + 0.3 * T,
                     body.neck_y, min_share=0.3)
    run_past_hip = (top_y1 - body.hip_y) / body.thigh
    if same_colour:
        top_y1_sep = body.hip_y + 0.05 * T
    else:
        top_y1_sep = min(top_y1, body.hip_y + 0.6 * body.thigh)
    # bottom top edge
    if len(bottom) and not same_colour:
        match_bot = sk.matches(maps.lab, bottom) & maps.garment
        bot_y0 = scan_up(match_bot, body.hip_cx - 0.5 * body.hip_w, body.hip_cx + 0.5 * body.hip_w,
                         body.hip_y + 0.2 * body.thigh, body.shoulder_y + 0.4 * T)
    else:
        match_bot = maps.garment
        bot_y0 = body.hip_y - 0.15 * T
    bot_y0 = float(np.clip(bot_y0, body.shoulder_y + 0.4 * T, body.hip_y + 0.1 * T))

    # boxes
    ext = row_extent(maps.garment, top_y0, top_y1_sep, body.cx)
    tx0, tx1 = ext if ext else (body.cx - 0.6 * sw, body.cx + 0.6 * sw)
    top_box = clip_box((tx0, top_y0, tx1, top_y1_sep), shape)
    bot_y1 = max(y_end, bot_y0 + 0.3 * body.thigh)
    ext = row_extent(match_bot, bot_y0, bot_y1, body.hip_cx)
    bx0, bx1 = ext if ext else (body.hip_cx - 0.8 * body.hip_w, body.hip_cx + 0.8 * body.hip_w)
    bot_box = clip_box((bx0, bot_y0, bx1, bot_y1), shape)

    # categories
    sleeves = arm_cover(maps, person, body)
    skirtish = _squash(((gap if gap is not None else 0.35) - 0.35) * 8)
    long_ = _squash((length - 1.55) * 6)
    p_pants = long_ * (1 - 0.7 * skirtish)
    p_skirt = skirtish * (1 - 0.5 * long_)
    p_shorts = (1 - long_) * (1 - skirtish)
    p_dress = _squash((run_past_hip - 0.35) * 6) * (0.35 + 0.65 * skirtish) if same_colour else 0.1 * skirtish
    p_outer = _squash((open_front - 30) / 6) * (0.4 + 0.6 * sleeves)
    coat_len = 0.0
    if p_outer > 0.3:
        match_side = sk.matches(maps.lab, sides) & maps.garment
        coat_y1 = scan_down(match_side, band0, band1, body.shoulder_y + 0.5 * T, shape[0], min_share=0.15)
        coat_len = (coat_y1 - body.hip_y) / body.thigh
        ext = row_extent(maps.garment, top_y0, coat_y1, body.cx)
        ox0, ox1 = ext if ext else (tx0, tx1)
        outer_box = clip_box((ox0, top_y0, ox1, max(coat_y1, top_y1_sep)), shape)
        # the top under an open coat: the centre colour's own columns
        ext = row_extent(match_top, top_y0, top_y1_sep, body.cx, min_share=0.3)
        inner = clip_box((ext[0], top_y0, ext[1], top_y1_sep), shape) if ext else top_box
        out.append(Hypothesis("outer", "outerwear", outer_box, 0.3 + 0.7 * p_outer))
        out.append(Hypothesis("upper", "top", inner, 0.35 + 0.5 * p_outer))
    else:
        out.append(Hypothesis("outer", "outerwear", top_box, 0.1 + 0.35 * sleeves))
    out.append(Hypothesis("upper", "top", top_box, (1 - p_dress) * (1 - 0.6 * p_outer)))
    dress_y1 = max(bot_y1, top_y1) if same_colour else bot_y1
    dress_box = clip_box((min(tx0, bx0), top_y0, max(tx1, bx1), dress_y1), shape)
    out.append(Hypothesis("upper", "dress", dress_box, p_dress))
    lower_scale = 1 - 0.8 * p_dress
    for cat, p in (("pants", p_pants), ("skirt", p_skirt), ("shorts", p_shorts)):
        out.append(Hypothesis("lower", cat, bot_box, p * lower_scale))
    _ = coat_len
    return out


def feet(maps: Maps, person: Person, body: Body) -> list[Hypothesis]:
    """One shoe box per visible foot (ankle, heel, toe keypoints), closed below by the person mask."""
    h, w = maps.garment.shape
    out = []
    for side in SIDES:
        names = (f"{side}_ankle", f"{side}_heel", f"{side}_foot_index")
        kps = [person.keypoints[n] for n in names]
        vis = float(np.mean([k[2] for k in kps]))
        pts = np.array([(k[0], k[1]) for k in kps])
        if not (0 <= pts[0][1] < h and 0 <= pts[0][0] < w) or kps[0][2] < 0.5 or vis < 0.3:
            continue
        foot = max(float(np.linalg.norm(pts[1] - pts[2])), 0.18 * body.thigh)
        x0, x1 = pts[:, 0].min() - 0.3 * foot, pts[:, 0].max() + 0.3 * foot
        y0, y1 = pts[:, 1].min() - 0.3 * foot, pts[:, 1].max() + 0.3 * foot
        a, b = int(np.clip(x0, 0, w - 1)), int(np.clip(x1, 1, w))
        c, d = int(np.clip(y0, 0, h - 1)), int(np.clip(y1 + 0.4 * foot, 1, h))
        rows = np.flatnonzero(maps.person[c:d, a:b].any(1))
        if len(rows):
            y1 = c + rows[-1] + 1
        out.append(Hypothesis(f"feet-{side}", "shoes", clip_box((x0, y0, x1, y1), (h, w)), 0.3 + 0.6 * vis))
    return out


def _pixels(maps: Maps, x0: float, x1: float, y0: float, y1: float) -> np.ndarray:
    h, w = maps.garment.shape
    a, b = int(np.clip(x0, 0, w)), int(np.clip(x1, 0, w))
    c, d = int(np.clip(y0, 0, h)), int(np.clip(y1, 0, h))
    return maps.lab[c:d, a:b][maps.garment[c:d, a:b]]
