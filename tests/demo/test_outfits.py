"""Demo outfits in the Polyvore Outfits layout: rules hold, splits are disjoint, FITB and compatibility are right."""

from __future__ import annotations

import json

from fashion_core import taxonomy
from fashion_core.demo.style import violations

from .helpers import SPLITS, catalog, outfits, products, references, slot


def test_every_outfit_follows_the_style_rules(demo_world):
    items = products(demo_world)
    total = 0
    for split in SPLITS:
        for o in outfits(demo_world, split):
            outfit = [items[it["item_id"]] for it in o["items"]]
            slots = [slot(p) for p in outfit]
            assert len(slots) == len(set(slots)), f"{o['set_id']}: two items in one slot"
            assert not ("one-piece" in slots and ({"top", "bottom"} & set(slots))), f"{o['set_id']}: dress with top"
            assert "shoes" in slots and 3 <= len(outfit) <= 7
            assert violations(outfit) == [], f"{o['set_id']} breaks {violations(outfit)}"
            assert [it["index"] for it in o["items"]] == list(range(1, len(outfit) + 1))
            total += 1
    assert total == 400
    sizes = [len(outfits(demo_world, s)) for s in SPLITS]
    assert sizes[0] > sizes[2] > 0 and sizes[1] > 0


def test_outfits_are_distinct_and_set_ids_unique(demo_world):
    ids, keys = [], set()
    for split in SPLITS:
        for o in outfits(demo_world, split):
            ids.append(o["set_id"])
            keys.add(frozenset(it["item_id"] for it in o["items"]))
    assert len(ids) == len(set(ids)) == len(keys)


def test_splits_share_no_item_and_each_uses_every_slot(demo_world):
    used = {s: {it["item_id"] for o in outfits(demo_world, s) for it in o["items"]} for s in SPLITS}
    assert not used["train"] & used["valid"]
    assert not used["train"] & used["test"]
    assert not used["valid"] & used["test"]
    items = products(demo_world)
    for s in SPLITS:
        assert {slot(items[i]) for i in used[s]} == set(taxonomy.SLOTS), s


def test_fill_in_the_blank_has_four_candidates_of_the_blank_slot(demo_world):
    items = products(demo_world)
    n_questions = n_outfits = n_wrong = n_wrong_breaking = 0
    for split in SPLITS:
        refs = references(demo_world, split)
        questions = json.loads((demo_world / "disjoint" / f"fill_in_blank_{split}.json").read_text())
        n_questions += len(questions)
        n_outfits += len(outfits(demo_world, split))
        for q in questions:
            set_id = q["question"][0].split("_")[0]
            assert len(q["answers"]) == 4
            answers = [items[refs[a]] for a in q["answers"]]
            assert len({slot(a) for a in answers}) == 1, q
            assert len({a.product_id for a in answers}) == 4, q
            assert all(r.split("_")[0] == set_id for r in q["question"])
            assert q["answers"][0] == f"{set_id}_{q['blank_position']}"
            assert q["answers"][0] not in q["question"]
            assert all(a.split("_")[0] != set_id for a in q["answers"][1:])
            rest = [items[refs[r]] for r in q["question"]]
            assert violations(rest + [answers[0]]) == []
            n_wrong += 3
            n_wrong_breaking += sum(bool(violations(rest + [a])) for a in answers[1:])
    assert n_questions >= 0.75 * n_outfits
    assert n_wrong_breaking >= 0.85 * n_wrong, "wrong answers should break a style rule"


def test_compatibility_pairs_positive_then_swapped_negative(demo_world):
    items = products(demo_world)
    for split in SPLITS:
        refs = references(demo_world, split)
        lines = (demo_world / "disjoint" / f"compatibility_{split}.txt").read_text().splitlines()
        assert len(lines) == 2 * len(outfits(demo_world, split))
        broken = 0
        for pos, neg in zip(lines[::2], lines[1::2]):
            assert pos.startswith("1 ") and neg.startswith("0 ")
            good = [items[refs[r]] for r in pos.split()[1:]]
            bad = [items[refs[r]] for r in neg.split()[1:]]
            assert violations(good) == []
            assert [slot(p) for p in good] == [slot(p) for p in bad]
            broken += bool(violations(bad))
        assert broken >= 0.95 * len(lines) / 2


def test_item_metadata_reads_back_through_the_taxonomy(demo_world):
    meta = json.loads((demo_world / "polyvore_item_metadata.json").read_text())
    frame = catalog(demo_world)
    assert set(meta) == set(frame["product_id"])
    for row in frame.itertuples():
        m = meta[row.product_id]
        assert m["title"] == row.title
        assert taxonomy.to_slot(m["semantic_category"], "polyvore") == taxonomy.slot_of(row.category)
        mapped = taxonomy.to_category(m["semantic_category"], "polyvore")
        assert mapped == row.category or m["semantic_category"] in ("bottoms", "accessories")
        assert (demo_world / "images" / f"{row.product_id}.jpg").exists()
