"""Compare: one product or the garment selected on Shop the look, similar and complementary side by side."""

from __future__ import annotations

import streamlit as st

from fashion_core import taxonomy
from fashion_core.recommend import Recommender
from webui import page
from webui.cards import product_cards, show_cards, show_outfit
from webui.messages import plain
from webui.overlays import garment_name, slot_name

PRODUCT, GARMENT = "A catalog product", "The garment selected on Shop the look"


def main(rec: Recommender) -> None:
    """The query picker, then Similar and Complete the look in two columns."""
    st.title("Compare: similar vs complete the look")
    catalog = rec.catalog
    garment = st.session_state.get("selected_garment")
    sources = [PRODUCT, GARMENT] if garment else [PRODUCT]
    c1, c2, c3 = st.columns([2, 1, 2])
    source = c1.radio("Query", sources, index=len(sources) - 1, key="cmp_source", horizontal=True)
    k = c2.slider("How many", 1, 20, 6, key="cmp_k")
    if source == PRODUCT:
        default = (st.query_params.get("product") or catalog.products[0].product_id)[:120]
        product_id = c1.text_input("Product ID", value=default, key="cmp_product").strip()
        if product_id not in catalog:
            st.warning("That product ID is not in this catalog; type an ID from the Catalog page (for example "
                       f"{plain(catalog.products[0].product_id)}).")
            return
        product = catalog.get(product_id)
        category, query_image, query = product.category, str(product.image), {"product_id": product_id}
        caption = product.title
    else:
        category, query_image = garment["category"], garment["crop"]
        query, caption = {"image": garment["crop"], "category": garment["category"]}, garment["label"]
    slots = list(taxonomy.complementary_slots(taxonomy.slot_of(category)))
    wanted = c3.multiselect("Kinds of items to fill", slots, default=slots, key=f"cmp_slots_{category}",
                            format_func=slot_name)
    st.image(query_image, width=160)
    st.text(caption)
    col_similar, col_outfit = st.columns(2, gap="large")
    with col_similar:
        st.subheader(f"Similar: {garment_name(category)}")
        if category not in rec.index.categories:
            st.info(f"This catalog has no {garment_name(category).lower()} items, so there is nothing similar to "
                    "show. Complete the look still works.")
        else:
            show_cards(product_cards(rec.similar_items(**query, k=k)), columns=3, group="similar")
    with col_outfit:
        st.subheader("Complete the look")
        show_outfit(rec.complete_the_look(**query, k=k), columns=3, wanted=wanted, k=k)


page.run("Compare", main, icon=":material/compare:")
