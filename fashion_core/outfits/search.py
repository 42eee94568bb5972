"""Complete the look as a search: the outfit is chosen jointly over the slots, and each slot's alternatives are
diverse.

For every slot that fits the query and the wearer, the candidates are the slot's products that pass the hard
rules and the shopper's filters, ranked by their *unary* score: the learned compatibility with the query
(standardised over the slot: 1 = one standard deviation) plus the soft rules against the query
(:mod:`.rules`, weights :class:`~fashion_core.outfits.rules.SoftWeights`) plus the refine match. A beam search then
adds one slot at a time, scoring each item also against the items already chosen (learned compatibility and soft
rules between them, and a penalty for too many loud colours), so every item fits the query *and* the rest of the
outfit. A one-piece and top + bottom are two templates, searched separately. When the wearer is not known, each
wearer the query fits is tried and the best outfit wins: all items of one outfit fit one wearer. Alternatives
per slot are ranked against the chosen outfit and never repeat a title or a near-identical image.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from .. import taxonomy
from ..results import Filters, Outfit, Recommendation, Wearer
from . import rules
from .filters import Refiner, filter_mask, refine_label
from .profile import FAMILIES, FAMILY_TABLE, SEASON_TABLE, USAGE_TABLE, CatalogProfile, ItemProfile, query_codes

BEAM = 6
"""States kept per step of the beam search."""
BEAM_CANDIDATES = 12
"""Best candidates per slot the beam tries."""
POOL = 40
"""Best candidates per slot kept for the alternatives (after the diversity filter)."""
EXACT_LIMIT = 60_000
"""Slots up to this size are scored exactly (one matrix product); larger ones through their ANN index."""
ANN_FETCH = 400
"""Candidates fetched from a slot's ANN index per query (more when the filters leave too few)."""
NEAR_IDENTICAL = 0.985
"""Two products whose raw image features have at least this cosine count as the same picture."""
NEUTRAL = FAMILIES.index("neutral")


@dataclass
class SlotSpace:
    """One slot's products in the outfit space: global rows, their unit embeddings (exact scoring) and/or an
    ANN index over them."""

    slot: str
    rows: np.ndarray
    emb: np.ndarray | None = None
    ann: object | None = None


@dataclass
class _Pool:
    """A slot's candidates for one query and wearer (best first)."""

    rows: np.ndarray
    unary: np.ndarray
    learned: np.ndarray
    emb: np.ndarray
    mu: float
    sd: float
    refined: bool = False


@dataclass
class SearchQuery:
    """What the search needs of a query: its outfit-space vector, slot, rule values and who may wear it."""

    vector: np.ndarray
    category: str
    profile: ItemProfile = field(default_factory=ItemProfile)
    exclude_rows: frozenset[int] = frozenset()
    wearer: Wearer = field(default_factory=Wearer)


class OutfitSearch:
    """Joint outfit search over one index's slot spaces, with the rules on or off."""

    def __init__(self, slots: dict[str, SlotSpace], embeddings: np.ndarray, products: Sequence, features: np.ndarray,
                 profile: CatalogProfile, weights: rules.SoftWeights, trained: bool, reason: str):
        """``slots``: the slot spaces; ``embeddings``: (n, d) unit rows of every product in the outfit space
        (read for ANN-only slots); ``features``: raw image features (near-identical pictures)."""
        self.slots = slots
        self.embeddings = embeddings
        self.products = products
        self.features = features
        self.profile = profile
        self.weights = weights
        self.trained = trained
        self.reason = reason
        self._refiner: Refiner | None = None

    @property
    def refiner(self) -> Refiner:
        """The refine scorer (an inverted index of title words, built on first use)."""
        if self._refiner is None:
            self._refiner = Refiner(self.profile, [p.title for p in self.products])
        return self._refiner

    # ------------------------------------------------------------------ wearers
    def wearer_options(self, query: SearchQuery, use_rules: bool) -> list[str | None]:
        """The wearers to try: the known one, those a Unisex / Kids query fits, or every wearer when the catalog
        knows genders and the query does not (None: no constraint)."""
        if not use_rules or not self.profile.genders_known():
            return [None]
        g = query.wearer.gender or query.profile.gender
        if g is None:
            return list(rules.WEARERS)
        return sorted(rules.wearers_of(g), key=rules.WEARERS.index)

    # ------------------------------------------------------------------ the answer
    def complete(self, query: SearchQuery, k: int = 5, filters: Filters | None = None,
                 use_rules: bool = True) -> Outfit:
        """The best outfit around ``query`` and up to ``k`` alternatives per slot (see the module docstring)."""
        if k < 1:
            raise ValueError(f"k must be at least 1, got {k}")
        filters = filters or Filters()
        query_slot = taxonomy.slot_of(query.category)
        slots = [s for s in taxonomy.complementary_slots(query_slot) if s in self.slots]
        if filters.slots is not None:
            unknown = sorted(set(filters.slots) - set(taxonomy.SLOTS))
            if unknown:
                raise ValueError(f"unknown slot(s) {', '.join(unknown)}; expected some of {', '.join(taxonomy.SLOTS)}")
            slots = [s for s in slots if s in filters.slots]
        mask, notes = filter_mask(self.profile, filters)
        refine = self.refiner.scores(filters.refine) if filters.refine.strip() else None
        scored = {s: self._score_slot(s, query.vector) for s in slots}
        qcodes = query_codes(query.profile) if use_rules else (-1, -1, -1)
        best = None
        for wearer in self.wearer_options(query, use_rules):
            pools = {}
            for s in slots:
                if use_rules and not rules.slot_fits(s, wearer):
                    continue
                pool = self._pool(s, scored[s], query, wearer, mask, refine, qcodes, use_rules)
                if pool is not None:
                    pools[s] = pool
            for template in _templates(query_slot, list(pools)):
                chosen, score = self._beam({s: pools[s] for s in template}, query, use_rules)
                if chosen and (best is None or score > best[0] + 1e-9):
                    best = (score, wearer, chosen, pools)
        result = Outfit(query_category=query.category, trained=self.trained, notes=notes)
        if best is None:
            if not slots:
                result.notes.append("No outfit slot is left to fill with these filters.")
            else:
                result.notes.append("Nothing in this catalog fits these filters and the wearer.")
            result.wearer = query.wearer if query.wearer.known else None
            return result
        _, wearer, chosen, pools = best
        result.wearer = self._wearer_of(query, wearer, use_rules)
        context = {s: pools[s].emb[j] for s, j in chosen.items()}
        for s in taxonomy.SLOTS:
            if s not in pools:
                continue
            recs = self._alternatives(s, pools[s], chosen.get(s), context, query, wearer, k, filters, refine,
                                      use_rules)
            if recs:
                result.by_slot[s] = recs
                if s in chosen:
                    result.outfit.append(recs[0])
        if refine is not None:
            missed = [s for s in result.by_slot if not pools[s].refined]
            if missed:
                result.notes.append(f"Nothing matches '{filters.refine.strip()}' in {', '.join(missed)}: "
                                    "those slots show the best other items.")
        return result

    def _wearer_of(self, query: SearchQuery, wearer: str | None, use_rules: bool) -> Wearer | None:
        if wearer is None:
            return query.wearer if query.wearer.known else None
        if query.wearer.gender == wearer:
            return query.wearer
        source = query.wearer.source if query.wearer.known else (
            query.profile.sources.get("gender", "search") if query.profile.gender else "search")
        return Wearer(wearer, source, query.wearer.confidence if query.wearer.known else 1.0)

    # ------------------------------------------------------------------ candidates
    def _score_slot(self, slot: str, vector: np.ndarray) -> tuple[np.ndarray, np.ndarray, float, float]:
        """(rows, learned scores, mean, std) of a slot for the query vector: every product when the slot is
        small enough, else the ANN index's best."""
        space = self.slots[slot]
        if space.emb is not None:
            sims = space.emb @ vector
            rows = space.rows
        else:
            idx, sims = space.ann.query(vector, min(ANN_FETCH, len(space.rows)))
            rows = space.rows[np.asarray(idx, dtype=np.int64)]
            sims = np.asarray(sims, dtype=np.float32)
        mu = float(sims.mean()) if len(sims) else 0.0
        sd = float(sims.std()) if len(sims) > 1 else 1.0
        return rows, np.asarray(sims, dtype=np.float32), mu, max(sd, 1e-3)

    def _pool(self, slot: str, scored, query: SearchQuery, wearer: str | None, mask: np.ndarray | None,
              refine: np.ndarray | None, qcodes: tuple[int, int, int], use_rules: bool) -> _Pool | None:
        rows, sims, mu, sd = scored
        ok = np.ones(len(rows), dtype=bool)
        if use_rules:
            ok &= self.profile.fit_mask(wearer)[rows]
        if mask is not None:
            ok &= mask[rows]
        if query.exclude_rows:
            ok &= ~np.isin(rows, np.fromiter(query.exclude_rows, dtype=np.int64))
        z = (sims - mu) / sd
        unary = self.weights.learned * z
        if use_rules:
            unary = unary + self._soft(qcodes, rows)
            doubt = self._doubt(query)
            if doubt is not None:
                unary = unary + self.weights.doubt * doubt[self.profile.gender[rows]]
        refined = False
        if refine is not None:
            r = refine[rows]
            if (ok & (r > 0)).any():
                ok &= r > 0
                unary = unary + self.weights.refine * r
                refined = True
        idx = np.flatnonzero(ok)
        if len(idx) == 0:
            return None
        if len(idx) > POOL * 4:  # the best POOL * 2 without sorting the whole slot
            cut = -np.partition(-unary[idx], POOL * 2)[POOL * 2]
            idx = idx[unary[idx] >= cut]
        top = idx[np.lexsort((idx, -unary[idx]))][: POOL * 2]
        keep = self._diverse(rows[top], POOL)
        top = top[keep]
        emb = self._emb(slot, rows[top])
        return _Pool(rows[top], unary[top].astype(np.float32), sims[top], emb, mu, sd, refined)

    def _doubt(self, query: SearchQuery) -> np.ndarray | None:
        """log(chance that an item of each gender code fits the wearer) for a wearer inferred from the query's
        photo (index −1, unknown gender: 0); None when the wearer is known."""
        probs = query.profile.wearer_probs
        if probs is None or (query.wearer.known and query.wearer.source != "inferred") \
                or query.profile.sources.get("gender") != "inferred":
            return None
        return np.log(np.clip(rules.fit_chance(probs), 0.05, 1.0)).astype(np.float32)

    def _soft(self, qcodes: tuple[int, int, int], rows: np.ndarray) -> np.ndarray:
        w, p = self.weights, self.profile
        qu, qs, qf = qcodes
        return (w.usage * USAGE_TABLE[qu, p.usage[rows]] + w.season * SEASON_TABLE[qs, p.season[rows]]
                + w.colour * FAMILY_TABLE[qf, p.family[rows]])

    def _emb(self, slot: str, rows: np.ndarray) -> np.ndarray:
        space = self.slots[slot]
        if space.emb is not None:
            pos = np.searchsorted(space.rows, rows)
            return space.emb[pos]
        order = np.argsort(rows)
        out = np.empty((len(rows), self.embeddings.shape[1]), dtype=np.float32)
        out[order] = np.asarray(self.embeddings[rows[order]], dtype=np.float32)
        return out

    def _diverse(self, rows: np.ndarray, limit: int) -> np.ndarray:
        """Positions of ``rows`` (best first) that repeat no kept title and no near-identical picture."""
        feats = np.asarray(self.features[np.sort(rows)], dtype=np.float32)
        order = np.argsort(rows)
        f = np.empty_like(feats)
        f[order] = feats
        f /= np.maximum(np.linalg.norm(f, axis=1, keepdims=True), 1e-12)
        near = (f @ f.T) >= NEAR_IDENTICAL
        keep: list[int] = []
        titles: set[str] = set()
        blocked = np.zeros(len(rows), dtype=bool)
        for i, r in enumerate(rows.tolist()):
            t = self.profile.title_key[r]
            if t in titles or blocked[i]:
                continue
            keep.append(i)
            titles.add(t)
            blocked |= near[i]
            if len(keep) >= limit:
                break
        return np.asarray(keep, dtype=np.int64)

    # ------------------------------------------------------------------ the joint choice
    def _pair(self, pool: _Pool, j: np.ndarray | slice, others: list[tuple[str, int]],
              pools: dict[str, _Pool], use_rules: bool) -> np.ndarray:
        """Score of candidates ``j`` of ``pool`` with already chosen items (learned + soft rules between them)."""
        if not others:
            return np.zeros(len(pool.rows[j]), dtype=np.float32)
        w, p = self.weights, self.profile
        emb = pool.emb[j]
        rows = pool.rows[j]
        total = np.zeros(len(rows), dtype=np.float32)
        for s, i in others:
            o = pools[s]
            total += w.pair * ((emb @ o.emb[i]) - pool.mu) / pool.sd
            if use_rules:
                r = o.rows[i]
                total += (w.usage * USAGE_TABLE[p.usage[rows], p.usage[r]]
                          + w.season * SEASON_TABLE[p.season[rows], p.season[r]]
                          + w.colour * FAMILY_TABLE[p.family[rows], p.family[r]])
        return total / len(others)

    def _loud(self, families: set[int], rows: np.ndarray) -> np.ndarray:
        """Penalty of adding each of ``rows`` to a look whose loud colour families are ``families``."""
        fam = self.profile.family[rows]
        new = np.array([(f >= 0 and f != NEUTRAL and f not in families) for f in fam.tolist()], dtype=bool)
        over = (len(families) + new.astype(int)) - rules.LOUD_LIMIT
        return self.weights.loud * np.where(new & (over > 0), 1.0, 0.0).astype(np.float32)

    def _beam(self, pools: dict[str, _Pool], query: SearchQuery, use_rules: bool) -> tuple[dict[str, int], float]:
        """The best choice of one candidate per slot (beam search in slot order) and its mean item score."""
        order = [s for s in taxonomy.SLOTS if s in pools]
        qf = query_codes(query.profile)[2]
        start = frozenset({qf}) if use_rules and qf >= 0 and qf != NEUTRAL else frozenset()
        beam: list[tuple[float, tuple[tuple[str, int], ...], frozenset[int]]] = [(0.0, (), start)]
        for s in order:
            pool = pools[s]
            m = min(BEAM_CANDIDATES, len(pool.rows))
            grown = []
            for total, chosen, fams in beam:
                gain = pool.unary[:m] + self._pair(pool, slice(0, m), list(chosen), pools, use_rules)
                if use_rules:
                    gain = gain - self._loud(set(fams), pool.rows[:m])
                for j in np.argsort(-gain, kind="stable")[:BEAM].tolist():
                    f = int(self.profile.family[pool.rows[j]])
                    nf = fams | {f} if use_rules and f >= 0 and f != NEUTRAL else fams
                    grown.append((total + float(gain[j]), chosen + ((s, j),), nf))
            grown.sort(key=lambda t: (-t[0], [c[1] for c in t[1]]))
            beam = grown[:BEAM] if grown else beam
        total, chosen, _ = beam[0]
        return ({s: j for s, j in chosen}, total / max(1, len(chosen)))

    def _alternatives(self, slot: str, pool: _Pool, chosen: int | None, context: dict[str, np.ndarray],
                      query: SearchQuery, wearer: str | None, k: int, filters: Filters,
                      refine: np.ndarray | None, use_rules: bool) -> list[Recommendation]:
        """The slot's list: the outfit's item first, then the best others against the chosen outfit."""
        others = [(s, e) for s, e in context.items() if s != slot and taxonomy.compatible_slots(slot, s)]
        score = pool.unary.copy()
        if others:
            ctx = np.stack([e for _, e in others])
            score += self.weights.pair * (((pool.emb @ ctx.T) - pool.mu) / pool.sd).mean(axis=1)
        order = [int(i) for i in np.argsort(-score, kind="stable")]
        if chosen is not None:
            order = [chosen] + [i for i in order if i != chosen]
        recs = []
        for i in order[:k]:
            row = int(pool.rows[i])
            matched = refine is not None and refine[row] > 0
            recs.append(Recommendation(self.products[row], float(pool.learned[i]), self.reason, slot,
                                       self.reasons(row, query, wearer, float(pool.learned[i]),
                                                    filters.refine if matched else "", use_rules)))
        return recs

    # ------------------------------------------------------------------ what the shopper reads
    def reasons(self, row: int, query: SearchQuery, wearer: str | None, learned: float, matched: str,
                use_rules: bool) -> tuple[str, ...]:
        """Reasons a shopper can read on a card: who it is for, the shared occasion / season, the colour it goes
        with, the refine it matches, and the compatibility score."""
        item = self.profile.item(row)
        out = []
        if use_rules:
            out += rule_reasons(item, query.profile, wearer)
        if matched:
            out.append(refine_label(matched))
        out.append(f"{'compatibility' if self.trained else 'looks alike'} {learned:.2f}")
        return tuple(out)


def rule_reasons(item: ItemProfile, query: ItemProfile, wearer: str | None) -> list[str]:
    """The rules that held between an item and the query, in shop words ("women", "casual", "goes with navy")."""
    out = []
    if wearer is not None:
        out.append(wearer.lower())
    elif item.gender is not None:
        out.append(item.gender.lower())
    if item.usage is not None and (query.usage is None or rules.usage_affinity(item.usage, query.usage) >= 0.5):
        out.append(item.usage)
    if item.season is not None and query.season is not None and item.season != "all-season" \
            and (rules.season_affinity(item.season, query.season) or 0) >= 0.6:
        out.append(item.season)
    if query.colour is not None and item.colour is not None and (rules.colour_affinity(item.colour, query.colour) or 0) >= 0.5:
        out.append(f"goes with {query.colour}")
    return out


def _templates(query_slot: str, slots: list[str]) -> list[list[str]]:
    """The slot sets to search: with a one-piece, or with top + bottom (never both)."""
    if "one-piece" in slots and ({"top", "bottom"} & set(slots)):
        return [[s for s in slots if s != "one-piece"], [s for s in slots if s not in ("top", "bottom")]]
    return [slots]
