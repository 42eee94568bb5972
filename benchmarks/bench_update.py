"""Incremental update vs full build on the real catalog (fpi): ``index update`` after 1 % of the products changed
(new images, new titles, removed and added products) against a full build, and whether the answers are the same.

Copies the first --n fpi products (and their images) into a temporary catalog, builds it (full build; the build
also fills the feature cache), changes --change of the products, runs ``update_index`` and a full rebuild of the
changed catalog into a fresh folder, and compares every product's top-10 similar list between the two. The
machine's 2 cores may be shared while it runs: both timings are then pessimistic, the ratio less so.

Run: .venv/bin/python benchmarks/bench_update.py [--n 10041] [--change 0.01]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
from _common import DATA_DIR, FPI_CSV, ROOT, need_shared, write_results

sys.path.insert(0, str(ROOT))
from fashion_core.agreement import same_share, top_lists  # noqa: E402
from fashion_core.catalog_edits import change_catalog  # noqa: E402

COMMAND = ".venv/bin/python benchmarks/bench_update.py"


def fpi_subset(n: int, dest: Path) -> Path:
    """The first ``n`` fpi products and their images, copied into ``dest`` (so they can be edited)."""
    frame = pd.read_csv(FPI_CSV, dtype=str, keep_default_na=False).head(n)
    (dest / "images").mkdir(parents=True)
    for rel in frame["image"]:
        shutil.copy2(FPI_CSV.parent / rel, dest / rel)
    frame.to_csv(dest / "products.csv", index=False)
    return dest / "products.csv"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=10041, help="fpi products (default: all 10,041)")
    ap.add_argument("--change", type=float, default=0.01, help="share of products changed (default 0.01)")
    args = ap.parse_args()
    need_shared()
    from fashion_core.config import Settings
    from fashion_core.index import load_index
    from fashion_core.ingest import build_index
    from fashion_core.update import update_index

    compat = Settings.resolve().compat_model
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=DATA_DIR) as tmp:
        tmp = Path(tmp)
        csv = fpi_subset(args.n, tmp / "catalog")
        t = time.perf_counter()
        build_index(csv, tmp / "index", compat_model=compat, progress=False)
        first_s = time.perf_counter() - t
        edits = change_catalog(csv, fraction=args.change)
        t = time.perf_counter()
        report = update_index(csv, tmp / "index", progress=False)
        update_s = time.perf_counter() - t
        t = time.perf_counter()
        build_index(csv, tmp / "full", compat_model=compat, progress=False)
        full_s = time.perf_counter() - t
        same = same_share(top_lists(tmp / "index"), top_lists(tmp / "full"))
        ids_same = load_index(tmp / "index").ids == load_index(tmp / "full").ids
    figures = {"n_products": args.n, "changed_share": args.change,
               "edits": {k: len(v) for k, v in edits.items()}, "encoded_by_update": report.encoded,
               "first_build_s": round(first_s, 1), "update_s": round(update_s, 1), "full_rebuild_s": round(full_s, 1),
               "update_over_full_rebuild": round(update_s / full_s, 3),
               "same_ids": ids_same, "identical_top10_share": round(same, 4),
               "compat_model": str(compat.relative_to(ROOT)) if compat else None,
               "load_average_1min": round(os.getloadavg()[0], 2)}
    print(f"fpi {args.n} products, {sum(figures['edits'].values())} changed ({args.change:.0%}): update "
          f"{update_s:.1f} s ({report.encoded} images encoded) vs full rebuild {full_s:.1f} s -> ratio "
          f"{update_s / full_s:.3f} (goal <= 0.10); identical top-10 for {same:.2%} of products; same ids: {ids_same}")
    cmd = COMMAND + (f" --n {args.n}" if args.n != 10041 else "") + (f" --change {args.change}"
                                                                    if args.change != 0.01 else "")
    print(f"written {write_results('bench_update', cmd, figures)}; reproduce: {cmd}")


if __name__ == "__main__":
    main()
