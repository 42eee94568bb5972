"""ultralytics YOLO: a detector from any checkpoint (class names mapped into the taxonomy) and a training wrapper.

Everything runs offline: ``YOLO_OFFLINE`` is set before ultralytics is imported (its import-time online
check is skipped), hub sync and logger integrations are off, plots (which fetch the Arial font) are off,
and training builds the model from a ``.yaml`` with ``pretrained=False`` (no weights download; the AMP
check, which downloads a model, only runs on CUDA and ``amp=False`` turns it off). Runs go to ``out_dir``,
never to ultralytics' default ``runs/``.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from pathlib import Path

from PIL import Image

from .. import taxonomy
from .icons import icon_position
from .types import Detection

log = logging.getLogger(__name__)

os.environ["YOLO_OFFLINE"] = "1"
SAFETENSORS_FORMAT = "fashion-core-yolo/1"
_ARCH_STUB = "yolov8n.yaml"


def _offline() -> None:
    """Switch ultralytics' online features off and give it a local font, so nothing is fetched."""
    os.environ["YOLO_OFFLINE"] = "1"
    os.environ.setdefault("YOLO_VERBOSE", "False")
    from ultralytics.utils import SETTINGS, USER_CONFIG_DIR

    _restore_pillow_open()
    off = {k: False for k in ("sync", "clearml", "comet", "dvc", "mlflow", "raytune", "tensorboard", "wandb")
           if SETTINGS.get(k)}
    if off:
        SETTINGS.update(off)
    _local_fonts(Path(USER_CONFIG_DIR))


def _restore_pillow_open() -> None:
    """Undo ultralytics' patch of ``PIL.Image.open``: on a file Pillow cannot identify it tries to pip-install
    pi-heif and then raises ModuleNotFoundError, so a damaged image anywhere in the process would stop being the
    clear ``UnidentifiedImageError`` (an ``OSError``) every reader here expects, and nothing may install at run time."""
    from PIL import Image
    from ultralytics.utils import patches

    original = getattr(patches, "_image_open", None)
    if original is not None and Image.open is not original:
        Image.open = original


def _local_fonts(config_dir: Path) -> None:
    """ultralytics' dataset check looks for Arial.ttf and downloads it when missing, even with plots off:
    put matplotlib's bundled DejaVu Sans there under that name (only plots would ever use it)."""
    import matplotlib

    source = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"
    for name in ("Arial.ttf", "Arial.Unicode.ttf"):
        target = config_dir / name
        if not target.exists() and source.is_file():
            config_dir.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
            log.info("ultralytics offline: %s provided from matplotlib's %s", target, source.name)


def map_class_names(names: dict[int, str]) -> dict[int, str | None]:
    """Model class index → taxonomy category (our names and synonyms, then ModaNet and DeepFashion2 names)."""
    out = {}
    for i, name in names.items():
        cat = None
        for source in (None, "modanet", "deepfashion2", "ccp"):
            try:
                cat = taxonomy.to_category(name, source) if source else taxonomy.to_category(name)
                break
            except KeyError:
                continue
        out[int(i)] = cat
    return out


class YoloDetector:
    """An ultralytics detector; classes outside the taxonomy are dropped.

    ``weights`` is a ``.safetensors`` file written by :func:`train_yolo` (no pickle: the architecture and class
    names ride in its metadata) or, for checkpoints from elsewhere, an ultralytics ``.pt`` (a pickle: trusted
    files only).
    """

    def __init__(self, weights: str | os.PathLike, conf: float = 0.25, imgsz: int | None = None,
                 min_score: float | None = None, alternatives: bool = False, augment: bool = False) -> None:
        """Load ``weights``; ``min_score`` is an alias of ``conf`` (the pose detector's name); ``alternatives`` is
        accepted for symmetry with it: YOLO already returns every box above ``conf``. ``imgsz`` defaults to the
        size the weights were trained at when a shipped ``config.json`` beside them says it, else 640.
        ``augment`` turns on ultralytics' test-time augmentation (the photo at 1, 0.83 mirrored and 0.67 of
        ``imgsz``, boxes merged before non-maximum suppression): about twice the time for better boxes."""
        path = Path(weights)
        if not path.is_file():
            raise FileNotFoundError(f"YOLO weights {path} not found; train some with `fashion-core detector train "
                                    f"--data DATASET/data.yaml` or pass a local .safetensors / .pt checkpoint")
        _offline()
        self.name = f"yolo:{path}"
        self.model = load_safetensors(path) if path.suffix == ".safetensors" else _load_pt(path)
        self.classes = map_class_names(self.model.names)
        if not any(self.classes.values()):
            raise ValueError(f"{path}: none of the model's classes {sorted(self.model.names.values())} maps into "
                             f"the taxonomy ({', '.join(taxonomy.CATEGORIES)})")
        self.min_score = conf if min_score is None else min_score
        self.imgsz = imgsz or _trained_size(path) or 640
        self.augment = augment

    def detect(self, image: Image.Image) -> list[Detection]:
        """Garments in ``image`` (boxes in its pixels), best first."""
        res = self.model.predict(image.convert("RGB"), conf=self.min_score, imgsz=self.imgsz, device="cpu",
                                 augment=self.augment, verbose=False)[0]
        out = []
        for (x0, y0, x1, y1), cls, score in zip(res.boxes.xyxy.tolist(), res.boxes.cls.tolist(),
                                                res.boxes.conf.tolist()):
            cat = self.classes.get(int(cls))
            if cat is None:
                continue
            box = (x0, y0, x1, y1)
            out.append(Detection(box=box, category=cat, score=score, icon=icon_position(box, cat),
                                 source="yolo"))
        return sorted(out, key=lambda d: -d.score)


def _trained_size(weights: Path) -> int | None:
    """The image size in a shipped model's ``config.json`` beside ``weights`` (``detection/yolo_training.py``)."""
    cfg = weights.parent / "config.json"
    try:
        doc = json.loads(cfg.read_text()) if cfg.is_file() else {}
    except (OSError, json.JSONDecodeError):
        return None
    return int(doc["imgsz"]) if doc.get("kind") == "yolo" and doc.get("weights") == weights.name else None


def train_yolo(data_yaml: str | os.PathLike, out_dir: str | os.PathLike, epochs: int = 50, imgsz: int = 640,
               model: str = "yolov8n.yaml", seed: int = 0, batch: int = 16, workers: int = 0,
               fraction: float = 1.0, device: str = "cpu", val: bool = True) -> Path:
    """Train a YOLO detector from ``model`` (a .yaml builds from scratch, a .pt fine-tunes) into ``out_dir``.

    Returns ``out_dir/weights/best.safetensors`` (pickle-free; ultralytics' own ``best.pt`` / ``last.pt`` stay
    beside it). Seeded and ``deterministic=True``; one CPU thread per ultralytics' own setting on 2 cores.
    ``val=False`` validates only after the last epoch (so nothing is chosen on the val split)."""
    data_yaml, out_dir = Path(data_yaml), Path(out_dir)
    if not data_yaml.is_file():
        raise FileNotFoundError(f"{data_yaml}: no dataset yaml; write one with `fashion-core detector convert`")
    if not str(model).endswith((".yaml", ".yml")) and not Path(model).is_file():
        raise FileNotFoundError(f"model {model!r}: give an architecture .yaml (e.g. yolov8n.yaml) or a local .pt")
    _offline()
    from ultralytics import YOLO

    if not str(model).endswith((".yaml", ".yml")):
        log.warning("fine-tuning from %s: ultralytics .pt files are pickles, use trusted files only", model)
    yolo = YOLO(str(model))
    yolo.train(data=str(data_yaml), epochs=epochs, imgsz=imgsz, batch=batch, seed=seed, deterministic=True,
               workers=workers, device=device, project=str(out_dir.parent.resolve()), name=out_dir.name,
               exist_ok=True, pretrained=False, amp=False, plots=False, verbose=False, fraction=fraction,
               val=val)
    # ultralytics reloads the best checkpoint into yolo.model after training; keep it pickle-free beside best.pt
    return save_safetensors(yolo.model, out_dir / "weights" / "best.safetensors")


def save_safetensors(net, path: str | os.PathLike) -> Path:
    """Write an ultralytics ``DetectionModel`` as safetensors; architecture and class names go in the metadata."""
    from safetensors.torch import save_file

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    state = {k: v.detach().float().contiguous().cpu() if v.is_floating_point() else v.detach().contiguous().cpu()
             for k, v in net.state_dict().items()}
    meta = {"format": SAFETENSORS_FORMAT, "architecture": json.dumps(net.yaml, sort_keys=True),
            "names": json.dumps({str(k): v for k, v in net.names.items()})}
    save_file(state, str(path), metadata=meta)
    return path


def load_safetensors(path: str | os.PathLike):
    """An ultralytics ``YOLO`` model rebuilt from :func:`save_safetensors` output, in eval mode on CPU."""
    from safetensors import safe_open
    from safetensors.torch import load_file

    _offline()
    from ultralytics import YOLO
    from ultralytics.nn.tasks import DetectionModel

    with safe_open(str(path), framework="pt") as f:
        meta = f.metadata() or {}
    if meta.get("format") != SAFETENSORS_FORMAT:
        raise ValueError(f"{path}: not a fashion-core YOLO file (no {SAFETENSORS_FORMAT!r} metadata); "
                         "write one with `fashion-core detector train` or pass an ultralytics .pt")
    arch = json.loads(meta["architecture"])
    names = {int(k): v for k, v in json.loads(meta["names"]).items()}
    net = DetectionModel(cfg=arch, nc=len(names), verbose=False)
    net.load_state_dict(load_file(str(path)), strict=True)
    net.names = names
    yolo = YOLO(_ARCH_STUB, task="detect")  # a Model shell with predict(); its throwaway net is replaced
    net.args, net.task = yolo.model.args, "detect"
    yolo.model = net.float().eval()
    return yolo


def _load_pt(path: Path):
    _offline()
    from ultralytics import YOLO

    log.info("loading %s with ultralytics (a pickle: trusted files only)", path)
    return YOLO(str(path))
