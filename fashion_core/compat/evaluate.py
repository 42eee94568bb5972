"""Compatibility metrics by the Polyvore protocol: fill-in-the-blank accuracy and compatibility AUC.

- **FITB**: an outfit with one item blanked (generated questions blank every item of an outfit in turn) and 4 candidates of the blank's slot (one right). A candidate's
  score is its cosine to the L2-normalised mean of the outfit's other items; the best score answers.
- **AUC**: real outfits against outfits whose every item was swapped for a random item of the same slot
  (from other outfits of the split); an outfit's score is the mean pairwise cosine of its items;
  ``sklearn.metrics.roc_auc_score``.

Released questions (Polyvore Outfits layout) are used as they are; otherwise :func:`make_fitb` and
:func:`make_compat` draw them with a fixed seed, so numbers repeat run to run.
Baselines use the same scoring: *random* = seeded Gaussian vectors per item, *untrained* = raw features.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.metrics import roc_auc_score

from .data import CompatQuestion, FitbQuestion, OutfitData, OutfitItem, OutfitSet

QUESTION_SEED = 2024
"""Seed of generated questions: fixed so every run (and every model) answers the same questions."""


@dataclass(frozen=True)
class EvalResult:
    """FITB accuracy, compatibility AUC and how many questions each had."""

    fitb: float
    auc: float
    n_questions: int
    n_outfits_auc: int

    def to_dict(self) -> dict:
        """The ``compat eval --json`` shape: ``{"fitb", "auc", "n_questions"}`` (+ AUC outfit count)."""
        return {"fitb": round(self.fitb, 4), "auc": round(self.auc, 4), "n_questions": self.n_questions,
                "n_outfits_auc": self.n_outfits_auc}


def _slot_pools(outfits: Sequence[OutfitSet], items: dict[str, OutfitItem]) -> dict[str, list[str]]:
    pools: dict[str, set[str]] = defaultdict(set)
    for o in outfits:
        for i in o.item_ids:
            pools[items[i].slot].add(i)
    return {s: sorted(v) for s, v in pools.items()}


def make_fitb(outfits: Sequence[OutfitSet], items: dict[str, OutfitItem], seed: int = QUESTION_SEED,
              n_candidates: int = 4, min_items: int = 3) -> list[FitbQuestion]:
    """FITB questions for outfits of ≥ ``min_items`` items: each item blanked in turn, seeded wrong answers.

    Wrong answers are items of the blank's slot from other outfits of the split (never one with a title the
    outfit already has); the right answer's position among the candidates is drawn too.
    """
    rng = np.random.default_rng(seed)
    pools = _slot_pools(outfits, items)
    out = []
    for o in outfits:
        if len(o.item_ids) < min_items:
            continue
        own_titles = {items[i].title for i in o.item_ids if items[i].title}
        for right in o.item_ids:
            pool = [i for i in pools[items[right].slot] if i not in o.item_ids and items[i].title not in own_titles]
            if len(pool) < n_candidates - 1:
                continue
            wrong = [pool[j] for j in rng.choice(len(pool), n_candidates - 1, replace=False)]
            answer = int(rng.integers(n_candidates))
            cands = wrong[:answer] + [right] + wrong[answer:]
            out.append(FitbQuestion(o.set_id, tuple(i for i in o.item_ids if i != right), tuple(cands), answer))
    return out


def make_compat(outfits: Sequence[OutfitSet], items: dict[str, OutfitItem],
                seed: int = QUESTION_SEED) -> list[CompatQuestion]:
    """Every real outfit (label 1) and one negative per outfit: each item swapped for a random same-slot item."""
    rng = np.random.default_rng(seed + 1)
    pools = _slot_pools(outfits, items)
    out = []
    for o in outfits:
        out.append(CompatQuestion(o.item_ids, 1))
        fake = []
        for i in o.item_ids:
            pool = pools[items[i].slot]
            choice = pool[int(rng.integers(len(pool)))]
            if len(pool) > 1:
                while choice == i:
                    choice = pool[int(rng.integers(len(pool)))]
            fake.append(choice)
        out.append(CompatQuestion(tuple(fake), 0))
    return out


def questions(data: OutfitData, split: str = "test",
              seed: int = QUESTION_SEED) -> tuple[list[FitbQuestion], list[CompatQuestion]]:
    """FITB and AUC questions of a split: released ones when the dataset has them, else generated."""
    outfits = data.outfits(split)
    fitb = data.fitb.get(split) or make_fitb(outfits, data.items, seed)
    compat = data.compat.get(split) or make_compat(outfits, data.items, seed)
    return fitb, compat


def fitb_accuracy(vectors: np.ndarray, row: dict[str, int], qs: Sequence[FitbQuestion]) -> float:
    """Share of questions whose right candidate scores highest (cosine to the mean of the context); ties split."""
    if not qs:
        return float("nan")
    v = _unit(vectors)
    right = 0.0
    for q in qs:
        anchor = _unit(v[[row[i] for i in q.context]].mean(axis=0, keepdims=True))[0]
        scores = v[[row[c] for c in q.candidates]] @ anchor
        best = np.flatnonzero(scores >= scores.max() - 1e-6)
        right += (q.answer in best) / len(best)  # ties share the credit: answer order cannot help
    return right / len(qs)


def outfit_scores(vectors: np.ndarray, row: dict[str, int], outfits: Sequence[Sequence[str]]) -> np.ndarray:
    """Mean pairwise cosine of each outfit's items."""
    v = _unit(vectors)
    out = np.empty(len(outfits), dtype=np.float64)
    for k, ids in enumerate(outfits):
        x = v[[row[i] for i in ids]]
        sims = x @ x.T
        n = len(ids)
        out[k] = (sims.sum() - np.trace(sims)) / max(1, n * (n - 1))
    return out


def compat_auc(vectors: np.ndarray, row: dict[str, int], qs: Sequence[CompatQuestion]) -> float:
    """ROC AUC of real against swapped outfits, scored by mean pairwise cosine."""
    labels = [q.label for q in qs]
    if len(set(labels)) < 2:
        return float("nan")
    return float(roc_auc_score(labels, outfit_scores(vectors, row, [q.item_ids for q in qs])))


def evaluate_vectors(vectors: np.ndarray, row: dict[str, int], fitb: Sequence[FitbQuestion],
                     compat: Sequence[CompatQuestion]) -> EvalResult:
    """Both metrics for item vectors (rows looked up by item id)."""
    return EvalResult(fitb_accuracy(vectors, row, fitb), compat_auc(vectors, row, compat), len(fitb), len(compat))


def random_vectors(n: int, dim: int = 128, seed: int = 0) -> np.ndarray:
    """The *random* baseline: seeded Gaussian vectors, one per item."""
    return np.random.default_rng(seed).standard_normal((n, dim)).astype(np.float32)


def _unit(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    return x / np.maximum(np.linalg.norm(x, axis=-1, keepdims=True), 1e-12)
