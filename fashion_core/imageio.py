"""Safe image loading: the only way the project opens an image (uploads, catalogs, datasets).

Sniffs the real file type from its bytes (not its name), caps bytes and pixels before decoding
(decompression bombs), honours EXIF orientation, takes the first frame of an animation and converts
every mode (RGBA, LA, P, L, I;16, CMYK…) to 8-bit RGB. Every failure is one :class:`ImageError`
whose message says what is wrong and what is accepted.
"""

from __future__ import annotations

import io
import os
import warnings
from pathlib import Path
from typing import BinaryIO

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 50 * 1024 * 1024
"""Largest file accepted (50 MiB); the Streamlit upload limit matches it."""

MAX_PIXELS = 40_000_000
"""Largest decoded image accepted (40 megapixels, about 8000 × 5000)."""

ACCEPTED = ("JPEG", "PNG", "WEBP", "GIF", "BMP", "TIFF")
"""Formats the project decodes."""

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xd8\xff", "JPEG"),
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"BM", "BMP"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
)

_ACCEPTED_TEXT = "JPEG, PNG, WebP, GIF, BMP or TIFF"


class ImageError(ValueError):
    """An image that cannot be used, with a message that says why and what is accepted."""


def sniff_format(head: bytes) -> str | None:
    """Real image format from the first bytes of a file, or ``None`` when it is not an accepted image."""
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    for magic, fmt in _MAGIC:
        if head.startswith(magic):
            return fmt
    return None


def _describe_non_image(head: bytes) -> str:
    text = head.lstrip()[:64].lower()
    if not head:
        return "the file is empty (0 bytes)"
    if text.startswith((b"<!doctype html", b"<html")):
        return "the file is an HTML page, not an image"
    if text.startswith(b"<?xml") or text.startswith(b"<svg"):
        return "the file is XML/SVG, which is not accepted"
    if head.startswith(b"%PDF"):
        return "the file is a PDF, not an image"
    if head.startswith(b"PK\x03\x04"):
        return "the file is a ZIP archive, not an image"
    if all(32 <= b < 127 or b in (9, 10, 13) for b in head[:256]):
        return "the file is plain text, not an image"
    return "the file is not a recognised image"


def load_image(
    source: str | os.PathLike | bytes | BinaryIO,
    *,
    max_bytes: int = MAX_BYTES,
    max_pixels: int = MAX_PIXELS,
    name: str | None = None,
) -> Image.Image:
    """Open ``source`` (path, bytes or file object) as an upright 8-bit RGB image, or raise :class:`ImageError`."""
    label = name or (str(source) if isinstance(source, (str, os.PathLike)) else "upload")
    data = _read_bytes(source, max_bytes, label)
    fmt = sniff_format(data[:32])
    if fmt is None:
        raise ImageError(f"{label}: {_describe_non_image(data[:512])}; accepted formats are {_ACCEPTED_TEXT}")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = _open_header(data, fmt, label)
            w, h = img.size
            if w < 1 or h < 1:
                raise ImageError(f"{label}: the image has no pixels ({w}×{h})")
            if w * h > max_pixels:
                raise ImageError(
                    f"{label}: the image is {w}×{h} = {w * h / 1e6:.0f} megapixels, over the limit of "
                    f"{max_pixels / 1e6:.0f} megapixels; resize it before uploading"
                )
            if getattr(img, "is_animated", False):
                img.seek(0)
            img.load()
    except ImageError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageError(f"{label}: the image is too large to decode safely ({exc})") from None
    except (OSError, UnidentifiedImageError, SyntaxError, ValueError, EOFError) as exc:
        reason = "the file is truncated or corrupt" if "truncat" in str(exc).lower() else f"it cannot be decoded ({exc})"
        raise ImageError(f"{label}: a {fmt} file, but {reason}; re-export it as {_ACCEPTED_TEXT}") from None
    return _to_rgb(_upright(img, label))


def _open_header(data: bytes, fmt: str, label: str) -> Image.Image:
    """Parse only the header with the format's own plugin, so the pixel cap is ours and says the size."""
    Image.init()
    factory, _accept = Image.OPEN[fmt]
    return factory(io.BytesIO(data), label)


def _read_bytes(source, max_bytes: int, label: str) -> bytes:
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
    elif isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if not path.exists():
            raise ImageError(f"{label}: no such file")
        if not path.is_file():
            raise ImageError(f"{label}: not a regular file")
        size = path.stat().st_size
        if size > max_bytes:
            raise ImageError(f"{label}: the file is {size / 2**20:.1f} MiB, over the limit of {max_bytes / 2**20:.0f} MiB")
        data = path.read_bytes()
    else:
        data = source.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ImageError(f"{label}: the file is over the limit of {max_bytes / 2**20:.0f} MiB")
    return data


def _upright(img: Image.Image, label: str) -> Image.Image:
    try:
        return ImageOps.exif_transpose(img) or img
    except Exception:  # a broken EXIF block should not lose an otherwise good image
        return img


def _to_rgb(img: Image.Image) -> Image.Image:
    mode = img.mode
    if mode == "RGB":
        return img
    if mode in ("I;16", "I;16B", "I;16L", "I"):
        arr = np.asarray(img, dtype=np.float64)
        peak = 65535.0 if mode.startswith("I;16") or arr.max() > 255 else 255.0
        arr = np.clip(arr / peak * 255.0 + 0.5, 0, 255).astype(np.uint8)
        return Image.fromarray(arr, "L").convert("RGB")
    if mode == "F":
        arr = np.asarray(img, dtype=np.float64)
        lo, hi = float(arr.min()), float(arr.max())
        arr = ((arr - lo) / (hi - lo or 1.0) * 255.0).astype(np.uint8)
        return Image.fromarray(arr, "L").convert("RGB")
    if mode == "P" and "transparency" in img.info:
        img = img.convert("RGBA")
        mode = "RGBA"
    if mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        rgba = img.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, rgba).convert("RGB")
    return img.convert("RGB")
