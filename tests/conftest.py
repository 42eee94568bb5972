"""Fixtures shared by every area's tests: the real data beside the checkout, a small demo world, its index."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("OMP_NUM_THREADS", "2")

from fashion_core.config import SHARED_DATA  # noqa: E402

TEST_OUTPUT = Path(os.environ.get("FASHION_TEST_OUTPUT", Path(__file__).resolve().parent.parent / "test-output"))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """``../shared/data``: the real catalog, photos, street looks and outfits (skips when absent)."""
    if not (SHARED_DATA / "fpi" / "products.csv").exists():
        pytest.skip(f"real data not found at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture(scope="session")
def test_output() -> Path:
    """Folder for files a person may want to look at after a run (screenshots, sheets)."""
    TEST_OUTPUT.mkdir(parents=True, exist_ok=True)
    return TEST_OUTPUT


@pytest.fixture(scope="session")
def demo_world(tmp_path_factory) -> Path:
    """A small but complete demo world (every category, outfits, looks), built once per test session."""
    from fashion_core.demo import build_demo

    out = tmp_path_factory.mktemp("demo")
    build_demo(out, seed=0, n_products=240, n_outfits=400, n_looks=12, progress=False)
    return out


@pytest.fixture(scope="session")
def demo_index(demo_world, tmp_path_factory) -> Path:
    """The small demo world's catalog ingested into an index directory (default encoder)."""
    from fashion_core.ingest import build_index

    out = tmp_path_factory.mktemp("index") / "index"
    build_index(demo_world / "catalog.csv", out, progress=False)
    return out


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """Say out loud how many tests were skipped for missing data or packages, and why (skips stay visible)."""
    skipped = terminalreporter.stats.get("skipped", [])
    if not skipped:
        return
    reasons: dict[str, int] = {}
    for rep in skipped:
        reason = rep.longrepr[2] if isinstance(rep.longrepr, tuple) else str(rep.longrepr)
        reason = reason.removeprefix("Skipped: ")
        key = "real data (../shared/data) not found" if "real data not found" in reason else reason
        reasons[key] = reasons.get(key, 0) + 1
    terminalreporter.write_sep("=", f"{len(skipped)} tests skipped")
    for reason, n in sorted(reasons.items(), key=lambda kv: -kv[1]):
        terminalreporter.write_line(f"{n:4d} skipped: {reason}")
