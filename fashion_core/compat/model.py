"""The compatibility model: frozen item features → projection → L2-normalised outfit-space embedding.

Two fusions of the modalities (``CompatConfig.fusion``):

- ``sum`` (the default since the joint model): one projection block per modality, ``image feats → block_i`` and
  ``title feats → block_t``; an item's embedding is the L2-normalised sum of the blocks of the modalities it has,
  so a photo crop without a title, a title without a picture, and a catalog product with both live in one space
  (training drops one modality of some two-modality rows, so each block also stands alone).
- ``concat`` (earlier models): ``concat(image, text) → block`` with a missing modality as zeros.

A block is ``Linear → BatchNorm → ReLU → Dropout → Linear`` (dim 128 by default). ``heads > 1`` trains several
such models side by side (separately seeded runs) and concatenates their unit outputs: an ensemble in one model.
Saved as a directory: ``model.safetensors`` (weights), ``config.json`` (architecture, the image encoder and text
encoder it expects, training record) and the text encoder's files beside them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import load_file, save_file
from torch import nn

from ..encoders.text import TitleEncoder

MODES = ("image+text", "image", "text")
FORMAT_VERSION = 1


@dataclass
class CompatConfig:
    """Architecture and provenance of a compatibility model (written to ``config.json``)."""

    mode: str
    image_dim: int = 0
    text_dim: int = 0
    hidden: int = 512
    dim: int = 128
    dropout: float = 0.3
    heads: int = 1
    """Independent projection heads (an ensemble trained in one pass); each gives ``dim / heads`` values."""
    image_encoder: dict | None = None
    """``{"name", "weights_id", "dim"}`` of the image encoder whose raw features the model reads."""
    text_encoder: dict | None = None
    """``{"id", "dim"}`` of the title encoder saved beside the model."""
    training: dict = field(default_factory=dict)
    fusion: str = "concat"
    """``sum`` (one block per modality, embeddings added) or ``concat`` (one block over both, zeros when missing)."""

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"unknown compatibility mode {self.mode!r}; expected one of {', '.join(MODES)}")
        if "image" in self.mode and self.image_dim <= 0:
            raise ValueError(f"mode {self.mode} needs image_dim > 0")
        if "text" in self.mode and self.text_dim <= 0:
            raise ValueError(f"mode {self.mode} needs text_dim > 0")
        if self.heads < 1 or self.dim % self.heads:
            raise ValueError(f"dim {self.dim} must split evenly into {self.heads} heads")
        if self.fusion not in ("sum", "concat"):
            raise ValueError(f"unknown fusion {self.fusion!r}; expected sum or concat")

    @property
    def uses_image(self) -> bool:
        """True when the model reads image features."""
        return "image" in self.mode

    @property
    def uses_text(self) -> bool:
        """True when the model reads title features."""
        return "text" in self.mode


class CompatNet(nn.Module):
    """The projection blocks (per head; per modality with ``sum`` fusion); ``forward(image, text)`` takes the
    feature tensors the item has (``sum``: either may be None; ``concat``: those its mode uses)."""

    def __init__(self, cfg: CompatConfig):
        super().__init__()
        self.cfg = cfg

        def block(in_dim: int) -> nn.Sequential:
            return nn.Sequential(nn.Linear(in_dim, cfg.hidden), nn.BatchNorm1d(cfg.hidden), nn.ReLU(),
                                 nn.Dropout(cfg.dropout), nn.Linear(cfg.hidden, cfg.dim // cfg.heads))

        if cfg.fusion == "sum":
            self.image_blocks = nn.ModuleList(block(cfg.image_dim) for _ in range(cfg.heads)) \
                if cfg.uses_image else None
            self.text_blocks = nn.ModuleList(block(cfg.text_dim) for _ in range(cfg.heads)) \
                if cfg.uses_text else None
        else:
            in_dim = (cfg.image_dim if cfg.uses_image else 0) + (cfg.text_dim if cfg.uses_text else 0)
            self.blocks = nn.ModuleList(block(in_dim) for _ in range(cfg.heads))

    def forward(self, image: torch.Tensor | None = None, text: torch.Tensor | None = None) -> torch.Tensor:
        """(n, dim) unit-length embeddings: the heads' unit vectors concatenated and scaled by 1/sqrt(heads),
        so a cosine is the mean of the heads' cosines."""
        heads = self.forward_heads(image, text)
        return torch.cat(heads, dim=1) / len(heads) ** 0.5

    def forward_heads(self, image: torch.Tensor | None = None, text: torch.Tensor | None = None,
                      has_image: torch.Tensor | None = None, has_text: torch.Tensor | None = None
                      ) -> list[torch.Tensor]:
        """Each head's (n, dim / heads) unit-length embeddings. With ``sum`` fusion, ``has_image`` /
        ``has_text`` (boolean rows) say which rows have which modality (training mixes sources)."""
        if self.cfg.fusion == "sum":
            return [nn.functional.normalize(z, dim=1) for z in self._sum_heads(image, text, has_image, has_text)]
        parts = []
        if self.cfg.uses_image:
            if image is None:
                raise ValueError("this model reads image features; pass image=")
            parts.append(image)
        if self.cfg.uses_text:
            if text is None:
                raise ValueError("this model reads title features; pass text=")
            parts.append(text)
        x = parts[0] if len(parts) == 1 else torch.cat(parts, dim=1)
        return [nn.functional.normalize(block(x), dim=1) for block in self.blocks]

    def _sum_heads(self, image, text, has_image, has_text) -> list[torch.Tensor]:
        n = len(image) if image is not None else len(text) if text is not None else 0
        if (image is None or self.image_blocks is None) and (text is None or self.text_blocks is None):
            raise ValueError("this model needs image features, title features, or both")
        out = [torch.zeros(n, self.cfg.dim // self.cfg.heads) for _ in range(self.cfg.heads)]
        for x, has, blocks in ((image, has_image, self.image_blocks), (text, has_text, self.text_blocks)):
            if x is None or blocks is None:
                continue
            rows = None if has is None else torch.nonzero(has).ravel()
            if rows is not None and len(rows) == 0:
                continue
            for k, block in enumerate(blocks):
                out[k] = out[k] + block(x) if rows is None else out[k].index_add(0, rows, block(x[rows]))
        return out


class CompatModel:
    """A trained model ready to embed items: the network (eval mode) with its config and title encoder."""

    def __init__(self, net: CompatNet, cfg: CompatConfig, text_encoder: TitleEncoder | None = None):
        self.net = net.eval()
        self.cfg = cfg
        self.text_encoder = text_encoder

    @property
    def id(self) -> str:
        """Short id of the weights (from the training record)."""
        return str(self.cfg.training.get("model_id", "untracked"))

    def embed_features(self, image: np.ndarray | None = None, text: np.ndarray | None = None,
                       batch_size: int = 4096) -> np.ndarray:
        """(n, dim) float32 embeddings from raw feature arrays (a missing modality the model uses counts as zeros)."""
        n = len(image) if image is not None else len(text) if text is not None else 0
        zeros = self.cfg.fusion == "concat"
        if self.cfg.uses_image and image is None and zeros:
            image = np.zeros((n, self.cfg.image_dim), dtype=np.float32)
        if self.cfg.uses_text and text is None and zeros:
            text = np.zeros((n, self.cfg.text_dim), dtype=np.float32)
        if not zeros and (image is None or not self.cfg.uses_image) and (text is None or not self.cfg.uses_text):
            raise ValueError(f"the compatibility model ({self.cfg.mode}) needs features of a modality it reads")
        for arr, want, label in ((image, self.cfg.image_dim, "image"), (text, self.cfg.text_dim, "text")):
            if arr is not None and want and arr.shape[1] != want:
                raise ValueError(f"{label} features have {arr.shape[1]} dims, the model expects {want}; they come "
                                 "from another encoder: retrain the model or rebuild the index with its encoder")
        out = []
        with torch.no_grad():
            for s in range(0, n, batch_size):
                im = torch.from_numpy(np.array(image[s:s + batch_size], dtype=np.float32)) \
                    if self.cfg.uses_image and image is not None else None
                tx = torch.from_numpy(np.array(text[s:s + batch_size], dtype=np.float32)) \
                    if self.cfg.uses_text and text is not None else None
                out.append(self.net(im, tx).numpy())
        return np.concatenate(out) if out else np.zeros((0, self.cfg.dim), dtype=np.float32)

    def embed(self, image: np.ndarray | None = None, titles: Sequence[str] | None = None) -> np.ndarray:
        """Embeddings from raw image features and/or titles (encoded with the model's own title encoder)."""
        text = None
        if self.cfg.uses_text and titles is not None:
            if self.text_encoder is None:
                raise ValueError("this model reads titles but has no title encoder; reload it with load_model()")
            text = self.text_encoder.encode(list(titles))
        return self.embed_features(image, text)

    def save(self, directory: str | Path) -> Path:
        """Write ``model.safetensors``, ``config.json`` and the title encoder into ``directory``."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        state = {k: v.detach().cpu().contiguous() for k, v in self.net.state_dict().items()}
        save_file(state, str(directory / "model.safetensors"))
        doc = {"format_version": FORMAT_VERSION, **asdict(self.cfg)}
        (directory / "config.json").write_text(json.dumps(doc, indent=2))
        if self.text_encoder is not None:
            self.text_encoder.save(directory)
        return directory


def load_model(directory: str | Path) -> CompatModel:
    """Read a model directory written by :meth:`CompatModel.save` (safetensors + JSON, no pickle)."""
    directory = Path(directory)
    cfg_path, weights = directory / "config.json", directory / "model.safetensors"
    if not cfg_path.exists() or not weights.exists():
        raise FileNotFoundError(f"{directory} is not a compatibility model (needs config.json and model.safetensors); "
                                "train one with `fashion-core compat train --outfits PATH --out DIR`")
    doc = json.loads(cfg_path.read_text())
    if doc.pop("format_version", None) != FORMAT_VERSION:
        raise ValueError(f"{cfg_path}: unsupported model format; retrain with `fashion-core compat train`")
    cfg = CompatConfig(**doc)
    net = CompatNet(cfg)
    net.load_state_dict(load_file(str(weights)))
    text_encoder = None
    if cfg.uses_text:
        text_encoder = TitleEncoder.load(directory)
        want = (cfg.text_encoder or {}).get("id")
        if want and text_encoder.id != want:
            raise ValueError(f"{directory}: title encoder {text_encoder.id} is not the one the model was trained "
                             f"with ({want}); retrain the model")
    return CompatModel(net, cfg, text_encoder)
