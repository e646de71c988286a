"""Long tasks keep the window thread's priority: they run Python code holding the lock the
window thread needs, so lowering them made the window wait behind a preempted task
(priority inversion). The hashing processes they start are the ones that run lower."""

from __future__ import annotations

import os
import sys
import threading

import pytest
from guikit import WAIT

from ncii_desk.gui import workers
from ncii_desk.gui.app import application
from ncii_desk.hashing import priority
from ncii_desk.services.jobs import Job

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="per-thread nice values are Linux only"
)


def test_a_long_task_runs_at_the_windows_priority(qtbot) -> None:
    window_nice = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    seen: list[int] = []

    def work(job: Job) -> int:
        return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    workers.start(work, seen.append, lambda exc: None, long=True)
    qtbot.waitUntil(lambda: bool(seen), timeout=WAIT)
    assert seen == [window_nice]


def test_the_app_lowers_its_hashing_processes() -> None:
    application()
    assert priority.worker_nice() == priority.BACKGROUND_NICE
