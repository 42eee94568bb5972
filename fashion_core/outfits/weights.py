"""Fitting the soft rules' weights against the learned score, on outfit data that carries the attributes.

For every item of a held-out outfit (the ``valid`` split: the model never trained on it) and a few random items
of the same slot, the features are those the search adds up (:mod:`.search`): the learned score of the
candidate with the rest of the outfit (standardised), and the soft rules between the candidate and the rest
(usage, season, colour family affinity, and whether it adds a loud colour family beyond the limit). A pairwise
logistic regression (real item over random item) weighs them; the weights are scaled so that the learned score
counts 1. A rule with too few outfits carrying its attribute keeps its documented default
(:data:`~fashion_core.outfits.rules.DEFAULT_WEIGHTS`), and every fitted weight stays within ``[0, MAX_WEIGHT]``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from . import rules
from .profile import FAMILIES, FAMILY_TABLE, SEASON_TABLE, USAGE_TABLE, ItemProfile, query_codes

TERMS = ("learned", "usage", "season", "colour", "loud")
MIN_PAIRS = 200
"""A soft rule needs this many (real, random) pairs where it says something to get a fitted weight."""
MAX_WEIGHT = 4.0
NEGATIVES = 3
SEED = 7
NEUTRAL = FAMILIES.index("neutral")


def pair_features(emb: np.ndarray, profiles: Sequence[ItemProfile], outfits: Sequence[Sequence[int]],
                  slots: Sequence[str], seed: int = SEED) -> tuple[np.ndarray, np.ndarray]:
    """(differences real − random, mask of the terms that said something) for every item of ``outfits`` (rows
    into ``emb`` / ``profiles``) against :data:`NEGATIVES` random same-slot items of the same outfits' pool."""
    rng = np.random.default_rng(seed)
    codes = np.array([query_codes(p) for p in profiles], dtype=np.int64).reshape(-1, 3)
    e = emb / np.maximum(np.linalg.norm(emb, axis=1, keepdims=True), 1e-12)
    pool: dict[str, list[int]] = {}
    for o in outfits:
        for r in o:
            pool.setdefault(slots[r], []).append(r)
    pools = {s: np.unique(v) for s, v in pool.items()}
    sims = [float(e[a] @ e[b]) for o in outfits for a in o for b in o if a != b]
    sd = max(float(np.std(sims)) if sims else 1.0, 1e-3)
    diffs, said = [], []
    for o in outfits:
        if len(o) < 2:
            continue
        for r in o:
            ctx = [c for c in o if c != r]
            anchor = e[ctx].mean(axis=0)
            anchor /= max(float(np.linalg.norm(anchor)), 1e-12)
            cands = pools[slots[r]]
            cands = cands[~np.isin(cands, o)]
            if len(cands) == 0:
                continue
            for n in cands[rng.integers(len(cands), size=NEGATIVES)]:
                fp, mp = _features(r, ctx, anchor, e, codes, sd)
                fn, mn = _features(int(n), ctx, anchor, e, codes, sd)
                diffs.append(fp - fn)
                said.append(mp | mn)
    if not diffs:
        return np.zeros((0, len(TERMS))), np.zeros((0, len(TERMS)), bool)
    return np.asarray(diffs), np.asarray(said)


def _features(r: int, ctx: list[int], anchor: np.ndarray, e: np.ndarray, codes: np.ndarray,
              sd: float) -> tuple[np.ndarray, np.ndarray]:
    u, s, f = codes[r]
    cu, cs, cf = codes[ctx, 0], codes[ctx, 1], codes[ctx, 2]
    usage = float(np.mean(USAGE_TABLE[u, cu]))
    season = float(np.mean(SEASON_TABLE[s, cs]))
    colour = float(np.mean(FAMILY_TABLE[f, cf]))
    loud_ctx = {int(x) for x in cf if x >= 0 and x != NEUTRAL}
    adds = f >= 0 and f != NEUTRAL and f not in loud_ctx
    loud = -1.0 if adds and len(loud_ctx) + 1 > rules.LOUD_LIMIT else 0.0
    said = np.array([True, u >= 0 and (cu >= 0).any(), s >= 0 and (cs >= 0).any(), f >= 0 and (cf >= 0).any(),
                     f >= 0 and (cf >= 0).any()])
    return np.array([float(e[r] @ anchor) / sd, usage, season, colour, loud]), said


def fit_weights(diffs: np.ndarray, said: np.ndarray, sources: str) -> rules.SoftWeights:
    """Pairwise logistic regression on the differences; terms with too little data keep their defaults."""
    from sklearn.linear_model import LogisticRegression

    defaults = rules.DEFAULT_WEIGHTS
    if len(diffs) < MIN_PAIRS:
        return defaults
    use = [i for i, t in enumerate(TERMS) if t == "learned" or said[:, i].sum() >= MIN_PAIRS]
    x = np.concatenate([diffs[:, use], -diffs[:, use]])
    y = np.concatenate([np.ones(len(diffs)), np.zeros(len(diffs))])
    coef = LogisticRegression(C=1.0, fit_intercept=False, max_iter=1000).fit(x, y).coef_[0]
    learned = coef[use.index(0)]
    if learned <= 1e-6:
        return defaults
    fitted = {TERMS[i]: float(np.clip(c / learned, 0.0, MAX_WEIGHT)) for i, c in zip(use, coef) if i != 0}
    kept = [t for t in TERMS[1:] if t not in fitted]
    source = f"fitted on {sources} ({', '.join(sorted(fitted))}); defaults for {', '.join(kept) or 'none'}"
    return replace(defaults, **{k: round(v, 3) for k, v in fitted.items()}, source=source)
