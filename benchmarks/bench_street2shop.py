"""Street to shop: a shopper's photo of a garment against the real catalog (fpi).

Queries: garment crops from ../shared/data/ccp (ground-truth boxes) and the photos of
../shared/data/clothing. precision@10 of the right category, two ways: the raw 10 nearest catalog
items over the whole catalog (similarity space), and what ``Recommender.similar_items(image=...)`` serves (category voted
by the nearest products, then the 10 best of that category).

Run: .venv/bin/python benchmarks/bench_street2shop.py [--limit N]
"""

from __future__ import annotations

import argparse
import json

import numpy as np
import pandas as pd
from _common import SHARED_DATA, fpi_index, need_shared, write_results

from fashion_core import taxonomy

COMMAND = ".venv/bin/python benchmarks/bench_street2shop.py"


def _spread(n: int, limit: int) -> list[int]:
    """``min(n, limit)`` evenly spaced positions in 0..n-1 (deterministic sample)."""
    return sorted(set(np.linspace(0, n - 1, min(n, limit)).round().astype(int).tolist()))


def ccp_queries(limit: int):
    """(image crop, category) for every ground-truth box of the ccp photos (at most ``limit``)."""
    from fashion_core.imageio import load_image

    doc = json.loads((SHARED_DATA / "ccp" / "annotations.json").read_text())
    names = {c["id"]: c["name"] for c in doc["categories"]}
    files = {im["id"]: im["file_name"] for im in doc["images"]}
    anns = [a for a in doc["annotations"] if a["bbox"][2] >= 16 and a["bbox"][3] >= 16]
    anns = [anns[i] for i in _spread(len(anns), limit)]  # evenly spaced sample, in photo order
    cache: dict[int, object] = {}
    for a in anns:
        if a["image_id"] not in cache:
            cache.clear()
            cache[a["image_id"]] = load_image(SHARED_DATA / "ccp" / files[a["image_id"]])
        x, y, w, h = a["bbox"]
        yield cache[a["image_id"]].crop((x, y, x + w, y + h)), names[a["category_id"]]


def clothing_queries(limit: int):
    """(photo, category) for the clothing/ photos (labels mapped through the taxonomy)."""
    from fashion_core.imageio import load_image

    labels = pd.read_csv(SHARED_DATA / "clothing" / "labels.csv")
    for row in labels.iloc[_spread(len(labels), limit)].itertuples():
        yield load_image(SHARED_DATA / "clothing" / row.image), taxonomy.to_category(row.label)


def evaluate(rec, queries) -> dict:
    """precision@10 of the right category: raw kNN over the whole catalog, and as served."""
    from fashion_core.ann import exact_search

    raw, served, vote_ok, n = [], [], [], 0
    cats = np.array([p.category for p in rec.index.products])
    for image, category in queries:
        vector, _ = rec.image_vector(image)
        idx, _ = exact_search(rec.index.vectors, vector, 10)
        raw.append(float((cats[idx[0]] == category).mean()))
        got = rec.similar_items(image=image, k=10)
        served.append(float(np.mean([r.product.category == category for r in got])) if got else 0.0)
        vote_ok.append(got[0].product.category == category if got else False)
        n += 1
    return {"n_queries": n, "p10_category_raw_knn": round(float(np.mean(raw)), 4),
            "p10_category_served": round(float(np.mean(served)), 4),
            "category_vote_accuracy": round(float(np.mean(vote_ok)), 4)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--limit", type=int, default=100_000, help="at most this many queries per set")
    args = ap.parse_args()
    need_shared()
    from fashion_core.recommend import Recommender

    rec = Recommender(fpi_index())
    figures = {"ccp gt crops": evaluate(rec, ccp_queries(args.limit)),
               "clothing photos": evaluate(rec, clothing_queries(args.limit))}
    print("street to shop against fpi: precision@10 of the right category")
    for name, r in figures.items():
        print(f"{name:16s} n={r['n_queries']:5d}  raw kNN {r['p10_category_raw_knn']:.3f}  "
              f"served {r['p10_category_served']:.3f}  vote accuracy {r['category_vote_accuracy']:.3f}")
    cmd = COMMAND + (f" --limit {args.limit}" if args.limit != 100_000 else "")
    print(f"written {write_results('bench_street2shop', cmd, figures)}; reproduce: {cmd}")


if __name__ == "__main__":
    main()
