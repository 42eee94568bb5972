"""Attribute heads: softmax regressions fitted at ingest on the catalog's own labels (article type, colour).

A shopper who opens a blue t-shirt wants blue t-shirts. Generic image features only half know what
"blue" and "t-shirt" mean for this shop, but the catalog says it for every product, so ingest fits one
multinomial logistic regression per labelled attribute on the visual similarity vectors; the class
probabilities of a query (product or photo) then join its similarity vector (``Descriptor``). It is
the learned projection ``DESIGN.md`` allows in place of plain PCA. Fitting is deterministic
(scikit-learn's L-BFGS on fixed inputs) and the fitted numbers are saved as plain arrays, no pickles.
"""

from __future__ import annotations

import logging
import warnings
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

log = logging.getLogger(__name__)

TYPE_COLUMNS = ("articleType", "article_type", "type", "subtype", "silhouette")
"""Catalog columns naming what kind of product a row is, finer than its category (the first present is used)."""

COLOUR_COLUMNS = ("baseColour", "base_colour", "colour", "color")
"""Catalog columns naming a product's colour (the first present is used)."""

MIN_CLASS_ROWS = 3
"""A label value needs this many products to become a class; rarer values count as unlabelled."""

REGULARISATION_C = 0.05
"""Inverse L2 strength of the regressions (strong: catalogs are small for 100+ classes; tuned on fpi folds)."""


def default_columns(attribute_rows: Iterable[dict[str, str]]) -> list[str]:
    """The type and colour columns a catalog has (first match of :data:`TYPE_COLUMNS` and :data:`COLOUR_COLUMNS`)."""
    seen: set[str] = set()
    for attrs in attribute_rows:
        seen.update(k for k, v in attrs.items() if _value(v) is not None)
    firsts = (next((c for c in group if c in seen), None) for group in (TYPE_COLUMNS, COLOUR_COLUMNS))
    return [c for c in firsts if c is not None]


def column_labels(attribute_rows: Sequence[dict[str, str]], column: str) -> list[str | None]:
    """One label per row for ``column`` (None where the row has no usable value)."""
    return [_value(attrs.get(column)) for attrs in attribute_rows]


def _value(v) -> str | None:
    if v is None:
        return None
    s = str(v).strip()
    return None if s == "" or s.lower() in ("nan", "none", "na", "n/a", "null") else s


@dataclass
class AttributeHead:
    """One fitted attribute: class names, the regression's weights and the input scaling it expects."""

    name: str
    classes: list[str]
    coef: np.ndarray
    intercept: np.ndarray
    scale: np.ndarray
    reads: tuple[str, ...] = ()
    """Image parts the head reads beside the descriptor's stacked blocks (e.g. ``("shape",)``), in order."""

    def probs(self, x: np.ndarray) -> np.ndarray:
        """(n, n_classes) class probabilities for visual similarity vectors ``x``."""
        z = (np.asarray(x, dtype=np.float64) / self.scale) @ self.coef.T + self.intercept
        z -= z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return (e / e.sum(axis=1, keepdims=True)).astype(np.float32)

    def arrays(self, prefix: str) -> dict[str, np.ndarray]:
        """The numbers to save, keyed under ``prefix``."""
        return {f"{prefix}coef": self.coef, f"{prefix}intercept": self.intercept, f"{prefix}scale": self.scale}

    @classmethod
    def from_arrays(cls, name: str, classes: list[str], arrays, prefix: str) -> AttributeHead:
        """Rebuild a head saved with :meth:`arrays`."""
        return cls(name, list(classes), np.asarray(arrays[f"{prefix}coef"], np.float64),
                   np.asarray(arrays[f"{prefix}intercept"], np.float64), np.asarray(arrays[f"{prefix}scale"], np.float64))


def is_colour_column(name: str) -> bool:
    """Whether a label column names colours (:data:`COLOUR_COLUMNS`, any case)."""
    return name.lower() in {c.lower() for c in COLOUR_COLUMNS}


def fit_head(name: str, x: np.ndarray, labels: Sequence[str | None], c: float = REGULARISATION_C,
             tol: float = 1e-4) -> AttributeHead | None:
    """Fit one head on the rows of ``x`` that have a label; None when fewer than two classes are usable (``tol``:
    the solver's stopping tolerance, scikit-learn's default unless a caller trades precision for time)."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression

    counts = Counter(v for v in labels if v is not None)
    keep = np.array([v is not None and counts[v] >= MIN_CLASS_ROWS for v in labels], dtype=bool)
    y = np.array([v for v, k in zip(labels, keep) if k], dtype=object).astype(str)
    if len(set(y.tolist())) < 2:
        log.info("attribute %r: fewer than two classes with %d products; no head fitted", name, MIN_CLASS_ROWS)
        return None
    x = np.asarray(x, dtype=np.float64)
    scale = x[keep].std(axis=0) + 1e-6
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = LogisticRegression(C=c, max_iter=2000, tol=tol).fit(x[keep] / scale, y)
    coef, intercept = model.coef_.astype(np.float64), model.intercept_.astype(np.float64)
    if len(model.classes_) == 2:  # one logit z for class 1: softmax over (-z/2, z/2) is the same sigmoid
        coef, intercept = np.vstack([-coef / 2, coef / 2]), np.concatenate([-intercept / 2, intercept / 2])
    return AttributeHead(name, [str(v) for v in model.classes_], coef, intercept, scale)
