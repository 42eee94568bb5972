"""Outfit loaders: Maryland Polyvore, worn-together photos (CCP), the Polyvore Outfits layout."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from fashion_core import taxonomy
from fashion_core.compat.data import detect_layout, load_outfits, says_one_piece, split_of


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
