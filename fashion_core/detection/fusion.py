"""Weighted boxes fusion: one ranked box list from several detectors' lists of the same photo.

Per category, boxes from every detector are taken best first; a box joins the first cluster whose fused box it
overlaps by more than ``iou`` (else it starts one), and a cluster's box is the score-weighted mean of its members'
corners. A cluster's score is the mean over the detectors of each detector's best score in it (0 for a detector
with no box there): a garment both detectors see keeps its score, one only one of them sees is halved. Unlike
non-maximum suppression, which keeps one detector's box, the corners of two different models average out their
errors (Solovyev et al., "Weighted boxes fusion", 2021; written here from that description).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from .types import Box, Detection

FUSION_IOU = 0.55
"""Overlap above which two boxes of one category are one garment (the paper's default)."""


@dataclass
class FusedBox:
    """A fused garment box: category, score, and the members (detector index, its detection) it was built from."""

    box: Box
    category: str
    score: float
    members: list[tuple[int, Detection]] = field(default_factory=list)

    def best_member(self, source: int) -> Detection | None:
        """The highest-scored member from detector ``source``, if it saw this garment."""
        own = [d for k, d in self.members if k == source]
        return max(own, key=lambda d: d.score) if own else None


def box_iou(a: Box, b: Box) -> float:
    """Intersection over union of two (x0, y0, x1, y1) boxes."""
    iw = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    ih = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = iw * ih
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def fuse_boxes(lists: Sequence[Sequence[Detection]], weights: Sequence[float] | None = None,
               iou: float = FUSION_IOU) -> list[FusedBox]:
    """Fuse the ranked lists of several detectors on one photo (see the module doc), best first.

    ``weights`` scale each detector's scores (default: equal). The result does not depend on the order of the
    boxes within a list."""
    weights = list(weights) if weights is not None else [1.0] * len(lists)
    if len(weights) != len(lists):
        raise ValueError(f"{len(weights)} weights for {len(lists)} detectors")
    total = float(sum(weights))
    if total <= 0:
        raise ValueError("detector weights must add up to more than 0")
    by_cat: dict[str, list[tuple[float, int, int, Detection]]] = {}
    for k, (found, w) in enumerate(zip(lists, weights)):
        for j, d in enumerate(found):
            by_cat.setdefault(d.category, []).append((d.score * w, k, j, d))
    out: list[FusedBox] = []
    for cat in sorted(by_cat):
        members = sorted(by_cat[cat], key=lambda t: (-t[0], t[1], tuple(t[3].box)))
        clusters: list[tuple[list[tuple[float, int, int, Detection]], list[float]]] = []
        for item in members:
            best, best_iou = -1, iou
            for c, (_, fused) in enumerate(clusters):
                v = box_iou(fused, item[3].box)
                if v > best_iou:
                    best, best_iou = c, v
            if best < 0:
                clusters.append(([item], list(item[3].box)))
                continue
            group = clusters[best][0]
            group.append(item)
            ws = np.array([max(t[0], 1e-12) for t in group])
            corners = np.array([t[3].box for t in group], np.float64)
            clusters[best] = (group, list((corners * ws[:, None]).sum(0) / ws.sum()))
        for group, fused in clusters:
            per: dict[int, float] = {}
            for s, k, _, _ in group:
                per[k] = max(per.get(k, 0.0), s)
            out.append(FusedBox(box=tuple(float(v) for v in fused), category=cat, score=sum(per.values()) / total,
                                members=[(k, d) for _, k, _, d in group]))
    return sorted(out, key=lambda f: (-f.score, f.category, f.box))
