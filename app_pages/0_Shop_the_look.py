"""Shop the look: pick or upload a photo, click a garment's icon, shop similar items and complete the look.

The photo, the garment and the options are kept across pages (session state) and in the URL (``?photo=``,
``?garment=``); a click reruns only the look (``st.fragment``).
"""

from __future__ import annotations

import streamlit as st

from fashion_core.imageio import load_image
from fashion_core.recommend import Recommender
from webui import page, state
from webui.loading import look_of, photo_key, prepare_look
from webui.look_view import MIN_SIDE, Photo, choose_photo, look_view, options, too_small
from webui.messages import show_error


def main(rec: Recommender) -> None:
    """The page: title, photo picker, then the look (photo, garments, answers)."""
    st.title("Shop the look")
    st.caption("Pick a photo, tap a numbered icon on a garment, and shop similar items or complete the look.")
    k_similar, k_outfit, filters = options()
    photo: Photo | None = choose_photo(rec)
    if photo is None:
        return
    key = photo_key(photo.data)
    try:
        image = load_image(photo.data, name="Your photo")
        if too_small(image):
            st.error(f"That photo is too small ({image.width}×{image.height} pixels) to find garments in; try a "
                     f"photo at least {MIN_SIDE} pixels on each side.", icon=":material/error:")
            return
        look = look_of(rec, key, image)
    except Exception as exc:  # a bad upload never breaks the page: say what is wrong, keep going
        show_error(exc, "shop the look: reading the photo")
        return
    state.keep("photo_seen", key)
    look_view(rec, key, look, photo.name, k_similar, k_outfit, filters)
    prepare_look(rec, look)  # after the icons are on screen: the garments are encoded while the shopper picks one


page.run("Shop the look", main, icon=":material/checkroom:")
