"""Perceptual hashes of decoded pixels: PDQ (+ quality, + dihedral variants), pHash, dHash.

PDQ is our own implementation of Meta's published algorithm, written as matrix products: luma,
two passes of PDQ's clipped box ("Jarosz") filter in each direction, sampling at 64x64, a
16x16 DCT (without the DC row/column) and a median threshold. Box filtering and sampling are
linear, so for an image of H x W they fold into one 64 x H and one W x 64 matrix, and the hash
costs two small matrix products instead of four full-image filter passes (13x faster than the
``pdqhash`` bindings of the reference C++ at 1024x768). Tests compare it with ``pdqhash``:
identical bits and quality on natural images, including all eight dihedral variants; images
whose DCT coefficients tie at the median in bulk (flat synthetic pictures) can differ in those
tied bits, where either answer is arbitrary. The hex form follows python-threatexchange: the
256 bits in order, most significant first.

pHash and dHash are our own (64-bit, same construction as the ``imagehash`` package:
luma, area resize, 2-D DCT low 8x8 against its median; horizontal gradient signs).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib.metadata import version
from typing import Any

import cv2
import numpy as np
from threadpoolctl import ThreadpoolController

from ncii_desk.hashing.defaults import PDQ_DEFAULT_THRESHOLD as PDQ_DEFAULT_THRESHOLD
from ncii_desk.hashing.defaults import PDQ_MIN_QUALITY as PDQ_MIN_QUALITY
from ncii_desk.hashing.defaults import PHASH_DEFAULT_THRESHOLD as PHASH_DEFAULT_THRESHOLD

PDQ_BITS = 256
#: Side PDQ works from: the reference code reduces every image to 64x64 through two box
#: ("Jarosz") filter passes; decoding at about 512 px keeps the hash within a few bits of a
#: full decode at a fraction of the cost (bench/hash_throughput.py measures the difference).
PDQ_WORK_SIDE = 512

#: Names of the eight dihedral variants, in the order pdqhash.compute_dihedral returns them
#: (checked against it by a test).
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


PDQ_ALGORITHM = "PDQ 256-bit (Meta's algorithm; own implementation, checked against pdqhash)"
PHASH_ALGORITHM = "pHash 64-bit (DCT 32x32 -> 8x8, median)"
DHASH_ALGORITHM = "dHash 64-bit (9x8 horizontal gradient)"
OWN_LIBRARY = f"ncii-desk {_lib_version('ncii-desk')} / opencv {cv2.__version__}"
PDQ_LIBRARY = OWN_LIBRARY


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


@lru_cache(maxsize=32)
def _pdq_sampler(n: int) -> np.ndarray[Any, np.dtype[np.float32]]:
    """64 x n weights: PDQ's two clipped box-filter passes along one axis, then its sampling.

    PDQ's window is ceil-ish ``(n + 127) // 128``; each pass averages ``window`` neighbours
    (``window - half`` before, ``half - 1`` after, ``half = (window + 2) // 2``) and divides by
    how many of them are inside the image. Sample ``i`` is taken at ``int((i + 0.5) * n / 64)``.
    """
    window = (n + 127) // 128
    half = (window + 2) // 2
    before, after = window - half, half - 1

    def row(i: int) -> tuple[int, np.ndarray[Any, np.dtype[np.float64]]]:
        lo, hi = max(0, i - before), min(n, i + after + 1)
        return lo, np.full(hi - lo, 1.0 / (hi - lo))

    out = np.zeros((64, n), dtype=np.float64)
    for k in range(64):
        centre = int((k + 0.5) * n / 64)
        lo1, w1 = row(centre)
        for offset, weight in enumerate(w1):
            lo2, w2 = row(lo1 + offset)
            out[k, lo2 : lo2 + len(w2)] += weight * w2
    return out.astype(np.float32)


@lru_cache(maxsize=32)
def _folded_sampler(n: int, factor: int) -> np.ndarray[Any, np.dtype[np.float32]]:
    """64 x ceil(n / factor) weights: :func:`_pdq_sampler` of the full length ``n`` applied to
    a line reduced by block means of ``factor`` pixels (what JPEG DCT scaling decodes).

    Each reduced pixel stands for ``factor`` full-size pixels, so it takes the sum of their
    weights: the full-size filter then sees a picture that is flat inside each block, and the
    filter is smooth over a block (its support is 2 x ceil(n / 128) pixels wide), so the
    result is within a few bits of the full-size hash, far closer than hashing the small
    picture as if it were the whole.
    """
    full = _pdq_sampler(n).astype(np.float64)
    blocks = -(-n // factor)
    padded = np.zeros((64, blocks * factor), dtype=np.float64)
    padded[:, :n] = full
    folded: np.ndarray[Any, np.dtype[np.float32]] = (
        padded.reshape(64, blocks, factor).sum(axis=2).astype(np.float32)
    )
    return folded


def _dct_rows() -> np.ndarray[Any, np.dtype[np.float64]]:
    i = np.arange(1, 17)[:, None]  # PDQ skips the DC term
    j = np.arange(64)[None, :]
    rows: np.ndarray[Any, np.dtype[np.float64]] = np.sqrt(2.0 / 64.0) * np.cos(
        np.pi / 128.0 * i * (2 * j + 1)
    )
    return rows


_DCT16 = _dct_rows()
_SIGNS = (-1.0) ** np.arange(1, 17)


_blas_pinned = False


@lru_cache(maxsize=1)
def _blas_controller() -> ThreadpoolController:
    return ThreadpoolController()


def pin_blas_to_one_thread() -> None:
    """For hashing worker processes: one BLAS thread for the whole process.

    The two products are small (a few ms); BLAS's own threads cost more than they bring, and
    on a busy machine their spin-waiting made PDQ four times slower. Outside the workers each
    call limits BLAS to one thread for its duration instead.
    """
    global _blas_pinned
    _blas_controller().limit(limits=1, user_api="blas")
    _blas_pinned = True


def _pdq_core(
    pixels: Pixels, full: tuple[int, int, int] | None = None
) -> tuple[np.ndarray[Any, np.dtype[np.float64]], int]:
    """The 16x16 DCT coefficients PDQ thresholds, and its quality score (0-100).

    ``full``: (height, width, factor) when ``pixels`` are a picture of that full size reduced
    by block means of ``factor`` (JPEG DCT scaling): the hash is then the full picture's."""
    if pixels.ndim != 2 and (pixels.ndim != 3 or pixels.shape[2] != 3):
        raise ValueError("PDQ needs an RGB or greyscale image")
    h, w = pixels.shape[:2]
    if full is None or full[2] == 1:
        rows, cols = _pdq_sampler(h), _pdq_sampler(w)
    else:
        full_h, full_w, factor = full
        if (-(-full_h // factor), -(-full_w // factor)) != (h, w):
            raise ValueError("reduced pixels do not match the full size and factor given")
        rows, cols = _folded_sampler(full_h, factor), _folded_sampler(full_w, factor)
    values = pixels.astype(np.float32)
    luma = cv2.cvtColor(values, cv2.COLOR_RGB2GRAY) if values.ndim == 3 else values
    if _blas_pinned:
        small = (rows @ luma) @ cols.T  # 64 x 64, as PDQ's buffer
    else:
        with _blas_controller().limit(limits=1, user_api="blas"):
            small = (rows @ luma) @ cols.T
    # Quality: summed absolute neighbour differences, as whole percent steps of 255.
    down = np.abs(np.trunc((small[:-1, :] - small[1:, :]) * 100.0 / 255.0)).sum()
    across = np.abs(np.trunc((small[:, :-1] - small[:, 1:]) * 100.0 / 255.0)).sum()
    quality = min(100, int((down + across) / 90))
    coefficients = _DCT16 @ small.astype(np.float64) @ _DCT16.T
    return coefficients, quality


def _pdq_hex(coefficients: np.ndarray[Any, np.dtype[np.float64]]) -> str:
    bits = (coefficients > np.median(coefficients)).ravel()
    return bits_to_hex(bits[::-1])  # PDQ's bit 0 is the first coefficient, written last


def pdq(pixels: Pixels) -> PdqHash:
    coefficients, quality = _pdq_core(pixels)
    return PdqHash(_pdq_hex(coefficients), quality)


def pdq_of_reduced(pixels: Pixels, full_height: int, full_width: int, factor: int) -> PdqHash:
    """PDQ of a full_height x full_width picture from ``pixels``, that picture decoded with
    JPEG DCT scaling by ``factor`` (1, 2, 4 or 8; each pixel a block mean).

    On 12 MP photos decoded at 1/8 this is 1.25 bits on average (at most 4) from the PDQ of
    the full decode, where hashing the 500 x 375 pixels as they are was 9.5 (at most 24)."""
    coefficients, quality = _pdq_core(pixels, (full_height, full_width, factor))
    return PdqHash(_pdq_hex(coefficients), quality)


def pdq_dihedral(pixels: Pixels) -> list[tuple[str, PdqHash]]:
    """The eight rotations/mirrors of one image from one DCT.

    Mirroring the image flips the sign of every odd-frequency coefficient along that axis and a
    transpose transposes the coefficients, so no variant needs the pixels again.
    """
    c, quality = _pdq_core(pixels)
    rows, cols = _SIGNS[:, None], _SIGNS[None, :]
    variants = (
        c,  # original
        (c * cols).T,  # rotate-90-ccw
        rows * c * cols,  # rotate-180
        (rows * c).T,  # rotate-90-cw
        rows * c,  # flip-vertical
        c * cols,  # flip-horizontal
        c.T,  # transpose
        (rows * c * cols).T,  # anti-transpose
    )
    return [
        (name, PdqHash(_pdq_hex(v), quality))
        for name, v in zip(DIHEDRAL_NAMES, variants, strict=True)
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
