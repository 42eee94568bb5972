"""The app side (``webui``): sample photos, cards, catalog search, clicks, icons, errors, benchmark tables, config;
and the library never imports Streamlit."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pandas as pd
import pytest
from PIL import Image

from fashion_core.catalog import Product, load_catalog
from fashion_core.imageio import MAX_BYTES, ImageError, load_image
from fashion_core.results import Detection, Look, Outfit, Recommendation
from webui import cards, loading, messages, overlays, search, system

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def small_catalog(tmp_path):
    """A 30-product catalog over three categories, with real image files, genders, colours and prices."""
    root = tmp_path / "shop"
    (root / "images").mkdir(parents=True)
    rows = []
    for i in range(30):
        cat = ("top", "shoes", "bag")[i % 3]
        colour = ("navy", "red", "green")[i // 10]
        gender = ("Men", "Women", "Unisex")[i % 3 if i < 27 else 0]
        Image.new("RGB", (20, 24), (i * 8, 40, 90)).save(root / "images" / f"P{i:03d}.jpg")
        rows.append({"product_id": f"P{i:03d}", "title": f"{gender} {colour} {cat} number {i}", "category": cat,
                     "image": f"images/P{i:03d}.jpg", "gender": gender, "colour": colour, "price": str(10 + i)})
    pd.DataFrame(rows).to_csv(root / "catalog.csv", index=False)
    return load_catalog(root / "catalog.csv")


def test_the_library_never_imports_streamlit():
    code = ("import importlib, pkgutil, sys, fashion_core\n"
            "for m in pkgutil.walk_packages(fashion_core.__path__, 'fashion_core.'):\n"
            "    if not m.name.endswith('__main__'):\n"
            "        importlib.import_module(m.name)\n"
            "print('streamlit' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "False"
    assert not (ROOT / "fashion_core" / "app_support.py").exists()


def test_sample_photos_include_real_photos_and_demo_looks(tmp_path):
    looks = tmp_path / "looks" / "images"
    looks.mkdir(parents=True)
    for i in range(1, 6):
        Image.new("RGB", (30, 40)).save(looks / f"look_{i:04d}.jpg")
    samples = loading.sample_photos(tmp_path, n_looks=3)
    names = [s.path.name for s in samples]
    assert names[:3] == ["look_0001.jpg", "look_0002.jpg", "look_0003.jpg"]
    assert {"bus.jpg", "zidane.jpg"} <= set(names)
    assert len({s.label for s in samples}) == len(samples), "labels must be unique for the picker"
    assert [s.id for s in samples][:3] == ["look-1", "look-2", "look-3"] and "bus" in {s.id for s in samples}
    for s in samples:
        assert load_image(s.path).size[0] > 0


def test_catalog_root_of_reads_the_manifest_path(tmp_path):
    assert loading.catalog_root_of({"catalog": {"path": str(tmp_path / "catalog.csv")}}) == tmp_path
    assert loading.catalog_root_of({}) is None


def test_cards_show_facts_and_human_reasons_never_scores_or_slots(small_catalog):
    p = small_catalog.products[4]
    card = cards.product_card(p)
    assert (card.product_id, card.price, card.colour, card.reason) == (p.product_id, "14.00", "navy", "")
    rec = Recommendation(p, 0.8766, "looks similar (shoes)", slot="shoes",
                         reasons=("women", "casual", "similarity 0.88"))
    text = cards.product_card(rec).reason
    assert text == "Looks similar · women · casual"
    assert "0.8" not in text and "shoes" not in text and "slot" not in text


def test_bm25_search_ranks_whole_words_and_filters(small_catalog):
    index = search.TitleIndex(small_catalog.products)
    assert search.words("Men's T-shirts") == ["men", "tshirt"]
    men = search.search(small_catalog, index, search.CatalogQuery("men navy top")).products
    assert men[0].title.startswith("Men navy top")
    assert all("Women" not in p.title for p in men[:1])
    assert not any(w == "men" for p in small_catalog.products if p.title.startswith("Women")
                   for w in search.words(p.title)), "'men' is not a word of 'Women'"
    only = search.search(small_catalog, index, search.CatalogQuery(gender="Women")).products
    assert only and {search.gender_of(p) for p in only} <= {"Women", "Unisex"}
    cheap = search.search(small_catalog, index, search.CatalogQuery(sort=search.SORTS[1], price_max=15)).products
    assert [search.price_of(p) for p in cheap] == [10, 11, 12, 13, 14, 15]
    red = search.search(small_catalog, index, search.CatalogQuery(colour="red")).products
    assert len(red) == 10 and all(search.colour_of(p) == "red" for p in red)
    exact = search.search(small_catalog, index, search.CatalogQuery("P017"))
    assert exact.by_id and [p.product_id for p in exact.products] == ["P017"]
    unknown = search.search(small_catalog, index, search.CatalogQuery("X99999"))
    assert not unknown.products and unknown.looks_like_id
    assert not search.search(small_catalog, index, search.CatalogQuery("no such words")).looks_like_id


def test_page_of_clamps_and_counts():
    items = list(range(50))
    assert search.page_of(items, 1, 24) == (list(range(24)), 3)
    assert search.page_of(items, 3, 24) == ([48, 49], 3)
    assert search.page_of(items, 99, 24)[0] == [48, 49]
    assert search.page_of([], 1, 24) == ([], 1)


def test_catalog_categories(small_catalog):
    assert search.catalog_categories(small_catalog) == ["bag", "shoes", "top"]


def test_click_to_pixels_scales_display_to_original():
    assert overlays.click_to_pixels({"x": 50, "y": 20, "width": 100, "height": 40}, (1000, 400)) == (500.0, 200.0)
    assert overlays.click_to_pixels(None, (10, 10)) is None
    assert overlays.click_to_pixels({"x": 3, "y": 4}, (10, 10)) == (3.0, 4.0)


def test_display_image_only_scales_down_keeping_the_aspect():
    big, small = Image.new("RGB", (2000, 1000)), Image.new("RGB", (320, 480))
    assert overlays.display_image(big, 900).size == (900, 450) and overlays.display_image(big).size == (800, 400)
    assert overlays.display_image(small, 900) is small, "never blown up: the browser fits it to the column"


def test_one_icon_per_garment_merges_a_dress_seen_as_top_and_skirt():
    image = Image.new("RGB", (400, 800))
    dress = Detection((100, 200, 300, 700), "dress", 0.9)
    top = Detection((110, 210, 290, 420), "top", 0.6)
    skirt = Detection((110, 430, 290, 690), "skirt", 0.5)
    shoes = Detection((120, 700, 280, 780), "shoes", 0.8)
    twin = Detection((102, 202, 298, 698), "dress", 0.4)
    other = Detection((100, 200, 300, 700), "top", 0.7, person=1)
    look = Look(image, [dress, top, skirt, shoes, twin, other])
    kept = overlays.one_per_garment(look)
    assert [d.category for d in kept.detections] == ["dress", "shoes", "top"]
    assert [p.index for p in kept.people] == [0, 1]
    jacket = Look(image, [Detection((90, 180, 310, 500), "outerwear", 0.8), top])
    assert len(overlays.one_per_garment(jacket).detections) == 2, "a top under a jacket is two garments"


def test_icon_spec_is_in_percent_with_shop_names():
    look = Look(Image.new("RGB", (200, 100)), [Detection((0, 0, 100, 100), "outerwear", 0.9)])
    assert overlays.icon_spec(look) == [{"left": 25.0, "top": 50.0, "number": 1, "name": "Jacket or coat"}]
    assert overlays.ICON_PX >= 32


def test_garment_labels_number_garments_and_name_people():
    one = [Detection((0, 0, 5, 5), "top", 0.91), Detection((0, 5, 5, 9), "pants", 0.5)]
    assert overlays.garment_labels(one) == ["1 · Top", "2 · Trousers"]
    two = [Detection((0, 0, 5, 5), "top", 0.91, person=0), Detection((9, 0, 15, 5), "hat", 0.7, person=1)]
    assert overlays.garment_labels(two) == ["1 · Top (person 1)", "2 · Hat (person 2)"]


@pytest.mark.parametrize("payload, expected", [
    (b"", "empty"),
    (b"<!doctype html><html></html>", "HTML"),
    (b"hello, I am a text file", "text"),
])
def test_friendly_error_for_bad_uploads_says_what_and_what_to_do(payload, expected):
    with pytest.raises(ImageError) as info:
        load_image(payload, name="Your photo")
    text = messages.friendly_error(info.value)
    assert expected in text and "JPEG, PNG or WebP" in text


def test_friendly_error_for_our_failures_has_an_id_and_no_internals(caplog):
    text = messages.friendly_error(FileNotFoundError("/srv/shop/data/index has no manifest.json"))
    assert "error id" in text and "/srv" not in text and "fashion-core" not in text and "FASHION" not in text
    with caplog.at_level("ERROR", logger="fashion_core.app"):
        text = messages.friendly_error(RuntimeError("boom at /srv/x.py"))
    eid = text.rsplit("error id ", 1)[1].rstrip(")")
    assert "Traceback" not in text and "boom" not in text
    assert any(eid in r.getMessage() and r.exc_info for r in caplog.records), "the log has the id and the traceback"


@pytest.mark.parametrize("raw", ["[click](https://evil.example)", "![](https://evil.example/x.png)",
                                 "<img src=x onerror=alert(1)>", "**bold** _it_ `code` :red[x] $x$",
                                 "www.evil.example a@b.example"])
def test_plain_escapes_every_markdown_construct(raw):
    out = messages.plain(raw)
    assert out.replace("\\", "") == raw
    for mark in "[]()!<>*_`:$@.":
        assert mark not in out.replace("\\" + mark, ""), mark


def test_open_recommender_refuses_a_folder_without_manifest(tmp_path):
    with pytest.raises(FileNotFoundError, match="not an index"):
        loading.open_recommender(tmp_path)


def test_benchmark_view_splits_scalars_tables_and_series():
    doc = {"name": "bench_x", "machine": "2 cores", "date": "2025-01-01", "command": "python b.py",
           "figures": {"precision_at_k": {"1": 0.9, "5": 0.7, "10": 0.6},
                       "latency_ms": {"detect": {"p50": 80.0, "p95": 120.0}, "encode": {"p50": 20.0, "p95": 30.0}},
                       "fitb": 0.55, "curve": [0.1, 0.2, 0.4], "tag": "ok"}}
    view = system.benchmark_view("bench_x", doc)
    assert view.meta == {"name": "bench_x", "machine": "2 cores", "date": "2025-01-01", "command": "python b.py"}
    assert list(view.series["figures.precision_at_k"].index) == [1.0, 5.0, 10.0]
    assert list(view.series["figures.curve"]) == [0.1, 0.2, 0.4]
    table = view.tables["figures.latency_ms"]
    assert table.loc["detect", "p95"] == 120.0
    assert dict(zip(view.scalars["figure"], view.scalars["value"])) == {"figures.fitb": "0.55", "figures.tag": "ok"}


def test_benchmark_charts_hold_one_unit_each():
    rows = [{"n": 100000, "dim": 128, "recall_at_10": 0.99, "exact_ms_per_query": 5.4, "annoy_ms_per_query": 1.4,
             "speedup": 3.9, "build_s": 3.5, "index_mb": 110.0},
            {"n": 1000000, "dim": 128, "recall_at_10": 0.97, "exact_ms_per_query": 48.0, "annoy_ms_per_query": 1.8,
             "speedup": 26.7, "build_s": 48.5, "index_mb": 1100.0}]
    view = system.benchmark_view("bench_ann", {"figures": {"rows": rows, "single": [0.5]}})
    charts = view.charts()
    units = [unit for _, unit, _ in charts]
    assert len(units) == len(set(units)), "one chart per unit"
    by_unit = {unit: list(data.columns) for _, unit, data in charts}
    assert by_unit["share (0 to 1)"] == ["recall_at_10"]
    assert by_unit["milliseconds"] == ["exact_ms_per_query", "annoy_ms_per_query"]
    assert not any("n" in cols or "dim" in cols for cols in by_unit.values()), "counts are not plotted"
    assert list(charts[0][2].index) == ["n 100000", "n 1000000"]


def test_benchmark_views_reads_files_and_reports_bad_ones(tmp_path):
    (tmp_path / "a.json").write_text(json.dumps({"figures": {"x": 1}}))
    (tmp_path / "b.json").write_text("{not json")
    (tmp_path / "c.json").write_text("[1, 2]")
    views, problems = system.benchmark_views(tmp_path)
    assert [v.name for v in views] == ["a"]
    assert len(problems) == 2 and problems[0].startswith("b.json") and str(tmp_path) not in problems[0]


def test_index_files_lists_sizes_and_total(tmp_path):
    (tmp_path / "features.npy").write_bytes(b"x" * 2**20)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "top.ann").write_bytes(b"y" * 2**19)
    frame = system.index_files(tmp_path)
    assert list(frame["file"]) == ["features.npy", "sub/top.ann", "total"]
    assert frame["MiB"].iloc[-1] == pytest.approx(1.5)


def test_model_table_names_every_model_without_server_paths():
    manifest = {"schema_version": 1, "created": "2025-01-01T00:00:00", "catalog": {"path": "/x/y/catalog.csv",
                "hash": "abc"}, "encoder": {"name": "efficientnet-lite0", "weights_id": "1234abcd", "dim": 1280},
                "compat": {"model": "compat-v1", "weights_id": "feedbeef", "source": "/srv/models/compat"},
                "similarity": {"attribute_heads": [{"name": "baseColour", "classes": ["Blue", "Red"]}]}}
    table = system.model_table(manifest, "pose")
    assert list(table["role"]) == ["image encoder", "detector", "garment parser", "compatibility model", "index",
                                   "attribute heads", "category model"]
    assert table.loc[5, "name"] == "baseColour" and "2 classes" in table.loc[5, "details"]
    assert table.loc[6, "name"] == "none" and table.loc[2, "name"] == "none"
    assert table.loc[0, "weights"] == "1234abcd" and table.loc[1, "name"] == "pose"
    assert "feedbeef" in table.loc[3, "weights"]
    assert "/x/y" not in table.to_string() and "/srv" not in table.to_string()
    assert "none" == system.model_table({}, "pose").loc[3, "name"]


def test_model_table_reads_the_garment_parser_config(tmp_path):
    parser = tmp_path / "garment-parser"
    parser.mkdir()
    (parser / "config.json").write_text(json.dumps({"encoder": {"weights_id": "abc123"},
                                                    "trained_on": {"photos": 40, "data": ["/d/ccp.json"]}}))
    row = system.model_table({}, "pose", parser=parser).iloc[2]
    assert row["name"] == "garment-parser" and row["weights"] == "abc123" and "40 photos from ccp.json" in row["details"]
    broken = system.model_table({}, "pose", parser=tmp_path / "missing").iloc[2]
    assert "cannot be read" in broken["details"] and str(tmp_path) not in broken["details"]


def test_streamlit_config_matches_the_image_limit_and_hides_errors():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["maxUploadSize"] * 2**20 == MAX_BYTES
    assert config["server"]["headless"] is True
    assert config["browser"]["gatherUsageStats"] is False
    assert config["client"]["showErrorDetails"] is False


def test_photo_key_is_stable_and_content_based():
    buf = io.BytesIO()
    Image.new("RGB", (5, 5), (1, 2, 3)).save(buf, format="PNG")
    assert loading.photo_key(buf.getvalue()) == loading.photo_key(bytes(buf.getvalue()))
    assert loading.photo_key(b"a") != loading.photo_key(b"b")


def test_outfit_slots_filters_wanted_and_empty():
    p = Product("X1", "t", "shoes", Path("/x.jpg"))
    r = Recommendation(p, 0.5, "fits", slot="shoes")
    outfit = Outfit("pants", [r], {"shoes": [r], "bag": [], "top": [r]})
    assert list(cards.outfit_slots(outfit)) == ["shoes", "top"]
    assert list(cards.outfit_slots(outfit, ["top"])) == ["top"]
    assert cards.outfit_slots(None) == {}


def test_timing_text_says_cached():
    answer = loading.TimedAnswer(answer=None, seconds=0.0421, cached=False)
    assert answer.timing_text == "Answered in 42 ms"
    assert loading.TimedAnswer(None, 0.0009, True).timing_text == "Answered in 1 ms (cached)"


def test_card_thumbnails_are_small_jpegs_and_small_jpegs_pass_unchanged(tmp_path):
    big, small = tmp_path / "big.png", tmp_path / "small.jpg"
    Image.new("RGB", (1200, 600), (200, 30, 30)).save(big)
    Image.new("RGB", (144, 144), (30, 30, 200)).save(small, quality=90)
    thumb = Image.open(io.BytesIO(cards.thumbnail_bytes(big)))
    assert thumb.format == "JPEG" and thumb.size == (cards.THUMB_MAX, cards.THUMB_MAX // 2)
    assert cards.thumbnail_bytes(small) == small.read_bytes(), "a JPEG already small enough is sent as it is"
    (tmp_path / "broken.jpg").write_bytes(b"not an image")
    with pytest.raises(OSError):
        cards.thumbnail_bytes(tmp_path / "broken.jpg")


@pytest.mark.parametrize("hostile", ["[x](https://evil.example)", "<img src=x onerror=alert(1)>", ":red[locked]",
                                     "**bold** ] \\ `code`"])
def test_card_text_is_one_markdown_block_with_every_catalog_string_escaped(hostile):
    card = cards.ProductCard("P1", f"{hostile} shirt", Path("x.jpg"), price="9.90", brand=hostile, colour="navy",
                             reason=f"Looks similar · {hostile}")
    text = cards.card_text(card)
    lines = text.split("  \n")
    assert lines == [f"**{messages.plain(card.title)}**", f":gray[{messages.plain(card.facts)}]",
                     f":gray[{messages.plain(card.reason)}]"]
    bare = re.sub(r"\\.", "", text)  # what is left once escaped characters are dropped is live Markdown
    assert not re.search(r"\]\(|<\w|:red\[|https?:|`", bare), text
    assert bare.count("*") == 4 and bare.count("[") == bare.count("]") == 2, "only our bold title and grey lines"
    unescape = lambda s: re.sub(r"\\(.)", r"\1", s)  # noqa: E731
    assert unescape(lines[0][2:-2]) == card.title and unescape(lines[2][6:-1]) == card.reason
    assert cards.card_text(cards.ProductCard("P2", "Plain tee", Path("x.jpg"))) == "**Plain tee**"


def test_the_app_answers_on_one_torch_thread_unless_told(monkeypatch):
    from fashion_core import config

    monkeypatch.delenv("FASHION_TORCH_THREADS", raising=False)
    assert config.serving_torch_threads() == config.SERVING_TORCH_THREADS == 1
    monkeypatch.setenv("FASHION_TORCH_THREADS", "3")
    assert config.serving_torch_threads() == 3
    monkeypatch.setenv("FASHION_TORCH_THREADS", "0")
    assert config.serving_torch_threads() == 1
