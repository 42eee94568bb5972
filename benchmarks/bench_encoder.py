"""The fashion-tuned encoder against the packaged ImageNet one, on fpi similar items, cross-fitted by product fold.

Products are split in 5 folds by sha1(id) (as bench_similar). For each fold the encoder head is fine-tuned
(:mod:`fashion_core.encoders.fashion_training`) on the other 4 folds' products plus every single-garment photo
and ccp street crop (none of them is an fpi query), the whole catalog is embedded with it, the attribute heads
are fitted without the fold's labels, and the fold's products are the queries (leave-one-out, within the
query's category, as ``similar_items`` serves). The ImageNet rows are computed on the same folds in the same run.
Also printed: category accuracy of a nearest-class-mean on the fashion head for clothing photos / ccp crops,
photo-disjoint (the street side is trained on the other folds only).

Run: .venv/bin/python benchmarks/bench_encoder.py [--epochs 8] [--folds 0,1,2,3,4]
"""

from __future__ import annotations

import argparse
import hashlib
import time

import numpy as np
from _common import DATA_DIR, SHARED_DATA, fpi_labels, fpi_parts, need_shared, write_results
from bench_similar import FOLDS, folds_of, loo_hits, summarise

COMMAND = ".venv/bin/python benchmarks/bench_encoder.py"


def heads_from_maps(trained: dict | None, maps: np.ndarray, base) -> np.ndarray:
    """The pooled head embedding (L2-normalised) of view 0 of cached maps, for a trained head or the packaged one."""
    import torch
    import torch.nn.functional as F

    w = trained["weight"] if trained else base.weight.detach()
    b = trained["bias"] if trained else base.bias.detach()
    out = []
    with torch.inference_mode():
        for s in range(0, len(maps), 1024):
            x = torch.from_numpy(maps[s:s + 1024, 0].astype(np.float32))
            out.append(F.normalize(F.relu6(F.conv2d(x, w, b)).mean(dim=(2, 3)), dim=1).numpy())
    return np.concatenate(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--epochs", type=int, default=None)
    ap.add_argument("--folds", default=",".join(map(str, range(FOLDS))))
    args = ap.parse_args()
    need_shared()
    from fashion_core.encoders import create_encoder
    from fashion_core.encoders.attributes import column_labels
    from fashion_core.encoders.descriptor import Descriptor, weights_for_parts
    from fashion_core.encoders.fashion_training import EPOCHS, encode_maps, fpi_items, labelled_items, train_head

    epochs = args.epochs or EPOCHS
    enc = create_encoder("efficientnet-lite0")
    start = time.perf_counter()
    items = fpi_items(SHARED_DATA) + labelled_items(SHARED_DATA)
    data = encode_maps(enc, items, cache=DATA_DIR / "cache" / "encoder-maps")
    cache_s = time.perf_counter() - start
    del items
    fpi_rows = np.flatnonzero(data.source == "fpi")
    ids = np.array([k.split(":", 1)[1] for k in np.array(data.keys)[fpi_rows]])
    parts = fpi_parts(160)
    order = {pid: i for i, pid in enumerate(parts["ids"].tolist())}
    sel = np.array([order[i] for i in ids])
    parts = {k: v[sel] for k, v in parts.items()}
    at, col, cat = fpi_labels(ids)
    fold = folds_of(ids)
    attrs = [{"articleType": a, "baseColour": c} for a, c in zip(at, col)]
    labels = {h: column_labels(attrs, h) for h in ("articleType", "baseColour")}
    base = enc.model.head.conv
    street = np.flatnonzero(data.source != "fpi")
    street_fold = np.array([int(hashlib.sha1(k.rsplit(":", 1)[0].encode()).hexdigest(), 16) % FOLDS
                            for k in np.array(data.keys)[street]])
    street_cat = data.labels["category"][street]
    hits = {"ImageNet head only": [], "fashion head only": [], "final, ImageNet encoder": [], "final, fashion encoder": []}
    street_right = {"ImageNet": [], "fashion": []}
    train_s = []
    for f in map(int, args.folds.split(",")):
        held = fold == f
        keep = np.concatenate([fpi_rows[~held], street[street_fold != f]])
        t0 = time.perf_counter()
        trained = train_head(enc, data.subset(np.sort(keep)), epochs=epochs)
        train_s.append(time.perf_counter() - t0)
        queries = np.flatnonzero(held)
        masked = {name: [None if h else v for v, h in zip(values, held)] for name, values in labels.items()}
        for tag, tr in (("ImageNet", None), ("fashion", trained)):
            head = heads_from_maps(tr, data.maps[fpi_rows], base)
            hits[f"{tag} head only"].append(loo_hits(head, cat, at, col, queries=queries))
            p = {k: v for k, v in parts.items() if k != "ids"} | {"head": head}
            x = Descriptor(weights=weights_for_parts(p)).fit(p, masked).transform(p)
            hits[f"final, {tag} encoder"].append(loo_hits(x, cat, at, col, queries=queries))
            # street photos of this fold: nearest class mean of the training street photos' embeddings
            sh = heads_from_maps(tr, data.maps[street], base)
            train_rows = street_fold != f
            means = np.stack([sh[train_rows & (street_cat == c)].mean(0) if (train_rows & (street_cat == c)).any()
                              else np.zeros(sh.shape[1]) for c in range(len(data.classes["category"]))])
            pred = np.argmax(sh[~train_rows] @ means.T, axis=1)
            street_right[tag].append(pred == street_cat[~train_rows])
        print(f"fold {f}: trained in {train_s[-1]:.0f} s; " + ", ".join(
            f"{k} p@10 type+col {summarise(*hits[k][-1])['p10_type_colour']:.3f}" for k in hits), flush=True)
    rows = {k: summarise(*(np.concatenate([h[i] for h in v]) for i in range(3))) for k, v in hits.items()}
    street_acc = {k: round(float(np.concatenate(v).mean()), 4) for k, v in street_right.items()}
    print(f"fpi similar items, {len(ids)} products, folds {args.folds} (sha1 of id, seed 0), within category")
    print(f"{'row':34s} {'p@5 type+col':>12s} {'p@10 type+col':>13s} {'p@10 type':>9s}")
    for name, r in rows.items():
        print(f"{name:34s} {r['p5_type_colour']:12.3f} {r['p10_type_colour']:13.3f} {r['p10_type']:9.3f}")
    print(f"street photos (clothing + ccp crops, photo folds), nearest class mean category accuracy: {street_acc}")
    print(f"block-map cache {cache_s:.0f} s; head fine-tuning {np.mean(train_s):.0f} s per fold ({epochs} epochs)")
    cmd = COMMAND + (f" --epochs {args.epochs}" if args.epochs else "") + (f" --folds {args.folds}" if args.folds != "0,1,2,3,4" else "")
    figures = {"rows": rows, "street_category_accuracy_ncm": street_acc, "folds": args.folds, "seed": 0,
               "epochs": epochs, "train_s_per_fold": round(float(np.mean(train_s)), 1), "n_products": len(ids)}
    print(f"written {write_results('bench_encoder', cmd, figures)}; reproduce: {cmd}")


if __name__ == "__main__":
    main()
