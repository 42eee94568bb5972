"""Catalog crops at ingest: fpi leave-one-out precision with and without encoding the product's own garment crop
when a photo shows a person (``fashion-core index build --crop``), same rows as bench_similar.

Run: .venv/bin/python benchmarks/bench_crops.py [--rebuild]   (the crop index takes ~10 min: pose on every photo)
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from _common import FPI_CSV, FPI_INDEX, fpi_index, fpi_labels, need_shared, write_results
from bench_similar import leave_one_out

from fashion_core.config import DATA_DIR

COMMAND = ".venv/bin/python benchmarks/bench_crops.py"
CROP_INDEX = DATA_DIR / "indexes" / "fpi-crop"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rebuild", action="store_true", help="rebuild the crop index")
    args = ap.parse_args()
    need_shared()
    from fashion_core.detection.crops import product_crop
    from fashion_core.index import current_version, load_index, read_manifest
    from fashion_core.ingest import build_index

    fpi_index()
    build_s = None
    if args.rebuild or current_version(CROP_INDEX) is None:
        start = time.perf_counter()
        build_index(FPI_CSV, CROP_INDEX, crop_fn=product_crop)
        build_s = round(time.perf_counter() - start, 1)
    rows = {}
    for name, path in (("whole photo", FPI_INDEX), ("garment crop when a person is found", CROP_INDEX)):
        index = load_index(path)
        ids = [p.product_id for p in index.products]
        at, col, _ = fpi_labels(ids)
        cat = np.array([p.category for p in index.products])
        rows[name] = leave_one_out(np.asarray(index.vectors), cat, at, col)
        rows[name]["ingest_images_per_s"] = read_manifest(path).build.get("ingest_images_per_s")
    print(f"{'ingest':36s} {'p@5 type+col':>12s} {'p@10 type+col':>13s} {'p@10 type':>9s} {'images/s':>9s}")
    for name, r in rows.items():
        print(f"{name:36s} {r['p5_type_colour']:12.3f} {r['p10_type_colour']:13.3f} {r['p10_type']:9.3f} "
              f"{r['ingest_images_per_s']!s:>9s}")
    out = write_results("bench_crops", COMMAND, {"rows": rows, "crop_index_build_s": build_s})
    print(f"written {out}; reproduce: {COMMAND} --rebuild")


if __name__ == "__main__":
    main()
