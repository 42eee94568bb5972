"""The served hot path through real Annoy trees: a category above the 2,000-item exact-search threshold."""

from __future__ import annotations

import numpy as np
import pytest

from fashion_core.ann import EXACT_BELOW, exact_search
from fashion_core.catalog import Catalog, Product
from fashion_core.conformance import clustered_vectors
from fashion_core.index import EncoderInfo, load_index
from fashion_core.ingest import index_from_parts
from fashion_core.recommend import Recommender

N_TOPS, N_SHOES, DIM = EXACT_BELOW + 800, 300, 48


@pytest.fixture(scope="module")
def big_index(tmp_path_factory):
    """An index whose ``top`` category holds 2,800 products (Annoy) and ``shoes`` 300 (exact), synthetic features."""
    root = tmp_path_factory.mktemp("annoy-path")
    feats = clustered_vectors(N_TOPS + N_SHOES, DIM, clusters=60, seed=3)
    products = [Product(f"T{i:05d}", f"top {i}", "top", root / "none.jpg") for i in range(N_TOPS)]
    products += [Product(f"S{i:05d}", f"shoe {i}", "shoes", root / "none.jpg") for i in range(N_SHOES)]
    catalog = Catalog(products, root)
    out = index_from_parts(root / "index", catalog, root / "catalog.csv",
                           EncoderInfo("synthetic", "synthetic-0001", DIM), {"head": feats})
    return out, feats


def test_a_big_category_is_served_by_annoy_and_a_small_one_exactly(big_index):
    index = load_index(big_index[0])
    assert index.categories["top"].ann.backend == "annoy"
    assert index.categories["shoes"].ann.backend == "exact"
    assert index.manifest.ann.recall_at_10_sample >= 0.9


def test_similar_items_through_annoy_match_exact_search(big_index):
    """Recall@10 of the served answers (Annoy, search_k as served) against exact search in the category."""
    out, _ = big_index
    index = load_index(out)
    tops = np.flatnonzero([p.category == "top" for p in index.products])
    vectors = np.asarray(index.vectors)
    hits = total = 0
    for row in tops[::70]:
        got = [r for r, _ in index.search(vectors[row], 10, category="top", exclude_rows={int(row)})]
        truth, _ = exact_search(vectors[tops], vectors[row], 11)
        want = [int(tops[i]) for i in truth[0] if int(tops[i]) != row][:10]
        hits += len(set(got) & set(want))
        total += len(want)
        assert all(index.products[r].category == "top" for r in got) and int(row) not in got
    assert hits / total >= 0.95


def test_product_queries_are_deterministic_across_loads(big_index):
    out, _ = big_index
    a, b = load_index(out), load_index(out)
    row = 123
    assert a.search(a.vectors[row], 10, "top", {row}) == b.search(b.vectors[row], 10, "top", {row})


def test_recommender_answers_ids_without_an_image_encoder_pass(big_index, monkeypatch):
    """Similar items for a product id read its vector from the index: the encoder is never called."""
    out, _ = big_index

    class NoEncode:
        name, dim, weights_id = "synthetic", DIM, "synthetic-0001"

        def encode(self, images):
            raise AssertionError("a product-id query must not encode anything")

    rec = Recommender(out, encoder=NoEncode())
    got = rec.similar_items(product_id="T00042", k=10)
    assert len(got) == 10 and all(r.product.category == "top" for r in got)
    assert "T00042" not in {r.product.product_id for r in got}
