"""First-run set-up of the embedded default: demo world → compatibility model → index, each built once.

Every step is skipped when its artifact is already complete, so ``make run`` is instant after the first time,
and an interrupted step is redone on the next run (each writer stages its output and swaps it in).
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

log = logging.getLogger(__name__)


def demo_paths(demo_dir: Path) -> dict[str, Path]:
    """Where the demo world, its compatibility model and its index live."""
    return {"world": demo_dir, "catalog": demo_dir / "catalog.csv", "compat": demo_dir / "compat-model",
            "index": demo_dir / "index"}


def ensure_demo(demo_dir: Path, *, progress: bool = True, force: bool = False) -> Path:
    """Build whatever part of the demo is missing and return its index directory."""
    from .compat.train import train_on
    from .demo import build_demo
    from .ingest import build_index

    paths = demo_paths(Path(demo_dir))
    world_done = paths["catalog"].exists() and (paths["world"] / "looks" / "annotations.json").exists()
    if force or not world_done:
        _step("building the demo world", lambda: build_demo(paths["world"], progress=progress))
    if force or not (paths["compat"] / "config.json").exists():
        _step("training the compatibility model on the demo outfits",
              lambda: train_on(paths["world"], paths["compat"], progress=progress))
    from .index import current_version

    if force or current_version(paths["index"]) is None:
        _step("indexing the demo catalog",
              lambda: build_index(paths["catalog"], paths["index"], compat_model=paths["compat"], progress=progress))
    return paths["index"]


def _step(what: str, fn) -> None:
    start = time.perf_counter()
    log.info("%s ...", what)
    fn()
    log.info("%s: done in %.0f s", what, time.perf_counter() - start)
