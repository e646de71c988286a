"""Long tasks run off the GUI thread: the event loop keeps running, Cancel stops the job
between items, and problems with single files are listed (not one dialog per file)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from guikit import WAIT, benign_picture, new_case, wait_tasks
from PySide6.QtCore import Qt, QTimer

from conftest import PASSPHRASE
from ncii_desk.gui.mainwindow import MainWindow
from ncii_desk.services import intake, items
from ncii_desk.services.jobs import Job
from ncii_desk.vault import Vault
from ncii_desk.vault.models import Role


def _pictures(folder: Path, n: int) -> list[Path]:
    folder.mkdir()
    paths = []
    for i in range(n):
        path = folder / f"picture-{i}.png"
        benign_picture(i + 10, size=64).save(path)
        paths.append(path)
    return paths


def test_event_loop_runs_while_a_task_works_and_cancel_stops_it(
    qtbot, unlocked: MainWindow, tmp_path: Path
) -> None:
    window = unlocked
    case_id = new_case(qtbot, window)
    assert window.ctx is not None
    paths = _pictures(tmp_path / "many", 6)
    ticks = 0
    seen_by_gui = threading.Event()
    first_item = threading.Event()

    def tick() -> None:
        nonlocal ticks
        ticks += 1
        if ticks >= 3:
            seen_by_gui.set()

    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(tick)
    timer.start()

    def work(vault: Vault, job: Job) -> intake.IntakeResult:
        relay = job.on_progress

        def progress(done: int, total: int, message: str) -> None:
            if relay is not None:
                relay(done, total, message)
            if done == 1:
                first_item.set()
                # Hold the job here until the GUI thread, still running its event loop,
                # has pressed Cancel. A job on the GUI thread could never get past this.
                deadline = time.monotonic() + WAIT / 1000
                while not job.cancelled and time.monotonic() < deadline:
                    time.sleep(0.01)
                assert job.cancelled

        job.on_progress = progress
        # The GUI's timer must keep firing while this task runs.
        assert seen_by_gui.wait(WAIT / 1000)
        return intake.add_items(vault, case_id, Role.ORIGINAL, paths, job=job)

    window.ctx.task("Adding many pictures", work)
    row = window.task_panel.rows[-1]
    assert window.dock.isVisible()
    qtbot.waitUntil(first_item.is_set, timeout=WAIT)
    qtbot.waitUntil(lambda: row.bar.maximum() == 6 and row.bar.value() >= 1, timeout=WAIT)
    assert row.bar.text() == f"Adding {row.bar.value()}/6"  # the phase in words, with its count
    qtbot.mouseClick(row.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: row.finished, timeout=WAIT)
    timer.stop()
    assert ticks >= 3
    assert row.outcome == "cancelled"
    assert "Cancelled" in row.status.text()
    added: list[object] = []
    window.ctx.read(lambda v: items.list_items(v, case_id), added.extend)
    qtbot.waitUntil(lambda: bool(added), timeout=WAIT)
    assert len(added) == 1  # the item finished before the cancel is kept, whole


def test_bad_files_are_listed_per_item_and_the_batch_goes_on(
    qtbot, unlocked: MainWindow, tmp_path: Path
) -> None:
    window = unlocked
    new_case(qtbot, window)
    folder = tmp_path / "mixed"
    good = _pictures(folder, 2)
    (folder / "empty.jpg").write_bytes(b"")
    (folder / "broken.png").write_bytes(good[0].read_bytes()[:120])  # cut off mid-picture
    ws = window.workspace
    assert ws is not None
    ws.tabs.setCurrentWidget(ws.suspects)
    ws.suspects.items.add_paths([folder])
    wait_tasks(qtbot, window)
    # The add task's row (opening the case may also start a re-hash task of its own).
    (row,) = [r for r in window.task_panel.rows if "not hashed yet" not in r.label_text][-1:]
    assert row.outcome == "done"
    problems = window.task_panel.problem_texts()
    by_item: dict[str, list[str]] = {}
    for _task, item, what, _hint in problems:
        by_item.setdefault(Path(item).name, []).append(what)
    assert "empty.jpg" in by_item and "empty" in by_item["empty.jpg"][0]
    # (opening the case may also retry hashing the damaged item and list it once more)
    assert any(what.startswith("Added, but could not be hashed") for what in by_item["broken.png"])
    qtbot.waitUntil(lambda: len(ws.suspects.items.views) == len(good) + 1, timeout=WAIT)
    assert "1 could not be added" in row.status.text()


def test_quick_exit_during_a_task_locks_at_once_and_the_vault_opens_again(
    qtbot, unlocked: MainWindow, tmp_path: Path
) -> None:
    window = unlocked
    case_id = new_case(qtbot, window)
    assert window.ctx is not None
    paths = _pictures(tmp_path / "batch", 4)
    locked = threading.Event()
    outcome: list[str] = []

    def work(vault: Vault, job: Job) -> intake.IntakeResult:
        relay = job.on_progress

        def progress(done: int, total: int, message: str) -> None:
            if relay is not None:
                relay(done, total, message)
            if done == 1:
                # Quick exit happens while this task is half way through its batch.
                assert locked.wait(WAIT / 1000)

        job.on_progress = progress
        try:
            return intake.add_items(vault, case_id, Role.ORIGINAL, paths, job=job)
        finally:
            outcome.append("ended")

    window.ctx.task("Adding a batch", work)
    row = window.task_panel.rows[-1]
    qtbot.waitUntil(lambda: row.bar.value() >= 1, timeout=WAIT)
    window.quick_exit()
    assert not window.isVisible() and window.vault is None
    assert window.task_panel.rows == []  # task rows (which may name files) are gone
    locked.set()
    qtbot.waitUntil(lambda: outcome == ["ended"], timeout=WAIT)
    qtbot.waitUntil(lambda: window.tasks.active == 0, timeout=WAIT)

    window.show()
    gate = window.gate
    assert gate is not None
    gate.passphrase.setText(PASSPHRASE)
    gate.submit()
    qtbot.waitUntil(lambda: window.vault is not None, timeout=WAIT)
    kept: list[list[object]] = []
    window.ctx.read(lambda v: items.list_items(v, case_id), kept.append)
    qtbot.waitUntil(lambda: bool(kept), timeout=WAIT)
    # Intake commits a batch of files at once: the batch the lock interrupted (one file read,
    # none acknowledged) is dropped whole; its blob has no row and went to quarantine/.
    assert kept == [[]]
    assert window.vault is not None and window.vault.report.quarantined


def test_a_result_that_cannot_be_shown_still_ends_the_task(qtbot, unlocked: MainWindow) -> None:
    window = unlocked
    assert window.ctx is not None

    def broken_summary(result: object) -> str:
        raise KeyError("field renamed")

    window.ctx.task("A task whose result view is broken", lambda _v, _j: 42, summary=broken_summary)
    wait_tasks(qtbot, window)
    row = window.task_panel.rows[-1]
    assert row.outcome == "failed"
    texts = [" ".join(row) for row in window.task_panel.problem_texts()]
    assert any("could not be shown (KeyError)" in t for t in texts), texts


def test_add_lists_an_invalid_stored_threshold_as_a_problem() -> None:
    from ncii_desk.gui.workspace.items import AddOutcome, add_problems
    from ncii_desk.services.intake import IntakeResult
    from ncii_desk.services.matching import HashingReport

    note = "The stored threshold 'pdq_distance' (500) is not valid; the default 31 was used."
    outcome = AddOutcome(IntakeResult(), HashingReport(hashed=1, warnings=[note]))
    assert [(p.item, p.message) for p in add_problems(outcome)] == [("(matching)", note)]
