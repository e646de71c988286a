"""Benchmark: hostile and damaged videos and HEIC/AVIF files through intake.

The set is made by ``tests/hostile_media.py`` from a seed (about 400 videos: truncated,
bytes flipped in headers and in moov/mdat, boxes missing or with lying sizes, huge declared
dimensions and durations, zero time bases, odd display matrices, audio only, 50 and 300
streams, endless-looking streams, B-frames, wrong names, videos disguised as pictures; about
90 HEIC/AVIF: truncated, flipped, lying ``ispe`` sizes, grids of up to 40,000 tiles, animated).

In a fresh process (so nothing loaded here counts): pass 1 runs every file through
``hash_many`` with N forkserver workers, as intake does, sampling the memory of the whole
process tree every 5 ms (resident and proportional sums) and each process's own high-water
mark; pass 2 runs each file alone in a one-worker pool through ``hash_file`` and, for a
video, the frame sampling analysis uses (one frame a second at 1280 px), timing each and
noting any worker that dies, any exception that escapes, any file still running after
``--per-file-s``.

Figures are printed, never asserted (the test asserts what does not depend on the machine).
Usage::

    python bench/hostile_media.py [--seed 12] [--workers 2]
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

import hostile_media as hm


def _error_kind(message: str | None) -> str:
    """A short label for an error message, for the table."""
    if not message:
        return "result"
    for needle, label in (
        ("is empty", "empty"),
        ("no video stream", "no video stream"),
        ("cannot be opened as a video", "cannot open"),
        ("no frame could be decoded", "damaged, no frame"),
        ("no decodable video frames", "no frames"),
        ("cannot decode", "unknown codec"),
        ("pixel limit", "frames too large"),
        ("pictures (tiles", "too many tiles"),
        ("decompression bomb", "declared too large"),
        ("more than the file holds", "box past the end"),
        ("of picture descriptions", "metadata too large"),
        ("damaged or truncated", "damaged image"),
        ("cannot be decoded", "image undecodable"),
        ("is not an image", "not an image"),
        ("is not a video", "not a video"),
        ("could not be processed", "processing failed"),
    ):
        if needle in message:
            return label
    return "other: " + message.split(":")[0][-40:]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=hm.SEED)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--role", default="suspect")
    parser.add_argument("--per-file-s", type=float, default=120.0)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        started = time.perf_counter()
        made = hm.generate(work / "set", args.seed)
        gen_s = time.perf_counter() - started
        listing = work / "list.txt"
        listing.write_text("\n".join(str(h.path) for h in made))
        started = time.perf_counter()
        done = subprocess.run(
            [
                sys.executable,
                hm.__file__,
                "--probe",
                str(listing),
                "--workers",
                str(args.workers),
                "--role",
                args.role,
                "--per-file-s",
                str(args.per_file_s),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        probe_s = time.perf_counter() - started
        if done.returncode != 0:
            print(done.stderr[-4000:], file=sys.stderr)
            return 1
        out: dict[str, Any] = json.loads(done.stdout)
        total_bytes = sum(h.path.stat().st_size for h in made)

    by_path = {h.path.name: h for h in made}
    rows = out["rows"]
    families: Counter[str] = Counter(h.family for h in made)
    kinds: dict[str, Counter[str]] = defaultdict(Counter)
    errors: Counter[str] = Counter()
    vision_errors: Counter[str] = Counter()
    times = []
    for row in rows:
        h = by_path[Path(row["path"]).name]
        kinds[f"{h.family}/{h.kind}"][_error_kind(row.get("error"))] += 1
        errors[_error_kind(row.get("error"))] += 1
        if h.family == "video":
            vision_errors[_error_kind(row.get("vision_error"))] += 1
        times.append((row.get("hash_s", 0.0) + row.get("vision_s", 0.0), h.path.name))
    times.sort()
    secs = [t for t, _ in times]

    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    print(
        f"# Hostile media through intake ({when}, {platform.machine()}, "
        f"Python {platform.python_version()}, seed {args.seed})"
    )
    print()
    print(
        f"files: {len(made)} ({families['video']} video, {families['heif']} HEIC/AVIF), "
        f"{total_bytes / 1024**2:.1f} MiB, made in {gen_s:.1f} s"
    )
    print(
        f"crashes (worker died, exception escaped, hang > {args.per_file_s:.0f} s): "
        f"{len(out['crashes'])}"
    )
    for c in out["crashes"]:
        print(f"  - {c}")
    print(f"rows: {sum(1 for r in rows if 'kind' in r)} of {len(rows)}")
    print()
    print(f"## hash_many, {args.workers} forkserver workers, role {args.role}")
    print(f"wall time: {out['pool_s']:.1f} s")
    print(
        f"process tree peak, proportional (PSS) sum, sampled every 5 ms: "
        f"{out['pool_tree_peak_pss_mib']:.0f} MiB"
    )
    print(f"process tree peak, resident (RSS) sum, sampled: {out['pool_tree_peak_mib']:.0f} MiB")
    print(
        f"sum of each process's own peak (VmHWM, {out['pool_processes']} processes): "
        f"{out['pool_tree_hwm_sum_mib']:.0f} MiB "
        f"({', '.join(f'{v:.0f}' for v in out['pool_process_hwm_mib'])})"
    )
    print()
    print("| files (family/damage) | count | results and errors |")
    print("|---|---:|---|")
    for kind in sorted(kinds):
        c = kinds[kind]
        detail = ", ".join(f"{k} {v}" for k, v in c.most_common())
        print(f"| {kind} | {sum(c.values())} | {detail} |")
    print()
    print("errors by kind (hash_many): " + ", ".join(f"{k} {v}" for k, v in errors.most_common()))
    print(
        "video frame sampling for analysis: "
        + ", ".join(f"{k} {v}" for k, v in vision_errors.most_common())
    )
    print()
    print("## each file alone (hash_file + analysis frame sampling), one worker")
    print(
        f"time per file: mean {statistics.mean(secs) * 1000:.0f} ms, "
        f"median {statistics.median(secs) * 1000:.0f} ms, max {secs[-1]:.1f} s"
    )
    print("slowest: " + ", ".join(f"{n} {t:.1f} s" for t, n in reversed(times[-5:])))
    print(f"whole run in the fresh process: {probe_s:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
