"""Incremental catalog updates: re-encode only new or changed products, drop removed ones, rebuild the descriptor
and ANN indexes, swap atomically.

Every build goes through :func:`fashion_core.ingest.encode_cached`: products whose cache key (image content hash, title, model id;
see :mod:`fashion_core.index.cache`) is in the index directory's feature cache are read from it, the rest are
encoded by the build's engine (local or Ray) and appended to the cache. :func:`update_index` (``fashion-core
index update``) rebuilds an existing index for a new version of its catalog with the models it was built with;
its encoding cost follows the size of the change, and its answers are those of a full rebuild of the new
catalog (the same features, the same deterministic descriptor and ANN build).
"""

from __future__ import annotations

import logging
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from .catalog import load_catalog
from .encoders.descriptor import PARTS_VERSION
from .index import load_index
from .index.cache import FeatureCache, last_model, model_id
from .ingest import build_index, crop_name

log = logging.getLogger(__name__)


@dataclass
class UpdateReport:
    """What an update changed: product counts by kind of change, how many images were encoded, and time."""

    index: str
    products: int
    added: int
    changed: int
    removed: int
    unchanged: int
    encoded: int
    seconds: float
    version: str

    def to_dict(self) -> dict:
        """JSON shape of ``index update --json``."""
        return asdict(self)


def update_index(catalog_path: str | Path, index_dir: str | Path, *, engine: str = "local",
                 compat_model: Path | None | str = "keep", attributes: list[str] | None = None,
                 progress: bool = True) -> UpdateReport:
    """Rebuild the index at ``index_dir`` for the catalog at ``catalog_path``, re-encoding only new or changed
    products. The encoder, crop, attribute columns and compatibility model are the index's own unless given
    (``compat_model="keep"``: the copy inside the index; None: none)."""


    t0 = time.perf_counter()
    index_dir = Path(index_dir)
    old = load_index(index_dir)  # a missing or damaged index is refused here, with the build command
    m = old.manifest
    previous = last_model(index_dir) or {}
    crop_fn = None
    if previous.get("crop"):
        from .detection.crops import product_crop

        if previous["crop"] != crop_name(product_crop):
            raise ValueError(f"index {index_dir} was built with crop {previous['crop']!r}, which this code does not "
                             f"know; rebuild it with `fashion-core index build`")
        crop_fn = product_crop
    if compat_model == "keep":
        compat_model = old.compat_dir
    if attributes is None:
        attributes = [h["name"] for h in m.similarity.get("attribute_heads", [])]
    catalog = load_catalog(catalog_path)
    old_ids = set(old.ids)
    cache = FeatureCache(index_dir, model_id(m.encoder.name, m.encoder.weights_id, crop_name(crop_fn),
                                            PARTS_VERSION))
    hit = cache.lookup(cache.keys_for(catalog.products))
    new_ids = [p.product_id for p in catalog.products]
    added = sum(pid not in old_ids for pid in new_ids)
    changed = sum(pid in old_ids and not h for pid, h in zip(new_ids, hit))
    removed = len(old_ids - set(new_ids))
    if not cache.segments:
        print(f"index {index_dir} has no feature cache yet (built before caching): every product is encoded "
              "this time, the next update is incremental", file=sys.stderr)
    del old
    build_index(catalog_path, index_dir, encoder=m.encoder.name, compat_model=compat_model, progress=progress,
                crop_fn=crop_fn, attributes=attributes, engine=engine)
    new = load_index(index_dir).manifest
    report = UpdateReport(index=str(index_dir), products=new.n_products, added=added, changed=changed,
                          removed=removed, unchanged=len(new_ids) - added - changed,
                          encoded=int(new.build.get("encoded", 0)), seconds=round(time.perf_counter() - t0, 2),
                          version=new.build_id)
    log.info("index update %s: %s", index_dir, report.to_dict())
    return report
