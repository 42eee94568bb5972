"""Findings 1 and 6 of issue #12: a build killed at any phase, two builds at once, a full disk.

Real builds of the demo shop run as CLI processes; ``FASHION_BUILD_PAUSE_AT=<phase>`` (see
:func:`fashion_core.ingest.pause_at`) holds one at a phase so the test can ``kill -9`` it exactly there. The old
build swapped with two renames (a crash between them left no index), had no lock (two builds shared one
staging folder) and left a partial shard behind a raw traceback when the disk filled.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from fashion_core.index import load_index, verify_index

from .conftest import ROOT, cli, copy_index, one_line_refusal

PAUSE_WAIT_S = 240


def start_paused(catalog: Path, out: Path, phase: str, log: Path, **env: str) -> subprocess.Popen:
    """Start ``index build`` and return once it reports being paused at ``phase``."""
    cmd = [sys.executable, "-m", "fashion_core", "index", "build", "--catalog", str(catalog), "--out", str(out),
           "--compat-model", "none", "--quiet"]
    env = {**os.environ, "FASHION_BUILD_PAUSE_AT": phase, "FASHION_BUILD_PAUSE_SECONDS": "600", **env}
    with open(log, "w") as fh:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=fh)
    deadline = time.time() + PAUSE_WAIT_S
    while time.time() < deadline:
        if f"build paused at phase {phase}" in log.read_text():
            return proc
        if proc.poll() is not None:
            break
        time.sleep(0.1)
    proc.kill()
    proc.wait()
    raise AssertionError(f"the build never paused at {phase}:\n{log.read_text()[-3000:]}")


def kill9(proc: subprocess.Popen) -> None:
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)


def servable(out: Path) -> str:
    """Assert ``out`` holds one complete index that verifies and answers; returns its build id."""
    assert verify_index(out) == [], verify_index(out)
    index = load_index(out)
    for category in sorted(index.categories)[:3]:
        row = int(index.categories[category].rows[0])
        hits = index.search(np.asarray(index.vectors[row]), 3, category)
        assert hits and hits[0][0] == row
    return index.manifest.build_id


@pytest.fixture(scope="module")
def base(demo_index, tmp_path_factory) -> tuple[Path, str]:
    """A copy of the demo index (240 products): the old index every killed build must leave servable."""
    out = copy_index(demo_index, tmp_path_factory.mktemp("base") / "index")
    return out, servable(out)


@pytest.fixture(scope="module")
def warm(base, smaller_catalog, tmp_path_factory) -> Path:
    """The base index with a new build killed at ``descriptor``: every shard of the new catalog is encoded, so
    the later phases resume from them instead of encoding again."""
    out = copy_index(base[0], tmp_path_factory.mktemp("warm") / "index")
    kill9(start_paused(smaller_catalog, out, "descriptor", out.parent / "build.log"))
    assert list((out / ".staging" / "shards").glob("*.npz"))
    return out


@pytest.mark.slow
@pytest.mark.parametrize("phase", ["encode", "descriptor", "ann", "swap"])
def test_kill_9_at_each_phase_leaves_one_complete_servable_index(phase, base, warm, smaller_catalog, tmp_path):
    out = copy_index(base[0] if phase == "encode" else warm, tmp_path / "index")
    if phase != "descriptor":  # the warm copy was killed at descriptor already
        kill9(start_paused(smaller_catalog, out, phase, tmp_path / "build.log"))
    served = servable(out)
    if phase == "swap":  # the new version is complete in versions/, CURRENT still names the old one
        assert served in (base[1], *(p.name for p in (out / "versions").iterdir()))
        assert len([p for p in (out / "versions").iterdir() if (p / "manifest.json").is_file()]) == 2
    else:
        assert served == base[1]
    assert len(load_index(out)) in (240, 200)
    res = cli("similar", "--index", out, "--id", load_index(out).ids[0], "-k", "3", "--json")
    assert res.returncode == 0, res.stderr[-2000:]
    if phase == "swap":  # the next build recovers: it finishes, serves the new catalog, keeps two versions
        res = cli("index", "build", "--catalog", smaller_catalog, "--out", out, "--compat-model", "none", "--quiet")
        assert res.returncode == 0, res.stderr[-2000:]
        assert len(load_index(out)) == 200 and servable(out) != base[1]
        assert not (out / ".staging").exists() and len(list((out / "versions").iterdir())) == 2


@pytest.mark.slow
def test_two_builds_into_one_folder_the_second_is_refused_while_the_first_runs(base, smaller_catalog, tmp_path):
    out = copy_index(base[0], tmp_path / "index")
    first = start_paused(smaller_catalog, out, "encode", tmp_path / "first.log")
    try:
        staging_before = sorted(p.name for p in (out / ".staging").rglob("*"))
        line = one_line_refusal(cli("index", "build", "--catalog", smaller_catalog, "--out", out,
                                    "--compat-model", "none", "--quiet"))
        assert "another build is writing to" in line and f"pid {first.pid}" in line, line
        assert sorted(p.name for p in (out / ".staging").rglob("*")) == staging_before
    finally:
        kill9(first)
    assert servable(out) == base[1]
    # the killed build's lock died with it: the next build takes it and finishes
    from fashion_core.catalog import load_catalog
    from fashion_core.ingest import index_from_parts

    catalog = load_catalog(smaller_catalog)
    old = load_index(out)
    index_from_parts(out, catalog, smaller_catalog, old.manifest.encoder, {"head": np.asarray(old.features[:200])})
    assert len(load_index(out)) == 200


@pytest.fixture
def small_disk(tmp_path):
    """A 700 KiB tmpfs (root and mount(2) needed; skipped, with the reason, where it cannot be mounted)."""
    mnt = tmp_path / "disk"
    mnt.mkdir()
    res = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=700k", "tmpfs", str(mnt)], capture_output=True,
                         text=True)
    if res.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs to fill (needs root and CAP_SYS_ADMIN): {res.stderr.strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


@pytest.mark.slow
def test_a_full_disk_while_shards_are_written_is_one_clear_error_and_leaves_no_partial_shard(
        small_disk, smaller_catalog):
    out = small_disk / "index"
    env = {"FASHION_INGEST_SHARD": "32"}
    res = cli("index", "build", "--catalog", smaller_catalog, "--out", out, "--compat-model", "none", "--quiet",
              env=env)
    line = one_line_refusal(res)
    assert "disk is full while writing encoder shards" in line and "run the same build again to resume" in line
    shards = out / ".staging" / "shards"
    done = sorted(shards.glob("*.npz"))
    assert done and not list(shards.glob("*.tmp*")), [p.name for p in shards.iterdir()]
    for shard in done:  # every shard left is whole
        with np.load(shard) as z:
            assert len(z["ok"]) == 32
    assert not (out / "CURRENT").exists() and not list((out / ".staging").glob("version/*"))
    subprocess.run(["mount", "-o", "remount,size=64m", str(small_disk)], check=True)
    again = cli("index", "build", "--catalog", smaller_catalog, "--out", out, "--compat-model", "none", "--quiet",
                env=env)
    assert again.returncode == 0, again.stderr[-2000:]
    assert f"{len(done) * 32} reused from finished shards" in again.stderr
    assert len(load_index(out)) == 200
