"""Facts about the machine a benchmark ran on, shared by every script in bench/."""

from __future__ import annotations

import os
import platform
import resource
import time


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as fh:
            for line in fh:
                if line.lower().startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


def mem_total() -> str:
    try:
        with open("/proc/meminfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("MemTotal:"):
                    return f"{int(line.split()[1]) / 1024**2:.1f} GiB"
    except (OSError, ValueError):
        pass
    return "unknown"


def load_average() -> str:
    try:
        return "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg())
    except OSError:
        return "unknown"


def busy_cpu_seconds() -> float | None:
    """CPU seconds all processes on the machine have used since boot (Linux /proc/stat)."""
    try:
        with open("/proc/stat", encoding="ascii") as fh:
            fields = fh.readline().split()[1:]
        user, nice, system, _idle, _iowait, irq, softirq, steal = (int(v) for v in fields[:8])
        return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError):
        return None


def own_cpu_seconds() -> float:
    """CPU seconds of this process and its waited-for children (pool workers, probes)."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        r = resource.getrusage(who)
        total += r.ru_utime + r.ru_stime
    return total


def other_load(start: tuple[float | None, float, float]) -> str:
    """How much CPU other processes took while the benchmark ran."""
    busy0, own0, wall0 = start
    busy1 = busy_cpu_seconds()
    if busy0 is None or busy1 is None:
        return "unknown"
    wall = time.perf_counter() - wall0
    other = max(0.0, (busy1 - busy0) - (own_cpu_seconds() - own0))
    cores = os.cpu_count() or 1
    return (
        f"{other:.0f} CPU s of {wall * cores:.0f} available ({wall:.0f} s x {cores} cores), "
        f"i.e. {other / wall:.2f} cores busy on average"
    )
