"""Similar items on the real catalog (fpi), leave-one-out: precision@5/@10 (same articleType AND baseColour),
same-articleType and same-category precision@10, for colour only, ImageNet head only and the final space.

The query is the product IMAGE (never its title); the main table searches the product's own category, as
``Recommender.similar_items`` does for a product; a second table searches the whole catalog (no category). Also reports ingest speed of the index build and, on a sample, how
much the Annoy answers differ from exact search.

Run: .venv/bin/python benchmarks/bench_similar.py [--rebuild]
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np
from _common import fpi_index, fpi_labels, need_shared, write_results

from fashion_core.ann import normalize

COMMAND = ".venv/bin/python benchmarks/bench_similar.py"


def leave_one_out(x: np.ndarray, cat: np.ndarray, at: np.ndarray, col: np.ndarray, k: int = 10,
                  within_category: bool = True) -> dict:
    """Exact leave-one-out retrieval (within each query's category, or over the whole catalog); precision figures."""
    x = normalize(x)
    idx = np.zeros((len(x), k), dtype=np.int64)
    groups = np.unique(cat) if within_category else [None]
    for c in groups:
        rows = np.flatnonzero(cat == c) if c is not None else np.arange(len(x))
        s = x[rows] @ x[rows].T
        np.fill_diagonal(s, -np.inf)
        kk = min(k, len(rows) - 1)
        top = np.argsort(-s, axis=1, kind="stable")[:, :kk]
        idx[rows, :kk] = rows[top]
    same_type = at[idx] == at[:, None]
    both = same_type & (col[idx] == col[:, None])
    return {"p5_type_colour": round(float(both[:, :5].mean()), 4), "p10_type_colour": round(float(both.mean()), 4),
            "p10_type": round(float(same_type.mean()), 4), "p10_category": round(float((cat[idx] == cat[:, None]).mean()), 4)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rebuild", action="store_true", help="rebuild the fpi index (measures ingest speed)")
    args = ap.parse_args()
    need_shared()
    start = time.perf_counter()
    path = fpi_index(args.rebuild)
    build_s = time.perf_counter() - start

    from fashion_core.encoders.colour import colour_descriptors
    from fashion_core.imageio import load_image
    from fashion_core.index import load_index
    from fashion_core.recommend import Recommender

    index = load_index(path)
    ids = [p.product_id for p in index.products]
    at, col, _ = fpi_labels(ids)
    cat = np.array([p.category for p in index.products])
    colour = colour_descriptors([load_image(p.image) for p in index.products])
    spaces = {"colour histogram only": colour, "ImageNet head only": np.asarray(index.features),
              "final (head + mid + colour, PCA)": np.asarray(index.vectors)}
    rows = {name: leave_one_out(x, cat, at, col) for name, x in spaces.items()}
    rows_all = {name: leave_one_out(x, cat, at, col, within_category=False) for name, x in spaces.items()}
    rec = Recommender(path)
    sample = ids[::50]
    agree = []
    for pid in sample:  # what the product serves (Annoy) vs exact search in the same space
        got = [r.product.product_id for r in rec.similar_items(product_id=pid, k=10)]
        r = index.row(pid)
        exact = [index.products[i].product_id for i, _ in
                 sorted(((i, float(index.vectors[i] @ index.vectors[r])) for i in index.categories[cat[r]].rows if i != r),
                        key=lambda t: -t[1])[:10]]
        agree.append(len(set(got) & set(exact)) / 10)
    manifest = json.loads((path / "manifest.json").read_text())
    figures = {"rows": rows, "rows_whole_catalog": rows_all, "n_products": len(ids), "served_vs_exact_overlap@10": round(float(np.mean(agree)), 4),
               "ingest_images_per_s": manifest.get("ingest_images_per_s"), "index_build_s": round(build_s, 1) if args.rebuild else None,
               "encoder": manifest["encoder"], "similarity": manifest["similarity"]}
    for title, table in (("within its category (what similar_items serves)", rows),
                         ("over the whole catalog (no category given)", rows_all)):
        print(f"fpi leave-one-out, {len(ids)} products, query = product image, {title}")
        print(f"{'row':36s} {'p@5 type+col':>12s} {'p@10 type+col':>13s} {'p@10 type':>9s} {'p@10 cat':>8s}")
        for name, r in table.items():
            print(f"{name:36s} {r['p5_type_colour']:12.3f} {r['p10_type_colour']:13.3f} {r['p10_type']:9.3f} "
                  f"{r['p10_category']:8.3f}")
    print(f"served (Annoy) vs exact overlap@10: {figures['served_vs_exact_overlap@10']:.3f}; "
          f"ingest {figures['ingest_images_per_s']} images/s")
    print(f"written {write_results('bench_similar', COMMAND, figures)}; reproduce: {COMMAND} --rebuild")


if __name__ == "__main__":
    main()
