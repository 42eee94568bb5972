"""Garment detection: the :class:`Detection` type, a detector registry, icons, crops and overlays.

``create_detector("pose")`` is the offline pose-guided detector (MediaPipe pose + person mask + ImageNet evidence,
and the garment parser when one is configured: ``FASHION_GARMENT_PARSER`` or ``models/garment-parser``);
``create_detector("yolo:<weights path>")`` loads any ultralytics checkpoint and maps its class names into the
taxonomy; ``pose-yolo`` hands YOLO's boxes to the people pose finds; ``pose-ensemble`` (the default when the
parser and ``models/garment-yolo`` are shipped) fuses the parser's garments with YOLO's boxes. Every detector has
``.name`` and ``.detect(image) -> list[Detection]``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Protocol

from PIL import Image

from .rescoring import BoxRescorer
from .types import Detection, Person

log = logging.getLogger(__name__)

__all__ = ["ENSEMBLE_MIN_SCORE", "Detection", "Detector", "Person", "choose_detector", "create_detector", "list_detectors",
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
    garment parser and, when there is one, the category model as evidence; or ``yolo[:<weights>]`` and
    ``pose-yolo[:<weights>]`` and ``pose-ensemble[:<weights>]``, the shipped YOLO when no weights are named)."""
    name = settings.detector
    if name.partition(":")[0] == "pose-ensemble" and settings.garment_parser is None:
        log.warning("detector pose-ensemble fuses the garment parser with YOLO, and no parser is configured "
                    "(FASHION_GARMENT_PARSER / --parser none): the pose detector's rule regions serve instead")
        name = "pose"
    if name.partition(":")[0] in ("pose", "pose-ensemble"):
        kwargs.setdefault("parser", settings.garment_parser)
        if category_model is not None:  # evidence from the category model, read from the encoder it was fitted on
            kwargs.setdefault("category_model", category_model)
            if encoder is not None:
                kwargs.setdefault("encoder", encoder)
    return create_detector(name, **kwargs)


@register_detector("yolo")
def _yolo(arg: str | None = None, **kwargs) -> Detector:
    from .yolo import YoloDetector

    return YoloDetector(arg or shipped_yolo(), **kwargs)


@register_detector("pose-yolo")
def _pose_yolo(arg: str | None = None, **kwargs) -> Detector:
    """The pose model's people with YOLO's boxes (the shipped weights, or ``pose-yolo:<weights>``)."""
    from .pose import PoseGuidedDetector
    from .yolo import YoloDetector

    imgsz = kwargs.pop("imgsz", None)
    kwargs.setdefault("min_score", 0.25)  # YOLO's own confidence threshold
    kwargs.setdefault("parser", None)
    return PoseGuidedDetector(yolo=YoloDetector(arg or shipped_yolo(), conf=kwargs["min_score"], imgsz=imgsz),
                              **kwargs)


@register_detector("pose-ensemble")
def _pose_ensemble(arg: str | None = None, **kwargs) -> Detector:
    """The garment parser's garments fused with YOLO's boxes per photo (the shipped YOLO, or
    ``pose-ensemble:<weights>``) and the configured garment parser unless ``parser=`` is given; the fused boxes are
    rescored by the configured box rescorer unless ``rescorer=`` says otherwise (None: the fused scores)."""
    from .pose import PoseGuidedDetector
    from .yolo import YoloDetector

    imgsz = kwargs.pop("imgsz", ENSEMBLE_YOLO_IMGSZ)
    augment = kwargs.pop("augment", ENSEMBLE_YOLO_AUGMENT)
    yolo_conf = kwargs.pop("yolo_conf", ENSEMBLE_YOLO_CONF)
    if "parser" not in kwargs or "rescorer" not in kwargs:
        from ..config import settings

        cfg = settings()
        kwargs.setdefault("parser", cfg.garment_parser)
        if "rescorer" not in kwargs:
            kwargs["rescorer"] = cfg.box_rescorer
    if kwargs["parser"] is None:
        raise ValueError("detector 'pose-ensemble' needs a garment parser: ship models/garment-parser (`fashion-core "
                         "models rebuild garment-parser`) or set FASHION_GARMENT_PARSER, or use 'pose-yolo'")
    if kwargs["rescorer"] is not None and not isinstance(kwargs["rescorer"], BoxRescorer):
        kwargs["rescorer"] = BoxRescorer.load(kwargs["rescorer"])
    kwargs.setdefault("min_score", RESCORED_MIN_SCORE if kwargs["rescorer"] is not None else ENSEMBLE_MIN_SCORE)
    kwargs.setdefault("alone_min_score", 2 * ENSEMBLE_MIN_SCORE)
    return PoseGuidedDetector(yolo=YoloDetector(arg or shipped_yolo(), conf=yolo_conf, imgsz=imgsz, augment=augment),
                              **kwargs)


ENSEMBLE_MIN_SCORE = 0.3
"""A fused box is served from this score: seen by both models at 0.3, or by one alone at 0.6 (the best F1 of the
served boxes on the held-out ccp fold 1, with models fitted without it: 0.616 against 0.597 at 0.25 and 0.604 at
0.35; the parser alone 0.543, YOLO alone 0.470)."""
RESCORED_MIN_SCORE = 0.35
"""With the box rescorer, a fused box is served from this probability of being a right garment: the best F1 of
the out-of-fold rescored boxes of the 5 ccp folds (``benchmarks/bench_yolo.py --rescore``: 0.595 at 0.35, 0.594
at 0.25 and 0.30, 0.592 at 0.40, 0.566 at 0.50)."""
ENSEMBLE_YOLO_IMGSZ = 416
ENSEMBLE_YOLO_AUGMENT = True
"""In the ensemble YOLO reads the photo at 416 px (it was trained at 320 with scale jitter) with test-time
augmentation (``YoloDetector(augment=True)``). Chosen on the 5 ccp folds by ``benchmarks/bench_yolo.py --tta``
(each fold's YOLO and parser fitted without it): mean 7-class mAP@0.5 of the ensemble 0.557 at 320 px without it,
0.571 at 320 with it, 0.581 / 0.587 / 0.587 / 0.588 at 384 / 416 / 448 / 480 with it: the smallest size on the
plateau. Choosing the size on the other 4 folds for each fold (nested) gives 0.579."""
ENSEMBLE_YOLO_CONF = 0.01
"""YOLO's boxes enter the fusion from this confidence (lower ones cannot lift a fused score past the threshold)."""


def shipped_yolo() -> str:
    """Path of the shipped YOLO weights (``models/garment-yolo``); a clear error when they are not there."""
    from ..config import settings
    from .yolo_training import WEIGHTS_FILE

    path = settings().models_dir / "garment-yolo" / WEIGHTS_FILE
    if not path.is_file():
        raise FileNotFoundError(f"no shipped YOLO weights at {path}: rebuild them with `fashion-core models rebuild "
                                "garment-yolo`, or pass a checkpoint as 'yolo:<weights .safetensors or .pt>'")
    return str(path)


def list_detectors() -> list[str]:
    """Registered detector names as they are passed to :func:`create_detector` (``pose``, ``yolo[:<weights>]``,
    ``pose-yolo[:<weights>]``, ``pose-ensemble[:<weights>]``)."""
    return [name if name == "pose" else f"{name}[:<weights>]" for name in sorted(_REGISTRY)]


def create_detector(name: str = "pose", **kwargs) -> Detector:
    """Build a detector by name: ``"pose"`` or ``"yolo:<weights path>"``; keyword arguments go to its class."""
    base, _, arg = name.partition(":")
    if base not in _REGISTRY:
        raise ValueError(f"unknown detector {name!r}; expected one of: {', '.join(list_detectors())}")
    return _REGISTRY[base](arg or None, **kwargs)
