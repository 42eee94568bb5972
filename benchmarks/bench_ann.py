"""Annoy against exact numpy search at scale: recall@10, query speed-up, build time, index size.

Vectors: the fpi index's real 128-d similarity vectors tiled with Gaussian noise up to N (or random
unit vectors with --random). Exact search is a float32 matrix product over all N vectors per query.

Run: .venv/bin/python benchmarks/bench_ann.py [--sizes 100000 1000000] [--trees 50] [--search-k 0]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import numpy as np
from _common import DATA_DIR, write_results

from fashion_core.ann import AnnIndex, exact_search, normalize

COMMAND = ".venv/bin/python benchmarks/bench_ann.py"


def vectors(n: int, random: bool, seed: int = 0) -> np.ndarray:
    """``n`` unit vectors: real fpi vectors tiled with noise, or random."""
    rng = np.random.default_rng(seed)
    from fashion_core.index import current_version, load_index

    src = DATA_DIR / "indexes" / "fpi"
    if random or current_version(src) is None:
        return normalize(rng.standard_normal((n, 128), dtype=np.float32))
    base = np.asarray(load_index(src).vectors)
    reps = -(-n // len(base))
    x = np.tile(base, (reps, 1))[:n]
    return normalize(x + rng.normal(0, 0.08, x.shape).astype(np.float32))


def run(n: int, trees: int, search_k: int, random: bool, n_queries: int = 200) -> dict:
    """Build, save, reload (mmap), and compare against exact search on held-out noisy queries."""
    x = vectors(n, random)
    rng = np.random.default_rng(1)
    q = normalize(x[rng.choice(n, n_queries, replace=False)] + rng.normal(0, 0.05, (n_queries, x.shape[1])).astype(np.float32))
    t = time.perf_counter()
    index = AnnIndex.build(x, n_trees=trees, exact_below=0)
    build_s = time.perf_counter() - t
    with tempfile.TemporaryDirectory(dir=DATA_DIR) as tmp:
        path = Path(tmp) / "bench"
        index.save(path)
        size_mb = os.path.getsize(path.with_suffix(".ann")) / 2**20
        loaded = AnnIndex.load(path, x.shape[1])
        t = time.perf_counter()
        truth, _ = exact_search(x, q, 10)
        exact_ms = (time.perf_counter() - t) / n_queries * 1000
        t = time.perf_counter()
        got = [loaded.query(v, 10, search_k=search_k)[0] for v in q]
        ann_ms = (time.perf_counter() - t) / n_queries * 1000
        del loaded
    recall = np.mean([len(set(g.tolist()) & set(tr.tolist())) / 10 for g, tr in zip(got, truth)])
    return {"n": n, "dim": int(x.shape[1]), "n_trees": trees, "search_k": search_k, "recall_at_10": round(float(recall), 4),
            "exact_ms_per_query": round(exact_ms, 3), "annoy_ms_per_query": round(ann_ms, 3),
            "speedup": round(exact_ms / ann_ms, 1), "build_s": round(build_s, 1), "index_mb": round(size_mb, 1),
            "raw_vectors_mb": round(x.nbytes / 2**20, 1)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--trees", type=int, default=50)
    ap.add_argument("--search-k", type=int, default=-1, help="Annoy search_k (-1: n_trees × k)")
    ap.add_argument("--random", action="store_true", help="random vectors instead of tiled fpi vectors")
    args = ap.parse_args()
    rows = [run(n, args.trees, args.search_k, args.random) for n in args.sizes]
    for r in rows:
        print(f"n={r['n']:>8d} recall@10 {r['recall_at_10']:.3f}  exact {r['exact_ms_per_query']:.2f} ms  "
              f"annoy {r['annoy_ms_per_query']:.3f} ms  speed-up {r['speedup']:.1f}x  build {r['build_s']:.0f} s  "
              f"index {r['index_mb']:.0f} MB (raw {r['raw_vectors_mb']:.0f} MB)")
    cmd = f"{COMMAND} --sizes {' '.join(map(str, args.sizes))} --trees {args.trees} --search-k {args.search_k}"
    print(f"written {write_results('bench_ann', cmd, {'rows': rows})}; reproduce: {cmd}")


if __name__ == "__main__":
    main()
