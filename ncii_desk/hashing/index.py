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

The code is split by responsibility: search kernels and result types in
hashing/index_search.py, the multi-index tables in hashing/index_tables.py, every stored
byte layout (this index's, and the packed index of a hash list kept in the vault) in
hashing/index_store.py; this module holds :class:`HashIndex` and re-exports the public
names.
"""

from __future__ import annotations

import math
import threading
import time
from typing import Any, BinaryIO, Final

import numpy as np
import numpy.typing as npt

from ncii_desk.hashing import index_store
from ncii_desk.hashing.index_search import (
    _DEFAULT_DESIGN_RADIUS,
    _MAX_ENTRIES,
    _NS_PER_PAIR,
    _NS_PER_SEARCH_OVERHEAD,
    _PROBE_BUDGET,
    _SKEW_FOR_PER_QUERY_RADII,
    _TAIL_MAX_ROWS,
    I64Array,
    SearchMethod,
    U8Array,
    U64Array,
    _brute_words,
    _check_bits,
    _check_radius,
    _empty_result,
    _map,
    _merge,
    _rows_as_words,
    _sorted_result,
    _thread_count,
)
from ncii_desk.hashing.index_search import SUPPORTED_BITS as SUPPORTED_BITS
from ncii_desk.hashing.index_search import SearchResult as SearchResult
from ncii_desk.hashing.index_search import SearchStats as SearchStats
from ncii_desk.hashing.index_search import brute_force_search as brute_force_search
from ncii_desk.hashing.index_search import hex_to_rows as hex_to_rows
from ncii_desk.hashing.index_search import rows_to_hex as rows_to_hex
from ncii_desk.hashing.index_tables import (
    _allocate_radii,
    _allowed_block_counts,
    _Block,
    _build_tables,
    _choose_layout,
    _layout,
    _mih_block,
    _probe_count,
    _Tables,
)

__all__ = [
    "SUPPORTED_BITS",
    "HashIndex",
    "SearchResult",
    "SearchStats",
    "brute_force_search",
    "hex_to_rows",
    "rows_to_hex",
]


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

    # -- persistence (byte layouts: hashing/index_store.py) --------------------------------

    def to_chunks(self, *, tables: bool = False) -> list[bytes | memoryview]:
        """The serialised index as a list of buffers (no joined copy): header and rows, and
        with ``tables`` (version 2) the multi-index entry tables, built first if needed, so
        that loading it needs no sort. An index too small for tables is written as version 1.
        """
        return index_store.index_chunks(self, tables=tables)

    def to_bytes(self, *, tables: bool = False) -> bytes:
        """Serialise the hashes (header, rows, CRC-32) and, with ``tables``, the multi-index
        entry tables (see :meth:`to_chunks`).

        For 10 million PDQ hashes the rows are 320 MB (tables: 40 MB per block more);
        :meth:`save` writes the rows to a file without the extra in-memory copy.
        """
        return b"".join(self.to_chunks(tables=tables))

    def save(self, fp: BinaryIO) -> None:
        """Write the same bytes as :meth:`to_bytes` to a binary file object."""
        index_store.save_index(self, fp)

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

        Stored tables (version 2) are used as they are, after checking them against the
        rows. ``copy=False`` keeps views of ``data`` (which must then stay unchanged)
        instead of copying the rows and tables: for large lists loaded once."""
        made: index_store.IndexClass[HashIndex] = cls  # the class, as the layouts see it
        return index_store.index_from_bytes(
            made, data, blocks=blocks, design_radius=design_radius, threads=threads, copy=copy
        )

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
        made: index_store.IndexClass[HashIndex] = cls
        return index_store.load_index(
            made, fp, blocks=blocks, design_radius=design_radius, threads=threads
        )
