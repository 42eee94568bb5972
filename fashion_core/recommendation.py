"""The one result type every recommender returns: a product, a score and a reason."""

from __future__ import annotations

from dataclasses import dataclass

from .catalog import Product


@dataclass(frozen=True)
class Recommendation:
    """A recommended product with its score (higher is better) and why it was chosen."""

    product: Product
    score: float
    reason: str
    slot: str | None = None

    def to_dict(self) -> dict:
        """JSON shape of the CLI contract: ``{"product_id", "category", "score", ...}``."""
        out = {"product_id": self.product.product_id, "category": self.product.category,
               "title": self.product.title, "score": round(float(self.score), 6), "reason": self.reason}
        if self.slot:
            out["slot"] = self.slot
        return out
