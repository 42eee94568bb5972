"""Finding 1 of issue #12: ``index build --out DIR`` never deletes or builds over what is not an index.

The old build emptied a folder of notes, deleted the catalog with ``--out .``, and ended in a traceback for an
``--out`` naming a file. Each test plants that situation and runs the real CLI (the refusal comes before any
model is loaded) or the library's build with real encoder features.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from fashion_core.catalog import load_catalog
from fashion_core.index import UnsafeOutput, load_index
from fashion_core.ingest import index_from_parts

from .conftest import ROOT, cli, one_line_refusal


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` and its content hash."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def build(catalog: Path, out: Path, *extra: str):
    return cli("index", "build", "--catalog", catalog, "--out", out, "--compat-model", "none", "--quiet", *extra)


def test_a_non_empty_folder_that_is_no_index_is_refused_and_left_untouched(shop, tmp_path):
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "todo.txt").write_text("buy milk\n")
    (notes / "sub").mkdir()
    (notes / "sub" / "draft.md").write_text("# draft\n")
    before = snapshot(notes)
    line = one_line_refusal(build(shop / "catalog.csv", notes))
    assert "is not empty and is not a fashion-core index" in line and "--force" in line
    assert snapshot(notes) == before and sorted(p.name for p in notes.iterdir()) == ["sub", "todo.txt"]


def test_force_builds_beside_the_files_and_deletes_none(shop, demo_index, tmp_path):
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "todo.txt").write_text("buy milk\n")
    catalog = load_catalog(shop / "catalog.csv")
    served = load_index(demo_index)
    with pytest.raises(UnsafeOutput):
        index_from_parts(notes, catalog, shop / "catalog.csv", served.manifest.encoder,
                         {"head": np.asarray(served.features)})
    index_from_parts(notes, catalog, shop / "catalog.csv", served.manifest.encoder,
                     {"head": np.asarray(served.features)}, force=True)
    assert (notes / "todo.txt").read_text() == "buy milk\n"
    assert len(load_index(notes)) == len(catalog)
    index_from_parts(notes, catalog, shop / "catalog.csv", served.manifest.encoder,  # a rebuild: now an index
                     {"head": np.asarray(served.features)})
    assert (notes / "todo.txt").read_text() == "buy milk\n"


@pytest.mark.parametrize("where", ["catalog folder", "parent of the catalog folder", "images folder",
                                   "symlink to the catalog folder"])
def test_never_into_or_over_the_catalog_even_with_force(shop, where, tmp_path):
    out = {"catalog folder": shop, "parent of the catalog folder": shop.parent,
           "images folder": shop / "images", "symlink to the catalog folder": tmp_path / "link"}[where]
    if where.startswith("symlink"):
        out.symlink_to(shop, target_is_directory=True)
    before = snapshot(shop)
    for extra in ((), ("--force",)):
        line = one_line_refusal(build(shop / "catalog.csv", out, *extra))
        assert "lie inside --out" in line, line
    assert snapshot(shop) == before
    assert not (out / ".fashion-index").exists() and not (out / ".staging").exists()


def test_dot_run_inside_the_catalog_folder_deletes_nothing(shop):
    """``--out .`` from the catalog's folder: the old build deleted the CSV and every image."""
    before = snapshot(shop)
    res = subprocess.run([sys.executable, "-m", "fashion_core", "index", "build", "--catalog", "catalog.csv",
                          "--out", ".", "--force", "--compat-model", "none"], cwd=shop, capture_output=True,
                         text=True, timeout=300, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert res.returncode == 2 and "lie inside --out" in res.stderr and "Traceback" not in res.stderr, res.stderr
    assert snapshot(shop) == before


def test_an_out_that_names_a_file_is_refused_and_a_later_build_works(shop, demo_index, tmp_path):
    target = tmp_path / "index"
    target.write_text("not a folder\n")
    line = one_line_refusal(build(shop / "catalog.csv", target))
    assert "is a file, not a folder" in line
    assert target.read_text() == "not a folder\n" and sorted(p.name for p in tmp_path.iterdir()) == ["index"]
    target.unlink()
    catalog = load_catalog(shop / "catalog.csv")
    served = load_index(demo_index)
    index_from_parts(target, catalog, shop / "catalog.csv", served.manifest.encoder,
                     {"head": np.asarray(served.features)})
    assert len(load_index(target)) == len(catalog)
    assert not list(tmp_path.glob("*.old")) and not list(tmp_path.glob("index.*"))
