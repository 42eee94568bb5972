"""``look``: shop the look from the command line: the garments of a photo and, for each, similar items and its
outfit (``Recommender.shop_the_look`` then ``Recommender.answer``; models load once for many photos)."""

from __future__ import annotations

import argparse
from pathlib import Path

from .output import emit_json, print_table


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``look`` command."""
    p = sub.add_parser("look", help="garments in a photo, and for each its similar items and outfit")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--image", type=Path, help="one photo")
    src.add_argument("--queries", type=Path, help="CSV with an 'image' column: many photos, models loaded once")
    p.add_argument("--index", type=Path, default=None, help="index directory (default: FASHION_INDEX or the demo)")
    p.add_argument("-k", type=int, default=10, help="similar items per garment")
    p.add_argument("--k-outfit", type=int, default=5, help="alternatives per outfit slot")
    p.add_argument("--json", action="store_true", help="one JSON document on stdout")
    p.set_defaults(func=_look)


def _look(args: argparse.Namespace) -> int:
    from ..imageio import load_image
    from ..recommend import Recommender
    from .detect_cmd import query_images

    if args.k <= 0 or args.k_outfit <= 0:
        raise ValueError(f"-k and --k-outfit must be positive, got {args.k} and {args.k_outfit}")
    rec = Recommender.open(args.settings.with_(index_dir=args.index))
    paths = query_images(args.queries) if args.queries is not None else [args.image]
    results = []
    for path in paths:
        results.append(look_doc(rec, rec.shop_the_look(load_image(path)), str(path), args.k, args.k_outfit))
    if args.json:
        emit_json(results[0] if args.queries is None else {"results": results})
        return 0
    for doc in results:
        print(f"{doc['query']}: {len(doc['detections'])} garment(s)")
        for g in doc["garments"]:
            print(f"  {g['garment'] + 1}. {g['category']}")
            print_table([{"list": "similar", **r} for r in g["similar"][:3]]
                        + [{"list": "outfit", **r} for r in (g["outfit"] or {}).get("outfit", [])],
                        ["list", "product_id", "category", "score", "title"])
    return 0


def look_doc(rec, look, label: str, k: int, k_outfit: int) -> dict:
    """One result of ``look --json`` (also the service's): the look's detections and, per garment, its similar
    items and outfit."""
    doc = look.to_dict()
    doc["query"] = label
    doc["garments"] = [rec.answer(look, i, k_similar=k, k_outfit=k_outfit).to_dict()
                       for i in range(len(look.detections))]
    return doc
