"""Compare: one product or the garment selected on Shop the look, similar and complementary side by side."""

from __future__ import annotations

import streamlit as st

from fashion_core import app_support as ui
from fashion_core import taxonomy

st.set_page_config(page_title="Compare", page_icon=":material/compare:", layout="wide")
st.title("Compare: similar vs complete the look")

try:
    rec = ui.current_recommender()
except Exception as exc:
    st.error(ui.friendly_error(exc))
    st.stop()
catalog = rec.catalog

garment = st.session_state.get("selected_garment")
PRODUCT, GARMENT = "A catalog product", "The garment selected on Shop the look"
sources = [PRODUCT, GARMENT] if garment else [PRODUCT]
c1, c2, c3 = st.columns([2, 1, 2])
source = c1.radio("Query", sources, index=len(sources) - 1, key="cmp_source", horizontal=True)
k = c2.slider("k", 1, 20, 6, key="cmp_k")

if source == PRODUCT:
    default = st.query_params.get("product") or catalog.products[0].product_id
    product_id = c1.text_input("Product ID", value=default, key="cmp_product").strip()
    if product_id not in catalog:
        st.warning(f"Product {product_id!r} is not in this catalog; type an ID from the Catalog page "
                   f"(e.g. {catalog.products[0].product_id}).")
        st.stop()
    product = catalog.get(product_id)
    category, query_image, query = product.category, str(product.image), {"product_id": product_id}
    caption = f"{product.title} · {product_id}"
else:
    category, query_image, query = garment["category"], garment["crop"], {"image": garment["crop"],
                                                                            "category": garment["category"]}
    caption = garment["label"]

slots = list(taxonomy.complementary_slots(taxonomy.slot_of(category)))
wanted = c3.multiselect("Slots to fill", slots, default=slots, key=f"cmp_slots_{category}")
st.image(query_image, caption=caption, width=160)

col_similar, col_outfit = st.columns(2, gap="large")
try:
    with col_similar:
        st.subheader(f"Similar {category}")
        note = ui.missing_category_message(category, catalog)
        if note:
            st.info(note)
        else:
            ui.show_cards(ui.product_cards(rec.similar_items(**query, k=k)), columns=3)
    with col_outfit:
        st.subheader("Complete the look")
        outfit = rec.complete_the_look(**query, k=k)
        picked = ui.outfit_slots(outfit, wanted)
        if not picked:
            st.info("Pick at least one slot to fill (or the catalog has nothing for these slots).")
        for slot, recs in picked.items():
            st.markdown(f"**{slot}**")
            ui.show_cards(ui.product_cards(recs[:k]), columns=3)
except Exception as exc:
    st.error(ui.friendly_error(exc))
