"""What the rules know about items: gender, occasion, season, colour and price, read once per catalog.

:class:`ItemProfile` is one item's values (a product's, or an image query's given and inferred ones);
:class:`CatalogProfile` holds them for every product of an index as small code arrays, so the hard rules are
boolean masks and the soft rules are table lookups (vectorised over a slot's candidates).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from .. import taxonomy
from . import rules

USAGES: tuple[str, ...] = ("casual", "smart casual", "formal", "sports", "ethnic", "party", "travel", "home")
SEASONS: tuple[str, ...] = ("summer", "spring", "fall", "winter", "all-season")
FAMILIES: tuple[str, ...] = tuple(rules.COLOUR_FAMILIES)
PRICE_COLUMNS = ("price", "sale_price", "price_eur", "price_usd")


@dataclass(frozen=True)
class ItemProfile:
    """What is known of one item; None = unknown (the rule then says nothing)."""

    gender: str | None = None
    usage: str | None = None
    season: str | None = None
    colour: str | None = None
    price: float | None = None
    sources: dict[str, str] = field(default_factory=dict, compare=False)
    """Where each value came from (``catalog``, ``title``, ``given``, ``inferred``)."""
    wearer_probs: tuple[float, ...] | None = field(default=None, compare=False)
    """For an inferred wearer: the probabilities of Men, Women, Boys, Girls (the search prefers items that fit
    every likely wearer when the photo leaves doubt)."""

    @classmethod
    def of(cls, attrs: Mapping[str, str] | None, title: str | None, source: str = "catalog") -> ItemProfile:
        """Values from attribute columns (``source``) and title words (``title``)."""
        attrs = attrs or {}
        col = rules._first
        values, sources = {}, {}
        for name, column_fn, title_fn in (
                ("gender", lambda a: rules.gender_of_value(col(a, rules.RULE_BY_NAME["wearer"].columns)),
                 rules.gender_from_title),
                ("usage", lambda a: _usage_column(a), lambda t: rules.item_usage({}, t)),
                ("season", lambda a: _season_column(a), lambda t: rules.item_season({}, t)),
                ("colour", lambda a: rules.colour_name(col(a, rules.RULE_BY_NAME["colour"].columns)),
                 rules.colour_from_title)):
            v = column_fn(attrs)
            if v is not None:
                values[name], sources[name] = v, source
            elif title and (v := title_fn(title)) is not None:
                values[name], sources[name] = v, "title"
        price = parse_price(col(attrs, PRICE_COLUMNS))
        if price is not None:
            values["price"], sources["price"] = price, source
        return cls(**values, sources=sources)

    def merged(self, other: ItemProfile) -> ItemProfile:
        """This profile with ``other``'s values where this one has none."""
        changes = {k: getattr(other, k) for k in ("gender", "usage", "season", "colour", "price")
                   if getattr(self, k) is None and getattr(other, k) is not None}
        sources = {**{k: v for k, v in other.sources.items() if k in changes}, **self.sources}
        if "gender" in changes and other.wearer_probs is not None:
            changes["wearer_probs"] = other.wearer_probs
        return replace(self, **changes, sources=sources)


def _usage_column(attrs: Mapping[str, str]) -> str | None:
    raw = rules._first(attrs, rules.RULE_BY_NAME["usage"].columns)
    return None if raw is None else rules.USAGE_VALUES.get(raw.lower())


def _season_column(attrs: Mapping[str, str]) -> str | None:
    raw = rules._first(attrs, rules.RULE_BY_NAME["season"].columns)
    return None if raw is None else rules.SEASON_VALUES.get(raw.lower())


def parse_price(value: str | None) -> float | None:
    """A price from a catalog cell (``"19.99"``, ``"€ 1,299.00"``); None when it is not a number."""
    if value is None:
        return None
    text = "".join(ch for ch in str(value) if ch.isdigit() or ch in ".,-")
    if text.count(",") and text.count("."):
        text = text.replace(",", "")
    elif text.count(",") == 1 and len(text.split(",")[1]) in (1, 2):
        text = text.replace(",", ".")
    else:
        text = text.replace(",", "")
    try:
        price = float(text)
    except ValueError:
        return None
    return price if math.isfinite(price) and price >= 0 else None


def _code(value: str | None, vocab: Sequence[str]) -> int:
    return vocab.index(value) if value in vocab else -1


def _affinity_matrix(vocab: Sequence[str], fn) -> np.ndarray:
    """(len+1, len+1) table of ``fn`` over the vocabulary, centred (0.5 → 0); the last row/column (unknown) is 0."""
    n = len(vocab)
    m = np.zeros((n + 1, n + 1), dtype=np.float32)
    for i, a in enumerate(vocab):
        for j, b in enumerate(vocab):
            v = fn(a, b)
            m[i, j] = 0.0 if v is None else v - 0.5
    return m


def _family_affinity(a: str, b: str) -> float:
    if "neutral" in (a, b):
        return 1.0
    if "multi" in (a, b):
        return 0.0
    return 1.0 if a == b else rules.FAMILY_AFFINITY.get(frozenset({a, b}), 0.0)


USAGE_TABLE = _affinity_matrix(USAGES, rules.usage_affinity)
SEASON_TABLE = _affinity_matrix(SEASONS, rules.season_affinity)
FAMILY_TABLE = _affinity_matrix(FAMILIES, _family_affinity)
"""Soft-rule tables over codes, centred on 0.5 (a good match is +0.5, a clash −0.5, unknown 0); index −1 is
unknown."""


class CatalogProfile:
    """Row-aligned rule values of every product of an index (codes; −1 = unknown)."""

    def __init__(self, profiles: Sequence[ItemProfile], titles: Sequence[str], categories: Sequence[str] = ()):
        self.n = len(profiles)
        cats = list(categories) if categories else [None] * self.n
        self.category = np.array([taxonomy.CATEGORIES.index(c) if c in taxonomy.CATEGORIES else -1 for c in cats],
                                 dtype=np.int8)
        self.gender = np.array([_code(p.gender, rules.GENDERS) for p in profiles], dtype=np.int8)
        self.usage = np.array([_code(p.usage, USAGES) for p in profiles], dtype=np.int8)
        self.season = np.array([_code(p.season, SEASONS) for p in profiles], dtype=np.int8)
        self.colour = [p.colour for p in profiles]
        self.colour_names = sorted({c for c in self.colour if c is not None})
        code = {c: i for i, c in enumerate(self.colour_names)}
        self.colour_code = np.array([code.get(c, -1) if c is not None else -1 for c in self.colour], dtype=np.int16)
        self.family = np.array([_code(rules.COLOUR_FAMILY.get(p.colour or ""), FAMILIES) for p in profiles],
                               dtype=np.int8)
        self.price = np.array([np.nan if p.price is None else p.price for p in profiles], dtype=np.float32)
        self.title_key = [" ".join(t.lower().split()) for t in titles]
        self.gender_sources = {p.sources.get("gender") for p in profiles} - {None}
        self._fit: dict[str | None, np.ndarray] = {}

    @classmethod
    def of_products(cls, products) -> CatalogProfile:
        """The profile of catalog products (their attribute columns, else their title words)."""
        return cls([ItemProfile.of(p.attributes, p.title) for p in products], [p.title for p in products],
                   [p.category for p in products])

    def item(self, row: int) -> ItemProfile:
        """One product's values."""
        g, u, s = int(self.gender[row]), int(self.usage[row]), int(self.season[row])
        return ItemProfile(rules.GENDERS[g] if g >= 0 else None, USAGES[u] if u >= 0 else None,
                           SEASONS[s] if s >= 0 else None, self.colour[row],
                           None if np.isnan(self.price[row]) else float(self.price[row]))

    @property
    def has(self) -> dict[str, bool]:
        """Which rule values any product has (a catalog without a column gets no constraint from it)."""
        return {"gender": bool((self.gender >= 0).any()), "usage": bool((self.usage >= 0).any()),
                "season": bool((self.season >= 0).any()), "colour": bool((self.family >= 0).any()),
                "price": bool(np.isfinite(self.price).any())}

    def fit_mask(self, wearer: str | None) -> np.ndarray:
        """Rows ``wearer`` may wear: their gender fits (hard rule ``wearer``) and so does their category (hard
        rule ``slot-wearer``: no skirt for Men); every row when None."""
        if wearer not in self._fit:
            if wearer is None:
                mask = np.ones(self.n, dtype=bool)
            else:
                ok = np.array([wearer in rules.FITS[g] for g in rules.GENDERS] + [True])
                wears = np.array([rules.category_fits(c, wearer) for c in taxonomy.CATEGORIES] + [True])
                mask = ok[self.gender] & wears[self.category]
            self._fit[wearer] = mask
        return self._fit[wearer]

    def colour_rows(self, names: set[str]) -> np.ndarray:
        """Mask of rows whose colour is one of ``names``."""
        codes = [i for i, c in enumerate(self.colour_names) if c in names]
        return np.isin(self.colour_code, codes)

    def genders_known(self) -> bool:
        """True when some product says who it is for."""
        return bool((self.gender >= 0).any())


def query_codes(p: ItemProfile) -> tuple[int, int, int]:
    """(usage, season, colour family) codes of a query profile, −1 for unknown."""
    return (_code(p.usage, USAGES), _code(p.season, SEASONS),
            _code(rules.COLOUR_FAMILY.get(p.colour or ""), FAMILIES))
