"""Memory of a whole process tree, sampled from /proc (Linux; no psutil needed).

``RUSAGE_CHILDREN`` only counts children that were waited for, and forkserver workers are
children of the fork server, not of the benchmark: a table built on it showed 72 MiB where
the tree peaked at 513 MiB. Here every descendant of this process (the fork server and its
workers included) is found through /proc/<pid>/stat and its RSS (statm) and PSS
(smaps_rollup: shared pages split between the processes that share them) are summed.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def _parents() -> dict[int, int]:
    out: dict[int, int] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", encoding="ascii", errors="replace") as fh:
                stat = fh.read()
        except OSError:
            continue
        # the command name may hold spaces and parentheses: split after the last ')'
        fields = stat[stat.rfind(")") + 2 :].split()
        out[int(name)] = int(fields[1])
    return out


def tree(root: int | None = None) -> list[int]:
    """``root`` (default: this process) and all its descendants."""
    root = os.getpid() if root is None else root
    children: dict[int, list[int]] = {}
    for pid, ppid in _parents().items():
        children.setdefault(ppid, []).append(pid)
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, []))
    return out


def _rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm", encoding="ascii") as fh:
            return int(fh.read().split()[1]) * PAGE
    except (OSError, ValueError, IndexError):
        return 0


def _pss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return 0


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds the given processes have used so far."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
                stat = fh.read()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2 :].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / tick


@dataclass
class Peak:
    rss: int = 0
    pss: int = 0
    processes: int = 0

    def text(self) -> str:
        return (
            f"{self.pss / 1024**2:.0f} MiB PSS / {self.rss / 1024**2:.0f} MiB RSS "
            f"({self.processes} processes)"
        )


@contextmanager
def sample_peak(every_s: float = 0.02) -> Iterator[Peak]:
    """Sample the tree's summed RSS and PSS while the block runs; the peak is in the result.

    PSS is read less often (smaps_rollup walks every mapping) than RSS, and the tree is
    listed anew every 25 samples (a /proc scan costs more than the samples)."""
    peak = Peak()
    stop = threading.Event()

    def run() -> None:
        n = 0
        pids: list[int] = []
        while not stop.is_set():
            if n % 25 == 0:
                pids = tree()
            peak.rss = max(peak.rss, sum(_rss(p) for p in pids))
            if n % 5 == 0:
                peak.pss = max(peak.pss, sum(_pss(p) for p in pids))
            peak.processes = max(peak.processes, len(pids))
            n += 1
            stop.wait(every_s)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield peak
    finally:
        stop.set()
        thread.join()
