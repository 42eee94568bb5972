"""The person a detection came from; :class:`Detection` itself lives with the other result types in
:mod:`fashion_core.results` and is re-exported here."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..results import Box, Detection, Point

__all__ = ["Box", "Detection", "Person", "Point"]


@dataclass
class Person:
    """One person's pose: keypoints in image pixels (name -> (x, y, visibility)) and a soft person mask."""

    keypoints: dict[str, tuple[float, float, float]]
    mask: np.ndarray | None = None
    index: int = 0

    def point(self, name: str, min_visibility: float = 0.5) -> Point | None:
        """Pixel position of keypoint ``name`` when it is visible enough, else ``None``."""
        kp = self.keypoints.get(name)
        if kp is None or kp[2] < min_visibility:
            return None
        return (kp[0], kp[1])

    def xy(self, name: str) -> Point:
        """Pixel position of keypoint ``name`` whatever its visibility (MediaPipe always estimates it)."""
        kp = self.keypoints[name]
        return (kp[0], kp[1])
