"""System: the loaded models (names, versions, weight hashes), the loaded index's own figures, this process's
answer times, and benchmark results (one chart per unit)."""

from __future__ import annotations

from collections import Counter

import pandas as pd
import streamlit as st

from fashion_core.config import settings
from fashion_core.recommend import Recommender
from webui import page, system
from webui.loading import recent_timings
from webui.messages import plain


def main(rec: Recommender) -> None:
    """Models, index, answer times, benchmarks."""
    st.title("System")
    cfg = settings()
    st.subheader("Loaded models")
    st.dataframe(system.model_table(rec.manifest, cfg.detector, rec._detector, rec.category_model, cfg.garment_parser),
                 hide_index=True, width="stretch")

    st.subheader("This index")
    counts = Counter(p.category for p in rec.catalog)
    files = system.index_files(rec.index_dir)
    m1, m2, m3, m4 = st.columns(4)
    m1.metric("Products", len(rec.catalog))
    m2.metric("Categories", len(counts))
    m3.metric("Built", str(rec.manifest.created)[:19])
    m4.metric("Index size", f"{files['MiB'].iloc[-1]:.1f} MiB")
    st.caption(f"Catalog {plain(system.catalog_name(rec.manifest))} · complete the look: "
               + ("compatibility model" if rec.has_compat_model else "look-alike fallback (no compatibility model)"))
    c1, c2 = st.columns(2)
    c1.markdown("**Products per category**")
    c1.bar_chart(pd.Series(counts, name="products").sort_index(), horizontal=True, height=320)
    c2.markdown("**Measured when this index was built**")
    c2.dataframe(system.index_figures(rec.manifest), hide_index=True, width="stretch", height=320)
    with st.expander("Index files"):
        st.dataframe(files, hide_index=True, width="stretch")
    with st.expander("Package versions"):
        st.dataframe(pd.DataFrame(system.package_versions().items(), columns=["package", "version"]), hide_index=True)

    st.subheader("Answer times in this app (milliseconds)")
    latency = system.answer_latency(recent_timings())
    if latency.empty:
        st.info("No garment answered yet in this app process: shop a look first.")
    else:
        st.dataframe(latency, width="stretch")
        st.bar_chart(latency[["p50", "p95"]], stack=False, height=240, y_label="milliseconds")

    st.subheader("Benchmarks")
    st.caption("Measured by the project's benchmark scripts on their own data sets (named in each), not on this "
               "catalog unless it says so.")
    views, problems = system.benchmark_views()
    for line in problems:
        st.warning(plain(line))
    if not views:
        st.info("No benchmark results yet.")
    for view in views:
        with st.expander(view.name, expanded=False):
            if view.meta:
                st.caption(plain(" · ".join(f"{k}: {v}" for k, v in view.meta.items())))
            if not view.scalars.empty:
                st.dataframe(view.scalars, hide_index=True, width="stretch")
            for name, table in view.tables.items():
                st.markdown(f"**{plain(name)}**")
                st.dataframe(table, width="stretch")
            for name, unit, data in view.charts():
                st.markdown(f"**{plain(name)}** ({unit})")
                if isinstance(data, pd.Series):
                    st.line_chart(data, height=220, y_label=unit)
                else:
                    st.bar_chart(data, stack=False, height=240, y_label=unit)


page.run("System", main, icon=":material/monitoring:")
