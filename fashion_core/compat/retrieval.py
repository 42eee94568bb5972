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
from ..index import CompatInfo, rebuild_hint
from ..outfits.profile import CatalogProfile, ItemProfile
from ..outfits.rules import SoftWeights
from ..outfits.search import EXACT_LIMIT, OutfitSearch, SearchQuery, SlotSpace
from ..results import Filters, Outfit, Wearer
from .model import CompatModel, load_model

log = logging.getLogger(__name__)


def build_slot_indexes(writer, compat_model: str | Path, products: Sequence[Product],
                       features: np.ndarray, encoder=None) -> CompatInfo:
    """Embed ``products`` (rows of ``features``) with the model and write the per-slot indexes through the index
    ``writer`` (:class:`fashion_core.index.IndexWriter`); returns the manifest's ``compat`` section. ``encoder``
    (the index's :class:`~fashion_core.index.EncoderInfo`): a model that reads another encoder's features is
    refused."""
    compat_model = Path(compat_model)
    if len(products) != len(features):
        raise ValueError(f"{len(products)} products but {len(features)} feature rows; they must be row-aligned")
    model = load_model(compat_model)
    want = model.cfg.image_encoder or {}
    if encoder is not None and model.cfg.uses_image and \
            (want.get("name"), want.get("weights_id")) != (encoder.name, encoder.weights_id):
        raise ValueError(f"the compatibility model {compat_model} reads {want.get('name')} features "
                         f"({want.get('weights_id')}) but this index is built with {encoder.name} "
                         f"({encoder.weights_id}); rebuild the model for this encoder (`fashion-core models rebuild "
                         "compat` reads the settings' encoder) or build with --compat-model none")
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


class ComplementIndex:
    """Answers "what goes with this item?" from the per-slot indexes of an index directory (through
    :class:`~fashion_core.outfits.search.OutfitSearch`: the joint outfit search, with the outfit rules on or off)."""

    def __init__(self, products: Sequence[Product], slots: dict[str, SlotSpace], embeddings: np.ndarray,
                 features: np.ndarray, model: CompatModel | None, reason: str, profile: CatalogProfile | None = None):
        self.products = list(products)
        self.by_id = {p.product_id: p for p in self.products}
        self.row_of = {p.product_id: r for r, p in enumerate(self.products)}
        self.model = model
        self.reason = reason
        self.profile = profile or CatalogProfile.of_products(self.products)
        weights = SoftWeights.from_dict((model.cfg.training or {}).get("soft_weights") if model else None)
        self.search = OutfitSearch(slots, embeddings, self.products, features, self.profile, weights,
                                   model is not None, reason)

    @property
    def slots(self) -> dict[str, SlotSpace]:
        """The slot spaces (rows and embeddings of each slot's products)."""
        return self.search.slots

    @property
    def trained(self) -> bool:
        """True when answers come from a compatibility model (not the raw-feature fallback)."""
        return self.model is not None

    @classmethod
    def from_index(cls, index, profile: CatalogProfile | None = None) -> ComplementIndex:
        """The complete-the-look side of a loaded index (:class:`fashion_core.index.LoadedIndex`): its per-slot
        indexes and compatibility model, or — when it was built without one — raw image features, and says so."""
        info = index.manifest.compat
        if info is None:
            return cls._fallback(index, profile)
        model = load_model(index.compat_dir)
        want, have = model.cfg.image_encoder or {}, index.manifest.encoder
        if model.cfg.uses_image and (want.get("name"), want.get("weights_id")) != (have.name, have.weights_id):
            raise ValueError(f"{index.path}: the compatibility model reads {want.get('name')} features "
                             f"({want.get('weights_id')}) but the index holds {have.name} ({have.weights_id}); "
                             f"{rebuild_hint(index.path, index.manifest.catalog.path)}")
        embeddings = index.compat_embeddings()
        slots = {}
        for slot, ci in index.compat_slots().items():
            rows = np.asarray(ci.rows, dtype=np.int64)
            order = np.argsort(rows, kind="stable")
            rows = rows[order]
            dense = np.ascontiguousarray(embeddings[rows], dtype=np.float32) if len(rows) <= EXACT_LIMIT else None
            slots[slot] = SlotSpace(slot, rows, dense, ci.ann)
        return cls(index.products, slots, embeddings, index.features, model,
                   f"goes with it (compatibility model {model.id})", profile)

    @classmethod
    def _fallback(cls, index, profile: CatalogProfile | None) -> ComplementIndex:
        log.warning("%s has no compatibility model: complete-the-look falls back to visual likeness; rebuild with "
                    "`fashion-core index build ... --compat-model M` for trained answers", index.path)
        slots = {}
        for slot, rows in _rows_by_slot(index.products).items():
            rows = np.asarray(rows, dtype=np.int64)
            feats = np.asarray(index.features[rows], dtype=np.float32)
            feats /= np.maximum(np.linalg.norm(feats, axis=1, keepdims=True), 1e-12)
            if len(rows) <= EXACT_LIMIT:
                slots[slot] = SlotSpace(slot, rows, np.ascontiguousarray(feats))
            else:
                slots[slot] = SlotSpace(slot, rows, None, AnnIndex.build(feats))
        return cls(index.products, slots, index.features, index.features, None,
                   "looks alike (no compatibility model in this index)", profile)

    def embed_query(self, image_feature: np.ndarray | None, title: str | None) -> np.ndarray:
        """The query's vector in this index's space (compatibility embedding, or raw feature in fallback)."""
        if self.model is None:
            if image_feature is None:
                raise ValueError("this index has no compatibility model; a query needs image features")
            v = np.asarray(image_feature, dtype=np.float32).reshape(-1)
            return v / max(float(np.linalg.norm(v)), 1e-12)
        image = None if image_feature is None else np.asarray(image_feature, dtype=np.float32).reshape(1, -1)
        titles = [title] if title else None
        if image is None and titles is None:
            raise ValueError("complete-the-look needs the item's image features, its title, or both")
        if not self.model.cfg.uses_image and titles is None:
            raise ValueError(f"the compatibility model ({self.model.cfg.mode}) reads titles only; pass the title")
        return self.model.embed(image, titles)[0]

    def complete(self, image_feature: np.ndarray | None, title: str | None, category: str, k: int = 5,
                 exclude_ids: Iterable[str] = (), *, profile: ItemProfile | None = None, wearer: Wearer | None = None,
                 filters: Filters | None = None, use_rules: bool = False) -> Outfit:
        """Best item per other slot that fits with ``category`` (never its own slot, no bottom for a dress; the
        outfit holds a one-piece or top + bottom, not both), chosen jointly, and the top-``k`` of each such slot.
        ``use_rules`` applies the outfit rules (:mod:`fashion_core.outfits.rules`) for the query's ``profile``
        and ``wearer``; ``filters`` are the shopper's."""
        if k < 1:
            raise ValueError(f"k must be at least 1, got {k}")
        taxonomy.slot_of(category)
        vector = self.embed_query(image_feature, title)
        exclude = frozenset(self.row_of[i] for i in exclude_ids if i in self.row_of)
        query = SearchQuery(vector, category, profile or ItemProfile(), exclude, wearer or Wearer())
        return self.search.complete(query, k, filters, use_rules)
