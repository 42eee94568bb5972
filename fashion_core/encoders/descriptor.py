"""The similarity vector of a product image: encoder parts and garment colour, centred, weighted, reduced,
then joined by the class probabilities of the catalog's attribute heads.

Fitted on the catalog itself (means and a PCA, unsupervised; then :mod:`.attributes` heads on the catalog's
own type / colour labels when it has them), saved with the index as one ``.npz`` of arrays (no pickles)
plus the knobs in the manifest, so a query image is mapped exactly as the catalog was. Blocks are ``head``
(encoder embedding), ``mid`` (pooled intermediate stages, texture / colour sensitive) and ``colour``
(:mod:`fashion_core.encoders.colour`). The attribute heads also read parts that stay out of the similarity
vector: a colour head the fine Lab histogram (``colour_lab``), every other head the outline (``shape``,
:mod:`fashion_core.encoders.shape`); see :data:`HEAD_READS`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .attributes import REGULARISATION_C, AttributeHead, fit_head, is_colour_column
from .base import l2_rows

DEFAULT_WEIGHTS: dict[str, float] = {"head": 1.0, "mid": 1.0, "colour": 1.5}
"""Global weights of the blocks (a few knobs, tuned on fpi leave-one-out with benchmarks/tune_similar.py)."""

DEFAULT_DIM = 128
"""Dimensions kept by the final PCA (Annoy works best well below 1,000)."""

VISUAL_WEIGHT = 0.5
"""Weight of the visual (PCA) part against each attribute head's probability block (weight 1) when heads exist:
the heads decide "same type, same colour", the visual part orders the products that agree (tuned on fpi folds)."""

FIT_ROWS = 20_000
"""At most this many catalog rows (evenly spaced, deterministic) fit the means and the PCA."""

HEAD_INPUT = "stack"
"""What the attribute heads read: ``"stack"``, the weighted blocks before the PCA (about 1,700 numbers, each
standardised by the head), or ``"visual"``, the PCA vector. Cross-fitted on fpi (fold 1, packaged ImageNet
encoder) the stack lifts P@10 same type + colour from 0.44 to 0.50 and same type from 0.80 to 0.84: the PCA
keeps what varies most, not what tells a type or a colour apart. Indexes saved without the knob read "visual"."""

STACK_TOL = 1e-3
"""Solver tolerance of heads on the stack: 10,000 fpi products fit in 16 s instead of 50 s at 1e-4, for the same
precision (fold 1: p@10 type+colour 0.493 vs 0.496, type 0.842 vs 0.841), so ``index update`` stays a small share
of a full build."""

HEAD_READS: dict[str, tuple[str, ...]] = {"colour": ("colour_lab",), "other": ("shape",)}
"""Image parts a head reads beside the stacked blocks, by kind of head (a colour column or any other), when heads
read the stack. Cross-fitted on fpi (folds 0 and 1, packaged ImageNet encoder), P@10 same type + colour 0.491 /
0.493 -> 0.506 / 0.519 and same type 0.825 / 0.842 -> 0.849 / 0.855. Giving both heads both parts is worse (fold 0:
0.499 / 0.843): each head overfits the other's extra numbers. A part the images did not give is left out.
Tried beside it and not kept (P@10 same type, packaged ImageNet parts): the mirrored image's HOG as extra training
rows or averaged into the probabilities (fold 0: 0.849 -> 0.844 / 0.840; catalog photos face one way), square-rooted
HOG (fold 0: 0.846), a 3 x 1 grid of the last block's map (5 folds: 0.849 -> 0.847), the heads' probabilities mixed
with a 10-nearest-neighbour vote (folds 0-1: 0.852 -> 0.847; more right labels, flatter probabilities), and labelled
products' own labels in place of their probabilities (folds 0-1: 0.850 half mixed, 0.844 whole). A one-hidden-layer MLP
head averaged with the regression is right more often (folds 0-1: 0.831 / 0.830 -> 0.844 / 0.836) but moves P@10 by
+0.002 for 130 s more fitting per 8,000 products."""

PARTS_VERSION = 2
"""Version of what :func:`extract_parts` gives (2: ``colour_lab`` and ``shape`` joined ``head``, ``mid`` and
``colour``); feature caches are kept per version, so a new one encodes again instead of mixing kinds of parts."""

TRANSFORM_ROWS = 8192
"""Rows mapped at a time by :meth:`Descriptor.transform`, so a large catalog never holds all its stacks at once."""

HEAD_FIT_ROWS = 100_000
"""At most this many rows (evenly spaced) fit the attribute heads: a 1M-product catalog stays a minutes-long fit."""


@dataclass
class Descriptor:
    """Maps encoder parts + colour to one L2-normalised similarity vector."""

    weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    dim: int = DEFAULT_DIM
    means: dict[str, np.ndarray] = field(default_factory=dict)
    pca_mean: np.ndarray | None = None
    pca_components: np.ndarray | None = None
    heads: list[AttributeHead] = field(default_factory=list)
    visual_weight: float = VISUAL_WEIGHT
    head_input: str = HEAD_INPUT

    def __post_init__(self) -> None:
        if self.head_input not in ("stack", "visual"):
            raise ValueError(f"head_input must be 'stack' or 'visual', not {self.head_input!r}")

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

    def fit(self, parts: dict[str, np.ndarray], labels: dict[str, list[str | None]] | None = None,
            c: float = REGULARISATION_C) -> Descriptor:
        """Learn block means and the PCA from catalog parts, then one attribute head per ``labels`` column
        (row-aligned labels, None = unknown; rows without a label do not train that head; ``c``: inverse
        regularisation of the heads). Deterministic."""
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
        self.heads = []
        if labels:
            sample = np.linspace(0, n - 1, min(n, HEAD_FIT_ROWS)).round().astype(int)
            sampled = {k: np.asarray(v)[sample] for k, v in parts.items()}
            stack = self._stack(sampled)
            solver = {"tol": STACK_TOL} if self.head_input == "stack" else {}
            for name, values in labels.items():
                if len(values) != n:
                    raise ValueError(f"labels {name!r}: {len(values)} values for {n} rows")
                reads = self._reads_for(name, parts)
                head = fit_head(name, self._head_features(stack, None, sampled, reads), [values[i] for i in sample],
                                c, **solver)
                if head is not None:
                    head.reads = reads
                    self.heads.append(head)
        return self

    def _reads_for(self, name: str, parts: dict[str, np.ndarray]) -> tuple[str, ...]:
        """The extra parts a head on label column ``name`` reads (:data:`HEAD_READS`, those ``parts`` has)."""
        if self.head_input != "stack":
            return ()
        return tuple(r for r in HEAD_READS[_kind(name)] if r in parts)

    @property
    def visual_dim(self) -> int:
        """Length of the visual (PCA) part."""
        if self.pca_components is None:
            raise ValueError("descriptor is not fitted; call fit() or load() first")
        return int(self.pca_components.shape[0])

    @property
    def out_dim(self) -> int:
        """Length of the similarity vectors: the visual part plus one block per attribute head."""
        return self.visual_dim + sum(len(h.classes) for h in self.heads)

    def visual(self, parts: dict[str, np.ndarray]) -> np.ndarray:
        """(n, visual_dim) L2-normalised visual vectors (blocks, weights, PCA; no attribute heads)."""
        return self._project(self._stack(parts))

    def _project(self, stack: np.ndarray) -> np.ndarray:
        """The visual vectors of already stacked blocks."""
        if self.pca_components is None:
            raise ValueError("descriptor is not fitted; call fit() or load() first")
        return l2_rows((stack - self.pca_mean) @ self.pca_components.T)

    def _head_features(self, stack: np.ndarray, visual: np.ndarray | None = None,
                       parts: dict[str, np.ndarray] | None = None, reads: tuple[str, ...] = ()) -> np.ndarray:
        """What a head reads (:data:`HEAD_INPUT`): the stacked blocks followed by its extra ``reads`` parts (unit
        rows), or the visual vectors (computed from ``stack`` unless already projected)."""
        if self.head_input != "stack":
            return self._project(stack) if visual is None else visual
        if not reads:
            return stack
        missing = [r for r in reads if parts is None or r not in parts]
        if missing:
            raise ValueError(f"attribute heads need the {', '.join(map(repr, missing))} part(s); got "
                             f"{', '.join(parts or {}) or 'none'} (encode the images with extract_parts)")
        return np.concatenate([stack] + [l2_rows(parts[r]) for r in reads], axis=1)

    def _head_probs(self, parts: dict[str, np.ndarray], stack: np.ndarray,
                    visual: np.ndarray | None = None) -> list[np.ndarray]:
        """Class probabilities of every head for already stacked rows (features built once per distinct reads)."""
        features: dict[tuple[str, ...], np.ndarray] = {}
        out = []
        for h in self.heads:
            if h.reads not in features:
                features[h.reads] = self._head_features(stack, visual, parts, h.reads)
            out.append(h.probs(features[h.reads]))
        return out

    def transform(self, parts: dict[str, np.ndarray]) -> np.ndarray:
        """(n, out_dim) L2-normalised similarity vectors (mapped :data:`TRANSFORM_ROWS` rows at a time)."""
        n = len(next(iter(parts.values()))) if parts else 0
        if n > TRANSFORM_ROWS:
            return np.concatenate([self.transform({k: v[i:i + TRANSFORM_ROWS] for k, v in parts.items()})
                                   for i in range(0, n, TRANSFORM_ROWS)])
        x = self._stack(parts)
        v = self._project(x)
        if not self.heads:
            return v
        blocks = [self.visual_weight * v] + [l2_rows(np.sqrt(p)) for p in self._head_probs(parts, x, v)]
        return l2_rows(np.concatenate(blocks, axis=1))

    def attribute_probs(self, parts: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Class probabilities of every attribute head (name → (n, n_classes)), e.g. to explain a result."""
        probs = self._head_probs(parts, self._stack(parts))
        return {h.name: p for h, p in zip(self.heads, probs)}

    def config(self) -> dict:
        """The knobs, for the manifest."""
        return {"weights": self.weights, "dim": self.visual_dim, "out_dim": self.out_dim,
                "visual_weight": self.visual_weight, "head_input": self.head_input,
                "attribute_heads": [{"name": h.name, "classes": h.classes, "reads": list(h.reads)}
                                    for h in self.heads]}

    def save(self, path: str | Path) -> None:
        """Write the fitted arrays to ``path`` (.npz, numeric only)."""
        arrays = {f"mean_{k}": v for k, v in self.means.items()}
        for i, h in enumerate(self.heads):
            arrays.update(h.arrays(f"head{i}_"))
        np.savez(path, pca_mean=self.pca_mean, pca_components=self.pca_components, **arrays)

    @classmethod
    def load(cls, path: str | Path, config: dict) -> Descriptor:
        """Read a descriptor saved by :meth:`save` with the manifest's ``config``."""
        with np.load(path, allow_pickle=False) as z:
            means = {k[5:]: z[k] for k in z.files if k.startswith("mean_")}
            heads = [AttributeHead.from_arrays(h["name"], h["classes"], z, f"head{i}_")
                     for i, h in enumerate(config.get("attribute_heads", []))]
            for h, spec in zip(heads, config.get("attribute_heads", [])):
                h.reads = tuple(spec.get("reads", ()))  # indexes saved before heads read extra parts: none
            return cls(weights=dict(config["weights"]), dim=int(config["dim"]), means=means,
                       pca_mean=z["pca_mean"], pca_components=z["pca_components"], heads=heads,
                       visual_weight=float(config.get("visual_weight", VISUAL_WEIGHT)),
                       head_input=str(config.get("head_input", "visual")))


def _kind(label_column: str) -> str:
    """Kind of head a label column gets: ``"colour"`` or ``"other"`` (the keys of :data:`HEAD_READS`)."""
    return "colour" if is_colour_column(label_column) else "other"


def extract_parts(encoder, images) -> dict[str, np.ndarray]:
    """Everything the descriptor may use, from one encoder pass: ``head`` (= ``encoder.encode``), ``mid``
    when the encoder has intermediate features, ``colour`` and ``colour_lab`` (:func:`.colour.colour_parts`) and
    ``shape`` (:mod:`.shape`)."""
    parts = dict(encoder.encode_parts(images)) if hasattr(encoder, "encode_parts") else {"head": encoder.encode(images)}
    parts.pop("probs", None)
    parts.update(image_parts(images))
    return parts


def image_parts(images) -> dict[str, np.ndarray]:
    """The parts that need no encoder: ``colour``, ``colour_lab`` (:func:`.colour.colour_parts`) and ``shape``."""
    from .colour import colour_parts
    from .shape import shape_descriptors

    return {**colour_parts(images), "shape": shape_descriptors(images)}


def weights_for_parts(parts: dict[str, np.ndarray]) -> dict[str, float]:
    """Default block weights for the parts at hand (no ``mid`` block when there is no ``mid`` part)."""
    return {k: w for k, w in DEFAULT_WEIGHTS.items() if k in parts}
