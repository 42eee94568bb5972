"""``fashion-core detect`` and ``detector convert`` through the real parser."""

from __future__ import annotations

import json

from fashion_core.cli import main


def test_detect_one_image_json(shared_data, capsys):
    assert main(["detect", "--image", str(shared_data / "ccp" / "photos" / "0003.jpg"), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["detections"]
    for d in doc["detections"]:
        assert len(d["box"]) == 4 and len(d["icon"]) == 2 and isinstance(d["score"], float)


def test_detect_queries_csv(shared_data, tmp_path, capsys):
    q = tmp_path / "q.csv"
    q.write_text("image\n" + "\n".join(str(shared_data / "ccp" / "photos" / f"000{i}.jpg") for i in (1, 3)) + "\n")
    assert main(["detect", "--queries", str(q), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [r["query"].endswith(f"000{i}.jpg") for i, r in zip((1, 3), doc["results"])] == [True, True]


def test_detect_bad_inputs(tmp_path, capsys):
    bad = tmp_path / "q.csv"
    bad.write_text("path\nx.jpg\n")
    assert main(["detect", "--queries", str(bad), "--json"]) == 2
    assert "'image' column" in capsys.readouterr().err
    txt = tmp_path / "note.jpg"
    txt.write_text("hello")
    assert main(["detect", "--image", str(txt)]) == 2
    assert "not an image" in capsys.readouterr().err


def test_convert_command(shared_data, tmp_path, capsys):
    assert main(["detector", "convert", "--from", "ccp", str(shared_data / "ccp"), "--out", str(tmp_path / "y"),
                 "--limit", "3", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["images"]["train"] + doc["images"]["val"] >= 3
