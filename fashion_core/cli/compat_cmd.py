"""``compat train``, ``compat eval`` and ``complete``: the complete-the-look commands."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from .output import emit_json, print_table

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
    train.add_argument("--encoder", default="efficientnet-lite0", help="image encoder for image features")
    train.add_argument("--mode", choices=("image+text", "image", "text"), help="default: every modality present")
    train.add_argument("--epochs", type=int, default=None)
    train.add_argument("--margin", type=float, default=None)
    train.add_argument("--weight-decay", type=float, default=None)
    train.add_argument("--dim", type=int, default=None, help="embedding dimension (128)")
    train.add_argument("--semi-hard", action="store_true", help="semi-hard negatives instead of random ones")
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
    comp.add_argument("--index", required=True, type=Path, help="index directory from `index build`")
    query = comp.add_mutually_exclusive_group(required=True)
    query.add_argument("--id", help="product id of the catalog")
    query.add_argument("--image", type=Path, help="photo of one garment (needs --category)")
    comp.add_argument("--category", help="garment category of --image (one of the 12 taxonomy categories); "
                      "detected when left out and the recommender is available")
    comp.add_argument("-k", type=int, default=5, help="items per slot")
    comp.add_argument("--json", action="store_true", help='one JSON document {"outfit": [...], "by_slot": {...}}')
    comp.set_defaults(func=_complete)


def _train(args: argparse.Namespace) -> int:
    from ..compat.train import TrainConfig, train_on

    overrides = {"epochs": args.epochs, "margin": args.margin, "weight_decay": args.weight_decay, "dim": args.dim,
                 "mode": args.mode}
    cfg = TrainConfig(seed=args.seed, semi_hard=args.semi_hard, **{k: v for k, v in overrides.items() if v is not None})
    result, data, _ = train_on(args.outfits, args.out, cfg, args.encoder, args.layout, progress=not args.json)
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
    outfit = _complete_query(args)
    if args.json:
        emit_json(outfit.to_dict())
    else:
        print(f"complete the look for a {outfit.query_category}:")
        rows = [{"slot": r.slot, "product_id": r.product.product_id, "score": f"{r.score:.3f}",
                 "title": r.product.title} for r in outfit.outfit]
        print_table(rows, ["slot", "product_id", "score", "title"])
    return 0


def _complete_query(args: argparse.Namespace):
    from ..imageio import load_image
    from ..recommend import Recommender

    rec = Recommender.open(args.settings.with_(index_dir=args.index))
    if args.id:
        return rec.complete_the_look(product_id=args.id, k=args.k)
    return rec.complete_the_look(image=load_image(args.image), category=args.category, k=args.k)
