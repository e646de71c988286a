"""Run service calls off the GUI thread and bring their results back through Qt signals.

Two pools: quick reads (lists, counts, thumbnails) on the global pool, and long tasks
(intake, hashing, capture, analysis, packets) on their own pool, so a long task never makes
the case list or a thumbnail wait for a free thread.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from ncii_desk.errors import InternalError, NciiDeskError
from ncii_desk.services.jobs import Job


class WorkerSignals(QObject):
    progress = Signal(int, int, str)
    succeeded = Signal(object)
    failed = Signal(object)  # an NciiDeskError (unexpected errors are wrapped into one)
    done = Signal()


class Worker(QRunnable):
    """Calls ``fn(job)`` on a pool thread; never touches widgets itself."""

    def __init__(self, fn: Callable[[Job], Any]) -> None:
        super().__init__()
        self.signals = WorkerSignals()
        self.job = Job(on_progress=self.signals.progress.emit)
        self._fn = fn
        self.setAutoDelete(False)

    def cancel(self) -> None:
        self.job.token.cancel()

    def run(self) -> None:
        try:
            result = self._fn(self.job)
        except NciiDeskError as exc:
            self.signals.failed.emit(exc)
        except Exception as exc:
            if os.environ.get("NCII_DESK_DEBUG"):
                import traceback

                traceback.print_exc()
            wrapped = InternalError(f"Something went wrong ({type(exc).__name__}).")
            wrapped.__cause__ = exc
            self.signals.failed.emit(wrapped)
        else:
            self.signals.succeeded.emit(result)
        finally:
            self.signals.done.emit()


def alive(owner: QObject | None) -> bool:
    """False once the widget a result was meant for has been deleted (closed dialog, locked
    screen): late results are then dropped instead of touching a dead widget."""
    return owner is None or shiboken6.isValid(owner)


_task_pool: QThreadPool | None = None


def task_pool() -> QThreadPool:
    global _task_pool
    if _task_pool is None:
        _task_pool = QThreadPool()
        _task_pool.setMaxThreadCount(2)
    return _task_pool


def quick_pool() -> QThreadPool:
    pool = QThreadPool.globalInstance()
    if pool.maxThreadCount() < 4:
        pool.setMaxThreadCount(4)
    return pool


def start(
    fn: Callable[[Job], Any],
    on_success: Callable[[Any], None],
    on_failure: Callable[[NciiDeskError], None],
    on_progress: Callable[[int, int, str], None] | None = None,
    *,
    long: bool = False,
    on_finished: Callable[[], None] | None = None,
) -> Worker:
    """Start ``fn`` on a pool; callbacks run on the GUI thread.

    Every callback is connected before the work starts: a signal sent by work that finished
    at once, before a later connection was made, would be lost."""
    worker = Worker(fn)
    worker.signals.succeeded.connect(on_success)
    worker.signals.failed.connect(on_failure)
    if on_progress is not None:
        worker.signals.progress.connect(on_progress)
    if on_finished is not None:
        worker.signals.done.connect(on_finished)
    _running.add(worker)
    worker.signals.done.connect(lambda: _running.discard(worker))
    (task_pool() if long else quick_pool()).start(worker)
    return worker


def cancel_all() -> None:
    for worker in list(_running):
        worker.cancel()


def running() -> int:
    return len(_running)


_running: set[Worker] = set()
