"""CLIP-family encoders through open_clip: ``open_clip:<model>:<pretrained tag | hf-hub:repo | local file>``.

Examples: ``open_clip:ViT-B-32:openai``, ``open_clip:ViT-B-16:hf-hub:Marqo/marqo-fashionSigLIP`` (FashionSigLIP),
``open_clip:ViT-B-32:/models/fashion-clip.bin``. A local file always works offline. A hub weight is used from
the cache (``models/`` by default) when it is there; it is downloaded only when ``FASHION_ALLOW_DOWNLOADS=1``,
so an offline machine fails at once with a message that names the model and how to pass a local file.
The text tower is exposed as :meth:`OpenClipEncoder.encode_text`.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from PIL import Image

from ..config import allow_downloads
from . import register_encoder
from .base import DEFAULT_BATCH, file_hash, l2_rows, torch_threads


class OpenClipEncoder:
    """An open_clip model: image and text embeddings in one space, with the preprocessing of its weights."""

    def __init__(self, name: str, model_name: str, checkpoint: str | None, cache_dir: Path | None):
        import open_clip
        import torch

        torch.set_num_threads(min(torch.get_num_threads(), torch_threads()))
        model, _, preprocess = open_clip.create_model_and_transforms(
            model_name, pretrained=checkpoint, cache_dir=str(cache_dir) if cache_dir else None, weights_only=True)
        self.name = name
        self.model = model.eval()
        self.preprocess = preprocess
        self.tokenizer = open_clip.get_tokenizer(model_name)
        self.weights_id = file_hash(checkpoint) if checkpoint and Path(checkpoint).is_file() else "random-init"
        with torch.inference_mode():
            probe = self.model.encode_image(preprocess(Image.new("RGB", (32, 32))).unsqueeze(0))
        self.dim = int(probe.shape[-1])

    def encode(self, images: Sequence[Image.Image]) -> np.ndarray:
        """(n, dim) L2-normalised image embeddings."""
        import torch

        for i, im in enumerate(images):
            if not isinstance(im, Image.Image):
                raise TypeError(f"image {i} is a {type(im).__name__}, expected a PIL.Image; "
                                "open files with fashion_core.imageio.load_image")
        out = []
        with torch.inference_mode():
            for s in range(0, len(images), DEFAULT_BATCH):
                batch = torch.stack([self.preprocess(im.convert("RGB")) for im in images[s:s + DEFAULT_BATCH]])
                out.append(self.model.encode_image(batch).float().numpy())
        return l2_rows(np.concatenate(out)) if out else np.zeros((0, self.dim), np.float32)

    def encode_text(self, texts: Sequence[str]) -> np.ndarray:
        """(n, dim) L2-normalised text embeddings (the CLIP text tower), comparable with :meth:`encode`."""
        import torch

        with torch.inference_mode():
            out = self.model.encode_text(self.tokenizer(list(texts))).float().numpy()
        return l2_rows(out)

    def __repr__(self) -> str:
        return f"OpenClipEncoder({self.name!r}, dim={self.dim}, weights_id={self.weights_id!r})"


def resolve_checkpoint(model_name: str, pretrained: str, cache_dir: Path | None) -> str:
    """A local weights path for ``pretrained`` (a file, or a cached hub weight), else a clear offline error."""
    import open_clip

    path = Path(pretrained).expanduser()
    if path.is_file():
        return str(path)
    if model_name not in open_clip.list_models():
        raise ValueError(f"open_clip has no model {model_name!r}; known models include "
                         f"{', '.join(open_clip.list_models()[:8])}… (or register a config with open_clip.add_model_config)")
    how = (f"download it where the hub is reachable and pass the file: "
           f"--encoder open_clip:{model_name}:/path/to/weights.bin (or set FASHION_ALLOW_DOWNLOADS=1 on a machine "
           "with internet access)")
    cached = _cached_hub_file(model_name, pretrained, cache_dir)
    if cached:
        return cached
    if allow_downloads():
        return pretrained  # open_clip downloads it into cache_dir
    if path.suffix or "/" in pretrained and not pretrained.startswith("hf-hub:"):
        raise FileNotFoundError(f"open_clip weights file {pretrained} for {model_name} does not exist")
    raise FileNotFoundError(f"open_clip weights {model_name}:{pretrained} are not on this machine and downloads "
                            f"are off (offline default); {how}")


def _cached_hub_file(model_name: str, pretrained: str, cache_dir: Path | None) -> str | None:
    import open_clip

    cfg = open_clip.get_pretrained_cfg(model_name, pretrained) if not pretrained.startswith("hf-hub:") else {}
    repo = pretrained[len("hf-hub:"):] if pretrained.startswith("hf-hub:") else (cfg or {}).get("hf_hub", "")
    if repo:
        from huggingface_hub import try_to_load_from_cache

        repo_id, _, filename = repo.strip("/").partition("/") if repo.count("/") > 1 else (repo.strip("/"), "", "")
        for fname in ([filename] if filename else ["open_clip_model.safetensors", "open_clip_pytorch_model.bin"]):
            hit = try_to_load_from_cache(repo_id, fname, cache_dir=str(cache_dir) if cache_dir else None)
            if isinstance(hit, str):
                return hit
    url = (cfg or {}).get("url")
    if url and cache_dir:
        local = Path(cache_dir) / os.path.basename(url)
        if local.is_file():
            return str(local)
    return None


@register_encoder("open_clip:")
def _create(name: str, cache_dir: Path | None = None) -> OpenClipEncoder:
    """Factory for ``open_clip:<model>:<pretrained>`` names."""
    from ..config import settings

    _, _, rest = name.partition(":")
    model_name, _, pretrained = rest.partition(":")
    if not model_name or not pretrained:
        raise ValueError(f"encoder name {name!r} should read open_clip:<model>:<pretrained tag | local file>, "
                         "e.g. open_clip:ViT-B-32:openai or open_clip:ViT-B-32:/path/to/weights.bin")
    cache = cache_dir or settings().models_dir
    return OpenClipEncoder(name, model_name, resolve_checkpoint(model_name, pretrained, cache), cache)
