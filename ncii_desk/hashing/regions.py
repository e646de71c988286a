"""Where a re-posted image really is inside a suspect file, and crops of originals.

Plain PDQ fails on what re-posting does: borders and letterboxing, phone screenshots (status
and navigation bars), caption bars, collages. We find the rectangle(s) that hold the picture
and hash those too. The distance threshold never changes; we only hash better-chosen pixels.

* Border trimming: rows/columns at the edges that are (nearly) one colour are removed.
* Band splitting: a row (column) where the picture changes sharply across almost the whole
  width (height) is a boundary between UI bars, captions or collage tiles; the cells between
  such boundaries are candidate regions.
* Originals get hashes of central crops as well, so a suspect that is a centred crop of an
  original still matches.
"""

from __future__ import annotations

import itertools
from typing import Any

import cv2
import numpy as np

Pixels = np.ndarray[Any, np.dtype[np.uint8]]

BORDER_TOLERANCE = 12.0  # mean absolute difference (0-255) still counted as "one colour"
EDGE_STRENGTH = 24.0  # per-pixel step (0-255) that counts as an edge
EDGE_COVERAGE = 0.85  # share of the row/column that must step for a full-length boundary
FLAT_STD = 6.0  # a row/column this even is background, not picture
DISCONTINUITY = 3.0  # step this many times the local median step marks a tile edge
MIN_REGION_SHARE = 0.12  # a region smaller than this share of the image is ignored
MIN_REGION_SIDE = 48
MAX_REGIONS = 12
CENTRAL_CROPS = (0.9, 0.8, 0.7)
#: Originals kept as hashes only (possible minor) have no local features to find crops with,
#: so they get a denser ladder: every 2.5 % from 97.5 % down to 50 %. A centred crop between
#: two steps is then at most 1.25 % off a stored one (measured PDQ distance 8-48 on the
#: scikit-image photos, 36 of 40 within the threshold of 31; a crop exactly on a step: 0-14).
HASH_ONLY_CROPS = tuple(round(1 - 0.025 * k, 3) for k in range(1, 21))


def _grey(pixels: Pixels) -> np.ndarray[Any, np.dtype[np.float32]]:
    g = cv2.cvtColor(pixels, cv2.COLOR_RGB2GRAY) if pixels.ndim == 3 else pixels
    return g.astype(np.float32)


def trim_borders(pixels: Pixels, tolerance: float = BORDER_TOLERANCE) -> Pixels:
    """Remove uniform borders (letterboxing, padding); returns the input if nothing to trim."""
    grey = _grey(pixels)
    h, w = grey.shape
    if h < 8 or w < 8:
        return pixels

    def uniform(line: np.ndarray[Any, Any], ref: float) -> bool:
        return float(np.mean(np.abs(line - ref))) <= tolerance and float(np.std(line)) <= tolerance

    top, bottom, left, right = 0, h, 0, w
    ref = float(np.median(grey[0]))
    while top < bottom - 8 and uniform(grey[top, left:right], ref):
        top += 1
    ref = float(np.median(grey[h - 1]))
    while bottom > top + 8 and uniform(grey[bottom - 1, left:right], ref):
        bottom -= 1
    ref = float(np.median(grey[:, 0]))
    while left < right - 8 and uniform(grey[top:bottom, left], ref):
        left += 1
    ref = float(np.median(grey[:, w - 1]))
    while right > left + 8 and uniform(grey[top:bottom, right - 1], ref):
        right -= 1
    if (top, bottom, left, right) == (0, h, 0, w):
        return pixels
    return np.ascontiguousarray(pixels[top:bottom, left:right])


def _flat_runs(lines: np.ndarray[Any, Any]) -> list[tuple[int, int]]:
    """Maximal runs of non-flat lines (picture content between background or padding)."""
    flat = lines.std(axis=1) <= FLAT_STD
    runs: list[tuple[int, int]] = []
    start: int | None = None
    for i, is_flat in enumerate(flat):
        if not is_flat and start is None:
            start = i
        elif is_flat and start is not None:
            runs.append((start, i))
            start = None
    if start is not None:
        runs.append((start, len(flat)))
    return runs


def _edge_cuts(lines: np.ndarray[Any, Any]) -> list[int]:
    """Lines of discontinuity: the step across them is large over most of their length, or
    much larger than the steps around them (tile edges in a collage, bar edges)."""
    n = lines.shape[0]
    if n < 2:
        return [0, n]
    steps = np.abs(np.diff(lines, axis=0))
    mean_step = steps.mean(axis=1)
    coverage = (steps > EDGE_STRENGTH).mean(axis=1)
    cuts = [0]
    for i, m in enumerate(mean_step):
        if m < EDGE_STRENGTH:
            continue
        lo, hi = max(0, i - 8), min(len(mean_step), i + 9)
        neighbours = np.concatenate([mean_step[lo:i], mean_step[i + 1 : hi]])
        around = float(np.median(neighbours)) if neighbours.size else 0.0
        if coverage[i] >= EDGE_COVERAGE or m >= DISCONTINUITY * max(around, 1.0):
            pos = i + 1
            if pos - cuts[-1] >= MIN_REGION_SIDE and n - pos >= MIN_REGION_SIDE:
                cuts.append(pos)
    cuts.append(n)
    return cuts


def content_regions(pixels: Pixels) -> list[tuple[str, Pixels]]:
    """Candidate picture rectangles inside a screenshot, captioned image or collage.

    Blocks are maximal runs of non-flat rows (then columns) — what lies between status bars,
    caption boxes and padding; inside each block, lines of discontinuity split collage
    tiles. Returns (name, pixels) pairs, largest first, excluding the whole image itself.
    """
    grey = _grey(pixels)
    h, w = grey.shape
    area = float(h * w)
    found: dict[tuple[int, int, int, int], str] = {}

    def consider(r0: int, r1: int, c0: int, c1: int, kind: str) -> None:
        ch, cw = r1 - r0, c1 - c0
        if ch < MIN_REGION_SIDE or cw < MIN_REGION_SIDE or ch * cw < MIN_REGION_SHARE * area:
            return
        if (ch, cw) == (h, w) or float(grey[r0:r1, c0:c1].std()) <= FLAT_STD:
            return
        found.setdefault((r0, r1, c0, c1), kind)

    for r0, r1 in _flat_runs(grey):
        for c0, c1 in _flat_runs(grey[r0:r1].T):
            consider(r0, r1, c0, c1, "block")
            block = grey[r0:r1, c0:c1]
            rows, cols = _edge_cuts(block), _edge_cuts(block.T)
            for a0, a1 in itertools.pairwise(rows):
                for b0, b1 in itertools.pairwise(cols):
                    consider(r0 + a0, r0 + a1, c0 + b0, c0 + b1, "tile")
    ordered = sorted(found.items(), key=lambda kv: -(kv[0][1] - kv[0][0]) * (kv[0][3] - kv[0][2]))
    out: list[tuple[str, Pixels]] = []
    trimmed = trim_borders(pixels)
    if trimmed.shape != pixels.shape:
        out.append(("trimmed", trimmed))
    for (r0, r1, c0, c1), kind in ordered[:MAX_REGIONS]:
        out.append(
            (f"{kind} {c0},{r0} {c1 - c0}x{r1 - r0}", np.ascontiguousarray(pixels[r0:r1, c0:c1]))
        )
    return out


def central_crops(
    pixels: Pixels, shares: tuple[float, ...] = CENTRAL_CROPS
) -> list[tuple[str, Pixels]]:
    """Centred crops of an original (and the original without uniform borders), for suspects
    that were cropped, or whose borders were trimmed, before re-posting."""
    h, w = pixels.shape[:2]
    out = []
    trimmed = trim_borders(pixels)
    if trimmed.shape != pixels.shape:
        out.append(("trimmed", trimmed))
    for share in shares:
        ch, cw = round(h * share), round(w * share)
        top, left = (h - ch) // 2, (w - cw) // 2
        out.append(
            (
                f"center-crop {share * 100:g}%",
                np.ascontiguousarray(pixels[top : top + ch, left : left + cw]),
            )
        )
    return out
