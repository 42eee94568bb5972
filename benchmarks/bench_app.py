"""App speed: cold start to an interactive Shop-the-look page, and the answer time of a garment click.

Targets (issue 6): cold start ≤ 10 s with a built index; a shop-the-look click answers in ≤ 1 s.

* cold start: from launching ``streamlit run app.py`` to the page being interactive in Chromium (the default
  sample photo's clickable image loaded and its garment list shown), median of ``--cold-runs`` fresh processes;
  the server's own health-check time is printed beside it.
* click answer, in process: ``app_support.answer_garment`` (crop + similar + complete the look, uncached)
  for every garment of the sample photos, p50/p95 over ≥ 30 runs after a warm-up.
* click answer, in the browser: from a click on a garment icon to both result tabs showing product cards.

Run: ``.venv/bin/python benchmarks/bench_app.py`` (index: ``FASHION_INDEX`` or ``--index``; the demo index is
built first if missing). Writes ``benchmarks/results/bench_app.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from fashion_core import app_support as ui  # noqa: E402
from fashion_core.config import DEMO_DIR, settings  # noqa: E402
from fashion_core.imageio import load_image  # noqa: E402


def ensure_index(index_dir: Path) -> Path:
    """The index to measure; builds the demo world and its index when the default one is missing."""
    if (index_dir / "manifest.json").exists():
        return index_dir
    if index_dir.resolve() != (DEMO_DIR / "index").resolve():
        raise SystemExit(f"no index at {index_dir}; build one with `fashion-core index build --catalog FILE "
                         f"--out {index_dir}`")
    print(f"building the demo world and its index in {DEMO_DIR} (once)…", file=sys.stderr)
    from fashion_core.demo import build_demo
    from fashion_core.ingest import build_index

    if not (DEMO_DIR / "catalog.csv").exists():
        build_demo(DEMO_DIR)
    build_index(DEMO_DIR / "catalog.csv", index_dir)
    return index_dir


def percentiles(xs: list[float]) -> dict[str, float]:
    """p50 / p95 / mean / n of a list of seconds, in milliseconds."""
    a = np.asarray(xs) * 1000
    return {"p50": round(float(np.percentile(a, 50)), 1), "p95": round(float(np.percentile(a, 95)), 1),
            "mean": round(float(a.mean()), 1), "n": len(xs)}


def click_answers_in_process(index_dir: Path, runs: int) -> dict:
    """Per-stage and total time of answering a garment click (uncached), over the sample photos' garments."""
    t0 = time.perf_counter()
    rec = ui.open_recommender(index_dir)
    load_s = time.perf_counter() - t0
    jobs = []
    for sample in ui.sample_photos(ui.catalog_root_of(rec.manifest)):
        image = load_image(sample.path)
        jobs += [(image, d) for d in rec.detect(image)]
    if not jobs:
        raise SystemExit("no garments detected in any sample photo: nothing to click")
    ui.answer_garment(rec, *jobs[0])  # warm-up
    stages: dict[str, list[float]] = {"crop": [], "similar": [], "complete": [], "total": []}
    for i in range(max(runs, len(jobs))):
        image, det = jobs[i % len(jobs)]
        t = [time.perf_counter()]
        crop = rec.crop(image, det)
        t.append(time.perf_counter())
        if det.category in ui.catalog_categories(rec.catalog):
            rec.similar_items(image=crop, category=det.category, k=10)
        t.append(time.perf_counter())
        rec.complete_the_look(image=crop, category=det.category, k=5)
        t.append(time.perf_counter())
        for name, a, b in (("crop", 0, 1), ("similar", 1, 2), ("complete", 2, 3), ("total", 0, 3)):
            stages[name].append(t[b] - t[a])
    return {"recommender_load_s": round(load_s, 2), "garments": len(jobs),
            "click_answer_ms": {k: percentiles(v) for k, v in stages.items()}}


def browser_figures(index_dir: Path, cold_runs: int, clicks: int) -> dict:
    """Cold start to interactive page (fresh processes) and click-to-cards time in a real Chromium."""
    from tests.app.browser import (
        chrome,
        click_photo,
        garment_options,
        isolated_first,
        photo_frame_ready,
        selected_garment,
        serve_app,
        tab_panels_text,
        wait_for,
    )

    rec = ui.open_recommender(index_dir)
    default = ui.sample_photos(ui.catalog_root_of(rec.manifest))[0]
    image = load_image(default.path)
    detections = rec.detect(image)
    env = {"FASHION_INDEX": str(index_dir)}
    cold, health, click_ms = [], [], []
    with chrome() as driver:
        for run in range(cold_runs):
            start = time.perf_counter()
            with serve_app(env) as (url, _proc):
                health.append(time.perf_counter() - start)
                driver.get(url)
                frame, w, h = wait_for(lambda: photo_frame_ready(driver), 120, "the clickable photo")
                wait_for(lambda: garment_options(driver), 120, "the garment list")
                cold.append(time.perf_counter() - start)
                if run == cold_runs - 1:
                    for i in isolated_first(detections)[:clicks]:
                        x, y = detections[i].icon
                        before = time.perf_counter()
                        click_photo(driver, frame, x * w / image.width, y * h / image.height)
                        wait_for(lambda i=i: selected_garment(driver) == i and " · " in tab_panels_text(driver).get("Similar", ""),
                                 60, "the result cards")
                        click_ms.append(time.perf_counter() - before)
                        frame, w, h = wait_for(lambda: photo_frame_ready(driver), 60, "the redrawn photo")
    return {"cold_start_s": {"median": round(statistics.median(cold), 2), "max": round(max(cold), 2),
                             "runs": [round(c, 2) for c in cold]},
            "server_health_s": {"median": round(statistics.median(health), 2)},
            "browser_click_to_cards_ms": percentiles(click_ms) if click_ms else None,
            "sample_photo": default.path.name}


def main() -> None:
    """Measure, print the figures and the command, and write ``benchmarks/results/bench_app.json``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--index", type=Path, default=None, help="index directory (default: FASHION_INDEX or demo)")
    parser.add_argument("--runs", type=int, default=30, help="in-process click answers to time (≥ 30)")
    parser.add_argument("--cold-runs", type=int, default=3, help="fresh app processes for the cold start")
    parser.add_argument("--clicks", type=int, default=3, help="garment clicks timed in the browser")
    parser.add_argument("--no-browser", action="store_true", help="skip the Chromium measurements")
    args = parser.parse_args()
    import torch

    torch.set_num_threads(2)
    index_dir = ensure_index((args.index or settings().index_dir).resolve())
    command = " ".join([".venv/bin/python benchmarks/bench_app.py", *sys.argv[1:]])
    figures = click_answers_in_process(index_dir, args.runs)
    if not args.no_browser:
        from tests.app.browser import CHROMEDRIVER, CHROMIUM

        if CHROMIUM and CHROMEDRIVER:
            figures.update(browser_figures(index_dir, args.cold_runs, args.clicks))
        else:
            print("Chromium/chromedriver not installed: cold start not measured", file=sys.stderr)
    targets = {"cold_start_s_max": 10.0, "click_answer_ms_max": 1000.0}
    doc = {"name": "bench_app", "machine": f"{platform.node()} · {platform.processor() or platform.machine()} · "
                                          f"{os.cpu_count()} CPUs (shared)",
           "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "command": command,
           "index": str(index_dir), "targets": targets, "figures": figures}
    out = ROOT / "benchmarks" / "results" / "bench_app.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(doc, indent=2) + "\n")
    print(json.dumps(doc, indent=2))
    total = figures["click_answer_ms"]["total"]
    print(f"\nclick answer (in process): p50 {total['p50']} ms, p95 {total['p95']} ms (target ≤ 1000 ms)")
    if "cold_start_s" in figures:
        print(f"cold start to interactive page: median {figures['cold_start_s']['median']} s "
              f"(target ≤ 10 s; server health after {figures['server_health_s']['median']} s)")
        if figures.get("browser_click_to_cards_ms"):
            print(f"browser click to cards: p50 {figures['browser_click_to_cards_ms']['p50']} ms")
    print(f"reproduce: {command}")
    print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
