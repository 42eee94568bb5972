"""The Recommender facade, the one home of the product's main path: shop the look, answer a click, similar items
and complete the look, over one loaded index.

``shop_the_look(image) -> Look`` finds the garments (and their overlay icons); ``answer(look, garment) ->
GarmentAnswer`` crops the clicked garment, encodes it **once** and answers both Similar and Complete the look
from that one encoding. ``similar_items`` / ``complete_the_look`` answer a product id or an image. Models and
the index load once per process; every method is read-only, so app sessions and service workers share one
instance. Image queries without a category take it from the shopper-photo category model when one is
configured, else from a similarity-weighted vote of their nearest catalog neighbours (street-to-shop).
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

from .ann import exact_search
from .catalog import Catalog, Product
from .category_model import CategoryModel
from .config import Settings
from .encoders import create_encoder
from .encoders.descriptor import extract_parts
from .index import LoadedIndex, load_index
from .outfits import rules
from .outfits.filters import filter_mask, refine_label
from .outfits.profile import CatalogProfile, ItemProfile
from .outfits.search import SearchQuery, rule_reasons
from .outfits.wearer import WearerModel, visual_of
from .results import Detection, Filters, GarmentAnswer, Look, LookPerson, Outfit, Recommendation, Wearer

log = logging.getLogger(__name__)

VOTE_NEIGHBOURS = 10
"""Neighbours across all categories (by raw encoder feature) that vote for an image query's category."""

SIMILAR_FETCH = 8
"""Similar items fetch this many times ``k`` neighbours before the wearer rule and the filters (more when too few
pass)."""

MIN_FIT_CHANCE = 0.5
"""When the wearer was inferred from a photo, Similar keeps the items more likely than not (above this) to fit
them (a Unisex shoe fits a man and a woman alike), ranked by similarity times that chance
(:meth:`Recommender.similar_for`)."""
RERANK_POOL = 3
"""... from this many times ``k`` nearest items."""

SAME_PICTURE = 0.98
"""Raw-feature similarity above which a query image is taken as a catalog product's own picture."""


@dataclass(frozen=True)
class ItemQuery:
    """One item, encoded once: its similarity vector, raw encoder feature, category, and what is known of it.

    Built by :meth:`Recommender.product_query` (a catalog product: read from the index, nothing encoded) or
    :meth:`Recommender.image_query` (a photo or crop: one encoder pass)."""

    vector: np.ndarray
    feature: np.ndarray
    category: str
    exclude_rows: frozenset[int] = frozenset()
    product: Product | None = None
    attributes: dict[str, str] = field(default_factory=dict)
    """What is known of the query: a product's catalog columns, or what the caller says of an image (``gender``,
    ``usage``...)."""
    inferred: ItemProfile | None = None
    """What the index's wearer model infers from an image query (wearer, occasion, season)."""
    wearer: Wearer | None = None
    """Who wears it when known from elsewhere (the look it was clicked in, or the shopper)."""

    @property
    def title(self) -> str | None:
        """The product's title (None for an image query)."""
        return self.product.title if self.product is not None else None

    @property
    def label(self) -> str:
        """What the query was, for JSON answers: the product id, or ``image``."""
        return self.product.product_id if self.product is not None else "image"


class Recommender:
    """Similar and complementary products for a photo, a garment, a product id or an image, from one index."""

    def __init__(self, index_dir: str | Path | None = None, *, settings: Settings | None = None, encoder=None,
                 detector=None, category_model: CategoryModel | Path | str | None = None, rules: bool = True):
        """Load the index at ``index_dir`` (default ``settings.index_dir``). The encoder is the one the index was
        built with unless given; ``category_model`` defaults to ``settings.category_model``. ``rules=False``
        answers without the outfit rules (benchmarks compare both)."""
        self.settings = settings or Settings.resolve()
        self.index_dir = Path(index_dir or self.settings.index_dir)
        if isinstance(encoder, str):
            encoder = create_encoder(encoder)
        self.index: LoadedIndex = load_index(self.index_dir, encoder)
        self.manifest = self.index.manifest
        self.encoder = encoder or create_encoder(self.manifest.encoder.name)
        self.index.check_encoder(self.encoder)  # the weights must match too
        self.catalog: Catalog = self.index.catalog
        self._detector = detector
        self._complement = None
        self._profile: CatalogProfile | None = None
        self._wearer_model: WearerModel | None | bool = False
        self.rules = rules
        self._lock = threading.Lock()
        self.category_model: CategoryModel | None = self._category_model(category_model, settings is not None)

    def _category_model(self, given: CategoryModel | Path | str | None, from_settings: bool) -> CategoryModel | None:
        """The category model for image queries: the one given (it must fit the index's encoder), else the
        settings' one, set aside with a warning when it was fitted on another encoder than this index's."""
        model = given
        if model is None and from_settings:
            model = self.settings.category_model
        if isinstance(model, (str, Path)):
            model = CategoryModel.load(model)
        if model is None:
            return None
        try:
            model.check_encoder(self.encoder)
        except ValueError as exc:
            if given is not None:
                raise
            log.warning("%s: %s; answering image queries without a category model", self.index_dir, exc)
            return None
        return model

    @classmethod
    def open(cls, settings: Settings) -> Recommender:
        """The recommender the settings describe: their index, their category model (the one way to build one)."""
        return cls(settings.index_dir, settings=settings)

    # ------------------------------------------------------------------ shop the look
    @property
    def detector(self):
        """The garment detector (``detection.choose_detector``: from the settings), created on first use."""
        if self._detector is None:
            with self._lock:
                if self._detector is None:
                    from .detection import choose_detector

                    self._detector = choose_detector(self.settings, encoder=self.encoder,
                                                     category_model=self.category_model)
        return self._detector

    def detect(self, image: Image.Image) -> list[Detection]:
        """Garments in a photo, boxes in its pixels."""
        return self.detector.detect(image)

    def shop_the_look(self, image: Image.Image) -> Look:
        """Every garment in a photo, with its overlay icon: what the shopper clicks on."""
        start = time.perf_counter()
        detections = self.detect(image)
        took = time.perf_counter() - start
        return Look(image=image, detections=detections, people=people_of(detections), photo_id=photo_id(image),
                    timings={"detect": took})

    def answer(self, look: Look, garment: int, filters: Filters | None = None, k_similar: int = 10,
               k_outfit: int = 5) -> GarmentAnswer:
        """Similar items and the rest of the outfit for garment ``garment`` of ``look``; its crop is encoded once."""
        if not 0 <= garment < len(look.detections):
            raise IndexError(f"garment {garment} is not in this look ({len(look.detections)} garments)")
        filters = filters or Filters()
        t0 = time.perf_counter()
        detection = look.detections[garment]
        crop = self.crop(look.image, detection)
        t1 = time.perf_counter()
        wearer_needed = filters.gender is None and self.rules
        parts = self.garment_parts(look, [garment])[garment]  # the wearer below reuses it
        query = self.parts_query(parts, detection.category, image=crop)
        if wearer_needed:
            query = replace(query, wearer=self.look_wearer(look, detection.person))
        t2 = time.perf_counter()
        answer = GarmentAnswer(garment=garment, detection=detection, crop=crop, category=detection.category)
        if detection.category in self.index.categories:
            answer.similar = self.similar_for(query, k_similar, filters)
        else:
            answer.notes.append(f"This catalog has no {detection.category} items, so there is nothing similar to "
                                "show. Complete the look still works with the other garments.")
        t3 = time.perf_counter()
        answer.outfit = self.complete_for(query, k_outfit, filters)
        t4 = time.perf_counter()
        answer.timings = {"crop": t1 - t0, "encode": t2 - t1, "similar": t3 - t2, "complete": t4 - t3,
                          "total": t4 - t0}
        return answer

    def look_wearer(self, look: Look, person: int = 0) -> Wearer:
        """Who wears the garments of one person of a look: set by the shopper (``look.wearer``), else inferred
        once from all of that person's garments by the index's wearer model (kept on the look, so every garment
        of the person is answered for the same wearer)."""
        people = {p.index: p for p in look.people}
        known = people[person].wearer if person in people else None
        if known is None and look.wearer is not None and (look.wearer.source == "shopper" or len(people) <= 1):
            known = look.wearer
        if known is not None:
            return known
        model = self.wearer_model
        garments = self._person_garments(look, person)
        if model is None or not garments:
            wearer = Wearer(None, "unknown", 0.0)
        else:
            encoded = self.garment_parts(look, garments)
            parts = {k: np.concatenate([encoded[g][k] for g in garments]) for k in encoded[garments[0]]}
            wearer = model.wearer(self.index.descriptor.visual(parts), [look.detections[g].category for g in garments],
                                  head_part=parts["head"])
        if person in people:
            people[person].wearer = wearer
        if look.wearer is None and (not look.people or person == look.people[0].index):
            look.wearer = wearer
        return wearer

    @staticmethod
    def _person_garments(look: Look, person: int) -> list[int]:
        """Indices of the garments one person of a look wears (every garment when none is that person's)."""
        mine = [i for i, d in enumerate(look.detections) if d.person == person]
        return mine or list(range(len(look.detections)))

    def garment_parts(self, look: Look, garments: list[int]) -> dict[int, dict[str, np.ndarray]]:
        """Encoder parts (batches of one row) of some garments of a look; those not encoded yet are encoded and
        kept on the look, so no garment is ever encoded twice. One crop per pass: a garment's vector is the same
        whichever garment was tapped first (batched convolutions may round differently)."""
        out = {}
        for g in garments:
            detection = look.detections[g]
            key = (self.encoder.weights_id, tuple(float(v) for v in detection.box))  # what the crop depends on
            if key not in look.encoded:
                look.encoded[key] = extract_parts(self.encoder, [self.crop(look.image, detection)])
            out[g] = look.encoded[key]
        return out

    def prepare(self, look: Look) -> float:
        """Encode every garment of a look and infer each person's wearer now (seconds taken), so that a tap
        afterwards only searches: the app calls it once the icons are drawn, while the shopper picks a garment."""
        start = time.perf_counter()
        if look.detections:
            self.garment_parts(look, list(range(len(look.detections))))
            if self.rules:
                for person in sorted({d.person for d in look.detections}):
                    self.look_wearer(look, person)
        took = time.perf_counter() - start
        look.timings["prepare"] = took
        return took

    def crop(self, image: Image.Image, detection: Detection) -> Image.Image:
        """The part of ``image`` a detection covers (padded a little)."""
        from .detection.crops import crop

        return crop(image, detection)

    # ------------------------------------------------------------------ queries
    def product_query(self, product_id: str, category: str | None = None) -> ItemQuery:
        """A catalog product as a query (its vectors come from the index: nothing is encoded)."""
        row = self.index.row(product_id)
        product = self.index.products[row]
        return ItemQuery(np.asarray(self.index.vectors[row]), np.asarray(self.index.features[row]),
                         category or product.category, frozenset({row}), product, dict(product.attributes))

    def image_query(self, image: Image.Image, category: str | None = None,
                    attributes: dict[str, str] | None = None) -> ItemQuery:
        """A photo or crop as a query: one encoder pass (plus its mirror image when a category model names the
        category)."""
        return self.parts_query(extract_parts(self.encoder, [image]), category, attributes, image)

    def parts_query(self, parts: dict[str, np.ndarray], category: str | None = None,
                    attributes: dict[str, str] | None = None, image: Image.Image | None = None) -> ItemQuery:
        """An image query from its encoder parts (one row of ``extract_parts``, e.g. from a batch encoded once);
        ``attributes`` say what is known of it (``gender``, ``usage``...), the rest is inferred."""
        vector = self.index.descriptor.transform(parts)[0]
        if category is None:
            category = self.image_category(parts, image)
        inferred = None
        if self.wearer_model is not None:
            inferred = self.wearer_model.infer(visual_of(vector, self.index.descriptor.visual_dim), category,
                                               parts["head"][:1])
        return ItemQuery(vector, parts["head"][0], category, attributes=dict(attributes or {}), inferred=inferred)

    def query(self, product_id: str | None = None, image: Image.Image | None = None,
              category: str | None = None) -> ItemQuery:
        """A query from exactly one of ``product_id`` or ``image``."""
        if (product_id is None) == (image is None):
            raise ValueError("give exactly one of product_id or image")
        if product_id is not None:
            return self.product_query(product_id, category)
        return self.image_query(image, category)

    def image_vector(self, image: Image.Image) -> tuple[np.ndarray, np.ndarray]:
        """(similarity vector, raw encoder feature) of one query image."""
        parts = extract_parts(self.encoder, [image])
        return self.index.descriptor.transform(parts)[0], parts["head"][0]

    def image_category(self, parts: dict[str, np.ndarray], image: Image.Image | None = None) -> str:
        """The category of a query image (its encoder ``parts``): the category model's, among the indexed
        categories, when one is loaded (from the image and its mirror image when ``image`` is given), unless the
        image is one of the catalog's own pictures; else the nearest products' vote (:meth:`infer_category`)."""
        if self.category_model is not None:
            rows, sims = exact_search(self.index.features, parts["head"][0], 1)
            if len(rows[0]) and float(sims[0][0]) >= SAME_PICTURE:  # a catalog picture: its product's category
                return self.index.products[int(rows[0][0])].category
            views = [parts] if image is None else [parts, extract_parts(self.encoder, [ImageOps.mirror(image)])]
            return self.category_model.predict(views, allowed=list(self.index.categories))[0]
        return self.infer_category(parts["head"][0])

    def infer_category(self, feature: np.ndarray, k: int = VOTE_NEIGHBOURS) -> str:
        """The category most of the nearest catalog products (similarity-weighted) belong to, by the raw encoder
        feature (more about what the thing is, less about its colour, than the similarity vector).
        Exact search over the index's features: fine to a few 100k products."""
        votes: dict[str, float] = defaultdict(float)
        rows, sims = exact_search(self.index.features, feature, k)
        for row, sim in zip(rows[0], sims[0]):
            votes[self.index.products[int(row)].category] += max(float(sim), 0.0) + 1e-6
        return max(sorted(votes), key=lambda c: votes[c])

    # ------------------------------------------------------------------ answers
    def similar_items(self, product_id: str | None = None, image: Image.Image | None = None,
                      category: str | None = None, k: int = 10, filters: Filters | None = None
                      ) -> list[Recommendation]:
        """Up to ``k`` products of the same category that look most alike; never the query product."""
        if k <= 0:
            raise ValueError(f"k must be a positive number of results, got {k}")
        return self.similar_for(self.query(product_id, image, category), k, filters)

    def similar_for(self, query: ItemQuery, k: int = 10, filters: Filters | None = None) -> list[Recommendation]:
        """Similar items for an already encoded query: the same category, items that fit the query's wearer (the
        outfit rules' hard rule), the shopper's filters, and items matching a refine text first."""
        if k <= 0:
            raise ValueError(f"k must be a positive number of results, got {k}")
        filters = filters or Filters()
        profile, wearer = self.query_profile(query), self.wearer_for(query, filters)
        base, _ = filter_mask(self.profile, filters)
        mask, relaxable, wearers = base, False, frozenset()
        fit_chance = None
        if self.rules and self.profile.genders_known():
            wearers, relaxable = self.similar_wearers(profile, wearer)
            fit = np.zeros(len(self.index), dtype=bool)
            if relaxable and profile.wearer_probs is not None:  # a guess: items more likely than not to fit
                fit_chance = rules.fit_chance(profile.wearer_probs)
                for w, pw in zip(rules.WEARERS, profile.wearer_probs):
                    if pw > 0:
                        fit |= self.profile.fit_mask(w)
                fit &= fit_chance[self.profile.gender] > MIN_FIT_CHANCE
            else:
                for w in wearers:
                    fit |= self.profile.fit_mask(w)
            mask = fit if mask is None else mask & fit
        refine = self.complement.search.refiner.scores(filters.refine) if filters.refine.strip() else None
        if fit_chance is None:
            hits = self._similar_hits(query, k, mask, refine)
        else:  # a guessed wearer: similarity times the chance that the item fits (a Unisex shoe fits either guess)
            hits = self._similar_hits(query, k * RERANK_POOL, mask, refine)
            chance = fit_chance[self.profile.gender[[r for r, _ in hits]]] if hits else np.zeros(0)
            order = sorted(range(len(hits)), key=lambda i: (-(refine is not None and refine[hits[i][0]] > 0),
                                                            -hits[i][1] * chance[i], hits[i][0]))
            hits = [hits[i] for i in order][:k]
        if relaxable and (not hits if fit_chance is not None else len(hits) < k):
            # a guessed wearer never empties the answer: fill up with the rest (with the wearer's probabilities,
            # every plausible wearer's items are in already; the rest only when none is)
            seen = {r for r, _ in hits}
            hits += [h for h in self._similar_hits(query, k, base, refine) if h[0] not in seen][: k - len(hits)]
            wearers = frozenset()
        label = next(iter(wearers)) if self.rules and len(wearers) == 1 else None
        out = []
        for r, s in hits[:k]:
            reasons = rule_reasons(self.profile.item(r), profile, label) if self.rules else []
            reasons = [x for x in reasons if not x.startswith("goes with")]
            if refine is not None and refine[r] > 0:
                reasons.append(refine_label(filters.refine))
            out.append(Recommendation(self.index.products[r], s, f"looks similar ({query.category})",
                                      reasons=tuple(reasons + [f"similarity {s:.2f}"])))
        return out

    def similar_wearers(self, profile: ItemProfile, wearer: Wearer) -> tuple[frozenset[str], bool]:
        """The wearers Similar keeps items for, and whether that set is a guess: a known wearer (shopper,
        catalog, title) is a hard rule; the most likely wearer inferred from a photo comes first, and a guess is
        filled up with the other wearers' items rather than leave too few answers."""
        if wearer.known and wearer.source != "inferred":
            return rules.wearers_of(wearer.gender), False
        return rules.wearers_of(profile.gender), profile.sources.get("gender") == "inferred"

    def _similar_hits(self, query: ItemQuery, k: int, mask: np.ndarray | None,
                      refine: np.ndarray | None) -> list[tuple[int, float]]:
        """Up to ``k`` (row, similarity) of the query's category within ``mask``, refine matches first; fetches
        more neighbours until enough pass or the category is exhausted."""
        size = self.manifest.by_category.get(query.category, len(self.index))
        fetch = k if mask is None and refine is None else min(size, max(k * SIMILAR_FETCH, 50))
        while True:
            hits = self.index.search(query.vector, fetch, category=query.category, exclude_rows=query.exclude_rows)
            if mask is not None:
                hits = [(r, s) for r, s in hits if mask[r]]
            if refine is not None and any(refine[r] > 0 for r, _ in hits):
                hits = sorted([h for h in hits if refine[h[0]] > 0], key=lambda h: (-refine[h[0]], -h[1], h[0]))
            if len(hits) >= k or fetch >= size:
                return hits[:k]
            fetch = min(size, fetch * 4)

    def complete_the_look(self, product_id: str | None = None, image: Image.Image | None = None,
                          category: str | None = None, k: int = 5, filters: Filters | None = None) -> Outfit:
        """An outfit around the query: the best item for every other slot that fits, and alternatives per slot."""
        if k < 1:
            raise ValueError(f"k must be at least 1, got {k}")
        return self.complete_for(self.query(product_id, image, category), k, filters)

    def complete_for(self, query: ItemQuery, k: int = 5, filters: Filters | None = None) -> Outfit:
        """Complete the look for an already encoded query: the outfit chosen jointly under the outfit rules for
        the query's wearer, with the shopper's filters (:mod:`fashion_core.outfits.search`)."""
        if k < 1:
            raise ValueError(f"k must be at least 1, got {k}")
        filters = filters or Filters()
        complement = self.complement
        vector = complement.embed_query(query.feature, query.title)
        search = SearchQuery(vector, query.category, self.query_profile(query), query.exclude_rows,
                             self.wearer_for(query, filters))
        return complement.search.complete(search, k, filters, use_rules=self.rules)

    # ------------------------------------------------------------------ who wears it, what is known
    def query_profile(self, query: ItemQuery) -> ItemProfile:
        """What the rules know of a query: a product's row of the catalog profile; an image query's given
        attributes, then what the wearer model inferred."""
        if query.product is not None and query.product.product_id in self.index.row_of:
            base = self.profile.item(self.index.row(query.product.product_id))
            given = ItemProfile.of(query.attributes, query.title)
            base = given.merged(base) if query.attributes else base
        else:
            base = ItemProfile.of(query.attributes, query.title, source="given")
        return base.merged(query.inferred) if query.inferred is not None else base

    def wearer_for(self, query: ItemQuery, filters: Filters | None = None) -> Wearer:
        """Who the answers are for: the shopper's choice (``filters.gender``), else the look's wearer, else the
        query's own gender (catalog column, given attribute or title), else the wearer model's inference."""
        if filters is not None and filters.gender:
            gender = rules.gender_of_value(filters.gender)
            if gender is None:
                raise ValueError(f"unknown gender {filters.gender!r}; expected one of {', '.join(rules.GENDERS)}")
            return Wearer(gender, "shopper", 1.0)
        if query.wearer is not None and query.wearer.known:
            return query.wearer
        profile = self.query_profile(query)
        if profile.gender is not None:
            return Wearer(profile.gender, profile.sources.get("gender", "catalog"), 1.0)
        return Wearer(None, "unknown", 0.0)

    @property
    def profile(self) -> CatalogProfile:
        """What the outfit rules know of every indexed product (read once)."""
        if self._profile is None:
            with self._lock:
                if self._profile is None:
                    self._profile = CatalogProfile.of_products(self.index.products)
        return self._profile

    @property
    def wearer_model(self) -> WearerModel | None:
        """The index's wearer model (fitted at ingest on the catalog's labelled images, its gender head maybe the
        shipped one's), or None."""
        if self._wearer_model is False:
            section = self.manifest.wearer
            self._wearer_model = None
            if section and section.get("file"):
                arrays = self.index.section_arrays("wearer")
                if arrays:
                    self._wearer_model = WearerModel.from_arrays(section, arrays)
        return self._wearer_model

    @property
    def complement(self):
        """The complete-the-look index (``compat.retrieval.ComplementIndex``), loaded on first use."""
        if self._complement is None:
            with self._lock:
                if self._complement is None:
                    from .compat.retrieval import ComplementIndex

                    self._complement = ComplementIndex.from_index(self.index, self._profile_unlocked())
        return self._complement

    def _profile_unlocked(self) -> CatalogProfile:
        if self._profile is None:
            self._profile = CatalogProfile.of_products(self.index.products)
        return self._profile

    @property
    def has_compat_model(self) -> bool:
        """False when complete the look falls back to visual likeness (the index has no compatibility model)."""
        return self.manifest.compat is not None


def photo_id(image: Image.Image) -> str:
    """Short stable id of a photo's pixels (keys per-photo state and caches)."""
    h = hashlib.sha1(f"{image.mode}{image.size}".encode())
    h.update(image.tobytes())
    return h.hexdigest()[:16]


def people_of(detections: list[Detection]) -> list[LookPerson]:
    """One summary per person the garments belong to: index, the box around their garments, view checks."""
    people: dict[int, LookPerson] = {}
    for d in detections:
        if d.person < 0:
            continue
        p = people.setdefault(d.person, LookPerson(d.person, d.box, 0, d.full_shot, d.front_facing))
        b = p.box
        p.box = (min(b[0], d.box[0]), min(b[1], d.box[1]), max(b[2], d.box[2]), max(b[3], d.box[3]))
        p.garments += 1
    return [people[i] for i in sorted(people)]
