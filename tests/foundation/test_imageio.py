"""Safe image loading on real malformed files made here: each loads right or fails with a specific ImageError."""

from __future__ import annotations

import io
import struct
import subprocess
import sys
import time
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from fashion_core.imageio import ImageError, load_image, sniff_format


def _jpeg(img: Image.Image, **kw) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="JPEG", **kw)
    return buf.getvalue()


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def write_huge_png(path: Path, width: int, height: int) -> None:
    """A real, valid 8-bit grey PNG of width×height, written row by row (bounded memory)."""
    comp = zlib.compressobj(9)
    row = b"\x00" * (width + 1)
    body = bytearray()
    for _ in range(height):
        body += comp.compress(row)
    body += comp.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr) + _png_chunk(b"IDAT", bytes(body))
                     + _png_chunk(b"IEND", b""))


@pytest.fixture
def photo() -> Image.Image:
    rng = np.random.default_rng(0)
    return Image.fromarray(rng.integers(0, 255, (48, 64, 3), dtype=np.uint8), "RGB")


def timed_load(source):
    start = time.perf_counter()
    try:
        return load_image(source), None
    except ImageError as exc:
        return None, exc
    finally:
        assert time.perf_counter() - start < 2.0


def test_truncated_jpeg(tmp_path, photo):
    data = _jpeg(photo.resize((640, 480)))
    p = tmp_path / "cut.jpg"
    p.write_bytes(data[: len(data) // 3])
    img, err = timed_load(p)
    assert img is None and "truncated or corrupt" in str(err) and "cut.jpg" in str(err)


def test_zero_bytes(tmp_path):
    p = tmp_path / "empty.jpg"
    p.write_bytes(b"")
    _, err = timed_load(p)
    assert "empty (0 bytes)" in str(err)


def test_html_named_png(tmp_path):
    p = tmp_path / "page.png"
    p.write_text("<!DOCTYPE html><html><body>Not found</body></html>")
    _, err = timed_load(p)
    assert "HTML page" in str(err) and "accepted formats" in str(err)


def test_text_file_named_jpg():
    _, err = timed_load(b"hello, this is a plain text file\n")
    assert "plain text" in str(err)


def test_decompression_bomb_is_refused_before_decoding(tmp_path):
    p = tmp_path / "bomb.png"
    write_huge_png(p, 20_000, 20_000)
    assert p.stat().st_size < 2_000_000  # small file, 400 megapixels
    # VmHWM (peak RSS of this process image): unlike ru_maxrss it is not inherited from the forking parent.
    code = ("from fashion_core.imageio import load_image, ImageError\n"
            f"try:\n    load_image({str(p)!r})\nexcept ImageError as e:\n    print(e)\n"
            "print([ln.split()[1] for ln in open('/proc/self/status') if ln.startswith('VmHWM')][0])")
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                         cwd=Path(__file__).resolve().parents[2]).stdout.splitlines()
    assert time.perf_counter() - start < 10
    assert "20000×20000" in out[0] and "megapixels" in out[0]
    assert int(out[-1]) < 300_000  # KiB: the pixels were never decoded (400 MB if they were)


def test_cmyk_jpeg_becomes_rgb(photo):
    img, err = timed_load(_jpeg(photo.convert("CMYK")))
    assert err is None and img.mode == "RGB" and img.size == photo.size
    assert np.abs(np.asarray(img, float) - np.asarray(photo, float)).mean() < 40


def test_16bit_png_keeps_its_range():
    arr = np.tile(np.linspace(0, 65535, 64, dtype=np.uint16), (8, 1))
    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, format="PNG")
    img, err = timed_load(buf.getvalue())
    assert err is None and img.mode == "RGB"
    grey = np.asarray(img)[..., 0]
    assert grey[0, 0] == 0 and grey[0, -1] == 255 and np.all(np.diff(grey[0].astype(int)) >= 0)


def test_exif_rotated_jpeg_comes_back_upright():
    img = Image.new("RGB", (80, 40), "white")
    img.paste((255, 0, 0), (0, 0, 40, 40))  # red on the left as stored
    exif = Image.Exif()
    exif[0x0112] = 6  # stored rotated: the viewer must turn it 90° clockwise
    out, err = timed_load(_jpeg(img, exif=exif.tobytes()))
    assert err is None and out.size == (40, 80)
    top, bottom = np.asarray(out)[5, 20], np.asarray(out)[75, 20]
    assert top[0] > 200 and top[1] < 80  # stored left edge is now the top
    assert bottom.min() > 200


def test_animated_gif_gives_its_first_frame():
    frames = [Image.new("RGB", (16, 16), c) for c in ((255, 0, 0), (0, 0, 255))]
    buf = io.BytesIO()
    frames[0].save(buf, format="GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    img, err = timed_load(buf.getvalue())
    assert err is None and img.size == (16, 16)
    r, g, b = np.asarray(img)[8, 8]
    assert r > 200 and b < 50


def test_one_pixel_image():
    buf = io.BytesIO()
    Image.new("RGB", (1, 1), (10, 20, 30)).save(buf, format="PNG")
    img, err = timed_load(buf.getvalue())
    assert err is None and img.size == (1, 1) and tuple(np.asarray(img)[0, 0]) == (10, 20, 30)


def test_rgba_is_composited_on_white():
    rgba = Image.new("RGBA", (4, 4), (0, 0, 0, 0))
    buf = io.BytesIO()
    rgba.save(buf, format="PNG")
    img, _ = timed_load(buf.getvalue())
    assert tuple(np.asarray(img)[0, 0]) == (255, 255, 255)


def test_webp_and_byte_cap(photo):
    buf = io.BytesIO()
    photo.save(buf, format="WEBP")
    assert sniff_format(buf.getvalue()[:16]) == "WEBP"
    assert load_image(buf.getvalue()).size == photo.size
    with pytest.raises(ImageError, match="over the limit"):
        load_image(buf.getvalue(), max_bytes=100)


def test_missing_file_is_named(tmp_path):
    with pytest.raises(ImageError, match="no such file"):
        load_image(tmp_path / "nope.jpg")
