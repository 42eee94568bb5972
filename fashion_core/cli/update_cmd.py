"""``index update``: rebuild an index for a new version of its catalog, re-encoding only new or changed products
(:mod:`fashion_core.update`)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .output import emit_json


def add_engine_flags(p: argparse.ArgumentParser) -> None:
    """``--engine`` and ``--address``, the same on ``index build`` and ``index update``."""
    p.add_argument("--engine", default="local", choices=("local", "ray"),
                   help="where images are encoded: this process (local, default) or a Ray cluster (pip install .[ray])")
    p.add_argument("--address", default=None,
                   help="Ray cluster address for --engine ray (e.g. ray://head:10001 or auto; default: RAY_ADDRESS, "
                        "else a local Ray instance)")


def apply_engine_flags(args: argparse.Namespace) -> str:
    """The engine to build with; ``--address`` becomes Ray's own ``RAY_ADDRESS`` for the engine to connect to."""
    if args.address:
        if args.engine != "ray":
            raise ValueError("--address goes with --engine ray")
        os.environ["RAY_ADDRESS"] = args.address
    return args.engine


def register_update(isub: argparse._SubParsersAction) -> None:
    """Add ``index update`` under ``index``."""
    up = isub.add_parser("update", help="rebuild an index for its changed catalog, encoding only what changed")
    up.add_argument("--catalog", required=True, type=Path, help="the new version of the catalog")
    up.add_argument("--index", required=True, type=Path, help="the index directory to update (swapped atomically)")
    up.add_argument("--compat-model", default=None,
                    help="compatibility model folder (default: the one inside the index; 'none' for none)")
    up.add_argument("--attributes", default=None,
                    help="comma-separated attribute columns (default: those the index was built with; 'none')")
    add_engine_flags(up)
    up.add_argument("--no-progress", action="store_true", help="no progress bar")
    up.add_argument("--json", action="store_true", help="one JSON document with the counts of the update")
    up.set_defaults(func=_update)


def _update(args: argparse.Namespace) -> int:
    from ..update import update_index

    compat = "keep" if args.compat_model is None else \
        None if args.compat_model.strip().lower() in ("none", "off", "") else Path(args.compat_model)
    attributes = None if args.attributes is None else \
        [] if args.attributes.strip().lower() == "none" else [c.strip() for c in args.attributes.split(",") if c.strip()]
    report = update_index(args.catalog, args.index, engine=apply_engine_flags(args), compat_model=compat,
                          attributes=attributes, progress=not (args.no_progress or args.json))
    if args.json:
        emit_json(report.to_dict())
    else:
        r = report
        print(f"index {r.index} updated to version {r.version}: {r.products} products ({r.added} added, {r.changed} "
              f"changed, {r.removed} removed, {r.unchanged} unchanged); {r.encoded} images encoded; {r.seconds} s",
              file=sys.stdout)
    return 0
