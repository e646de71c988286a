"""Benchmark: our hashing against PIL reduce-on-load + pdqhash, A/B in one run, one warm pool.

Both methods run in the *same* worker pool (the product's own forkserver pool, started and
warmed before any timing, with the product's worker set-up for both), on the same files, in
rounds that alternate which goes first; so both see the same load on a shared machine, and
the per-round ratio is the figure to read.

* ours: ``hash_many(paths, "plain", workers=N)``: SHA-256, MD5, PDQ + quality, pHash, dHash;
  with ``--processes 1``, ``hash_file`` in this process.
* PIL draft + pdqhash: ``Image.open``; ``draft("RGB", (192, 192))`` (the same DCT scale ours
  decodes at, 1/8 for 12 MP); ``pdqhash.compute`` (PDQ + quality only, no digests).

Also reported: CPU seconds per image of the whole process tree, the peak memory of the whole
tree while each method ran (RSS and PSS summed over this process, the fork server and its
workers, sampled from /proc every 20 ms: bench/proctree.py), and each method's PDQ distance
from a full decode + pdqhash of the same file.

Timings are printed, never asserted. Usage::

    python bench/hash_paired.py [--count 40] [--rounds 5] [--processes 2] [--size 4000x3000]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pdqhash
from benchmachine import cpu_model, load_average
from hash_throughput import JPEG_QUALITY, photo_like, source_photos
from PIL import Image
from proctree import Peak, cpu_seconds, sample_peak, tree

from ncii_desk.hashing import perceptual as ph
from ncii_desk.hashing import pipeline
from ncii_desk.hashing.pipeline import PLAIN_DECODE_SIDE, hash_file, hash_many

OURS, DRAFT = "ours (all hashes)", "PIL draft + pdqhash"


def draft_baseline(path: Path) -> tuple[str, int]:
    img = Image.open(path)
    img.draft("RGB", (PLAIN_DECODE_SIDE, PLAIN_DECODE_SIDE))
    vector, quality = pdqhash.compute(np.asarray(img.convert("RGB")))
    return ph.bits_to_hex(vector), int(quality)


def full_reference(path: Path) -> str:
    vector, _ = pdqhash.compute(np.asarray(Image.open(path).convert("RGB")))
    return ph.bits_to_hex(vector)


def run(method: str, paths: list[Path], processes: int) -> list[tuple[str, int]]:
    if method == OURS:
        if processes == 1:
            found = [hash_file(p) for p in paths]
        else:
            found = list(hash_many(paths, "plain", workers=processes))
        by_path = {r.path: r for r in found}
        out = []
        for p in paths:
            r = by_path[str(p)]
            if r.error or r.pdq is None or r.pdq_quality is None:
                raise RuntimeError(f"{p}: {r.error}")
            out.append((r.pdq, r.pdq_quality))
        return out
    if processes == 1:
        return [draft_baseline(p) for p in paths]
    return list(pipeline._pool(processes).map(draft_baseline, paths))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--size", default="4000x3000", help="W x H of the JPEGs (12 MP)")
    args = parser.parse_args()
    w, h = (int(v) for v in args.size.lower().split("x"))
    started = datetime.now(UTC)
    print(f"# Paired hashing benchmark ({started:%Y-%m-%d %H:%M} UTC)")
    print(f"machine: {cpu_model()}, {os.cpu_count()} cores; {platform.platform()}")
    print(f"python {sys.version.split()[0]}; load average at start {load_average()}")
    print("command: python bench/hash_paired.py " + " ".join(sys.argv[1:]))
    rng = np.random.default_rng(7)
    sources = source_photos()
    if args.processes == 1:  # in-process: the settings the pool workers get
        pipeline._worker_init(1)
    with tempfile.TemporaryDirectory(prefix="ncii-paired-") as tmp:
        paths = []
        for i in range(args.count):
            path = Path(tmp) / f"{w}x{h}-{i}.jpg"
            Image.fromarray(photo_like(w, h, rng, sources)).save(path, quality=JPEG_QUALITY)
            paths.append(path)
        mib = sum(p.stat().st_size for p in paths) / 1024**2
        print(f"{args.count} JPEGs of {w}x{h} (quality {JPEG_QUALITY}), {mib:.0f} MiB")
        reference = [full_reference(p) for p in paths]
        methods = (OURS, DRAFT)
        for m in methods:  # warm-up: the pool starts, workers import, page cache fills
            run(m, paths[: 2 * args.processes], args.processes)
        rates: dict[str, list[float]] = {m: [] for m in methods}
        cpu: dict[str, list[float]] = {m: [] for m in methods}
        peaks: dict[str, Peak] = {m: Peak() for m in methods}
        ratios = []
        first: dict[str, list[tuple[str, int]]] = {}
        for r in range(args.rounds):
            order = methods if r % 2 == 0 else methods[::-1]
            this: dict[str, float] = {}
            for m in order:
                pids = tree()
                c0, t0 = cpu_seconds(pids), time.perf_counter()
                with sample_peak() as peak:
                    results = run(m, paths, args.processes)
                seconds = time.perf_counter() - t0
                used = cpu_seconds(pids) - c0
                first.setdefault(m, results)
                this[m] = len(paths) / seconds
                rates[m].append(this[m])
                cpu[m].append(used / len(paths))
                best = peaks[m]
                best.rss, best.pss = max(best.rss, peak.rss), max(best.pss, peak.pss)
                best.processes = max(best.processes, peak.processes)
            ratios.append(this[OURS] / this[DRAFT])
            print(
                f"  round {r + 1}: ours {this[OURS]:.1f} img/s, draft+pdqhash "
                f"{this[DRAFT]:.1f} img/s, ratio {ratios[-1]:.2f}x; load {load_average()}"
            )
    print()
    print(
        f"| Method ({args.processes} process(es)) | img/s (median of {args.rounds}) | "
        "CPU ms/img (tree) | PDQ bits from full decode (mean / max) | peak memory, tree |"
    )
    print("|---|---:|---:|---:|---|")
    for m in methods:
        bits = [ph.hamming_hex(a[0], b) for a, b in zip(first[m], reference, strict=True)]
        print(
            f"| {m} | {statistics.median(rates[m]):.1f} | "
            f"{1000 * statistics.median(cpu[m]):.1f} | {statistics.mean(bits):.2f} / {max(bits)} | "
            f"{peaks[m].text()} |"
        )
    print()
    print(
        f"ours / PIL draft + pdqhash, per round: "
        f"{', '.join(f'{x:.2f}' for x in ratios)}; median {statistics.median(ratios):.2f}x"
    )
    print(f"load average at end {load_average()}")
    pipeline.shutdown_pools()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
