"""Vector shapes and the one renderer that turns them into anti-aliased, textured pixels.

A garment is a list of :class:`Part`: ``body`` parts are cut out of the fabric texture, other roles are
details (soles, lenses, buttons, stitching) drawn in a colour derived from the garment's. Points are in
any coordinate frame; :func:`transform` maps them (scale, rotate, translate) before drawing.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw

from .palette import RGB, luminance, shade, texture

Point = tuple[float, float]


@dataclass(frozen=True)
class Part:
    """One drawable piece: a filled polygon (``width == 0``) or a polyline of ``width`` in the frame's units."""

    role: str
    points: tuple[Point, ...]
    width: float = 0.0


def ellipse(cx: float, cy: float, rx: float, ry: float, n: int = 40, a0: float = 0.0, a1: float = 360.0
            ) -> list[Point]:
    """Points on an ellipse (or an arc from ``a0`` to ``a1`` degrees, 0 = right, 90 = down)."""
    out = []
    for i in range(n + 1 if a1 - a0 < 360 else n):
        a = math.radians(a0 + (a1 - a0) * i / n)
        out.append((cx + rx * math.cos(a), cy + ry * math.sin(a)))
    return out


def mirror(half: Sequence[Point], cx: float = 0.5) -> list[Point]:
    """Close a left half-outline (top centre → bottom centre) into a symmetric polygon about ``x = cx``."""
    right = [(2 * cx - x, y) for x, y in reversed(half)]
    return list(half) + right


def capsule(a: Point, b: Point, ra: float, rb: float) -> list[Point]:
    """A tapered limb: the convex outline around circles of radius ``ra`` at ``a`` and ``rb`` at ``b``."""
    ang = math.atan2(b[1] - a[1], b[0] - a[0])
    pts = []
    for k in range(13):
        t = ang + math.pi / 2 + math.pi * k / 12
        pts.append((a[0] + ra * math.cos(t), a[1] + ra * math.sin(t)))
    for k in range(13):
        t = ang - math.pi / 2 + math.pi * k / 12
        pts.append((b[0] + rb * math.cos(t), b[1] + rb * math.sin(t)))
    return pts


def quad(a: Point, b: Point, ra: float, rb: float) -> list[Point]:
    """A four-sided band around segment ``a``→``b``, half-width ``ra`` at ``a`` and ``rb`` at ``b``."""
    ang = math.atan2(b[1] - a[1], b[0] - a[0]) + math.pi / 2
    c, s = math.cos(ang), math.sin(ang)
    return [(a[0] + ra * c, a[1] + ra * s), (b[0] + rb * c, b[1] + rb * s),
            (b[0] - rb * c, b[1] - rb * s), (a[0] - ra * c, a[1] - ra * s)]


def transform(parts: Sequence[Part], scale: float, angle_deg: float, centre: Point, offset: Point) -> list[Part]:
    """Parts scaled by ``scale`` and rotated by ``angle_deg`` about ``centre``, then moved to ``offset``."""
    a = math.radians(angle_deg)
    c, s = math.cos(a) * scale, math.sin(a) * scale
    out = []
    for p in parts:
        pts = tuple((offset[0] + c * (x - centre[0]) - s * (y - centre[1]),
                     offset[1] + s * (x - centre[0]) + c * (y - centre[1])) for x, y in p.points)
        out.append(Part(p.role, pts, p.width * scale))
    return out


def detail_colour(role: str, base: RGB) -> RGB:
    """Colour of a detail part relative to the garment colour (``dark``, ``light``, ``sole``, ``metal``…)."""
    light = luminance(base) > 0.55
    return {
        "dark": shade(base, 0.62), "light": shade(base, 1.35), "stitch": shade(base, 0.78 if light else 1.3),
        "sole": (236, 234, 228) if not light else (60, 56, 54), "metal": (196, 164, 84),
        "silver": (190, 192, 198), "lens": (34, 38, 46), "white": (246, 246, 244), "black": (22, 22, 24),
        "gum": (168, 120, 72), "inner": shade(base, 0.45),
    }.get(role, base)


def mask_of(parts: Sequence[Part], size: tuple[int, int], roles: Sequence[str] = ("body",)) -> Image.Image:
    """An ``L`` mask of the parts whose role is in ``roles`` (255 inside)."""
    m = Image.new("L", size, 0)
    d = ImageDraw.Draw(m)
    for p in parts:
        if p.role in roles:
            _draw(d, p, 255)
    return m


def _draw(d: ImageDraw.ImageDraw, p: Part, fill) -> None:
    if p.width > 0:
        w = max(1, round(p.width))
        d.line(p.points, fill=fill, width=w, joint="curve")
        r = w / 2
        for x, y in (p.points[0], p.points[-1]):
            d.ellipse((x - r, y - r, x + r, y + r), fill=fill)
    else:
        d.polygon(p.points, fill=fill)


def bounds(parts: Sequence[Part], size: tuple[int, int], margin: int = 4) -> tuple[int, int, int, int]:
    """Integer box around every part (line widths included), grown by ``margin`` and clipped to ``size``."""
    xs = [x for p in parts for x, _ in p.points]
    ys = [y for p in parts for _, y in p.points]
    pad = margin + max((p.width for p in parts), default=0.0)
    x0, y0 = max(0, int(min(xs) - pad)), max(0, int(min(ys) - pad))
    x1, y1 = min(size[0], int(max(xs) + pad) + 1), min(size[1], int(max(ys) + pad) + 1)
    return x0, y0, max(x0 + 1, x1), max(y0 + 1, y1)


def paint(canvas: Image.Image, parts: Sequence[Part], base: RGB, pattern: str = "solid", accent: RGB | None = None,
          scale: float = 1.0, phase: float = 0.0, light_dir: float = 0.0, outline: int = 2
          ) -> tuple[tuple[int, int, int, int], Image.Image]:
    """Draw ``parts`` onto ``canvas`` in place: body cut from the fabric, shaded and outlined, then details.

    Work happens inside the parts' bounding box only. Returns that box and the garment's coverage mask
    there (``L``, 255 where the garment is opaque).
    """
    box = bounds(parts, canvas.size, margin=outline + 2)
    local = transform(parts, 1.0, 0.0, (0.0, 0.0), (-box[0], -box[1]))
    sub = canvas.crop(box)
    size = sub.size
    fabric = texture(size, base, pattern, accent or base, scale=scale, phase=phase)
    body = mask_of(local, size)
    inner = body.getbbox()
    if inner is not None:
        sub.paste(_light(fabric, inner, light_dir), (0, 0), body)
        if outline:
            sub.paste(shade(base, 0.55), (0, 0), _edge(body, outline))
    d = ImageDraw.Draw(sub)
    cover = body.copy()
    dc = ImageDraw.Draw(cover)
    for p in local:
        if p.role != "body":
            _draw(d, p, detail_colour(p.role, base))
            _draw(dc, p, 255)
    canvas.paste(sub, box[:2])
    return box, cover


def _edge(mask: Image.Image, r: int) -> Image.Image:
    """The inner rim of ``mask``, ``r`` pixels wide (mask minus its erosion by a plus-shaped step, r times)."""
    a = np.asarray(mask)
    m = a.copy()
    for _ in range(r):
        e = m.copy()
        e[1:, :] = np.minimum(e[1:, :], m[:-1, :])
        e[:-1, :] = np.minimum(e[:-1, :], m[1:, :])
        e[:, 1:] = np.minimum(e[:, 1:], m[:, :-1])
        e[:, :-1] = np.minimum(e[:, :-1], m[:, 1:])
        e[0, :] = e[-1, :] = 0
        e[:, 0] = e[:, -1] = 0
        m = e
    return Image.fromarray(a - m)


def _light(fabric: Image.Image, box: tuple[int, int, int, int], light_dir: float) -> Image.Image:
    """Fabric with a soft left-to-right and top-to-bottom lighting gradient over ``box``."""
    w, h = fabric.size
    x0, y0, x1, y1 = box
    xs = (np.arange(w, dtype=np.float32) - x0) / max(1, x1 - x0)
    ys = (np.arange(h, dtype=np.float32) - y0) / max(1, y1 - y0)
    g = 1.06 - 0.12 * np.clip(np.abs(xs - 0.35 - 0.2 * light_dir), 0, 1)[None, :] - 0.06 * np.clip(ys, 0, 1)[:, None]
    arr = np.asarray(fabric, dtype=np.float32) * g[:, :, None]
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))
