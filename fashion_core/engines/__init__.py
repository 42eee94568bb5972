"""Ingest engines beyond this process: each module registers an encode stage with
:func:`fashion_core.ingest.register_engine` when imported. :func:`load` imports the one a build names."""

from __future__ import annotations

import importlib

MODULES = {"ray": ("ray_engine", "ray", "pip install '.[ray]' (ray[data]==2.60.0)")}
"""engine name -> (module of this package, the package it needs, how to install it)."""


def load(name: str) -> None:
    """Import (and so register) engine ``name``; a clear error when its optional package is missing. Unknown
    names are left to the registry, which lists the known ones."""
    if name not in MODULES:
        return
    module, needs, install = MODULES[name]
    try:
        importlib.import_module(needs)
    except ModuleNotFoundError:
        raise ValueError(f"the {name} ingest engine needs the {needs!r} package, which is not installed: "
                         f"{install}") from None
    importlib.import_module(f"{__name__}.{module}")
