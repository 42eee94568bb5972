"""Shop the look: upload a photo or pick a sample, click a garment's icon, browse similar items and the outfit.

Layout and wiring only; the work is done by ``fashion_core`` (detection, recommender, app_support).
Which catalog: the index in ``FASHION_INDEX`` (default the demo index ``data/demo/index``).
"""

from __future__ import annotations

import streamlit as st
from streamlit_image_coordinates import streamlit_image_coordinates

from fashion_core import app_support as ui
from fashion_core.imageio import load_image

st.set_page_config(page_title="Shop the look", page_icon=":material/checkroom:", layout="wide")
st.title("Shop the look")
st.caption("Pick a photo, click a numbered icon on a garment, and shop similar items or complete the look.")

try:
    rec = ui.current_recommender()
except Exception as exc:  # a missing or mismatched index: say how to build one
    st.error(ui.friendly_error(exc))
    st.stop()

UPLOAD = "Upload your own photo"
samples = {s.label: s for s in ui.sample_photos(ui.catalog_root_of(rec.manifest))}
with st.sidebar:
    choice = st.radio("Photo", [UPLOAD, *samples], index=1 if samples else 0, key="photo_choice")
    k_similar = st.slider("Similar items", 4, 20, 10, key="k_similar")
    k_outfit = st.slider("Alternatives per slot", 1, 10, 5, key="k_outfit")

if choice == UPLOAD:
    upload = st.file_uploader("A photo of a look (JPEG, PNG or WebP)", type=list(ui.UPLOAD_TYPES), key="upload")
    if upload is None:
        st.info("Upload a photo of someone wearing the look you like, or pick a sample photo in the sidebar.")
        st.stop()
    data, name = upload.getvalue(), upload.name
else:
    data, name = samples[choice].path.read_bytes(), samples[choice].path.name

photo = ui.photo_key(data)
try:
    image = load_image(data, name=name)
    detections = ui.cached_detections(rec, photo, image)
except Exception as exc:  # a bad upload must never break the page: say what is wrong, keep going
    st.error(ui.friendly_error(exc))
    st.stop()

garment_key, click_key = f"garment_{photo}", f"click_{photo}"


def _select_from_click() -> None:
    """Turn a click on the photo into a garment selection (nearest icon within the radius)."""
    idx = ui.icon_at_click(detections, st.session_state.get(click_key), image.size)
    if idx is None:
        st.session_state["click_missed"] = True
    else:
        st.session_state[garment_key] = idx


left, right = st.columns([3, 2], gap="large")
with left:
    if not detections:
        st.image(ui.display_image(image), caption=name)
    else:
        selected = st.session_state.get(garment_key)
        shown = ui.display_image(ui.overlay(image, detections, selected))
        streamlit_image_coordinates(shown, key=click_key, image_format="JPEG", jpeg_quality=90,
                                    on_click=_select_from_click, cursor="pointer")
        st.caption(f"{name} · {len(detections)} garment(s) found · click a numbered icon")
with right:
    if not detections:
        st.warning("We could not find anyone wearing clothes in this photo. Try a photo that shows a person, "
                   "ideally from head to toe, or pick a sample photo in the sidebar.")
        st.stop()
    if st.session_state.pop("click_missed", False):
        st.toast("No garment there: click on one of the numbered icons.")
    labels = ui.detection_labels(detections)
    idx = st.radio("Garments in this photo", range(len(detections)), index=None, key=garment_key,
                   format_func=lambda i: labels[i])
    if idx is None:
        st.info("Click a numbered icon on the photo, or pick a garment from this list.")
        st.stop()
    try:
        answer = ui.cached_answer(rec, photo, image, detections, idx, k_similar, k_outfit)
    except Exception as exc:
        st.error(ui.friendly_error(exc))
        st.stop()
    st.image(answer.crop, caption=f"Selected: {labels[idx]}", width=220)
    st.caption(f"Answered in {answer.seconds * 1000:.0f} ms")
    st.session_state["selected_garment"] = {"crop": answer.crop, "category": answer.category,
                                            "label": f"{name}: {labels[idx]}"}

for note in answer.notes:
    st.info(note)
tab_similar, tab_outfit = st.tabs(["Similar", "Complete the look"])
with tab_similar:
    ui.show_cards(ui.product_cards(answer.similar))
with tab_outfit:
    outfit_items = getattr(answer.outfit, "outfit", []) or []
    if not outfit_items:
        st.info("The catalog has nothing to complete this look with.")
    else:
        st.subheader("The outfit")
        ui.show_cards(ui.product_cards(outfit_items))
        st.subheader("Alternatives per slot")
        for slot, recs in ui.outfit_slots(answer.outfit).items():
            st.markdown(f"**{slot}**")
            ui.show_cards(ui.product_cards(recs))
