"""Complete the look: slot rules, per-slot indexes written at ingest, the fallback without a model."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from fashion_core import taxonomy
from fashion_core.catalog import Catalog, load_catalog
from fashion_core.compat.model import CompatConfig, CompatModel, CompatNet
from fashion_core.compat.retrieval import ComplementIndex
from fashion_core.encoders.text import TitleEncoder
from fashion_core.index import EncoderInfo, load_index
from fashion_core.ingest import index_from_parts

ENCODER = {"name": "synthetic", "weights_id": "w0", "dim": 32}


@pytest.fixture(scope="module")
def fpi_index(shared_data, tmp_path_factory):
    """An index directory over real FPI products (8 per category) with synthetic image features."""
    catalog = load_catalog(shared_data / "fpi" / "products.csv", check_images=False)
    products = [p for c in taxonomy.CATEGORIES for p in catalog.by_category(c)[:8]]
    feats = np.random.default_rng(0).standard_normal((len(products), 32)).astype(np.float32)
    feats /= np.linalg.norm(feats, axis=1, keepdims=True)
    root = tmp_path_factory.mktemp("compat-index")
    text = TitleEncoder(dim=16).fit([p.title for p in products])
    cfg = CompatConfig(mode="image+text", image_dim=32, text_dim=text.dim, hidden=32, dim=8, image_encoder=ENCODER,
                       text_encoder={"id": text.id, "dim": text.dim}, training={"model_id": "test"})
    CompatModel(CompatNet(cfg), cfg, text).save(root / "model")
    csv = shared_data / "fpi" / "products.csv"
    sub = Catalog(products, csv.parent)
    index = index_from_parts(root / "index", sub, csv, EncoderInfo(**ENCODER), {"head": feats},
                             compat_model=root / "model")
    plain = index_from_parts(root / "plain", sub, csv, EncoderInfo(**ENCODER), {"head": feats})
    return index, products, feats, plain


def _check_slot_rules(outfit, query_category):
    query_slot = taxonomy.slot_of(query_category)
    slots = [r.slot for r in outfit.outfit]
    assert len(slots) == len(set(slots))  # one item per slot
    assert all(taxonomy.compatible_slots(a, b) for a in slots for b in slots if a != b)  # wearable together
    for r in outfit.outfit + [r for recs in outfit.by_slot.values() for r in recs]:
        assert r.product.slot == r.slot != query_slot
        assert taxonomy.compatible_slots(query_slot, r.slot)
    return set(slots)


def test_top_gets_bottom_shoes_bag_accessory_never_top_or_dress(fpi_index):
    index_dir, products, feats, _ = fpi_index
    index = ComplementIndex.from_index(load_index(index_dir))
    assert index.trained
    top = next(i for i, p in enumerate(products) if p.category == "top")
    outfit = index.complete(feats[top], products[top].title, "top", k=3, exclude_ids=[products[top].product_id])
    slots = _check_slot_rules(outfit, "top")
    assert {"bottom", "shoes", "bag", "accessory"} <= slots
    assert "one-piece" not in slots and all(r.product.category != "dress" for r in outfit.outfit)
    assert all(len(v) == 3 for v in outfit.by_slot.values())
    doc = outfit.to_dict()
    assert set(doc) >= {"outfit", "by_slot"} and doc["outfit"][0]["product_id"]


def test_dress_gets_no_bottom_and_crop_queries_work(fpi_index):
    index_dir, products, feats, _ = fpi_index
    index = ComplementIndex.from_index(load_index(index_dir))
    outfit = index.complete(feats[0], None, "dress", k=2)  # a photo crop: image features, no title
    slots = _check_slot_rules(outfit, "dress")
    assert "bottom" not in slots and "top" not in slots and {"shoes", "bag"} <= slots
    shoes = index.complete(None, "black leather ankle boots", "shoes")
    shoe_slots = _check_slot_rules(shoes, "shoes")
    assert "shoes" not in shoe_slots and ("one-piece" in shoe_slots) != ("bottom" in shoe_slots)
    assert {"top", "bottom", "one-piece"} <= set(shoes.by_slot)  # the per-slot lists keep every option
    with pytest.raises(ValueError, match="image features, its title, or both"):
        index.complete(None, None, "top")
    with pytest.raises(KeyError, match="unknown category"):
        index.complete(feats[0], None, "cape")


def test_answers_are_deterministic_and_excluded_ids_stay_out(fpi_index):
    index_dir, products, feats, _ = fpi_index
    a = ComplementIndex.from_index(load_index(index_dir)).complete(feats[5], products[5].title, products[5].category)
    b = ComplementIndex.from_index(load_index(index_dir)).complete(feats[5], products[5].title, products[5].category)
    assert a.to_dict() == b.to_dict()
    first = a.outfit[0].product.product_id
    c = ComplementIndex.from_index(load_index(index_dir)).complete(feats[5], products[5].title, products[5].category,
                                                          exclude_ids=[first])
    assert first not in {r.product.product_id for recs in c.by_slot.values() for r in recs}


def test_index_without_model_falls_back_and_says_so(fpi_index):
    _, products, feats, plain = fpi_index
    index = ComplementIndex.from_index(load_index(plain))
    assert not index.trained
    outfit = index.complete(feats[0], None, "top")
    _check_slot_rules(outfit, "top")
    assert not outfit.trained and "no compatibility model" in outfit.outfit[0].reason


def test_slot_rules_on_the_demo_catalog(request):
    """The demo world's index (default encoder, built by ingest) answers by the slot rules for every category."""
    loaded = load_index(request.getfixturevalue("demo_index"))
    index = ComplementIndex.from_index(loaded)
    ids, feats, catalog = loaded.ids, loaded.features, loaded.catalog
    for category in taxonomy.CATEGORIES:
        product = catalog.by_category(category)[0]
        row = ids.index(product.product_id)
        outfit = index.complete(feats[row], product.title, category, exclude_ids=[product.product_id])
        slots = _check_slot_rules(outfit, category)
        if category == "top":
            assert {"bottom", "shoes"} <= slots and ({"bag", "accessory"} & slots)
        if category == "dress":
            assert "bottom" not in slots


def test_a_model_of_another_encoder_is_refused_at_build_with_what_to_do(fpi_index, tmp_path):
    _, products, feats, _ = fpi_index
    csv = products[0].image.parent.parent / "products.csv"
    model_dir = Path(tmp_path / "other")
    cfg = CompatConfig(mode="image", image_dim=32, hidden=8, dim=4, fusion="sum",
                       image_encoder={"name": "synthetic", "weights_id": "OTHER", "dim": 32},
                       training={"model_id": "x"})
    CompatModel(CompatNet(cfg), cfg).save(model_dir)
    with pytest.raises(ValueError, match="models rebuild compat"):
        index_from_parts(tmp_path / "idx", Catalog(products, csv.parent), csv, EncoderInfo(**ENCODER),
                         {"head": feats}, compat_model=model_dir)
