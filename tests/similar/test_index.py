"""Ingest, index directories and similar items on the demo catalog: real encoder, real Annoy, real files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from fashion_core.index import load_index
from fashion_core.ingest import build_index
from fashion_core.recommend import Recommender

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def rec(demo_index) -> Recommender:
    return Recommender(demo_index)


def top10(index_dir: Path) -> dict[str, list[str]]:
    r = Recommender(index_dir)
    return {p.product_id: [x.product.product_id for x in r.similar_items(product_id=p.product_id, k=10)]
            for p in r.index.products[::7]}


def test_similar_items_are_same_category_and_never_the_query(rec):
    for p in rec.index.products[::11]:
        recs = rec.similar_items(product_id=p.product_id, k=5)
        assert recs, p.product_id
        assert all(r.product.category == p.category for r in recs)
        assert p.product_id not in {r.product.product_id for r in recs}
        assert [r.score for r in recs] == sorted([r.score for r in recs], reverse=True)


def test_similar_prefers_the_same_colour_on_the_demo(rec):
    """Demo products carry their drawn colour: the nearest items should share it far more often than chance."""
    hits, n, chance = 0, 0, []
    for p in rec.index.products[::3]:
        same_cat = [q for q in rec.index.products if q.category == p.category and q.product_id != p.product_id]
        chance.append(np.mean([q.attributes["colour"] == p.attributes["colour"] for q in same_cat]))
        recs = rec.similar_items(product_id=p.product_id, k=3)
        hits += sum(r.product.attributes["colour"] == p.attributes["colour"] for r in recs)
        n += len(recs)
    assert hits / n > 2 * float(np.mean(chance))


def test_image_query_finds_the_product_itself(rec):
    from fashion_core.imageio import load_image

    p = rec.index.products[5]
    recs = rec.similar_items(image=load_image(p.image), k=3)
    assert recs[0].product.product_id == p.product_id and recs[0].score > 0.99


def test_same_catalog_twice_gives_identical_ids_and_top10(demo_world, demo_index, tmp_path):
    again = build_index(demo_world / "catalog.csv", tmp_path / "again", progress=False)
    assert load_index(again).ids == load_index(demo_index).ids
    assert np.array_equal(load_index(again).vectors, load_index(demo_index).vectors)
    assert top10(again) == top10(demo_index)


def test_index_from_another_model_is_refused(demo_index, tmp_path):
    import shutil

    stale = tmp_path / "stale"
    shutil.copytree(demo_index, stale)
    path = load_index(stale).version_dir / "manifest.json"
    manifest = json.loads(path.read_text())
    manifest["encoder"]["weights_id"] = "0123456789ab"
    path.write_text(json.dumps(manifest))
    with pytest.raises(ValueError, match="fashion-core index build"):
        Recommender(stale)
    manifest["schema_version"] = 99
    path.write_text(json.dumps(manifest))
    with pytest.raises(ValueError, match="schema"):
        load_index(stale)


def test_failed_build_keeps_the_last_good_index(demo_index, tmp_path):
    import shutil

    out = tmp_path / "idx"
    shutil.copytree(demo_index, out)
    before = (load_index(out).version_dir / "manifest.json").read_text()
    (tmp_path / "bad.csv").write_text("product_id,title,category,image\n1,x,spacesuit,nope.jpg\n")
    with pytest.raises(ValueError, match="no valid products"):
        build_index(tmp_path / "bad.csv", out, progress=False)
    assert (load_index(out).version_dir / "manifest.json").read_text() == before
    assert Recommender(out).similar_items(product_id=Recommender(out).index.products[0].product_id)


@pytest.mark.slow
def test_interrupted_build_resumes_to_the_same_index(demo_world, demo_index, tmp_path):
    """Kill a real build half-way; the next run reuses the finished shards and ends with the same index."""
    out = tmp_path / "resumed"
    env = {**os.environ, "FASHION_INGEST_SHARD": "32"}  # small shards, so the kill lands mid-build
    cmd = [sys.executable, "-m", "fashion_core", "index", "build", "--catalog", str(demo_world / "catalog.csv"),
           "--out", str(out), "--quiet"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    shards = out / ".staging" / "shards"
    deadline = time.time() + 240
    def finished() -> list[str]:  # whole shards only (a shard being written is ``NNNNN.tmp.npz``)
        return sorted(p.name for p in shards.glob("0*.npz") if ".tmp" not in p.name)

    while time.time() < deadline and len(finished()) < 3:
        time.sleep(0.2)
    proc.kill()
    proc.wait()
    done = finished()
    assert 3 <= len(done) < 8 and not (out / "CURRENT").exists(), done
    second = subprocess.run(cmd, cwd=ROOT, env=env, check=True, capture_output=True, text=True, timeout=600)
    assert (out / "CURRENT").exists() and not shards.exists()
    n_products = len(pd.read_csv(demo_world / "catalog.csv"))
    assert f"encoded {n_products - 32 * len(done)} images" in second.stderr  # finished shards were reused
    a, b = load_index(out).features, load_index(demo_index).features
    assert np.allclose(a, b, atol=1e-5)
    assert top10(out) == top10(demo_index)


def test_cli_similar_json_contract_with_many_queries(demo_world, demo_index, tmp_path):
    products = pd.read_csv(demo_world / "catalog.csv", dtype=str)
    q = pd.DataFrame({"product_id": list(products.product_id[:2]) + [""],
                      "image": ["", "", str(demo_world / products.image[3])]})
    q.to_csv(tmp_path / "q.csv", index=False)
    res = subprocess.run([sys.executable, "-m", "fashion_core", "similar", "--index", str(demo_index),
                          "--queries", str(tmp_path / "q.csv"), "-k", "4", "--json"],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    doc = json.loads(res.stdout)
    assert len(doc["results"]) == 3
    for r in doc["results"]:
        assert len(r["items"]) == 4
        assert {"product_id", "category", "score"} <= set(r["items"][0])
    assert doc["results"][2]["items"][0]["product_id"] == products.product_id[3]
    bad = subprocess.run([sys.executable, "-m", "fashion_core", "similar", "--index", str(demo_index), "--id", "NOPE"],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert bad.returncode == 2 and "NOPE" in bad.stderr and "Traceback" not in bad.stderr


def test_complete_the_look_delegates_and_never_returns_the_query_slot(rec):
    from fashion_core import taxonomy

    for p in rec.index.products[::40]:
        outfit = rec.complete_the_look(product_id=p.product_id, k=3)
        slots = {r.slot or r.product.slot for r in outfit.outfit}
        assert outfit.outfit and p.slot not in slots, (p.category, slots)
        assert slots <= set(taxonomy.complementary_slots(p.slot))
        assert p.product_id not in {r.product.product_id for r in outfit.outfit}


def test_detect_and_crop_on_a_demo_look(rec, demo_world):
    from fashion_core.imageio import load_image

    look = sorted((demo_world / "looks" / "images").glob("*.jpg"))[0]
    image = load_image(look)
    detections = rec.detect(image)
    assert detections, "the pose detector found nothing on a demo look"
    crop = rec.crop(image, detections[0])
    assert 0 < crop.width <= image.width and 0 < crop.height <= image.height
    recs = rec.similar_items(image=crop, category=detections[0].category, k=3)
    assert all(r.product.category == detections[0].category for r in recs)
