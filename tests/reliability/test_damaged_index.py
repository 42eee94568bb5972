"""Finding 3 of issue #12: an index checks itself; a damaged one is refused in one line, never a crash or NaN.

The old index loaded a half-size Annoy file and segfaulted on the first query, gave raw tracebacks for damaged
npy/npz files, printed ``"score": NaN``, served wrong products for a swapped ``ids.json`` and never compared
the manifest's dimensions with the files. Here every file of two real indexes (the demo index: exact search;
a synthetic-feature index with a real Annoy category) is truncated and zeroed in turn.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from fashion_core.ann import EXACT_BELOW
from fashion_core.catalog import Catalog, Product
from fashion_core.conformance import clustered_vectors
from fashion_core.index import IndexDamaged, load_index
from fashion_core.index.store import current_version
from fashion_core.ingest import index_from_parts

from .conftest import ROOT, cli, copy_index, one_line_refusal, rerecord

SWEEP = Path(__file__).with_name("damage_sweep.py")


@pytest.fixture(scope="module")
def annoy_index(demo_index, shop, tmp_path_factory) -> Path:
    """An index whose ``top`` category is above the exact-search threshold (a real Annoy file), built with the
    demo index's encoder identity, so the CLI serves it like any other."""
    n_top, n_shoes, dim = EXACT_BELOW + 100, 40, load_index(demo_index).manifest.encoder.dim
    image = sorted((shop / "images").glob("*.jpg"))[0]
    products = [Product(f"T{i:05d}", f"top {i}", "top", image) for i in range(n_top)]
    products += [Product(f"S{i:05d}", f"shoe {i}", "shoes", image) for i in range(n_shoes)]
    feats = clustered_vectors(len(products), dim, clusters=40, seed=5)
    out = tmp_path_factory.mktemp("annoy-faults") / "index"
    index_from_parts(out, Catalog(products, shop), shop / "synthetic.csv", load_index(demo_index).manifest.encoder,
                     {"head": feats})
    assert load_index(out).categories["top"].ann.backend == "annoy"
    res = cli("similar", "--index", out, "--id", "T00001", "-k", "3", "--json")
    assert res.returncode == 0 and len(json.loads(res.stdout)["results"][0]["items"]) == 3, res.stderr[-2000:]
    return out


def sweep(index_dir: Path, tmp_path: Path) -> list[dict]:
    work = copy_index(index_dir, tmp_path / "sweep")
    res = subprocess.run([sys.executable, str(SWEEP), str(work)], cwd=ROOT, capture_output=True, text=True,
                         timeout=600, env={**os.environ, "PYTHONPATH": str(ROOT)})
    lines = [json.loads(x) for x in res.stdout.splitlines() if x.startswith("{")]
    last = lines[-1] if lines else None
    assert res.returncode == 0, f"the sweep process died ({res.returncode}) at {last}: {res.stderr[-2000:]}"
    return [x for x in lines if x["outcome"] != "started"]


@pytest.mark.parametrize("which", ["demo", "annoy"])
def test_truncating_or_zeroing_any_file_is_refused_in_one_line(which, demo_index, annoy_index, tmp_path):
    index_dir = demo_index if which == "demo" else annoy_index
    cases = sweep(index_dir, tmp_path)
    version = current_version(index_dir)
    in_manifest = set(load_index(index_dir).manifest.files) | {"manifest.json"}
    assert in_manifest == {str(p.relative_to(version)) for p in version.rglob("*") if p.is_file()}
    seen = set()
    for case in cases:
        seen.add(case["file"])
        if case["file"] in ("CURRENT", ".fashion-index"):  # pointers: the one complete version is still found
            assert case["outcome"] == "served", case
            continue
        assert case["outcome"] == "refused", case
        msg = case["message"]
        assert "\n" not in msg and "is damaged" in msg or "schema version" in msg, case
        assert "rebuild it with `fashion-core index build" in msg, case
        assert case["file"].split("/")[-1] in msg or case["file"] == "manifest.json", case
    assert seen == in_manifest | {"CURRENT", ".fashion-index"}
    if which == "annoy":
        assert any(c["file"] == "ann/top.ann" and c["mode"] == "truncate-recorded" for c in cases)


@pytest.mark.parametrize("rel, mode", [("ann/top.ann", "truncate"), ("ann/top.ann", "zero"),
                                       ("features.npy", "zero"), ("descriptor.npz", "truncate"),
                                       ("products.jsonl", "zero"), ("manifest.json", "truncate")])
def test_the_cli_refuses_a_damaged_index_with_exit_2_on_every_query(rel, mode, annoy_index, tmp_path):
    work = copy_index(annoy_index, tmp_path / "index")
    path = current_version(work) / rel
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2] if mode == "truncate" else b"\0" * len(data))
    for args in (("similar", "--id", "T00001"), ("similar", "--id", "S00003", "--json"),
                 ("complete", "--id", "T00002", "--json")):
        line = one_line_refusal(cli(args[0], "--index", work, *args[1:]))
        assert "is damaged" in line and "rebuild it with" in line, line
    res = cli("index", "verify", work, "--json")
    assert res.returncode == 2 and json.loads(res.stdout)["ok"] is False


def test_swapped_ids_json_entries_are_detected(demo_index, tmp_path):
    work = copy_index(demo_index, tmp_path / "index")
    ids_path = current_version(work) / "ids.json"
    ids = json.loads(ids_path.read_text())
    ids[0], ids[1] = ids[1], ids[0]
    ids_path.write_text(json.dumps(ids))
    with pytest.raises(IndexDamaged, match="ids.json does not match its SHA-256"):
        load_index(work)
    rerecord(work)  # the hashes now agree: the product table must still disagree with the swapped ids
    with pytest.raises(IndexDamaged, match="does not list the products of ids.json in the same order"):
        load_index(work)


@pytest.mark.parametrize("field, value, expect", [
    ("encoder.dim", 999, r"features.npy has shape \(240, 1280\), the manifest says \(240, 999\)"),
    ("counts.products", 239, r"distinct ids for 239 products"),
    ("counts.by_category.top", 1, r"ann/top.npy holds \d+ vectors, the manifest says 1|top.rows.npy has shape"),
])
def test_manifest_dimensions_and_counts_are_compared_with_the_files(field, value, expect, demo_index, tmp_path):
    work = copy_index(demo_index, tmp_path / "index")
    path = current_version(work) / "manifest.json"
    doc = json.loads(path.read_text())
    node = doc
    *parents, leaf = field.split(".")
    for key in parents:
        node = node[key]
    node[leaf] = value
    path.write_text(json.dumps(doc))
    with pytest.raises(IndexDamaged, match=expect):
        load_index(work)


def strict_json(text: str):
    """Parse JSON, refusing NaN and infinity (which ``json.loads`` would otherwise accept)."""
    def refuse(token):
        raise ValueError(f"{token} in JSON output")
    return json.loads(text, parse_constant=refuse)


@pytest.mark.slow
def test_nan_vectors_never_reach_json_output(demo_index, tmp_path):
    """NaN rows planted in the served vectors and the category's search set (hashes re-recorded, as a buggy build
    would): every answer is valid JSON with finite scores and without those products, or a one-line refusal."""
    work = copy_index(demo_index, tmp_path / "index")
    vpath = current_version(work) / "vectors.npy"
    vectors = np.load(vpath)
    index = load_index(demo_index)
    top_rows = [int(r) for r in index.categories["top"].rows[:4]]
    vectors[top_rows[:2]] = np.nan
    np.save(vpath, vectors)
    exact = np.load(current_version(work) / "ann" / "top.npy")  # the category's own (exact-search) copy too
    exact[:2] = np.nan
    np.save(current_version(work) / "ann" / "top.npy", exact)
    rerecord(work)
    for pid, command in ((index.ids[top_rows[0]], "similar"), (index.ids[top_rows[3]], "similar"),
                         (index.ids[top_rows[3]], "complete")):
        res = cli(command, "--index", work, "--id", pid, "-k", "5", "--json")
        if res.returncode == 0:
            doc = strict_json(res.stdout)
            assert "NaN" not in res.stdout and "Infinity" not in res.stdout
            items = doc["results"][0]["items"] if command == "similar" else doc["outfit"]
            assert items and all(np.isfinite(x["score"]) for x in items)
            assert not {index.ids[r] for r in top_rows[:2]} & {x["product_id"] for x in items}
        else:
            one_line_refusal(res)


def test_an_index_built_from_nan_features_leaves_those_products_out(demo_index, shop, tmp_path):
    from fashion_core.catalog import load_catalog

    catalog = load_catalog(shop / "catalog.csv")
    feats = np.asarray(load_index(demo_index).features).copy()
    feats[[3, 7]] = np.nan
    out = index_from_parts(tmp_path / "index", catalog, shop / "catalog.csv", load_index(demo_index).manifest.encoder,
                           {"head": feats})
    index = load_index(out)
    assert len(index) == len(catalog) - 2 and catalog.products[3].product_id not in index.row_of
    assert np.isfinite(index.vectors).all() and index.manifest.counts["undecodable_images"] == 2


def test_emit_json_writes_null_for_nan(capsys):
    from fashion_core.cli.output import emit_json

    emit_json({"score": float("nan"), "items": [np.float32("inf"), 1.5], "n": np.int64(3)})
    assert strict_json(capsys.readouterr().out) == {"score": None, "items": [None, 1.5], "n": 3}


def test_a_damaged_feature_cache_never_breaks_serving_and_its_products_are_encoded_again(demo_index, tmp_path):
    """The feature cache (``cache/`` beside ``versions/``) is part of the index directory too: every file of it
    truncated or zeroed in turn, the index still serves and the cache reports the damaged segment's products as
    not cached (they are encoded again, never read damaged); the next build can append beside it."""
    from fashion_core.index.cache import CACHE, FeatureCache, last_model

    model = last_model(demo_index)
    products = load_index(demo_index).products
    keys = FeatureCache(demo_index, model).keys_for(products)
    clean = FeatureCache(demo_index, model).read(keys[:2])[0]
    rels = sorted(p.relative_to(demo_index) for p in (demo_index / CACHE).rglob("*") if p.is_file())
    assert {"head.npy", "keys.npy", "meta.json", "LAST"} <= {r.name for r in rels}
    for n, rel in enumerate(rels):
        for mode in ("truncate", "zero"):
            work = tmp_path / f"{n}-{mode}"
            shutil.copytree(demo_index, work, ignore=shutil.ignore_patterns(".lock"))  # with its cache
            data = (work / rel).read_bytes()
            (work / rel).write_bytes(data[: len(data) // 2] if mode == "truncate" else b"\0" * len(data))
            assert len(load_index(work)) == len(products), (rel, mode)
            cache = FeatureCache(work, last_model(work) or model)
            hit = cache.lookup(keys)
            if rel.name == "LAST":  # the model id of the last build: the update falls back to the index's own
                assert hit.all()
                continue
            assert not hit.any(), (str(rel), mode, int(hit.sum()))
            cache.add(keys[:2], clean, np.ones(2, dtype=bool))  # the next build appends what it encoded again
            again = FeatureCache(work, model)
            assert again.lookup(keys[:2]).all() and np.array_equal(again.read(keys[:2])[0]["head"], clean["head"])


@pytest.mark.slow
def test_a_build_over_a_zeroed_cache_segment_re_encodes_and_matches_a_clean_build(demo_world, demo_index, tmp_path):
    from fashion_core.index.cache import CACHE

    work = tmp_path / "index"
    shutil.copytree(demo_index, work, ignore=shutil.ignore_patterns(".lock"))  # with its cache
    [head] = list((work / CACHE).rglob("head.npy"))
    head.write_bytes(b"\0" * head.stat().st_size)
    res = cli("index", "build", "--catalog", demo_world / "catalog.csv", "--out", work, "--compat-model", "none",
              "--quiet")
    assert res.returncode == 0, res.stderr[-2000:]
    assert "0 of 240 products cached, 240 to encode" in res.stderr, res.stderr[-2000:]
    assert np.allclose(load_index(work).features, load_index(demo_index).features, atol=1e-5)
