"""How hashing worker processes are scheduled against the program that starts them.

The desktop app keeps its window responsive by running the hashing processes at a lower
priority (a higher nice value) while its own threads keep the window's: those threads run
Python code that holds the interpreter lock the window thread needs, and a lowered thread that
was preempted while holding it kept the window waiting (priority inversion: 22-28 pauses over
100 ms while adding 300 files, against 7-8 with only the processes lowered, on the same
loaded machine). The command line leaves every process at its normal priority.

Kept apart from :mod:`ncii_desk.hashing.pipeline` so setting it loads nothing heavy.
"""

from __future__ import annotations

#: Nice increment the desktop app asks for (Linux and macOS; Windows keeps the priority).
BACKGROUND_NICE = 10

_worker_nice = 0


def lower_worker_priority(nice: int = BACKGROUND_NICE) -> None:
    """Hashing processes started from now on lower their own priority by ``nice``."""
    global _worker_nice
    _worker_nice = max(0, min(19, int(nice)))


def worker_nice() -> int:
    return _worker_nice
