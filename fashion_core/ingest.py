"""Catalog ingest: validate, decode, encode in resumable shards, fit the descriptor, build the indexes, swap.

Phases (each logged; ``FASHION_BUILD_PAUSE_AT=<phase>`` holds a build at one, for fault-injection tests):
``encode`` (encoder parts per product, in shards of :data:`SHARD_ROWS` that survive an interruption),
``descriptor`` (fit the similarity descriptor and attribute heads), ``ann`` (per-category Annoy indexes, the
product table, the compatibility slots), ``swap`` (the new version is complete; ``CURRENT`` is replaced). The
index directory itself belongs to :mod:`fashion_core.index`: this module hands it arrays and records.
"""

from __future__ import annotations

import errno
import hashlib
import io
import logging
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from . import taxonomy
from .ann import AnnIndex, exact_search
from .catalog import Catalog, Product, ValidationReport, load_catalog
from .config import Settings, env_flag
from .encoders import create_encoder
from .encoders.attributes import column_labels, default_columns
from .encoders.descriptor import PARTS_VERSION, Descriptor, extract_parts, weights_for_parts
from .imageio import ImageError, load_image
from .index import (
    N_TREES,
    SEARCH_K_PER_RESULT,
    AnnInfo,
    CatalogInfo,
    EncoderInfo,
    IndexWriter,
    Manifest,
    check_output,
    open_build,
)
from .index.cache import FeatureCache, model_id, store_dtype

log = logging.getLogger(__name__)

SHARD_ROWS = int(env_flag("FASHION_INGEST_SHARD", "512"))
"""Catalog rows per feature shard (a multiple of the encoder batch, so resumed builds meet the same batches);
``FASHION_INGEST_SHARD`` overrides it (small shards make interruption tests quick)."""

RECALL_SAMPLE = 200
PHASES = ("encode", "descriptor", "ann", "swap")

EncodeFn = Callable[..., tuple[dict, np.ndarray, int]]
"""An ingest engine's encode stage: ``(catalog, encoder, shard_dir, progress, crop_fn) -> (parts, ok, n_encoded)``."""


def pause_at(phase: str) -> None:
    """Fault-injection hook: when ``FASHION_BUILD_PAUSE_AT`` names ``phase``, say so on stderr and wait, so a test
    can kill the build exactly there; otherwise only log the phase."""
    log.info("build phase: %s", phase)
    if env_flag("FASHION_BUILD_PAUSE_AT") == phase:
        print(f"build paused at phase {phase} (pid {os.getpid()})", file=sys.stderr, flush=True)
        time.sleep(float(env_flag("FASHION_BUILD_PAUSE_SECONDS", "120")))


def build_index(catalog_path: str | Path, out_dir: str | Path, encoder: str | None = None,
                compat_model: Path | None = None, progress: bool = True,
                crop_fn: Callable | None = None, attributes: list[str] | None = None, *, force: bool = False,
                engine: str = "local", wearer_model: Path | str | None = "settings") -> Path:
    """Ingest ``catalog_path`` into the index directory ``out_dir`` (one atomic swap); returns ``out_dir``.

    ``attributes``: catalog columns to fit attribute heads on (``encoders.attributes``); None picks the
    catalog's type and colour columns when it has them, ``[]`` fits none. ``compat_model``: the compatibility
    model for complete the look (None: visual likeness). ``encoder``: a registered encoder name (None: the
    settings' encoder, the shipped fashion encoder when present, so the shipped category model fits).
    ``force``: build into a non-empty folder that is not an index (nothing in it is deleted). ``engine``:
    ``local`` (this process) or another registered engine. ``wearer_model``: the shipped wearer model weighed
    against the catalog's own gender labels (``"settings"``: the settings' one; None: the catalog's labels only)."""
    t0 = time.perf_counter()
    out_dir = Path(out_dir).absolute()
    catalog_path = Path(catalog_path)
    catalog = load_catalog(catalog_path)
    log.info(catalog.report.summary())
    for line in [*catalog.report.notes, *(f"rejected {x}" for x in catalog.report.lines())]:
        log.warning(line)
    if len(catalog) == 0:
        raise ValueError(f"catalog {catalog_path}: no valid products to index ({catalog.report.summary()})")
    columns = _attribute_columns(catalog, catalog_path, attributes)
    protect = _protected(catalog_path, catalog)
    check_output(out_dir, protect=protect, force=force)  # refuse an unsafe --out before loading any model
    enc = create_encoder(encoder or Settings.resolve().encoder)
    encode_fn = engine_encoder(engine)
    key = {"catalog_hash": catalog.content_hash(), "encoder": enc.name, "weights_id": enc.weights_id,
           "crop": getattr(crop_fn, "__qualname__", None), "shard_rows": SHARD_ROWS}
    with open_build(out_dir, key, protect=protect, force=force) as writer:
        pause_at("encode")
        t_enc = time.perf_counter()
        # the feature cache: only the products it does not hold are encoded
        parts, ok, n_encoded = encode_cached(encode_fn, out_dir, catalog, enc, writer.scratch("shards"), progress,
                                             crop_fn)
        enc_s = time.perf_counter() - t_enc
        speed = round(n_encoded / enc_s, 1) if n_encoded else None
        print(f"encoded {n_encoded} images in {enc_s:.1f} s ({speed} images/s); "
              f"{len(catalog) - n_encoded} reused from finished shards", file=sys.stderr)
        ok = ok & _finite_rows(parts)
        for p, good in zip(catalog.products, ok):
            if not good:
                log.warning("skipped %s: its image could not be decoded", p.product_id)
        if not ok.any():
            raise ValueError(f"catalog {catalog_path}: none of the {len(catalog)} images could be decoded")
        products = [p for p, good in zip(catalog.products, ok) if good]
        parts = {k: v[ok] for k, v in parts.items()}
        manifest = assemble(writer, catalog, catalog_path, enc, products, parts, columns, compat_model, wearer_model)
        manifest.build.update({"engine": engine, "ingest_images_per_s": speed, "encoded": n_encoded,
                               "reused": len(catalog) - n_encoded, "build_seconds": round(time.perf_counter() - t0, 2)})
        writer.commit(manifest, pause_at=pause_at)
    log.info("index %s: %d products, %d categories, %.1f s", out_dir, len(products), len(manifest.categories),
             manifest.build["build_seconds"])
    return out_dir


def index_from_parts(out_dir: str | Path, catalog: Catalog, catalog_path: str | Path, encoder: EncoderInfo,
                     parts: dict[str, np.ndarray], *, attributes: list[str] | None = (),
                     compat_model: Path | None = None, force: bool = False, build: dict | None = None,
                     wearer_model: Path | str | None = "settings") -> Path:
    """Write an index from encoder parts computed elsewhere (another engine's shards, an incremental update, a
    test's synthetic features), row-aligned with ``catalog.products``; the same assembly as :func:`build_index`."""
    n = len(catalog)
    if any(len(v) != n for v in parts.values()):
        raise ValueError(f"encoder parts must have one row per product ({n}); got "
                         + ", ".join(f"{k} {len(v)}" for k, v in parts.items()))
    columns = _attribute_columns(catalog, catalog_path, None if attributes is None else list(attributes))
    products = list(catalog.products)
    ok = _finite_rows(parts)
    if not ok.all():  # a NaN row would reach the descriptor fit and every answer: it is left out, and said
        log.warning("left out %d products whose encoder parts are not finite: %s", int((~ok).sum()),
                    ", ".join(p.product_id for p, good in zip(products, ok) if not good)[:300])
        if not ok.any():
            raise ValueError(f"catalog {catalog_path}: every product's encoder parts hold NaN or infinity")
        products = [p for p, good in zip(products, ok) if good]
        parts = {k: np.asarray(v)[ok] for k, v in parts.items()}
    key = {"from_parts": True, "catalog_hash": catalog.content_hash(), "encoder": encoder.name,
           "weights_id": encoder.weights_id}
    with open_build(Path(out_dir).absolute(), key, protect=_protected(Path(catalog_path), catalog),
                    force=force) as writer:
        manifest = assemble(writer, catalog, Path(catalog_path), encoder, products, parts, columns, compat_model,
                            wearer_model)
        manifest.build.update(build or {"engine": "parts"})
        writer.commit(manifest, pause_at=pause_at)
    return Path(out_dir)


def assemble(writer: IndexWriter, catalog: Catalog, catalog_path: Path, enc, products: list[Product],
             parts: dict[str, np.ndarray], columns: list[str], compat_model: Path | None,
             wearer_model: Path | str | None = "settings") -> Manifest:
    """Everything after encoding, the same for every engine: descriptor, vectors, ANN indexes, product table,
    compatibility slots, wearer model; returns the manifest to commit. ``wearer_model``: the shipped wearer model
    to weigh against the catalog's own labels (``"settings"``: the settings' one; None: none)."""
    pause_at("descriptor")
    t_fit = time.perf_counter()
    rows = [p.attributes for p in products]
    if columns:  # about 25 s per 10,000 labelled products on 2 cores: say so before the wait
        print(f"fitting attribute heads ({', '.join(columns)}) on {len(products):,} products ...", file=sys.stderr)
    descriptor = Descriptor(weights=weights_for_parts(parts)).fit(parts, {c: column_labels(rows, c) for c in columns})
    if descriptor.heads:
        print("attribute heads: " + ", ".join(f"{h.name} ({len(h.classes)} classes)" for h in descriptor.heads)
              + f", fitted in {time.perf_counter() - t_fit:.1f} s", file=sys.stderr)
    vectors = descriptor.transform(parts).astype(np.float32)
    features = np.ascontiguousarray(parts["head"], dtype=np.float32)
    pause_at("ann")
    categories = [p.category for p in products]
    counts, anns = write_category_indexes(writer, vectors, categories)
    recall = sample_recall(anns, vectors, categories)
    print(f"ANN recall@10 vs exact search on {min(RECALL_SAMPLE, len(products))} sampled products: {recall:.3f}",
          file=sys.stderr)
    writer.save_features(features, vectors)
    writer.save_descriptor(descriptor)
    writer.save_products(products, catalog.root)
    writer.save_rejections(catalog.report.to_dict()["rejections"])
    manifest = Manifest(
        encoder=EncoderInfo(enc.name, enc.weights_id, int(enc.dim)),
        similarity=descriptor.config(),
        catalog=CatalogInfo(str(Path(catalog_path).resolve()), catalog.content_hash(), str(catalog.root)),
        categories=[c for c in taxonomy.CATEGORIES if c in counts],
        counts={"products": len(products), "rejected_rows": len(catalog.report.rejections),
                "undecodable_images": len(catalog) - len(products), "by_category": counts},
        ann=AnnInfo(n_trees=N_TREES, search_k_per_result=SEARCH_K_PER_RESULT, recall_at_10_sample=round(recall, 4)),
    )
    if compat_model is not None:
        from .compat.retrieval import build_slot_indexes

        manifest.compat = build_slot_indexes(writer, Path(compat_model), products, features, manifest.encoder)
    from .outfits.wearer import build_wearer
    from .outfits.wearer_prior import load_prior

    prior = load_prior(Settings.resolve().wearer_model if wearer_model == "settings" else wearer_model, enc)
    manifest.wearer = build_wearer(writer, descriptor.visual(parts), products, parts["head"], prior)
    return manifest


def _protected(catalog_path: Path, catalog: Catalog) -> list[Path]:
    """What an index build must never build into or over: the catalog file (or folder) and its image folders."""
    folders = {Path(p.image).parent.absolute() for p in catalog.products}
    if Path(catalog_path).is_dir():
        folders.add(catalog.root.absolute())
    return [Path(catalog_path).absolute(), *sorted(folders)]


def _finite_rows(parts: dict[str, np.ndarray]) -> np.ndarray:
    """Rows whose every part is finite (a NaN from a broken image must not reach an index)."""
    ok = np.ones(len(next(iter(parts.values()))), dtype=bool)
    for v in parts.values():
        ok &= np.isfinite(np.asarray(v, dtype=np.float32)).reshape(len(ok), -1).all(axis=1)
    return ok


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


def write_category_indexes(writer: IndexWriter, vectors: np.ndarray, categories: list[str],
                           n_trees: int = N_TREES) -> tuple[dict[str, int], dict[str, AnnIndex]]:
    """Build and save one ANN index per category; returns ``{category: count}`` and the built indexes."""
    cats = np.asarray(categories)
    counts, anns = {}, {}
    for category in sorted(set(categories)):
        rows = np.flatnonzero(cats == category)
        ann = AnnIndex.build(vectors[rows], n_trees=n_trees)
        writer.save_category_ann(category, ann, rows.astype(np.int64))
        counts[category], anns[category] = int(len(rows)), ann
    return counts, anns


def sample_recall(anns: dict[str, AnnIndex], vectors: np.ndarray, categories: list[str], k: int = 10,
                  sample: int = RECALL_SAMPLE) -> float:
    """Recall@k of the per-category ANN indexes against exact search, on an evenly spaced sample."""
    cats = np.asarray(categories)
    rows_of: dict[str, np.ndarray] = {}
    hits = total = 0
    for r in np.linspace(0, len(vectors) - 1, min(sample, len(vectors))).round().astype(int):
        c = categories[r]
        rows = rows_of.setdefault(c, np.flatnonzero(cats == c))
        truth, _ = exact_search(vectors[rows], vectors[r], k)
        got, _ = anns[c].query(vectors[r], k, search_k=SEARCH_K_PER_RESULT * k)
        hits += len(set(got.tolist()) & set(truth[0].tolist()))
        total += truth.shape[1]
    return hits / max(total, 1)


# ---------------------------------------------------------------- engines: the encode stage

_ENGINES: dict[str, EncodeFn] = {}


def register_engine(name: str) -> Callable[[EncodeFn], EncodeFn]:
    """Decorator: make an encode stage available to ``build_index(engine=name)``."""
    def deco(fn: EncodeFn) -> EncodeFn:
        _ENGINES[name] = fn
        return fn
    return deco


def engine_encoder(name: str) -> EncodeFn:
    """The encode stage of engine ``name``; a clear error for an unknown one."""
    if name not in _ENGINES:
        from .engines import load  # optional engines (ray) register themselves when imported

        load(name)
    if name not in _ENGINES:
        raise ValueError(f"unknown ingest engine {name!r}; expected one of {', '.join(sorted(_ENGINES))}")
    return _ENGINES[name]


def crop_name(crop_fn) -> str | None:
    """How a crop function is named in the model id (None: the whole image)."""
    return getattr(crop_fn, "__qualname__", None) if crop_fn is not None else None


def encode_cached(encode_fn, index_root: Path, catalog: Catalog, enc, shard_dir: Path, progress: bool,
                  crop_fn) -> tuple[dict[str, np.ndarray], np.ndarray, int]:
    """An engine's encode stage behind the feature cache: ``(parts, ok, n_encoded)`` for every product of
    ``catalog`` in order, encoding (with ``encode_fn``) only the products the cache does not hold."""
    cache = FeatureCache(index_root, model_id(enc.name, enc.weights_id, crop_name(crop_fn), PARTS_VERSION))
    t0 = time.perf_counter()
    keys = cache.keys_for(catalog.products)
    hit = cache.lookup(keys)
    miss = np.flatnonzero(~hit)
    print(f"feature cache: {int(hit.sum())} of {len(keys)} products cached, {len(miss)} to encode "
          f"(keys in {time.perf_counter() - t0:.1f} s)", file=sys.stderr)
    n_encoded = 0
    if len(miss):
        sub = Catalog([catalog.products[i] for i in miss], catalog.root,
                      ValidationReport(source=catalog.report.source, n_rows=len(miss)))
        # shards of this exact set of misses only (a resumed build meets the same set, never another's shards)
        tag = hashlib.sha256(b"".join(keys[i] for i in miss)).hexdigest()[:12]
        folder = shard_dir if len(miss) == len(keys) else shard_dir / f"misses-{tag}"
        folder.mkdir(parents=True, exist_ok=True)
        new_parts, new_ok, n_encoded = encode_fn(sub, enc, folder, progress, crop_fn)
        cache.add([keys[i] for i in miss], new_parts, new_ok)
    cached_parts, cached_ok = cache.read(keys)
    cache.retain(keys)
    cache.mark_last()
    return cached_parts, cached_ok.astype(bool), n_encoded


def _load_for_ingest(product: Product, crop_fn: Callable | None):
    try:
        image = load_image(product.image)
    except (ImageError, OSError):
        return None
    return crop_fn(image, product) if crop_fn else image


def encode_chunk(products: list[Product], enc, crop_fn: Callable | None) -> dict[str, np.ndarray]:
    """Encoder parts of a chunk of products (zero rows where an image failed) and its ``ok`` mask."""
    images = [_load_for_ingest(p, crop_fn) for p in products]
    good = np.array([im is not None for im in images], dtype=bool)
    encoded = extract_parts(enc, [im for im in images if im is not None])
    shard = {k: _spread(v, good) for k, v in encoded.items()}
    shard["ok"] = good
    return shard


@register_engine("local")
def encode_local(catalog: Catalog, enc, shard_dir: Path, progress: bool, crop_fn) -> tuple[dict, np.ndarray, int]:
    """Encoder parts for every product (from finished shards where present), an ok-mask, and how many
    images were encoded now. Each shard is written whole or not at all."""
    from tqdm import tqdm

    n = len(catalog)
    shards, oks, n_encoded = [], [], 0
    bar = tqdm(total=n, desc="encoding", unit="img", disable=not progress, file=sys.stderr)
    for s, start in enumerate(range(0, n, SHARD_ROWS)):
        path = shard_dir / f"{s:05d}.npz"
        chunk = catalog.products[start:start + SHARD_ROWS]
        shard = read_shard(path) if path.exists() else None
        if shard is None or len(shard["ok"]) != len(chunk):
            shard = encode_chunk(chunk, enc, crop_fn)
            write_shard(path, shard)
            n_encoded += len(chunk)
        oks.append(shard.pop("ok"))
        shards.append(shard)
        bar.update(len(chunk))
    bar.close()
    parts = {k: np.concatenate([sh[k] for sh in shards]) for k in shards[0]}
    return parts, np.concatenate(oks).astype(bool), n_encoded


def read_shard(path: Path) -> dict[str, np.ndarray] | None:
    """A finished shard, or None when it cannot be read (it is then encoded again)."""
    try:
        with np.load(path, allow_pickle=False) as z:
            return {k: z[k] for k in z.files}
    except (OSError, ValueError, EOFError) as exc:
        log.warning("shard %s is unreadable (%s): encoding it again", path.name, exc)
        return None


def write_shard(path: Path, shard: dict[str, np.ndarray]) -> None:
    """Write a shard atomically; on failure (a full disk) remove the partial file and say what to do."""
    tmp = path.with_name(path.stem + ".tmp.npz")
    buffer = io.BytesIO()
    np.savez(buffer, **shard)  # in memory first: a failed write then leaves no half-closed zip behind
    try:
        with open(tmp, "wb") as fh:
            fh.write(buffer.getbuffer())
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)  # a shard exists whole or not at all
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        if exc.errno == errno.ENOSPC:
            raise OSError(errno.ENOSPC, f"the disk is full while writing encoder shards in {path.parent}; the partial "
                                        "shard was removed and finished shards are kept: free some space and run "
                                        "the same build again to resume") from None
        raise


def _spread(values: np.ndarray, good: np.ndarray) -> np.ndarray:
    """Rows for the good images placed back among zero rows for the images that failed."""
    out = np.zeros((len(good),) + values.shape[1:], dtype=store_dtype(values))
    out[good] = values
    return out
