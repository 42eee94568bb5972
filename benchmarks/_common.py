"""Shared plumbing for the benchmarks: the real data, the fpi index, and writing results."""

from __future__ import annotations

import json
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fashion_core.config import DATA_DIR, SHARED_DATA  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results"
FPI_CSV = SHARED_DATA / "fpi" / "products.csv"
FPI_INDEX = DATA_DIR / "indexes" / "fpi"
PARTS_CACHE = DATA_DIR / "cache" / "tune-similar"


def need_shared() -> None:
    """Exit with a clear message when ../shared/data is not beside the checkout."""
    if not FPI_CSV.exists():
        sys.exit(f"real data not found at {SHARED_DATA}; these benchmarks read ../shared/data")


def fpi_index(rebuild: bool = False) -> Path:
    """The fpi catalog's index (built once into data/indexes/fpi, with the demo compatibility model if present)."""
    from fashion_core.index import current_version
    from fashion_core.ingest import build_index

    if rebuild or current_version(FPI_INDEX) is None:
        compat = DATA_DIR / "demo" / "compat-model"
        build_index(FPI_CSV, FPI_INDEX, compat_model=compat if (compat / "config.json").exists() else None)
    return FPI_INDEX


def fpi_parts(size: int = 160) -> dict:
    """Encoder parts + colour for every fpi product at ``size`` px (cached as .npz)."""
    import time

    import numpy as np
    from tqdm import tqdm

    from fashion_core.catalog import load_catalog
    from fashion_core.encoders import create_encoder
    from fashion_core.encoders.descriptor import extract_parts
    from fashion_core.imageio import load_image

    path = PARTS_CACHE / f"fpi_{size}.npz"
    if path.exists():
        with np.load(path) as z:
            parts = {k: z[k] for k in z.files}
        if not {"colour_lab", "shape"} <= set(parts):  # a cache from before PARTS_VERSION 2: add the image parts
            catalog = load_catalog(FPI_CSV)
            parts.update(_image_parts([catalog.get(str(i)).image for i in parts["ids"].tolist()]))
            np.savez(path, **parts)
        return parts
    enc = create_encoder("efficientnet-lite0")
    enc.embed_preprocess = enc.embed_preprocess.with_size(size)
    products = load_catalog(FPI_CSV).products
    chunks, start = [], time.perf_counter()
    for i in tqdm(range(0, len(products), 256), desc=f"encode {size}px"):
        chunks.append(extract_parts(enc, [load_image(p.image) for p in products[i:i + 256]]))
    print(f"{size}px: {len(products) / (time.perf_counter() - start):.1f} images/s")
    parts = {k: np.concatenate([c[k] for c in chunks]) for k in chunks[0]}
    parts["ids"] = np.array([p.product_id for p in products])
    PARTS_CACHE.mkdir(parents=True, exist_ok=True)
    np.savez(path, **parts)
    return parts


def _image_parts(paths) -> dict:
    """The parts that come from the image alone (``colour_lab``, ``shape``), for parts cached before they existed."""
    import numpy as np
    from tqdm import tqdm

    from fashion_core.encoders.descriptor import image_parts
    from fashion_core.imageio import load_image

    rows = [image_parts([load_image(path)]) for path in tqdm(paths, desc="colour and shape parts")]
    return {k: np.concatenate([r[k] for r in rows]) for k in ("colour_lab", "shape")}


def fpi_labels(ids) -> tuple:
    """(articleType, baseColour, category) string arrays of fpi products ``ids``, in that order."""
    import pandas as pd

    meta = pd.read_csv(FPI_CSV, dtype=str).set_index("id").loc[list(ids)]
    # object -> str, not to_numpy(str): that gives one-character strings
    return tuple(meta[c].astype(str).to_numpy(dtype=object).astype(str) for c in ("articleType", "baseColour", "category"))


def write_results(name: str, command: str, figures: dict) -> Path:
    """Write ``benchmarks/results/<name>.json`` (machine, date, command, figures) and return its path."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    doc = {"benchmark": name, "date": datetime.now(UTC).isoformat(timespec="seconds"), "command": command,
           "machine": f"{platform.machine()} {platform.processor() or ''} {__import__('os').cpu_count()} cores".strip(),
           "figures": figures}
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(doc, indent=2))
    return path
