"""Shop the look's two parts: the photo picker (kept across pages and in the URL) and the look itself, a fragment
that a click reruns alone: the fitted photo with its icons, the garment list, the answer's cards."""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
import streamlit as st
from PIL import Image

from fashion_core.recommend import Recommender
from fashion_core.results import Filters, Look

from . import state
from .cards import product_cards, show_cards, show_outfit
from .loading import UPLOAD_TYPES, answer, catalog_root_of, photo_key, sample_photos
from .overlays import data_url, display_image, garment_labels, garment_name, look_photo
from .search import GENDERS

MIN_SIDE = 64
"""A photo smaller than this (pixels, either side) is too small to find garments in."""

UPLOAD = "Your own photo"
ANYONE = "Whoever wears it"


@dataclass(frozen=True)
class Photo:
    """The photo being shopped: its bytes, a name to show, and its id in the URL (a sample's id or ``upload``)."""

    data: bytes
    name: str
    id: str


def too_small(image) -> bool:
    """True when a photo is too small to shop (either side under :data:`MIN_SIDE` pixels)."""
    return min(image.size) < MIN_SIDE


def _forget_upload() -> None:
    if st.session_state.get("upload") is None:
        state.forget("upload_photo")


def choose_photo(rec: Recommender) -> Photo | None:
    """The picker on the page (samples and an upload control), restored from the session or the URL."""
    st.query_params.pop("product", None)  # left over from a product page on the way back
    samples = sample_photos(catalog_root_of(rec.manifest))
    by_id = {s.id: s for s in samples}
    labels = [UPLOAD, *(s.label for s in samples)]
    wanted = st.query_params.get("photo")
    default = by_id[wanted].label if wanted in by_id else UPLOAD if wanted == "upload" else \
        (samples[0].label if samples else UPLOAD)
    state.restore("photo_choice", default)
    if st.session_state.get("photo_choice") not in labels:
        st.session_state["photo_choice"] = default
    choice = st.radio("Photo", labels, key="photo_choice", horizontal=True,
                      on_change=state.remember, args=("photo_choice",))
    state.remember("photo_choice")
    if choice != UPLOAD:
        sample = next(s for s in samples if s.label == choice)
        st.query_params["photo"] = sample.id
        return Photo(sample.path.read_bytes(), sample.label, sample.id)
    st.query_params["photo"] = "upload"
    upload = st.file_uploader("A photo of a look (JPEG, PNG or WebP)", type=list(UPLOAD_TYPES), key="upload",
                              on_change=_forget_upload)
    if upload is not None:
        state.keep("upload_photo", {"data": upload.getvalue(), "name": upload.name})
    kept = state.kept("upload_photo")
    if kept is None:
        st.info("Upload a photo of someone wearing the look you like, or pick one of the sample photos.")
        return None
    return Photo(kept["data"], "Your photo", "upload")


def options() -> tuple[int, int, Filters]:
    """The sidebar's options (kept across pages): how many items, and who the shopper is shopping for."""
    with st.sidebar:
        st.subheader("Options")
        for key, default in (("k_similar", 10), ("k_outfit", 3), ("look_gender", ANYONE)):
            state.restore(key, default)
        k_similar = st.slider("Similar items", 4, 20, key="k_similar", on_change=state.remember, args=("k_similar",))
        k_outfit = st.slider("Alternatives per item", 1, 10, key="k_outfit", on_change=state.remember,
                             args=("k_outfit",))
        gender = st.selectbox("Shopping for", [ANYONE, *GENDERS], key="look_gender", on_change=state.remember,
                              args=("look_gender",))
    return k_similar, k_outfit, Filters(gender=None if gender == ANYONE else gender)


@st.cache_data(max_entries=64, show_spinner=False)
def _photo_src(photo: str, _look: Look) -> str:
    """The fitted photo as a data URL, encoded once per photo (not on every click)."""
    return data_url(display_image(_look.image))


CROP_PX = 96
"""Width, in CSS pixels, of the selected garment's crop beside its name."""


@st.cache_data(max_entries=256, show_spinner=False)
def _crop_jpeg(index_dir: str, photo: str, garment: int, _crop) -> bytes:
    """The garment's crop as a small JPEG, encoded once per (photo, garment) instead of on every rerun."""
    image = _crop if isinstance(_crop, Image.Image) else Image.fromarray(np.asarray(_crop))
    image = image.convert("RGB")
    image.thumbnail((CROP_PX, 4 * CROP_PX), Image.LANCZOS)
    buf = io.BytesIO()
    image.save(buf, format="JPEG", quality=88)
    return buf.getvalue()


_SCROLL_JS = """<script>/* %(nonce)d */
const d = window.parent.document, view = window.parent, t0 = performance.now();
const main = d.querySelector('[data-testid="stMain"]'), scroller = d.scrollingElement;
const where = () => [main ? main.scrollTop : 0, scroller ? scroller.scrollTop : 0].map(Math.round).join();
let user = false, seen = false, moved = false, calm = 0, last = "", pos = null;
const mine = () => { user = true; };  // the shopper scrolls or types: leave the page where they put it
for (const e of ["wheel", "touchstart", "keydown"]) d.addEventListener(e, mine, {capture: true, passive: true, once: true});
(function go() {
  if (user || performance.now() - t0 > %(limit)d) return;
  if (seen && !moved && pos !== null && where() !== pos) return;  // scrolled by someone else after the card showed
  moved = false;
  const box = d.querySelector(".st-key-results");
  const card = box && [...box.querySelectorAll('[class*="st-key-card_"]')].find(e => e.getBoundingClientRect().height > 0);
  if (card) {
    const h = view.innerHeight, r = card.getBoundingClientRect();
    if (r.top < 0 || r.bottom > h) {
      calm = 0; moved = true;
      box.scrollIntoView({block: "start"});
      const q = card.getBoundingClientRect();
      if (q.top < 0 || q.bottom > h) card.scrollIntoView({block: "end"});
    } else {
      seen = true;
      const imgs = [...card.querySelectorAll("img")], at = [r.top, r.bottom].map(Math.round).join();
      const settled = imgs.length && imgs.every(i => i.complete) && !box.querySelector('[data-stale="true"]');
      calm = settled && at === last ? calm + 1 : 0;
      last = at;
      if (calm >= 4) return;  // in view, its picture loaded and nothing moved for four checks: done
    }
  }
  pos = where();
  setTimeout(go, 50);
})();</script>"""


SECTIONS = ("Similar", "Complete the look")
"""What the answer shows, one at a time: only the open one is drawn (and sent to the browser) on a tap."""

CARD_PX = 160
"""Width, in CSS pixels, of a result card (two to a row in the answer's column on a desktop, more on a wide screen)."""


@st.fragment
def look_view(rec: Recommender, photo: str, look: Look, name: str, k_similar: int = 10, k_outfit: int = 5,
              filters: Filters | None = None) -> None:
    """The look: the fitted photo with its icons, the garment list and the selected garment's answer."""
    detections = look.detections
    garment_key, click_key = f"garment_{photo}", f"click_{photo}"
    if not detections:
        st.image(display_image(look.image))
        st.warning("We could not find anyone wearing clothes in this photo. Try a photo that shows a person, "
                   "ideally from head to toe, or pick a sample photo.")
        return
    labels = garment_labels(detections)
    state.restore(garment_key)
    wanted = st.query_params.get("garment")
    if st.session_state.get(garment_key) is None and wanted and wanted.isdigit() and \
            1 <= int(wanted) <= len(detections) and not st.session_state.get("_url_garment_used"):
        st.session_state[garment_key] = int(wanted) - 1
        st.session_state["_url_garment_used"] = True

    def picked() -> None:
        state.remember(garment_key)
        st.session_state["_scroll"] = st.session_state.get("_scroll", 0) + 1

    def clicked() -> None:
        click = st.session_state.get(click_key) or {}
        idx = click.get("garment")
        if idx is None or not 0 <= int(idx) < len(detections):
            st.session_state["_missed"] = True
            return
        st.session_state[garment_key] = int(idx)
        picked()

    nonce = st.session_state.get("_scroll", 0)  # a new tap: the photo's component brings the results into view
    fresh = bool(nonce) and st.session_state.get("_scrolled") != nonce
    st.session_state["_scrolled"] = nonce
    left, right = st.columns([3, 2], gap="large")
    with left:
        look_photo(look, _photo_src(photo, look), st.session_state.get(garment_key), key=click_key, on_change=clicked,
                   scroll=nonce if fresh else 0)
        st.caption(f"{len(detections)} garments found · tap a numbered icon")
    with right:
        if st.session_state.pop("_missed", False):
            st.toast("No garment there: tap one of the numbered icons.")
        idx = st.radio("Garments in this photo", range(len(detections)), index=None, key=garment_key,
                       format_func=lambda i: labels[i], on_change=picked)
        if idx is None:
            st.query_params.pop("garment", None)
            st.info("Tap a numbered icon on the photo, or pick a garment from this list.")
            return
        st.query_params["garment"] = str(idx + 1)
        timed = answer(rec, photo, look, idx, filters, k_similar, k_outfit)
        result = timed.answer
        st.session_state["selected_garment"] = {"crop": result.crop, "category": result.category,
                                                "label": f"{name}: {labels[idx]}"}
        with st.container(key="results"):
            head, crop = st.columns([3, 1], vertical_alignment="center")
            head.subheader(garment_name(result.category))
            head.caption(timed.timing_text)
            crop.image(_crop_jpeg(str(rec.index_dir), photo, idx, result.crop), width=CROP_PX)
            for note in [*result.notes, *(result.outfit.notes if result.outfit else [])]:
                st.info(note)
            state.restore("look_section", SECTIONS[0])
            if st.session_state.get("look_section") not in SECTIONS:
                st.session_state["look_section"] = SECTIONS[0]
            section = st.segmented_control("Show", SECTIONS, key="look_section", required=True,
                                           label_visibility="collapsed", on_change=state.remember,
                                           args=("look_section",))
            if section == SECTIONS[1]:
                show_outfit(result.outfit, width=CARD_PX)
            else:
                show_cards(product_cards(result.similar), group="similar", width=CARD_PX)


__all__ = ["CARD_PX", "MIN_SIDE", "SECTIONS", "Photo", "choose_photo", "look_view", "options", "photo_key", "too_small"]
