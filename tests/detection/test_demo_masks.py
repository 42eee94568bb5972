"""The demo's look photos as garment-parser training data: exact label masks the parser's mask dataset reads."""

from __future__ import annotations

import hashlib

import numpy as np
from PIL import Image

from fashion_core import taxonomy
from fashion_core.demo import build_looks
from fashion_core.detection.parser import LABELS
from fashion_core.detection.parser_training import mask_dataset, training_cells

SMALL_WORLD = {"seed": 0, "n_products": 240, "n_outfits": 400, "n_looks": 12}
"""The sizes of the tests' ``demo_world`` (tests/conftest.py)."""


def _hashes(folder):
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_mask_dataset_reads_the_demo_looks(demo_world):
    photos = mask_dataset(demo_world / "looks" / "annotations.json")
    assert len(photos) == 12
    lut = photos[0].lut
    for c in taxonomy.CATEGORIES:
        assert LABELS[lut[taxonomy.CATEGORY_IDS[c]]] == c
    assert LABELS[lut[0]] == "background" and LABELS[lut[13]] == "skin" and LABELS[lut[14]] == "hair"
    seen = set()
    for p in photos:
        seen |= {LABELS[v] for v in np.unique(lut[np.asarray(Image.open(p.mask))])}
    assert set(taxonomy.CATEGORIES) <= seen, "12 looks show all 12 categories in their masks"


def test_build_looks_writes_the_demo_worlds_looks_byte_for_byte(demo_world, tmp_path):
    ann = build_looks(tmp_path / "looks", **SMALL_WORLD)
    assert ann == tmp_path / "looks" / "annotations.json"
    assert _hashes(tmp_path / "looks") == _hashes(demo_world / "looks")
    other = build_looks(tmp_path / "other", **{**SMALL_WORLD, "seed": 1})
    assert _hashes(other.parent) != _hashes(demo_world / "looks")


def test_demo_look_cells_carry_their_garment_labels(demo_world):
    """The pose estimator finds the drawn figures and their cells get the garments' labels from the mask."""
    from fashion_core.encoders import create_encoder

    photos = mask_dataset(demo_world / "looks" / "annotations.json")[:4]
    found = list(training_cells(create_encoder("efficientnet-lite0"), photos, progress=False))
    assert len(found) >= 3, "a person is found on most drawn looks"
    for _, feats, labels in found:
        assert len(feats) == len(labels) > 100
        assert (labels >= LABELS.index("bag")).mean() > 0.2, "a dressed figure is mostly garment cells"
