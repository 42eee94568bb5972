"""The typed manifest of an index version: what was built, from what, with which models, and every file's record.

``manifest.json`` (``SCHEMA_VERSION`` 2) holds the schema version, the build id and date, the image encoder
(name, weights id, dim), the similarity descriptor's knobs, counts, the catalog (path, hash), the categories,
the ANN settings, the compatibility model (or none), the wearer model (or none), build figures, and the size /
hash of every file. Sections that other modules own (``similarity``, ``wearer``, ``extra``) stay plain dicts.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .files import FileRecord, IndexDamaged

SCHEMA_VERSION = 2
FORMAT = "fashion-core index"
N_TREES = 50
SEARCH_K_PER_RESULT = 2000
"""Annoy ``search_k`` = this × k: nodes inspected per query (recall vs speed): with k = 10, search_k 20,000 measured
recall@10 0.97 at 26× the speed of exact search on 1M vectors (benchmarks/bench_ann.py)."""


@dataclass(frozen=True)
class EncoderInfo:
    """The image encoder an index was built with."""

    name: str
    weights_id: str
    dim: int

    def to_dict(self) -> dict:
        """JSON shape."""
        return {"name": self.name, "weights_id": self.weights_id, "dim": self.dim}


@dataclass(frozen=True)
class CatalogInfo:
    """The catalog an index was built from."""

    path: str
    hash: str
    root: str = ""

    def to_dict(self) -> dict:
        """JSON shape."""
        return {"path": self.path, "hash": self.hash, "root": self.root}


@dataclass(frozen=True)
class AnnInfo:
    """How the per-category ANN indexes were built and how well they recall."""

    library: str = "annoy"
    metric: str = "angular"
    n_trees: int = N_TREES
    search_k_per_result: int = SEARCH_K_PER_RESULT
    recall_at_10_sample: float | None = None

    def to_dict(self) -> dict:
        """JSON shape."""
        return {"library": self.library, "metric": self.metric, "n_trees": self.n_trees,
                "search_k_per_result": self.search_k_per_result, "recall_at_10_sample": self.recall_at_10_sample}


@dataclass(frozen=True)
class CompatInfo:
    """The compatibility model the per-slot indexes were embedded with (a copy lives in ``compat/model/``)."""

    model_id: str
    mode: str
    dim: int
    slots: dict[str, int]
    image_encoder: dict | None = None
    text_encoder: dict | None = None
    source_model: str = ""

    def to_dict(self) -> dict:
        """JSON shape."""
        return {"model_id": self.model_id, "mode": self.mode, "dim": self.dim, "slots": dict(self.slots),
                "image_encoder": self.image_encoder, "text_encoder": self.text_encoder,
                "source_model": self.source_model}

    @classmethod
    def from_dict(cls, d: dict) -> CompatInfo:
        """Read the manifest section."""
        return cls(str(d["model_id"]), str(d["mode"]), int(d["dim"]), {str(k): int(v) for k, v in d["slots"].items()},
                   d.get("image_encoder"), d.get("text_encoder"), str(d.get("source_model", "")))


@dataclass
class Manifest:
    """``manifest.json`` of one index version, typed."""

    encoder: EncoderInfo
    similarity: dict[str, Any]
    catalog: CatalogInfo
    categories: list[str]
    counts: dict[str, Any] = field(default_factory=dict)
    ann: AnnInfo = field(default_factory=AnnInfo)
    compat: CompatInfo | None = None
    wearer: dict[str, Any] | None = None
    build: dict[str, Any] = field(default_factory=dict)
    files: dict[str, FileRecord] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    build_id: str = ""
    created: str = ""
    schema_version: int = SCHEMA_VERSION

    @property
    def n_products(self) -> int:
        """Products in the index."""
        return int(self.counts.get("products", 0))

    @property
    def by_category(self) -> dict[str, int]:
        """Products per category."""
        return dict(self.counts.get("by_category", {}))

    @property
    def similarity_dim(self) -> int:
        """Length of the similarity vectors (visual part plus attribute heads)."""
        return int(self.similarity.get("out_dim", self.similarity.get("dim", 0)))

    def to_dict(self) -> dict:
        """The JSON document written as ``manifest.json``."""
        return {
            "format": FORMAT, "schema_version": self.schema_version, "build_id": self.build_id,
            "created": self.created, "encoder": self.encoder.to_dict(), "similarity": self.similarity,
            "counts": self.counts, "catalog": self.catalog.to_dict(), "categories": list(self.categories),
            "ann": self.ann.to_dict(), "compat": self.compat.to_dict() if self.compat else None,
            "wearer": self.wearer, "build": self.build, "extra": self.extra,
            "files": {k: v.to_dict() for k, v in sorted(self.files.items())},
        }

    def to_json(self) -> str:
        """``manifest.json`` text (no NaN: JSON has none)."""
        return json.dumps(self.to_dict(), indent=2, allow_nan=False)

    @classmethod
    def from_dict(cls, d: dict, where: str = "manifest.json") -> Manifest:
        """Read a manifest document; an :class:`IndexDamaged` error names what is missing or malformed."""
        try:
            enc, cat = d["encoder"], d["catalog"]
            return cls(
                encoder=EncoderInfo(str(enc["name"]), str(enc["weights_id"]), int(enc["dim"])),
                similarity=dict(d["similarity"]),
                catalog=CatalogInfo(str(cat["path"]), str(cat["hash"]), str(cat.get("root", ""))),
                categories=[str(c) for c in d["categories"]],
                counts=dict(d.get("counts", {})),
                ann=AnnInfo(**{k: v for k, v in (d.get("ann") or {}).items() if k in AnnInfo.__dataclass_fields__}),
                compat=CompatInfo.from_dict(d["compat"]) if d.get("compat") else None,
                wearer=d.get("wearer"),
                build=dict(d.get("build", {})),
                files={str(k): FileRecord.from_dict(v) for k, v in d.get("files", {}).items()},
                extra=dict(d.get("extra", {})),
                build_id=str(d.get("build_id", "")),
                created=str(d.get("created", "")),
                schema_version=int(d.get("schema_version", 0)),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise IndexDamaged(f"{where} is malformed ({type(exc).__name__}: {exc})") from None


def read_manifest_file(path: Path) -> Manifest:
    """Parse one ``manifest.json``; :class:`IndexDamaged` when it is unreadable or malformed."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise IndexDamaged(f"{path.name} cannot be read ({type(exc).__name__}: {exc})") from None
    if not isinstance(doc, dict):
        raise IndexDamaged(f"{path.name} is not a JSON object")
    return Manifest.from_dict(doc, path.name)
