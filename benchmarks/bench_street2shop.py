"""Street to shop: a shopper's photo of a garment against the real catalog (fpi).

Queries: garment crops from ../shared/data/ccp (ground-truth boxes, at least 16 px a side) and the photos of
../shared/data/clothing. precision@10 of the right category for the 10 products served, by how the query's
category is decided:
- raw kNN: no category, the 10 nearest catalog products in the similarity space;
- neighbour vote: the category most of the nearest catalog products have (the default with no category model);
- category model: ``fashion_core.category_model`` fitted on labelled shopper photos, **cross-validated**:
  5 photo-disjoint folds (sha1 of the photo) over both sets; each query is answered by a model fitted on the
  other folds only (what `fashion-core category train --validate` prints); training sees every image and its
  mirror image, a query is answered from both;
- category model, other set only: fitted on one query set, measured on the other (transfer to new data);
- ``--refit-encoder``: the category model cross-validated as above **and** the fashion encoder's head fine-tuned
  again for each fold without that fold's photos (the shipped head saw every ccp crop and clothing photo with its
  category, so the row above flatters it): nothing that answers a query has seen its photo. The head is trained
  as ``models rebuild fashion-encoder`` trains it (fpi products + the other folds' photos, cached block maps).
Then the 10 best products of that category are served, as ``Recommender.similar_items(image=...)`` does.

Run: .venv/bin/python benchmarks/bench_street2shop.py [--limit N] [--refit-encoder]
"""

from __future__ import annotations

import argparse

import numpy as np
from _common import DATA_DIR, SHARED_DATA, fpi_index, need_shared, write_results

COMMAND = ".venv/bin/python benchmarks/bench_street2shop.py"
SETS = {"ccp gt crops": SHARED_DATA / "ccp" / "annotations.json", "clothing photos": SHARED_DATA / "clothing" / "labels.csv"}


def served_precision(rec, vectors: np.ndarray, categories: list[str | None], truth: list[str]) -> np.ndarray:
    """Per query: share of the 10 products served in ``categories[i]`` (None = whole catalog) that are ``truth[i]``."""
    out = np.zeros(len(truth))
    for i, (v, c, t) in enumerate(zip(vectors, categories, truth)):
        hits = rec.index.search(v, 10, category=c)
        out[i] = np.mean([rec.index.products[r].category == t for r, _ in hits]) if hits else 0.0
    return out


def refit_encoder_predictions(views, labels: list[str], groups: list[str], allowed: list[str],
                              folds: int = 5) -> list[str]:
    """Each labelled image's category from a category model *and* a fashion encoder head both fitted without its
    photo's fold (see the module doc); the shipped head's training recipe, one head per fold."""
    import torch
    import torch.nn.functional as F

    from fashion_core.category_model import fit_category_model, fold_of, subset
    from fashion_core.encoders import create_encoder
    from fashion_core.encoders.fashion_training import EPOCHS, encode_maps, fpi_items, labelled_items, train_head

    base = create_encoder("efficientnet-lite0")
    data = encode_maps(base, fpi_items(SHARED_DATA) + labelled_items(SHARED_DATA), cache=DATA_DIR / "cache" /
                       "encoder-maps")
    # the cache's street rows, matched to the queries: the same photos in the same order within each set
    street = {src: [i for i, k in enumerate(data.keys) if k.startswith(f"{src}:")] for src in ("ccp", "clothing")}
    rows = np.zeros(len(groups), int)
    for src in street:
        mine = [i for i, g in enumerate(groups) if g.startswith(f"{src}/")]
        if len(mine) != len(street[src]):
            raise SystemExit(f"{src}: {len(mine)} queries but {len(street[src])} cached photos; clear the cache")
        for q, r in zip(mine, street[src]):
            if groups[q].split(":", 1)[1] != data.keys[r].split(":")[1]:
                raise SystemExit(f"query {groups[q]} and cached {data.keys[r]} differ: the orders do not match")
            rows[q] = r
    shipped = create_encoder("fashion-lite0").fashion_head.conv  # the cache must give the served encoder's heads
    with torch.inference_mode():
        x = torch.from_numpy(data.maps[rows[:64], 0].astype(np.float32))
        check = F.normalize(F.relu6(shipped(x)).mean(dim=(2, 3)), dim=1).numpy()
    agree = float(np.min(np.sum(check * views[0]["head"][:64], axis=1)))
    if agree < 0.99:
        raise SystemExit(f"cached block maps do not reproduce the served heads (cosine {agree:.3f})")
    fold = np.array([fold_of(g, folds) for g in groups])
    key_fold = {data.keys[r]: f for r, f in zip(rows, fold)}
    out = [""] * len(labels)
    for f in range(folds):
        held = np.flatnonzero(fold == f)
        train = np.array([i for i, k in enumerate(data.keys) if key_fold.get(k, -1) != f])
        trained = train_head(base, data.subset(train), epochs=EPOCHS, progress=False)
        fold_views = []
        for v, view in enumerate(views):
            with torch.inference_mode():
                x = torch.from_numpy(data.maps[rows, v].astype(np.float32))
                head = F.normalize(F.relu6(F.conv2d(x, trained["weight"], trained["bias"])).mean(dim=(2, 3)), dim=1)
            fold_views.append({**view, "head": head.numpy()})
        enc = create_encoder("efficientnet-lite0")  # the model records an encoder; these heads are the fold's
        model = fit_category_model(enc, fold_views, [None if fold[i] == f else lab for i, lab in enumerate(labels)])
        for i, c in zip(held, model.predict(subset(fold_views, held), allowed)):
            out[i] = c
        print(f"fold {f}: head fine-tuned without {len(held)} held-out images "
              f"({len(train)} training images); accuracy {np.mean([out[i] == labels[i] for i in held]):.3f}",
              flush=True)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--limit", type=int, default=None, help="at most this many queries per set (default: all)")
    ap.add_argument("--refit-encoder", action="store_true",
                    help="also the row with the fashion encoder's head refitted per fold (about 30 min on 2 cores)")
    args = ap.parse_args()
    need_shared()
    from fashion_core.category_model import (
        cross_validated_predictions,
        encode_labelled,
        fit_category_model,
        source_name,
        subset,
    )
    from fashion_core.recommend import Recommender

    rec = Recommender(fpi_index())
    allowed = list(rec.index.categories)
    views, labels, groups = encode_labelled(rec.encoder, list(SETS.values()), limit=args.limit)
    source = np.array([g.split(":", 1)[0] for g in groups])
    vectors = rec.index.descriptor.transform(views[0])
    vote = [rec.infer_category(h) for h in views[0]["head"]]
    cv = cross_validated_predictions(rec.encoder, views, labels, groups, allowed=allowed)
    transfer = [""] * len(labels)
    for s in np.unique(source):
        train = [lab if src != s else None for lab, src in zip(labels, source)]
        held = np.flatnonzero(source == s)
        model = fit_category_model(rec.encoder, views, train)
        for i, c in zip(held, model.predict(subset(views, held), allowed)):
            transfer[i] = c
    rows = {"raw kNN (no category)": served_precision(rec, vectors, [None] * len(labels), labels),
            "neighbour vote": served_precision(rec, vectors, vote, labels),
            "category model, 5-fold cross-validated": served_precision(rec, vectors, cv, labels),
            "category model, fitted on the other set only": served_precision(rec, vectors, transfer, labels)}
    if args.refit_encoder:
        if args.limit:
            raise SystemExit("--refit-encoder needs every photo (the encoder cache holds them all): drop --limit")
        refit = refit_encoder_predictions(views, labels, groups, allowed)
        rows["category model and encoder head, 5-fold cross-validated"] = served_precision(rec, vectors, refit, labels)
    figures = {}
    for name, folder in SETS.items():
        sel = source == source_name(folder)
        figures[name] = {"n_queries": int(sel.sum()), **{row: round(float(p[sel].mean()), 4) for row, p in rows.items()}}
    print("street to shop against fpi: precision@10 of the right category, by how the query's category is decided")
    width = max(map(len, rows))
    for name, r in figures.items():
        print(f"{name} (n={r['n_queries']})")
        for row in rows:
            print(f"  {row:{width}s} {r[row]:.3f}")
    cmd = COMMAND + (f" --limit {args.limit}" if args.limit else "") + (" --refit-encoder" if args.refit_encoder else "")
    print(f"split: 5 photo folds by sha1 of the source photo (fashion_core.category_model.fold_of); encoder "
          f"{rec.encoder.name}")
    print(f"written {write_results('bench_street2shop', cmd, figures)}; reproduce: {cmd}")


if __name__ == "__main__":
    main()
