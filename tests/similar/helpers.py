"""Small real catalogs for the similar-items tests: slices of ../shared/data/fpi copied into a temp folder."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd


def fpi_slice(shared_data: Path, out: Path, per_category: int, offset: int = 0) -> Path:
    """Write ``out/catalog.csv`` with ``per_category`` fpi products of every category (images copied)."""
    frame = pd.read_csv(shared_data / "fpi" / "products.csv", dtype=str, keep_default_na=False)
    parts = [g.iloc[offset:offset + per_category] for _, g in frame.groupby("category", sort=True)]
    sub = pd.concat(parts)
    (out / "images").mkdir(parents=True, exist_ok=True)
    for rel in sub["image"]:
        shutil.copy(shared_data / "fpi" / rel, out / rel)
    sub.to_csv(out / "catalog.csv", index=False)
    return out / "catalog.csv"
