"""Search kernels of the hash index (hashing/index.py): result types, argument checks, hex
conversion and the vectorised popcount brute force, with the cost-model constants the
index and its multi-index tables (hashing/index_tables.py) share."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Final, Literal, TypeVar

import numpy as np
import numpy.typing as npt

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
