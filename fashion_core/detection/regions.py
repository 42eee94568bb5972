"""Garment regions from one person's pose and mask: pure geometry and colour, no model calls.

The person mask minus skin (modelled from the person's own face) is the *garment mask*. From it:
- **upper**: the torso's main colours (centre strip) scanned down from the neck give the top's extent;
  different colours at the torso's sides than at its centre mean an open jacket or coat over a top;
- **lower**: each leg is sampled from hip to knee to ankle; the garment ends where the legs turn to skin
  or the colour changes (boots, tights), giving the length (0 hip, 1 knee, 2 ankle); fabric between the
  legs separates skirts from shorts and pants; the top's colour running past the hips onto a skirt is a dress;
- **feet**: one box per visible foot from ankle, heel and toe keypoints, closed by the person mask.
Each region yields scored hypotheses, best first; :mod:`.pose` keeps the best or all of them.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from . import skin as sk
from .types import Box, Person


@dataclass
class Hypothesis:
    """A candidate garment: the body region it explains, its category, box and score."""

    region: str
    category: str
    box: Box
    score: float


@dataclass
class Body:
    """Body frame of one person in pixels: shoulder and hip lines, torso length, widths, thigh length."""

    shoulder_y: float
    hip_y: float
    torso: float
    cx: float
    hip_cx: float
    shoulder_w: float
    hip_w: float
    thigh: float
    neck_y: float


@dataclass
class Maps:
    """Per-pixel maps one person's rules read: Lab colour, garment mask and its integral image."""

    lab: np.ndarray
    lab_blur: np.ndarray
    garment: np.ndarray
    person: np.ndarray
    integral: np.ndarray

    def frac(self, x: float, y: float, r: int) -> float:
        """Share of garment pixels in the (2r+1)² window at (x, y); NaN outside the image."""
        h, w = self.garment.shape
        xi, yi = int(round(x)), int(round(y))
        if not (0 <= xi < w and 0 <= yi < h):
            return float("nan")
        x0, x1, y0, y1 = max(0, xi - r), min(w, xi + r + 1), max(0, yi - r), min(h, yi + r + 1)
        s = self.integral
        total = s[y1, x1] - s[y0, x1] - s[y1, x0] + s[y0, x0]
        return float(total) / ((x1 - x0) * (y1 - y0))


def body_frame(person: Person) -> Body | None:
    """Shoulder/hip geometry of ``person``, or ``None`` when the torso is not a plausible upright shape."""
    ls, rs = person.xy("left_shoulder"), person.xy("right_shoulder")
    lh, rh = person.xy("left_hip"), person.xy("right_hip")
    shoulder_y, hip_y = (ls[1] + rs[1]) / 2, (lh[1] + rh[1]) / 2
    torso = hip_y - shoulder_y
    if torso < 8:
        return None
    lk, rk = person.xy("left_knee"), person.xy("right_knee")
    thigh = max(0.5 * torso, ((lk[1] - lh[1]) + (rk[1] - rh[1])) / 2)
    nose_y = person.xy("nose")[1]
    neck_y = max(nose_y, shoulder_y - 0.35 * torso) if nose_y < shoulder_y else shoulder_y - 0.3 * torso
    return Body(shoulder_y=shoulder_y, hip_y=hip_y, torso=torso, cx=(ls[0] + rs[0] + lh[0] + rh[0]) / 4,
                hip_cx=(lh[0] + rh[0]) / 2, shoulder_w=max(abs(ls[0] - rs[0]), 0.3 * torso),
                hip_w=max(abs(lh[0] - rh[0]), 0.2 * torso), thigh=thigh, neck_y=neck_y)


def build_maps(rgb: np.ndarray, person: Person, body: Body) -> Maps:
    """Garment mask (person minus skin), Lab image and a blurred copy for sampling colours along limbs."""
    pmask = person.mask > 0.5 if person.mask is not None else np.ones(rgb.shape[:2], bool)
    garment = pmask & ~sk.skin_mask(rgb, person)
    lab = sk.to_lab(rgb)
    k = max(3, int(0.05 * body.torso) | 1)
    return Maps(lab=lab, lab_blur=cv2.blur(lab, (k, k)), garment=garment, person=pmask,
                integral=cv2.integral(garment.astype(np.uint8)))


def polyline(points: list[tuple[float, float]], n: int) -> np.ndarray:
    """``n`` points spaced evenly in parameter along the segments (each segment gets an equal share)."""
    segs = len(points) - 1
    u = np.linspace(0, segs, n)
    out = np.empty((n, 2))
    for i, t in enumerate(u):
        j = min(int(t), segs - 1)
        a, b = np.asarray(points[j]), np.asarray(points[j + 1])
        out[i] = a + (t - j) * (b - a)
    return out


def leg_length(maps: Maps, person: Person, side: str, body: Body, n: int = 41) -> tuple[float, np.ndarray]:
    """How far down one leg the garment reaches (0 hip, 1 knee, 2 ankle) and the leg's sample points."""
    pts = polyline([person.xy(f"{side}_hip"), person.xy(f"{side}_knee"), person.xy(f"{side}_ankle")], n)
    r = max(2, int(0.05 * body.torso))
    cov = np.array([maps.frac(x, y, r) for x, y in pts])
    u = np.linspace(0, 2, n)
    end, misses = 0.0, 0
    for i in range(n):
        if u[i] < 0.1:
            continue
        if np.isnan(cov[i]):
            break
        if cov[i] >= 0.4:
            end, misses = u[i], 0
        else:
            misses += 1
            if misses > 1:
                break
    # a strong colour change along the covered part ends the garment (boots, tights, socks)
    h, w = maps.garment.shape
    idx = [i for i in range(n) if 0.1 <= u[i] <= end]
    if len(idx) >= 8:
        cols = np.array([maps.lab_blur[int(np.clip(pts[i][1], 0, h - 1)), int(np.clip(pts[i][0], 0, w - 1))]
                         for i in idx])
        best, best_j = 0.0, None
        for j in range(3, len(idx) - 3):
            if u[idx[j]] < 0.35:
                continue
            d = float(np.linalg.norm(np.median(cols[:j], 0) - np.median(cols[j:], 0)))
            if d > best:
                best, best_j = d, j
        if best_j is not None and best > 38:
            end = u[idx[best_j - 1]]
    return end, pts


def row_extent(mask: np.ndarray, y0: float, y1: float, cx: float, min_share: float = 0.08,
               gap: int = 6) -> tuple[float, float] | None:
    """Column range of ``mask`` over rows y0..y1: the run of busy columns that holds (or is nearest) ``cx``."""
    h, w = mask.shape
    a, b = int(np.clip(y0, 0, h - 1)), int(np.clip(y1, 1, h))
    if b - a < 2:
        return None
    counts = mask[a:b].sum(0)
    busy = counts >= max(2, min_share * (b - a))
    if not busy.any():
        return None
    busy = cv2.morphologyEx(busy.astype(np.uint8)[None, :], cv2.MORPH_CLOSE, np.ones((1, gap | 1), np.uint8))[0] > 0  # odd: no shift
    n, labels = cv2.connectedComponents(busy.astype(np.uint8)[None, :], connectivity=4)
    labels = labels[0]
    xi = int(np.clip(cx, 0, w - 1))
    lab = labels[xi]
    if lab == 0:
        cols = np.flatnonzero(labels)
        if len(cols) == 0:  # closing at the image border can erase a lone busy column
            return None
        lab = labels[cols[np.argmin(np.abs(cols - xi))]]
    cols = np.flatnonzero(labels == lab)
    return float(cols[0]), float(cols[-1] + 1)


def scan_down(match: np.ndarray, x0: float, x1: float, y_start: float, y_max: float, min_share: float = 0.2) -> float:
    """Lowest row, going down from ``y_start``, while ``match`` fills ``min_share`` of columns x0..x1 (3-row gaps ok)."""
    h, w = match.shape
    a, b = int(np.clip(x0, 0, w - 1)), int(np.clip(x1, 1, w))
    y, last, misses = int(max(0, y_start)), float(y_start), 0
    band = match[:, a:b].mean(1) if b > a else np.zeros(h)
    while y < min(h, int(y_max)):
        if band[y] >= min_share:
            last, misses = float(y), 0
        else:
            misses += 1
            if misses > 3:
                break
        y += 2
    return last


def scan_up(match: np.ndarray, x0: float, x1: float, y_start: float, y_min: float, min_share: float = 0.2) -> float:
    """Highest row, going up from ``y_start``, while ``match`` fills ``min_share`` of columns x0..x1."""
    flipped = match[::-1]
    h = match.shape[0]
    return float(h - 1 - scan_down(flipped, x0, x1, h - 1 - y_start, h - y_min, min_share))


def _strip_pixels(maps: Maps, x0: float, x1: float, y0: float, y1: float) -> np.ndarray:
    h, w = maps.garment.shape
    a, b = int(np.clip(x0, 0, w)), int(np.clip(x1, 0, w))
    c, d = int(np.clip(y0, 0, h)), int(np.clip(y1, 0, h))
    sel = maps.garment[c:d, a:b]
    return maps.lab[c:d, a:b][sel]


def clip_box(box: Box, shape: tuple[int, int]) -> Box:
    """``box`` clipped to the image."""
    h, w = shape
    x0, y0, x1, y1 = box
    return (float(np.clip(x0, 0, w)), float(np.clip(y0, 0, h)), float(np.clip(x1, 0, w)), float(np.clip(y1, 0, h)))
