"""What ``similar`` and ``complete`` share: the shopper filter flags and the ``--queries`` CSV."""

from __future__ import annotations

import argparse
from pathlib import Path

from .. import taxonomy
from ..results import Filters

KNOWN = ("product_id", "image", "category")


def add_filter_flags(p: argparse.ArgumentParser) -> None:
    """The shopper's filters, the same on ``similar`` and ``complete``."""
    g = p.add_argument_group("filters (the same for similar and complete)")
    g.add_argument("--gender", help="who it is for: Men, Women, Boys, Girls or Unisex (default: known or inferred)")
    g.add_argument("--refine", default="", help='free text that steers the answers, e.g. "black leather"')
    g.add_argument("--slots", help="outfit slots to fill, comma-separated (" + ", ".join(taxonomy.SLOTS) + ")")
    g.add_argument("--price-min", type=float, help="lowest price (when the catalog has a price column)")
    g.add_argument("--price-max", type=float, help="highest price (when the catalog has a price column)")
    g.add_argument("--colour", "--color", dest="colour", action="append", default=[],
                   help="colours to keep (repeatable or comma-separated), e.g. black,navy")


def filters_from(args: argparse.Namespace) -> Filters:
    """``Filters`` from the flags; a bad value is a one-line error."""
    from ..outfits import rules

    gender = None
    if args.gender:
        gender = rules.gender_of_value(args.gender)
        if gender is None:
            raise ValueError(f"--gender {args.gender!r} is not one of {', '.join(rules.GENDERS)}")
    slots = None
    if getattr(args, "slots", None):
        slots = tuple(s.strip() for s in args.slots.split(",") if s.strip())
        bad = [s for s in slots if s not in taxonomy.SLOTS]
        if bad:
            raise ValueError(f"--slots: unknown slot(s) {', '.join(bad)}; expected some of {', '.join(taxonomy.SLOTS)}")
    for name in ("price_min", "price_max"):
        v = getattr(args, name)
        if v is not None and v < 0:
            raise ValueError(f"--{name.replace('_', '-')} must not be negative, got {v}")
    if args.price_min is not None and args.price_max is not None and args.price_min > args.price_max:
        raise ValueError(f"--price-min {args.price_min} is above --price-max {args.price_max}")
    colours = tuple(c.strip().lower() for v in args.colour for c in v.split(",") if c.strip())
    return Filters(gender=gender, price_min=args.price_min, price_max=args.price_max, colours=colours,
                   slots=slots, refine=(args.refine or "").strip())


def read_queries(path: Path) -> list[dict]:
    """Rows of a queries CSV: ``{"product_id"}`` or ``{"image", "category"?, "attributes"}`` (paths relative to
    the CSV; other columns such as ``gender`` or ``usage`` say what is known of an image query). Every row is
    checked first: one bad row is a one-line error naming it, before any work."""
    import pandas as pd

    if not path.is_file():
        raise FileNotFoundError(f"queries file {path} does not exist")
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValueError(f"queries file {path} is not a readable CSV ({exc})") from None
    cols = {c.strip().lower(): c for c in frame.columns}
    if "product_id" not in cols and "image" not in cols:
        raise ValueError(f"queries file {path} needs a product_id or image column (found {', '.join(frame.columns)})")
    out = []
    for n, row in enumerate(frame.to_dict("records"), start=2):
        pid = str(row.get(cols.get("product_id", ""), "")).strip()
        img = str(row.get(cols.get("image", ""), "")).strip()
        category = str(row.get(cols.get("category", ""), "")).strip() or None
        if pid:
            out.append({"product_id": pid, "category": category})
            continue
        if not img:
            raise ValueError(f"queries file {path}, line {n}: neither a product_id nor an image")
        image = Path(img) if Path(img).is_absolute() else path.parent / img
        if not image.is_file():
            raise FileNotFoundError(f"queries file {path}, line {n}: image {image} does not exist")
        if category is not None:
            try:
                category = taxonomy.to_category(category)
            except KeyError:
                raise ValueError(f"queries file {path}, line {n}: unknown category {category!r}; expected one of "
                                 f"{', '.join(taxonomy.CATEGORIES)}") from None
        attributes = {c: str(row[orig]).strip() for c, orig in cols.items()
                      if c not in KNOWN and str(row[orig]).strip()}
        out.append({"image": str(image), "category": category, "attributes": attributes})
    if not out:
        raise ValueError(f"queries file {path} has no rows")
    return out
