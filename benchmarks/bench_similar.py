"""Similar items on the real catalog (fpi), leave-one-out: precision@5/@10 (same articleType AND baseColour),
same-articleType and same-category precision@10, for colour only, ImageNet head only, the visual descriptor
and the final space (visual + attribute heads).

The query is the product IMAGE (never its title). The attribute heads are fitted on catalog labels, so the
headline row is **cross-fitted**: products are split in 5 folds by sha1(id), and a fold's queries are answered
in a space whose heads were fitted on the other 4 folds only (the database is every product, as a shop's
catalog is fully labelled; the query's own labels are never seen). "As served" is the index itself (heads
fitted on every product, the query's own label included): optimistic, printed for comparison.
The main table searches the product's own category, as ``Recommender.similar_items`` does for a product;
a second table searches the whole catalog. Also reports ingest speed and Annoy vs exact search agreement.

Run: .venv/bin/python benchmarks/bench_similar.py [--rebuild]
"""

from __future__ import annotations

import argparse
import hashlib
import time

import numpy as np
from _common import fpi_index, fpi_labels, fpi_parts, need_shared, write_results

from fashion_core.ann import normalize

COMMAND = ".venv/bin/python benchmarks/bench_similar.py"
FOLDS = 5


def leave_one_out(x: np.ndarray, cat: np.ndarray, at: np.ndarray, col: np.ndarray, k: int = 10,
                  within_category: bool = True, queries: np.ndarray | None = None) -> dict:
    """Exact leave-one-out retrieval (within each query's category, or over the whole catalog); precision
    figures over ``queries`` (row indices; default every row)."""
    return summarise(*loo_hits(x, cat, at, col, k, within_category, queries))


def loo_hits(x, cat, at, col, k=10, within_category=True, queries=None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per query (k columns): same type, same type and colour, same category of its k nearest other products."""
    x = normalize(x)
    queries = np.arange(len(x)) if queries is None else np.asarray(queries)
    out_t, out_b, out_c = [], [], []
    groups = np.unique(cat[queries]) if within_category else [None]
    for c in groups:
        rows = np.flatnonzero(cat == c) if c is not None else np.arange(len(x))
        q = queries[cat[queries] == c] if c is not None else queries
        s = x[q] @ x[rows].T
        s[np.arange(len(q)), np.searchsorted(rows, q)] = -np.inf
        kk = min(k, len(rows) - 1)
        top = rows[np.argsort(-s, axis=1, kind="stable")[:, :kk]]
        same_type = at[top] == at[q][:, None]
        out_t.append(same_type)
        out_b.append(same_type & (col[top] == col[q][:, None]))
        out_c.append(cat[top] == cat[q][:, None])
    return np.concatenate(out_t), np.concatenate(out_b), np.concatenate(out_c)


def summarise(same_type: np.ndarray, both: np.ndarray, same_cat: np.ndarray) -> dict:
    """The precision figures of :func:`loo_hits` rows."""
    return {"p5_type_colour": round(float(both[:, :5].mean()), 4), "p10_type_colour": round(float(both.mean()), 4),
            "p10_type": round(float(same_type.mean()), 4), "p10_category": round(float(same_cat.mean()), 4)}


def folds_of(ids) -> np.ndarray:
    """Fold of each product id (sha1, stable across runs and machines)."""
    return np.array([int(hashlib.sha1(str(i).encode()).hexdigest(), 16) % FOLDS for i in ids])


def cross_fitted(parts: dict, labels: dict, cat, at, col, within_category: bool) -> dict:
    """The final space with attribute heads fitted without each query's fold (see the module doc)."""
    from fashion_core.encoders.descriptor import Descriptor, weights_for_parts

    fold = folds_of(parts["ids"])
    enc_parts = {k: v for k, v in parts.items() if k != "ids"}
    hits = []
    for f in range(FOLDS):
        held = fold == f
        masked = {name: [None if h else v for v, h in zip(values, held)] for name, values in labels.items()}
        x = Descriptor(weights=weights_for_parts(enc_parts)).fit(enc_parts, masked).transform(enc_parts)
        hits.append(loo_hits(x, cat, at, col, within_category=within_category, queries=np.flatnonzero(held)))
    return summarise(*(np.concatenate([h[i] for h in hits]) for i in range(3)))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rebuild", action="store_true", help="rebuild the fpi index (measures ingest speed)")
    args = ap.parse_args()
    need_shared()
    start = time.perf_counter()
    path = fpi_index(args.rebuild)
    build_s = time.perf_counter() - start

    from fashion_core.encoders.attributes import column_labels
    from fashion_core.encoders.descriptor import Descriptor, weights_for_parts
    from fashion_core.index import load_index, read_manifest
    from fashion_core.recommend import Recommender

    index = load_index(path)
    ids = [p.product_id for p in index.products]
    parts = fpi_parts(160)
    order = {pid: i for i, pid in enumerate(parts["ids"].tolist())}
    rows_of = np.array([order[pid] for pid in ids])
    parts = {k: v[rows_of] for k, v in parts.items()}
    at, col, _ = fpi_labels(ids)
    cat = np.array([p.category for p in index.products])
    enc_parts = {k: v for k, v in parts.items() if k != "ids"}
    heads = [h["name"] for h in index.manifest.similarity.get("attribute_heads", [])]
    labels = {h: column_labels([p.attributes for p in index.products], h) for h in heads}
    visual = Descriptor(weights=weights_for_parts(enc_parts)).fit(enc_parts).transform(enc_parts)
    spaces = {"colour histogram only": parts["colour"], "ImageNet head only": parts["head"],
              "visual descriptor (head+mid+colour, PCA)": visual}
    tables = {}
    for within, key in ((True, "rows"), (False, "rows_whole_catalog")):
        table = {name: leave_one_out(x, cat, at, col, within_category=within) for name, x in spaces.items()}
        if heads:
            table[f"final, cross-fitted ({' + '.join(heads)} heads)"] = cross_fitted(parts, labels, cat, at, col, within)
        table["final as served (index; heads saw the query)"] = leave_one_out(np.asarray(index.vectors), cat, at, col,
                                                                              within_category=within)
        tables[key] = table
    rec = Recommender(path, rules=False)  # the Annoy search itself; the wearer rules would drop other genders' items
    agree = []
    for pid in ids[::50]:  # what the product serves (Annoy) vs exact search in the same space
        got = [r.product.product_id for r in rec.similar_items(product_id=pid, k=10)]
        r = index.row(pid)
        exact = [index.products[i].product_id for i, _ in
                 sorted(((i, float(index.vectors[i] @ index.vectors[r])) for i in index.categories[cat[r]].rows if i != r),
                        key=lambda t: -t[1])[:10]]
        agree.append(len(set(got) & set(exact)) / 10)
    manifest = read_manifest(path)
    sim = dict(manifest.similarity)
    sim["attribute_heads"] = [{"name": h["name"], "n_classes": len(h["classes"])} for h in sim.get("attribute_heads", [])]
    figures = {**tables, "n_products": len(ids), "folds": FOLDS,
               "served_vs_exact_overlap@10": round(float(np.mean(agree)), 4),
               "ingest_images_per_s": manifest.build.get("ingest_images_per_s"),
               "index_build_s": round(build_s, 1) if args.rebuild else None,
               "encoder": manifest.encoder.to_dict(), "similarity": sim}
    for title, key in (("within its category (what similar_items serves)", "rows"),
                       ("over the whole catalog (no category given)", "rows_whole_catalog")):
        print(f"fpi leave-one-out, {len(ids)} products, query = product image, {title}")
        print(f"{'row':50s} {'p@5 type+col':>12s} {'p@10 type+col':>13s} {'p@10 type':>9s} {'p@10 cat':>8s}")
        for name, r in tables[key].items():
            print(f"{name:50s} {r['p5_type_colour']:12.3f} {r['p10_type_colour']:13.3f} {r['p10_type']:9.3f} "
                  f"{r['p10_category']:8.3f}")
    speed = figures["ingest_images_per_s"]
    print(f"served (Annoy, outfit rules off) vs exact overlap@10: {figures['served_vs_exact_overlap@10']:.3f}; ingest "
          + (f"{speed} images/s" if speed else "speed not measured (every product came from the index's feature "
             "cache; benchmarks/bench_ingest.py measures it)"))
    print(f"written {write_results('bench_similar', COMMAND, figures)}; reproduce: {COMMAND} --rebuild")


if __name__ == "__main__":
    main()
