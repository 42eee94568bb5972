"""The shopper's app: the router over its pages (``streamlit run app.py``).

The pages live in ``app_pages/``, not ``pages/``: Streamlit treats a ``pages/`` folder as the old automatic
navigation, which would list this router as a page named "app".

Which catalog: the index in ``FASHION_INDEX`` (default the demo index ``data/demo/index``). The pages are thin:
layout and wiring over ``webui`` (the app side) and ``fashion_core`` (the library).
"""

from __future__ import annotations

import streamlit as st

PAGES = [
    st.Page("app_pages/0_Shop_the_look.py", title="Shop the look", icon=":material/checkroom:", default=True),
    st.Page("app_pages/1_Catalog.py", title="Catalog", icon=":material/storefront:", url_path="Catalog"),
    st.Page("app_pages/2_Compare.py", title="Compare", icon=":material/compare:", url_path="Compare"),
    st.Page("app_pages/3_System.py", title="System", icon=":material/monitoring:", url_path="System"),
]

st.navigation(PAGES).run()
