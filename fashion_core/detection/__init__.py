"""Garment detection: the :class:`Detection` type, a detector registry, icons, crops and overlays.

``create_detector("pose")`` is the offline default (MediaPipe pose + person mask + ImageNet evidence, and the
garment parser when one is configured: ``FASHION_GARMENT_PARSER`` or ``models/garment-parser``);
``create_detector("yolo:<weights path>")`` loads any ultralytics checkpoint and maps its class names
into the taxonomy. Every detector has ``.name`` and ``.detect(image) -> list[Detection]``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from PIL import Image

from .types import Detection, Person

__all__ = ["Detection", "Detector", "Person", "choose_detector", "create_detector", "list_detectors",
           "register_detector"]


class Detector(Protocol):
    """What every detector offers."""

    name: str

    def detect(self, image: Image.Image) -> list[Detection]:
        """Garments in ``image``, boxes in its pixels."""
        ...


_REGISTRY: dict[str, Callable[..., Detector]] = {}


def register_detector(name: str) -> Callable[[Callable[..., Detector]], Callable[..., Detector]]:
    """Decorator: make a detector factory available to :func:`create_detector` under ``name``."""
    def deco(factory: Callable[..., Detector]) -> Callable[..., Detector]:
        _REGISTRY[name] = factory
        return factory
    return deco


@register_detector("pose")
def _pose(arg: str | None = None, **kwargs) -> Detector:
    from .pose import PoseGuidedDetector

    if arg:
        raise ValueError(f"detector 'pose' takes no argument (got 'pose:{arg}')")
    if "parser" not in kwargs:  # the configured garment parser, if any (pass parser=None for the rule regions)
        from ..config import settings

        kwargs["parser"] = settings().garment_parser
    return PoseGuidedDetector(**kwargs)


def choose_detector(settings, *, encoder=None, category_model=None, **kwargs) -> Detector:
    """The one place that decides which detector serves: ``settings.detector`` (``pose`` with the configured
    garment parser and, when there is one, the category model as evidence; or ``yolo:<weights>``)."""
    name = settings.detector
    if name.partition(":")[0] == "pose":
        kwargs.setdefault("parser", settings.garment_parser)
        if category_model is not None:  # evidence from the category model, read from the encoder it was fitted on
            kwargs.setdefault("category_model", category_model)
            if encoder is not None:
                kwargs.setdefault("encoder", encoder)
    return create_detector(name, **kwargs)


@register_detector("yolo")
def _yolo(arg: str | None = None, **kwargs) -> Detector:
    from .yolo import YoloDetector

    if not arg:
        raise ValueError("detector 'yolo' needs a checkpoint: use 'yolo:<path to weights .pt>', "
                         "e.g. one trained with `fashion-core detector train`")
    return YoloDetector(arg, **kwargs)


def list_detectors() -> list[str]:
    """Registered detector names as they are passed to :func:`create_detector` (``pose``, ``yolo:<weights>``)."""
    return [name if name != "yolo" else "yolo:<weights>" for name in sorted(_REGISTRY)]


def create_detector(name: str = "pose", **kwargs) -> Detector:
    """Build a detector by name: ``"pose"`` or ``"yolo:<weights path>"``; keyword arguments go to its class."""
    base, _, arg = name.partition(":")
    if base not in _REGISTRY:
        raise ValueError(f"unknown detector {name!r}; expected one of: pose, yolo:<weights path>")
    return _REGISTRY[base](arg or None, **kwargs)
