"""Product-shot outlines of every silhouette, in a unit square (x right, y down), as :class:`Part` lists.

Each function draws one flat-lay garment centred in the square; :mod:`products` scales, rotates,
textures and shades it. Shapes favour the cues a shopper (and an image model) recognises: sleeves,
collars, waistbands, soles, handles, lenses.
"""

from __future__ import annotations

from collections.abc import Callable

from .shapes import Part, ellipse, mirror

P = Part


def _top(sleeve: str, neck: str, hem: float = 0.86) -> list[Part]:
    """A flat-lay top: ``sleeve`` in none/short/long, ``neck`` in crew/v/collar/strap."""
    if sleeve == "none":
        half = [(0.5, 0.24 if neck != "v" else 0.34), (0.40, 0.18), (0.36, 0.12), (0.33, 0.12), (0.32, 0.30),
                (0.29, 0.40), (0.30, hem), (0.5, hem)]
    else:
        cuff = (0.13, 0.42) if sleeve == "short" else (0.08, 0.80)
        cuff2 = (0.22, 0.47) if sleeve == "short" else (0.17, 0.82)
        arm = (0.31, 0.42) if sleeve == "short" else (0.31, 0.46)
        half = [(0.5, 0.22 if neck != "v" else 0.34), (0.41, 0.15), (0.27, 0.18), cuff, cuff2, arm,
                (0.31, hem), (0.5, hem)]
    parts = [P("body", tuple(mirror(half)))]
    if neck == "crew":
        parts.append(P("dark", tuple(ellipse(0.5, 0.15, 0.09, 0.075, 20, 0, 180)), 0.012))
    if neck == "collar":
        parts += [P("light", ((0.41, 0.14), (0.5, 0.24), (0.44, 0.26), (0.38, 0.17))),
                  P("light", ((0.59, 0.14), (0.5, 0.24), (0.56, 0.26), (0.62, 0.17)))]
        parts += [P("white", tuple(ellipse(0.5, y, 0.009, 0.009, 10))) for y in (0.36, 0.50, 0.64, 0.78)]
        parts.append(P("stitch", ((0.5, 0.25), (0.5, hem)), 0.006))
    if sleeve == "long":
        parts += [P("dark", ((0.075, 0.77), (0.175, 0.80)), 0.03), P("dark", ((0.925, 0.77), (0.825, 0.80)), 0.03)]
    return parts


def t_shirt() -> list[Part]:
    """Crew-neck short-sleeve tee."""
    return _top("short", "crew")


def blouse() -> list[Part]:
    """V-neck long-sleeve blouse with a softly flared hem."""
    parts = _top("long", "v", 0.84)
    parts += [P("stitch", tuple(ellipse(0.5, 0.34, 0.015, 0.015, 8)), 0.01)]
    return parts


def sweater() -> list[Part]:
    """Crew-neck knit with ribbed cuffs and hem."""
    parts = _top("long", "crew")
    parts.append(P("dark", ((0.32, 0.84), (0.68, 0.84)), 0.04))
    return parts


def shirt() -> list[Part]:
    """Collared button-down shirt."""
    return _top("long", "collar", 0.9)


def tank_top() -> list[Part]:
    """Sleeveless top with narrow straps."""
    return _top("none", "crew", 0.84)


def _jacket(length: float, lapel: bool, buttons: int) -> list[Part]:
    half = [(0.5, 0.30), (0.42, 0.14), (0.26, 0.17), (0.10, 0.78), (0.19, 0.81), (0.29, 0.42), (0.28, length),
            (0.5, length)]
    parts = [P("body", tuple(mirror(half))), P("inner", ((0.5, 0.30), (0.5, length)), 0.012)]
    if lapel:
        parts += [P("dark", ((0.42, 0.14), (0.47, 0.36), (0.40, 0.26), (0.43, 0.15)), 0.012),
                  P("dark", ((0.58, 0.14), (0.53, 0.36), (0.60, 0.26), (0.57, 0.15)), 0.012)]
    ys = [0.45 + i * 0.1 for i in range(buttons)]
    parts += [P("black", tuple(ellipse(0.47, y, 0.014, 0.014, 10))) for y in ys]
    parts += [P("dark", ((0.09, 0.77), (0.20, 0.80)), 0.02), P("dark", ((0.91, 0.77), (0.80, 0.80)), 0.02)]
    return parts


def blazer() -> list[Part]:
    """Single-breasted blazer with lapels and pockets."""
    parts = _jacket(0.82, True, 2)
    parts += [P("dark", ((0.32, 0.64), (0.43, 0.64)), 0.012), P("dark", ((0.57, 0.64), (0.68, 0.64)), 0.012)]
    return parts


def coat() -> list[Part]:
    """Long wool coat with lapels and a double row of buttons."""
    parts = _jacket(0.96, True, 4)
    parts += [P("black", tuple(ellipse(0.57, 0.45 + i * 0.1, 0.014, 0.014, 10))) for i in range(4)]
    return parts


def puffer() -> list[Part]:
    """Quilted puffer jacket: horizontal baffles and a zip."""
    parts = _jacket(0.80, False, 0)
    parts += [P("dark", ((0.30, y), (0.70, y)), 0.012) for y in (0.30, 0.40, 0.50, 0.60, 0.70)]
    parts += [P("dark", ((0.22 - 0.02 * i, y), (0.28 - 0.01 * i, y + 0.02)), 0.012) for i, y in enumerate((0.4, 0.55))]
    parts += [P("dark", ((0.78 + 0.02 * i, y), (0.72 + 0.01 * i, y + 0.02)), 0.012) for i, y in enumerate((0.4, 0.55))]
    parts.append(P("silver", ((0.5, 0.30), (0.5, 0.80)), 0.014))
    return parts


def denim_jacket() -> list[Part]:
    """Short jacket with collar, chest pockets and stitching."""
    parts = _jacket(0.72, False, 4)
    parts += [P("light", ((0.42, 0.14), (0.5, 0.26), (0.40, 0.25), (0.36, 0.17))),
              P("light", ((0.58, 0.14), (0.5, 0.26), (0.60, 0.25), (0.64, 0.17))),
              P("stitch", ((0.33, 0.36), (0.45, 0.36), (0.45, 0.46), (0.33, 0.46), (0.33, 0.36)), 0.008),
              P("stitch", ((0.55, 0.36), (0.67, 0.36), (0.67, 0.46), (0.55, 0.46), (0.55, 0.36)), 0.008),
              P("dark", ((0.29, 0.69), (0.71, 0.69)), 0.03)]
    return parts


def cardigan() -> list[Part]:
    """V-neck button cardigan with ribbed hem."""
    parts = _jacket(0.84, False, 4)
    parts.append(P("dark", ((0.29, 0.82), (0.71, 0.82)), 0.035))
    return parts


def _pants(hem_w: float, length: float, waist: float = 0.34, crotch: float = 0.40) -> list[Part]:
    half = [(0.5, 0.10), (0.5 - waist / 2, 0.10), (0.5 - waist / 2 - 0.05, 0.40),
            (0.5 - waist / 2 - 0.03 - hem_w * 0.3, length), (0.5 - waist / 2 - 0.03 - hem_w * 0.3 + hem_w, length),
            (0.5, crotch)]
    return [P("body", tuple(mirror(half))), P("dark", ((0.5 - waist / 2, 0.13), (0.5 + waist / 2, 0.13)), 0.04)]


def trousers() -> list[Part]:
    """Straight tailored trousers with a pressed crease."""
    parts = _pants(0.17, 0.95)
    parts += [P("stitch", ((0.40, 0.17), (0.39, 0.93)), 0.006), P("stitch", ((0.60, 0.17), (0.61, 0.93)), 0.006)]
    return parts


def jeans() -> list[Part]:
    """Five-pocket jeans with contrast stitching."""
    parts = _pants(0.15, 0.95)
    parts += [P("metal", ((0.37, 0.17), (0.42, 0.24), (0.45, 0.17)), 0.008),
              P("metal", ((0.63, 0.17), (0.58, 0.24), (0.55, 0.17)), 0.008),
              P("metal", ((0.5, 0.15), (0.5, 0.34)), 0.006)]
    return parts


def wide_leg() -> list[Part]:
    """High-waisted wide-leg trousers."""
    return _pants(0.24, 0.95, 0.30, 0.42)


def joggers() -> list[Part]:
    """Tapered joggers with drawstring and cuffs."""
    parts = _pants(0.11, 0.93)
    parts += [P("white", ((0.47, 0.14), (0.46, 0.24)), 0.01), P("white", ((0.53, 0.14), (0.54, 0.24)), 0.01),
              P("dark", ((0.24, 0.91), (0.36, 0.91)), 0.03), P("dark", ((0.64, 0.91), (0.76, 0.91)), 0.03)]
    return parts


def denim_shorts() -> list[Part]:
    """Short denim cut-offs."""
    parts = _pants(0.22, 0.52, 0.40, 0.38)
    parts += [P("light", ((0.25, 0.52), (0.49, 0.50)), 0.02), P("light", ((0.51, 0.50), (0.75, 0.52)), 0.02)]
    return parts


def tailored_shorts() -> list[Part]:
    """Knee-length tailored shorts with turn-ups."""
    parts = _pants(0.22, 0.66, 0.38, 0.38)
    parts += [P("dark", ((0.25, 0.64), (0.48, 0.64)), 0.03), P("dark", ((0.52, 0.64), (0.75, 0.64)), 0.03)]
    return parts


def _skirt(hem_half: float, length: float) -> list[Part]:
    half = [(0.5, 0.14), (0.33, 0.14), (0.5 - hem_half, length), (0.5, length + 0.02)]
    return [P("body", tuple(mirror(half))), P("dark", ((0.33, 0.16), (0.67, 0.16)), 0.04)]


def mini_skirt() -> list[Part]:
    """Short A-line skirt."""
    return _skirt(0.30, 0.55)


def pleated_skirt() -> list[Part]:
    """Midi skirt with knife pleats."""
    parts = _skirt(0.34, 0.86)
    parts += [P("dark", ((0.5 + dx * 0.3, 0.2), (0.5 + dx, 0.86)), 0.008) for dx in (-0.24, -0.12, 0, 0.12, 0.24)]
    return parts


def pencil_skirt() -> list[Part]:
    """Straight knee-length pencil skirt with a back slit line."""
    parts = _skirt(0.19, 0.84)
    parts.append(P("dark", ((0.5, 0.72), (0.5, 0.85)), 0.01))
    return parts


def sundress() -> list[Part]:
    """Strappy flared summer dress."""
    half = [(0.5, 0.24), (0.40, 0.20), (0.37, 0.08), (0.35, 0.08), (0.33, 0.24), (0.33, 0.42),
            (0.16, 0.90), (0.5, 0.92)]
    return [P("body", tuple(mirror(half))), P("dark", ((0.33, 0.42), (0.67, 0.42)), 0.02)]


def shift_dress() -> list[Part]:
    """Sleeveless straight dress to the knee."""
    half = [(0.5, 0.16), (0.42, 0.10), (0.34, 0.12), (0.30, 0.30), (0.31, 0.40), (0.27, 0.92), (0.5, 0.92)]
    return [P("body", tuple(mirror(half))), P("dark", tuple(ellipse(0.5, 0.10, 0.08, 0.06, 16, 0, 180)), 0.012)]


def maxi_dress() -> list[Part]:
    """Floor-length dress with short sleeves and a fitted waist."""
    half = [(0.5, 0.12), (0.43, 0.05), (0.33, 0.07), (0.23, 0.20), (0.29, 0.25), (0.34, 0.20), (0.36, 0.40),
            (0.20, 0.97), (0.5, 0.98)]
    return [P("body", tuple(mirror(half))), P("dark", ((0.36, 0.40), (0.64, 0.40)), 0.025)]


def _shoe_side(x0: float, y0: float, s: float, kind: str) -> list[Part]:
    def t(pts):
        return tuple((x0 + x * s, y0 + y * s) for x, y in pts)

    if kind == "sneakers":
        body = [(0.0, 0.30), (0.05, 0.12), (0.30, 0.10), (0.45, 0.22), (0.80, 0.30), (0.95, 0.40), (0.96, 0.50),
                (0.0, 0.50)]
        return [P("body", t(body)), P("sole", t([(-0.01, 0.46), (0.97, 0.46), (0.96, 0.58), (0.0, 0.58)])),
                P("white", t([(0.38, 0.20), (0.62, 0.30)]), 0.02 * s),
                P("white", t([(0.34, 0.24), (0.56, 0.34)]), 0.02 * s)]
    if kind == "boots":
        body = [(0.05, -0.25), (0.42, -0.25), (0.45, 0.20), (0.80, 0.30), (0.95, 0.42), (0.95, 0.52), (0.0, 0.52)]
        return [P("body", t(body)), P("black", t([(0.0, 0.50), (0.95, 0.50), (0.95, 0.58), (0.0, 0.58)])),
                P("dark", t([(0.05, -0.22), (0.42, -0.22)]), 0.04 * s)]
    if kind == "heels":
        body = [(0.02, 0.10), (0.22, 0.12), (0.40, 0.30), (0.70, 0.44), (0.97, 0.50), (0.95, 0.56), (0.60, 0.52),
                (0.25, 0.34), (0.08, 0.34)]
        return [P("body", t(body)), P("inner", t([(0.08, 0.33), (0.14, 0.33), (0.12, 0.60), (0.09, 0.60)])),
                P("inner", t([(0.22, 0.14), (0.40, 0.30), (0.36, 0.30), (0.20, 0.18)]))]
    if kind == "loafers":
        body = [(0.0, 0.30), (0.04, 0.20), (0.40, 0.20), (0.70, 0.28), (0.94, 0.38), (0.96, 0.50), (0.0, 0.50)]
        return [P("body", t(body)), P("dark", t([(0.0, 0.48), (0.96, 0.48), (0.95, 0.55), (0.0, 0.55)])),
                P("dark", t([(0.48, 0.27), (0.70, 0.31)]), 0.04 * s),
                P("metal", t([(0.56, 0.28), (0.62, 0.30)]), 0.02 * s)]
    # sandals
    return [P("body", t([(0.0, 0.46), (0.96, 0.46), (0.96, 0.54), (0.0, 0.54)])),
            P("body", t([(0.30, 0.46), (0.42, 0.20), (0.50, 0.20), (0.42, 0.46)])),
            P("body", t([(0.55, 0.46), (0.66, 0.26), (0.74, 0.28), (0.66, 0.46)])),
            P("body", t([(0.05, 0.46), (0.08, 0.26), (0.14, 0.26), (0.12, 0.46)])),
            P("gum", t([(0.0, 0.53), (0.96, 0.53), (0.95, 0.58), (0.0, 0.58)]))]


def _pair(kind: str) -> Callable[[], list[Part]]:
    def draw() -> list[Part]:
        back = [Part("dark" if p.role == "body" else p.role, p.points, p.width)
                for p in _shoe_side(0.16, 0.24, 0.74, kind)]
        return back + _shoe_side(0.06, 0.32, 0.78, kind)
    draw.__doc__ = f"A pair of {kind}, side view, one shoe behind the other."
    return draw


def backpack() -> list[Part]:
    """Rucksack with a front pocket, top handle and straps."""
    return [P("dark", tuple(ellipse(0.5, 0.16, 0.08, 0.08, 20, 180, 360)), 0.03),
            P("body", ((0.26, 0.30), (0.30, 0.20), (0.70, 0.20), (0.74, 0.30), (0.76, 0.88), (0.24, 0.88))),
            P("dark", ((0.32, 0.56), (0.68, 0.56), (0.66, 0.82), (0.34, 0.82))),
            P("silver", ((0.34, 0.60), (0.66, 0.60)), 0.012)]


def tote() -> list[Part]:
    """Open tote with two long handles."""
    return [P("dark", tuple(ellipse(0.40, 0.34, 0.10, 0.22, 20, 180, 360)), 0.025),
            P("dark", tuple(ellipse(0.60, 0.34, 0.10, 0.22, 20, 180, 360)), 0.025),
            P("body", ((0.20, 0.34), (0.80, 0.34), (0.86, 0.86), (0.14, 0.86)))]


def clutch() -> list[Part]:
    """Envelope clutch with a flap and clasp."""
    return [P("body", ((0.18, 0.36), (0.82, 0.36), (0.82, 0.68), (0.18, 0.68))),
            P("dark", ((0.18, 0.36), (0.82, 0.36), (0.5, 0.56))),
            P("metal", tuple(ellipse(0.5, 0.55, 0.025, 0.025, 12)))]


def crossbody() -> list[Part]:
    """Small shoulder bag with a long strap."""
    return [P("dark", tuple(ellipse(0.5, 0.52, 0.26, 0.42, 30, 180, 360)), 0.018),
            P("body", ((0.28, 0.50), (0.72, 0.50), (0.74, 0.84), (0.26, 0.84))),
            P("dark", ((0.28, 0.50), (0.72, 0.50), (0.72, 0.64), (0.28, 0.64))),
            P("metal", ((0.47, 0.62), (0.53, 0.62), (0.53, 0.67), (0.47, 0.67)))]


def cap() -> list[Part]:
    """Baseball cap with a front visor."""
    return [P("body", tuple(ellipse(0.44, 0.58, 0.26, 0.24, 30, 180, 360))),
            P("dark", ((0.60, 0.56), (0.90, 0.60), (0.88, 0.66), (0.60, 0.64))),
            P("dark", tuple(ellipse(0.44, 0.35, 0.025, 0.02, 10)))]


def beanie() -> list[Part]:
    """Knit beanie with folded rib cuff and pompom."""
    return [P("body", tuple(ellipse(0.5, 0.60, 0.24, 0.32, 30, 180, 360))),
            P("dark", ((0.25, 0.56), (0.75, 0.56), (0.76, 0.70), (0.24, 0.70))),
            P("light", tuple(ellipse(0.5, 0.25, 0.07, 0.07, 16)))]


def fedora() -> list[Part]:
    """Felt fedora: pinched crown, band, wide brim."""
    return [P("body", tuple(ellipse(0.5, 0.62, 0.40, 0.08, 30))),
            P("body", ((0.30, 0.62), (0.33, 0.36), (0.45, 0.30), (0.5, 0.34), (0.55, 0.30), (0.67, 0.36),
                       (0.70, 0.62))),
            P("black", ((0.31, 0.53), (0.69, 0.53), (0.70, 0.60), (0.30, 0.60)))]


def sun_hat() -> list[Part]:
    """Floppy wide-brim sun hat with a ribbon."""
    return [P("body", tuple(ellipse(0.5, 0.60, 0.45, 0.13, 30))),
            P("body", tuple(ellipse(0.5, 0.58, 0.18, 0.18, 24, 180, 360))),
            P("dark", ((0.32, 0.54), (0.68, 0.54), (0.68, 0.58), (0.32, 0.58)))]


def leather_belt() -> list[Part]:
    """Leather belt with a metal buckle and holes."""
    parts = [P("body", ((0.06, 0.46), (0.92, 0.46), (0.96, 0.50), (0.92, 0.54), (0.06, 0.54))),
             P("metal", ((0.10, 0.42), (0.20, 0.42), (0.20, 0.58), (0.10, 0.58), (0.10, 0.42)), 0.022)]
    parts += [P("black", tuple(ellipse(x, 0.50, 0.007, 0.007, 8))) for x in (0.70, 0.75, 0.80, 0.85)]
    return parts


def braided_belt() -> list[Part]:
    """Woven belt with a silver buckle."""
    parts = [P("body", ((0.06, 0.45), (0.94, 0.45), (0.94, 0.55), (0.06, 0.55)))]
    parts += [P("dark", ((x, 0.45), (x + 0.03, 0.55)), 0.008) for x in [0.24 + 0.04 * i for i in range(17)]]
    parts.append(P("silver", ((0.08, 0.41), (0.20, 0.41), (0.20, 0.59), (0.08, 0.59), (0.08, 0.41)), 0.02))
    return parts


def scarf() -> list[Part]:
    """Long knit scarf folded in an S with fringes."""
    parts = [P("body", ((0.30, 0.08), (0.50, 0.08), (0.56, 0.50), (0.70, 0.90), (0.50, 0.92), (0.38, 0.52)))]
    parts += [P("dark", ((0.50 + i * 0.04, 0.91), (0.50 + i * 0.04, 0.97)), 0.01) for i in range(6)]
    return parts


def silk_scarf() -> list[Part]:
    """Square silk scarf laid flat, with a rolled border."""
    return [P("body", ((0.5, 0.12), (0.86, 0.5), (0.5, 0.88), (0.14, 0.5))),
            P("stitch", ((0.5, 0.16), (0.82, 0.5), (0.5, 0.84), (0.18, 0.5), (0.5, 0.16)), 0.01)]


def tie() -> list[Part]:
    """Necktie with knot and pointed blade."""
    return [P("body", ((0.46, 0.10), (0.54, 0.10), (0.56, 0.18), (0.44, 0.18))),
            P("body", ((0.45, 0.19), (0.55, 0.19), (0.60, 0.82), (0.5, 0.92), (0.40, 0.82))),
            P("dark", ((0.45, 0.19), (0.55, 0.19)), 0.012)]


def _glasses(lens: Callable[[float], list]) -> list[Part]:
    return [P("lens", tuple(lens(0.32))), P("lens", tuple(lens(0.68))),
            P("body", tuple(lens(0.32) + [lens(0.32)[0]]), 0.022), P("body", tuple(lens(0.68) + [lens(0.68)[0]]), 0.022),
            P("body", ((0.43, 0.44), (0.5, 0.42), (0.57, 0.44)), 0.018),
            P("body", ((0.14, 0.42), (0.06, 0.40)), 0.02), P("body", ((0.86, 0.42), (0.94, 0.40)), 0.02)]


def aviators() -> list[Part]:
    """Teardrop aviators with a double bridge."""
    parts = _glasses(lambda cx: [(cx - 0.14, 0.42), (cx + 0.14, 0.42), (cx + 0.11, 0.58), (cx, 0.63),
                                 (cx - 0.12, 0.56)])
    parts.append(P("body", ((0.40, 0.40), (0.60, 0.40)), 0.012))
    return parts


def round_sunglasses() -> list[Part]:
    """Round lenses on a thin frame."""
    return _glasses(lambda cx: ellipse(cx, 0.50, 0.12, 0.12, 24))


def cat_eye() -> list[Part]:
    """Cat-eye frames with upswept outer corners."""
    return _glasses(lambda cx: [(cx - 0.14 if cx < 0.5 else cx - 0.12, 0.40 if cx < 0.5 else 0.44),
                                (cx + 0.12 if cx < 0.5 else cx + 0.14, 0.44 if cx < 0.5 else 0.40),
                                (cx + 0.10, 0.56), (cx, 0.60), (cx - 0.10, 0.56)])


PRODUCT_SHAPES: dict[str, Callable[[], list[Part]]] = {
    "t-shirt": t_shirt, "blouse": blouse, "sweater": sweater, "shirt": shirt, "tank-top": tank_top,
    "blazer": blazer, "coat": coat, "puffer": puffer, "denim-jacket": denim_jacket, "cardigan": cardigan,
    "trousers": trousers, "jeans": jeans, "wide-leg": wide_leg, "joggers": joggers,
    "denim-shorts": denim_shorts, "tailored-shorts": tailored_shorts,
    "mini-skirt": mini_skirt, "pleated-skirt": pleated_skirt, "pencil-skirt": pencil_skirt,
    "sundress": sundress, "shift-dress": shift_dress, "maxi-dress": maxi_dress,
    "sneakers": _pair("sneakers"), "boots": _pair("boots"), "heels": _pair("heels"), "loafers": _pair("loafers"),
    "sandals": _pair("sandals"),
    "backpack": backpack, "tote": tote, "clutch": clutch, "crossbody": crossbody,
    "cap": cap, "beanie": beanie, "fedora": fedora, "sun-hat": sun_hat,
    "leather-belt": leather_belt, "braided-belt": braided_belt,
    "scarf": scarf, "silk-scarf": silk_scarf, "tie": tie,
    "aviators": aviators, "round-sunglasses": round_sunglasses, "cat-eye": cat_eye,
}
"""Silhouette name → function returning its flat-lay parts in the unit square."""
