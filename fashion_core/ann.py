"""A small nearest-neighbour layer over Annoy, with exact search beside it, behind a registry of backends.

Annoy indexes are built once, saved, and memory-mapped on load so many processes share them.
Vectors are L2-normalised and compared by cosine similarity (Annoy's ``angular`` metric), and
:func:`exact_search` gives the ground truth for recall checks and for sets too small to need ANN.
Backends (``annoy``, ``exact``) are created by name (:func:`create_ann`); :meth:`AnnIndex.build` picks exact search
below :data:`EXACT_BELOW` items and Annoy above. Every backend passes the same conformance checks
(:func:`fashion_core.conformance.check_ann_backend`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from annoy import AnnoyIndex

EXACT_BELOW = 2_000
"""Sets smaller than this are searched exactly: faster than a tree walk and always right."""


def normalize(x: np.ndarray) -> np.ndarray:
    """Rows scaled to unit L2 norm (zero rows stay zero), as float32."""
    x = np.asarray(x, dtype=np.float32)
    norms = np.linalg.norm(x, axis=-1, keepdims=True)
    return x / np.maximum(norms, 1e-12)


def exact_search(vectors: np.ndarray, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Top-``k`` rows of ``vectors`` by cosine similarity to each query: (indices, similarities)."""
    vectors = normalize(vectors)
    queries = normalize(np.atleast_2d(queries))
    k = min(k, len(vectors))
    sims = queries @ vectors.T
    if k < len(vectors):
        part = np.argpartition(-sims, k - 1, axis=1)[:, :k]
    else:
        part = np.tile(np.arange(len(vectors)), (len(queries), 1))
    rows = np.arange(len(queries))[:, None]
    order = np.lexsort((part, -sims[rows, part]), axis=1)  # by similarity, ties by index: deterministic
    idx = part[rows, order]
    return idx, sims[rows, idx]


@dataclass
class AnnIndex:
    """Cosine nearest neighbours over dense integer ids 0..n-1 (an Annoy index, or exact for small sets)."""

    dim: int
    vectors: np.ndarray | None = None
    annoy: AnnoyIndex | None = None
    n_items: int = 0

    @property
    def backend(self) -> str:
        """Which backend answers: ``annoy`` or ``exact``."""
        return "annoy" if self.annoy is not None else "exact"

    @classmethod
    def build(cls, vectors: np.ndarray, n_trees: int = 50, seed: int = 42, exact_below: int = EXACT_BELOW) -> AnnIndex:
        """Build from an (n, dim) array; row i gets id i. Exact search below ``exact_below`` items, Annoy above.
        Deterministic for a given seed."""
        vectors = np.asarray(vectors, dtype=np.float32)
        if vectors.ndim != 2:
            raise ValueError(f"expected an (n, dim) array of vectors, got shape {vectors.shape}")
        if len(vectors) < exact_below:
            return build_exact(vectors)
        return build_annoy(vectors, n_trees=n_trees, seed=seed)

    @classmethod
    def _annoy(cls, vectors: np.ndarray, n_trees: int, seed: int) -> AnnIndex:
        vectors = normalize(vectors)
        n, dim = vectors.shape
        index = AnnoyIndex(dim, "angular")
        index.set_seed(seed)
        for i, v in enumerate(vectors):
            index.add_item(i, v)
        index.build(n_trees, n_jobs=1)
        return cls(dim=dim, annoy=index, vectors=vectors, n_items=n)

    def save(self, path: str | Path) -> None:
        """Write to ``path`` (``.ann`` for Annoy, ``.npy`` for an exact set)."""
        path = Path(path)
        if self.annoy is not None:
            self.annoy.save(str(path.with_suffix(".ann")))
        else:
            np.save(path.with_suffix(".npy"), self.vectors)

    @classmethod
    def load(cls, path: str | Path, dim: int) -> AnnIndex:
        """Memory-map a saved index (whichever of ``.ann`` / ``.npy`` exists)."""
        path = Path(path)
        ann, npy = path.with_suffix(".ann"), path.with_suffix(".npy")
        if ann.exists():
            index = AnnoyIndex(dim, "angular")
            try:
                index.load(str(ann))  # mmap: shared between processes
            except OSError as exc:
                raise ValueError(f"{ann}: not an Annoy index of {dim}-d vectors ({exc.args[0].split(':')[0]}); "
                                 "rebuild the index") from None
            if index.get_n_items() and len(index.get_item_vector(0)) != dim:
                raise ValueError(f"{ann}: vectors are not {dim}-d; rebuild the index")
            return cls(dim=dim, annoy=index, n_items=index.get_n_items())
        if npy.exists():
            vectors = np.load(npy, mmap_mode="r", allow_pickle=False)
            if vectors.ndim != 2 or vectors.shape[1] != dim:
                raise ValueError(f"{npy}: expected (n, {dim}) vectors, found {vectors.shape}; rebuild the index")
            return cls(dim=dim, vectors=np.asarray(vectors), n_items=len(vectors))
        raise FileNotFoundError(f"no index at {ann} or {npy}; build it with `fashion-core index build`")

    def query(self, vector: np.ndarray, k: int, search_k: int = -1) -> tuple[np.ndarray, np.ndarray]:
        """Top-``k`` ids and cosine similarities for one query vector, best first."""
        vector = np.asarray(vector, dtype=np.float32).reshape(-1)
        if not np.isfinite(vector).all():
            raise ValueError("query vector has NaN or infinite values; it cannot be searched")
        vector = normalize(vector.reshape(1, -1))[0]
        if vector.shape[0] != self.dim:
            raise ValueError(f"query has {vector.shape[0]} dimensions, the index {self.dim}; "
                             "the index was built with another model: rebuild it")
        k = min(k, self.n_items)
        if k <= 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        if self.annoy is None:
            idx, sims = exact_search(self.vectors, vector, k)
            return idx[0], sims[0]
        ids, dists = self.annoy.get_nns_by_vector(vector.tolist(), k, search_k=search_k, include_distances=True)
        sims = 1.0 - np.asarray(dists, dtype=np.float32) ** 2 / 2.0  # angular distance -> cosine
        return np.asarray(ids, dtype=np.int64), sims


def build_exact(vectors: np.ndarray, **_: object) -> AnnIndex:
    """An exactly searched set (no trees): always right, fast for small sets."""
    vectors = normalize(vectors)
    return AnnIndex(dim=vectors.shape[1], vectors=vectors, n_items=len(vectors))


def build_annoy(vectors: np.ndarray, n_trees: int = 50, seed: int = 42, **_: object) -> AnnIndex:
    """An Annoy forest of ``n_trees`` angular trees (deterministic for a seed), memory-mapped once saved."""
    return AnnIndex._annoy(np.asarray(vectors, dtype=np.float32), n_trees, seed)


ANN_BACKENDS: dict[str, Callable[..., AnnIndex]] = {"annoy": build_annoy, "exact": build_exact}
"""Registered ANN backends by name: ``builder(vectors, n_trees=, seed=) -> AnnIndex``."""


def register_ann_backend(name: str) -> Callable[[Callable[..., AnnIndex]], Callable[..., AnnIndex]]:
    """Decorator: make an ANN builder available to :func:`create_ann` under ``name``."""
    def deco(builder: Callable[..., AnnIndex]) -> Callable[..., AnnIndex]:
        ANN_BACKENDS[name] = builder
        return builder
    return deco


def list_ann_backends() -> list[str]:
    """Names of the registered ANN backends."""
    return sorted(ANN_BACKENDS)


def create_ann(name: str, vectors: np.ndarray, **options) -> AnnIndex:
    """Build an index over ``vectors`` with backend ``name`` (``annoy`` or ``exact``)."""
    if name not in ANN_BACKENDS:
        raise ValueError(f"unknown ANN backend {name!r}; expected one of {', '.join(list_ann_backends())}")
    return ANN_BACKENDS[name](np.asarray(vectors, dtype=np.float32), **options)
