"""Write the demo outfits in the Polyvore Outfits release layout, so the real-data loader reads them unchanged.

Files (under the demo folder): ``polyvore_item_metadata.json`` ``{item_id: {title, semantic_category,
category_id, url_name, description, categories, related, category, slot}}`` (the last two are ours),
``disjoint/{split}.json`` ``[{set_id, items: [{item_id, index}]}]``, ``disjoint/fill_in_blank_{split}.json``
and ``disjoint/compatibility_{split}.txt``. Item images are ``images/<item_id>.jpg`` as in the release.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from .outfits import SPLITS, Outfit, compatibility_lines, fill_in_blank
from .products import DemoProduct
from .silhouettes import SILHOUETTES

SEMANTIC_CATEGORY: dict[str, str] = {
    "top": "tops", "outerwear": "outerwear", "pants": "bottoms", "shorts": "bottoms", "skirt": "bottoms",
    "dress": "all-body", "shoes": "shoes", "bag": "bags", "hat": "hats", "sunglasses": "sunglasses",
    "scarf/tie": "scarves", "belt": "accessories",
}
"""Our category → Polyvore Outfits ``semantic_category`` (what ``taxonomy.POLYVORE_OUTFITS`` reads back)."""

_CATEGORY_ID = {s.name: str(i + 1) for i, s in enumerate(SILHOUETTES)}


def item_metadata(products: Sequence[DemoProduct]) -> dict[str, dict]:
    """``polyvore_item_metadata.json`` content for the products."""
    return {p.product_id: {"title": p.title, "semantic_category": SEMANTIC_CATEGORY[p.category],
                           "category_id": _CATEGORY_ID[p.silhouette], "url_name": p.title.lower(),
                           "description": "", "categories": [p.silhouette], "related": [],
                           "category": p.category, "slot": p.slot} for p in products}


def write_polyvore(out_dir: Path, products: Sequence[DemoProduct], outfits: Sequence[Outfit], seed: int
                   ) -> dict[str, int]:
    """Write every Polyvore file; returns counts (outfits, questions, compatibility lines per split)."""
    out_dir = Path(out_dir)
    by_id = {p.product_id: p for p in products}
    _dump(out_dir / "polyvore_item_metadata.json", item_metadata(products))
    counts: dict[str, int] = {}
    for split in SPLITS:
        mine = [o for o in outfits if o.split == split]
        sets = [{"set_id": o.set_id, "items": [{"item_id": pid, "index": i} for i, pid in enumerate(o.items, 1)]}
                for o in mine]
        _dump(out_dir / "disjoint" / f"{split}.json", sets)
        fitb = fill_in_blank(outfits, by_id, seed, split)
        _dump(out_dir / "disjoint" / f"fill_in_blank_{split}.json", fitb)
        lines = compatibility_lines(outfits, by_id, seed, split)
        (out_dir / "disjoint" / f"compatibility_{split}.txt").write_text("\n".join(lines) + "\n")
        counts.update({f"outfits_{split}": len(mine), f"fitb_{split}": len(fitb), f"compat_{split}": len(lines)})
    return counts


def _dump(path: Path, doc: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, indent=1, sort_keys=False) + "\n")
