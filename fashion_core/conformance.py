"""Conformance checks every backend must pass, in the spirit of scikit-learn's ``check_estimator``.

One function per protocol — :func:`check_ann_backend`, :func:`check_encoder`, :func:`check_detector` — runs the
protocol's promises against a real backend on small real inputs and raises :class:`ConformanceError` naming the
broken promise. The test suite runs them against every registered backend (``tests/conformance/``), and a new
backend is done when they pass.
"""

from __future__ import annotations

import math
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from PIL import Image

from . import taxonomy


class ConformanceError(AssertionError):
    """A backend broke a promise of its protocol; the message says which and how."""


def _require(ok: bool, what: str) -> None:
    if not ok:
        raise ConformanceError(what)


# ---------------------------------------------------------------- ANN backends

def clustered_vectors(n: int = 3000, dim: int = 32, clusters: int = 40, seed: int = 0) -> np.ndarray:
    """Seeded unit vectors around ``clusters`` centres: data with real neighbours, like garment embeddings."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((clusters, dim))
    x = centres[rng.integers(0, clusters, n)] + 0.35 * rng.standard_normal((n, dim))
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def check_ann_backend(name: str, builder: Callable | None = None, *, n: int = 3000, dim: int = 32,
                      min_recall: float = 0.9, search_k: int = 20_000) -> dict:
    """Check an ANN backend (by registered ``name``, or an explicit ``builder(vectors, n_trees=, seed=)``): results
    sorted best first with true cosines, the query itself found first, recall@10 against exact search, ``k`` larger
    than the set, identical answers after save and (memory-mapped) load, determinism, refusal of a wrong
    dimension and of NaN queries. Returns the measured figures (recall@10)."""
    from .ann import ANN_BACKENDS, AnnIndex, exact_search

    build = builder or ANN_BACKENDS[name]
    vectors = clustered_vectors(n, dim)
    index = build(vectors, n_trees=20, seed=7)
    _require(index.n_items == n and index.dim == dim, f"{name}: built {index.n_items} items of {index.dim}-d, "
                                                      f"expected {n} of {dim}-d")
    queries = vectors[:: n // 50][:50]
    truth, _ = exact_search(vectors, queries, 10)
    hits = 0
    for qi, q in enumerate(queries):
        ids, sims = index.query(q, 10, search_k=search_k)
        _require(len(ids) == 10 == len(sims), f"{name}: asked for 10 neighbours, got {len(ids)}")
        _require(all(sims[i] >= sims[i + 1] - 1e-6 for i in range(len(sims) - 1)),
                 f"{name}: results are not sorted best first ({np.round(sims, 4).tolist()})")
        true = vectors[ids] @ q
        _require(np.allclose(true, sims, atol=1e-3), f"{name}: returned scores are not the cosine similarities")
        _require(int(ids[0]) == qi * (n // 50) or math.isclose(float(sims[0]), 1.0, abs_tol=1e-4),
                 f"{name}: the query vector itself is not its own nearest neighbour")
        hits += len(set(map(int, ids)) & set(map(int, truth[qi])))
    recall = hits / truth.size
    _require(recall >= min_recall, f"{name}: recall@10 against exact search is {recall:.3f} < {min_recall}")
    small = build(vectors[:5], n_trees=5, seed=7)
    ids, _ = small.query(vectors[0], 10)
    _require(len(ids) == 5 and len(set(map(int, ids))) == 5, f"{name}: k larger than the set must return every "
                                                             f"item once, got {list(map(int, ids))}")
    again = build(vectors, n_trees=20, seed=7)
    _require(all(np.array_equal(index.query(q, 10, search_k=search_k)[0], again.query(q, 10, search_k=search_k)[0])
                 for q in queries[:10]), f"{name}: two builds of the same vectors with one seed answer differently")
    with tempfile.TemporaryDirectory() as tmp:
        stem = Path(tmp) / "index"
        index.save(stem)
        loaded = AnnIndex.load(stem, dim)
        _require(loaded.n_items == n, f"{name}: {loaded.n_items} items after load, {n} before")
        for q in queries[:10]:
            _require(np.array_equal(index.query(q, 10, search_k=search_k)[0], loaded.query(q, 10, search_k=search_k)[0]),
                     f"{name}: answers differ after save and load")
        try:
            AnnIndex.load(stem, dim + 1)
            raise ConformanceError(f"{name}: loading {dim}-d vectors as {dim + 1}-d was not refused")
        except ValueError:
            pass
    for bad, what in ((np.ones(dim + 3, np.float32), "a query of the wrong dimension"),
                      (np.full(dim, np.nan, np.float32), "a NaN query")):
        try:
            index.query(bad, 5)
            raise ConformanceError(f"{name}: {what} was not refused with ValueError")
        except ValueError:
            pass
    return {"recall_at_10": round(recall, 4)}


# ---------------------------------------------------------------- image encoders

def probe_images(seed: int = 0) -> list[Image.Image]:
    """Small deterministic test images of different sizes and content (noise, flat colours, stripes)."""
    rng = np.random.default_rng(seed)
    out = [Image.fromarray(rng.integers(0, 255, (40 + 7 * i, 30 + 5 * i, 3), dtype=np.uint8)) for i in range(3)]
    for colour in ((200, 30, 40), (30, 60, 180)):
        im = Image.new("RGB", (64, 96), (245, 245, 245))
        im.paste(Image.new("RGB", (32, 48), colour), (16, 24))
        out.append(im)
    stripes = np.zeros((80, 80, 3), np.uint8)
    stripes[::8] = 255
    out.append(Image.fromarray(stripes))
    return out


def check_encoder(encoder) -> dict:
    """Check an image encoder: ``name`` / ``dim`` / ``weights_id``; ``encode`` gives (n, dim) float32 unit rows, in
    input order, the same on a second call and whatever the batch around an image; an empty list gives (0, dim);
    something that is not a PIL image is refused with TypeError; different images get different embeddings."""
    from .encoders.base import ImageEncoder

    _require(isinstance(encoder, ImageEncoder), f"{encoder!r} does not implement the ImageEncoder protocol")
    name = getattr(encoder, "name", "?")
    _require(isinstance(encoder.dim, int) and encoder.dim > 0, f"{name}: dim must be a positive int")
    _require(isinstance(encoder.weights_id, str) and len(encoder.weights_id) >= 8,
             f"{name}: weights_id must identify the weights (got {encoder.weights_id!r})")
    images = probe_images()
    a = encoder.encode(images)
    _require(isinstance(a, np.ndarray) and a.shape == (len(images), encoder.dim) and a.dtype == np.float32,
             f"{name}: encode gave {getattr(a, 'shape', type(a))} {getattr(a, 'dtype', '')}, expected "
             f"({len(images)}, {encoder.dim}) float32")
    _require(np.allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-4), f"{name}: rows are not L2-normalised")
    _require(np.array_equal(a, encoder.encode(images)), f"{name}: the same images encode differently twice")
    single = encoder.encode(images[2:3])
    _require(np.allclose(a[2:3], single, atol=1e-4), f"{name}: an image's embedding depends on its batch")
    reversed_ = encoder.encode(images[::-1])
    _require(np.allclose(a[::-1], reversed_, atol=1e-4), f"{name}: embeddings do not follow the input order")
    empty = encoder.encode([])
    _require(getattr(empty, "shape", None) == (0, encoder.dim), f"{name}: encode([]) must give (0, {encoder.dim})")
    sims = a @ a.T
    _require(float(sims[3, 4]) < 0.9999, f"{name}: a red and a blue garment get the same embedding")
    try:
        encoder.encode([np.zeros((4, 4, 3))])
        raise ConformanceError(f"{name}: a NumPy array instead of a PIL image was not refused with TypeError")
    except TypeError:
        pass
    return {"dim": encoder.dim}


# ---------------------------------------------------------------- detectors

def check_detector(detector, photos: Sequence[Image.Image]) -> dict:
    """Check a detector on real ``photos``: ``name``; ``detect`` gives a list of Detection with boxes inside the
    image and of positive area, taxonomy categories, finite scores in [0, 1], icons inside their boxes, the same
    answer twice; a blank image and a tiny image give lists without crashing."""
    from .results import Detection

    name = getattr(detector, "name", None)
    _require(isinstance(name, str) and name, f"{detector!r} has no name")
    found = 0
    for photo in photos:
        dets = detector.detect(photo)
        _require(isinstance(dets, list) and all(isinstance(d, Detection) for d in dets),
                 f"{name}: detect must return a list of Detection")
        w, h = photo.size
        for d in dets:
            x0, y0, x1, y1 = d.box
            _require(-0.5 <= x0 < x1 <= w + 0.5 and -0.5 <= y0 < y1 <= h + 0.5,
                     f"{name}: box {d.box} is not inside the {w}x{h} image")
            _require(d.category in taxonomy.CATEGORIES, f"{name}: category {d.category!r} is not in the taxonomy")
            _require(math.isfinite(d.score) and 0.0 <= d.score <= 1.0, f"{name}: score {d.score} outside [0, 1]")
            ix, iy = d.icon
            _require(x0 - 0.5 <= ix <= x1 + 0.5 and y0 - 0.5 <= iy <= y1 + 0.5,
                     f"{name}: icon {d.icon} lies outside its box {d.box}")
        again = detector.detect(photo)
        _require([(d.category, d.box) for d in dets] == [(d.category, d.box) for d in again],
                 f"{name}: the same photo gives different detections twice")
        found += len(dets)
    for blank in (Image.new("RGB", (320, 480), (255, 255, 255)), Image.new("RGB", (8, 8), (0, 0, 0))):
        out = detector.detect(blank)
        _require(isinstance(out, list), f"{name}: detect on a blank or tiny image must return a list")
    return {"detections": found}
