"""The wearer model fitted at ingest: learns the catalog's labels, infers a held-out photo's wearer, one wearer
per look (a skirt is not a man's look), stored through the index and read back by the Recommender."""

from __future__ import annotations

import numpy as np
import pytest

from fashion_core.outfits.profile import ItemProfile
from fashion_core.outfits.wearer import fit_wearer, visual_of

CATS = ("top", "pants", "shoes", "skirt")


def _world(n: int, seed: int):
    """Visual vectors whose direction depends on the gender (plus noise), with categories and labels."""
    rng = np.random.default_rng(seed)
    centres = {"Men": rng.standard_normal(24), "Women": rng.standard_normal(24)}
    genders = [("Men", "Women")[i % 2] for i in range(n)]
    cats = [CATS[(i // 2) % (3 if g == "Men" else 4)] for i, g in enumerate(genders)]
    x = np.stack([centres[g] + 1.2 * rng.standard_normal(24) for g in genders]).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True), cats, genders


def test_the_wearer_of_held_out_items_is_inferred_from_what_the_catalog_labels():
    x, cats, genders = _world(400, 0)
    usage = ["casual", "formal"]
    model = fit_wearer(x, cats, [ItemProfile(gender=g, usage=usage[i % 3 == 0]) for i, g in enumerate(genders)])
    assert model is not None and set(model.heads) == {"gender", "usage"}
    assert model.heads["gender"].classes == ["Men", "Women"]
    x2, c2, g2 = _world(600, 0)
    tx, tcats, tgenders = x2[400:], c2[400:], g2[400:]  # rows the model never saw
    got = [model.infer(tx[i], tcats[i]).gender for i in range(len(tx))]
    assert np.mean([a == b for a, b in zip(got, tgenders)]) > 0.85
    assert model.infer(tx[0], "top").sources == {"gender": "inferred", "usage": "inferred"}
    assert model.section()["labelled"] == {"gender": 400, "usage": 400}


def test_one_wearer_per_look_and_a_skirt_is_not_a_mans_look():
    x, cats, genders = _world(400, 0)
    model = fit_wearer(x, cats, [ItemProfile(gender=g) for g in genders])
    men = [i for i, g in enumerate(genders) if g == "Men"][:3]
    look = model.wearer(x[men], [cats[i] for i in men])
    assert look.gender == "Men" and look.source == "inferred" and 0.5 < look.confidence <= 1
    with_skirt = model.wearer(x[men], ["top", "shoes", "skirt"])
    assert with_skirt.gender in ("Women", "Girls")


def test_nothing_is_fitted_without_labels():
    x, cats, _ = _world(100, 0)
    assert fit_wearer(x, cats, [ItemProfile() for _ in cats]) is None


def test_the_visual_part_is_recovered_from_a_similarity_vector():
    v = np.array([[3.0, 4.0, 0.7, 0.1]], np.float32)
    np.testing.assert_allclose(visual_of(v, 2), [[0.6, 0.8]], atol=1e-6)


def test_ingest_stores_the_wearer_model_and_the_recommender_reads_it(shared_data, tmp_path):
    """A small real index (fpi products, synthetic image parts): the manifest names the model, the Recommender
    infers an image query's wearer, and Similar keeps to it."""
    from fashion_core.catalog import Catalog, load_catalog
    from fashion_core.index import EncoderInfo, load_index
    from fashion_core.ingest import index_from_parts
    from fashion_core.recommend import Recommender

    csv = shared_data / "fpi" / "products.csv"
    catalog = load_catalog(csv, check_images=False)
    products = [p for p in catalog.products if p.attributes.get("gender") in ("Men", "Women")
                and p.category in ("top", "shoes")][:160]
    rng = np.random.default_rng(0)
    centre = {"Men": rng.standard_normal(32), "Women": rng.standard_normal(32)}
    head = np.stack([centre[p.attributes["gender"]] + rng.standard_normal(32) for p in products]).astype(np.float32)
    head /= np.linalg.norm(head, axis=1, keepdims=True)
    out = index_from_parts(tmp_path / "index", Catalog(products, csv.parent), csv,
                           EncoderInfo("synthetic", "w0", 32), {"head": head}, attributes=[])
    manifest = load_index(out).manifest
    assert manifest.wearer["file"] in manifest.files and manifest.wearer["labelled"]["gender"] == 160
    rec = Recommender(out, encoder=_Fake())
    assert rec.wearer_model is not None
    men = next(i for i, p in enumerate(products) if p.attributes["gender"] == "Men")
    query = rec.parts_query({"head": head[men:men + 1]}, "top")
    assert query.inferred.gender == "Men"
    similar = rec.similar_for(query, 10)
    assert similar and {r.product.attributes["gender"] for r in similar} == {"Men"}
    assert rec.similar_for(query, 10, rec_filters("Women"))[0].product.attributes["gender"] == "Women"


def rec_filters(gender):
    from fashion_core.results import Filters

    return Filters(gender=gender)


class _Fake:
    """An encoder that matches the synthetic index (name and weights); never asked to encode here."""

    name, weights_id, dim = "synthetic", "w0", 32

    def encode(self, images):  # pragma: no cover - not called
        raise AssertionError("not used")


@pytest.fixture(autouse=True)
def _threads(monkeypatch):
    monkeypatch.setenv("OMP_NUM_THREADS", "2")
