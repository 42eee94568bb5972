"""The offline title encoder: shape, normalisation, similarity, determinism, save/load without pickle."""

from __future__ import annotations

import json

import numpy as np
import pytest

from fashion_core.encoders.text import TitleEncoder


def _titles(shared_data) -> list[str]:
    outfits = json.loads((shared_data / "polyvore-text" / "outfits_valid.json").read_text())
    return [it["name"] for o in outfits[:300] for it in o["items"]]


def test_encode_shape_norm_and_similarity(shared_data):
    enc = TitleEncoder(dim=64).fit(_titles(shared_data))
    x = enc.encode(["black leather ankle boots", "black leather ankle boot", "silver hoop earrings", ""])
    assert x.shape == (4, enc.dim) and x.dtype == np.float32
    assert np.allclose(np.linalg.norm(x[:3], axis=1), 1.0, atol=1e-5)
    assert np.linalg.norm(x[3]) == 0.0  # no known n-gram: zero row, not NaN
    assert x[0] @ x[1] > x[0] @ x[2] + 0.3


def test_fit_is_deterministic_and_save_load_round_trips(shared_data, tmp_path):
    titles = _titles(shared_data)
    a, b = TitleEncoder(dim=32).fit(titles), TitleEncoder(dim=32).fit(titles)
    assert a.id == b.id
    a.save(tmp_path)
    assert not list(tmp_path.glob("*.pkl"))
    c = TitleEncoder.load(tmp_path)
    probe = titles[:50] + ["a title never seen before"]
    assert c.id == a.id and c.dim == a.dim
    np.testing.assert_array_equal(c.encode(probe), a.encode(probe))


def test_errors_say_what_to_do(tmp_path):
    with pytest.raises(ValueError, match="not fitted"):
        TitleEncoder().encode(["x"])
    with pytest.raises(TypeError, match="list of titles"):
        TitleEncoder().fit("one string")
    with pytest.raises(FileNotFoundError, match="compat train"):
        TitleEncoder.load(tmp_path)
    enc = TitleEncoder(dim=8).fit(["red top", "blue jeans", "red shoes", "blue bag"])
    assert enc.dim <= 8  # clamped to what tiny data allows
    enc.save(tmp_path)
    np.save(tmp_path / "text_encoder_components.npy", np.zeros_like(enc.components))
    with pytest.raises(ValueError, match="do not match"):
        TitleEncoder.load(tmp_path)
