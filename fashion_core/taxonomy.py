"""The one place that names garment categories, outfit slots, and maps foreign labels into them.

Twelve detection categories (the unified ModaNet + DeepFashion2 classes) and seven outfit slots.
Every dataset or model label enters the project through :func:`to_category` or :func:`to_slot`.
"""

from __future__ import annotations

CATEGORIES: tuple[str, ...] = (
    "bag", "belt", "dress", "hat", "outerwear", "pants",
    "scarf/tie", "shoes", "shorts", "skirt", "sunglasses", "top",
)
"""The 12 categories, in the order of the COCO ids 1..12 used by ``../shared/data/ccp``."""

BOTTOMWEAR: frozenset[str] = frozenset({"pants", "shorts", "skirt"})
"""Categories whose overlay icon is placed from the knee and hip keypoints."""

SLOTS: tuple[str, ...] = ("top", "outerwear", "bottom", "one-piece", "shoes", "bag", "accessory")
"""Outfit slots for compatibility: an outfit holds at most one item per slot."""

CATEGORY_TO_SLOT: dict[str, str] = {
    "top": "top", "outerwear": "outerwear",
    "pants": "bottom", "shorts": "bottom", "skirt": "bottom",
    "dress": "one-piece", "shoes": "shoes", "bag": "bag",
    "belt": "accessory", "hat": "accessory", "scarf/tie": "accessory", "sunglasses": "accessory",
}

# Slots that cannot be worn together: a one-piece replaces both top and bottom.
_EXCLUDES: dict[str, frozenset[str]] = {
    "one-piece": frozenset({"top", "bottom"}),
    "top": frozenset({"one-piece"}),
    "bottom": frozenset({"one-piece"}),
}

CATEGORY_IDS: dict[str, int] = {c: i + 1 for i, c in enumerate(CATEGORIES)}
"""COCO category ids (1-based) for our categories."""


def slot_of(category: str) -> str:
    """Outfit slot of a taxonomy category; raises ``KeyError`` with the valid names."""
    try:
        return CATEGORY_TO_SLOT[category]
    except KeyError:
        raise KeyError(f"unknown category {category!r}; expected one of {', '.join(CATEGORIES)}") from None


def complementary_slots(slot: str) -> tuple[str, ...]:
    """Slots that complete an outfit around an item of ``slot``: every other slot that can be worn with it."""
    if slot not in SLOTS:
        raise KeyError(f"unknown slot {slot!r}; expected one of {', '.join(SLOTS)}")
    banned = _EXCLUDES.get(slot, frozenset())
    return tuple(s for s in SLOTS if s != slot and s not in banned)


def compatible_slots(a: str, b: str) -> bool:
    """True when items of slots ``a`` and ``b`` can be worn in one outfit."""
    return a != b and b not in _EXCLUDES.get(a, frozenset())


# ---------------------------------------------------------------- foreign label tables
# Keys are lower-cased; values are taxonomy categories, or None for labels we know and ignore.

MODANET: dict[str, str | None] = {
    "bag": "bag", "belt": "belt", "boots": "shoes", "footwear": "shoes", "outer": "outerwear",
    "dress": "dress", "sunglasses": "sunglasses", "pants": "pants", "top": "top",
    "shorts": "shorts", "skirts": "skirt", "headwear": "hat", "scarf/tie": "scarf/tie",
}

DEEPFASHION2: dict[str, str | None] = {
    "short sleeve top": "top", "long sleeve top": "top", "vest": "top", "sling": "top",
    "short sleeve outwear": "outerwear", "long sleeve outwear": "outerwear",
    "shorts": "shorts", "trousers": "pants", "skirt": "skirt",
    "short sleeve dress": "dress", "long sleeve dress": "dress", "vest dress": "dress", "sling dress": "dress",
}

CCP: dict[str, str | None] = {
    "bag": "bag", "purse": "bag", "wallet": "bag", "belt": "belt", "dress": "dress", "romper": "dress",
    "suit": None, "bodysuit": "top", "hat": "hat", "blazer": "outerwear", "cape": "outerwear",
    "cardigan": "outerwear", "coat": "outerwear", "jacket": "outerwear", "vest": "outerwear",
    "jeans": "pants", "pants": "pants", "leggings": "pants", "scarf": "scarf/tie", "tie": "scarf/tie",
    "boots": "shoes", "clogs": "shoes", "flats": "shoes", "heels": "shoes", "loafers": "shoes",
    "pumps": "shoes", "sandals": "shoes", "shoes": "shoes", "sneakers": "shoes", "wedges": "shoes",
    "shorts": "shorts", "skirt": "skirt", "sunglasses": "sunglasses", "glasses": "sunglasses",
    "blouse": "top", "hoodie": "top", "jumper": "top", "shirt": "top", "sweater": "top",
    "sweatshirt": "top", "t-shirt": "top", "top": "top",
    # labels CCP has that are not garments of our taxonomy
    "null": None, "accessories": None, "bra": None, "bracelet": None, "earrings": None, "gloves": None,
    "hair": None, "intimate": None, "necklace": None, "panties": None, "ring": None, "skin": None,
    "socks": None, "stockings": None, "swimwear": None, "tights": None, "watch": None,
}

POLYVORE_OUTFITS: dict[str, str | None] = {
    # semantic_category of polyvore_item_metadata.json
    "tops": "top", "outerwear": "outerwear", "bottoms": "pants", "all-body": "dress", "shoes": "shoes",
    "bags": "bag", "hats": "hat", "sunglasses": "sunglasses", "scarves": "scarf/tie",
    "accessories": "belt", "jewellery": None,
}
"""Polyvore Outfits' coarse semantic categories. ``bottoms`` covers pants, shorts and skirts alike and
``accessories`` every small accessory; use :data:`POLYVORE_SLOTS` when only the slot matters."""

POLYVORE_SLOTS: dict[str, str | None] = {
    "tops": "top", "outerwear": "outerwear", "bottoms": "bottom", "all-body": "one-piece",
    "shoes": "shoes", "bags": "bag", "hats": "accessory", "sunglasses": "accessory",
    "scarves": "accessory", "accessories": "accessory", "jewellery": "accessory",
}

MARYLAND_SLOTS: dict[str, str | None] = {
    # Maryland Polyvore slot names (../shared/data/polyvore-text). "upper" and "bottom" can hold dresses.
    "upper": "top", "bottom": "bottom", "shoe": "shoes", "bag": "bag", "accessory": "accessory",
}

FPI_ARTICLE_TYPES: dict[str, str | None] = {
    "backpacks": "bag", "clutches": "bag", "duffel bag": "bag", "handbags": "bag", "laptop bag": "bag",
    "messenger bag": "bag", "mobile pouch": "bag", "rucksacks": "bag", "tablet sleeve": "bag",
    "travel accessory": None, "trolley bag": "bag", "wallets": "bag", "waist pouch": "bag",
    "belts": "belt",
    "dresses": "dress", "jumpsuit": "dress", "rompers": "dress", "lehenga choli": "dress", "sarees": "dress",
    "nightdress": "dress",
    "caps": "hat", "hat": "hat", "headband": "hat",
    "blazers": "outerwear", "jackets": "outerwear", "rain jacket": "outerwear", "waistcoat": "outerwear",
    "nehru jackets": "outerwear", "shrug": "outerwear", "coats": "outerwear",
    "capris": "pants", "jeans": "pants", "leggings": "pants", "track pants": "pants", "trousers": "pants",
    "jeggings": "pants", "salwar": "pants", "churidar": "pants", "patiala": "pants", "tights": "pants",
    "mufflers": "scarf/tie", "scarves": "scarf/tie", "stoles": "scarf/tie", "ties": "scarf/tie",
    "dupatta": "scarf/tie",
    "casual shoes": "shoes", "flats": "shoes", "flip flops": "shoes", "formal shoes": "shoes",
    "heels": "shoes", "sandals": "shoes", "sports sandals": "shoes", "sports shoes": "shoes", "booties": "shoes",
    "shorts": "shorts", "boxers": None, "trunk": None, "briefs": None,
    "skirts": "skirt",
    "sunglasses": "sunglasses",
    "kurtas": "top", "shirts": "top", "sweaters": "top", "sweatshirts": "top", "tops": "top",
    "tshirts": "top", "tunics": "top", "kurtis": "top", "camisoles": "top", "innerwear vests": None,
    "watches": None, "socks": None, "bra": None, "perfume and body mist": None, "jewellery set": None,
}

IMAGENET: dict[str, str | None] = {
    # ImageNet-1k class name (torchvision's spelling) -> category; detection evidence from a classifier.
    "abaya": "dress", "academic gown": "outerwear", "apron": "dress", "backpack": "bag",
    "bearskin": "hat", "bonnet": "hat", "bow tie": "scarf/tie", "bolo tie": "scarf/tie",
    "cardigan": "outerwear", "cloak": "outerwear", "cowboy boot": "shoes", "cowboy hat": "hat",
    "clog": "shoes", "fur coat": "outerwear", "gown": "dress", "hoopskirt": "skirt", "jean": "pants",
    "jersey": "top", "kimono": "dress", "lab coat": "outerwear", "Loafer": "shoes", "mailbag": "bag",
    "miniskirt": "skirt", "mortarboard": "hat", "overskirt": "skirt", "pajama": "top", "poncho": "outerwear",
    "purse": "bag", "running shoe": "shoes", "sandal": "shoes", "sarong": "skirt", "shower cap": "hat",
    "sombrero": "hat", "stole": "scarf/tie", "suit": "outerwear", "sunglasses": "sunglasses",
    "sunglass": "sunglasses", "sweatshirt": "top", "swimming trunks": "shorts", "trench coat": "outerwear",
    "wallet": "bag", "Windsor tie": "scarf/tie", "wool": "top", "military uniform": "outerwear",
    "vestment": "outerwear", "bulletproof vest": "outerwear", "plastic bag": "bag", "mitten": None,
    "sock": None, "brassiere": None, "bikini": None, "maillot": None, "diaper": None,
}
"""ImageNet-1k clothing classes by name; ``None`` marks clothing outside the taxonomy."""

TABLES: dict[str, dict] = {
    "modanet": MODANET, "deepfashion2": DEEPFASHION2, "ccp": CCP,
    "polyvore": POLYVORE_OUTFITS, "fpi": FPI_ARTICLE_TYPES, "imagenet": {k.lower(): v for k, v in IMAGENET.items()},
}

_SYNONYMS: dict[str, str] = {
    "tops": "top", "t-shirt": "top", "tshirt": "top", "shirt": "top", "blouse": "top", "sweater": "top",
    "longsleeve": "top", "outwear": "outerwear", "jacket": "outerwear", "coat": "outerwear",
    "trousers": "pants", "jeans": "pants", "skirts": "skirt", "dresses": "dress", "shoe": "shoes",
    "footwear": "shoes", "sneakers": "shoes", "boots": "shoes", "bags": "bag", "handbag": "bag",
    "hats": "hat", "cap": "hat", "scarf": "scarf/tie", "tie": "scarf/tie", "scarves": "scarf/tie",
    "glasses": "sunglasses", "belts": "belt", "scarf_tie": "scarf/tie", "scarf-tie": "scarf/tie",
}


def to_category(label: str, source: str | None = None) -> str | None:
    """Map a label into the taxonomy; ``source`` picks a table (modanet, deepfashion2, ccp, polyvore, fpi, imagenet).

    Without ``source``, our own names and common synonyms (e.g. the ``clothing/`` labels) are accepted.
    Returns ``None`` for a label known to be outside the taxonomy; raises ``KeyError`` for an unknown one.
    """
    key = label.strip().lower()
    if source is not None:
        if source not in TABLES:
            raise KeyError(f"unknown label source {source!r}; expected one of {', '.join(TABLES)}")
        table = TABLES[source]
        if key in table:
            return table[key]
        raise KeyError(f"label {label!r} is not in the {source} table")
    if key in CATEGORIES:
        return key
    if key in _SYNONYMS:
        return _SYNONYMS[key]
    raise KeyError(f"unknown category {label!r}; expected one of {', '.join(CATEGORIES)} or a known synonym")


def to_slot(label: str, source: str = "maryland") -> str | None:
    """Map a foreign slot label (Maryland Polyvore or Polyvore Outfits) to one of :data:`SLOTS`."""
    table = {"maryland": MARYLAND_SLOTS, "polyvore": POLYVORE_SLOTS}.get(source)
    if table is None:
        raise KeyError(f"unknown slot source {source!r}; expected maryland or polyvore")
    key = label.strip().lower()
    if key in table:
        return table[key]
    if key in SLOTS:
        return key
    raise KeyError(f"slot label {label!r} is not in the {source} table")
