"""Products and catalogs: CSV / JSONL / Parquet / image-folder loaders with a validation report.

Nothing is dropped silently and nothing good is lost: a malformed line (an extra field, an unbalanced quote,
broken JSON) is one :class:`Rejection` naming the file and the line, every other row loads, and every rejected
row is one line of the :class:`ValidationReport`. Every value is read as text exactly as written (an id
``1525`` stays ``"1525"``, never ``"1525.0"``). A file that is not UTF-8 is read as Windows-1252 / Latin-1 and
the report says so. The readers live in :mod:`.catalog_readers`; this module holds the types and validation.
"""

from __future__ import annotations

import errno
import gc
import hashlib
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, ImageDraw

from . import taxonomy
from .catalog_readers import Malformed, Record, read_records
from .imageio import ImageError, load_image, sniff_format

REQUIRED_COLUMNS = ("product_id", "title", "category", "image")
_COLUMN_ALIASES = {"id": "product_id", "productid": "product_id", "name": "title", "image_path": "image",
                   "path": "image", "file": "image"}
_OPTIONAL = ("gender", "colour", "price", "url")
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".gif", ".bmp", ".tif", ".tiff")
_EMPTY = ("", "nan", "none", "null")


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
    """A catalog row (or a malformed line) that was not loaded, and why; ``line`` is the file's line number
    where the row starts (None for a folder catalog)."""

    row: int
    product_id: str
    reason: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"line {self.line}, row {self.row}" if self.line is not None else f"row {self.row}"
        return f"{where} (product_id={self.product_id or '?'}): {self.reason}"


@dataclass
class ValidationReport:
    """What a catalog load accepted and rejected; ``notes`` say how the file was read (e.g. its encoding)."""

    source: str
    n_rows: int = 0
    rejections: list[Rejection] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def n_valid(self) -> int:
        """Rows that became products."""
        return self.n_rows - len(self.rejections)

    def lines(self) -> list[str]:
        """One line per rejection, each naming the file and the line: ``FILE:LINE: row N (product_id=…): why``."""
        return [f"{self.source}:{r.line}: row {r.row} (product_id={r.product_id or '?'}): {r.reason}"
                if r.line is not None else f"{self.source}: {r}" for r in self.rejections]

    def summary(self) -> str:
        """One-line summary for logs and the CLI."""
        return f"{self.source}: {self.n_valid} valid products, {len(self.rejections)} rejected of {self.n_rows} rows"

    def to_dict(self) -> dict:
        """JSON-ready view."""
        return {"source": self.source, "n_rows": self.n_rows, "n_valid": self.n_valid,
                "rejections": [dict(r.__dict__) for r in self.rejections], "notes": list(self.notes)}


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


def load_catalog(path: str | Path, *, check_images: bool = True, decode_images: bool = False,
                 encoding: str | None = None) -> Catalog:
    """Load a catalog file (``.csv``, ``.jsonl``, ``.parquet``) or a folder of images, validating every row.

    ``check_images``: each image must exist and start like an image (cheap); ``decode_images``: each image is
    decoded in full with :func:`fashion_core.imageio.load_image` (``catalog check`` does this; a truncated JPEG
    is rejected). ``encoding``: the text encoding of a CSV / JSONL file (default: UTF-8, or Windows-1252 /
    Latin-1 when the file is not UTF-8, said in ``report.notes``). Raises ``ValueError`` naming the file for an
    empty file, a missing required column or an unsupported type; a bad row never raises."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"catalog {path} does not exist; pass a CSV, JSONL or Parquet file or a folder of images")
    if path.is_dir():
        return _load_folder(path, check_images, decode_images)
    collecting = gc.isenabled()
    gc.disable()  # millions of small objects and no cycles: the collector would only rescan them (2x slower)
    try:
        columns, records, notes = read_records(path, encoding)
        return _from_records(columns, records, path.parent.resolve(), str(path), check_images, decode_images, notes)
    finally:
        if collecting:
            gc.enable()


def _from_records(columns: list[str], records: Iterable[Record], root: Path, source: str, check_images: bool,
                  decode_images: bool, notes: list[str] | None = None) -> Catalog:
    names = [_COLUMN_ALIASES.get(c.strip().lower(), c.strip()) for c in columns]
    records = list(records)
    missing = [c for c in REQUIRED_COLUMNS if c not in names]
    if missing and columns:  # (a JSONL file whose every line is broken has no columns: its report says why)
        raise ValueError(f"catalog {source}: missing column(s) {', '.join(missing)}; required columns are "
                         f"{', '.join(REQUIRED_COLUMNS)} (found {', '.join(map(str, columns)) or 'none'})")
    report = ValidationReport(source=source, n_rows=len(records), notes=list(notes or []))
    check = _RowChecker(root, check_images, decode_images)
    at = {c: names.index(c) for c in REQUIRED_COLUMNS if c in names}
    extra = [(i, n) for i, n in enumerate(names) if n and n not in REQUIRED_COLUMNS and names.index(n) == i]
    products: list[Product] = []
    for row, (line, values) in enumerate(records, start=1):
        if isinstance(values, Malformed):  # a line the reader could not parse: it says why
            report.rejections.append(Rejection(row, values.product_id, values.reason, line))
            continue
        pid = values[at["product_id"]].strip()
        problem, category, image = check.row(values, at, pid)
        if problem:
            report.rejections.append(Rejection(row, pid, problem, line))
            continue
        check.seen.add(pid)
        attrs = {n: values[i] for i, n in extra if values[i].strip().lower() not in _EMPTY}
        products.append(Product(pid, values[at["title"]].strip(), category, image, attrs))
    return Catalog(products, root, report)


class _RowChecker:
    """Validates rows against one catalog root; caches what many rows share (category labels, folders)."""

    def __init__(self, root: Path, check_images: bool, decode_images: bool):
        self.root = str(root)
        self.prefix = self.root.rstrip(os.sep) + os.sep
        self.check_images = check_images or decode_images
        self.decode = decode_images
        self.seen: set[str] = set()
        self._categories: dict[str, str | None] = {}
        self._folders: dict[str, bool] = {}

    def row(self, values: list[str], at: dict[str, int], pid: str) -> tuple[str | None, str | None, Path | None]:
        if pid.lower() in _EMPTY:
            return "empty product_id", None, None
        if pid in self.seen:
            return f"duplicate product_id {pid!r} (first occurrence kept)", None, None
        if values[at["title"]].strip().lower() in _EMPTY:
            return "empty title", None, None
        raw_cat = values[at["category"]].strip()
        if raw_cat not in self._categories:
            self._categories[raw_cat] = _map_category(raw_cat)
        category = self._categories[raw_cat]
        if category is None:
            return (f"unknown category {raw_cat!r}; expected one of {', '.join(taxonomy.CATEGORIES)} "
                    "or a label the taxonomy maps"), None, None
        rel = values[at["image"]].strip()
        if not rel:
            return "empty image path", None, None
        image = self.inside(rel, follow_link=not self.check_images)
        if image is not None and self.check_images:
            problem, image = self.probe(image)
            if problem:
                return f"image {rel!r}: {problem}", None, None
        if image is None:
            return f"image path {rel!r} escapes the catalog folder {self.root}", None, None
        return None, category, Path(image)

    def probe(self, full: str) -> tuple[str | None, str | None]:
        """``(problem, path)`` of an image inside the root: its first bytes are read without following a
        symlink (one system call less per row); a symlink is followed only when it points inside the root
        (``path`` None when it does not)."""
        try:
            fd = os.open(full, _OPEN_FLAGS)
        except OSError as exc:
            if exc.errno != errno.ELOOP:
                return _open_problem(exc), full
            real = os.path.realpath(full)  # a symlink: allowed when its target lies inside the catalog folder
            if not real.startswith(self.prefix):
                return None, None
            return image_problem(real, decode=self.decode), real
        try:
            head = os.read(fd, 32)
        except OSError as exc:
            return _open_problem(exc), full
        finally:
            os.close(fd)
        return _head_problem(head) or (_decode_problem(full) if self.decode else None), full

    def inside(self, rel: str, follow_link: bool = True) -> str | None:
        """The image's absolute path when it lies inside the root (its folders' symlinks followed, and the
        file's own when ``follow_link``), else None."""
        full = os.path.normpath(os.path.join(self.root, rel))
        if not full.startswith(self.prefix):
            return None
        folder = os.path.dirname(full)
        if folder not in self._folders:
            real = os.path.realpath(folder)
            self._folders[folder] = real == self.root or real.startswith(self.prefix)
        if not self._folders[folder]:
            return None
        if follow_link and os.path.islink(full):
            real = os.path.realpath(full)
            if not real.startswith(self.prefix):
                return None
            return real
        return full


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


def image_problem(path: str | Path, *, decode: bool = False) -> str | None:
    """Check of a catalog image, ``None`` when it is fine: exists, non-empty, real image bytes (cheap); with
    ``decode`` the whole image is decoded too (a truncated or corrupt file fails)."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(32)
    except OSError as exc:
        return _open_problem(exc)
    return _head_problem(head) or (_decode_problem(path) if decode else None)


_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)


def _open_problem(exc: OSError) -> str:
    if exc.errno == errno.ENOENT:
        return "file not found"
    if exc.errno == errno.EISDIR:
        return "is a folder, not a file"
    return f"cannot be read ({exc.strerror})"


def _head_problem(head: bytes) -> str | None:
    if not head:
        return "file is empty (0 bytes)"
    if sniff_format(head) is None:
        return "not an image (content is not JPEG, PNG, WebP, GIF, BMP or TIFF)"
    return None


def _decode_problem(path: str | Path) -> str | None:
    try:
        load_image(path, name="image").close()
    except ImageError as exc:
        return str(exc).removeprefix("image: ")
    return None


PLACEHOLDER_SIZE = (240, 320)
"""Width and height of the image shown in place of a product photo that vanished or cannot be decoded."""


def product_image(product: Product) -> Image.Image:
    """The product's photo, upright RGB; when the file vanished or cannot be decoded (after the build), a plain
    placeholder whose ``info["placeholder"]`` says why, naming the file but no server path. A page or answer
    never fails on one missing photo."""
    try:
        return load_image(product.image, name=Path(product.image).name)
    except (ImageError, OSError) as exc:
        reason = str(exc) if isinstance(exc, ImageError) else f"{Path(product.image).name}: {exc.strerror}"
    img = Image.new("RGB", PLACEHOLDER_SIZE, (238, 238, 238))
    draw = ImageDraw.Draw(img)
    w, h = PLACEHOLDER_SIZE
    draw.rectangle((8, 8, w - 9, h - 9), outline=(190, 190, 190), width=3)
    draw.line((8, 8, w - 9, h - 9), fill=(210, 210, 210), width=2)
    draw.line((8, h - 9, w - 9, 8), fill=(210, 210, 210), width=2)
    img.info["placeholder"] = f"the photo of product {product.product_id} is unavailable ({reason})"
    return img


def _load_folder(folder: Path, check_images: bool, decode_images: bool) -> Catalog:
    """A folder of images is a catalog: category from the sub-folder name, title from the file name."""
    root = folder.resolve()
    records: list[Record] = []
    for f in sorted(root.rglob("*")):
        if f.is_file() and f.suffix.lower() in IMAGE_SUFFIXES:
            rel = f.relative_to(root)
            label = rel.parts[0] if len(rel.parts) > 1 else ""
            title = f.stem.replace("_", " ").replace("-", " ").strip()
            records.append((None, [str(rel.with_suffix("")).replace("/", "__"), title or f.stem, label, str(rel)]))
    return _from_records(list(REQUIRED_COLUMNS), records, root, str(folder), check_images, decode_images)


def write_catalog_csv(products: list[Product], path: Path) -> None:
    """Write products as a catalog CSV with image paths relative to the CSV's folder."""
    import pandas as pd

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
