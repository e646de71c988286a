"""The window settles the heap at quiet moments and gives it all back on lock (issue 17).

A full garbage collection set off by a task thread walked every object of the app (over
200,000) while the window waited. After unlocking and after each task the window collects
once and freezes what is alive (gui/heap.py); locking unfreezes and collects, so no cycle
that held case data stays frozen in memory.

Only generated, benign pictures are used.
"""

from __future__ import annotations

from pathlib import Path

from guikit import WAIT, benign_picture, new_case, unlock, wait_tasks

from ncii_desk.gui import heap


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
