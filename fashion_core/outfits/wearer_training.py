"""Training the shipped wearer model from fpi (``fashion-core models rebuild wearer``): encode, fit, score.

The I/O edge of :mod:`.wearer_prior`: it reads ``../shared/data/fpi``, encodes every product photo once (cached
under ``data/cache/wearer-parts``, keyed by the encoder's weights), fits on the products outside the held-out fold
and scores the held-out fold, beside a head fitted the way ingest fits one on a small shop's labels.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from ..encoders.attributes import fit_head
from ..results import RebuildResult
from . import wearer_prior as wp
from .profile import ItemProfile
from .wearer import REGULARISATION_C as CATALOG_C

SMALL_SHOP = (500, 2000)
"""Sizes of the labelled shops the card compares with (their heads fitted on a seeded draw of training products)."""
SEED = 0


def encode_catalog(products, encoder, cache: Path, progress: bool) -> dict[str, np.ndarray]:
    """Encoder parts of the products' photos, cached as one ``.npz`` per encoder weights and product list."""
    import hashlib

    from tqdm import tqdm

    from ..ingest import encode_chunk

    key = hashlib.sha1(("\n".join(p.product_id for p in products) + encoder.weights_id).encode()).hexdigest()[:12]
    path = cache / f"{encoder.name}-{key}.npz"
    if path.is_file():
        with np.load(path, allow_pickle=False) as z:
            return {k: z[k] for k in z.files}
    chunks = [encode_chunk(products[i:i + 64], encoder, None)
              for i in tqdm(range(0, len(products), 64), desc="encoding fpi", disable=not progress, file=sys.stderr)]
    parts = {k: np.concatenate([c[k] for c in chunks]) for k in chunks[0]}
    cache.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.npz")
    np.savez(tmp, **parts)
    tmp.replace(path)
    return parts


def train(out: Path, settings, progress: bool) -> RebuildResult:
    """Fit the shipped wearer model on fpi (all but the held-out fold), save it into ``out`` and score it."""
    from ..catalog import load_catalog
    from ..encoders import create_encoder

    encoder = create_encoder(settings.encoder)
    catalog = load_catalog(settings.shared_data / "fpi" / "products.csv")
    products = list(catalog.products)
    parts = encode_catalog(products, encoder, settings.cache_dir / "wearer-parts", progress)
    ok = parts["ok"].astype(bool)
    genders = [ItemProfile.of(p.attributes, p.title).gender if good else None for p, good in zip(products, ok)]
    cats = [p.category for p in products]
    test = np.array([wp.held_out(p.product_id) and g is not None for p, g in zip(products, genders)])
    train_rows = np.where(~test & np.array([g is not None for g in genders]))[0]
    test_rows = np.where(test)[0]
    head = parts["head"]
    prior = wp.fit_prior(head[train_rows], [cats[i] for i in train_rows], [genders[i] for i in train_rows], encoder,
                         {"data": "../shared/data/fpi/products.csv", "products": int(len(train_rows))})
    prior.save(out)

    tc, tg = [cats[i] for i in test_rows], [genders[i] for i in test_rows]
    scores = {"held-out fpi products": int(len(test_rows)),
              "wearer accuracy, shipped model": round(wp.wearer_accuracy(prior.probs(head[test_rows], tc),
                                                                          prior.head.classes, tc, tg), 4)}
    rng = np.random.default_rng(SEED)
    for n in SMALL_SHOP:  # what ingest fits on a shop that labels only n products (on the unreduced vector here)
        shop = np.sort(rng.choice(train_rows, size=min(n, len(train_rows)), replace=False))
        h = fit_head("gender", wp.features(head[shop], [cats[i] for i in shop]), [genders[i] for i in shop],
                     CATALOG_C)
        scores[f"wearer accuracy, a head fitted on {n} labelled products"] = round(
            wp.wearer_accuracy(h.probs(wp.features(head[test_rows], tc)), h.classes, tc, tg), 4)
    return RebuildResult(
        ["fpi"], scores,
        f"product-disjoint: fpi products with sha1(id) % {wp.FOLDS} == {wp.HELD_OUT_FOLD} are never fitted on and are "
        "the scored ones; benchmarks/bench_outfits.py draws its queries from them too",
        f"Softmax regression (C {wp.REGULARISATION_C}) over the encoder's L2-normalised head part and the category "
        f"one-hot, classes Boys, Girls, Men, Unisex, Women, fitted on {len(train_rows)} labelled fpi products "
        "(`fashion_core/outfits/wearer_training.py`). Ingest weighs it against the catalog's own labels and keeps "
        "the better on the catalog's labelled products (`outfits/wearer.py: choose_gender_head`).",
        ["Wearer accuracy: the most probable wearer (Men, Women, Boys, Girls; wearers who do not wear the category "
         "left out) may wear the product (a Unisex product: Men or Women).",
         "The small-shop rows fit ingest's own head (C 0.1) on a seeded draw of training products and score the "
         "same held-out products: what a shop with that many labels gets without this model."])
