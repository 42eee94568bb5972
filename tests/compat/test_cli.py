"""The operator's commands: `compat train`, `compat eval --json`, `complete --json`."""

from __future__ import annotations

import json

import pytest

from fashion_core.cli import main


@pytest.fixture(scope="module")
def small_maryland(shared_data, tmp_path_factory):
    """The first 300 real Maryland Polyvore outfits in a temporary file (split by set id as usual)."""
    outfits = json.loads((shared_data / "polyvore-text" / "outfits_valid.json").read_text())[:300]
    path = tmp_path_factory.mktemp("maryland") / "outfits.json"
    path.write_text(json.dumps(outfits))
    return path


def test_train_then_eval_json(small_maryland, tmp_path, capsys):
    model = tmp_path / "model"
    assert main(["compat", "train", "--outfits", str(small_maryland), "--out", str(model), "--epochs", "2",
                 "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["mode"] == "text" and summary["layout"] == "maryland" and summary["n_train_outfits"] > 100
    assert {p.name for p in model.iterdir()} >= {"model.safetensors", "config.json", "text_encoder.json"}
    assert main(["compat", "eval", "--model", str(model), "--outfits", str(small_maryland), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert set(doc) >= {"fitb", "auc", "n_questions"}
    assert 0.0 <= doc["fitb"] <= 1.0 and 0.0 <= doc["auc"] <= 1.0 and doc["n_questions"] > 50
    assert main(["compat", "eval", "--model", str(model), "--outfits", str(small_maryland), "--json",
                 "--baselines"]) == 0
    again = json.loads(capsys.readouterr().out)
    assert again["fitb"] == doc["fitb"] and set(again["baselines"]) == {"random", "untrained"}


def test_bad_input_gets_a_clear_error(tmp_path, capsys):
    assert main(["compat", "eval", "--model", str(tmp_path), "--outfits", str(tmp_path), "--json"]) == 2
    assert "compat train" in capsys.readouterr().err
    bad = tmp_path / "x.json"
    bad.write_text("[1, 2]")
    assert main(["compat", "train", "--outfits", str(bad), "--out", str(tmp_path / "m")]) == 2
    assert "cannot tell the outfit layout" in capsys.readouterr().err


def test_complete_json_on_the_demo_index(request, capsys):
    from fashion_core.index import load_index

    index = request.getfixturevalue("demo_index")
    pid = load_index(index).ids[0]
    assert main(["complete", "--index", str(index), "--id", pid, "-k", "3", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert set(doc) >= {"outfit", "by_slot"} and doc["outfit"]
    assert all(len(v) <= 3 for v in doc["by_slot"].values())
    assert pid not in {r["product_id"] for v in doc["by_slot"].values() for r in v}
