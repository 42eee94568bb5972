"""One configuration shared by the app, the CLI and the benchmarks: where things live and which backends."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("FASHION_DATA_DIR", PROJECT_ROOT / "data"))
MODELS_DIR = Path(os.environ.get("FASHION_MODELS_DIR", PROJECT_ROOT / "models"))
SHARED_DATA = Path(os.environ.get("FASHION_SHARED_DATA", PROJECT_ROOT.parent / "shared" / "data"))

DEMO_DIR = DATA_DIR / "demo"
"""Where ``fashion-core demo build`` writes the generated demo world."""


@dataclass(frozen=True)
class Settings:
    """Backends and artifacts one process uses; override with ``FASHION_*`` environment variables."""

    index_dir: Path = field(default_factory=lambda: Path(os.environ.get("FASHION_INDEX", DEMO_DIR / "index")))
    encoder: str = field(default_factory=lambda: os.environ.get("FASHION_ENCODER", "efficientnet-lite0"))
    detector: str = field(default_factory=lambda: os.environ.get("FASHION_DETECTOR", "pose"))
    compat_model: Path | None = field(
        default_factory=lambda: Path(p) if (p := os.environ.get("FASHION_COMPAT_MODEL")) else None)
    category_model: Path | None = field(
        default_factory=lambda: Path(p) if (p := os.environ.get("FASHION_CATEGORY_MODEL")) else None)
    """Shopper-photo category model (``fashion-core category train``); None: image queries use the neighbour vote."""
    garment_parser: Path | None = field(default_factory=lambda: default_parser())
    """The pose detector's garment parser (``detector parser-train``): FASHION_GARMENT_PARSER ('none': the rule
    regions), else ``models/garment-parser`` when setup made one; None: the rule regions."""
    cache_dir: Path = MODELS_DIR


DEFAULT_PARSER = MODELS_DIR / "garment-parser"
"""Where ``scripts/setup.sh`` (both README commands) puts the garment parser it fits on ../shared/data/ccp when
that is present."""


def default_parser() -> Path | None:
    """FASHION_GARMENT_PARSER (``none`` turns it off), else :data:`DEFAULT_PARSER` when it exists."""
    env = os.environ.get("FASHION_GARMENT_PARSER")
    if env is not None:
        return None if env.strip().lower() in ("", "none") else Path(env)
    return DEFAULT_PARSER if (DEFAULT_PARSER / "config.json").is_file() else None


def settings() -> Settings:
    """Current settings, read from the environment each call (cheap)."""
    return Settings()
