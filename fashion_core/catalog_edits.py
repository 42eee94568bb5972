"""Catalog edits the way a shop's day goes (a new image, a new title, a removed and an added product), on a copy
of a catalog: what ``index update`` must absorb. Used by the update tests and ``benchmarks/bench_update.py``."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
from PIL import Image, ImageOps


def copy_catalog(src_csv: Path, dest: Path) -> Path:
    """A copy of a catalog file and its images folder under ``dest`` (so it can be edited); returns the CSV."""
    dest.mkdir(parents=True, exist_ok=True)
    frame = pd.read_csv(src_csv, dtype=str, keep_default_na=False)
    folders = {Path(p).parts[0] for p in frame["image"] if len(Path(p).parts) > 1}
    for folder in folders:
        shutil.copytree(src_csv.parent / folder, dest / folder, dirs_exist_ok=True)
    out = dest / src_csv.name
    frame.to_csv(out, index=False)
    return out


def change_catalog(csv: Path, fraction: float = 0.01, seed: int = 0) -> dict[str, list[str]]:
    """Edit a catalog in place the way a shop's day does: a ``fraction`` of its products changed, spread over a new
    image (the old one mirrored and recoloured), a new title, a removed product and a new product. Returns the
    product ids per kind of change."""
    frame = pd.read_csv(csv, dtype=str, keep_default_na=False)
    pid = "product_id" if "product_id" in frame.columns else "id"
    n = max(4, round(len(frame) * fraction))
    per = n // 4
    rows = frame.sample(n=3 * per, random_state=seed).index.tolist()
    new_image, new_title, removed = rows[:per], rows[per:2 * per], rows[2 * per:3 * per]
    for r in new_image:
        path = csv.parent / frame.at[r, "image"]
        img = Image.open(path).convert("RGB")
        out = path.with_name(path.stem + "_v2.jpg")
        ImageOps.mirror(ImageOps.autocontrast(img, cutoff=5)).save(out, quality=92)
        frame.at[r, "image"] = str(out.relative_to(csv.parent))
    for r in new_title:
        frame.at[r, "title"] = frame.at[r, "title"] + " (new season)"
    added = []
    for i, r in enumerate(frame.sample(n=n - 3 * per, random_state=seed + 1).index.tolist()):
        row = frame.loc[r].copy()
        path = csv.parent / row["image"]
        out = path.with_name(f"added_{i}_{path.stem}.jpg")
        Image.open(path).convert("RGB").rotate(3, fillcolor=(255, 255, 255)).save(out, quality=92)
        row[pid], row["image"] = f"NEW{i:04d}", str(out.relative_to(csv.parent))
        added.append(row)
    ids = {"image": frame.loc[new_image, pid].tolist(), "title": frame.loc[new_title, pid].tolist(),
           "removed": frame.loc[removed, pid].tolist(), "added": [r[pid] for r in added]}
    frame = pd.concat([frame.drop(index=removed), pd.DataFrame(added)], ignore_index=True)
    frame.to_csv(csv, index=False)
    return ids
