"""``category train``: fit the shopper-photo category model (``fashion_core.category_model``)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .output import emit_json


def register(sub: argparse._SubParsersAction) -> None:
    """Add this area's commands to the parser."""
    cat = sub.add_parser("category", help="the category model for shoppers' photos (street-to-shop)")
    csub = cat.add_subparsers(dest="category_command", metavar="ACTION")
    cat.set_defaults(func=lambda a: (cat.print_help(sys.stderr), 2)[1])
    train = csub.add_parser("train", help="fit on labelled photos: COCO JSON boxes and/or CSV (image, label)")
    train.add_argument("--data", required=True, type=Path, action="append",
                       help="labelled images (repeatable): a COCO annotations .json or a .csv with image and label")
    train.add_argument("--out", required=True, type=Path, help="model directory to write")
    train.add_argument("--encoder", default=None, help="image encoder (default: FASHION_ENCODER or efficientnet-lite0); "
                                                       "must match the index it will serve")
    train.add_argument("--validate", action="store_true",
                       help="also print 5-fold photo-disjoint accuracy per data source before fitting on everything")
    train.add_argument("--no-progress", action="store_true")
    train.add_argument("--json", action="store_true", help="print the summary as JSON")
    train.set_defaults(func=_train)


def _train(args: argparse.Namespace) -> int:
    from ..category_model import cross_validated_predictions, encode_labelled, fit_category_model
    from ..config import settings
    from ..encoders import create_encoder

    for path in args.data:
        if not path.exists():
            raise FileNotFoundError(f"labelled data {path} does not exist")
    encoder = create_encoder(args.encoder or settings().encoder)
    views, labels, groups = encode_labelled(encoder, args.data, progress=not args.no_progress)
    summary: dict = {"n_images": len(labels), "sources": [str(p) for p in args.data]}
    if args.validate:
        pred = cross_validated_predictions(encoder, views, labels, groups)
        summary["cross_validated_accuracy"] = {}
        for source in sorted({g.split(":", 1)[0] for g in groups}):
            rows = [i for i, g in enumerate(groups) if g.split(":", 1)[0] == source]
            summary["cross_validated_accuracy"][source] = round(sum(pred[i] == labels[i] for i in rows) / len(rows), 4)
    model = fit_category_model(encoder, views, labels, {"sources": summary["sources"]})
    out = model.save(args.out)
    summary.update({"out": str(out), "classes": model.classes})
    if args.json:
        emit_json(summary)
    else:
        print(f"category model {out}: {len(labels)} images, classes {', '.join(model.classes)}")
        for source, acc in summary.get("cross_validated_accuracy", {}).items():
            print(f"  5-fold photo-disjoint accuracy on {source}: {acc:.3f}")
    return 0
