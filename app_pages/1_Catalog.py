"""Catalog: search the products by relevance (gender, colour and price filters, a sort, pages) and open one.

A product opens at ``Catalog?product=<id>``; the search, filters and page are kept across Details and back.
"""

from __future__ import annotations

import streamlit as st

from fashion_core.recommend import Recommender
from webui import page
from webui.catalog_view import grid_view, product_view


def main(rec: Recommender) -> None:
    """A product's page when the URL names one, else the grid."""
    product_id = st.query_params.get("product")
    if product_id:
        product_view(rec, product_id)
    else:
        grid_view(rec)


page.run("Catalog", main, icon=":material/storefront:")
