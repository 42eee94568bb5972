"""Cached image features: crops of boxes, one encoding per picture, subsets served from the cache."""

from __future__ import annotations

import numpy as np
from PIL import Image

from fashion_core.compat.data import OutfitItem
from fashion_core.compat.features import image_features, item_picture


class MeanColourEncoder:
    """A tiny real encoder (mean RGB of the picture), counting the pictures it encodes."""

    name, dim, weights_id = "mean-colour", 3, "v1"

    def __init__(self):
        self.seen = 0

    def encode(self, images):
        self.seen += len(images)
        x = np.array([np.asarray(im, dtype=np.float32).mean(axis=(0, 1)) for im in images]) + 1.0
        return x / np.linalg.norm(x, axis=1, keepdims=True)


def _photo(path):
    img = Image.new("RGB", (100, 100), (250, 250, 250))
    img.paste((200, 10, 10), (0, 0, 50, 100))  # red left half, white right half
    img.save(path)
    return path


def test_box_crop_and_cache(tmp_path):
    photo = _photo(tmp_path / "p.png")
    items = [OutfitItem("left", "top", image=photo, box=(0, 0, 45, 100)),
             OutfitItem("right", "bottom", image=photo, box=(55, 0, 100, 100)),
             OutfitItem("whole", "bag", image=photo)]
    assert item_picture(items[0], pad=0).size == (46, 100)  # box is inclusive, clipped to the image
    enc = MeanColourEncoder()
    first = image_features(items, enc, tmp_path / "cache")
    assert enc.seen == 3 and first.shape == (3, 3)
    assert first[0][0] > first[1][0] + 0.1  # the red crop is redder than the white one
    again = image_features(items[::-1], enc, tmp_path / "cache")
    assert enc.seen == 3  # all from the cache, in the asked order
    np.testing.assert_array_equal(again, first[::-1])
    more = items + [OutfitItem("right2", "bottom", image=photo, box=(60, 0, 100, 100))]
    image_features(more, enc, tmp_path / "cache")
    assert enc.seen == 4  # only the new picture was encoded
