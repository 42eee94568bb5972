"""The shopper's app, the side next to the pages: everything that needs Streamlit lives here, never in
``fashion_core``.

``loading`` opens the shared recommender and caches looks and answers; ``page`` is the prologue every page
runs (page config, the recommender, the fallback banner, the error boundary); ``messages`` turns failures into
short shopper text; ``overlays`` fits the photo and draws its icons (the ``look_photo`` component); ``cards``
shows products as a shop would; ``search`` ranks the catalog; ``state`` keeps choices across pages;
``system`` lays out the System page's tables.
"""
