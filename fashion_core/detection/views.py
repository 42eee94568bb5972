"""View checks from keypoints (seed "Buy Me That Look"): is the person shown full length, and facing the camera?"""

from __future__ import annotations

from .types import Person

_FULL_SHOT = ("left_eye", "right_eye", "left_ankle", "right_ankle")


def is_full_shot(person: Person, shape: tuple[int, int], min_visibility: float = 0.5) -> bool:
    """True when both eyes and both ankles are visible and inside the image."""
    h, w = shape
    for name in _FULL_SHOT:
        p = person.point(name, min_visibility)
        if p is None or not (0 <= p[0] < w and 0 <= p[1] < h):
            return False
    return True


def is_front_facing(person: Person, min_visibility: float = 0.5) -> bool:
    """True when the person's left shoulder and hip are on the image's right (mirror view), the shoulders are
    wide for the torso (not side-on) and the nose and both eyes are visible."""
    need = ("left_shoulder", "right_shoulder", "left_hip", "right_hip", "nose", "left_eye", "right_eye")
    if any(person.point(n, min_visibility) is None for n in need):
        return False
    ls, rs = person.xy("left_shoulder"), person.xy("right_shoulder")
    lh, rh = person.xy("left_hip"), person.xy("right_hip")
    torso = abs((lh[1] + rh[1]) / 2 - (ls[1] + rs[1]) / 2) or 1.0
    return ls[0] > rs[0] and lh[0] > rh[0] and (ls[0] - rs[0]) / torso > 0.3
