"""Bad input to a real service: the malformed-image set and malformed requests each get a 4xx JSON error that
says what is wrong, and the server keeps answering."""

from __future__ import annotations

import io

import numpy as np
import pytest
import requests
from PIL import Image

from tests.foundation.test_imageio import write_huge_png

TIMEOUT = 60


def _jpeg() -> bytes:
    rng = np.random.default_rng(0)
    buf = io.BytesIO()
    Image.fromarray(rng.integers(0, 255, (120, 90, 3), dtype=np.uint8)).save(buf, format="JPEG")
    return buf.getvalue()


@pytest.fixture(scope="module")
def malformed(tmp_path_factory) -> dict[str, tuple[bytes, str]]:
    """name -> (bytes, words the error must contain)."""
    bomb = tmp_path_factory.mktemp("bomb") / "bomb.png"
    write_huge_png(bomb, 10_000, 5_000)  # 50 megapixels in ~50 kB
    good = _jpeg()
    return {"empty.jpg": (b"", "empty"), "notes.jpg": (b"just some text, renamed\n" * 20, "plain text"),
            "truncated.jpg": (good[: len(good) // 3], "truncated"),
            "bomb.png": (bomb.read_bytes(), "megapixels")}


def still_answers(service) -> None:
    assert requests.get(service.url + "/healthz", timeout=TIMEOUT).status_code == 200
    got = requests.post(service.url + "/v1/similar", json={"product_id": "D00002", "k": 2}, timeout=TIMEOUT)
    assert got.status_code == 200 and len(got.json()["results"][0]["items"]) == 2


@pytest.mark.parametrize("endpoint", ["/v1/look", "/v1/similar", "/v1/complete"])
@pytest.mark.parametrize("name", ["empty.jpg", "notes.jpg", "truncated.jpg", "bomb.png"])
def test_malformed_images_get_a_4xx_that_says_why(service, malformed, endpoint, name):
    data, words = malformed[name]
    got = requests.post(service.url + endpoint, files={"image": (name, data, "image/jpeg")},
                        data={"category": "top"} if endpoint != "/v1/look" else {}, timeout=TIMEOUT)
    assert 400 <= got.status_code < 500, got.text
    err = got.json()
    assert words in err["error"] and name in err["error"] and err["status"] == got.status_code
    assert err["request_id"] == got.headers["x-request-id"]
    still_answers(service)


@pytest.mark.parametrize(("body", "status", "words"), [
    ({"k": 5}, 400, "exactly one of product_id"),
    ({"product_id": "D00001", "k": 0}, 422, "k: Input should be greater than or equal to 1"),
    ({"product_id": "D00001", "kk": 3}, 422, "kk: Extra inputs are not permitted"),
    ({"product_id": "D00001", "slots": ["hands"]}, 422, "unknown slot(s) hands"),
    ({"product_id": "D00001", "price_min": 50, "price_max": 10}, 400, "price_min 50.0 is above price_max 10.0"),
    ({"product_id": "D00001", "box": [1, 2, 3, 4]}, 400, "box and attributes go with an uploaded image"),
    ({"product_id": "ZZZ"}, 404, "'ZZZ' is not in the index"),
    ([1, 2], 400, "must be an object"),
])
def test_malformed_requests(service, body, status, words):
    got = requests.post(service.url + "/v1/similar", json=body, timeout=TIMEOUT)
    assert got.status_code == status and words in got.json()["error"], got.text


def test_wrong_bodies(service):
    raw = requests.post(service.url + "/v1/similar", data=b"{not json", headers={"content-type": "application/json"},
                        timeout=TIMEOUT)
    assert raw.status_code == 400 and "not valid JSON" in raw.json()["error"]
    text = requests.post(service.url + "/v1/complete", data=b"hello", headers={"content-type": "text/plain"},
                         timeout=TIMEOUT)
    assert text.status_code == 415 and "application/json or multipart/form-data" in text.json()["error"]
    look = requests.post(service.url + "/v1/look", json={"image": "x"}, timeout=TIMEOUT)
    assert look.status_code == 415 and "multipart" in look.json()["error"]
    nofile = requests.post(service.url + "/v1/look", files={"other": ("a.jpg", _jpeg())}, timeout=TIMEOUT)
    assert nofile.status_code == 400 and "'image'" in nofile.json()["error"]
    box = requests.post(service.url + "/v1/similar", files={"image": ("a.jpg", _jpeg())},
                        data={"box": "500,500,600,600", "category": "top"}, timeout=TIMEOUT)
    assert box.status_code == 400 and "no pixels inside" in box.json()["error"]
    nobody = requests.get(service.url + "/v1/nothing", timeout=TIMEOUT)
    assert nobody.status_code == 404 and nobody.json()["error"] == "Not Found"
    still_answers(service)
