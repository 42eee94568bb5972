"""``index update``: only new or changed products are encoded, removed ones are dropped, and the answers are those of
a full rebuild of the new catalog."""

from __future__ import annotations

import io
import json
import shutil
from contextlib import redirect_stdout

import numpy as np
import pytest

from fashion_core.agreement import same_share, top_lists
from fashion_core.catalog_edits import change_catalog, copy_catalog
from fashion_core.cli import main
from fashion_core.encoders.descriptor import PARTS_VERSION
from fashion_core.index import load_index
from fashion_core.index.cache import FeatureCache, entry_key, model_id
from fashion_core.ingest import build_index


@pytest.fixture(scope="module")
def changed(demo_world, demo_index, tmp_path_factory):
    """(the demo index updated for a changed catalog through the CLI, its report, the edits, a full rebuild)."""
    work = tmp_path_factory.mktemp("update")
    csv = copy_catalog(demo_world / "catalog.csv", work / "catalog")
    index = work / "index"
    shutil.copytree(demo_index, index)
    base = load_index(index)
    assert base.manifest.compat is None  # the fixture index: visual complete-the-look, so both builds agree
    edits = change_catalog(csv, fraction=0.01)
    out = io.StringIO()
    with redirect_stdout(out):
        assert main(["index", "update", "--catalog", str(csv), "--index", str(index), "--json"]) == 0
    full = build_index(csv, work / "full", progress=False)
    return index, json.loads(out.getvalue()), edits, full


def test_update_encodes_only_what_changed(changed):
    index, report, edits, _ = changed
    n_changed = len(edits["image"]) + len(edits["title"])
    assert report["added"] == len(edits["added"]) and report["removed"] == len(edits["removed"])
    assert report["changed"] == n_changed
    assert report["encoded"] == n_changed + len(edits["added"])  # nothing else was encoded
    assert report["products"] == 240 - len(edits["removed"]) + len(edits["added"])
    ids = load_index(index).ids
    assert not set(edits["removed"]) & set(ids) and set(edits["added"]) <= set(ids)
    m = load_index(index).manifest
    assert m.build["encoded"] == report["encoded"] and m.build["reused"] == report["products"] - report["encoded"]


def test_update_answers_as_a_full_rebuild(changed):
    index, _, _, full = changed
    a, b = load_index(index), load_index(full)
    assert a.ids == b.ids
    assert np.abs(np.asarray(a.features) - np.asarray(b.features)).max() < 1e-5
    assert same_share(top_lists(index), top_lists(full)) == 1.0  # identical top-10 for every product


def test_an_unchanged_catalog_encodes_nothing(changed, tmp_path):
    index, _, _, _ = changed
    catalog = load_index(index).manifest.catalog.path
    out = io.StringIO()
    with redirect_stdout(out):
        assert main(["index", "update", "--catalog", catalog, "--index", str(index), "--json"]) == 0
    report = json.loads(out.getvalue())
    assert report["encoded"] == 0 and report["added"] == report["changed"] == report["removed"] == 0


def test_update_refuses_a_folder_that_is_no_index(tmp_path, demo_world, capsys):
    assert main(["index", "update", "--catalog", str(demo_world / "catalog.csv"), "--index", str(tmp_path / "x")]) == 2
    assert "no index at" in capsys.readouterr().err


def test_feature_cache_appends_reads_back_and_compacts(tmp_path):
    model = model_id("e", "w", None, PARTS_VERSION)
    cache = FeatureCache(tmp_path, model)
    keys = [entry_key(bytes([i]) * 32, f"t{i}", cache.key) for i in range(10)]
    rng = np.random.default_rng(0)
    head = rng.normal(size=(10, 4)).astype(np.float32)
    cache.add(keys[:6], {"head": head[:6]}, np.ones(6, bool))
    cache.add(keys[6:], {"head": head[6:]}, np.array([True, False, True, True]))
    again = FeatureCache(tmp_path, model)  # read back from disk
    assert again.lookup(keys).all() and len(again.segments) == 2
    parts, ok = again.read(keys[::-1])
    assert np.array_equal(parts["head"], head[::-1]) and ok.tolist() == [True, True, False, True] + [True] * 6
    assert not again.retain(keys[2:])  # 8 of 10 live: kept as they are
    assert again.retain(keys[7:])  # 3 of 10 live: compacted into one segment
    third = FeatureCache(tmp_path, model)
    assert len(third.segments) == 1 and len(third) == 3
    assert np.array_equal(third.read(keys[7:])[0]["head"], head[7:])
    assert not FeatureCache(tmp_path, {**model, "weights_id": "other"}).lookup(keys).any()  # another model id
    assert not FeatureCache(tmp_path, model_id("e", "w", None, PARTS_VERSION - 1)).lookup(keys).any()  # older parts


def test_feature_cache_keeps_half_precision_parts_in_half_the_bytes(tmp_path):
    cache = FeatureCache(tmp_path, model_id("e", "w", None, PARTS_VERSION))
    keys = [entry_key(bytes([i]) * 32, f"t{i}", cache.key) for i in range(5)]
    rng = np.random.default_rng(1)
    parts = {"head": rng.normal(size=(5, 8)).astype(np.float32), "shape": rng.random((5, 8)).astype(np.float16)}
    cache.add(keys, parts, np.ones(5, bool))
    segment = cache.dir / cache.segments[0]
    assert np.load(segment / "shape.npy").dtype == np.float16 and np.load(segment / "head.npy").dtype == np.float32
    back, _ = FeatureCache(tmp_path, cache.model).read(keys)
    assert back["shape"].dtype == np.float16 and np.array_equal(back["shape"], parts["shape"])
    assert back["head"].dtype == np.float32 and np.array_equal(back["head"], parts["head"])
