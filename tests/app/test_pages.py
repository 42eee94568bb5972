"""Every page rendered with Streamlit's AppTest over the small demo index: widgets, product cards, bad uploads,
kept state, literal rendering of untrusted text, the fallback banner."""

from __future__ import annotations

import io
import json
import re
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from fashion_core.catalog import load_catalog
from fashion_core.imageio import load_image
from webui import loading, overlays
from webui.page import FALLBACK_BANNER

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 300  # first runs load the encoder and detector on a shared 2-core machine


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


def card_ids(node, catalog=None) -> list[str]:
    """Product ids of the product cards under an element-tree node (read from their Details links)."""
    ids = [link.proto.query_string.removeprefix("product=") for link in node.get("page_link")]
    return [i for i in ids if catalog is None or i in catalog]


def all_text(at: AppTest) -> list[str]:
    """Every string the page shows through Markdown (titles, captions, boxes) and as plain text."""
    kinds = ("markdown", "caption", "title", "header", "subheader", "error", "warning", "info", "success", "text",
             "toast")
    return [e.value for kind in kinds for e in at.get(kind)]


def column_with(at: AppTest, heading: str):
    """The page column whose sub-header starts with ``heading`` (Compare's two sides)."""
    return next(c for c in at.columns if any(s.value.startswith(heading) for s in c.subheader))


def garment_radio(at: AppTest):
    found = [r for r in at.radio if r.label == "Garments in this photo"]
    return found[0] if found else None


def photo_radio(at: AppTest):
    return at.radio(key="photo_choice")


def open_section(at: AppTest, section: str) -> AppTest:
    """Show the answer's ``section`` ("Similar" or "Complete the look"; only the open one is drawn)."""
    control = at.segmented_control(key="look_section")
    return at if control.value == section else control.set_value(section).run()


def section_cards(at: AppTest, section: str, catalog=None) -> tuple[AppTest, list[str]]:
    """The app after opening ``section``, and the product ids of the cards it shows."""
    at = open_section(at, section)
    return at, card_ids(at, catalog)


def assert_clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


# ---------------------------------------------------------------- Shop the look

def chosen_category(at: AppTest, catalog) -> str:
    return at.session_state["selected_garment"]["category"]


def test_shop_the_look_selection_fills_both_sections(app_env, catalog):
    at = run_page("app.py")
    assert_clean(at)
    photo = photo_radio(at)
    assert photo.value.startswith("Demo look") and "Your own photo" in photo.options, "the upload is on the page"
    assert any("bus" in o for o in photo.options)
    radio = garment_radio(at)
    assert radio is not None and len(radio.options) >= 2, "a demo look shows several garments"
    assert radio.value is None and len(at.segmented_control) == 0, "nothing is selected before a click"

    at = radio.set_value(0).run()
    assert_clean(at)
    assert at.segmented_control(key="look_section").options == ["Similar", "Complete the look"]
    assert at.segmented_control(key="look_section").value == "Similar", "Similar opens first"
    similar = card_ids(at)
    assert len(similar) == 10 and len(set(similar)) == 10, "only the open section's cards are drawn"
    assert all(i in catalog for i in similar)
    timing = [c.value for c in at.caption if c.value.startswith("Answered in")]
    assert timing and timing[0].endswith(" ms"), timing
    at, outfit = section_cards(at, "Complete the look", catalog)
    timing = [c.value for c in at.caption if c.value.startswith("Answered in")]
    assert timing and timing[0].endswith("(cached)"), "opening the other section computes nothing again"
    assert_clean(at)
    assert outfit and set(outfit).isdisjoint(similar), "Complete the look replaces the Similar cards"
    chosen = chosen_category(at, catalog)
    assert all(catalog.get(i).category == chosen for i in similar), "Similar stays in the garment's category"
    assert outfit, "Complete the look shows an outfit"
    assert all(catalog.get(i).category != chosen for i in outfit), "the outfit never repeats the query's category"
    assert at.query_params["garment"] == ["1"] and at.query_params["photo"] == ["look-1"]


def test_no_card_shows_a_raw_score_slot_or_slug(app_env, catalog):
    at = run_page("app.py")
    at = garment_radio(at).set_value(0).run()
    shown = " ".join(all_text(at))
    assert "score" not in shown.lower() and "slot" not in shown.lower() and "%)" not in shown
    assert not re.search(r"\b0\.\d{2,}", shown), "no raw scores"
    at, outfit = section_cards(at, "Complete the look", catalog)
    shown = " ".join(all_text(at))
    assert "score" not in shown.lower() and "slot" not in shown.lower() and "%)" not in shown
    assert not re.search(r"\b0\.\d{2,}", shown), "no raw scores"
    for rec_id in outfit:
        category = catalog.get(rec_id).category
        if category in ("scarf/tie", "outerwear", "pants"):
            assert category not in shown


def test_the_same_answer_again_says_cached(app_env, catalog):
    at = run_page("app.py")
    at = garment_radio(at).set_value(1).run()
    at = garment_radio(at).set_value(0).run()
    at = garment_radio(at).set_value(1).run()
    timing = [c.value for c in at.caption if c.value.startswith("Answered in")]
    assert timing and timing[0].endswith("(cached)"), timing


def test_photo_and_garment_are_kept_across_pages(app_env, catalog):
    at = run_page("app.py")
    second = photo_radio(at).options[2]
    at = photo_radio(at).set_value(second).run()
    at = garment_radio(at).set_value(1).run()
    assert_clean(at)
    first_card = card_ids(at, catalog)[0]
    at.switch_page("app_pages/1_Catalog.py")
    at.query_params["product"] = first_card
    at.run()
    assert_clean(at)
    at.switch_page("app_pages/0_Shop_the_look.py")
    at.query_params.clear()
    at.run()
    assert_clean(at)
    assert photo_radio(at).value == second, "the photo survives a visit to Details"
    assert garment_radio(at).value == 1, "and so does the garment"
    assert card_ids(at, catalog)[0] == first_card


def test_a_shared_url_opens_its_photo_and_garment(app_env):
    at = run_page("app.py", photo="look-2", garment="2")
    assert_clean(at)
    assert photo_radio(at).value == "Demo look 2" and garment_radio(at).value == 1
    for crafted in ({"photo": "../../etc/passwd", "garment": "x"}, {"photo": "look-1", "garment": "999"},
                    {"photo": "[x](https://evil.example)", "garment": "-1"}):
        at = run_page("app.py", **crafted)
        assert_clean(at)
        assert photo_radio(at).value.startswith("Demo look") and garment_radio(at).value is None


def test_switching_samples_and_garments_keeps_working(app_env, catalog):
    at = run_page("app.py")
    for label in photo_radio(at).options[2:4]:
        at = photo_radio(at).set_value(label).run()
        assert_clean(at)
        radio = garment_radio(at)
        if radio is None:  # a photo with nobody in it says so
            assert at.warning
            continue
        at = radio.set_value(len(radio.options) - 1).run()
        assert_clean(at)
        at, outfit = section_cards(at, "Complete the look", catalog)
        assert_clean(at)
        assert outfit


def test_the_fallback_banner_shows_without_a_compatibility_model(app_env):
    for name in ("app.py", "app_pages/1_Catalog.py", "app_pages/3_System.py"):
        at = run_page(name)
        assert any(w.value == FALLBACK_BANNER for w in at.warning), name  # the demo test index has none


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
    return [
        ("truncated.jpg", _jpeg(noise)[:600], "image/jpeg"),
        ("empty.jpg", b"", "image/jpeg"),
        ("page.png", b"<!DOCTYPE html><html><body>not an image</body></html>", "image/png"),
        ("huge.png", _huge_png(20_000, 20_000), "image/png"),
        ("notes.jpg", b"just some text, not a photo\n" * 20, "image/jpeg"),
        ("dot.png", _png(Image.new("RGB", (1, 1), (9, 9, 9))), "image/png"),
    ]


def test_bad_uploads_each_show_a_message_and_the_next_upload_works(app_env, demo_world):
    at = run_page("app.py")
    at = photo_radio(at).set_value("Your own photo").run()
    assert_clean(at)
    assert at.file_uploader and at.info, "the uploader and a hint are shown"
    for name, data, mime in _malformed():
        at = at.file_uploader[0].set_value((name, data, mime)).run()
        assert_clean(at)
        messages = [e.value for e in at.error] + [w.value for w in at.warning if w.value != FALLBACK_BANNER]
        assert messages, f"{name}: no message shown"
        assert not any("Traceback" in m for m in messages)
        assert garment_radio(at) is None, f"{name}: no garments from a bad or empty photo"
    assert any("20000×20000" in e.value for e in run_upload(at, "huge.png").error)
    look = sorted((demo_world / "looks" / "images").glob("*.jpg"))[0]
    at = at.file_uploader[0].set_value((look.name, look.read_bytes(), "image/jpeg")).run()
    assert_clean(at)
    assert not at.error and garment_radio(at) is not None, "a good photo after bad ones works"


def test_a_cmyk_or_16_bit_photo_works_like_its_rgb_original(app_env, demo_world):
    """A CMYK JPEG (print workflows) or a 16-bit PNG is converted to 8-bit RGB and shopped like any photo: no
    message, the same garments found. (Before, the test fed CMYK noise and expected a refusal.)"""
    look = sorted((demo_world / "looks" / "images").glob("*.jpg"))[0]
    rgb = load_image(look)
    at = run_page("app.py")
    at = photo_radio(at).set_value("Your own photo").run()
    at = at.file_uploader[0].set_value(("look.png", _png(rgb), "image/png")).run()
    want = len(garment_radio(at).options)
    sixteen = Image.fromarray(np.asarray(rgb.convert("L"), dtype=np.uint16) * 257)
    at = at.file_uploader[0].set_value(("cmyk.jpg", _jpeg(rgb.convert("CMYK"), quality=95), "image/jpeg")).run()
    assert_clean(at)
    assert not at.error and garment_radio(at) is not None, "a CMYK photo is not refused"
    assert abs(len(garment_radio(at).options) - want) <= 1, "and finds the garments of its RGB original"
    frames = [rgb, rgb.transpose(Image.Transpose.FLIP_LEFT_RIGHT)]
    anim = io.BytesIO()
    frames[0].save(anim, format="GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    for name, data, mime in (("deep.png", _png(sixteen), "image/png"), ("anim.png", anim.getvalue(), "image/png")):
        at = at.file_uploader[0].set_value((name, data, mime)).run()  # grey 16-bit; an animation's first frame
        assert_clean(at)
        assert not at.error, f"{name} is not refused"
    at = garment_radio(at).set_value(0).run()
    assert_clean(at)
    assert card_ids(at) or at.info


def run_upload(at: AppTest, name: str) -> AppTest:
    data = dict((n, (d, m)) for n, d, m in _malformed())[name]
    return at.file_uploader[0].set_value((name, *data)).run()


def test_icon_click_selects_the_garment_under_it(app_env, demo_world):
    rec = loading.open_recommender(app_env)
    look = sorted((demo_world / "looks" / "images").glob("*.jpg"))[0]
    image = load_image(look)
    detections = overlays.one_per_garment(rec.shop_the_look(image)).detections
    assert detections
    for width in (390, 640, 1200):  # a phone column, a desktop column, a wide one
        height = width * image.height / image.width
        for i, det in enumerate(detections):
            click = {"x": det.icon[0] * width / image.width, "y": det.icon[1] * height / image.height,
                     "width": width, "height": height}
            assert overlays.icon_at_click(detections, click, image.size) == i
    assert overlays.icon_at_click(detections, {"x": -500, "y": -500, "width": 10, "height": 10}, image.size) is None


# ---------------------------------------------------------------- Catalog

def test_catalog_grid_filters_search_and_pages(app_env, catalog):
    at = run_page("app_pages/1_Catalog.py")
    assert_clean(at)
    assert len(card_ids(at, catalog)) == 24
    assert {s.label for s in at.selectbox} >= {"Category", "Per page", "Sort by"}
    at = at.selectbox(key="cat_category").set_value("shoes").run()
    shoes = card_ids(at, catalog)
    assert shoes and all(catalog.get(i).category == "shoes" for i in shoes)
    target = catalog.by_category("bag")[3]
    at = at.selectbox(key="cat_category").set_value("All").run()
    at = at.text_input(key="cat_search").input(target.product_id).run()
    assert card_ids(at, catalog) == [target.product_id]
    at = at.text_input(key="cat_search").input("zzzz nothing matches").run()
    assert at.warning and not card_ids(at, catalog)
    assert "fewer words" in at.warning[-1].value
    at = at.text_input(key="cat_search").input("Q99999").run()
    assert "No product has that ID" in at.warning[-1].value, "an unknown ID gets its own message"
    at = at.text_input(key="cat_search").input("").run()
    at = at.button(key="cat_next").click().run()
    assert_clean(at)
    assert card_ids(at, catalog)[0] == catalog.products[24].product_id
    assert at.query_params["page"] == ["2"]
    at = at.button(key="cat_prev").click().run()
    assert card_ids(at, catalog)[0] == catalog.products[0].product_id


def test_catalog_keeps_search_and_page_across_details_and_back(app_env, catalog):
    at = run_page("app_pages/1_Catalog.py")
    at = at.selectbox(key="cat_per_page").set_value(12).run()
    at = at.button(key="cat_next").click().run()
    page2 = card_ids(at, catalog)
    at.query_params["product"] = page2[0]
    at.run()
    assert_clean(at)
    assert at.header and at.button[0].label == "Back to the catalog"
    at = at.button[0].click().run()
    assert_clean(at)
    assert card_ids(at, catalog) == page2, "back on the same page of the same list"
    at = at.text_input(key="cat_search").input("navy").run()
    hits = card_ids(at, catalog)
    at.switch_page("app_pages/2_Compare.py").run()
    at.switch_page("app_pages/1_Catalog.py")
    at.query_params.clear()
    at.run()
    assert at.text_input(key="cat_search").value == "navy" and card_ids(at, catalog) == hits


def test_catalog_product_view_has_similar_and_outfit(app_env, catalog):
    product = catalog.by_category("top")[0]
    at = run_page("app_pages/1_Catalog.py", product=product.product_id)
    assert_clean(at)
    assert at.header[0].value.replace("\\", "") == product.title
    similar, outfit = card_ids(at.tabs[0], catalog), card_ids(at.tabs[1], catalog)
    assert similar and product.product_id not in similar
    assert all(catalog.get(i).category == "top" for i in similar)
    assert outfit and all(catalog.get(i).category != "top" for i in outfit)


CRAFTED = ["[click me](https://evil.example/phish)", "![x](https://evil.example/pixel.png)",
           "<img src=https://evil.example/p.png onerror=alert(1)>", "<script>alert(1)</script>",
           ":red[**Your account is locked**] call 555", "x" * 5000]


@pytest.mark.parametrize("crafted", CRAFTED)
def test_catalog_unknown_product_is_a_message_that_shows_the_url_literally(app_env, crafted):
    at = run_page("app_pages/1_Catalog.py", product=crafted)
    assert_clean(at)
    assert at.error and "could not find that product" in at.error[0].value
    assert crafted[:120] in " ".join(t.value for t in at.text), "the id is shown as plain text"
    for shown in all_text(at):
        if shown in (t.value for t in at.text):
            continue
        assert "evil.example" not in shown and "<img" not in shown and "<script" not in shown


@pytest.fixture(scope="module")
def hostile_index(demo_world, tmp_path_factory):
    """A small index whose catalog titles, brands and colours hold Markdown and HTML."""
    import shutil

    import pandas as pd

    from fashion_core.ingest import build_index

    frame = pd.read_csv(demo_world / "catalog.csv", dtype=str, keep_default_na=False)
    frame = frame.groupby("category", sort=False).head(3).reset_index(drop=True)
    for i in range(len(frame)):
        frame.loc[i, "title"] = f"{CRAFTED[i % 5]} {frame.loc[i, 'title']}"
    frame["brand"] = "[Brand](https://evil.example/b)"
    frame["colour"] = "<b>navy</b>"
    root = tmp_path_factory.mktemp("hostile")
    (root / "images").mkdir()
    for rel in frame["image"]:
        shutil.copy(demo_world / rel, root / rel)
    frame.to_csv(root / "catalog.csv", index=False)
    build_index(root / "catalog.csv", root / "index", progress=False)
    return root / "index", frame


def _markdown_is_inert(at: AppTest) -> None:
    """No Markdown element carries an unescaped link, image, HTML tag or colour directive."""
    for kind in ("markdown", "caption", "title", "header", "subheader", "error", "warning", "info"):
        for e in at.get(kind):
            bare = re.sub(r"\\.", "", e.value)  # drop escaped characters: what is left is live Markdown
            assert not re.search(r"\]\(|<\w|:red\[|https?:", bare), (kind, e.value)


def test_catalog_text_with_markdown_and_html_shows_literally(hostile_index, monkeypatch, tmp_path):
    index, frame = hostile_index
    monkeypatch.setenv("FASHION_INDEX", str(index))
    monkeypatch.setenv("FASHION_RESULTS_DIR", str(tmp_path))
    at = run_page("app_pages/1_Catalog.py")
    assert_clean(at)
    assert card_ids(at)
    _markdown_is_inert(at)
    titles = [e.value.replace("\\", "").split("  \n")[0] for e in at.markdown if e.value.startswith("**")]
    assert f"**{frame.loc[0, 'title']}**" in titles, "the title is shown, every character of it"
    at = run_page("app_pages/1_Catalog.py", product=frame.loc[0, "product_id"])
    assert_clean(at)
    _markdown_is_inert(at)
    at = run_page("app.py")
    at = garment_radio(at).set_value(0).run()
    assert_clean(at)
    _markdown_is_inert(at)
    at = open_section(at, "Complete the look")
    assert_clean(at)
    _markdown_is_inert(at)
    at = run_page("app_pages/2_Compare.py", product=frame.loc[1, "product_id"])
    assert_clean(at)
    _markdown_is_inert(at)


def test_a_failing_page_shows_a_short_message_with_an_error_id(app_env, tmp_path, monkeypatch, caplog):
    broken = tmp_path / "broken_index"
    broken.mkdir()
    (broken / "manifest.json").write_text("{ not json")
    monkeypatch.setenv("FASHION_INDEX", str(broken))
    with caplog.at_level("ERROR", logger="fashion_core.app"):
        at = run_page("app_pages/1_Catalog.py")
    assert_clean(at)
    text = at.error[0].value
    assert "error id" in text and str(tmp_path) not in text and "fashion-core" not in text
    eid = re.search(r"error id (\w+)", text).group(1)
    assert any(eid in r.getMessage() and r.exc_info for r in caplog.records)


# ---------------------------------------------------------------- Compare

def test_compare_product_side_by_side_with_controls(app_env, catalog):
    product = catalog.by_category("pants")[0]
    at = run_page("app_pages/2_Compare.py", product=product.product_id)
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
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT).switch_page("app_pages/2_Compare.py")
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
    at = run_page("app_pages/3_System.py")
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
    assert any("broken.json" in w.value.replace("\\", "") for w in at.warning)
    shown = [m.replace("\\", "") for m in all_text(at)]
    assert any("precision_at_k" in m and "(share (0 to 1))" in m for m in shown)
    assert any("latency_ms" in m and "(milliseconds)" in m for m in shown)
    assert not any(str(app_env.parent) in m or "FASHION_INDEX" in m for m in shown), "no server paths"


@pytest.fixture(scope="module")
def look_and_index_without_its_garment(demo_world, demo_index, tmp_path_factory):
    """Demo look 1, and a small index over the demo catalog that lacks the category of its first garment."""
    import shutil

    import pandas as pd

    from fashion_core.ingest import build_index

    look = sorted((demo_world / "looks" / "images").glob("*.jpg"))[0]
    rec = loading.open_recommender(demo_index)
    missing = overlays.one_per_garment(rec.shop_the_look(load_image(look))).detections[0].category
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
    at = photo_radio(at).set_value("Your own photo").run()
    at = at.file_uploader[0].set_value((look.name, look.read_bytes(), "image/jpeg")).run()
    assert_clean(at)
    at = garment_radio(at).set_value(0).run()
    assert_clean(at)
    assert any(f"no {missing} items" in i.value for i in at.info), [i.value for i in at.info]
    catalog = load_catalog(index.parent / "catalog.csv")
    assert not card_ids(at, catalog), "nothing similar from a category the catalog lacks"
    at, outfit = section_cards(at, "Complete the look", catalog)
    assert outfit, "complete the look still works"
