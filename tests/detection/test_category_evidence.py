"""The pose detector with evidence from a category model fitted on real garment crops (not ImageNet classes)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from fashion_core.category_model import encode_labelled, fit_category_model
from fashion_core.detection import create_detector
from fashion_core.detection.evidence import CategoryModelEvidence
from fashion_core.imageio import load_image
from fashion_core.taxonomy import CATEGORIES


@pytest.fixture(scope="module")
def crop_model(shared_data, tmp_path_factory):
    """A category model fitted on the garment boxes of 40 ccp photos (not 0003.jpg, used below)."""
    from fashion_core.encoders import create_encoder

    doc = json.loads((shared_data / "ccp" / "annotations.json").read_text())
    images = [im for im in doc["images"] if im["file_name"] != "photos/0003.jpg"][:40]
    keep = {im["id"] for im in images}
    doc.update(images=[dict(im, file_name=str(shared_data / "ccp" / im["file_name"])) for im in images],
               annotations=[a for a in doc["annotations"] if a["image_id"] in keep])
    path = tmp_path_factory.mktemp("crops") / "train.json"
    path.write_text(json.dumps(doc))
    enc = create_encoder("efficientnet-lite0")
    views, labels, _ = encode_labelled(enc, [path], progress=False)
    return fit_category_model(enc, views, labels), enc


def test_crop_evidence_gives_probabilities_in_taxonomy_order(crop_model, shared_data):
    model, enc = crop_model
    ev = CategoryModelEvidence(model, enc)
    img = load_image(shared_data / "ccp" / "photos" / "0003.jpg")
    probs = ev.category_probs([img.crop((150, 650, 350, 832)), img.crop((100, 150, 450, 450))])
    assert probs.shape == (2, len(CATEGORIES)) and np.allclose(probs.sum(1), 1, atol=1e-4)
    unknown = [CATEGORIES.index(c) for c in CATEGORIES if c not in model.classes]
    assert not probs[:, unknown].any()


def test_detector_with_crop_evidence_finds_the_look(crop_model, shared_data):
    model, enc = crop_model
    det = create_detector("pose", category_model=model, encoder=enc, parser=None)  # evidence for the rule regions
    assert isinstance(det.evidence, CategoryModelEvidence)
    img = load_image(shared_data / "ccp" / "photos" / "0003.jpg")
    dets = det.detect(img)
    cats = [d.category for d in dets]
    assert cats.count("shoes") == 2 and any(c in ("top", "outerwear", "dress") for c in cats)
    assert [d.to_dict() for d in det.detect(img)] == [d.to_dict() for d in dets]  # deterministic


def test_crop_evidence_refuses_another_encoder(crop_model):
    model, _ = crop_model
    other = type("Enc", (), {"name": "other", "weights_id": "f" * 12})()
    with pytest.raises(ValueError, match="refit"):
        _ = CategoryModelEvidence(model, other).encoder
