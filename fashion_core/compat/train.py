"""Training the compatibility model on one or several outfit sources, seeded, early-stopped on validation FITB.

Every item of a batch of training outfits is a positive: anchor = the normalised mean embedding of the *other*
items of its outfit. Negatives come from a bank drawn per step for each (source, slot): ``bank`` random training
items of the **same slot and source** (never the positive itself). Loss ``nce`` (default): softmax cross-entropy
of the positive against all its bank negatives at temperature ``tau`` (many negatives per positive, cheaply: the
bank is embedded once per step); ``margin``: ``relu(margin - cos(a, p) + cos(a, n))`` averaged over the bank.

Several sources train one model jointly (``train_sources``): batches mix their outfits, each source's items keep
the modalities it has (titles only, crops only, or both), and two-modality rows are trained with one modality
dropped now and then (``modality_dropout``), so the model embeds a photo crop without a title and a title without
a picture in the same space (``sum`` fusion, :mod:`.model`). Early stopping watches the mean validation FITB of
the sources. Several heads = several seeded runs joined as one ensemble model. PyTorch's deterministic kernels
are on while training: a seed gives one model.
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

from .. import taxonomy
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
    """Output dimension; default 128 per head."""
    hidden: int = 256
    dropout: float = 0.5
    heads: int | None = None
    """Heads (separately seeded runs joined into one model); default 1."""
    loss: str = "nce"
    tau: float = 0.1
    margin: float = 0.1
    bank: int = 32
    """Negatives per (source, slot) drawn for each step."""
    lr: float = 1e-3
    weight_decay: float = 5e-2
    epochs: int = 25
    patience: int = 5
    batch_outfits: int = 64
    modality_dropout: float = 0.3
    """Share of two-modality rows trained with one modality dropped (half each)."""
    input_dropout: float = 0.3
    text_dim: int = 256
    text_min_df: int = 2
    """Title n-grams kept by the title encoder: those in at least this many training titles."""
    fusion: str = "sum"
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
    valid_by_source: dict[str, float] = field(default_factory=dict)


@dataclass
class TrainSource:
    """One outfit source of a joint run: its name, its data and its items' features (ids sorted)."""

    name: str
    data: OutfitData
    feats: ItemFeatures


def training_titles(datas: list[OutfitData]) -> list[str]:
    """The titles of the training splits' items (held-out titles stay unseen by the title encoder)."""
    out = []
    for data in datas:
        ids = sorted({i for o in data.outfits("train") for i in o.item_ids})
        out += [data.items[i].title for i in ids if data.items[i].title]
    return out


def fit_text_encoder(data: OutfitData | list[OutfitData], dim: int = 256, seed: int = 0,
                     min_df: int = 2) -> TitleEncoder:
    """A title encoder fitted on the training split's titles only (held-out titles stay unseen), keeping the
    n-grams of at least ``min_df`` titles."""
    datas = data if isinstance(data, list) else [data]
    return TitleEncoder(dim=dim, min_df=min_df, seed=seed).fit(training_titles(datas))


def dataset_features(data: OutfitData, modalities: tuple[str, ...], encoder=None,
                     text_encoder: TitleEncoder | None = None, cache_dir: Path | None = CACHE_DIR,
                     progress: bool = False) -> ItemFeatures:
    """Features of every item that appears in an outfit of any split or a question, in sorted id order."""
    ids = {i for outfits in data.splits.values() for o in outfits for i in o.item_ids}
    for split in data.splits:
        fitb, compat = questions(data, split)
        ids |= {i for q in fitb for i in (*q.context, *q.candidates)} | {i for q in compat for i in q.item_ids}
    return item_features([data.items[i] for i in sorted(ids)], modalities, encoder, text_encoder, cache_dir,
                         progress)


def train_model(data: OutfitData, feats: ItemFeatures, cfg: TrainConfig, text_encoder: TitleEncoder | None = None,
                image_encoder: dict | None = None) -> TrainResult:
    """Train on one source's train split with precomputed ``feats``; early stopping on its valid split."""
    return train_sources([TrainSource(data.layout, data, feats)], cfg, text_encoder, image_encoder)


def train_sources(sources: list[TrainSource], cfg: TrainConfig, text_encoder: TitleEncoder | None = None,
                  image_encoder: dict | None = None) -> TrainResult:
    """Train one model jointly on several sources (see the module docstring)."""
    with _deterministic_torch():
        return _train(sources, cfg, text_encoder, image_encoder)


@contextmanager
def _deterministic_torch():
    """PyTorch's deterministic kernels while training: without them two runs on 2 threads drift apart; with them a
    seed gives one model."""
    before = torch.are_deterministic_algorithms_enabled()
    torch.use_deterministic_algorithms(True)
    try:
        yield
    finally:
        torch.use_deterministic_algorithms(before)


@dataclass
class _Joint:
    """The sources' items in one table: features, modality masks, slots, sources, training outfits and pools."""

    image: torch.Tensor | None
    text: torch.Tensor | None
    has_image: torch.Tensor
    has_text: torch.Tensor
    slot: np.ndarray
    source: np.ndarray
    rows: list[dict[str, int]]
    train: list[np.ndarray]
    train_source: list[int]
    pools: dict[tuple[int, int], np.ndarray]


def _joint(sources: list[TrainSource], mode: str) -> _Joint:
    n = sum(len(s.feats.ids) for s in sources)
    image_dim = next((s.feats.image.shape[1] for s in sources if s.feats.image is not None), 0)
    text_dim = next((s.feats.text.shape[1] for s in sources if s.feats.text is not None), 0)
    image = np.zeros((n, image_dim), np.float32) if "image" in mode and image_dim else None
    text = np.zeros((n, text_dim), np.float32) if "text" in mode and text_dim else None
    has_image, has_text = np.zeros(n, bool), np.zeros(n, bool)
    slot, source, rows = np.zeros(n, np.int64), np.zeros(n, np.int64), []
    train, train_source = [], []
    off = 0
    for k, s in enumerate(sources):
        m = len(s.feats.ids)
        if image is not None and s.feats.image is not None:
            image[off:off + m] = s.feats.image
            has_image[off:off + m] = True
        if text is not None and s.feats.text is not None:
            text[off:off + m] = s.feats.text
            has_text[off:off + m] = np.abs(s.feats.text).sum(axis=1) > 0
        slot[off:off + m] = [taxonomy.SLOTS.index(s.data.items[i].slot) for i in s.feats.ids]
        source[off:off + m] = k
        rows.append({i: off + r for r, i in enumerate(s.feats.ids)})
        for o in s.data.outfits("train"):
            train.append(np.array([rows[k][i] for i in o.item_ids]))
            train_source.append(k)
        off += m
    if not train:
        raise ValueError("the train splits have no outfits of 2+ items; nothing to train on")
    pools = {}
    for k in range(len(sources)):
        pool_rows = np.unique(np.concatenate([t for t, sk in zip(train, train_source) if sk == k] or [np.zeros(0, int)]))
        for sl in np.unique(slot[pool_rows]):
            pools[(k, int(sl))] = pool_rows[slot[pool_rows] == sl]
    t = lambda a: None if a is None else torch.from_numpy(a)  # noqa: E731
    return _Joint(t(image), t(text), torch.from_numpy(has_image), torch.from_numpy(has_text), slot, source, rows,
                  train, train_source, pools)


def _train(sources: list[TrainSource], cfg: TrainConfig, text_encoder: TitleEncoder | None,
           image_encoder: dict | None) -> TrainResult:
    t0 = time.perf_counter()
    modalities = {m for s in sources for m in s.data.modalities}
    mode = cfg.mode or "+".join(m for m in ("image", "text") if m in modalities)
    torch.set_num_threads(cfg.threads)
    joint = _joint(sources, mode)
    heads = cfg.heads or 1
    dim = cfg.dim or 128 * heads
    mcfg = CompatConfig(mode=mode, image_dim=0 if joint.image is None else joint.image.shape[1],
                        text_dim=0 if joint.text is None else joint.text.shape[1], hidden=cfg.hidden, dim=dim,
                        dropout=cfg.dropout, heads=heads, image_encoder=image_encoder if joint.image is not None
                        else None, fusion=cfg.fusion,
                        text_encoder={"id": text_encoder.id, "dim": text_encoder.dim}
                        if joint.text is not None and text_encoder is not None else None)
    valid = [questions(s.data, "valid")[0] if s.data.splits.get("valid") else [] for s in sources]
    head_cfg = CompatConfig(**{**asdict(mcfg), "heads": 1, "dim": dim // heads})
    net = CompatNet(mcfg)
    history, best_epochs = [], []
    for k in range(heads):
        head, head_history = _train_head(head_cfg, joint, valid, sources, replace(cfg, seed=cfg.seed + k))
        for name in ("image_blocks", "text_blocks", "blocks"):
            mine, theirs = getattr(net, name, None), getattr(head, name, None)
            if mine is not None and theirs is not None:
                mine[k].load_state_dict(theirs[0].state_dict())
        history += [{"head": k, **h} for h in head_history]
        best_epochs.append(max(head_history, key=lambda h: h["score"])["epoch"])
    net.eval()
    by_source = _valid_scores(net, joint, valid, sources)
    best = float(np.mean(list(by_source.values()))) if by_source else float("nan")
    state = net.state_dict()
    digest = hashlib.sha256(b"".join(v.numpy().tobytes() for v in state.values())).hexdigest()[:12]
    mcfg.training = {"model_id": digest,
                     "data": [{"name": s.name, "layout": s.data.layout, "split_rule": s.data.split_rule,
                               "n_train_outfits": len(s.data.outfits("train")), "modalities": list(s.data.modalities)}
                              for s in sources],
                     "hyper": asdict(cfg), "best_epochs": best_epochs, "best_valid_fitb": None if np.isnan(best) else best,
                     "valid_fitb_by_source": by_source, "history": history}
    model = CompatModel(net, mcfg, text_encoder if joint.text is not None else None)
    return TrainResult(model, history, max(best_epochs), best, time.perf_counter() - t0, by_source)


def _embed_all(net: CompatNet, joint: _Joint) -> np.ndarray:
    net.eval()
    n = len(joint.slot)
    out = []
    with torch.no_grad():
        for s in range(0, n, 4096):
            sl = slice(s, min(n, s + 4096))
            heads = net.forward_heads(None if joint.image is None else joint.image[sl],
                                      None if joint.text is None else joint.text[sl],
                                      joint.has_image[sl], joint.has_text[sl])
            out.append((torch.cat(heads, dim=1) / len(heads) ** 0.5).numpy())
    return np.concatenate(out)


def _valid_scores(net: CompatNet, joint: _Joint, valid: list, sources: list[TrainSource]) -> dict[str, float]:
    emb = _embed_all(net, joint)
    return {s.name: round(float(fitb_accuracy(emb, joint.rows[k], valid[k])), 4)
            for k, s in enumerate(sources) if valid[k]}


def _train_head(head_cfg: CompatConfig, joint: _Joint, valid: list, sources: list[TrainSource],
                cfg: TrainConfig) -> tuple[CompatNet, list[dict]]:
    """One seeded run of one head, keeping the epoch with the best mean validation FITB (or lowest loss)."""
    torch.manual_seed(cfg.seed)
    rng = np.random.default_rng(cfg.seed)
    net = CompatNet(head_cfg)
    opt = torch.optim.AdamW(net.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    history, best, best_state, stale = [], -np.inf, None, 0
    for epoch in range(1, cfg.epochs + 1):
        net.train()
        order = rng.permutation(len(joint.train))
        losses = []
        for s in range(0, len(order), cfg.batch_outfits):
            losses.append(_step(net, opt, joint, order[s:s + cfg.batch_outfits], cfg, rng))
        record = {"epoch": epoch, "loss": round(float(np.mean(losses)), 5)}
        scores = _valid_scores(net, joint, valid, sources) if any(valid) else {}
        if scores:
            record["valid_fitb"] = scores
        record["score"] = float(np.mean(list(scores.values()))) if scores else -record["loss"]
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


def _step(net: CompatNet, opt: torch.optim.Optimizer, joint: _Joint, batch_ids: np.ndarray, cfg: TrainConfig,
          rng: np.random.Generator) -> float:
    batch = [joint.train[j] for j in batch_ids]
    pos = np.concatenate(batch)
    outfit = np.repeat(np.arange(len(batch)), [len(b) for b in batch])
    keys = sorted({(int(joint.source[r]), int(joint.slot[r])) for r in pos})
    bank, bank_key = [], []
    for key in keys:
        pool = joint.pools[key]
        bank.append(pool[rng.integers(len(pool), size=min(cfg.bank, len(pool)))])
        bank_key += [key[0] * len(taxonomy.SLOTS) + key[1]] * len(bank[-1])
    bank = np.concatenate(bank)
    rows = torch.from_numpy(np.concatenate([pos, bank]))
    has_i, has_t = joint.has_image[rows].clone(), joint.has_text[rows].clone()
    if cfg.modality_dropout > 0:
        both = has_i & has_t
        r = torch.from_numpy(rng.random(len(rows)))
        has_i &= ~(both & (r < cfg.modality_dropout / 2))
        has_t &= ~(both & (r >= cfg.modality_dropout / 2) & (r < cfg.modality_dropout))
    x_i = None if joint.image is None else joint.image[rows]
    x_t = None if joint.text is None else joint.text[rows]
    if cfg.input_dropout > 0:
        x_i = None if x_i is None else torch.nn.functional.dropout(x_i, cfg.input_dropout)
        x_t = None if x_t is None else torch.nn.functional.dropout(x_t, cfg.input_dropout)
    if net.cfg.fusion == "concat":  # legacy fusion: a missing modality is zeros
        x_i = None if x_i is None else x_i * has_i[:, None]
        x_t = None if x_t is None else x_t * has_t[:, None]
    emb = net.forward_heads(x_i, x_t, has_i, has_t)[0]
    e_pos, e_bank = emb[:len(pos)], emb[len(pos):]
    idx = torch.from_numpy(outfit)
    sums = torch.zeros(len(batch), emb.shape[1]).index_add_(0, idx, e_pos)
    anchor = torch.nn.functional.normalize(sums[idx] - e_pos, dim=1)
    sp = (anchor * e_pos).sum(1)
    sn = anchor @ e_bank.T
    pos_key = torch.from_numpy(joint.source[pos] * len(taxonomy.SLOTS) + joint.slot[pos])
    ok = (pos_key[:, None] == torch.from_numpy(np.asarray(bank_key))[None, :]) & \
         (torch.from_numpy(pos)[:, None] != torch.from_numpy(bank)[None, :])
    if cfg.loss == "nce":
        logits = torch.cat([sp[:, None], torch.where(ok, sn, torch.full_like(sn, -1e4))], dim=1) / cfg.tau
        loss = torch.nn.functional.cross_entropy(logits, torch.zeros(len(pos), dtype=torch.long))
    elif cfg.loss == "margin":
        loss = (torch.relu(cfg.margin - sp[:, None] + sn) * ok).sum() / ok.sum().clamp(min=1)
    else:
        raise ValueError(f"unknown loss {cfg.loss!r}; expected nce or margin")
    opt.zero_grad()
    loss.backward()
    opt.step()
    return float(loss.detach())


def train_on(outfits: str | Path, out_dir: str | Path | None = None, cfg: TrainConfig | None = None,
             encoder: str = "efficientnet-lite0", layout: str | None = None, cache_dir: Path | None = CACHE_DIR,
             progress: bool = False) -> tuple[TrainResult, OutfitData, ItemFeatures]:
    """Load an outfit dataset, fit the title encoder, compute (cached) features, train, and save to ``out_dir``."""
    from .data import load_outfits

    cfg = cfg or TrainConfig()
    data = load_outfits(outfits, layout)
    log.info("%s", data.summary())
    mode = cfg.mode or "+".join(m for m in ("image", "text") if m in data.modalities)
    text_encoder = fit_text_encoder(data, cfg.text_dim, cfg.seed, cfg.text_min_df) if "text" in mode else None
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
