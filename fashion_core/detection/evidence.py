"""ImageNet evidence on garment crops: EfficientNet-Lite0's 1000 class probabilities summed per taxonomy category."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
from PIL import Image

from .. import taxonomy

log = logging.getLogger(__name__)


def category_matrix(class_names: Sequence[str]) -> np.ndarray:
    """(n_classes, 12) 0/1 matrix: ImageNet class i counts for taxonomy category j (via ``taxonomy.IMAGENET``)."""
    table = {k.lower(): v for k, v in taxonomy.IMAGENET.items()}
    m = np.zeros((len(class_names), len(taxonomy.CATEGORIES)), np.float32)
    for i, name in enumerate(class_names):
        cat = table.get(name.lower())
        if cat is not None:
            m[i, taxonomy.CATEGORIES.index(cat)] = 1.0
    return m


class ImageNetEvidence:
    """Per-category ImageNet probability mass of crops; the encoder loads on first use."""

    def __init__(self, encoder=None, encoder_name: str = "efficientnet-lite0") -> None:
        self._encoder = encoder
        self.encoder_name = encoder_name
        self._matrix: np.ndarray | None = None

    @property
    def encoder(self):
        """The ImageNet classifier (created from the encoder registry on first use)."""
        if self._encoder is None:
            from ..encoders import create_encoder

            self._encoder = create_encoder(self.encoder_name)
        return self._encoder

    def category_probs(self, crops: Sequence[Image.Image]) -> np.ndarray:
        """(n, 12) ImageNet probability mass per taxonomy category (columns in ``taxonomy.CATEGORIES`` order)."""
        if not crops:
            return np.zeros((0, len(taxonomy.CATEGORIES)), np.float32)
        if self._matrix is None:
            self._matrix = category_matrix(self.encoder.imagenet_classes)
        probs = self.encoder.imagenet_probs(list(crops))
        return probs @ self._matrix


class CategoryModelEvidence:
    """Category probabilities of crops from a shopper-photo category model (``fashion_core.category_model``):
    fitted on labelled garment crops, it tells top from outerwear from dress far better than ImageNet classes."""

    def __init__(self, model, encoder=None) -> None:
        from ..category_model import CategoryModel

        self.model = model if isinstance(model, CategoryModel) else CategoryModel.load(model)
        if encoder is not None:
            self.model.check_encoder(encoder)
        self._encoder = encoder
        self._columns = [taxonomy.CATEGORIES.index(c) for c in self.model.classes]

    @property
    def encoder(self):
        """The image encoder the model was fitted on (created on first use and checked against the model)."""
        if self._encoder is None:
            from ..encoders import create_encoder

            encoder = create_encoder(self.model.encoder["name"])
            self.model.check_encoder(encoder)
            self._encoder = encoder
        return self._encoder

    def category_probs(self, crops: Sequence[Image.Image]) -> np.ndarray:
        """(n, 12) category probabilities (columns in ``taxonomy.CATEGORIES`` order; unknown classes 0)."""
        out = np.zeros((len(crops), len(taxonomy.CATEGORIES)), np.float32)
        if crops:
            from ..encoders.descriptor import extract_parts

            out[:, self._columns] = self.model.probs(extract_parts(self.encoder, list(crops)))
        return out
