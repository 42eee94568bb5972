"""One ``Settings`` object shared by the app, the CLI, the service and the benchmarks: where things live and which
backends to use.

It is resolved once at each edge (``Settings.resolve(**flags)``: a CLI flag or explicit argument wins over a
``FASHION_*`` environment variable, which wins over the default) and passed down; this is the only module that
reads ``FASHION_*`` variables. Shipped models (``models/<name>/``, see :mod:`fashion_core.shipped`) are the
defaults when present.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
"""The checkout (or install) root: ``app.py``, ``models/``, ``data/`` and ``benchmarks/`` live here."""

DEFAULT_ENCODER = "efficientnet-lite0"
NONE_WORDS = ("", "none", "off")


_MODEL_FIELDS = ("garment_parser", "category_model", "compat_model", "wearer_model", "box_rescorer")
_PATH_FIELDS = ("data_dir", "models_dir", "shared_data", "index_dir", "results_dir")


def _path_or_none(value: str | os.PathLike | None) -> Path | None:
    """A path, or None for ``none`` / ``off`` / empty (how a user turns a model off)."""
    if value is None:
        return None
    text = str(value).strip()
    return None if text.lower() in NONE_WORDS else Path(text)


@dataclass(frozen=True)
class Settings:
    """Backends and artifacts one process uses. Build it with :meth:`resolve`, never field by field from the
    environment; pass it down to whatever needs it."""

    data_dir: Path
    """Built artifacts (git-ignored): the demo world, indexes, caches (``FASHION_DATA_DIR``, default ``data/``)."""
    models_dir: Path
    """Shipped models and cached weights (``FASHION_MODELS_DIR``, default ``models/``)."""
    shared_data: Path
    """The real data to train and measure on (``FASHION_SHARED_DATA``, default ``../shared/data``)."""
    index_dir: Path
    """The index the app and the service serve (``FASHION_INDEX``, default the demo index)."""
    encoder: str
    """Image encoder for new indexes (``FASHION_ENCODER``); an existing index names its own."""
    detector: str
    """``pose``, ``yolo[:<weights>]``, ``pose-yolo[:<weights>]`` or ``pose-ensemble[:<weights>]`` (``FASHION_DETECTOR``;
    no weights: the shipped ones)."""
    garment_parser: Path | None
    """The pose detector's garment parser (``FASHION_GARMENT_PARSER``; ``none``: the rule regions); default the
    shipped ``models/garment-parser`` when present."""
    category_model: Path | None
    """Shopper-photo category model (``FASHION_CATEGORY_MODEL``; ``none``: the neighbour vote); default the
    shipped ``models/category`` when present."""
    compat_model: Path | None
    """Compatibility model that new indexes are built with (``FASHION_COMPAT_MODEL``; ``none``: visual
    likeness); default the shipped ``models/compat`` when present."""
    wearer_model: Path | None
    """The shipped wearer model that new indexes weigh against the catalog's own gender labels
    (``FASHION_WEARER_MODEL``; ``none``: the catalog's labels only); default the shipped ``models/wearer``."""
    results_dir: Path
    """Benchmark figures the System page shows (``FASHION_RESULTS_DIR``, default ``benchmarks/results``)."""
    allow_downloads: bool = False
    """Let hub-backed models (OpenCLIP) fetch weights (``FASHION_ALLOW_DOWNLOADS=1``)."""
    torch_threads: int = 2
    """Threads torch may use (``FASHION_TORCH_THREADS``; the machine is shared)."""
    box_rescorer: Path | None = None
    """The ensemble detector's contextual box rescorer (``FASHION_BOX_RESCORER``; ``none``: the fused scores as
    they are); default the shipped ``models/box-rescorer`` when present."""

    @property
    def demo_dir(self) -> Path:
        """Where ``fashion-core demo build`` writes the generated demo world."""
        return self.data_dir / "demo"

    @property
    def cache_dir(self) -> Path:
        """Caches of derived features (git-ignored)."""
        return self.data_dir / "cache"

    def with_(self, **changes) -> Settings:
        """A copy with some fields changed. ``None`` values are ignored, so optional flags pass straight in; a
        model path given as ``none`` turns that model off."""
        out = {}
        for k, v in changes.items():
            if v is None:
                continue
            out[k] = _path_or_none(v) if k in _MODEL_FIELDS else Path(v) if k in _PATH_FIELDS else v
        return replace(self, **out)

    def to_dict(self) -> dict:
        """JSON-ready view (paths as strings)."""
        return {f.name: (str(v) if isinstance(v := getattr(self, f.name), Path) else v) for f in fields(self)}

    @classmethod
    def resolve(cls, env: Mapping[str, str] | None = None, **flags) -> Settings:
        """Settings from ``flags`` (explicit values; ``None`` = not given) over the environment over defaults."""
        env = os.environ if env is None else env
        flags = {k: v for k, v in flags.items() if v is not None}

        def pick(name: str, var: str, default):
            if name in flags:
                return flags[name]
            return env[var] if var in env else default

        data_dir = Path(pick("data_dir", "FASHION_DATA_DIR", PROJECT_ROOT / "data"))
        models_dir = Path(pick("models_dir", "FASHION_MODELS_DIR", PROJECT_ROOT / "models"))
        shipped = _shipped_defaults(models_dir)
        garment_parser = _path_or_none(pick("garment_parser", "FASHION_GARMENT_PARSER", shipped["garment-parser"]))
        return cls(
            data_dir=data_dir,
            models_dir=models_dir,
            shared_data=Path(pick("shared_data", "FASHION_SHARED_DATA", PROJECT_ROOT.parent / "shared" / "data")),
            index_dir=Path(pick("index_dir", "FASHION_INDEX", data_dir / "demo" / "index")),
            encoder=str(pick("encoder", "FASHION_ENCODER", shipped["encoder"] or DEFAULT_ENCODER)),
            detector=str(pick("detector", "FASHION_DETECTOR", default_detector(shipped, garment_parser))),
            garment_parser=garment_parser,
            category_model=_path_or_none(pick("category_model", "FASHION_CATEGORY_MODEL", shipped["category"])),
            compat_model=_path_or_none(pick("compat_model", "FASHION_COMPAT_MODEL", shipped["compat"])),
            wearer_model=_path_or_none(pick("wearer_model", "FASHION_WEARER_MODEL", shipped["wearer"])),
            results_dir=Path(pick("results_dir", "FASHION_RESULTS_DIR", PROJECT_ROOT / "benchmarks" / "results")),
            allow_downloads=str(pick("allow_downloads", "FASHION_ALLOW_DOWNLOADS", "0")).strip().lower()
            in ("1", "true", "yes"),
            torch_threads=max(1, int(pick("torch_threads", "FASHION_TORCH_THREADS", 2))),
            box_rescorer=_path_or_none(pick("box_rescorer", "FASHION_BOX_RESCORER", shipped["box-rescorer"])),
        )


SHIPPED_DIRS = {"garment-parser": "garment-parser", "category": "category", "compat": "compat", "wearer": "wearer",
                "encoder": "fashion-encoder", "garment-yolo": "garment-yolo", "box-rescorer": "box-rescorer"}
"""Folder under ``models/`` of each shipped model that is a default when present (``config.json`` inside); the
shipped encoder is the registered encoder ``fashion-lite0``."""


def _shipped_defaults(models_dir: Path) -> dict[str, str | Path | None]:
    """Default paths of the shipped models that exist under ``models_dir`` (None for those that do not)."""
    out: dict[str, str | Path | None] = {}
    for role, folder in SHIPPED_DIRS.items():
        path = models_dir / folder
        present = (path / "config.json").is_file()
        out[role] = (path if present else None) if role != "encoder" else ("fashion-lite0" if present else None)
    return out


def default_detector(shipped: dict, garment_parser: Path | None) -> str:
    """``pose-ensemble`` (the garment parser fused with the shipped YOLO) when both are there, else ``pose`` (the
    parser alone, or the rule regions without one)."""
    return "pose-ensemble" if shipped["garment-yolo"] is not None and garment_parser is not None else "pose"


def settings(**flags) -> Settings:
    """The current settings (:meth:`Settings.resolve`); edges call this once and pass the result down."""
    return Settings.resolve(**flags)


def env_flag(name: str, default: str | None = None) -> str | None:
    """A ``FASHION_*`` knob that is not a setting (test and benchmark hooks such as ``FASHION_INGEST_SHARD``)."""
    return os.environ.get(name, default)


def torch_threads() -> int:
    """Threads torch may use here (``FASHION_TORCH_THREADS``, default 2: the machine is shared)."""
    return max(1, int(os.environ.get("FASHION_TORCH_THREADS", "2")))


SERVING_TORCH_THREADS = 1
"""Threads torch uses per request in the app by default: one crop or one photo at a time is fastest on one thread,
and on a shared machine two threads waited ~1 s for each other on every encode (measured: encode 17 ms on one
thread against 990 ms on two, with one core busy elsewhere)."""


def serving_torch_threads() -> int:
    """Threads torch uses while answering shoppers (``FASHION_TORCH_THREADS`` when set, else
    :data:`SERVING_TORCH_THREADS`)."""
    return max(1, int(os.environ.get("FASHION_TORCH_THREADS", str(SERVING_TORCH_THREADS))))


def allow_downloads() -> bool:
    """True when hub-backed models may download weights (``FASHION_ALLOW_DOWNLOADS=1``)."""
    return os.environ.get("FASHION_ALLOW_DOWNLOADS", "0").strip().lower() in ("1", "true", "yes")


def __getattr__(name: str) -> Path:
    """``DATA_DIR``, ``MODELS_DIR``, ``SHARED_DATA`` and ``DEMO_DIR`` for scripts at the edges (benchmarks, tests):
    read from :func:`settings` when asked for, never at import time."""
    lazy = {"DATA_DIR": "data_dir", "MODELS_DIR": "models_dir", "SHARED_DATA": "shared_data", "DEMO_DIR": "demo_dir"}
    if name in lazy:
        return getattr(Settings.resolve(), lazy[name])
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
