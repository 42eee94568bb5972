"""The garment kinds of the demo world: category, title noun, formality, season, materials, patterns.

Formality levels: 0 casual, 1 smart, 2 formal. Seasons: ``summer``, ``winter`` or ``all-season``.
Every category has at least two silhouettes; the product draw cycles through them so small worlds cover all.
"""

from __future__ import annotations

from dataclasses import dataclass

FORMALITY_NAMES: tuple[str, ...] = ("casual", "smart", "formal")
SEASONS: tuple[str, ...] = ("summer", "winter", "all-season")

_ALL = ("solid", "stripes", "checks", "dots", "print")
_PLAIN = ("solid",)
_FEW = ("solid", "stripes", "checks")


@dataclass(frozen=True)
class Silhouette:
    """One garment kind, e.g. ``t-shirt`` in ``top``: what a product of it may be."""

    name: str
    category: str
    noun: str
    formality: tuple[int, ...]
    season: str
    materials: tuple[str, ...]
    patterns: tuple[str, ...]


SILHOUETTES: tuple[Silhouette, ...] = (
    Silhouette("t-shirt", "top", "t-shirt", (0,), "all-season", ("cotton", "jersey"), _ALL),
    Silhouette("blouse", "top", "blouse", (1, 2), "all-season", ("silk", "satin", "chiffon"), _ALL),
    Silhouette("sweater", "top", "sweater", (0, 1), "winter", ("wool", "cashmere", "knit"), _FEW),
    Silhouette("shirt", "top", "shirt", (1, 2), "all-season", ("cotton", "linen", "poplin"), _FEW),
    Silhouette("tank-top", "top", "tank top", (0,), "summer", ("cotton", "jersey", "linen"), _ALL),
    Silhouette("blazer", "outerwear", "blazer", (1, 2), "all-season", ("wool", "linen", "tweed"), _FEW),
    Silhouette("coat", "outerwear", "coat", (1, 2), "winter", ("wool", "cashmere"), _FEW),
    Silhouette("puffer", "outerwear", "puffer jacket", (0,), "winter", ("nylon", "quilted"), _PLAIN),
    Silhouette("denim-jacket", "outerwear", "jacket", (0,), "all-season", ("denim", "corduroy"), _PLAIN),
    Silhouette("cardigan", "outerwear", "cardigan", (0, 1), "all-season", ("knit", "wool", "cotton"), _FEW),
    Silhouette("trousers", "pants", "trousers", (1, 2), "all-season", ("wool", "crepe", "twill"), _FEW),
    Silhouette("jeans", "pants", "jeans", (0, 1), "all-season", ("denim",), _PLAIN),
    Silhouette("wide-leg", "pants", "wide-leg trousers", (1,), "all-season", ("linen", "crepe"), _FEW),
    Silhouette("joggers", "pants", "joggers", (0,), "all-season", ("jersey", "fleece"), _PLAIN),
    Silhouette("denim-shorts", "shorts", "denim shorts", (0,), "summer", ("denim",), _PLAIN),
    Silhouette("tailored-shorts", "shorts", "tailored shorts", (0, 1), "summer", ("linen", "cotton"), _FEW),
    Silhouette("mini-skirt", "skirt", "mini skirt", (0, 1), "all-season", ("cotton", "denim", "leather"), _ALL),
    Silhouette("pleated-skirt", "skirt", "pleated midi skirt", (1,), "all-season", ("chiffon", "satin"), _ALL),
    Silhouette("pencil-skirt", "skirt", "pencil skirt", (1, 2), "all-season", ("wool", "crepe"), _FEW),
    Silhouette("sundress", "dress", "sundress", (0,), "summer", ("cotton", "linen"), _ALL),
    Silhouette("shift-dress", "dress", "shift dress", (1, 2), "all-season", ("crepe", "wool"), _FEW),
    Silhouette("maxi-dress", "dress", "maxi dress", (1, 2), "all-season", ("silk", "chiffon", "satin"), _ALL),
    Silhouette("sneakers", "shoes", "sneakers", (0,), "all-season", ("canvas", "leather"), _PLAIN),
    Silhouette("boots", "shoes", "ankle boots", (0, 1), "winter", ("leather", "suede"), _PLAIN),
    Silhouette("heels", "shoes", "heels", (1, 2), "all-season", ("leather", "patent", "suede"), _PLAIN),
    Silhouette("loafers", "shoes", "loafers", (1, 2), "all-season", ("leather", "suede"), _PLAIN),
    Silhouette("sandals", "shoes", "sandals", (0,), "summer", ("leather",), _PLAIN),
    Silhouette("backpack", "bag", "backpack", (0,), "all-season", ("canvas", "nylon", "leather"), _FEW),
    Silhouette("tote", "bag", "tote bag", (0, 1), "all-season", ("canvas", "leather"), _FEW),
    Silhouette("clutch", "bag", "clutch", (1, 2), "all-season", ("leather", "satin", "patent"), _PLAIN),
    Silhouette("crossbody", "bag", "crossbody bag", (0, 1), "all-season", ("leather", "suede"), _PLAIN),
    Silhouette("cap", "hat", "baseball cap", (0,), "all-season", ("cotton", "twill"), _PLAIN),
    Silhouette("beanie", "hat", "beanie", (0,), "winter", ("knit", "wool"), _FEW),
    Silhouette("fedora", "hat", "fedora", (1,), "all-season", ("felt", "wool"), _PLAIN),
    Silhouette("sun-hat", "hat", "sun hat", (0, 1), "summer", ("straw", "cotton"), _PLAIN),
    Silhouette("leather-belt", "belt", "belt", (1, 2), "all-season", ("leather", "suede"), _PLAIN),
    Silhouette("braided-belt", "belt", "braided belt", (0,), "all-season", ("leather", "canvas"), _PLAIN),
    Silhouette("scarf", "scarf/tie", "scarf", (0, 1), "winter", ("wool", "cashmere", "knit"), _FEW),
    Silhouette("silk-scarf", "scarf/tie", "neck scarf", (1,), "all-season", ("silk",), _ALL),
    Silhouette("tie", "scarf/tie", "tie", (2, 1), "all-season", ("silk",), ("solid", "stripes", "dots")),
    Silhouette("aviators", "sunglasses", "aviator sunglasses", (0, 1), "all-season", ("metal",), _PLAIN),
    Silhouette("round-sunglasses", "sunglasses", "round sunglasses", (0, 1), "summer", ("acetate",), _PLAIN),
    Silhouette("cat-eye", "sunglasses", "cat-eye sunglasses", (1,), "all-season", ("acetate",), _PLAIN),
)

SILHOUETTE_BY_NAME: dict[str, Silhouette] = {s.name: s for s in SILHOUETTES}


def silhouettes_of(category: str) -> list[Silhouette]:
    """Silhouettes of one taxonomy category, in table order."""
    return [s for s in SILHOUETTES if s.category == category]
