"""The demo catalog: draw products (attributes and title from one draw) and render their product shots.

Each product's attributes come from a random generator seeded by ``(seed, index)``, so a product never
depends on how many others were drawn before it in another process. Coverage of every category,
silhouette, colour and pattern is guaranteed, not left to chance, so small worlds are complete too.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageFilter

from .. import taxonomy
from .garments import PRODUCT_SHAPES
from .palette import COLOUR_BY_NAME, COLOURS, PATTERN_WORDS, PATTERNS, Colour, accent_for, shade
from .shapes import mask_of, paint, transform
from .silhouettes import FORMALITY_NAMES, SILHOUETTE_BY_NAME, silhouettes_of

IMAGE_SIZE = 144
"""Side of a product shot in pixels (square JPEG)."""
SUPERSAMPLE = 2
JPEG_QUALITY = 90

CATEGORY_WEIGHTS: dict[str, float] = {
    "top": 0.15, "outerwear": 0.09, "pants": 0.09, "shorts": 0.06, "skirt": 0.07, "dress": 0.09,
    "shoes": 0.13, "bag": 0.09, "hat": 0.06, "belt": 0.05, "scarf/tie": 0.06, "sunglasses": 0.06,
}
"""Share of the catalog per category (a real shop has more tops and shoes than belts)."""

_DENIM_COLOURS = ("denim", "denim", "navy", "black", "grey", "white", "sky blue")


@dataclass(frozen=True)
class DemoProduct:
    """One generated product: every attribute and the title come from the same draw."""

    product_id: str
    index: int
    category: str
    silhouette: str
    colour: str
    pattern: str
    accent: str
    material: str
    formality: int
    season: str
    title: str

    @property
    def slot(self) -> str:
        """Outfit slot of the product's category."""
        return taxonomy.slot_of(self.category)

    @property
    def image(self) -> str:
        """Image path relative to the demo folder."""
        return f"images/{self.product_id}.jpg"

    def row(self) -> dict[str, str]:
        """The catalog CSV row."""
        return {"product_id": self.product_id, "title": self.title, "category": self.category, "image": self.image,
                "colour": self.colour, "pattern": self.pattern, "silhouette": self.silhouette,
                "formality": FORMALITY_NAMES[self.formality], "season": self.season}


def make_title(colour: str, pattern: str, material: str, noun: str) -> str:
    """Shop title from attributes, e.g. ``Navy striped cotton t-shirt``."""
    words = [colour, PATTERN_WORDS[pattern], "" if material in noun else material, noun]
    text = " ".join(w for w in words if w)
    return text[0].upper() + text[1:]


def category_counts(n: int) -> dict[str, int]:
    """How many products of each category a catalog of ``n`` holds (largest remainder, at least 4 each)."""
    floor = min(4, n // len(CATEGORY_WEIGHTS))
    if floor < 1:
        raise ValueError(f"n_products={n} is too small; the demo needs at least {len(CATEGORY_WEIGHTS)} products")
    rest = n - floor * len(CATEGORY_WEIGHTS)
    raw = {c: w * rest for c, w in CATEGORY_WEIGHTS.items()}
    counts = {c: floor + int(math.floor(v)) for c, v in raw.items()}
    left = n - sum(counts.values())
    for c in sorted(raw, key=lambda c: (-(raw[c] - math.floor(raw[c])), c))[:left]:
        counts[c] += 1
    return counts


def draw_products(seed: int, n: int) -> list[DemoProduct]:
    """Draw ``n`` products covering every category, silhouette, colour and pattern, deterministically."""
    rng = np.random.default_rng([seed, 0])
    slots = [(c, k) for c, m in category_counts(n).items() for k in range(m)]
    order = rng.permutation(len(slots))
    colour_cycle = [COLOURS[i] for i in rng.permutation(len(COLOURS))]
    products: list[DemoProduct] = []
    for i, j in enumerate(order):
        category, k = slots[j]
        sil = silhouettes_of(category)[k % len(silhouettes_of(category))]
        prng = np.random.default_rng([seed, 1, i])
        if sil.materials == ("denim",) or sil.name == "denim-jacket":
            colour = COLOUR_BY_NAME[_DENIM_COLOURS[int(prng.integers(len(_DENIM_COLOURS)))]]
        else:
            colour = colour_cycle[(i + int(prng.integers(3))) % len(colour_cycle)]
        pattern = "solid"
        if len(sil.patterns) > 1 and prng.random() > 0.45:
            pattern = sil.patterns[1 + int(prng.integers(len(sil.patterns) - 1))]
        products.append(_product(i, sil.name, colour, pattern, prng))
    return _ensure_coverage(products, seed)


def _product(i: int, silhouette: str, colour: Colour, pattern: str, prng: np.random.Generator) -> DemoProduct:
    sil = SILHOUETTE_BY_NAME[silhouette]
    material = sil.materials[int(prng.integers(len(sil.materials)))]
    formality = sil.formality[int(prng.integers(len(sil.formality)))]
    accent = accent_for(colour, prng)
    return DemoProduct(f"D{i + 1:05d}", i, sil.category, sil.name, colour.name, pattern, accent.name, material,
                       formality, sil.season, make_title(colour.name, pattern, material, sil.noun))


def _ensure_coverage(products: list[DemoProduct], seed: int) -> list[DemoProduct]:
    """Re-draw a few products so that every colour and pattern occurs at least once."""
    rng = np.random.default_rng([seed, 2])
    for pattern in PATTERNS:
        if not any(p.pattern == pattern for p in products):
            able = [p for p in products if pattern in SILHOUETTE_BY_NAME[p.silhouette].patterns
                    and sum(q.silhouette == p.silhouette for q in products) > 1]
            p = able[int(rng.integers(len(able)))]
            products[p.index] = _product(p.index, p.silhouette, COLOUR_BY_NAME[p.colour], pattern,
                                         np.random.default_rng([seed, 1, p.index]))
    for colour in COLOURS:
        if not any(p.colour == colour.name for p in products):
            counts = {c.name: sum(p.colour == c.name for p in products) for c in COLOURS}
            able = [p for p in products if counts[p.colour] > 1 and p.silhouette not in ("jeans", "denim-shorts")]
            p = able[int(rng.integers(len(able)))]
            products[p.index] = _product(p.index, p.silhouette, colour, p.pattern,
                                         np.random.default_rng([seed, 1, p.index]))
    return products


def render_product(product: DemoProduct, seed: int, size: int = IMAGE_SIZE) -> Image.Image:
    """The product shot: the garment centred on a light background with small random variation."""
    rng = np.random.default_rng([seed, 3, product.index])
    big = size * SUPERSAMPLE
    tint = rng.integers(-4, 3, size=3)
    bg = tuple(int(v) for v in np.clip(np.array([250, 250, 250]) + tint, 236, 255))
    canvas = Image.new("RGB", (big, big), bg)
    base = shade(COLOUR_BY_NAME[product.colour].rgb, float(rng.uniform(0.93, 1.07)))
    accent = COLOUR_BY_NAME[product.accent].rgb
    scale = big * float(rng.uniform(0.80, 0.92))
    angle = float(rng.uniform(-4, 4))
    offset = (big / 2 + float(rng.uniform(-0.03, 0.03)) * big, big / 2 + float(rng.uniform(-0.03, 0.03)) * big)
    unit = PRODUCT_SHAPES[product.silhouette]()
    xs = [x for p in unit for x, _ in p.points]
    ys = [y for p in unit for _, y in p.points]
    parts = transform(unit, scale, angle, ((min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2), offset)
    shadow = transform(parts, 1.0, 0.0, (0, 0), (big * 0.015, big * 0.02))
    smask = mask_of(shadow, (big, big), roles=tuple({p.role for p in parts})).filter(ImageFilter.BoxBlur(5))
    canvas.paste(shade(bg, 0.86), (0, 0), smask)
    paint(canvas, parts, base, product.pattern, accent, scale=big / 300, phase=float(rng.random()),
          light_dir=float(rng.uniform(-1, 1)), outline=SUPERSAMPLE)
    return canvas.reduce(SUPERSAMPLE)
