"""An index directory: manifest, ids, raw features, similarity vectors and one ANN index per category.

Layout (``SCHEMA_VERSION`` 1)::

    manifest.json      schema_version, encoder {name, weights_id, dim}, similarity knobs, counts,
                       catalog {path, hash}, created, categories, ann {n_trees, search_k}, [compat]
    ids.json           row -> product_id
    features.npy       raw L2-normalised encoder output (n, dim), row-aligned with ids.json
    vectors.npy        similarity vectors (n, d), what the ANN indexes hold
    descriptor.npz     the fitted map from encoder parts to similarity vectors (knobs: manifest['similarity'])
    ann/<category>.ann one Annoy index per category (.npy for small, exactly searched sets)
    ann/<category>.rows.npy  index id -> row

A manifest that does not match the models in use is refused with the command that rebuilds it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .ann import AnnIndex
from .catalog import Catalog, Product, load_catalog
from .encoders.descriptor import Descriptor

SCHEMA_VERSION = 1
N_TREES = 50
SEARCH_K_PER_RESULT = 2000
"""Annoy ``search_k`` = this × k: nodes inspected per query (recall vs speed): with k = 10, search_k 20,000 measured
recall@10 0.97 at 26× the speed of exact search on 1M vectors (benchmarks/bench_ann.py)."""


def category_file(category: str) -> str:
    """File-name stem for a category (``scarf/tie`` -> ``scarf-tie``)."""
    return category.replace("/", "-").replace(" ", "_")


def rebuild_hint(index_dir: Path, manifest: dict | None = None) -> str:
    """The command that rebuilds this index."""
    cat = (manifest or {}).get("catalog", {}).get("path", "CATALOG")
    enc = (manifest or {}).get("encoder", {}).get("name", "efficientnet-lite0")
    return f"rebuild with `fashion-core index build --catalog {cat} --out {index_dir} --encoder {enc}`"


def write_category_indexes(out_dir: Path, vectors: np.ndarray, categories: list[str], n_trees: int = N_TREES) -> dict:
    """Build and save one ANN index per category; returns ``{category: count}``."""
    ann_dir = Path(out_dir) / "ann"
    ann_dir.mkdir(parents=True, exist_ok=True)
    cats = np.asarray(categories)
    counts = {}
    for category in sorted(set(categories)):
        rows = np.flatnonzero(cats == category)
        AnnIndex.build(vectors[rows], n_trees=n_trees).save(ann_dir / f"{category_file(category)}.ann")
        np.save(ann_dir / f"{category_file(category)}.rows.npy", rows.astype(np.int64))
        counts[category] = int(len(rows))
    return counts


@dataclass
class CategoryIndex:
    """One category's ANN index and the global rows its ids stand for."""

    ann: AnnIndex
    rows: np.ndarray


@dataclass
class LoadedIndex:
    """A loaded index directory, ready for queries (arrays memory-mapped)."""

    path: Path
    manifest: dict
    ids: list[str]
    features: np.ndarray
    vectors: np.ndarray
    descriptor: Descriptor
    categories: dict[str, CategoryIndex]
    catalog: Catalog
    row_of: dict[str, int] = field(default_factory=dict)
    products: list[Product] = field(default_factory=list)

    def __post_init__(self):
        self.row_of = {pid: i for i, pid in enumerate(self.ids)}
        self.products = [self.catalog.get(pid) for pid in self.ids]

    def __len__(self) -> int:
        return len(self.ids)

    def row(self, product_id: str) -> int:
        """Row of an indexed product; ``KeyError`` says how to fix a missing one."""
        try:
            return self.row_of[str(product_id)]
        except KeyError:
            where = "in the catalog but not in" if str(product_id) in self.catalog else "not in"
            raise KeyError(f"product id {product_id!r} is {where} the index {self.path}"
                           + (f"; {rebuild_hint(self.path, self.manifest)}" if where.startswith("in") else "")) from None

    def search(self, vector: np.ndarray, k: int, category: str | None = None,
               exclude_rows: set[int] | frozenset[int] = frozenset()) -> list[tuple[int, float]]:
        """Best ``k`` (row, cosine) pairs for a similarity vector, in one category or across all."""
        if category is not None and category not in self.categories:
            raise KeyError(f"category {category!r} has no products in this index; "
                           f"indexed: {', '.join(sorted(self.categories))}")
        cats = [category] if category else sorted(self.categories)
        search_k = SEARCH_K_PER_RESULT * (k + len(exclude_rows))
        hits: list[tuple[int, float]] = []
        for c in cats:
            ci = self.categories[c]
            ids, sims = ci.ann.query(vector, k + len(exclude_rows), search_k=search_k)
            hits += [(int(ci.rows[i]), float(s)) for i, s in zip(ids, sims) if int(ci.rows[i]) not in exclude_rows]
        hits.sort(key=lambda h: (-round(h[1], 6), h[0]))  # ties by row: deterministic
        return hits[:k]


def read_manifest(index_dir: str | Path) -> dict:
    """The manifest of an index directory (clear errors when missing or unreadable)."""
    path = Path(index_dir) / "manifest.json"
    if not path.exists():
        raise FileNotFoundError(f"{index_dir} is not an index directory (no manifest.json); "
                                "build one with `fashion-core index build --catalog FILE --out DIR`")
    try:
        return json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path} is not valid JSON ({exc}); {rebuild_hint(Path(index_dir))}") from None


def check_compatible(manifest: dict, index_dir: Path, encoder=None) -> None:
    """Raise ``ValueError`` (with the rebuild command) when the index was built by other models or code."""
    if manifest.get("schema_version") != SCHEMA_VERSION:
        raise ValueError(f"index {index_dir} has schema version {manifest.get('schema_version')}, this code reads "
                         f"{SCHEMA_VERSION}; {rebuild_hint(index_dir, manifest)}")
    if encoder is None:
        return
    want = manifest.get("encoder", {})
    name = encoder if isinstance(encoder, str) else encoder.name
    if want.get("name") != name:
        raise ValueError(f"index {index_dir} was built with encoder {want.get('name')!r}, not {name!r}; "
                         f"{rebuild_hint(index_dir, {**manifest, 'encoder': {'name': name}})}")
    if not isinstance(encoder, str) and want.get("weights_id") != encoder.weights_id:
        raise ValueError(f"index {index_dir} was built with other weights for {name!r} "
                         f"({want.get('weights_id')} vs {encoder.weights_id} loaded); {rebuild_hint(index_dir, manifest)}")


def load_index(index_dir: str | Path, encoder=None) -> LoadedIndex:
    """Load an index directory; refuses (``ValueError``) one built with models other than ``encoder``."""
    index_dir = Path(index_dir)
    manifest = read_manifest(index_dir)
    check_compatible(manifest, index_dir, encoder)
    ids = json.loads((index_dir / "ids.json").read_text())
    features = np.load(index_dir / "features.npy", mmap_mode="r", allow_pickle=False)
    vectors = np.load(index_dir / "vectors.npy", mmap_mode="r", allow_pickle=False)
    if len(ids) != len(features) or len(ids) != len(vectors):
        raise ValueError(f"index {index_dir} is inconsistent ({len(ids)} ids, {len(features)} features, "
                         f"{len(vectors)} vectors); {rebuild_hint(index_dir, manifest)}")
    descriptor = Descriptor.load(index_dir / "descriptor.npz", manifest["similarity"])
    cats = {}
    for category in manifest["categories"]:
        stem = index_dir / "ann" / category_file(category)
        rows = np.load(f"{stem}.rows.npy", allow_pickle=False)
        cats[category] = CategoryIndex(AnnIndex.load(f"{stem}.ann", descriptor.out_dim), rows)
    return LoadedIndex(index_dir, manifest, list(ids), features, vectors, descriptor, cats,
                       _indexed_catalog(index_dir, manifest, ids))


def _indexed_catalog(index_dir: Path, manifest: dict, ids: list[str]) -> Catalog:
    """The catalog the index was built from; refuses one that lost indexed products."""
    path = Path(manifest["catalog"]["path"])
    catalog = load_catalog(path, check_images=False)
    missing = [pid for pid in ids if pid not in catalog]
    if missing:
        raise ValueError(f"catalog {path} no longer has {len(missing)} indexed products "
                         f"(e.g. {missing[0]}); {rebuild_hint(index_dir, manifest)}")
    return catalog
