"""The clickable photo: fitted to its column at every width, one high-contrast icon per garment, clicks mapped
back to the photo's own pixels.

The photo is sent once, scaled down to at most :data:`DISPLAY_MAX` pixels on its long side (never up), and the
browser fits it to the column (CSS ``max-width: 100%``), so the whole photo shows on a phone and on a desktop.
Icons are HTML buttons over the photo (``components/look_photo``), 36 px whatever the scale, dark with a white
ring (readable on white and on black garments), each named on hover and for screen readers; the selected one is
larger, in the shop's colour, with its name beside it. A click answers the garment index and the click point in
the original photo's pixels.
"""

from __future__ import annotations

import base64
import io
import math
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from PIL import Image

from fashion_core.detection.icons import nearest_icon
from fashion_core.recommend import people_of
from fashion_core.results import Detection, Look

DISPLAY_MAX = 800
"""Longest side, in pixels, of the photo sent to the browser (the browser only ever scales it down)."""

ICON_PX = 36
"""Icon diameter on screen, in CSS pixels, at every width (≥ 32 px: easy to tap on a phone)."""

GARMENT_NAMES = {"bag": "Bag", "belt": "Belt", "dress": "Dress", "hat": "Hat", "outerwear": "Jacket or coat",
                 "pants": "Trousers", "scarf/tie": "Scarf or tie", "shoes": "Shoes", "shorts": "Shorts",
                 "skirt": "Skirt", "sunglasses": "Sunglasses", "top": "Top"}
SLOT_NAMES = {"top": "Tops", "outerwear": "Jackets and coats", "bottom": "Bottoms", "one-piece": "Dresses",
              "shoes": "Shoes", "bag": "Bags", "accessory": "Accessories"}

_ONE_PIECE_PARTS = {"top", "skirt", "pants", "shorts"}
"""Garments a dress detection can be mistaken for, half of it each (a dress seen as a top and a skirt)."""


def garment_name(category: str) -> str:
    """The shop's name for a taxonomy category ("outerwear" → "Jacket or coat")."""
    return GARMENT_NAMES.get(category, category.replace("/", " or ").capitalize())


def slot_name(slot: str) -> str:
    """The shop's name for an outfit slot ("one-piece" → "Dresses")."""
    return SLOT_NAMES.get(slot, slot.replace("-", " ").capitalize())


def garment_labels(detections: Sequence[Detection]) -> list[str]:
    """How the garment list names detections: icon number and garment (and the person when there are several)."""
    several = len({d.person for d in detections}) > 1
    return [f"{i + 1} · {garment_name(d.category)}" + (f" (person {d.person + 1})" if several else "")
            for i, d in enumerate(detections)]


# ---------------------------------------------------------------- one icon per garment

def _area(b: Sequence[float]) -> float:
    return max(0.0, b[2] - b[0]) * max(0.0, b[3] - b[1])


def _inter(a: Sequence[float], b: Sequence[float]) -> float:
    return _area((max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3])))


def same_garment(a: Detection, b: Detection, image_size: tuple[int, int]) -> bool:
    """True when two detections are one garment seen twice: same person and either the same category over mostly
    the same box, a dress and a top/bottom lying inside it, or two icons within 1 % of the photo's long side."""
    if a.person != b.person:
        return False
    inter = _inter(a.box, b.box)
    smaller = min(_area(a.box), _area(b.box)) or 1.0
    union = _area(a.box) + _area(b.box) - inter or 1.0
    if a.category == b.category and inter / union >= 0.5:
        return True
    if {a.category, b.category} & {"dress"} and {a.category, b.category} & _ONE_PIECE_PARTS:
        return inter / smaller >= 0.8
    return math.dist(a.icon, b.icon) < 0.01 * max(image_size)


def one_per_garment(look: Look) -> Look:
    """The look with duplicate detections of one garment merged (the higher score stays), icons kept in order."""
    kept: list[Detection] = []
    for det in sorted(look.detections, key=lambda d: -d.score):
        if not any(same_garment(det, k, look.size) for k in kept):
            kept.append(det)
    order = {id(d): i for i, d in enumerate(look.detections)}
    kept.sort(key=lambda d: order[id(d)])
    if len(kept) == len(look.detections):
        return look
    return replace(look, detections=kept, people=people_of(kept))


# ---------------------------------------------------------------- fitting and clicks

def display_image(image: Image.Image, longest: int = DISPLAY_MAX) -> Image.Image:
    """The photo scaled down (aspect kept, never up) so its long side is at most ``longest`` pixels."""
    scale = min(1.0, longest / max(image.size))
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    return image if size == image.size else image.resize(size, Image.LANCZOS)


def click_to_pixels(click: dict | None, image_size: tuple[int, int]) -> tuple[float, float] | None:
    """A click in display pixels (``x``, ``y`` on a ``width`` × ``height`` rendering) in the original photo's
    pixels."""
    if not click or "x" not in click or "y" not in click:
        return None
    w, h = image_size
    dw, dh = click.get("width") or w, click.get("height") or h
    return float(click["x"]) * w / float(dw), float(click["y"]) * h / float(dh)


def click_radius(image_size: tuple[int, int]) -> float:
    """How far from an icon (original pixels) a click still selects it: 6% of the longer side, ≥ 20 px."""
    return max(20.0, 0.06 * max(image_size))


def icon_at_click(detections: Sequence[Detection], click: dict | None, image_size: tuple[int, int]) -> int | None:
    """Index of the garment whose icon is nearest a click (within :func:`click_radius`), else ``None``."""
    point = click_to_pixels(click, image_size)
    if point is None or not detections:
        return None
    return nearest_icon(list(detections), point, click_radius(image_size))


def icon_spec(look: Look) -> list[dict]:
    """The icons as the component draws them: position in percent of the photo, number and garment name."""
    w, h = look.size
    return [{"left": round(100 * d.icon[0] / w, 3), "top": round(100 * d.icon[1] / h, 3), "number": i + 1,
             "name": label.split(" · ", 1)[1]}
            for i, (d, label) in enumerate(zip(look.detections, garment_labels(look.detections)))]


def data_url(image: Image.Image, quality: int = 82) -> str:
    """A JPEG data URL of ``image`` (what the component shows)."""
    buf = io.BytesIO()
    image.convert("RGB").save(buf, format="JPEG", quality=quality)
    return "data:image/jpeg;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


# ---------------------------------------------------------------- the component

_COMPONENT = None


def _component():
    global _COMPONENT
    if _COMPONENT is None:
        import streamlit.components.v1 as components

        _COMPONENT = components.declare_component("look_photo", path=str(Path(__file__).parent / "components" /
                                                                          "look_photo"))
    return _COMPONENT


def look_photo(look: Look, src: str, selected: int | None, key: str, on_change=None, max_height: int = 720,
               scroll: int = 0) -> Any:
    """Draw the fitted photo with its icons; returns the last click (``garment``, ``x``, ``y`` in original pixels,
    ``width``/``height`` of the rendering) or ``None``. A new non-zero ``scroll`` number brings the first result
    card (``.st-key-results``) wholly into view once it is drawn, and keeps it there while the cards settle."""
    return _component()(src=src, icons=icon_spec(look), selected=selected, width=look.size[0], height=look.size[1],
                        icon_px=ICON_PX, max_height=max_height, scroll=scroll, key=key, default=None,
                        on_change=on_change)
