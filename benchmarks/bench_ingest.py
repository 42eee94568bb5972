"""Catalog ingest speed on the real catalog (fpi): images/s through decode + colour + encoder, and the whole build.

Builds a fresh index of ``../shared/data/fpi`` (or its first --limit products) into a temporary folder,
with this machine's cores (torch threads: FASHION_TORCH_THREADS, default 2). The machine may be shared
with other work while it runs: figures are then pessimistic.

Run: .venv/bin/python benchmarks/bench_ingest.py [--limit N]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from _common import DATA_DIR, FPI_CSV, need_shared, write_results

COMMAND = ".venv/bin/python benchmarks/bench_ingest.py"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--limit", type=int, default=0, help="only the first N fpi products (0: all)")
    args = ap.parse_args()
    need_shared()
    from fashion_core.index import read_manifest
    from fashion_core.ingest import build_index

    DATA_DIR.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=DATA_DIR) as tmp:
        if args.limit:  # encoding only (decode + colour + encoder), on the first N products
            from fashion_core.catalog import Catalog, load_catalog
            from fashion_core.encoders import create_encoder
            from fashion_core.ingest import encode_local

            full = load_catalog(FPI_CSV)
            part = Catalog(full.products[:args.limit], full.root)
            (Path(tmp) / "shards").mkdir()
            encoder = create_encoder()
            t = time.perf_counter()
            encode_local(part, encoder, Path(tmp) / "shards", True, None)
            secs = time.perf_counter() - t
            figures = {"n_images": args.limit, "encode_seconds": round(secs, 1),
                       "images_per_s": round(args.limit / secs, 1)}
        else:  # the whole build: validate, encode, descriptor, per-category Annoy, recall check, swap
            t = time.perf_counter()
            out = build_index(FPI_CSV, Path(tmp) / "index", progress=True)
            secs = time.perf_counter() - t
            manifest = read_manifest(out)
            figures = {"n_images": manifest.n_products, "build_seconds": round(secs, 1),
                       "images_per_s": manifest.build.get("ingest_images_per_s"),
                       "whole_build_images_per_s": round(manifest.n_products / secs, 1),
                       "ann_recall_at_10_sample": manifest.ann.recall_at_10_sample}
    figures["torch_threads"] = int(os.environ.get("FASHION_TORCH_THREADS", "2"))
    figures["load_average_1min"] = round(os.getloadavg()[0], 2)
    print(f"ingest of fpi: {figures['n_images']} images, {figures['images_per_s']} images/s through decode + colour "
          f"+ encoder (load average {figures['load_average_1min']}: >2 means the 2 cores were shared)")
    cmd = COMMAND + (f" --limit {args.limit}" if args.limit else "")
    print(f"written {write_results('bench_ingest', cmd, figures)}; reproduce: {cmd}")


if __name__ == "__main__":
    main()
