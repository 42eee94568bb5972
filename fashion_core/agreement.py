"""How alike two indexes answer: every product's top-k similar items, and the share of products whose lists are
identical. It checks that an update, a Ray ingest or a rebuild answers as a clean build (tests and benchmarks)."""

from __future__ import annotations

from pathlib import Path

from .config import Settings
from .recommend import Recommender


def top_lists(index_dir: Path, k: int = 10, limit: int | None = None) -> dict[str, list[str]]:
    """product id -> its top-``k`` similar product ids, over every (or the first ``limit``) indexed product."""
    rec = Recommender(index_dir, settings=Settings.resolve(), category_model=None)
    ids = rec.index.ids[:limit] if limit else rec.index.ids
    return {pid: [r.product.product_id for r in rec.similar_items(pid, k=k)] for pid in ids}


def same_share(a: dict[str, list[str]], b: dict[str, list[str]]) -> float:
    """Share of queries with identical top lists (over the union of query ids)."""
    keys = set(a) | set(b)
    return sum(a.get(q) == b.get(q) for q in keys) / max(len(keys), 1)
