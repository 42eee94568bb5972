"""Every page rendered with Streamlit's AppTest over the small demo index: widgets, product cards, bad uploads."""

from __future__ import annotations

import io
import json
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from fashion_core import app_support as ui
from fashion_core.catalog import load_catalog

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 180  # first runs load the encoder and detector on a shared 2-core machine


@pytest.fixture
def app_env(demo_index, monkeypatch, tmp_path):
    """Point the app at the demo index and at an empty benchmark-results folder."""
    monkeypatch.setenv("FASHION_INDEX", str(demo_index))
    monkeypatch.setenv("FASHION_RESULTS_DIR", str(tmp_path / "results"))
    return demo_index


@pytest.fixture(scope="module")
def catalog(demo_world):
    return load_catalog(demo_world / "catalog.csv")


def run_page(name: str, **query) -> AppTest:
    """Run one page as the multipage app does (``app.py`` is the main script, so page links resolve)."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    if name != "app.py":
        at.switch_page(name)
    for k, v in query.items():
        at.query_params[k] = v
    return at.run()


def card_ids(node, catalog) -> list[str]:
    """Product ids of the product cards under an element-tree node (read from the cards' captions)."""
    ids = [c.value.split(" · ")[0] for c in node.caption]
    return [i for i in ids if i in catalog]


def column_with(at: AppTest, heading: str):
    """The page column whose sub-header starts with ``heading`` (Compare's two sides)."""
    return next(c for c in at.columns if any(s.value.startswith(heading) for s in c.subheader))


def garment_radio(at: AppTest):
    found = [r for r in at.radio if r.label == "Garments in this photo"]
    return found[0] if found else None


def assert_clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


# ---------------------------------------------------------------- Shop the look

def test_shop_the_look_selection_fills_both_tabs(app_env, catalog):
    at = run_page("app.py")
    assert_clean(at)
    photo = at.sidebar.radio[0]
    assert photo.label == "Photo" and photo.value.startswith("Demo look")
    assert any("bus" in o for o in photo.options) and any("ultralytics" in o for o in photo.options)
    radio = garment_radio(at)
    assert radio is not None and len(radio.options) >= 2, "a demo look shows several garments"
    assert radio.value is None and len(at.tabs) == 0, "nothing is selected before a click"

    at = radio.set_value(0).run()
    assert_clean(at)
    assert [t.label for t in at.tabs] == ["Similar", "Complete the look"]
    similar, outfit = card_ids(at.tabs[0], catalog), card_ids(at.tabs[1], catalog)
    assert len(similar) == 10 and len(set(similar)) == 10
    chosen = garment_radio(at).options[0].split(" ", 1)[1].rsplit(" (", 1)[0]
    assert all(catalog.get(i).category == chosen for i in similar), "Similar stays in the garment's category"
    assert outfit, "Complete the look shows an outfit"
    assert all(catalog.get(i).category != chosen for i in outfit), "the outfit never repeats the query's category"
    assert at.session_state["selected_garment"]["category"] == chosen


def test_switching_samples_and_garments_keeps_working(app_env, catalog):
    at = run_page("app.py")
    photo = at.sidebar.radio[0]
    for label in photo.options[1:3]:
        at = at.sidebar.radio[0].set_value(label).run()
        assert_clean(at)
        radio = garment_radio(at)
        if radio is None:  # a photo with nobody in it says so
            assert at.warning
            continue
        at = radio.set_value(len(radio.options) - 1).run()
        assert_clean(at)
        assert card_ids(at.tabs[1], catalog)


def _jpeg(img: Image.Image, **kw) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="JPEG", **kw)
    return buf.getvalue()


def _png(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def _huge_png(width: int, height: int) -> bytes:
    """A valid grey PNG of width×height written row by row (small file, huge pixel count)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    comp, row, body = zlib.compressobj(9), b"\x00" * (width + 1), bytearray()
    for _ in range(height):
        body += comp.compress(row)
    body += comp.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", bytes(body)) + chunk(b"IEND", b"")


def _malformed() -> list[tuple[str, bytes, str]]:
    rng = np.random.default_rng(0)
    noise = Image.fromarray(rng.integers(0, 255, (96, 128, 3), dtype=np.uint8), "RGB")
    frames = [Image.new("RGB", (40, 40), c) for c in ((255, 0, 0), (0, 255, 0))]
    gif = io.BytesIO()
    frames[0].save(gif, format="GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    sixteen = Image.fromarray(np.tile(np.linspace(0, 65535, 64, dtype=np.uint16), (48, 1)))
    return [
        ("truncated.jpg", _jpeg(noise)[:600], "image/jpeg"),
        ("empty.jpg", b"", "image/jpeg"),
        ("page.png", b"<!DOCTYPE html><html><body>not an image</body></html>", "image/png"),
        ("huge.png", _huge_png(20_000, 20_000), "image/png"),
        ("notes.jpg", b"just some text, not a photo\n" * 20, "image/jpeg"),
        ("cmyk.jpg", _jpeg(noise.convert("CMYK")), "image/jpeg"),
        ("deep.png", _png(sixteen), "image/png"),
        ("anim.png", gif.getvalue(), "image/png"),
        ("dot.png", _png(Image.new("RGB", (1, 1), (9, 9, 9))), "image/png"),
    ]


def test_bad_uploads_each_show_a_message_and_the_next_upload_works(app_env, demo_world):
    at = run_page("app.py")
    at = at.sidebar.radio[0].set_value("Upload your own photo").run()
    assert_clean(at)
    assert at.file_uploader and at.info, "the uploader and a hint are shown"
    for name, data, mime in _malformed():
        at = at.file_uploader[0].set_value((name, data, mime)).run()
        assert_clean(at)
        messages = [e.value for e in at.error] + [w.value for w in at.warning]
        assert messages, f"{name}: no message shown"
        assert not any("Traceback" in m for m in messages)
        assert garment_radio(at) is None, f"{name}: no garments from a bad or empty photo"
    assert any("20000×20000" in e.value for e in run_upload(at, "huge.png").error)
    look = sorted((demo_world / "looks" / "images").glob("*.jpg"))[0]
    at = at.file_uploader[0].set_value((look.name, look.read_bytes(), "image/jpeg")).run()
    assert_clean(at)
    assert not at.error and garment_radio(at) is not None, "a good photo after bad ones works"


def run_upload(at: AppTest, name: str) -> AppTest:
    data = dict((n, (d, m)) for n, d, m in _malformed())[name]
    return at.file_uploader[0].set_value((name, *data)).run()


def test_icon_click_selects_the_garment_under_it(app_env, demo_world):
    rec = ui.open_recommender(app_env)
    look = sorted((demo_world / "looks" / "images").glob("*.jpg"))[0]
    from fashion_core.imageio import load_image

    image = load_image(look)
    detections = rec.detect(image)
    assert detections
    for i, det in enumerate(detections):
        shown = ui.display_image(image)
        click = {"x": det.icon[0] * shown.width / image.width, "y": det.icon[1] * shown.height / image.height,
                 "width": shown.width, "height": shown.height}
        assert ui.icon_at_click(detections, click, image.size) == i
    assert ui.icon_at_click(detections, {"x": -500, "y": -500, "width": 10, "height": 10}, image.size) is None


# ---------------------------------------------------------------- Catalog

def test_catalog_grid_filters_search_and_pages(app_env, catalog):
    at = run_page("pages/1_Catalog.py")
    assert_clean(at)
    assert len(card_ids(at, catalog)) == 24
    assert {s.label for s in at.selectbox} >= {"Category", "Per page"}
    at = at.selectbox(key="cat_category").set_value("shoes").run()
    shoes = card_ids(at, catalog)
    assert shoes and all(catalog.get(i).category == "shoes" for i in shoes)
    target = catalog.by_category("bag")[3]
    at = at.selectbox(key="cat_category").set_value("All").run()
    at = at.text_input(key="cat_search").input(target.product_id).run()
    assert card_ids(at, catalog)[0] == target.product_id
    at = at.text_input(key="cat_search").input("zzzz nothing matches").run()
    assert at.warning and not card_ids(at, catalog)
    at = at.text_input(key="cat_search").input("").run()
    at = at.number_input(key="cat_page").set_value(2).run()
    assert_clean(at)
    assert card_ids(at, catalog)[0] == catalog.products[24].product_id


def test_catalog_product_view_has_similar_and_outfit(app_env, catalog):
    product = catalog.by_category("top")[0]
    at = run_page("pages/1_Catalog.py", product=product.product_id)
    assert_clean(at)
    assert at.header[0].value == product.title
    similar, outfit = card_ids(at.tabs[0], catalog), card_ids(at.tabs[1], catalog)
    assert similar and product.product_id not in similar
    assert all(catalog.get(i).category == "top" for i in similar)
    assert outfit and all(catalog.get(i).category != "top" for i in outfit)


def test_catalog_unknown_product_is_a_message(app_env):
    at = run_page("pages/1_Catalog.py", product="NOPE-1")
    assert_clean(at)
    assert "NOPE-1" in at.error[0].value


# ---------------------------------------------------------------- Compare

def test_compare_product_side_by_side_with_controls(app_env, catalog):
    product = catalog.by_category("pants")[0]
    at = run_page("pages/2_Compare.py", product=product.product_id)
    assert_clean(at)
    assert at.text_input(key="cmp_product").value == product.product_id
    left = column_with(at, "Similar")
    assert all(catalog.get(i).category == "pants" for i in card_ids(left, catalog))
    assert len(card_ids(left, catalog)) == 6
    slots = at.multiselect[0]
    assert "bottom" not in slots.options and "one-piece" not in slots.options
    at = slots.set_value(["shoes"]).run()
    at = at.slider(key="cmp_k").set_value(3).run()
    assert_clean(at)
    picked = card_ids(column_with(at, "Complete the look"), catalog)
    assert 1 <= len(picked) <= 3 and all(catalog.get(i).category == "shoes" for i in picked)
    assert len(card_ids(column_with(at, "Similar"), catalog)) == 3


def test_compare_uses_the_garment_selected_on_shop_the_look(app_env, catalog):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT).switch_page("pages/2_Compare.py")
    skirt = catalog.by_category("skirt")[0]
    at.session_state["selected_garment"] = {"crop": Image.open(skirt.image).convert("RGB"), "category": "skirt",
                                            "label": "test skirt"}
    at.run()
    assert_clean(at)
    assert at.radio(key="cmp_source").value.startswith("The garment")
    assert all(catalog.get(i).category == "skirt" for i in card_ids(column_with(at, "Similar"), catalog))
    assert card_ids(column_with(at, "Complete the look"), catalog)


# ---------------------------------------------------------------- System

def test_system_page_shows_models_index_and_benchmarks(app_env, tmp_path):
    results = tmp_path / "results"
    results.mkdir()
    (results / "bench_demo.json").write_text(json.dumps(
        {"machine": "test", "date": "2025-01-01", "command": "python benchmarks/bench_demo.py",
         "figures": {"precision_at_k": {"1": 0.9, "5": 0.8, "10": 0.7}, "fitb": 0.6,
                     "latency_ms": {"detect": {"p50": 10, "p95": 20}, "ann": {"p50": 1, "p95": 2}}}}))
    (results / "broken.json").write_text("{")
    at = run_page("pages/3_System.py")
    assert_clean(at)
    models = at.dataframe[0].value
    assert list(models["role"]) == ["image encoder", "detector", "garment parser", "compatibility model", "index",
                                    "attribute heads", "category model"]
    from fashion_core.index import load_index

    manifest = load_index(app_env).manifest.to_dict()
    heads = [h["name"] for h in manifest["similarity"]["attribute_heads"]]
    assert heads and models.loc[5, "name"] == ", ".join(heads)  # the demo catalog's silhouette and colour
    assert models.loc[0, "weights"] == manifest["encoder"]["weights_id"]
    assert any(m.label == "Products" for m in at.metric)
    assert [e.label for e in at.expander if e.label == "bench_demo"]
    assert any("broken.json" in w.value for w in at.warning)
    assert any("precision_at_k" in m.value for m in at.markdown)


@pytest.fixture(scope="module")
def look_and_index_without_its_garment(demo_world, demo_index, tmp_path_factory):
    """Demo look 1, and a small index over the demo catalog that lacks the category of its first garment."""
    import shutil

    import pandas as pd

    from fashion_core.imageio import load_image
    from fashion_core.ingest import build_index

    look = sorted((demo_world / "looks" / "images").glob("*.jpg"))[0]
    missing = ui.open_recommender(demo_index).detect(load_image(look))[0].category
    frame = pd.read_csv(demo_world / "catalog.csv", dtype=str, keep_default_na=False)
    frame = frame[frame["category"] != missing].groupby("category", sort=False).head(4)
    root = tmp_path_factory.mktemp("shop_without")
    (root / "images").mkdir()
    for rel in frame["image"]:
        shutil.copy(demo_world / rel, root / rel)
    frame.to_csv(root / "catalog.csv", index=False)
    build_index(root / "catalog.csv", root / "index", progress=False)
    return look, missing, root / "index"


def test_a_garment_category_the_catalog_lacks_is_a_message(look_and_index_without_its_garment, monkeypatch,
                                                            tmp_path):
    look, missing, index = look_and_index_without_its_garment
    monkeypatch.setenv("FASHION_INDEX", str(index))
    monkeypatch.setenv("FASHION_RESULTS_DIR", str(tmp_path))
    at = run_page("app.py")
    at = at.sidebar.radio[0].set_value("Upload your own photo").run()
    at = at.file_uploader[0].set_value((look.name, look.read_bytes(), "image/jpeg")).run()
    assert_clean(at)
    at = garment_radio(at).set_value(0).run()
    assert_clean(at)
    assert any(f"no {missing} items" in i.value for i in at.info), [i.value for i in at.info]
    catalog = load_catalog(index.parent / "catalog.csv")
    assert not card_ids(at.tabs[0], catalog), "nothing similar from a category the catalog lacks"
    assert card_ids(at.tabs[1], catalog), "complete the look still works"
