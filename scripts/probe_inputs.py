"""Probe the project with bad input it makes itself: malformed images and malformed catalogs, library and CLI.

Builds a corpus in a temporary folder (truncated, zeroed, mislabelled and bomb images; odd but valid images;
catalogs with bad lines, wrong encodings, escaping paths, broken JSON and Parquet), runs each item through
``fashion_core.imageio.load_image``, ``fashion_core.catalog.load_catalog`` and ``fashion-core catalog check``,
and says for each whether it *held*: the expected answer (a good image, every good row) or one clear refusal
(one line, no traceback, within the time limit). Prints ``N tried, N held`` and the probes that did not.

Run: .venv/bin/python scripts/probe_inputs.py [-v]      (exit 0 when every probe held)
"""

from __future__ import annotations

import argparse
import io
import json
import os
import struct
import subprocess
import sys
import tempfile
import time
import warnings
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PIL import Image  # noqa: E402

from fashion_core.catalog import load_catalog  # noqa: E402
from fashion_core.imageio import ImageError, load_image  # noqa: E402

TIME_LIMIT_S = 3.0
HEADER = "product_id,title,category,image\n"


@dataclass
class Outcome:
    name: str
    held: bool
    detail: str
    seconds: float


# ---------------------------------------------------------------- the image corpus

def _jpeg(size=(64, 48), mode="RGB", **kw) -> bytes:
    buf = io.BytesIO()
    Image.new(mode, size, (120, 40, 200) if mode == "RGB" else 90).save(buf, "JPEG", quality=90, **kw)
    return buf.getvalue()


def _png(img: Image.Image) -> bytes:
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def _png_declaring(width: int, height: int) -> bytes:
    """A tiny PNG whose header declares ``width`` × ``height`` pixels (a decompression bomb's header)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")


def _exif_rotated() -> bytes:
    img = Image.new("RGB", (80, 40), (10, 200, 10))
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90° to show upright
    buf = io.BytesIO()
    img.save(buf, "JPEG", exif=exif)
    return buf.getvalue()


def _animated_gif() -> bytes:
    frames = [Image.new("P", (30, 20), i * 40) for i in range(3)]
    buf = io.BytesIO()
    frames[0].save(buf, "GIF", save_all=True, append_images=frames[1:], duration=50, loop=0)
    return buf.getvalue()


def image_corpus(folder: Path) -> list[tuple[str, Path, object]]:
    """``(name, file, expected)``: expected is ``(w, h)`` for an image that must load upright, else "refused"."""
    good = _jpeg()
    png = _png(Image.new("RGB", (40, 30), (1, 2, 3)))
    items: dict[str, tuple[bytes, object]] = {
        "empty file": (b"", "refused"),
        "one byte": (b"\xff", "refused"),
        "text named .jpg": (b"these are my notes, not a photo\n", "refused"),
        "HTML page named .jpg": (b"<!DOCTYPE html><html><body>404</body></html>", "refused"),
        "SVG named .jpg": (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>', "refused"),
        "PDF named .jpg": (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", "refused"),
        "ZIP named .jpg": (b"PK\x03\x04" + b"\0" * 40, "refused"),
        "JPEG cut in half": (good[: len(good) // 2], "refused"),
        "JPEG header only": (good[:120], "refused"),
        "JPEG body zeroed": (good[:200] + b"\0" * (len(good) - 200), "refused"),
        "JPEG magic then garbage": (b"\xff\xd8\xff" + os.urandom(400), "refused"),
        "PNG cut in half": (png[: len(png) // 2], "refused"),
        "PNG with a broken CRC": (png[:29] + b"\0\0\0\0" + png[33:], "refused"),
        "PNG declaring 100000x100000 (bomb)": (_png_declaring(100_000, 100_000), "refused"),
        "PNG declaring 0x0": (_png_declaring(0, 0), "refused"),
        "GIF magic then garbage": (b"GIF89a" + os.urandom(64), "refused"),
        "BMP magic then garbage": (b"BM" + os.urandom(64), "refused"),
        "TIFF magic then garbage": (b"II*\x00" + os.urandom(64), "refused"),
        "WebP magic then garbage": (b"RIFF\x20\0\0\0WEBPVP8 " + os.urandom(40), "refused"),
        "valid JPEG": (good, (64, 48)),
        "CMYK JPEG": (_jpeg(mode="CMYK"), (64, 48)),
        "greyscale JPEG": (_jpeg(mode="L"), (64, 48)),
        "16-bit PNG": (_png(Image.new("I;16", (20, 10), 40000)), (20, 10)),
        "RGBA PNG": (_png(Image.new("RGBA", (20, 10), (0, 0, 0, 0))), (20, 10)),
        "palette PNG with transparency": (_png(_palette_transparent()), (16, 16)),
        "1-bit PNG": (_png(Image.new("1", (9, 7), 1)), (9, 7)),
        "1x1 PNG": (_png(Image.new("RGB", (1, 1))), (1, 1)),
        "EXIF-rotated JPEG (80x40 stored)": (_exif_rotated(), (40, 80)),
        "animated GIF (first frame)": (_animated_gif(), (30, 20)),
        "JPEG named .png": (good, (64, 48)),
    }
    out = []
    for i, (name, (data, expected)) in enumerate(items.items()):
        path = folder / f"img{i:02d}{'.png' if 'PNG' in name and 'named' not in name else '.jpg'}"
        path.write_bytes(data)
        out.append((name, path, expected))
    big = folder / "sparse-60MiB.jpg"
    with open(big, "wb") as fh:  # sparse: no disk used
        fh.write(good[:3])
        fh.truncate(60 * 2**20)
    out.append(("60 MiB file (over the byte cap)", big, "refused"))
    (folder / "a-folder.jpg").mkdir()
    out.append(("a folder named .jpg", folder / "a-folder.jpg", "refused"))
    return out


def _palette_transparent() -> Image.Image:
    img = Image.new("P", (16, 16), 0)
    img.info["transparency"] = 0
    return img


def probe_image(name: str, path: Path, expected) -> Outcome:
    t0 = time.perf_counter()
    try:
        with warnings.catch_warnings():  # PIL warns about some corrupt headers; the refusal is what counts
            warnings.simplefilter("ignore", UserWarning)
            img = load_image(path)
        got = img.size
        held = expected != "refused" and got == expected and img.mode == "RGB"
        detail = f"loaded {got[0]}x{got[1]} {img.mode}" + ("" if held else f", expected {expected}")
    except ImageError as exc:
        msg = str(exc)
        held = expected == "refused" and "\n" not in msg and len(msg) < 400
        detail = f"refused: {msg}" if held else f"refused, expected {expected}: {msg}"
    except Exception as exc:  # noqa: BLE001 - a probe reports whatever escaped
        held, detail = False, f"{type(exc).__name__} escaped: {exc}"
    seconds = time.perf_counter() - t0
    if seconds > TIME_LIMIT_S:
        held, detail = False, f"took {seconds:.1f} s: {detail}"
    return Outcome(f"image: {name}", held, detail, seconds)


# ---------------------------------------------------------------- the catalog corpus

@dataclass
class CatalogProbe:
    name: str
    file: str
    content: bytes | Callable[[Path], None]
    ids: list[str] | None = None  # the products that must load (None: a refusal is expected)
    rejected_lines: list[int] | None = None  # the lines the report must name
    refusal: str | None = None  # a phrase the one-line refusal must hold
    decode: bool = False


def catalog_corpus(root: Path) -> list[CatalogProbe]:
    images = root / "images"
    images.mkdir()
    Image.new("RGB", (24, 32), (200, 30, 30)).save(images / "a.jpg")
    data = (images / "a.jpg").read_bytes()
    (images / "cut.jpg").write_bytes(data[: len(data) // 2])
    (root.parent / "outside.jpg").write_bytes(data)
    os.symlink(root.parent / "outside.jpg", images / "link-out.jpg")
    rows = [f"P{i},Tee {i},top,images/a.jpg\n" for i in range(1, 6)]
    ids = [f"P{i}" for i in range(1, 6)]

    def csv(*middle: str) -> bytes:
        return (HEADER + "".join(rows[:2]) + "".join(middle) + "".join(rows[2:])).encode()

    def parquet(path: Path) -> None:
        import pandas as pd
        pd.DataFrame({"product_id": [1525, None, 1527], "title": ["a", "b", "c"], "category": ["top"] * 3,
                      "image": ["images/a.jpg"] * 3}).to_parquet(path)

    def folder_catalog(path: Path) -> None:
        (path / "top").mkdir(parents=True)
        (path / "widgets").mkdir()
        Image.new("RGB", (8, 8)).save(path / "top" / "red_tee.jpg")
        Image.new("RGB", (8, 8)).save(path / "widgets" / "thing.jpg")

    jsonl_rows = [json.dumps({"product_id": 1525 + i, "title": f"t{i}", "category": "top", "image": "images/a.jpg"})
                  for i in range(3)]
    return [
        CatalogProbe("CSV, one line with an extra field", "c01.csv", csv("X,Tee,top,images/a.jpg,surplus\n"), ids, [4]),
        CatalogProbe("CSV, one unbalanced quote", "c02.csv", csv('X,"Tee,top,images/a.jpg\n'), ids, [4]),
        CatalogProbe("CSV, one stray quote", "c03.csv", csv('X,"Tee "x"",top,images/a.jpg\n'), ids, [4]),
        CatalogProbe("CSV, one line missing a field", "c04.csv", csv("X,Tee,top\n"), ids, [4]),
        CatalogProbe("CSV, a NUL byte in a line", "c05.csv", csv("X,Te\0e,top,images/a.jpg\n"), ids, [4]),
        CatalogProbe("CSV, an unclosed quote 200 lines before the end", "c06.csv",
                     (HEADER + 'X,"open,top,images/a.jpg\n' + "".join(f"Q{i},t,top,images/a.jpg\n" for i in range(200))
                      ).encode(), [f"Q{i}" for i in range(200)], [2]),
        CatalogProbe("CSV, a quoted title over two lines", "c07.csv", csv('X,"two\nlines",top,images/a.jpg\n'),
                     ids[:2] + ["X"] + ids[2:], []),
        CatalogProbe("CSV, Latin-1 encoded", "c08.csv", (HEADER + "1,Café tee,top,images/a.jpg\n").encode("latin-1"),
                     ["1"], []),
        CatalogProbe("CSV, UTF-16 with a byte-order mark", "c09.csv",
                     (HEADER + "1,Tee,top,images/a.jpg\n").encode("utf-16"), ["1"], []),
        CatalogProbe("CSV, UTF-8 with a byte-order mark", "c10.csv", b"\xef\xbb\xbf" + csv(), ids, []),
        CatalogProbe("CSV, CRLF line ends and blank lines", "c11.csv", csv("\r\n", "\n").replace(b"\n", b"\r\n"),
                     ids, []),
        CatalogProbe("CSV, ids with leading zeros and exponents", "c12.csv",
                     (HEADER + "007,t,top,images/a.jpg\n1e3,t,top,images/a.jpg\n").encode(), ["007", "1e3"], []),
        CatalogProbe("CSV, a 1 MB title (one row refused, the next kept)", "c13.csv",
                     (HEADER + f"1,{'x' * 2**20},top,images/a.jpg\n2,t,top,images/a.jpg\n").encode(), ["2"], [2]),
        CatalogProbe("CSV, duplicate id", "c14.csv", csv("P1,Again,top,images/a.jpg\n"), ids, [4]),
        CatalogProbe("CSV, paths escaping the catalog folder", "c15.csv",
                     csv("X,t,top,../outside.jpg\n", "Y,t,top,/etc/passwd\n", "Z,t,top,images/link-out.jpg\n"),
                     ids, [4, 5, 6]),
        CatalogProbe("CSV, unknown category and empty title", "c16.csv",
                     csv("X,t,spacesuit,images/a.jpg\n", "Y,,top,images/a.jpg\n"), ids, [4, 5]),
        CatalogProbe("CSV, a truncated JPEG (decoded: rejected)", "c17.csv", csv("X,t,top,images/cut.jpg\n"), ids,
                     [4], decode=True),
        CatalogProbe("CSV, a truncated JPEG (cheap check: kept)", "c18.csv", csv("X,t,top,images/cut.jpg\n"),
                     ids[:2] + ["X"] + ids[2:], []),
        CatalogProbe("CSV, empty file", "c19.csv", b"", refusal="c19.csv is empty"),
        CatalogProbe("CSV, header only", "c20.csv", HEADER.encode(), [], []),
        CatalogProbe("CSV, missing the image column", "c21.csv", b"product_id,title,category\n1,t,top\n",
                     refusal="missing column(s) image"),
        CatalogProbe("CSV, only a header, without the image column", "c21b.csv", b"product_id,title,category\n",
                     refusal="missing column(s) image"),
        CatalogProbe("CSV, a header with an unclosed quote", "c22.csv", b'product_id,"title,category,image\n',
                     refusal="header (line 1) is not valid CSV"),
        CatalogProbe("JSONL, a broken line and a list line", "c23.jsonl",
                     ("\n".join([jsonl_rows[0], '{"product_id": 9, "title": ', "[1, 2]", *jsonl_rows[1:]]) + "\n"
                      ).encode(), ["1525", "1526", "1527"], [2, 3]),
        CatalogProbe("JSONL, integer ids with a null", "c24.jsonl",
                     ("\n".join([*jsonl_rows, json.dumps({"product_id": None, "title": "n", "category": "top",
                                                          "image": "images/a.jpg"})]) + "\n").encode(),
                     ["1525", "1526", "1527"], [4]),
        CatalogProbe("JSONL, every line broken", "c25.jsonl", b"{nope\n{nope\n", [], [1, 2]),
        CatalogProbe("JSONL, empty file", "c26.jsonl", b"\n\n", refusal="c26.jsonl is empty"),
        CatalogProbe("Parquet, integer ids with a null", "c27.parquet", parquet, ["1525", "1527"], [None]),
        CatalogProbe("Parquet, random bytes", "c28.parquet", os.urandom(300), refusal="not a readable Parquet file"),
        CatalogProbe("an .xlsx file", "c29.xlsx", b"PK\x03\x04", refusal="unsupported file type"),
        CatalogProbe("a folder with an unknown sub-folder", "c30", folder_catalog, ["top__red_tee"], [None]),
        CatalogProbe("a catalog that does not exist", "c31-missing.csv", None, refusal="does not exist"),
    ]


def probe_catalog(root: Path, p: CatalogProbe) -> Outcome:
    path = root / p.file
    if callable(p.content):
        p.content(path)
    elif p.content is not None:
        path.write_bytes(p.content)
    t0 = time.perf_counter()
    try:
        catalog = load_catalog(path, decode_images=p.decode)
        got = [x.product_id for x in catalog]
        lines = [r.line for r in catalog.report.rejections]
        held = p.ids is not None and got == p.ids and lines == p.rejected_lines
        detail = f"{len(got)} products, report lines {lines}"
        if not held:
            detail += f"; expected {p.ids if p.ids is None else len(p.ids)} products, lines {p.rejected_lines}" \
                      f" (got ids {got[:8]}, report {catalog.report.lines()[:3]})"
    except (ValueError, FileNotFoundError) as exc:
        msg = str(exc)
        held = p.refusal is not None and p.refusal in msg and "\n" not in msg
        detail = f"refused: {msg}"
    except Exception as exc:  # noqa: BLE001
        held, detail = False, f"{type(exc).__name__} escaped: {exc}"
    seconds = time.perf_counter() - t0
    if seconds > TIME_LIMIT_S:
        held, detail = False, f"took {seconds:.1f} s: {detail}"
    return Outcome(f"catalog: {p.name}", held, detail, seconds)


def probe_cli(root: Path, file: str, expect_rc: int, *extra: str) -> Outcome:
    """``fashion-core catalog check FILE``: the exit code expected, one JSON document or one error line."""
    t0 = time.perf_counter()
    res = subprocess.run([sys.executable, "-m", "fashion_core", "catalog", "check", str(root / file), *extra],
                         cwd=ROOT, capture_output=True, text=True, timeout=120,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    seconds = time.perf_counter() - t0
    problems = []
    if res.returncode != expect_rc:
        problems.append(f"exit {res.returncode}, expected {expect_rc}")
    if "Traceback" in res.stderr:
        problems.append("a traceback on stderr")
    if "--json" in extra and res.returncode in (0, 1):
        try:
            json.loads(res.stdout, parse_constant=lambda c: (_ for _ in ()).throw(ValueError(c)))
        except ValueError as exc:
            problems.append(f"stdout is not strict JSON ({exc})")
    if res.returncode == 2 and len([ln for ln in res.stderr.splitlines() if ln.startswith("fashion-core")]) != 1:
        problems.append("not one error line")
    detail = "; ".join(problems) or f"exit {res.returncode}: {(res.stderr.strip() or res.stdout.strip())[-160:]}"
    return Outcome(f"cli: catalog check {file} {' '.join(extra)}".strip(), not problems, detail, seconds)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("-v", "--verbose", action="store_true", help="print every probe, not only the failures")
    args = ap.parse_args()
    outcomes: list[Outcome] = []
    with tempfile.TemporaryDirectory(prefix="probe-") as tmp:
        images = Path(tmp) / "images"
        images.mkdir()
        outcomes += [probe_image(*item) for item in image_corpus(images)]
        shop = Path(tmp) / "shop"
        shop.mkdir()
        probes = catalog_corpus(shop)
        outcomes += [probe_catalog(shop, p) for p in probes]
        outcomes += [probe_cli(shop, "c01.csv", 1, "--json"), probe_cli(shop, "c17.csv", 1),
                     probe_cli(shop, "c18.csv", 0, "--quick"), probe_cli(shop, "c08.csv", 0, "--json"),
                     probe_cli(shop, "c19.csv", 2), probe_cli(shop, "c28.parquet", 2),
                     probe_cli(shop, "c31-missing.csv", 2), probe_cli(shop, "c23.jsonl", 1, "--json")]
    failed = [o for o in outcomes if not o.held]
    for o in outcomes:
        if args.verbose or not o.held:
            print(f"{'held  ' if o.held else 'FAILED'} {o.name} ({o.seconds * 1000:.0f} ms): {o.detail}")
    print(f"{len(outcomes)} tried, {len(outcomes) - len(failed)} held"
          + (f"; failed: {', '.join(o.name for o in failed)}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
