"""Training learns compatibility raw features cannot see; a saved model reloads and gives identical scores."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from fashion_core.compat.evaluate import evaluate_vectors, questions
from fashion_core.compat.model import CompatConfig, CompatNet, load_model
from fashion_core.compat.train import TrainConfig, train_model

from .synthetic import synthetic_outfits


@pytest.fixture(scope="module")
def trained():
    data, feats = synthetic_outfits()
    result = train_model(data, feats, TrainConfig(epochs=12, patience=4, hidden=64, dim=16, seed=3, bank=32),
                         image_encoder={"name": "synthetic", "weights_id": "none", "dim": 32})
    return data, feats, result


def test_training_beats_untrained_features(trained):
    data, feats, result = trained
    fitb, comp = questions(data, "test")
    raw = evaluate_vectors(feats.raw(), feats.row, fitb, comp)
    emb = result.model.embed_features(image=feats.image)
    got = evaluate_vectors(emb, feats.row, fitb, comp)
    assert got.fitb > raw.fitb + 0.3 and got.auc > raw.auc + 0.2
    assert emb.shape == (len(feats.ids), 16)
    assert np.allclose(np.linalg.norm(emb, axis=1), 1.0, atol=1e-5)
    assert np.std(emb, axis=0).mean() > 0.05  # not collapsed to one point
    assert result.best_epoch >= 1 and len(result.history) >= result.best_epoch
    assert result.model.cfg.heads == 1  # image data: one head by default


def test_save_reload_gives_identical_scores(trained, tmp_path):
    data, feats, result = trained
    result.model.save(tmp_path)
    assert (tmp_path / "model.safetensors").exists()
    cfg = json.loads((tmp_path / "config.json").read_text())
    assert cfg["image_encoder"]["name"] == "synthetic" and cfg["mode"] == "image"
    again = load_model(tmp_path)
    a = result.model.embed_features(image=feats.image)
    b = again.embed_features(image=feats.image)
    np.testing.assert_array_equal(a, b)
    fitb, comp = questions(data, "test")
    assert evaluate_vectors(a, feats.row, fitb, comp) == evaluate_vectors(b, feats.row, fitb, comp)


def test_training_is_seeded():
    data, feats = synthetic_outfits(n_outfits=120)
    cfg = TrainConfig(epochs=2, hidden=32, dim=8, heads=2, seed=5, bank=32)
    first = train_model(data, feats, cfg).model
    a = first.embed_features(image=feats.image)
    b = train_model(data, feats, cfg).model.embed_features(image=feats.image)
    np.testing.assert_array_equal(a, b)
    assert not torch.are_deterministic_algorithms_enabled()  # training's deterministic kernels are switched back off
    assert a.shape == (len(feats.ids), 8) and np.allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-5)
    heads = first.net.forward_heads(torch.from_numpy(feats.image))
    assert len(heads) == 2 and not torch.allclose(heads[0], heads[1])  # separately seeded runs differ


def test_model_checks_its_inputs(tmp_path):
    with pytest.raises(ValueError, match="unknown compatibility mode"):
        CompatConfig(mode="audio")
    with pytest.raises(ValueError, match="needs text_dim"):
        CompatConfig(mode="text")
    net = CompatNet(CompatConfig(mode="image+text", image_dim=8, text_dim=4, hidden=16, dim=4)).eval()
    with pytest.raises(ValueError, match="pass text="):
        net(torch.zeros(2, 8))
    with pytest.raises(FileNotFoundError, match="compat train"):
        load_model(tmp_path)
