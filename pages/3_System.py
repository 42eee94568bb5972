"""System: which models and index are loaded (names, versions, weight hashes), index sizes, benchmark figures."""

from __future__ import annotations

from collections import Counter

import pandas as pd
import streamlit as st

from fashion_core import app_support as ui
from fashion_core.config import settings

st.set_page_config(page_title="System", page_icon=":material/monitoring:", layout="wide")
st.title("System")

cfg = settings()
try:
    rec = ui.current_recommender()
except Exception as exc:
    st.error(ui.friendly_error(exc))
    st.stop()
manifest = rec.manifest.to_dict()

st.subheader("Loaded models")
st.dataframe(ui.model_table(manifest, cfg.detector, getattr(rec, "_detector", None),
                            getattr(rec, "category_model", None), cfg.garment_parser), hide_index=True,
             width="stretch")

st.subheader("Index")
counts = Counter(p.category for p in rec.catalog)
m1, m2, m3, m4 = st.columns(4)
m1.metric("Products", len(rec.catalog))
m2.metric("Categories", len(counts))
m3.metric("Built", str(manifest.get("created", "?"))[:19])
files = ui.index_files(cfg.index_dir)
m4.metric("Index size", f"{files['MiB'].iloc[-1]:.1f} MiB")
st.caption(f"Index directory `{cfg.index_dir}` (set `FASHION_INDEX` to use another) · catalog "
           f"{ui.catalog_source(manifest)}")
c1, c2 = st.columns(2)
c1.bar_chart(pd.Series(counts, name="products").sort_index(), horizontal=True, height=320)
c2.dataframe(files, hide_index=True, width="stretch", height=320)
with st.expander("manifest.json"):
    st.json(manifest, expanded=False)
with st.expander("Package versions"):
    st.table(ui.package_versions())

st.subheader("Benchmarks")
views, problems = ui.benchmark_views()
for line in problems:
    st.warning(line)
if not views:
    st.info(f"No benchmark results yet in `{ui.results_dir()}`; run e.g. `.venv/bin/python benchmarks/bench_app.py`.")
for view in views:
    with st.expander(view.name, expanded=True):
        if view.meta:
            st.caption(" · ".join(f"{k}: {v}" for k, v in view.meta.items()))
        if not view.scalars.empty:
            st.dataframe(view.scalars, hide_index=True, width="stretch")
        for name, table in view.tables.items():
            st.markdown(f"**{name}**")
            st.dataframe(table, width="stretch")
            st.bar_chart(table, stack=False, height=260)
        for name, series in view.series.items():
            st.markdown(f"**{name}**")
            st.line_chart(series.rename(name), height=240)
