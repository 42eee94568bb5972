"""Finding 2 of issue #12: the index serves what was indexed; a rejected row never comes back, a vanished photo
becomes a placeholder.

The old load re-read the catalog file without image checks: rows rejected at build time came back (34
products listed for 29 indexed) and their pages showed a traceback; so did a product whose photo vanished.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from fashion_core.catalog import load_catalog, product_image
from fashion_core.index import load_index
from fashion_core.ingest import index_from_parts
from fashion_core.recommend import Recommender

from .conftest import cli, one_line_refusal

BAD_ROWS = [
    "R1,Tee with a missing photo,top,images/not-there.jpg",
    "R2,Tee of no known kind,spacesuit,images/{img}",
    "R3,,top,images/{img}",
    "R4,Tee with a surplus field,top,images/{img},surplus,again",
    "R5,Tee outside the shop,top,../../outside.jpg",
]


@pytest.fixture
def own_shop(shop, tmp_path) -> Path:
    """A copy of the shop this test may change (images deleted, catalog edited)."""
    dst = tmp_path / "shop"
    dst.mkdir()
    shutil.copy(shop / "catalog.csv", dst / "catalog.csv")
    shutil.copytree(shop / "images", dst / "images")
    return dst


def build(shop_dir: Path, catalog: Path, demo_index: Path, out: Path) -> Path:
    """Index ``catalog`` with the demo index's real features (its valid rows are the demo catalog, in order)."""
    served = load_index(demo_index)
    cat = load_catalog(catalog)
    rows = [served.row(p.product_id) for p in cat.products]
    return index_from_parts(out, cat, catalog, served.manifest.encoder, {"head": np.asarray(served.features)[rows]})


def test_rejected_rows_never_come_back_at_load(own_shop, demo_index, tmp_path):
    img = sorted((own_shop / "images").iterdir())[0].name
    text = (own_shop / "catalog.csv").read_text()
    n_columns = text.splitlines()[0].count(",") + 1
    pad = "," * (n_columns - 4)
    bad = [r.format(img=img) + (pad if "surplus" not in r else "") for r in BAD_ROWS]
    (own_shop / "mixed.csv").write_text(text + "\n".join(bad) + "\n")
    out = build(own_shop, own_shop / "mixed.csv", demo_index, tmp_path / "index")
    n_good = len(load_catalog(own_shop / "catalog.csv"))

    index = load_index(out)
    assert len(index) == n_good and not {f"R{i}" for i in range(1, 6)} & set(index.ids)
    assert index.manifest.counts["rejected_rows"] == len(BAD_ROWS)
    rec = Recommender(out)
    assert len(rec.catalog) == n_good and all(p.product_id in index.row_of for p in rec.catalog)
    with pytest.raises(KeyError, match="not in the index"):
        rec.similar_items(product_id="R2", k=3)
    line = one_line_refusal(cli("similar", "--index", out, "--id", "R1", "--json"))
    assert "'R1' is not in the index" in line

    # the catalog file edited after the build changes nothing until the next build
    (own_shop / "mixed.csv").write_text("product_id,title,category,image\nNEW1,New tee,top,images/" + img + "\n")
    again = load_index(out)
    assert again.ids == index.ids and "NEW1" not in again.row_of


def test_a_product_whose_photo_vanished_is_served_with_a_placeholder(own_shop, demo_index, tmp_path):
    out = build(own_shop, own_shop / "catalog.csv", demo_index, tmp_path / "index")
    rec = Recommender(out)
    product = rec.index.products[5]
    Path(product.image).unlink()

    assert load_index(out).ids == rec.index.ids  # the index does not depend on the photos after the build
    recs = rec.similar_items(product_id=product.product_id, k=4)
    assert len(recs) == 4 and all(r.product.category == product.category for r in recs)
    image = product_image(product)
    assert image.size == (240, 320) and "placeholder" in image.info
    assert product.product_id in image.info["placeholder"] and str(own_shop) not in image.info["placeholder"]
    other = product_image(rec.index.products[6])
    assert "placeholder" not in other.info and other.mode == "RGB"

    Path(rec.index.products[7].image).write_bytes(b"\xff\xd8\xff\xe0 truncated")  # a photo damaged, not gone
    assert "truncated or corrupt" in product_image(rec.index.products[7]).info["placeholder"]
    res = cli("similar", "--index", out, "--id", product.product_id, "-k", "3", "--json")
    assert res.returncode == 0, res.stderr[-2000:]
