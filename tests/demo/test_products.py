"""The demo catalog: coverage of categories, silhouettes, colours and patterns; titles; product shots."""

from __future__ import annotations

import numpy as np
import pytest

from fashion_core import taxonomy
from fashion_core.catalog import load_catalog
from fashion_core.demo.palette import PATTERN_WORDS, PATTERNS
from fashion_core.demo.products import category_counts, draw_products
from fashion_core.demo.silhouettes import SILHOUETTES, silhouettes_of
from fashion_core.imageio import load_image

from .helpers import SILHOUETTE_BY_NAME, catalog


def test_small_world_covers_every_category_silhouette_colour_and_pattern(demo_world):
    frame = catalog(demo_world)
    assert set(frame["category"]) == set(taxonomy.CATEGORIES)
    assert set(frame["silhouette"]) == {s.name for s in SILHOUETTES}
    for cat in taxonomy.CATEGORIES:
        assert frame[frame["category"] == cat]["silhouette"].nunique() >= 2, cat
    assert frame["colour"].nunique() >= 16
    assert set(frame["pattern"]) == set(PATTERNS)
    assert frame["product_id"].is_unique and frame["product_id"].str.fullmatch(r"D\d{5}").all()


def test_full_size_draw_is_balanced_and_complete():
    products = draw_products(seed=3, n=1200)
    assert len(products) == 1200
    counts = {c: sum(p.category == c for p in products) for c in taxonomy.CATEGORIES}
    assert min(counts.values()) >= 40 and counts["top"] > counts["belt"]
    for cat in taxonomy.CATEGORIES:
        assert {p.silhouette for p in products if p.category == cat} == {s.name for s in silhouettes_of(cat)}


def test_category_counts_add_up_and_refuse_tiny_catalogs():
    for n in (12, 120, 241, 1200, 5003):
        counts = category_counts(n)
        assert sum(counts.values()) == n and min(counts.values()) >= 1
    with pytest.raises(ValueError, match="too small"):
        category_counts(5)


def test_titles_and_attributes_come_from_the_same_draw(demo_world):
    for row in catalog(demo_world).itertuples():
        sil = SILHOUETTE_BY_NAME[row.silhouette]
        title = row.title.lower()
        assert sil.category == row.category
        assert title.startswith(row.colour), row.title
        assert title.endswith(sil.noun), row.title
        assert (PATTERN_WORDS[row.pattern] in title) if row.pattern != "solid" else not any(
            w in title for w in PATTERN_WORDS.values() if w), row.title
        assert row.pattern in sil.patterns and row.season == sil.season
        assert ["casual", "smart", "formal"].index(row.formality) in sil.formality


def test_catalog_loads_with_no_rejections(demo_world):
    cat = load_catalog(demo_world / "catalog.csv")
    assert cat.report.rejections == []
    assert len(cat) == len(catalog(demo_world))
    p = cat.products[0]
    assert p.image.exists() and {"colour", "pattern", "silhouette", "formality", "season"} <= set(p.attributes)


def test_product_shots_are_centred_garments_on_a_light_background(demo_world):
    frame = catalog(demo_world)
    for row in frame.head(60).itertuples():
        img = np.asarray(load_image(demo_world / row.image), dtype=np.int16)
        assert img.shape == (144, 144, 3)
        corners = np.concatenate([img[:6, :6].reshape(-1, 3), img[-6:, -6:].reshape(-1, 3)])
        assert corners.min() >= 225, f"{row.product_id}: background is not light"
        fg = np.abs(img - np.median(corners, axis=0)).sum(axis=2) > 40
        assert fg.mean() > 0.03, f"{row.product_id}: no garment drawn"
        ys, xs = np.nonzero(fg)
        assert abs(xs.mean() - 72) < 22 and abs(ys.mean() - 72) < 26, f"{row.product_id}: garment off centre"


def test_product_shot_shows_the_named_colour(demo_world):
    """For solid garments the dominant non-background colour is close to the named colour."""
    from .helpers import COLOUR_BY_NAME

    frame = catalog(demo_world)
    solid = frame[(frame["pattern"] == "solid") & frame["category"].isin(["top", "dress", "pants", "skirt"])]
    assert len(solid) >= 10
    for row in solid.itertuples():
        img = np.asarray(load_image(demo_world / row.image), dtype=np.float32)
        target = np.array(COLOUR_BY_NAME[row.colour].rgb, np.float32)
        dist = np.linalg.norm(img - target, axis=2)
        assert (dist < 40).mean() > 0.08, f"{row.product_id} ({row.colour}) hardly shows its colour"
