"""Finding 4 of issue #12: catalog readers keep every good row; a bad line is one report line (file, line, why).

Each test plants one fault in a real file and reads it with the real reader and CLI; on the old reader (pandas
over the whole file) each of them failed: the whole catalog was lost, or an id came back as "1525.0".
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from PIL import Image

from fashion_core.catalog import load_catalog

ROOT = Path(__file__).resolve().parents[2]
HEADER = "product_id,title,category,image\n"


@pytest.fixture
def shop(tmp_path) -> Path:
    """A catalog folder with two real images."""
    (tmp_path / "images").mkdir()
    Image.new("RGB", (24, 32), (200, 30, 30)).save(tmp_path / "images" / "a.jpg", quality=90)
    Image.new("RGB", (24, 32), (30, 30, 200)).save(tmp_path / "images" / "b.png")
    return tmp_path


def good_lines(n: int, start: int = 1) -> list[str]:
    return [f"{i},Tee number {i},top,images/a.jpg\n" for i in range(start, start + n)]


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "fashion_core", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)


@pytest.mark.parametrize("bad, why", [
    ("99,Tee,top,images/a.jpg,surplus\n", "5 fields, the header has 4"),
    ('99,"Tee with an open quote,top,images/a.jpg\n', "unbalanced quote"),
    ('99,"Tee "quoted" badly",top,images/a.jpg\n', "stray quote"),
    ("99,Tee,top\n", "3 fields, the header has 4"),
])
def test_one_malformed_csv_line_is_one_report_line_and_every_other_row_loads(shop, bad, why):
    lines = good_lines(5) + [bad] + good_lines(5, start=6)
    (shop / "c.csv").write_text(HEADER + "".join(lines))
    cat = load_catalog(shop / "c.csv")
    assert [p.product_id for p in cat] == [str(i) for i in range(1, 11)]
    [line] = cat.report.lines()
    assert line.startswith(f"{shop / 'c.csv'}:7: ") and why in line and "product_id=99" in line, line
    assert cat.report.rejections[0].line == 7 and cat.report.n_rows == 11


def test_a_quoted_title_over_several_lines_still_loads(shop):
    (shop / "c.csv").write_text(HEADER + '1,"Two-line\ntitle, with comma",top,images/a.jpg\n' + "".join(good_lines(2, 2)))
    cat = load_catalog(shop / "c.csv")
    assert [p.title for p in cat][0] == "Two-line\ntitle, with comma" and len(cat) == 3 and not cat.report.rejections


def test_broken_jsonl_lines_are_reported_and_integer_ids_stay_as_written(shop):
    docs = [json.dumps({"product_id": 1525 + i, "title": f"Tee {i}", "category": "top", "image": "images/a.jpg",
                        "price": 19.90}) for i in range(4)]
    docs.insert(2, '{"product_id": 77, "title": "broken"')
    docs.insert(4, json.dumps({"product_id": None, "title": "no id", "category": "top", "image": "images/a.jpg"}))
    (shop / "c.jsonl").write_text("\n".join(docs) + "\n")
    cat = load_catalog(shop / "c.jsonl")
    assert [p.product_id for p in cat] == ["1525", "1526", "1527", "1528"]  # never "1525.0"
    assert cat.products[0].attributes["price"] == "19.9"  # the number as json.dumps wrote it
    assert [r.line for r in cat.report.rejections] == [3, 5]
    assert "not valid JSON" in cat.report.lines()[0] and "empty product_id" in cat.report.lines()[1]


def test_similar_finds_an_integer_jsonl_id_of_a_column_with_a_null(shop, demo_index):
    """``similar --id 1525`` finds 1525: pandas made the id column float and the id "1525.0", not in the index."""
    from fashion_core.conformance import clustered_vectors
    from fashion_core.index import load_index
    from fashion_core.ingest import index_from_parts

    docs = [{"product_id": 1525 + i, "title": f"Tee {i}", "category": "top", "image": "images/a.jpg"}
            for i in range(12)]
    docs.insert(3, {"product_id": None, "title": "No id", "category": "top", "image": "images/a.jpg"})
    (shop / "c.jsonl").write_text("".join(json.dumps(d) + "\n" for d in docs))
    catalog = load_catalog(shop / "c.jsonl")
    encoder = load_index(demo_index).manifest.encoder
    out = index_from_parts(shop / "index", catalog, shop / "c.jsonl", encoder,
                           {"head": clustered_vectors(len(catalog), encoder.dim, clusters=3, seed=1)})
    res = cli("similar", "--index", str(out), "--id", "1525", "-k", "3", "--json")
    assert res.returncode == 0, res.stderr[-2000:]
    items = json.loads(res.stdout)["results"][0]["items"]
    assert len(items) == 3 and all(x["product_id"].isdigit() for x in items)


def test_parquet_integer_ids_with_a_null_stay_integers(shop):
    frame = pd.DataFrame({"product_id": [1525, None, 1527], "title": ["a", "b", "c"], "category": ["top"] * 3,
                          "image": ["images/a.jpg"] * 3})
    frame.to_parquet(shop / "c.parquet")  # pandas stores the column as float64: 1525.0
    cat = load_catalog(shop / "c.parquet")
    assert [p.product_id for p in cat] == ["1525", "1527"] and len(cat.report.rejections) == 1


def test_csv_ids_keep_leading_zeros_and_spacing_inside(shop):
    (shop / "c.csv").write_text(HEADER + "007,Tee,top,images/a.jpg\n1e3,Tee,top,images/a.jpg\n")
    assert [p.product_id for p in load_catalog(shop / "c.csv")] == ["007", "1e3"]


def test_latin1_csv_is_read_and_the_report_names_the_file_and_encoding(shop):
    (shop / "c.csv").write_bytes((HEADER + "1,Café crème tee,top,images/a.jpg\n").encode("latin-1"))
    cat = load_catalog(shop / "c.csv")
    assert cat.products[0].title == "Café crème tee"
    [note] = cat.report.notes
    assert str(shop / "c.csv") in note and "not UTF-8" in note and "line 2" in note
    with pytest.raises(ValueError, match=r"c\.csv is not valid utf-8: byte 0xe9 on line 2"):
        load_catalog(shop / "c.csv", encoding="utf-8")
    res = cli("catalog", "check", str(shop / "c.csv"), "--quick")
    assert res.returncode == 0 and "not UTF-8" in res.stderr, res.stderr


@pytest.mark.parametrize("content", [b"", b"\n\n  \n"])
def test_empty_file_is_refused_naming_the_file(shop, content):
    for name in ("c.csv", "c.jsonl"):
        (shop / name).write_bytes(content)
        with pytest.raises(ValueError, match=rf"{name.replace('.', '[.]')} is empty"):
            load_catalog(shop / name)
        res = cli("catalog", "check", str(shop / name))
        assert res.returncode == 2 and name in res.stderr and "Traceback" not in res.stderr, res.stderr


def test_catalog_check_decodes_images_and_quick_does_not(shop):
    data = (shop / "images" / "a.jpg").read_bytes()
    (shop / "images" / "cut.jpg").write_bytes(data[: len(data) // 2])
    (shop / "c.csv").write_text(HEADER + "1,Tee,top,images/a.jpg\n2,Cut tee,top,images/cut.jpg\n")
    full = cli("catalog", "check", str(shop / "c.csv"), "--json")
    assert full.returncode == 1, full.stderr
    [rej] = json.loads(full.stdout)["rejections"]
    assert rej["product_id"] == "2" and "truncated" in rej["reason"] and rej["line"] == 3
    quick = cli("catalog", "check", str(shop / "c.csv"), "--quick")
    assert quick.returncode == 0 and "2 valid products" in quick.stdout, quick.stdout + quick.stderr
