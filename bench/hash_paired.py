"""Benchmark: our hashing against PIL + pdqhash, timed in pairs on a shared machine.

``hash_throughput.py`` times each method over a whole set in turn, so on a machine other jobs
share, one method can get a busy minute and the other a quiet one. Here each file is hashed by
both methods back to back, in alternating order, for several rounds; each method's time is the
sum over files of its per-file median. Both see the same load, so the ratio is the figure to
read (single process; the images are the same kind as hash_throughput.py's).

Timings are printed, never asserted. Usage::

    python bench/hash_paired.py [--count 40] [--rounds 5]
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from benchmachine import cpu_model, load_average
from hash_throughput import JPEG_QUALITY, baseline, photo_like, source_photos
from PIL import Image

from ncii_desk.hashing import perceptual as ph
from ncii_desk.hashing.pipeline import hash_file


def ours(path: Path) -> tuple[str, int]:
    r = hash_file(path)  # every hash: SHA-256, MD5, PDQ + quality, pHash, dHash
    assert r.pdq is not None and r.pdq_quality is not None, r.error
    return r.pdq, r.pdq_quality


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    print(f"# Paired hashing benchmark ({datetime.now(UTC):%Y-%m-%d %H:%M} UTC)")
    print(f"machine: {cpu_model()}, {os.cpu_count()} cores; {platform.platform()}")
    print(f"python {sys.version.split()[0]}; load average at start {load_average()}")
    rng = np.random.default_rng(7)
    sources = source_photos()
    with tempfile.TemporaryDirectory(prefix="ncii-paired-") as tmp:
        for w, h in ((1024, 768), (3000, 2000)):
            paths = []
            for i in range(args.count):
                path = Path(tmp) / f"{w}x{h}-{i}.jpg"
                Image.fromarray(photo_like(w, h, rng, sources)).save(path, quality=JPEG_QUALITY)
                paths.append(path)
            times: dict[str, list[list[float]]] = {"ours": [], "PIL + pdqhash": []}
            bits = []
            for p in paths:
                pair = {"ours": ours, "PIL + pdqhash": baseline}
                per: dict[str, list[float]] = {k: [] for k in pair}
                for r in range(args.rounds):
                    order = list(pair) if r % 2 == 0 else list(pair)[::-1]
                    for name in order:
                        t = time.perf_counter()
                        value = pair[name](p)
                        per[name].append(time.perf_counter() - t)
                        if name == "PIL + pdqhash":
                            reference = value
                for k, v in per.items():
                    times[k].append(v)
                bits.append(ph.hamming_hex(ours(p)[0], reference[0]))
            total = {k: sum(float(np.median(v)) for v in vs) for k, vs in times.items()}
            rate = {k: len(paths) / t for k, t in total.items()}
            print(
                f"{w}x{h} JPEG, {len(paths)} files x {args.rounds} rounds: ours "
                f"{rate['ours']:.1f} img/s, PIL + pdqhash {rate['PIL + pdqhash']:.1f} img/s, "
                f"ratio {rate['ours'] / rate['PIL + pdqhash']:.2f}x; PDQ bits from the "
                f"full-decode reference: mean {np.mean(bits):.2f}, max {max(bits)}"
            )
    print(f"load average at end {load_average()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
