"""Kill -9 harness shared by the crash-safety tests: start a child that prints one line per
acknowledged step, wait for some of them, kill it at a random moment, return what it had
acknowledged."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import threading
import time
from collections.abc import Sequence

import pytest


def run_and_kill(
    cmd: Sequence[str],
    *,
    env: dict[str, str],
    rng: random.Random,
    delay: tuple[float, float],
    wait_for: int = 1,
    timeout: float = 120.0,
) -> list[str]:
    """Run ``cmd``; once it has printed ``wait_for`` whole lines (0: do not wait), sleep a
    random time in ``delay`` and SIGKILL it. Returns the whole lines it printed, stripped.

    A line the kill cut short has no newline yet and is not returned: a child run with
    PYTHONUNBUFFERED can write one ``print`` in pieces, and half an acknowledgement is none."""
    proc = subprocess.Popen(
        list(cmd),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        env=env,
        text=True,
    )
    lines: list[str] = []
    reached = threading.Event()

    def reader() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            if not line.endswith("\n"):
                break
            lines.append(line.strip())
            if len(lines) >= wait_for:
                reached.set()

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    if wait_for and not reached.wait(timeout):
        proc.kill()
        _, err = proc.communicate()
        pytest.fail(f"child stopped before line {wait_for}: {lines} {err[-3000:]}")
    time.sleep(rng.uniform(*delay))
    if proc.poll() is not None:
        _, err = proc.communicate()
        pytest.fail(f"child exited by itself (rc {proc.returncode}): {err[-3000:]}")
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(30)
    thread.join(10)
    assert proc.stderr is not None
    proc.stderr.close()
    return lines


def acks(lines: Sequence[str], word: str = "ACK") -> list[tuple[str, str]]:
    """The ``WORD a b`` lines as (a, b) pairs."""
    out = []
    for line in lines:
        words = line.split()
        if len(words) == 3 and words[0] == word:
            out.append((words[1], words[2]))
    return out
