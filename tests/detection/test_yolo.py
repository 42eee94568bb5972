"""The YOLO path end to end, offline: convert real CCP photos → train yolov8n from its yaml → load → predict.

Every socket lookup or connection is refused and recorded while it runs: the path must need no network
(no pretrained weights, no Arial font, no AMP check model, no hub).
"""

from __future__ import annotations

import socket

import pytest

from fashion_core.config import PROJECT_ROOT as ROOT
from fashion_core.detection import Detection, create_detector
from fashion_core.detection.converters import convert
from fashion_core.detection.yolo import YoloDetector, map_class_names, train_yolo
from fashion_core.imageio import load_image
from fashion_core.taxonomy import CATEGORIES


@pytest.fixture
def no_network(monkeypatch):
    """Refuse (and record) every DNS lookup and connection to anything but this machine."""
    attempts: list[str] = []
    real_getaddrinfo = socket.getaddrinfo

    def getaddrinfo(host, *args, **kwargs):
        if host not in (None, "localhost", "127.0.0.1", "::1"):
            attempts.append(f"getaddrinfo {host}")
            raise OSError(f"network disabled in this test ({host})")
        return real_getaddrinfo(host, *args, **kwargs)

    def connect(self, address):
        attempts.append(f"connect {address}")
        raise OSError(f"network disabled in this test ({address})")

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect)
    return attempts


def test_class_names_map_into_taxonomy():
    m = map_class_names({0: "footwear", 1: "long sleeve outwear", 2: "person", 3: "top", 4: "skirts", 5: "trousers"})
    assert m == {0: "shoes", 1: "outerwear", 2: None, 3: "top", 4: "skirt", 5: "pants"}


@pytest.fixture
def fresh_ultralytics_config(monkeypatch, tmp_path):
    """An empty ultralytics config dir, as on a new machine (no Arial.ttf from an earlier run)."""
    import ultralytics.utils
    import ultralytics.utils.checks

    cfg = tmp_path / "ultralytics-config"
    cfg.mkdir()
    monkeypatch.setattr(ultralytics.utils, "USER_CONFIG_DIR", cfg)
    monkeypatch.setattr(ultralytics.utils.checks, "USER_CONFIG_DIR", cfg)
    return cfg


def test_convert_train_load_predict(shared_data, tmp_path, fresh_ultralytics_config, no_network):
    root_runs_before = (ROOT / "runs").exists()
    report = convert("ccp", shared_data / "ccp", tmp_path / "ds", limit=6)
    weights = train_yolo(report.data_yaml, tmp_path / "run" / "tiny", epochs=1, imgsz=96, batch=4)
    assert weights.suffix == ".safetensors" and weights.is_file()
    assert weights.parent == tmp_path / "run" / "tiny" / "weights"

    detector = create_detector(f"yolo:{weights}", min_score=0.0001)
    assert isinstance(detector, YoloDetector) and detector.name == f"yolo:{weights}"
    assert set(detector.classes.values()) == set(CATEGORIES)
    photo = load_image(shared_data / "ccp" / "photos" / "0001.jpg")
    dets = detector.detect(photo)
    assert dets, "an untrained model at conf 1e-4 still proposes boxes"
    for d in dets:
        assert isinstance(d, Detection) and d.category in CATEGORIES and 0 <= d.score <= 1
        assert d.source == "yolo"
        assert 0 <= d.box[0] < d.box[2] <= photo.width + 1 and 0 <= d.box[1] < d.box[3] <= photo.height + 1
        assert d.box[0] <= d.icon[0] <= d.box[2] and d.box[1] <= d.icon[1] <= d.box[3]
    assert [d.score for d in dets] == sorted((d.score for d in dets), reverse=True)
    again = create_detector(f"yolo:{weights}", conf=0.0001).detect(photo)
    assert [(d.box, d.category) for d in again] == [(d.box, d.category) for d in dets]  # same file, same answer

    # ultralytics' own checkpoint of the same run gives the same boxes as the pickle-free file
    pt = YoloDetector(weights.with_name("best.pt"), conf=0.0001).detect(photo)
    assert [d.category for d in pt[:5]] == [d.category for d in dets[:5]]
    assert pt[0].box == pytest.approx(dets[0].box, abs=1.0)

    assert no_network == [], f"the YOLO path tried the network: {no_network}"
    assert (ROOT / "runs").exists() == root_runs_before, "training wrote ultralytics' runs/ into the repo"


def test_bad_weights_say_what_to_do(tmp_path):
    with pytest.raises(FileNotFoundError, match="detector train"):
        YoloDetector(tmp_path / "missing.safetensors")
    import numpy as np
    from safetensors.numpy import save_file

    other = tmp_path / "other.safetensors"
    save_file({"w": np.zeros(3, dtype=np.float32)}, str(other))
    with pytest.raises(ValueError, match="not a fashion-core YOLO file"):
        YoloDetector(other)
    with pytest.raises(FileNotFoundError, match="detector convert"):
        train_yolo(tmp_path / "nope.yaml", tmp_path / "run")


def test_ultralytics_leaves_pillow_reporting_a_damaged_image_itself(tmp_path):
    """ultralytics patches PIL.Image.open to pip-install a HEIF plugin on unknown files; ours undoes it, so a
    damaged image stays an UnidentifiedImageError (an OSError) in a process that has loaded YOLO."""
    import io

    from PIL import Image, UnidentifiedImageError

    from fashion_core.detection import yolo

    yolo._offline()
    import ultralytics  # noqa: F401  (everything ultralytics imports has run)
    from ultralytics import YOLO  # noqa: F401

    with pytest.raises(UnidentifiedImageError):
        Image.open(io.BytesIO(b"not an image"))
