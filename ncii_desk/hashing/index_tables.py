"""Multi-index tables of the hash index (hashing/index.py): block layouts, probe masks, the
sorted entry tables and their offsets, the probe-radius plan and the multi-index search of
one block of queries (see the design notes in hashing/index.py)."""

from __future__ import annotations

import heapq
import itertools
import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

from ncii_desk.hashing.index_search import (
    _CANDIDATE_CHUNK,
    _MAX_BLOCK_BITS,
    _MIN_ROWS_FOR_TABLES,
    _NS_PER_CANDIDATE,
    _NS_PER_PAIR,
    _NS_PER_PROBE,
    I64Array,
    IntpArray,
    U32Array,
    U64Array,
    _map,
    _Scratch,
    _sort_keys,
)

# ----------------------------------------------------------------------- multi-index tables

_SPOT_CHECKS: Final = 4096  # stored entries checked against their bucket, per block, on load


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
