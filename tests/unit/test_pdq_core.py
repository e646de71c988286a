"""Our PDQ against the pdqhash bindings of Meta's reference C++ code: same bits, same quality."""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np
import pytest
from skimage import data

from ncii_desk.hashing import perceptual as ph

pdqhash = pytest.importorskip("pdqhash")


def _rgb(image: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    image = np.asarray(image)
    if image.ndim == 2:
        image = np.stack([image] * 3, axis=-1)
    return np.ascontiguousarray(image[..., :3].astype(np.uint8))


PHOTOS = {
    name: _rgb(getattr(data, name)())
    for name in ("astronaut", "coffee", "chelsea", "rocket", "camera", "coins", "page", "moon")
}
# Sizes that exercise every window size from 1 up, odd and even, tiny and tall/wide.
SIZES = [(64, 64), (65, 200), (127, 129), (300, 201), (640, 480), (1024, 768), (233, 1511)]


def _reference_hex(pixels: np.ndarray[Any, Any]) -> tuple[str, int]:
    vector, quality = pdqhash.compute(pixels)
    return ph.bits_to_hex(np.asarray(vector)), int(quality)


@pytest.mark.parametrize("name", sorted(PHOTOS))
def test_pdq_bits_and_quality_equal_the_reference(name: str) -> None:
    for w, h in SIZES:
        pixels = np.ascontiguousarray(cv2.resize(PHOTOS[name], (w, h)))
        ours = ph.pdq(pixels)
        expected, quality = _reference_hex(pixels)
        assert ours.hex == expected, (name, w, h, ph.hamming_hex(ours.hex, expected))
        assert ours.quality == quality, (name, w, h)


def test_all_eight_dihedral_variants_equal_the_reference() -> None:
    for name in ("astronaut", "coffee", "rocket"):
        pixels = np.ascontiguousarray(cv2.resize(PHOTOS[name], (500, 340)))
        vectors, quality = pdqhash.compute_dihedral(pixels)
        ours = ph.pdq_dihedral(pixels)
        assert [n for n, _ in ours] == list(ph.DIHEDRAL_NAMES)
        for (variant, value), vector in zip(ours, vectors, strict=True):
            assert value.hex == ph.bits_to_hex(np.asarray(vector)), (name, variant)
            assert value.quality == quality


def test_mirrored_pixels_hash_close_to_the_mirror_variant() -> None:
    pixels = np.ascontiguousarray(cv2.resize(PHOTOS["chelsea"], (451, 300)))
    variants = dict(ph.pdq_dihedral(pixels))
    mirrored = ph.pdq(np.ascontiguousarray(pixels[:, ::-1])).hex
    assert ph.hamming_hex(variants["flip-horizontal"].hex, mirrored) <= 8
    assert ph.hamming_hex(variants["original"].hex, mirrored) > 60


def test_greyscale_input_equals_the_same_image_in_rgb() -> None:
    grey = np.ascontiguousarray(PHOTOS["camera"][..., 0])
    assert ph.pdq(grey) == ph.pdq(PHOTOS["camera"])


def test_wrong_shapes_are_refused() -> None:
    with pytest.raises(ValueError, match="RGB or greyscale"):
        ph.pdq(np.zeros((10, 10, 4), np.uint8))
