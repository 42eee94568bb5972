"""Item features for the compatibility model: frozen image features (cached as NPY) and title features.

Image features are the raw L2-normalised output of an image encoder (contract 2) on each item's picture,
cropped to its box when it has one. They are computed once and cached in ``cache_dir`` per encoder (name,
weights id, dim) and per picture (resolved image path, file size, box), so training, evaluation and the
benchmark never encode a picture twice and training runs in minutes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from ..encoders.text import TitleEncoder
from ..imageio import load_image
from .data import OutfitItem

CACHE_DIR = "default"
"""Marker for the default cache of image features: ``<data dir>/cache/compat-features`` (git-ignored), resolved
when used (:func:`cache_folder`)."""


def cache_folder(cache_dir: Path | str | None) -> Path | None:
    """The feature cache folder: ``None`` for no cache, the configured default for :data:`CACHE_DIR`."""
    if cache_dir is None:
        return None
    if cache_dir == CACHE_DIR:
        from ..config import settings

        return settings().cache_dir / "compat-features"
    return Path(cache_dir)


@dataclass
class ItemFeatures:
    """Row-aligned features of items: ``ids[i]`` has ``image[i]`` and ``text[i]`` (either may be absent)."""

    ids: list[str]
    image: np.ndarray | None = None
    text: np.ndarray | None = None

    @property
    def row(self) -> dict[str, int]:
        """Item id → row."""
        return {i: k for k, i in enumerate(self.ids)}

    def raw(self) -> np.ndarray:
        """Untrained vectors: the available modalities, each L2-normalised, concatenated."""
        parts = [x for x in (self.image, self.text) if x is not None]
        if not parts:
            raise ValueError("no features: neither image nor text features were computed")
        return np.concatenate(parts, axis=1).astype(np.float32)


def item_picture(item: OutfitItem, pad: float = 0.05) -> Image.Image:
    """The item's picture: its image, cropped to its box (padded by ``pad`` of the box size) when it has one."""
    if item.image is None:
        raise ValueError(f"item {item.item_id} has no image; this dataset supports text-only training")
    img = load_image(item.image)
    if item.box is None:
        return img
    x0, y0, x1, y1 = item.box
    px, py = (x1 - x0) * pad, (y1 - y0) * pad
    box = (max(0, int(x0 - px)), max(0, int(y0 - py)), min(img.width, int(x1 + px + 1)),
           min(img.height, int(y1 + py + 1)))
    if box[2] <= box[0] or box[3] <= box[1]:
        raise ValueError(f"item {item.item_id}: empty box {item.box} on a {img.width}x{img.height} image")
    return img.crop(box)


def item_key(item: OutfitItem) -> str:
    """Cache key of one item's picture: resolved image path, file size and box (not the item id)."""
    path = Path(item.image).resolve() if item.image is not None else None
    size = path.stat().st_size if path is not None and path.exists() else -1
    return hashlib.sha1(f"{path}|{size}|{item.box}".encode()).hexdigest()[:16]


def _encoder_prefix(encoder) -> str:
    return f"{encoder.name.replace('/', '_').replace(':', '_')}-{encoder.weights_id}-{encoder.dim}"


def _read_cache(folder: Path, prefix: str) -> dict[str, tuple[Path, int]]:
    """Item key → (shard file, row) over every cache shard of one encoder."""
    found: dict[str, tuple[Path, int]] = {}
    for keys_file in sorted(folder.glob(f"{prefix}-*.json")):
        npy = keys_file.with_suffix(".npy")
        if npy.exists():
            for r, k in enumerate(json.loads(keys_file.read_text())):
                found.setdefault(k, (npy, r))
    return found


def image_features(items: Sequence[OutfitItem], encoder, cache_dir: Path | None = CACHE_DIR,
                   batch_size: int = 64, progress: bool = False) -> np.ndarray:
    """(n, encoder.dim) raw encoder features of the items' pictures; pictures already in the cache are not
    encoded again (shards of ``<encoder>-<weights>-<dim>-<hash>.npy`` + ``.json`` item keys)."""
    keys = [item_key(it) for it in items]
    prefix = _encoder_prefix(encoder)
    cache_dir = cache_folder(cache_dir)
    cached = _read_cache(cache_dir, prefix) if cache_dir else {}
    todo = sorted({k: i for i, k in reversed(list(enumerate(keys))) if k not in cached}.items(), key=lambda kv: kv[1])
    if todo:
        new = _encode(items, [i for _, i in todo], encoder, batch_size, progress)
        if cache_dir:
            folder = Path(cache_dir)
            folder.mkdir(parents=True, exist_ok=True)
            shard = folder / f"{prefix}-{hashlib.sha1(''.join(k for k, _ in todo).encode()).hexdigest()[:12]}"
            np.save(shard.with_suffix(".tmp.npy"), new)
            shard.with_suffix(".tmp.npy").replace(shard.with_suffix(".npy"))
            shard.with_suffix(".json").write_text(json.dumps([k for k, _ in todo]))
        fresh = {k: new[r] for r, (k, _) in enumerate(todo)}
    else:
        fresh = {}
    out = np.zeros((len(items), encoder.dim), dtype=np.float32)
    shards: dict[Path, np.ndarray] = {}
    for r, k in enumerate(keys):
        if k in fresh:
            out[r] = fresh[k]
        else:
            npy, row = cached[k]
            if npy not in shards:
                shards[npy] = np.load(npy, mmap_mode="r", allow_pickle=False)
            out[r] = shards[npy][row]
    return out


def _encode(items: Sequence[OutfitItem], rows: list[int], encoder, batch_size: int, progress: bool) -> np.ndarray:
    chunks = []
    steps = range(0, len(rows), batch_size)
    if progress:
        from tqdm import tqdm
        steps = tqdm(steps, desc=f"image features ({encoder.name})", unit="batch")
    for start in steps:
        pics = [item_picture(items[r]) for r in rows[start:start + batch_size]]
        chunks.append(np.asarray(encoder.encode(pics), dtype=np.float32))
    return np.concatenate(chunks) if chunks else np.zeros((0, encoder.dim), dtype=np.float32)


def text_features(items: Sequence[OutfitItem], text_encoder: TitleEncoder) -> np.ndarray:
    """(n, text_encoder.dim) title features of the items."""
    return text_encoder.encode([it.title for it in items])


def item_features(items: Sequence[OutfitItem], modalities: Sequence[str], encoder=None,
                  text_encoder: TitleEncoder | None = None, cache_dir: Path | None = CACHE_DIR,
                  progress: bool = False) -> ItemFeatures:
    """Features of ``items`` for the requested modalities (``image`` needs ``encoder``, ``text`` a fitted encoder)."""
    items = list(items)
    image = text = None
    if "image" in modalities:
        if encoder is None:
            raise ValueError("image features need an image encoder; pass encoder=create_encoder(...)")
        image = image_features(items, encoder, cache_dir, progress=progress)
    if "text" in modalities:
        if text_encoder is None:
            raise ValueError("text features need a fitted TitleEncoder")
        text = text_features(items, text_encoder)
    return ItemFeatures([it.item_id for it in items], image, text)
