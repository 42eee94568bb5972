"""``fashion-core catalog check PATH``: validate a catalog and print the report."""

from __future__ import annotations

import argparse

from fashion_core.catalog import load_catalog
from fashion_core.cli.output import emit_json


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``catalog`` command group."""
    p = sub.add_parser("catalog", help="catalog tools")
    csub = p.add_subparsers(dest="catalog_command", metavar="ACTION", required=True)
    check = csub.add_parser("check", help="validate a catalog file or folder and print every rejected row")
    check.add_argument("path", help="CSV, JSONL or Parquet catalog, or a folder of images")
    check.add_argument("--json", action="store_true", help="print the report as JSON")
    check.set_defaults(func=run_check)


def run_check(args: argparse.Namespace) -> int:
    """Validate the catalog; exit 0 when every row is valid, 1 when some were rejected."""
    catalog = load_catalog(args.path)
    report = catalog.report
    if args.json:
        emit_json(report.to_dict())
    else:
        for line in report.lines():
            print(line)
        print(report.summary())
    return 1 if report.rejections else 0
