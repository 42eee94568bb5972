"""The outfit rules table: who an item is for, which slots a wearer wears, and the soft rules' values."""

from __future__ import annotations

import pytest

from fashion_core.outfits import rules
from fashion_core.outfits.profile import ItemProfile, parse_price


@pytest.mark.parametrize("title, gender", [
    ("Puma Men Ferrari Black Fleece Jacket", "Men"), ("Nike Men's Running Shoes", "Men"),
    ("womens hooded faux leather jacket", "Women"), ("toms boot women's boots", "Women"),
    ("Gini and Jony Girls Pink Top", "Girls"), ("United Colors of Benetton Kids Boys Shorts", "Boys"),
    ("Disney kids printed cap", "Kids"), ("Fastrack Unisex Sunglasses", "Unisex"),
    ("Boys and Girls school bag", "Kids"), ("Men and women leather belt", "Unisex"),
    ("boyfriend jeans", None), ("oval stone mixed bangles set", None),
])
def test_gender_from_title_words(title, gender):
    assert rules.gender_from_title(title) == gender


def test_the_gender_column_wins_over_the_title_and_unknown_values_say_nothing():
    assert rules.item_gender({"gender": "Women"}, "Men shirt") == "Women"
    assert rules.item_gender({"Gender": "female"}, None) == "Women"
    assert rules.item_gender({"gender": "NA"}, "Men shirt") == "Men"
    assert rules.item_gender({}, "plain shirt") is None


def test_who_fits_whom():
    assert rules.fits("Unisex", "Men") and rules.fits("Unisex", "Women")
    assert not rules.fits("Unisex", "Boys") and not rules.fits("Unisex", "Girls")  # Unisex fits adults
    assert rules.fits("Kids", "Girls") and not rules.fits("Kids", "Women")
    assert not rules.fits("Women", "Men") and not rules.fits("Boys", "Men")
    assert rules.fits(None, "Men") and rules.fits("Men", None)  # nothing said: no constraint
    assert rules.wearers_of("Unisex") == {"Men", "Women"}


def test_men_wear_no_dress_and_no_skirt():
    assert not rules.slot_fits("one-piece", "Men") and rules.slot_fits("one-piece", "Women")
    assert not rules.category_fits("skirt", "Boys") and rules.category_fits("skirt", "Girls")
    assert rules.category_fits("pants", "Men") and rules.category_fits("dress", None)


def test_soft_rules_values():
    assert rules.usage_affinity("formal", "formal") == 1.0
    assert rules.usage_affinity("formal", "sports") == 0.0
    assert 0 < rules.usage_affinity("casual", "smart casual") < 1
    assert rules.usage_affinity(None, "casual") is None
    assert rules.season_affinity("summer", "winter") == 0.0 and rules.season_affinity("all-season", "winter") == 1
    assert rules.colour_affinity("navy blue", "red") == 1.0  # neutrals go with everything
    assert rules.colour_affinity("red", "green") < rules.colour_affinity("red", "pink") < 1
    assert rules.loud_families(["red", "green", "black", "navy blue", "purple"]) == 3


def test_every_rule_is_in_the_one_table():
    kinds = {r.name: r.kind for r in rules.RULES}
    assert kinds == {"wearer": "hard", "slot-wearer": "hard", "slot-pair": "hard", "one-wearer": "hard",
                     "usage": "soft", "season": "soft", "colour": "soft"}
    assert rules.SoftWeights.from_dict(rules.DEFAULT_WEIGHTS.to_dict()) == rules.DEFAULT_WEIGHTS


def test_item_profile_reads_columns_then_titles():
    p = ItemProfile.of({"gender": "Men", "usage": "Formal", "baseColour": "Navy Blue", "price": "1,299.00"},
                       "Van Heusen shirt")
    assert (p.gender, p.usage, p.colour, p.price) == ("Men", "formal", "navy blue", 1299.0)
    q = ItemProfile.of({}, "Black women's running shoes")
    assert (q.gender, q.usage, q.colour) == ("Women", "sports", "black")
    assert q.sources == {"gender": "title", "usage": "title", "colour": "title"}
    assert ItemProfile.of({"formality": "smart", "season": "winter"}, "").usage == "smart casual"
    assert parse_price("€ 19,99") == 19.99 and parse_price("n/a") is None
