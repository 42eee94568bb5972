"""A real app server and a real Chromium, for the browser tests and ``benchmarks/bench_app.py`` alike.

``serve_app`` runs ``streamlit run app.py`` on a free localhost port (bounded wait, always killed);
``chrome`` drives Debian's Chromium through its chromedriver with Selenium (no downloads); the page actions
below (pick a photo, read the icons, click one, read the cards) are what a shopper does.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
CHROME_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage")
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
def chrome(width: int = 1400, height: int = 1000) -> Iterator:
    """A headless Chromium driven by Selenium, with a fresh profile and a ``width`` × ``height`` window; quit
    afterwards."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    if not (CHROMIUM and CHROMEDRIVER):
        raise RuntimeError(MISSING_BROWSER)
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        opts = webdriver.ChromeOptions()
        opts.binary_location = CHROMIUM
        for flag in (*CHROME_FLAGS, f"--window-size={width},{height}", f"--user-data-dir={profile}"):
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


# ---------------------------------------------------------------- page actions shared by tests and benchmark

PHOTO_FRAME = 'iframe[title*="look_photo"]'


def pick_photo(driver, label: str) -> None:
    """Click the photo choice whose text is ``label`` (the picker on the page)."""
    from selenium.webdriver.common.by import By

    def find():
        for el in driver.find_elements(By.CSS_SELECTOR, '.st-key-photo_choice label'):
            if el.text.strip() == label:
                return el
        return None

    from selenium.common.exceptions import ElementClickInterceptedException, StaleElementReferenceException

    for attempt in range(5):  # the app may still scroll (results coming into view) between our scroll and click
        el = wait_for(find, 60, f"the photo choice {label!r}")
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", el)
        try:
            el.click()
            return
        except (ElementClickInterceptedException, StaleElementReferenceException):
            if attempt == 4:
                raise
            time.sleep(0.5)


def photo_frame(driver, natural: tuple[int, int] | None = None):
    """The clickable photo's iframe once its image has loaded and its icons are drawn (and, given ``natural``,
    once it shows a photo of that pixel size), else ``None``."""
    from selenium.webdriver.common.by import By

    frames = driver.find_elements(By.CSS_SELECTOR, PHOTO_FRAME)
    if not frames:
        return None
    frame = frames[0]
    driver.switch_to.frame(frame)
    try:
        ready = driver.execute_script("const i = document.getElementById('image');"
                                      "return i && i.complete && i.naturalWidth && i.clientWidth ?"
                                      " [i.naturalWidth, i.naturalHeight] : null;")
    finally:
        driver.switch_to.default_content()
    if not ready or (natural is not None and tuple(ready) != tuple(natural)):
        return None
    return frame


def icon_boxes(driver, frame) -> dict:
    """Where the photo and its icons are on the screen (page pixels): ``{"photo": rect, "icons": [rect...],
    "selected": index or None}``."""
    r = driver.execute_script("const f = arguments[0].getBoundingClientRect(); return [f.left, f.top];", frame)
    driver.switch_to.frame(frame)
    try:
        inner = driver.execute_script("""
            const box = e => { const b = e.getBoundingClientRect(); return [b.left, b.top, b.right, b.bottom]; };
            const icons = [...document.querySelectorAll('.icon')];
            return {photo: box(document.getElementById('image')), icons: icons.map(box),
                    selected: icons.findIndex(e => e.classList.contains('selected')),
                    names: icons.map(e => e.title)};""")
    finally:
        driver.switch_to.default_content()
    shift = lambda b: [b[0] + r[0], b[1] + r[1], b[2] + r[0], b[3] + r[1]]  # noqa: E731
    return {"photo": shift(inner["photo"]), "icons": [shift(b) for b in inner["icons"]],
            "selected": None if inner["selected"] < 0 else inner["selected"], "names": inner["names"]}


def click_icon(driver, frame, index: int) -> None:
    """Tap garment icon ``index`` (0-based) on the photo."""
    from selenium.common.exceptions import ElementClickInterceptedException
    from selenium.webdriver.common.by import By

    driver.execute_script("arguments[0].scrollIntoView({block: 'nearest'})", frame)
    driver.switch_to.frame(frame)
    try:
        for attempt in range(5):
            icon = driver.find_elements(By.CSS_SELECTOR, ".icon")[index]
            driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", icon)  # clear of the header
            try:
                icon.click()
                break
            except ElementClickInterceptedException:  # the page was still scrolling (results into view)
                if attempt == 4:
                    raise
                time.sleep(0.3)
    finally:
        driver.switch_to.default_content()


_MARK_TAPS = """if (!window.__tapHook) { window.__tapHook = true;
    document.addEventListener('click', () => { window.parent.__tapAt = window.parent.performance.now(); }, true); }"""
_PAINTED = """const i = arguments[0], limit = arguments[1], done = arguments[arguments.length - 1];
const start = performance.now();
(function poll() {
  const d = document, tap = window.__tapAt;
  const radios = [...d.querySelectorAll('[class*="st-key-garment_"] input[type="radio"]')];
  const box = d.querySelector('.st-key-results');
  const imgs = box ? [...box.querySelectorAll('img')] : [];
  if (tap !== undefined && radios[i] && radios[i].checked && !d.querySelector('[data-stale="true"]')
      && box && box.querySelector('[data-testid="stPageLink"] a') && imgs.every(m => m.complete && m.naturalWidth)) {
    requestAnimationFrame(() => done(performance.now() - tap));  // the next frame: what is there is painted
    return;
  }
  if (performance.now() - start > limit) { done(null); return; }
  requestAnimationFrame(poll);
})();"""


def timed_tap(driver, frame, index: int, timeout: float = 60) -> tuple[float, float]:
    """Tap garment icon ``index`` and wait until that garment's result cards are painted: its list entry checked,
    no element of the previous run left (Streamlit's ``data-stale``), every card image loaded, then one more
    animation frame. Returns (seconds from the tap event to painted, on the browser's clock; seconds from the
    driver's first command to the end, which adds WebDriver's own round trips)."""
    start = time.perf_counter()
    driver.execute_script("delete window.__tapAt;")
    driver.switch_to.frame(frame)
    try:
        driver.execute_script(_MARK_TAPS)
    finally:
        driver.switch_to.default_content()
    click_icon(driver, frame, index)
    driver.set_script_timeout(timeout + 5)
    ms = driver.execute_async_script(_PAINTED, index, timeout * 1000)
    if ms is None:
        raise TimeoutError(f"garment {index}'s result cards were not painted within {timeout:.0f} s of the tap")
    return ms / 1000, time.perf_counter() - start


def garment_options(driver) -> list[str]:
    """Labels of the 'Garments in this photo' list on the page (empty while it is not shown)."""
    from selenium.webdriver.common.by import By

    for group in driver.find_elements(By.CSS_SELECTOR, '[data-testid="stMain"] [data-testid="stRadio"]'):
        if "Garments in this photo" in group.text:
            return [el.text.strip() for el in group.find_elements(By.CSS_SELECTOR, "label") if el.text.strip()
                    and "Garments in this photo" not in el.text]
    return []


def selected_garment(driver) -> int | None:
    """Index of the checked garment in the page's garment list (None when nothing is selected)."""
    from selenium.webdriver.common.by import By

    radios = driver.find_elements(By.CSS_SELECTOR, '.st-key-garment_list input[type="radio"], '
                                                   '[class*="st-key-garment_"] input[type="radio"]')
    return next((i for i, el in enumerate(radios) if el.is_selected()), None)


def card_ids(driver, within: str = "") -> list[str]:
    """Product ids of the product cards' Details links (under the CSS selector ``within``), in page order."""
    from selenium.webdriver.common.by import By

    links = driver.find_elements(By.CSS_SELECTOR, f'{within} [data-testid="stPageLink"] a'.strip())
    out = []
    for a in links:
        href = a.get_attribute("href") or ""
        if "product=" in href:
            out.append(urllib.parse.unquote_plus(href.split("product=", 1)[1].split("&", 1)[0]))
    return out


FIRST_CARD = """const c = [...document.querySelectorAll('.st-key-results [class*="st-key-card_"]')]
    .find(e => e.getBoundingClientRect().height > 0);"""


def first_card_in_view(driver) -> bool:
    """True when the first shown result card lies wholly inside the browser's viewport."""
    return bool(driver.execute_script(FIRST_CARD + """
        if (!c) return false;
        const r = c.getBoundingClientRect();
        return r.top >= -1 && r.bottom <= window.innerHeight + 1 && r.left >= -1 && r.right <= window.innerWidth + 1;"""))


def first_card_box(driver) -> list | None:
    """[top, bottom, viewport height] of the first shown result card (for failure messages)."""
    return driver.execute_script(FIRST_CARD + """
        if (!c) return null; const r = c.getBoundingClientRect(); return [r.top, r.bottom, window.innerHeight];""")


def no_exception(driver) -> bool:
    """True when the page shows no Streamlit exception box."""
    from selenium.webdriver.common.by import By

    return not driver.find_elements(By.CSS_SELECTOR, '[data-testid="stException"]')


def checked_photo(driver) -> str | None:
    """The label of the checked photo choice."""
    from selenium.webdriver.common.by import By

    for label in driver.find_elements(By.CSS_SELECTOR, ".st-key-photo_choice label"):
        radio = label.find_elements(By.CSS_SELECTOR, "input[type=radio]")
        if radio and radio[0].is_selected():
            return label.text.strip()
    return None


def upload_photo(driver, path: Path) -> None:
    """Choose "Your own photo" and upload the file at ``path`` through the page's upload control."""
    from selenium.webdriver.common.by import By

    pick_photo(driver, "Your own photo")
    field = wait_for(lambda: driver.find_elements(By.CSS_SELECTOR, '.st-key-upload input[type="file"]'), 60,
                     "the upload control")[0]
    field.send_keys(str(Path(path).resolve()))


def open_sidebar_page(driver, title: str) -> None:
    """Go to a page through the sidebar's navigation (opening the sidebar first when it is collapsed)."""
    from selenium.webdriver.common.by import By

    def link():
        for a in driver.find_elements(By.CSS_SELECTOR, '[data-testid="stSidebarNavLink"], [data-testid="stSidebarNav"] a'):
            if a.is_displayed() and a.text.strip().splitlines()[-1:] == [title]:
                return a
        for button in driver.find_elements(By.CSS_SELECTOR, '[data-testid="stExpandSidebarButton"], '
                                                            '[data-testid="stSidebarCollapsedControl"] button'):
            if button.is_displayed():
                button.click()
        return None

    wait_for(link, 30, f"the sidebar link {title!r}").click()


def screenshot(driver, path: Path, full: bool = True) -> None:
    """Save a screenshot of the page (the whole scrolled height when ``full``)."""
    size = driver.get_window_size()
    if full:
        height = driver.execute_script(
            "const m = document.querySelector('[data-testid=\"stMain\"]');"
            "return Math.max(document.body.scrollHeight, m ? m.scrollHeight : 0);")
        width = driver.execute_script("return window.outerWidth")
        driver.set_window_size(width, min(int(height) + 150, 6000))
        time.sleep(0.5)
    driver.save_screenshot(str(path))
    if full:
        driver.set_window_size(size["width"], size["height"])
