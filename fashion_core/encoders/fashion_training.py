"""Fine-tuning the fashion encoder's head on 2 CPU cores: cached last-block maps, metric learning + classification.

What is trained and why: the 1×1 head convolution of EfficientNet-Lite0 (320 → 1,280 channels, 0.4 M
parameters), from the packaged ImageNet weights. The blocks stay frozen, so (1) their output on every training
image is computed once and cached (an image and its mirror, 320 × 5 × 5 at the 160 px embedding size: 16 kB
in float16), and training runs on the cache at thousands of images per second on 2 cores; (2) the garment
parser and the detector, which read the blocks, keep working unchanged. Fine-tuning deeper stages would cost
the cache (their input maps are 4× larger) and a rebuild of the parser; measured and left for a GPU.

Objective, on the L2-normalised pooled embedding: cosine-softmax classification heads (taxonomy category for
every image; article type and base colour for catalog products) plus supervised-contrastive terms (Khosla et
al. 2020) whose positives are the same category across photo styles (catalog, single-garment photos, street
crops: the bridge between street and shop) and the same article type *and* colour within the catalog.
Deterministic: fixed seeds and a fixed order (same data, same command: the same weights on this machine).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

from .base import to_array

log = logging.getLogger(__name__)

EPOCHS = 20
BATCH = 256
LR = 3e-4
HEAD_LR = 3e-3
TEMPERATURE = 0.1
SCALE = 16.0
CONTRASTIVE_WEIGHT = 0.5
SEED = 0
BASE_ENCODER = "efficientnet-lite0"


@dataclass
class TrainingSet:
    """Cached block maps (n, 2 views, C, h, w) float16 with integer labels per task (-1: unknown)."""

    maps: np.ndarray
    labels: dict[str, np.ndarray]
    classes: dict[str, list[str]]
    source: np.ndarray
    keys: list[str] = field(default_factory=list)

    def subset(self, rows: np.ndarray) -> TrainingSet:
        """The rows ``rows`` (e.g. without a benchmark's held-out fold)."""
        return TrainingSet(self.maps[rows], {k: v[rows] for k, v in self.labels.items()}, self.classes,
                           self.source[rows], [self.keys[i] for i in rows] if self.keys else [])


def block_maps(encoder, images: Sequence[Image.Image]) -> np.ndarray:
    """(n, 2, C, h, w) float16: the last block's output for each image and its mirror, at the embedding size."""
    import torch

    out = []
    m = encoder.model
    for view in (list(images), [ImageOps.mirror(im) for im in images]):
        x = to_array(view, encoder.embed_preprocess)
        with torch.inference_mode():
            t = m.stem(torch.from_numpy(x).contiguous(memory_format=torch.channels_last))
            for block in m.blocks:
                t = block(t)
        out.append(t.contiguous().numpy().astype(np.float16))
    return np.stack(out, axis=1)


def encode_maps(encoder, items: Iterable[tuple[Image.Image, dict[str, str | None], str, str]],
                cache: Path | None = None, batch: int = 128, progress: bool = True) -> TrainingSet:
    """Cache :func:`block_maps` of ``(image, {task: label}, source, key)`` items into one :class:`TrainingSet`
    (cached as ``.npz`` under ``cache`` when given, keyed by the items' keys and the encoder weights)."""
    from tqdm import tqdm

    items = list(items)
    keys = [k for _, _, _, k in items]
    digest = hashlib.sha256(("\n".join(keys) + encoder.weights_id + str(encoder.embed_preprocess)).encode()).hexdigest()[:16]
    path = cache / f"maps-{digest}.npz" if cache else None
    tasks = sorted({t for _, labels, _, _ in items for t in labels})
    classes = {t: sorted({lab for _, labels, _, _ in items if (lab := labels.get(t))}) for t in tasks}
    labels = {t: np.array([classes[t].index(lab) if (lab := it[1].get(t)) else -1 for it in items], np.int64)
              for t in tasks}
    source = np.array([s for _, _, s, _ in items])
    if path is not None and path.is_file():
        with np.load(path) as z:
            return TrainingSet(z["maps"], labels, classes, source, keys)
    chunks = []
    for start in tqdm(range(0, len(items), batch), desc="encoder block maps", unit="batch", disable=not progress):
        chunks.append(block_maps(encoder, [im for im, _, _, _ in items[start:start + batch]]))
    maps = np.concatenate(chunks)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp.npz")
        np.savez(tmp, maps=maps)
        tmp.replace(path)
    return TrainingSet(maps, labels, classes, source, keys)


def supcon(z, labels, temperature: float = TEMPERATURE):
    """Supervised-contrastive loss over a batch of unit vectors ``z``; rows with label -1 or without a positive
    are left out."""
    import torch

    keep = labels >= 0
    z, labels = z[keep], labels[keep]
    if len(z) < 2:
        return z.sum() * 0
    sim = z @ z.T / temperature
    eye = torch.eye(len(z), dtype=torch.bool)
    sim = sim.masked_fill(eye, -1e9)
    pos = (labels[:, None] == labels[None, :]) & ~eye
    has = pos.any(1)
    if not has.any():
        return z.sum() * 0
    logp = sim - torch.logsumexp(sim, dim=1, keepdim=True)
    loss = -(logp * pos).sum(1)[has] / pos.sum(1)[has]
    return loss.mean()


def pair_labels(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """One label per (a, b) pair, -1 where either is unknown."""
    out = a * (b.max() + 1) + b
    return np.where((a < 0) | (b < 0), -1, out)


def train_head(encoder, data: TrainingSet, epochs: int = EPOCHS, seed: int = SEED, progress: bool = True,
               contrastive: Sequence[tuple[str, ...]] = (("category",), ("article_type", "colour"))) -> dict:
    """Fine-tune the head convolution on ``data``; returns ``{"weight", "bias"}`` float32 tensors (the fused
    head's shapes) and the training log."""
    import torch
    import torch.nn.functional as F
    from tqdm import tqdm

    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    base = encoder.model.head.conv
    conv = torch.nn.Conv2d(base.in_channels, base.out_channels, 1, bias=True)
    with torch.no_grad():
        conv.weight.copy_(base.weight)
        conv.bias.copy_(base.bias)
    tasks = [t for t in data.labels if (data.labels[t] >= 0).any()]
    heads = torch.nn.ModuleDict({t: torch.nn.Linear(base.out_channels, len(data.classes[t]), bias=False) for t in tasks})
    pairs = {"+".join(c): (pair_labels(*(data.labels[t] for t in c)) if len(c) > 1 else data.labels[c[0]])
             for c in contrastive if all(t in data.labels for t in c)}
    opt = torch.optim.AdamW([{"params": conv.parameters(), "lr": LR, "weight_decay": 1e-4},
                             {"params": heads.parameters(), "lr": HEAD_LR, "weight_decay": 0.0}])
    n = len(data.maps)
    batch = min(BATCH, n)
    steps = epochs * (n // batch)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=[LR, HEAD_LR], total_steps=steps, pct_start=0.1)
    history = []
    bar = tqdm(total=steps, desc="fine-tune encoder head", unit="step", disable=not progress)
    for _epoch in range(epochs):
        order = rng.permutation(n)
        views = rng.integers(0, 2, n)
        totals = []
        for start in range(0, n - batch + 1, batch):
            rows = np.sort(order[start:start + batch])
            x = torch.from_numpy(data.maps[rows, views[rows]].astype(np.float32))
            z = F.normalize(F.relu6(conv(x)).mean(dim=(2, 3)), dim=1)
            loss = z.sum() * 0
            for t in tasks:
                y = torch.from_numpy(data.labels[t][rows])
                if (y >= 0).any():
                    w = F.normalize(heads[t].weight, dim=1)
                    loss = loss + F.cross_entropy(SCALE * z @ w.T, y, ignore_index=-1)
            for lab in pairs.values():
                loss = loss + CONTRASTIVE_WEIGHT * supcon(z, torch.from_numpy(lab[rows]))
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            totals.append(float(loss.detach()))
            bar.update(1)
        history.append(round(float(np.mean(totals)), 4))
        bar.set_postfix(loss=history[-1])
    bar.close()
    return {"weight": conv.weight.detach().clone().contiguous(), "bias": conv.bias.detach().clone().contiguous(),
            "loss_per_epoch": history, "tasks": {t: len(data.classes[t]) for t in tasks}, "n_images": n,
            "epochs": epochs, "seed": seed}


def save_head(out: Path, trained: dict, meta: dict) -> None:
    """Write ``head.safetensors`` and ``config.json`` (the folder :class:`~.fashion.FashionEncoder` loads)."""
    from safetensors.torch import save_file

    from .fashion import BASE, CONFIG, WEIGHTS

    out.mkdir(parents=True, exist_ok=True)
    save_file({"weight": trained["weight"], "bias": trained["bias"]}, str(out / WEIGHTS))
    config = {"base": BASE, "trained": "head convolution (320 -> 1280), blocks frozen",
              **{k: trained[k] for k in ("loss_per_epoch", "tasks", "n_images", "epochs", "seed")}, **meta}
    (out / CONFIG).write_text(json.dumps(config, indent=2, sort_keys=True) + "\n")


# ----------------------------------------------------------------------------------------------- the data


def fpi_items(shared: Path, exclude: set[str] | None = None) -> list[tuple]:
    """(image, labels, "fpi", key) for the catalog products of ``shared/fpi`` (category, article type, colour)."""
    import pandas as pd

    from ..imageio import load_image

    frame = pd.read_csv(shared / "fpi" / "products.csv", dtype=str, keep_default_na=False)
    items = []
    for row in frame.to_dict("records"):
        if exclude and row["id"] in exclude:
            continue
        try:
            image = load_image(shared / "fpi" / row["image"])
        except Exception as exc:  # one unreadable photo must not stop training
            log.warning("skipped fpi %s: %s", row["id"], exc)
            continue
        items.append((image, {"category": row["category"] or None, "article_type": row["articleType"] or None,
                              "colour": row["baseColour"] or None}, "fpi", f"fpi:{row['id']}"))
    return items


def labelled_items(shared: Path) -> list[tuple]:
    """(image, {"category"}, source, key) for the single-garment photos and the ccp street crops."""
    from ..category_model import labelled_images

    items = []
    for source, path in (("clothing", shared / "clothing" / "labels.csv"), ("ccp", shared / "ccp" / "annotations.json")):
        for n, (image, category, group) in enumerate(labelled_images(path)):
            items.append((image, {"category": category}, source, f"{source}:{group}:{n}"))
    return items
