"""Video frames hashed as robustly as stills, and the rule that says when two videos match.

A re-posted video is mirrored, letterboxed (black or coloured bars added to fit another
aspect ratio) or cropped as often as a re-posted picture. Each sampled frame (one per
second) is hashed as before, and also:

* originals: the frame mirrored and its centred crops (95 % to 75 %, every 5 %), and the
  frame without the video's letterbox bars when it has some;
* suspects (and ``scan``): the frame mirrored, and the frame without the video's letterbox
  bars (and that mirrored) when it has some.

Letterbox bars are found over the whole video, not frame by frame: a row (column) at the edge
is a bar only when it is one flat colour in *every* sampled frame and that colour does not
drift over time, or when it is a blurred fill (no sharp step anywhere along it) in every
sampled frame, on both sides, as apps put beside portrait videos. A sky or a dark corner is
flat or smooth in some frames, or on one side only, and moves or changes with the scene; a
bar the editor added never does. The un-cut frame is always hashed too, so a wrong cut can
only add a candidate, never lose one.

Two videos match when enough of their sampled frames match in the same time order
(:func:`frame_rule`): at least ``ceil(FRAME_SHARE x n)`` and at least ``min(MIN_FRAMES, n)``
frames, where ``n`` is the number of sampled frames of the shorter video, on a chain whose
times increase in both videos. A clip, a slowed copy or a copy at another frame rate keeps
the order; unrelated videos that share a frame or two by chance do not reach the count.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

Pixels = np.ndarray[Any, np.dtype[np.uint8]]

#: Per-frame spread (grey levels, standard deviation along the row) of a flat bar row.
BAR_FLAT_STD = 6.0
#: How far a bar's mean colour may drift between sampled frames (codec noise only).
BAR_DRIFT = 8.0
#: Largest mean step between neighbouring pixels (grey levels, over a row or column, in its
#: sharpest sampled frame) of a blurred fill: the blown-up, blurred copy of the video that
#: apps put beside a portrait video instead of black bars (measured on H.264 copies: 1.6-3.3
#: for fills blurred with sigma 12-15 at the 512-pixel working size, 6.8 and up for the edge
#: columns of the generated scenes' photos).
SOFT_FILL_STEP = 4.0
#: A bar thinner than this share of the side (or 2 pixels) is not cut.
MIN_BAR_SHARE = 0.02
#: What is left after cutting the bars must keep at least this share of each side.
MIN_CONTENT_SHARE = 0.4
#: Sampled frames needed before bars are believed (one frame cannot tell a bar from a sky).
MIN_FRAMES_FOR_BARS = 2
#: Centred crops of an original's frames, every 5 %: a crop half-way between two steps
#: (2.5 % off) stays within the threshold, 5 % off does not (measured: an 85 % crop is 42
#: from both the 90 % and the 80 % crop of the generated scenes).
ORIGINAL_FRAME_CROPS = (0.95, 0.9, 0.85, 0.8, 0.75)
#: Share of the shorter video's sampled frames that must match, in time order.
FRAME_SHARE = 0.5
#: Frames that must match in order at least (fewer only when the shorter video is shorter).
MIN_FRAMES = 2
#: Matched frame pairs listed in a match's details (the count is always given in full).
MAX_LISTED_FRAMES = 100


def _grey(pixels: Pixels) -> np.ndarray[Any, np.dtype[np.float32]]:
    if pixels.ndim == 2:
        return pixels.astype(np.float32)
    weights = np.asarray([0.299, 0.587, 0.114], np.float32)
    grey: np.ndarray[Any, np.dtype[np.float32]] = pixels[..., :3].astype(np.float32) @ weights
    return grey


@dataclass(frozen=True)
class Box:
    """The picture inside a letterboxed video: rows top..bottom, columns left..right."""

    top: int
    bottom: int
    left: int
    right: int

    def crop(self, pixels: Pixels) -> Pixels | None:
        """The frame without its bars; None when the frame is not the size the box is for."""
        h, w = pixels.shape[:2]
        if self.bottom > h or self.right > w:
            return None
        return np.ascontiguousarray(pixels[self.top : self.bottom, self.left : self.right])


class LetterboxFinder:
    """Collects, frame by frame, which edge rows and columns are flat and steady; then
    :meth:`box` says where the picture is. Memory: a few numbers per row and column."""

    def __init__(self) -> None:
        self.frames = 0
        self._shape: tuple[int, int] | None = None
        self._mixed = False  # frames of different sizes: no bars are believed
        self._lines: dict[str, tuple[Any, Any, Any, Any]] = {}

    def add(self, pixels: Pixels) -> None:
        grey = _grey(pixels)
        shape = (int(grey.shape[0]), int(grey.shape[1]))
        if self._shape is None:
            self._shape = shape
        elif shape != self._shape:
            self._mixed = True
            return
        self.frames += 1
        steps = np.zeros_like(grey)
        steps[:, 1:] += np.abs(np.diff(grey, axis=1))
        steps[1:, :] += np.abs(np.diff(grey, axis=0))
        for axis, name in ((1, "rows"), (0, "cols")):
            flat = grey.std(axis=axis) <= BAR_FLAT_STD
            mean = grey.mean(axis=axis)
            sharp = steps.mean(axis=axis)
            if name not in self._lines:
                self._lines[name] = (flat, mean.copy(), mean.copy(), sharp)
            else:
                was_flat, low, high, was_sharp = self._lines[name]
                self._lines[name] = (
                    was_flat & flat,
                    np.minimum(low, mean),
                    np.maximum(high, mean),
                    np.maximum(was_sharp, sharp),
                )

    def _edges(self, name: str, size: int) -> tuple[int, int]:
        flat, low, high, sharp = self._lines[name]
        least = max(2, math.ceil(MIN_BAR_SHARE * size))
        head, tail = _runs(flat & ((high - low) <= BAR_DRIFT), least)
        # A blurred fill counts only in a centred pair (apps centre the video between two
        # fills): a smooth sky at the top alone is not cut.
        soft_head, soft_tail = _runs(sharp <= SOFT_FILL_STEP, least)
        if (
            soft_head
            and soft_tail
            and abs(soft_head - soft_tail) <= least
            and soft_head + soft_tail > head + tail
        ):
            head, tail = soft_head, soft_tail
        if size - head - tail < MIN_CONTENT_SHARE * size:
            return 0, 0
        return head, tail

    def box(self) -> Box | None:
        """Where the picture is, or None when the video has no bars (or too few frames)."""
        if self._shape is None or self._mixed or self.frames < MIN_FRAMES_FOR_BARS:
            return None
        h, w = self._shape
        top, bottom = self._edges("rows", h)
        left, right = self._edges("cols", w)
        if top == bottom == left == right == 0:
            return None
        return Box(top, h - bottom, left, w - right)


def _runs(bar: Any, least: int) -> tuple[int, int]:
    """Lines that are bars at the start and at the end (0 for a run under ``least``)."""
    size = len(bar)
    head = size if bar.all() else int(np.argmin(bar))
    tail = size if bar.all() else int(np.argmin(bar[::-1]))
    return (head if head >= least else 0), (tail if tail >= least else 0)


def frame_variants(pixels: Pixels, role: str) -> list[tuple[str, Pixels]]:
    """The extra views of one sampled frame a ``role`` hashes (not the frame itself)."""
    if role == "plain":
        return []
    out: list[tuple[str, Pixels]] = [("frame mirror", np.ascontiguousarray(pixels[:, ::-1]))]
    if role in ("original", "original-hashes"):
        h, w = pixels.shape[:2]
        for share in ORIGINAL_FRAME_CROPS:
            ch, cw = round(h * share), round(w * share)
            top, left = (h - ch) // 2, (w - cw) // 2
            crop = np.ascontiguousarray(pixels[top : top + ch, left : left + cw])
            out.append((f"frame center-crop {share * 100:g}%", crop))
    return out


def trimmed_variants(pixels: Pixels, box: Box, role: str) -> list[tuple[str, Pixels]]:
    """The frame without the video's letterbox bars (suspects: that mirrored as well)."""
    if role == "plain":
        return []
    inner = box.crop(pixels)
    if inner is None:
        return []
    out: list[tuple[str, Pixels]] = [("frame trimmed", inner)]
    if role in ("suspect", "scan"):
        out.append(("frame trimmed mirror", np.ascontiguousarray(inner[:, ::-1])))
    return out


# --- when two videos match -------------------------------------------------------------------


@dataclass
class FrameVerdict:
    """How two videos' sampled frames compare.

    ``chain`` holds (suspect ms, target ms, distance) for the frames that match in time
    order; the videos match when ``len(chain) >= required``.
    """

    suspect_frames: int
    target_frames: int
    required: int
    suspect_share: float
    target_share: float
    best: int
    chain: list[tuple[int, int, int]] = field(default_factory=list)

    @property
    def matched(self) -> bool:
        return self.required > 0 and len(self.chain) >= self.required

    def details(self) -> dict[str, Any]:
        """What a match record says about the frames (shares, counts, the frames)."""
        return {
            "suspect_frames_matched": round(self.suspect_share, 4),
            "target_frames_matched": round(self.target_share, 4),
            "frames": [self.suspect_frames, self.target_frames],
            "frame_share_threshold": FRAME_SHARE,
            "frames_in_order": len(self.chain),
            "frames_required": self.required,
            "matched_frames": [
                {"suspect_ms": s, "target_ms": t, "distance": d}
                for s, t, d in self.chain[:MAX_LISTED_FRAMES]
            ],
        }


def required_frames(suspect_frames: int, target_frames: int) -> int:
    """Frames that must match in order for two videos of these many sampled frames."""
    shorter = min(suspect_frames, target_frames)
    if shorter <= 0:
        return 0
    return max(min(MIN_FRAMES, shorter), math.ceil(FRAME_SHARE * shorter))


def frame_rule(
    suspect_ms: list[int], target_ms: list[int], distances: Any, threshold: int
) -> FrameVerdict:
    """Compare two videos from the distances between their frame hashes.

    ``distances[i, j]`` is the distance between the suspect's hash ``i`` (of the frame at
    ``suspect_ms[i]``) and the target's hash ``j`` (at ``target_ms[j]``); a frame may have
    several hashes (its variants): two frames match when any pair of their hashes is within
    ``threshold``.
    """
    s_keys = sorted(set(suspect_ms))
    t_keys = sorted(set(target_ms))
    by_frame = np.full((len(s_keys), len(t_keys)), _FAR, np.int32)
    if s_keys and t_keys:
        s_at = np.searchsorted(s_keys, suspect_ms)
        t_at = np.searchsorted(t_keys, target_ms)
        d = np.asarray(distances, np.int32)
        np.minimum.at(by_frame, (s_at[:, None], t_at[None, :]), d)
    return _verdict(by_frame, s_keys, t_keys, threshold)


def frame_rule_for(
    suspect: list[tuple[str, int]], target: list[tuple[str, int]], threshold: int
) -> FrameVerdict:
    """:func:`frame_rule` from (hex PDQ, frame ms) pairs, with bounded memory: distances are
    reduced to one per pair of frames block by block, so two long videos with every frame's
    variants never need the full hash-by-hash table."""
    from ncii_desk.hashing.index import hex_to_rows

    s_keys = sorted({t for _, t in suspect})
    t_keys = sorted({t for _, t in target})
    by_frame = np.full((len(s_keys), len(t_keys)), _FAR, np.int32)
    if not s_keys or not t_keys:
        return _verdict(by_frame, s_keys, t_keys, threshold)
    a = hex_to_rows([v for v, _ in suspect], 256)
    b = hex_to_rows([v for v, _ in target], 256)
    s_at = np.searchsorted(s_keys, [t for _, t in suspect])
    t_at = np.searchsorted(t_keys, [t for _, t in target])
    step = max(1, _BLOCK_BYTES // max(1, b.size))
    for r0 in range(0, len(a), step):
        x = np.bitwise_xor(a[r0 : r0 + step, None, :], b[None, :, :])
        d = np.bitwise_count(x).sum(axis=2, dtype=np.int32)
        np.minimum.at(by_frame, (s_at[r0 : r0 + step, None], t_at[None, :]), d)
    return _verdict(by_frame, s_keys, t_keys, threshold)


#: Distance of frames that have no hash pair at all (above any threshold).
_FAR = 1 << 20
#: Largest XOR block frame_rule_for makes at once.
_BLOCK_BYTES = 32 * 1024 * 1024


def _verdict(by_frame: Any, s_keys: list[int], t_keys: list[int], threshold: int) -> FrameVerdict:
    verdict = FrameVerdict(
        len(s_keys), len(t_keys), required_frames(len(s_keys), len(t_keys)), 0.0, 0.0, 0
    )
    if not s_keys or not t_keys:
        return verdict
    verdict.best = int(by_frame.min())
    close = by_frame <= threshold
    verdict.suspect_share = float(close.any(axis=1).mean())
    verdict.target_share = float(close.any(axis=0).mean())
    verdict.chain = _longest_chain(close, by_frame, s_keys, t_keys)
    return verdict


def _longest_chain(
    close: Any, by_frame: Any, s_keys: list[int], t_keys: list[int]
) -> list[tuple[int, int, int]]:
    """The longest run of matching frame pairs with suspect times strictly increasing and
    target times never going back (a slowed copy may show one target frame twice)."""
    rows, cols = close.shape
    length = np.zeros((rows, cols), np.int32)
    best_before = np.zeros(cols, np.int32)  # longest chain in earlier rows, column <= j
    for i in range(rows):
        row = np.where(close[i], best_before + 1, 0)
        length[i] = row
        best_before = np.maximum.accumulate(np.maximum(best_before, row))
    if not length.any():
        return []
    i, j = (int(x) for x in np.unravel_index(int(length.argmax()), length.shape))
    chain = [(s_keys[i], t_keys[j], int(by_frame[i, j]))]
    want = int(length[i, j]) - 1
    while want > 0:
        found = False
        for pi in range(i - 1, -1, -1):
            hits = np.flatnonzero(length[pi, : j + 1] == want)
            if hits.size:
                i, j = pi, int(hits[-1])
                chain.append((s_keys[i], t_keys[j], int(by_frame[i, j])))
                want -= 1
                found = True
                break
        if not found:  # cannot happen: every length was built from a shorter one before it
            break
    chain.reverse()
    return chain
