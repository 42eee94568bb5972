"""Catalog loading and validation: every fault reported once, every good row kept."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from PIL import Image

from fashion_core.catalog import load_catalog, write_catalog_csv

ROOT = Path(__file__).resolve().parents[2]


def _img(path: Path, colour=(200, 30, 30)) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (24, 32), colour).save(path)
    return str(path.relative_to(path.parents[1]))


@pytest.fixture
def faulty_catalog(tmp_path) -> Path:
    root = tmp_path / "shop"
    (root / "images").mkdir(parents=True)
    good = [{"product_id": f"G{i}", "title": f"Red tee {i}", "category": "top", "image": _img(root / "images" / f"g{i}.jpg")}
            for i in range(4)]
    (root / "images" / "empty.jpg").write_bytes(b"")
    (root / "images" / "notes.jpg").write_text("these are my notes, not a photo")
    faults = [
        {"product_id": "F1", "title": "Missing file", "category": "top", "image": "images/missing.jpg"},
        {"product_id": "F2", "title": "Zero bytes", "category": "top", "image": "images/empty.jpg"},
        {"product_id": "F3", "title": "Text as jpg", "category": "top", "image": "images/notes.jpg"},
        {"product_id": "G0", "title": "Duplicate id", "category": "top", "image": good[1]["image"]},
        {"product_id": "F5", "title": "Unknown category", "category": "spacesuit", "image": good[2]["image"]},
        {"product_id": "F6", "title": "Escaping path", "category": "top", "image": "../../etc/passwd"},
    ]
    pd.DataFrame(good[:2] + faults + good[2:]).to_csv(root / "catalog.csv", index=False)
    return root / "catalog.csv"


def test_one_line_per_planted_fault_and_every_good_row_kept(faulty_catalog):
    cat = load_catalog(faulty_catalog)
    assert [p.product_id for p in cat] == ["G0", "G1", "G2", "G3"]
    lines = cat.report.lines()
    assert len(lines) == 6
    expect = {"F1": "file not found", "F2": "empty (0 bytes)", "F3": "not an image", "G0": "duplicate product_id",
              "F5": "unknown category 'spacesuit'", "F6": "escapes the catalog folder"}
    for rej in cat.report.rejections:
        assert expect.pop(rej.product_id) in rej.reason
    assert not expect
    assert cat.report.n_valid == 4 and cat.report.n_rows == 10


def test_cli_check_reports_faults_with_exit_code_1(faulty_catalog):
    res = subprocess.run([sys.executable, "-m", "fashion_core", "catalog", "check", str(faulty_catalog), "--json"],
                         capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert res.returncode == 1, res.stderr
    doc = json.loads(res.stdout)
    assert doc["n_valid"] == 4 and len(doc["rejections"]) == 6


def test_real_fpi_catalog_is_all_valid_and_fast(shared_data):
    start = time.perf_counter()
    res = subprocess.run([sys.executable, "-m", "fashion_core", "catalog", "check",
                          str(shared_data / "fpi" / "products.csv")], capture_output=True, text=True, cwd=ROOT, timeout=120)
    elapsed = time.perf_counter() - start
    assert res.returncode == 0, res.stdout + res.stderr
    assert "10041 valid products, 0 rejected" in res.stdout
    assert elapsed < 30  # the acceptance figure (10 s) is measured by hand; this guards against a 10x regression


def test_jsonl_parquet_and_folder_load_the_same_products(tmp_path):
    root = tmp_path / "c"
    rows = [{"product_id": "A", "title": "Blue jeans", "category": "Jeans", "image": _img(root / "pants" / "a.jpg")},
            {"product_id": "B", "title": "Black boots", "category": "shoes", "image": _img(root / "shoes" / "b.jpg")}]
    frame = pd.DataFrame(rows)
    frame.to_json(root / "c.jsonl", orient="records", lines=True)
    frame.to_parquet(root / "c.parquet")
    a, b = load_catalog(root / "c.jsonl"), load_catalog(root / "c.parquet")
    assert [(p.product_id, p.category) for p in a] == [(p.product_id, p.category) for p in b] == [("A", "pants"), ("B", "shoes")]
    folder = load_catalog(root)
    assert sorted(p.category for p in folder) == ["pants", "shoes"]
    assert {p.title for p in folder} == {"a", "b"}


def test_folder_with_unknown_subfolder_reports_it(tmp_path):
    _img(tmp_path / "widgets" / "x.png")
    cat = load_catalog(tmp_path)
    assert len(cat) == 0 and "unknown category 'widgets'" in cat.report.lines()[0]


def test_missing_column_and_bad_type_are_clear(tmp_path):
    (tmp_path / "c.csv").write_text("id,title\n1,x\n")
    with pytest.raises(ValueError, match="missing column"):
        load_catalog(tmp_path / "c.csv")
    (tmp_path / "c.xlsx").write_text("x")
    with pytest.raises(ValueError, match="unsupported file type"):
        load_catalog(tmp_path / "c.xlsx")


def test_roundtrip_and_search(tmp_path, faulty_catalog):
    cat = load_catalog(faulty_catalog)
    out = faulty_catalog.parent / "copy.csv"
    write_catalog_csv(cat.products, out)
    again = load_catalog(out)
    assert [p.product_id for p in again] == [p.product_id for p in cat]
    assert cat.search("G2")[0].product_id == "G2"
    assert {p.product_id for p in cat.search("red tee")} == {"G0", "G1", "G2", "G3"}
    with pytest.raises(KeyError, match="not in the catalog"):
        cat.get("nope")
