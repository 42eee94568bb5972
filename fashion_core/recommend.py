"""The Recommender facade: similar items, complete the look, detect and crop, over one loaded index.

Models and the index load once per process; every method is read-only, so app sessions share one
instance. Image queries without a category take it from the shopper-photo category model when one is
configured (``fashion_core.category_model``, ``FASHION_CATEGORY_MODEL``), else from a similarity-weighted
vote of their nearest catalog neighbours (street-to-shop).
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

from .ann import exact_search
from .catalog import Catalog
from .category_model import CategoryModel
from .config import settings
from .encoders import create_encoder
from .encoders.descriptor import extract_parts
from .index import check_compatible, load_index
from .recommendation import Recommendation

VOTE_NEIGHBOURS = 10
"""Neighbours across all categories (by raw encoder feature) that vote for an image query's category."""


class Recommender:
    """Similar and complementary products for a product id or an image, from one index directory."""

    def __init__(self, index_dir: Path | None = None, encoder=None, detector=None,
                 category_model: CategoryModel | Path | str | None = None):
        self.index_dir = Path(index_dir or settings().index_dir)
        if isinstance(encoder, str):
            encoder = create_encoder(encoder)
        index = load_index(self.index_dir, encoder)
        self.encoder = encoder or create_encoder(index.manifest["encoder"]["name"])
        if encoder is None:
            check_compatible(index.manifest, self.index_dir, self.encoder)  # the weights must match too
        self.index = index
        self.manifest = index.manifest
        self.catalog: Catalog = index.catalog
        self._detector = detector
        self._complement = None
        if isinstance(category_model, (str, Path)):
            category_model = CategoryModel.load(category_model)
        if category_model is not None:
            category_model.check_encoder(self.encoder)
        self.category_model: CategoryModel | None = category_model

    @classmethod
    def from_settings(cls) -> Recommender:
        """The recommender for the configured index and encoder (``FASHION_*`` environment variables)."""
        s = settings()
        return cls(s.index_dir, encoder=s.encoder, category_model=s.category_model)

    # ------------------------------------------------------------------ queries
    def image_vector(self, image: Image.Image) -> tuple[np.ndarray, np.ndarray]:
        """(similarity vector, raw encoder feature) of one query image."""
        vector, parts = self.image_parts(image)
        return vector, parts["head"][0]

    def image_parts(self, image: Image.Image) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """(similarity vector, encoder parts of the one image) of a query image."""
        parts = extract_parts(self.encoder, [image])
        return self.index.descriptor.transform(parts)[0], parts

    def image_category(self, parts: dict[str, np.ndarray], image: Image.Image | None = None) -> str:
        """The category of a query image (its encoder ``parts``): the category model's, among the indexed
        categories, when one is loaded (from the image and its mirror image when ``image`` is given); else the
        nearest products' vote (:meth:`infer_category`)."""
        if self.category_model is not None:
            views = [parts] if image is None else [parts, extract_parts(self.encoder, [ImageOps.mirror(image)])]
            return self.category_model.predict(views, allowed=list(self.index.categories))[0]
        return self.infer_category(parts["head"][0])

    def infer_category(self, feature: np.ndarray, k: int = VOTE_NEIGHBOURS) -> str:
        """The category most of the nearest catalog products (similarity-weighted) belong to, by the raw encoder
        feature (more about what the thing is, less about its colour, than the similarity vector).
        Exact search over ``features.npy``: fine to a few 100k products."""
        votes: dict[str, float] = defaultdict(float)
        rows, sims = exact_search(self.index.features, feature, k)
        for row, sim in zip(rows[0], sims[0]):
            votes[self.index.products[int(row)].category] += max(float(sim), 0.0) + 1e-6
        return max(sorted(votes), key=lambda c: votes[c])

    def _query(self, product_id, image, category):
        if (product_id is None) == (image is None):
            raise ValueError("give exactly one of product_id or image")
        if product_id is not None:
            row = self.index.row(product_id)
            product = self.index.products[row]
            return (np.asarray(self.index.vectors[row]), np.asarray(self.index.features[row]),
                    category or product.category, {row}, product.title)
        vector, parts = self.image_parts(image)
        return vector, parts["head"][0], category or self.image_category(parts, image), set(), None

    def similar_items(self, product_id: str | None = None, image: Image.Image | None = None,
                      category: str | None = None, k: int = 10) -> list[Recommendation]:
        """Up to ``k`` products of the same category that look most alike; never the query product."""
        if k <= 0:
            raise ValueError(f"k must be a positive number of results, got {k}")
        vector, _, category, exclude, _ = self._query(product_id, image, category)
        hits = self.index.search(vector, k, category=category, exclude_rows=exclude)
        return [Recommendation(self.index.products[r], s, f"looks similar ({category})")
                for r, s in hits]

    def complete_the_look(self, product_id: str | None = None, image: Image.Image | None = None,
                          category: str | None = None, k: int = 5):
        """An outfit around the query: best items for every other slot (``compat.retrieval.ComplementIndex``)."""
        from .compat.retrieval import ComplementIndex

        if self._complement is None:
            self._complement = ComplementIndex.load(self.index_dir, list(self.catalog))
        _, feature, category, exclude, title = self._query(product_id, image, category)
        exclude_ids = tuple(self.index.ids[r] for r in exclude)
        return self._complement.complete(feature, title, category, k=k, exclude_ids=exclude_ids)

    def detect(self, image: Image.Image) -> list:
        """Garments in a photo (``fashion_core.detection``, created on first use)."""
        if self._detector is None:
            from .detection import create_detector

            name = settings().detector
            kwargs = {"category_model": self.category_model, "encoder": self.encoder} \
                if name == "pose" and self.category_model is not None else {}
            self._detector = create_detector(name, **kwargs)
        return self._detector.detect(image)

    def crop(self, image: Image.Image, detection) -> Image.Image:
        """The part of ``image`` a detection covers (padded a little)."""
        from .detection.crops import crop

        return crop(image, detection)
