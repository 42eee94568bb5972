"""Real browser, Shop the look: the photo fits at 420 and 1400 px with every icon visible and clickable, the
results come into view after a tap, and the photo and garment survive Details and back (sidebar and browser
Back). Screenshots go to the test output folder."""

from __future__ import annotations

import pytest

from fashion_core.imageio import load_image
from webui import browser as b
from webui.loading import sample_photos
from webui.overlays import display_image

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not (b.CHROMIUM and b.CHROMEDRIVER), reason=b.MISSING_BROWSER)]

WIDTHS = (420, 1400)


@pytest.fixture(scope="module")
def app_url(demo_index, test_output, tmp_path_factory):
    """The app over the demo index, served for the whole module."""
    env = {"FASHION_INDEX": str(demo_index), "FASHION_RESULTS_DIR": str(tmp_path_factory.mktemp("results"))}
    with b.serve_app(env, log=test_output / "browser_shop_app.log", timeout=180) as (url, _proc):
        yield url


def _inside(inner, outer, slack: float = 1.0) -> bool:
    return (inner[0] >= outer[0] - slack and inner[1] >= outer[1] - slack and inner[2] <= outer[2] + slack
            and inner[3] <= outer[3] + slack)


def _photo_ready(driver, n_garments: int | None = None):
    if n_garments is not None:
        b.wait_for(lambda: len(b.garment_options(driver)) == n_garments, 180, "the garment list of the photo")
    return b.wait_for(lambda: b.photo_frame(driver), 120, "the clickable photo")


def _tap(driver, frame, i: int) -> None:
    b.click_icon(driver, frame, i)
    b.wait_for(lambda: b.selected_garment(driver) == i and b.card_ids(driver, ".st-key-results"), 120,
               f"the cards of garment {i + 1}")


@pytest.mark.parametrize("width", WIDTHS)
def test_every_icon_lies_inside_the_visible_photo_and_selects_its_garment(app_url, demo_world, width, test_output):
    samples = {s.id: s for s in sample_photos(demo_world)}
    photos = [samples["bus"], samples["zidane"]]  # a portrait street photo and a landscape one
    assert load_image(photos[1].path).width > load_image(photos[1].path).height
    with b.chrome(width, 900) as driver:
        driver.get(app_url)
        _photo_ready(driver)
        for sample in photos:
            b.pick_photo(driver, sample.label)
            b.wait_for(lambda s=sample: b.checked_photo(driver) == s.label, 30, "the photo choice")
            size = display_image(load_image(sample.path)).size
            frame = b.wait_for(lambda s=size: b.photo_frame(driver, s) if b.garment_options(driver) else None, 180,
                               f"the icons of {sample.label}")
            n = len(b.garment_options(driver))
            boxes = b.icon_boxes(driver, frame)
            viewport = [0, -1e9, driver.execute_script("return document.documentElement.clientWidth"), 1e9]
            assert len(boxes["icons"]) == n >= 1
            assert _inside(boxes["photo"], viewport), f"the whole photo is visible at {width} px"
            for i, icon in enumerate(boxes["icons"]):
                assert _inside(icon, boxes["photo"]), f"{sample.label}: icon {i + 1} outside the photo at {width} px"
                assert icon[2] - icon[0] >= 32 and icon[3] - icon[1] >= 32, "icons are at least 32 px"
            assert all(boxes["names"]), "every icon is named"
            for i in range(n):
                _tap(driver, frame, i)
                frame = b.wait_for(lambda: b.photo_frame(driver), 60, "the photo")
                assert b.icon_boxes(driver, frame)["selected"] == i, "the tapped icon is highlighted"
                assert b.wait_for(lambda: b.first_card_in_view(driver), 10, f"the first result card in view after "
                                  f"tapping icon {i + 1} of {sample.id} at {width} px",
                                  on_timeout=lambda: print("first card at", b.first_card_box(driver)))
            assert b.no_exception(driver)
            b.screenshot(driver, test_output / f"shop_the_look_{sample.id}_{width}px.png")


@pytest.mark.parametrize("width", WIDTHS)
def test_the_first_result_card_comes_into_view_after_a_tap(app_url, width):
    with b.chrome(width, 800) as driver:
        driver.get(app_url)
        frame = _photo_ready(driver)
        driver.execute_script("window.scrollTo(0, 0)")
        _tap(driver, frame, len(b.garment_options(driver)) - 1)
        assert b.wait_for(lambda: b.first_card_in_view(driver), 10, "the first result card in the viewport")


def test_details_and_back_keep_the_uploaded_photo_and_garment(app_url, demo_world, test_output):
    look = sorted((demo_world / "looks" / "images").glob("*.jpg"))[4]
    with b.chrome(1400, 1000) as driver:
        driver.get(app_url)
        _photo_ready(driver)
        b.upload_photo(driver, look)
        frame = b.wait_for(lambda: b.photo_frame(driver) if b.checked_photo(driver) == "Your own photo"
                           and b.garment_options(driver) else None, 180, "the uploaded photo's icons")
        garments = b.garment_options(driver)
        target = len(garments) - 1
        _tap(driver, frame, target)
        cards = b.wait_for(lambda: (ids := b.card_ids(driver, ".st-key-results")) and len(ids) >= 3 and ids[:3], 60,
                           "three result cards")

        def same_look() -> bool:
            return (b.checked_photo(driver) == "Your own photo" and b.garment_options(driver) == garments
                    and b.selected_garment(driver) == target and b.card_ids(driver, ".st-key-results")[:3] == cards)

        for way_back in ("browser", "sidebar"):
            details = b.wait_for(lambda: [a for a in driver.find_elements("css selector",
                                 '.st-key-results [data-testid="stPageLink"] a') if a.is_displayed()], 30,
                                 "a Details link")
            details[0].click()
            b.wait_for(lambda: "product=" in driver.current_url and driver.find_elements(
                "css selector", '[data-testid="stHeading"]'), 60, "the product page")
            b.screenshot(driver, test_output / "catalog_product_1400px.png")
            if way_back == "browser":
                driver.back()
            else:
                b.open_sidebar_page(driver, "Shop the look")
            assert b.wait_for(same_look, 120, f"the same photo and garment after {way_back} Back"), way_back
            frame = b.wait_for(lambda: b.photo_frame(driver), 60, "the photo")
            assert b.icon_boxes(driver, frame)["selected"] == target
        assert b.no_exception(driver)
