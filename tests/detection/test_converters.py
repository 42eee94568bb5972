"""Dataset converters → YOLO: real CCP photos, and small ModaNet / DeepFashion2-shaped folders."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from PIL import Image

from fashion_core.detection.converters import Sample, convert, split_of, write_dataset, yolo_line
from fashion_core.taxonomy import CATEGORIES


def _read_labels(root):
    rows = []
    for p in sorted(root.glob("labels/*/*.txt")):
        rows += [line.split() for line in p.read_text().splitlines() if line.strip()]
    return rows


def test_ccp_to_yolo_keeps_every_box(shared_data, tmp_path):
    ann = json.loads((shared_data / "ccp" / "annotations.json").read_text())
    first = sorted(ann["images"], key=lambda m: m["id"])[:6]
    ids = {m["id"] for m in first}
    expected = sum(1 for a in ann["annotations"] if a["image_id"] in ids)
    report = convert("ccp", shared_data / "ccp", tmp_path / "yolo", limit=6)
    rows = _read_labels(tmp_path / "yolo")
    assert len(rows) >= expected  # a val copy may repeat one photo when the split has no val image
    assert sum(report.boxes.values()) == expected
    for cls, *xywh in rows:
        assert 0 <= int(cls) < len(CATEGORIES)
        assert all(0.0 <= float(v) <= 1.0 for v in xywh)
    text = report.data_yaml.read_text()
    assert "scarf/tie" in text and "train: images/train" in text


def test_write_dataset_keeps_the_given_splits(tmp_path):
    """Samples already split (a held-out fold, the demo looks) land in the split they were given, boxes intact."""
    paths = []
    for name in ("look_1", "look_2", "0001"):
        paths.append(tmp_path / f"{name}.jpg")
        Image.new("RGB", (100, 200)).save(paths[-1])
    train = [Sample(paths[0], 100, 200, [(0, 0, 50, 100, "top")]), Sample(paths[1], 100, 200, [])]
    val = [Sample(paths[2], 100, 200, [(10, 20, 30, 60, "shoes"), (0, 0, 100, 200, "dress")])]
    report = write_dataset({"train": train, "val": val}, tmp_path / "yolo")
    assert report.images == {"train": 2, "val": 1}
    assert dict(report.boxes) == {"top": 1, "shoes": 1, "dress": 1}
    assert sorted(p.name for p in (tmp_path / "yolo" / "images" / "train").iterdir()) == ["look_1.jpg", "look_2.jpg"]
    assert (tmp_path / "yolo" / "labels" / "train" / "look_2.txt").read_text() == ""
    assert len((tmp_path / "yolo" / "labels" / "val" / "0001.txt").read_text().splitlines()) == 2


def test_write_dataset_refuses_two_images_with_one_name(tmp_path):
    """Two sources' photos with the same file stem would overwrite each other's labels: refused, nothing lost."""
    for sub in ("a", "b"):
        (tmp_path / sub).mkdir()
        Image.new("RGB", (10, 10)).save(tmp_path / sub / "0001.jpg")
    twins = [Sample(tmp_path / sub / "0001.jpg", 10, 10, []) for sub in ("a", "b")]
    with pytest.raises(ValueError, match="share a file stem"):
        write_dataset({"train": twins}, tmp_path / "yolo")


def test_yolo_line_normalises_and_clips():
    assert yolo_line((-10, 0, 50, 100), "top", 100, 200) == f"{CATEGORIES.index('top')} 0.250000 0.250000 0.500000 0.500000"


def test_split_is_stable():
    assert split_of("0001.jpg", 0.5) == split_of("0001.jpg", 0.5)
    assert {split_of(f"{i}.jpg", 0.3) for i in range(50)} == {"train", "val"}


def test_modanet_names_map_and_unknowns_are_counted(tmp_path):
    (tmp_path / "images").mkdir()
    Image.new("RGB", (40, 60)).save(tmp_path / "images" / "a.jpg")
    doc = {"images": [{"id": 1, "file_name": "a.jpg", "width": 40, "height": 60}],
           "categories": [{"id": 1, "name": "footwear"}, {"id": 2, "name": "outer"}, {"id": 3, "name": "glove"}],
           "annotations": [{"id": i, "image_id": 1, "category_id": c, "bbox": [1, 2, 10, 20], "iscrowd": 0}
                           for i, c in enumerate((1, 2, 3))]}
    (tmp_path / "modanet.json").write_text(json.dumps(doc))
    report = convert("modanet", tmp_path, tmp_path / "out")
    assert dict(report.boxes) == {"shoes": 1, "outerwear": 1}
    assert report.skipped["glove"] == 1


def test_deepfashion2_folder(tmp_path):
    (tmp_path / "image").mkdir()
    (tmp_path / "annos").mkdir()
    Image.new("RGB", (80, 100)).save(tmp_path / "image" / "000001.jpg")
    (tmp_path / "annos" / "000001.json").write_text(json.dumps({
        "source": "user", "pair_id": 1,
        "item1": {"category_name": "long sleeve outwear", "bounding_box": [0, 0, 40, 50]},
        "item2": {"category_name": "trousers", "bounding_box": [10, 50, 70, 100]}}))
    report = convert("deepfashion2", tmp_path, tmp_path / "out")
    assert dict(report.boxes) == {"outerwear": 1, "pants": 1}


def test_bad_inputs_say_what_to_do(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such dataset"):
        convert("ccp", tmp_path / "missing", tmp_path / "out")
    with pytest.raises(FileNotFoundError, match="annos"):
        convert("deepfashion2", tmp_path, tmp_path / "out")
    with pytest.raises(ValueError, match="unknown dataset kind"):
        convert("voc", tmp_path, tmp_path / "out")


def test_demo_looks_to_yolo(demo_world, tmp_path):
    doc = json.loads((demo_world / "looks" / "annotations.json").read_text())
    names = {c["id"]: c["name"] for c in doc["categories"]}
    report = convert("demo", demo_world, tmp_path / "yolo", val_fraction=0.25)
    assert report.images["train"] + report.images["val"] >= len(doc["images"])
    assert dict(report.boxes) == dict(Counter(names[a["category_id"]]
                                                  for a in doc["annotations"]))
    first = sorted(doc["images"], key=lambda m: m["id"])[0]
    stem = first["file_name"].rsplit("/", 1)[-1].rsplit(".", 1)[0]
    label = next((tmp_path / "yolo" / "labels").glob(f"*/{stem}.txt"))
    want = sorted(CATEGORIES.index(names[a["category_id"]]) for a in doc["annotations"] if a["image_id"] == first["id"])
    assert sorted(int(line.split()[0]) for line in label.read_text().splitlines()) == want
    again = convert("demo", demo_world, tmp_path / "yolo2", val_fraction=0.25)
    assert again.images == report.images  # deterministic split
