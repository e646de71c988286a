"""Short garbage-collector pauses while the window is open (issue 17: no window pauses).

CPython's full ("oldest generation") collection walks every object it tracks in one go and
holds the interpreter lock throughout. With the window, the vault and the hashing parts
loaded that is over 200,000 objects, and a task thread that set one off (adding 1,000 files)
kept the window waiting for up to 1.4 s on a loaded machine (bench/gui_stalls.py).

So the window keeps what is alive out of later collections (:func:`gc.freeze`): the
collector leaves frozen objects alone, and a collection set off later walks only what was
made since. This happens at quiet moments (the vault just unlocked, the last task ended), when
a task starts, and every :data:`TIDY_MS` while tasks run (:class:`HeapKeeper`): otherwise
what was made meanwhile (an opened case's screens, the parts a task loaded) piles up
unfrozen, and every full collection a task thread sets off walks all of it again (100-250
ms each under load, 11 of them while adding 1,000 files).

Each settle collects only the young generations before freezing (a few thousand objects, a
millisecond or two), never the whole heap: a full collection on the window thread is itself
the pause this module is here to avoid (42-250 ms after an add of 1,000 files, finding about
20 unreachable objects). The price: a cycle that was already old, or that becomes garbage
after it was frozen, waits for the lock. Frozen objects are still freed as soon as nothing
refers to them; only such cycles wait, and locking (:func:`release`) unfreezes and collects
everything, so nothing of a case lingers in memory after the vault is locked
(bench/gui_stalls.py prints how much that is).
"""

from __future__ import annotations

import gc
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer

#: While a task runs, the heap is settled this often (milliseconds).
TIDY_MS = 1000
#: ``gc.collect(YOUNG)`` collects generations 0 and 1, never the oldest one.
YOUNG = 1


def settle() -> None:
    """Collect the young generations, then keep every object alive now out of later
    collections."""
    gc.collect(YOUNG)
    gc.freeze()


def release() -> int:
    """Give the frozen objects back to the collector and collect everything now (on lock);
    returns how many unreachable objects were found."""
    gc.unfreeze()
    return gc.collect()


def frozen() -> int:
    """How many objects are frozen (0 after :func:`release`)."""
    return gc.get_freeze_count()


class HeapKeeper(QObject):
    """The window's side: settles the heap while tasks run and when the last one ends, and
    only while ``unlocked()`` (a settle after the lock would freeze what the lock let go)."""

    def __init__(self, unlocked: Callable[[], bool], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._unlocked = unlocked
        self.timer = QTimer(self)
        self.timer.setInterval(TIDY_MS)
        self.timer.timeout.connect(self.settle)

    def tasks_changed(self, active: int) -> None:
        """Connected to the task manager's count of running tasks."""
        if active:
            if not self.timer.isActive():
                # A task starts: what was made since the last settle (an opened case's
                # screens) is frozen now, not walked by the task's first full collections.
                self.settle()
                self.timer.start()
            return
        self.timer.stop()
        # Every task done: a quiet moment, after the repaint.
        QTimer.singleShot(0, self.settle)

    def settle(self) -> None:
        if self._unlocked():
            settle()

    def release(self) -> int:
        """On lock: no more settling until the next task, everything given back."""
        self.timer.stop()
        return release()
