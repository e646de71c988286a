"""Where a re-posted image really is inside a suspect file, and crops of originals.

Plain PDQ fails on what re-posting does: borders and letterboxing, phone screenshots (status
and navigation bars), caption bars, collages. We find the rectangle(s) that hold the picture
and hash those too. The distance threshold never changes; we only hash better-chosen pixels.

* Border trimming: rows/columns at the edges that are one exact colour and end at a hard
  edge (letterboxing, padding) are removed.
* UI bands: status and navigation bars, caption boxes and padding are peeled from each
  side, but only with evidence (text or icons on one exact colour, a strip of one exact
  colour without drift, or a hard edge spanning the width): a sky, haze or dark edge of the
  photo itself is never cut for being smooth. The un-cut image is always hashed as well.
* Band splitting: a row (column) where the picture changes sharply across almost the whole
  width (height), or a flat gutter with hard edges on both sides, is a boundary between
  collage tiles; the cells between such boundaries are candidate regions.
* Originals get hashes of central crops as well, so a suspect that is a centred crop of an
  original still matches.
"""

from __future__ import annotations

import itertools
from typing import Any

import cv2
import numpy as np

Pixels = np.ndarray[Any, np.dtype[np.uint8]]

BORDER_TOLERANCE = 12.0  # kept for callers of trim_borders; the strip rule decides
EDGE_STRENGTH = 24.0  # per-pixel step (0-255) that counts as an edge
EDGE_COVERAGE = 0.85  # share of the row/column that must step for a full-length boundary
FLAT_STD = 6.0  # a candidate region this even is blank, not a picture
BAND_TOLERANCE = 12  # colour step (0-255, largest channel) still "the band's colour"
BAND_LINE_SHARE = 0.6  # share of a line in the band's colour (the rest: text, icons)
BAND_TEXT_SHARE = 0.25  # a denser line inside a band (a line of text) still has this much
BAND_TEXT_LINES = 6  # and at most this many such lines follow one another
STRIP_TOLERANCE = 8  # a strip line: STRIP_SHARE of it within this of the band's colour
STRIP_SHARE = 0.97
BAND_DRIFT = 5.0  # UI colours are flat: strip lines keep the band's colour within this
MARK_CONTRAST = 64  # a text/icon pixel differs from the band by more than this
MARK_SHARE = 0.004  # share of a line that must be marks for the line to carry text
DISCONTINUITY = 3.0  # step this many times the local median step marks a tile edge
#: A gutter's edges: tiles beside each other can both be light at the edge, so half the
#: length stepping is enough (the gutter itself must be one exact colour throughout).
GUTTER_EDGE_COVERAGE = 0.5
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


def _padding(colour: np.ndarray[Any, Any]) -> tuple[int, int, int, int]:
    """(top, bottom, left, right) of ``colour`` (int16 RGB) without padding borders."""
    h, w = colour.shape[:2]
    top = _strip_run(colour)
    bottom = h - _strip_run(colour[::-1])
    if bottom - top < 8:
        return 0, h, 0, w
    cols = colour[top:bottom].transpose(1, 0, 2)
    left = _strip_run(cols)
    right = w - _strip_run(cols[::-1])
    if right - left < 8:
        return 0, h, 0, w
    return top, bottom, left, right


def trim_borders(pixels: Pixels, tolerance: float = BORDER_TOLERANCE) -> Pixels:
    """Remove padding borders (letterboxing, pillarboxing); returns the input if none.

    A border is lines of one exact colour at an edge that end at a hard edge: a smooth sky,
    haze or dark vignette at the edge of the photo itself is kept. ``tolerance`` is kept
    for callers; the strip rule (STRIP_TOLERANCE) decides.
    """
    del tolerance
    h, w = pixels.shape[:2]
    if h < 16 or w < 16:
        return pixels
    colour = (pixels if pixels.ndim == 3 else np.dstack([pixels] * 3)).astype(np.int16)
    top, bottom, left, right = _padding(colour)
    if (top, bottom, left, right) == (0, h, 0, w):
        return pixels
    return np.ascontiguousarray(pixels[top:bottom, left:right])


_CHUNK = 32


def _diff(lines: np.ndarray[Any, Any], colour: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """Largest channel difference of every pixel from ``colour`` (int16 lines)."""
    out: np.ndarray[Any, Any] = np.abs(lines - colour.astype(np.int16)).max(axis=-1)
    return out


def _run_length(lines: np.ndarray[Any, Any], colour: np.ndarray[Any, Any]) -> int:
    """Lines from the start that belong to a band of ``colour``: mostly (BAND_LINE_SHARE)
    that colour, or a short dense stretch (a line of text) between such lines."""
    n = lines.shape[0]
    end = 0
    weak = 0
    for at in range(0, n, _CHUNK):
        inside = (_diff(lines[at : at + _CHUNK], colour) <= BAND_TOLERANCE).mean(axis=1)
        for k, share in enumerate(inside.tolist()):
            if share >= BAND_LINE_SHARE:
                end, weak = at + k + 1, 0
            elif share >= BAND_TEXT_SHARE and weak < BAND_TEXT_LINES:
                weak += 1
            else:
                return end
    return end


def _line_colours(lines: np.ndarray[Any, Any]) -> tuple[Any, Any]:
    """Median colour of each line and whether the line is a strip (one exact colour)."""
    med = np.median(lines, axis=1).round().astype(np.int16)
    near = np.abs(lines - med[:, None, :]).max(axis=2) <= STRIP_TOLERANCE
    return med, near.mean(axis=1) >= STRIP_SHARE


def _hard_edge(line: np.ndarray[Any, Any], colour: np.ndarray[Any, Any], cover: float) -> bool:
    """Whether ``line`` differs from ``colour`` by an edge step over ``cover`` of its length."""
    return float((_diff(line, colour) > EDGE_STRENGTH).mean()) >= cover


def _band_end(lines: np.ndarray[Any, Any], pos: int) -> tuple[int, bool]:
    """How far a band starting at line ``pos`` reaches, and whether it is a UI band.

    ``lines`` is (n, length, 3) int16 colour. A band is the run of lines from ``pos`` whose
    pixels are mostly (BAND_LINE_SHARE) the colour of line ``pos`` (with short denser
    stretches: lines of text); it counts as a UI bar, caption box or padding only with
    evidence, never for low variance alone:

    * text or icons on it: strip lines (one exact colour) and lines carrying high-contrast
      marks, or
    * a hard edge spanning the length where a band of mostly strip lines meets the next
      line.

    The band must not drift: each of its lines that is mostly the band's colour is mostly
    exactly that colour (within BAND_DRIFT). UI colours are flat, while a sky, haze or a
    dark vignette drifts from line to line.
    """
    n = lines.shape[0]
    colour = np.median(lines[pos], axis=0).round()
    end = pos + _run_length(lines[pos:], colour)
    if end == pos:
        return pos, False
    part = _diff(lines[pos:end], colour)
    strip = (part <= STRIP_TOLERANCE).mean(axis=1) >= STRIP_SHARE
    if not strip.any():
        return end, False
    # No drift: every line that is mostly the band's colour is mostly exactly that colour
    # (lines of text are denser and are left out of this check).
    mostly = (part <= BAND_TOLERANCE).mean(axis=1) >= BAND_LINE_SHARE
    exact = (part <= BAND_DRIFT).mean(axis=1) >= 0.5
    if int((mostly & ~exact).sum()) > max(2, (end - pos) // 10):  # 2: blended edge lines
        return end, False
    marked = (part > MARK_CONTRAST).mean(axis=1) >= MARK_SHARE
    with_text = int(marked.sum()) >= 2
    edge = end < n and strip.mean() >= 0.5 and _hard_edge(lines[end], colour, EDGE_COVERAGE)
    return end, with_text or edge


def _peel(lines: np.ndarray[Any, Any]) -> int:
    """Lines at the start of ``lines`` that are UI bands (with evidence), band after band."""
    n = lines.shape[0]
    pos = 0
    while pos < n - MIN_REGION_SIDE:
        end, is_band = _band_end(lines, pos)
        if not is_band:
            break
        pos = end
    return pos


def _content_span(lines: np.ndarray[Any, Any]) -> tuple[int, int]:
    """(start, end) of the lines between evidenced UI bands at both ends."""
    start = _peel(lines)
    if start >= lines.shape[0] - MIN_REGION_SIDE:
        return 0, lines.shape[0]
    end = lines.shape[0] - _peel(lines[::-1])
    if end - start < MIN_REGION_SIDE:
        return 0, lines.shape[0]
    return start, end


def _gutters(lines: np.ndarray[Any, Any]) -> list[tuple[int, int]]:
    """Runs of lines between flat gutters inside a block (collage gutters, padding between
    posts): only runs of strip lines of one colour with a hard edge on both sides split."""
    n = lines.shape[0]
    if n < 3:
        return []
    med, strip = _line_colours(lines)
    runs: list[tuple[int, int]] = []
    start = 0
    pos = 1
    while pos < n - 1:
        if not strip[pos]:
            pos += 1
            continue
        colour = med[pos]
        end = pos + 1
        while end < n and strip[end] and float(np.abs(med[end] - colour).max()) <= BAND_DRIFT:
            end += 1
        if (
            end < n
            and _hard_edge(lines[pos - 1], colour, GUTTER_EDGE_COVERAGE)
            and _hard_edge(lines[end], colour, GUTTER_EDGE_COVERAGE)
        ):
            if pos - start >= MIN_REGION_SIDE:
                runs.append((start, pos))
            start = end
        pos = end
    if runs and n - start >= MIN_REGION_SIDE:
        runs.append((start, n))
    return runs


def _strip_run(lines: np.ndarray[Any, Any]) -> int:
    """Lines at the start that are padding: strips of the first line's colour (no drift)
    ending at a hard edge over half the length; 0 if there is no such padding."""
    n = int(lines.shape[0])
    if n < 10:
        return 0
    colour = np.median(lines[0], axis=0).round()
    end = n
    for at in range(0, n, _CHUNK):
        near = (_diff(lines[at : at + _CHUNK], colour) <= STRIP_TOLERANCE).mean(axis=1)
        stop = np.flatnonzero(near < STRIP_SHARE)
        if stop.size:
            end = at + int(stop[0])
            break
    if end == 0 or end > n - 8:
        return 0
    # JPEG ringing blurs the last line or two of a border: look just past them for the edge.
    for at in range(end, min(end + 3, n)):
        if _hard_edge(lines[at], colour, 0.5):
            return end
    return 0


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


def content_regions(pixels: Pixels, source: Pixels | None = None) -> list[tuple[str, Pixels]]:
    """Candidate picture rectangles inside a screenshot, captioned image or collage.

    The block is what lies between UI bands (status and navigation bars, caption boxes,
    padding) peeled from each side, each band cut only with evidence of UI (see
    :func:`_band_end`): a near-uniform sky, haze or dark edge is never cut for its low
    variance alone. Inside the block, flat gutters with hard edges on both sides and lines
    of discontinuity split collage tiles. Returns (name, pixels) pairs, largest first,
    excluding the whole image itself (which is always hashed too: the un-cut candidate).

    ``source``: the same picture at a higher resolution (``pixels`` is then a reduced copy
    to search in); the regions are cut from it, so a small picture inside a tall screenshot
    keeps its detail. Names give the rectangle in ``pixels``.
    """
    grey = _grey(pixels)
    colour = (pixels if pixels.ndim == 3 else np.dstack([pixels] * 3)).astype(np.int16)
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

    if h >= 2 * MIN_REGION_SIDE and w >= 2 * MIN_REGION_SIDE:
        r0, r1 = _content_span(colour)
        c0, c1 = _content_span(colour[r0:r1].transpose(1, 0, 2))
        consider(r0, r1, c0, c1, "block")
        row_runs = _gutters(colour[r0:r1, c0:c1]) or [(0, r1 - r0)]
        for b_r0, b_r1, b_c0, b_c1 in [(r0 + a0, r0 + a1, c0, c1) for a0, a1 in row_runs]:
            consider(b_r0, b_r1, b_c0, b_c1, "block")
            cols = _gutters(colour[b_r0:b_r1, b_c0:b_c1].transpose(1, 0, 2))
            for d0, d1 in cols or [(0, b_c1 - b_c0)]:
                consider(b_r0, b_r1, b_c0 + d0, b_c0 + d1, "block")
                block = grey[b_r0:b_r1, b_c0 + d0 : b_c0 + d1]
                rows, cuts = _edge_cuts(block), _edge_cuts(block.T)
                for a0, a1 in itertools.pairwise(rows):
                    for e0, e1 in itertools.pairwise(cuts):
                        r0_, c0_ = b_r0 + a0, b_c0 + d0 + e0
                        consider(r0_, b_r0 + a1, c0_, b_c0 + d0 + e1, "tile")
                        # A cut beside a gutter leaves the gutter on the tile: trim it.
                        t0, t1, u0, u1 = _padding(colour[r0_ : b_r0 + a1, c0_ : b_c0 + d0 + e1])
                        consider(r0_ + t0, r0_ + t1, c0_ + u0, c0_ + u1, "tile")
    ordered = sorted(found.items(), key=lambda kv: -(kv[0][1] - kv[0][0]) * (kv[0][3] - kv[0][2]))
    src = pixels if source is None else source
    sy, sx = src.shape[0] / h, src.shape[1] / w

    def cut(r0: int, r1: int, c0: int, c1: int) -> Pixels:
        rows = slice(round(r0 * sy), round(r1 * sy))
        return np.ascontiguousarray(src[rows, round(c0 * sx) : round(c1 * sx)])

    out: list[tuple[str, Pixels]] = []
    if h >= 16 and w >= 16:
        pad = _padding(colour)
        if pad != (0, h, 0, w):
            out.append(("trimmed", cut(*pad)))
    for (r0, r1, c0, c1), kind in ordered[:MAX_REGIONS]:
        out.append((f"{kind} {c0},{r0} {c1 - c0}x{r1 - r0}", cut(r0, r1, c0, c1)))
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
        if ch < 1 or cw < 1:
            continue  # a picture of a few pixels has no such crop
        top, left = (h - ch) // 2, (w - cw) // 2
        out.append(
            (
                f"center-crop {share * 100:g}%",
                np.ascontiguousarray(pixels[top : top + ch, left : left + cw]),
            )
        )
    return out
