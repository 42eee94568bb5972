"""Catalog: browse the products (category filter, title or product-ID search, pages) and open one product.

A product opens at ``Catalog?product=<id>`` with its own Similar and Complete-the-look lists.
"""

from __future__ import annotations

import streamlit as st

from fashion_core import app_support as ui

st.set_page_config(page_title="Catalog", page_icon=":material/storefront:", layout="wide")

try:
    rec = ui.current_recommender()
except Exception as exc:
    st.error(ui.friendly_error(exc))
    st.stop()
catalog = rec.catalog


def _close_product() -> None:
    st.query_params.pop("product", None)


product_id = st.query_params.get("product")
if product_id:
    st.button("Back to the catalog", icon=":material/arrow_back:", on_click=_close_product)
    if product_id not in catalog:
        st.error(f"Product {product_id!r} is not in this catalog ({len(catalog)} products). "
                 "Search the catalog for another one.")
        st.stop()
    product = catalog.get(product_id)
    pic, info = st.columns([1, 2], gap="large")
    pic.image(str(product.image), width="stretch")
    with info:
        st.header(product.title)
        st.caption(f"{product.product_id} · {product.category} · slot {product.slot}")
        if product.attributes:
            st.table({k: [v] for k, v in product.attributes.items()})
    tab_similar, tab_outfit = st.tabs(["Similar", "Complete the look"])
    try:
        with tab_similar:
            ui.show_cards(ui.product_cards(rec.similar_items(product_id=product_id, k=10)))
        with tab_outfit:
            outfit = rec.complete_the_look(product_id=product_id, k=5)
            st.subheader("The outfit")
            ui.show_cards(ui.product_cards(outfit.outfit))
            for slot, recs in ui.outfit_slots(outfit).items():
                st.markdown(f"**{slot}**")
                ui.show_cards(ui.product_cards(recs))
    except Exception as exc:
        st.error(ui.friendly_error(exc))
    st.stop()

st.title("Catalog")
st.caption(f"{len(catalog)} products from {ui.catalog_source(rec.manifest)}")
f1, f2, f3 = st.columns([1, 2, 1])
category = f1.selectbox("Category", ["All", *ui.catalog_categories(catalog)], key="cat_category")
text = f2.text_input("Search titles or a product ID", key="cat_search", placeholder="e.g. navy striped, or D00042")
per_page = f3.selectbox("Per page", [12, 24, 48], index=1, key="cat_per_page")
items = ui.filter_products(catalog, category, text)
if not items:
    st.warning(f"No products match {text!r}" + (f" in {category}" if category != "All" else "")
               + ". Try fewer words, another category, or an exact product ID.")
    st.stop()
n_pages = ui.page_of(items, 1, per_page)[1]
if st.session_state.get("cat_page", 1) > n_pages:  # the filter shrank the list: stay on a page that exists
    st.session_state["cat_page"] = n_pages
p1, p2 = st.columns([1, 4], vertical_alignment="bottom")
page = p1.number_input(f"Page (of {n_pages})", min_value=1, max_value=n_pages, value=1, step=1, key="cat_page")
shown, _ = ui.page_of(items, page, per_page)
p2.caption(f"{len(items)} products · showing {len(shown)}")
ui.show_cards(ui.product_cards(shown), columns=6)
