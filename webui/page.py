"""The prologue every page runs: page config, the shared recommender, the fallback banner and the error boundary.

A page is a function of the recommender; :func:`run` calls it inside :func:`messages.boundary`, so any failure
becomes a short message with an error id (the traceback goes to the server log).
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from fashion_core.recommend import Recommender

from .loading import current_recommender
from .messages import boundary, show_error

FALLBACK_BANNER = ("Complete the look is in a simpler mode for this catalog: its index has no outfit model, so "
                   "outfits are made of look-alike items that fit the outfit rules, not of items learned to go "
                   "together.")


def fallback_banner(rec: Recommender) -> None:
    """A banner whenever a capability runs in a fallback mode (today: no compatibility model in the index)."""
    if not rec.has_compat_model:
        st.warning(FALLBACK_BANNER, icon=":material/info:")


def run(title: str, body: Callable[[Recommender], None], icon: str | None = None, banner: bool = True) -> None:
    """Set the page up and run ``body(recommender)`` inside the error boundary."""
    st.set_page_config(page_title=title, page_icon=icon, layout="wide")
    with boundary(title):
        try:
            rec = current_recommender()
        except Exception as exc:  # a missing or damaged index: the shopper gets a short message, the log the cause
            show_error(exc, f"{title}: loading the shop")
            return
        if banner:
            fallback_banner(rec)
        body(rec)
