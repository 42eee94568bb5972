"""The shipped wearer model: who wears an item, learned once from a large labelled catalog and shipped.

A shop's catalog may label only a few hundred products, and a wearer classifier fitted on so few tells men's
from women's product photos about 86 % of the time (fpi, 500 products). The project therefore ships one fitted
on fpi's labelled products (``fashion-core models rebuild wearer``): a softmax regression over the encoder's
``head`` part (L2-normalised, so it does not depend on any index's PCA) joined by the category one-hot, whose
classes are the item genders Boys, Girls, Men, Unisex, Women. Ingest (:func:`~.wearer.build_wearer`) compares it
with the head fitted on the catalog's own labels, on the catalog's own labelled products, and keeps the better
one, adapted to the catalog's mix of genders (a label-shift correction of its intercepts).

Product-disjoint by construction: fpi products whose ``sha1(id) % 5 == 0`` (:func:`held_out`) are never fitted
on; the model card scores them, and ``benchmarks/bench_outfits.py`` draws its queries from them.
Saved as ``wearer.npz`` (numbers) + ``config.json`` (classes, encoder, data); nothing is pickled.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .. import taxonomy
from ..encoders.attributes import AttributeHead, fit_head
from . import rules

log = logging.getLogger(__name__)

CONFIG = "config.json"
ARRAYS = "wearer.npz"
FOLDS = 5
"""fpi products are split into this many folds by sha1 of their id ..."""
HELD_OUT_FOLD = 0
"""... and this fold is never fitted on (the card's and the benchmark's held-out products)."""
REGULARISATION_C = 0.01
"""Inverse L2 strength (fpi, held-out fold: 0.918 at 0.01, 0.914 at 0.003, 0.913 at 0.03)."""
SMOOTHING = 1.0
"""Add-one smoothing of the catalog's gender counts in the label-shift correction."""


def held_out(product_id: str) -> bool:
    """Whether the shipped wearer model never saw this fpi product (its card's and the benchmarks' queries)."""
    return int(hashlib.sha1(str(product_id).encode()).hexdigest(), 16) % FOLDS == HELD_OUT_FOLD


def category_onehot(categories: Sequence[str | None]) -> np.ndarray:
    """(n, 12) one-hot rows of taxonomy categories (zeros for an unknown one): what every wearer head also reads."""
    onehot = np.zeros((len(categories), len(taxonomy.CATEGORIES)), dtype=np.float32)
    for i, c in enumerate(categories):
        if c in taxonomy.CATEGORY_IDS:
            onehot[i, taxonomy.CATEGORY_IDS[c] - 1] = 1.0
    return onehot


def features(head_part: np.ndarray, categories: Sequence[str | None]) -> np.ndarray:
    """The model's input: L2-normalised encoder ``head`` part joined by the category one-hot."""
    x = np.atleast_2d(np.asarray(head_part, dtype=np.float32))
    x = x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)
    return np.concatenate([x, category_onehot(categories)], axis=1)


@dataclass
class WearerPrior:
    """A gender head over encoder ``head`` parts + category, with the encoder it reads and what it was fitted on."""

    head: AttributeHead
    encoder: dict
    trained_on: dict = field(default_factory=dict)

    def probs(self, head_part: np.ndarray, categories: Sequence[str | None]) -> np.ndarray:
        """(n, classes) item-gender probabilities."""
        return self.head.probs(features(head_part, categories))

    def fits_encoder(self, encoder) -> bool:
        """True when ``encoder`` (name and weights) is the one the model reads."""
        return (self.encoder.get("name") == getattr(encoder, "name", None)
                and self.encoder.get("weights_id") == getattr(encoder, "weights_id", None))

    def adapted(self, labels: Sequence[str | None]) -> AttributeHead:
        """The head with its intercepts moved to a catalog's own mix of genders (``labels``, one per product):
        p(y | x) in the catalog ∝ p(y | x) · share_catalog(y) / share_trained(y). A class the catalog never
        labels becomes very unlikely; an unlabelled catalog leaves the head as it is."""
        counts = Counter(v for v in labels if v is not None)
        trained = self.trained_on.get("class_counts") or {}
        if not counts or not trained:
            return self.head
        mine = np.array([counts.get(c, 0) + SMOOTHING for c in self.head.classes], dtype=np.float64)
        theirs = np.array([trained.get(c, 0) + SMOOTHING for c in self.head.classes], dtype=np.float64)
        shift = np.log(mine / mine.sum()) - np.log(theirs / theirs.sum())
        return AttributeHead(self.head.name, list(self.head.classes), self.head.coef.copy(),
                             self.head.intercept + shift, self.head.scale.copy())

    @property
    def id(self) -> str:
        """Short hash of the weights (what an index records it used)."""
        h = hashlib.sha256()
        for a in (self.head.coef, self.head.intercept, self.head.scale):
            h.update(np.ascontiguousarray(a, dtype=np.float64).tobytes())
        return h.hexdigest()[:12]

    def save(self, folder: str | Path) -> Path:
        """Write ``wearer.npz`` and ``config.json`` into ``folder``."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        np.savez(folder / ARRAYS, **self.head.arrays("gender_"))
        config = {"kind": "wearer-prior", "classes": self.head.classes, "encoder": self.encoder,
                  "features": "L2-normalised encoder head part + category one-hot",
                  "held_out": f"fpi products with sha1(id) % {FOLDS} == {HELD_OUT_FOLD}",
                  "trained_on": self.trained_on}
        (folder / CONFIG).write_text(json.dumps(config, indent=2) + "\n")
        return folder

    @classmethod
    def load(cls, folder: str | Path) -> WearerPrior:
        """Read a saved model; a clear error when the folder is not one."""
        folder = Path(folder)
        try:
            config = json.loads((folder / CONFIG).read_text())
            with np.load(folder / ARRAYS, allow_pickle=False) as z:
                head = AttributeHead.from_arrays("gender", config["classes"], z, "gender_")
        except (OSError, ValueError, KeyError) as exc:
            raise ValueError(f"{folder} is not a wearer model ({config_error(exc)}); rebuild it with "
                             "`fashion-core models rebuild wearer`") from exc
        return cls(head, dict(config["encoder"]), dict(config.get("trained_on") or {}))


def config_error(exc: Exception) -> str:
    """One line for what went wrong reading a model folder."""
    return f"{type(exc).__name__}: {exc}".splitlines()[0][:200]


def fit_prior(head_part: np.ndarray, categories: Sequence[str], genders: Sequence[str | None], encoder,
              trained_on: dict | None = None, c: float = REGULARISATION_C) -> WearerPrior:
    """Fit the gender head on labelled products' encoder ``head`` parts and categories (``genders`` as the
    rules name them: Men, Women, Boys, Girls, Unisex; None rows are skipped)."""
    head = fit_head("gender", features(head_part, categories), list(genders), c)
    if head is None:
        raise ValueError("the wearer model needs products of at least two genders")
    counts = Counter(g for g in genders if g is not None)
    info = {**(trained_on or {}), "class_counts": {k: counts[k] for k in head.classes}, "C": c}
    return WearerPrior(head, {"name": encoder.name, "weights_id": encoder.weights_id}, info)


def wearer_accuracy(item_probs: np.ndarray, classes: Sequence[str], categories: Sequence[str | None],
                    genders: Sequence[str | None]) -> float:
    """Share of labelled rows whose most probable wearer (item genders shared out among the wearers they fit,
    wearers who do not wear the category left out) may wear the item: the figure the card and ingest compare."""
    share = wearer_share(classes)
    w = np.asarray(item_probs, dtype=np.float64) @ share
    ok = n = 0
    for row, cat, g in zip(w, categories, genders):
        if g is None:
            continue
        if cat in taxonomy.CATEGORIES:
            row = row * np.array([rules.category_fits(cat, x) for x in rules.WEARERS])
        n += 1
        ok += rules.WEARERS[int(row.argmax())] in rules.wearers_of(g)
    return ok / max(n, 1)


def wearer_share(classes: Sequence[str]) -> np.ndarray:
    """(classes, wearers) matrix: each item gender's probability goes in equal parts to the wearers it fits."""
    share = np.zeros((len(classes), len(rules.WEARERS)), dtype=np.float64)
    for i, g in enumerate(classes):
        fit = [w for w in rules.WEARERS if w in rules.FITS.get(g, frozenset(rules.WEARERS))]
        for w in fit:
            share[i, rules.WEARERS.index(w)] = 1.0 / len(fit)
    return share


def load_prior(path: str | Path | None, encoder) -> WearerPrior | None:
    """The shipped wearer model at ``path`` when it reads ``encoder``; None (with a warning saying why) when
    there is none, it cannot be read, or it was fitted on another encoder's features."""
    if path is None:
        return None
    try:
        prior = WearerPrior.load(path)
    except ValueError as exc:
        log.warning("%s; the wearer is learned from the catalog's own labels only", exc)
        return None
    if not prior.fits_encoder(encoder):
        log.warning("the wearer model %s reads %s (%s), not this index's %s (%s); the wearer is learned from the "
                    "catalog's own labels only (rebuild it with `fashion-core models rebuild wearer`)", path,
                    prior.encoder.get("name"), prior.encoder.get("weights_id"), getattr(encoder, "name", "?"),
                    getattr(encoder, "weights_id", "?"))
        return None
    return prior
