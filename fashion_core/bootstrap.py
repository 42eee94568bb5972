"""First-run set-up: the demo world and an index of it (or of the operator's catalog), built once and rebuilt when
stale. Nothing is trained here: the compatibility model, the garment parser and the category model are shipped
(``models/``, :mod:`fashion_core.shipped`).

Every step is skipped when its artifact is complete and current, so ``make run`` is instant after the first time;
an index built with another encoder or another compatibility model than the settings name is rebuilt instead of
failing, and an interrupted step is redone on the next run (each writer stages its output and swaps it in).
"""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path

from .config import Settings

log = logging.getLogger(__name__)


def demo_paths(demo_dir: Path) -> dict[str, Path]:
    """Where the demo world, its catalog and its index live."""
    return {"world": demo_dir, "catalog": demo_dir / "catalog.csv", "index": demo_dir / "index"}


def compat_model_id(model_dir: Path | None) -> str | None:
    """The id of a compatibility model folder (from its config), or None for none."""
    if model_dir is None:
        return None
    try:
        doc = json.loads((Path(model_dir) / "config.json").read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise FileNotFoundError(f"compatibility model {model_dir} cannot be read ({exc}); rebuild it with "
                                "`fashion-core models rebuild compat` or pass --compat-model none") from None
    return str((doc.get("training") or {}).get("model_id", "untracked"))


def stale_reason(index_dir: Path, settings: Settings, catalog: Path | None = None) -> str | None:
    """Why the index at ``index_dir`` must be (re)built for these settings, or None when it is current: missing,
    damaged, built with another encoder (name or weights) or another compatibility model, or from another
    catalog file."""
    from .encoders import create_encoder
    from .index import IndexDamaged, current_version, load_index

    if current_version(index_dir) is None:
        return "no index yet"
    try:
        manifest = load_index(index_dir).manifest
    except (IndexDamaged, ValueError, OSError) as exc:
        return f"the index cannot be loaded ({exc})"
    if manifest.encoder.name != settings.encoder:
        return f"it was built with encoder {manifest.encoder.name}, the settings use {settings.encoder}"
    weights = create_encoder(settings.encoder).weights_id
    if manifest.encoder.weights_id != weights:
        return f"it was built with other {settings.encoder} weights ({manifest.encoder.weights_id}, now {weights})"
    have = manifest.compat.model_id if manifest.compat else None
    want = compat_model_id(settings.compat_model)
    if have != want:
        return f"it was built with compatibility model {have or 'none'}, the settings use {want or 'none'}"
    if catalog is not None and Path(manifest.catalog.path).resolve() != Path(catalog).resolve():
        return f"it indexes {manifest.catalog.path}, not {catalog}"
    return None


def ensure_index(catalog: Path, index_dir: Path, settings: Settings, *, progress: bool = True,
                 force: bool = False) -> Path:
    """Build the index of ``catalog`` at ``index_dir`` when it is missing or stale (see :func:`stale_reason`),
    with the settings' encoder and compatibility model; returns ``index_dir``."""
    from .ingest import build_index

    reason = "asked to" if force else stale_reason(index_dir, settings, catalog)
    if reason is not None:
        if settings.compat_model is None:
            log.warning("no compatibility model: complete the look will show visual look-alikes "
                        "(ship models/compat: `fashion-core models rebuild compat`)")
        _step(f"indexing {catalog} ({reason})",
              lambda: build_index(catalog, index_dir, encoder=settings.encoder, compat_model=settings.compat_model,
                                  progress=progress))
    return index_dir


def ensure_demo(demo_dir: Path, *, settings: Settings | None = None, progress: bool = True,
                force: bool = False) -> Path:
    """Build whatever part of the demo is missing or stale and return its index directory."""
    from .demo import build_demo

    settings = settings or Settings.resolve()
    paths = demo_paths(Path(demo_dir))
    world_done = paths["catalog"].exists() and (paths["world"] / "looks" / "annotations.json").exists()
    if force or not world_done:
        _step("building the demo world", lambda: build_demo(paths["world"], progress=progress))
    return ensure_index(paths["catalog"], paths["index"], settings, progress=progress, force=force)


def _step(what: str, fn) -> None:
    start = time.perf_counter()
    log.info("%s ...", what)
    fn()
    log.info("%s: done in %.0f s", what, time.perf_counter() - start)
