"""A standing, front-facing human figure: skeleton (keypoints), body proportions and the skin/hair/face parts.

Proportions follow the classic ~7.6-heads figure; arm and leg angles, build, skin tone, hair style and
colour vary per figure. Left/right are the *person's* sides (COCO / MediaPipe convention): a front-facing
person's left shoulder is on the image's right.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .palette import RGB, shade
from .shapes import Part, capsule, ellipse, quad

SKIN_TONES: tuple[RGB, ...] = ((255, 224, 196), (241, 194, 158), (224, 172, 128), (198, 142, 100),
                               (160, 108, 72), (124, 80, 52), (92, 60, 40))
HAIR_COLOURS: tuple[RGB, ...] = ((24, 20, 18), (58, 38, 26), (96, 64, 38), (176, 132, 76), (212, 180, 120),
                                 (140, 60, 36), (150, 150, 150))
EYE_COLOURS: tuple[RGB, ...] = ((70, 44, 28), (40, 28, 20), (66, 104, 140), (76, 110, 72))
HAIR_STYLES: tuple[str, ...] = ("short", "long", "bun", "bob")

KEYPOINTS: tuple[str, ...] = ("nose", "left_eye", "right_eye", "left_shoulder", "right_shoulder", "left_elbow",
                              "right_elbow", "left_wrist", "right_wrist", "left_hip", "right_hip", "left_knee",
                              "right_knee", "left_ankle", "right_ankle")
"""Keypoints written for every person (the contract's 11 plus elbows and wrists)."""


@dataclass
class Body:
    """A figure's skeleton and build, in canvas pixels; ``h`` is the head height (the unit of proportion)."""

    kp: dict[str, tuple[float, float]]
    h: float
    cx: float
    top: float
    neck_y: float
    waist_y: float
    shoulder_w: float
    waist_w: float
    hip_w: float
    skin: RGB
    hair: RGB
    eyes: RGB
    hair_style: str
    feminine: bool

    def side(self, name: str, s: str) -> tuple[float, float]:
        """Keypoint ``<s>_<name>`` (``s`` in left/right)."""
        return self.kp[f"{s}_{name}"]


def make_body(rng: np.random.Generator, width: int, height: int) -> Body:
    """A random figure filling most of a ``width`` × ``height`` canvas, full body in frame."""
    fig_h = height * float(rng.uniform(0.80, 0.90))
    h = fig_h / 7.6
    top = float(rng.uniform(0.03 * height, height - fig_h - 0.04 * height))
    cx = width * float(rng.uniform(0.40, 0.60))
    feminine = bool(rng.random() < 0.6)
    sw = h * (float(rng.uniform(0.85, 0.95)) if feminine else float(rng.uniform(1.0, 1.12)))
    hw = h * (0.52 if feminine else 0.46)
    ww = h * (0.56 if feminine else 0.66)
    kp: dict[str, tuple[float, float]] = {}
    kp["nose"] = (cx, top + 0.66 * h)
    kp["left_eye"], kp["right_eye"] = (cx + 0.17 * h, top + 0.5 * h), (cx - 0.17 * h, top + 0.5 * h)
    sy, hy = top + 1.5 * h, top + 3.95 * h
    spread = float(rng.uniform(0.0, 0.45)) * h
    shift = float(rng.uniform(-0.08, 0.08)) * h
    for s, sign in (("left", 1), ("right", -1)):
        kp[f"{s}_shoulder"] = (cx + sign * sw, sy)
        abd = math.radians(float(rng.uniform(6, 26)))
        bend = math.radians(float(rng.uniform(-8, 30)))
        ex, ey = cx + sign * (sw + 1.45 * h * math.sin(abd)), sy + 1.45 * h * math.cos(abd)
        kp[f"{s}_elbow"] = (ex, ey)
        fa = abd - bend * 0.5
        kp[f"{s}_wrist"] = (ex + sign * 1.25 * h * math.sin(fa), ey + 1.25 * h * math.cos(fa))
        kp[f"{s}_hip"] = (cx + sign * hw + shift, hy)
        ax = cx + sign * (hw + spread * float(rng.uniform(0.6, 1.0))) + shift * 0.3
        kp[f"{s}_ankle"] = (ax, top + 7.3 * h)
        kp[f"{s}_knee"] = ((kp[f"{s}_hip"][0] + ax) / 2 + sign * 0.02 * h, top + 5.65 * h)
    return Body(kp, h, cx, top, top + 1.2 * h, top + 3.15 * h, sw, ww, hw,
                SKIN_TONES[int(rng.integers(len(SKIN_TONES)))], HAIR_COLOURS[int(rng.integers(len(HAIR_COLOURS)))],
                EYE_COLOURS[int(rng.integers(len(EYE_COLOURS)))], HAIR_STYLES[int(rng.integers(len(HAIR_STYLES)))],
                feminine)


def torso_outline(b: Body, bottom: float, flare: float = 0.0, neck: float = 0.22) -> list[tuple[float, float]]:
    """The torso silhouette from the neck to ``bottom`` (y), widened by ``flare`` × h below the waist."""
    h, cx = b.h, b.cx
    sy = b.kp["left_shoulder"][1]
    pts = [(cx - neck * h, b.neck_y), (cx - b.shoulder_w, sy - 0.05 * h), (cx - b.shoulder_w - 0.08 * h, sy + 0.2 * h),
           (cx - b.shoulder_w + 0.12 * h, sy + 0.8 * h), (cx - b.waist_w, b.waist_y)]
    if bottom > b.waist_y:
        t = min(1.0, (bottom - b.waist_y) / (b.kp["left_hip"][1] - b.waist_y))
        pts.append((cx - b.waist_w - t * (b.hip_w + 0.32 * h - b.waist_w) - flare * h, bottom))
    half = pts
    right = [(2 * cx - x, y) for x, y in reversed(half)]
    return half + [(cx, bottom)] + right


def limb(a, b, ra, rb) -> list[tuple[float, float]]:
    """A tapered limb segment outline."""
    return capsule(a, b, ra, rb)


def skin_parts(b: Body) -> list[Part]:
    """Neck, torso, arms, hands, legs and feet in skin colour (drawn first; garments cover them)."""
    h = b.h
    parts = [Part("body", tuple(torso_outline(b, b.kp["left_hip"][1] + 0.35 * h))),
             Part("body", tuple(quad((b.cx, b.top + 0.8 * h), (b.cx, b.neck_y + 0.25 * h), 0.17 * h, 0.2 * h)))]
    for s in ("left", "right"):
        sh, el, wr = b.side("shoulder", s), b.side("elbow", s), b.side("wrist", s)
        parts += [Part("body", tuple(limb(sh, el, 0.19 * h, 0.13 * h))),
                  Part("body", tuple(limb(el, wr, 0.13 * h, 0.09 * h)))]
        ang = math.atan2(wr[1] - el[1], wr[0] - el[0])
        hx, hy = wr[0] + 0.26 * h * math.cos(ang), wr[1] + 0.26 * h * math.sin(ang)
        parts.append(Part("body", tuple(limb(wr, (hx, hy), 0.1 * h, 0.12 * h))))
        hip, kn, an = b.side("hip", s), b.side("knee", s), b.side("ankle", s)
        parts += [Part("body", tuple(limb(hip, kn, 0.36 * h, 0.22 * h))),
                  Part("body", tuple(limb(kn, an, 0.22 * h, 0.12 * h)))]
        sign = 1 if s == "left" else -1
        parts.append(Part("body", tuple(ellipse(an[0] + sign * 0.06 * h, an[1] + 0.16 * h, 0.15 * h, 0.12 * h, 20))))
    return parts


def head_parts(b: Body) -> list[Part]:
    """Head and ears in skin colour."""
    h, cx, top = b.h, b.cx, b.top
    return [Part("body", tuple(ellipse(cx - 0.4 * h, top + 0.55 * h, 0.07 * h, 0.11 * h, 12))),
            Part("body", tuple(ellipse(cx + 0.4 * h, top + 0.55 * h, 0.07 * h, 0.11 * h, 12))),
            Part("body", tuple(ellipse(cx, top + 0.48 * h, 0.4 * h, 0.52 * h, 40)))]


def hair_back(b: Body) -> list[Part]:
    """Hair behind the head (long styles fall to the shoulders)."""
    h, cx, top = b.h, b.cx, b.top
    if b.hair_style == "long":
        return [Part("body", ((cx - 0.46 * h, top + 0.4 * h), (cx - 0.52 * h, top + 1.9 * h), (cx, top + 1.7 * h),
                              (cx + 0.52 * h, top + 1.9 * h), (cx + 0.46 * h, top + 0.4 * h)))]
    if b.hair_style == "bob":
        return [Part("body", ((cx - 0.47 * h, top + 0.4 * h), (cx - 0.5 * h, top + 1.05 * h), (cx + 0.5 * h, top + 1.05 * h),
                              (cx + 0.47 * h, top + 0.4 * h)))]
    return []


def hair_front(b: Body) -> list[Part]:
    """Hair on top of the head: a cap down to the forehead, plus a bun for that style."""
    h, cx, top = b.h, b.cx, b.top
    cap = ellipse(cx, top + 0.45 * h, 0.44 * h, 0.5 * h, 30, 180, 360)
    fringe = [(cx + 0.42 * h, top + 0.42 * h), (cx + 0.2 * h, top + 0.22 * h), (cx - 0.05 * h, top + 0.28 * h),
              (cx - 0.42 * h, top + 0.45 * h)]
    parts = [Part("body", tuple(cap + fringe))]
    if b.hair_style == "bun":
        parts.append(Part("body", tuple(ellipse(cx, top - 0.05 * h, 0.2 * h, 0.16 * h, 20))))
    return parts


def face_parts(b: Body) -> list[Part]:
    """Eyes, brows, nose and mouth (detail roles carry their own colours through :func:`face_colours`)."""
    h = b.h
    parts = []
    for s in ("left", "right"):
        ex, ey = b.kp[f"{s}_eye"]
        parts += [Part("eye_white", tuple(ellipse(ex, ey, 0.09 * h, 0.05 * h, 16))),
                  Part("iris", tuple(ellipse(ex, ey, 0.045 * h, 0.045 * h, 12))),
                  Part("pupil", tuple(ellipse(ex, ey, 0.02 * h, 0.02 * h, 8))),
                  Part("brow", ((ex - 0.1 * h, ey - 0.09 * h), (ex, ey - 0.12 * h), (ex + 0.1 * h, ey - 0.09 * h)),
                       0.035 * h)]
    nx, ny = b.kp["nose"]
    parts += [Part("shadow", ((nx - 0.02 * h, ny - 0.16 * h), (nx - 0.04 * h, ny), (nx + 0.04 * h, ny)), 0.02 * h),
              Part("lips", tuple(ellipse(nx, ny + 0.17 * h, 0.11 * h, 0.045 * h, 16))),
              Part("shadow", ((nx - 0.1 * h, ny + 0.17 * h), (nx + 0.1 * h, ny + 0.17 * h)), 0.012 * h)]
    return parts


def face_colours(b: Body) -> dict[str, RGB]:
    """Colours of the face detail roles for this figure."""
    return {"eye_white": (246, 244, 240), "iris": b.eyes, "pupil": (12, 10, 10), "brow": shade(b.hair, 0.8),
            "shadow": shade(b.skin, 0.78), "lips": shade((190, 96, 96), 0.75 + 0.25 * (b.skin[0] / 255))}
