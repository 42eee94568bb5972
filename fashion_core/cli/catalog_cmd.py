"""``fashion-core catalog check PATH``: validate a catalog (decoding every image) and print the report."""

from __future__ import annotations

import argparse
import sys

from fashion_core.catalog import load_catalog
from fashion_core.cli.output import emit_json


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``catalog`` command group."""
    p = sub.add_parser("catalog", help="catalog tools")
    csub = p.add_subparsers(dest="catalog_command", metavar="ACTION", required=True)
    check = csub.add_parser("check", help="validate a catalog file or folder and print every rejected row")
    check.add_argument("path", help="CSV, JSONL or Parquet catalog, or a folder of images")
    check.add_argument("--quick", action="store_true",
                       help="do not decode the images (only check that each exists and starts like an image)")
    check.add_argument("--encoding", default=None,
                       help="text encoding of a CSV / JSONL file (default: UTF-8, else read as Windows-1252 with a note)")
    check.add_argument("--json", action="store_true", help="print the report as JSON")
    check.set_defaults(func=run_check)


def run_check(args: argparse.Namespace) -> int:
    """Validate the catalog; exit 0 when every row is valid, 1 when some were rejected (2: unreadable file)."""
    catalog = load_catalog(args.path, decode_images=not args.quick, encoding=args.encoding)
    report = catalog.report
    for note in report.notes:
        print(f"note: {note}", file=sys.stderr)
    if args.json:
        emit_json(report.to_dict())
    else:
        for line in report.lines():
            print(line)
        print(report.summary())
    return 1 if report.rejections else 0
