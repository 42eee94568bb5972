"""A machine without ``../shared``: the shipped models answer. The app's path (set-up's index build,
``Recommender.open`` → ``shop_the_look`` → ``answer``) and the CLI run with ``FASHION_SHARED_DATA`` pointing to an
empty folder, on the small demo world (generated, no real data)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from fashion_core.config import PROJECT_ROOT, Settings


@pytest.fixture(scope="module")
def no_shared(tmp_path_factory):
    empty = tmp_path_factory.mktemp("no-shared")
    return empty


@pytest.fixture(scope="module")
def served(demo_world, no_shared, tmp_path_factory):
    """Settings as a fresh machine resolves them (no FASHION_* but the empty shared folder), and the demo index
    that set-up builds with them."""
    from fashion_core.bootstrap import ensure_index

    env = {"FASHION_SHARED_DATA": str(no_shared), "FASHION_DATA_DIR": str(tmp_path_factory.mktemp("data"))}
    settings = Settings.resolve(env=env)
    index = settings.data_dir / "indexes" / "demo"
    ensure_index(demo_world / "catalog.csv", index, settings, progress=False)
    return settings.with_(index_dir=index), env


def test_set_up_builds_with_the_shipped_model_and_rebuilds_a_stale_index(served, demo_world):
    from fashion_core.bootstrap import ensure_index, stale_reason
    from fashion_core.index import load_index

    settings, _ = served
    assert settings.compat_model == PROJECT_ROOT / "models" / "compat"
    manifest = load_index(settings.index_dir).manifest
    assert manifest.compat is not None and manifest.compat.source_model == "compat"
    assert stale_reason(settings.index_dir, settings, demo_world / "catalog.csv") is None
    plain = settings.with_(compat_model="none")
    assert "compatibility model" in stale_reason(settings.index_dir, plain)
    ensure_index(demo_world / "catalog.csv", settings.index_dir, plain, progress=False)  # rebuilt, not refused
    assert load_index(settings.index_dir).manifest.compat is None
    ensure_index(demo_world / "catalog.csv", settings.index_dir, settings, progress=False)
    assert load_index(settings.index_dir).manifest.compat is not None


def test_the_app_path_answers_with_the_shipped_models(served, demo_world):
    from fashion_core.imageio import load_image
    from fashion_core.recommend import Recommender

    settings, _ = served
    rec = Recommender.open(settings)
    assert rec.has_compat_model and rec.category_model is not None
    assert rec.detector.parser is not None  # the shipped garment parser, not the rule regions
    photo = sorted((demo_world / "looks" / "images").glob("*.jpg"))[0]
    look = rec.shop_the_look(load_image(photo))
    assert look.detections
    answer = rec.answer(look, 0)
    assert answer.outfit.trained and answer.outfit.outfit
    assert all(r.reasons and r.reasons[-1].startswith("compatibility") for r in answer.outfit.outfit)


def test_each_garment_of_a_look_is_encoded_once_and_a_prepared_look_answers_the_same(served, demo_world,
                                                                                    monkeypatch):
    """``prepare`` (what the app runs once the icons are drawn) encodes each garment once; taps afterwards encode
    nothing and answer exactly as taps on a look nobody prepared."""
    from fashion_core.imageio import load_image
    from fashion_core.recommend import Recommender

    settings, _ = served
    rec = Recommender.open(settings)
    photo = sorted((demo_world / "looks" / "images").glob("*.jpg"))[1]
    image = load_image(photo)
    calls = []
    real = rec.encoder.encode_parts
    monkeypatch.setattr(rec.encoder, "encode_parts", lambda images: calls.append(len(images)) or real(images))
    prepared = rec.shop_the_look(image)
    n = len(prepared.detections)
    assert n >= 2
    assert rec.prepare(prepared) > 0 and sum(calls) == n
    first = [rec.answer(prepared, g) for g in range(n)]
    assert sum(calls) == n  # every tap reused the look's encodings
    assert all(a.timings["encode"] < a.timings["total"] for a in first)
    calls.clear()
    plain = rec.shop_the_look(image)
    second = [rec.answer(plain, g) for g in range(n)]
    assert sum(calls) == n  # unprepared: each garment encoded on its tap or for the wearer, once
    for a, b in zip(first, second):
        assert [r.product.product_id for r in a.similar] == [r.product.product_id for r in b.similar]
        assert [r.product.product_id for r in a.outfit.outfit] == [r.product.product_id for r in b.outfit.outfit]
    assert prepared.wearer == plain.wearer


def test_the_cli_answers_many_queries_without_shared(served, demo_world, tmp_path):
    settings, env = served
    from fashion_core.index import load_index

    ids = load_index(settings.index_dir).ids
    shot = sorted((demo_world / "images").glob("*.jpg"))[0]
    queries = tmp_path / "q.csv"
    queries.write_text(f"product_id,image,category,gender\n{ids[0]},,,\n,{shot},top,Women\n")
    run_env = {**os.environ, **env}
    out = subprocess.run([sys.executable, "-m", "fashion_core", "complete", "--index", str(settings.index_dir),
                          "--queries", str(queries), "-k", "2", "--refine", "black", "--json"],
                         cwd=PROJECT_ROOT, env=run_env, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert [r["query"] for r in doc["results"]] == [ids[0], str(shot)]
    assert all({"outfit", "by_slot", "query_category"} <= set(r) for r in doc["results"])
    assert doc["results"][1]["wearer"]["gender"] == "Women" and doc["filters"] == {"refine": "black"}
    one = subprocess.run([sys.executable, "-m", "fashion_core", "complete", "--index", str(settings.index_dir),
                          "--id", ids[0], "--json"], cwd=PROJECT_ROOT, env=run_env, capture_output=True, text=True,
                         timeout=600)
    assert one.returncode == 0 and set(json.loads(one.stdout)) >= {"outfit", "by_slot"}  # one query: today's shape
    bad = subprocess.run([sys.executable, "-m", "fashion_core", "complete", "--index", str(settings.index_dir),
                          "--id", ids[0], "--gender", "aliens"], cwd=PROJECT_ROOT, env=run_env, capture_output=True,
                         text=True, timeout=600)
    assert bad.returncode == 2 and "--gender" in bad.stderr and "Traceback" not in bad.stderr


def test_similar_takes_the_same_filters(served, capsys):
    from fashion_core.cli import main
    from fashion_core.index import load_index

    settings, _ = served
    index = load_index(settings.index_dir)
    black = next(p for p in index.products if p.attributes.get("colour") == "black" and p.category != "belt")
    args = ["similar", "--index", str(settings.index_dir), "--id", black.product_id, "-k", "4", "--json"]
    assert main(args + ["--refine", "black"]) == 0
    items = json.loads(capsys.readouterr().out)["results"][0]["items"]
    same = [p for p in index.products if p.category == black.category and p.attributes.get("colour") == "black"]
    assert items and all(i["category"] == black.category for i in items)
    assert sum("black" in i["title"].lower() for i in items) == min(len(items), len(same) - 1)
    assert all("matches 'black'" in i["reasons"] for i in items if "black" in i["title"].lower())
    assert main(args + ["--slots", "cape"]) == 2
    assert "unknown slot" in capsys.readouterr().err
