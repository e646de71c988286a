"""Scan throughput by executor: in-process, the process pool, Ray with 1 and 2 workers.

    .venv/bin/python bench/scan_executors.py                 # 2,000 generated JPEGs, 2 rounds
    .venv/bin/python bench/scan_executors.py --files 100000 --distinct 2000

N generated JPEGs (smooth noise under ellipses, 320x240 to 1024x768 or with ``--large``
4000x3000, quality 85) are scanned
against a list holding the hashes (with variants) of 50 of them. ``--distinct K`` makes the
N files hard links to K distinct pictures, so 100,000 files need the disk of K (every file is
still read and decoded; the page cache serves the reads). Each run is a fresh process, its
start-up (a Ray cluster's start included) timed apart from the scan; modes are interleaved
round by round, so a busy machine slows each alike. Peak memory is the whole process tree's
resident set (the run's process and every descendant: pool workers, raylet, GCS, Ray
workers), summed from /proc every 50 ms. CPU ms/file is the user+system time of that tree during the
scan (start-up excluded) per file: unlike files/s it hardly moves when other programs load the
machine, and it shows each executor's overhead. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchmachine import cpu_model, load_average, mem_total

MODES = ("in-process", "pool-2", "ray-1", "ray-2")


PHONE = (4000, 3000)  # --large: what phones write


def _generate(folder: Path, files: int, distinct: int, listed: int, large: bool = False) -> Path:
    import cv2
    import numpy as np

    from ncii_desk.hashing.lists import HashEntry
    from ncii_desk.hashing.pipeline import hash_file
    from ncii_desk.hashing.video_lists import TaggedRow, write_tagged_csv
    from ncii_desk.services.hashlists import picture_variants

    rng = np.random.default_rng(7)
    sizes = [PHONE] if large else [(320, 240), (640, 480), (800, 600), (1024, 768)]
    made: list[Path] = []
    for k in range(files):
        sub = folder / f"d{k // 1000:03d}"
        sub.mkdir(exist_ok=True)
        path = sub / f"img{k:06d}.jpg"
        if k < distinct:
            w, h = sizes[k % len(sizes)]
            coarse = rng.random((8, 8, 3)).astype(np.float32)
            img = (cv2.resize(coarse, (w, h), interpolation=cv2.INTER_CUBIC) * 200 + 25).astype(
                np.uint8
            )
            for _ in range(6):
                colour = tuple(int(c) for c in rng.integers(0, 256, 3))
                centre = (int(rng.integers(0, w)), int(rng.integers(0, h)))
                axes = (int(rng.integers(10, w // 4)), int(rng.integers(10, h // 4)))
                cv2.ellipse(img, centre, axes, float(rng.uniform(0, 180)), 0, 360, colour, -1)
            cv2.imwrite(str(path), img, [cv2.IMWRITE_JPEG_QUALITY, 85])
            made.append(path)
        else:
            os.link(made[k % distinct], path)
    rows: list[TaggedRow] = []
    for path in made[:listed]:
        fh = hash_file(path, "original")
        if fh.pdq is None:
            continue
        rows.append(TaggedRow(HashEntry("pdq", fh.pdq, fh.pdq_quality, "bench")))
        records = [(v.kind, v.value, v.quality, v.variant) for v in fh.variants]
        variants = picture_variants(fh.pdq, fh.pdq_quality, records, fh.phash, "bench")
        rows += [TaggedRow(e, e.variant, e.original) for e in variants]
    listing = folder.parent / "list.csv"
    with open(listing, "w", encoding="utf-8", newline="") as out:
        write_tagged_csv(rows, out)
    return listing


def _child(mode: str, folder: Path, listing: Path) -> None:
    """One run in this fresh process: start the executor, scan, print figures as JSON."""
    from ncii_desk.media.walk import walk
    from ncii_desk.services import scan as svc

    t0 = time.perf_counter()
    lists, _ = svc.load_lists([listing], 31)
    files = [p for p, _ in walk([folder], lambda _p: None)]
    executor: svc.Executor
    if mode == "in-process":
        executor = svc.InProcess()
    elif mode == "pool-2":
        executor = svc.ProcessPool(2)
    else:
        executor = svc.RayCluster(None, cpus=int(mode.split("-")[1]))
    if mode == "pool-2":  # start the workers before the clock, as Ray's start is
        from ncii_desk.hashing.pipeline import hash_many

        list(hash_many(files[:4], "scan", workers=2))
    cpu1 = _tree_cpu(os.getpid())
    t1 = time.perf_counter()
    matched = errors = count = 0
    for row in svc.scan(files, lists, executor):
        count += 1
        matched += bool(row["matches"])
        errors += bool(row["error"])
    t2 = time.perf_counter()
    cpu = _tree_cpu(os.getpid()) - cpu1  # workers and Ray's daemons are still alive here
    executor.close()
    out = {"files": count, "matched": matched, "errors": errors, "cpu_s": cpu}
    print(json.dumps({**out, "start_s": t1 - t0, "scan_s": t2 - t1}))


def _tree_cpu(root: int) -> float:
    """CPU seconds (user + system) used so far by ``root`` and its living descendants."""
    return _tree_sum(root, lambda f: (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK"))


def _tree_rss(root: int) -> int:
    """Resident bytes of ``root`` and all its descendants (from /proc)."""
    page = os.sysconf("SC_PAGE_SIZE")
    return int(_tree_sum(root, lambda f: int(f[21]) * page))


def _tree_sum(root: int, value: Callable[[list[str]], float]) -> float:
    """``value`` of /proc/PID/stat fields (after the command) summed over ``root``'s tree."""
    children: dict[int, list[int]] = {}
    vals: dict[int, float] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            ppid = int(fields[1])
            vals[int(entry)] = value(fields)
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    total, todo = 0.0, [root]
    while todo:
        pid = todo.pop()
        total += vals.get(pid, 0)
        todo.extend(children.get(pid, []))
    return total


def _run(mode: str, folder: Path, listing: Path) -> dict[str, float]:
    cmd = [sys.executable, __file__, "--child", mode, "--folder", str(folder)]
    proc = subprocess.Popen(
        [*cmd, "--list", str(listing)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
    )
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], _tree_rss(proc.pid))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, _ = proc.communicate()
    done.set()
    sampler.join()
    if proc.returncode != 0:
        raise SystemExit(f"{mode} failed (exit {proc.returncode})")
    result: dict[str, float] = json.loads(out.decode().strip().splitlines()[-1])
    result["peak_mib"] = peak[0] / 1024**2
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--files", type=int, default=2000)
    ap.add_argument("--distinct", type=int, default=None, help="distinct pictures (default all)")
    ap.add_argument("--listed", type=int, default=50)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument(
        "--large", action="store_true", help="12 MP phone-size JPEGs instead of 0.08-0.8 MP"
    )
    ap.add_argument("--modes", nargs="+", default=list(MODES), choices=MODES)
    ap.add_argument("--child", choices=MODES, help=argparse.SUPPRESS)
    ap.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--list", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        _child(args.child, args.folder, args.list)
        return
    distinct = min(args.distinct or args.files, args.files)
    with tempfile.TemporaryDirectory(prefix="scanbench-") as tmp:
        folder = Path(tmp) / "dump"
        folder.mkdir()
        t = time.perf_counter()
        listing = _generate(folder, args.files, distinct, min(args.listed, distinct), args.large)
        print(
            f"# scan executors: {args.files} {'12 MP ' if args.large else ''}files "
            f"({distinct} distinct), "
            f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}\n\n"
            f"CPU {cpu_model()}, {os.cpu_count()} cores, {mem_total()}, load {load_average()}; "
            f"generated in {time.perf_counter() - t:.0f} s\n",
            flush=True,
        )
        runs: dict[str, list[dict[str, float]]] = {m: [] for m in args.modes}
        for r in range(args.rounds):
            order = args.modes[r % len(args.modes) :] + args.modes[: r % len(args.modes)]
            for mode in order:
                res = _run(mode, folder, listing)
                runs[mode].append(res)
                print(
                    f"round {r + 1} {mode}: {res['files'] / res['scan_s']:.1f} files/s "
                    f"(CPU {1000 * res['cpu_s'] / res['files']:.0f} ms/file, "
                    f"start {res['start_s']:.1f} s, peak {res['peak_mib']:.0f} MiB, "
                    f"{res['matched']:.0f} matched, {res['errors']:.0f} errors)",
                    flush=True,
                )
    base = None
    print(
        "\n| executor | files/s (best round) | speed-up | CPU ms/file (tree) | start-up s "
        "| tree peak MiB |"
    )
    print("|---|---|---|---|---|---|")
    for mode, rs in runs.items():
        rate = max(x["files"] / x["scan_s"] for x in rs)  # the least disturbed round
        cpu_ms = min(1000 * x["cpu_s"] / x["files"] for x in rs)
        base = base or (rate if mode == "in-process" else None)
        speed = f"{rate / base:.2f}x" if base else "-"
        start = sorted(x["start_s"] for x in rs)[len(rs) // 2]
        peak = max(x["peak_mib"] for x in rs)
        print(f"| {mode} | {rate:.1f} | {speed} | {cpu_ms:.0f} | {start:.1f} | {peak:.0f} |")


if __name__ == "__main__":
    main()
