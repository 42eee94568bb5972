"""Catalog ingest: validate, decode, encode in resumable shards, fit the descriptor, build the indexes, swap.

The build happens in a staging folder beside the target (``.<name>.staging``); finished shards of
encoder output survive an interruption there, and a rerun with the same catalog and encoder picks
them up. When everything is written the staging folder replaces the target in two renames, so a
crash never leaves a half-written index where a good one was.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from . import taxonomy
from .ann import exact_search
from .catalog import Catalog, Product, load_catalog
from .encoders import create_encoder
from .encoders.attributes import column_labels, default_columns
from .encoders.descriptor import Descriptor, extract_parts, weights_for_parts
from .imageio import ImageError, load_image
from .index import N_TREES, SCHEMA_VERSION, SEARCH_K_PER_RESULT, write_category_indexes

log = logging.getLogger(__name__)

SHARD_ROWS = int(os.environ.get("FASHION_INGEST_SHARD", "512"))
"""Catalog rows per feature shard (a multiple of the encoder batch, so resumed builds meet the same batches);
``FASHION_INGEST_SHARD`` overrides it (small shards make interruption tests quick)."""

RECALL_SAMPLE = 200


def build_index(catalog_path: str | Path, out_dir: str | Path, encoder: str = "efficientnet-lite0",
                compat_model: Path | None = None, progress: bool = True,
                crop_fn: Callable | None = None, attributes: list[str] | None = None) -> Path:
    """Ingest ``catalog_path`` into the index directory ``out_dir`` (atomic swap); returns ``out_dir``.

    ``attributes``: catalog columns to fit attribute heads on (``encoders.attributes``); None picks the
    catalog's type and colour columns when it has them, ``[]`` fits none."""
    t0 = time.perf_counter()
    out_dir = Path(out_dir).resolve()
    catalog = load_catalog(catalog_path)
    log.info(catalog.report.summary())
    for line in catalog.report.lines():
        log.warning("rejected %s", line)
    if len(catalog) == 0:
        raise ValueError(f"catalog {catalog_path}: no valid products to index ({catalog.report.summary()})")
    columns = _attribute_columns(catalog, catalog_path, attributes)
    enc = create_encoder(encoder)
    staging = out_dir.parent / f".{out_dir.name}.staging"
    key = {"catalog_hash": catalog.content_hash(), "encoder": enc.name, "weights_id": enc.weights_id,
           "crop": getattr(crop_fn, "__qualname__", None), "shard_rows": SHARD_ROWS}
    _prepare_staging(staging, key)
    t_enc = time.perf_counter()
    parts, ok, n_encoded = _encode_shards(catalog, enc, staging / "shards", progress, crop_fn)
    enc_s = time.perf_counter() - t_enc
    speed = round(n_encoded / enc_s, 1) if n_encoded else None
    print(f"encoded {n_encoded} images in {enc_s:.1f} s ({speed} images/s); "
          f"{len(catalog) - n_encoded} reused from finished shards", file=sys.stderr)
    products = [p for p, good in zip(catalog.products, ok) if good]
    for p, good in zip(catalog.products, ok):
        if not good:
            log.warning("skipped %s: its image could not be decoded", p.product_id)
    parts = {k: v[ok] for k, v in parts.items()}
    rows = [p.attributes for p in products]
    t_fit = time.perf_counter()
    descriptor = Descriptor(weights=weights_for_parts(parts)).fit(parts, {c: column_labels(rows, c) for c in columns})
    if descriptor.heads:
        print("attribute heads: " + ", ".join(f"{h.name} ({len(h.classes)} classes)" for h in descriptor.heads)
              + f", fitted in {time.perf_counter() - t_fit:.1f} s", file=sys.stderr)
    vectors = descriptor.transform(parts)
    features = np.ascontiguousarray(parts["head"], dtype=np.float32)
    categories = [p.category for p in products]
    counts = write_category_indexes(staging, vectors, categories)
    recall = sample_recall(staging, vectors, categories)
    print(f"ANN recall@10 vs exact search on {min(RECALL_SAMPLE, len(products))} sampled products: {recall:.3f}",
          file=sys.stderr)
    np.save(staging / "features.npy", features)
    np.save(staging / "vectors.npy", vectors.astype(np.float32))
    descriptor.save(staging / "descriptor.npz")
    (staging / "ids.json").write_text(json.dumps([p.product_id for p in products]))
    manifest = _manifest(catalog, catalog_path, enc, descriptor, products, counts, recall, len(catalog) - len(products))
    if compat_model is not None:
        from .compat.retrieval import build_slot_indexes

        manifest["compat"] = build_slot_indexes(staging, Path(compat_model), products, features)
    manifest["ingest_images_per_s"] = speed
    manifest["build_seconds"] = round(time.perf_counter() - t0, 2)
    (staging / "manifest.json").write_text(json.dumps(manifest, indent=2))
    shutil.rmtree(staging / "shards", ignore_errors=True)
    (staging / "build.json").unlink(missing_ok=True)
    _swap(staging, out_dir)
    log.info("index %s: %d products, %d categories, %.1f s", out_dir, len(products), len(counts),
             manifest["build_seconds"])
    return out_dir


def _attribute_columns(catalog: Catalog, catalog_path, attributes: list[str] | None) -> list[str]:
    """The columns to fit attribute heads on; asked-for columns with no values are an error before any work."""
    rows = [p.attributes for p in catalog.products]
    if attributes is None:
        return default_columns(rows)
    missing = [c for c in attributes if all(v is None for v in column_labels(rows, c))]
    if missing:
        raise ValueError(f"catalog {catalog_path}: no values in attribute column(s) {', '.join(missing)}; "
                         f"columns with values: {', '.join(sorted({k for r in rows for k in r})) or 'none'}")
    return list(attributes)


def _prepare_staging(staging: Path, key: dict) -> None:
    """Reuse the staging folder when it belongs to the same build (resume), else start it afresh."""
    marker = staging / "build.json"
    if staging.exists():
        try:
            same = json.loads(marker.read_text()) == key
        except (OSError, json.JSONDecodeError):
            same = False
        if same:
            done = len(list((staging / "shards").glob("*.npz")))
            log.info("resuming the interrupted build in %s (%d shards done)", staging, done)
            return
        shutil.rmtree(staging)
    (staging / "shards").mkdir(parents=True)
    marker.write_text(json.dumps(key))


def _load_for_ingest(product: Product, crop_fn: Callable | None):
    try:
        image = load_image(product.image)
    except (ImageError, OSError):
        return None
    return crop_fn(image, product) if crop_fn else image


def _encode_shards(catalog: Catalog, enc, shard_dir: Path, progress: bool, crop_fn) -> tuple[dict, np.ndarray, int]:
    """Encoder parts for every product (from finished shards where present), an ok-mask, and how many
    images were encoded now."""
    from tqdm import tqdm

    n = len(catalog)
    shards, oks, n_encoded = [], [], 0
    bar = tqdm(total=n, desc="encoding", unit="img", disable=not progress, file=sys.stderr)
    for s, start in enumerate(range(0, n, SHARD_ROWS)):
        path = shard_dir / f"{s:05d}.npz"
        chunk = catalog.products[start:start + SHARD_ROWS]
        if path.exists():
            with np.load(path, allow_pickle=False) as z:
                shard = {k: z[k] for k in z.files}
        else:
            images = [_load_for_ingest(p, crop_fn) for p in chunk]
            good = np.array([im is not None for im in images])
            encoded = extract_parts(enc, [im for im in images if im is not None])
            shard = {k: _spread(v, good) for k, v in encoded.items()}
            shard["ok"] = good
            tmp = shard_dir / f"{s:05d}.tmp.npz"
            np.savez(tmp, **shard)
            os.replace(tmp, path)  # a shard exists whole or not at all
            n_encoded += len(chunk)
        oks.append(shard.pop("ok"))
        shards.append(shard)
        bar.update(len(chunk))
    bar.close()
    parts = {k: np.concatenate([sh[k] for sh in shards]) for k in shards[0]}
    return parts, np.concatenate(oks).astype(bool), n_encoded


def _spread(values: np.ndarray, good: np.ndarray) -> np.ndarray:
    """Rows for the good images placed back among zero rows for the images that failed."""
    out = np.zeros((len(good),) + values.shape[1:], dtype=np.float32)
    out[good] = values
    return out


def sample_recall(index_dir: Path, vectors: np.ndarray, categories: list[str], k: int = 10,
                  sample: int = RECALL_SAMPLE) -> float:
    """Recall@k of the per-category ANN indexes against exact search, on an evenly spaced sample."""
    loaded_rows = {}
    cats = np.asarray(categories)
    idx = load_index_parts(index_dir, vectors.shape[1], sorted(set(categories)))
    hits = total = 0
    for r in np.linspace(0, len(vectors) - 1, min(sample, len(vectors))).round().astype(int):
        c = categories[r]
        rows = loaded_rows.setdefault(c, np.flatnonzero(cats == c))
        truth, _ = exact_search(vectors[rows], vectors[r], k)
        got, _ = idx[c].query(vectors[r], k, search_k=SEARCH_K_PER_RESULT * k)
        hits += len(set(got.tolist()) & set(truth[0].tolist()))
        total += truth.shape[1]
    return hits / max(total, 1)


def load_index_parts(index_dir: Path, dim: int, categories: list[str]) -> dict:
    """The per-category ANN indexes of a (possibly staging) index directory."""
    from .ann import AnnIndex
    from .index import category_file

    return {c: AnnIndex.load(Path(index_dir) / "ann" / f"{category_file(c)}.ann", dim) for c in categories}


def _manifest(catalog: Catalog, catalog_path, enc, descriptor: Descriptor, products: list[Product],
              counts: dict, recall: float, n_skipped: int) -> dict:
    return {
        "schema_version": SCHEMA_VERSION,
        "encoder": {"name": enc.name, "weights_id": enc.weights_id, "dim": int(enc.dim)},
        "similarity": descriptor.config(),
        "counts": {"products": len(products), "rejected_rows": len(catalog.report.rejections),
                   "undecodable_images": n_skipped, "by_category": counts},
        "catalog": {"path": str(Path(catalog_path).resolve()), "hash": catalog.content_hash()},
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "categories": [c for c in taxonomy.CATEGORIES if c in counts],
        "ann": {"library": "annoy", "metric": "angular", "n_trees": N_TREES,
                "search_k_per_result": SEARCH_K_PER_RESULT, "recall_at_10_sample": round(recall, 4)},
    }


def _swap(staging: Path, out_dir: Path) -> None:
    """Put ``staging`` where ``out_dir`` is; the old index is removed only once the new one is in place."""
    old = out_dir.parent / f".{out_dir.name}.old"
    if old.exists():
        shutil.rmtree(old)
    if out_dir.exists():
        os.replace(out_dir, old)
    os.replace(staging, out_dir)
    if old.exists():
        shutil.rmtree(old)

