"""The taxonomy: categories, slots, complementary slots, and every foreign label table."""

import json

import pytest

from fashion_core import taxonomy as tx


def test_twelve_categories_in_ccp_order(shared_data):
    cats = json.loads((shared_data / "ccp" / "annotations.json").read_text())["categories"]
    assert [c["name"] for c in sorted(cats, key=lambda c: c["id"])] == list(tx.CATEGORIES)
    assert tx.CATEGORY_IDS["bag"] == 1 and tx.CATEGORY_IDS["top"] == 12


def test_every_category_has_a_slot_and_every_slot_a_category():
    assert set(tx.CATEGORY_TO_SLOT) == set(tx.CATEGORIES)
    assert set(tx.CATEGORY_TO_SLOT.values()) == set(tx.SLOTS)


def test_complementary_slots_follow_outfit_rules():
    assert "bottom" not in tx.complementary_slots("one-piece")
    assert "top" not in tx.complementary_slots("one-piece")
    top = tx.complementary_slots("top")
    assert "top" not in top and "one-piece" not in top
    assert {"bottom", "shoes", "bag", "accessory"} <= set(top)
    for slot in tx.SLOTS:
        assert slot not in tx.complementary_slots(slot)
        for other in tx.complementary_slots(slot):
            assert tx.compatible_slots(slot, other) and tx.compatible_slots(other, slot)


def test_unknown_names_raise_with_the_valid_ones():
    with pytest.raises(KeyError, match="expected one of bag"):
        tx.slot_of("jumper-suit")
    with pytest.raises(KeyError, match="unknown slot"):
        tx.complementary_slots("feet")
    with pytest.raises(KeyError, match="unknown label source"):
        tx.to_category("top", source="nope")


def test_ccp_table_agrees_with_the_dataset(shared_data):
    info = json.loads((shared_data / "ccp" / "annotations.json").read_text())["info"]
    for label in info["ccp_labels"]:
        assert tx.to_category(label, "ccp") == info["taxonomy_map"].get(label), label


def test_fpi_article_types_map_to_the_given_category(shared_data):
    import csv

    with open(shared_data / "fpi" / "products.csv") as fh:
        pairs = {(r["articleType"], r["category"]) for r in csv.DictReader(fh)}
    for article, category in pairs:
        assert tx.to_category(article, "fpi") == category, article


@pytest.mark.parametrize("source,table", [("modanet", tx.MODANET), ("deepfashion2", tx.DEEPFASHION2),
                                          ("polyvore", tx.POLYVORE_OUTFITS)])
def test_tables_only_produce_taxonomy_categories(source, table):
    for label in table:
        assert tx.to_category(label, source) in (*tx.CATEGORIES, None)


def test_modanet_and_deepfashion2_cover_their_classes():
    assert len(tx.MODANET) == 13 and len(tx.DEEPFASHION2) == 13
    assert tx.to_category("Long Sleeve Outwear", "deepfashion2") == "outerwear"
    assert tx.to_category("skirts", "modanet") == "skirt"


def test_clothing_dataset_labels_map_by_synonym(shared_data):
    import csv

    with open(shared_data / "clothing" / "labels.csv") as fh:
        labels = {r["label"] for r in csv.DictReader(fh)}
    mapped = {label: tx.to_category(label) for label in labels}
    assert mapped["t-shirt"] == "top" and mapped["outwear"] == "outerwear" and mapped["longsleeve"] == "top"
    assert set(mapped.values()) <= set(tx.CATEGORIES)


def test_imagenet_names_exist_in_torchvision():
    from torchvision.models import EfficientNet_B0_Weights

    names = set(EfficientNet_B0_Weights.DEFAULT.meta["categories"])
    missing = [n for n in tx.IMAGENET if n not in names]
    assert not missing, missing
    assert tx.to_category("jean", "imagenet") == "pants"
    assert tx.to_category("miniskirt", "imagenet") == "skirt"


def test_slot_tables():
    assert tx.to_slot("upper") == "top" and tx.to_slot("shoe") == "shoes"
    assert tx.to_slot("all-body", "polyvore") == "one-piece"
    assert tx.to_slot("jewellery", "polyvore") == "accessory"
