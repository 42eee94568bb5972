"""A real app server and a real Chromium for the browser test and ``benchmarks/bench_app.py``.

``serve_app`` runs ``streamlit run app.py`` on a free localhost port (bounded wait, always killed);
``chrome`` drives Debian's Chromium through its chromedriver with Selenium (no downloads).
"""

from __future__ import annotations

import contextlib
import math
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
CHROME_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1400,2000")
MISSING_BROWSER = ("Chromium and chromedriver are not installed; install them with "
                   "`apt-get install -y chromium chromium-driver` (the README's test command does)")


def free_port() -> int:
    """A TCP port on localhost that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(url: str, timeout: float, proc: subprocess.Popen | None = None) -> float:
    """Seconds until ``url``/_stcore/health answers ok; raises ``TimeoutError`` (or if the server died)."""
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with code {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
                if resp.status == 200:
                    return time.perf_counter() - start
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"the app at {url} did not answer within {timeout:.0f} s")


@contextlib.contextmanager
def serve_app(env: dict[str, str] | None = None, log: Path | None = None,
              timeout: float = 90) -> Iterator[tuple[str, subprocess.Popen]]:
    """Run the app on a free port until the block ends; yields (url, process). Always killed afterwards."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    cmd = [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port", str(port),
           "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"]
    out = open(log, "wb") if log else subprocess.DEVNULL
    proc = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **(env or {})}, stdout=out, stderr=subprocess.STDOUT,
                            start_new_session=True)
    try:
        wait_healthy(url, timeout, proc)
        yield url, proc
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        if log:
            out.close()


@contextlib.contextmanager
def chrome() -> Iterator:
    """A headless Chromium driven by Selenium, with a fresh profile; quit afterwards."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    if not (CHROMIUM and CHROMEDRIVER):
        raise RuntimeError(MISSING_BROWSER)
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        opts = webdriver.ChromeOptions()
        opts.binary_location = CHROMIUM
        for flag in (*CHROME_FLAGS, f"--user-data-dir={profile}"):
            opts.add_argument(flag)
        driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
        driver.set_page_load_timeout(60)
        try:
            yield driver
        finally:
            driver.quit()


def wait_for(condition, timeout: float, what: str, poll: float = 0.1, on_timeout=None):
    """Poll ``condition()`` until it returns something truthy; ``TimeoutError`` naming ``what`` otherwise."""
    start = time.perf_counter()
    last_exc = None
    while time.perf_counter() - start < timeout:
        try:
            value = condition()
            if value:
                return value
        except Exception as exc:  # stale elements while Streamlit re-renders: try again
            last_exc = exc
        time.sleep(poll)
    if on_timeout is not None:
        on_timeout()
    raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}" + (f" ({last_exc})" if last_exc else ""))


# ---------------------------------------------------------------- page actions shared by test and benchmark

IMAGE_FRAME = 'iframe[title*="streamlit_image_coordinates"]'


def pick_sample(driver, label: str) -> None:
    """Click the sidebar's photo choice whose text is ``label``."""
    from selenium.webdriver.common.by import By

    def find():
        for el in driver.find_elements(By.CSS_SELECTOR, '[data-testid="stSidebar"] [data-testid="stRadio"] label'):
            if el.text.strip() == label:
                return el
        return None

    wait_for(find, 60, f"the sample photo {label!r} in the sidebar").click()


def photo_frame_ready(driver) -> tuple | None:
    """(iframe, rendered width, height) once the clickable photo has loaded, else ``None``."""
    from selenium.webdriver.common.by import By

    frames = driver.find_elements(By.CSS_SELECTOR, IMAGE_FRAME)
    if not frames:
        return None
    frame = frames[0]
    driver.switch_to.frame(frame)
    try:
        size = driver.execute_script("const i = document.getElementById('image');"
                                     "return i && i.complete && i.naturalWidth ? [i.width, i.height] : null;")
    finally:
        driver.switch_to.default_content()
    return (frame, *size) if size and size[0] > 0 else None


def garment_options(driver) -> list[str]:
    """Labels of the 'Garments in this photo' list on the page (empty while it is not shown)."""
    from selenium.webdriver.common.by import By

    for group in driver.find_elements(By.CSS_SELECTOR, '[data-testid="stMain"] [data-testid="stRadio"]'):
        if "Garments in this photo" in group.text:
            return [el.text.strip() for el in group.find_elements(By.CSS_SELECTOR, "label") if el.text.strip()
                    and "Garments in this photo" not in el.text]
    return []


def click_photo(driver, frame, x: float, y: float) -> None:
    """Click the photo inside the image-coordinates iframe at rendered pixel (x, y)."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    driver.switch_to.frame(frame)
    try:
        img = driver.find_element(By.ID, "image")
        w, h = img.size["width"], img.size["height"]
        ActionChains(driver).move_to_element_with_offset(img, int(x - w / 2), int(y - h / 2)).click().perform()
    finally:
        driver.switch_to.default_content()


def tab_panels_text(driver) -> dict[str, str]:
    """Text of each tab panel by tab label ('Similar', 'Complete the look'), visible or not."""
    from selenium.webdriver.common.by import By

    tabs = driver.find_elements(By.CSS_SELECTOR, '[data-testid="stTab"]')
    panels = driver.find_elements(By.CSS_SELECTOR, '[data-testid="stTabPanel"]')
    return {t.text.strip(): p.get_attribute("textContent") or "" for t, p in zip(tabs, panels)}


def isolated_first(detections) -> list[int]:
    """Garment indices, the icon farthest from every other icon first: a click there hits one icon only."""
    def isolation(i: int) -> float:
        return min((math.dist(detections[i].icon, d.icon) for j, d in enumerate(detections) if j != i), default=1e9)

    return sorted(range(len(detections)), key=lambda i: -isolation(i))


def selected_garment(driver) -> int | None:
    """Index of the checked garment in the page's garment list (None when nothing is selected)."""
    from selenium.webdriver.common.by import By

    radios = driver.find_elements(By.CSS_SELECTOR, '[data-testid="stMain"] [data-testid="stRadio"] input[type="radio"]')
    return next((i for i, el in enumerate(radios) if el.is_selected()), None)
