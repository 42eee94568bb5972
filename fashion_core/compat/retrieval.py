"""Complete the look: per-slot Annoy indexes in compatibility space, and the outfit they answer.

At ingest, :func:`build_slot_indexes` embeds every product with the compatibility model (raw image features +
titles) and hands the index writer the embeddings, one ANN index per outfit slot with its rows, and a copy of the
model, so the index directory is self-contained (the layout is :mod:`fashion_core.index`'s).
:meth:`ComplementIndex.from_index` reads them back from a loaded index and answers :meth:`~ComplementIndex.complete`.
An index built without a compatibility model still answers, in raw image-feature space, and says so.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from .. import taxonomy
from ..ann import AnnIndex
from ..catalog import Product
from ..index import CompatInfo
from ..results import Outfit, Recommendation
from .model import CompatModel, load_model

log = logging.getLogger(__name__)


def build_slot_indexes(writer, compat_model: str | Path, products: Sequence[Product],
                       features: np.ndarray) -> CompatInfo:
    """Embed ``products`` (rows of ``features``) with the model and write the per-slot indexes through the index
    ``writer`` (:class:`fashion_core.index.IndexWriter`); returns the manifest's ``compat`` section."""
    compat_model = Path(compat_model)
    if len(products) != len(features):
        raise ValueError(f"{len(products)} products but {len(features)} feature rows; they must be row-aligned")
    model = load_model(compat_model)
    emb = model.embed(image=np.asarray(features, dtype=np.float32) if model.cfg.uses_image else None,
                      titles=[p.title for p in products] if model.cfg.uses_text else None)
    slots = {slot: (AnnIndex.build(emb[rows]), np.asarray(rows, dtype=np.int64))
             for slot, rows in _rows_by_slot(products).items()}
    writer.save_compat(emb.astype(np.float32), slots, compat_model)
    counts = {slot: len(rows) for slot, (_, rows) in slots.items()}
    return CompatInfo(model_id=model.id, mode=model.cfg.mode, dim=model.cfg.dim, slots=counts,
                      image_encoder=model.cfg.image_encoder, text_encoder=model.cfg.text_encoder,
                      source_model=compat_model.resolve().name)


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
    def from_index(cls, index) -> ComplementIndex:
        """The complete-the-look side of a loaded index (:class:`fashion_core.index.LoadedIndex`): its per-slot
        indexes and compatibility model, or — when it was built without one — raw image features, and says so."""
        by_id = {p.product_id: p for p in index.products}
        info = index.manifest.compat
        if info is None:
            return cls._fallback(index, by_id)
        model = load_model(index.compat_dir)
        want, have = model.cfg.image_encoder or {}, index.manifest.encoder
        if model.cfg.uses_image and (want.get("name"), want.get("weights_id")) != (have.name, have.weights_id):
            raise ValueError(f"{index.path}: the compatibility model reads {want.get('name')} features but the index "
                             f"holds {have.name} ({have.weights_id}); rebuild the index with its compatibility model")
        slots = {slot: (ci.ann, [index.ids[int(r)] for r in ci.rows]) for slot, ci in index.compat_slots().items()}
        return cls(by_id, slots, model, f"goes with it (compatibility model {model.id})")

    @classmethod
    def _fallback(cls, index, by_id: dict[str, Product]) -> ComplementIndex:
        log.warning("%s has no compatibility model: complete-the-look falls back to visual likeness; rebuild with "
                    "`fashion-core index build ... --compat-model M` for trained answers", index.path)
        slots = {}
        for slot, rows in _rows_by_slot(index.products).items():
            slots[slot] = (AnnIndex.build(np.asarray(index.features[rows])), [index.ids[r] for r in rows])
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
        result = Outfit(query_category=category, trained=self.trained)
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
