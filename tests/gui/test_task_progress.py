"""Task progress in words: one bar per task naming its phase and count ("Adding 2/3",
"Comparing with the client's photos 1/3"), never a full bar without words; and a cancelled
add says exactly what happened, with a Check now button that checks the rest."""

from __future__ import annotations

from pathlib import Path

import pytest
from guikit import WAIT, benign_picture, new_case, wait_tasks
from PySide6.QtCore import Qt

from ncii_desk.gui.mainwindow import MainWindow
from ncii_desk.gui.tasks import phase_words
from ncii_desk.services.jobs import Job
from ncii_desk.services.unhashed import unhashed_items
from ncii_desk.vault import Vault


def _pictures(root: Path, n: int) -> list[Path]:
    paths = []
    for i in range(n):
        path = root / f"picture-{i}.png"
        benign_picture(100 + i, size=160).save(path)
        paths.append(path)
    return paths


def _unchecked(vault: Vault, case_id: str) -> int:
    with vault.session() as s:
        return len(unhashed_items(s, case_id).stored)


def test_the_bar_names_each_phase_with_its_count_and_ends_in_words(
    qtbot, unlocked: MainWindow, tmp_path: Path
) -> None:
    window = unlocked
    new_case(qtbot, window)
    ws = window.workspace
    assert ws is not None
    ws.originals.originals.add_paths(_pictures(tmp_path, 3))
    row = window.task_panel.rows[-1]
    seen: list[tuple[str, str, bool]] = []
    row.changed.connect(
        lambda: seen.append(
            (row.bar.text(), row.status.text(), row.bar.value() == row.bar.maximum() > 0)
        )
    )
    wait_tasks(qtbot, window)
    bar_texts = [bar for bar, _status, _full in seen]
    assert "Adding 3/3" in bar_texts
    assert "Comparing with the client's photos 3/3" in bar_texts
    # Never a full bar with no words, never a moment with neither bar nor status text.
    assert all(bar for bar, _status, full in seen if full), seen
    assert all(bar or status for bar, status, _full in seen), seen
    assert row.outcome == "done" and row.bar.text() == "Done"
    assert row.bar.value() == row.bar.maximum()
    assert not row.action_button.isVisible()  # nothing left to do


def test_phase_words_cover_the_service_phases() -> None:
    assert phase_words("adding files") == "Adding"
    assert phase_words("hashing") == "Comparing with the client's photos"
    assert phase_words("writing the PDF") == "Writing the PDF"  # unknown: shown as given
    assert phase_words("") == ""


def test_a_cancelled_add_says_what_happened_and_check_now_checks_the_rest(
    qtbot, unlocked: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ncii_desk.gui.workspace import items as items_pane

    real = items_pane.add_and_hash

    def cancelled_when_hashing_starts(vault, case_id, role, paths, minor, job: Job):  # type: ignore[no-untyped-def]
        forward = job.on_progress

        def progress(done: int, total: int, message: str) -> None:
            if message == "hashing" and done == 0:
                job.token.cancel()  # the advocate presses Cancel as comparing starts
            if forward is not None:
                forward(done, total, message)

        job.on_progress = progress
        return real(vault, case_id, role, paths, minor, job)

    monkeypatch.setattr(items_pane, "add_and_hash", cancelled_when_hashing_starts)
    window = unlocked
    case_id = new_case(qtbot, window)
    ws = window.workspace
    assert ws is not None and window.vault is not None
    ws.originals.originals.add_paths(_pictures(tmp_path, 6))
    wait_tasks(qtbot, window)
    row = window.task_panel.rows[-1]
    assert row.outcome == "cancelled" and row.bar.text() == "Cancelled"
    left = _unchecked(window.vault, case_id)
    assert left > 0
    assert f"6 file(s) added; {left} were not checked for matches yet." in row.status.text()
    assert row.action_button.isVisible() and row.action_button.text() == "Check now"

    qtbot.mouseClick(row.action_button, Qt.MouseButton.LeftButton)
    assert not row.action_button.isVisible()
    qtbot.waitUntil(lambda: len(window.task_panel.rows) >= 2, timeout=WAIT)
    wait_tasks(qtbot, window)
    check = window.task_panel.rows[-1]
    assert check.outcome == "done", check.status.text()
    assert f"{left} item(s)" in check.status.text()
    assert _unchecked(window.vault, case_id) == 0
