"""The offline default detector: MediaPipe pose + person mask → garment regions → categories (+ crop evidence).

Per person, :mod:`.garments` proposes scored hypotheses per body region (upper, outer, lower, each foot).
With evidence on, every distinct upper / outer / lower box is cropped and classified, by EfficientNet-Lite0's
ImageNet classes mapped through the taxonomy or, when given, by a category model fitted on garment crops
(``fashion_core.category_model``); each hypothesis score mixes geometry with the probability of its category
among those competing for that garment. Boxes then get the category's edge adjustment
(``garments.BOX_ADJUST``). ``alternatives=False`` (the app, the CLI) keeps the best hypothesis of
each region above ``min_score`` and drops the lower garment under a dress; ``alternatives=True`` keeps every
hypothesis with its score, as a benchmark's ranked detection list wants.
With a garment parser (:mod:`.parser`, ``parser=``), each person's garments come from the parser's pixel
labels instead of the rule regions (boxes as the labels fall, no edge adjustment, all 12 categories); the
evidence is then used only for photos without a person.
With a YOLO detector (``yolo=``, the ``pose-yolo`` detector), the garments are YOLO's boxes on the whole photo,
each given to the person whose extent holds most of it (:data:`MIN_PERSON_SHARE`; else ``person = -1``), so the
wearer is still read per person and bottoms still get the knee-to-hip icon.
With both a parser and YOLO (the ``pose-ensemble`` detector), the parser's ranked garments per person and YOLO's
boxes are fused into one list (:mod:`.fusion`, weighted boxes fusion); a fused box belongs to the person of its
parser member, else to the person whose extent holds it. Served lists keep the fused boxes above ``min_score``
and, per person, the best of two overlapping garments that are worn one at a time (:data:`EXCLUSIVE`).
With no person in the photo, a photo of one garment (a flat lay, a packshot) gives one detection of the
whole object when ImageNet sees a garment category in it (``person = -1``).
"""

from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import numpy as np
from PIL import Image

from .. import taxonomy
from .evidence import CategoryModelEvidence, ImageNetEvidence
from .fusion import FusedBox, box_iou, fuse_boxes
from .garments import adjust_box, propose
from .icons import icon_position
from .parser import GarmentParser, ParserError, parse_person
from .people import PoseEstimator
from .regions import Hypothesis
from .rescoring import BoxRescorer, RankedBox
from .types import Detection, Person
from .views import is_front_facing, is_full_shot

log = logging.getLogger(__name__)

WORK_SIDE = (480, 1024)
"""The long side of the image the models see is brought into this range (small catalog photos are upscaled)."""

EVIDENCE_REGIONS = ("upper", "outer", "lower")
EVIDENCE_WEIGHT = 0.35
"""Share of a hypothesis score that ImageNet evidence decides (the rest is geometry)."""
MODEL_EVIDENCE_WEIGHT = 0.6
"""Share a category model's evidence decides (it is trained on garment crops: trusted more)."""
KEYPOINTS_KEPT = ("nose", "left_eye", "right_eye", "left_shoulder", "right_shoulder", "left_hip", "right_hip",
                  "left_knee", "right_knee", "left_ankle", "right_ankle", "left_heel", "right_heel",
                  "left_foot_index", "right_foot_index")


class PoseGuidedDetector:
    """Garments from body pose and person mask: a garment parser's pixel labels when given, else rule regions
    (colour geometry) with optional ImageNet / category-model evidence; see the module doc."""

    name = "pose"

    def __init__(self, evidence: bool = True, alternatives: bool = False, min_score: float = 0.3,
                 model_complexity: int = 1, encoder=None, category_model=None,
                 evidence_weight: float | None = None, parser: GarmentParser | str | None = None,
                 yolo=None, rescorer: BoxRescorer | None = None, alone_min_score: float | None = None) -> None:
        """``rescorer`` re-reads the fused boxes' scores with their context (``detection/rescoring.py``; the
        ensemble only), and then ``min_score`` applies to its probabilities; ``alone_min_score`` is the score from
        which the ensemble serves YOLO's boxes on a photo where pose finds nobody (default twice ``min_score``)."""
        self.estimator = PoseEstimator(model_complexity=model_complexity)
        self.yolo = yolo
        self.rescorer = rescorer
        self.alone_min_score = 2 * min_score if alone_min_score is None else alone_min_score
        self.parser = GarmentParser.load(parser) if isinstance(parser, (str, Path)) else parser
        if yolo is not None:
            self.name = "pose-yolo" if self.parser is None else "pose-ensemble"
        self._fuse = yolo is not None and self.parser is not None
        # the ensemble runs YOLO on a second thread while pose and the parser run on this one (torch and
        # MediaPipe release the GIL): the answer is the same, and it comes about as fast as the parser's alone
        self._yolo_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="yolo") if self._fuse else None
        self._encoder = None  # the parser's encoder: the given one when the parser was fitted on it
        if self.parser is not None and encoder is not None:
            try:
                self.parser.check_encoder(encoder)
                self._encoder = encoder
            except ParserError:
                log.info("the garment parser was fitted on another encoder than the one given: it loads its own")
        if evidence and category_model is not None:
            self.evidence = CategoryModelEvidence(category_model, encoder)
        else:
            self.evidence = ImageNetEvidence(encoder) if evidence else None
        self.evidence_weight = evidence_weight if evidence_weight is not None else \
            MODEL_EVIDENCE_WEIGHT if isinstance(self.evidence, CategoryModelEvidence) else EVIDENCE_WEIGHT
        self.alternatives = alternatives
        self.min_score = min_score

    def detect(self, image: Image.Image) -> list[Detection]:
        """Garments on every person in ``image``; boxes, icons and keypoints in ``image``'s own pixels."""
        image = image.convert("RGB")
        scale = work_scale(image.size)
        work = image if scale == 1.0 else image.resize(
            (max(1, round(image.width * scale)), max(1, round(image.height * scale))), Image.BILINEAR)
        rgb = np.asarray(work)
        boxes = self._yolo_pool.submit(self.yolo.detect, image) if self._fuse else None
        people = self.estimator.people(rgb)
        if boxes is not None and people:
            return self._fused_garments(boxes, rgb, people, scale)
        if boxes is not None:
            return self._nobody_found(image, rgb.shape[:2], scale, boxes.result())
        if self.yolo is not None:
            return self._yolo_garments(image, people, rgb.shape[:2], scale)
        if not people:
            return self._no_person(image)
        out: list[Detection] = []
        for person in people:
            if self.parser is not None:
                found = parse_person(self.parser, self.parser_encoder, rgb, person, self.alternatives)
                hyps = [Hypothesis(f"{c}-{i}", c, box, score) for i, (c, box, score) in enumerate(found)]
                hyps = [h for h in hyps if h.score >= self.min_score]
                out += self._to_detections(hyps, person, rgb.shape[:2], scale, adjust=False)
                continue
            hyps = propose(rgb, person)
            if self.evidence is not None:
                hyps = self._weigh(work, hyps)
            out += self._to_detections(self._select(hyps), person, rgb.shape[:2], scale)
        return out

    def _yolo_garments(self, image: Image.Image, people: list[Person], shape: tuple[int, int],
                       scale: float, found: list[Detection] | None = None) -> list[Detection]:
        """YOLO's boxes on ``image`` (or ``found``, already detected), each given to the person whose extent holds
        most of it."""
        found = [d for d in (self.yolo.detect(image) if found is None else found) if d.score >= self.min_score]
        extents = [_person_extent(p, shape, scale) for p in people]
        by_person: dict[int, list[Hypothesis]] = {}
        out: list[Detection] = []
        for k, d in enumerate(found):
            shares = [_inside_share(d.box, e) for e in extents]
            best = int(np.argmax(shares)) if shares else -1
            if best < 0 or shares[best] < MIN_PERSON_SHARE:
                out.append(Detection(box=d.box, category=d.category, score=d.score, person=-1, icon=d.icon,
                                     source=self.name))
                continue
            box = tuple(v * scale for v in d.box)  # _to_detections maps work pixels back to the image's
            by_person.setdefault(best, []).append(Hypothesis(f"{d.category}-{k}", d.category, box, d.score))
        for idx, hyps in sorted(by_person.items()):
            out += self._to_detections(hyps, people[idx], shape, scale, adjust=False)
        return sorted(out, key=lambda d: (d.person < 0, d.person, -d.score))

    def _nobody_found(self, image: Image.Image, shape: tuple[int, int], scale: float,
                      found: list[Detection]) -> list[Detection]:
        """The ensemble on a photo where pose finds nobody: YOLO's boxes when it serves an outfit (garments on two
        places or more: someone wears them, pose missed them, as on 46 of 300 drawn demo looks), else the whole
        object (a packshot or a flat lay, read better by the evidence than by YOLO: 60 against 51 right of 120
        clothing/ photos), else whatever YOLO serves. YOLO is the only model here, so the outfit is told from its
        boxes of ``alone_min_score`` or more (twice the fused list's bar: a box one model alone sees has half its
        score there)."""
        served = self._yolo_garments(image, [], shape, scale, found)
        if _distinct_places([d for d in served if d.score >= self.alone_min_score]) >= 2:
            return served
        return self._no_person(image) or served

    def _fused_garments(self, boxes: Future, rgb: np.ndarray, people: list[Person],
                        scale: float) -> list[Detection]:
        """The parser's ranked garments of every person fused with YOLO's boxes (``boxes``, detected meanwhile
        on another thread) by weighted boxes fusion."""
        shape = rgb.shape[:2]
        parsed: list[Detection] = []
        for person in people:
            found = parse_person(self.parser, self.parser_encoder, rgb, person, True)
            hyps = [Hypothesis(f"{c}-{i}", c, box, score) for i, (c, box, score) in enumerate(found)]
            parsed += self._to_detections(hyps, person, shape, scale, adjust=False)
        fused = fuse_boxes([parsed, boxes.result()])
        if self.rescorer is not None:
            fused = self._rescored(fused, shape, scale)
        owners = self._owner(fused, people, shape, scale)
        if not self.alternatives:
            kept = _served(fused, owners, self.min_score, len(people))
            fused, owners = [fused[k] for k in kept], [owners[k] for k in kept]
            kept = _one_of_exclusive(fused, owners)
            fused, owners = [fused[k] for k in kept], [owners[k] for k in kept]
        by_person: dict[int, list[Hypothesis]] = {}
        out: list[Detection] = []
        for k, f in enumerate(fused):
            if owners[k] < 0:
                out.append(Detection(box=f.box, category=f.category, score=f.score, person=-1,
                                     icon=icon_position(f.box, f.category), source=self.name))
                continue
            box = tuple(v * scale for v in f.box)  # _to_detections maps work pixels back to the image's
            by_person.setdefault(owners[k], []).append(Hypothesis(f"{f.category}-{k}", f.category, box, f.score))
        for idx, hyps in sorted(by_person.items()):
            out += self._to_detections(hyps, people[idx], shape, scale, adjust=False)
        return sorted(out, key=lambda d: (d.person < 0, d.person, -d.score))

    def _rescored(self, fused: list[FusedBox], shape: tuple[int, int], scale: float) -> list[FusedBox]:
        """The fused boxes with the rescorer's probabilities as their scores, best first."""
        found = [RankedBox(f.category, f.box, f.score) for f in fused]
        scores = self.rescorer.rescore(found, shape[1] / scale, shape[0] / scale)
        out = [replace(f, score=s) for f, s in zip(fused, scores)]
        return sorted(out, key=lambda f: (-f.score, f.category, f.box))

    @staticmethod
    def _owner(fused: list[FusedBox], people: list[Person], shape: tuple[int, int], scale: float) -> list[int]:
        """Index in ``people`` of each fused box's wearer: its best parser member's person, else the person whose
        extent holds most of it (-1: nobody's)."""
        extents = [_person_extent(p, shape, scale) for p in people]
        slot = {p.index: i for i, p in enumerate(people)}
        out = []
        for f in fused:
            member = f.best_member(0)
            if member is not None and member.person in slot:
                out.append(slot[member.person])
                continue
            shares = [_inside_share(f.box, e) for e in extents]
            best = int(np.argmax(shares)) if shares else -1
            out.append(best if best >= 0 and shares[best] >= MIN_PERSON_SHARE else -1)
        return out

    @property
    def parser_encoder(self):
        """The encoder the garment parser reads features from (shared with the evidence when it is the same)."""
        if self._encoder is None:
            ev = getattr(self.evidence, "encoder", None) if self.evidence is not None else None
            if ev is not None and getattr(ev, "name", None) == self.parser.encoder.get("name"):
                self._encoder = ev
            else:
                from ..encoders import create_encoder

                self._encoder = create_encoder(self.parser.encoder.get("name", "efficientnet-lite0"))
            self.parser.check_encoder(self._encoder)
        return self._encoder

    def _weigh(self, work: Image.Image, hyps: list[Hypothesis]) -> list[Hypothesis]:
        """Mix each upper / outer / lower hypothesis score with the evidence on its own box's crop: the
        probability of its category among the categories proposed for that region."""
        boxes: dict[tuple, int] = {}
        for h in hyps:
            if h.region in EVIDENCE_REGIONS and _area(h.box) > 16:
                boxes.setdefault(_box_key(h.box), len(boxes))
        if not boxes:
            return hyps
        probs = self.evidence.category_probs([work.crop(k) for k in boxes])
        # an outer box may hold a top or a dress, an upper box a coat: they compete as one family
        candidates = {r: sorted({g.category for g in hyps if _family(g.region) == _family(r)}) for r in EVIDENCE_REGIONS}
        out = []
        for h in hyps:
            row = boxes.get(_box_key(h.box)) if h.region in EVIDENCE_REGIONS else None
            if row is not None and len(candidates[h.region]) > 1:
                p = probs[row]
                mass = sum(p[taxonomy.CATEGORIES.index(c)] for c in candidates[h.region])
                if mass > 0.05:
                    share = p[taxonomy.CATEGORIES.index(h.category)] / mass
                    h = Hypothesis(h.region, h.category, h.box,
                                   (1 - self.evidence_weight) * h.score + self.evidence_weight * share)
            out.append(h)
        return out

    def _select(self, hyps: list[Hypothesis]) -> list[Hypothesis]:
        if self.alternatives:
            return [h for h in hyps if h.score >= self.min_score]
        best: dict[str, Hypothesis] = {}
        for h in hyps:
            if h.region not in best or h.score > best[h.region].score:
                best[h.region] = h
        upper, lower = best.get("upper"), best.get("lower")
        if upper is not None and lower is not None and upper.category == "dress" and upper.score >= lower.score:
            best.pop("lower")
        return [h for h in best.values() if h.score >= self.min_score]

    def _to_detections(self, hyps: list[Hypothesis], person: Person, shape: tuple[int, int],
                       scale: float, adjust: bool = True) -> list[Detection]:
        full, front = is_full_shot(person, shape), is_front_facing(person)
        kps = {n: (person.keypoints[n][0] / scale, person.keypoints[n][1] / scale) for n in KEYPOINTS_KEPT}
        vis = {n: person.keypoints[n][2] for n in KEYPOINTS_KEPT}
        out = []
        for h in sorted(hyps, key=lambda h: (-h.score, h.category)):
            box = tuple(float(np.clip(v / scale, 0, lim)) for v, lim in
                        zip(adjust_box(h.box, h.category) if adjust else h.box,
                            (shape[1] / scale, shape[0] / scale) * 2))
            if _area(box) <= 1:
                continue
            icon = icon_position(box, h.category, kps, vis)
            out.append(Detection(box=box, category=h.category, score=h.score, person=person.index, keypoints=kps,
                                 icon=icon, full_shot=full, front_facing=front, source=self.name))
        return out

    def _no_person(self, image: Image.Image) -> list[Detection]:
        if self.evidence is None:
            return []
        box = object_box(np.asarray(image))
        probs = self.evidence.category_probs([image.crop(tuple(int(v) for v in box))])[0]
        k = int(np.argmax(probs))
        if probs[k] < 0.15:
            return []
        return [Detection(box=box, category=taxonomy.CATEGORIES[k], score=float(probs[k]), person=-1,
                          source=self.name)]


EXCLUSIVE = (("pants", "shorts", "skirt", "dress"), ("top", "dress"))
"""Garments worn one at a time on one body part: of two such boxes of one person overlapping by
:data:`EXCLUSIVE_IOU`, a served list keeps the better (a top and a coat over it are both kept)."""
EXCLUSIVE_IOU = 0.5


def _one_of_exclusive(fused: list[FusedBox], owners: list[int]) -> list[int]:
    """Indices of ``fused`` (best first) to keep: not those that overlap a better box of another garment of one
    :data:`EXCLUSIVE` group on the same person."""
    kept: list[int] = []
    for k, f in enumerate(fused):
        clash = any(owners[j] == owners[k] and f.category != fused[j].category
                    and any(f.category in g and fused[j].category in g for g in EXCLUSIVE)
                    and box_iou(f.box, fused[j].box) >= EXCLUSIVE_IOU for j in kept)
        if not clash:
            kept.append(k)
    return kept


def _served(fused: list[FusedBox], owners: list[int], min_score: float, n_people: int) -> list[int]:
    """Indices of ``fused`` (best first) to serve: those of ``min_score`` or more, and for a person with none of
    them their best box when it reaches half of ``min_score``: a person in the photo keeps a garment to tap (on a
    half-length photo of two men in suits, ultralytics' ``zidane.jpg``, the rescored boxes peak at 0.28)."""
    kept = [k for k, f in enumerate(fused) if f.score >= min_score]
    dressed = {owners[k] for k in kept}
    for person in range(n_people):
        if person in dressed:
            continue
        best = next((k for k, f in enumerate(fused) if owners[k] == person and f.score >= min_score / 2), None)
        if best is not None:
            kept.append(best)
    return sorted(kept)


SAME_PLACE = 0.6
"""Two boxes lie on one place (one garment read two ways, as a flat lay of trousers read as pants and as a dress)
when their intersection covers this share of the smaller one."""


def _distinct_places(dets: list[Detection]) -> int:
    """How many places of the photo ``dets`` (best first) cover, whatever their categories: a box on a place a
    better box already covers (:data:`SAME_PLACE`) is not another garment."""
    kept: list[tuple[float, ...]] = []
    for d in dets:
        if not any(_overlap_of_smaller(d.box, k) >= SAME_PLACE for k in kept):
            kept.append(d.box)
    return len(kept)


def _overlap_of_smaller(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    """Intersection of boxes ``a`` and ``b`` over the smaller one's area."""
    iw = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    ih = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    smaller = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return iw * ih / smaller if smaller > 0 else 0.0


MIN_PERSON_SHARE = 0.5
"""A YOLO box belongs to the person whose extent holds at least this share of it (the most of it)."""


def _person_extent(person: Person, shape: tuple[int, int], scale: float) -> tuple[float, float, float, float]:
    """A person's extent in the image's pixels: the mask's box when there is a mask, else the keypoints' box grown
    by 15 % (hands, hair and shoes reach past the joints)."""
    if person.mask is not None and (person.mask > 0.5).any():
        ys, xs = np.nonzero(person.mask > 0.5)
        mh, mw = person.mask.shape[:2]
        sx, sy = shape[1] / mw, shape[0] / mh
        box = (xs.min() * sx, ys.min() * sy, (xs.max() + 1) * sx, (ys.max() + 1) * sy)
    else:
        pts = np.array([kp[:2] for kp in person.keypoints.values()], np.float32)
        (x0, y0), (x1, y1) = pts.min(0), pts.max(0)
        gx, gy = 0.15 * (x1 - x0), 0.15 * (y1 - y0)
        box = (x0 - gx, y0 - gy, x1 + gx, y1 + gy)
    return tuple(float(v) / scale for v in box)


def _inside_share(box: tuple, extent: tuple) -> float:
    """Share of ``box``'s area inside ``extent``."""
    ix = max(0.0, min(box[2], extent[2]) - max(box[0], extent[0]))
    iy = max(0.0, min(box[3], extent[3]) - max(box[1], extent[1]))
    area = max(1e-9, (box[2] - box[0]) * (box[3] - box[1]))
    return ix * iy / area


def object_box(rgb: np.ndarray, tol: float = 30.0) -> tuple[float, float, float, float]:
    """Box of the pixels that differ from the photo's border colour (the object of a flat lay or packshot)."""
    h, w = rgb.shape[:2]
    border = np.concatenate([rgb[0], rgb[-1], rgb[:, 0], rgb[:, -1]]).astype(np.float32)
    bg = np.median(border, axis=0)
    fg = np.linalg.norm(rgb.astype(np.float32) - bg, axis=-1) > tol
    rows, cols = np.flatnonzero(fg.mean(1) > 0.02), np.flatnonzero(fg.mean(0) > 0.02)
    if len(rows) == 0 or len(cols) == 0:
        return (0.0, 0.0, float(w), float(h))
    return (float(cols[0]), float(rows[0]), float(cols[-1] + 1), float(rows[-1] + 1))


def work_scale(size: tuple[int, int]) -> float:
    """Factor that brings a photo's long side into :data:`WORK_SIDE` (what the models see; boxes map back)."""
    long_side = max(size)
    lo, hi = WORK_SIDE
    if long_side < lo:
        return lo / long_side
    if long_side > hi:
        return hi / long_side
    return 1.0


def _family(region: str) -> str:
    """Regions whose categories compete for the same garment (upper and outer: top / outerwear / dress)."""
    return "upper" if region in ("upper", "outer") else region


def _box_key(box) -> tuple[int, int, int, int]:
    """Integer pixel box: the crop rectangle, and the key that groups hypotheses sharing one box."""
    return tuple(int(round(v)) for v in box)


def _area(box) -> float:
    return max(0.0, box[2] - box[0]) * max(0.0, box[3] - box[1])
