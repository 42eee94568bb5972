"""``fashion-core setup``: the embedded demo (world and index), or the index of a catalog, built once and rebuilt
when stale (another encoder or compatibility model than the settings name). Nothing is trained: the models are
shipped under ``models/``."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``setup`` command."""
    p = sub.add_parser("setup", help="build the demo world and its index (or --catalog's index) when missing or stale")
    p.add_argument("--demo-dir", type=Path, default=None, help="where the demo lives (default data/demo)")
    p.add_argument("--catalog", type=Path, default=None, help="index this catalog instead of the demo")
    p.add_argument("--index", type=Path, default=None, help="where --catalog's index goes (default data/indexes/NAME)")
    p.add_argument("--force", action="store_true", help="rebuild every step even when current")
    p.add_argument("--no-progress", action="store_true", help="no progress bars")
    p.set_defaults(func=run_setup)


def run_setup(args: argparse.Namespace) -> int:
    """Run :func:`fashion_core.bootstrap.ensure_demo` (or ``ensure_index``) and print where the index is."""
    from fashion_core.bootstrap import ensure_demo, ensure_index

    cfg = args.settings
    if args.catalog is not None:
        if not args.catalog.exists():
            raise FileNotFoundError(f"catalog {args.catalog} does not exist")
        index = args.index or cfg.data_dir / "indexes" / args.catalog.resolve().parent.name
        ensure_index(args.catalog, index, cfg, progress=not args.no_progress, force=args.force)
        print(f"index ready: {index}")
        return 0
    index = ensure_demo(args.demo_dir or cfg.demo_dir, settings=cfg, progress=not args.no_progress, force=args.force)
    print(f"demo ready: index at {index}")
    return 0
