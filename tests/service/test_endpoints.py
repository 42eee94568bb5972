"""Every endpoint of a real ``fashion-core serve`` process over the demo index, in the CLI's JSON shapes."""

from __future__ import annotations

import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import requests

from fashion_core.config import PROJECT_ROOT as ROOT

TIMEOUT = 60


def cli_json(*args: str) -> dict:
    """The CLI's ``--json`` answer to the same question."""
    out = subprocess.run([sys.executable, "-m", "fashion_core", *args, "--json"], cwd=ROOT, capture_output=True,
                         text=True, timeout=300, check=True)
    return json.loads(out.stdout)


def post_json(service, path: str, doc: dict) -> requests.Response:
    return requests.post(service.url + path, json=doc, timeout=TIMEOUT)


def test_health_ready_and_docs(service, demo_index):
    assert requests.get(service.url + "/healthz", timeout=TIMEOUT).json() == {"status": "ok"}
    ready = requests.get(service.url + "/readyz", timeout=TIMEOUT).json()
    assert ready["status"] == "ready" and ready["products"] == 240 and "top" in ready["categories"]
    docs = requests.get(service.url + "/docs", timeout=TIMEOUT)
    assert docs.status_code == 200 and "swagger" in docs.text.lower()
    paths = requests.get(service.url + "/openapi.json", timeout=TIMEOUT).json()["paths"]
    assert {"/v1/look", "/v1/similar", "/v1/complete", "/v1/products/{product_id}", "/healthz", "/readyz"} <= set(paths)
    assert {"application/json", "multipart/form-data"} <= set(paths["/v1/similar"]["post"]["requestBody"]["content"])


def test_product_by_id(service, demo_index):
    row = json.loads((next((demo_index / "versions").iterdir()) / "products.jsonl").read_text().splitlines()[3])
    got = requests.get(service.url + f"/v1/products/{row['product_id']}", timeout=TIMEOUT)
    assert got.status_code == 200 and got.json() == row
    missing = requests.get(service.url + "/v1/products/NOPE-1", timeout=TIMEOUT)
    assert missing.status_code == 404 and "'NOPE-1' is not in the index" in missing.json()["error"]


def test_similar_and_complete_by_id_answer_as_the_cli(service, demo_index):
    got = post_json(service, "/v1/similar", {"product_id": "D00007", "k": 5})
    assert got.status_code == 200
    assert got.json() == cli_json("similar", "--index", str(demo_index), "--id", "D00007", "-k", "5")
    got = post_json(service, "/v1/complete", {"product_id": "D00007", "k": 3})
    assert got.status_code == 200
    assert got.json() == cli_json("complete", "--index", str(demo_index), "--id", "D00007", "-k", "3")


def test_filters_travel(service):
    got = post_json(service, "/v1/complete", {"product_id": "D00007", "k": 2, "slots": ["shoes"], "gender": "Women"})
    doc = got.json()
    assert got.status_code == 200 and set(doc["by_slot"]) <= {"shoes"} and doc["wearer"]["gender"] == "Women"
    got = post_json(service, "/v1/similar", {"product_id": "D00007", "k": 4, "colours": "black,navy"})
    assert got.status_code == 200 and got.json()["filters"] == {"colours": ["black", "navy"]}


def test_similar_and_complete_by_image_and_box(service, demo_world):
    path = demo_world / "images" / "D00011.jpg"
    with open(path, "rb") as fh:
        data = fh.read()
    whole = requests.post(service.url + "/v1/similar", files={"image": ("p.jpg", data, "image/jpeg")},
                          data={"k": "5"}, timeout=TIMEOUT)
    assert whole.status_code == 200, whole.text
    doc = whole.json()["results"][0]
    assert doc["query"] == "image" and len(doc["items"]) == 5
    assert {i["category"] for i in doc["items"]} == {doc["category"]}
    boxed = requests.post(service.url + "/v1/similar", files={"image": ("p.jpg", data, "image/jpeg")},
                          data={"k": "3", "box": "10,10,60,70", "category": "top"}, timeout=TIMEOUT)
    assert boxed.status_code == 200 and boxed.json()["results"][0]["category"] == "top"
    outfit = requests.post(service.url + "/v1/complete", files={"image": ("p.jpg", data, "image/jpeg")},
                           data={"category": "shoes", "k": "2"}, timeout=TIMEOUT)
    assert outfit.status_code == 200 and outfit.json()["query_category"] == "shoes"
    assert "shoes" not in outfit.json()["by_slot"] and outfit.json()["outfit"]


def test_look_finds_garments_and_answers_each(service, demo_world):
    path = sorted((demo_world / "looks" / "images").iterdir())[0]
    got = requests.post(service.url + "/v1/look", files={"image": (path.name, path.read_bytes(), "image/jpeg")},
                        data={"k": "3", "k_outfit": "2"}, timeout=TIMEOUT)
    assert got.status_code == 200, got.text
    doc = got.json()
    assert doc["query"] == path.name and doc["detections"] and len(doc["garments"]) == len(doc["detections"])
    for det in doc["detections"]:
        assert len(det["box"]) == 4 and len(det["icon"]) == 2
    assert any(g["similar"] for g in doc["garments"])
    assert doc["people"] and doc["size"] == [320, 480]
    bare = requests.post(service.url + "/v1/look", files={"image": (path.name, path.read_bytes(), "image/jpeg")},
                         data={"answers": "false"}, timeout=TIMEOUT).json()
    assert "garments" not in bare and bare["detections"] == doc["detections"]


def test_request_ids_in_headers_and_every_log_line(service):
    got = requests.get(service.url + "/healthz", headers={"X-Request-ID": "shop-42.abc"}, timeout=TIMEOUT)
    assert got.headers["x-request-id"] == "shop-42.abc"
    bad = post_json(service, "/v1/similar", {"product_id": "NOPE-2"})
    rid = bad.headers["x-request-id"]
    assert bad.json()["request_id"] == rid and len(rid) >= 8
    unsafe = requests.get(service.url + "/healthz", headers={"X-Request-ID": "a b\tc" * 30}, timeout=TIMEOUT)
    assert unsafe.headers["x-request-id"] != "a b\tc" * 30
    lines = [ln for ln in service.log().splitlines() if ln[:4].isdigit()]  # the formatted log lines
    assert lines and all(" [" in ln and "] " in ln for ln in lines)
    assert any("[shop-42.abc]" in ln and "/healthz" in ln for ln in lines)
    assert sum(f"[{rid}]" in ln for ln in lines) >= 2  # the refusal and the access line


def test_concurrent_clients_get_identical_answers(service, demo_world):
    image = (demo_world / "images" / "D00020.jpg").read_bytes()

    def by_id(pid: str) -> dict:
        return post_json(service, "/v1/similar", {"product_id": pid, "k": 5}).json()

    def by_image(_: int) -> dict:
        return requests.post(service.url + "/v1/similar", files={"image": ("q.jpg", image, "image/jpeg")},
                             data={"k": "5"}, timeout=TIMEOUT).json()

    def outfit(pid: str) -> dict:
        return post_json(service, "/v1/complete", {"product_id": pid, "k": 2}).json()

    pids = [f"D{n:05d}" for n in (1, 30, 60, 90)]
    want = {("id", p): by_id(p) for p in pids} | {("outfit", p): outfit(p) for p in pids}
    want[("image", 0)] = by_image(0)
    jobs = [(kind, key) for kind, key in list(want) * 4]
    with ThreadPoolExecutor(max_workers=8) as pool:
        got = list(pool.map(lambda j: {"id": by_id, "outfit": outfit, "image": by_image}[j[0]](j[1]), jobs))
    for job, answer in zip(jobs, got):
        assert answer == want[job], job


def test_serve_refuses_a_missing_index(tmp_path):
    out = subprocess.run([sys.executable, "-m", "fashion_core", "serve", "--index", str(tmp_path / "none"),
                          "--port", "1"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 2 and "no index at" in out.stderr
