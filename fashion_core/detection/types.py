"""The one detection type that flows through library, CLI, app and benchmarks, and the person it came from."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

Box = tuple[float, float, float, float]
Point = tuple[float, float]


@dataclass
class Detection:
    """A garment found in a photo: box (x0, y0, x1, y1 pixels), taxonomy category, score and overlay icon point."""

    box: Box
    category: str
    score: float
    person: int = 0
    keypoints: dict[str, Point] = field(default_factory=dict)
    icon: Point | None = None
    full_shot: bool | None = None
    front_facing: bool | None = None
    source: str = "pose"

    def __post_init__(self) -> None:
        self.box = tuple(float(v) for v in self.box)
        self.score = float(self.score)
        if self.icon is None:
            x0, y0, x1, y1 = self.box
            self.icon = ((x0 + x1) / 2.0, (y0 + y1) / 2.0)

    def to_dict(self) -> dict:
        """CLI shape: ``{"box", "category", "score", "icon"}`` plus person, view checks and source."""
        return {
            "box": [round(v, 1) for v in self.box], "category": self.category, "score": round(self.score, 4),
            "icon": [round(float(v), 1) for v in self.icon], "person": self.person,
            "full_shot": self.full_shot, "front_facing": self.front_facing, "source": self.source,
        }


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
