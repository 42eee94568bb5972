"""Backgrounds for look photos: studio sweep, room, street and park, with muted random colours."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

from .palette import RGB, shade

SCENES: tuple[str, ...] = ("studio", "room", "street", "park")


def _gradient(size: tuple[int, int], top: RGB, bottom: RGB) -> Image.Image:
    w, h = size
    t = np.linspace(0.0, 1.0, h, dtype=np.float32)[:, None, None]
    arr = np.array(top, np.float32) * (1 - t) + np.array(bottom, np.float32) * t
    return Image.fromarray(np.repeat(arr, w, axis=1).astype(np.uint8))


def _muted(rng: np.random.Generator, lo: int = 120, hi: int = 235) -> RGB:
    base = rng.integers(lo, hi)
    return tuple(int(np.clip(base + rng.integers(-25, 26), 0, 255)) for _ in range(3))


def background(rng: np.random.Generator, size: tuple[int, int], floor_y: float) -> tuple[Image.Image, str]:
    """A random scene of ``size`` whose floor starts near ``floor_y`` (pixels); returns (image, scene name)."""
    w, h = size
    scene = SCENES[int(rng.integers(len(SCENES)))]
    horizon = int(floor_y - rng.uniform(0.12, 0.3) * h)
    if scene == "studio":
        c = _muted(rng, 170, 240)
        img = _gradient(size, shade(c, 1.1), shade(c, 0.85))
    elif scene == "room":
        wall = _muted(rng, 150, 235)
        img = Image.new("RGB", size, wall)
        d = ImageDraw.Draw(img)
        floor = _muted(rng, 90, 170)
        d.rectangle((0, horizon, w, h), fill=floor)
        for x in range(0, w, int(w / rng.integers(5, 9))):
            d.line((x, horizon, x - (x - w / 2) * 0.6, h), fill=shade(floor, 0.85), width=3)
        fx = int(rng.uniform(0.05, 0.6) * w)
        d.rectangle((fx, int(0.12 * h), fx + int(0.3 * w), int(0.35 * h)), fill=shade(wall, 0.8),
                    outline=shade(wall, 0.6), width=6)
        d.rectangle((0, horizon - 10, w, horizon), fill=shade(wall, 0.75))
    elif scene == "street":
        img = _gradient(size, (150, 190, 230), (210, 225, 240))
        d = ImageDraw.Draw(img)
        x = int(-rng.uniform(0, 0.2) * w)
        while x < w:
            bw, bh = int(rng.uniform(0.2, 0.45) * w), int(rng.uniform(0.3, 0.7) * h)
            col = _muted(rng, 110, 210)
            d.rectangle((x, horizon - bh, x + bw, horizon), fill=col)
            for wy in range(horizon - bh + 20, horizon - 30, 46):
                for wx in range(x + 14, x + bw - 24, 40):
                    d.rectangle((wx, wy, wx + 20, wy + 26), fill=shade(col, 0.7))
            x += bw
        d.rectangle((0, horizon, w, h), fill=_muted(rng, 120, 180))
    else:
        img = _gradient(size, (140, 186, 232), (214, 232, 244))
        d = ImageDraw.Draw(img)
        for _ in range(int(rng.integers(3, 7))):
            tx, r = rng.uniform(0, w), rng.uniform(0.08, 0.16) * w
            d.rectangle((tx - r * 0.12, horizon - r * 1.6, tx + r * 0.12, horizon), fill=(100, 72, 48))
            d.ellipse((tx - r, horizon - r * 2.8, tx + r, horizon - r * 0.9),
                      fill=(int(rng.integers(50, 90)), int(rng.integers(110, 150)), int(rng.integers(50, 80))))
        d.rectangle((0, horizon, w, h), fill=(int(rng.integers(90, 130)), int(rng.integers(140, 170)), 80))
    return img, scene
