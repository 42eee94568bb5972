"""Product cards as a shop shows them: the image at its own resolution, the title, price, brand and colour when
the catalog has them, and the reason in shop words. No scores, no slugs; every catalog string is escaped."""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import streamlit as st
from PIL import Image

from fashion_core.catalog import Product
from fashion_core.results import Outfit, Recommendation

from .messages import plain
from .overlays import slot_name

CATALOG_PAGE = "app_pages/1_Catalog.py"
"""Where a card's Details link goes (with ``?product=<id>``)."""

_PRICE_KEYS, _BRAND_KEYS = ("price",), ("brand", "brandName", "brand_name")
_COLOUR_KEYS = ("colour", "color", "baseColour", "base_colour")
_INTERNAL = re.compile(r"\d|similarity|score|slot")


@dataclass(frozen=True)
class ProductCard:
    """What one product tile shows: image, title, the facts a shop shows (price, brand, colour) and the reason."""

    product_id: str
    title: str
    image: Path
    price: str = ""
    brand: str = ""
    colour: str = ""
    reason: str = ""

    @property
    def facts(self) -> str:
        """One line under the title: price · brand · colour (those the catalog has)."""
        return " · ".join(x for x in (self.price, self.brand, self.colour) if x)


def _first(attributes: dict[str, str], keys: Sequence[str]) -> str:
    return next((str(attributes[k]).strip() for k in keys if str(attributes.get(k, "")).strip()), "")


def price_text(value: str) -> str:
    """A catalog price as a shop prints it ("19.9" → "19.90"); other text as it is."""
    try:
        return f"{float(value):,.2f}"
    except ValueError:
        return value


def human_reason(rec: Recommendation) -> str:
    """Why an item is shown, in shop words: "Looks similar · women · casual", "Goes with it · goes with navy"."""
    base = re.sub(r"\s*\(.*?\)", "", rec.reason).strip()
    notes = [r for r in rec.reasons if r and not _INTERNAL.search(r) and r.lower() != base.lower()]
    return " · ".join([base[:1].upper() + base[1:], *notes] if base else notes)


def product_card(item: Product | Recommendation) -> ProductCard:
    """A card for a catalog product or a recommendation."""
    product = item.product if isinstance(item, Recommendation) else item
    attrs = product.attributes
    price = _first(attrs, _PRICE_KEYS)
    return ProductCard(product.product_id, product.title, Path(product.image), price_text(price) if price else "",
                       _first(attrs, _BRAND_KEYS), _first(attrs, _COLOUR_KEYS),
                       human_reason(item) if isinstance(item, Recommendation) else "")


def product_cards(items: Sequence[Product | Recommendation]) -> list[ProductCard]:
    """Cards for many products or recommendations, in order."""
    return [product_card(i) for i in items]


def outfit_slots(outfit: Outfit | None, wanted: Sequence[str] | None = None) -> dict[str, list[Recommendation]]:
    """The outfit's alternatives per slot, restricted to ``wanted`` slots (all when None), non-empty only."""
    by_slot = outfit.by_slot if outfit is not None else {}
    return {s: recs for s, recs in by_slot.items() if recs and (wanted is None or s in wanted)}


THUMB_MAX = 320
"""Longest side, in pixels, of a card's image as sent to the browser (a card is at most ~300 CSS px wide)."""


def thumbnail_bytes(path: Path | str, longest: int = THUMB_MAX, quality: int = 85) -> bytes:
    """A card's image as small JPEG bytes: the file's own bytes when it is already a JPEG no larger than
    ``longest`` pixels, else scaled down (never up) and encoded once."""
    data = Path(path).read_bytes()
    try:
        opened = Image.open(io.BytesIO(data))
    except OSError:
        raise
    except Exception as exc:  # a third-party patch of Image.open (ultralytics tries to install pi-heif) fails so
        raise OSError(f"{Path(path).name} is not an image Pillow can read ({type(exc).__name__})") from exc
    with opened as image:
        if image.format == "JPEG" and max(image.size) <= longest:
            return data
        image.thumbnail((longest, longest), Image.LANCZOS)
        buf = io.BytesIO()
        image.convert("RGB").save(buf, format="JPEG", quality=quality)
        return buf.getvalue()


@st.cache_data(max_entries=4096, show_spinner=False)
def _thumbnail(path: str, mtime_ns: int) -> bytes:
    return thumbnail_bytes(path)


def _show_image(path: Path) -> None:
    try:
        data = _thumbnail(str(path), path.stat().st_mtime_ns) if path.is_file() else None
    except OSError:  # unreadable or not an image: the card says so instead of breaking the grid
        data = None
    if data is None:
        st.caption("No photo")
    else:
        st.image(data)  # encoded once per file (cached), narrowed to the column, never blown up


def card_text(card: ProductCard) -> str:
    """A card's words as one Markdown block: the title in bold, then its facts and its reason in grey, every
    catalog string escaped (shown as the characters it is, never as Markdown or HTML)."""
    lines = [f"**{plain(card.title)}**", *(f":gray[{plain(x)}]" for x in (card.facts, card.reason) if x)]
    return "  \n".join(lines)


def show_cards(cards: Sequence[ProductCard], columns: int = 5, link: bool = True, group: str = "cards",
               width: int | None = None) -> None:
    """Product tiles in a grid: image, title, facts, reason, and a Details link to the product's page. Each tile
    is a container keyed ``card_<group>_<n>`` (``group`` must be unique on the page) holding three elements
    (image, words, link). With ``width`` (CSS pixels) the tiles are that wide and wrap in one row container, as
    many to a row as fit, instead of ``columns`` columns a row: every element is a delta Streamlit sends and the
    browser draws on every rerun, and the columns cost one per row and one per column."""
    if not cards:
        st.info("No products to show.")
        return
    if width is not None:
        grid = st.container(horizontal=True, gap="small", key=f"grid_{group}")
        for n, card in enumerate(cards):
            with grid.container(border=True, key=f"card_{group}_{n}", width=width):
                _card_body(card, link)
        return
    for start in range(0, len(cards), columns):
        cols = st.columns(columns)
        for n, (col, card) in enumerate(zip(cols, cards[start:start + columns]), start):
            with col.container(border=True, key=f"card_{group}_{n}"):
                _card_body(card, link)


def _card_body(card: ProductCard, link: bool) -> None:
    _show_image(card.image)
    st.markdown(card_text(card))
    if link:
        st.page_link(CATALOG_PAGE, label="Details", icon=":material/open_in_new:",
                     query_params={"product": card.product_id})


def show_outfit(outfit: Outfit | None, columns: int = 5, wanted: Sequence[str] | None = None,
                k: int | None = None, width: int | None = None) -> None:
    """The outfit (one best item per slot), then the alternatives per slot under the slot's shop name (tiles
    laid out as :func:`show_cards` does, ``columns`` a row or ``width`` pixels wide)."""
    if outfit is None or not outfit.outfit:
        st.info("The catalog has nothing to complete this look with.")
        return
    picked = outfit_slots(outfit, wanted)
    if wanted is None:
        st.subheader("The outfit")
        show_cards(product_cards(outfit.outfit), columns, group="outfit", width=width)
        st.subheader("Alternatives")
    elif not picked:
        st.info("Pick at least one kind of item to fill (or the catalog has nothing of these kinds).")
    for slot, recs in picked.items():
        st.markdown(f"**{plain(slot_name(slot))}**")
        show_cards(product_cards(recs[:k] if k else recs), columns, group=f"slot_{re.sub(r'[^a-z]', '', slot)}",
                   width=width)
