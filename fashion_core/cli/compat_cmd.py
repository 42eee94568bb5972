"""``compat train``, ``compat eval`` and ``complete``: the complete-the-look commands."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from .output import emit_json, print_table
from .queries import add_filter_flags, filters_from, read_queries

log = logging.getLogger(__name__)


def register(sub: argparse._SubParsersAction) -> None:
    """Add this area's commands to the parser."""
    compat = sub.add_parser("compat", help="train and evaluate the outfit compatibility model")
    csub = compat.add_subparsers(dest="compat_command", metavar="ACTION")
    compat.set_defaults(func=lambda a: (compat.print_help(sys.stderr), 2)[1])

    train = csub.add_parser("train", help="train on an outfit dataset (layout detected from the files)")
    train.add_argument("--outfits", required=True, type=Path,
                       help="Polyvore Outfits folder (or the demo), Maryland Polyvore JSON, or COCO annotations.json")
    train.add_argument("--out", required=True, type=Path, help="model directory to write")
    train.add_argument("--layout", choices=("polyvore-outfits", "maryland", "worn-together"))
    train.add_argument("--encoder", default=None, help="image encoder for image features (default: FASHION_ENCODER, "
                       "the shipped encoder or efficientnet-lite0)")
    train.add_argument("--mode", choices=("image+text", "image", "text"), help="default: every modality present")
    train.add_argument("--epochs", type=int, default=None)
    train.add_argument("--margin", type=float, default=None)
    train.add_argument("--weight-decay", type=float, default=None)
    train.add_argument("--dim", type=int, default=None, help="embedding dimension (128)")
    train.add_argument("--loss", choices=("nce", "margin"), default=None,
                       help="softmax over same-slot negatives (nce, default) or a margin ranking loss")
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--json", action="store_true", help="print the training summary as JSON")
    train.set_defaults(func=_train)

    ev = csub.add_parser("eval", help="FITB accuracy and compatibility AUC (Polyvore protocol)")
    ev.add_argument("--model", required=True, type=Path, help="model directory from `compat train`")
    ev.add_argument("--outfits", required=True, type=Path)
    ev.add_argument("--layout", choices=("polyvore-outfits", "maryland", "worn-together"))
    ev.add_argument("--split", default="test", choices=("train", "valid", "test"))
    ev.add_argument("--baselines", action="store_true", help="also report random and untrained features")
    ev.add_argument("--json", action="store_true", help='one JSON document {"fitb", "auc", "n_questions"}')
    ev.set_defaults(func=_eval)

    comp = sub.add_parser("complete", help="complete the look around a product or a garment photo")
    comp.add_argument("--index", type=Path, default=None, help="index directory (default: FASHION_INDEX or the demo)")
    query = comp.add_mutually_exclusive_group(required=True)
    query.add_argument("--id", help="product id of the catalog")
    query.add_argument("--image", type=Path, help="photo of one garment (give --category, else it is inferred)")
    query.add_argument("--queries", type=Path,
                       help="CSV with a product_id column, or image + category columns; optional columns (gender, "
                            "usage, season, colour...) say what is known of an image query, the rest is inferred")
    comp.add_argument("--category", help="garment category of --image (one of the 12 taxonomy categories); "
                      "inferred when left out")
    comp.add_argument("-k", type=int, default=5, help="items per slot")
    add_filter_flags(comp)
    comp.add_argument("--json", action="store_true",
                      help='one JSON document: {"outfit": [...], "by_slot": {...}}, or {"results": [...]} with '
                           "--queries")
    comp.set_defaults(func=_complete)


def _train(args: argparse.Namespace) -> int:
    from ..compat.train import TrainConfig, train_on

    overrides = {"epochs": args.epochs, "margin": args.margin, "weight_decay": args.weight_decay, "dim": args.dim,
                 "mode": args.mode, "loss": args.loss}
    cfg = TrainConfig(seed=args.seed, **{k: v for k, v in overrides.items() if v is not None})
    result, data, _ = train_on(args.outfits, args.out, cfg, args.encoder or args.settings.encoder, args.layout,
                               progress=not args.json)
    summary = {"model": str(args.out), "model_id": result.model.id, "mode": result.model.cfg.mode,
               "layout": data.layout, "n_train_outfits": len(data.outfits("train")), "best_epoch": result.best_epoch,
               "valid_fitb": round(result.best_valid_fitb, 4), "seconds": round(result.seconds, 1)}
    if args.json:
        emit_json(summary)
    else:
        print(f"trained {summary['mode']} model {summary['model_id']} on {summary['n_train_outfits']} "
              f"{data.layout} outfits in {summary['seconds']} s (best epoch {summary['best_epoch']}, "
              f"valid FITB {summary['valid_fitb']}) -> {args.out}")
    return 0


def _eval(args: argparse.Namespace) -> int:
    from ..compat.data import load_outfits
    from ..compat.model import load_model
    from ..compat.run import evaluate_model

    model = load_model(args.model)
    data = load_outfits(args.outfits, args.layout)
    results = evaluate_model(model, data, args.split, progress=not args.json)
    doc = results["trained"].to_dict()
    if args.baselines:
        doc["baselines"] = {k: v.to_dict() for k, v in results.items() if k != "trained"}
    if args.json:
        emit_json(doc)
    else:
        shown = results if args.baselines else {"trained": results["trained"]}
        print_table([{"scorer": k, **v.to_dict()} for k, v in shown.items()],
                    ["scorer", "fitb", "auc", "n_questions"])
    return 0


def _complete(args: argparse.Namespace) -> int:
    from ..imageio import load_image
    from ..recommend import Recommender

    if args.k < 1:
        raise ValueError(f"-k must be at least 1, got {args.k}")
    filters = filters_from(args)
    queries = read_queries(args.queries) if args.queries else \
        [{"product_id": args.id, "category": args.category}] if args.id else \
        [{"image": str(args.image), "category": args.category, "attributes": {}}]
    rec = Recommender.open(args.settings.with_(index_dir=args.index))
    results = []
    for q in queries:
        if "product_id" in q:
            query = rec.product_query(q["product_id"], q.get("category"))
        else:
            query = rec.image_query(load_image(q["image"]), q.get("category"), q.get("attributes"))
        outfit = rec.complete_for(query, args.k, filters)
        results.append({"query": q.get("product_id") or q["image"], **outfit.to_dict()})
    if args.json:
        if args.queries:
            emit_json({"results": results, **({"filters": filters.to_dict()} if not filters.empty else {})})
        else:
            doc = dict(results[0])
            doc.pop("query")
            emit_json(doc)
        return 0
    if not rec.has_compat_model:
        print("note: this index has no compatibility model; complete the look shows visual look-alikes "
              "(rebuild the index with the shipped models/compat)", file=sys.stderr)
    for r in results:
        wearer = (r.get("wearer") or {}).get("gender")
        print(f"complete the look for {r['query']} ({r['query_category']}"
              + (f", for {wearer.lower()}" if wearer else "") + "):")
        rows = [{"slot": x.get("slot"), "product_id": x["product_id"], "score": f"{x['score']:.3f}",
                 "why": " · ".join(x.get("reasons", [])), "title": x["title"]} for x in r["outfit"]]
        print_table(rows, ["slot", "product_id", "score", "why", "title"])
        for note in r.get("notes", []):
            print(f"  note: {note}")
    return 0
