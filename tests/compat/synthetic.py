"""A small outfit world whose compatibility can be learnt but is invisible to raw-feature cosine."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from fashion_core.compat.data import OutfitData, OutfitItem, OutfitSet
from fashion_core.compat.features import ItemFeatures

SLOTS = ("top", "bottom", "shoes", "bag")


def synthetic_outfits(n_styles: int = 6, per_cell: int = 8, n_outfits: int = 400, dim: int = 32,
                      seed: int = 0) -> tuple[OutfitData, ItemFeatures]:
    """Items have a hidden style; an outfit shares one style across slots. Each (slot, style) has its own random
    direction, so same-style items of different slots are not similar in raw features."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((len(SLOTS), n_styles, dim))
    items, feats, cells = {}, [], {}
    for si, slot in enumerate(SLOTS):
        for st in range(n_styles):
            for k in range(per_cell):
                iid = f"{slot}-{st}-{k}"
                items[iid] = OutfitItem(iid, slot, f"{slot} {k}")
                feats.append(centres[si, st] + 0.6 * rng.standard_normal(dim))
                cells.setdefault((slot, st), []).append(iid)
    splits = {"train": [], "valid": [], "test": []}
    for o in range(n_outfits):
        st = int(rng.integers(n_styles))
        ids = tuple(cells[(slot, st)][int(rng.integers(per_cell))] for slot in SLOTS)
        split = "test" if o % 5 == 0 else "valid" if o % 5 == 1 else "train"
        splits[split].append(OutfitSet(f"o{o}", ids))
    x = np.asarray(feats, dtype=np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    data = OutfitData("synthetic", Path("synthetic"), items, splits, ("image",))
    return data, ItemFeatures(list(items), image=x)
