"""Short shopper-facing text for failures, literal rendering of untrusted text, and the page error boundary.

Text from a shopper, a URL or a catalog is never handed to Markdown as is: :func:`plain` escapes every ASCII
punctuation mark, so links, images, HTML, emoji short codes and colour directives show as the characters they
are. A failure the shopper cannot fix is logged with its traceback under a short error id, and the shopper sees
only that id.
"""

from __future__ import annotations

import contextlib
import logging
import re
import uuid
from collections.abc import Iterator

from fashion_core.imageio import MAX_BYTES, ImageError

log = logging.getLogger("fashion_core.app")

_PUNCT = re.compile(r"([!-/:-@\[-`{-~])")


def plain(text: object) -> str:
    """``text`` escaped so Streamlit's Markdown shows it literally (every ASCII punctuation backslashed, newlines
    kept as spaces)."""
    return _PUNCT.sub(r"\\\1", " ".join(str(text).split()))


def error_id() -> str:
    """A short id that ties a shopper's message to the traceback in the server log."""
    return uuid.uuid4().hex[:8]


def log_failure(exc: BaseException, where: str) -> str:
    """Log ``exc`` with its traceback under a new error id; returns the id."""
    eid = error_id()
    log.error("error %s in %s: %s", eid, where, exc, exc_info=(type(exc), exc, exc.__traceback__))
    return eid


def image_problem(exc: ImageError) -> str:
    """What is wrong with an uploaded file and what to do, without any server detail."""
    return (f"We could not use that file: {exc}. Try another photo (JPEG, PNG or WebP, up to "
            f"{MAX_BYTES // 2**20} MB).")


def unavailable(eid: str) -> str:
    """The message for a failure on our side (a missing or damaged index, a bug)."""
    return (f"Sorry, something went wrong on our side and this part of the shop is unavailable right now. "
            f"Please reload the page or try again later. (error id {eid})")


def friendly_error(exc: BaseException, where: str = "page") -> str:
    """Shopper-facing text for a failure: what went wrong and what to do next; never a traceback, a server path or a
    command. Anything not caused by the shopper's own file is logged (with its traceback) under an error id."""
    if isinstance(exc, ImageError):
        return image_problem(exc)
    if isinstance(exc, MemoryError):
        return "That photo is too large to process here; please try a smaller one."
    return unavailable(log_failure(exc, where))


def show_error(exc: BaseException, where: str = "page") -> None:
    """:func:`friendly_error` in a red box (the text escaped: an image error quotes what the file looked like)."""
    import streamlit as st

    st.error(plain(friendly_error(exc, where)) if isinstance(exc, ImageError) else friendly_error(exc, where),
             icon=":material/error:")


@contextlib.contextmanager
def boundary(where: str) -> Iterator[None]:
    """Run a page (or a part of one): any exception is logged with its traceback and shown as a short message with
    an error id. Streamlit's own control flow (``st.stop``, reruns, page switches) passes through untouched."""
    try:
        yield
    except Exception as exc:  # the error boundary: the shopper never sees a traceback
        show_error(exc, where)
