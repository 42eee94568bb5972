"""``fashion-core look``: the CLI contract of shop the look (one photo, many photos, bad input), in a real process
on the small demo world's index (no real data needed)."""

from __future__ import annotations

import json
import subprocess
import sys

from fashion_core.config import PROJECT_ROOT
from fashion_core.taxonomy import CATEGORIES


def run_look(*args: str) -> subprocess.CompletedProcess:
    """``python -m fashion_core look ...`` with logs on stderr."""
    return subprocess.run([sys.executable, "-m", "fashion_core", "look", *args], cwd=PROJECT_ROOT,
                          capture_output=True, text=True, timeout=600)


def check_look(doc: dict, k: int) -> None:
    """One look's JSON: the detections (pixels of the photo) and, per garment, its similar items and outfit."""
    width, height = doc["size"]
    assert doc["detections"] and len(doc["garments"]) == len(doc["detections"])
    for d in doc["detections"]:
        x0, y0, x1, y1 = d["box"]
        assert 0 <= x0 < x1 <= width and 0 <= y0 < y1 <= height and d["category"] in CATEGORIES
        assert x0 <= d["icon"][0] <= x1 and y0 <= d["icon"][1] <= y1
    for i, g in enumerate(doc["garments"]):
        assert g["garment"] == i and g["category"] == doc["detections"][i]["category"]
        assert len(g["similar"]) <= k and all(r["category"] == g["category"] for r in g["similar"])
        outfit = g["outfit"]
        assert outfit["outfit"] and set(outfit["by_slot"]) >= {r["slot"] for r in outfit["outfit"]}
        assert all(r["category"] != g["category"] for r in outfit["outfit"])  # not the garment's own slot
        assert set(g["timings_ms"]) >= {"crop", "encode", "similar", "complete", "total"}


def test_look_one_photo_and_many_photos_keep_the_contract(demo_world, demo_index, tmp_path):
    photos = sorted((demo_world / "looks" / "images").glob("*.jpg"))[:2]
    one = run_look("--index", str(demo_index), "--image", str(photos[0]), "-k", "3", "--json")
    assert one.returncode == 0, one.stderr
    doc = json.loads(one.stdout)
    assert doc["query"] == str(photos[0])
    check_look(doc, 3)
    queries = tmp_path / "q.csv"
    queries.write_text("image\n" + "\n".join(str(p) for p in photos) + "\n")
    many = run_look("--index", str(demo_index), "--queries", str(queries), "-k", "3", "--json")
    assert many.returncode == 0, many.stderr
    results = json.loads(many.stdout)["results"]
    assert [r["query"] for r in results] == [str(p) for p in photos]
    for r in results:
        check_look(r, 3)
    assert results[0]["detections"] == doc["detections"]  # the same photo gives the same look


def test_look_refuses_bad_input_in_one_line(demo_index, tmp_path):
    note = tmp_path / "note.jpg"
    note.write_text("not a photo")
    bad = run_look("--index", str(demo_index), "--image", str(note), "--json")
    assert bad.returncode == 2 and "not an image" in bad.stderr and "Traceback" not in bad.stderr
    assert bad.stdout == ""
    zero = run_look("--index", str(demo_index), "--image", str(note), "-k", "0")
    assert zero.returncode == 2 and "-k" in zero.stderr and "Traceback" not in zero.stderr
