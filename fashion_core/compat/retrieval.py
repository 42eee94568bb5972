"""Complete the look: per-slot Annoy indexes in compatibility space, and the outfit they answer.

At ingest, :func:`build_slot_indexes` embeds every product with the compatibility model (raw image features
from ``features.npy`` + titles) and writes, under ``<index>/compat/``: ``embeddings.npy`` (row-aligned with
``ids.json``), one index per outfit slot (``slot_<slot>.ann`` or ``.npy`` via :class:`~fashion_core.ann.AnnIndex`)
with ``slot_<slot>.json`` (index row → product id), and a copy of the model in ``model/`` so the index
directory is self-contained. :class:`ComplementIndex` reads them back and answers :meth:`~ComplementIndex.complete`.
An index built without a compatibility model still answers, in raw image-feature space, and says so.
"""

from __future__ import annotations

import json
import logging
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .. import taxonomy
from ..ann import AnnIndex
from ..catalog import Product
from ..recommendation import Recommendation
from .model import CompatModel, load_model

log = logging.getLogger(__name__)

COMPAT_DIR = "compat"


@dataclass
class Outfit:
    """The completed look: one best item per other slot (``outfit``) and the top-k of each slot (``by_slot``)."""

    query_category: str
    outfit: list[Recommendation] = field(default_factory=list)
    by_slot: dict[str, list[Recommendation]] = field(default_factory=dict)

    def to_dict(self) -> dict:
        """The ``complete --json`` shape: ``{"query_category", "outfit": [...], "by_slot": {...}}``."""
        return {"query_category": self.query_category, "outfit": [r.to_dict() for r in self.outfit],
                "by_slot": {s: [r.to_dict() for r in recs] for s, recs in self.by_slot.items()}}


def build_slot_indexes(staging_dir: str | Path, compat_model: str | Path, products: Sequence[Product],
                       features: np.ndarray) -> dict:
    """Embed ``products`` (rows of ``features``) with the model and write the per-slot indexes; returns the
    manifest's ``compat`` section."""
    staging_dir, compat_model = Path(staging_dir), Path(compat_model)
    if len(products) != len(features):
        raise ValueError(f"{len(products)} products but {len(features)} feature rows; they must be row-aligned")
    model = load_model(compat_model)
    emb = model.embed(image=np.asarray(features, dtype=np.float32) if model.cfg.uses_image else None,
                      titles=[p.title for p in products] if model.cfg.uses_text else None)
    out = staging_dir / COMPAT_DIR
    out.mkdir(parents=True, exist_ok=True)
    np.save(out / "embeddings.npy", emb.astype(np.float32))
    counts = _write_slots(out, products, emb)
    shutil.copytree(compat_model, out / "model", dirs_exist_ok=True)
    return {"model_id": model.id, "mode": model.cfg.mode, "dim": model.cfg.dim, "model_dir": f"{COMPAT_DIR}/model",
            "source_model": str(compat_model.resolve()), "image_encoder": model.cfg.image_encoder,
            "text_encoder": model.cfg.text_encoder, "slots": counts}


def _write_slots(out: Path, products: Sequence[Product], emb: np.ndarray) -> dict[str, int]:
    counts = {}
    for slot, rows in _rows_by_slot(products).items():
        AnnIndex.build(emb[rows]).save(out / f"slot_{slot}")
        (out / f"slot_{slot}.json").write_text(json.dumps([products[r].product_id for r in rows]))
        counts[slot] = len(rows)
    return counts


def _rows_by_slot(products: Sequence[Product]) -> dict[str, list[int]]:
    rows: dict[str, list[int]] = {}
    for r, p in enumerate(products):
        rows.setdefault(p.slot, []).append(r)
    return {s: rows[s] for s in taxonomy.SLOTS if s in rows}


def _wearable(outfit: list[Recommendation]) -> list[Recommendation]:
    """Keep one wearable outfit: a one-piece *or* top + bottom, whichever scores higher on average."""
    one_piece = [r for r in outfit if r.slot == "one-piece"]
    separates = [r for r in outfit if r.slot in ("top", "bottom")]
    if not one_piece or not separates:
        return outfit
    drop = "one-piece" if np.mean([r.score for r in separates]) >= one_piece[0].score else "separates"
    return [r for r in outfit if (r.slot == "one-piece") != (drop == "one-piece")
            or r.slot not in ("one-piece", "top", "bottom")]


class ComplementIndex:
    """Answers "what goes with this item?" from the per-slot indexes of an index directory."""

    def __init__(self, by_id: dict[str, Product], slots: dict[str, tuple[AnnIndex, list[str]]],
                 model: CompatModel | None, reason: str):
        self.by_id = by_id
        self.slots = slots
        self.model = model
        self.reason = reason

    @property
    def trained(self) -> bool:
        """True when answers come from a compatibility model (not the raw-feature fallback)."""
        return self.model is not None

    @classmethod
    def load(cls, index_dir: str | Path, products: Iterable[Product]) -> ComplementIndex:
        """Read the per-slot indexes of ``index_dir`` (or fall back to raw image features when it has none)."""
        index_dir = Path(index_dir)
        manifest_path = index_dir / "manifest.json"
        if not manifest_path.exists():
            raise FileNotFoundError(f"{index_dir} is not an index (no manifest.json); build one with "
                                    "`fashion-core index build --catalog FILE --out DIR`")
        manifest = json.loads(manifest_path.read_text())
        by_id = {p.product_id: p for p in products}
        section = manifest.get("compat")
        if not section:
            return cls._fallback(index_dir, manifest, by_id)
        model = load_model(index_dir / section.get("model_dir", f"{COMPAT_DIR}/model"))
        want, have = model.cfg.image_encoder or {}, manifest.get("encoder", {})
        if model.cfg.uses_image and (want.get("name"), want.get("weights_id")) != (have.get("name"),
                                                                                    have.get("weights_id")):
            raise ValueError(f"{index_dir}: the compatibility model reads {want.get('name')} features but the index "
                             f"holds {have.get('name')} ({have.get('weights_id')}); rebuild with "
                             "`fashion-core index build --catalog FILE --out DIR --compat-model M`")
        slots = {}
        for slot in section.get("slots", {}):
            ids = json.loads((index_dir / COMPAT_DIR / f"slot_{slot}.json").read_text())
            slots[slot] = (AnnIndex.load(index_dir / COMPAT_DIR / f"slot_{slot}", model.cfg.dim), ids)
        return cls(by_id, slots, model, f"goes with it (compatibility model {model.id})")

    @classmethod
    def _fallback(cls, index_dir: Path, manifest: dict, by_id: dict[str, Product]) -> ComplementIndex:
        log.warning("%s has no compatibility model: complete-the-look falls back to visual likeness; rebuild with "
                    "`fashion-core index build ... --compat-model M` for trained answers", index_dir)
        ids = json.loads((index_dir / "ids.json").read_text())
        feats = np.load(index_dir / "features.npy", mmap_mode="r", allow_pickle=False)
        products = [by_id[i] for i in ids if i in by_id]
        rows_of = {i: r for r, i in enumerate(ids)}
        slots = {}
        for slot, rows in _rows_by_slot(products).items():
            prow = [rows_of[products[r].product_id] for r in rows]
            slots[slot] = (AnnIndex.build(np.asarray(feats[prow])), [products[r].product_id for r in rows])
        return cls(by_id, slots, None, "looks alike (no compatibility model in this index)")

    def embed_query(self, image_feature: np.ndarray | None, title: str | None) -> np.ndarray:
        """The query's vector in this index's space (compatibility embedding, or raw feature in fallback)."""
        if self.model is None:
            if image_feature is None:
                raise ValueError("this index has no compatibility model; a query needs image features")
            return np.asarray(image_feature, dtype=np.float32).reshape(-1)
        image = None if image_feature is None else np.asarray(image_feature, dtype=np.float32).reshape(1, -1)
        titles = [title] if title else None
        if image is None and titles is None:
            raise ValueError("complete-the-look needs the item's image features, its title, or both")
        if not self.model.cfg.uses_image and titles is None:
            raise ValueError(f"the compatibility model ({self.model.cfg.mode}) reads titles only; pass the title")
        return self.model.embed(image, titles)[0]

    def complete(self, image_feature: np.ndarray | None, title: str | None, category: str, k: int = 5,
                 exclude_ids: Iterable[str] = ()) -> Outfit:
        """Best item per other slot that fits with ``category`` (never its own slot, no bottom for a dress; the
        outfit holds a one-piece or top + bottom, not both), and the top-``k`` of each such slot."""
        if k < 1:
            raise ValueError(f"k must be at least 1, got {k}")
        query_slot = taxonomy.slot_of(category)
        vector = self.embed_query(image_feature, title)
        exclude = set(exclude_ids)
        result = Outfit(query_category=category)
        for slot in taxonomy.complementary_slots(query_slot):
            if slot not in self.slots:
                continue
            index, ids = self.slots[slot]
            idx, sims = index.query(vector, k + len(exclude))
            recs = [Recommendation(self.by_id[ids[i]], float(s), self.reason, slot)
                    for i, s in zip(idx.tolist(), sims.tolist()) if ids[i] not in exclude and ids[i] in self.by_id]
            if recs:
                result.by_slot[slot] = recs[:k]
                result.outfit.append(recs[0])
        result.outfit = _wearable(result.outfit)
        return result
