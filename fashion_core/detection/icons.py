"""Overlay icon placement and hit-testing.

Most garments get the centre of their box. Pants, shorts and skirts get the point 25% of the way from the
knee keypoint to the hip keypoint (seed "Buy Me That Look"), on the leg side whose keypoints are most
visible, kept at least 15% of the box inside its edges (a point below a mini skirt's or shorts' hem, or on
it, moves onto the cloth); without knee and hip keypoints they fall back to the centre. The icon is always
inside the box.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from ..taxonomy import BOTTOMWEAR
from .types import Box, Detection, Point

KNEE_TO_HIP = 0.25
"""How far from the knee towards the hip the bottomwear icon sits."""


def centroid(box: Box) -> Point:
    """Centre of ``box``."""
    x0, y0, x1, y1 = box
    return ((x0 + x1) / 2.0, (y0 + y1) / 2.0)


def clamp_to_box(point: Point, box: Box) -> Point:
    """``point`` moved to the nearest position inside ``box``."""
    x0, y0, x1, y1 = box
    return (min(max(point[0], x0), x1), min(max(point[1], y0), y1))


def knee_hip_point(keypoints: Mapping[str, Sequence[float]], side: str, t: float = KNEE_TO_HIP) -> Point | None:
    """Point ``t`` of the way from the ``side`` knee to the hip, or ``None`` when either keypoint is missing."""
    knee, hip = keypoints.get(f"{side}_knee"), keypoints.get(f"{side}_hip")
    if knee is None or hip is None:
        return None
    return (knee[0] + t * (hip[0] - knee[0]), knee[1] + t * (hip[1] - knee[1]))


def icon_position(box: Box, category: str, keypoints: Mapping[str, Sequence[float]] | None = None,
                  visibility: Mapping[str, float] | None = None, method: str = "knee-hip") -> Point:
    """Icon point for a garment: knee→hip 25% for bottomwear (``method="knee-hip"``), else the box centre.

    ``keypoints`` maps names to (x, y); ``visibility`` (name → 0..1) picks the leg side, left on a tie.
    """
    if method not in ("knee-hip", "centroid"):
        raise ValueError(f"unknown icon method {method!r}; expected 'knee-hip' or 'centroid'")
    if method == "knee-hip" and category in BOTTOMWEAR and keypoints:
        vis = visibility or {}
        candidates = []
        for side in ("left", "right"):
            p = knee_hip_point(keypoints, side)
            if p is not None:
                seen = min(vis.get(f"{side}_knee", 1.0), vis.get(f"{side}_hip", 1.0))
                inside = box[0] <= p[0] <= box[2] and box[1] <= p[1] <= box[3]
                candidates.append((not inside, -seen, side, p))
        if candidates:
            _, _, _, p = sorted(candidates)[0]  # a side whose point lies inside the box first, then the most visible
            return clamp_to_box(p, _shrink(box, INSET))
    return clamp_to_box(centroid(box), box)


INSET = 0.15
"""A knee-hip point stays this share of the box away from its edges (hems end near the knee: shorts, minis);
on ccp it moved bottomwear icons on the mask from 0.90 to 0.92 (ground-truth boxes), see bench_icons.py."""


def _shrink(box: Box, f: float) -> Box:
    x0, y0, x1, y1 = box
    dx, dy = f * (x1 - x0), f * (y1 - y0)
    return (x0 + dx, y0 + dy, x1 - dx, y1 - dy)


def nearest_icon(detections: Sequence[Detection], point: Point, radius: float) -> int | None:
    """Index of the detection whose icon is nearest to ``point`` within ``radius`` pixels, else ``None``."""
    best, best_d = None, radius
    for i, det in enumerate(detections):
        d = math.dist(det.icon, point)
        if d <= best_d:
            best, best_d = i, d
    return best
