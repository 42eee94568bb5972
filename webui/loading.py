"""Loading and caching: the process-wide recommender, the sample photos, and the looks and answers it computes.

Models and the index load once per process (``st.cache_resource``, shared read-only by every session). A photo's
look is computed once per photo, a garment's answer once per (photo, garment, k, filters); :func:`answer`
says whether this answer was computed now or came from the cache, with its own time either way.
"""

from __future__ import annotations

import collections
import gc
import hashlib
import importlib.util
import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import streamlit as st
from PIL import Image

from fashion_core.config import serving_torch_threads, settings
from fashion_core.recommend import Recommender
from fashion_core.results import Filters, GarmentAnswer, Look

from .overlays import one_per_garment

UPLOAD_TYPES = ("jpg", "jpeg", "png", "webp")
"""File types the uploader offers (the real type is sniffed by ``imageio`` anyway)."""


# ---------------------------------------------------------------- the recommender

def open_recommender(index_dir: str | Path) -> Recommender:
    """Load the recommender over one index directory (models and indexes load here, once), with torch on
    :func:`~fashion_core.config.serving_torch_threads` threads (one by default: one request, one thread)."""
    import torch

    torch.set_num_threads(serving_torch_threads())
    return Recommender.open(settings().with_(index_dir=Path(index_dir)))


@st.cache_resource(show_spinner="Loading the shop (once)…")
def get_recommender(index_dir: str) -> Recommender:
    """The process-wide recommender for ``index_dir`` (shared by every session); once loaded, its models and
    tables are frozen out of the garbage collector, so a full collection does not walk them again on a tap."""
    rec = open_recommender(index_dir)
    gc.collect()
    gc.freeze()
    return rec


def current_recommender() -> Recommender:
    """The shared recommender for the configured index (``FASHION_INDEX``, default the demo index)."""
    return get_recommender(str(Path(settings().index_dir).resolve()))


# ---------------------------------------------------------------- sample photos

@dataclass(frozen=True)
class SamplePhoto:
    """A photo a shopper can try without uploading: its id (for the URL), a label for the picker and its path."""

    id: str
    label: str
    path: Path


def sample_photos(catalog_root: Path | None = None, n_looks: int = 3) -> list[SamplePhoto]:
    """Demo looks beside the catalog (or in the default demo), then ultralytics' real ``bus.jpg``/``zidane.jpg``."""
    out: list[SamplePhoto] = []
    seen: set[Path] = set()
    for root in (catalog_root, settings().demo_dir):
        folder = Path(root) / "looks" / "images" if root else None
        if folder is None or not folder.is_dir() or len(out) >= n_looks:
            continue
        for path in sorted(folder.glob("*.jpg"))[: n_looks - len(out)]:
            if path.resolve() not in seen:
                seen.add(path.resolve())
                number = path.stem.rsplit("_", 1)[-1].lstrip("0") or "0"
                out.append(SamplePhoto(f"look-{number}", f"Demo look {number}", path))
    spec = importlib.util.find_spec("ultralytics")  # locate, do not import: importing takes seconds
    if spec and spec.submodule_search_locations:
        assets = Path(next(iter(spec.submodule_search_locations))) / "assets"
        for name, label in (("bus.jpg", "Street photo: bus"), ("zidane.jpg", "Two people")):
            if (assets / name).is_file():
                out.append(SamplePhoto(Path(name).stem, label, assets / name))
    return out


def catalog_root_of(manifest: Any) -> Path | None:
    """Folder of the catalog an index was built from (where a demo world keeps its looks), if recorded."""
    cat = (manifest.to_dict() if hasattr(manifest, "to_dict") else dict(manifest)).get("catalog")
    path = cat.get("path") if isinstance(cat, dict) else cat
    return Path(path).parent if path else None


def photo_key(data: bytes) -> str:
    """Short stable id of a photo's bytes (keys per-photo state such as its look)."""
    return hashlib.sha1(data).hexdigest()[:16]


# ---------------------------------------------------------------- looks and answers

_fresh = threading.local()
_TIMINGS: collections.deque[dict[str, float]] = collections.deque(maxlen=500)


def recent_timings() -> list[dict[str, float]]:
    """Per-stage seconds of the last answers this process computed (cache hits not included), oldest first."""
    return list(_TIMINGS)


@st.cache_resource(max_entries=64, show_spinner=False)
def _look(index_dir: str, photo: str, _rec: Recommender, _image: Image.Image) -> Look:
    return one_per_garment(_rec.shop_the_look(_image))


def look_of(rec: Recommender, photo: str, image: Image.Image) -> Look:
    """The garments of a photo (one per garment, overlapping detections merged), once per photo and index."""
    with st.spinner("Finding the garments…"):
        return _look(str(rec.index_dir), photo, rec, image)


def prepare_look(rec: Recommender, look: Look) -> None:
    """Once per look, after its icons are drawn: encode its garments and infer its wearers while the shopper picks
    one, so a tap only searches. A failure here is logged and left to the tap (which encodes on its own)."""
    if "prepare" in look.timings:
        return
    try:
        rec.prepare(look)
    except Exception:  # the tap still works: it encodes what it needs itself
        logging.getLogger(__name__).exception("preparing the look of photo %s failed", look.photo_id)
        look.timings["prepare"] = float("nan")


@st.cache_resource(max_entries=256, show_spinner=False)
def _answer(index_dir: str, photo: str, garment: int, k_similar: int, k_outfit: int, filters_key: str,
            _rec: Recommender, _look: Look, _filters: Filters) -> GarmentAnswer:
    _fresh.computed = True
    result = _rec.answer(_look, garment, _filters, k_similar=k_similar, k_outfit=k_outfit)
    _TIMINGS.append(dict(result.timings))
    return result


@dataclass(frozen=True)
class TimedAnswer:
    """An answer and how this request got it: ``seconds`` is this request's own time, ``cached`` whether the answer
    came from the cache (computed earlier, maybe for another session)."""

    answer: GarmentAnswer
    seconds: float
    cached: bool

    @property
    def timing_text(self) -> str:
        """"Answered in 42 ms" or "Answered in 1 ms (cached)"."""
        ms = max(self.seconds * 1000, 0.0)
        return f"Answered in {ms:.0f} ms" + (" (cached)" if self.cached else "")


def answer(rec: Recommender, photo: str, look: Look, garment: int, filters: Filters | None = None,
           k_similar: int = 10, k_outfit: int = 5) -> TimedAnswer:
    """``Recommender.answer`` for one garment, cached per (photo, garment, k, filters), timed for this request."""
    filters = filters or Filters()
    _fresh.computed = False
    start = time.perf_counter()
    result = _answer(str(rec.index_dir), photo, int(garment), int(k_similar), int(k_outfit), repr(filters), rec, look,
                     filters)
    took = time.perf_counter() - start
    computed = bool(getattr(_fresh, "computed", False))
    return TimedAnswer(result, result.seconds if computed else took, cached=not computed)
