"""Outfit rules from catalog attributes: one table (:data:`RULES`) and the value tables it reads.

======== ============ ======================================================= ===================================
kind     rule         what it says                                            where the values come from
======== ============ ======================================================= ===================================
hard     wearer       an item's gender fits the wearer (:data:`FITS`):        ``gender`` / ``sex`` column, else
                      Men, Women, Boys, Girls; Unisex fits adults, Kids fits  title words (:data:`GENDER_WORDS`);
                      children; an item that says nothing fits anyone         neither: no constraint
hard     slot-wearer  slots and categories a wearer wears                     the taxonomy slot and category
                      (:data:`WEARER_SLOTS`, :data:`WEARER_SKIPS`): no
                      dress and no skirt for Men or Boys
hard     slot-pair    only slots that go with the query (no bottom with a     ``taxonomy.complementary_slots``
                      dress, one item per slot)
hard     one-wearer   every item of one outfit fits one wearer                the search (:mod:`.search`)
soft     usage        the same occasion (:data:`USAGE_AFFINITY`): casual,     ``usage`` / ``occasion`` column,
                      smart casual, formal, sports, ethnic, party, travel     else title words
soft     season       seasons that meet (:data:`SEASON_AFFINITY`)             ``season`` column, else title words
soft     colour       neutrals go with everything; the same colour family    ``baseColour`` / ``colour`` column,
                      goes together; few loud colours in one look             else title words
======== ============ ======================================================= ===================================

Soft rules are weighed against the learned compatibility score (:class:`SoftWeights`: weights fitted on outfit
data where it has these attributes, the documented :data:`DEFAULT_WEIGHTS` elsewhere). Every function here is
pure; a catalog without these columns gets no constraint from them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass

import numpy as np

from .. import taxonomy


@dataclass(frozen=True)
class Rule:
    """One row of the rules table."""

    name: str
    kind: str
    """``hard`` (an item breaking it is never shown) or ``soft`` (weighed against the learned score)."""
    columns: tuple[str, ...]
    """Catalog columns the rule reads (the first one present wins), before title words."""
    says: str


RULES: tuple[Rule, ...] = (
    Rule("wearer", "hard", ("gender", "sex", "wearer"),
         "an item's gender fits the wearer; Unisex fits adults, Kids fits children; unknown fits anyone"),
    Rule("slot-wearer", "hard", (), "no one-piece (dress) and no skirt for Men or Boys"),
    Rule("slot-pair", "hard", (), "only slots that can be worn with the query's slot, one item per slot"),
    Rule("one-wearer", "hard", (), "all items of one outfit fit one wearer"),
    Rule("usage", "soft", ("usage", "occasion", "formality"), "the same occasion, or one that goes with it"),
    Rule("season", "soft", ("season",), "seasons that meet (summer with spring, winter with fall)"),
    Rule("colour", "soft", ("baseColour", "base_colour", "colour", "color"),
         "neutrals go with everything, the same colour family goes together, few loud colours per look"),
)
"""The outfit rules, in the order they apply."""

RULE_BY_NAME: dict[str, Rule] = {r.name: r for r in RULES}

# ---------------------------------------------------------------- wearer (hard)

WEARERS: tuple[str, ...] = ("Men", "Women", "Boys", "Girls")
"""Who can wear a look: the classes a wearer classifier predicts and a shopper may set."""

GENDERS: tuple[str, ...] = ("Men", "Women", "Boys", "Girls", "Unisex", "Kids")
"""What an item can say about who wears it."""

FITS: dict[str, frozenset[str]] = {
    "Men": frozenset({"Men"}), "Women": frozenset({"Women"}),
    "Boys": frozenset({"Boys"}), "Girls": frozenset({"Girls"}),
    "Unisex": frozenset({"Men", "Women"}), "Kids": frozenset({"Boys", "Girls"}),
}
"""Item gender → the wearers it fits. An item with no gender fits every wearer."""

GENDER_VALUES: dict[str, str] = {
    "men": "Men", "man": "Men", "male": "Men", "m": "Men", "mens": "Men", "men's": "Men", "gents": "Men",
    "women": "Women", "woman": "Women", "female": "Women", "f": "Women", "w": "Women", "womens": "Women",
    "women's": "Women", "ladies": "Women", "lady": "Women",
    "boys": "Boys", "boy": "Boys", "girls": "Girls", "girl": "Girls",
    "unisex": "Unisex", "adult": "Unisex", "adults": "Unisex",
    "kids": "Kids", "kid": "Kids", "children": "Kids", "child": "Kids", "baby": "Kids", "infant": "Kids",
}
"""Values of a gender column (lower-cased) → :data:`GENDERS`."""

GENDER_WORDS: dict[str, tuple[str, ...]] = {
    "Women": ("women", "womens", "women's", "woman", "womans", "ladies", "ladies'", "lady"),
    "Men": ("men", "mens", "men's", "man", "mans", "gents", "gentlemen"),
    "Girls": ("girls", "girl", "girl's", "girls'"),
    "Boys": ("boys", "boy", "boy's", "boys'"),
    "Kids": ("kids", "kid", "kid's", "kids'", "children", "childrens", "children's", "toddler", "infant", "baby",
             "junior", "juniors"),
    "Unisex": ("unisex",),
}
"""Title words that say who an item is for (whole words, any case)."""

WEARER_SLOTS: dict[str, frozenset[str]] = {
    "Men": frozenset(taxonomy.SLOTS) - {"one-piece"}, "Boys": frozenset(taxonomy.SLOTS) - {"one-piece"},
    "Women": frozenset(taxonomy.SLOTS), "Girls": frozenset(taxonomy.SLOTS),
}
"""Slots each wearer wears (no dress for a men's item)."""

WEARER_SKIPS: dict[str, frozenset[str]] = {"Men": frozenset({"dress", "skirt"}), "Boys": frozenset({"dress", "skirt"})}
"""Categories a wearer does not wear (a look with a skirt is not a man's look)."""

# ---------------------------------------------------------------- usage, season (soft)

USAGE_VALUES: dict[str, str] = {
    "casual": "casual", "smart casual": "smart casual", "smart": "smart casual", "business casual": "smart casual",
    "formal": "formal", "office": "formal", "business": "formal", "sports": "sports", "sport": "sports",
    "sportswear": "sports", "athletic": "sports", "active": "sports", "ethnic": "ethnic", "traditional": "ethnic",
    "party": "party", "evening": "party", "travel": "travel", "home": "home", "lounge": "home",
}
"""Values of a usage / occasion column (lower-cased) → occasions; ``NA`` and unknown values say nothing."""

USAGE_WORDS: dict[str, tuple[str, ...]] = {
    "formal": ("formal", "suit", "tuxedo", "oxford", "oxfords", "brogues", "blazer"),
    "sports": ("sports", "sport", "running", "training", "gym", "track", "tracksuit", "jogger", "joggers",
               "athletic", "football", "cricket", "tennis", "yoga"),
    "ethnic": ("kurta", "kurtas", "kurti", "kurtis", "saree", "sari", "lehenga", "salwar", "churidar", "dupatta",
               "patiala", "ethnic", "sherwani", "dhoti", "mojaris"),
    "party": ("party", "cocktail", "evening", "sequin", "sequined", "gown"),
}
"""Title words that name an occasion (used only when the catalog has no usage column)."""

USAGE_AFFINITY: dict[frozenset[str], float] = {
    frozenset({"casual", "smart casual"}): 0.6, frozenset({"casual", "travel"}): 0.8,
    frozenset({"casual", "sports"}): 0.3, frozenset({"casual", "party"}): 0.3, frozenset({"casual", "home"}): 0.5,
    frozenset({"casual", "ethnic"}): 0.2, frozenset({"smart casual", "formal"}): 0.6,
    frozenset({"smart casual", "party"}): 0.5, frozenset({"formal", "party"}): 0.5,
    frozenset({"smart casual", "travel"}): 0.5, frozenset({"sports", "travel"}): 0.4,
}
"""How well two different occasions go together (0..1; the same occasion is 1, a pair not listed is 0)."""

SEASON_VALUES: dict[str, str] = {
    "summer": "summer", "spring": "spring", "fall": "fall", "autumn": "fall", "winter": "winter",
    "all-season": "all-season", "all season": "all-season", "all seasons": "all-season", "all": "all-season",
}
"""Values of a season column (lower-cased) → seasons."""

SEASON_WORDS: dict[str, tuple[str, ...]] = {
    "summer": ("summer", "sandals", "sandal", "shorts", "tank", "linen", "flip", "swim"),
    "winter": ("winter", "wool", "woollen", "woolen", "puffer", "parka", "fleece", "thermal", "beanie", "knit",
               "sweater", "boots", "coat"),
}
"""Title words that name a season (used only when the catalog has no season column)."""

SEASON_AFFINITY: dict[frozenset[str], float] = {
    frozenset({"summer", "spring"}): 0.7, frozenset({"winter", "fall"}): 0.7, frozenset({"spring", "fall"}): 0.6,
    frozenset({"summer", "fall"}): 0.3, frozenset({"winter", "spring"}): 0.3,
}
"""How well two different seasons go together (same season or ``all-season``: 1; summer with winter: 0)."""

# ---------------------------------------------------------------- colour (soft)

COLOUR_FAMILIES: dict[str, tuple[str, ...]] = {
    "neutral": ("black", "white", "grey", "gray", "charcoal", "navy", "navy blue", "beige", "cream", "off white",
                "khaki", "tan", "brown", "camel", "denim", "taupe", "nude", "skin", "silver", "gold", "bronze",
                "copper", "steel", "metallic", "coffee brown", "mushroom brown", "grey melange", "ivory", "stone"),
    "red": ("red", "maroon", "burgundy", "wine", "rust", "coral", "crimson"),
    "pink": ("pink", "magenta", "fuchsia", "rose", "peach", "blush"),
    "orange": ("orange", "mustard", "amber"),
    "yellow": ("yellow", "lemon", "lime"),
    "green": ("green", "olive", "sea green", "fluorescent green", "mint", "emerald"),
    "blue": ("blue", "sky blue", "turquoise blue", "teal", "cobalt", "aqua", "turquoise", "indigo"),
    "purple": ("purple", "lavender", "mauve", "violet", "lilac", "plum"),
    "multi": ("multi", "multicolour", "multicolor", "multi-colour"),
}
"""Colour names → families; ``neutral`` goes with everything, ``multi`` counts as loud."""

COLOUR_FAMILY: dict[str, str] = {name: fam for fam, names in COLOUR_FAMILIES.items() for name in names}

FAMILY_AFFINITY: dict[frozenset[str], float] = {
    frozenset({"red", "pink"}): 0.5, frozenset({"red", "orange"}): 0.5, frozenset({"orange", "yellow"}): 0.5,
    frozenset({"yellow", "green"}): 0.4, frozenset({"green", "blue"}): 0.5, frozenset({"blue", "purple"}): 0.5,
    frozenset({"purple", "pink"}): 0.5, frozenset({"blue", "orange"}): 0.4, frozenset({"red", "green"}): 0.2,
    frozenset({"purple", "yellow"}): 0.3,
}
"""Loud families that meet (analogous hues, or the classic complementary pairs); a pair not listed is 0."""

LOUD_LIMIT = 2
"""More loud (non-neutral) colour families than this in one look is penalised once per extra family."""

# ---------------------------------------------------------------- soft weights


@dataclass(frozen=True)
class SoftWeights:
    """How much each soft rule counts against the learned score, in the units of the search (the learned score
    of a candidate is standardised over its slot's candidates: 1 = one standard deviation).

    ``source`` says where the numbers come from: ``default`` (the documented defaults) or ``fitted on ...``."""

    learned: float = 1.0
    usage: float = 1.2
    season: float = 0.6
    colour: float = 0.5
    loud: float = 0.5
    pair: float = 0.5
    """Weight of the chosen items' learned score with each other (the joint part of the outfit score)."""
    refine: float = 3.0
    doubt: float = 1.0
    """Weight of ``log`` (the chance that an item fits the wearer) when the wearer was inferred from a photo with
    some doubt: a Unisex bag fits a man and a woman alike, a women's bag only a woman."""
    source: str = "default"

    def to_dict(self) -> dict:
        """JSON shape (the compatibility model's config records the fitted weights)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, doc: Mapping | None) -> SoftWeights:
        """Weights from a config section (unknown keys ignored, missing ones default)."""
        if not doc:
            return cls()
        known = {k: doc[k] for k in cls.__dataclass_fields__ if k in doc}
        return cls(**{k: (str(v) if k == "source" else float(v)) for k, v in known.items()})


DEFAULT_WEIGHTS = SoftWeights()
"""Documented defaults, used where no outfit data carries an attribute: usage counts most (an occasion is what a
shopper notices first: a sports shoe with a formal shirt), season next, colour least (taste varies)."""

# ---------------------------------------------------------------- reading the values

_WORD = re.compile(r"[a-z]+(?:'[a-z]*)?")


def words_of(text: str | None) -> list[str]:
    """Lower-case words of a title (apostrophes kept inside words: ``women's``)."""
    return _WORD.findall((text or "").lower())


def _first(attrs: Mapping[str, str], columns: Iterable[str]) -> str | None:
    lower = {str(k).strip().lower(): v for k, v in attrs.items()}
    for c in columns:
        v = lower.get(c.lower())
        if v is not None and str(v).strip() and str(v).strip().lower() not in ("nan", "none", "na", "n/a", "null"):
            return str(v).strip()
    return None


def gender_of_value(value: str | None) -> str | None:
    """A gender column value as one of :data:`GENDERS` (None when it says nothing we know)."""
    if value is None:
        return None
    v = str(value).strip()
    return v if v in GENDERS else GENDER_VALUES.get(v.lower())


def gender_from_title(title: str | None) -> str | None:
    """Who a title says the item is for: girls/boys words first (children), then kids, then women/men (both:
    Unisex); None when it says nothing."""
    found = {g for g, ws in GENDER_WORDS.items() for w in words_of(title) if w in ws}
    if "Girls" in found and "Boys" in found:
        return "Kids"
    for g in ("Girls", "Boys", "Kids"):
        if g in found:
            return g
    if "Unisex" in found or {"Women", "Men"} <= found:
        return "Unisex"
    for g in ("Women", "Men"):
        if g in found:
            return g
    return None


def item_gender(attrs: Mapping[str, str], title: str | None) -> str | None:
    """An item's gender: its gender column, else its title words, else None (no constraint)."""
    return gender_of_value(_first(attrs, RULE_BY_NAME["wearer"].columns)) or gender_from_title(title)


def _from_words(title: str | None, table: Mapping[str, tuple[str, ...]]) -> str | None:
    ws = set(words_of(title))
    for value, words in table.items():
        if ws & set(words):
            return value
    return None


def item_usage(attrs: Mapping[str, str], title: str | None) -> str | None:
    """An item's occasion: its usage / occasion column (the demo's ``formality`` too), else title words."""
    raw = _first(attrs, RULE_BY_NAME["usage"].columns)
    if raw is not None:
        return USAGE_VALUES.get(raw.lower())
    return _from_words(title, USAGE_WORDS)


def item_season(attrs: Mapping[str, str], title: str | None) -> str | None:
    """An item's season: its season column, else title words."""
    raw = _first(attrs, RULE_BY_NAME["season"].columns)
    if raw is not None:
        return SEASON_VALUES.get(raw.lower())
    return _from_words(title, SEASON_WORDS)


def colour_name(value: str | None) -> str | None:
    """A colour value, lower-cased, when it is a colour we know (``Navy Blue`` → ``navy blue``)."""
    if value is None:
        return None
    v = " ".join(str(value).strip().lower().replace("_", " ").split())
    return v if v in COLOUR_FAMILY else None


def colour_from_title(title: str | None) -> str | None:
    """The first colour a title names (two-word names first: ``navy blue`` before ``blue``)."""
    ws = words_of(title)
    for i in range(len(ws) - 1):
        pair = f"{ws[i]} {ws[i + 1]}"
        if pair in COLOUR_FAMILY:
            return pair
    return next((w for w in ws if w in COLOUR_FAMILY), None)


def item_colour(attrs: Mapping[str, str], title: str | None) -> str | None:
    """An item's colour: its colour column when it names a known colour, else the title's first colour word."""
    raw = _first(attrs, RULE_BY_NAME["colour"].columns)
    return colour_name(raw) or colour_from_title(title)


# ---------------------------------------------------------------- the rules as functions


def fits(item_gender_value: str | None, wearer: str | None) -> bool:
    """Hard rule ``wearer``: True when an item of that gender may be worn by ``wearer`` (None: anyone)."""
    if wearer is None or item_gender_value is None:
        return True
    return wearer in FITS.get(item_gender_value, frozenset(WEARERS))


def fit_chance(wearer_probs) -> np.ndarray:
    """Per gender code (the order of :data:`GENDERS`, then one for an unknown gender, which always fits), the chance
    that an item of that gender fits a wearer inferred with these probabilities of Men, Women, Boys, Girls."""
    p = dict(zip(WEARERS, wearer_probs))
    return np.array([sum(p[w] for w in FITS[g]) for g in GENDERS] + [1.0], dtype=np.float64)


def wearers_of(item_gender_value: str | None) -> frozenset[str]:
    """Every wearer an item fits (all of them when it says nothing)."""
    if item_gender_value is None:
        return frozenset(WEARERS)
    return FITS.get(item_gender_value, frozenset(WEARERS))


def slot_fits(slot: str, wearer: str | None) -> bool:
    """Hard rule ``slot-wearer``: True when ``wearer`` wears items of ``slot``."""
    return wearer is None or slot in WEARER_SLOTS.get(wearer, frozenset(taxonomy.SLOTS))


def category_fits(category: str, wearer: str | None) -> bool:
    """Hard rule ``slot-wearer`` on a category: True when ``wearer`` wears it (no skirt for Men)."""
    return wearer is None or (slot_fits(taxonomy.slot_of(category), wearer)
                              and category not in WEARER_SKIPS.get(wearer, frozenset()))


def usage_affinity(a: str | None, b: str | None) -> float | None:
    """Soft rule ``usage``: 0..1, or None when either side is unknown (the rule then says nothing)."""
    if a is None or b is None:
        return None
    return 1.0 if a == b else USAGE_AFFINITY.get(frozenset({a, b}), 0.0)


def season_affinity(a: str | None, b: str | None) -> float | None:
    """Soft rule ``season``: 0..1, or None when either side is unknown."""
    if a is None or b is None:
        return None
    if a == b or "all-season" in (a, b):
        return 1.0
    return SEASON_AFFINITY.get(frozenset({a, b}), 0.0)


def colour_affinity(a: str | None, b: str | None) -> float | None:
    """Soft rule ``colour``: 1 when either is neutral or both share a family, the family table otherwise; None
    when either is unknown. ``multi`` goes only with neutrals."""
    if a is None or b is None:
        return None
    fa, fb = COLOUR_FAMILY.get(a), COLOUR_FAMILY.get(b)
    if fa is None or fb is None:
        return None
    if "neutral" in (fa, fb):
        return 1.0
    if "multi" in (fa, fb):
        return 0.0
    return 1.0 if fa == fb else FAMILY_AFFINITY.get(frozenset({fa, fb}), 0.0)


def loud_families(colours: Iterable[str | None]) -> int:
    """How many distinct loud (non-neutral) colour families a look holds."""
    fams = {COLOUR_FAMILY.get(c) for c in colours if c is not None}
    return len(fams - {None, "neutral"})


def is_neutral(colour: str | None) -> bool:
    """True for black, white, grey, navy, beige… (colours that go with everything)."""
    return colour is not None and COLOUR_FAMILY.get(colour) == "neutral"
