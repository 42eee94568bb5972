"""The fashion-tuned encoder ``fashion-lite0``: EfficientNet-Lite0 as packaged, with its head convolution
fine-tuned on fashion data by this project (:mod:`.fashion_training`) and shipped in ``models/fashion-encoder``.

Only the head (the 1×1 convolution from the last block's 320 channels to the 1,280 embedding channels) is
replaced, and only for the embedding: the ImageNet probabilities still come from the packaged head, and the
blocks (what the garment parser and the detector read) are the packaged ones. So the detector and the parser see
exactly what they were fitted on, and what changes is the ``head`` part every similarity space, category model
and compatibility model reads.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from . import register_encoder
from .base import file_hash
from .efficientnet import EfficientNetEncoder
from .pretrained import PRETRAINED

NAME = "fashion-lite0"
BASE = "efficientnet-lite0"
FOLDER = "fashion-encoder"
WEIGHTS = "head.safetensors"
CONFIG = "config.json"


class FashionEncoder(EfficientNetEncoder):
    """EfficientNet-Lite0 whose embedding head is the fashion-tuned one (ImageNet logits keep the packaged head)."""

    def __init__(self, folder: Path, name: str = NAME):
        import torch
        from safetensors.torch import load_file

        config_path, weights_path = folder / CONFIG, folder / WEIGHTS
        for path in (config_path, weights_path):
            if not path.is_file():
                raise FileNotFoundError(f"{path} is missing: the fashion-tuned encoder needs {CONFIG} and {WEIGHTS} "
                                        f"in {folder}; rebuild it with `fashion-core models rebuild fashion-encoder`")
        config = json.loads(config_path.read_text())
        base = str(config.get("base", BASE))
        if base not in PRETRAINED:
            raise ValueError(f"{config_path}: base encoder {base!r} is not one of {', '.join(PRETRAINED)}")
        super().__init__(name, PRETRAINED[base])
        state = load_file(str(weights_path))
        conv = self.model.head.conv
        expected = {"weight": tuple(conv.weight.shape), "bias": tuple(conv.bias.shape)}
        got = {k: tuple(v.shape) for k, v in state.items()}
        if got != expected:
            raise ValueError(f"{weights_path}: head weights have shapes {got}, {base} needs {expected}; "
                             f"rebuild it with `fashion-core models rebuild fashion-encoder`")
        self.imagenet_head = self.model.head
        self.fashion_head = _copy_head(self.model.head, state, torch)
        self.weights_id = hashlib.sha256(f"{self.weights_id}:{file_hash(weights_path)}".encode()).hexdigest()[:12]
        self.folder = folder

    def _head_and_logits(self, t):
        """The fashion-tuned embedding, and ImageNet logits from the packaged head (detector evidence unchanged)."""
        return self.fashion_head(t).mean(dim=(2, 3)), self.model.fc(self.imagenet_head(t).mean(dim=(2, 3)))

    def __repr__(self) -> str:
        return f"FashionEncoder({self.name!r}, dim={self.dim}, weights_id={self.weights_id!r}, folder={str(self.folder)!r})"


def _copy_head(head, state: dict, torch):
    """A copy of the packaged head module with the fine-tuned convolution weights."""
    import copy

    new = copy.deepcopy(head)
    with torch.no_grad():
        new.conv.weight.copy_(state["weight"].to(new.conv.weight.dtype))
        new.conv.bias.copy_(state["bias"].to(new.conv.bias.dtype))
    return new.eval()


def default_folder() -> Path:
    """``models/fashion-encoder`` of the resolved settings (where ``fashion-core models rebuild`` writes it)."""
    from ..config import settings

    return settings().models_dir / FOLDER


@register_encoder(NAME)
def _create(name: str, cache_dir: Path | None = None) -> FashionEncoder:
    """Factory for the registry: the shipped fashion-tuned encoder under the models folder."""
    return FashionEncoder(default_folder(), name)


@register_encoder("fashion-lite0:", hint="<folder with head.safetensors and config.json>")
def _create_from(name: str, cache_dir: Path | None = None) -> FashionEncoder:
    """``fashion-lite0:<folder>``: a fashion-tuned encoder from another folder (a benchmark's fold, a candidate)."""
    return FashionEncoder(Path(name.split(":", 1)[1]), name)
