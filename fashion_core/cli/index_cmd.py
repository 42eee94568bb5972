"""``index build`` and ``similar``: ingest a catalog into an index; query it by product id or image."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from .output import emit_json, print_table


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``index build`` and ``similar`` to the parser."""
    index = sub.add_parser("index", help="build and inspect similarity indexes")
    isub = index.add_subparsers(dest="index_command", metavar="SUBCOMMAND")
    build = isub.add_parser("build", help="ingest a catalog into an index directory")
    build.add_argument("--catalog", required=True, type=Path, help="CSV / JSONL / Parquet catalog or image folder")
    build.add_argument("--out", required=True, type=Path, help="index directory to write (swapped in atomically)")
    build.add_argument("--encoder", default=None, help="image encoder name (default: FASHION_ENCODER or efficientnet-lite0)")
    build.add_argument("--compat-model", type=Path, default=None, help="compatibility model directory")
    build.add_argument("--crop", action="store_true", help="encode the garment crop when a photo shows a person")
    build.add_argument("--attributes", default=None,
                       help="comma-separated catalog columns to fit attribute heads on (type, colour); 'none' for "
                            "none; default: the catalog's type and colour columns when present")
    build.add_argument("--no-progress", action="store_true", help="no progress bar")
    build.add_argument("--quiet", action="store_true", help="no progress bar, warnings only")
    build.add_argument("--json", action="store_true", help="print the manifest as JSON")
    build.set_defaults(func=_build)
    index.set_defaults(func=lambda a: index.print_help() or 2)

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


def _build(args: argparse.Namespace) -> int:
    import logging

    from ..config import settings
    from ..ingest import build_index

    if args.quiet:
        logging.getLogger().setLevel(logging.WARNING)
    crop_fn = None
    if args.crop:
        from ..detection.crops import product_crop as crop_fn
    attributes = None if args.attributes is None else \
        [] if args.attributes.strip().lower() == "none" else [c.strip() for c in args.attributes.split(",") if c.strip()]
    out = build_index(args.catalog, args.out, encoder=args.encoder or settings().encoder,
                      compat_model=args.compat_model, progress=not (args.no_progress or args.quiet), crop_fn=crop_fn,
                      attributes=attributes)
    manifest = json.loads((out / "manifest.json").read_text())
    if args.json:
        emit_json(manifest)
    else:
        c = manifest["counts"]
        print(f"index {out}: {c['products']} products in {len(manifest['categories'])} categories, "
              f"encoder {manifest['encoder']['name']} ({manifest['encoder']['weights_id']}), "
              f"{c['rejected_rows']} rows rejected, attribute heads "
              f"{', '.join(h['name'] for h in manifest['similarity'].get('attribute_heads', [])) or 'none'}, ANN recall@10 {manifest['ann']['recall_at_10_sample']:.3f}, "
              f"{manifest['build_seconds']} s")
    return 0


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
    from ..config import settings

    rec = Recommender(args.index or settings().index_dir, encoder=None if args.index else settings().encoder,
                      category_model=args.category_model or settings().category_model)
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
