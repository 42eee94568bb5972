"""Products and catalogs: CSV / JSONL / Parquet / image-folder loaders with a validation report.

Nothing is dropped silently: every rejected row becomes one :class:`Rejection` line in the
:class:`ValidationReport`, and every good row is kept.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from . import taxonomy
from .imageio import sniff_format

REQUIRED_COLUMNS = ("product_id", "title", "category", "image")
_COLUMN_ALIASES = {"id": "product_id", "productid": "product_id", "name": "title", "image_path": "image",
                   "path": "image", "file": "image"}
_OPTIONAL = ("gender", "colour", "price", "url")
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".gif", ".bmp", ".tif", ".tiff")


@dataclass(frozen=True)
class Product:
    """One catalog item: id, title, taxonomy category, absolute image path, and free attributes."""

    product_id: str
    title: str
    category: str
    image: Path
    attributes: dict[str, str] = field(default_factory=dict, compare=False, hash=False)

    @property
    def slot(self) -> str:
        """Outfit slot of the product's category."""
        return taxonomy.slot_of(self.category)

    def to_dict(self) -> dict:
        """JSON-ready view (image as a string)."""
        return {"product_id": self.product_id, "title": self.title, "category": self.category,
                "image": str(self.image), **self.attributes}


@dataclass(frozen=True)
class Rejection:
    """A catalog row that was not loaded, and why."""

    row: int
    product_id: str
    reason: str

    def __str__(self) -> str:
        return f"row {self.row} (product_id={self.product_id or '?'}): {self.reason}"


@dataclass
class ValidationReport:
    """What a catalog load accepted and rejected."""

    source: str
    n_rows: int = 0
    rejections: list[Rejection] = field(default_factory=list)

    @property
    def n_valid(self) -> int:
        """Rows that became products."""
        return self.n_rows - len(self.rejections)

    def lines(self) -> list[str]:
        """One line per rejection."""
        return [str(r) for r in self.rejections]

    def summary(self) -> str:
        """One-line summary for logs and the CLI."""
        return f"{self.source}: {self.n_valid} valid products, {len(self.rejections)} rejected of {self.n_rows} rows"

    def to_dict(self) -> dict:
        """JSON-ready view."""
        return {"source": self.source, "n_rows": self.n_rows, "n_valid": self.n_valid,
                "rejections": [r.__dict__ for r in self.rejections]}


class Catalog:
    """An ordered, id-addressable collection of products with its validation report."""

    def __init__(self, products: list[Product], root: Path, report: ValidationReport | None = None):
        self.products = products
        self.root = Path(root)
        self.report = report or ValidationReport(source=str(root), n_rows=len(products))
        self._by_id = {p.product_id: p for p in products}

    def __len__(self) -> int:
        return len(self.products)

    def __iter__(self) -> Iterator[Product]:
        return iter(self.products)

    def __contains__(self, product_id: object) -> bool:
        return product_id in self._by_id

    def get(self, product_id: str) -> Product:
        """Product by id; ``KeyError`` names the id when it is not in the catalog."""
        try:
            return self._by_id[str(product_id)]
        except KeyError:
            raise KeyError(f"product id {product_id!r} is not in the catalog ({len(self)} products)") from None

    def by_category(self, category: str) -> list[Product]:
        """Products of one taxonomy category, in catalog order."""
        return [p for p in self.products if p.category == category]

    def search(self, text: str, limit: int = 50) -> list[Product]:
        """Products whose id equals ``text`` first, then whose title contains every word of it."""
        raw = text.strip()
        if not raw:
            return self.products[:limit]
        exact = [self._by_id[raw]] if raw in self._by_id else []
        words = raw.lower().split()
        hits = [p for p in self.products if p not in exact and all(w in p.title.lower() for w in words)]
        return (exact + hits)[:limit]

    def content_hash(self) -> str:
        """Hash of ids, titles, categories and image file sizes: changes when the catalog does."""
        h = hashlib.sha256()
        for p in self.products:
            size = p.image.stat().st_size if p.image.exists() else -1
            h.update(f"{p.product_id}\t{p.title}\t{p.category}\t{p.image.name}\t{size}\n".encode())
        return h.hexdigest()[:16]


def load_catalog(path: str | Path, *, check_images: bool = True) -> Catalog:
    """Load a catalog file (``.csv``, ``.jsonl``, ``.parquet``) or a folder of images, validating every row."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"catalog {path} does not exist; pass a CSV, JSONL or Parquet file or a folder of images")
    if path.is_dir():
        return _load_folder(path, check_images)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    elif suffix in (".jsonl", ".ndjson"):
        frame = pd.read_json(path, lines=True, dtype=False).astype(str)
    elif suffix in (".parquet", ".pq"):
        frame = pd.read_parquet(path).astype(str)
    else:
        raise ValueError(f"catalog {path}: unsupported file type {suffix!r}; use .csv, .jsonl or .parquet, or a folder")
    return _from_frame(frame, path.parent.resolve(), str(path), check_images)


def _from_frame(frame: pd.DataFrame, root: Path, source: str, check_images: bool) -> Catalog:
    frame = frame.rename(columns={c: _COLUMN_ALIASES.get(c.strip().lower(), c.strip()) for c in frame.columns})
    missing = [c for c in REQUIRED_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"catalog {source}: missing column(s) {', '.join(missing)}; required columns are "
                         f"{', '.join(REQUIRED_COLUMNS)} (found {', '.join(map(str, frame.columns))})")
    report = ValidationReport(source=source, n_rows=len(frame))
    products: list[Product] = []
    seen: set[str] = set()
    extra = [c for c in frame.columns if c not in REQUIRED_COLUMNS]
    for i, row in enumerate(frame.to_dict("records"), start=1):
        pid = str(row["product_id"]).strip()
        problem, category, image = _validate_row(row, pid, seen, root, check_images)
        if problem:
            report.rejections.append(Rejection(i, pid, problem))
            continue
        seen.add(pid)
        attrs = {c: str(row[c]) for c in extra if str(row[c]) not in ("", "nan", "None")}
        products.append(Product(pid, str(row["title"]).strip(), category, image, attrs))
    return Catalog(products, root, report)


def _validate_row(row: dict, pid: str, seen: set[str], root: Path, check_images: bool):
    if not pid or pid.lower() in ("nan", "none"):
        return "empty product_id", None, None
    if pid in seen:
        return f"duplicate product_id {pid!r} (first occurrence kept)", None, None
    if not str(row["title"]).strip() or str(row["title"]).strip().lower() == "nan":
        return "empty title", None, None
    raw_cat = str(row["category"]).strip()
    category = _map_category(raw_cat)
    if category is None:
        return (f"unknown category {raw_cat!r}; expected one of {', '.join(taxonomy.CATEGORIES)} "
                "or a label the taxonomy maps"), None, None
    rel = str(row["image"]).strip()
    if not rel:
        return "empty image path", None, None
    image = (root / rel).resolve()
    if not image.is_relative_to(root):
        return f"image path {rel!r} escapes the catalog folder {root}", None, None
    if check_images:
        problem = image_problem(image)
        if problem:
            return f"image {rel!r}: {problem}", None, None
    return None, category, image


def _map_category(label: str) -> str | None:
    try:
        return taxonomy.to_category(label)
    except KeyError:
        pass
    for source in ("fpi", "modanet", "deepfashion2", "ccp", "polyvore"):
        try:
            return taxonomy.to_category(label, source)
        except KeyError:
            continue
    return None


def image_problem(path: Path) -> str | None:
    """Cheap check of a catalog image (exists, non-empty, real image bytes); ``None`` when it looks fine."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(32)
    except FileNotFoundError:
        return "file not found"
    except IsADirectoryError:
        return "is a folder, not a file"
    except OSError as exc:
        return f"cannot be read ({exc.strerror})"
    if not head:
        return "file is empty (0 bytes)"
    if sniff_format(head) is None:
        return "not an image (content is not JPEG, PNG, WebP, GIF, BMP or TIFF)"
    return None


def _load_folder(folder: Path, check_images: bool) -> Catalog:
    """A folder of images is a catalog: category from the sub-folder name, title from the file name."""
    root = folder.resolve()
    rows = []
    for f in sorted(root.rglob("*")):
        if f.is_file() and f.suffix.lower() in IMAGE_SUFFIXES:
            rel = f.relative_to(root)
            label = rel.parts[0] if len(rel.parts) > 1 else ""
            title = f.stem.replace("_", " ").replace("-", " ").strip()
            rows.append({"product_id": str(rel.with_suffix("")).replace("/", "__"), "title": title or f.stem,
                         "category": label, "image": str(rel)})
    frame = pd.DataFrame(rows, columns=list(REQUIRED_COLUMNS))
    return _from_frame(frame, root, str(folder), check_images)


def write_catalog_csv(products: list[Product], path: Path) -> None:
    """Write products as a catalog CSV with image paths relative to the CSV's folder."""
    path = Path(path)
    root = path.parent.resolve()
    rows = []
    for p in products:
        rows.append({"product_id": p.product_id, "title": p.title, "category": p.category,
                     "image": str(Path(p.image).resolve().relative_to(root)), **p.attributes})
    pd.DataFrame(rows).to_csv(path, index=False)


def report_json(report: ValidationReport) -> str:
    """The validation report as a JSON document."""
    return json.dumps(report.to_dict(), indent=2)
