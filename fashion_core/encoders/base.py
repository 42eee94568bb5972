"""What every image encoder is (a small protocol) and the preprocessing that goes with its weights."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np
from PIL import Image

DEFAULT_BATCH = 64
"""Images per forward pass; fixed so that the same inputs always meet the same batches."""


@runtime_checkable
class ImageEncoder(Protocol):
    """An image encoder: ``encode`` gives L2-normalised float32 rows of ``dim`` values, deterministically."""

    name: str
    dim: int
    weights_id: str

    def encode(self, images: Sequence[Image.Image]) -> np.ndarray:
        """(n, dim) float32 embeddings, L2-normalised, in input order."""
        ...


@dataclass(frozen=True)
class Preprocess:
    """How pixels must be prepared for one set of weights (paired with them in the pretrained table)."""

    size: int = 224
    mean: tuple[float, float, float] = (0.5, 0.5, 0.5)
    std: tuple[float, float, float] = (0.5, 0.5, 0.5)
    mode: str = "letterbox"
    """``letterbox`` (fit inside a square, pad with ``fill``), ``squash`` (resize to the square) or
    ``center_crop`` (resize the short side, crop the middle)."""
    fill: tuple[int, int, int] = (255, 255, 255)

    def with_size(self, size: int) -> Preprocess:
        """The same preprocessing at another square side."""
        return Preprocess(size, self.mean, self.std, self.mode, self.fill)


def to_square(image: Image.Image, pre: Preprocess) -> Image.Image:
    """One RGB image resized to ``pre.size`` square as ``pre.mode`` says (bilinear, deterministic)."""
    image = image.convert("RGB")
    s = pre.size
    w, h = image.size
    if pre.mode == "squash":
        return image.resize((s, s), Image.BILINEAR)
    if pre.mode == "center_crop":
        scale = s / min(w, h)
        nw, nh = max(s, round(w * scale)), max(s, round(h * scale))
        image = image.resize((nw, nh), Image.BILINEAR)
        left, top = (nw - s) // 2, (nh - s) // 2
        return image.crop((left, top, left + s, top + s))
    if pre.mode != "letterbox":
        raise ValueError(f"unknown preprocessing mode {pre.mode!r}; use letterbox, squash or center_crop")
    scale = s / max(w, h)
    nw, nh = max(1, round(w * scale)), max(1, round(h * scale))
    canvas = Image.new("RGB", (s, s), pre.fill)
    canvas.paste(image.resize((nw, nh), Image.BILINEAR), ((s - nw) // 2, (s - nh) // 2))
    return canvas


def to_array(images: Sequence[Image.Image], pre: Preprocess) -> np.ndarray:
    """A batch as a normalised float32 array (n, 3, size, size) ready for a CNN."""
    if len(images) == 0:
        return np.zeros((0, 3, pre.size, pre.size), dtype=np.float32)
    for i, im in enumerate(images):
        if not isinstance(im, Image.Image):
            raise TypeError(f"image {i} is a {type(im).__name__}, expected a PIL.Image; "
                            "open files with fashion_core.imageio.load_image")
    x = np.stack([np.asarray(to_square(im, pre), dtype=np.float32) for im in images]) / 255.0
    x = (x - np.asarray(pre.mean, dtype=np.float32)) / np.asarray(pre.std, dtype=np.float32)
    return np.ascontiguousarray(x.transpose(0, 3, 1, 2))


def file_hash(path: str | Path, length: int = 12) -> str:
    """Short SHA-256 of a weights file: the ``weights_id`` an index manifest records."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()[:length]


def torch_threads() -> int:
    """Threads torch may use here (``FASHION_TORCH_THREADS``, default 2: the machine is shared)."""
    from ..config import torch_threads as configured

    return configured()


def l2_rows(x: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length, float32 (zero rows stay zero)."""
    x = np.asarray(x, dtype=np.float32)
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)
