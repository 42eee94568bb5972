"""``index build | verify`` (and ``index update``, from :mod:`.update_cmd`): ingest a catalog into an index directory, and check one."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .output import emit_json
from .update_cmd import add_engine_flags, apply_engine_flags, register_update


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``index build`` and ``index verify`` to the parser."""
    index = sub.add_parser("index", help="build and inspect similarity indexes")
    isub = index.add_subparsers(dest="index_command", metavar="SUBCOMMAND")
    build = isub.add_parser("build", help="ingest a catalog into an index directory")
    build.add_argument("--catalog", required=True, type=Path, help="CSV / JSONL / Parquet catalog or image folder")
    build.add_argument("--out", required=True, type=Path, help="index directory to write (swapped in atomically)")
    build.add_argument("--encoder", default=None, help="image encoder name (default: FASHION_ENCODER or efficientnet-lite0)")
    build.add_argument("--compat-model", default=None,
                       help="compatibility model folder for complete the look (default: the shipped models/compat, or "
                            "FASHION_COMPAT_MODEL); 'none' builds without one (visual likeness only)")
    build.add_argument("--wearer-model", default=None,
                       help="wearer model weighed against the catalog's own gender labels (default: the shipped "
                            "models/wearer, or FASHION_WEARER_MODEL); 'none': the catalog's labels only")
    build.add_argument("--force", action="store_true",
                       help="build into a non-empty folder that is not an index (nothing in it is deleted)")
    build.add_argument("--crop", action="store_true", help="encode the garment crop when a photo shows a person")
    build.add_argument("--attributes", default=None,
                       help="comma-separated catalog columns to fit attribute heads on (type, colour); 'none' for "
                            "none; default: the catalog's type and colour columns when present")
    build.add_argument("--no-progress", action="store_true", help="no progress bar")
    build.add_argument("--quiet", action="store_true", help="no progress bar, warnings only")
    build.add_argument("--json", action="store_true", help="print the manifest as JSON")
    add_engine_flags(build)
    build.set_defaults(func=_build)
    verify = isub.add_parser("verify", help="check every file of an index against its manifest (full hashes)")
    verify.add_argument("index_dir", type=Path, help="index directory")
    verify.add_argument("--json", action="store_true", help='one JSON document {"ok", "problems", ...}')
    verify.set_defaults(func=_verify)
    register_update(isub)
    index.set_defaults(func=lambda a: index.print_help() or 2)


def _build(args: argparse.Namespace) -> int:
    import logging

    from ..index import load_index
    from ..ingest import build_index

    cfg = args.settings.with_(encoder=args.encoder, wearer_model=args.wearer_model)
    compat = cfg.compat_model if args.compat_model is None else \
        None if args.compat_model.strip().lower() in ("none", "off", "") else Path(args.compat_model)
    if compat is None:
        print("no compatibility model: complete the look will answer with visual look-alikes "
              "(pass --compat-model DIR, or ship models/compat)", file=sys.stderr)
    if args.quiet:
        logging.getLogger().setLevel(logging.WARNING)
    crop_fn = None
    if args.crop:
        from ..detection.crops import product_crop as crop_fn
    attributes = None if args.attributes is None else \
        [] if args.attributes.strip().lower() == "none" else [c.strip() for c in args.attributes.split(",") if c.strip()]
    out = build_index(args.catalog, args.out, encoder=cfg.encoder, compat_model=compat,
                      progress=not (args.no_progress or args.quiet), crop_fn=crop_fn, attributes=attributes,
                      force=args.force, engine=apply_engine_flags(args), wearer_model=cfg.wearer_model)
    manifest = load_index(out).manifest
    if args.json:
        emit_json(manifest.to_dict())
    else:
        c = manifest.counts
        heads = ", ".join(h["name"] for h in manifest.similarity.get("attribute_heads", [])) or "none"
        print(f"index {out}: {c['products']} products in {len(manifest.categories)} categories, "
              f"encoder {manifest.encoder.name} ({manifest.encoder.weights_id}), {c['rejected_rows']} rows rejected, "
              f"attribute heads {heads}, compatibility model "
              f"{manifest.compat.model_id if manifest.compat else 'none'}, gender head "
              f"{_gender_head(manifest.wearer)}, ANN recall@10 "
              f"{manifest.ann.recall_at_10_sample:.3f}, {manifest.build['build_seconds']} s")
    return 0


def _gender_head(section: dict | None) -> str:
    """Which gender head the index's wearer model uses, with the scores that chose it."""
    if not section:
        return "none (the catalog labels no gender)"
    choice = section.get("gender_choice")
    if not choice:
        return "catalog"
    return (f"{'shipped' if choice['chosen'] == 'shipped' else 'catalog'} (wearer accuracy on "
            f"{choice['products']} labelled products: catalog {choice['catalog_head']:.3f}, shipped "
            f"{choice['shipped_head']:.3f})")


def _verify(args: argparse.Namespace) -> int:
    from ..index import describe_index, load_index, verify_index

    problems = verify_index(args.index_dir)
    doc = {"index": str(args.index_dir), "ok": not problems, "problems": problems}
    if not problems:
        doc.update(describe_index(load_index(args.index_dir)))
    if args.json:
        emit_json(doc)
    elif problems:
        for line in problems:
            print(line, file=sys.stderr)
    else:
        print(f"index {args.index_dir}: sound ({doc['products']} products, {len(doc['files'])} files, "
              f"{doc['size_bytes'] / 2**20:.1f} MiB, version {doc['version']})")
    return 0 if not problems else 2
