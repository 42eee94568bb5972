"""Garments fitted to a :class:`figure.Body`: each product's silhouette as parts in canvas pixels.

:func:`worn_parts` returns the parts of one product on one body; :data:`LAYER` orders the garments from the
skin outwards (bottoms, shoes, top, dress, belt, tie, outerwear, scarf, bag, hat, sunglasses).
"""

from __future__ import annotations

import math

from .figure import Body, torso_outline
from .products import DemoProduct
from .shapes import Part, ellipse, quad

LAYER: dict[str, int] = {"pants": 1, "shorts": 1, "skirt": 2, "shoes": 3, "top": 4, "dress": 4, "belt": 5,
                         "outerwear": 7, "scarf/tie": 6, "bag": 9, "hat": 10, "sunglasses": 11}
"""Drawing order of categories on the figure (higher is drawn later, on top). Ties sit under outerwear."""


def _sleeve(b: Body, s: str, upto: float, pad: float = 1.0) -> list[Part]:
    """A sleeve over arm ``s`` reaching ``upto`` (0..2: 1 = elbow, 2 = wrist), ``pad`` thickens it."""
    h = b.h
    sh, el, wr = b.side("shoulder", s), b.side("elbow", s), b.side("wrist", s)
    if upto <= 1:
        end = (sh[0] + (el[0] - sh[0]) * upto, sh[1] + (el[1] - sh[1]) * upto)
        return [Part("body", tuple(quad(sh, end, 0.26 * h * pad, 0.19 * h * pad)))]
    t = upto - 1
    end = (el[0] + (wr[0] - el[0]) * t, el[1] + (wr[1] - el[1]) * t)
    return [Part("body", tuple(quad(sh, el, 0.23 * h * pad, 0.17 * h * pad))),
            Part("body", tuple(ellipse(el[0], el[1], 0.17 * h * pad, 0.17 * h * pad, 16))),
            Part("body", tuple(quad(el, end, 0.17 * h * pad, 0.13 * h * pad)))]


def _sleeves(b: Body, upto: float, pad: float = 1.0) -> list[Part]:
    return _sleeve(b, "left", upto, pad) + _sleeve(b, "right", upto, pad)


def _hip_y(b: Body) -> float:
    return b.kp["left_hip"][1]


def _top(b: Body, sil: str) -> list[Part]:
    h = b.h
    hem = _hip_y(b) + 0.15 * h
    if sil == "tank-top":
        return [Part("body", tuple(torso_outline(b, hem, neck=0.3)))] + [
            Part("body", tuple(quad((b.cx + sg * 0.32 * h, b.neck_y + 0.05 * h), b.side("shoulder", s), 0.06 * h,
                                    0.06 * h))) for s, sg in (("left", 1), ("right", -1))]
    sleeve = {"t-shirt": 0.55, "blouse": 1.95, "sweater": 2.0, "shirt": 1.95}[sil]
    parts = [Part("body", tuple(torso_outline(b, hem)))] + _sleeves(b, sleeve)
    if sil == "shirt":
        y0 = b.neck_y
        parts += [Part("light", ((b.cx - 0.22 * h, y0), (b.cx, y0 + 0.3 * h), (b.cx - 0.2 * h, y0 + 0.3 * h))),
                  Part("light", ((b.cx + 0.22 * h, y0), (b.cx, y0 + 0.3 * h), (b.cx + 0.2 * h, y0 + 0.3 * h))),
                  Part("stitch", ((b.cx, y0 + 0.3 * h), (b.cx, hem)), 0.03 * h)]
    if sil == "blouse":
        parts.append(Part("dark", ((b.cx - 0.2 * h, b.neck_y), (b.cx, b.neck_y + 0.5 * h), (b.cx + 0.2 * h, b.neck_y)),
                          0.04 * h))
    if sil == "sweater":
        parts.append(Part("dark", ((b.cx - b.waist_w - 0.3 * h, hem - 0.08 * h), (b.cx + b.waist_w + 0.3 * h,
                                                                                   hem - 0.08 * h)), 0.12 * h))
    return parts


def _outer(b: Body, sil: str) -> list[Part]:
    h = b.h
    hip = _hip_y(b)
    hem = {"blazer": hip + 0.55 * h, "coat": b.kp["left_knee"][1] + 0.3 * h, "puffer": hip + 0.2 * h,
           "denim-jacket": hip - 0.2 * h, "cardigan": hip + 0.45 * h}[sil]
    flare = 0.15 if sil == "coat" else 0.05
    full = torso_outline(b, hem, flare=flare, neck=0.24)
    gap = 0.12 * h if sil != "puffer" else 0.02 * h
    n = len(full) // 2
    left, right = full[: n + 1], full[n:]
    left = [(min(x, b.cx - gap), y) for x, y in left]
    right = [(max(x, b.cx + gap), y) for x, y in right]
    open_v = 0.9 * h if sil in ("blazer", "coat", "cardigan") else 0.25 * h
    left = [(b.cx - gap, b.neck_y + open_v)] + left[1:]
    right = right[:-1] + [(b.cx + gap, b.neck_y + open_v)]
    parts = [Part("body", tuple(left)), Part("body", tuple(right))] + _sleeves(b, 2.02, pad=1.12)
    if sil in ("blazer", "coat"):
        for sg in (-1, 1):
            parts.append(Part("dark", ((b.cx + sg * 0.24 * h, b.neck_y), (b.cx + sg * gap, b.neck_y + open_v),
                                       (b.cx + sg * 0.4 * h, b.neck_y + 0.45 * h)), 0.05 * h))
    if sil == "puffer":
        parts += [Part("dark", ((b.cx - b.shoulder_w, y), (b.cx + b.shoulder_w, y)), 0.03 * h)
                  for y in (b.neck_y + 0.6 * h, b.neck_y + 1.2 * h, b.neck_y + 1.8 * h, b.neck_y + 2.4 * h)]
    return parts


def _legs(b: Body, end: float, wide: float = 1.0, taper: float = 1.0) -> list[Part]:
    """Trouser legs from the waist down to ``end`` (0..2: 1 = knee, 2 = ankle)."""
    h = b.h
    waist = b.waist_y + 0.1 * h
    top = [(b.cx - b.waist_w - 0.02 * h, waist), (b.cx + b.waist_w + 0.02 * h, waist),
           (b.cx + b.hip_w + 0.38 * h, _hip_y(b)), (b.cx, _hip_y(b) + 0.5 * h), (b.cx - b.hip_w - 0.38 * h, _hip_y(b))]
    parts = [Part("body", tuple(top))]
    for s in ("left", "right"):
        hip, kn, an = b.side("hip", s), b.side("knee", s), b.side("ankle", s)
        if end <= 1:
            stop = (hip[0] + (kn[0] - hip[0]) * end, hip[1] + (kn[1] - hip[1]) * end)
            parts.append(Part("body", tuple(quad(hip, stop, 0.4 * h * wide, (0.4 - 0.12 * end) * h * wide))))
        else:
            stop = (kn[0] + (an[0] - kn[0]) * (end - 1), kn[1] + (an[1] - kn[1]) * (end - 1))
            parts += [Part("body", tuple(quad(hip, kn, 0.4 * h, 0.27 * h * wide))),
                      Part("body", tuple(quad(kn, stop, 0.27 * h * wide, 0.2 * h * wide * taper)))]
    parts.append(Part("dark", ((b.cx - b.waist_w, waist + 0.06 * h), (b.cx + b.waist_w, waist + 0.06 * h)), 0.1 * h))
    return parts


def _bottom(b: Body, sil: str) -> list[Part]:
    h = b.h
    if sil in ("trousers", "jeans", "wide-leg", "joggers"):
        wide, taper = {"trousers": (1.0, 1.0), "jeans": (0.95, 0.85), "wide-leg": (1.3, 1.5), "joggers": (1.0, 0.7)}[sil]
        parts = _legs(b, 2.0, wide, taper)
        if sil == "jeans":
            parts.append(Part("metal", ((b.cx, b.waist_y + 0.2 * h), (b.cx, _hip_y(b) + 0.3 * h)), 0.03 * h))
        return parts
    if sil in ("denim-shorts", "tailored-shorts"):
        return _legs(b, 0.35 if sil == "denim-shorts" else 0.7, 1.1)
    length = {"mini-skirt": 0.45, "pleated-skirt": 1.55, "pencil-skirt": 1.05}[sil]
    flare = {"mini-skirt": 0.45, "pleated-skirt": 0.7, "pencil-skirt": 0.05}[sil]
    return [Part("body", tuple(_skirt_outline(b, length, flare)))]


def _skirt_outline(b: Body, length: float, flare: float) -> list[tuple[float, float]]:
    """Skirt from the waist to ``length`` (1 = knee) widening by ``flare`` × h at the hem."""
    h = b.h
    knee = b.kp["left_knee"][1]
    hip = _hip_y(b)
    hem = hip + (knee - hip) * length
    x_hip = b.hip_w + 0.4 * h
    ax = max(abs(b.kp["left_ankle"][0] - b.cx), abs(b.kp["right_ankle"][0] - b.cx))
    x_hem = max(x_hip * 0.92 + flare * h, (ax + 0.2 * h) * min(1.0, length / 2) + flare * h * 0.5)
    w = b.waist_y + 0.05 * h
    return [(b.cx - b.waist_w - 0.03 * h, w), (b.cx + b.waist_w + 0.03 * h, w), (b.cx + x_hip, hip),
            (b.cx + x_hem, hem), (b.cx - x_hem, hem), (b.cx - x_hip, hip)]


def _dress(b: Body, sil: str) -> list[Part]:
    h = b.h
    length, flare = {"sundress": (0.85, 0.6), "shift-dress": (1.0, 0.15), "maxi-dress": (1.85, 0.7)}[sil]
    body = torso_outline(b, b.waist_y + 0.2 * h, neck=0.3 if sil == "sundress" else 0.22)
    parts = [Part("body", tuple(body)), Part("body", tuple(_skirt_outline(b, length, flare)))]
    if sil == "sundress":
        parts = [Part("body", tuple(torso_outline(b, b.waist_y + 0.2 * h, neck=0.36))), parts[1]]
        parts[0] = Part("body", tuple((x, max(y, b.neck_y + 0.5 * h)) for x, y in parts[0].points))
        parts += [Part("body", tuple(quad((b.cx + sg * 0.32 * h, b.neck_y + 0.55 * h),
                                          (b.cx + sg * 0.4 * h, b.neck_y + 0.1 * h), 0.04 * h, 0.04 * h)))
                  for sg in (-1, 1)]
    if sil == "maxi-dress":
        parts += _sleeves(b, 0.45)
    parts.append(Part("dark", ((b.cx - b.waist_w, b.waist_y + 0.1 * h), (b.cx + b.waist_w, b.waist_y + 0.1 * h)),
                      0.06 * h))
    return parts


def _shoes(b: Body, sil: str) -> list[Part]:
    h = b.h
    parts = []
    for s, sg in (("left", 1), ("right", -1)):
        ax, ay = b.side("ankle", s)
        fx, fy = ax + sg * 0.07 * h, ay + 0.17 * h
        if sil == "sandals":
            parts += [Part("body", tuple(quad((fx - 0.15 * h, fy + 0.02 * h), (fx + 0.15 * h, fy + 0.02 * h),
                                              0.025 * h, 0.025 * h))),
                      Part("body", tuple(quad((fx - 0.13 * h, fy - 0.1 * h), (fx + 0.13 * h, fy - 0.1 * h),
                                              0.025 * h, 0.025 * h))),
                      Part("gum", tuple(quad((fx - 0.17 * h, fy + 0.12 * h), (fx + 0.17 * h, fy + 0.12 * h),
                                             0.03 * h, 0.03 * h)))]
            continue
        foot = ellipse(fx, fy + 0.02 * h, 0.19 * h, 0.14 * h, 24)
        if sil == "heels":
            foot = ellipse(fx, fy, 0.15 * h, 0.11 * h, 24)
        parts.append(Part("body", tuple(foot)))
        if sil == "boots":
            parts.append(Part("body", tuple(quad((ax, ay - 0.75 * h), (ax, fy), 0.17 * h, 0.16 * h))))
        if sil in ("sneakers", "boots", "loafers"):
            role = "sole" if sil == "sneakers" else "black"
            parts.append(Part(role, tuple(quad((fx - 0.19 * h, fy + 0.13 * h), (fx + 0.19 * h, fy + 0.13 * h),
                                               0.04 * h, 0.04 * h))))
        if sil == "sneakers":
            parts.append(Part("white", ((fx - 0.06 * h, fy - 0.08 * h), (fx + 0.06 * h, fy - 0.08 * h)), 0.03 * h))
        if sil == "heels":
            parts.append(Part("inner", tuple(quad((fx - sg * 0.1 * h, fy + 0.06 * h), (fx - sg * 0.1 * h, fy + 0.24 * h),
                                                  0.03 * h, 0.02 * h))))
    return parts


def _bag(b: Body, sil: str, hand: str) -> list[Part]:
    h = b.h
    el, wr = b.side("elbow", hand), b.side("wrist", hand)
    ang = math.atan2(wr[1] - el[1], wr[0] - el[0])
    gx, gy = wr[0] + 0.2 * h * math.cos(ang), wr[1] + 0.2 * h * math.sin(ang)
    if sil == "crossbody":
        other = b.side("shoulder", "right" if hand == "left" else "left")
        sg = 1 if hand == "left" else -1
        bx, by = b.cx + sg * (b.hip_w + 0.45 * h), _hip_y(b) - 0.1 * h
        return [Part("dark", (other, (bx, by - 0.3 * h)), 0.05 * h),
                Part("body", ((bx - 0.3 * h, by - 0.3 * h), (bx + 0.3 * h, by - 0.3 * h), (bx + 0.32 * h, by + 0.2 * h),
                              (bx - 0.32 * h, by + 0.2 * h)))]
    if sil == "clutch":
        return [Part("body", ((gx - 0.35 * h, gy - 0.05 * h), (gx + 0.35 * h, gy - 0.05 * h), (gx + 0.35 * h, gy + 0.25 * h),
                              (gx - 0.35 * h, gy + 0.25 * h))),
                Part("dark", ((gx - 0.35 * h, gy - 0.05 * h), (gx + 0.35 * h, gy - 0.05 * h), (gx, gy + 0.12 * h)))]
    w, top, bottom = {"tote": (0.42, 0.35, 1.15), "backpack": (0.4, 0.25, 1.25)}[sil]
    body = ((gx - w * h, gy + top * h), (gx + w * h, gy + top * h), (gx + (w + 0.05) * h, gy + bottom * h),
            (gx - (w + 0.05) * h, gy + bottom * h))
    parts = [Part("dark", tuple(ellipse(gx, gy + top * h, 0.2 * h, top * h + 0.05 * h, 16, 180, 360)), 0.05 * h),
             Part("body", body)]
    if sil == "backpack":
        parts.append(Part("dark", ((gx - 0.28 * h, gy + 0.7 * h), (gx + 0.28 * h, gy + 0.7 * h),
                                   (gx + 0.28 * h, gy + 1.1 * h), (gx - 0.28 * h, gy + 1.1 * h))))
    return parts


def _hat(b: Body, sil: str) -> list[Part]:
    h, cx, top = b.h, b.cx, b.top
    if sil == "cap":
        return [Part("body", tuple(ellipse(cx, top + 0.32 * h, 0.46 * h, 0.38 * h, 24, 180, 360))),
                Part("dark", tuple(ellipse(cx + 0.1 * h, top + 0.32 * h, 0.42 * h, 0.08 * h, 20)))]
    if sil == "beanie":
        return [Part("body", tuple(ellipse(cx, top + 0.32 * h, 0.45 * h, 0.5 * h, 24, 180, 360))),
                Part("dark", tuple(quad((cx - 0.46 * h, top + 0.27 * h), (cx + 0.46 * h, top + 0.27 * h), 0.1 * h, 0.1 * h)))]
    if sil == "fedora":
        return [Part("body", tuple(ellipse(cx, top + 0.22 * h, 0.75 * h, 0.1 * h, 24))),
                Part("body", ((cx - 0.4 * h, top + 0.22 * h), (cx - 0.36 * h, top - 0.3 * h), (cx, top - 0.22 * h),
                              (cx + 0.36 * h, top - 0.3 * h), (cx + 0.4 * h, top + 0.22 * h))),
                Part("black", tuple(quad((cx - 0.4 * h, top + 0.12 * h), (cx + 0.4 * h, top + 0.12 * h), 0.05 * h, 0.05 * h)))]
    return [Part("body", tuple(ellipse(cx, top + 0.2 * h, 0.95 * h, 0.16 * h, 30))),
            Part("body", tuple(ellipse(cx, top + 0.2 * h, 0.42 * h, 0.45 * h, 24, 180, 360))),
            Part("dark", tuple(quad((cx - 0.42 * h, top + 0.12 * h), (cx + 0.42 * h, top + 0.12 * h), 0.05 * h, 0.05 * h)))]


def _glasses(b: Body, sil: str) -> list[Part]:
    h = b.h
    parts = []
    for s in ("left", "right"):
        ex, ey = b.side("eye", s)
        if sil == "round-sunglasses":
            lens = ellipse(ex, ey + 0.01 * h, 0.13 * h, 0.12 * h, 20)
        elif sil == "cat-eye":
            sg = 1 if s == "left" else -1
            lens = [(ex - sg * 0.1 * h, ey - 0.06 * h), (ex + sg * 0.16 * h, ey - 0.11 * h), (ex + sg * 0.12 * h, ey + 0.08 * h),
                    (ex - sg * 0.08 * h, ey + 0.08 * h)]
        else:
            lens = [(ex - 0.14 * h, ey - 0.08 * h), (ex + 0.14 * h, ey - 0.08 * h), (ex + 0.1 * h, ey + 0.1 * h),
                    (ex, ey + 0.13 * h), (ex - 0.11 * h, ey + 0.09 * h)]
        parts += [Part("lens", tuple(lens)), Part("body", tuple(lens + [lens[0]]), 0.035 * h)]
    le, re = b.side("eye", "left"), b.side("eye", "right")
    parts.append(Part("body", ((re[0] + 0.1 * h, re[1] - 0.04 * h), (le[0] - 0.1 * h, le[1] - 0.04 * h)), 0.03 * h))
    return parts


def _neck(b: Body, sil: str) -> list[Part]:
    h, cx, y = b.h, b.cx, b.neck_y
    if sil == "tie":
        return [Part("body", ((cx - 0.07 * h, y + 0.05 * h), (cx + 0.07 * h, y + 0.05 * h), (cx + 0.05 * h, y + 0.18 * h),
                              (cx - 0.05 * h, y + 0.18 * h))),
                Part("body", ((cx - 0.06 * h, y + 0.18 * h), (cx + 0.06 * h, y + 0.18 * h), (cx + 0.12 * h, y + 1.6 * h),
                              (cx, y + 1.75 * h), (cx - 0.12 * h, y + 1.6 * h)))]
    if sil == "silk-scarf":
        return [Part("body", tuple(quad((cx - 0.3 * h, y), (cx + 0.3 * h, y), 0.1 * h, 0.1 * h))),
                Part("body", ((cx, y), (cx + 0.22 * h, y + 0.45 * h), (cx - 0.05 * h, y + 0.4 * h)))]
    return [Part("body", tuple(quad((cx - 0.34 * h, y - 0.05 * h), (cx + 0.34 * h, y - 0.05 * h), 0.18 * h, 0.18 * h))),
            Part("body", tuple(quad((cx + 0.15 * h, y), (cx + 0.22 * h, y + 1.9 * h), 0.15 * h, 0.15 * h))),
            Part("dark", ((cx + 0.08 * h, y + 1.95 * h), (cx + 0.36 * h, y + 1.95 * h)), 0.06 * h)]


def _belt(b: Body, sil: str) -> list[Part]:
    h = b.h
    y = b.waist_y + 0.16 * h
    w = b.waist_w + 0.06 * h
    parts = [Part("body", ((b.cx - w, y - 0.07 * h), (b.cx + w, y - 0.07 * h), (b.cx + w, y + 0.07 * h),
                           (b.cx - w, y + 0.07 * h)))]
    role = "metal" if sil == "leather-belt" else "silver"
    parts.append(Part(role, ((b.cx - 0.08 * h, y - 0.09 * h), (b.cx + 0.08 * h, y - 0.09 * h), (b.cx + 0.08 * h, y + 0.09 * h),
                             (b.cx - 0.08 * h, y + 0.09 * h), (b.cx - 0.08 * h, y - 0.09 * h)), 0.035 * h))
    return parts


def worn_parts(product: DemoProduct, body: Body, hand: str = "left") -> list[Part]:
    """Parts of ``product`` as worn (or carried, for bags) by ``body``."""
    c, s = product.category, product.silhouette
    if c == "top":
        return _top(body, s)
    if c == "outerwear":
        return _outer(body, s)
    if c in ("pants", "shorts", "skirt"):
        return _bottom(body, s)
    if c == "dress":
        return _dress(body, s)
    if c == "shoes":
        return _shoes(body, s)
    if c == "bag":
        return _bag(body, s, hand)
    if c == "hat":
        return _hat(body, s)
    if c == "sunglasses":
        return _glasses(body, s)
    if c == "scarf/tie":
        return _neck(body, s)
    if c == "belt":
        return _belt(body, s)
    raise ValueError(f"no way to wear category {c!r}")
