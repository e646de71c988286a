"""The window keeps its heap out of long collections and gives it all back on lock (issue 17).

A full garbage collection set off by a task thread walked every object of the app (over
200,000) while the window waited. The window freezes what is alive (gui/heap.py): after
unlocking, as a task starts, every second while tasks run and when the last one ends; each
time it first collects only the young generations (a full collection on the window thread
is itself a pause). Locking unfreezes and collects everything, so no cycle that held case
data stays frozen in memory.

Only generated, benign pictures are used.
"""

from __future__ import annotations

import gc
import threading
import weakref
from pathlib import Path

from guikit import WAIT, benign_picture, new_case, unlock, wait_tasks

from ncii_desk.gui import heap


class _Node:
    """An object that can sit in a reference cycle and be watched with a weak reference."""

    def __init__(self) -> None:
        self.other: _Node | None = None


def test_a_settle_collects_the_young_generations_only_then_freezes() -> None:
    heap.release()
    pair = _Node()
    pair.other = _Node()
    pair.other.other = pair  # a cycle: only a collection frees it
    gone = weakref.ref(pair)
    del pair
    generations: list[int] = []
    me = threading.get_ident()

    def seen(phase: str, info: dict[str, int]) -> None:
        if phase == "start" and threading.get_ident() == me:
            generations.append(info["generation"])

    gc.callbacks.append(seen)
    try:
        heap.settle()
    finally:
        gc.callbacks.remove(seen)
    try:
        # The new cycle was collected, not frozen; the old code collected generation 2 (all).
        assert gone() is None
        assert generations and max(generations) < 2
        assert heap.frozen() > 0
    finally:
        heap.release()
    assert heap.frozen() == 0


def test_unlocking_and_each_task_settle_the_heap_and_locking_releases_it(  # type: ignore[no-untyped-def]
    qtbot, window, tmp_path: Path
) -> None:
    heap.release()
    unlock(qtbot, window)
    qtbot.waitUntil(lambda: heap.frozen() > 0, timeout=WAIT)  # old code: nothing frozen
    new_case(qtbot, window, "Heap")
    ws = window.workspace
    assert ws is not None
    folder = tmp_path / "suspects"
    folder.mkdir()
    for n in (1, 2):
        benign_picture(n).save(folder / f"suspect-{n}.png")
    before = heap.frozen()
    ws.suspects.items.add_paths([folder])
    wait_tasks(qtbot, window)
    assert "Added 2 item(s)" in window.task_panel.rows[-1].status.text()
    # The objects the add left alive (its rows, the parts it loaded) are frozen too.
    qtbot.waitUntil(lambda: heap.frozen() > before, timeout=WAIT)
    window.lock()
    assert heap.frozen() == 0


def test_the_heap_is_settled_as_a_task_starts_and_while_it_runs(  # type: ignore[no-untyped-def]
    qtbot, window
) -> None:
    unlock(qtbot, window)
    ctx = window.ctx
    assert ctx is not None
    go_on = threading.Event()
    made_before_the_task = [[n] for n in range(5000)]  # lists: tracked by the collector
    before = heap.frozen()
    ctx.task("A long task", lambda _vault, _job: go_on.wait(WAIT / 1000))
    try:
        # Frozen as the task starts, before it can set off a collection (old code: no).
        assert heap.frozen() >= before + len(made_before_the_task)
        qtbot.waitUntil(lambda: window.tasks.active == 1, timeout=WAIT)
        before = heap.frozen()
        made_during_the_task = [[n] for n in range(5000)]
        # Frozen while the task still runs (old code: only once no task ran any more).
        qtbot.waitUntil(
            lambda: (
                window.tasks.active == 1 and heap.frozen() >= before + len(made_during_the_task)
            ),
            timeout=WAIT,
        )
        assert window.heap.timer.isActive()
    finally:
        go_on.set()
    wait_tasks(qtbot, window)
    assert not window.heap.timer.isActive()
    window.lock()
    assert heap.frozen() == 0 and not window.heap.timer.isActive()
    assert len(made_before_the_task) == len(made_during_the_task) == 5000
