"""Fixtures of the fault-injection suite: a private copy of the demo shop, a copy of its index, the CLI."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]


def cli(*args: str, env: dict | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run ``python -m fashion_core ARGS`` from the checkout; text output captured."""
    return subprocess.run([sys.executable, "-m", "fashion_core", *map(str, args)], cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout, env={**os.environ, **(env or {})})


def one_line_refusal(res: subprocess.CompletedProcess) -> str:
    """Assert the CLI refused with exit 2 and one line on stderr, no traceback; returns the line."""
    lines = [ln for ln in res.stderr.splitlines() if ln.startswith("fashion-core ")]
    assert res.returncode == 2, (res.returncode, res.stderr[-2000:])
    assert "Traceback" not in res.stderr and len(lines) == 1, res.stderr[-2000:]
    return lines[0]


@pytest.fixture(scope="module")
def shop(demo_world, tmp_path_factory) -> Path:
    """A private copy of the demo shop (catalog.csv + images), so faults planted in it touch no other test."""
    dst = tmp_path_factory.mktemp("shop") / "shop"
    dst.mkdir()
    shutil.copy(demo_world / "catalog.csv", dst / "catalog.csv")
    shutil.copytree(demo_world / "images", dst / "images")
    return dst


@pytest.fixture(scope="module")
def smaller_catalog(shop) -> Path:
    """The shop's first 200 products: a catalog whose index differs from the demo index (240 products)."""
    frame = pd.read_csv(shop / "catalog.csv", dtype=str, keep_default_na=False)
    path = shop / "smaller.csv"
    frame.head(200).to_csv(path, index=False)
    return path


def copy_index(src: Path, dst: Path) -> Path:
    """A copy of an index directory (versions, CURRENT, marker; not its feature cache, so a build into the copy
    encodes again)."""
    shutil.copytree(src, dst, ignore=lambda d, names: [n for n in names if n == ".lock"
                                                       or (Path(d) == Path(src) and n == "cache")])
    return dst


def rerecord(index_dir: Path) -> None:
    """Rewrite the served version's file records after a planted change, as a buggy build would have written
    them: the fault then passes the size and hash checks, and the deeper checks must catch it."""
    import json

    from fashion_core.index.files import record_of
    from fashion_core.index.store import current_version

    version = current_version(index_dir)
    path = version / "manifest.json"
    doc = json.loads(path.read_text())
    doc["files"] = {rel: record_of(version / rel).to_dict() for rel in doc["files"]}
    path.write_text(json.dumps(doc))
