"""Build the whole demo world into one folder: catalog + product shots, Polyvore outfits, look photos.

Every file is a pure function of ``(seed, sizes)``: products and looks are drawn from generators seeded by
their own index, JSON is written with a fixed key order, JPEGs with a fixed quality, and nothing records
a time or a path, so two builds with the same arguments are byte-identical (with or without workers).
"""

from __future__ import annotations

import csv
import json
import shutil
import sys
import types
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from multiprocessing import get_context
from pathlib import Path

from tqdm import tqdm

from .. import taxonomy
from .looks import LOOK_SIZE, MASK_LABELS, TAXONOMY_MAP, choose_look_outfits, render_look
from .outfits import Outfit, make_outfits, split_products
from .polyvore import write_polyvore
from .products import JPEG_QUALITY, DemoProduct, draw_products, render_product

CATALOG_COLUMNS: tuple[str, ...] = ("product_id", "title", "category", "image", "colour", "pattern", "silhouette",
                                    "formality", "season")
MIN_PRODUCTS = 120
PARALLEL_FROM = 400
"""Image jobs below this count always run in-process, whatever ``workers`` says."""


def build_demo(out_dir: Path, seed: int = 0, n_products: int = 1200, n_outfits: int = 3000, n_looks: int = 200,
               progress: bool = True, workers: int | None = None) -> Path:
    """Write the demo world to ``out_dir`` (catalog.csv, images/, Polyvore files, looks/); returns ``out_dir``.

    ``workers`` (default 1: the full build takes ~30 s in one process) only changes speed, never the bytes.
    """
    _check_sizes(n_products, n_outfits, n_looks)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    for stale in ("images", "disjoint", "looks"):
        shutil.rmtree(out_dir / stale, ignore_errors=True)
    (out_dir / "images").mkdir()
    workers = workers or 1
    bar = tqdm(total=n_products + n_outfits + n_looks, desc="demo: products", unit="item", file=sys.stderr,
               disable=not progress, dynamic_ncols=True)
    products = draw_products(seed, n_products)
    jobs = [(p, seed, str(out_dir / p.image)) for p in products]
    for _ in _run(_write_product, jobs, workers):
        bar.update(1)
    _write_catalog(out_dir / "catalog.csv", products)
    bar.set_description("demo: outfits")
    by_id = {p.product_id: p for p in products}
    outfits = make_outfits(split_products(products, seed), seed, n_outfits)
    counts = write_polyvore(out_dir, products, outfits, seed)
    bar.update(n_outfits)
    bar.set_description("demo: looks")
    n_boxes = write_looks(out_dir / "looks", outfits, by_id, seed, n_looks, workers, on_done=lambda: bar.update(1))
    bar.close()
    summary = {"seed": seed, "products": n_products, "outfits": n_outfits, "looks": n_looks, "boxes": n_boxes,
               "categories": {c: sum(p.category == c for p in products) for c in taxonomy.CATEGORIES}, **counts}
    (out_dir / "demo.json").write_text(json.dumps(summary, indent=1) + "\n")
    return out_dir


def build_looks(out_dir: Path, seed: int = 0, n_products: int = 1200, n_outfits: int = 3000, n_looks: int = 200,
                workers: int | None = None) -> Path:
    """Write only the look photos of the demo world ``build_demo(seed, n_products, n_outfits, n_looks)`` would
    build, byte for byte, to ``out_dir`` (images/, masks/, annotations.json); returns the annotations path.

    No product shots are drawn, so a parser training set of looks (another seed than the shipped demo's) is cheap.
    """
    _check_sizes(n_products, n_outfits, n_looks)
    out_dir = Path(out_dir)
    shutil.rmtree(out_dir, ignore_errors=True)
    products = draw_products(seed, n_products)
    outfits = make_outfits(split_products(products, seed), seed, n_outfits)
    write_looks(out_dir, outfits, {p.product_id: p for p in products}, seed, n_looks, workers or 1)
    return out_dir / "annotations.json"


def _check_sizes(n_products: int, n_outfits: int, n_looks: int) -> None:
    if n_products < MIN_PRODUCTS:
        raise ValueError(f"n_products={n_products} is too small: the demo needs at least {MIN_PRODUCTS} products "
                         "so that every split holds every category")
    if n_outfits < 10:
        raise ValueError(f"n_outfits={n_outfits} is too small; use at least 10")
    if n_looks < 0:
        raise ValueError(f"n_looks={n_looks} must be 0 or more")


def _run(fn: Callable, jobs: Sequence[tuple], workers: int) -> Iterable:
    """Results of ``fn(*job)`` in job order, in-process or on a small pool of spawned workers."""
    if workers <= 1 or len(jobs) < PARALLEL_FROM:
        for job in jobs:
            yield fn(*job)
        return
    with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:
        with _bare_main():  # workers are launched by the first submit, inside map
            results = pool.map(_star, [(fn, job) for job in jobs], chunksize=16)
        try:
            yield from results
        except BrokenProcessPool as exc:
            raise RuntimeError("a demo build worker process died; rerun with --workers 1") from exc


@contextmanager
def _bare_main():
    """Hide ``__main__`` from spawned workers while they start.

    A spawned child re-runs the parent's main script before it takes jobs; under Streamlit (or its AppTest)
    that "script" is an app page or a deleted temporary file, and the child dies on it. The jobs only need
    this module, so the children start from a blank main instead.
    """
    real = sys.modules["__main__"]
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        sys.modules["__main__"] = real


def _star(packed: tuple[Callable, tuple]):
    fn, job = packed
    return fn(*job)


def _write_product(product: DemoProduct, seed: int, path: str) -> None:
    render_product(product, seed).save(path, "JPEG", quality=JPEG_QUALITY)


def _write_catalog(path: Path, products: Sequence[DemoProduct]) -> None:
    with open(path, "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(CATALOG_COLUMNS), lineterminator="\n")
        writer.writeheader()
        for p in products:
            writer.writerow(p.row())


def _write_look(outfit: Outfit, products: dict[str, DemoProduct], seed: int, index: int, folder: str):
    from PIL import Image

    image, mask, anns, kps, scene = render_look(outfit, products, seed, index)
    name = f"look_{index + 1:04d}"
    image.save(f"{folder}/images/{name}.jpg", "JPEG", quality=JPEG_QUALITY)
    Image.fromarray(mask).save(f"{folder}/masks/{name}.png")
    return name, anns, kps, scene


def write_looks(folder: Path, outfits: Sequence[Outfit], by_id: dict[str, DemoProduct], seed: int, n: int,
                workers: int = 1, on_done: Callable[[], None] | None = None) -> int:
    """Render ``n`` looks into ``folder`` and write ``annotations.json``; returns the number of boxes."""
    folder = Path(folder)
    (folder / "images").mkdir(parents=True, exist_ok=True)
    (folder / "masks").mkdir(parents=True, exist_ok=True)
    chosen = choose_look_outfits(outfits, by_id, n, seed) if n else []
    jobs = [(o, {p: by_id[p] for p in o.items}, seed, i, str(folder)) for i, o in enumerate(chosen)]
    images, annotations = [], []
    for i, (name, anns, kps, scene) in enumerate(_run(_write_look, jobs, workers if n * 6 >= PARALLEL_FROM else 1)):
        images.append({"id": i + 1, "file_name": f"images/{name}.jpg", "mask": f"masks/{name}.png",
                       "width": LOOK_SIZE[0], "height": LOOK_SIZE[1], "set_id": chosen[i].set_id, "scene": scene,
                       "people": [{"keypoints": kps}]})
        for a in anns:
            annotations.append({"id": len(annotations) + 1, "image_id": i + 1, **a})
        if on_done:
            on_done()
    doc = {"info": {"description": "fashion_core generated demo looks: boxes of visible garment pixels",
                    "mask_labels": list(MASK_LABELS), "taxonomy_map": TAXONOMY_MAP, "seed": seed},
           "images": images, "annotations": annotations,
           "categories": [{"id": taxonomy.CATEGORY_IDS[c], "name": c} for c in taxonomy.CATEGORIES]}
    (folder / "annotations.json").write_text(json.dumps(doc, indent=1) + "\n")
    return len(annotations)
