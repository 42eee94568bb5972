"""``similar``: similar products for product ids or images (one query, or many from a CSV, models loaded once)."""

from __future__ import annotations

import argparse
from pathlib import Path

from .output import emit_json, print_table


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``similar`` to the parser."""
    sim = sub.add_parser("similar", help="similar products for ids or images")
    sim.add_argument("--index", type=Path, default=None, help="index directory (default: FASHION_INDEX)")
    q = sim.add_mutually_exclusive_group(required=True)
    q.add_argument("--id", help="a catalog product id")
    q.add_argument("--image", type=Path, help="a query image")
    q.add_argument("--queries", type=Path, help="CSV with a product_id or image column (many queries)")
    sim.add_argument("--category", default=None, help="restrict to this category (default: the query's)")
    sim.add_argument("-k", type=int, default=10, help="results per query")
    sim.add_argument("--category-model", type=Path, default=None,
                     help="shopper-photo category model for image queries (default: FASHION_CATEGORY_MODEL; "
                          "none: the nearest products vote)")
    sim.add_argument("--json", action="store_true", help="one JSON document on stdout")
    sim.set_defaults(func=_similar)


def _read_queries(path: Path) -> list[dict]:
    import pandas as pd

    if not path.exists():
        raise FileNotFoundError(f"queries file {path} does not exist")
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    cols = {c.strip().lower(): c for c in frame.columns}
    if "product_id" not in cols and "image" not in cols:
        raise ValueError(f"queries file {path} needs a product_id or image column (found {', '.join(frame.columns)})")
    out = []
    for row in frame.to_dict("records"):
        pid = str(row.get(cols.get("product_id", ""), "")).strip()
        img = str(row.get(cols.get("image", ""), "")).strip()
        out.append({"product_id": pid} if pid else {"image": str((path.parent / img) if img else "")})
    return out


def _similar(args: argparse.Namespace) -> int:
    from ..imageio import load_image
    from ..recommend import Recommender

    if args.k <= 0:
        raise ValueError(f"-k must be positive, got {args.k}")
    cfg = args.settings.with_(index_dir=args.index, category_model=args.category_model)
    rec = Recommender.open(cfg)
    if args.queries:
        queries = _read_queries(args.queries)
    else:
        queries = [{"product_id": args.id}] if args.id else [{"image": str(args.image)}]
    results = []
    for q in queries:
        if "product_id" in q:
            items = rec.similar_items(product_id=q["product_id"], category=args.category, k=args.k)
            query = q["product_id"]
        else:
            items = rec.similar_items(image=load_image(q["image"]), category=args.category, k=args.k)
            query = q["image"]
        results.append({"query": query, "items": [r.to_dict() for r in items]})
    if args.json:
        emit_json({"results": results})
    else:
        for r in results:
            print(f"similar to {r['query']}:")
            print_table(r["items"], ["product_id", "category", "score", "title"])
    return 0
