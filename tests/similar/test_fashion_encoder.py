"""The fashion-tuned encoder: its head fine-tuning on cached block maps, its folder format, and its contract."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from fashion_core import conformance
from fashion_core.encoders import create_encoder
from fashion_core.encoders import fashion_training as ft


def _items(n_per: int = 12, seed: int = 0):
    """Two colours x two shapes of small drawn garments, labelled by category and colour."""
    rng = np.random.default_rng(seed)
    out = []
    for cat, shape in (("top", "wide"), ("pants", "tall")):
        for colour, rgb in (("Red", (200, 30, 30)), ("Blue", (30, 40, 200))):
            for i in range(n_per):
                im = Image.new("RGB", (64, 64), (235, 235, 235))
                w, h = (48, 24) if shape == "wide" else (20, 56)
                x, y = int(rng.integers(0, 64 - w + 1)), int(rng.integers(0, 64 - h + 1))
                im.paste(tuple(int(c + rng.integers(-20, 20)) for c in rgb), (x, y, x + w, y + h))
                out.append((im, {"category": cat, "colour": colour}, "test", f"{cat}-{colour}-{i}"))
    return out


@pytest.fixture(scope="module")
def base():
    return create_encoder("efficientnet-lite0")


@pytest.fixture(scope="module")
def trained_folder(base, tmp_path_factory):
    data = ft.encode_maps(base, _items(), progress=False)
    trained = ft.train_head(base, data, epochs=3, progress=False)
    out = tmp_path_factory.mktemp("fashion-encoder")
    ft.save_head(out, trained, {"test": True})
    return out, data, trained


def test_block_maps_are_the_blocks_output_for_both_views(base):
    im = _items(1)[0][0]
    maps = ft.block_maps(base, [im])
    assert maps.shape[:2] == (1, 2) and maps.shape[2] == base.model.head.conv.in_channels
    assert not np.allclose(maps[0, 0], maps[0, 1])  # the mirror view is another view
    a, b = maps[0, 0].astype(np.float32), maps[0, 1].astype(np.float32)
    flipped = np.corrcoef(a[:, :, ::-1].ravel(), b.ravel())[0, 1]
    assert flipped > 0.8 and flipped > np.corrcoef(a.ravel(), b.ravel())[0, 1]  # ... of the mirrored picture


def test_fine_tuning_changes_the_head_and_lowers_the_loss(base, trained_folder):
    _, data, trained = trained_folder
    assert trained["weight"].shape == base.model.head.conv.weight.shape
    assert not np.allclose(trained["weight"].numpy(), base.model.head.conv.weight.detach().numpy())
    assert trained["loss_per_epoch"][-1] < trained["loss_per_epoch"][0]


def test_fine_tuning_is_deterministic(base, trained_folder):
    _, data, trained = trained_folder
    again = ft.train_head(base, data, epochs=3, progress=False)
    assert np.array_equal(again["weight"].numpy(), trained["weight"].numpy())


def test_shipped_folder_loads_as_a_conforming_encoder(trained_folder, base):
    folder, _, _ = trained_folder
    enc = create_encoder(f"fashion-lite0:{folder}")
    conformance.check_encoder(enc)
    assert enc.weights_id != base.weights_id  # indexes and models built with the other head are refused
    assert enc.feature_maps_id == base.weights_id  # ... but the parser's features are the packaged blocks'
    ims = [it[0] for it in _items(2)]
    np.testing.assert_allclose(enc.imagenet_probs(ims), base.imagenet_probs(ims), atol=1e-5)
    np.testing.assert_allclose(enc.feature_maps(np.asarray(ims[0])), base.feature_maps(np.asarray(ims[0])), atol=1e-5)
    assert not np.allclose(enc.encode(ims), base.encode(ims), atol=1e-3)


def test_tuned_head_separates_the_labels_better_than_imagenet(base, trained_folder):
    folder, _, _ = trained_folder
    enc = create_encoder(f"fashion-lite0:{folder}")
    fresh = [(im, lab) for im, lab, _, _ in _items(4, seed=7)]  # other draws than the training ones
    keys = np.array([f"{lab['category']}-{lab['colour']}" for _, lab in fresh])

    def nn_accuracy(x):
        s = x @ x.T
        np.fill_diagonal(s, -np.inf)
        return float((keys[np.argmax(s, 1)] == keys).mean())

    ims = [im for im, _ in fresh]
    assert nn_accuracy(enc.encode(ims)) >= nn_accuracy(base.encode(ims))


def test_missing_or_wrong_folder_says_how_to_rebuild(tmp_path, trained_folder):
    with pytest.raises(FileNotFoundError, match="models rebuild fashion-encoder"):
        create_encoder(f"fashion-lite0:{tmp_path}")
    from safetensors.numpy import save_file

    folder, _, _ = trained_folder
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "config.json").write_text((folder / "config.json").read_text())
    save_file({"weight": np.zeros((8, 4, 1, 1), np.float32), "bias": np.zeros(8, np.float32)}, str(bad / "head.safetensors"))
    with pytest.raises(ValueError, match="shapes"):
        create_encoder(f"fashion-lite0:{bad}")
