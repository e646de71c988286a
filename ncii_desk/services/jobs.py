"""Long-running work: a progress callback and a cancel token, shared by the CLI and the GUI.

The CLI draws a progress bar from the callback; the GUI runs the same job on a worker thread
and relays the callback through Qt signals. Cancelling is cooperative: a job checks the token
between items, so finished items are always kept whole.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from ncii_desk.errors import Cancelled

ProgressFn = Callable[[int, int, str], None]


class CancelToken:
    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()


@dataclass
class Job:
    """Handed to every long service call; both parts are optional for the caller."""

    on_progress: ProgressFn | None = None
    token: CancelToken = field(default_factory=CancelToken)

    def progress(self, done: int, total: int, message: str = "") -> None:
        if self.on_progress is not None:
            self.on_progress(done, total, message)

    @property
    def cancelled(self) -> bool:
        return self.token.cancelled

    def raise_if_cancelled(self) -> None:
        if self.token.cancelled:
            raise Cancelled("The task was cancelled.")


def run_hashing_in_background() -> None:
    """Hashing processes started from now on run at a lower priority than this program (the
    desktop app, so its window keeps the processor). This program's own threads are left
    alone: see :mod:`ncii_desk.hashing.priority` for why."""
    from ncii_desk.hashing.priority import lower_worker_priority

    lower_worker_priority()
