"""Look photos: a figure wearing a demo outfit on a varied background, with exact COCO boxes and keypoints.

Writes ``looks/images/look_NNNN.jpg`` (320 × 480), ``looks/masks/look_NNNN.png`` (uint8 label map: 0
background, 1..12 the taxonomy category ids, 13 skin, 14 hair; like ``../shared/data/ccp``) and
``looks/annotations.json`` in COCO detection format (``info.mask_labels`` names the mask values and
``info.taxonomy_map`` maps them to the taxonomy, so the looks can train the garment parser). Every box is the bounding box of the garment's
*visible* pixels (after occlusion by the layers drawn over it), in pixels of the written image; each
annotation carries ``product_id`` and ``person`` (0-based). Shoes get one box per shoe, as in CCP.
Garments with fewer than :data:`MIN_AREA` visible pixels get no box. Each image entry carries
``people: [{"keypoints": {name: [x, y]}}]`` (names in :data:`figure.KEYPOINTS`), ``set_id`` (the outfit)
and ``scene``. All figures are front-facing and fully in frame.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from .. import taxonomy
from .figure import KEYPOINTS, Body, face_colours, face_parts, hair_back, hair_front, head_parts, make_body, skin_parts
from .outfits import Outfit
from .palette import COLOUR_BY_NAME
from .products import DemoProduct
from .scenes import background
from .shapes import Part, paint
from .wear import LAYER, worn_parts

LOOK_SIZE = (320, 480)
SUPERSAMPLE = 2
MIN_AREA = 20
SKIN_LABEL, HAIR_LABEL = 13, 14
MASK_LABELS: tuple[str, ...] = ("background", *taxonomy.CATEGORIES, "skin", "hair")
"""Meaning of each value of a look mask."""
TAXONOMY_MAP: dict[str, str] = {c: c for c in taxonomy.CATEGORIES}
"""Mask label → taxonomy category (``info.taxonomy_map`` of the annotations, as a parser's mask dataset reads it;
background, skin and hair map to none)."""


def choose_look_outfits(outfits: Sequence[Outfit], by_id: dict[str, DemoProduct], n: int, seed: int) -> list[Outfit]:
    """``n`` outfits for looks, greedily covering every category early (so a dozen looks show all 12)."""
    rng = np.random.default_rng([seed, 20])
    covered: set[str] = set()
    chosen: list[Outfit] = []
    for _ in range(n):
        sample = [outfits[int(j)] for j in rng.integers(0, len(outfits), size=min(60, len(outfits)))]
        best = max(sample, key=lambda o: len({by_id[p].category for p in o.items} - covered))
        chosen.append(best)
        covered |= {by_id[p].category for p in best.items}
        if len(covered) == len(taxonomy.CATEGORIES):
            covered = set()
    return chosen


def render_look(outfit: Outfit, by_id: dict[str, DemoProduct], seed: int, index: int
                ) -> tuple[Image.Image, np.ndarray, list[dict], dict[str, list[float]], str]:
    """Draw one look: (image, label mask, annotations without ids, keypoints, scene name)."""
    rng = np.random.default_rng([seed, 21, index])
    w, h = LOOK_SIZE[0] * SUPERSAMPLE, LOOK_SIZE[1] * SUPERSAMPLE
    body = make_body(rng, w, h)
    canvas, scene = background(rng, (w, h), body.kp["left_ankle"][1] + 0.25 * body.h)
    _ground_shadow(canvas, body)
    inst = np.zeros((h, w), np.int16)
    items = sorted((by_id[p] for p in outfit.items), key=lambda p: (LAYER[p.category], p.product_id))
    hand = "left" if rng.random() < 0.5 else "right"
    layers: list[tuple[str, DemoProduct | None, list[Part]]] = [("hair", None, hair_back(body)),
                                                                 ("skin", None, skin_parts(body))]
    for p in items:
        parts = worn_parts(p, body, hand)
        if p.category == "shoes":
            layers += [("garment", p, [q for q in parts if _mean_x(q) >= body.cx]),
                       ("garment", p, [q for q in parts if _mean_x(q) < body.cx])]
        else:
            layers.append(("garment", p, parts))
    head_at = next((k for k, (_, p, _) in enumerate(layers) if p is not None and LAYER[p.category] >= LAYER["hat"]),
                   len(layers))
    layers[head_at:head_at] = [("skin", None, head_parts(body)), ("face", None, face_parts(body)),
                               ("hair", None, hair_front(body))]
    garments: list[DemoProduct] = []
    for kind, product, parts in layers:
        if not parts:
            continue
        if kind == "face":
            _draw_face(canvas, body, parts)
            continue
        if kind == "garment":
            colour = COLOUR_BY_NAME[product.colour].rgb
            box, cover = paint(canvas, parts, colour, product.pattern, COLOUR_BY_NAME[product.accent].rgb,
                               scale=body.h / 60, phase=float(rng.random()), light_dir=float(rng.uniform(-0.5, 0.5)),
                               outline=SUPERSAMPLE)
            garments.append(product)
            label = len(garments)
        else:
            colour = body.skin if kind == "skin" else body.hair
            box, cover = paint(canvas, parts, colour, outline=SUPERSAMPLE)
            label = 1000 if kind == "skin" else 1001
        region = inst[box[1]:box[3], box[0]:box[2]]
        region[np.asarray(cover) > 127] = label
    image = canvas.reduce(SUPERSAMPLE)
    small = inst[::SUPERSAMPLE, ::SUPERSAMPLE]
    mask = np.zeros(small.shape, np.uint8)
    mask[small == 1000], mask[small == 1001] = SKIN_LABEL, HAIR_LABEL
    anns = []
    for k, product in enumerate(garments, start=1):
        sel = small == k
        area = int(sel.sum())
        mask[sel] = taxonomy.CATEGORY_IDS[product.category]
        if area < MIN_AREA:
            continue
        ys, xs = np.nonzero(sel)
        x0, y0, x1, y1 = int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1
        anns.append({"category_id": taxonomy.CATEGORY_IDS[product.category], "bbox": [x0, y0, x1 - x0, y1 - y0],
                     "area": area, "iscrowd": 0, "product_id": product.product_id, "person": 0})
    kps = {name: [round(body.kp[name][0] / SUPERSAMPLE, 1), round(body.kp[name][1] / SUPERSAMPLE, 1)]
           for name in KEYPOINTS}
    return image, mask, anns, kps, scene


def _mean_x(part: Part) -> float:
    return sum(x for x, _ in part.points) / len(part.points)


def _ground_shadow(canvas: Image.Image, body: Body) -> None:
    layer = Image.new("L", canvas.size, 0)
    la, ra = body.kp["left_ankle"], body.kp["right_ankle"]
    y = max(la[1], ra[1]) + 0.3 * body.h
    ImageDraw.Draw(layer).ellipse((min(la[0], ra[0]) - 0.9 * body.h, y - 0.18 * body.h,
                                   max(la[0], ra[0]) + 0.9 * body.h, y + 0.18 * body.h), fill=90)
    layer = layer.filter(ImageFilter.GaussianBlur(body.h * 0.12))
    canvas.paste((20, 20, 20), (0, 0), layer)


def _draw_face(canvas: Image.Image, body: Body, parts: list[Part]) -> None:
    d = ImageDraw.Draw(canvas)
    colours = face_colours(body)
    for p in parts:
        if p.width > 0:
            d.line(p.points, fill=colours[p.role], width=max(1, round(p.width)), joint="curve")
        else:
            d.polygon(p.points, fill=colours[p.role])
