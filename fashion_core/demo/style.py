"""The demo world's style rules: when a set of products is a good outfit.

An outfit is **compatible** when it breaks none of these rules (each is a pure check on the items):

1. ``structure`` — at most one item per slot; either a top *and* a bottom, or a dress (a one-piece is never
   worn with a top or a bottom); always shoes.
2. ``formality`` — formality levels (0 casual, 1 smart, 2 formal) of all items span at most one step:
   casual and formal pieces never meet.
3. ``season`` — no summer-only item (sandals, shorts, tank top, sun hat…) together with a winter-only item
   (coat, puffer, sweater, boots, beanie, wool scarf…). All-season items go with either.
4. ``colour`` — neutrals (black, white, grey, charcoal, navy, beige, camel, brown, cream, khaki, denim) go
   with everything; at most two distinct non-neutral colours, and any two must be analogous (hues within
   45°) or complementary (hues 150° or more apart).
5. ``pattern`` — at most one patterned (non-solid) item: one statement piece per outfit.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations

from ..taxonomy import CATEGORY_TO_SLOT
from .palette import COLOUR_BY_NAME, hue_distance
from .products import DemoProduct

RULES: tuple[str, ...] = ("structure", "formality", "season", "colour", "pattern")


def colours_harmonise(names: Sequence[str]) -> bool:
    """Rule 4 on a list of colour names: at most two hues, pairwise analogous or complementary."""
    hues = {COLOUR_BY_NAME[n].hue for n in names} - {None}
    if len(hues) > 2:
        return False
    return all(d <= 45 or d >= 150 for d in (hue_distance(a, b) for a, b in combinations(hues, 2)))


def partial_violations(items: Sequence[DemoProduct]) -> list[str]:
    """Rules broken by ``items`` that adding more items can never repair (all but the completeness of rule 1)."""
    slots: set[str] = set()
    structure = False
    lo, hi, patterned = 9, -1, 0
    seasons: set[str] = set()
    colours: list[str] = []
    for p in items:
        slot = CATEGORY_TO_SLOT[p.category]
        structure = structure or slot in slots
        slots.add(slot)
        lo, hi = min(lo, p.formality), max(hi, p.formality)
        seasons.add(p.season)
        colours.append(p.colour)
        patterned += p.pattern != "solid"
    broken = []
    if structure or ("one-piece" in slots and ("top" in slots or "bottom" in slots)):
        broken.append("structure")
    if hi - lo > 1:
        broken.append("formality")
    if "summer" in seasons and "winter" in seasons:
        broken.append("season")
    if not colours_harmonise(colours):
        broken.append("colour")
    if patterned > 1:
        broken.append("pattern")
    return broken


def violations(items: Sequence[DemoProduct]) -> list[str]:
    """Names of the rules a complete outfit breaks (empty when it is compatible)."""
    broken = partial_violations(items)
    slots = {CATEGORY_TO_SLOT[p.category] for p in items}
    complete = "shoes" in slots and ("one-piece" in slots or {"top", "bottom"} <= slots)
    if not complete and "structure" not in broken:
        broken.insert(0, "structure")
    return broken


def is_compatible(items: Sequence[DemoProduct]) -> bool:
    """True when the outfit breaks none of the style rules."""
    return not violations(items)
