"""The outfit style rules on hand-made products: each rule can be broken on its own."""

from __future__ import annotations

from fashion_core.demo.products import DemoProduct
from fashion_core.demo.style import colours_harmonise, violations


def item(cat: str, sil: str, colour: str = "black", pattern: str = "solid", formality: int = 1,
         season: str = "all-season", pid: str = "X") -> DemoProduct:
    return DemoProduct(pid, 0, cat, sil, colour, pattern, "white", "cotton", formality, season, f"{colour} {sil}")


def base() -> list[DemoProduct]:
    return [item("top", "shirt", "white"), item("pants", "trousers", "navy"), item("shoes", "loafers", "brown")]


def test_a_plain_outfit_is_compatible():
    assert violations(base()) == []
    assert violations([item("dress", "shift-dress", "red"), item("shoes", "heels", "black")]) == []


def test_structure_rules():
    assert "structure" in violations(base()[:2])  # no shoes
    assert "structure" in violations(base() + [item("skirt", "mini-skirt")])  # two bottoms
    assert "structure" in violations(base() + [item("dress", "maxi-dress")])  # dress with top and bottom
    assert "structure" in violations([item("top", "t-shirt"), item("shoes", "sneakers")])  # top without bottom


def test_formality_season_pattern_and_colour_rules():
    assert violations(base() + [item("bag", "clutch", formality=2)]) == []
    casual = base()[:2] + [item("shoes", "sneakers", formality=0), item("scarf/tie", "tie", formality=2)]
    assert "formality" in violations(casual)
    assert "season" in violations(base() + [item("hat", "sun-hat", season="summer"),
                                            item("outerwear", "coat", season="winter")])
    assert "pattern" in violations([item("top", "shirt", pattern="stripes"), item("pants", "trousers", pattern="checks"),
                                    item("shoes", "loafers")])
    assert "colour" in violations([item("top", "shirt", "red"), item("pants", "trousers", "green"),
                                   item("shoes", "loafers", "lavender")])


def test_colour_harmony():
    assert colours_harmonise(["black", "white", "navy", "camel"])
    assert colours_harmonise(["red", "burgundy", "black"])  # analogous
    assert colours_harmonise(["orange", "cobalt"])  # complementary
    assert not colours_harmonise(["red", "green"])  # 145 degrees: neither
    assert not colours_harmonise(["red", "mustard", "teal"])  # three hues
