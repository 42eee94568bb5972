"""Skin and garment colour helpers: a per-person skin model from the face, palettes, colour matching."""

from __future__ import annotations

import cv2
import numpy as np

from .types import Person

_GENERIC_CR = (135.0, 175.0)
_GENERIC_CB = (85.0, 130.0)


def face_patch(person: Person, shape: tuple[int, int]) -> tuple[int, int, int, int] | None:
    """Cheek-and-nose box (x0, y0, x1, y1) between the eyes and the mouth, or ``None`` when the face is hidden."""
    pts = [person.point(n) for n in ("left_eye", "right_eye", "mouth_left", "mouth_right", "nose")]
    if any(p is None for p in pts):
        return None
    le, re, ml, mr, _ = pts
    x0, x1 = sorted((le[0], re[0]))
    y0 = min(le[1], re[1])
    y1 = max(ml[1], mr[1])
    h, w = shape
    x0, x1 = int(max(0, x0)), int(min(w, x1))
    y0, y1 = int(max(0, y0 + 0.15 * (y1 - y0))), int(min(h, y1))
    if x1 - x0 < 3 or y1 - y0 < 3:
        return None
    return x0, y0, x1, y1


def skin_mask(rgb: np.ndarray, person: Person) -> np.ndarray:
    """Boolean mask of skin-coloured pixels, from a chroma model of the person's own face (generic range fallback)."""
    patch = face_patch(person, rgb.shape[:2])
    if patch is not None:
        lab = cv2.cvtColor(rgb, cv2.COLOR_RGB2LAB).astype(np.float32)
        x0, y0, x1, y1 = patch
        sample = lab[y0:y1, x0:x1].reshape(-1, 3)
        mu = np.median(sample, axis=0)
        spread = np.median(np.abs(sample - mu), axis=0) * 1.4826
        spread = np.clip(spread, (6.0, 2.5, 2.5), (20.0, 5.0, 5.0))
        d2 = (((lab - mu) / spread) ** 2 * (0.3, 1.0, 1.0)).sum(-1)
        return d2 < 9.0
    ycc = cv2.cvtColor(rgb, cv2.COLOR_RGB2YCrCb).astype(np.float32)
    cr, cb = ycc[..., 1], ycc[..., 2]
    return ((cr > _GENERIC_CR[0]) & (cr < _GENERIC_CR[1]) & (cb > _GENERIC_CB[0]) & (cb < _GENERIC_CB[1])
            & (ycc[..., 0] > 25))


def to_lab(rgb: np.ndarray) -> np.ndarray:
    """OpenCV 8-bit Lab as float32 (L scaled to 0..255, a and b offset by 128)."""
    return cv2.cvtColor(rgb, cv2.COLOR_RGB2LAB).astype(np.float32)


def palette(pixels: np.ndarray, k: int = 3, min_share: float = 0.15, seed: int = 0) -> np.ndarray:
    """Main colours (m, 3) of ``pixels`` (n, 3), biggest first: k-means centres holding ``min_share`` or more."""
    pixels = pixels.reshape(-1, 3).astype(np.float32)
    if len(pixels) == 0:
        return np.zeros((0, 3), np.float32)
    if len(pixels) > 600:
        rng = np.random.default_rng(seed)
        pixels = pixels[rng.choice(len(pixels), 600, replace=False)]
    if len(pixels) < 3 * k:
        return np.median(pixels, axis=0, keepdims=True)
    cv2.setRNGSeed(seed)
    crit = (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_MAX_ITER, 20, 1.0)
    _, labels, centres = cv2.kmeans(pixels, k, None, crit, 2, cv2.KMEANS_PP_CENTERS)
    share = np.bincount(labels.ravel(), minlength=k) / len(labels)
    order = np.argsort(-share, kind="stable")
    keep = centres[order][share[order] >= min_share]
    return keep if len(keep) else centres[order[:1]]


def matches(lab: np.ndarray, colours: np.ndarray, tol: float = 22.0) -> np.ndarray:
    """Boolean mask of pixels of ``lab`` within ``tol`` (Lab units) of any of ``colours``."""
    if len(colours) == 0:
        return np.zeros(lab.shape[:-1], bool)
    out = np.zeros(lab.shape[:-1], bool)
    for c in colours:
        d = lab - c
        out |= np.einsum("...i,...i->...", d, d) < tol * tol
    return out


def palette_distance(a: np.ndarray, b: np.ndarray) -> float:
    """Distance between two palettes: how far the main colour of each is from the other palette (symmetric max)."""
    if len(a) == 0 or len(b) == 0:
        return float("inf")
    d = np.linalg.norm(a[:, None, :] - b[None, :, :], axis=-1)
    return float(max(d.min(axis=1)[0], d.min(axis=0)[0]))
