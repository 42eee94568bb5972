"""Garment category of a shopper's photo: a classifier fitted on labelled street photos and garment crops.

A shopper's photo is not a catalog photo (phone light, backgrounds, people, street crops against
studio packshots), so neither the catalog's nearest neighbours nor a classifier fitted on catalog photos
name its category well (on fpi: 0.61 / 0.48 and 0.58 / 0.42 on clothing photos / ccp crops). Fitted on
labelled shopper-style images instead (ccp garment boxes, clothing photos, an operator's own), a
softmax regression over the same encoder parts tells an image query's category before the similar
items search (``Recommender``). It is a :class:`~fashion_core.encoders.descriptor.Descriptor` with one
attribute head, saved as ``category.npz`` (numbers only) + ``config.json`` (classes, encoder, data).
Garments look the same mirrored, so training also sees every image mirrored, and a query may be answered
from both views ("views": a list of ``extract_parts`` outputs of the same images, averaged).
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

from . import taxonomy
from .encoders.descriptor import Descriptor, extract_parts, weights_for_parts
from .imageio import ImageError, load_image

log = logging.getLogger(__name__)

Views = dict[str, np.ndarray] | Sequence[dict[str, np.ndarray]]
"""Encoder parts of some images (one ``extract_parts`` output), or a list of them for several views."""

DIM = 256
"""PCA dimensions the classifier sees (more than the similarity index keeps: classes need detail)."""

REGULARISATION_C = 0.01
"""Inverse L2 strength (tuned on 5 photo-disjoint folds of ccp crops + clothing photos)."""

MIN_SIDE = 16
"""Boxes smaller than this (pixels, either side) are not used for training."""

CONFIG = "config.json"
ARRAYS = "category.npz"


@dataclass
class CategoryModel:
    """Taxonomy category probabilities for encoder parts of shopper photos."""

    descriptor: Descriptor
    encoder: dict
    trained_on: dict = field(default_factory=dict)

    @property
    def classes(self) -> list[str]:
        """Categories the model can name, in probability column order."""
        return self.descriptor.heads[0].classes

    def probs(self, views: Views) -> np.ndarray:
        """(n, len(classes)) probabilities for ``extract_parts`` output, or the mean over several views of the
        same images (e.g. :func:`encode_views`)."""
        views = _as_views(views)
        return np.mean([self.descriptor.attribute_probs(v)["category"] for v in views], axis=0)

    def predict(self, views: Views, allowed: Sequence[str] | None = None) -> list[str]:
        """Most probable category per row, among ``allowed`` categories when given (e.g. those an index has)."""
        p = self.probs(views)
        if allowed is not None:
            mask = np.array([c in set(allowed) for c in self.classes])
            if not mask.any():
                raise ValueError(f"the category model knows none of {', '.join(allowed)} (it knows "
                                 f"{', '.join(self.classes)})")
            p = np.where(mask, p, -1.0)
        return [self.classes[i] for i in p.argmax(axis=1)]

    def check_encoder(self, encoder) -> None:
        """Refuse an encoder other than the one the model was fitted on (its parts would mean something else)."""
        if encoder.weights_id != self.encoder["weights_id"]:
            raise ValueError(f"category model was fitted on encoder {self.encoder['name']} "
                             f"({self.encoder['weights_id']}), not {encoder.name} ({encoder.weights_id}); refit it with "
                             f"`fashion-core category train --encoder {encoder.name} ...`")

    def save(self, out_dir: str | Path) -> Path:
        """Write ``config.json`` and ``category.npz`` into ``out_dir``."""
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        self.descriptor.save(out / ARRAYS)
        (out / CONFIG).write_text(json.dumps({"kind": "category-model", "descriptor": self.descriptor.config(),
                                              "encoder": self.encoder, "trained_on": self.trained_on,
                                              "created": datetime.now(UTC).isoformat(timespec="seconds")}, indent=2))
        return out

    @classmethod
    def load(cls, path: str | Path) -> CategoryModel:
        """Read a model written by :meth:`save`; a clear error when ``path`` is not one."""
        path = Path(path)
        if not (path / CONFIG).exists() or not (path / ARRAYS).exists():
            raise FileNotFoundError(f"{path} is not a category model (no {CONFIG} / {ARRAYS}); train one with "
                                    "`fashion-core category train --data LABELLED --out DIR`")
        config = json.loads((path / CONFIG).read_text())
        if config.get("kind") != "category-model":
            raise ValueError(f"{path / CONFIG} is not a category model config")
        return cls(Descriptor.load(path / ARRAYS, config["descriptor"]), config["encoder"], config.get("trained_on", {}))


def fit_category_model(encoder, views: Views, labels: Sequence[str | None],
                       trained_on: dict | None = None) -> CategoryModel:
    """Fit on encoder parts of labelled images, every view a training row (``labels`` are taxonomy categories;
    None rows are skipped)."""
    bad = sorted({lab for lab in labels if lab is not None and lab not in taxonomy.CATEGORIES})
    if bad:
        raise ValueError(f"labels must be taxonomy categories; got {', '.join(bad)}")
    views = _as_views(views)
    keep = np.array([lab is not None for lab in labels], dtype=bool)
    parts = {k: np.concatenate([np.asarray(v[k])[keep] for v in views]) for k in views[0]}
    # the head reads the PCA vector: it is what the shipped model was fitted and measured with (street to shop)
    descriptor = Descriptor(weights=weights_for_parts(parts), dim=DIM, head_input="visual")
    # the space (means, PCA) comes from the training images only: directions that only unlabelled images
    # span would be noise to the classifier, and they wreck it on photos unlike the training ones
    descriptor.fit(parts, {"category": [lab for lab in labels if lab is not None] * len(views)}, c=REGULARISATION_C)
    if not descriptor.heads:
        raise ValueError("a category model needs at least two categories with 3 or more images each")
    counts = Counter(lab for lab in labels if lab is not None)
    info = {"n_images": sum(counts.values()), "by_category": dict(sorted(counts.items())), **(trained_on or {})}
    return CategoryModel(descriptor, {"name": encoder.name, "weights_id": encoder.weights_id}, info)


def labelled_images(path: str | Path, limit: int | None = None) -> Iterator[tuple[Image.Image, str, str]]:
    """(image, category, group) from a labelled set: a COCO JSON (one crop per box) or a CSV with ``image`` and
    ``label`` / ``category`` columns (paths relative to the file). ``group`` names the source photo, so
    splits can keep one photo's crops together."""
    path = Path(path)
    if path.suffix.lower() == ".json":
        yield from _coco_crops(path, limit)
    elif path.suffix.lower() == ".csv":
        yield from _csv_images(path, limit)
    else:
        raise ValueError(f"{path}: labelled images come as a COCO .json (boxes) or a .csv with image and label columns")


def _coco_crops(path: Path, limit: int | None) -> Iterator[tuple[Image.Image, str, str]]:
    doc = json.loads(path.read_text())
    names = {c["id"]: taxonomy.to_category(c["name"]) for c in doc.get("categories", [])}
    files = {im["id"]: im["file_name"] for im in doc.get("images", [])}
    anns = [a for a in doc.get("annotations", []) if a["bbox"][2] >= MIN_SIDE and a["bbox"][3] >= MIN_SIDE
            and names.get(a["category_id"])]
    current, image = None, None
    for n, a in enumerate(anns):
        if limit is not None and n >= limit:
            return
        name = files[a["image_id"]]
        if name != current:
            current = name
            try:
                image = load_image(path.parent / name)
            except (ImageError, OSError) as exc:
                log.warning("skipped %s: %s", name, exc)
                image = None
        if image is None:
            continue
        x, y, w, h = a["bbox"]
        yield image.crop((int(x), int(y), int(round(x + w)), int(round(y + h)))), names[a["category_id"]], name


def _csv_images(path: Path, limit: int | None) -> Iterator[tuple[Image.Image, str, str]]:
    import pandas as pd

    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    cols = {c.strip().lower(): c for c in frame.columns}
    label_col = cols.get("category") or cols.get("label")
    if "image" not in cols or label_col is None:
        raise ValueError(f"{path}: needs an image column and a label or category column (found {', '.join(frame.columns)})")
    n = 0
    for row in frame.to_dict("records"):
        try:
            category = taxonomy.to_category(row[label_col])
        except KeyError:
            raise ValueError(f"{path}: label {row[label_col]!r} maps to no taxonomy category; use one of "
                             f"{', '.join(taxonomy.CATEGORIES)} or a known synonym") from None
        if not category:
            continue
        if limit is not None and n >= limit:
            return
        try:
            image = load_image(path.parent / row[cols["image"]])
        except (ImageError, OSError) as exc:
            log.warning("skipped %s: %s", row[cols["image"]], exc)
            continue
        n += 1
        yield image, category, row[cols["image"]]


def source_name(source: str | Path) -> str:
    """Short name of a labelled set: its folder and file (``ccp/annotations.json``)."""
    return f"{Path(source).parent.name}/{Path(source).name}"


def encode_views(encoder, images: Sequence[Image.Image]) -> list[dict[str, np.ndarray]]:
    """The two views a category model uses: encoder parts of ``images`` and of their mirror images."""
    return [extract_parts(encoder, list(images)), extract_parts(encoder, [ImageOps.mirror(im) for im in images])]


def encode_labelled(encoder, sources: Sequence[str | Path], batch: int = 256, progress: bool = True,
                    limit: int | None = None) -> tuple[list[dict[str, np.ndarray]], list[str], list[str]]:
    """Views (:func:`encode_views`), categories and groups (``source_name:photo``) of every labelled image in
    ``sources``."""
    from tqdm import tqdm

    chunks, labels, groups, pending = [], [], [], []
    bar = tqdm(desc="encoding labelled images", unit="img", disable=not progress)

    def flush():
        if pending:
            chunks.append(encode_views(encoder, pending))
            bar.update(len(pending))
            pending.clear()

    for source in sources:
        for image, category, group in labelled_images(source, limit):
            pending.append(image)
            labels.append(category)
            groups.append(f"{source_name(source)}:{group}")
            if len(pending) == batch:
                flush()
    flush()
    bar.close()
    if not chunks:
        raise ValueError(f"no labelled images found in {', '.join(map(str, sources))}")
    views = [{k: np.concatenate([c[i][k] for c in chunks]) for k in chunks[0][i]} for i in range(len(chunks[0]))]
    return views, labels, groups


def fold_of(group: str, folds: int) -> int:
    """Fold of a group (source photo) by sha1: stable, and one photo's crops share a fold."""
    import hashlib

    return int(hashlib.sha1(group.encode()).hexdigest(), 16) % folds


def cross_validated_predictions(encoder, views: Views, labels: Sequence[str], groups: Sequence[str],
                                folds: int = 5, allowed: Sequence[str] | None = None) -> list[str]:
    """Each image's category as predicted by a model fitted on the other folds (photo-disjoint): an honest
    accuracy estimate for a model fitted on everything."""
    fold = np.array([fold_of(g, folds) for g in groups])
    out = [""] * len(labels)
    for f in range(folds):
        held = np.flatnonzero(fold == f)
        if len(held) == 0:
            continue
        train = [None if fold[i] == f else lab for i, lab in enumerate(labels)]
        model = fit_category_model(encoder, views, train)
        for i, c in zip(held, model.predict(subset(views, held), allowed)):
            out[i] = c
    return out


def subset(views: Views, rows) -> list[dict[str, np.ndarray]]:
    """The same rows of every view."""
    return [{k: np.asarray(v)[rows] for k, v in view.items()} for view in _as_views(views)]


def _as_views(views: Views) -> list[dict[str, np.ndarray]]:
    return [views] if isinstance(views, dict) else list(views)
