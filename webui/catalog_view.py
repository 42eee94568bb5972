"""The Catalog page's two views: the searchable grid (kept across Details and back, and in the URL ``?q=`` /
``?page=``) and one product's page (``?product=<id>``) with its own Similar and Complete-the-look lists."""

from __future__ import annotations

import json

import pandas as pd
import streamlit as st
import streamlit.components.v1 as components

from fashion_core.catalog import Catalog
from fashion_core.recommend import Recommender

from . import state
from .cards import product_card, product_cards, show_cards, show_outfit
from .messages import plain
from .overlays import garment_name
from .search import (
    SORTS,
    CatalogQuery,
    TitleIndex,
    catalog_categories,
    colour_of,
    facet_values,
    gender_of,
    page_of,
    price_of,
    search,
)

ALL = "All"
PER_PAGE = (12, 24, 48)


@st.cache_resource(max_entries=4, show_spinner=False)
def title_index(index_dir: str, _catalog: Catalog) -> TitleIndex:
    """The catalog's BM25 title index, built once per index and process."""
    return TitleIndex(_catalog.products)


def _close_product() -> None:
    st.query_params.pop("product", None)


def _remember_in_history(product_id: str) -> None:
    """Give the product its own entry in the browser's history when it was opened from the Catalog itself (a
    link to the page one is on does not add one), so the browser's Back returns to the search and its page."""
    pid = json.dumps(product_id).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    components.html(f"""<script>
      const w = window.parent, p = new URLSearchParams(w.location.search);
      if (p.get("product") !== {pid}) {{
        const q = new URLSearchParams({{product: {pid}}});
        w.history.pushState(w.history.state, "", w.location.pathname + "?" + q.toString());
      }}</script>""", height=0)


def product_view(rec: Recommender, product_id: str) -> None:
    """One product: its photo and facts, then its Similar and Complete-the-look lists."""
    st.button("Back to the catalog", icon=":material/arrow_back:", on_click=_close_product)
    catalog = rec.catalog
    if product_id not in catalog:
        st.error("We could not find that product: it is not (or no longer) in this catalog. Search the catalog "
                 "for another one.", icon=":material/search_off:")
        st.text(f"Product ID asked for: {product_id[:120]}")
        return
    _remember_in_history(product_id)
    product = catalog.get(product_id)
    card = product_card(product)
    pic, info = st.columns([1, 3], gap="large")
    with pic:
        if card.image.is_file():
            st.image(str(card.image))
        else:
            st.caption("No photo")
    with info:
        st.header(plain(product.title))
        st.caption(plain(" · ".join(x for x in (garment_name(product.category), card.facts) if x)))
        shown = {k: v for k, v in product.attributes.items() if str(v).strip()}
        if shown:
            st.dataframe(pd.DataFrame({"detail": list(shown), "value": [str(v) for v in shown.values()]}),
                         hide_index=True)
    tab_similar, tab_outfit = st.tabs(["Similar", "Complete the look"])
    with tab_similar:
        show_cards(product_cards(rec.similar_items(product_id=product_id, k=10)), columns=5, group="similar")
    with tab_outfit:
        show_outfit(rec.complete_the_look(product_id=product_id, k=5), columns=5)


def _restore_from_url() -> None:
    """A fresh session opened on a shared URL takes its search and page from ``?q=`` and ``?page=``."""
    if state.kept("cat_search") is None and "cat_search" not in st.session_state:
        q = st.query_params.get("q")
        if q:
            st.session_state["cat_search"] = q[:200]
        page = st.query_params.get("page")
        if page and page.isdigit():
            st.session_state["cat_page_n"] = int(page)


def _move(step: int) -> None:
    st.session_state["cat_page_n"] = max(1, st.session_state.get("cat_page_n", 1) + step)


def grid_view(rec: Recommender) -> None:
    """The searchable, filterable, sortable grid of products, with previous/next pages at the bottom."""
    catalog = rec.catalog
    st.title("Catalog")
    st.caption(f"{len(catalog)} products")
    _restore_from_url()
    products = catalog.products
    genders = facet_values(products, gender_of)
    colours = facet_values(products, colour_of)
    prices = [v for v in map(price_of, products) if v is not None]
    for key, default in (("cat_search", ""), ("cat_category", ALL), ("cat_gender", ALL), ("cat_colour", ALL),
                         ("cat_sort", SORTS[0]), ("cat_per_page", 24)):
        state.restore(key, default)

    def kept(key: str):
        return dict(on_change=state.remember, args=(key,), key=key)

    text = st.text_input("Search", placeholder="e.g. men white shirt, or a product ID", **kept("cat_search"))
    f = st.columns(5)
    category = f[0].selectbox("Category", [ALL, *catalog_categories(catalog)], format_func=_category_label,
                              **kept("cat_category"))
    gender = f[1].selectbox("For", [ALL, *genders], **kept("cat_gender")) if genders else ALL
    colour = f[2].selectbox("Colour", [ALL, *colours], **kept("cat_colour")) if colours else ALL
    sort = f[3].selectbox("Sort by", SORTS if prices else [s for s in SORTS if "Price" not in s], **kept("cat_sort"))
    per_page = f[4].selectbox("Per page", PER_PAGE, **kept("cat_per_page"))
    price_range = None
    if prices and min(prices) < max(prices):
        lo, hi = float(min(prices)), float(max(prices))
        state.restore("cat_price", (lo, hi))
        price_range = st.slider("Price", lo, hi, **kept("cat_price"))
    for key in ("cat_search", "cat_category", "cat_gender", "cat_colour", "cat_sort", "cat_per_page"):
        state.remember(key)
    query = CatalogQuery(text=text, category=None if category == ALL else category,
                         gender=None if gender == ALL else gender, colour=None if colour == ALL else colour,
                         price_min=price_range[0] if price_range else None,
                         price_max=price_range[1] if price_range else None, sort=sort)
    if st.session_state.get("cat_last_query") not in (None, query):
        st.session_state["cat_page_n"] = 1  # a new search starts on its first page
    st.session_state["cat_last_query"] = query
    result = search(catalog, title_index(str(rec.index_dir), catalog), query)
    if not result.products:
        st.query_params.pop("page", None)
        if result.looks_like_id:
            st.warning("No product has that ID. Check the ID, or search by words.", icon=":material/search_off:")
        else:
            st.warning("No products match. Try fewer words, another filter, or an exact product ID.",
                       icon=":material/search_off:")
        return
    n_pages = page_of(result.products, 1, per_page)[1]
    page = min(max(1, st.session_state.get("cat_page_n", 1)), n_pages)
    st.session_state["cat_page_n"] = page
    shown, _ = page_of(result.products, page, per_page)
    st.query_params.update({"q": text, "page": str(page)} if text else {"page": str(page)})
    if not text:
        st.query_params.pop("q", None)
    st.caption(f"{len(result.products)} products · page {page} of {n_pages}")
    show_cards(product_cards(shown), columns=6, group="grid")
    prev, where, nxt = st.columns([1, 2, 1], vertical_alignment="center")
    prev.button("Previous", icon=":material/chevron_left:", disabled=page <= 1, on_click=_move, args=(-1,),
                key="cat_prev", width="stretch")
    where.caption(f"Page {page} of {n_pages}")
    nxt.button("Next", icon=":material/chevron_right:", disabled=page >= n_pages, on_click=_move, args=(1,),
               key="cat_next", width="stretch")


def _category_label(category: str) -> str:
    return category if category == ALL else garment_name(category)
