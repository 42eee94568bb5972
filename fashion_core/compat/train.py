"""Training the compatibility model on outfits with triplets, seeded, early-stopped on validation FITB.

For every item of a batch of training outfits: anchor = the normalised mean embedding of the *other* items of
its outfit, positive = the item, negatives = random items of the **same slot** drawn from the training pool
(``semi_hard`` keeps, per positive, the hardest negative that still scores below the positive).
Loss: margin ranking on cosine similarity, ``relu(margin - cos(a, p) + cos(a, n))``; AdamW with weight decay.
In ``image+text`` mode the title features of a share of rows are zeroed (``text_dropout``), so the model also
embeds a photo crop that has no title. The best epoch by validation FITB is kept. Several heads = several seeded runs joined as one ensemble model.
"""

from __future__ import annotations

import hashlib
import logging
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np
import torch

from ..encoders.text import TitleEncoder
from .data import OutfitData
from .evaluate import fitb_accuracy, questions
from .features import CACHE_DIR, ItemFeatures, item_features
from .model import CompatConfig, CompatModel, CompatNet

log = logging.getLogger(__name__)


@dataclass
class TrainConfig:
    """Hyper-parameters of one training run (all recorded in the saved model's config)."""

    mode: str | None = None
    """``image+text``, ``image`` or ``text``; default: every modality the data has."""
    dim: int | None = None
    """Output dimension; default 128 per head (128 for one head, 512 for the 4-head titles-only ensemble)."""
    hidden: int = 256
    dropout: float = 0.5
    heads: int | None = None
    """Heads (separately seeded runs joined into one model); default 4 for titles-only data (small and noisy,
    training is seconds), 1 when images are used (keeps demo training within minutes)."""
    margin: float = 0.1
    lr: float = 1e-3
    weight_decay: float = 5e-2
    epochs: int = 30
    patience: int = 6
    batch_outfits: int = 64
    negatives: int = 4
    semi_hard: bool = False
    text_dropout: float = 0.2
    input_dropout: float = 0.3
    text_dim: int = 256
    seed: int = 0
    threads: int = 2


@dataclass
class TrainResult:
    """The trained model, the per-epoch record and the run's cost."""

    model: CompatModel
    history: list[dict] = field(default_factory=list)
    best_epoch: int = 0
    best_valid_fitb: float = float("nan")
    seconds: float = 0.0


def fit_text_encoder(data: OutfitData, dim: int = 256, seed: int = 0) -> TitleEncoder:
    """A title encoder fitted on the training split's titles only (held-out titles stay unseen)."""
    ids = sorted({i for o in data.outfits("train") for i in o.item_ids})
    titles = [data.items[i].title for i in ids if data.items[i].title]
    return TitleEncoder(dim=dim, seed=seed).fit(titles)


def dataset_features(data: OutfitData, modalities: tuple[str, ...], encoder=None,
                     text_encoder: TitleEncoder | None = None, cache_dir: Path | None = CACHE_DIR,
                     progress: bool = False) -> ItemFeatures:
    """Features of every item that appears in an outfit of any split, in sorted id order."""
    ids = sorted({i for outfits in data.splits.values() for o in outfits for i in o.item_ids})
    return item_features([data.items[i] for i in ids], modalities, encoder, text_encoder, cache_dir, progress)


def train_model(data: OutfitData, feats: ItemFeatures, cfg: TrainConfig, text_encoder: TitleEncoder | None = None,
                image_encoder: dict | None = None) -> TrainResult:
    """Train on ``data``'s train split with precomputed ``feats``; early stopping on its valid split.

    With several heads, each head is a separate run (seed ``seed + k``, its own batches, negatives and early
    stop) and the runs are joined into one model: a small ensemble that averages out seed-to-seed noise.
    """
    with _deterministic_torch():
        return _train_model(data, feats, cfg, text_encoder, image_encoder)


@contextmanager
def _deterministic_torch():
    """PyTorch's deterministic kernels while training: without them two runs on 2 threads drift apart
    (polyvore-text FITB measured 0.416-0.430 for the same seed); with them a seed gives one model."""
    before = torch.are_deterministic_algorithms_enabled()
    torch.use_deterministic_algorithms(True)
    try:
        yield
    finally:
        torch.use_deterministic_algorithms(before)


def _train_model(data: OutfitData, feats: ItemFeatures, cfg: TrainConfig, text_encoder: TitleEncoder | None,
                 image_encoder: dict | None) -> TrainResult:
    t0 = time.perf_counter()
    mode = cfg.mode or "+".join(m for m in ("image", "text") if m in data.modalities)
    torch.set_num_threads(cfg.threads)
    row = feats.row
    img = torch.from_numpy(feats.image) if feats.image is not None and "image" in mode else None
    txt = torch.from_numpy(feats.text) if feats.text is not None and "text" in mode else None
    heads = cfg.heads or (4 if mode == "text" else 1)
    dim = cfg.dim or 128 * heads
    mcfg = CompatConfig(mode=mode, image_dim=0 if img is None else img.shape[1],
                        text_dim=0 if txt is None else txt.shape[1], hidden=cfg.hidden, dim=dim,
                        dropout=cfg.dropout, heads=heads, image_encoder=image_encoder,
                        text_encoder={"id": text_encoder.id, "dim": text_encoder.dim} if txt is not None else None)
    train = [np.array([row[i] for i in o.item_ids]) for o in data.outfits("train")]
    if not train:
        raise ValueError(f"{data.source}: the train split has no outfits of 2+ items; nothing to train on")
    slot_of_row = np.array([data.items[i].slot for i in feats.ids])
    pool_rows = np.unique(np.concatenate(train))
    pools = {s: pool_rows[slot_of_row[pool_rows] == s] for s in np.unique(slot_of_row[pool_rows])}
    valid_qs = questions(data, "valid")[0] if data.splits.get("valid") else []
    head_cfg = CompatConfig(**{**asdict(mcfg), "heads": 1, "dim": dim // heads})
    net = CompatNet(mcfg)
    history, best_epochs = [], []
    for k in range(heads):
        head, head_history = _train_head(head_cfg, train, pools, slot_of_row, img, txt, row, valid_qs,
                                         replace(cfg, seed=cfg.seed + k))
        net.blocks[k].load_state_dict(head.blocks[0].state_dict())
        history += [{"head": k, **h} for h in head_history]
        best_epochs.append(max(head_history, key=lambda h: h["score"])["epoch"])
    net.eval()
    best = float("nan")
    if valid_qs:
        with torch.no_grad():
            best = fitb_accuracy(net(img, txt).numpy(), row, valid_qs)
    state = net.state_dict()
    digest = hashlib.sha256(b"".join(v.numpy().tobytes() for v in state.values())).hexdigest()[:12]
    mcfg.training = {"model_id": digest, "data": {"layout": data.layout, "source": str(data.source),
                                                  "split_rule": data.split_rule,
                                                  "n_train_outfits": len(train)},
                     "hyper": asdict(cfg), "best_epochs": best_epochs,
                     "best_valid_fitb": None if np.isnan(best) else best, "history": history}
    return TrainResult(CompatModel(net, mcfg, text_encoder if txt is not None else None), history,
                       max(best_epochs), best, time.perf_counter() - t0)


def _train_head(head_cfg: CompatConfig, train: list[np.ndarray], pools: dict[str, np.ndarray],
                slot_of_row: np.ndarray, img: torch.Tensor | None, txt: torch.Tensor | None, row: dict[str, int],
                valid_qs: list, cfg: TrainConfig) -> tuple[CompatNet, list[dict]]:
    """One seeded run of one head, keeping the epoch with the best validation FITB (or lowest loss)."""
    torch.manual_seed(cfg.seed)
    rng = np.random.default_rng(cfg.seed)
    net = CompatNet(head_cfg)
    opt = torch.optim.AdamW(net.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    history, best, best_state, stale = [], -np.inf, None, 0
    for epoch in range(1, cfg.epochs + 1):
        net.train()
        order = rng.permutation(len(train))
        losses = []
        for s in range(0, len(order), cfg.batch_outfits):
            batch = [train[k] for k in order[s:s + cfg.batch_outfits]]
            losses.append(_step(net, opt, batch, pools, slot_of_row, img, txt, cfg, rng))
        record = {"epoch": epoch, "loss": float(np.mean(losses))}
        if valid_qs:
            net.eval()
            with torch.no_grad():
                record["valid_fitb"] = fitb_accuracy(net(img, txt).numpy(), row, valid_qs)
        record["score"] = record.get("valid_fitb", -record["loss"])
        history.append(record)
        log.info("seed %d epoch %d: %s", cfg.seed, epoch, record)
        if record["score"] > best:
            best, stale = record["score"], 0
            best_state = {k: v.detach().clone() for k, v in net.state_dict().items()}
        else:
            stale += 1
            if stale >= cfg.patience:
                break
    net.load_state_dict(best_state)
    return net.eval(), history


def _step(net: CompatNet, opt: torch.optim.Optimizer, batch: list[np.ndarray], pools: dict[str, np.ndarray],
          slot_of_row: np.ndarray, img: torch.Tensor | None, txt: torch.Tensor | None, cfg: TrainConfig,
          rng: np.random.Generator) -> float:
    rows = np.concatenate(batch)
    outfit = np.repeat(np.arange(len(batch)), [len(b) for b in batch])
    negs = np.stack([pools[slot_of_row[r]][rng.integers(len(pools[slot_of_row[r]]), size=cfg.negatives)]
                     for r in rows])
    all_rows = torch.from_numpy(np.concatenate([rows, negs.ravel()]))
    x_img = img[all_rows] if img is not None else None
    x_txt = txt[all_rows] if txt is not None else None
    if x_txt is not None and x_img is not None and cfg.text_dropout > 0:
        keep = torch.from_numpy(rng.random(len(all_rows)) >= cfg.text_dropout).float()[:, None]
        x_txt = x_txt * keep
    if cfg.input_dropout > 0:
        x_img = torch.nn.functional.dropout(x_img, cfg.input_dropout) if x_img is not None else None
        x_txt = torch.nn.functional.dropout(x_txt, cfg.input_dropout) if x_txt is not None else None
    idx = torch.from_numpy(outfit)
    heads = net.forward_heads(x_img, x_txt)
    loss = sum(_triplet_loss(emb, idx, len(batch), len(rows), cfg) for emb in heads) / len(heads)
    opt.zero_grad()
    loss.backward()
    opt.step()
    return float(loss.detach())


def _triplet_loss(emb: torch.Tensor, outfit: torch.Tensor, n_outfits: int, n_pos: int,
                  cfg: TrainConfig) -> torch.Tensor:
    """Margin ranking loss of one head: anchor = the other items of the outfit, negatives of the same slot."""
    e_pos, e_neg = emb[:n_pos], emb[n_pos:].view(n_pos, cfg.negatives, -1)
    sums = torch.zeros(n_outfits, emb.shape[1]).index_add_(0, outfit, e_pos)
    anchor = torch.nn.functional.normalize(sums[outfit] - e_pos, dim=1)
    sp = (anchor * e_pos).sum(1)
    sn = torch.einsum("pd,pmd->pm", anchor, e_neg)
    if cfg.semi_hard:
        masked = torch.where(sn < sp[:, None], sn, torch.full_like(sn, -2.0))
        hard = masked.max(1).values
        sn = torch.where(hard > -2.0, hard, sn.min(1).values)[:, None]
    return torch.relu(cfg.margin - sp[:, None] + sn).mean()


def train_on(outfits: str | Path, out_dir: str | Path | None = None, cfg: TrainConfig | None = None,
             encoder: str = "efficientnet-lite0", layout: str | None = None, cache_dir: Path | None = CACHE_DIR,
             progress: bool = False) -> tuple[TrainResult, OutfitData, ItemFeatures]:
    """Load an outfit dataset, fit the title encoder, compute (cached) features, train, and save to ``out_dir``."""
    from .data import load_outfits

    cfg = cfg or TrainConfig()
    data = load_outfits(outfits, layout)
    log.info("%s", data.summary())
    mode = cfg.mode or "+".join(m for m in ("image", "text") if m in data.modalities)
    text_encoder = fit_text_encoder(data, cfg.text_dim, cfg.seed) if "text" in mode else None
    image_encoder, info = None, None
    if "image" in mode:
        from ..encoders import create_encoder
        image_encoder = create_encoder(encoder)
        info = {"name": image_encoder.name, "weights_id": image_encoder.weights_id, "dim": image_encoder.dim}
    feats = dataset_features(data, tuple(mode.split("+")), image_encoder, text_encoder, cache_dir, progress)
    result = train_model(data, feats, cfg, text_encoder, info)
    if out_dir is not None:
        result.model.save(out_dir)
    return result, data, feats
