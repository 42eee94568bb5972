"""The joint outfit search: hard rules, one wearer, the joint choice, diversity, soft rules, filters, reasons."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from fashion_core.catalog import Product
from fashion_core.outfits.profile import CatalogProfile, ItemProfile
from fashion_core.outfits.rules import SoftWeights
from fashion_core.outfits.search import OutfitSearch, SearchQuery, SlotSpace
from fashion_core.results import Filters, Wearer

DIM = 16


def _catalog(rows: list[dict], seed: int = 0):
    """Products from rows of (category, gender, usage, colour, title, price?) and random unit embeddings."""
    products = [Product(f"p{i}", r.get("title", f"item {i}"), r["category"], Path(f"/x/{i}.jpg"),
                        {k: v for k, v in r.items() if k not in ("category", "title") and v is not None})
                for i, r in enumerate(rows)]
    rng = np.random.default_rng(seed)
    emb = rng.standard_normal((len(rows), DIM)).astype(np.float32)
    for i, r in enumerate(rows):
        if "emb" in r:
            emb[i] = r["emb"]
    emb /= np.linalg.norm(emb, axis=1, keepdims=True)
    feats = rng.standard_normal((len(rows), 8)).astype(np.float32)
    for i, r in enumerate(rows):
        if "same_picture_as" in r:
            feats[i] = feats[r["same_picture_as"]]
    return products, emb, feats


def _search(products, emb, feats, weights: SoftWeights | None = None) -> OutfitSearch:
    slots = {}
    for s in sorted({p.slot for p in products}):
        rows = np.array([i for i, p in enumerate(products) if p.slot == s], dtype=np.int64)
        slots[s] = SlotSpace(s, rows, emb[rows])
    return OutfitSearch(slots, emb, products, feats, CatalogProfile.of_products(products), weights or SoftWeights(),
                        True, "goes")


def _mixed_catalog(n: int = 6):
    rows = []
    for g in ("Men", "Women", "Unisex", "Boys"):
        for c in ("top", "pants", "shoes", "bag", "belt", "skirt", "dress"):
            if g in ("Men", "Boys") and c in ("skirt", "dress"):
                continue
            for k in range(n):
                rows.append({"category": c, "gender": g, "title": f"{g} {c} {k}", "usage": "Casual",
                             "baseColour": ["Black", "Red", "Navy Blue"][k % 3]})
    return rows


def _all(outfit):
    return list(outfit.outfit) + [r for recs in outfit.by_slot.values() for r in recs]


def test_hard_rules_hold_for_a_known_wearer():
    products, emb, feats = _catalog(_mixed_catalog())
    search = _search(products, emb, feats)
    q = SearchQuery(emb[0], "top", ItemProfile(gender="Men"), frozenset({0}))
    out = search.complete(q, k=4)
    items = _all(out)
    assert items and out.wearer.gender == "Men"
    assert {r.product.attributes["gender"] for r in items} <= {"Men", "Unisex"}
    assert not {r.product.category for r in items} & {"dress", "skirt", "top"}
    assert "p0" not in {r.product.product_id for r in items}
    plain = search.complete(q, k=4, use_rules=False)  # the rules make the difference
    assert {r.product.attributes["gender"] for r in _all(plain)} - {"Men", "Unisex"}


def test_a_unisex_query_gets_one_wearer_for_the_whole_outfit():
    products, emb, feats = _catalog(_mixed_catalog())
    search = _search(products, emb, feats)
    bag = next(i for i, p in enumerate(products) if p.attributes["gender"] == "Unisex" and p.category == "bag")
    out = search.complete(SearchQuery(emb[bag], "bag", ItemProfile(gender="Unisex")), k=3)
    wearer = out.wearer.gender
    assert wearer in ("Men", "Women")
    allowed = {"Men": {"Men", "Unisex"}, "Women": {"Women", "Unisex"}}[wearer]
    assert {r.product.attributes["gender"] for r in _all(out)} <= allowed
    unknown = search.complete(SearchQuery(emb[bag], "bag"), k=3)  # nothing known: still one wearer
    genders = {r.product.attributes["gender"] for r in unknown.outfit}
    assert genders <= {unknown.wearer.gender, "Unisex"}


def test_no_constraint_when_the_catalog_says_nothing_of_gender():
    rows = [{"category": c, "title": f"{c} {k}"} for c in ("top", "pants", "shoes", "dress") for k in range(4)]
    products, emb, feats = _catalog(rows)
    out = _search(products, emb, feats).complete(SearchQuery(emb[0], "shoes"), k=4)
    assert out.wearer is None and {"top", "bottom", "one-piece"} <= set(out.by_slot)


def test_the_outfit_is_chosen_jointly():
    """Each bottom/shoe pair: b0 and s0 suit the query a bit better alone, but clash with each other; b1 and s1
    go together. The joint choice takes b1 + s1."""
    q = np.zeros(DIM, np.float32)
    q[0] = 1
    def v(*xs):
        e = np.zeros(DIM, np.float32)
        e[:len(xs)] = xs
        return e
    rows = [{"category": "pants", "title": "b0", "emb": v(0.62, 0.78, 0, 0)},
            {"category": "pants", "title": "b1", "emb": v(0.55, 0, 0.83, 0)},
            {"category": "shoes", "title": "s0", "emb": v(0.62, -0.78, 0, 0)},
            {"category": "shoes", "title": "s1", "emb": v(0.55, 0, 0.83, 0)}]
    rows += [{"category": c, "title": f"filler {c} {k}", "emb": v(-0.5, 0, 0, 0.86)}
             for c in ("pants", "shoes") for k in range(3)]
    products, emb, feats = _catalog(rows)
    out = _search(products, emb, feats, SoftWeights(pair=2.0)).complete(SearchQuery(q, "top"), k=2)
    chosen = {r.product.title for r in out.outfit}
    assert chosen == {"b1", "s1"}
    greedy = {r.product.title for r in _search(products, emb, feats, SoftWeights(pair=0.0)).complete(
        SearchQuery(q, "top"), k=2).outfit}
    assert greedy == {"b0", "s0"}  # scored alone, the clashing pair would win


def test_alternatives_repeat_no_title_and_no_picture():
    rows = [{"category": "top", "title": "query"}]
    rows += [{"category": "shoes", "title": "White Sneakers"} for _ in range(4)]
    rows += [{"category": "shoes", "title": f"shoe {k}"} for k in range(6)]
    rows += [{"category": "shoes", "title": "shoe copy", "same_picture_as": 5}]
    products, emb, feats = _catalog(rows)
    emb[1:] = emb[1]  # every shoe equally good: only diversity tells them apart
    out = _search(products, emb, feats).complete(SearchQuery(emb[1], "top", exclude_rows=frozenset({0})), k=8)
    titles = [r.product.title for r in out.by_slot["shoes"]]
    assert len(titles) == len(set(t.lower() for t in titles))
    ids = {r.product.product_id for r in out.by_slot["shoes"]}
    assert not {"p5", "p11"} <= ids  # a near-identical picture shows once


def test_usage_counts_against_the_learned_score():
    rows = [{"category": "top", "title": "formal shirt", "usage": "Formal"}]
    rows += [{"category": "shoes", "title": f"casual {k}", "usage": "Casual"} for k in range(5)]
    rows += [{"category": "shoes", "title": f"formal {k}", "usage": "Formal"} for k in range(5)]
    products, emb, feats = _catalog(rows, seed=3)
    search = _search(products, emb, feats, SoftWeights(usage=3.0))
    out = search.complete(SearchQuery(emb[0], "top", ItemProfile(usage="formal"), frozenset({0})), k=5)
    assert [r.product.attributes["usage"] for r in out.by_slot["shoes"]] == ["Formal"] * 5
    assert "formal" in out.by_slot["shoes"][0].reasons


def test_filters_refine_price_colours_slots_and_reasons():
    rows = [{"category": "top", "title": "navy shirt", "gender": "Women", "baseColour": "Navy Blue",
             "usage": "Casual", "price": "30"}]
    for k in range(6):
        rows.append({"category": "shoes", "title": f"{['Black', 'White'][k % 2]} leather shoe {k}",
                     "gender": "Women", "baseColour": ["Black", "White"][k % 2], "usage": "Casual",
                     "price": str(10 * (k + 1))})
        rows.append({"category": "bag", "title": f"Tan bag {k}", "gender": "Women", "baseColour": "Tan",
                     "usage": "Casual", "price": str(10 * (k + 1))})
    products, emb, feats = _catalog(rows)
    search = _search(products, emb, feats)
    q = SearchQuery(emb[0], "top", ItemProfile(gender="Women", usage="casual", colour="navy blue"), frozenset({0}),
                    Wearer("Women", "catalog"))
    black = search.complete(q, 5, Filters(refine="black"))
    assert {r.product.attributes["baseColour"] for r in black.by_slot["shoes"]} == {"Black"}
    assert any("black" in n for n in black.notes)  # the bags have no black: said, and shown unsteered
    assert "matches 'black'" in black.by_slot["shoes"][0].reasons
    cheap = search.complete(q, 5, Filters(price_max=25))
    assert all(float(r.product.attributes["price"]) <= 25 for r in _all(cheap))
    white = search.complete(q, 5, Filters(colours=("white",), slots=("shoes",)))
    assert set(white.by_slot) == {"shoes"} and all(r.product.attributes["baseColour"] == "White"
                                                   for r in white.by_slot["shoes"])
    reasons = search.complete(q, 2).outfit[0].reasons
    assert reasons[0] == "women" and "casual" in reasons and "goes with navy blue" in reasons
    assert reasons[-1].startswith("compatibility ")
    with pytest.raises(ValueError, match="unknown slot"):
        search.complete(q, 2, Filters(slots=("cape",)))


def test_price_filter_on_a_catalog_without_prices_is_said_not_applied():
    products, emb, feats = _catalog([{"category": c, "title": f"{c} {k}"} for c in ("top", "shoes") for k in range(3)])
    out = _search(products, emb, feats).complete(SearchQuery(emb[0], "top"), 2, Filters(price_max=5))
    assert out.by_slot["shoes"] and any("no prices" in n for n in out.notes)
