"""Determinism of the whole build (byte-identical files) and the ``demo`` commands."""

from __future__ import annotations

import hashlib
import sys
import types

import pytest
from PIL import Image

from fashion_core.cli import main
from fashion_core.demo import build_demo


def _hashes(folder):
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_same_seed_gives_byte_identical_files_and_another_seed_does_not(tmp_path):
    kwargs = dict(n_products=120, n_outfits=60, n_looks=3, progress=False)
    a = _hashes(build_demo(tmp_path / "a", seed=7, **kwargs))
    b = _hashes(build_demo(tmp_path / "b", seed=7, **kwargs))
    assert len(a) > 120 + 3 * 2 + 10
    assert a == b
    c = _hashes(build_demo(tmp_path / "c", seed=8, **kwargs))
    assert c.keys() == a.keys()
    assert sum(a[k] != c[k] for k in a) > 0.9 * len(a)


def test_worker_processes_write_the_same_bytes(tmp_path, monkeypatch):
    from fashion_core.demo import build as build_module

    monkeypatch.setattr(build_module, "PARALLEL_FROM", 1)  # use the pool even for a tiny build
    # Streamlit (and AppTest) leave a main module whose file is gone; spawned workers must not depend on it.
    fake_main = types.ModuleType("__main__")
    fake_main.__file__ = str(tmp_path / "deleted_script.py")
    monkeypatch.setitem(sys.modules, "__main__", fake_main)
    kwargs = dict(seed=1, n_products=120, n_outfits=40, n_looks=3, progress=False)
    assert _hashes(build_demo(tmp_path / "one", workers=1, **kwargs)) == \
        _hashes(build_demo(tmp_path / "two", workers=2, **kwargs))


def test_rebuild_in_place_leaves_no_stale_files_and_keeps_other_folders(tmp_path):
    out = tmp_path / "demo"
    build_demo(out, seed=0, n_products=130, n_outfits=40, n_looks=3, progress=False)
    (out / "index").mkdir()
    (out / "index" / "keep.txt").write_text("x")
    build_demo(out, seed=0, n_products=120, n_outfits=40, n_looks=2, progress=False)
    assert len(list((out / "images").iterdir())) == 120
    assert len(list((out / "looks" / "images").iterdir())) == 2
    assert (out / "index" / "keep.txt").exists()


def test_cli_build_prints_a_summary_and_sheet_writes_a_png(tmp_path, capsys, test_output):
    out = tmp_path / "demo"
    assert main(["demo", "build", "--out", str(out), "--products", "120", "--outfits", "50", "--looks", "4",
                 "--seed", "3", "--quiet"]) == 0
    text = capsys.readouterr().out
    assert "120 products" in text and "4 photos" in text and str(out) in text
    sheet = test_output / "demo_sheet_small.png"
    assert main(["demo", "sheet", "--demo", str(out), "--out", str(sheet)]) == 0
    with Image.open(sheet) as img:
        assert img.width >= 800 and img.height >= 1500


@pytest.mark.parametrize("argv, message", [
    (["demo", "build", "--products", "10"], "too small"),
    (["demo", "build", "--outfits", "3"], "too small"),
])
def test_cli_refuses_bad_sizes_with_a_clear_message(argv, message, tmp_path, capsys):
    assert main(argv + ["--out", str(tmp_path / "x"), "--quiet"]) == 2
    assert message in capsys.readouterr().err


def test_sheet_of_a_missing_demo_says_how_to_build_one(tmp_path, capsys):
    assert main(["demo", "sheet", "--demo", str(tmp_path / "nothing")]) == 2
    assert "demo build" in capsys.readouterr().err
