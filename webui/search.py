"""Catalog search for shoppers: BM25 over the product titles, with whole-word matching ("men" is not "women",
"shirt" is not "T-shirt"), an exact product ID first, the gender, colour and price filters, a sort and pages.

Pure functions over a ``Catalog``; the Catalog page only draws what they return.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from fashion_core import taxonomy
from fashion_core.catalog import Catalog, Product

from .cards import _COLOUR_KEYS, _first

_WORD = re.compile(r"[a-z0-9]+(?:['’-][a-z0-9]+)*")
SORTS = ("Best match", "Price: low to high", "Price: high to low", "Title A–Z")
GENDERS = ("Men", "Women", "Boys", "Girls", "Unisex")


def words(text: str) -> list[str]:
    """Title words as search terms: lower case, whole words, hyphens and apostrophes joined ("T-shirt" → "tshirt",
    "Men's" → "men"), a plural "s" dropped ("shirts" → "shirt")."""
    out = []
    for w in _WORD.findall(text.lower()):
        w = re.sub(r"['’]s$", "", w).replace("-", "").replace("'", "").replace("’", "")
        if len(w) > 3 and w.endswith("s") and not w.endswith("ss"):
            w = w[:-1]
        if w:
            out.append(w)
    return out


class TitleIndex:
    """BM25 (k1 = 1.2, b = 0.75) over the catalog's titles; :meth:`rank` gives products by relevance."""

    def __init__(self, products: Sequence[Product], k1: float = 1.2, b: float = 0.75):
        self.products = list(products)
        self.k1, self.b = k1, b
        self.docs = [Counter(words(p.title)) for p in self.products]
        self.lengths = [sum(d.values()) for d in self.docs]
        self.avg = (sum(self.lengths) / len(self.lengths)) if self.lengths else 1.0
        self.postings: dict[str, list[int]] = {}
        for i, d in enumerate(self.docs):
            for w in d:
                self.postings.setdefault(w, []).append(i)

    def idf(self, word: str) -> float:
        """BM25's inverse document frequency of a term (never negative)."""
        n, df = len(self.docs), len(self.postings.get(word, ()))
        return math.log(1 + (n - df + 0.5) / (df + 0.5))

    def scores(self, query: str) -> dict[int, float]:
        """BM25 score of every product that holds at least one query word."""
        out: dict[int, float] = {}
        for w in set(words(query)):
            idf = self.idf(w)
            for i in self.postings.get(w, ()):
                tf = self.docs[i][w]
                norm = tf + self.k1 * (1 - self.b + self.b * self.lengths[i] / self.avg)
                out[i] = out.get(i, 0.0) + idf * tf * (self.k1 + 1) / norm
        return out

    def rank(self, query: str) -> list[Product]:
        """Products holding a query word, best BM25 score first (ties in catalog order)."""
        scored = self.scores(query)
        return [self.products[i] for i in sorted(scored, key=lambda i: (-scored[i], i))]


# ---------------------------------------------------------------- facets and filters

def gender_of(p: Product) -> str:
    """The product's gender column ('' when the catalog has none)."""
    return str(p.attributes.get("gender", "")).strip()


def colour_of(p: Product) -> str:
    """The product's colour column ('' when the catalog has none)."""
    return _first(p.attributes, _COLOUR_KEYS)


def price_of(p: Product) -> float | None:
    """The product's price, when the catalog has a readable one."""
    try:
        value = float(str(p.attributes.get("price", "")).replace(",", ""))
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def catalog_categories(catalog: Catalog) -> list[str]:
    """Categories present in the catalog, in taxonomy order."""
    present = {p.category for p in catalog.products}
    return [c for c in taxonomy.CATEGORIES if c in present]


def facet_values(products: Iterable[Product], of) -> list[str]:
    """Distinct non-empty values of a facet, most common first."""
    counts = Counter(v for v in map(of, products) if v)
    return [v for v, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


@dataclass(frozen=True)
class CatalogQuery:
    """What the shopper searches the catalog for."""

    text: str = ""
    category: str | None = None
    gender: str | None = None
    colour: str | None = None
    price_min: float | None = None
    price_max: float | None = None
    sort: str = SORTS[0]


@dataclass(frozen=True)
class SearchResult:
    """The products that match, and whether the text was an exact product ID."""

    products: list[Product]
    by_id: bool = False
    looks_like_id: bool = False


def looks_like_id(text: str) -> bool:
    """True for one token with a digit in it (a product ID rather than words)."""
    t = text.strip()
    return bool(t) and " " not in t and any(c.isdigit() for c in t)


def search(catalog: Catalog, index: TitleIndex, q: CatalogQuery) -> SearchResult:
    """Products for a catalog query: an exact ID alone, else BM25-ranked title matches (or all products), then
    the filters and the sort. A gender filter keeps that gender and Unisex."""
    text = q.text.strip()
    if text and text in catalog:
        return SearchResult([catalog.get(text)], by_id=True)
    items = index.rank(text) if text else list(catalog.products)
    if q.category not in (None, "", "All"):
        items = [p for p in items if p.category == q.category]
    if q.gender:
        items = [p for p in items if gender_of(p) in (q.gender, "Unisex")]
    if q.colour:
        items = [p for p in items if colour_of(p) == q.colour]
    if q.price_min is not None or q.price_max is not None:
        lo = q.price_min if q.price_min is not None else -math.inf
        hi = q.price_max if q.price_max is not None else math.inf
        items = [p for p in items if (v := price_of(p)) is not None and lo <= v <= hi]
    if q.sort == SORTS[1]:
        items.sort(key=lambda p: (price_of(p) is None, price_of(p) or 0.0))
    elif q.sort == SORTS[2]:
        items.sort(key=lambda p: (price_of(p) is None, -(price_of(p) or 0.0)))
    elif q.sort == SORTS[3]:
        items.sort(key=lambda p: p.title.lower())
    return SearchResult(items, looks_like_id=looks_like_id(text))


def page_of(items: Sequence, page: int, per_page: int) -> tuple[list, int]:
    """Items of 1-based ``page`` (clamped into range) and the number of pages (at least 1)."""
    n_pages = max(1, math.ceil(len(items) / per_page))
    page = min(max(1, int(page)), n_pages)
    return list(items[(page - 1) * per_page: page * per_page]), n_pages
