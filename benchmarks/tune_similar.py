"""Tune the similarity descriptor on fpi: encode the catalog once per input size (cached in data/cache),
then score block weights and PCA sizes by leave-one-out precision within the category (as bench_similar).

Run: .venv/bin/python benchmarks/tune_similar.py --sizes 160 224
"""

from __future__ import annotations

import argparse
import itertools
import time

import numpy as np
from _common import FPI_CSV, fpi_labels, need_shared
from bench_similar import leave_one_out
from tqdm import tqdm

from fashion_core.config import DATA_DIR

CACHE = DATA_DIR / "cache" / "tune-similar"


def parts_for(size: int) -> dict[str, np.ndarray]:
    """Encoder parts + colour for every fpi product at ``size`` px (cached as .npz)."""
    from fashion_core.catalog import load_catalog
    from fashion_core.encoders import create_encoder
    from fashion_core.encoders.descriptor import extract_parts
    from fashion_core.imageio import load_image

    path = CACHE / f"fpi_{size}.npz"
    if path.exists():
        with np.load(path) as z:
            return {k: z[k] for k in z.files}
    enc = create_encoder("efficientnet-lite0")
    enc.embed_preprocess = enc.embed_preprocess.with_size(size)
    products = load_catalog(FPI_CSV).products
    chunks, start = [], time.perf_counter()
    for i in tqdm(range(0, len(products), 256), desc=f"encode {size}px"):
        chunks.append(extract_parts(enc, [load_image(p.image) for p in products[i:i + 256]]))
    print(f"{size}px: {len(products) / (time.perf_counter() - start):.1f} images/s")
    parts = {k: np.concatenate([c[k] for c in chunks]) for k in chunks[0]}
    parts["ids"] = np.array([p.product_id for p in products])
    CACHE.mkdir(parents=True, exist_ok=True)
    np.savez(path, **parts)
    return parts


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sizes", type=int, nargs="+", default=[160])
    args = ap.parse_args()
    need_shared()
    from fashion_core.encoders.descriptor import Descriptor

    for size in args.sizes:
        parts = parts_for(size)
        at, col, cat = fpi_labels(parts.pop("ids"))
        for name in ("head", "colour"):
            r = leave_one_out(parts[name], cat, at, col)
            print(f"{size}px {name:6s} only: p10 type+col {r['p10_type_colour']:.3f} type {r['p10_type']:.3f}")
        for wh, wm, wc, dim in itertools.product((1.0,), (0.0, 0.5, 1.0), (1.0, 1.5, 2.0, 2.5), (128, 256)):
            d = Descriptor(weights={"head": wh, "mid": wm, "colour": wc}, dim=dim).fit(parts)
            r = leave_one_out(d.transform(parts), cat, at, col)
            print(f"{size}px head {wh} mid {wm} colour {wc} dim {dim}: p5 {r['p5_type_colour']:.3f} "
                  f"p10 type+col {r['p10_type_colour']:.3f} type {r['p10_type']:.3f}", flush=True)


if __name__ == "__main__":
    main()
