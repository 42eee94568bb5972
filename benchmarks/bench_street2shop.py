"""Street to shop: a shopper's photo of a garment against the real catalog (fpi).

Queries: garment crops from ../shared/data/ccp (ground-truth boxes, at least 16 px a side) and the photos of
../shared/data/clothing. precision@10 of the right category for the 10 products served, by how the query's
category is decided:
- raw kNN: no category, the 10 nearest catalog products in the similarity space;
- neighbour vote: the category most of the nearest catalog products have (the default with no category model);
- category model: ``fashion_core.category_model`` fitted on labelled shopper photos, **cross-validated**:
  5 photo-disjoint folds (sha1 of the photo) over both sets; each query is answered by a model fitted on the
  other folds only (what `fashion-core category train --validate` prints); training sees every image and its
  mirror image, a query is answered from both;
- category model, other set only: fitted on one query set, measured on the other (transfer to new data).
Then the 10 best products of that category are served, as ``Recommender.similar_items(image=...)`` does.

Run: .venv/bin/python benchmarks/bench_street2shop.py [--limit N]
"""

from __future__ import annotations

import argparse

import numpy as np
from _common import SHARED_DATA, fpi_index, need_shared, write_results

COMMAND = ".venv/bin/python benchmarks/bench_street2shop.py"
SETS = {"ccp gt crops": SHARED_DATA / "ccp" / "annotations.json", "clothing photos": SHARED_DATA / "clothing" / "labels.csv"}


def served_precision(rec, vectors: np.ndarray, categories: list[str | None], truth: list[str]) -> np.ndarray:
    """Per query: share of the 10 products served in ``categories[i]`` (None = whole catalog) that are ``truth[i]``."""
    out = np.zeros(len(truth))
    for i, (v, c, t) in enumerate(zip(vectors, categories, truth)):
        hits = rec.index.search(v, 10, category=c)
        out[i] = np.mean([rec.index.products[r].category == t for r, _ in hits]) if hits else 0.0
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--limit", type=int, default=None, help="at most this many queries per set (default: all)")
    args = ap.parse_args()
    need_shared()
    from fashion_core.category_model import (
        cross_validated_predictions,
        encode_labelled,
        fit_category_model,
        source_name,
        subset,
    )
    from fashion_core.recommend import Recommender

    rec = Recommender(fpi_index())
    allowed = list(rec.index.categories)
    views, labels, groups = encode_labelled(rec.encoder, list(SETS.values()), limit=args.limit)
    source = np.array([g.split(":", 1)[0] for g in groups])
    vectors = rec.index.descriptor.transform(views[0])
    vote = [rec.infer_category(h) for h in views[0]["head"]]
    cv = cross_validated_predictions(rec.encoder, views, labels, groups, allowed=allowed)
    transfer = [""] * len(labels)
    for s in np.unique(source):
        train = [lab if src != s else None for lab, src in zip(labels, source)]
        held = np.flatnonzero(source == s)
        model = fit_category_model(rec.encoder, views, train)
        for i, c in zip(held, model.predict(subset(views, held), allowed)):
            transfer[i] = c
    rows = {"raw kNN (no category)": served_precision(rec, vectors, [None] * len(labels), labels),
            "neighbour vote": served_precision(rec, vectors, vote, labels),
            "category model, 5-fold cross-validated": served_precision(rec, vectors, cv, labels),
            "category model, fitted on the other set only": served_precision(rec, vectors, transfer, labels)}
    figures = {}
    for name, folder in SETS.items():
        sel = source == source_name(folder)
        figures[name] = {"n_queries": int(sel.sum()), **{row: round(float(p[sel].mean()), 4) for row, p in rows.items()}}
    print("street to shop against fpi: precision@10 of the right category, by how the query's category is decided")
    for name, r in figures.items():
        print(f"{name} (n={r['n_queries']})")
        for row in rows:
            print(f"  {row:46s} {r[row]:.3f}")
    cmd = COMMAND + (f" --limit {args.limit}" if args.limit else "")
    print(f"written {write_results('bench_street2shop', cmd, figures)}; reproduce: {cmd}")


if __name__ == "__main__":
    main()
