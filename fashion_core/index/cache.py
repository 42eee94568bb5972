"""The feature cache of an index directory: encoder parts of every product encoded so far, keyed by what makes
them (the image's content hash, the title and the model id), so a build re-encodes only new or changed products.

Layout (inside the index directory, beside ``versions/``; one folder per model id)::

    cache/<model key>/meta.json          the model id it holds (encoder, weights, crop) and its segments
    cache/<model key>/seg-<n>/keys.npy   (rows, 32) uint8 entry keys (SHA-256 digests)
    cache/<model key>/seg-<n>/ok.npy     (rows,) whether the image could be decoded
    cache/<model key>/seg-<n>/<part>.npy (rows, dim) float32 encoder parts (``head``, ``mid``...); float16
                                         for parts made in half precision (``colour_lab``, ``shape``)
    cache/LAST                           the model key the last build used (``index update`` reuses it)

A build appends one segment with what it encoded (its cost follows the change, not the catalog) and rewrites
``meta.json`` atomically; a segment is complete before ``meta.json`` names it, so a crash leaves the cache as it
was. When fewer than half of the cached rows belong to the current catalog, the live rows are compacted into one
segment. Segments are read memory-mapped. No pickles.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .files import FileRecord, check_file, record_of

log = logging.getLogger(__name__)

CACHE = "cache"
LAST = "LAST"
KEY_BYTES = 32
COMPACT_BELOW = 0.5
"""Compact when the live share of cached rows falls below this."""

_HASH_MEMO: dict[tuple[str, int, int], bytes] = {}
"""(path, size, mtime_ns) -> content hash, for this process (a build and the update that calls it hash once)."""


def image_hash(path: Path) -> bytes:
    """SHA-256 of an image file's bytes (memoised per path, size and modification time); a missing or unreadable
    file hashes as its path, so it is retried when it appears."""
    try:
        st = os.stat(path)
    except OSError:
        return hashlib.sha256(f"missing:{path}".encode()).digest()
    memo = (str(path), st.st_size, st.st_mtime_ns)
    if memo not in _HASH_MEMO:
        h = hashlib.sha256()
        with open(path, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
        _HASH_MEMO[memo] = h.digest()
    return _HASH_MEMO[memo]


def model_id(encoder_name: str, weights_id: str, crop: str | None, parts: int) -> dict:
    """What makes encoder parts besides the image: the encoder, its weights, the crop applied before it and the
    version of the parts extracted (``PARTS_VERSION`` of :mod:`fashion_core.encoders.descriptor`: a new version
    gets a cache of its own, so parts of different kinds never mix)."""
    return {"encoder": encoder_name, "weights_id": weights_id, "crop": crop, "parts": parts}


def store_dtype(values: np.ndarray) -> type:
    """float16 for parts made in half precision (stored and held exactly in half the bytes), float32 for the rest."""
    return np.float16 if np.asarray(values).dtype == np.float16 else np.float32


def model_key(model: dict) -> str:
    """Folder name of a model id."""
    return hashlib.sha256(json.dumps(model, sort_keys=True).encode()).hexdigest()[:16]


def entry_key(image_digest: bytes, title: str, mkey: str) -> bytes:
    """The cache key of one product: image content hash, title and model key."""
    return hashlib.sha256(image_digest + b"\0" + title.encode("utf-8") + b"\0" + mkey.encode()).digest()


class FeatureCache:
    """The cached encoder parts of one model id in one index directory."""

    def __init__(self, index_root: str | Path, model: dict):
        self.model = dict(model)
        self.key = model_key(self.model)
        self.root = Path(index_root) / CACHE
        self.dir = self.root / self.key
        self._meta = self._read_meta()
        self._where: dict[bytes, tuple[int, int]] | None = None
        self._sound_memo: dict[str, bool] = {}

    # ------------------------------------------------------------------ reading
    def _read_meta(self) -> dict:
        try:
            meta = json.loads((self.dir / "meta.json").read_text(encoding="utf-8"))
            if meta.get("model") == self.model and isinstance(meta.get("segments"), list):
                return meta
        except (OSError, ValueError):
            pass
        # a lost or damaged meta.json: start afresh, numbering after any segment folder left (never reuse a name)
        left = [int(p.name[4:]) for p in self.dir.glob("seg-*") if p.name[4:].isdigit()] if self.dir.is_dir() else []
        return {"model": self.model, "segments": [], "next": max(left, default=-1) + 1}

    @property
    def segments(self) -> list[str]:
        """Segment folder names, oldest first."""
        return list(self._meta["segments"])

    def _segment(self, name: str, part: str) -> np.ndarray:
        return np.load(self.dir / name / f"{part}.npy", mmap_mode="r", allow_pickle=False)

    def _sound(self, name: str) -> bool:
        """Whether a segment's files match the records written with it (size, hash); a damaged segment is
        ignored, so its products are encoded again instead of serving damaged features."""
        if name not in self._sound_memo:
            records = (self._meta.get("files") or {}).get(name) or {}
            problems = [p for part, rec in records.items()
                        if (p := check_file(self.dir / name / f"{part}.npy", f"{name}/{part}.npy",
                                            FileRecord.from_dict(rec)))]
            if problems:
                log.warning("feature cache %s: %s; its products are encoded again", self.dir, problems[0])
            self._sound_memo[name] = not problems
        return self._sound_memo[name]

    def _index(self) -> dict[bytes, tuple[int, int]]:
        """key -> (segment number, row); later segments win."""
        if self._where is None:
            where: dict[bytes, tuple[int, int]] = {}
            for s, name in enumerate(self.segments):
                if not self._sound(name):
                    continue
                try:
                    keys = np.asarray(self._segment(name, "keys"))
                except (OSError, ValueError):
                    continue  # an unreadable segment is ignored: its products are encoded again
                for r in range(len(keys)):
                    where[keys[r].tobytes()] = (s, r)
            self._where = where
        return self._where

    def __len__(self) -> int:
        return len(self._index())

    def keys_for(self, products: Sequence) -> list[bytes]:
        """Cache keys of catalog products (hashes every image's bytes once per process)."""
        return [entry_key(image_hash(Path(p.image)), p.title, self.key) for p in products]

    def lookup(self, keys: Sequence[bytes]) -> np.ndarray:
        """Boolean mask: which keys are cached."""
        where = self._index()
        return np.array([k in where for k in keys], dtype=bool)

    def read(self, keys: Sequence[bytes]) -> tuple[dict[str, np.ndarray], np.ndarray]:
        """Parts and ok-flags of cached keys, in the given order (every key must be cached); half-precision parts
        stay half precision (their values are exact, and a large catalog holds them in half the memory)."""
        where = self._index()
        parts_names = self._meta.get("parts", [])
        out = {p: None for p in parts_names}
        ok = np.zeros(len(keys), dtype=bool)
        locs = np.array([where[k] for k in keys], dtype=np.int64).reshape(-1, 2)
        for s, name in enumerate(self.segments):
            pick = np.flatnonzero(locs[:, 0] == s)
            if not len(pick):
                continue
            rows = locs[pick, 1]
            ok[pick] = np.asarray(self._segment(name, "ok"))[rows]
            for p in parts_names:
                block = np.asarray(self._segment(name, p)[rows])
                block = block.astype(store_dtype(block), copy=False)
                if out[p] is None:
                    out[p] = np.zeros((len(keys),) + block.shape[1:], dtype=block.dtype)
                out[p][pick] = block
        return {p: (v if v is not None else np.zeros((len(keys), 0), np.float32)) for p, v in out.items()}, ok

    # ------------------------------------------------------------------ writing
    def add(self, keys: Sequence[bytes], parts: dict[str, np.ndarray], ok: np.ndarray) -> None:
        """Append one segment (written whole, then named in ``meta.json``)."""
        if not len(keys):
            return
        names = sorted(parts)
        if self._meta.get("parts") not in (None, names):
            raise ValueError(f"feature cache {self.dir} holds parts {self._meta['parts']}, not {names}")
        n = int(self._meta.get("next", 0))
        name = f"seg-{n:06d}"
        self._write_segment(name, _key_array(keys), parts, ok)
        self._meta.update(parts=names, next=n + 1, segments=[*self.segments, name])
        self._write_meta()

    def retain(self, live: Sequence[bytes]) -> bool:
        """Compact into one segment of the ``live`` keys when fewer than :data:`COMPACT_BELOW` of the cached rows
        are live; returns True when it compacted."""
        total = sum(len(self._segment(s, "keys")) for s in self.segments if self._sound(s))
        live_cached = [k for k in dict.fromkeys(live) if k in self._index()]
        if not total or len(live_cached) >= COMPACT_BELOW * total:
            return False
        parts, ok = self.read(live_cached)
        old = self.segments
        n = int(self._meta.get("next", 0))
        name = f"seg-{n:06d}"
        self._write_segment(name, _key_array(live_cached), parts, ok)
        self._meta.update(next=n + 1, segments=[name])
        self._write_meta()
        for s in old:
            shutil.rmtree(self.dir / s, ignore_errors=True)
        return True

    def mark_last(self) -> None:
        """Record this model id as the one the last build used."""
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = self.root / f".{LAST}.{os.getpid()}.tmp"
        tmp.write_text(json.dumps(self.model), encoding="utf-8")
        os.replace(tmp, self.root / LAST)

    def _write_segment(self, name: str, keys: np.ndarray, parts: dict[str, np.ndarray], ok: np.ndarray) -> None:
        tmp = self.dir / f".{name}.tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        arrays = {"keys": keys, "ok": np.asarray(ok, dtype=bool),
                  **{p: np.ascontiguousarray(v, dtype=store_dtype(v)) for p, v in parts.items()}}
        for part, arr in arrays.items():
            with open(tmp / f"{part}.npy", "wb") as fh:
                np.save(fh, arr, allow_pickle=False)
                fh.flush()
                os.fsync(fh.fileno())
        files = {part: record_of(tmp / f"{part}.npy").to_dict() for part in arrays}
        os.replace(tmp, self.dir / name)
        self._meta.setdefault("files", {})[name] = files
        self._sound_memo[name] = True
        self._where = None

    def _write_meta(self) -> None:
        tmp = self.dir / f".meta.{os.getpid()}.tmp"
        self._meta["files"] = {k: v for k, v in (self._meta.get("files") or {}).items() if k in self.segments}
        tmp.write_text(json.dumps(self._meta), encoding="utf-8")
        os.replace(tmp, self.dir / "meta.json")


def _key_array(keys: Sequence[bytes]) -> np.ndarray:
    """(n, 32) uint8 rows (not a bytes dtype: NumPy would drop a key's trailing zero bytes)."""
    return np.frombuffer(b"".join(keys), dtype=np.uint8).reshape(len(keys), KEY_BYTES)


def last_model(index_root: str | Path) -> dict | None:
    """The model id (encoder, weights, crop) of the last build into ``index_root``, or None when unknown."""
    try:
        doc = json.loads((Path(index_root) / CACHE / LAST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return doc if isinstance(doc, dict) else None


def cache_size(index_root: str | Path) -> int:
    """Bytes the feature caches of an index directory take on disk."""
    folder = Path(index_root) / CACHE
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else 0
