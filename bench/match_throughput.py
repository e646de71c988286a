"""Benchmark: exact hash matching throughput, HashIndex vs faiss IndexBinaryFlat.

Measures, for PDQ (256-bit, radius 31) against 1 M and 10 M stored hashes and pHash (64-bit,
radius 10) against 10 M, on uniform random hashes and on a skewed PDQ-like distribution:

* queries/s of ``ncii_desk.hashing.HashIndex.search`` (all queries, one batch) and of faiss
  ``IndexBinaryFlat.range_search`` (exact brute force; faiss reports distances *strictly below*
  its radius, so it is called with radius + 1; this is checked at start-up). Where faiss would
  take too long on all queries it is timed on an evenly spaced subset and its queries/s
  extrapolated (the output says so);
* recall of both against the brute-force reference (``brute_force_search``), computed on an
  evenly spaced subset of queries when the full reference would be too slow (the output says
  how many), plus a check that our result equals the reference exactly on that subset;
* index build time, ``memory_bytes()`` and the process RSS growth while building.

Queries: half are noisy copies of stored hashes (0-31 random bits flipped for PDQ, 0-15 for
pHash) so there are true matches, half are fresh hashes from the same generator as the stored
set (uniform bits, or the PDQ-like model without its duplicates).

The PDQ-like model: each hash thresholds a vector of DCT-like coefficients at its mean (PDQ
thresholds at the median), the coefficients being 12 shared latent factors with more weight on
low frequencies, a per-coefficient bias and independent noise. That gives biased and correlated
bits (16-bit block values far from uniform). On top: 20 % of the entries are near-duplicates
(0-16 bits flipped) of 2 % of them, with heavy-tailed cluster sizes, and 0.3 % are two
degenerate hashes (all zero, 0x5a...) repeated, as flat images produce. It is a stress test:
buckets are 10-25x larger than with uniform bits.

Timings are printed, never asserted (the machine may be shared: the load average is printed).
Usage::

    python bench/match_throughput.py [--sizes 1000000,10000000] [--queries 10000]
        [--phash-size 10000000] [--quick] [--out results.md]
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import shlex
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
from benchmachine import cpu_model, load_average, mem_total

from ncii_desk.hashing.index import HashIndex, SearchResult, brute_force_search

PDQ_RADIUS = 31
PHASH_RADIUS = 10
FAISS_BUDGET_PAIRS = 2.0e10  # faiss time-box: about 10-20 s at ~1-2 ns per pair
REFERENCE_BUDGET_PAIRS = 6.0e9  # our numpy brute force: about 5-10 s
MIB = 1024 * 1024


# --- machine -------------------------------------------------------------------------------


def rss_bytes() -> int | None:
    """Resident set size now (Linux); None where /proc is not available."""
    try:
        with open("/proc/self/statm", encoding="ascii") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


class PeakSampler:
    """Highest RSS seen while a phase runs (polled every 5 ms on a thread; Linux only)."""

    def __init__(self) -> None:
        self.peak = rss_bytes()
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._done.wait(0.005):
            now = rss_bytes()
            if now is not None and (self.peak is None or now > self.peak):
                self.peak = now

    def stop(self) -> int | None:
        self._done.set()
        self._thread.join()
        now = rss_bytes()
        if now is not None and (self.peak is None or now > self.peak):
            self.peak = now
        return self.peak


def release_freed_memory() -> None:
    """Give freed heap pages back to the OS (glibc), so RSS deltas measure new memory."""
    gc.collect()
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def import_faiss() -> Any:
    try:
        import faiss  # type: ignore[import-not-found]
    except ImportError:
        sys.exit(
            "faiss is not installed: this benchmark compares against faiss IndexBinaryFlat.\n"
            "Install it into the virtual environment with:  pip install faiss-cpu"
        )
    return faiss


# --- data ----------------------------------------------------------------------------------


def uniform_hashes(rng: np.random.Generator, n: int, bits: int) -> np.ndarray:
    return rng.integers(0, 256, (n, bits // 8), dtype=np.uint8)


def latent_hashes(rng: np.random.Generator, n: int, bits: int) -> np.ndarray:
    """PDQ/pHash-like hashes: DCT-like coefficients from shared factors, thresholded."""
    k = 12
    grid = round(bits**0.5)
    u, v = np.meshgrid(np.arange(grid), np.arange(grid), indexing="ij")
    scale = (1.0 / (1.0 + 0.35 * (u + v))).ravel().astype(np.float32)
    model = np.random.default_rng(12345 + bits)  # the same "camera statistics" every run
    loadings = model.standard_normal((k, bits)).astype(np.float32) * scale
    bias = model.standard_normal(bits).astype(np.float32) * 0.5 * scale
    noise = (3.0 * scale).astype(np.float32)
    out = np.empty((n, bits // 8), np.uint8)
    chunk = 32_768
    for s in range(0, n, chunk):
        e = min(n, s + chunk)
        coef = rng.standard_normal((e - s, k), dtype=np.float32) @ loadings
        jitter = rng.random((e - s, bits), dtype=np.float32)
        jitter -= 0.5
        jitter *= noise
        coef += jitter
        coef += bias
        out[s:e] = np.packbits(coef > coef.mean(axis=1, keepdims=True), axis=1)
    return out


def flip_bits(rng: np.random.Generator, rows: np.ndarray, max_flips: int) -> np.ndarray:
    """Flip 0..max_flips random bits (not necessarily distinct) of each row, in place."""
    n, nbytes = rows.shape
    flips = rng.integers(0, max_flips + 1, n)
    pos = rng.integers(0, nbytes * 8, (n, max_flips))
    use = np.arange(max_flips)[None, :] < flips[:, None]
    row_of = np.broadcast_to(np.arange(n)[:, None], pos.shape)[use]
    p = pos[use]
    np.bitwise_xor.at(rows, (row_of, p >> 3), (1 << (7 - (p & 7))).astype(np.uint8))
    return rows


def flip_distinct_bits(rng: np.random.Generator, rows: np.ndarray, max_flips: int) -> np.ndarray:
    """Copy of rows with exactly f distinct random bits flipped, f uniform in 0..max_flips."""
    n, nbytes = rows.shape
    bits = nbytes * 8
    flips = rng.integers(0, max_flips + 1, n)
    out = rows.copy()
    for s in range(0, n, 4096):
        e = min(n, s + 4096)
        rank = np.argsort(rng.random((e - s, bits)), axis=1)
        out[s:e] ^= np.packbits(rank < flips[s:e, None], axis=1)
    return out


def skewed_hashes(rng: np.random.Generator, n: int, bits: int) -> np.ndarray:
    """The PDQ-like stress distribution described in the module docstring."""
    x = latent_hashes(rng, n, bits)
    n_dup = n // 5
    n_centers = max(1, n // 50)
    centers = (n_centers * rng.random(n_dup) ** 2.5).astype(np.int64)  # heavy-tailed sizes
    members = rng.choice(n, n_dup, replace=False)
    x[members] = flip_bits(rng, x[centers].copy(), 16)
    hot = rng.choice(n, n // 500 + n // 1000, replace=False)
    x[hot[: n // 500]] = 0
    x[hot[n // 500 :]] = 0x5A
    return x


def make_queries(
    rng: np.random.Generator, stored: np.ndarray, kind: str, q: int, max_flips: int
) -> np.ndarray:
    bits = stored.shape[1] * 8
    near = flip_distinct_bits(rng, stored[rng.integers(0, stored.shape[0], q // 2)], max_flips)
    if kind == "uniform":
        fresh = uniform_hashes(rng, q - q // 2, bits)
    else:
        fresh = latent_hashes(rng, q - q // 2, bits)
    return np.concatenate([near, fresh])


# --- measurement ---------------------------------------------------------------------------


@dataclass
class Row:
    hash_name: str
    dist: str
    n: int
    radius: int
    queries: int
    ours_qps: float = 0.0
    ours_recall: float = float("nan")
    ours_exact: bool = False
    method: str = ""
    cand_per_query: float = 0.0
    brute_queries: int = 0
    blocks: int = 0
    build_s: float = 0.0
    memory_bytes: int = 0
    rss_delta: int | None = None
    rss_peak_delta: int | None = None
    faiss_qps: float = 0.0
    faiss_queries: int = 0
    faiss_recall: float = float("nan")
    faiss_add_s: float = 0.0
    ref_queries: int = 0
    ref_pairs: int = 0
    matches: int = 0
    notes: list[str] = field(default_factory=list)


def pair_keys(query_idx: np.ndarray, entry_idx: np.ndarray, n: int) -> np.ndarray:
    return np.unique(query_idx.astype(np.int64) * np.int64(n) + entry_idx.astype(np.int64))


def faiss_search(faiss: Any, index: Any, queries: np.ndarray, radius: int) -> SearchResult:
    """faiss range_search keeps distances < radius: pass radius + 1 for 'distance <= radius'."""
    lims, dist, ids = index.range_search(queries, radius + 1)
    counts = np.diff(lims).astype(np.int64)
    q = np.repeat(np.arange(queries.shape[0], dtype=np.int64), counts)
    return SearchResult(q, ids.astype(np.int64), dist.astype(np.int16))


def check_faiss_semantics(faiss: Any) -> str:
    """Confirm range_search(r + 1) returns exactly the pairs with distance <= r."""
    rng = np.random.default_rng(7)
    base = rng.integers(0, 256, (1, 32), dtype=np.uint8)
    stored = np.repeat(base, 3, axis=0)
    for row, flips in ((0, PDQ_RADIUS), (1, PDQ_RADIUS + 1), (2, PDQ_RADIUS - 1)):
        bits = np.zeros(256, dtype=bool)
        bits[rng.choice(256, flips, replace=False)] = True
        stored[row] ^= np.packbits(bits)
    index = faiss.IndexBinaryFlat(256)
    index.add(stored)
    _lims, dist, ids = index.range_search(base, PDQ_RADIUS + 1)
    found = dict(zip(ids.tolist(), dist.tolist(), strict=True))
    if found != {0: PDQ_RADIUS, 2: PDQ_RADIUS - 1}:
        sys.exit(f"unexpected faiss range_search semantics: {found}")
    return (
        f"faiss range_search(radius={PDQ_RADIUS + 1}) returned distances {PDQ_RADIUS - 1} and "
        f"{PDQ_RADIUS} but not {PDQ_RADIUS + 1}: it keeps d < radius, so radius + 1 is used."
    )


def run_config(
    faiss: Any,
    bits: int,
    dist: str,
    n: int,
    q: int,
    seed: int,
    threads: int | None,
    faiss_budget: float,
    ref_budget: float,
) -> Row:
    radius = PDQ_RADIUS if bits == 256 else PHASH_RADIUS
    name = "PDQ" if bits == 256 else "pHash"
    row = Row(name, dist, n, radius, q)
    rng = np.random.default_rng(seed + n + bits + (1 if dist == "skewed" else 0))
    t0 = time.perf_counter()
    stored = uniform_hashes(rng, n, bits) if dist == "uniform" else skewed_hashes(rng, n, bits)
    queries = make_queries(rng, stored, dist, q, 31 if bits == 256 else 15)
    print(
        f"[{name} {dist} n={n:,}] data generated in {time.perf_counter() - t0:.1f} s",
        flush=True,
    )

    # Ours: build (timed, with RSS growth) and search all queries in one batch.
    release_freed_memory()
    rss0 = rss_bytes()
    sampler = PeakSampler()
    t0 = time.perf_counter()
    index = HashIndex(bits, threads=threads)
    index.add(stored)
    index.build()
    row.build_s = time.perf_counter() - t0
    peak = sampler.stop()
    rss1 = rss_bytes()
    row.rss_delta = None if rss0 is None or rss1 is None else rss1 - rss0
    row.rss_peak_delta = None if rss0 is None or peak is None else peak - rss0
    row.memory_bytes = index.memory_bytes()
    row.blocks = index.blocks
    t0 = time.perf_counter()
    ours = index.search(queries, radius)
    elapsed = time.perf_counter() - t0
    row.ours_qps = q / elapsed
    stats = index.last_search
    assert stats is not None
    row.method = stats.method
    row.cand_per_query = stats.candidates / max(1, q)
    row.brute_queries = stats.brute_queries
    row.matches = len(ours)
    print(
        f"  ours: build {row.build_s:.2f} s, {row.memory_bytes / MIB:.0f} MiB, search "
        f"{elapsed:.2f} s = {row.ours_qps:,.0f} q/s ({stats.method}, {row.blocks} blocks, "
        f"{row.cand_per_query:,.0f} candidates/query, {row.brute_queries} queries scanned)",
        flush=True,
    )

    # faiss: exact flat index, on all queries or an evenly spaced subset.
    fq = int(min(q, max(200, faiss_budget // n)))
    sub = np.linspace(0, q - 1, fq).astype(np.int64) if fq < q else np.arange(q)
    row.faiss_queries = fq
    t0 = time.perf_counter()
    flat = faiss.IndexBinaryFlat(bits)
    flat.add(stored)
    row.faiss_add_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    theirs = faiss_search(faiss, flat, queries[sub], radius)
    elapsed = time.perf_counter() - t0
    row.faiss_qps = fq / elapsed
    if fq < q:
        row.notes.append(f"faiss timed on {fq:,} of {q:,} queries, q/s extrapolated")
    print(
        f"  faiss: {fq:,} queries in {elapsed:.2f} s = {row.faiss_qps:,.0f} q/s",
        flush=True,
    )
    del flat

    # Reference: our brute force on an evenly spaced subset of the faiss queries.
    rq = int(min(fq, max(100, ref_budget // n)))
    ref_pos = np.linspace(0, fq - 1, rq).astype(np.int64) if rq < fq else np.arange(fq)
    ref_q = sub[ref_pos]
    t0 = time.perf_counter()
    ref = brute_force_search(stored, queries[ref_q], radius, threads=threads)
    ref_s = time.perf_counter() - t0
    row.ref_queries = rq
    row.ref_pairs = len(ref)
    if rq < q:
        row.notes.append(f"recall on {rq:,} queries (brute force reference)")
    ref_keys = pair_keys(ref_q[ref.query_idx], ref.entry_idx, n)

    # Ours restricted to the reference queries: must be identical (pairs and distances).
    local = np.full(q, -1, dtype=np.int64)
    local[ref_q] = np.arange(rq)
    keep = local[ours.query_idx] >= 0
    ours_sub = SearchResult(local[ours.query_idx[keep]], ours.entry_idx[keep], ours.distance[keep])
    row.ours_exact = bool(
        np.array_equal(ours_sub.query_idx, ref.query_idx)
        and np.array_equal(ours_sub.entry_idx, ref.entry_idx)
        and np.array_equal(ours_sub.distance, ref.distance)
    )
    ours_keys = pair_keys(ref_q[ours_sub.query_idx], ours_sub.entry_idx, n)
    faiss_local = np.full(fq, -1, dtype=np.int64)
    faiss_local[ref_pos] = np.arange(rq)
    fkeep = faiss_local[theirs.query_idx] >= 0
    faiss_keys = pair_keys(ref_q[faiss_local[theirs.query_idx[fkeep]]], theirs.entry_idx[fkeep], n)
    total = max(1, ref_keys.size)
    row.ours_recall = np.intersect1d(ours_keys, ref_keys).size / total
    row.faiss_recall = np.intersect1d(faiss_keys, ref_keys).size / total
    if ours_keys.size != ref_keys.size or faiss_keys.size != ref_keys.size:
        row.notes.append("extra pairs reported (precision < 1)")
    print(
        f"  reference: {rq:,} queries, {len(ref):,} pairs in {ref_s:.1f} s; recall ours "
        f"{row.ours_recall:.4f} (identical: {row.ours_exact}), faiss {row.faiss_recall:.4f}",
        flush=True,
    )
    del index, stored, queries, ours, theirs, ref
    gc.collect()
    return row


# --- report --------------------------------------------------------------------------------


def fmt_mib(value: int | None) -> str:
    return "n/a" if value is None else f"{value / MIB:,.0f}"


def report(rows: list[Row], header: list[str], notes: list[str]) -> str:
    lines = [*header, ""]
    lines.append(
        "| hash | stored set | N | radius | queries | ours q/s | faiss flat q/s | speed-up "
        "| recall ours | recall faiss | ours == brute force | strategy (blocks) "
        "| candidates/query | build s | memory_bytes MiB | RSS growth MiB (peak) |"
    )
    lines.append("|" + "---|" * 16)
    for r in rows:
        speedup = r.ours_qps / r.faiss_qps if r.faiss_qps else float("nan")
        lines.append(
            f"| {r.hash_name} | {r.dist} | {r.n:,} | {r.radius} | {r.queries:,} "
            f"| {r.ours_qps:,.0f} | {r.faiss_qps:,.0f}"
            f"{'*' if r.faiss_queries < r.queries else ''} | {speedup:.1f}x "
            f"| {r.ours_recall:.4f} | {r.faiss_recall:.4f} | {'yes' if r.ours_exact else 'NO'} "
            f"| {r.method} ({r.blocks}) | {r.cand_per_query:,.0f} | {r.build_s:.2f} "
            f"| {fmt_mib(r.memory_bytes)} | {fmt_mib(r.rss_delta)} ({fmt_mib(r.rss_peak_delta)}) |"
        )
    lines.append("")
    for r in rows:
        extra = "; ".join(r.notes)
        lines.append(
            f"- {r.hash_name} {r.dist} N={r.n:,}: {r.matches:,} matches over all queries; "
            f"reference {r.ref_queries:,} queries / {r.ref_pairs:,} pairs; "
            f"{r.brute_queries} queries brute-forced by the fallback; faiss add "
            f"{r.faiss_add_s:.2f} s" + (f"; {extra}" if extra else "")
        )
    lines.append("")
    lines.extend(notes)
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes",
        default="1000000,10000000",
        help="stored PDQ hash counts, comma separated (default 1000000,10000000)",
    )
    parser.add_argument("--queries", type=int, default=10_000, help="queries per run")
    parser.add_argument(
        "--phash-size", type=int, default=10_000_000, help="stored pHash count (0: skip)"
    )
    parser.add_argument(
        "--dists", default="uniform,skewed", help="stored distributions (uniform,skewed)"
    )
    parser.add_argument("--threads", type=int, default=None, help="our threads (default: all)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--quick", action="store_true", help="small run: 100k and 1M PDQ, 1M pHash, 2,000 queries"
    )
    parser.add_argument("--out", default=None, help="also write the Markdown report here")
    args = parser.parse_args(argv)
    faiss = import_faiss()

    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    q = args.queries
    phash = args.phash_size
    faiss_budget, ref_budget = FAISS_BUDGET_PAIRS, REFERENCE_BUDGET_PAIRS
    if args.quick:
        sizes, q, phash = [100_000, 1_000_000], min(q, 2_000), min(phash, 1_000_000)
        faiss_budget, ref_budget = faiss_budget / 4, ref_budget / 4
    dists = [d.strip() for d in args.dists.split(",") if d.strip()]
    if any(d not in ("uniform", "skewed") for d in dists) or q < 2 or not sizes:
        parser.error("--dists takes uniform and/or skewed; --queries >= 2; --sizes not empty")

    started = datetime.now(UTC)
    load_start = load_average()
    t_all = time.perf_counter()
    semantics = check_faiss_semantics(faiss)
    print(semantics, flush=True)
    rows: list[Row] = []
    configs = [(256, d, n) for n in sizes for d in dists]
    if phash:
        configs += [(64, d, phash) for d in dists]
    for bits, dist, n in configs:
        rows.append(
            run_config(faiss, bits, dist, n, q, args.seed, args.threads, faiss_budget, ref_budget)
        )
    total_s = time.perf_counter() - t_all

    threads = HashIndex(64, threads=args.threads).threads
    header = [
        "## Exact hash matching throughput: HashIndex vs faiss IndexBinaryFlat",
        "",
        f"- date (UTC): {started:%Y-%m-%d %H:%M}",
        f"- machine: {cpu_model()}, {os.cpu_count()} logical CPUs, {mem_total()} RAM, "
        f"{platform.system()} {platform.release()}",
        f"- Python {platform.python_version()}, numpy {np.__version__}, "
        f"faiss {getattr(faiss, '__version__', '?')} ({faiss.omp_get_max_threads()} OpenMP "
        f"threads), HashIndex threads: {threads}",
        f"- command: `python {' '.join(shlex.quote(a) for a in [sys.argv[0], *sys.argv[1:]])}`",
        f"- load average at start: {load_start}; at end: {load_average()}; "
        f"total run time {total_s:.0f} s",
    ]
    notes = [
        f"- {semantics}",
        "- `*` faiss timed on a subset of the queries (evenly spaced), q/s extrapolated.",
        "- recall = found pairs / reference pairs, on the reference queries; "
        "'ours == brute force' compares pairs and distances exactly on those queries.",
        "- queries: half noisy copies of stored hashes (PDQ 0-31, pHash 0-15 bits flipped), "
        "half fresh hashes from the stored set's generator.",
        "- RSS growth: resident memory after `add` + `build` minus before (includes the "
        "index's own copy of the hashes); in brackets the peak seen while building (the "
        "sort buffer of the table being built). The baseline is taken after freed memory "
        "is returned to the OS (malloc_trim), so earlier runs do not hide growth.",
    ]
    text = report(rows, header, notes)
    print()
    print(text)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as fh:
            fh.write(text + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
