"""Exact Hamming-radius search over large lists of perceptual hashes (PDQ and pHash).

Advocates match the hashes of a victim's images against hash lists of millions of entries,
offline, on ordinary two-core laptops. Every match within the threshold must be found (a missed
match is a missed re-post), so this module is *exact*: it returns precisely what comparing each
query with every stored hash would return, only faster.

Design (see shared/design/MATCHING.md, "Search at scale"):

* Hashes are kept as rows of 64-bit words (a PDQ hash is four words, a pHash one), so that a
  Hamming distance is an XOR plus a popcount (``np.bitwise_count``), all vectorised.
* Multi-index hashing (MIH, Norouzi et al.): the bits are split into ``m`` blocks of 8-22 bits
  and, for every block, the entry numbers are sorted by the block's value with an offsets
  table, so the entries whose block equals a given value are one contiguous slice. If two
  hashes are within distance ``r`` and every block ``b`` is given a probe radius ``t_b`` with
  ``sum(t_b + 1) == r + 1``, some block differs by at most ``t_b`` (pigeonhole: otherwise the
  distance would be at least ``sum(t_b + 1) > r``). So probing, per block, every value within
  ``t_b`` of the query's block and verifying those candidates with the full distance finds every
  match. ``t_b = -1`` skips a block, which is what makes small radii cheap.
* Choosing the ``t_b``: a cost model (probes x probe cost + candidates x candidate cost, both
  measured) plans them per search from the expected bucket sizes. On skewed data (biased or
  correlated bits, clusters of near-duplicates: measured at build time) each query then picks
  its own ``t_b`` from the exact sizes of its buckets, which pass 1 reads before any candidate
  is touched: a query whose block value is common narrows or skips that block and widens
  others. Any choice with ``sum(t_b + 1) == r + 1`` is exact, so this only changes the cost.
* Vectorised popcount brute force is used where it is cheaper: small lists, large radii, and
  single queries whose candidate count is so large (a query landing in huge buckets, as with
  clustered real-world data) that scanning everything costs less. The decision is per search
  and then per query, from those exact counts, so the worst case is bounded by the brute-force
  cost rather than by the largest bucket.
* Queries are processed in blocks sized so that the probe and candidate arrays stay around a
  few MiB, candidates are generated with ``np.repeat``/``cumsum`` (never a Python loop per
  candidate), and blocks are spread over a thread pool (numpy releases the GIL in gathers and
  ufuncs) to use both cores.
* Memory: raw hashes plus one ``uint32`` entry array per block plus the offsets tables. For 10
  million PDQ hashes that is 320 MB + 12 x 40 MB + 128 MB (or 16 x 40 MB + 4 MB), under 1 GiB.
  Tables are (re)built lazily on the first search after ``add`` (a few seconds for 10 million
  hashes: sorting packed ``key << 32 | entry`` words is fast), and a small tail of recently
  added hashes is brute-forced instead of triggering a rebuild.
* Persistence stores the hashes with a header and a CRC-32 (version 1), and optionally the
  tables of the multi-index after them (version 2, bucket offsets and entry numbers under
  their own CRC-32): loading those skips the sorts (3-5 s for 10 million hashes, far more on
  a busy laptop) and keeps views of the loaded bytes (no copy). A foreign or damaged blob is
  refused with a clear ``ValueError``.
"""

from __future__ import annotations

import heapq
import itertools
import math
import os
import struct
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, BinaryIO, Final, Literal, TypeVar

import numpy as np
import numpy.typing as npt

__all__ = [
    "SUPPORTED_BITS",
    "HashIndex",
    "SearchResult",
    "SearchStats",
    "brute_force_search",
    "hex_to_rows",
    "rows_to_hex",
]

SUPPORTED_BITS: Final = (64, 256)
"""pHash (64-bit) and PDQ (256-bit) are the hash sizes the app produces."""

U8Array = npt.NDArray[np.uint8]
U32Array = npt.NDArray[np.uint32]
U64Array = npt.NDArray[np.uint64]
I64Array = npt.NDArray[np.int64]
I16Array = npt.NDArray[np.int16]
IntpArray = npt.NDArray[np.intp]

SearchMethod = Literal["auto", "mih", "brute"]

_T = TypeVar("_T")
_R = TypeVar("_R")

# --- Cost model (nanoseconds on one core, measured on the 2-core AMD EPYC VM of
# bench/results/match_throughput.md; only the ratios matter). A probe is one bucket look-up
# (offset gathers, counts, cumsum bookkeeping); a candidate is one entry gathered from a bucket
# and verified (a random 32-byte row gather dominates); a pair is one stored hash compared in
# the tiled brute force.
_NS_PER_PROBE: Final = 20.0
_NS_PER_CANDIDATE: Final = 18.0
_NS_PER_PAIR: Final = {64: 0.8, 256: 2.6}
_NS_PER_SEARCH_OVERHEAD: Final = 2.0e5  # fixed cost of a multi-index search (calls, threads)

_SKEW_FOR_PER_QUERY_RADII: Final = 2.0  # bucket-size skew from which per-query radii pay
_MIN_ROWS_FOR_TABLES: Final = 4096  # below this brute force is always cheaper
_TAIL_MAX_ROWS: Final = 8192  # hashes added after a build are brute-forced up to this many
_MAX_BLOCK_BITS: Final = 22  # offsets table of 2**22 + 1 uint32 = 16 MiB
_MAX_ENTRIES: Final = 2**32 - 2  # entry numbers live in uint32 tables
_PROBE_BUDGET: Final = 1 << 18  # probes per query block: keeps probe arrays ~ 4 MiB
_CANDIDATE_CHUNK: Final = 1 << 14  # candidates verified per step: 512 KiB of PDQ rows (L2)
_BRUTE_TILE_ROWS: Final = 4096  # stored rows per brute-force tile (128 KiB of PDQ hashes)
_BRUTE_QUERY_GROUP: Final = 8  # queries compared with one tile at a time
_BRUTE_CHUNK_ROWS: Final = 1 << 20  # stored rows per brute-force work item (thread task)
_DEFAULT_DESIGN_RADIUS: Final = {64: 10, 256: 31}  # usual pHash / PDQ match thresholds

_MAGIC: Final = b"NCIIHIX\x00"
_FORMAT_VERSION: Final = 1  # rows only
_FORMAT_VERSION_TABLES: Final = 2  # rows, then the entry tables of the multi-index
_FLAG_TABLES: Final = 1
_HEADER: Final = struct.Struct("<8sHHIQI4x")  # magic, version, bits, flags, count, crc32
#: b"MIHT", block count, rows in the tables, CRC-32 of the tables, largest bucket skew
_TABLES_HEADER: Final = struct.Struct("<4sIIId")
_TABLES_MAGIC: Final = b"MIHT"
_SPOT_CHECKS: Final = 4096  # stored entries checked against their bucket, per block, on load


# --------------------------------------------------------------------------------- results


@dataclass(frozen=True)
class SearchResult:
    """All (query, entry) pairs within the radius, as three aligned arrays.

    Sorted by query, then distance, then entry, so the best matches of a query come first and
    the order is reproducible (the app shows and records it).
    """

    query_idx: I64Array
    entry_idx: I64Array
    distance: I16Array

    def __len__(self) -> int:
        return int(self.query_idx.shape[0])


@dataclass(frozen=True)
class SearchStats:
    """What the last search did, for the app's diagnostics and for the benchmark.

    ``method`` is ``"empty"``, ``"brute"``, ``"mih"`` or ``"mih+brute"`` (multi-index hashing
    with some queries, or the not-yet-indexed tail, brute-forced).
    """

    method: str
    queries: int
    entries: int
    radius: int
    blocks: int
    probe_radii: tuple[int, ...]
    candidates: int
    brute_queries: int
    seconds: float


def _empty_result() -> SearchResult:
    return SearchResult(
        np.empty(0, np.int64),
        np.empty(0, np.int64),
        np.empty(0, np.int16),
    )


def _sort_keys(
    q: I64Array, e: I64Array, d: npt.NDArray[Any], entries: int, bits: int
) -> tuple[I64Array, I64Array, I16Array] | None:
    """Sort (and de-duplicate) pairs by query, distance, entry through one int64 key.

    Sorting ``(q * (bits + 1) + d) * entries + e`` is one SIMD sort instead of a three-key
    lexsort (measured ~4x faster on millions of matches), and equal neighbours are the copies
    of a pair that several blocks found (same query, entry and distance), dropped here. None
    if the key could overflow, for the caller to fall back to lexsort.
    """
    if q.shape[0] == 0:
        return np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, np.int16)
    span = (int(q.max()) + 1) * (bits + 1) * max(1, entries)
    if span >= 1 << 62:
        return None
    key = q.astype(np.int64) * (bits + 1)
    key += d
    key *= max(1, entries)
    key += e
    # Sort, then drop repeats by hand: np.unique (numpy 2.3+) goes through a hash table first,
    # measured 7x slower than the SIMD sort on 21 M keys.
    key.sort()
    if key.shape[0] > 1:
        fresh = np.empty(key.shape[0], dtype=bool)
        fresh[0] = True
        np.not_equal(key[1:], key[:-1], out=fresh[1:])
        key = key[fresh]
    qd, e_out = np.divmod(key, max(1, entries))
    q_out, d_out = np.divmod(qd, bits + 1)
    return q_out, e_out, d_out.astype(np.int16)


def _sorted_result(
    parts: Iterable[tuple[I64Array, I64Array, npt.NDArray[Any]]],
    entries: int,
    bits: int,
    *,
    presorted: bool = False,
) -> SearchResult:
    """Concatenate (query, entry, distance) parts and sort by query, distance, entry.

    ``presorted``: the parts are each sorted and cover increasing query ranges, so
    concatenating them is enough.
    """
    qs: list[I64Array] = []
    es: list[I64Array] = []
    ds: list[npt.NDArray[Any]] = []
    for q, e, d in parts:
        if q.shape[0]:
            qs.append(q)
            es.append(e)
            ds.append(d)
    if not qs:
        return _empty_result()
    q_all = np.concatenate(qs).astype(np.int64, copy=False)
    e_all = np.concatenate(es).astype(np.int64, copy=False)
    d_all = np.concatenate(ds).astype(np.int16, copy=False)
    if presorted:
        return SearchResult(q_all, e_all, d_all)
    keyed = _sort_keys(q_all, e_all, d_all, entries, bits)
    if keyed is not None:
        return SearchResult(*keyed)
    order = np.lexsort((e_all, d_all, q_all))
    return SearchResult(q_all[order], e_all[order], d_all[order])


def _merge(main: SearchResult, extra: SearchResult, bits: int) -> SearchResult:
    """Insert the sorted ``extra`` pairs into the sorted ``main`` pairs, keeping the order.

    ``extra`` holds the brute-forced queries (absent from ``main``) and the tail entries (whose
    numbers exceed every entry in ``main``), so each extra pair goes right after the ``main``
    pairs of the same query and distance. One pass over ``main``, no re-sort of what may be
    millions of matches.
    """
    if len(extra) == 0:
        return main
    if len(main) == 0:
        return extra
    main_key = main.query_idx * (bits + 1) + main.distance
    extra_key = extra.query_idx * (bits + 1) + extra.distance
    at = np.searchsorted(main_key, extra_key, side="right")
    return SearchResult(
        np.insert(main.query_idx, at, extra.query_idx),
        np.insert(main.entry_idx, at, extra.entry_idx),
        np.insert(main.distance, at, extra.distance),
    )


# ---------------------------------------------------------------------------- validation


def _check_bits(bits: object) -> int:
    if isinstance(bits, bool) or not isinstance(bits, int | np.integer) or bits not in (64, 256):
        raise ValueError(f"bits must be 64 (pHash) or 256 (PDQ), got {bits!r}")
    return int(bits)


def _check_radius(radius: object, bits: int) -> int:
    if isinstance(radius, bool) or not isinstance(radius, int | np.integer):
        raise ValueError(f"radius must be an integer, got {type(radius).__name__}")
    r = int(radius)
    if not 0 <= r <= bits:
        raise ValueError(f"radius must be between 0 and {bits} for {bits}-bit hashes, got {r}")
    return r


def _rows_as_words(rows: object, bits: int, what: str) -> U64Array:
    """Validate an (N, bits // 8) uint8 array and view it as (N, bits // 64) uint64 words.

    The words are native-endian views of the big-endian hash bytes; that is harmless because a
    Hamming distance does not depend on bit order and both sides are converted the same way.
    """
    nbytes = bits // 8
    if not isinstance(rows, np.ndarray):
        raise ValueError(f"{what} must be a numpy array of shape (N, {nbytes}) and dtype uint8")
    if rows.dtype != np.uint8:
        raise ValueError(f"{what} must have dtype uint8 (hash bytes), got {rows.dtype}")
    if rows.ndim != 2 or rows.shape[1] != nbytes:
        raise ValueError(
            f"{what} must have shape (N, {nbytes}) for {bits}-bit hashes, got {rows.shape}"
        )
    contiguous = np.ascontiguousarray(rows)
    return contiguous.view(np.uint64).reshape(rows.shape[0], bits // 64)


def _infer_bits(rows: object, what: str) -> int:
    if not isinstance(rows, np.ndarray) or rows.ndim != 2:
        raise ValueError(f"{what} must be a 2-D uint8 numpy array of hash rows")
    width = int(rows.shape[1])
    if width * 8 not in SUPPORTED_BITS:
        raise ValueError(f"{what} rows must be 8 (pHash) or 32 (PDQ) bytes wide, got {width}")
    return width * 8


# ------------------------------------------------------------------------- hex helpers

_HEX_LUT: Final = np.full(256, 255, dtype=np.uint8)
for _i, _c in enumerate(b"0123456789abcdef"):
    _HEX_LUT[_c] = _i
for _i, _c in enumerate(b"ABCDEF", start=10):
    _HEX_LUT[_c] = _i


def hex_to_rows(hexes: Sequence[str], bits: int) -> U8Array:
    """Decode hex hashes (``bits // 4`` hex digits each) into an (N, bits // 8) uint8 array.

    Row ``i`` holds the bytes of ``hexes[i]`` in order (PDQ ``"f0..."`` has first byte 0xf0),
    the layout :class:`HashIndex` takes. Decoding is vectorised (hash lists have millions of
    lines); an invalid item is reported by its index so the user can find the bad line.
    """
    bits = _check_bits(bits)
    digits = bits // 4
    n = len(hexes)
    if n == 0:
        return np.empty((0, bits // 8), np.uint8)
    if isinstance(hexes, str | bytes):
        raise ValueError("hexes must be a sequence of hex strings, not a single string")
    try:
        joined = "".join(hexes)
    except TypeError:
        bad = next(i for i, h in enumerate(hexes) if not isinstance(h, str))
        raise ValueError(f"hash #{bad} is not a string: {type(hexes[bad]).__name__}") from None
    lengths = np.fromiter((len(h) for h in hexes), dtype=np.int64, count=n)
    wrong = np.flatnonzero(lengths != digits)
    if wrong.size:
        bad = int(wrong[0])
        raise ValueError(
            f"hash #{bad} has {int(lengths[bad])} characters, "
            f"expected {digits} hex digits for a {bits}-bit hash"
        )
    try:
        raw = joined.encode("ascii")
    except UnicodeEncodeError as exc:
        bad = exc.start // digits
        raise ValueError(f"hash #{bad} contains a non-hex character: {hexes[bad]!r}") from None
    nibbles = _HEX_LUT[np.frombuffer(raw, dtype=np.uint8)]
    invalid = np.flatnonzero(nibbles == 255)
    if invalid.size:
        bad = int(invalid[0]) // digits
        raise ValueError(f"hash #{bad} contains a non-hex character: {hexes[bad]!r}")
    pairs = nibbles.reshape(n, bits // 8, 2)
    rows = np.left_shift(pairs[:, :, 0], np.uint8(4))
    rows |= pairs[:, :, 1]
    return rows


def rows_to_hex(rows: U8Array) -> list[str]:
    """Encode (N, 8) or (N, 32) uint8 rows as lowercase hex strings (inverse of hex_to_rows)."""
    bits = _infer_bits(rows, "rows")
    _rows_as_words(rows, bits, "rows")
    text = np.ascontiguousarray(rows).tobytes().hex()
    step = bits // 4
    return [text[i : i + step] for i in range(0, len(text), step)]


# ------------------------------------------------------------------------ distance kernels


def _select(
    dist: npt.NDArray[Any], packed: npt.NDArray[np.uint32] | None, radius: int
) -> tuple[IntpArray, npt.NDArray[np.int16]]:
    """Positions with distance <= radius and their exact distances (undoing the 256 wrap)."""
    sel = np.flatnonzero(dist <= radius)
    d = dist.reshape(-1)[sel].astype(np.int16)
    if packed is not None and sel.size:
        wrapped = (d == 0) & (packed.reshape(-1)[sel] != 0)
        if wrapped.any():
            d[wrapped] = 256
            keep = d <= radius
            sel, d = sel[keep], d[keep]
    return sel, d


class _Scratch:
    """Reusable buffers for verifying one chunk of candidates.

    Gathering candidate rows into preallocated, cache-sized buffers (``out=``) instead of fresh
    arrays avoids page faults and keeps the chunk in L2; measured 20-30 % faster per candidate.
    """

    def __init__(self, size: int, words: int) -> None:
        self._allocate(size, words)

    def _allocate(self, size: int, words: int) -> None:
        self.size = max(1, size)
        self.rows = np.empty((self.size, words), dtype=np.uint64)
        self.query_rows = np.empty((self.size, words), dtype=np.uint64)
        self.counts = np.empty((self.size, words), dtype=np.uint8)

    def verify(
        self, stored: U64Array, queries: U64Array, cand: U32Array, qi: I64Array, radius: int
    ) -> tuple[IntpArray, npt.NDArray[np.int16]]:
        """Positions in ``cand`` within ``radius`` of their query, and their distances."""
        n = cand.shape[0]
        if n > self.size:
            self._allocate(n, stored.shape[1])
        rows, qrows, counts = self.rows[:n], self.query_rows[:n], self.counts[:n]
        np.take(stored, cand, axis=0, out=rows)
        np.take(queries, qi, axis=0, out=qrows)
        np.bitwise_xor(rows, qrows, out=rows)
        np.bitwise_count(rows, out=counts)
        if stored.shape[1] == 1:
            return _select(counts.reshape(-1), None, radius)
        packed = counts.view(np.uint32).reshape(-1)
        dist = np.multiply(packed, np.uint32(0x01010101))
        np.right_shift(dist, np.uint32(24), out=dist)
        return _select(dist, packed, radius)


def _brute_item(
    stored: U64Array,
    queries: U64Array,
    q_lo: int,
    q_hi: int,
    s_lo: int,
    s_hi: int,
    radius: int,
) -> tuple[I64Array, I64Array, npt.NDArray[np.int16]]:
    """Compare queries[q_lo:q_hi] with stored[s_lo:s_hi], tile by tile (cache-sized)."""
    words = stored.shape[1]
    out_q: list[I64Array] = []
    out_e: list[I64Array] = []
    out_d: list[npt.NDArray[np.int16]] = []
    for g0 in range(q_lo, q_hi, _BRUTE_QUERY_GROUP):
        g1 = min(q_hi, g0 + _BRUTE_QUERY_GROUP)
        qg = queries[g0:g1]
        if words > 1:
            # Each query repeated along a tile, so the XOR runs over flat contiguous memory.
            qrep = np.tile(qg, (1, _BRUTE_TILE_ROWS))
        for t0 in range(s_lo, s_hi, _BRUTE_TILE_ROWS):
            t1 = min(s_hi, t0 + _BRUTE_TILE_ROWS)
            nt = t1 - t0
            if words > 1:
                x = np.bitwise_xor(stored[t0:t1].reshape(1, nt * words), qrep[:, : nt * words])
                counts = np.bitwise_count(x)  # (g, nt * 4) uint8
                packed = counts.view(np.uint32)  # (g, nt): four popcounts per uint32
                dist = np.multiply(packed, np.uint32(0x01010101))
                np.right_shift(dist, np.uint32(24), out=dist)
                sel, d = _select(dist, packed, radius)
            else:
                x1 = np.bitwise_xor(stored[t0:t1, 0][None, :], qg[:, 0][:, None])
                dist8 = np.bitwise_count(x1)
                sel, d = _select(dist8, None, radius)
            if sel.size:
                qi, ei = np.divmod(sel, nt)
                out_q.append(qi + g0)
                out_e.append(ei + t0)
                out_d.append(d)
    if not out_q:
        return np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0, np.int16)
    return (
        np.concatenate(out_q).astype(np.int64, copy=False),
        np.concatenate(out_e).astype(np.int64, copy=False),
        np.concatenate(out_d),
    )


def _map(fn: Callable[[_T], _R], items: Sequence[_T], threads: int) -> list[_R]:
    """Run fn over items, on a thread pool when it can help (numpy releases the GIL)."""
    if threads <= 1 or len(items) <= 1:
        return [fn(item) for item in items]
    with ThreadPoolExecutor(max_workers=min(threads, len(items))) as pool:
        return list(pool.map(fn, items))


def _brute_words(
    stored: U64Array,
    queries: U64Array,
    radius: int,
    threads: int,
    query_ids: I64Array | None = None,
    entry_offset: int = 0,
) -> list[tuple[I64Array, I64Array, npt.NDArray[np.int16]]]:
    """Brute-force all queries against all stored rows; work split over queries and rows."""
    n, q = stored.shape[0], queries.shape[0]
    if n == 0 or q == 0:
        return []
    row_chunk = _BRUTE_CHUNK_ROWS
    if q < 4 * threads:  # few queries: split the stored rows instead so every core works
        row_chunk = max(_BRUTE_TILE_ROWS, -(-n // max(1, threads * 2)))
    q_step = max(_BRUTE_QUERY_GROUP, -(-q // max(1, threads)))
    if n > row_chunk:
        q_step = max(q_step, 64)
    items = [
        (q0, min(q, q0 + q_step), s0, min(n, s0 + row_chunk))
        for q0 in range(0, q, q_step)
        for s0 in range(0, n, row_chunk)
    ]

    def run(item: tuple[int, int, int, int]) -> tuple[I64Array, I64Array, npt.NDArray[np.int16]]:
        qi, ei, d = _brute_item(stored, queries, item[0], item[1], item[2], item[3], radius)
        if query_ids is not None:
            qi = query_ids[qi]
        return qi, ei + entry_offset, d

    return _map(run, items, threads)


def brute_force_search(
    stored: U8Array, queries: U8Array, radius: int, *, threads: int | None = None
) -> SearchResult:
    """Exact reference search: every query against every stored row, vectorised popcount.

    Used as the fallback of :class:`HashIndex` and as the ground truth in tests and the
    benchmark. ``stored`` and ``queries`` are (N, 8) or (N, 32) uint8 rows of the same width.
    """
    bits = _infer_bits(stored, "stored")
    s_words = _rows_as_words(stored, bits, "stored")
    q_words = _rows_as_words(queries, bits, "queries")
    r = _check_radius(radius, bits)
    parts = _brute_words(s_words, q_words, r, _thread_count(threads))
    return _sorted_result(parts, int(s_words.shape[0]), bits)


def _thread_count(threads: int | None) -> int:
    if threads is None:
        try:
            return max(1, len(os.sched_getaffinity(0)))
        except (AttributeError, OSError):  # not on every platform
            return max(1, os.cpu_count() or 1)
    if isinstance(threads, bool) or not isinstance(threads, int) or threads < 1:
        raise ValueError(f"threads must be a positive integer, got {threads!r}")
    return threads


# ----------------------------------------------------------------------- multi-index tables


@dataclass(frozen=True)
class _Block:
    word: int
    shift: int
    width: int

    @property
    def mask(self) -> int:
        return (1 << self.width) - 1


def _layout(bits: int, blocks: int) -> tuple[_Block, ...]:
    """Split each 64-bit word into blocks of nearly equal width (no block spans two words)."""
    words = bits // 64
    per_word = blocks // words
    base, extra = divmod(64, per_word)
    out: list[_Block] = []
    for w in range(words):
        shift = 0
        for j in range(per_word):
            width = base + (1 if j < extra else 0)
            out.append(_Block(w, shift, width))
            shift += width
    return tuple(out)


def _allowed_block_counts(bits: int) -> list[int]:
    """Block counts whose widths stay within 8.._MAX_BLOCK_BITS bits."""
    words = bits // 64
    return [k * words for k in range(3, 9) if -(-64 // k) <= _MAX_BLOCK_BITS]


def _probe_count(width: int, t: int) -> int:
    if t < 0:
        return 0
    return sum(math.comb(width, i) for i in range(min(t, width) + 1))


_MASK_CACHE: dict[tuple[int, int], IntpArray] = {}
_MASK_LOCK = threading.Lock()


def _probe_masks(width: int, t: int) -> IntpArray:
    """All width-bit XOR masks with at most t bits set, nearest first (cached, vectorised)."""
    key = (width, t)
    with _MASK_LOCK:
        cached = _MASK_CACHE.get(key)
    if cached is not None:
        return cached
    t = min(t, width)
    layers = [np.zeros(1, dtype=np.intp)]
    bit_values = np.left_shift(1, np.arange(width, dtype=np.intp))
    for level in range(1, t + 1):
        # Bit positions of every level-sized subset, then OR-ed (summed) into masks. The
        # count is the probe count, which the cost model keeps small.
        flat = np.fromiter(
            itertools.chain.from_iterable(itertools.combinations(range(width), level)),
            dtype=np.intp,
            count=math.comb(width, level) * level,
        )
        layers.append(bit_values[flat.reshape(-1, level)].sum(axis=1))
    masks = np.concatenate(layers)
    masks.setflags(write=False)
    with _MASK_LOCK:
        _MASK_CACHE[key] = masks
    return masks


@dataclass(frozen=True)
class _Tables:
    """Per-block sorted entry numbers and bucket offsets for entries [0, rows)."""

    layout: tuple[_Block, ...]
    rows: int
    offsets: tuple[U32Array, ...]
    ids: tuple[U32Array, ...]
    skew: float  # largest bucket-size skew of a block (1 for uniform hashes)

    def nbytes(self) -> int:
        return sum(int(a.nbytes) for a in self.offsets) + sum(int(a.nbytes) for a in self.ids)


def _block_keys(words: U64Array, block: _Block) -> U64Array:
    keys = np.right_shift(words[:, block.word], np.uint64(block.shift))
    keys &= np.uint64(block.mask)
    return keys


def _offsets_of(keys: U64Array, block: _Block) -> tuple[U32Array, float]:
    """Bucket offsets of one block's values and the block's skew (see _build_table)."""
    n = keys.shape[0]
    counts = np.bincount(keys.view(np.int64), minlength=1 << block.width)  # values < 2**22
    offsets = np.zeros((1 << block.width) + 1, dtype=np.uint32)
    np.cumsum(counts, out=offsets[1:], dtype=np.uint32)
    # Mean bucket size a stored hash falls into, over its value for uniform random hashes
    # (Poisson: 1 + n / 2**width); about 1 for uniform bits, >> 1 for skewed data.
    skew = float(np.dot(counts, counts)) / max(1, n) / (1.0 + n / float(1 << block.width))
    return offsets, skew


def _check_stored_table(words: U64Array, block: _Block, ids: U32Array, offsets: U32Array) -> None:
    """Refuse a stored table that does not fit the rows (it passed its CRC: this catches a
    table written for other rows). The offsets must end at the row count and a sample of
    positions must each lie inside the bucket of its entry's value. A wrong table could
    only lose matches (candidates are always verified with the full distance), never
    invent one; the CRC and these checks keep it from losing them."""
    n = ids.shape[0]
    if int(offsets[0]) != 0 or int(offsets[-1]) != n:
        raise ValueError("corrupt hash index: the bucket offsets do not fit the rows")
    if not n:
        return
    sample = np.random.default_rng(n).integers(0, n, min(n, _SPOT_CHECKS), dtype=np.int64)
    entry = ids[sample].astype(np.int64)
    if int(entry.max()) >= n:
        raise ValueError("corrupt hash index: an entry number is out of range")
    keys = _block_keys(words[entry], block).astype(np.int64)
    inside = (offsets[keys] <= sample) & (sample < offsets[keys + 1])
    if not bool(inside.all()):
        raise ValueError("corrupt hash index: an entry table is not sorted by its block")


def _build_table(words: U64Array, block: _Block) -> tuple[U32Array, U32Array, float]:
    """Sort entries by one block's value: entry numbers, bucket offsets and skew.

    Sorting ``value << 32 | entry`` as uint64 is much faster than a stable argsort of the
    values (numpy uses SIMD sorts for 64-bit keys) and leaves each bucket in entry order,
    which also makes the later row gathers a little more sequential. Everything is done in
    place on one uint64 array (no full-size temporaries) to keep the build's peak memory low.
    """
    n = words.shape[0]
    keys = _block_keys(words, block)
    offsets, skew = _offsets_of(keys, block)
    keys <<= np.uint64(32)
    step = 1 << 20
    for s in range(0, n, step):
        keys[s : s + step] |= np.arange(s, min(n, s + step), dtype=np.uint64)
    keys.sort()
    return keys.astype(np.uint32), offsets, skew


def _build_tables(words: U64Array, layout: tuple[_Block, ...], threads: int) -> _Tables:
    built = _map(lambda b: _build_table(words, b), layout, threads)
    return _Tables(
        layout=layout,
        rows=int(words.shape[0]),
        offsets=tuple(b[1] for b in built),
        ids=tuple(b[0] for b in built),
        skew=max(b[2] for b in built),
    )


def _allocate_radii(
    widths: Sequence[int], occupancy: Sequence[float], radius: int
) -> tuple[tuple[int, ...], float]:
    """Choose per-block probe radii t_b with sum(t_b + 1) == radius + 1 at least cost.

    Greedy on marginal cost (exact for convex costs, which these are in the useful range). The
    cost of probing block b at radius t is probes(t) * (probe cost + bucket size * candidate
    cost). Returns the radii and the estimated nanoseconds per query.
    """
    m = len(widths)
    radii = [-1] * m
    unit = [_NS_PER_PROBE + occ * _NS_PER_CANDIDATE for occ in occupancy]

    def marginal(b: int) -> float:
        t = radii[b] + 1
        if t > widths[b]:
            return math.inf
        return math.comb(widths[b], t) * unit[b]

    heap = [(marginal(b), b) for b in range(m)]
    heapq.heapify(heap)
    for _ in range(radius + 1):
        cost, b = heapq.heappop(heap)
        if math.isinf(cost):  # every block fully probed: cannot happen for radius <= bits
            heapq.heappush(heap, (cost, b))
            break
        radii[b] += 1
        heapq.heappush(heap, (marginal(b), b))
    total = sum(_probe_count(widths[b], radii[b]) * unit[b] for b in range(m))
    return tuple(radii), total


def _choose_layout(bits: int, rows: int, design_radius: int) -> tuple[_Block, ...] | None:
    """Pick the block count with the lowest estimated cost at the design radius.

    Limits: at most bits // 16 blocks (so the uint32 entry arrays take at most twice the raw
    hashes: 10 million PDQ hashes stay under 1 GiB) and offsets tables no larger than eight
    times the raw hashes (wide blocks pay off from about a million PDQ hashes: measured 2.5x
    faster than 16-bit blocks at 1 M on skewed data). Returns None when brute force is
    cheaper for this size.
    """
    if rows < _MIN_ROWS_FOR_TABLES:
        return None
    best: tuple[float, tuple[_Block, ...]] | None = None
    for blocks in _allowed_block_counts(bits):
        if blocks > bits // 16:
            continue
        layout = _layout(bits, blocks)
        widths = [b.width for b in layout]
        table_bytes = sum(4 * ((1 << w) + 1) for w in widths)
        if table_bytes > max(8 * rows * (bits // 8), 1 << 22):
            continue
        occupancy = [rows / float(1 << w) for w in widths]
        _, cost = _allocate_radii(widths, occupancy, design_radius)
        if best is None or cost < best[0]:
            best = (cost, layout)
    if best is None or best[0] >= rows * _NS_PER_PAIR[bits]:
        return None
    return best[1]


def _per_query_radii(cost: npt.NDArray[np.float64], radius: int) -> IntpArray:
    """Per-query probe radii from exact per-level costs, greedily (vectorised over queries).

    ``cost[q, b, t + 1]`` is what probing block b at radius t costs query q (index 0 is the
    skipped block, cost 0). Each of the radius + 1 steps raises, for every query at once, the
    radius of the block whose next level adds the least cost. Any result satisfies
    sum(t_b + 1) == radius + 1, so the search stays exact whatever the costs are; the costs only
    steer it away from the dense buckets of skewed data.
    """
    nq, m, levels = cost.shape
    t = np.full((nq, m), -1, dtype=np.intp)
    rows = np.arange(nq)
    for _ in range(radius + 1):
        here = np.take_along_axis(cost, (t + 1)[:, :, None], axis=2)[:, :, 0]
        step = np.take_along_axis(cost, np.minimum(t + 2, levels - 1)[:, :, None], axis=2)
        marginal = step[:, :, 0] - here
        marginal[t + 2 >= levels] = np.inf
        t[rows, np.argmin(marginal, axis=1)] += 1
    return t


def _mih_block(
    tables: _Tables,
    words: U64Array,
    queries: U64Array,
    q0: int,
    max_radii: tuple[int, ...],
    radius: int,
    fallback_ns: float,
) -> tuple[I64Array, I64Array, npt.NDArray[np.int16], I64Array, int]:
    """Multi-index search of one block of queries against entries [0, tables.rows).

    Pass 1 looks up, for every query and block, the bucket sizes of all probes up to
    ``max_radii[b]`` and picks each query's own probe radii from those exact counts (a query
    whose block value is common skips or narrows that block and widens others). Queries whose
    cheapest plan still costs more than scanning everything go to brute force. Pass 2 gathers
    and verifies the candidates in cache-sized chunks.

    Returns the matches (global query numbers, entries, distances), the queries that must be
    brute-forced instead and the number of candidates verified.
    """
    nq = queries.shape[0]
    active = [b for b, t in enumerate(max_radii) if t >= 0]
    levels = max(max_radii[b] for b in active) + 2
    # Pass 1: bucket ranges of every probe and each (query, block, level) candidate count.
    starts: list[U32Array] = []
    counts: list[U32Array] = []
    bounds: list[IntpArray] = []
    cost = np.full((nq, len(active), levels), np.inf)
    for k, b in enumerate(active):
        block = tables.layout[b]
        qv = ((queries[:, block.word] >> np.uint64(block.shift)) & np.uint64(block.mask)).astype(
            np.intp
        )
        masks = _probe_masks(block.width, max_radii[b])
        probes = qv[:, None] ^ masks[None, :]
        offsets = tables.offsets[b]
        s = offsets[probes]
        c = offsets[probes + 1] - s
        starts.append(s)
        counts.append(c)
        # Masks are ordered by weight: level t is the prefix of the first bound[t + 1] probes.
        bound = np.zeros(levels, dtype=np.intp)
        bound[1 : max_radii[b] + 2] = [
            _probe_count(block.width, t) for t in range(max_radii[b] + 1)
        ]
        bounds.append(bound)
        running = np.cumsum(c, axis=1, dtype=np.int64)
        top = max_radii[b] + 2
        cost[:, k, 0] = 0.0
        cost[:, k, 1:top] = (
            running[:, bound[1:top] - 1] * _NS_PER_CANDIDATE + bound[1:top] * _NS_PER_PROBE
        )
    chosen = _per_query_radii(cost, radius)
    est = np.take_along_axis(cost, (chosen + 1)[:, :, None], axis=2)[:, :, 0].sum(axis=1)
    fallback = np.flatnonzero(est > fallback_ns)
    keep = np.ones(nq, dtype=bool)
    keep[fallback] = False
    local_q = np.flatnonzero(keep).astype(np.int64)
    for k in range(len(active)):
        # Drop the probes beyond each query's chosen level (and the fallback queries).
        limit = np.where(keep, bounds[k][chosen[:, k] + 1], 0)
        unused = np.arange(counts[k].shape[1])[None, :] >= limit[:, None]
        counts[k][unused] = 0
        if fallback.size:
            starts[k], counts[k] = starts[k][keep], counts[k][keep]

    out_q: list[I64Array] = []
    out_e: list[I64Array] = []
    out_d: list[npt.NDArray[np.int16]] = []
    verified = 0
    scratch: _Scratch | None = None
    # Pass 2: generate and verify candidates, table by table, in cache-sized chunks.
    for k, b in enumerate(active):
        s_all, c_all = starts[k], counts[k]
        width = s_all.shape[1]
        flat_c = c_all.reshape(-1)
        nz = np.flatnonzero(flat_c)
        if nz.size == 0:
            continue
        s = s_all.reshape(-1)[nz].astype(np.int64)
        c = flat_c[nz].astype(np.int64)
        pq = local_q[nz // width]
        cum = np.cumsum(c)
        total = int(cum[-1])
        excl = cum - c
        ids = tables.ids[b]
        verified += total
        if scratch is None:
            scratch = _Scratch(min(total, _CANDIDATE_CHUNK), words.shape[1])
        for c0 in range(0, total, _CANDIDATE_CHUNK):
            c1 = min(total, c0 + _CANDIDATE_CHUNK)
            if c0 == 0 and c1 == total:
                p0, p1 = 0, c.shape[0]
                cnt = c
                base = s - excl
            else:
                p0 = int(np.searchsorted(cum, c0, side="right"))
                p1 = int(np.searchsorted(cum, c1 - 1, side="right")) + 1
                ex = excl[p0:p1]
                lo = np.maximum(ex, c0)
                cnt = np.minimum(cum[p0:p1], c1) - lo
                base = s[p0:p1] - ex + c0
            pos = np.repeat(base, cnt)
            pos += np.arange(c1 - c0, dtype=np.int64)
            cand = np.take(ids, pos)
            qi = np.repeat(pq[p0:p1], cnt)
            sel, d = scratch.verify(words, queries, cand, qi, radius)
            if sel.size:
                out_q.append(qi[sel])
                out_e.append(cand[sel].astype(np.int64))
                out_d.append(d)
    fallback_global = fallback.astype(np.int64) + q0
    if not out_q:
        empty = np.empty(0, np.int64)
        return empty, empty, np.empty(0, np.int16), fallback_global, verified
    # A match can be found through several blocks: the key sort drops the copies (q_local <
    # 4096 queries per block, so the key cannot overflow).
    keyed = _sort_keys(
        np.concatenate(out_q),
        np.concatenate(out_e),
        np.concatenate(out_d),
        tables.rows,
        words.shape[1] * 64,
    )
    assert keyed is not None
    q_out, e_out, d_out = keyed
    return q_out + q0, e_out, d_out, fallback_global, verified


# ------------------------------------------------------------------------------- the index


class HashIndex:
    """Exact Hamming-radius index over 64-bit (pHash) or 256-bit (PDQ) hashes.

    Entries are numbered 0, 1, ... in the order they were added. Hashes are given as (N, 8) or
    (N, 32) uint8 arrays of the hash bytes (see :func:`hex_to_rows`). ``search`` returns every
    (query, entry) pair within the radius, with its distance, exactly as
    :func:`brute_force_search` would, choosing multi-index hashing or brute force by measured
    cost. Searches may run concurrently with each other; ``add`` should not run concurrently
    with a search (the app owns one index per list and serialises writes).
    """

    def __init__(
        self,
        bits: int,
        *,
        blocks: int | None = None,
        design_radius: int | None = None,
        threads: int | None = None,
    ) -> None:
        """Create an empty index.

        ``blocks`` forces the number of multi-index blocks (a multiple of bits // 64 giving
        8..22-bit blocks); by default it is chosen from the entry count and ``design_radius``
        (the radius searches usually use: 31 for PDQ, 10 for pHash). ``threads`` defaults to
        the CPUs this process may use.
        """
        self.bits: Final = _check_bits(bits)
        self._words_per_row: Final = self.bits // 64
        if blocks is not None:
            allowed = _allowed_block_counts(self.bits)
            if isinstance(blocks, bool) or blocks not in allowed:
                raise ValueError(f"blocks must be one of {allowed} for {self.bits}-bit hashes")
        self._forced_blocks = blocks
        self.design_radius: Final = (
            _DEFAULT_DESIGN_RADIUS[self.bits]
            if design_radius is None
            else _check_radius(design_radius, self.bits)
        )
        self.threads: Final = _thread_count(threads)
        self._words: U64Array = np.empty((0, self._words_per_row), dtype=np.uint64)
        self._pending: list[U64Array] = []
        self._pending_rows = 0
        self._tables: _Tables | None = None
        self._lock = threading.RLock()
        self._last: SearchStats | None = None
        self.last_build_seconds: float = 0.0
        #: Times the multi-index tables were built (by sorting) in this object.
        self.builds = 0
        #: The tables came from stored bytes (version 2) instead of being built.
        self.tables_loaded = False

    # -- contents ---------------------------------------------------------------------

    def __len__(self) -> int:
        return int(self._words.shape[0]) + self._pending_rows

    def add(self, hashes: U8Array) -> I64Array:
        """Append hashes (an (N, bits // 8) uint8 array); returns their entry numbers.

        Cheap: the hashes are copied and the search tables are rebuilt lazily (or the new
        hashes are brute-forced while they are few), so a list can be added in batches.
        """
        words = _rows_as_words(hashes, self.bits, "hashes")
        with self._lock:
            start = len(self)
            if start + words.shape[0] > _MAX_ENTRIES:
                raise ValueError(f"an index holds at most {_MAX_ENTRIES} hashes")
            if words.shape[0]:
                self._pending.append(words.copy())
                self._pending_rows += int(words.shape[0])
            return np.arange(start, start + words.shape[0], dtype=np.int64)

    def rows(self) -> U8Array:
        """All stored hashes as an (N, bits // 8) uint8 array (a read-only view)."""
        with self._lock:
            self._consolidate()
            view = self._words.view(np.uint8).reshape(-1, self.bits // 8)
            view.setflags(write=False)
            return view

    def memory_bytes(self) -> int:
        """Bytes held: stored hashes plus the multi-index tables (entry arrays and offsets)."""
        with self._lock:
            total = int(self._words.nbytes) + sum(int(p.nbytes) for p in self._pending)
            if self._tables is not None:
                total += self._tables.nbytes()
            return total

    @property
    def method(self) -> str | None:
        """Strategy the last search used ("brute", "mih", "mih+brute", "empty"), or None."""
        return None if self._last is None else self._last.method

    @property
    def last_search(self) -> SearchStats | None:
        """Statistics of the last search (method, probe radii, candidates, time)."""
        return self._last

    @property
    def blocks(self) -> int:
        """Number of multi-index blocks currently built (0: brute force only)."""
        tables = self._tables
        return 0 if tables is None else len(tables.layout)

    def _consolidate(self) -> None:
        if len(self._pending) == 1 and self._words.shape[0] == 0:
            self._words = self._pending[0]  # the common case: no second copy of the hashes
            self._pending = []
            self._pending_rows = 0
        elif self._pending:
            self._words = np.concatenate([self._words, *self._pending])
            self._pending = []
            self._pending_rows = 0

    def build(self, *, complete: bool = False) -> None:
        """Build (or refresh) the search tables now instead of at the next search.

        Called lazily by :meth:`search`; the app may call it after loading a list so that the
        first search is not slower than the rest. ``complete`` also folds a small tail of
        recently added hashes into the tables (before saving them).
        """
        with self._lock:
            self._consolidate()
            n = int(self._words.shape[0])
            tables = self._tables
            if tables is not None and (
                n == tables.rows or (not complete and n - tables.rows <= _TAIL_MAX_ROWS)
            ):
                return
            if self._forced_blocks is not None:
                layout: tuple[_Block, ...] | None = (
                    _layout(self.bits, self._forced_blocks) if n else None
                )
            else:
                layout = _choose_layout(self.bits, n, self.design_radius)
            if layout is None:
                self._tables = None
                return
            self._tables = None  # free the old tables before building new ones
            t0 = time.perf_counter()
            # One table at a time: each sort needs ~12 bytes per entry of scratch, and two at
            # once took 10 M PDQ hashes to a 1.06 GiB peak (one: 0.97 GiB, 3.2 s vs 2.5 s).
            self._tables = _build_tables(self._words, layout, threads=1)
            self.last_build_seconds = time.perf_counter() - t0
            self.builds += 1
            self.tables_loaded = False

    # -- search -------------------------------------------------------------------------

    def search(
        self, queries: U8Array, radius: int, *, method: SearchMethod = "auto"
    ) -> SearchResult:
        """Every (query, entry) pair with Hamming distance <= radius, with the distance.

        ``queries`` is an (Q, bits // 8) uint8 array, ``radius`` 0..bits (per call: PDQ
        commonly 31, pHash about 10). ``method`` forces "mih" or "brute" (for tests and the
        benchmark); results are identical either way.
        """
        t_start = time.perf_counter()
        q_words = np.ascontiguousarray(_rows_as_words(queries, self.bits, "queries"))
        r = _check_radius(radius, self.bits)
        if method not in ("auto", "mih", "brute"):
            raise ValueError(f"method must be 'auto', 'mih' or 'brute', got {method!r}")
        self.build()
        with self._lock:
            words = self._words
            tables = self._tables
        n, nq = int(words.shape[0]), int(q_words.shape[0])
        if n == 0 or nq == 0:
            self._last = SearchStats("empty", nq, n, r, 0, (), 0, 0, 0.0)
            return _empty_result()

        brute_cost = tables.rows * _NS_PER_PAIR[self.bits] if tables is not None else 0.0
        radii: tuple[int, ...] = ()
        per_query_cost = math.inf
        if tables is not None and method != "brute":
            widths = [b.width for b in tables.layout]
            # Planned with the bucket sizes of uniform hashes: an optimistic estimate, on
            # purpose. Pass 1 of _mih_block sees each query's real bucket sizes and sends the
            # queries that land in dense buckets (skewed data) to brute force, which costs
            # only their probes, whereas a pessimistic global guess would scan for all.
            occupancy = [tables.rows / float(1 << w) for w in widths]
            radii, per_query_cost = _allocate_radii(widths, occupancy, r)
        use_mih = tables is not None and (
            method == "mih"
            or (
                method == "auto" and per_query_cost * nq + _NS_PER_SEARCH_OVERHEAD < brute_cost * nq
            )
        )
        if not use_mih or tables is None:
            scanned = _brute_words(words, q_words, r, self.threads)
            result = _sorted_result(scanned, n, self.bits)
            self._last = SearchStats(
                "brute", nq, n, r, self.blocks, (), 0, nq, time.perf_counter() - t_start
            )
            return result

        main = words[: tables.rows]
        # On skewed data pass 1 looks at every block up to the largest planned radius, so
        # that each query can shift radius away from its own dense buckets (see _mih_block):
        # measured 1.5x fewer candidates on the PDQ-like benchmark set. On near-uniform data
        # that flexibility buys nothing and costs ~40 % more probes, so the plan is kept.
        top = max(radii)
        max_radii = (
            tuple(min(top, b.width) for b in tables.layout)
            if tables.skew > _SKEW_FOR_PER_QUERY_RADII
            else radii
        )
        probes_per_query = sum(
            _probe_count(b.width, t) for b, t in zip(tables.layout, max_radii, strict=True)
        )
        q_block = int(min(4096, max(16, _PROBE_BUDGET // max(1, probes_per_query))))
        q_block = max(1, min(q_block, -(-nq // self.threads)))
        fallback_ns = math.inf if method == "mih" else brute_cost
        starts = list(range(0, nq, q_block))

        def run(q0: int) -> tuple[I64Array, I64Array, npt.NDArray[np.int16], I64Array, int]:
            q1 = min(nq, q0 + q_block)
            return _mih_block(tables, main, q_words[q0:q1], q0, max_radii, r, fallback_ns)

        outs = _map(run, starts, self.threads)
        # Blocks come back in query order, each sorted: concatenating them is enough.
        result = _sorted_result(((o[0], o[1], o[2]) for o in outs), n, self.bits, presorted=True)
        fallback = np.concatenate([o[3] for o in outs])
        candidates = sum(o[4] for o in outs)
        extra: list[tuple[I64Array, I64Array, npt.NDArray[Any]]] = []
        if fallback.size:
            extra += _brute_words(main, q_words[fallback], r, self.threads, query_ids=fallback)
        tail = words[tables.rows :]
        if tail.shape[0]:
            extra += _brute_words(tail, q_words, r, self.threads, entry_offset=tables.rows)
        if extra:
            result = _merge(result, _sorted_result(extra, n, self.bits), self.bits)
        name = "mih+brute" if fallback.size or tail.shape[0] else "mih"
        self._last = SearchStats(
            name,
            nq,
            n,
            r,
            len(tables.layout),
            radii,
            candidates,
            int(fallback.size),
            time.perf_counter() - t_start,
        )
        return result

    # -- persistence ----------------------------------------------------------------------

    def _header(self, tables: _Tables | None = None) -> bytes:
        rows = self._words.view(np.uint8)
        crc = zlib.crc32(rows.data) if rows.size else 0
        if tables is None:
            return _HEADER.pack(_MAGIC, _FORMAT_VERSION, self.bits, 0, self._words.shape[0], crc)
        return _HEADER.pack(
            _MAGIC, _FORMAT_VERSION_TABLES, self.bits, _FLAG_TABLES, self._words.shape[0], crc
        )

    def to_chunks(self, *, tables: bool = False) -> list[bytes | memoryview]:
        """The serialised index as a list of buffers (no joined copy): header and rows, and
        with ``tables`` (version 2) the multi-index entry tables, built first if needed, so
        that loading it needs no sort. An index too small for tables is written as version 1.
        """
        with self._lock:
            if tables:
                self.build(complete=True)
            else:
                self._consolidate()
            built = self._tables if tables else None
            out: list[bytes | memoryview] = [self._header(built)]
            if self._words.size:
                out.append(self._words.view(np.uint8).reshape(-1).data)
            if built is not None:
                parts = []
                for offsets, ids in zip(built.offsets, built.ids, strict=True):
                    parts += [
                        np.ascontiguousarray(offsets, "<u4"),
                        np.ascontiguousarray(ids, "<u4"),
                    ]
                crc = 0
                for part in parts:
                    crc = zlib.crc32(part.data, crc)
                out.append(
                    _TABLES_HEADER.pack(
                        _TABLES_MAGIC, len(built.layout), built.rows, crc, built.skew
                    )
                )
                out += [part.data for part in parts]
            return out

    def to_bytes(self, *, tables: bool = False) -> bytes:
        """Serialise the hashes (header, rows, CRC-32) and, with ``tables``, the multi-index
        entry tables (see :meth:`to_chunks`).

        For 10 million PDQ hashes the rows are 320 MB (tables: 40 MB per block more);
        :meth:`save` writes the rows to a file without the extra in-memory copy.
        """
        return b"".join(self.to_chunks(tables=tables))

    def save(self, fp: BinaryIO) -> None:
        """Write the same bytes as :meth:`to_bytes` to a binary file object."""
        with self._lock:
            self._consolidate()
            fp.write(self._header())
            if self._words.size:
                fp.write(self._words.view(np.uint8).data)

    @staticmethod
    def _parse_header(header: bytes) -> tuple[int, int, int, bool]:
        if len(header) < _HEADER.size:
            raise ValueError("not a hash index: data too short for the header")
        magic, version, bits, flags, count, crc = _HEADER.unpack(header[: _HEADER.size])
        if magic != _MAGIC:
            raise ValueError("not a hash index: wrong magic bytes")
        if version not in (_FORMAT_VERSION, _FORMAT_VERSION_TABLES):
            raise ValueError(f"unsupported hash index format version {version}")
        expected_flags = _FLAG_TABLES if version == _FORMAT_VERSION_TABLES else 0
        if bits not in SUPPORTED_BITS or flags != expected_flags:
            raise ValueError("corrupt hash index header (bits or flags)")
        if count > _MAX_ENTRIES:
            raise ValueError("corrupt hash index header (entry count)")
        return int(bits), int(count), int(crc), version == _FORMAT_VERSION_TABLES

    @classmethod
    def _from_words(cls, bits: int, rows: U8Array, crc: int, **kwargs: Any) -> HashIndex:
        if (zlib.crc32(rows.data) if rows.size else 0) != crc:
            raise ValueError("corrupt hash index: checksum mismatch")
        index = cls(bits, **kwargs)
        index._words = rows.view(np.uint64).reshape(-1, bits // 64)
        return index

    def _attach_tables(self, view: memoryview) -> None:
        """Take the tables stored after the rows (version 2): per block the bucket offsets
        and the entry numbers, under a CRC-32, checked against the rows (see
        _check_stored_table). Views of ``view``, no copy. ValueError if they do not fit."""
        if len(view) < _TABLES_HEADER.size:
            raise ValueError("corrupt hash index: the tables are missing")
        magic, blocks, rows, crc, skew = _TABLES_HEADER.unpack(bytes(view[: _TABLES_HEADER.size]))
        n = int(self._words.shape[0])
        if magic != _TABLES_MAGIC or rows != n or blocks not in _allowed_block_counts(self.bits):
            raise ValueError("corrupt hash index: damaged table header")
        layout = _layout(self.bits, blocks)
        size = sum(4 * ((1 << b.width) + 1 + n) for b in layout)
        body = view[_TABLES_HEADER.size :]
        if len(body) != size:
            raise ValueError("corrupt hash index: the tables have the wrong length")
        if zlib.crc32(body) != crc or not math.isfinite(skew):
            raise ValueError("corrupt hash index: table checksum mismatch")
        offsets, ids = [], []
        at = 0
        for block in layout:
            width = (1 << block.width) + 1
            offs = np.frombuffer(body, dtype="<u4", count=width, offset=at)
            table = np.frombuffer(body, dtype="<u4", count=n, offset=at + 4 * width)
            at += 4 * (width + n)
            _check_stored_table(self._words, block, table, offs)
            offsets.append(offs)
            ids.append(table)
        self._tables = _Tables(layout, n, tuple(offsets), tuple(ids), float(skew))
        self.tables_loaded = True

    @classmethod
    def from_bytes(
        cls,
        data: bytes | bytearray | memoryview,
        *,
        blocks: int | None = None,
        design_radius: int | None = None,
        threads: int | None = None,
        copy: bool = True,
    ) -> HashIndex:
        """Load an index written by :meth:`to_bytes`; ValueError if the data is not one.

        Stored tables (version 2) are used as they are, after the checks of
        :meth:`_attach_tables`. ``copy=False`` keeps views of ``data`` (which must then stay
        unchanged) instead of copying the rows and tables: for large lists loaded once."""
        if not isinstance(data, bytes | bytearray | memoryview):
            raise ValueError(f"expected bytes, got {type(data).__name__}")
        view = memoryview(data).cast("B")
        bits, count, crc, has_tables = cls._parse_header(bytes(view[: _HEADER.size]))
        end = _HEADER.size + count * (bits // 8)
        if len(view) < end or (not has_tables and len(view) != end):
            raise ValueError(
                f"corrupt hash index: {len(view)} bytes, expected {end} for {count} hashes"
            )
        rows = np.frombuffer(view[:end], dtype=np.uint8, offset=_HEADER.size)
        if copy:
            rows = rows.copy()
        index = cls._from_words(
            bits, rows, crc, blocks=blocks, design_radius=design_radius, threads=threads
        )
        if has_tables:
            tables = view[end:]
            index._attach_tables(memoryview(bytes(tables)) if copy else tables)
        return index

    @classmethod
    def load(
        cls,
        fp: BinaryIO,
        *,
        blocks: int | None = None,
        design_radius: int | None = None,
        threads: int | None = None,
    ) -> HashIndex:
        """Read an index written by :meth:`save` or :meth:`to_bytes` from a binary file."""
        header = fp.read(_HEADER.size)
        bits, count, crc, has_tables = cls._parse_header(header)
        if has_tables:  # the tables follow the rows: read it whole
            return cls.from_bytes(
                header + fp.read(),
                blocks=blocks,
                design_radius=design_radius,
                threads=threads,
                copy=False,
            )
        rows = np.empty(count * (bits // 8), dtype=np.uint8)
        readinto = getattr(fp, "readinto", None)
        if not rows.size:
            got = 0
        elif callable(readinto):  # straight into the array: no second copy of the hashes
            got = int(readinto(rows.data) or 0)
        else:
            chunk = fp.read(rows.size)
            got = len(chunk)
            rows[:got] = np.frombuffer(chunk, dtype=np.uint8)
        if got != rows.size or fp.read(1):
            raise ValueError("corrupt hash index: wrong length")
        return cls._from_words(
            bits, rows, crc, blocks=blocks, design_radius=design_radius, threads=threads
        )
