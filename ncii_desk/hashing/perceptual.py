"""Perceptual hashes of decoded pixels: PDQ (+ quality, + dihedral variants), pHash, dHash.

PDQ comes from the ``pdqhash`` bindings of Meta's reference C++ code, so the hashes are the
ones platforms and hash-sharing programmes already ingest. The hex form follows
python-threatexchange: the 256 bits in order, most significant first.

pHash and dHash are our own (64-bit, same construction as the ``imagehash`` package:
luma, area resize, 2-D DCT low 8x8 against its median; horizontal gradient signs).
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.metadata import version
from typing import Any

import cv2
import numpy as np
import pdqhash

from ncii_desk.hashing.defaults import PDQ_DEFAULT_THRESHOLD as PDQ_DEFAULT_THRESHOLD
from ncii_desk.hashing.defaults import PDQ_MIN_QUALITY as PDQ_MIN_QUALITY
from ncii_desk.hashing.defaults import PHASH_DEFAULT_THRESHOLD as PHASH_DEFAULT_THRESHOLD

PDQ_BITS = 256
#: Side PDQ works from: the reference code reduces every image to 64x64 through two box
#: ("Jarosz") filter passes; decoding at about 512 px keeps the hash within a few bits of a
#: full decode at a fraction of the cost (bench/hash_throughput.py measures the difference).
PDQ_WORK_SIDE = 512

#: Names of pdqhash.compute_dihedral's eight outputs, in its order (checked by a test).
DIHEDRAL_NAMES = (
    "original",
    "rotate-90-ccw",
    "rotate-180",
    "rotate-90-cw",
    "flip-vertical",
    "flip-horizontal",
    "transpose",
    "anti-transpose",
)

Pixels = np.ndarray[Any, np.dtype[np.uint8]]


def _lib_version(name: str) -> str:
    try:
        return version(name)
    except Exception:  # pragma: no cover - metadata missing in a frozen build
        return "unknown"


PDQ_ALGORITHM = "PDQ (Meta reference C++ via pdqhash)"
PDQ_LIBRARY = f"pdqhash {_lib_version('pdqhash')}"
PHASH_ALGORITHM = "pHash 64-bit (DCT 32x32 -> 8x8, median)"
DHASH_ALGORITHM = "dHash 64-bit (9x8 horizontal gradient)"
OWN_LIBRARY = f"ncii-desk {_lib_version('ncii-desk')} / opencv {cv2.__version__}"


@dataclass(frozen=True)
class PdqHash:
    hex: str
    quality: int


def bits_to_hex(bits: np.ndarray[Any, Any]) -> str:
    return np.packbits(np.asarray(bits, dtype=np.uint8)).tobytes().hex()


def hamming_hex(a: str, b: str) -> int:
    if len(a) != len(b):
        raise ValueError("hashes of different lengths cannot be compared")
    return (int(a, 16) ^ int(b, 16)).bit_count()


def reduce_for_hash(pixels: Pixels, side: int = PDQ_WORK_SIDE) -> Pixels:
    """Area-downscale so the longer side is at most ``side`` (never upscales)."""
    h, w = pixels.shape[:2]
    scale = side / max(h, w)
    if scale >= 1.0:
        return pixels
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    return np.ascontiguousarray(cv2.resize(pixels, size, interpolation=cv2.INTER_AREA))


def reduce_for_exchange(pixels: Pixels, min_side: int = PDQ_WORK_SIDE) -> Pixels:
    """Shrink by a whole-number box factor only, keeping the shorter side >= ``min_side``.

    The exchanged PDQ must stay close to what platforms compute from the full image; an exact
    k x k box average composes with PDQ's own box filtering far better than a fractional
    resize (measured in bench/results/hashing.md).
    """
    h, w = pixels.shape[:2]
    k = min(h, w) // min_side
    if k < 2:
        return pixels
    return np.ascontiguousarray(cv2.resize(pixels, (w // k, h // k), interpolation=cv2.INTER_AREA))


def pdq(pixels: Pixels) -> PdqHash:
    vector, quality = pdqhash.compute(np.ascontiguousarray(pixels))
    return PdqHash(bits_to_hex(vector), int(quality))


def pdq_dihedral(pixels: Pixels) -> list[tuple[str, PdqHash]]:
    """The eight rotations/mirrors of one image in one pass (PDQ's DCT is shared)."""
    vectors, quality = pdqhash.compute_dihedral(np.ascontiguousarray(pixels))
    return [
        (name, PdqHash(bits_to_hex(v), int(quality)))
        for name, v in zip(DIHEDRAL_NAMES, vectors, strict=True)
    ]


def _luma(pixels: Pixels) -> np.ndarray[Any, np.dtype[np.float32]]:
    grey = cv2.cvtColor(pixels, cv2.COLOR_RGB2GRAY) if pixels.ndim == 3 else pixels
    return grey.astype(np.float32)


def phash(pixels: Pixels) -> str:
    small = cv2.resize(_luma(pixels), (32, 32), interpolation=cv2.INTER_AREA)
    low = cv2.dct(small)[:8, :8]
    return bits_to_hex((low > np.median(low)).ravel())


def dhash(pixels: Pixels) -> str:
    small = cv2.resize(_luma(pixels), (9, 8), interpolation=cv2.INTER_AREA)
    return bits_to_hex((small[:, 1:] > small[:, :-1]).ravel())


def is_degenerate_pdq(hex_value: str) -> bool:
    """All-zero / all-one / near-constant hashes come from blank images and match anything."""
    ones = int(hex_value, 16).bit_count()
    return ones < 16 or ones > PDQ_BITS - 16
