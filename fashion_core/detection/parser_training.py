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
from .parser import BACKGROUND_KEEP, LABELS, GarmentParser, ParserError, cell_features
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


def training_cells(encoder, photos: list[MaskPhoto], estimator=None, seed: int = 0,
                   progress: bool = True) -> Iterator[tuple[int, np.ndarray, np.ndarray]]:
    """(photo index, cell features, cell labels) per photo where a person is found: the biggest person's crop,
    every non-background cell and a seeded :data:`BACKGROUND_KEEP` share of the background cells."""
    from tqdm import tqdm

    from ..imageio import load_image
    from .people import PoseEstimator

    estimator = estimator or PoseEstimator()
    for n, photo in enumerate(tqdm(photos, desc="parser cells", unit="photo", disable=not progress)):
        image = load_image(photo.image).convert("RGB")
        labels = photo.lut[np.clip(np.asarray(Image.open(photo.mask)), 0, len(photo.lut) - 1)]
        scale = work_scale(image.size)
        if scale != 1.0:
            image = image.resize((round(image.width * scale), round(image.height * scale)), Image.BILINEAR)
            labels = cv2.resize(labels.astype(np.uint8), image.size, interpolation=cv2.INTER_NEAREST)
        rgb = np.asarray(image)
        people = estimator.people(rgb)
        if not people:
            continue
        person = max(people, key=lambda p: float((p.mask > 0.5).sum()) if p.mask is not None else 0.0)
        feats, (gh, gw), (x0, y0, x1, y1) = cell_features(encoder, rgb, person)
        ys = np.clip((y0 + (np.arange(gh) + 0.5) * (y1 - y0) / gh).astype(int), 0, labels.shape[0] - 1)
        xs = np.clip((x0 + (np.arange(gw) + 0.5) * (x1 - x0) / gw).astype(int), 0, labels.shape[1] - 1)
        y = labels[ys][:, xs].ravel()
        keep = (y > 0) | (np.random.default_rng([seed, n]).random(len(y)) < BACKGROUND_KEEP)
        yield n, feats[keep].astype(np.float16), y[keep].astype(np.uint8)


ENSEMBLE = 2
"""MLPs fitted with consecutive seeds and averaged: on ccp, 5-fold, two members gave mAP@0.5 0.477 where single
ones gave 0.458 and 0.470 (the seed-to-seed spread is about ±0.01)."""


def fit_parser(feats: np.ndarray, labels: np.ndarray, encoder, hidden: int = 256, epochs: int = 3,
               seed: int = 0, members: int = ENSEMBLE, trained_on: dict | None = None) -> GarmentParser:
    """Fit ``members`` MLPs on cell features / labels with Adam (seeds ``seed``, ``seed + 1``…, deterministic on
    CPU); returns the parser that averages them."""
    if len(feats) == 0:
        raise ParserError("no training cells: no person was found in any training photo")
    sample = feats[:: max(1, len(feats) // 200_000)].astype(np.float32)
    mean, std = sample.mean(0), sample.std(0) + 1e-3
    nets = [_fit_mlp(feats, labels, mean, std, hidden, epochs, seed + m) for m in range(members)]
    info = {"name": getattr(encoder, "name", "?"), "weights_id": getattr(encoder, "weights_id", None)}
    return GarmentParser(mean=mean, std=std, **{k: np.stack([n[k] for n in nets]) for k in ("w1", "b1", "w2", "b2")},
                         encoder=info,
                         trained_on={**(trained_on or {}), "cells": int(len(feats)), "hidden": hidden,
                                     "epochs": epochs, "seed": seed, "members": members,
                                     "date": datetime.now(UTC).isoformat(timespec="seconds")})


def _fit_mlp(feats: np.ndarray, labels: np.ndarray, mean: np.ndarray, std: np.ndarray, hidden: int, epochs: int,
             seed: int) -> dict[str, np.ndarray]:
    import torch

    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    net = torch.nn.Sequential(torch.nn.Linear(feats.shape[1], hidden), torch.nn.ReLU(),
                              torch.nn.Linear(hidden, len(LABELS)))
    opt = torch.optim.Adam(net.parameters(), lr=1e-3, weight_decay=1e-5)
    mu, sd = torch.from_numpy(mean), torch.from_numpy(std)
    y_all = torch.from_numpy(labels.astype(np.int64))
    for _ in range(epochs):
        order = rng.permutation(len(feats))
        for s in range(0, len(order), 4096):
            b = np.sort(order[s:s + 4096])
            x = (torch.from_numpy(feats[b].astype(np.float32)) - mu) / sd
            loss = torch.nn.functional.cross_entropy(net(x), y_all[b])
            opt.zero_grad()
            loss.backward()
            opt.step()
    first, second = net[0], net[2]
    return {"w1": first.weight.detach().numpy().T.copy(), "b1": first.bias.detach().numpy().copy(),
            "w2": second.weight.detach().numpy().T.copy(), "b2": second.bias.detach().numpy().copy()}


def train_parser(data: list[str | Path], encoder=None, limit: int | None = None, progress: bool = True,
                 **fit_kwargs) -> GarmentParser:
    """Read mask datasets, extract training cells and fit a parser (``limit``: the first N photos only)."""
    if encoder is None:
        from ..encoders import create_encoder

        encoder = create_encoder("efficientnet-lite0")
    photos = [p for d in data for p in mask_dataset(d)]
    photos = photos[:limit] if limit else photos
    feats, labels = [], []
    for _, f, y in training_cells(encoder, photos, progress=progress):
        feats.append(f)
        labels.append(y)
    if not feats:
        raise ParserError("no person was found in any training photo: nothing to learn from")
    return fit_parser(np.concatenate(feats), np.concatenate(labels), encoder,
                      trained_on={"data": [str(d) for d in data], "photos": len(photos)}, **fit_kwargs)
