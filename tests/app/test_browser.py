"""Real browser: start the app, pick a sample photo, click a garment's icon, see Similar and Complete-the-look cards."""

from __future__ import annotations

import re

import pytest

from fashion_core import app_support as ui
from fashion_core.catalog import load_catalog
from fashion_core.imageio import load_image

from .browser import (
    CHROMEDRIVER,
    CHROMIUM,
    MISSING_BROWSER,
    chrome,
    click_photo,
    garment_options,
    isolated_first,
    photo_frame_ready,
    pick_sample,
    selected_garment,
    serve_app,
    tab_panels_text,
    wait_for,
)

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not (CHROMIUM and CHROMEDRIVER), reason=MISSING_BROWSER)]


def test_click_on_a_garment_icon_shows_similar_and_complete_the_look(demo_world, demo_index, test_output, tmp_path):
    from selenium.webdriver.common.by import By

    catalog = load_catalog(demo_world / "catalog.csv")
    samples = ui.sample_photos(demo_world)
    sample = samples[1]  # not the default photo: the test really picks one
    image = load_image(sample.path)
    detections = ui.open_recommender(demo_index).detect(image)
    assert detections, f"the detector finds garments in {sample.path.name}"
    target = isolated_first(detections)[0]
    env = {"FASHION_INDEX": str(demo_index), "FASHION_RESULTS_DIR": str(tmp_path)}
    with serve_app(env, log=test_output / "browser_app.log") as (url, _proc), chrome() as driver:
        driver.get(url)
        pick_sample(driver, sample.label)
        wait_for(lambda: len(garment_options(driver)) == len(detections), 120, "the garment list of the new photo")
        frame, width, height = wait_for(lambda: photo_frame_ready(driver), 60, "the clickable photo")
        x, y = detections[target].icon
        click_photo(driver, frame, x * width / image.width, y * height / image.height)

        # Streamlit draws cards one by one: wait for the whole list (k = 10), not the first card
        panels = wait_for(lambda: (t := tab_panels_text(driver)) and len(t) == 2
                          and len(re.findall(r"D\d{5} · ", t.get("Similar", ""))) >= 10 and t, 120,
                          "the two result tabs filled with product cards",
                          on_timeout=lambda: driver.save_screenshot(str(test_output / "app_timeout.png")))
        assert list(panels) == ["Similar", "Complete the look"]
        assert selected_garment(driver) == target, "the clicked garment is selected"
        ids = {name: re.findall(r"(D\d{5}) · ", text) for name, text in panels.items()}
        assert len(ids["Similar"]) == 10, ids
        assert all(catalog.get(i).category == detections[target].category for i in ids["Similar"])
        driver.execute_script("window.scrollTo(0, 0)")
        driver.save_screenshot(str(test_output / "app_shop_the_look_similar.png"))
        driver.find_elements(By.CSS_SELECTOR, '[data-testid="stTab"]')[1].click()
        outfit = wait_for(lambda: re.findall(r"(D\d{5}) · ", tab_panels_text(driver).get("Complete the look", "")),
                          60, "complete-the-look cards")
        assert all(catalog.get(i).category != detections[target].category for i in outfit)
        driver.save_screenshot(str(test_output / "app_shop_the_look_outfit.png"))
        assert not driver.find_elements(By.CSS_SELECTOR, '[data-testid="stException"]'), "no traceback on the page"
