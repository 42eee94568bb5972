"""Image encoders created by name from one registry (timm / open_clip style).

``create_encoder("efficientnet-lite0")`` is the offline default; ``open_clip:<model>:<tag | file>``
loads CLIP-family models; ``fashion-lite0`` is the project's fashion-tuned encoder (``models/fashion-encoder``). Backends register a factory with :func:`register_encoder`; the factory
receives the full name and the weight cache folder. Built-in backends are imported on first use so
that ``import fashion_core.encoders`` stays light.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable
from pathlib import Path

from .base import ImageEncoder, Preprocess
from .pretrained import PRETRAINED

__all__ = ["ImageEncoder", "Preprocess", "PRETRAINED", "create_encoder", "list_encoders", "register_encoder"]

EncoderFactory = Callable[[str, Path | None], ImageEncoder]

_FACTORIES: dict[str, EncoderFactory] = {}
_PREFIXES: dict[str, EncoderFactory] = {}
_BUILTIN_MODULES = ("fashion_core.encoders.efficientnet", "fashion_core.encoders.fashion",
                    "fashion_core.encoders.open_clip_encoder")
_CACHE: dict[tuple[str, str], ImageEncoder] = {}
_LOCK = threading.Lock()


_HINTS: dict[str, str] = {}


def register_encoder(name: str, hint: str = "<model>:<pretrained tag | local file>"
                     ) -> Callable[[EncoderFactory], EncoderFactory]:
    """Decorator registering ``factory(name, cache_dir)``; a name ending in ``:`` registers a prefix (``hint``
    says what follows it in :func:`list_encoders`)."""
    def deco(factory: EncoderFactory) -> EncoderFactory:
        (_PREFIXES if name.endswith(":") else _FACTORIES)[name] = factory
        if name.endswith(":"):
            _HINTS[name] = hint
        return factory
    return deco


def _load_builtins() -> None:
    for module in _BUILTIN_MODULES:
        importlib.import_module(module)


def list_encoders() -> list[str]:
    """Registered encoder names (prefix entries shown as ``open_clip:<model>:<pretrained>``)."""
    _load_builtins()
    return sorted(_FACTORIES) + sorted(f"{p}{_HINTS.get(p, '')}" for p in _PREFIXES)


def create_encoder(name: str = "efficientnet-lite0", cache_dir: str | Path | None = None) -> ImageEncoder:
    """The encoder called ``name`` (loaded once per process and shared; encoders are read-only)."""
    _load_builtins()
    key = (name, str(cache_dir or ""))
    with _LOCK:
        if key in _CACHE:
            return _CACHE[key]
        factory = _FACTORIES.get(name)
        if factory is None:
            factory = next((f for p, f in _PREFIXES.items() if name.startswith(p)), None)
        if factory is None:
            raise ValueError(f"unknown encoder {name!r}; registered: {', '.join(list_encoders())}")
        encoder = factory(name, Path(cache_dir) if cache_dir else None)
        _CACHE[key] = encoder
        return encoder
