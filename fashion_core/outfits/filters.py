"""The shopper's filters as masks over an index's products: price range, colours, and the free-text refine.

``Filters`` (:mod:`fashion_core.results`) travel with a query; :func:`filter_mask` turns price and colours into
one boolean mask (a catalog without prices ignores a price filter and says so), and :class:`Refiner` scores how
well each product matches a refine text ("black leather", "white sneakers") through its colour attribute and
its title words. The gender filter is not here: it sets the wearer (:mod:`.search`).
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from ..results import Filters
from . import rules
from .profile import CatalogProfile


def _colour_words(name: str | None) -> set[str]:
    return set((name or "").lower().split())


def colour_matches(item_colour: str | None, wanted: str) -> bool:
    """True when an item's colour is the wanted one or names it (``navy blue`` for ``blue`` or ``navy``)."""
    if item_colour is None:
        return False
    w = " ".join(wanted.lower().split())
    return item_colour == w or set(w.split()) <= _colour_words(item_colour)


def filter_mask(profile: CatalogProfile, filters: Filters | None) -> tuple[np.ndarray | None, list[str]]:
    """Rows that pass the price and colour filters (None: no such filter), and notes for the shopper."""
    if filters is None:
        return None, []
    notes: list[str] = []
    mask = None
    if filters.price_min is not None or filters.price_max is not None:
        if not profile.has["price"]:
            notes.append("This catalog has no prices, so the price filter is not applied.")
        else:
            lo = -np.inf if filters.price_min is None else float(filters.price_min)
            hi = np.inf if filters.price_max is None else float(filters.price_max)
            with np.errstate(invalid="ignore"):
                mask = (profile.price >= lo) & (profile.price <= hi)
    if filters.colours:
        if not profile.has["colour"]:
            notes.append("This catalog names no colours, so the colour filter is not applied.")
        else:
            ok = {n for n in profile.colour_names if any(colour_matches(n, w) for w in filters.colours)}
            cmask = profile.colour_rows(ok)
            mask = cmask if mask is None else mask & cmask
    return mask, notes


def _stem(word: str) -> str:
    w = word.replace("'", "")
    return w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w


class Refiner:
    """Scores products against a refine text: colour words count through the colour attribute (or the title),
    other words through the title. Built once per index (an inverted index of title words)."""

    def __init__(self, profile: CatalogProfile, titles: list[str]):
        self.profile = profile
        self._rows: dict[str, list[int]] = defaultdict(list)
        for r, t in enumerate(titles):
            for w in set(_stem(w) for w in rules.words_of(t)):
                self._rows[w].append(r)
        self._arrays: dict[str, np.ndarray] = {}

    def _word_rows(self, word: str) -> np.ndarray:
        key = _stem(word)
        if key not in self._arrays:
            self._arrays[key] = np.asarray(self._rows.get(key, []), dtype=np.int64)
        return self._arrays[key]

    @staticmethod
    def parse(text: str) -> tuple[list[str], list[str]]:
        """(colour names, other words) of a refine text; two-word colours first (``navy blue``)."""
        ws = rules.words_of(text)
        colours, words, i = [], [], 0
        while i < len(ws):
            pair = f"{ws[i]} {ws[i + 1]}" if i + 1 < len(ws) else ""
            if pair in rules.COLOUR_FAMILY:
                colours.append(pair)
                i += 2
                continue
            (colours if ws[i] in rules.COLOUR_FAMILY else words).append(ws[i])
            i += 1
        return colours, [w for w in words if len(w) > 1]

    def scores(self, text: str) -> np.ndarray | None:
        """(n,) share of the refine's terms each product matches (0..1); None for an empty refine."""
        colours, words = self.parse(text)
        terms = len(colours) + len(words)
        if terms == 0:
            return None
        score = np.zeros(self.profile.n, dtype=np.float32)
        for c in colours:
            hit = self.profile.colour_rows({n for n in self.profile.colour_names if colour_matches(n, c)})
            unknown = self.profile.colour_code < 0
            in_title = np.zeros(self.profile.n, dtype=bool)
            for part in c.split():
                rows = self._word_rows(part)
                in_title[rows] = True
            score += hit | (unknown & in_title)
        for w in words:
            score[self._word_rows(w)] += 1.0
        return score / terms


def refine_label(text: str) -> str:
    """How a reason names the refine (quoted, short)."""
    t = " ".join(text.split())
    return f"matches '{t[:40]}'"
