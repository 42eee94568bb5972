"""Outfit loaders: Maryland Polyvore, worn-together photos (CCP), the Polyvore Outfits layout."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from fashion_core import taxonomy
from fashion_core.compat.data import (
    CV_FOLDS,
    detect_layout,
    fold_split,
    hash_bucket,
    load_outfits,
    says_one_piece,
    split_of,
)


def test_one_piece_rule():
    assert says_one_piece("shein khaki cable knit sweater dress")
    assert says_one_piece("Maxi Gown") and says_one_piece("denim jumpsuit")
    assert not says_one_piece("slim fit dress shirt") and not says_one_piece("wool dress pants")
    assert not says_one_piece("cropped top")


def test_maryland_split_is_deterministic_and_disjoint(shared_data):
    path = shared_data / "polyvore-text" / "outfits_valid.json"
    assert detect_layout(path) == "maryland"
    data = load_outfits(path)
    assert data.modalities == ("text",)
    n = {s: len(o) for s, o in data.splits.items()}
    assert sum(n.values()) == 1196
    assert 0.1 < n["test"] / 1196 < 0.3 and 0.05 < n["valid"] / 1196 < 0.15
    ids = {s: {o.set_id for o in outs} for s, outs in data.splits.items()}
    assert not ids["train"] & ids["test"] and not ids["valid"] & ids["test"]
    assert all(split_of(o.set_id) == "test" for o in data.splits["test"])
    slots = Counter(it.slot for it in data.items.values())
    assert set(slots) <= set(taxonomy.SLOTS) and slots["one-piece"] > 100  # dresses filed under "bottom"
    dresses = [it for it in data.items.values() if it.slot == "one-piece"]
    assert all(says_one_piece(it.title) for it in dresses)


def test_worn_together_outfits_from_ccp(shared_data):
    data = load_outfits(shared_data / "ccp" / "annotations.json")
    assert data.layout == "worn-together" and data.modalities == ("image",)
    outfits = [o for s in data.splits.values() for o in s]
    assert len(outfits) > 600
    for o in outfits[:100]:
        cats = [data.items[i].category for i in o.item_ids]
        assert len(cats) == len(set(cats)) >= 2  # one item per category (one box per shoe in CCP)
        for i in o.item_ids:
            x0, y0, x1, y1 = data.items[i].box
            assert x1 > x0 and y1 > y0 and data.items[i].image.exists()


def _write_polyvore(root, n_outfits=6):
    cats = ["top", "pants", "shoes", "bag"]
    meta, outfits, ids = {}, [], []
    for o in range(n_outfits):
        items = []
        for k, c in enumerate(cats):
            iid = f"{o}{k}"
            meta[iid] = {"title": f"{c} {o}", "semantic_category": {"top": "tops", "pants": "bottoms", "shoes": "shoes", "bag": "bags"}[c]}
            items.append({"item_id": iid, "index": k + 1})
            ids.append(iid)
        outfits.append({"set_id": f"s{o}", "items": items})
    (root / "disjoint").mkdir(parents=True)
    (root / "polyvore_item_metadata.json").write_text(json.dumps(meta))
    (root / "disjoint" / "test.json").write_text(json.dumps(outfits))
    fitb = [{"question": ["s0_1", "s0_2", "s0_4"], "answers": ["s1_3", "s0_3", "s2_3", "s3_3"], "blank_position": 3}]
    (root / "disjoint" / "fill_in_blank_test.json").write_text(json.dumps(fitb))
    (root / "disjoint" / "compatibility_test.txt").write_text("1 s0_1 s0_2 s0_3\n0 s1_1 s2_2 s3_3\n")


def test_polyvore_outfits_layout_uses_released_questions(tmp_path):
    _write_polyvore(tmp_path)
    assert detect_layout(tmp_path) == "polyvore-outfits"
    data = load_outfits(tmp_path)
    assert len(data.outfits("test")) == 6
    assert {data.items[i].slot for i in data.outfits("test")[0].item_ids} == {"top", "bottom", "shoes", "bag"}
    (q,) = data.fitb["test"]
    assert q.candidates[q.answer] == "02"  # the candidate from the question's own outfit
    assert q.context == ("00", "01", "03")
    assert [c.label for c in data.compat["test"]] == [1, 0]


def test_bad_paths_are_explained(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        detect_layout(tmp_path / "nope")
    (tmp_path / "x.json").write_text('{"hello": 1}')
    with pytest.raises(ValueError, match="cannot tell the outfit layout"):
        load_outfits(tmp_path / "x.json")
    with pytest.raises(KeyError, match="no split"):
        _write_polyvore(tmp_path / "p")
        load_outfits(tmp_path / "p").outfits("train")


def _folds_cover_every_outfit_once(data) -> None:
    everything = sorted(o.set_id for split in data.splits.values() for o in split)
    first = fold_split(data, 0)
    for split in data.splits:  # fold 0 is the standard split, in the same order
        assert [o.set_id for o in first.splits[split]] == [o.set_id for o in data.splits[split]]
    tested = []
    for fold in range(CV_FOLDS):
        parts = {s: {o.set_id for o in outs} for s, outs in fold_split(data, fold).splits.items()}
        assert not parts["test"] & parts["valid"] and not parts["test"] & parts["train"]
        assert not parts["valid"] & parts["train"]
        assert sorted(parts["test"] | parts["valid"] | parts["train"]) == everything
        assert parts["test"] and parts["valid"] and parts["train"]
        tested += sorted(parts["test"])
    assert sorted(tested) == everything  # every outfit is tested in exactly one fold


def test_cross_validation_folds_rotate_the_hash_split(tmp_path):
    slots = ["upper", "bottom", "shoe", "bag"]
    outfits = [{"set_id": f"set{k}", "items": [{"slot": s, "index": i + 1, "name": f"{s} {k}"}
                                              for i, s in enumerate(slots)]} for k in range(300)]
    (tmp_path / "outfits_valid.json").write_text(json.dumps(outfits))
    data = load_outfits(tmp_path / "outfits_valid.json")
    _folds_cover_every_outfit_once(data)
    assert "fold 3 of 5" in fold_split(data, 3).split_rule
    with pytest.raises(ValueError, match="fold must be 0 to 4"):
        fold_split(data, CV_FOLDS)
    _write_polyvore(tmp_path / "released")
    with pytest.raises(ValueError, match="released with the data"):
        fold_split(load_outfits(tmp_path / "released"), 0)


def test_cross_validation_folds_of_worn_together_photos_follow_the_file_name(tmp_path):
    cats = [{"id": 1, "name": "top"}, {"id": 2, "name": "pants"}, {"id": 3, "name": "shoes"}]
    images = [{"id": k, "file_name": f"photos/{k:04d}.jpg", "width": 100, "height": 200} for k in range(120)]
    anns = [{"id": 3 * k + c, "image_id": k, "category_id": c + 1, "bbox": [10, 10 + 50 * c, 50, 40]}
            for k in range(120) for c in range(3)]
    (tmp_path / "annotations.json").write_text(json.dumps({"images": images, "annotations": anns, "categories": cats}))
    data = load_outfits(tmp_path / "annotations.json")
    assert data.layout == "worn-together"
    _folds_cover_every_outfit_once(data)
    for outfit in fold_split(data, 2).splits["test"]:
        assert hash_bucket(f"photos/{outfit.set_id}.jpg") in (4, 5)  # fold 2 tests buckets 4 and 5
