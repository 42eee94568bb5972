"""Detection datasets → a YOLO dataset in our 12 classes (images/, labels/, data.yaml).

Sources: CCP and the demo looks (COCO JSON with our category names), ModaNet (COCO JSON, its own names),
DeepFashion2 (``image/`` + ``annos/`` with one JSON per photo). Every label passes through
:func:`fashion_core.taxonomy.to_category`; labels outside the taxonomy are skipped and counted.
Images are symlinked (copied where links are not possible); the train/val split is by a hash of the
file name, so it is stable across runs and machines.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image

from .. import taxonomy

SOURCES = ("ccp", "demo", "modanet", "deepfashion2")


@dataclass
class ConvertReport:
    """What a conversion wrote: images and boxes per split, boxes per class, labels skipped."""

    out_dir: Path
    data_yaml: Path
    images: dict[str, int] = field(default_factory=dict)
    boxes: Counter = field(default_factory=Counter)
    skipped: Counter = field(default_factory=Counter)

    def to_dict(self) -> dict:
        """JSON-ready summary."""
        return {"out_dir": str(self.out_dir), "data_yaml": str(self.data_yaml), "images": self.images,
                "boxes": dict(self.boxes), "skipped_labels": dict(self.skipped)}


@dataclass
class Sample:
    """One photo and its boxes (x0, y0, x1, y1 pixels, category) in our taxonomy."""

    image: Path
    width: int
    height: int
    boxes: list[tuple[float, float, float, float, str]]


def split_of(name: str, val_fraction: float) -> str:
    """``"val"`` or ``"train"`` from a stable hash of ``name``."""
    h = int(hashlib.sha1(name.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
    return "val" if h < val_fraction else "train"


def yolo_line(box: tuple[float, float, float, float], category: str, width: int, height: int) -> str:
    """One YOLO label line: class index and normalised centre/size, clipped to the image."""
    x0, y0, x1, y1 = (max(0.0, box[0]), max(0.0, box[1]), min(float(width), box[2]), min(float(height), box[3]))
    cls = taxonomy.CATEGORIES.index(category)
    return (f"{cls} {(x0 + x1) / 2 / width:.6f} {(y0 + y1) / 2 / height:.6f} "
            f"{(x1 - x0) / width:.6f} {(y1 - y0) / height:.6f}")


def coco_samples(coco_json: Path, image_root: Path, source: str | None, skipped: Counter,
                 limit: int | None = None) -> list[Sample]:
    """Samples from a COCO detection file; ``source`` names the label table (None: our own names)."""
    doc = json.loads(Path(coco_json).read_text())
    names = {c["id"]: c["name"] for c in doc["categories"]}
    by_image: dict[int, list] = {}
    for a in doc["annotations"]:
        if a.get("iscrowd", 0):
            continue
        label = names[a["category_id"]]
        try:
            cat = taxonomy.to_category(label, source) if source else taxonomy.to_category(label)
        except KeyError:
            cat = None
        if cat is None:
            skipped[label] += 1
            continue
        x, y, w, h = a["bbox"]
        if w <= 1 or h <= 1:
            continue
        by_image.setdefault(a["image_id"], []).append((x, y, x + w, y + h, cat))
    out = []
    for im in sorted(doc["images"], key=lambda m: m["id"]):
        path = _resolve(image_root, im["file_name"])
        out.append(Sample(path, int(im["width"]), int(im["height"]), by_image.get(im["id"], [])))
        if limit and len(out) >= limit:
            break
    return out


def deepfashion2_samples(root: Path, skipped: Counter, limit: int | None = None) -> list[Sample]:
    """Samples from a DeepFashion2 split folder (``image/NNNNNN.jpg`` + ``annos/NNNNNN.json``)."""
    annos = sorted((root / "annos").glob("*.json"))
    if not annos:
        raise FileNotFoundError(f"{root}: no annos/*.json; point --from deepfashion2 at a split folder "
                                "(train/ or validation/) holding image/ and annos/")
    out = []
    for path in annos:
        doc = json.loads(path.read_text())
        boxes = []
        for key, item in doc.items():
            if not key.startswith("item"):
                continue
            label = item["category_name"]
            cat = taxonomy.DEEPFASHION2.get(label.lower())
            if cat is None:
                skipped[label] += 1
                continue
            x0, y0, x1, y1 = item["bounding_box"]
            boxes.append((x0, y0, x1, y1, cat))
        img = root / "image" / f"{path.stem}.jpg"
        with Image.open(img) as im:
            w, h = im.size
        out.append(Sample(img, w, h, boxes))
        if limit and len(out) >= limit:
            break
    return out


def load_source(kind: str, src: Path, skipped: Counter, limit: int | None = None) -> list[Sample]:
    """Samples of a dataset of kind ``ccp | demo | modanet | deepfashion2`` at ``src``."""
    src = Path(src)
    if kind == "ccp":
        return coco_samples(src / "annotations.json", src, None, skipped, limit)
    if kind == "demo":
        looks = src / "looks" if (src / "looks" / "annotations.json").exists() else src
        return coco_samples(looks / "annotations.json", looks, None, skipped, limit)
    if kind == "modanet":
        files = sorted(src.glob("*.json")) if src.is_dir() else [src]
        if not files:
            raise FileNotFoundError(f"{src}: no ModaNet COCO JSON (modanet2018_instances_train.json)")
        root = src / "images" if src.is_dir() and (src / "images").is_dir() else (src if src.is_dir() else src.parent)
        return coco_samples(files[0], root, "modanet", skipped, limit)
    if kind == "deepfashion2":
        return deepfashion2_samples(src, skipped, limit)
    raise ValueError(f"unknown dataset kind {kind!r}; expected one of {', '.join(SOURCES)}")


def convert(kind: str, src: Path, out_dir: Path, val_fraction: float = 0.1, limit: int | None = None) -> ConvertReport:
    """Write a YOLO dataset for ``src`` (a dataset of ``kind``) into ``out_dir``; returns the report."""
    src, out_dir = Path(src), Path(out_dir)
    if not src.exists():
        raise FileNotFoundError(f"{src}: no such dataset folder or file")
    skipped: Counter = Counter()
    samples = load_source(kind, src, skipped, limit)
    if not samples:
        raise ValueError(f"{src}: no images found for a {kind} dataset")
    return write_dataset({"train": [s for s in samples if split_of(s.image.name, val_fraction) == "train"],
                          "val": [s for s in samples if split_of(s.image.name, val_fraction) == "val"]},
                         out_dir, skipped)


def write_dataset(splits: dict[str, list[Sample]], out_dir: Path, skipped: Counter | None = None) -> ConvertReport:
    """Write samples already split (``{"train": [...], "val": [...]}``) as a YOLO dataset into ``out_dir``.

    Images are linked, labels written in our 12 classes; an empty val split borrows one train image (ultralytics
    needs one). Two samples with the same file stem (from different sources) must not share a split."""
    out_dir = Path(out_dir)
    report = ConvertReport(out_dir=out_dir, data_yaml=out_dir / "data.yaml", images={"train": 0, "val": 0},
                           skipped=skipped if skipped is not None else Counter())
    for split in ("train", "val"):
        stems = [s.image.stem for s in splits.get(split, [])]
        if len(stems) != len(set(stems)):
            raise ValueError(f"{split}: two images share a file stem; give each source's images distinct names")
        for s in splits.get(split, []):
            img_out = out_dir / "images" / split / f"{s.image.stem}{s.image.suffix.lower()}"
            lbl_out = out_dir / "labels" / split / f"{s.image.stem}.txt"
            img_out.parent.mkdir(parents=True, exist_ok=True)
            lbl_out.parent.mkdir(parents=True, exist_ok=True)
            _link(s.image, img_out)
            lines = [yolo_line(b[:4], b[4], s.width, s.height) for b in s.boxes]
            lbl_out.write_text("\n".join(lines) + ("\n" if lines else ""))
            report.images[split] += 1
            report.boxes.update(b[4] for b in s.boxes)
    if report.images["val"] == 0:  # ultralytics needs a val split: reuse one train image
        first = next(iter(sorted((out_dir / "images" / "train").iterdir())))
        for sub, suffix in (("images", first.suffix), ("labels", ".txt")):
            a = out_dir / sub / "train" / f"{first.stem}{suffix}"
            b = out_dir / sub / "val" / f"{first.stem}{suffix}"
            b.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(a, b) if sub == "labels" else _link(a.resolve(), b)
        report.images["val"] = 1
    write_data_yaml(out_dir)
    return report


def write_data_yaml(out_dir: Path) -> Path:
    """``data.yaml`` for ultralytics: absolute path, train/val folders and our 12 class names."""
    names = "\n".join(f"  {i}: {c}" for i, c in enumerate(taxonomy.CATEGORIES))
    path = Path(out_dir) / "data.yaml"
    path.write_text(f"path: {Path(out_dir).resolve()}\ntrain: images/train\nval: images/val\nnames:\n{names}\n")
    return path


def _resolve(root: Path, file_name: str) -> Path:
    for cand in (root / file_name, root / "images" / file_name, root / Path(file_name).name):
        if cand.exists():
            return cand.resolve()
    raise FileNotFoundError(f"image {file_name!r} not found under {root}")


def _link(src: Path, dst: Path) -> None:
    if dst.exists() or dst.is_symlink():
        dst.unlink()
    try:
        os.symlink(src, dst)
    except OSError:
        shutil.copyfile(src, dst)
