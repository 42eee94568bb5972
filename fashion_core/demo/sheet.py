"""A contact sheet of a built demo world, for a person to look at: products per category, outfits, looks."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from PIL import Image, ImageDraw

from .. import taxonomy
from ..imageio import load_image

THUMB = 112
LOOK_W = 200


def contact_sheet(demo_dir: Path, per_category: int = 8, n_outfits: int = 6, n_looks: int = 8) -> Image.Image:
    """A sheet of a built demo: one row per category, a few outfits, and looks with boxes and keypoints."""
    demo_dir = Path(demo_dir)
    catalog = demo_dir / "catalog.csv"
    if not catalog.exists():
        raise FileNotFoundError(f"no demo at {demo_dir} (catalog.csv missing); run `fashion-core demo build` first")
    frame = pd.read_csv(catalog, dtype=str, keep_default_na=False)
    rows = []
    for cat in taxonomy.CATEGORIES:
        sub = frame[frame["category"] == cat]
        picks = sub.drop_duplicates("silhouette").head(per_category)
        picks = pd.concat([picks, sub[~sub.index.isin(picks.index)].head(per_category - len(picks))])
        rows.append((cat, picks))
    outfits = json.loads((demo_dir / "disjoint" / "train.json").read_text())[:n_outfits]
    looks_doc = _looks(demo_dir)
    looks = looks_doc["images"][:n_looks] if looks_doc else []
    look_h = LOOK_W * 3 // 2
    label_w = 90
    width = max(label_w + per_category * THUMB, LOOK_W * max(1, min(len(looks), 8)), label_w + 6 * THUMB)
    height = 24 + len(rows) * THUMB + 24 + len(outfits) * (THUMB // 2 + 6) + 24 + (look_h if looks else 0) + 8
    sheet = Image.new("RGB", (width, height), "white")
    d = ImageDraw.Draw(sheet)
    y = 4
    d.text((4, y), f"Demo world at {demo_dir.name}: {len(frame)} products", fill="black")
    y += 20
    for cat, picks in rows:
        d.text((4, y + THUMB // 2 - 6), cat, fill="black")
        for k, row in enumerate(picks.itertuples()):
            thumb = load_image(demo_dir / row.image).resize((THUMB, THUMB))
            sheet.paste(thumb, (label_w + k * THUMB, y))
            d.text((label_w + k * THUMB + 2, y + THUMB - 11), row.silhouette[:18], fill=(90, 90, 90))
        y += THUMB
    y += 4
    d.text((4, y), "Outfits (train split)", fill="black")
    y += 20
    small = THUMB // 2
    by_id = frame.set_index("product_id")
    for o in outfits:
        d.text((4, y + small // 2 - 6), o["set_id"], fill="black")
        for k, item in enumerate(o["items"]):
            img = load_image(demo_dir / by_id.loc[item["item_id"], "image"]).resize((small, small))
            sheet.paste(img, (label_w + k * (small + 4), y))
        y += small + 6
    y += 4
    if looks:
        d.text((4, y), "Looks with their COCO boxes and keypoints", fill="black")
        y += 20
        for k, entry in enumerate(looks):
            img = _draw_look(demo_dir / "looks", entry, looks_doc["annotations"]).resize((LOOK_W, look_h))
            sheet.paste(img, (k * LOOK_W, y))
    return sheet


def _looks(demo_dir: Path) -> dict | None:
    path = demo_dir / "looks" / "annotations.json"
    return json.loads(path.read_text()) if path.exists() else None


def _draw_look(folder: Path, entry: dict, annotations: list[dict]) -> Image.Image:
    img = load_image(folder / entry["file_name"])
    d = ImageDraw.Draw(img)
    names = {taxonomy.CATEGORY_IDS[c]: c for c in taxonomy.CATEGORIES}
    for a in annotations:
        if a["image_id"] != entry["id"]:
            continue
        x, y, w, h = a["bbox"]
        d.rectangle((x, y, x + w - 1, y + h - 1), outline=(230, 30, 30))
        d.text((x + 2, y + 1), names[a["category_id"]], fill=(230, 30, 30))
    for person in entry["people"]:
        for x, y in person["keypoints"].values():
            d.ellipse((x - 2, y - 2, x + 2, y + 2), fill=(20, 200, 60))
    return img


def write_sheet(demo_dir: Path, out_png: Path) -> Path:
    """Write the contact sheet of ``demo_dir`` to ``out_png``; returns the path."""
    out_png = Path(out_png)
    out_png.parent.mkdir(parents=True, exist_ok=True)
    contact_sheet(demo_dir).save(out_png)
    return out_png
