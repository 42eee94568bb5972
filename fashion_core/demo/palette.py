"""Named colours and fabric patterns of the demo world, and the textures that draw them.

A colour is *neutral* (goes with everything) or has a *hue* in degrees on the colour wheel, which the
outfit rules use for colour harmony. A pattern is drawn as a texture image that a garment mask cuts out.
"""

from __future__ import annotations

import colorsys
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw

RGB = tuple[int, int, int]


@dataclass(frozen=True)
class Colour:
    """A named colour; ``hue`` is ``None`` for neutrals (black, white, navy, denim, camel…)."""

    name: str
    rgb: RGB
    hue: float | None


COLOURS: tuple[Colour, ...] = (
    Colour("black", (28, 28, 32), None),
    Colour("white", (244, 244, 240), None),
    Colour("grey", (150, 151, 155), None),
    Colour("charcoal", (64, 66, 72), None),
    Colour("navy", (30, 42, 88), None),
    Colour("beige", (220, 200, 168), None),
    Colour("camel", (190, 140, 84), None),
    Colour("brown", (105, 66, 40), None),
    Colour("cream", (245, 236, 210), None),
    Colour("khaki", (176, 164, 118), None),
    Colour("denim", (72, 102, 150), None),
    Colour("red", (200, 32, 42), 355.0),
    Colour("burgundy", (118, 24, 44), 345.0),
    Colour("pink", (236, 156, 178), 340.0),
    Colour("orange", (232, 118, 40), 25.0),
    Colour("mustard", (210, 168, 40), 45.0),
    Colour("olive", (108, 114, 50), 65.0),
    Colour("green", (44, 128, 72), 140.0),
    Colour("teal", (24, 124, 128), 180.0),
    Colour("sky blue", (132, 182, 228), 210.0),
    Colour("cobalt", (40, 76, 188), 225.0),
    Colour("lavender", (178, 160, 218), 265.0),
    Colour("purple", (98, 48, 128), 280.0),
)
"""23 named colours; the first 11 are neutrals."""

COLOUR_BY_NAME: dict[str, Colour] = {c.name: c for c in COLOURS}

PATTERNS: tuple[str, ...] = ("solid", "stripes", "checks", "dots", "print")
"""Fabric patterns; ``print`` is a small floral print."""

PATTERN_WORDS: dict[str, str] = {"solid": "", "stripes": "striped", "checks": "checked", "dots": "polka-dot",
                                 "print": "floral-print"}
"""The adjective a title uses for each pattern (solid garments say nothing)."""


def hue_distance(a: float, b: float) -> float:
    """Shortest angle between two hues, in degrees (0..180)."""
    d = abs(a - b) % 360.0
    return min(d, 360.0 - d)


def luminance(rgb: RGB) -> float:
    """Perceived brightness 0..1 (Rec. 601 weights)."""
    return (0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2]) / 255.0


def accent_for(colour: Colour, rng: np.random.Generator) -> Colour:
    """Second colour of a patterned fabric: a light neutral on dark cloth, a dark one on light cloth."""
    if luminance(colour.rgb) < 0.45:
        names = ("white", "cream", "beige", "grey")
    else:
        names = ("navy", "black", "charcoal", "brown")
    return COLOUR_BY_NAME[names[int(rng.integers(len(names)))]]


def shade(rgb: RGB, factor: float) -> RGB:
    """``rgb`` made lighter (factor > 1) or darker (factor < 1) in HLS lightness, clipped to 0..255."""
    h, lum, s = colorsys.rgb_to_hls(*(v / 255.0 for v in rgb))
    lum = min(1.0, max(0.0, lum * factor if factor <= 1 else lum + (1 - lum) * (factor - 1)))
    r, g, b = colorsys.hls_to_rgb(h, lum, s)
    return (round(r * 255), round(g * 255), round(b * 255))


def texture(size: tuple[int, int], base: RGB, pattern: str, accent: RGB, scale: float = 1.0,
            phase: float = 0.0) -> Image.Image:
    """An RGB fabric swatch of ``size``: ``pattern`` in ``accent`` over ``base``; ``scale`` sizes the motif."""
    if pattern not in PATTERNS:
        raise ValueError(f"unknown pattern {pattern!r}; expected one of {', '.join(PATTERNS)}")
    w, h = size
    img = Image.new("RGB", size, base)
    d = ImageDraw.Draw(img)
    step = max(4, round(14 * scale))
    off = int(phase * step)
    if pattern == "stripes":
        band = max(2, step // 3)
        for y in range(-step + off % step, h, step):
            d.rectangle((0, y, w, y + band), fill=accent)
    elif pattern == "checks":
        mix = tuple((a + b) // 2 for a, b in zip(base, accent))
        band = max(2, step // 2)
        for y in range(-step + off % step, h, step):
            d.rectangle((0, y, w, y + band), fill=mix)
        for x in range(-step + off % step, w, step):
            d.rectangle((x, 0, x + band, h), fill=mix)
        for y in range(-step + off % step, h, step):
            for x in range(-step + off % step, w, step):
                d.rectangle((x, y, x + band, y + band), fill=accent)
    elif pattern == "dots":
        r = max(1.5, step * 0.2)
        for j, y in enumerate(range(-step + off % step, h + step, step)):
            for x in range(-step + (step // 2) * (j % 2), w + step, step):
                d.ellipse((x - r, y - r, x + r, y + r), fill=accent)
    elif pattern == "print":
        petal = max(1.5, step * 0.16)
        leaf = shade(accent, 1.0)
        for j, y in enumerate(range(-step + off % step, h + step, round(step * 1.3))):
            for x in range(-step + (step * 2 // 3) * (j % 2), w + step, round(step * 1.4)):
                for k in range(5):
                    a = 2 * np.pi * k / 5
                    px, py = x + 1.6 * petal * np.cos(a), y + 1.6 * petal * np.sin(a)
                    d.ellipse((px - petal, py - petal, px + petal, py + petal), fill=leaf)
                d.ellipse((x - petal * 0.8, y - petal * 0.8, x + petal * 0.8, y + petal * 0.8),
                          fill=(236, 200, 60))
    return img
