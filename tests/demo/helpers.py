"""Readers for a built demo world, written against the file formats (not the generator's objects)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from fashion_core import taxonomy
from fashion_core.demo.palette import COLOUR_BY_NAME
from fashion_core.demo.products import DemoProduct
from fashion_core.demo.silhouettes import FORMALITY_NAMES, SILHOUETTE_BY_NAME

SPLITS = ("train", "valid", "test")


def catalog(demo: Path) -> pd.DataFrame:
    """The demo catalog CSV as strings."""
    return pd.read_csv(demo / "catalog.csv", dtype=str, keep_default_na=False)


def products(demo: Path) -> dict[str, DemoProduct]:
    """Products rebuilt from the catalog CSV (accent and material are not in the CSV and do not matter here)."""
    out = {}
    for i, r in enumerate(catalog(demo).itertuples()):
        out[r.product_id] = DemoProduct(r.product_id, i, r.category, r.silhouette, r.colour, r.pattern, "white",
                                        "", FORMALITY_NAMES.index(r.formality), r.season, r.title)
    return out


def outfits(demo: Path, split: str) -> list[dict]:
    """``disjoint/<split>.json``."""
    return json.loads((demo / "disjoint" / f"{split}.json").read_text())


def references(demo: Path, split: str) -> dict[str, str]:
    """``setid_index`` → item id for one split."""
    return {f"{o['set_id']}_{it['index']}": it["item_id"] for o in outfits(demo, split) for it in o["items"]}


def looks(demo: Path) -> dict:
    """``looks/annotations.json``."""
    return json.loads((demo / "looks" / "annotations.json").read_text())


def slot(item: DemoProduct) -> str:
    """Outfit slot of a product."""
    return taxonomy.slot_of(item.category)


__all__ = ["COLOUR_BY_NAME", "SILHOUETTE_BY_NAME", "SPLITS", "catalog", "products", "outfits", "references",
           "looks", "slot"]
