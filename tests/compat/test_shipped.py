"""The shipped models: registered, present with weights, config and card, inside the size budget; rebuilt in
dependency order; the compatibility model scored only on held-out outfits."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from fashion_core import shipped
from fashion_core.cli import main
from fashion_core.config import PROJECT_ROOT, Settings

MINE = ("garment-parser", "category", "compat", "wearer")


def test_every_shipped_model_is_committed_with_weights_config_and_card():
    settings = Settings.resolve(env={})
    total = 0
    for name in MINE + ("garment-yolo", "box-rescorer"):
        m = shipped.registry()[name]
        folder = m.path(settings)
        assert (folder / "config.json").is_file(), f"{folder} is not shipped"
        for rel in m.weights:
            assert (folder / rel).is_file(), f"{name} lacks its weights {rel}"
        card = (folder / "MODEL_CARD.md").read_text()
        for words in ("Licence", f"fashion-core models rebuild {name}", "Held-out scores", "Split:", "Date:"):
            assert words in card, f"{name}'s card does not say {words!r}"
        assert json.loads((folder / "card.json").read_text())["weights_hash"] == shipped.weights_hash(m, folder)
        total += sum(p.stat().st_size for p in folder.iterdir() if p.is_file()) if name in MINE else 0
    assert total <= 12 * 2**20, f"the four shipped models take {total / 2**20:.1f} MB (their share: 12 MB)"
    everything = shipped.total_bytes(settings)
    assert everything <= shipped.SIZE_BUDGET_MB * 2**20, f"all shipped models take {everything / 2**20:.1f} MB"


def test_the_weights_hash_reads_tensors_not_file_bytes(tmp_path):
    """Two safetensors files of the same tensors and metadata, their headers written in another order (safetensors
    writes metadata in no fixed order), have one weights hash; another tensor value changes it."""
    import struct

    import numpy as np

    def write(path, header_order, value):
        data = np.array([value, 2.0], np.float32).tobytes()
        entries = {"__metadata__": {"format": "x", "names": "y"},
                   "w": {"dtype": "F32", "shape": [2], "data_offsets": [0, len(data)]}}
        header = json.dumps({k: entries[k] for k in header_order}).encode()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(struct.pack("<Q", len(header)) + header + data)

    m = shipped.ShippedModel("t", "t", "", (), ("w.safetensors",), lambda *x: None)
    write(tmp_path / "a" / "w.safetensors", ["__metadata__", "w"], 1.0)
    write(tmp_path / "b" / "w.safetensors", ["w", "__metadata__"], 1.0)
    write(tmp_path / "c" / "w.safetensors", ["w", "__metadata__"], 1.5)
    assert (tmp_path / "a" / "w.safetensors").read_bytes() != (tmp_path / "b" / "w.safetensors").read_bytes()
    assert shipped.weights_hash(m, tmp_path / "a") == shipped.weights_hash(m, tmp_path / "b")
    assert shipped.weights_hash(m, tmp_path / "a") != shipped.weights_hash(m, tmp_path / "c")


def test_shipped_models_are_the_defaults():
    settings = Settings.resolve(env={})
    assert settings.compat_model == PROJECT_ROOT / "models" / "compat"
    assert settings.category_model == PROJECT_ROOT / "models" / "category"
    assert settings.garment_parser == PROJECT_ROOT / "models" / "garment-parser"
    assert settings.wearer_model == PROJECT_ROOT / "models" / "wearer"
    assert settings.box_rescorer == PROJECT_ROOT / "models" / "box-rescorer"
    assert Settings.resolve(env={"FASHION_BOX_RESCORER": "none"}).box_rescorer is None
    rows = {r["name"]: r for r in shipped.describe(settings)}
    assert all(rows[n]["present"] and rows[n]["loaded"] == "yes" for n in MINE)
    off = {r["name"]: r for r in shipped.describe(settings.with_(compat_model="none"))}
    assert off["compat"]["loaded"] == "no (turned off)"
    # the detector: the parser fused with the shipped YOLO; the parser alone without it, rule regions without both
    assert settings.detector == "pose-ensemble" and rows["garment-yolo"]["loaded"] == "yes"
    assert Settings.resolve(env={"FASHION_GARMENT_PARSER": "none"}).detector == "pose"
    plain = {r["name"]: r for r in shipped.describe(settings.with_(detector="pose"))}
    assert plain["garment-yolo"]["loaded"] == "no (detector pose)"


def test_without_the_shipped_yolo_the_parser_alone_detects(tmp_path):
    (tmp_path / "garment-parser").symlink_to(PROJECT_ROOT / "models" / "garment-parser")
    settings = Settings.resolve(env={"FASHION_MODELS_DIR": str(tmp_path)})
    assert settings.garment_parser == tmp_path / "garment-parser" and settings.detector == "pose"


def test_a_new_encoder_rebuilds_everything_that_reads_its_features(monkeypatch):
    reg = dict(shipped.REGISTRY)
    monkeypatch.setattr(shipped, "REGISTRY", reg)
    order = [m.name for m in shipped.rebuild_order(["fashion-encoder"])]
    # the parser reads the encoder's blocks, which the fashion encoder leaves as packaged: not rebuilt
    assert order[0] == "fashion-encoder" and set(order[1:]) == set(MINE) - {"garment-parser"}
    assert [m.name for m in shipped.rebuild_order(["compat"])] == ["compat"]
    shipped.register_shipped(shipped.ShippedModel("a", "a", "", ("b",), (), lambda *x: None))
    shipped.register_shipped(shipped.ShippedModel("b", "b", "", ("a",), (), lambda *x: None))
    with pytest.raises(ValueError, match="circle"):
        shipped.rebuild_order(["a"])
    with pytest.raises(ValueError, match="unknown shipped model"):
        shipped.rebuild_order(["nope"])


def test_models_list_and_rebuild_cli(capsys, tmp_path, monkeypatch):
    assert main(["models", "list", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert {m["name"] for m in doc["models"]} >= set(MINE) and doc["total_bytes"] > 0
    assert all(len(f["sha256"]) == 16 for m in doc["models"] for f in m["files"].values())
    assert main(["models", "rebuild", "--dry-run", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["order"]
    empty = tmp_path / "no-shared"
    empty.mkdir()
    monkeypatch.setenv("FASHION_SHARED_DATA", str(empty))
    assert main(["models", "rebuild", "compat"]) == 2
    err = capsys.readouterr().err
    assert "shared data" in err and "Traceback" not in err


def test_the_shipped_compatibility_model_on_held_out_titles(shared_data):
    """polyvore-text's test split (sha1 of the set id: outfits the model never trained on, nor its title
    encoder), scored by the Polyvore protocol: AUC well above the untrained title features, FITB not below them
    and far above chance."""
    from fashion_core.compat.data import load_outfits
    from fashion_core.compat.model import load_model
    from fashion_core.compat.run import evaluate_model

    model = load_model(PROJECT_ROOT / "models" / "compat")
    assert model.cfg.fusion == "sum" and model.cfg.mode == "image+text"
    trained_on = {d["name"]: d for d in model.cfg.training["data"]}
    assert set(trained_on) == {"polyvore-text", "ccp", "demo"}
    data = load_outfits(shared_data / "polyvore-text" / "outfits_valid.json")
    assert "0-1 test" in trained_on["polyvore-text"]["split_rule"]  # trained on the 3-9 buckets only
    scores = evaluate_model(model, data, "test", cache_dir=None)
    assert scores["trained"].auc >= scores["untrained"].auc + 0.05, scores
    assert scores["trained"].fitb >= max(scores["untrained"].fitb, scores["random"].fitb + 0.1), scores
    assert scores["trained"].n_questions > 500


def test_set_up_trains_nothing():
    text = (PROJECT_ROOT / "scripts" / "setup.sh").read_text() + (PROJECT_ROOT / "scripts" / "run.sh").read_text()
    assert "parser-train" not in text and "compat train" not in text
    bootstrap = (PROJECT_ROOT / "fashion_core" / "bootstrap.py").read_text()
    assert "train_on" not in bootstrap and "train_parser" not in bootstrap


def test_fresh_checkout_has_the_shipped_models_tracked():
    if not (PROJECT_ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    out = subprocess.run(["git", "ls-files", "models"], cwd=PROJECT_ROOT, capture_output=True, text=True)
    if out.returncode != 0:
        pytest.skip(f"git ls-files failed: {out.stderr.strip()}")
    tracked = set(out.stdout.split())
    for name in MINE:
        assert f"models/{name}/config.json" in tracked, f"models/{name} is not committed"
    assert not any(Path(t).parts[1].startswith(".staging") for t in tracked if len(Path(t).parts) > 1)


def test_models_card_rereads_benchmark_figures_and_refuses_other_weights(tmp_path, monkeypatch, capsys):
    """`models card fashion-encoder` puts a rerun benchmark's figures into the card without touching the weights;
    it refuses when the weights are not the card's, and for a model whose figures come from its rebuild."""
    import shutil

    models, results = tmp_path / "models", tmp_path / "results"
    src = Settings.resolve(env={}).models_dir / "fashion-encoder"
    shutil.copytree(src, models / "fashion-encoder")
    shutil.copytree(Settings.resolve(env={}).models_dir / "compat", models / "compat")
    results.mkdir()
    row = {"p5_type_colour": 0.5123, "p10_type_colour": 0.4987, "p10_type": 0.8456, "p10_category": 1.0}
    (results / "bench_encoder.json").write_text(json.dumps({
        "command": "bench_encoder.py --folds 0,1", "date": "2030-01-01T00:00:00+00:00",
        "figures": {"rows": {"final, fashion encoder": row}, "street_category_accuracy_ncm": {"fashion": 0.77},
                    "folds": "0,1", "seed": 0}}))
    monkeypatch.setenv("FASHION_MODELS_DIR", str(models))
    monkeypatch.setenv("FASHION_RESULTS_DIR", str(results))
    weights = (models / "fashion-encoder" / "head.safetensors").read_bytes()
    assert main(["models", "card", "fashion-encoder", "--json"]) == 0
    card = json.loads(capsys.readouterr().out)["card"]
    assert card["scores"]["fpi similar, final, fashion encoder"] == row
    assert "folds 0,1" in card["split"]
    text = (models / "fashion-encoder" / "MODEL_CARD.md").read_text()
    assert "0.4987" in text and "re-read from the benchmark" in text and "bench_encoder.py --folds 0,1" in text
    assert (models / "fashion-encoder" / "head.safetensors").read_bytes() == weights
    assert json.loads((models / "fashion-encoder" / "card.json").read_text())["scores"] == card["scores"]

    assert main(["models", "card", "compat"]) == 2
    assert "models rebuild compat" in capsys.readouterr().err
    shutil.copyfile(models / "compat" / "model.safetensors", models / "fashion-encoder" / "head.safetensors")
    before = (models / "fashion-encoder" / "card.json").read_text()
    assert main(["models", "card", "fashion-encoder"]) == 2
    assert "not the ones the card describes" in capsys.readouterr().err
    assert (models / "fashion-encoder" / "card.json").read_text() == before
