"""Load test of ``fashion-core serve`` with locust against localhost: p50/p95 latency and errors per endpoint at 1,
4 and 16 concurrent clients, and memory per worker (RSS, and PSS: the memory-mapped index pages are shared).

Starts the service (--workers, default 2) on a free port over --index (default: the first --n fpi products built
into a temporary index with the shipped compatibility model), then runs locust headless for --seconds per level,
closed loop (each client sends its next request when the last is answered): similar by id 60 %, complete by id
20 %, similar by image upload 10 %, product lookup 10 %. Bounded: levels x seconds, then everything stops. The
machine's 2 cores are shared with the clients themselves, so latencies at 16 clients are pessimistic.

Sockets: the clients (requests / urllib3 under locust) and the server (:mod:`fashion_core.service.protocol`) both set
TCP_NODELAY; without it on the server, every answer of a multi-worker uvicorn waited ~40 ms for a delayed ACK.

Run: .venv/bin/python benchmarks/bench_service.py [--index DIR | --n 2000] [--workers 2] [--seconds 20]
"""

from __future__ import annotations

import argparse
import csv
import os
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import psutil
from _common import DATA_DIR, ROOT, write_results

sys.path.insert(0, str(ROOT))
from fashion_core.service.process import Server  # noqa: E402

COMMAND = ".venv/bin/python benchmarks/bench_service.py"
LEVELS = (1, 4, 16)


def worker_memory(server: Server) -> list[dict]:
    """RSS / PSS / USS (MiB) of each uvicorn worker process of the server."""
    out = []
    for child in psutil.Process(server.proc.pid).children(recursive=True):
        try:
            info = child.memory_full_info()
            cmd = " ".join(child.cmdline())
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        if "multiprocessing" in cmd and "resource_tracker" in cmd:
            continue
        out.append({"pid": child.pid, "rss_mb": round(info.rss / 2**20, 1), "pss_mb": round(info.pss / 2**20, 1),
                    "uss_mb": round(info.uss / 2**20, 1)})
    return out


def server_times(log: str) -> dict[str, dict]:
    """p50 / p95 of the time the server itself took per method and path (its access log lines)."""
    import re

    import numpy as np

    times: dict[str, list[float]] = {}
    for m in re.finditer(r"access: (\w+) (/v1/[a-z]+)\S* -> \d+ in ([0-9.]+) ms", log):
        times.setdefault(f"{m.group(1)} {m.group(2)}", []).append(float(m.group(3)))
    return {k: {"n": len(v), "p50_ms": round(float(np.percentile(v, 50)), 2),
                "p95_ms": round(float(np.percentile(v, 95)), 2)} for k, v in sorted(times.items())}


def run_locust(url: str, users: int, seconds: int, prefix: Path, env: dict) -> dict[str, dict]:
    cmd = [sys.executable, "-m", "locust", "-f", str(ROOT / "benchmarks" / "locust_service.py"), "--headless",
           "-u", str(users), "-r", str(users), "-t", f"{seconds}s", "--host", url, "--csv", str(prefix),
           "--only-summary", "--stop-timeout", "5", "--exit-code-on-error", "0"]
    subprocess.run(cmd, env=env, check=True, timeout=seconds + 120, capture_output=True)
    rows = {}
    with open(f"{prefix}_stats.csv", newline="") as fh:
        for r in csv.DictReader(fh):
            rows[r["Name"]] = {"requests": int(r["Request Count"]), "failures": int(r["Failure Count"]),
                               "p50_ms": float(r["50%"]), "p95_ms": float(r["95%"]),
                               "requests_per_s": round(float(r["Requests/s"]), 1)}
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--index", type=Path, default=None, help="an index to serve (default: build the fpi subset)")
    ap.add_argument("--n", type=int, default=2000, help="fpi products for the default index")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--seconds", type=int, default=20, help="locust run time per level")
    args = ap.parse_args()
    from urllib3.connection import HTTPConnection

    from fashion_core.config import Settings
    from fashion_core.index import load_index
    from fashion_core.ingest import build_index

    nodelay = (socket.IPPROTO_TCP, socket.TCP_NODELAY, 1) in HTTPConnection.default_socket_options
    print(f"sockets: client TCP_NODELAY {'on' if nodelay else 'off'} (urllib3 default, used by locust's HttpUser); "
          "server TCP_NODELAY on (fashion_core.service.protocol)")

    DATA_DIR.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=DATA_DIR) as tmp:
        tmp = Path(tmp)
        index = args.index.absolute() if args.index else None
        if index is None:
            from bench_update import fpi_subset

            index = build_index(fpi_subset(args.n, tmp / "catalog"), tmp / "index",
                                compat_model=Settings.resolve().compat_model, progress=False)
        loaded = load_index(index)
        ids = loaded.ids
        (tmp / "ids.txt").write_text("\n".join(ids[:: max(1, len(ids) // 500)]))
        env = {**os.environ, "BENCH_IDS": str(tmp / "ids.txt"), "BENCH_IMAGE": str(loaded.products[0].image)}
        server = Server(index, tmp / "server.log", workers=args.workers)
        try:
            server.wait_ready()
            idle = worker_memory(server)
            levels = {}
            for users in LEVELS:
                levels[str(users)] = run_locust(server.url, users, args.seconds, tmp / f"locust{users}", env)
                print(f"{users:2d} client(s): " + "; ".join(
                    f"{name} p50 {r['p50_ms']:.0f} ms p95 {r['p95_ms']:.0f} ms, {r['failures']} errors of "
                    f"{r['requests']}" for name, r in levels[str(users)].items()))
            loaded_mem = worker_memory(server)
            inside = server_times(server.log())
        finally:
            server.stop()
    errors = sum(r["failures"] for lv in levels.values() for r in lv.values())
    p50 = levels["1"]["similar by id"]["p50_ms"]
    figures = {"index_products": len(ids), "workers": args.workers, "seconds_per_level": args.seconds,
               "levels": levels, "errors": errors, "similar_by_id_p50_ms_1_client": p50,
               "server_side_ms_all_levels": inside, "worker_memory_idle": idle, "worker_memory_after_load": loaded_mem,
               "load_average_1min": round(os.getloadavg()[0], 2),
               "tcp_nodelay": {"client": nodelay, "server": True}}
    print("time inside the server, all levels: " + "; ".join(f"{k} p50 {v['p50_ms']} ms p95 {v['p95_ms']} ms"
                                                             for k, v in inside.items()))
    print(f"errors: {errors}; similar by id p50 with 1 client {p50:.0f} ms (goal <= 20 ms); worker memory after the "
          "run: " + ", ".join(f"RSS {m['rss_mb']:.0f} MiB / PSS {m['pss_mb']:.0f} MiB" for m in loaded_mem))
    cmd = COMMAND + (f" --index {args.index}" if args.index else f" --n {args.n}") + \
        f" --workers {args.workers} --seconds {args.seconds}"
    print(f"written {write_results('bench_service', cmd, figures)}; reproduce: {cmd}")


if __name__ == "__main__":
    main()
