"""``fashion-core setup``: build the embedded demo (world, compatibility model, index) once."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``setup`` command."""
    p = sub.add_parser("setup", help="build the embedded demo world, its compatibility model and index (once)")
    p.add_argument("--demo-dir", type=Path, default=None, help="where the demo lives (default data/demo)")
    p.add_argument("--force", action="store_true", help="rebuild every step even when present")
    p.set_defaults(func=run_setup)


def run_setup(args: argparse.Namespace) -> int:
    """Run :func:`fashion_core.bootstrap.ensure_demo` and print where the index is."""
    from fashion_core.bootstrap import ensure_demo

    index = ensure_demo(args.demo_dir or args.settings.demo_dir, force=args.force)
    print(f"demo ready: index at {index}")
    return 0
