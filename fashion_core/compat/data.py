"""Outfit datasets behind one interface: :func:`load_outfits` reads any supported layout into :class:`OutfitData`.

Layouts (detected from the files, see :func:`detect_layout`):

- ``polyvore-outfits`` — the Polyvore Outfits release (and the demo world): ``polyvore_item_metadata.json``,
  ``<variant>/{train,valid,test}.json``, ``<variant>/fill_in_blank_<split>.json``,
  ``<variant>/compatibility_<split>.txt``, images at ``images/<item_id>.jpg``. Its FITB and compatibility
  questions are used as released (the right FITB answer is the candidate from the question's own outfit).
- ``maryland`` — Maryland Polyvore (titles and slots, no images): one ``outfits_valid.json``-style file, or a
  folder with ``{train,valid,test}_no_dup.json``. A single file is split by set id:
  ``sha1(set_id) % 10`` → 0–1 test, 2 valid, 3–9 train (about 20 / 10 / 70 %).
  Maryland's ``upper`` and ``bottom`` slots also hold dresses: an item there whose title names a one-piece
  (dress, gown, jumpsuit, romper, playsuit; not "dress shirt", "dress pants"...) gets the ``one-piece`` slot.
- ``worn-together`` — a COCO detection file in our 12 categories (``../shared/data/ccp/annotations.json``, the
  demo's ``looks/annotations.json``): the ground-truth boxes of one photo form an outfit, one item per
  category (the largest box: CCP has one box per shoe). Split by ``sha1(file_name) % 10`` as above.

Layouts without released questions get generated ones (:mod:`fashion_core.compat.evaluate`).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from .. import taxonomy

SPLITS = ("train", "valid", "test")


@dataclass(frozen=True)
class OutfitItem:
    """One garment of an outfit dataset: id, slot, title, and where its picture is (an image, maybe a box of it)."""

    item_id: str
    slot: str
    title: str = ""
    image: Path | None = None
    box: tuple[float, float, float, float] | None = None
    category: str | None = None
    attributes: dict[str, str] = field(default_factory=dict, compare=False, hash=False)
    """Catalog columns of the item when the dataset has them (the demo's colour, formality, season)."""


@dataclass(frozen=True)
class OutfitSet:
    """Items worn together, by item id."""

    set_id: str
    item_ids: tuple[str, ...]


@dataclass(frozen=True)
class FitbQuestion:
    """Fill in the blank: the outfit without one item, and candidates of the blank's slot (one right)."""

    set_id: str
    context: tuple[str, ...]
    candidates: tuple[str, ...]
    answer: int


@dataclass(frozen=True)
class CompatQuestion:
    """An outfit to score and whether it is real (1) or made of random same-slot items (0)."""

    item_ids: tuple[str, ...]
    label: int


@dataclass
class OutfitData:
    """An outfit dataset: its items, outfits per split, and questions when the release ships them."""

    layout: str
    source: Path
    items: dict[str, OutfitItem]
    splits: dict[str, list[OutfitSet]]
    modalities: tuple[str, ...]
    fitb: dict[str, list[FitbQuestion]] = field(default_factory=dict)
    compat: dict[str, list[CompatQuestion]] = field(default_factory=dict)
    split_rule: str = ""
    split_keys: dict[str, str] = field(default_factory=dict)
    """Set id → the key its split was drawn from by hash (:func:`split_of`); empty for a split released with the
    data. :func:`fold_split` rotates the same keys into cross-validation folds."""

    def outfits(self, split: str) -> list[OutfitSet]:
        """Outfits of one split; ``KeyError`` names the splits there are."""
        if split not in self.splits:
            raise KeyError(f"{self.source}: no split {split!r}; available: {', '.join(self.splits)}")
        return self.splits[split]

    def summary(self) -> str:
        """One line for logs: layout, counts per split, modalities."""
        counts = ", ".join(f"{s} {len(o)}" for s, o in self.splits.items())
        return f"{self.layout} {self.source}: {len(self.items)} items; outfits {counts}; {'+'.join(self.modalities)}"


def hash_bucket(key: str, buckets: int = 10) -> int:
    """Stable bucket of a string (sha1), the same on every machine and Python."""
    return int(hashlib.sha1(key.encode()).hexdigest()[:8], 16) % buckets


def split_of(key: str) -> str:
    """Deterministic split by hash: bucket 0–1 → test, 2 → valid, 3–9 → train."""
    b = hash_bucket(key)
    return "test" if b < 2 else "valid" if b == 2 else "train"


CV_FOLDS = 5
"""Cross-validation folds of :func:`fold_split`: each takes two of the ten hash buckets as its test part."""


def fold_split(data: OutfitData, fold: int) -> OutfitData:
    """``data`` re-split for cross-validation fold ``fold`` (0 to :data:`CV_FOLDS` - 1): buckets ``2 fold`` and
    ``2 fold + 1`` of its hash rule are the test part, bucket ``2 fold + 2`` (mod 10) the validation part and the rest
    training, so every outfit is tested once over the folds, and fold 0 is the standard split. It rotates the keys the
    loader split by (:attr:`OutfitData.split_keys`: Maryland set ids, worn-together file names); a split released
    with the data has none and is refused."""
    if not 0 <= fold < CV_FOLDS:
        raise ValueError(f"fold must be 0 to {CV_FOLDS - 1}, not {fold}")
    if not data.split_keys:
        raise ValueError(f"{data.source}: split {data.split_rule!r} is released with the data, not drawn by hash; "
                         "it cannot be rotated into cross-validation folds")
    test, valid = {2 * fold, 2 * fold + 1}, (2 * fold + 2) % 10
    splits: dict[str, list[OutfitSet]] = {s: [] for s in SPLITS}
    for outfit in (o for split in SPLITS for o in data.splits.get(split, [])):
        b = hash_bucket(data.split_keys[outfit.set_id])
        splits["test" if b in test else "valid" if b == valid else "train"].append(outfit)
    rule = f"{data.split_rule.split(':')[0]}: fold {fold} of {CV_FOLDS}: buckets {2 * fold}-{2 * fold + 1} test, " \
           f"{valid} valid, the rest train"
    return replace(data, splits=splits, fitb={}, compat={}, split_rule=rule)


_ONE_PIECE = re.compile(
    r"\b(dress|dresses|gown|gowns|jumpsuit|jumpsuits|romper|rompers|playsuit|playsuits)\b"
    r"(?!\s*(shirt|shirts|pant|pants|trousers|shoe|shoes|boot|boots|sock|socks|coat|jacket|blazer|clip|clips))")


def says_one_piece(title: str) -> bool:
    """True when a title names a one-piece (a dress, gown, jumpsuit…) rather than e.g. a dress shirt."""
    return bool(_ONE_PIECE.search(title.lower()))


# ---------------------------------------------------------------- layout detection


def detect_layout(path: str | Path) -> str:
    """Name of the layout at ``path`` (``polyvore-outfits``, ``maryland``, ``worn-together``) or ``ValueError``."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"outfits path {path} does not exist; pass a Polyvore Outfits folder, a Maryland "
                                "Polyvore JSON file or folder, or a COCO annotations.json")
    if path.is_dir():
        if (path / "polyvore_item_metadata.json").exists():
            return "polyvore-outfits"
        if any((path / f"{s}_no_dup.json").exists() for s in SPLITS) or (path / "outfits_valid.json").exists():
            return "maryland"
        if (path / "annotations.json").exists():
            return "worn-together"
    elif path.suffix == ".json":
        head = path.read_text()[:4000].lstrip()
        if head.startswith("[") and '"set_id"' in head:
            return "maryland"
        if head.startswith("{") and '"annotations"' in path.read_text():
            return "worn-together"
    raise ValueError(f"cannot tell the outfit layout of {path}: expected a folder with polyvore_item_metadata.json "
                     "(Polyvore Outfits / demo), a Maryland Polyvore JSON list of {set_id, items}, or a COCO "
                     "annotations.json of worn-together photos")


def load_outfits(path: str | Path, layout: str | None = None, variant: str = "disjoint") -> OutfitData:
    """Read the outfit dataset at ``path`` (layout detected unless given); ``variant`` picks Polyvore's split."""
    layout = layout or detect_layout(path)
    if layout not in LOADERS:
        raise ValueError(f"unknown outfit layout {layout!r}; expected one of {', '.join(LOADERS)}")
    return LOADERS[layout](Path(path), variant)


# ---------------------------------------------------------------- Polyvore Outfits (and the demo)


def _load_polyvore_outfits(root: Path, variant: str) -> OutfitData:
    meta = json.loads((root / "polyvore_item_metadata.json").read_text())
    vdir = root / variant
    if not vdir.is_dir():
        raise FileNotFoundError(f"{root}: no {variant}/ folder; Polyvore Outfits has disjoint/ and nondisjoint/")
    attributes = _catalog_attributes(root / "catalog.csv")
    items: dict[str, OutfitItem] = {}
    for iid, m in meta.items():
        slot = _polyvore_slot(m)
        if slot is None:
            continue
        image = _find_image(root / "images", str(iid))
        title = str(m.get("title") or m.get("url_name") or m.get("description") or "").strip()
        items[str(iid)] = OutfitItem(str(iid), slot, title, image, None, m.get("category"),
                                     attributes.get(str(iid), {}))
    splits, fitb, compat = {}, {}, {}
    for split in SPLITS:
        path = vdir / f"{split}.json"
        if not path.exists():
            continue
        index: dict[str, str] = {}
        outfits = []
        for o in json.loads(path.read_text()):
            sid = str(o["set_id"])
            ids = []
            for it in o["items"]:
                iid = str(it["item_id"])
                index[f"{sid}_{it['index']}"] = iid
                if iid in items:
                    ids.append(iid)
            if len(ids) >= 2:
                outfits.append(OutfitSet(sid, tuple(ids)))
        splits[split] = outfits
        fitb[split] = _polyvore_fitb(vdir / f"fill_in_blank_{split}.json", index, items)
        compat[split] = _polyvore_compat(vdir / f"compatibility_{split}.txt", index, items)
    if not splits:
        raise FileNotFoundError(f"{vdir}: no train.json / valid.json / test.json")
    has_img = any(it.image is not None for it in items.values())
    has_txt = any(it.title for it in items.values())
    modalities = tuple(m for m, ok in (("image", has_img), ("text", has_txt)) if ok)
    return OutfitData("polyvore-outfits", root, items, splits, modalities, fitb, compat,
                      f"released {variant} split")


def _catalog_attributes(path: Path) -> dict[str, dict[str, str]]:
    """Item id → the other columns of a catalog CSV beside the outfits (the demo world writes one), else {}."""
    if not path.is_file():
        return {}
    import csv

    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    skip = {"product_id", "title", "category", "image"}
    return {r["product_id"]: {k: v for k, v in r.items() if k not in skip and v} for r in rows if r.get("product_id")}


def _polyvore_slot(m: dict) -> str | None:
    cat = m.get("category")
    if cat in taxonomy.CATEGORIES:
        return taxonomy.slot_of(cat)
    sem = str(m.get("semantic_category", "")).strip().lower()
    try:
        return taxonomy.to_slot(sem, "polyvore")
    except KeyError:
        return None


def _find_image(folder: Path, item_id: str) -> Path | None:
    for ext in (".jpg", ".jpeg", ".png", ".webp"):
        p = folder / f"{item_id}{ext}"
        if p.exists():
            return p
    return None


def _polyvore_fitb(path: Path, index: dict[str, str], items: dict[str, OutfitItem]) -> list[FitbQuestion]:
    if not path.exists():
        return []
    out = []
    for q in json.loads(path.read_text()):
        context = [index.get(k) for k in q["question"]]
        answers = [index.get(k) for k in q["answers"]]
        if any(a is None or a not in items for a in answers) or not context:
            continue
        set_id = q["question"][0].rsplit("_", 1)[0]
        own = [i for i, k in enumerate(q["answers"]) if k.rsplit("_", 1)[0] == set_id]
        answer = own[0] if own else 0
        ctx = tuple(c for c in context if c is not None and c in items)
        if ctx:
            out.append(FitbQuestion(set_id, ctx, tuple(answers), answer))
    return out


def _polyvore_compat(path: Path, index: dict[str, str], items: dict[str, OutfitItem]) -> list[CompatQuestion]:
    if not path.exists():
        return []
    out = []
    for line in path.read_text().splitlines():
        parts = line.split()
        if len(parts) < 3:
            continue
        ids = tuple(i for k in parts[1:] if (i := index.get(k)) is not None and i in items)
        if len(ids) >= 2:
            out.append(CompatQuestion(ids, int(parts[0])))
    return out


# ---------------------------------------------------------------- Maryland Polyvore


def _load_maryland(path: Path, variant: str) -> OutfitData:
    if path.is_dir() and any((path / f"{s}_no_dup.json").exists() for s in SPLITS):
        sources = {s: path / f"{s}_no_dup.json" for s in SPLITS if (path / f"{s}_no_dup.json").exists()}
        rule = "released {train,valid,test}_no_dup split"
    else:
        file = path / "outfits_valid.json" if path.is_dir() else path
        sources = {"": file}
        rule = "sha1(set_id) % 10: 0-1 test, 2 valid, 3-9 train"
    items: dict[str, OutfitItem] = {}
    splits: dict[str, list[OutfitSet]] = {s: [] for s in SPLITS}
    keys: dict[str, str] = {}
    for split, file in sources.items():
        for o in json.loads(file.read_text()):
            sid = str(o["set_id"])
            ids = []
            for it in o["items"]:
                slot = _maryland_slot(str(it.get("slot", it.get("categoryid", ""))), str(it.get("name", "")))
                if slot is None:
                    continue
                iid = f"{sid}_{it['index']}"
                items[iid] = OutfitItem(iid, slot, str(it.get("name", "")).strip())
                ids.append(iid)
            if len(ids) >= 2:
                if not split:
                    keys[sid] = sid
                splits[split or split_of(sid)].append(OutfitSet(sid, tuple(ids)))
    return OutfitData("maryland", path, items, splits, ("text",), split_rule=rule, split_keys=keys)


def _maryland_slot(slot: str, title: str) -> str | None:
    try:
        mapped = taxonomy.to_slot(slot, "maryland")
    except KeyError:
        return None
    if mapped in ("top", "bottom") and says_one_piece(title):
        return "one-piece"
    return mapped


# ---------------------------------------------------------------- worn together in one photo (CCP, demo looks)


def _load_worn_together(path: Path, variant: str) -> OutfitData:
    file = path / "annotations.json" if path.is_dir() else path
    coco = json.loads(file.read_text())
    root = file.parent
    names = {c["id"]: c["name"] for c in coco["categories"]}
    by_image: dict[int, dict[str, dict]] = {}
    for a in coco["annotations"]:
        cat = names.get(a["category_id"])
        if cat not in taxonomy.CATEGORIES:
            continue
        best = by_image.setdefault(a["image_id"], {})
        key = cat if "person" not in a else f"{cat}#{a['person']}"
        if key not in best or a["bbox"][2] * a["bbox"][3] > best[key]["bbox"][2] * best[key]["bbox"][3]:
            best[key] = a
    items: dict[str, OutfitItem] = {}
    splits: dict[str, list[OutfitSet]] = {s: [] for s in SPLITS}
    keys: dict[str, str] = {}
    for img in sorted(coco["images"], key=lambda im: im["id"]):
        chosen = by_image.get(img["id"], {})
        people: dict[str, list[str]] = {}
        for key, a in sorted(chosen.items()):
            cat = key.split("#")[0]
            x, y, w, h = a["bbox"]
            iid = f"{Path(img['file_name']).stem}_{key.replace('/', '-').replace('#', '_p')}"
            items[iid] = OutfitItem(iid, taxonomy.slot_of(cat), str(a.get("title", "")), root / img["file_name"],
                                    (float(x), float(y), float(x + w), float(y + h)), cat)
            people.setdefault(key.split("#")[1] if "#" in key else "", []).append(iid)
        for person, ids in sorted(people.items()):
            if len(ids) >= 2:
                sid = Path(img["file_name"]).stem + (f"_p{person}" if person else "")
                keys[sid] = img["file_name"]
                splits[split_of(img["file_name"])].append(OutfitSet(sid, tuple(ids)))
    return OutfitData("worn-together", file, items, splits, ("image",),
                      split_rule="sha1(file_name) % 10: 0-1 test, 2 valid, 3-9 train", split_keys=keys)


LOADERS: dict[str, Callable[[Path, str], OutfitData]] = {
    "polyvore-outfits": _load_polyvore_outfits,
    "maryland": _load_maryland,
    "worn-together": _load_worn_together,
}
"""Outfit layout name → loader; add a layout by adding a function here."""
