"""The app's shared helpers: sample photos, cards, catalog browsing, clicks, errors, benchmark tables, config."""

from __future__ import annotations

import io
import json
import tomllib
from pathlib import Path

import pandas as pd
import pytest
from PIL import Image

from fashion_core import app_support as ui
from fashion_core.catalog import Product, load_catalog
from fashion_core.imageio import MAX_BYTES, ImageError, load_image
from fashion_core.results import Recommendation

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def small_catalog(tmp_path):
    """A 30-product catalog over three categories, with real image files."""
    root = tmp_path / "shop"
    (root / "images").mkdir(parents=True)
    rows = []
    for i in range(30):
        cat = ("top", "shoes", "bag")[i % 3]
        colour = ("navy", "red", "green")[i // 10]
        Image.new("RGB", (20, 24), (i * 8, 40, 90)).save(root / "images" / f"P{i:03d}.jpg")
        rows.append({"product_id": f"P{i:03d}", "title": f"{colour} {cat} number {i}", "category": cat,
                     "image": f"images/P{i:03d}.jpg"})
    pd.DataFrame(rows).to_csv(root / "catalog.csv", index=False)
    return load_catalog(root / "catalog.csv")


def test_sample_photos_include_real_photos_and_demo_looks(tmp_path):
    looks = tmp_path / "looks" / "images"
    looks.mkdir(parents=True)
    for i in range(1, 6):
        Image.new("RGB", (30, 40)).save(looks / f"look_{i:04d}.jpg")
    samples = ui.sample_photos(tmp_path, n_looks=3)
    names = [s.path.name for s in samples]
    assert names[:3] == ["look_0001.jpg", "look_0002.jpg", "look_0003.jpg"]
    assert {"bus.jpg", "zidane.jpg"} <= set(names)
    assert len({s.label for s in samples}) == len(samples), "labels must be unique for the picker"
    for s in samples:
        assert load_image(s.path).size[0] > 0


def test_catalog_root_of_reads_the_manifest_path(tmp_path):
    assert ui.catalog_root_of({"catalog": {"path": str(tmp_path / "catalog.csv")}}) == tmp_path
    assert ui.catalog_root_of({}) is None


def test_product_cards_from_products_and_recommendations(small_catalog):
    p = small_catalog.products[4]
    card = ui.product_card(p)
    assert (card.product_id, card.category, card.score) == (p.product_id, p.category, None)
    rec_card = ui.product_card(Recommendation(p, 0.8766, "similar colour", slot="shoes"))
    assert rec_card.score == pytest.approx(0.8766)
    assert p.product_id in rec_card.caption and "0.877" in rec_card.caption


def test_filter_products_by_category_text_and_id(small_catalog):
    assert len(ui.filter_products(small_catalog)) == 30
    tops = ui.filter_products(small_catalog, "top")
    assert tops and all(p.category == "top" for p in tops)
    navy_shoes = ui.filter_products(small_catalog, "shoes", "navy")
    assert navy_shoes and all(p.category == "shoes" and "navy" in p.title for p in navy_shoes)
    assert [p.product_id for p in ui.filter_products(small_catalog, "All", "P017")][0] == "P017"
    assert ui.filter_products(small_catalog, "bag", "no such words") == []


def test_page_of_clamps_and_counts():
    items = list(range(50))
    assert ui.page_of(items, 1, 24) == (list(range(24)), 3)
    assert ui.page_of(items, 3, 24) == ([48, 49], 3)
    assert ui.page_of(items, 99, 24)[0] == [48, 49]
    assert ui.page_of([], 1, 24) == ([], 1)


def test_catalog_categories_and_missing_category(small_catalog):
    assert ui.catalog_categories(small_catalog) == ["bag", "shoes", "top"]
    assert ui.missing_category_message("top", small_catalog) is None
    msg = ui.missing_category_message("dress", small_catalog)
    assert msg and "dress" in msg


def test_click_to_pixels_scales_display_to_original():
    assert ui.click_to_pixels({"x": 50, "y": 20, "width": 100, "height": 40}, (1000, 400)) == (500.0, 200.0)
    assert ui.click_to_pixels(None, (10, 10)) is None
    assert ui.click_to_pixels({"x": 3, "y": 4}, (10, 10)) == (3.0, 4.0)


def test_display_image_fits_the_box_keeping_the_aspect():
    big, small = Image.new("RGB", (2000, 1000)), Image.new("RGB", (320, 480))
    assert ui.display_image(big, 640, 720).size == (640, 320)
    assert ui.display_image(small, 640, 720).size == (480, 720)
    exact = Image.new("RGB", (640, 100))
    assert ui.display_image(exact, 640, 720) is exact


@pytest.mark.parametrize("payload, expected", [
    (b"", "empty"),
    (b"<!doctype html><html></html>", "HTML"),
    (b"hello, I am a text file", "text"),
])
def test_friendly_error_for_bad_uploads_says_what_and_what_to_do(payload, expected):
    with pytest.raises(ImageError) as info:
        load_image(payload, name="upload.png")
    text = ui.friendly_error(info.value)
    assert expected in text and "JPEG, PNG or WebP" in text


def test_friendly_error_for_missing_index_names_the_fix():
    text = ui.friendly_error(FileNotFoundError("data/demo/index has no manifest.json"))
    assert "fashion-core setup" in text and "FASHION_INDEX" in text
    assert "Traceback" not in ui.friendly_error(RuntimeError("boom"))


def test_open_recommender_refuses_a_folder_without_manifest(tmp_path):
    with pytest.raises(FileNotFoundError, match="not an index"):
        ui.open_recommender(tmp_path)


def test_benchmark_view_splits_scalars_tables_and_series():
    doc = {"name": "bench_x", "machine": "2 cores", "date": "2025-01-01", "command": "python b.py",
           "figures": {"precision_at_k": {"1": 0.9, "5": 0.7, "10": 0.6},
                       "latency_ms": {"detect": {"p50": 80.0, "p95": 120.0}, "encode": {"p50": 20.0, "p95": 30.0}},
                       "fitb": 0.55, "curve": [0.1, 0.2, 0.4], "tag": "ok"}}
    view = ui.benchmark_view("bench_x", doc)
    assert view.meta == {"name": "bench_x", "machine": "2 cores", "date": "2025-01-01", "command": "python b.py"}
    assert list(view.series["figures.precision_at_k"].index) == [1.0, 5.0, 10.0]
    assert list(view.series["figures.curve"]) == [0.1, 0.2, 0.4]
    table = view.tables["figures.latency_ms"]
    assert table.loc["detect", "p95"] == 120.0
    assert dict(zip(view.scalars["figure"], view.scalars["value"])) == {"figures.fitb": "0.55", "figures.tag": "ok"}


def test_benchmark_views_reads_files_and_reports_bad_ones(tmp_path):
    (tmp_path / "a.json").write_text(json.dumps({"figures": {"x": 1}}))
    (tmp_path / "b.json").write_text("{not json")
    (tmp_path / "c.json").write_text("[1, 2]")
    views, problems = ui.benchmark_views(tmp_path)
    assert [v.name for v in views] == ["a"]
    assert len(problems) == 2 and problems[0].startswith("b.json")


def test_index_files_lists_sizes_and_total(tmp_path):
    (tmp_path / "features.npy").write_bytes(b"x" * 2**20)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "top.ann").write_bytes(b"y" * 2**19)
    frame = ui.index_files(tmp_path)
    assert list(frame["file"]) == ["features.npy", "sub/top.ann", "total"]
    assert frame["MiB"].iloc[-1] == pytest.approx(1.5)


def test_model_table_names_every_model():
    manifest = {"schema_version": 1, "created": "2025-01-01T00:00:00", "catalog": {"path": "/x/catalog.csv",
                "hash": "abc"}, "encoder": {"name": "efficientnet-lite0", "weights_id": "1234abcd", "dim": 1280},
                "compat": {"model": "compat-v1", "weights_id": "feedbeef"},
                "similarity": {"attribute_heads": [{"name": "baseColour", "classes": ["Blue", "Red"]}]}}
    table = ui.model_table(manifest, "pose")
    assert list(table["role"]) == ["image encoder", "detector", "garment parser", "compatibility model", "index",
                                   "attribute heads", "category model"]
    assert table.loc[5, "name"] == "baseColour" and "2 classes" in table.loc[5, "details"]
    assert table.loc[6, "name"] == "none" and table.loc[2, "name"] == "none"
    assert table.loc[0, "weights"] == "1234abcd" and table.loc[1, "name"] == "pose"
    assert "feedbeef" in table.loc[3, "weights"]
    assert "none" == ui.model_table({}, "pose").loc[3, "name"]


def test_model_table_reads_the_garment_parser_config(tmp_path):
    parser = tmp_path / "garment-parser"
    parser.mkdir()
    (parser / "config.json").write_text(json.dumps({"encoder": {"weights_id": "abc123"},
                                                    "trained_on": {"photos": 40, "data": ["ccp.json"]}}))
    row = ui.model_table({}, "pose", parser=parser).iloc[2]
    assert row["name"] == "garment-parser" and row["weights"] == "abc123" and "40 photos from ccp.json" in row["details"]
    broken = ui.model_table({}, "pose", parser=tmp_path / "missing").iloc[2]
    assert "cannot be read" in broken["details"]


def test_streamlit_config_matches_the_image_limit():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["maxUploadSize"] * 2**20 == MAX_BYTES
    assert config["server"]["headless"] is True
    assert config["browser"]["gatherUsageStats"] is False


def test_photo_key_is_stable_and_content_based():
    buf = io.BytesIO()
    Image.new("RGB", (5, 5), (1, 2, 3)).save(buf, format="PNG")
    assert ui.photo_key(buf.getvalue()) == ui.photo_key(bytes(buf.getvalue()))
    assert ui.photo_key(b"a") != ui.photo_key(b"b")


def test_outfit_slots_filters_wanted_and_empty():
    p = Product("X1", "t", "shoes", Path("/x.jpg"))
    r = Recommendation(p, 0.5, "fits", slot="shoes")

    from fashion_core.results import Outfit

    outfit = Outfit("pants", [r], {"shoes": [r], "bag": [], "top": [r]})
    assert list(ui.outfit_slots(outfit)) == ["shoes", "top"]
    assert list(ui.outfit_slots(outfit, ["top"])) == ["top"]


def test_detection_labels_number_garments_and_name_people():
    from fashion_core.detection.types import Detection

    one = [Detection((0, 0, 5, 5), "top", 0.91), Detection((0, 5, 5, 9), "pants", 0.5)]
    assert ui.detection_labels(one) == ["1. top (91%)", "2. pants (50%)"]
    two = [Detection((0, 0, 5, 5), "top", 0.91, person=0), Detection((9, 0, 15, 5), "hat", 0.7, person=1)]
    assert ui.detection_labels(two) == ["1. top (91%) · person 1", "2. hat (70%) · person 2"]
