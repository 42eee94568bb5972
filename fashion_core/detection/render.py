"""Overlays for the app: garment boxes and numbered round icons (the selected one highlighted)."""

from __future__ import annotations

from collections.abc import Sequence

from PIL import Image, ImageDraw, ImageFont

from .types import Detection

COLOURS = ((230, 57, 70), (29, 53, 87), (42, 157, 143), (233, 196, 106), (244, 162, 97), (69, 123, 157))


def icon_radius(image: Image.Image) -> int:
    """Icon radius in pixels for this image size (about 2.2% of the short side, at least 9)."""
    return max(9, int(0.022 * min(image.size)))


def draw_overlays(image: Image.Image, detections: Sequence[Detection], selected: int | None = None) -> Image.Image:
    """A copy of ``image`` with each detection's box and a numbered icon (1-based); ``selected`` drawn bold."""
    out = image.convert("RGB").copy()
    draw = ImageDraw.Draw(out)
    r = icon_radius(out)
    font = ImageFont.load_default()
    for i, det in enumerate(detections):
        colour = COLOURS[i % len(COLOURS)]
        width = 4 if i == selected else 2
        if selected is None or i == selected:
            draw.rectangle(det.box, outline=colour, width=width)
    for i, det in enumerate(detections):
        colour = COLOURS[i % len(COLOURS)]
        x, y = det.icon
        rr = r + 3 if i == selected else r
        draw.ellipse((x - rr, y - rr, x + rr, y + rr), fill=(255, 255, 255), outline=colour, width=3)
        label = str(i + 1)
        tw, th = draw.textbbox((0, 0), label, font=font)[2:]
        draw.text((x - tw / 2, y - th / 2), label, fill=colour, font=font)
    return out
