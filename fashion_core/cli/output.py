"""Output helpers shared by commands: one JSON document on stdout, or a plain table."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence


def emit_json(doc: object) -> None:
    """Write one JSON document to stdout (the ``--json`` contract)."""
    json.dump(doc, sys.stdout, indent=2, default=str)
    sys.stdout.write("\n")


def print_table(rows: Sequence[dict], columns: Sequence[str]) -> None:
    """Print ``rows`` as an aligned text table with the given columns."""
    widths = [max([len(c)] + [len(str(r.get(c, ""))) for r in rows]) for c in columns]
    print("  ".join(c.ljust(w) for c, w in zip(columns, widths)))
    for r in rows:
        print("  ".join(str(r.get(c, "")).ljust(w) for c, w in zip(columns, widths)))
