"""Outfits made by the style rules of :mod:`style`, split on disjoint items, with FITB and compatibility sets.

* **Splits**: products are split train/valid/test (70/10/20 %, stratified by category) *before* any outfit
  is made; every outfit is built from the items of one split only, so no item occurs in two splits.
* **Outfits**: a target formality window and season are drawn, then slots are filled in the order
  one-piece or top + bottom, shoes, outerwear (likely in winter), bag, one accessory; every pick must keep
  the outfit compatible. Outfits have 3 to 6 items and are never repeated.
* **Fill in the blank**: one question per outfit. One item (not always the same slot) is blanked; the four
  answers are ``answers[0]`` = the right item (the only one whose set id is the question's) and three items
  of the *same slot* taken from other outfits of the split, preferring items that break a rule with the rest
  of the outfit. ``blank_position`` is the 1-based ``index`` of the blanked item.
* **Compatibility**: every outfit gives a ``1`` line and a ``0`` line; the negative keeps the outfit's slots
  and replaces every item by a random same-slot item of the split, redrawn (up to 50 times) until it breaks a rule.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .products import DemoProduct
from .style import partial_violations, violations

SPLITS: tuple[str, ...] = ("train", "valid", "test")
SPLIT_FRACTIONS: tuple[float, ...] = (0.7, 0.1, 0.2)
ITEM_ORDER: tuple[str, ...] = ("one-piece", "top", "bottom", "shoes", "outerwear", "bag", "accessory")
"""Slot order of items inside an outfit (the Polyvore ``index`` order)."""


@dataclass(frozen=True)
class Outfit:
    """One outfit: its set id, split, and product ids in slot order (``index`` = position + 1)."""

    set_id: str
    split: str
    items: tuple[str, ...]


def split_products(products: Sequence[DemoProduct], seed: int) -> dict[str, list[DemoProduct]]:
    """Disjoint train/valid/test item pools, stratified by category, each holding every category."""
    rng = np.random.default_rng([seed, 10])
    pools: dict[str, list[DemoProduct]] = {s: [] for s in SPLITS}
    by_cat: dict[str, list[DemoProduct]] = {}
    for p in products:
        by_cat.setdefault(p.category, []).append(p)
    for cat in sorted(by_cat):
        items = [by_cat[cat][i] for i in rng.permutation(len(by_cat[cat]))]
        n = len(items)
        n_valid = max(2, round(n * SPLIT_FRACTIONS[1]))
        n_test = max(2, round(n * SPLIT_FRACTIONS[2]))
        pools["valid"] += items[:n_valid]
        pools["test"] += items[n_valid:n_valid + n_test]
        pools["train"] += items[n_valid + n_test:]
    return {s: sorted(v, key=lambda p: p.index) for s, v in pools.items()}


def outfit_counts(n: int) -> dict[str, int]:
    """Outfits per split for ``n`` outfits in all."""
    valid, test = round(n * SPLIT_FRACTIONS[1]), round(n * SPLIT_FRACTIONS[2])
    return {"train": n - valid - test, "valid": valid, "test": test}


def make_outfits(pools: dict[str, list[DemoProduct]], seed: int, n: int) -> list[Outfit]:
    """``n`` distinct compatible outfits over the split pools; set ids are numeric strings, unique overall."""
    out: list[Outfit] = []
    for s, (split, count) in enumerate(outfit_counts(n).items()):
        rng = np.random.default_rng([seed, 11, s])
        seen: set[frozenset[str]] = set()
        groups = _group(pools[split])
        tries = 0
        while sum(o.split == split for o in out) < count:
            tries += 1
            if tries > 200 * count + 1000:
                raise ValueError(f"could not make {count} distinct {split} outfits from {len(pools[split])} items; "
                                 "use more products or fewer outfits")
            items = _one_outfit(groups, rng)
            key = frozenset(p.product_id for p in items)
            if items and key not in seen:
                seen.add(key)
                out.append(Outfit(str(100001 + len(out)), split, tuple(p.product_id for p in items)))
    return out


def _group(pool: Sequence[DemoProduct]) -> dict[tuple[int, str], dict[str, list[DemoProduct]]]:
    """Items by (formality window start, season) then slot: who may join an outfit of that kind."""
    groups: dict[tuple[int, str], dict[str, list[DemoProduct]]] = {}
    for low in (0, 1):
        for season in ("summer", "winter", "all-season"):
            fits: dict[str, list[DemoProduct]] = {}
            for p in pool:
                if low <= p.formality <= low + 1 and p.season in (season, "all-season"):
                    fits.setdefault(p.slot, []).append(p)
            groups[(low, season)] = fits
    return groups


def _one_outfit(groups: dict[tuple[int, str], dict[str, list[DemoProduct]]], rng: np.random.Generator
                ) -> list[DemoProduct]:
    low = int(rng.choice([0, 0, 1, 1]))  # formality window {low, low + 1}
    season = ("summer", "winter", "all-season")[int(rng.integers(3))]
    fits = groups[(low, season)]
    plan = ["one-piece"] if rng.random() < 0.3 else ["top", "bottom"]
    plan.append("shoes")
    for slot, prob in (("outerwear", 0.8 if season == "winter" else 0.35), ("bag", 0.6), ("accessory", 0.5)):
        if rng.random() < prob:
            plan.append(slot)
    chosen: list[DemoProduct] = []
    for slot in plan:
        pick = _pick(fits.get(slot, []), chosen, rng)
        if pick is None:
            if slot in ("outerwear", "bag", "accessory"):
                continue
            return []
        chosen.append(pick)
    chosen.sort(key=lambda p: ITEM_ORDER.index(p.slot))
    return chosen if len(chosen) >= 3 and not violations(chosen) else []


def _pick(cands: Sequence[DemoProduct], chosen: list[DemoProduct], rng: np.random.Generator) -> DemoProduct | None:
    """A random candidate that keeps ``chosen`` compatible: a few random tries, then an exhaustive scan."""
    if not cands:
        return None
    for _ in range(8):
        p = cands[int(rng.integers(len(cands)))]
        if not partial_violations(chosen + [p]):
            return p
    ok = [p for p in cands if not partial_violations(chosen + [p])]
    return ok[int(rng.integers(len(ok)))] if ok else None


def _occurrences(outfits: Sequence[Outfit], by_id: dict[str, DemoProduct]) -> dict[str, list[tuple[str, str]]]:
    """Slot → list of (``setid_index`` reference, product id) over the given outfits."""
    occ: dict[str, list[tuple[str, str]]] = {}
    for o in outfits:
        for i, pid in enumerate(o.items, start=1):
            occ.setdefault(by_id[pid].slot, []).append((f"{o.set_id}_{i}", pid))
    return occ


def fill_in_blank(outfits: Sequence[Outfit], by_id: dict[str, DemoProduct], seed: int, split: str) -> list[dict]:
    """Polyvore FITB questions for one split's outfits (format and answer order in the module docstring)."""
    rng = np.random.default_rng([seed, 12, SPLITS.index(split)])
    mine = [o for o in outfits if o.split == split]
    occ = _occurrences(mine, by_id)
    questions = []
    for o in mine:
        if len(o.items) < 3:
            continue
        pos = int(rng.integers(len(o.items)))
        right = by_id[o.items[pos]]
        rest = [by_id[p] for k, p in enumerate(o.items) if k != pos]
        pool = occ[right.slot]
        wrong: list[tuple[str, str]] = []
        for strict in (True, False):
            for j in _sample_order(len(pool), rng):
                ref, pid = pool[j]
                if len(wrong) == 3:
                    break
                if ref.startswith(f"{o.set_id}_") or pid == right.product_id or any(pid == w[1] for w in wrong):
                    continue
                if not strict or violations(rest + [by_id[pid]]):
                    wrong.append((ref, pid))
        if len(wrong) < 3:
            continue
        questions.append({"question": [f"{o.set_id}_{k + 1}" for k in range(len(o.items)) if k != pos],
                          "answers": [f"{o.set_id}_{pos + 1}"] + [w[0] for w in wrong],
                          "blank_position": pos + 1})
    return questions


def _sample_order(n: int, rng: np.random.Generator, tries: int = 60):
    """Random indices into ``n`` items: ``tries`` draws with replacement, then every index once in random order."""
    yield from (int(j) for j in rng.integers(0, n, size=tries))
    yield from (int(j) for j in rng.permutation(n))


def compatibility_lines(outfits: Sequence[Outfit], by_id: dict[str, DemoProduct], seed: int, split: str) -> list[str]:
    """Polyvore compatibility lines for one split: ``1 setid_1 …`` per outfit, then its ``0 …`` negative."""
    rng = np.random.default_rng([seed, 13, SPLITS.index(split)])
    mine = [o for o in outfits if o.split == split]
    occ = _occurrences(mine, by_id)
    lines = []
    for o in mine:
        lines.append("1 " + " ".join(f"{o.set_id}_{i}" for i in range(1, len(o.items) + 1)))
        for _ in range(50):
            refs = [occ[by_id[p].slot][int(rng.integers(len(occ[by_id[p].slot])))] for p in o.items]
            if violations([by_id[pid] for _, pid in refs]) and len({pid for _, pid in refs}) == len(refs):
                break
        lines.append("0 " + " ".join(ref for ref, _ in refs))
    return lines
