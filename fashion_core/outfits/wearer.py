"""Who wears it, from a photo: classifiers fitted at ingest on the catalog's own labelled images.

A shopper's photo has no gender column. Like the attribute heads (:mod:`fashion_core.encoders.attributes`),
ingest fits one softmax regression per rule value the catalog labels (``gender`` always when it can; ``usage``
and ``season`` when the catalog has them) on the products' visual similarity vectors joined by their category
(one-hot: a dress says more about its wearer than its pixels). For an image query the heads give the
probabilities of each item gender; the wearer is the most probable of Men, Women, Boys, Girls once Unisex and
Kids items are shared out among the wearers they fit. A look (one person's garments) sums the evidence of all
its garments, so every answer for that person is for one wearer. Saved through the index writer as plain arrays
(``sections/wearer.npz``) and the manifest's ``wearer`` section; nothing is pickled.

A few hundred labelled products make a weak gender head, so when the shipped wearer model
(:mod:`.wearer_prior`, fitted on fpi) reads this index's encoder, ingest scores both on the catalog's own labelled
products (the catalog's head cross-validated) and keeps the better one as the ``gender`` head; the section's
``gender_reads`` then says it reads the encoder's ``head`` part rather than the index's visual vector.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .. import taxonomy
from ..encoders.attributes import AttributeHead, fit_head
from ..results import Wearer
from . import rules
from . import wearer_prior as prior_mod
from .profile import ItemProfile

log = logging.getLogger(__name__)

SECTION = "wearer"
FILE = f"sections/{SECTION}.npz"
"""Where the index keeps the model's arrays (``IndexWriter.save_section_arrays``)."""
HEADS = ("gender", "usage", "season")
"""Rule values a wearer model may learn (each only when enough products are labelled)."""
MIN_LABELLED = 40
"""A head needs this many labelled products (and two classes with 3 or more each)."""
REGULARISATION_C = 0.1
"""Inverse L2 strength of the heads (fpi: gender is a coarse, well-separated label)."""
FIT_ROWS = 100_000
"""At most this many evenly spaced products fit the heads (a 1M catalog stays a short fit)."""
CHOICE_ROWS = 5_000
"""At most this many evenly spaced labelled products decide between the catalog's and the shipped gender head."""
CHOICE_FOLDS = 5
"""Folds of that comparison (the catalog's head is scored on products it was not fitted on)."""


def _features(visual: np.ndarray, categories: Sequence[str | None]) -> np.ndarray:
    return np.concatenate([np.asarray(visual, dtype=np.float32), prior_mod.category_onehot(categories)], axis=1)


@dataclass
class WearerModel:
    """Fitted heads (``gender`` and maybe ``usage``, ``season``) over visual vector + category."""

    heads: dict[str, AttributeHead]
    info: dict

    @property
    def gender_reads(self) -> str:
        """``visual`` (the index's visual vector, a head fitted on the catalog) or ``head`` (the encoder's head
        part: the shipped wearer model's gender head)."""
        return str(self.info.get("gender_reads", "visual"))

    def probs(self, visual: np.ndarray, categories: Sequence[str | None],
              head_part: np.ndarray | None = None) -> dict[str, np.ndarray]:
        """Class probabilities of every head for rows of visual vectors with their categories (``head_part``:
        the same rows' encoder head parts, needed when the gender head reads them)."""
        x = _features(np.atleast_2d(visual), categories)
        out = {}
        for name, head in self.heads.items():
            if name == "gender" and self.gender_reads == "head":
                if head_part is None:
                    raise ValueError("this index's gender head reads the encoder's head part; pass head_part")
                out[name] = head.probs(prior_mod.features(head_part, categories))
            else:
                out[name] = head.probs(x)
        return out

    def wearer_probs(self, gender_probs: np.ndarray) -> np.ndarray:
        """(n, 4) probabilities of the wearers Men, Women, Boys, Girls: each item gender's share goes to the
        wearers it fits (a Unisex item half to Men, half to Women)."""
        return np.asarray(gender_probs, dtype=np.float64) @ prior_mod.wearer_share(self.heads["gender"].classes)

    def infer(self, visual: np.ndarray, category: str | None, head_part: np.ndarray | None = None) -> ItemProfile:
        """What one image query is likely to be: its wearer, occasion and season (``sources`` say inferred)."""
        probs = self.probs(visual, [category], head_part)
        values, sources = {}, {}
        if "gender" in probs:
            w = self.wearer_probs(probs["gender"])[0]
            if category in taxonomy.CATEGORIES:
                w = w * np.array([rules.category_fits(category, x) for x in rules.WEARERS])
            w = w / max(float(w.sum()), 1e-12)
            values["gender"] = rules.WEARERS[int(w.argmax())]
            values["wearer_probs"] = tuple(round(float(x), 4) for x in w)
        for name in ("usage", "season"):
            if name in probs:
                values[name] = self.heads[name].classes[int(probs[name][0].argmax())]
        sources = {k: "inferred" for k in values if k != "wearer_probs"}
        return ItemProfile(**values, sources=sources)

    def wearer(self, visual: np.ndarray, categories: Sequence[str | None], category_rule: bool = True,
               head_part: np.ndarray | None = None) -> Wearer:
        """The one wearer of a look from all of its garments (visual rows with their categories): the wearer
        with the highest summed log probability; its confidence is that wearer's normalised probability.
        ``category_rule``: wearers who do not wear one of the look's categories are out (benchmarks turn it off
        to measure the photos' evidence alone)."""
        if "gender" not in self.heads or len(categories) == 0:
            return Wearer(None, "unknown", 0.0)
        w = self.wearer_probs(self.probs(visual, categories, head_part)["gender"])
        logp = np.log(np.clip(w, 1e-6, 1.0)).sum(axis=0)
        wears = np.array([all(rules.category_fits(c, x) for c in categories if c in taxonomy.CATEGORIES)
                          for x in rules.WEARERS])
        if category_rule and wears.any():  # the look's own garments are items of its outfit: no man's skirt
            logp = np.where(wears, logp, -np.inf)
        p = np.exp(logp - logp.max())
        p /= p.sum()
        best = int(p.argmax())
        return Wearer(rules.WEARERS[best], "inferred", float(p[best]))

    def arrays(self) -> dict[str, np.ndarray]:
        """The numbers to save."""
        out = {}
        for name, head in self.heads.items():
            out.update(head.arrays(f"{name}_"))
        return out

    def section(self) -> dict:
        """The manifest's ``wearer`` section (classes and what the heads were fitted on)."""
        return {**self.info, "file": FILE,
                "heads": [{"name": n, "classes": h.classes} for n, h in self.heads.items()]}

    @classmethod
    def from_arrays(cls, section: dict, arrays) -> WearerModel:
        """Rebuild a saved model from its manifest section and arrays."""
        heads = {h["name"]: AttributeHead.from_arrays(h["name"], h["classes"], arrays, f"{h['name']}_")
                 for h in section.get("heads", [])}
        return cls(heads, {k: v for k, v in section.items() if k not in ("heads", "file")})


def fit_wearer(visual: np.ndarray, categories: Sequence[str], profiles: Sequence[ItemProfile]) -> WearerModel | None:
    """Fit the heads on products (visual vectors, categories, rule values); None when nothing is labelled enough."""
    t0 = time.perf_counter()
    n = len(profiles)
    rows = np.linspace(0, n - 1, min(n, FIT_ROWS)).round().astype(int) if n else np.zeros(0, int)
    x = _features(np.asarray(visual)[rows], [categories[i] for i in rows])
    heads, labelled = {}, {}
    for name in HEADS:
        labels = [getattr(profiles[i], name) for i in rows]
        count = sum(v is not None for v in labels)
        if count < MIN_LABELLED:
            continue
        head = fit_head(name, x, labels, REGULARISATION_C)
        if head is not None:
            heads[name], labelled[name] = head, count
    if "gender" not in heads:
        return None
    sources = sorted({p.sources.get("gender") for p in profiles} - {None})
    info = {"features": "visual similarity vector + category one-hot", "labelled": labelled,
            "gender_from": sources, "fit_seconds": round(time.perf_counter() - t0, 2)}
    return WearerModel(heads, info)


def visual_of(vectors: np.ndarray, visual_dim: int) -> np.ndarray:
    """The visual part of similarity vectors (their first ``visual_dim`` values, renormalised): what the heads
    read, recovered from a product's or query's stored vector without re-encoding."""
    v = np.atleast_2d(np.asarray(vectors, dtype=np.float32))[:, :visual_dim]
    return v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-12)


def build_wearer(writer, visual: np.ndarray, products: Sequence, head_part: np.ndarray | None = None,
                 prior: prior_mod.WearerPrior | None = None) -> dict | None:
    """Ingest's hook: fit the wearer model on the catalog's own labelled products (gender column, else title
    words), take the shipped wearer model's gender head instead when ``prior`` (reading this index's encoder,
    given with the products' encoder ``head_part``) scores better on those products, save the arrays through the
    index ``writer`` and return the manifest's ``wearer`` section (None when the catalog says nothing about who
    wears its products)."""
    profiles = [ItemProfile.of(p.attributes, p.title) for p in products]
    categories = [p.category for p in products]
    model = fit_wearer(visual, categories, profiles)
    if model is None:
        return None
    if prior is not None and head_part is not None:
        choose_gender_head(model, prior, visual, head_part, categories, [pr.gender for pr in profiles])
    writer.save_section_arrays(SECTION, **model.arrays())
    log.info("wearer model: %s", ", ".join(f"{n} ({len(h.classes)} classes, {model.info['labelled'][n]} labelled)"
                                            for n, h in model.heads.items()))
    return model.section()


def choose_gender_head(model: WearerModel, prior: prior_mod.WearerPrior, visual: np.ndarray, head_part: np.ndarray,
                       categories: Sequence[str], genders: Sequence[str | None]) -> None:
    """Score the catalog's gender head (fitted on the other folds) and the shipped one (adapted to the catalog's
    gender mix) on the catalog's labelled products, fold by fold; keep the better one in ``model`` (ties go to the
    shipped one, fitted on far more photos) and record both scores in ``model.info``."""
    labelled = [i for i, g in enumerate(genders) if g is not None]
    rows = np.asarray(labelled)[np.linspace(0, len(labelled) - 1, min(len(labelled), CHOICE_ROWS)).round()
                                .astype(int)] if labelled else np.zeros(0, int)
    fold = np.arange(len(rows)) % CHOICE_FOLDS
    x = _features(np.asarray(visual)[rows], [categories[i] for i in rows])
    g = [genders[i] for i in rows]
    c = [categories[i] for i in rows]
    mine = theirs = n = 0.0
    for f in range(CHOICE_FOLDS):
        test, train = np.where(fold == f)[0], np.where(fold != f)[0]
        if not len(test) or not len(train):
            continue
        head = fit_head("gender", x[train], [g[i] for i in train], REGULARISATION_C)
        adapted = prior.adapted([g[i] for i in train])
        tc, tg = [c[i] for i in test], [g[i] for i in test]
        theirs += len(test) * prior_mod.wearer_accuracy(
            adapted.probs(prior_mod.features(np.asarray(head_part)[rows[test]], tc)), adapted.classes, tc, tg)
        if head is not None:
            mine += len(test) * prior_mod.wearer_accuracy(head.probs(x[test]), head.classes, tc, tg)
        n += len(test)
    if not n:
        return
    scores = {"catalog_head": round(mine / n, 4), "shipped_head": round(theirs / n, 4), "products": int(n),
              "folds": CHOICE_FOLDS}
    use = scores["shipped_head"] >= scores["catalog_head"]
    model.info["gender_choice"] = {**scores, "chosen": "shipped" if use else "catalog", "shipped_id": prior.id}
    if use:
        model.heads["gender"] = prior.adapted(genders)
        model.info["gender_reads"] = "head"
        model.info["features"] = ("gender: the shipped wearer model (encoder head part + category one-hot); "
                                  "usage, season: visual similarity vector + category one-hot")
    log.info("wearer: the %s gender head (held-out wearer accuracy on the catalog: catalog head %.3f, shipped "
             "head %.3f)", "shipped" if use else "catalog's", scores["catalog_head"], scores["shipped_head"])
