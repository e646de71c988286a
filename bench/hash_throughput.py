"""Benchmark: image hashing throughput, our pipeline against the common baseline.

Methods, each run with 1 process and with 2 processes, side by side, after a warm-up:

* ours: ``hash_file(path, "plain")`` (PDQ + quality, pHash, dHash, MD5 and SHA-256 of the
  file; JPEG decoded at a reduced DCT scale, PDQ computed from ~512 px pixels); 2 processes
  through ``hash_many(workers=2)``;
* PIL + pdqhash: ``pdqhash.compute(np.asarray(Image.open(p).convert("RGB")))`` (full decode,
  what most integrations do);
* PIL draft + pdqhash: the same after ``draft("RGB", (192, 192))``, PIL's reduce-on-load at
  the DCT scale ours decodes at (1/8 for 12 MP): the decode floor a careful script reaches;
* imagehash.phash: ``imagehash.phash(Image.open(p))``.

Every 2-process run uses the same warm pool: the product's own forkserver pool
(``pipeline._pool(2)``, with the product's worker set-up), started and warmed before any
timing; ours submits through ``hash_many(workers=2)``, the others through ``pool.map``.

Sets (generated in a temp folder, removed afterwards): photo-like 1024x768, 3000x2000 and
4000x3000 (12 MP, JPEG only) images, JPEG at quality 90 and PNG. The pixels are mosaics of
scikit-image's sample photos, resized and cropped, with sensor-like noise, so JPEG sizes are
realistic (about 0.3-0.4 bytes per pixel). PNGs are written with zlib level 1 to keep
generation short (inflate speed, hence decode time, hardly depends on the level).

Also reported: mean/max PDQ bit difference between our hash (reduced decode) and the
full-decode baseline on the same files, and the peak memory of the whole process tree
(this process, the fork server and its workers: RSS and PSS summed, sampled from /proc,
bench/proctree.py) of each method's 2-process run, each in a fresh Python process so earlier
phases do not pollute it.

OpenCV's own thread pool is switched off (``cv2.setNumThreads(1)``) before anything runs:
``hash_many`` forks its workers, and a worker forked after the parent has used OpenCV's
thread pool can deadlock on a mutex inside ``cv2`` (seen here: a worker blocked for ever in
``pthread_mutex_lock`` under a ``cv2`` call). With one OpenCV thread, "1 process" also really
means one core.

Timings are printed, never asserted. Usage::

    python bench/hash_throughput.py [--count 60] [--repeats 3] [--quick] [--markdown]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import resource
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import cv2
import imagehash
import numpy as np
import pdqhash
from benchmachine import (
    busy_cpu_seconds,
    cpu_model,
    load_average,
    mem_total,
)
from PIL import Image
from proctree import cpu_seconds, sample_peak, tree

from ncii_desk.hashing import perceptual as ph
from ncii_desk.hashing import pipeline
from ncii_desk.hashing.pipeline import PLAIN_DECODE_SIDE, hash_file, hash_many

SMALL = (1024, 768)
LARGE = (3000, 2000)
PHONE = (4000, 3000)  # 12 MP: JPEG only
JPEG_QUALITY = 90
PNG_LEVEL = 1
NOISE_SIGMA = 4.0
TARGET_RATIO = 3.0
PHONE_TARGET = 60.0  # img/s, 12 MP JPEG, 2 processes
WARMUP_FILES = 2
#: scikit-image sample photos used as texture sources (grey ones are made RGB). ``cat`` is
#: the same photo as ``chelsea`` and is not used.
SOURCE_NAMES = (
    "astronaut",
    "coffee",
    "chelsea",
    "rocket",
    "hubble_deep_field",
    "immunohistochemistry",
    "retina",
    "camera",
    "coins",
    "moon",
    "brick",
    "grass",
    "gravel",
)

_quiet = False


def log(msg: str) -> None:
    """Progress; on stderr when only the Markdown section is wanted."""
    print(msg, file=sys.stderr if _quiet else sys.stdout, flush=True)


# --- machine -----------------------------------------------------------------------------


def lib_version(name: str) -> str:
    from importlib.metadata import version

    try:
        return version(name)
    except Exception:  # informational only
        return "unknown"


def machine_info() -> list[tuple[str, str]]:
    libs = ", ".join(
        f"{n} {lib_version(n)}"
        for n in ("numpy", "Pillow", "opencv-python-headless", "pdqhash", "ImageHash")
    )
    return [
        ("Platform", platform.platform()),
        ("CPU", cpu_model()),
        ("Cores", str(os.cpu_count())),
        ("Memory", mem_total()),
        ("Python", f"{platform.python_implementation()} {platform.python_version()}"),
        ("Libraries", libs),
        (
            "OpenCV threads (set to 1 by this benchmark, see the docstring)",
            str(cv2.getNumThreads()),
        ),
        ("Load average at start (1/5/15 min)", load_average()),
    ]


# --- images ------------------------------------------------------------------------------


def source_photos() -> list[np.ndarray]:
    import skimage.data

    out = []
    for name in SOURCE_NAMES:
        img = np.asarray(getattr(skimage.data, name)())
        if img.dtype == bool:
            img = img.astype(np.uint8) * 255
        if img.ndim == 2:
            img = np.dstack([img] * 3)
        out.append(np.ascontiguousarray(img[:, :, :3].astype(np.uint8)))
    return out


def _cover(img: np.ndarray, w: int, h: int, rng: np.random.Generator) -> np.ndarray:
    """Resize ``img`` to cover w x h (a little larger at random) and crop at random."""
    ih, iw = img.shape[:2]
    scale = max(w / iw, h / ih) * rng.uniform(1.0, 1.5)
    size = (max(w, round(iw * scale)), max(h, round(ih * scale)))
    interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC
    big = cv2.resize(img, size, interpolation=interp)
    y = int(rng.integers(0, big.shape[0] - h + 1))
    x = int(rng.integers(0, big.shape[1] - w + 1))
    return big[y : y + h, x : x + w]


def photo_like(w: int, h: int, rng: np.random.Generator, sources: Sequence[np.ndarray]):
    """A photo-sized image: one sample photo, or a mosaic of them, plus sensor-like noise."""
    cell = int(w // rng.choice([1, 2, 4, 6]))
    out = np.empty((h, w, 3), np.uint8)
    for y in range(0, h, cell):
        for x in range(0, w, cell):
            ch, cw = min(cell, h - y), min(cell, w - x)
            out[y : y + ch, x : x + cw] = _cover(sources[rng.integers(len(sources))], cw, ch, rng)
    noisy = out.astype(np.float32)
    noisy += rng.normal(0, NOISE_SIGMA, (h, w, 1)).astype(np.float32)
    noisy += rng.normal(0, NOISE_SIGMA / 2, (h, w, 3)).astype(np.float32)
    return np.clip(noisy, 0, 255).astype(np.uint8)


@dataclass
class ImageSet:
    name: str
    fmt: str
    paths: list[Path] = field(default_factory=list)
    bytes: int = 0

    @property
    def mib(self) -> float:
        return self.bytes / 1024**2


def generate(work: Path, counts: dict[tuple[int, int], int], seed: int) -> list[ImageSet]:
    sources = source_photos()
    rng = np.random.default_rng(seed)
    sets = []
    for (w, h), count in counts.items():
        jpeg = ImageSet(f"{w}x{h}", "JPEG")
        png = ImageSet(f"{w}x{h}", "PNG")
        folder = work / f"{w}x{h}"
        folder.mkdir()
        t0 = time.perf_counter()
        for i in range(count):
            img = Image.fromarray(photo_like(w, h, rng, sources))
            jp, pp = folder / f"img{i:03d}.jpg", folder / f"img{i:03d}.png"
            img.save(jp, "JPEG", quality=JPEG_QUALITY)
            jpeg.paths.append(jp)
            jpeg.bytes += jp.stat().st_size
            if (w, h) != PHONE:  # 12 MP: JPEG only (what phones write)
                img.save(pp, "PNG", compress_level=PNG_LEVEL)
                png.paths.append(pp)
                png.bytes += pp.stat().st_size
        log(f"  generated {count} x {w}x{h} (JPEG + PNG) in {time.perf_counter() - t0:.1f} s")
        sets += [jpeg, png] if png.paths else [jpeg]
    return sets


# --- methods (module level so worker processes can pickle them) ----------------------------


def ours(path: Path) -> tuple[str, int]:
    r = hash_file(path, "plain")
    if r.error or r.pdq is None or r.pdq_quality is None:
        raise RuntimeError(f"{path}: {r.error}")
    return r.pdq, r.pdq_quality


def baseline(path: Path) -> tuple[str, int]:
    vector, quality = pdqhash.compute(np.asarray(Image.open(path).convert("RGB")))
    return ph.bits_to_hex(vector), int(quality)


def draft_baseline(path: Path) -> tuple[str, int]:
    img = Image.open(path)
    img.draft("RGB", (PLAIN_DECODE_SIDE, PLAIN_DECODE_SIDE))  # reduce-on-load (JPEG only)
    vector, quality = pdqhash.compute(np.asarray(img.convert("RGB")))
    return ph.bits_to_hex(vector), int(quality)


def imagehash_phash(path: Path) -> tuple[str, int]:
    return str(imagehash.phash(Image.open(path))), 0


METHODS: dict[str, Callable[[Path], tuple[str, int]]] = {
    "ours: hash_file plain": ours,
    "PIL + pdqhash": baseline,
    "PIL draft + pdqhash": draft_baseline,
    "imagehash.phash": imagehash_phash,
}
OURS, BASE, DRAFT = "ours: hash_file plain", "PIL + pdqhash", "PIL draft + pdqhash"


def run(name: str, paths: Sequence[Path], workers: int) -> tuple[float, list[tuple[str, int]]]:
    """Seconds to hash all ``paths`` (in the warm pool for 2 processes) and the results."""
    fn = METHODS[name]
    t0 = time.perf_counter()
    if workers == 1:
        results = [fn(p) for p in paths]
    elif fn is ours:
        by_path = {}
        for r in hash_many(paths, "plain", workers=workers):
            if r.error or r.pdq is None or r.pdq_quality is None:
                raise RuntimeError(f"{r.path}: {r.error}")
            by_path[r.path] = (r.pdq, r.pdq_quality)
        results = [by_path[str(p)] for p in paths]
    else:  # the same warm pool as ours (started by the warm-up)
        results = list(pipeline._pool(workers).map(fn, paths))
    return time.perf_counter() - t0, results


def _noop(x: int) -> int:
    return x


def pool_startup_ms(repeats: int = 5) -> float:
    """Median time to start a 2-process pool and get one trivial result back, then close it."""
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        with ProcessPoolExecutor(max_workers=2) as pool:
            list(pool.map(_noop, [1, 2]))
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


# --- peak RSS (in a fresh process) -----------------------------------------------------------


def rss_probe(method: str, list_file: Path) -> None:
    """Child mode: hash the listed files with 2 processes and print peak memory as JSON."""
    paths = [Path(line) for line in list_file.read_text().splitlines() if line]
    out: dict[str, Any] = {}
    run(method, paths[:2], 2)  # the pool starts and warms, as in the timed runs
    with sample_peak() as peak:
        run(method, paths, 2)
    out["source"] = "proctree"
    out["tree_peak_mib"] = peak.rss / 1024**2
    out["tree_pss_mib"] = peak.pss / 1024**2
    out["processes"] = peak.processes
    # ru_maxrss of RUSAGE_SELF survives exec (it would report the benchmark process that
    # started this one), so the parent's own peak is VmHWM, which a new program starts afresh.
    out["self_mib"] = vm_hwm_mib()
    out["self_source"] = "VmHWM"
    if out["self_mib"] is None:
        out["self_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        out["self_source"] = "RUSAGE_SELF"
    # Linux reports ru_maxrss in KiB.
    out["child_mib"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(json.dumps(out))


def vm_hwm_mib() -> float | None:
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        pass
    return None


def measure_rss(method: str, paths: Sequence[Path], work: Path) -> dict[str, Any]:
    list_file = work / "rss-list.txt"
    list_file.write_text("\n".join(str(p) for p in paths) + "\n")
    cmd = [sys.executable, __file__, "--rss-probe", method, str(list_file)]
    done = subprocess.run(cmd, capture_output=True, text=True, check=True)
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def fmt_rss(r: dict[str, Any]) -> str:
    if r["source"] == "proctree":
        return (
            f"{r['tree_pss_mib']:.0f} MiB PSS / {r['tree_peak_mib']:.0f} MiB RSS "
            f"({r['processes']} processes)"
        )
    bound = r["self_mib"] + 2 * r["child_mib"]
    return (
        f"parent {r['self_mib']:.0f} + largest worker {r['child_mib']:.0f} MiB "
        f"(tree ≤ {bound:.0f} MiB)"
    )


# --- main --------------------------------------------------------------------------------


def others_during(start: tuple[float | None, float, float]) -> str:
    """CPU other processes took while the benchmark ran: the machine's busy time less that of
    this process tree (its pool workers included, which RUSAGE_CHILDREN does not count)."""
    busy0, own0, wall0 = start
    busy1 = busy_cpu_seconds()
    if busy0 is None or busy1 is None:
        return "unknown"
    wall = time.perf_counter() - wall0
    other = max(0.0, (busy1 - busy0) - (cpu_seconds(tree()) - own0))
    return (
        f"{other:.0f} CPU s of {wall * (os.cpu_count() or 1):.0f} available, "
        f"i.e. {other / wall:.2f} cores busy on average"
    )


def rate(n: int, seconds: list[float]) -> float:
    return n / statistics.median(seconds)


def bit_diffs(a: list[tuple[str, int]], b: list[tuple[str, int]]) -> list[int]:
    return [ph.hamming_hex(x[0], y[0]) for x, y in zip(a, b, strict=True)]


def render(
    sets: list[ImageSet],
    times: dict[tuple[str, str, int], list[float]],
    others: dict[tuple[str, str, int], list[float]],
    diffs: dict[str, tuple[list[int], list[int]]],
    rss: dict[tuple[str, str], dict[str, Any]],
    machine: list[tuple[str, str]],
    command: str,
    date: str,
    repeats: int,
    startup_ms: float,
) -> str:
    lines = ["## Hash throughput", "", f"Date (UTC): {date}", "", "Machine:", ""]
    lines += [f"- {k}: {v}" for k, v in machine]
    lines += ["", "Command:", "", "```", command, "```", ""]
    lines.append(
        f"Images per second, median of {repeats} timed run(s) after a warm-up; every "
        "2-process run uses the same warm pool, the product's forkserver pool (ours: "
        "`hash_many(workers=2)`, others: `pool.map`); starting a fresh 2-process pool and "
        f"closing it costs {startup_ms:.0f} ms here (median of 5), not in these figures."
    )
    lines.append(
        "The last column is the CPU that *other* processes on the machine took during those "
        "runs (from /proc/stat minus this benchmark's own CPU time), in cores out of "
        f"{os.cpu_count()}: where it is near 1, the 2-process runs had about one core."
    )
    lines += ["", "| Set | Files | Method | 1 process (img/s) | 2 processes (img/s) | "]
    lines[-1] += (
        "2p / 1p | vs PIL + pdqhash (1p / 2p) | vs PIL draft + pdqhash (1p / 2p) | "
        "others' CPU, cores (1p / 2p) |"
    )
    lines.append("|---|---|---|---:|---:|---:|---:|---:|---:|")
    verdicts = []
    for s in sets:
        key = f"{s.name} {s.fmt}"
        n = len(s.paths)
        files = f"{n}, {s.mib:.1f} MiB ({s.mib * 1024 / n:.0f} KiB avg)"
        base1 = rate(n, times[(key, BASE, 1)])
        base2 = rate(n, times[(key, BASE, 2)])
        draft1 = rate(n, times[(key, DRAFT, 1)])
        draft2 = rate(n, times[(key, DRAFT, 2)])
        for method in METHODS:
            r1 = rate(n, times[(key, method, 1)])
            r2 = rate(n, times[(key, method, 2)])
            o1 = others.get((key, method, 1))
            o2 = others.get((key, method, 2))
            load = f"{statistics.mean(o1):.2f} / {statistics.mean(o2):.2f}" if o1 and o2 else "-"
            lines.append(
                f"| {key} | {files} | {method} | {r1:.1f} | {r2:.1f} | {r2 / r1:.2f}x | "
                f"{r1 / base1:.2f}x / {r2 / base2:.2f}x | "
                f"{r1 / draft1:.2f}x / {r2 / draft2:.2f}x | {load} |"
            )
            if method == OURS and s.fmt == "JPEG":
                ok = "meets" if min(r1 / base1, r2 / base2) >= TARGET_RATIO else "misses"
                verdicts.append(
                    f"- {key}: ours / PIL+pdqhash = {r1 / base1:.2f}x (1 process), "
                    f"{r2 / base2:.2f}x (2 processes): {ok} the target ≥ {TARGET_RATIO:.0f}x"
                )
                ok = "meets" if r2 / draft2 >= 1.0 else "misses"
                verdicts.append(
                    f"- {key}: ours / PIL draft + pdqhash = {r1 / draft1:.2f}x (1 process), "
                    f"{r2 / draft2:.2f}x (2 processes): {ok} the target ≥ 1.0x (2 processes)"
                )
                if s.name == f"{PHONE[0]}x{PHONE[1]}":
                    ok = "meets" if r2 >= PHONE_TARGET else "misses"
                    verdicts.append(
                        f"- {key}: ours {r2:.1f} img/s with 2 processes: {ok} the target "
                        f"≥ {PHONE_TARGET:.0f} img/s"
                    )
    lines += ["", f"Target (JPEG): ours ≥ {TARGET_RATIO:.0f}x PIL + pdqhash.", ""]
    lines += verdicts
    lines += ["", "PDQ agreement, ours (reduced decode, ~512 px) vs PIL full decode + pdqhash:", ""]
    lines.append("| Set | Files | Mean bit difference | Max bit difference | Mean quality diff |")
    lines.append("|---|---:|---:|---:|---:|")
    for s in sets:
        key = f"{s.name} {s.fmt}"
        d, q = diffs[key]
        lines.append(
            f"| {key} | {len(d)} | {statistics.mean(d):.2f} | {max(d)} | {statistics.mean(q):.2f} |"
        )
    how = (
        "the benchmark process, the fork server and its workers: RSS and PSS summed over "
        "the whole tree, sampled from /proc every 20 ms (bench/proctree.py); forkserver "
        "workers are not children of the benchmark, so RUSAGE_CHILDREN never sees them"
    )
    lines += ["", f"Peak memory of the 2-process run, in a fresh Python process ({how}):", ""]
    lines.append("| Set | ours: hash_many(workers=2) | PIL + pdqhash | PIL draft + pdqhash |")
    lines.append("|---|---|---|---|")
    for s in sets:
        key = f"{s.name} {s.fmt}"
        lines.append(
            f"| {key} | {fmt_rss(rss[(key, OURS)])} | {fmt_rss(rss[(key, BASE)])} | "
            f"{fmt_rss(rss[(key, DRAFT)])} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    global _quiet
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--count",
        type=int,
        default=None,
        help="images per 1024x768 set; the 3000x2000 sets get half as many "
        "(default 60, or 12 with --quick)",
    )
    parser.add_argument("--repeats", type=int, default=3, help="timed runs per method (median)")
    parser.add_argument("--quick", action="store_true", help="12/6 images (unless --count), 1 run")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--markdown", action="store_true", help="print only the Markdown section")
    parser.add_argument("--rss-probe", nargs=2, metavar=("METHOD", "LIST"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    cv2.setNumThreads(1)  # see the docstring: fork-after-threads deadlock in hash_many workers
    if args.rss_probe:
        rss_probe(args.rss_probe[0], Path(args.rss_probe[1]))
        return 0
    _quiet = args.markdown
    count = args.count or (12 if args.quick else 60)
    repeats = 1 if args.quick else args.repeats
    counts = {SMALL: max(2, count), LARGE: max(2, count // 2), PHONE: max(2, count // 3)}

    command = shlex.join(["python", sys.argv[0], *(sys.argv[1:] if argv is None else argv)])
    date = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    machine = machine_info()
    cpu_start = (busy_cpu_seconds(), cpu_seconds(tree()), time.perf_counter())
    work = Path(tempfile.mkdtemp(prefix="ncii-hashbench-"))
    overall = time.perf_counter()
    times: dict[tuple[str, str, int], list[float]] = {}
    others: dict[tuple[str, str, int], list[float]] = {}
    diffs: dict[str, tuple[list[int], list[int]]] = {}
    rss: dict[tuple[str, str], dict[str, Any]] = {}
    try:
        log(f"Generating images in {work} ...")
        sets = generate(work, counts, args.seed)
        gc.collect()
        startup_ms = pool_startup_ms()
        log(f"2-process pool start-up and close: {startup_ms:.0f} ms")
        for s in sets:
            key = f"{s.name} {s.fmt}"
            log(f"{key}: {len(s.paths)} files, {s.mib:.1f} MiB")
            for method in METHODS:  # warm-up: imports, page cache, the pool, first calls
                run(method, s.paths[:WARMUP_FILES], 1)
                run(method, s.paths[: 2 * WARMUP_FILES], 2)
            first: dict[str, list[tuple[str, int]]] = {}
            for rep in range(repeats):
                for method in METHODS:
                    for workers in (1, 2):
                        busy0, own0 = busy_cpu_seconds(), cpu_seconds(tree())
                        seconds, results = run(method, s.paths, workers)
                        busy1, own1 = busy_cpu_seconds(), cpu_seconds(tree())
                        times.setdefault((key, method, workers), []).append(seconds)
                        if busy0 is not None and busy1 is not None:
                            other = max(0.0, (busy1 - busy0) - (own1 - own0)) / seconds
                            others.setdefault((key, method, workers), []).append(other)
                        first.setdefault(method, results)
                        log(
                            f"  run {rep + 1}: {method}, {workers} process(es): "
                            f"{len(s.paths) / seconds:.1f} img/s"
                        )
            d = bit_diffs(first[OURS], first[BASE])
            q = [abs(a[1] - b[1]) for a, b in zip(first[OURS], first[BASE], strict=True)]
            diffs[key] = (d, q)
            log(f"  PDQ bit difference ours vs full decode: mean {statistics.mean(d):.2f}")
            for method in (OURS, BASE, DRAFT):
                rss[(key, method)] = measure_rss(method, s.paths, work)
                log(f"  peak RSS {method}: {fmt_rss(rss[(key, method)])}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    log(f"Total benchmark time {time.perf_counter() - overall:.0f} s; removed {work}")
    machine.append(("Load average at end (1/5/15 min)", load_average()))
    machine.append(("CPU used by other processes during the run", others_during(cpu_start)))
    section = render(sets, times, others, diffs, rss, machine, command, date, repeats, startup_ms)
    if not args.markdown:
        print()
    print(section, end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
