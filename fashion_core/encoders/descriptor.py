"""The similarity vector of a product image: encoder parts and garment colour, centred, weighted, reduced.

Fitted on the catalog itself (unsupervised: means and a PCA), saved beside the index as one
``descriptor.npz`` (no pickles) plus the knobs in the manifest, so a query image is mapped exactly
as the catalog was. Blocks are ``head`` (encoder embedding), ``mid`` (pooled intermediate stages,
texture / colour sensitive) and ``colour`` (:mod:`fashion_core.encoders.colour`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .base import l2_rows

DEFAULT_WEIGHTS: dict[str, float] = {"head": 1.0, "mid": 1.0, "colour": 1.5}
"""Global weights of the blocks (a few knobs, tuned on fpi leave-one-out with benchmarks/tune_similar.py)."""

DEFAULT_DIM = 128
"""Dimensions kept by the final PCA (Annoy works best well below 1,000)."""

FIT_ROWS = 20_000
"""At most this many catalog rows (evenly spaced, deterministic) fit the means and the PCA."""


@dataclass
class Descriptor:
    """Maps encoder parts + colour to one L2-normalised similarity vector."""

    weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    dim: int = DEFAULT_DIM
    means: dict[str, np.ndarray] = field(default_factory=dict)
    pca_mean: np.ndarray | None = None
    pca_components: np.ndarray | None = None

    def _stack(self, parts: dict[str, np.ndarray]) -> np.ndarray:
        blocks = []
        for name, w in self.weights.items():
            if w == 0:
                continue
            if name not in parts:
                raise ValueError(f"descriptor needs the {name!r} part; got {', '.join(parts)}")
            x = np.asarray(parts[name], dtype=np.float32)
            if name in self.means:
                x = l2_rows(x - self.means[name])
            blocks.append(w * l2_rows(x))
        return np.concatenate(blocks, axis=1)

    def fit(self, parts: dict[str, np.ndarray]) -> Descriptor:
        """Learn block means and the PCA from catalog parts (deterministic)."""
        n = len(next(iter(parts.values())))
        rows = np.linspace(0, n - 1, min(n, FIT_ROWS)).round().astype(int) if n else np.zeros(0, int)
        self.means = {k: np.asarray(parts[k])[rows].astype(np.float64).mean(0).astype(np.float32)
                      for k in ("head", "mid") if k in parts and self.weights.get(k, 0)}
        x = self._stack({k: np.asarray(v)[rows] for k, v in parts.items()}).astype(np.float64)
        self.pca_mean = x.mean(0).astype(np.float32)
        k = min(self.dim, x.shape[1], max(1, len(x) - 1))
        _, _, vt = np.linalg.svd(x - self.pca_mean, full_matrices=False)
        vt = vt[:k] * np.where(vt[:k, :1] < 0, -1.0, 1.0)  # sign convention: deterministic
        self.pca_components = vt.astype(np.float32)
        return self

    @property
    def out_dim(self) -> int:
        """Length of the similarity vectors."""
        if self.pca_components is None:
            raise ValueError("descriptor is not fitted; call fit() or load() first")
        return int(self.pca_components.shape[0])

    def transform(self, parts: dict[str, np.ndarray]) -> np.ndarray:
        """(n, out_dim) L2-normalised similarity vectors."""
        if self.pca_components is None:
            raise ValueError("descriptor is not fitted; call fit() or load() first")
        x = self._stack(parts)
        return l2_rows((x - self.pca_mean) @ self.pca_components.T)

    def config(self) -> dict:
        """The knobs, for the manifest."""
        return {"weights": self.weights, "dim": self.out_dim}

    def save(self, path: str | Path) -> None:
        """Write the fitted arrays to ``path`` (.npz, numeric only)."""
        arrays = {f"mean_{k}": v for k, v in self.means.items()}
        np.savez(path, pca_mean=self.pca_mean, pca_components=self.pca_components, **arrays)

    @classmethod
    def load(cls, path: str | Path, config: dict) -> Descriptor:
        """Read a descriptor saved by :meth:`save` with the manifest's ``config``."""
        with np.load(path, allow_pickle=False) as z:
            means = {k[5:]: z[k] for k in z.files if k.startswith("mean_")}
            return cls(weights=dict(config["weights"]), dim=int(config["dim"]), means=means,
                       pca_mean=z["pca_mean"], pca_components=z["pca_components"])


def extract_parts(encoder, images) -> dict[str, np.ndarray]:
    """Everything the descriptor may use, from one encoder pass: ``head`` (= ``encoder.encode``), ``mid``
    when the encoder has intermediate features, and ``colour``."""
    from .colour import colour_descriptors

    parts = dict(encoder.encode_parts(images)) if hasattr(encoder, "encode_parts") else {"head": encoder.encode(images)}
    parts.pop("probs", None)
    parts["colour"] = colour_descriptors(images)
    return parts


def weights_for(encoder) -> dict[str, float]:
    """Default block weights for an encoder (no ``mid`` block when it has no intermediate features)."""
    w = dict(DEFAULT_WEIGHTS)
    if not hasattr(encoder, "encode_parts"):
        w.pop("mid")
    return w
