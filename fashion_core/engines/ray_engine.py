"""The Ray ingest engine (``index build --engine ray [--address ADDR]``): the encode stage on a Ray cluster.

A Ray Data pipeline over the products still to encode: the catalog rows read into blocks (one block per feature
shard) → ``map_batches`` decode (and crop) → ``map_batches`` encode through an actor pool (each actor loads the
encoder once; pool size and batch size from the cluster and the encoder; Ray Data fuses the decode step into the
same actors, as both ask for one CPU, so images never cross the object store) → the results stream back to
the driver, which writes each feature shard as soon as all of its rows are in. The shards are the local engine's
(:func:`fashion_core.ingest.read_shard` / ``write_shard``, :data:`~fashion_core.ingest.SHARD_ROWS` rows each), so
an interrupted build resumes from finished shards with either engine, and everything after the shards (descriptor,
ANN, manifest, swap) is the same code. Ray Data restarts a killed actor and retries its batch: a worker lost in
the middle of ingest costs time, not the build.

Connects to ``RAY_ADDRESS`` (``--address``) when set, else starts a local Ray instance for the build (and stops
it afterwards); a Ray already initialised in the process (a test's) is used as it is.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

import numpy as np

from .. import ingest
from ..catalog import Catalog, Product

log = logging.getLogger(__name__)

PART_DTYPE = np.float32


def _decode(batch: dict[str, np.ndarray], crop: bool) -> dict[str, np.ndarray]:
    """Ray Data task: load each product's image safely (and crop it), as raw RGB bytes + shape; ``ok`` False
    where the image cannot be used (it gets zero features, as in the local engine)."""
    from ..imageio import ImageError, load_image

    crop_fn = None
    if crop:
        from ..detection.crops import product_crop as crop_fn
    data, heights, widths, ok = [], [], [], []
    for path, pid, title, category in zip(batch["image"], batch["product_id"], batch["title"], batch["category"]):
        try:
            image = load_image(str(path))
            if crop_fn is not None:
                image = crop_fn(image, Product(str(pid), str(title), str(category), Path(str(path))))
            arr = np.asarray(image.convert("RGB"), dtype=np.uint8)
            good = True
        except (ImageError, OSError):
            arr, good = np.zeros((1, 1, 3), np.uint8), False
        data.append(arr.tobytes())
        heights.append(arr.shape[0])
        widths.append(arr.shape[1])
        ok.append(good)
    return {"row": np.asarray(batch["row"], np.int64), "data": np.array(data, dtype=object),
            "h": np.asarray(heights, np.int64), "w": np.asarray(widths, np.int64), "ok": np.asarray(ok, bool)}


class EncodeActor:
    """Ray Data actor: the encoder, loaded once per actor, applied to batches of decoded images."""

    def __init__(self, encoder: str, weights_id: str, threads: int):
        import torch

        from ..encoders import create_encoder

        torch.set_num_threads(max(1, threads))
        self.encoder = create_encoder(encoder)
        if self.encoder.weights_id != weights_id:
            raise RuntimeError(f"this Ray worker loads encoder {encoder!r} with weights {self.encoder.weights_id}, "
                               f"the build uses {weights_id}: install the same fashion-core and models on every node")
        self.pid = os.getpid()

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        from PIL import Image

        from ..encoders.descriptor import extract_parts

        good = np.asarray(batch["ok"], bool)
        images = [Image.fromarray(np.frombuffer(d, np.uint8).reshape(int(h), int(w), 3))
                  for d, h, w, g in zip(batch["data"], batch["h"], batch["w"], good) if g]
        encoded = extract_parts(self.encoder, images)
        out = {"row": np.asarray(batch["row"], np.int64), "ok": good}
        for name, values in encoded.items():
            full = np.zeros((len(good),) + values.shape[1:], dtype=PART_DTYPE)
            full[good] = values
            out[name] = full
        return out


def _ensure_ray():
    """(ray module, whether this build started Ray and must stop it)."""
    import ray

    if ray.is_initialized():
        return ray, False
    address = os.environ.get("RAY_ADDRESS")
    if address:
        ray.init(address=address, log_to_driver=False)
        log.info("connected to the Ray cluster at %s", address)
    else:  # this machine: the workers import the very fashion_core this process runs
        ray.init(include_dashboard=False, log_to_driver=False, runtime_env=local_runtime_env())
        log.info("started a local Ray instance (%s CPUs); pass --address to use a cluster",
                 ray.cluster_resources().get("CPU"))
    return ray, True


def local_runtime_env() -> dict:
    """Ray runtime env for workers on this machine: ``PYTHONPATH`` names the folder this ``fashion_core`` was
    imported from (a checkout or worktree can differ from the installed copy)."""
    root = str(Path(__file__).resolve().parents[2])
    path = os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH", "")) if p)
    return {"env_vars": {"PYTHONPATH": path}}


def plan(cpus: float, n_rows: int, batch_size: int) -> dict[str, int]:
    """Actor pool and batch size from the cluster: one encoder actor per CPU (Ray Data fuses the decode step
    into the same actors, as both ask for one CPU), no more actors than batches."""
    actors = max(1, int(cpus))
    batches = max(1, -(-n_rows // batch_size))
    return {"actors": min(actors, batches), "batch_size": batch_size, "decode_cpus": 1}


@ingest.register_engine("ray")
def encode_ray(catalog: Catalog, enc, shard_dir: Path, progress: bool, crop_fn) -> tuple[dict, np.ndarray, int]:
    """The encode stage on Ray: ``(parts, ok, n_encoded)`` for every product of ``catalog``, in order, from
    finished shards where present and from the cluster for the rest."""
    import pandas as pd
    from tqdm import tqdm

    if crop_fn is not None and getattr(crop_fn, "__qualname__", "") != "product_crop":
        raise ValueError("the ray engine crops with the shipped product_crop only (--crop); other crop functions "
                         "run with --engine local")
    shard_rows = ingest.SHARD_ROWS
    n = len(catalog)
    starts = list(range(0, n, shard_rows))
    shards: dict[int, dict[str, np.ndarray]] = {}
    for s, start in enumerate(starts):
        path = shard_dir / f"{s:05d}.npz"
        shard = ingest.read_shard(path) if path.exists() else None
        if shard is not None and len(shard["ok"]) == len(catalog.products[start:start + shard_rows]):
            shards[s] = shard
    todo = [s for s in range(len(starts)) if s not in shards]
    n_encoded = sum(min(shard_rows, n - starts[s]) for s in todo)
    if todo:
        ray, started = _ensure_ray()
        try:
            blocks = []
            for s in todo:
                chunk = catalog.products[starts[s]:starts[s] + shard_rows]
                blocks.append(pd.DataFrame({"row": np.arange(starts[s], starts[s] + len(chunk), dtype=np.int64),
                                            "image": [str(p.image) for p in chunk],
                                            "product_id": [p.product_id for p in chunk],
                                            "title": [p.title for p in chunk],
                                            "category": [p.category for p in chunk]}))
            shards.update(_run_pipeline(ray, blocks, enc, crop_fn is not None, shard_dir, starts, n, shard_rows,
                                        n_encoded, progress, tqdm))
        finally:
            if started:
                ray.shutdown()
    ordered = [shards[s] for s in range(len(starts))]
    oks = [sh.pop("ok") for sh in ordered]
    parts = {k: np.concatenate([sh[k] for sh in ordered]) for k in ordered[0]}
    return parts, np.concatenate(oks).astype(bool), n_encoded


def _run_pipeline(ray, blocks, enc, crop: bool, shard_dir: Path, starts: list[int], n: int, shard_rows: int,
                  n_encoded: int, progress: bool, tqdm) -> dict[int, dict[str, np.ndarray]]:
    """Run the Ray Data pipeline over ``blocks`` and write each shard as soon as all of its rows are back."""
    from ray.data import DataContext

    ctx = DataContext.get_current()
    ctx.enable_progress_bars = False
    ctx.execution_options.verbose_progress = False
    cfg = plan(ray.cluster_resources().get("CPU", 1), n_encoded, int(getattr(enc, "batch_size", 64)))
    print(f"ray engine: {n_encoded} images in {len(blocks)} blocks, {cfg['actors']} encoder actor(s), batches of "
          f"{cfg['batch_size']}", file=sys.stderr)
    ds = ray.data.from_pandas(blocks)
    ds = ds.map_batches(_decode, fn_kwargs={"crop": crop}, batch_size=cfg["batch_size"], batch_format="numpy",
                        num_cpus=cfg["decode_cpus"])
    ds = ds.map_batches(EncodeActor, fn_constructor_args=(enc.name, enc.weights_id, 1),
                        batch_size=cfg["batch_size"], batch_format="numpy",
                        compute=ray.data.ActorPoolStrategy(size=cfg["actors"]), num_cpus=1)
    pending: dict[int, dict[int, dict[str, np.ndarray]]] = {}
    done: dict[int, dict[str, np.ndarray]] = {}
    bar = tqdm(total=n_encoded, desc="encoding (ray)", unit="img", disable=not progress, file=sys.stderr)
    for batch in ds.iter_batches(batch_size=None, batch_format="numpy"):
        rows = np.asarray(batch["row"], np.int64)
        for i, row in enumerate(rows.tolist()):
            s = row // shard_rows
            pending.setdefault(s, {})[row] = {k: np.asarray(v[i]) for k, v in batch.items() if k != "row"}
            size = min(shard_rows, n - starts[s])
            if len(pending[s]) == size:
                got = pending.pop(s)
                shard = {k: np.stack([got[r][k] for r in range(starts[s], starts[s] + size)])
                         for k in got[starts[s]]}
                shard["ok"] = shard["ok"].astype(bool)
                ingest.write_shard(shard_dir / f"{s:05d}.npz", shard)  # whole or not at all: a resume point
                done[s] = shard
        bar.update(len(rows))
    bar.close()
    if pending:
        raise RuntimeError(f"the Ray pipeline returned {sum(map(len, pending.values()))} rows of shards that never "
                           "completed; run the same build again to resume from the finished shards")
    return done
