"""Choices that survive a visit to another page and back (the sidebar, a card's Details, the browser's Back).

Streamlit forgets a widget's value once a run does not draw it, so every kept widget has a twin key
(``_kept.<key>``) that is never a widget: :func:`restore` puts the twin back before the widget is drawn,
:func:`remember` (the widget's ``on_change``, or a call after it) copies the value into the twin.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

_PREFIX = "_kept."


def restore(key: str, default: Any = None) -> Any:
    """Give widget ``key`` its kept value (or ``default``) when Streamlit dropped it; returns the value."""
    if key not in st.session_state:
        kept = st.session_state.get(_PREFIX + key, default)
        if kept is not None:
            st.session_state[key] = kept
    return st.session_state.get(key)


def remember(key: str) -> None:
    """Keep widget ``key``'s current value for the next time its page is drawn."""
    if key in st.session_state:
        st.session_state[_PREFIX + key] = st.session_state[key]


def keep(key: str, value: Any) -> None:
    """Keep a value that is not a widget (e.g. an uploaded photo) under ``key``."""
    st.session_state[_PREFIX + key] = value


def kept(key: str, default: Any = None) -> Any:
    """A value kept with :func:`keep` or :func:`remember`."""
    return st.session_state.get(_PREFIX + key, default)


def forget(key: str) -> None:
    """Drop a kept value and its widget's."""
    st.session_state.pop(_PREFIX + key, None)
    st.session_state.pop(key, None)
