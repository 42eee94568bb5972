"""The index's own product table (``products.jsonl``): exactly the products that were indexed, row-aligned.

The app, the CLI and the service serve this table, never the catalog file again, so a row rejected at build
time cannot come back and a catalog edited after the build changes nothing until the next build. Image paths
are kept relative to the catalog's folder when they lie inside it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path

from ..catalog import Product

TABLE = "products.jsonl"


def product_record(product: Product, root: Path) -> dict:
    """One line of the table."""
    image = Path(product.image)
    try:
        rel = str(image.relative_to(root))
    except ValueError:
        rel = str(image)
    return {"product_id": product.product_id, "title": product.title, "category": product.category,
            "image": rel, "attributes": dict(product.attributes)}


def product_records(products: Sequence[Product], root: Path) -> Iterator[dict]:
    """The table's lines, in row order."""
    for p in products:
        yield product_record(p, root)


def read_products(path: Path, root: Path) -> list[Product]:
    """Read the table back (image paths resolved against the catalog folder ``root``)."""
    out = []
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, start=1):
            try:
                d = json.loads(line)
                image = Path(d["image"])
                out.append(Product(str(d["product_id"]), str(d["title"]), str(d["category"]),
                                   image if image.is_absolute() else root / image,
                                   {str(k): str(v) for k, v in (d.get("attributes") or {}).items()}))
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                from .files import IndexDamaged

                raise IndexDamaged(f"{TABLE} line {n} is malformed ({type(exc).__name__}: {exc})") from None
    return out
