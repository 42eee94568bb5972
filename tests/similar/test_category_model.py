"""The shopper-photo category model: labelled sets (COCO boxes, CSV photos), fitting, files, the encoder check,
the Recommender using it for image queries, and the ``category train`` command, on real photos."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from fashion_core.category_model import (
    CategoryModel,
    cross_validated_predictions,
    encode_labelled,
    fit_category_model,
    labelled_images,
)
from fashion_core.imageio import load_image
from fashion_core.ingest import build_index
from fashion_core.recommend import Recommender

from .helpers import fpi_slice

ROOT = Path(__file__).resolve().parents[2]


def clothing_csv(shared_data: Path, out: Path, per_label: int, offset: int = 0) -> Path:
    """A labelled CSV of ``per_label`` clothing/ photos per label (absolute image paths)."""
    frame = pd.read_csv(shared_data / "clothing" / "labels.csv", dtype=str)
    sub = pd.concat([g.iloc[offset:offset + per_label] for _, g in frame.groupby("label", sort=True)])
    sub = sub.assign(image=[str(shared_data / "clothing" / p) for p in sub["image"]])
    sub.to_csv(out, index=False)
    return out


def ccp_json(shared_data: Path, out: Path, n_photos: int) -> Path:
    """A COCO file with the first ``n_photos`` ccp photos and their boxes (absolute file names)."""
    doc = json.loads((shared_data / "ccp" / "annotations.json").read_text())
    images = doc["images"][:n_photos]
    keep = {im["id"] for im in images}
    doc.update(images=[dict(im, file_name=str(shared_data / "ccp" / im["file_name"])) for im in images],
               annotations=[a for a in doc["annotations"] if a["image_id"] in keep])
    out.write_text(json.dumps(doc))
    return out


@pytest.fixture(scope="module")
def labelled(shared_data, tmp_path_factory):
    """Views (parts of each image and its mirror) of real labelled photos: clothing photos (train / test slices) and ccp crops."""
    from fashion_core.encoders import create_encoder

    root = tmp_path_factory.mktemp("labelled")
    enc = create_encoder("efficientnet-lite0")
    train = [clothing_csv(shared_data, root / "train.csv", 30), ccp_json(shared_data, root / "ccp.json", 12)]
    test = clothing_csv(shared_data, root / "test.csv", 4, offset=60)
    return enc, encode_labelled(enc, train, progress=False), encode_labelled(enc, [test], progress=False), train, root


def test_labelled_sets_yield_crops_and_photos_with_taxonomy_categories(shared_data, tmp_path):
    coco = ccp_json(shared_data, tmp_path / "c.json", 2)
    doc = json.loads(coco.read_text())
    boxes = [a for a in doc["annotations"] if a["bbox"][2] >= 16 and a["bbox"][3] >= 16]
    got = list(labelled_images(coco))
    assert len(got) == len(boxes)
    names = {c["id"]: c["name"] for c in doc["categories"]}
    for (image, category, group), a in zip(got, boxes):
        assert category == names[a["category_id"]]
        assert abs(image.width - a["bbox"][2]) <= 1 and abs(image.height - a["bbox"][3]) <= 1
        assert group.endswith(".jpg")
    photos = list(labelled_images(clothing_csv(shared_data, tmp_path / "p.csv", 1)))
    assert {c for _, c, _ in photos} <= {"dress", "hat", "top", "outerwear", "pants", "shoes", "shorts", "skirt"}
    bad = tmp_path / "bad.csv"
    bad.write_text(f"image,label\n{shared_data / 'clothing' / pd.read_csv(shared_data / 'clothing' / 'labels.csv').image[0]},spaceship\n")
    with pytest.raises(ValueError, match="spaceship"):
        list(labelled_images(bad))
    with pytest.raises(ValueError, match="COCO"):
        list(labelled_images(tmp_path / "x.txt"))


def test_model_names_unseen_photos_and_round_trips(labelled, tmp_path):
    enc, (views, labels, _), (test_views, test_labels, _), _, _ = labelled
    model = fit_category_model(enc, views, labels)
    assert set(model.classes) >= {"top", "pants", "shoes", "dress"}
    acc = np.mean(np.array(model.predict(test_views)) == np.array(test_labels))
    assert acc > 0.6, acc  # 8 categories: chance is ~0.15
    only = model.predict(test_views, allowed=["pants", "shoes"])
    assert set(only) <= {"pants", "shoes"}
    loaded = CategoryModel.load(model.save(tmp_path / "m"))
    assert np.array_equal(loaded.probs(test_views), model.probs(test_views))
    with pytest.raises(FileNotFoundError, match="category train"):
        CategoryModel.load(tmp_path)
    other = type("Enc", (), {"name": "other", "weights_id": "0" * 12})()
    with pytest.raises(ValueError, match="refit"):
        loaded.check_encoder(other)


def test_cross_validation_keeps_one_photos_crops_in_one_fold(labelled):
    enc, (views, labels, groups), _, _, _ = labelled
    pred = cross_validated_predictions(enc, views, labels, groups, folds=3)
    assert len(pred) == len(labels) and all(p for p in pred)
    assert np.mean(np.array(pred) == np.array(labels)) > 0.4


def test_recommender_takes_image_query_category_from_the_model(labelled, shared_data, tmp_path):
    enc, (views, labels, _), (test_views, test_labels, _), _, root = labelled
    model = fit_category_model(enc, views, labels)
    index = build_index(fpi_slice(shared_data, tmp_path, per_category=12), tmp_path / "index", encoder=enc.name,
                        progress=False)  # the model was fitted on this encoder's features
    rec = Recommender(index, category_model=model.save(tmp_path / "m"))
    frame = pd.read_csv(root / "test.csv", dtype=str)
    expected = model.predict(test_views, allowed=list(rec.index.categories))
    for row, want in zip(frame.itertuples(), expected):
        got = rec.similar_items(image=load_image(row.image), k=5)
        assert {r.product.category for r in got} == {want}


def test_a_settings_category_model_of_another_encoder_is_set_aside_and_a_given_one_refused(
        labelled, demo_world, demo_index, tmp_path, caplog):
    """An index built on another encoder than the settings' category model still serves image queries (the model is
    set aside with a warning that says how to refit it); a model passed by hand that does not fit is refused."""
    from fashion_core.config import Settings

    enc, (views, labels, _), _, _, _ = labelled
    saved = fit_category_model(enc, views, labels).save(tmp_path / "m")
    index_encoder = Recommender(demo_index, category_model=None).encoder
    assert index_encoder.weights_id != enc.weights_id  # the demo index reads the default (fashion) encoder
    settings = Settings.resolve(index_dir=demo_index, category_model=saved)
    with caplog.at_level("WARNING"):
        rec = Recommender.open(settings)
    assert rec.category_model is None
    assert any("category train --encoder" in r.getMessage() for r in caplog.records)
    photo = demo_world / pd.read_csv(demo_world / "catalog.csv", dtype=str).image[0]
    assert len(rec.similar_items(image=load_image(photo), k=3)) == 3  # answered by the neighbour vote
    with pytest.raises(ValueError, match="fitted on encoder"):
        Recommender(demo_index, category_model=saved)


def test_cli_category_train_writes_a_model_and_validates(labelled, tmp_path):
    _, _, _, (csv, _), _ = labelled
    out = subprocess.run([sys.executable, "-m", "fashion_core", "category", "train", "--data", str(csv),
                          "--out", str(tmp_path / "model"), "--validate", "--no-progress", "--json"],
                         cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert doc["n_images"] == 30 * 10
    assert list(doc["cross_validated_accuracy"]) == [f"{csv.parent.name}/train.csv"]
    assert 0.3 < doc["cross_validated_accuracy"][f"{csv.parent.name}/train.csv"] <= 1
    assert (tmp_path / "model" / "category.npz").exists() and CategoryModel.load(tmp_path / "model").classes
    bad = subprocess.run([sys.executable, "-m", "fashion_core", "category", "train", "--data", str(tmp_path / "no.csv"),
                          "--out", str(tmp_path / "m2")], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "does not exist" in bad.stderr


def test_views_are_the_image_and_its_mirror_and_both_count(labelled, shared_data):
    from PIL import ImageOps

    from fashion_core.category_model import encode_views
    from fashion_core.encoders.descriptor import extract_parts

    enc, (views, labels, _), (test_views, _, _), _, root = labelled
    image = load_image(pd.read_csv(root / "test.csv", dtype=str).image.iloc[0])
    plain, mirrored = encode_views(enc, [image])
    assert np.array_equal(mirrored["head"], extract_parts(enc, [ImageOps.mirror(image)])["head"])
    model = fit_category_model(enc, views, labels)
    assert model.trained_on["n_images"] == len(labels)  # images, not views
    both, one = model.probs(test_views), model.probs(test_views[0])
    assert np.allclose(both, (one + model.probs(test_views[1])) / 2) and not np.allclose(both, one)
