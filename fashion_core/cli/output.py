"""Output helpers shared by commands: one JSON document on stdout, or a plain table."""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Sequence


def emit_json(doc: object) -> None:
    """Write one JSON document to stdout (the ``--json`` contract): strict JSON, a NaN or infinity becomes null."""
    json.dump(_finite(doc), sys.stdout, indent=2, default=str, allow_nan=False)
    sys.stdout.write("\n")


def _finite(value: object) -> object:
    """``value`` with every non-finite float (NumPy's too) replaced by None, so the output is valid JSON."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    if hasattr(value, "dtype") and hasattr(value, "tolist"):  # a NumPy scalar or array
        return _finite(value.tolist())
    return value


def print_table(rows: Sequence[dict], columns: Sequence[str]) -> None:
    """Print ``rows`` as an aligned text table with the given columns."""
    widths = [max([len(c)] + [len(str(r.get(c, ""))) for r in rows]) for c in columns]
    print("  ".join(c.ljust(w) for c, w in zip(columns, widths)))
    for r in rows:
        print("  ".join(str(r.get(c, "")).ljust(w) for c, w in zip(columns, widths)))
