"""Colour descriptors of the garment, not the background: "this, in this colour".

Pixels are weighted by how unlike the background they are (background = the colour of the image
border), by a soft centre prior, and down-weighted where they look like skin. Two descriptors come from
those weights, both square roots of normalised histograms (Hellinger), so a dot product compares colour mixes:

- the *palette* descriptor (:data:`DIM` numbers): each pixel softly assigned to a palette of named colours in
  CIE Lab; coarse and smooth, it joins the similarity vector;
- the *Lab* histogram (:data:`LAB_DIM` numbers): a fine joint histogram in Lab, with most of its bins near the
  grey axis where "black", "navy" and "charcoal" differ; too fine to compare directly, it is what the catalog's
  colour head reads (:mod:`fashion_core.encoders.descriptor`).
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np
from PIL import Image

PALETTE: dict[str, tuple[int, int, int]] = {
    "black": (20, 20, 20), "charcoal": (60, 60, 62), "grey": (128, 128, 128), "light grey": (190, 190, 190),
    "white": (245, 245, 245), "cream": (240, 230, 200), "beige": (210, 190, 150), "khaki": (170, 160, 110),
    "brown": (110, 70, 40), "tan": (180, 130, 80), "maroon": (110, 20, 35), "red": (200, 30, 40),
    "pink": (240, 130, 170), "light pink": (245, 200, 210), "magenta": (200, 40, 140), "purple": (100, 50, 130),
    "lavender": (180, 160, 220), "navy": (25, 35, 80), "blue": (40, 80, 190), "light blue": (140, 180, 230),
    "teal": (20, 120, 130), "turquoise": (60, 200, 200), "green": (40, 140, 60), "dark green": (25, 70, 40),
    "olive": (110, 110, 40), "lime": (170, 210, 60), "yellow": (240, 210, 40), "mustard": (200, 160, 30),
    "orange": (240, 120, 30), "peach": (250, 180, 140), "gold": (200, 170, 90), "silver": (170, 175, 180),
}
"""Named colours (sRGB) the descriptor's bins stand for."""

COLOUR_NAMES: tuple[str, ...] = tuple(PALETTE)
DIM = len(PALETTE)
WORK_SIDE = 64
"""Images are reduced to at most this many pixels a side before the colour analysis."""

LAB_BINS = (10, 10, 10)
"""Bins of the fine Lab histogram along L (0..100), a and b (each -:data:`LAB_AB_RANGE`..+:data:`LAB_AB_RANGE`,
outer bins open). Cross-fitted on fpi (folds 0 and 1) the colour head reading it is right 1-2 points more often and
P@10 same type + colour rises by 0.02-0.03; 8 a/b bins or a range of 64 give about half that."""
LAB_AB_RANGE = 40.0
LAB_DIM = LAB_BINS[0] * LAB_BINS[1] * LAB_BINS[2]

_SIGMA = 14.0  # Lab units of soft assignment
CENTRE_SIGMA = 0.25
"""Width of the centre prior, as a share of the image side: products (and detected crops) sit in the middle;
tuned on fpi with benchmarks/tune_similar.py (0.45 -> 0.25: +0.006 precision@10 type+colour)."""


def _lab(rgb: np.ndarray) -> np.ndarray:
    """uint8 RGB (..., 3) -> float32 CIE Lab with L in 0..100 and a, b around 0."""
    lab = cv2.cvtColor(rgb.reshape(-1, 1, 3).astype(np.uint8), cv2.COLOR_RGB2LAB).reshape(rgb.shape).astype(np.float32)
    lab[..., 0] *= 100.0 / 255.0
    lab[..., 1:] -= 128.0
    return lab


_PALETTE_LAB = _lab(np.asarray(list(PALETTE.values()), dtype=np.uint8))
_LUT: np.ndarray | None = None


def _soft_lut() -> np.ndarray:
    """Soft palette assignment of every RGB colour quantised to 5 bits a channel: (32768, DIM), rows sum to 1."""
    global _LUT
    if _LUT is None:
        levels = (np.arange(32, dtype=np.uint8) << 3) + 4
        grid = np.stack(np.meshgrid(levels, levels, levels, indexing="ij"), axis=-1).reshape(-1, 3)
        lab = _lab(grid)
        d2 = (lab**2).sum(1)[:, None] + (_PALETTE_LAB**2).sum(1)[None, :] - 2 * lab @ _PALETTE_LAB.T
        soft = np.exp(-(d2 - d2.min(axis=1, keepdims=True)) / (2 * _SIGMA**2))
        _LUT = (soft / soft.sum(axis=1, keepdims=True)).astype(np.float32)
    return _LUT


def garment_weights(rgb: np.ndarray) -> np.ndarray:
    """Per-pixel weight (h, w) in 0..1 that the pixel belongs to the garment rather than background or skin."""
    h, w = rgb.shape[:2]
    lab = _lab(rgb)
    border = np.concatenate([lab[0], lab[-1], lab[:, 0], lab[:, -1]])
    bg = np.median(border, axis=0)
    spread = np.median(np.linalg.norm(border - bg, axis=1))
    dist = np.linalg.norm(lab - bg, axis=2)
    # a plain border (studio background) separates well; a busy one leaves mostly the centre prior
    fg = 1.0 / (1.0 + np.exp(-(dist - 12.0 - spread) / 4.0)) if spread < 12 else np.full((h, w), 0.5, np.float32)
    yy, xx = np.mgrid[0:h, 0:w]
    centre = np.exp(-(((yy - h / 2) / (CENTRE_SIGMA * h)) ** 2 + ((xx - w / 2) / (CENTRE_SIGMA * w)) ** 2) / 2)
    ycc = cv2.cvtColor(rgb.astype(np.uint8), cv2.COLOR_RGB2YCrCb).astype(np.float32)
    skin = (ycc[..., 1] > 135) & (ycc[..., 1] < 172) & (ycc[..., 2] > 85) & (ycc[..., 2] < 125) & (ycc[..., 0] > 60)
    weight = fg * centre * np.where(skin, 0.25, 1.0)
    if weight.sum() < 1e-3 * h * w:  # nothing stands out: use the centre of the image
        weight = centre
    return weight.astype(np.float32)


def _small_rgb(image: Image.Image) -> np.ndarray:
    image = image.convert("RGB")
    scale = WORK_SIDE / max(image.size)
    if scale < 1:
        image = image.resize((max(1, round(image.width * scale)), max(1, round(image.height * scale))), Image.BILINEAR)
    return np.asarray(image, dtype=np.uint8)


def colour_histogram(image: Image.Image) -> np.ndarray:
    """Share of the garment's pixels per palette colour, (DIM,) summing to 1."""
    rgb = _small_rgb(image)
    return _palette_histogram(rgb, garment_weights(rgb).reshape(-1).astype(np.float64))


def _palette_histogram(rgb: np.ndarray, weight: np.ndarray) -> np.ndarray:
    q = (rgb.reshape(-1, 3) >> 3).astype(np.int64)
    cells = np.bincount((q[:, 0] << 10) | (q[:, 1] << 5) | q[:, 2], weights=weight, minlength=32768)
    nz = np.flatnonzero(cells)
    hist = cells[nz] @ _soft_lut()[nz]
    return (hist / max(hist.sum(), 1e-12)).astype(np.float32)


def colour_descriptor(image: Image.Image) -> np.ndarray:
    """Unit-length colour descriptor of the garment: square root of :func:`colour_histogram`."""
    return np.sqrt(colour_histogram(image)).astype(np.float32)


def colour_descriptors(images: Sequence[Image.Image]) -> np.ndarray:
    """(n, DIM) float32 descriptors for many images."""
    if len(images) == 0:
        return np.zeros((0, DIM), dtype=np.float32)
    return np.stack([colour_descriptor(im) for im in images])


def _lab_histogram(rgb: np.ndarray, weight: np.ndarray) -> np.ndarray:
    lab = _lab(rgb).reshape(-1, 3)
    nl, na, nb = LAB_BINS
    li = np.clip((lab[:, 0] * (nl / 100.0)).astype(np.int64), 0, nl - 1)
    ai = np.clip(np.floor((lab[:, 1] + LAB_AB_RANGE) * (na / (2 * LAB_AB_RANGE))).astype(np.int64), 0, na - 1)
    bi = np.clip(np.floor((lab[:, 2] + LAB_AB_RANGE) * (nb / (2 * LAB_AB_RANGE))).astype(np.int64), 0, nb - 1)
    hist = np.bincount((li * na + ai) * nb + bi, weights=weight, minlength=LAB_DIM)
    return np.sqrt(hist / max(hist.sum(), 1e-12))


def colour_parts(images: Sequence[Image.Image]) -> dict[str, np.ndarray]:
    """Both colour descriptors of many images from one garment-weight pass: ``colour`` (n, DIM) float32 and
    ``colour_lab`` (n, LAB_DIM), rounded to float16 (exact in any float store, half the bytes in a cache)."""
    palette, fine = np.zeros((len(images), DIM), np.float32), np.zeros((len(images), LAB_DIM), np.float16)
    for i, image in enumerate(images):
        rgb = _small_rgb(image)
        weight = garment_weights(rgb).reshape(-1).astype(np.float64)
        palette[i] = np.sqrt(_palette_histogram(rgb, weight))
        fine[i] = _lab_histogram(rgb, weight)
    return {"colour": palette, "colour_lab": fine}


def dominant_colours(image: Image.Image, top: int = 3) -> list[tuple[str, float]]:
    """The garment's main colours by name with their shares, largest first."""
    hist = colour_histogram(image)
    order = np.argsort(-hist, kind="stable")[:top]
    return [(COLOUR_NAMES[i], round(float(hist[i]), 3)) for i in order]
