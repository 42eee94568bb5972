"""The Ray ingest engine on the demo catalog, with one local Ray instance (2 CPUs) for the module: the same ids
and top-10 lists as the local engine, and a Ray worker killed in the middle of ingest still ends in the same index."""

from __future__ import annotations

import os
import signal
import threading
import time

import numpy as np
import pytest

from fashion_core import ingest
from fashion_core.agreement import same_share, top_lists
from fashion_core.index import load_index

ray = pytest.importorskip("ray", reason="the ray engine needs ray (pip install '.[ray]')")
psutil = pytest.importorskip("psutil")


@pytest.fixture(scope="module")
def local_ray():
    """One local Ray instance for every test of this module (Ray starts slowly)."""
    from fashion_core.engines.ray_engine import local_runtime_env

    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, object_store_memory=300 * 2**20,
             ignore_reinit_error=True, runtime_env=local_runtime_env())  # workers import this checkout
    yield ray
    ray.shutdown()


def same_index(built, reference) -> None:
    a, b = load_index(built), load_index(reference)
    assert a.ids == b.ids
    assert np.abs(np.asarray(a.features) - np.asarray(b.features)).max() < 1e-5
    assert same_share(top_lists(built), top_lists(reference)) >= 0.99


def test_ray_engine_gives_the_local_engines_index(local_ray, demo_world, demo_index, tmp_path):
    out = ingest.build_index(demo_world / "catalog.csv", tmp_path / "index", progress=False, engine="ray")
    same_index(out, demo_index)
    m = load_index(out).manifest
    assert m.build["engine"] == "ray" and m.build["encoded"] == 240


def encoder_actor_pids() -> list[int]:
    """Processes of the Ray Data encoder actors (their process title names the actor class)."""
    found = []
    for p in psutil.process_iter(["pid", "cmdline"]):
        cmd = " ".join(p.info["cmdline"] or [])
        if cmd.startswith("ray::") and "EncodeActor" in cmd:
            found.append(p.info["pid"])
    return found


@pytest.mark.slow
def test_a_worker_killed_mid_ingest_still_finishes_the_same_index(local_ray, demo_world, demo_index, tmp_path,
                                                                   monkeypatch):
    monkeypatch.setattr(ingest, "SHARD_ROWS", 16)  # many shards: the kill lands between two of them
    out = tmp_path / "index"
    shards = out / ".staging" / "shards"
    result: dict = {}

    def build():
        try:
            result["out"] = ingest.build_index(demo_world / "catalog.csv", out, progress=False, engine="ray")
        except BaseException as exc:  # noqa: BLE001 - reported by the test below
            result["error"] = exc

    thread = threading.Thread(target=build)
    thread.start()
    deadline, killed = time.monotonic() + 240, None
    while time.monotonic() < deadline and thread.is_alive() and killed is None:
        pids = encoder_actor_pids()
        if pids and shards.is_dir() and len(list(shards.glob("0*.npz"))) >= 2:
            killed = pids[0]
            os.kill(killed, signal.SIGKILL)
        time.sleep(0.05)
    thread.join(300)
    assert killed is not None, "the build ended before an encoder actor could be killed"
    assert "error" not in result, result.get("error")
    assert not psutil.pid_exists(killed) or psutil.Process(killed).status() == psutil.STATUS_ZOMBIE
    same_index(result["out"], demo_index)


def test_the_engine_plans_from_the_cluster():
    from fashion_core.engines.ray_engine import plan

    assert plan(2, 240, 64) == {"actors": 2, "batch_size": 64, "decode_cpus": 1}
    assert plan(16, 10_000, 64)["actors"] == 16
    assert plan(16, 100, 64)["actors"] == 2  # no more actors than batches
