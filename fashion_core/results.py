"""The things that flow: every result type the library returns, defined once for library, CLI, app, service and
benchmarks alike.

``Detection`` (a garment in a photo), ``Look`` (everything found in one photo), ``Recommendation`` (a product
with its score and the reasons a shopper can read), ``Outfit`` (complete the look), ``GarmentAnswer`` (one
click: crop, similar items, outfit, per-stage timings), plus the inputs that travel with a query: ``Filters``
(what the shopper asked for) and ``Wearer`` (who wears the look). ``to_dict`` gives the JSON shapes of the CLI
contract (DESIGN.md); no score is ever NaN in them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover - types only
    from PIL import Image

    from .catalog import Product

Box = tuple[float, float, float, float]
Point = tuple[float, float]


def finite(value: float, default: float = 0.0) -> float:
    """``value`` as a float, or ``default`` when it is NaN or infinite (JSON has no NaN)."""
    v = float(value)
    return v if math.isfinite(v) else default


# ---------------------------------------------------------------- detection

@dataclass
class Detection:
    """A garment found in a photo: box (x0, y0, x1, y1 pixels), taxonomy category, score and overlay icon point."""

    box: Box
    category: str
    score: float
    person: int = 0
    keypoints: dict[str, Point] = field(default_factory=dict)
    icon: Point | None = None
    full_shot: bool | None = None
    front_facing: bool | None = None
    source: str = "pose"

    def __post_init__(self) -> None:
        self.box = tuple(float(v) for v in self.box)
        self.score = float(self.score)
        if self.icon is None:
            x0, y0, x1, y1 = self.box
            self.icon = ((x0 + x1) / 2.0, (y0 + y1) / 2.0)

    def to_dict(self) -> dict:
        """CLI shape: ``{"box", "category", "score", "icon"}`` plus person, view checks and source."""
        return {
            "box": [round(v, 1) for v in self.box], "category": self.category, "score": round(finite(self.score), 4),
            "icon": [round(float(v), 1) for v in self.icon], "person": self.person,
            "full_shot": self.full_shot, "front_facing": self.front_facing, "source": self.source,
        }


# ---------------------------------------------------------------- who wears it, what the shopper asked for

@dataclass(frozen=True)
class Wearer:
    """Who wears a look: ``gender`` one of Men, Women, Boys, Girls, Unisex (None: unknown), and where that came
    from (``catalog`` column, ``title`` words, ``inferred`` from the photo, or set by the ``shopper``)."""

    gender: str | None = None
    source: str = "unknown"
    confidence: float = 1.0

    @property
    def known(self) -> bool:
        """True when there is a gender to constrain the outfit with."""
        return self.gender is not None

    def to_dict(self) -> dict:
        """JSON shape: ``{"gender", "source", "confidence"}``."""
        return {"gender": self.gender, "source": self.source, "confidence": round(finite(self.confidence), 4)}


@dataclass(frozen=True)
class Filters:
    """What the shopper narrowed the answers to; the same filters apply to Similar and Complete the look.

    ``gender``: a wearer (Men, Women, Boys, Girls, Unisex) that overrides the known or inferred one;
    ``price_min`` / ``price_max``: when the catalog has prices; ``colours``: base colours to keep;
    ``slots``: outfit slots to fill (None: all that fit); ``refine``: free text ("black leather") that steers
    both lists through title words and the colour attribute."""

    gender: str | None = None
    price_min: float | None = None
    price_max: float | None = None
    colours: tuple[str, ...] = ()
    slots: tuple[str, ...] | None = None
    refine: str = ""

    def with_(self, **changes: Any) -> Filters:
        """A copy with some fields changed."""
        return replace(self, **changes)

    @property
    def empty(self) -> bool:
        """True when nothing is filtered."""
        return self == Filters()

    def to_dict(self) -> dict:
        """JSON shape (only the fields that are set)."""
        out: dict[str, Any] = {}
        for key in ("gender", "price_min", "price_max", "refine"):
            if getattr(self, key) not in (None, ""):
                out[key] = getattr(self, key)
        if self.colours:
            out["colours"] = list(self.colours)
        if self.slots is not None:
            out["slots"] = list(self.slots)
        return out


# ---------------------------------------------------------------- recommendations

@dataclass(frozen=True)
class Recommendation:
    """A recommended product with its score (higher is better) and why it was chosen.

    ``reason`` is the short machine reason ("looks similar", "goes with it"); ``reasons`` are the notes a
    shopper can read on the card ("women", "casual", "goes with navy"); ``slot`` is set for outfit items."""

    product: Product
    score: float
    reason: str
    slot: str | None = None
    reasons: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        """JSON shape of the CLI contract: ``{"product_id", "category", "score", ...}``."""
        out = {"product_id": self.product.product_id, "category": self.product.category,
               "title": self.product.title, "score": round(finite(self.score), 6), "reason": self.reason}
        if self.slot:
            out["slot"] = self.slot
        if self.reasons:
            out["reasons"] = list(self.reasons)
        return out


@dataclass
class Outfit:
    """The completed look: one best item per other slot (``outfit``) and the top-k of each slot (``by_slot``).

    ``trained`` is False when the index has no compatibility model and the answer is visual likeness;
    ``wearer`` is who the outfit was chosen for."""

    query_category: str
    outfit: list[Recommendation] = field(default_factory=list)
    by_slot: dict[str, list[Recommendation]] = field(default_factory=dict)
    trained: bool = True
    wearer: Wearer | None = None
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        """The ``complete --json`` shape: ``{"query_category", "outfit": [...], "by_slot": {...}}``."""
        out = {"query_category": self.query_category, "outfit": [r.to_dict() for r in self.outfit],
               "by_slot": {s: [r.to_dict() for r in recs] for s, recs in self.by_slot.items()},
               "compatibility_model": self.trained}
        if self.wearer is not None:
            out["wearer"] = self.wearer.to_dict()
        if self.notes:
            out["notes"] = list(self.notes)
        return out


# ---------------------------------------------------------------- shop the look

@dataclass
class LookPerson:
    """One person in a photo: their index, the box around their garments and the view checks."""

    index: int
    box: Box
    garments: int = 0
    full_shot: bool | None = None
    front_facing: bool | None = None
    wearer: Wearer | None = None
    """Who this person's garments are answered for (set by the shopper, or inferred on the first click)."""

    def to_dict(self) -> dict:
        """JSON shape."""
        out = {"index": self.index, "box": [round(float(v), 1) for v in self.box], "garments": self.garments,
               "full_shot": self.full_shot, "front_facing": self.front_facing}
        if self.wearer is not None:
            out["wearer"] = self.wearer.to_dict()
        return out


@dataclass
class Look:
    """Everything found in one photo: its people, garments (each with its overlay icon) and view checks.

    ``image`` is the upright RGB photo the boxes refer to (kept so a click can be cropped without reloading);
    ``wearer`` is who the look is inferred to be for (None until known)."""

    image: Image.Image
    detections: list[Detection] = field(default_factory=list)
    people: list[LookPerson] = field(default_factory=list)
    photo_id: str = ""
    wearer: Wearer | None = None
    timings: dict[str, float] = field(default_factory=dict)
    encoded: dict[tuple, dict] = field(default_factory=dict, repr=False, compare=False)
    """Encoder parts of garment crops already encoded, by (encoder weights id, box): each garment of a look is
    encoded once, whether a tap, the wearer of its person or ``Recommender.prepare`` asked first."""

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) of the photo in pixels."""
        return self.image.size

    @property
    def icons(self) -> list[Point]:
        """Overlay icon points, one per detection, in the photo's pixels."""
        return [d.icon for d in self.detections]

    @property
    def full_shot(self) -> bool | None:
        """True when some person is seen from head to feet (None when nobody is in the photo)."""
        flags = [d.full_shot for d in self.detections if d.full_shot is not None]
        return any(flags) if flags else None

    @property
    def front_facing(self) -> bool | None:
        """True when some person faces the camera (None when nobody is in the photo)."""
        flags = [d.front_facing for d in self.detections if d.front_facing is not None]
        return any(flags) if flags else None

    def to_dict(self) -> dict:
        """JSON shape of ``detect --json``: ``{"detections": [...], "size", "people", ...}``."""
        out = {"size": list(self.size), "people": [p.to_dict() for p in self.people],
               "detections": [d.to_dict() for d in self.detections],
               "full_shot": self.full_shot, "front_facing": self.front_facing}
        if self.wearer is not None:
            out["wearer"] = self.wearer.to_dict()
        return out


@dataclass
class GarmentAnswer:
    """The answer to one garment click: the crop, its category, similar items, the outfit, shopper notes and
    how long each stage took (seconds: ``crop``, ``encode``, ``similar``, ``complete``, ``total``)."""

    garment: int
    detection: Detection
    crop: Image.Image
    category: str
    similar: list[Recommendation] = field(default_factory=list)
    outfit: Outfit | None = None
    notes: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def seconds(self) -> float:
        """Total time of this answer."""
        return float(self.timings.get("total", 0.0))

    def to_dict(self) -> dict:
        """JSON shape of one garment in ``look --json``."""
        return {"garment": self.garment, "detection": self.detection.to_dict(), "category": self.category,
                "similar": [r.to_dict() for r in self.similar],
                "outfit": self.outfit.to_dict() if self.outfit is not None else None,
                "notes": list(self.notes),
                "timings_ms": {k: round(finite(v) * 1000, 2) for k, v in self.timings.items()}}


@dataclass
class RebuildResult:
    """What a rebuild function reports for the model card."""

    data: list[str]
    """Keys of :data:`fashion_core.shipped.DATA_SOURCES` the model was fitted on."""
    scores: dict[str, object] = field(default_factory=dict)
    """Held-out scores (never on data the model was fitted on)."""
    split: str = ""
    """How the held-out scores were split."""
    recipe: str = ""
    """What was trained, in a sentence or two."""
    notes: list[str] = field(default_factory=list)
