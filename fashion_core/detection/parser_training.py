"""Training the garment parser (:mod:`.parser`): photos with garment masks, their labelled cells, the fitted MLPs.

Kept apart from inference, so serving never imports training code and the parser does not depend on the pose
detector that uses it (training needs the pose estimator and the work-image scale; serving does not).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from .. import taxonomy
from .parser import BACKGROUND_KEEP, LABELS, GarmentParser, ParserError, boxes_in_image, cell_features
from .pose import work_scale


@dataclass
class MaskPhoto:
    """One training photo: its path, its label map's path and the label lookup (mask value → label index)."""

    image: Path
    mask: Path
    lut: np.ndarray


def mask_dataset(path: str | Path) -> list[MaskPhoto]:
    """Photos with garment masks from a COCO json whose ``info`` names the mask values (``ccp_labels`` or
    ``mask_labels``) and maps them to the taxonomy (``taxonomy_map``); masks are ``masks/<stem>.png`` beside it."""
    path = Path(path)
    if not path.is_file():
        raise ParserError(f"{path}: no such file; give the COCO json of a dataset with garment masks "
                          "(e.g. ../shared/data/ccp/annotations.json)")
    doc = json.loads(path.read_text())
    info = doc.get("info", {}) if isinstance(doc, dict) else {}
    names = info.get("mask_labels") or info.get("ccp_labels")
    tmap = info.get("taxonomy_map")
    if not names or not isinstance(tmap, dict):
        raise ParserError(f"{path}: its 'info' must list the mask values ('mask_labels' or 'ccp_labels') and map "
                          "them to the taxonomy ('taxonomy_map'); this file has neither, so it cannot train a parser")
    lut = np.full(len(names), LABELS.index("other"), np.int64)
    for i, name in enumerate(names):
        key = str(name).lower()
        if key in ("null", "background", "bg"):
            lut[i] = 0
        elif key in ("skin", "hair"):
            lut[i] = LABELS.index(key)
        elif tmap.get(name) in taxonomy.CATEGORIES:
            lut[i] = LABELS.index(tmap[name])
    out = []
    for im in sorted(doc.get("images", []), key=lambda r: r["file_name"]):
        image = path.parent / im["file_name"]
        mask = path.parent / "masks" / (Path(im["file_name"]).stem + ".png")
        if image.is_file() and mask.is_file():
            out.append(MaskPhoto(image, mask, lut))
    if not out:
        raise ParserError(f"{path}: none of its images has both a photo and masks/<name>.png beside the json")
    return out


CELLS_VERSION = 1
"""Bumped whenever :func:`photo_cells` computes something else: older cached cells are then not reused."""


@dataclass
class PhotoCells:
    """What the parser reads of one photo at the detector's work scale: every person's cell features (float16),
    grid and crop box (in work-image pixels, :func:`.parser.cell_features`), and the label of each cell of the
    biggest person (``main``; ``None`` when no person was found)."""

    shape: tuple[int, int]
    scale: float
    people: list[tuple[np.ndarray, tuple[int, int], tuple[int, int, int, int]]]
    labels: np.ndarray | None
    main: int = -1


def photo_cells(encoder, photo: MaskPhoto, estimator=None, mirror: bool = False) -> PhotoCells:
    """Cells of ``photo`` (``mirror``: of the photo and its mask flipped left to right; the pose estimator then
    names the flipped limbs itself, so left and right stay right) as the pose detector computes them."""
    from ..imageio import load_image
    from .people import PoseEstimator

    estimator = estimator or PoseEstimator()
    image = load_image(photo.image).convert("RGB")
    labels = photo.lut[np.clip(np.asarray(Image.open(photo.mask)), 0, len(photo.lut) - 1)]
    if mirror:
        image = image.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
        labels = np.ascontiguousarray(labels[:, ::-1])
    scale = work_scale(image.size)
    if scale != 1.0:
        image = image.resize((round(image.width * scale), round(image.height * scale)), Image.BILINEAR)
        labels = cv2.resize(labels.astype(np.uint8), image.size, interpolation=cv2.INTER_NEAREST)
    rgb = np.asarray(image)
    people = estimator.people(rgb)
    out = PhotoCells(rgb.shape[:2], scale, [], None)
    for person in people:
        feats, grid, crop = cell_features(encoder, rgb, person)
        out.people.append((feats.astype(np.float16), grid, crop))
    if people:
        out.main = max(range(len(people)), key=lambda k: float((people[k].mask > 0.5).sum())
                       if people[k].mask is not None else 0.0)
        _, (gh, gw), (x0, y0, x1, y1) = out.people[out.main]
        ys = np.clip((y0 + (np.arange(gh) + 0.5) * (y1 - y0) / gh).astype(int), 0, labels.shape[0] - 1)
        xs = np.clip((x0 + (np.arange(gw) + 0.5) * (x1 - x0) / gw).astype(int), 0, labels.shape[1] - 1)
        out.labels = labels[ys][:, xs].ravel().astype(np.uint8)
    return out


def cached_photo_cells(encoder, photo: MaskPhoto, cache_dir: Path | None, estimator=None,
                       mirror: bool = False) -> PhotoCells:
    """:func:`photo_cells`, read from ``cache_dir`` when computed before (an npz keyed by the photo's and mask's
    bytes, the encoder's weights, the mirror flag and :data:`CELLS_VERSION`; numbers only, no pickles)."""
    if cache_dir is None:
        return photo_cells(encoder, photo, estimator, mirror)
    import hashlib

    h = hashlib.sha1(f"{CELLS_VERSION}:{_maps_id(encoder)}:{mirror}".encode())
    h.update(photo.image.read_bytes())
    h.update(photo.mask.read_bytes())
    h.update(photo.lut.tobytes())
    path = Path(cache_dir) / f"{photo.image.stem}-{h.hexdigest()[:16]}.npz"
    if path.is_file():
        try:
            with np.load(path, allow_pickle=False) as z:
                head = z["head"].tolist()
                people = [(z[f"f{k}"], tuple(z[f"g{k}"].tolist()), tuple(z[f"c{k}"].tolist()))
                          for k in range(int(head[3]))]
                return PhotoCells((int(head[0]), int(head[1])), float(z["scale"]), people,
                                  z["labels"] if people else None, int(head[2]))
        except (OSError, ValueError, KeyError):
            pass  # a damaged cache file is computed again
    cells = photo_cells(encoder, photo, estimator, mirror)
    arrays = {"head": np.array([*cells.shape, cells.main, len(cells.people)], np.int64),
              "scale": np.array(cells.scale, np.float64),
              "labels": cells.labels if cells.labels is not None else np.zeros(0, np.uint8)}
    for k, (f, g, c) in enumerate(cells.people):
        arrays.update({f"f{k}": f, f"g{k}": np.array(g, np.int64), f"c{k}": np.array(c, np.int64)})
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.npz")
    np.savez(tmp, **arrays)
    tmp.replace(path)
    return cells


def kept_cells(cells: PhotoCells, n: int, seed: int = 0, mirror: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """(features, labels) of the main person's cells a parser trains on: every non-background cell and a seeded
    :data:`BACKGROUND_KEEP` share of the background (photo ``n``; a mirrored copy draws its own share)."""
    feats, y = cells.people[cells.main][0], cells.labels
    rng = np.random.default_rng([seed, n, 1] if mirror else [seed, n])
    keep = (y > 0) | (rng.random(len(y)) < BACKGROUND_KEEP)
    return feats[keep].astype(np.float16), y[keep].astype(np.uint8)


def training_cells(encoder, photos: list[MaskPhoto], estimator=None, seed: int = 0, progress: bool = True,
                   mirror: bool = False, cache_dir: Path | None = None
                   ) -> Iterator[tuple[int, np.ndarray, np.ndarray]]:
    """(photo index, cell features, cell labels) per photo where a person is found: the biggest person's crop,
    every non-background cell and a seeded :data:`BACKGROUND_KEEP` share of the background cells. ``mirror``
    also yields each photo flipped left to right (same index, after the photo itself); ``cache_dir`` keeps the
    cells of each photo (:func:`cached_photo_cells`)."""
    from tqdm import tqdm

    from .people import PoseEstimator

    estimator = estimator or PoseEstimator()
    for n, photo in enumerate(tqdm(photos, desc="parser cells", unit="photo", disable=not progress)):
        for flip in (False, True) if mirror else (False,):
            cells = cached_photo_cells(encoder, photo, cache_dir, estimator, flip)
            if cells.labels is not None:
                yield (n, *kept_cells(cells, n, seed, flip))


ENSEMBLE = 2
"""MLPs fitted with consecutive seeds and averaged: on ccp, 5-fold, two members gave mAP@0.5 0.477 where single
ones gave 0.458 and 0.470 (the seed-to-seed spread is about ±0.01)."""


def fit_parser(feats: np.ndarray, labels: np.ndarray, encoder, hidden: int = 256, epochs: int = 3,
               seed: int = 0, members: int = ENSEMBLE, trained_on: dict | None = None,
               balance: float = 0.0, per_label: int | None = None) -> GarmentParser:
    """Fit ``members`` MLPs on cell features / labels with Adam (seeds ``seed``, ``seed + 1``…, deterministic on
    CPU); returns the parser that averages them. ``balance`` > 0 weighs each label's cells by
    (its share of the cells) ** -balance in the loss (:func:`label_weights`): rare garments count more.
    ``per_label`` fits on at most that many cells of each label (a seeded sample, :func:`balanced_sample`): the
    common labels (background, skin, pants, top) are thinned, the rare garments kept whole, and fitting is cheaper."""
    if len(feats) == 0:
        raise ParserError("no training cells: no person was found in any training photo")
    if per_label:
        keep = balanced_sample(labels, per_label, seed)
        feats, labels = feats[keep], labels[keep]
    sample = feats[:: max(1, len(feats) // 200_000)].astype(np.float32)
    mean, std = sample.mean(0), sample.std(0) + 1e-3
    weights = label_weights(labels, balance)
    nets = [_fit_mlp(feats, labels, mean, std, hidden, epochs, seed + m, weights) for m in range(members)]
    info = {"name": getattr(encoder, "name", "?"), "weights_id": _maps_id(encoder)}
    return GarmentParser(mean=mean, std=std, **{k: np.stack([n[k] for n in nets]) for k in ("w1", "b1", "w2", "b2")},
                         encoder=info,
                         trained_on={**(trained_on or {}), "cells": int(len(feats)), "hidden": hidden,
                                     "epochs": epochs, "seed": seed, "members": members, "balance": balance,
                                     "per_label": per_label,
                                     "date": datetime.now(UTC).isoformat(timespec="seconds")})


def balanced_sample(labels: np.ndarray, per_label: int, seed: int = 0) -> np.ndarray:
    """Sorted row indices holding every cell of each label with at most ``per_label`` cells and a seeded sample
    of ``per_label`` cells of each other label."""
    rng = np.random.default_rng([seed, 7])
    keep = []
    for lab in range(len(LABELS)):
        rows = np.flatnonzero(labels == lab)
        keep.append(rows if len(rows) <= per_label else rng.choice(rows, per_label, replace=False))
    return np.sort(np.concatenate(keep))


def label_weights(labels: np.ndarray, balance: float) -> np.ndarray | None:
    """Loss weight per label, (share of the cells) ** -``balance``, scaled so the mean weight over the cells is 1
    (labels without cells get the largest weight); ``None`` for ``balance`` 0 (plain cross-entropy)."""
    if balance <= 0:
        return None
    counts = np.bincount(labels, minlength=len(LABELS)).astype(np.float64)
    share = np.maximum(counts, 1.0) / max(1.0, counts.sum())
    w = share ** -balance
    w /= (w * counts).sum() / max(1.0, counts.sum())
    return w.astype(np.float32)


def _fit_mlp(feats: np.ndarray, labels: np.ndarray, mean: np.ndarray, std: np.ndarray, hidden: int, epochs: int,
             seed: int, weights: np.ndarray | None = None) -> dict[str, np.ndarray]:
    import torch

    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    net = torch.nn.Sequential(torch.nn.Linear(feats.shape[1], hidden), torch.nn.ReLU(),
                              torch.nn.Linear(hidden, len(LABELS)))
    opt = torch.optim.Adam(net.parameters(), lr=1e-3, weight_decay=1e-5)
    mu, sd = torch.from_numpy(mean), torch.from_numpy(std)
    y_all = torch.from_numpy(labels.astype(np.int64))
    w = None if weights is None else torch.from_numpy(weights)
    for _ in range(epochs):
        order = rng.permutation(len(feats))
        for s in range(0, len(order), 4096):
            b = np.sort(order[s:s + 4096])
            x = (torch.from_numpy(feats[b].astype(np.float32)) - mu) / sd
            loss = torch.nn.functional.cross_entropy(net(x), y_all[b], weight=w)
            opt.zero_grad()
            loss.backward()
            opt.step()
    first, second = net[0], net[2]
    return {"w1": first.weight.detach().numpy().T.copy(), "b1": first.bias.detach().numpy().copy(),
            "w2": second.weight.detach().numpy().T.copy(), "b2": second.bias.detach().numpy().copy()}


def train_parser(data: list[str | Path], encoder=None, limit: int | None = None, progress: bool = True,
                 mirror: bool = False, cache_dir: Path | None = None, **fit_kwargs) -> GarmentParser:
    """Read mask datasets, extract training cells and fit a parser (``limit``: the first N photos of each
    dataset; ``mirror``: each photo also flipped left to right; ``cache_dir``: reuse cells computed before)."""
    if encoder is None:
        from ..encoders import create_encoder

        encoder = create_encoder("efficientnet-lite0")
    photos = [p for d in data for p in (mask_dataset(d)[:limit] if limit else mask_dataset(d))]
    feats, labels = [], []
    for _, f, y in training_cells(encoder, photos, progress=progress, mirror=mirror, cache_dir=cache_dir):
        feats.append(f)
        labels.append(y)
    if not feats:
        raise ParserError("no person was found in any training photo: nothing to learn from")
    return fit_parser(np.concatenate(feats), np.concatenate(labels), encoder,
                      trained_on={"data": [str(d) for d in data], "photos": len(photos), "mirrored": mirror},
                      **fit_kwargs)


DEMO_LOOKS_SEED = 1
"""Seed of the demo looks the parser trains on: not the shipped demo world's (0), whose looks stay held out."""
DEMO_LOOKS = 300


def demo_training_looks(cache_dir: Path, seed: int = DEMO_LOOKS_SEED, n_looks: int = DEMO_LOOKS) -> Path:
    """The annotations of ``n_looks`` generated demo looks (``demo.build_looks(seed)``, world sizes as the demo's
    defaults) under ``cache_dir``, drawn on first use; deterministic, so a rebuild elsewhere draws the same."""
    from ..demo import build_looks

    folder = Path(cache_dir) / f"demo-looks-seed{seed}-n{n_looks}"
    ann = folder / "annotations.json"
    if not ann.is_file():
        stage = folder.with_name(folder.name + ".tmp")
        build_looks(stage, seed=seed, n_looks=n_looks)
        if folder.exists():
            import shutil

            shutil.rmtree(folder)
        stage.rename(folder)
    return ann


def detections_from_cells(parser: GarmentParser, cells: PhotoCells, alternatives: bool = False,
                          min_score: float = 0.3) -> list[tuple[str, tuple[float, float, float, float], float, int]]:
    """(category, box in the original photo's pixels, score, person) for cached cells: what the pose detector with
    ``parser`` returns for that photo (same boxes, scores and order), without running pose or the encoder again."""
    out = []
    h, w = cells.shape
    for k, (feats, grid, crop) in enumerate(cells.people):
        found = [(c, b, s) for c, b, s in boxes_in_image(parser, feats, grid, crop, (h, w), alternatives)
                 if s >= min_score]
        for c, b, s in sorted(found, key=lambda t: (-t[2], t[0])):
            box = tuple(float(np.clip(v / cells.scale, 0, lim)) for v, lim in
                        zip(b, (w / cells.scale, h / cells.scale) * 2))
            if max(0.0, box[2] - box[0]) * max(0.0, box[3] - box[1]) > 1:
                out.append((c, box, float(s), k))
    return out


PARSER_RECIPE: dict = {"mirror": True, "balance": 0.0, "per_label": 80_000, "demo_looks": DEMO_LOOKS,
                       "demo_seed": DEMO_LOOKS_SEED, "hidden": 256, "epochs": 3, "members": ENSEMBLE, "seed": 0}
"""The shipped parser's recipe (``fashion-core models rebuild garment-parser``; the detection benchmark refits it
inside each fold): ccp, ``demo_looks`` generated looks, ``mirror``, loss ``balance`` and the ``per_label`` cap
(:func:`fit_parser`). ``per_label=0`` with ``mirror=False, demo_looks=0`` is the recipe before the demo looks."""


def _maps_id(encoder) -> str | None:
    """Id of the encoder's feature maps (the blocks; a fashion-tuned head does not change them)."""
    return getattr(encoder, "feature_maps_id", getattr(encoder, "weights_id", None))


def photo_fold(file_name: str, folds: int = 5) -> int:
    """Fold of a ccp photo (``photos/0001.jpg``): the split every detection benchmark uses."""
    from ..category_model import fold_of

    return fold_of(f"ccp/annotations.json:{file_name}", folds)


def fold_training_rows(ccp_json: Path, cache_dir: Path, encoder, recipe: dict | None = None, step: int = 1,
                       progress: bool = True, estimator=None) -> tuple[list, list, dict]:
    """The recipe's training cells photo by photo, for refits without a fold: ``(fold or -1 for a demo look,
    features, labels)`` for every ``step``-th ccp photo and every demo training look (each also mirrored when the
    recipe says so), the ccp photos, and the fold of each photo's position. Cells are cached in
    ``cache_dir/parser-cells``, so refits are cheap."""
    from tqdm import tqdm

    from .people import PoseEstimator

    r = {**PARSER_RECIPE, **(recipe or {})}
    ccp = mask_dataset(ccp_json)
    demo = mask_dataset(demo_training_looks(cache_dir, r["demo_seed"], r["demo_looks"])) if r["demo_looks"] else []
    photos = ccp + demo  # the order train_parser reads them in: the same per-photo seeds as the shipped rebuild
    chosen = set(range(0, len(ccp), step)) | set(range(len(ccp), len(photos)))
    estimator, rows, fold = estimator or PoseEstimator(), [], {}
    for n in tqdm(sorted(chosen), desc="parser cells", unit="photo", disable=not progress):
        fold[n] = photo_fold(str(photos[n].image.relative_to(Path(ccp_json).parent))) if n < len(ccp) else -1
        for flip in (False, True) if r["mirror"] else (False,):
            cells = cached_photo_cells(encoder, photos[n], Path(cache_dir) / "parser-cells", estimator, flip)
            if cells.labels is not None:
                rows.append((fold[n], *kept_cells(cells, n, r["seed"], flip)))
    return rows, ccp, fold


def fit_without_fold(rows: list, encoder, held_out: int | None, recipe: dict | None = None) -> GarmentParser:
    """The recipe's parser fitted on the :func:`fold_training_rows` outside fold ``held_out`` (None: all)."""
    r = {**PARSER_RECIPE, **(recipe or {})}
    keep = [row for row in rows if held_out is None or row[0] != held_out]
    return fit_parser(np.concatenate([row[1] for row in keep]), np.concatenate([row[2] for row in keep]), encoder,
                      hidden=r["hidden"], epochs=r["epochs"], seed=r["seed"], members=r["members"],
                      balance=r["balance"], per_label=r["per_label"] or None, trained_on={"fold_held_out": held_out})
