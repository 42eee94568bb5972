"""``fashion-core demo build`` and ``fashion-core demo sheet``: the generated demo world."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``demo`` command group."""
    p = sub.add_parser("demo", help="build or look at the generated demo world")
    dsub = p.add_subparsers(dest="demo_command", metavar="ACTION", required=True)
    build = dsub.add_parser("build", help="generate the demo catalog, outfits and look photos (deterministic)")
    build.add_argument("--out", type=Path, default=None, help="output folder (default data/demo)")
    build.add_argument("--seed", type=int, default=0, help="random seed; same seed, byte-identical files")
    build.add_argument("--products", type=int, default=1200, help="number of products (at least 120)")
    build.add_argument("--outfits", type=int, default=3000, help="number of outfits over all splits")
    build.add_argument("--looks", type=int, default=200, help="number of look photos")
    build.add_argument("--workers", type=int, default=None, help="worker processes for images (default 1; output is identical)")
    build.add_argument("--quiet", action="store_true", help="no progress bar")
    build.set_defaults(func=run_build)
    sheet = dsub.add_parser("sheet", help="write a contact sheet PNG of a built demo")
    sheet.add_argument("--demo", type=Path, default=None, help="demo folder (default data/demo)")
    sheet.add_argument("--out", type=Path, default=None, help="PNG to write (default: <demo>/sheet.png)")
    sheet.set_defaults(func=run_sheet)


def run_build(args: argparse.Namespace) -> int:
    """Build the demo world and print a summary (stdout)."""
    from fashion_core.demo import build_demo

    start = time.perf_counter()
    out = build_demo(args.out or args.settings.demo_dir, seed=args.seed, n_products=args.products, n_outfits=args.outfits,
                     n_looks=args.looks, progress=not args.quiet, workers=args.workers)
    took = time.perf_counter() - start
    summary = json.loads((out / "demo.json").read_text())
    print(f"demo world written to {out} in {took:.1f} s (seed {summary['seed']})")
    print(f"  catalog:  {out / 'catalog.csv'}  ({summary['products']} products, "
          f"{len(summary['categories'])} categories)")
    splits = ", ".join(f"{s} {summary[f'outfits_{s}']}" for s in ("train", "valid", "test"))
    fitb = sum(summary[f"fitb_{s}"] for s in ("train", "valid", "test"))
    print(f"  outfits:  {out / 'disjoint'}  ({splits}; {fitb} fill-in-the-blank questions)")
    print(f"  looks:    {out / 'looks' / 'annotations.json'}  ({summary['looks']} photos, {summary['boxes']} boxes)")
    print("  next:     fashion-core index build --catalog " f"{out / 'catalog.csv'} --out {out / 'index'}")
    return 0


def run_sheet(args: argparse.Namespace) -> int:
    """Write the contact sheet and print its path."""
    from fashion_core.demo.sheet import write_sheet

    demo = args.demo or args.settings.demo_dir
    out = args.out or demo / "sheet.png"
    path = write_sheet(demo, out)
    print(path)
    print(f"contact sheet of {demo} written", file=sys.stderr)
    return 0
