"""Garment crops: from a detection (the app, shop the look) and from a catalog photo (ingest)."""

from __future__ import annotations

import threading

from PIL import Image

from .types import Detection

_DETECTOR = None
_LOCK = threading.Lock()


def crop(image: Image.Image, detection: Detection, pad: float = 0.05) -> Image.Image:
    """The detection's box grown by ``pad`` of its size on each side, clipped to the image."""
    x0, y0, x1, y1 = detection.box
    px, py = pad * (x1 - x0), pad * (y1 - y0)
    box = (max(0, int(x0 - px)), max(0, int(y0 - py)), min(image.width, int(round(x1 + px))),
           min(image.height, int(round(y1 + py))))
    if box[2] <= box[0] or box[3] <= box[1]:
        raise ValueError(f"detection box {detection.box} has no pixels inside the {image.width}×{image.height} image")
    return image.crop(box)


def _default_detector():
    global _DETECTOR
    with _LOCK:
        if _DETECTOR is None:
            from . import create_detector

            _DETECTOR = create_detector("pose", evidence=False, alternatives=True, min_score=0.0,
                                        parser=None)
        return _DETECTOR


def product_crop(image: Image.Image, product, detector=None) -> Image.Image:
    """Crop of the product's own category when a person wears it in ``image``; else the whole image.

    ``product`` needs a ``category``; the best-scored detection of that category on the first person is used.
    """
    det = detector or _default_detector()
    found = [d for d in det.detect(image) if d.category == product.category and d.person >= 0]
    if not found:
        return image
    best = max(found, key=lambda d: (d.score, -d.person))
    return crop(image, best)
