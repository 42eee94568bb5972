"""Locust users for ``bench_service.py``: shoppers calling the service (similar by id, complete by id, similar by
image upload, product lookups). Product ids and the upload come from ``BENCH_IDS`` (a file of ids, one a line)
and ``BENCH_IMAGE`` (a JPEG).

The client side needs no socket tuning: locust's HttpUser goes through requests / urllib3, whose connections already
set ``TCP_NODELAY``. The ~40 ms per answer measured before 2026-12-02 was the server's side (uvicorn with
``--workers`` > 1 left Nagle's algorithm on; :mod:`fashion_core.service.protocol` turns it off), so the figures
measure what a shop's own client would see."""

from __future__ import annotations

import os
import random
from pathlib import Path

from locust import HttpUser, constant, task

IDS = Path(os.environ["BENCH_IDS"]).read_text().split()
IMAGE = Path(os.environ["BENCH_IMAGE"]).read_bytes()


class Shopper(HttpUser):
    """A client that sends its next request as soon as the last one is answered (closed loop)."""

    wait_time = constant(0)

    def on_start(self) -> None:
        self.rng = random.Random(hash(self) & 0xFFFF)

    @task(6)
    def similar_by_id(self) -> None:
        self.client.post("/v1/similar", json={"product_id": self.rng.choice(IDS), "k": 10},
                         name="similar by id")

    @task(2)
    def complete_by_id(self) -> None:
        self.client.post("/v1/complete", json={"product_id": self.rng.choice(IDS), "k": 5}, name="complete by id")

    @task(1)
    def similar_by_image(self) -> None:
        self.client.post("/v1/similar", files={"image": ("q.jpg", IMAGE, "image/jpeg")}, data={"k": "10"},
                         name="similar by image")

    @task(1)
    def product(self) -> None:
        self.client.get(f"/v1/products/{self.rng.choice(IDS)}", name="product")
