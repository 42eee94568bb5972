"""Reading an index version: every file checked against the manifest first, then memory-mapped for queries.

:func:`load_index` checks sizes and hashes (:mod:`.files`), then shapes, dimensions and row counts, before any
ANN file is handed to Annoy (a truncated Annoy file would crash the process on its first query). A damaged or
stale index is refused with one line that names the file and the rebuild command. :func:`verify_index` checks
every full hash; :func:`describe_index` says what an index holds, for the System page and ``index verify``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..ann import AnnIndex
from ..catalog import Catalog, Product, ValidationReport
from ..encoders.descriptor import Descriptor
from .files import IndexDamaged, check_file
from .manifest import SCHEMA_VERSION, Manifest, read_manifest_file
from .products import TABLE, read_products
from .store import MANIFEST, category_file, rebuild_hint, version_for_reading


@dataclass
class CategoryIndex:
    """One category's (or slot's) ANN index and the global rows its ids stand for."""

    ann: AnnIndex
    rows: np.ndarray


@dataclass
class LoadedIndex:
    """A loaded, checked index version, ready for queries (arrays memory-mapped)."""

    path: Path
    version_dir: Path
    manifest: Manifest
    ids: list[str]
    features: np.ndarray
    vectors: np.ndarray
    descriptor: Descriptor
    categories: dict[str, CategoryIndex]
    products: list[Product]
    catalog: Catalog
    row_of: dict[str, int] = field(default_factory=dict)
    _slots: dict[str, CategoryIndex] | None = None

    def __post_init__(self):
        self.row_of = {pid: i for i, pid in enumerate(self.ids)}

    def __len__(self) -> int:
        return len(self.ids)

    def damaged(self, what: str) -> IndexDamaged:
        """The one-line refusal for a problem found in this index."""
        return IndexDamaged(f"index {self.path} is damaged: {what}; "
                            f"{rebuild_hint(self.path, self.manifest.catalog.path)}")

    def row(self, product_id: str) -> int:
        """Row of an indexed product; ``KeyError`` says so when it is not indexed."""
        try:
            return self.row_of[str(product_id)]
        except KeyError:
            raise KeyError(f"product id {product_id!r} is not in the index {self.path} "
                           f"({len(self.ids)} products)") from None

    def check_encoder(self, encoder) -> None:
        """Refuse (``ValueError`` with the rebuild command) an encoder other than the one the index was built with."""
        want = self.manifest.encoder
        name = encoder if isinstance(encoder, str) else encoder.name
        if want.name != name:
            raise ValueError(f"index {self.path} was built with encoder {want.name!r}, not {name!r}; rebuild it with "
                             f"`fashion-core index build --catalog {self.manifest.catalog.path} --out {self.path} "
                             f"--encoder {name}`")
        if not isinstance(encoder, str) and want.weights_id != encoder.weights_id:
            raise ValueError(f"index {self.path} was built with other weights for {name!r} ({want.weights_id} vs "
                             f"{encoder.weights_id} loaded); {rebuild_hint(self.path, self.manifest.catalog.path)}")

    def search(self, vector: np.ndarray, k: int, category: str | None = None,
               exclude_rows: set[int] | frozenset[int] = frozenset()) -> list[tuple[int, float]]:
        """Best ``k`` (row, cosine) pairs for a similarity vector, in one category or across all."""
        if category is not None and category not in self.categories:
            raise KeyError(f"category {category!r} has no products in this index; "
                           f"indexed: {', '.join(sorted(self.categories))}")
        cats = [category] if category else sorted(self.categories)
        search_k = self.manifest.ann.search_k_per_result * (k + len(exclude_rows))
        hits: list[tuple[int, float]] = []
        for c in cats:
            ci = self.categories[c]
            ids, sims = ci.ann.query(vector, k + len(exclude_rows), search_k=search_k)
            hits += [(int(ci.rows[i]), float(s)) for i, s in zip(ids, sims)
                     if int(ci.rows[i]) not in exclude_rows and np.isfinite(s)]
        hits.sort(key=lambda h: (-round(h[1], 6), h[0]))  # ties by row: deterministic
        return hits[:k]

    # ------------------------------------------------------------------ complete-the-look parts
    @property
    def compat_dir(self) -> Path | None:
        """The copy of the compatibility model inside this version (None when built without one)."""
        return self.version_dir / "compat" / "model" if self.manifest.compat else None

    def compat_embeddings(self) -> np.ndarray:
        """(n, dim) compatibility embeddings, row-aligned with :attr:`ids`."""
        return self._array("compat/embeddings.npy", (len(self), self.manifest.compat.dim))

    def compat_slots(self) -> dict[str, CategoryIndex]:
        """The per-slot ANN indexes in compatibility space (rows are global rows)."""
        if self._slots is None:
            info = self.manifest.compat
            self._slots = {slot: self._ann(f"compat/slot_{slot}", info.dim, count)
                           for slot, count in info.slots.items()} if info else {}
        return self._slots

    def section_arrays(self, section: str) -> dict[str, np.ndarray]:
        """Arrays saved with :meth:`IndexWriter.save_section_arrays` (empty when the index has none)."""
        path = self.version_dir / "sections" / f"{section}.npz"
        if f"sections/{section}.npz" not in self.manifest.files:
            return {}
        try:
            with np.load(path, allow_pickle=False) as z:
                return {k: z[k] for k in z.files}
        except (OSError, ValueError) as exc:
            raise self.damaged(f"sections/{section}.npz cannot be read ({exc})") from None

    # ------------------------------------------------------------------ checked readers
    def _array(self, rel: str, shape: tuple[int, ...]) -> np.ndarray:
        try:
            arr = np.load(self.version_dir / rel, mmap_mode="r", allow_pickle=False)
        except (OSError, ValueError) as exc:
            raise self.damaged(f"{rel} cannot be read ({type(exc).__name__}: {exc})") from None
        if arr.shape != shape:
            raise self.damaged(f"{rel} has shape {arr.shape}, the manifest says {shape}")
        return arr

    def _ann(self, stem: str, dim: int, count: int) -> CategoryIndex:
        rows = self._array(f"{stem}.rows.npy", (count,))
        rows = np.asarray(rows)
        if count and (rows.min() < 0 or rows.max() >= len(self)):
            raise self.damaged(f"{stem}.rows.npy points outside the {len(self)} products")
        name = f"{stem}.ann" if (self.version_dir / f"{stem}.ann").exists() else f"{stem}.npy"
        try:
            ann = AnnIndex.load(self.version_dir / stem, dim)
        except (OSError, ValueError) as exc:
            raise self.damaged(f"{name} cannot be loaded ({exc})") from None
        if ann.n_items != count:
            raise self.damaged(f"{name} holds {ann.n_items} vectors, the manifest says {count}")
        return CategoryIndex(ann, rows)


def load_index(index_dir: str | Path, encoder=None) -> LoadedIndex:
    """Load and check the served version of an index directory; refuses a damaged one (:class:`IndexDamaged`) and
    one built with models other than ``encoder`` (``ValueError``), each in one line with the rebuild command."""
    root = Path(index_dir)
    version = version_for_reading(root)
    try:
        manifest = read_manifest_file(version / MANIFEST)
    except IndexDamaged as exc:
        raise IndexDamaged(f"index {root} is damaged: {exc}; {rebuild_hint(root)}") from None
    if manifest.schema_version != SCHEMA_VERSION:
        raise IndexDamaged(f"index {root} has schema version {manifest.schema_version}, this code reads "
                           f"{SCHEMA_VERSION}; {rebuild_hint(root, manifest.catalog.path)}")
    hint = rebuild_hint(root, manifest.catalog.path)
    for rel, record in manifest.files.items():
        problem = check_file(version / rel, rel, record)
        if problem:
            raise IndexDamaged(f"index {root} is damaged: {problem}; {hint}")
    n = manifest.n_products
    try:
        import json

        ids = json.loads((version / "ids.json").read_text(encoding="utf-8"))
        if not isinstance(ids, list) or len(ids) != n or len(set(ids)) != n:
            raise ValueError(f"{len(ids) if isinstance(ids, list) else 'no'} distinct ids for {n} products")
        ids = [str(i) for i in ids]
        root_dir = Path(manifest.catalog.root or Path(manifest.catalog.path).parent)
        products = read_products(version / TABLE, root_dir)
        if [p.product_id for p in products] != ids:
            raise ValueError(f"{TABLE} does not list the products of ids.json in the same order")
        descriptor = Descriptor.load(version / "descriptor.npz", manifest.similarity)
    except IndexDamaged as exc:
        raise IndexDamaged(f"index {root} is damaged: {exc}; {hint}") from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise IndexDamaged(f"index {root} is damaged: {type(exc).__name__}: {exc}; {hint}") from None
    report = ValidationReport(source=manifest.catalog.path, n_rows=n + int(manifest.counts.get("rejected_rows", 0)))
    catalog = Catalog(products, root_dir, report)
    index = LoadedIndex(root, version, manifest, ids, np.zeros((0, 0)), np.zeros((0, 0)), descriptor, {}, products,
                        catalog)
    index.features = index._array("features.npy", (n, manifest.encoder.dim))
    index.vectors = index._array("vectors.npy", (n, descriptor.out_dim))
    if descriptor.out_dim != manifest.similarity_dim:
        raise index.damaged(f"descriptor.npz makes {descriptor.out_dim}-d vectors, the manifest says "
                            f"{manifest.similarity_dim}")
    by_category = manifest.by_category
    for category in manifest.categories:
        index.categories[category] = index._ann(f"ann/{category_file(category)}", descriptor.out_dim,
                                                int(by_category.get(category, 0)))
    if encoder is not None:
        index.check_encoder(encoder)
    return index


def read_manifest(index_dir: str | Path) -> Manifest:
    """The served version's manifest alone (cheap: no arrays are opened), for tools that only need figures."""
    return read_manifest_file(version_for_reading(index_dir) / MANIFEST)


def verify_index(index_dir: str | Path) -> list[str]:
    """Every problem of the served version, with full hashes of every file (``index verify``); empty when sound."""
    root = Path(index_dir)
    try:
        version = version_for_reading(root)
        manifest = read_manifest_file(version / MANIFEST)
    except (FileNotFoundError, IndexDamaged) as exc:
        return [str(exc)]
    problems = [p for rel, rec in sorted(manifest.files.items())
                if (p := check_file(version / rel, rel, rec, full=True))]
    if not problems:
        try:
            load_index(root)
        except (IndexDamaged, ValueError, FileNotFoundError) as exc:
            problems.append(str(exc))
    return problems


def describe_index(index: LoadedIndex) -> dict:
    """What an index holds, for people: version, counts, models, files and their sizes (no absolute paths)."""
    m = index.manifest
    return {"version": m.build_id, "created": m.created, "products": m.n_products, "by_category": m.by_category,
            "rejected_rows": int(m.counts.get("rejected_rows", 0)),
            "undecodable_images": int(m.counts.get("undecodable_images", 0)),
            "encoder": m.encoder.to_dict(), "compat": m.compat.to_dict() if m.compat else None,
            "wearer": m.wearer, "attribute_heads": [h["name"] for h in m.similarity.get("attribute_heads", [])],
            "ann": m.ann.to_dict(), "build": m.build, "catalog_name": Path(m.catalog.path).name,
            "files": {rel: rec.size for rel, rec in sorted(m.files.items())},
            "size_bytes": sum(rec.size for rec in m.files.values())}
