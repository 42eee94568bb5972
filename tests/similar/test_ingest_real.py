"""Ingest and similar items on a slice of the real catalog (../shared/data/fpi)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from fashion_core.config import Settings
from fashion_core.imageio import load_image
from fashion_core.index import load_index
from fashion_core.ingest import build_index
from fashion_core.recommend import Recommender

from .helpers import fpi_slice


@pytest.fixture(scope="module")
def fpi_small(shared_data, tmp_path_factory):
    root = tmp_path_factory.mktemp("fpi")
    catalog = fpi_slice(shared_data, root, per_category=12)
    # one row whose file starts like a JPEG but is cut short: it must be skipped and counted, not crash
    frame = pd.read_csv(catalog, dtype=str, keep_default_na=False)
    (root / "images" / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0" + b"\x00" * 20)
    broken = frame.iloc[0].copy()
    broken["id"], broken["image"] = "BROKEN", "images/broken.jpg"
    pd.concat([frame, broken.to_frame().T]).to_csv(catalog, index=False)
    return build_index(catalog, root / "index", progress=False), root


def test_manifest_records_models_counts_and_skips(fpi_small):
    index_dir, _ = fpi_small
    index = load_index(index_dir)
    m = index.manifest
    assert m.encoder.name == Settings.resolve().encoder and len(m.encoder.weights_id) == 12
    assert m.counts["products"] == 12 * 12 and m.counts["undecodable_images"] == 1
    assert "BROKEN" not in index.ids and "BROKEN" not in index.catalog
    feats = np.asarray(index.features)
    assert feats.shape == (144, m.encoder.dim) and np.allclose(np.linalg.norm(feats, axis=1), 1, atol=1e-4)
    assert not (index_dir / ".staging").exists()  # staging swapped away


def test_unseen_product_photo_gets_its_category_by_neighbour_vote(fpi_small, shared_data):
    """Photos of products NOT in the index: the voted category (no category given) is usually right."""
    index_dir, _ = fpi_small
    rec = Recommender(index_dir)
    frame = pd.read_csv(shared_data / "fpi" / "products.csv", dtype=str, keep_default_na=False)
    held_out = pd.concat([g.iloc[40:44] for _, g in frame.groupby("category")])
    right = 0
    for row in held_out.itertuples():
        got = rec.similar_items(image=load_image(shared_data / "fpi" / row.image), k=5)
        assert len({r.product.category for r in got}) == 1  # one category per answer
        right += got[0].product.category == row.category
    assert right / len(held_out) > 0.6  # chance is 1/12
