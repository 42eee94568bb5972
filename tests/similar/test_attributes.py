"""Attribute heads: fitted on catalog labels, saved as numbers, joined to the similarity vector; on real fpi
products they bring same-colour neighbours for photos they never saw."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

from fashion_core.encoders.attributes import MIN_CLASS_ROWS, column_labels, default_columns, fit_head
from fashion_core.encoders.descriptor import Descriptor
from fashion_core.imageio import load_image
from fashion_core.index import load_index
from fashion_core.ingest import build_index
from fashion_core.recommend import Recommender

from .helpers import fpi_slice


def blobs(rng, centres, n):
    x = np.concatenate([c + 0.3 * rng.standard_normal((n, len(c))) for c in centres])
    return x.astype(np.float32), [name for name in "abcdefgh"[:len(centres)] for _ in range(n)]


def test_head_learns_its_classes_and_skips_unknown_and_rare_labels():
    rng = np.random.default_rng(0)
    centres = np.eye(3, 8) * 3
    x, y = blobs(rng, centres, 40)
    labels: list[str | None] = list(y)
    labels[:5] = [None] * 5  # unknown rows do not train
    x = np.concatenate([x, rng.standard_normal((MIN_CLASS_ROWS - 1, 8)).astype(np.float32)])
    labels += ["rare"] * (MIN_CLASS_ROWS - 1)  # too rare to become a class
    head = fit_head("kind", x, labels)
    assert head is not None and head.classes == ["a", "b", "c"]
    test_x, test_y = blobs(np.random.default_rng(1), centres, 20)
    p = head.probs(test_x)
    assert p.shape == (60, 3) and np.allclose(p.sum(1), 1, atol=1e-5)
    assert np.mean(np.array(head.classes)[p.argmax(1)] == np.array(test_y)) > 0.95


def test_two_class_head_matches_scikit_learn_and_one_class_gives_none():
    rng = np.random.default_rng(2)
    x, y = blobs(rng, np.eye(2, 5) * 2, 30)
    head = fit_head("colour", x, y)
    reference = LogisticRegression(C=0.05, max_iter=2000).fit(x / head.scale, y)
    assert np.allclose(head.probs(x), reference.predict_proba(x / head.scale), atol=1e-5)
    assert fit_head("colour", x, ["a"] * len(x)) is None


def test_descriptor_with_heads_round_trips_through_files(tmp_path):
    rng = np.random.default_rng(3)
    parts = {"head": rng.standard_normal((90, 32)).astype(np.float32),
             "colour": np.abs(rng.standard_normal((90, 6))).astype(np.float32)}
    labels = {"type": [["tee", "shirt", "polo"][i % 3] for i in range(90)], "colour": [None] * 45 + ["red", "blue"] * 22 + ["red"]}
    d = Descriptor(weights={"head": 1.0, "colour": 1.5}, dim=16).fit(parts, labels)
    assert [h.name for h in d.heads] == ["type", "colour"]
    assert d.out_dim == 16 + 3 + 2
    d.save(tmp_path / "d.npz")
    config = json.loads(json.dumps(d.config()))  # through the manifest's JSON
    loaded = Descriptor.load(tmp_path / "d.npz", config)
    assert np.array_equal(loaded.transform(parts), d.transform(parts))
    assert np.allclose(np.linalg.norm(d.transform(parts), axis=1), 1, atol=1e-5)


def test_heads_read_the_stacked_blocks_so_a_label_the_pca_drops_is_still_learned(tmp_path):
    rng = np.random.default_rng(4)
    n = 300
    y = rng.integers(0, 2, n)
    head = rng.standard_normal((n, 40)) * np.linspace(3.0, 1.0, 40)  # loud directions carry no label
    head[:, 39] = (2 * y - 1) * 0.5 + 0.1 * rng.standard_normal(n)  # the quietest one carries it
    parts = {"head": head.astype(np.float32)}
    labels = {"kind": ["ab"[v] for v in y]}
    accuracy = {}
    for head_input in ("stack", "visual"):
        d = Descriptor(weights={"head": 1.0}, dim=4, head_input=head_input).fit(parts, labels)
        p = d.attribute_probs(parts)["kind"]
        accuracy[head_input] = float(np.mean(np.array(d.heads[0].classes)[p.argmax(1)] == np.array(labels["kind"])))
    assert accuracy["stack"] > 0.95 and accuracy["visual"] < 0.75, accuracy
    d = Descriptor(weights={"head": 1.0}, dim=4).fit(parts, labels)
    assert d.config()["head_input"] == "stack"
    d.save(tmp_path / "d.npz")
    assert np.array_equal(Descriptor.load(tmp_path / "d.npz", json.loads(json.dumps(d.config()))).transform(parts),
                          d.transform(parts))
    old = {k: v for k, v in d.config().items() if k != "head_input"}  # an index saved before the knob
    assert Descriptor.load(tmp_path / "d.npz", old).head_input == "visual"
    with pytest.raises(ValueError, match="head_input"):
        Descriptor(head_input="pixels")


def test_each_head_reads_its_own_image_part_so_outline_and_fine_colour_are_learned(tmp_path):
    """A type head reads ``shape``, a colour head ``colour_lab``; a label only those parts carry is learned."""
    rng = np.random.default_rng(5)
    n = 400
    kind, shade = rng.integers(0, 3, n), rng.integers(0, 2, n)
    parts = {"head": rng.standard_normal((n, 24)).astype(np.float32),  # the encoder sees neither label
             "shape": (np.eye(3, 30)[kind] + 0.3 * rng.standard_normal((n, 30))).astype(np.float16),
             "colour_lab": (np.eye(2, 20)[shade] + 0.3 * rng.standard_normal((n, 20))).astype(np.float16)}
    labels = {"articleType": [("tee", "shirt", "polo")[k] for k in kind], "baseColour": [("Navy", "Black")[c] for c in shade]}
    train = {k: v[:300] for k, v in parts.items()}
    fitted = Descriptor(weights={"head": 1.0}, dim=8).fit(train, {k: v[:300] for k, v in labels.items()})
    assert [h.reads for h in fitted.heads] == [("shape",), ("colour_lab",)]
    blind = Descriptor(weights={"head": 1.0}, dim=8).fit({"head": train["head"]}, {k: v[:300] for k, v in labels.items()})
    assert [h.reads for h in blind.heads] == [(), ()]
    test = {k: v[300:] for k, v in parts.items()}

    def accuracy(d: Descriptor, p: dict) -> dict:
        probs = d.attribute_probs(p)
        return {h.name: float(np.mean(np.array(h.classes)[probs[h.name].argmax(1)] == np.array(labels[h.name][300:])))
                for h in d.heads}

    seen, not_seen = accuracy(fitted, test), accuracy(blind, {"head": test["head"]})
    assert min(seen.values()) > 0.95 and max(not_seen.values()) < 0.7, (seen, not_seen)
    fitted.save(tmp_path / "d.npz")
    config = json.loads(json.dumps(fitted.config()))
    assert [h["reads"] for h in config["attribute_heads"]] == [["shape"], ["colour_lab"]]
    assert np.array_equal(Descriptor.load(tmp_path / "d.npz", config).transform(test), fitted.transform(test))
    old = json.loads(json.dumps(blind.config()))
    for h in old["attribute_heads"]:
        del h["reads"]  # an index saved before heads read extra parts
    blind.save(tmp_path / "old.npz")
    loaded = Descriptor.load(tmp_path / "old.npz", old)
    assert [h.reads for h in loaded.heads] == [(), ()]
    with pytest.raises(ValueError, match="'shape'"):
        fitted.transform({k: v for k, v in test.items() if k != "shape"})


def test_transform_in_chunks_equals_one_pass(monkeypatch):
    from fashion_core.encoders import descriptor

    rng = np.random.default_rng(6)
    parts = {"head": rng.standard_normal((50, 12)).astype(np.float32), "shape": rng.random((50, 9)).astype(np.float16)}
    d = Descriptor(weights={"head": 1.0}, dim=6).fit(parts, {"type": [("a", "b")[i % 2] for i in range(50)]})
    whole = d.transform(parts)
    monkeypatch.setattr(descriptor, "TRANSFORM_ROWS", 7)
    assert np.allclose(d.transform(parts), whole, atol=1e-6)


def test_default_columns_take_one_type_and_one_colour_column():
    rows = [{"articleType": "Tshirts", "baseColour": "Blue", "colour": "blue", "season": "Fall"},
            {"articleType": "", "baseColour": "nan"}]
    assert default_columns(rows) == ["articleType", "baseColour"]
    assert column_labels(rows, "baseColour") == ["Blue", None]
    assert default_columns([{"season": "Fall"}]) == []
    assert default_columns([{"type": "tee", "articleType": "Tshirts", "color": "red"}]) == ["articleType", "color"]


@pytest.fixture(scope="module")
def fpi_heads(shared_data, tmp_path_factory):
    """The same fpi slice indexed with and without attribute heads, plus a held-out slice of other products."""
    root = tmp_path_factory.mktemp("fpi-heads")
    catalog = fpi_slice(shared_data, root, per_category=40)
    with_heads = build_index(catalog, root / "heads", progress=False)
    without = build_index(catalog, root / "plain", progress=False, attributes=[])
    frame = pd.read_csv(shared_data / "fpi" / "products.csv", dtype=str, keep_default_na=False)
    held_out = pd.concat([g.iloc[100:110] for _, g in frame.groupby("category")])
    return with_heads, without, held_out


def test_heads_are_recorded_and_bring_same_colour_items_for_unseen_photos(fpi_heads, shared_data):
    with_heads, without, held_out = fpi_heads
    m = load_index(with_heads).manifest
    assert [h["name"] for h in m.similarity["attribute_heads"]] == ["articleType", "baseColour"]
    assert load_index(without).manifest.similarity["attribute_heads"] == []
    scores = {}
    for name, path in (("heads", with_heads), ("plain", without)):
        rec = Recommender(path)
        same = []
        for row in held_out.itertuples():  # photos of products the heads never saw
            got = rec.similar_items(image=load_image(shared_data / "fpi" / row.image), category=row.category, k=5)
            same += [r.product.attributes["baseColour"] == row.baseColour for r in got]
        scores[name] = float(np.mean(same))
    assert scores["heads"] > scores["plain"] + 0.03, scores


def test_unknown_attribute_column_is_a_clear_error(shared_data, tmp_path):
    catalog = fpi_slice(shared_data, tmp_path, per_category=2)
    with pytest.raises(ValueError, match="nosuchcolumn"):
        build_index(catalog, tmp_path / "index", progress=False, attributes=["nosuchcolumn"])
