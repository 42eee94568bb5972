"""``similar``: similar products for product ids or images (one query, or many from a CSV, models loaded once),
for the query's wearer and the shopper's filters."""

from __future__ import annotations

import argparse
from pathlib import Path

from .output import emit_json, print_table
from .queries import add_filter_flags, filters_from, read_queries


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``similar`` to the parser."""
    sim = sub.add_parser("similar", help="similar products for ids or images")
    sim.add_argument("--index", type=Path, default=None, help="index directory (default: FASHION_INDEX)")
    q = sim.add_mutually_exclusive_group(required=True)
    q.add_argument("--id", help="a catalog product id")
    q.add_argument("--image", type=Path, help="a query image")
    q.add_argument("--queries", type=Path,
                   help="CSV with a product_id or image column (many queries); optional category and attribute "
                        "columns (gender, usage...) say what is known of an image")
    sim.add_argument("--category", default=None, help="restrict to this category (default: the query's)")
    sim.add_argument("-k", type=int, default=10, help="results per query")
    sim.add_argument("--category-model", type=Path, default=None,
                     help="shopper-photo category model for image queries (default: FASHION_CATEGORY_MODEL, else "
                          "the shipped models/category; none: the nearest products vote)")
    add_filter_flags(sim)
    sim.add_argument("--json", action="store_true", help="one JSON document on stdout")
    sim.set_defaults(func=_similar)


def _similar(args: argparse.Namespace) -> int:
    from ..imageio import load_image
    from ..recommend import Recommender

    if args.k <= 0:
        raise ValueError(f"-k must be positive, got {args.k}")
    filters = filters_from(args)
    if args.queries:
        queries = read_queries(args.queries)
    else:
        queries = [{"product_id": args.id}] if args.id else [{"image": str(args.image), "attributes": {}}]
    cfg = args.settings.with_(index_dir=args.index, category_model=args.category_model)
    rec = Recommender.open(cfg)
    results = []
    for q in queries:
        category = args.category or q.get("category")
        if "product_id" in q:
            query = rec.product_query(q["product_id"], category)
        else:
            query = rec.image_query(load_image(q["image"]), category, q.get("attributes"))
        results.append(similar_doc(rec, query, args.k, filters, q.get("product_id") or q["image"]))
    if args.json:
        emit_json({"results": results, **({"filters": filters.to_dict()} if not filters.empty else {})})
    else:
        for r in results:
            print(f"similar to {r['query']} ({r['category']}):")
            print_table([{**x, "why": " · ".join(x.get("reasons", []))} for x in r["items"]],
                        ["product_id", "category", "score", "why", "title"])
    return 0


def similar_doc(rec, query, k: int, filters, label: str) -> dict:
    """One result of ``similar --json`` (also the service's): ``{"query", "category", "items", "wearer"?}``."""
    wearer = rec.wearer_for(query, filters)
    doc = {"query": label, "category": query.category,
           "items": [r.to_dict() for r in rec.similar_for(query, k, filters)]}
    if wearer.known:
        doc["wearer"] = wearer.to_dict()
    return doc
