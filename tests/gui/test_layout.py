"""What a first-time user must be able to read: names in tables are not cut to a few letters,
empty notes take no room, and the task panel is one line while nothing runs."""

from __future__ import annotations

import threading
from pathlib import Path

from guikit import WAIT, new_case, wait_tasks, write_originals_and_suspects
from PySide6.QtWidgets import QVBoxLayout, QWidget

from ncii_desk.gui.common import note_label, plain_tip
from ncii_desk.gui.mainwindow import MainWindow
from ncii_desk.gui.tasks import Problem
from ncii_desk.services.jobs import Job
from ncii_desk.vault import Vault


def test_match_and_activity_tables_show_whole_names(
    qtbot, unlocked: MainWindow, tmp_path: Path
) -> None:
    window = unlocked
    new_case(qtbot, window)
    ws = window.workspace
    assert ws is not None
    originals, suspects = write_originals_and_suspects(tmp_path)
    ws.originals.originals.add_paths(originals)
    wait_tasks(qtbot, window)
    ws.tabs.setCurrentWidget(ws.suspects)
    ws.suspects.items.add_paths([suspects])
    wait_tasks(qtbot, window)

    # The Matches tab is filled as it opens (before it has been on screen once).
    ws.tabs.setCurrentWidget(ws.matches)
    pane = ws.matches
    qtbot.waitUntil(lambda: pane.model.rowCount() >= 1, timeout=WAIT)
    table = pane.table
    metrics = table.fontMetrics()
    for row in range(pane.model.rowCount()):
        for column in range(pane.model.columnCount()):
            cell = pane.model.item(row, column)
            # Suspect, original, method, how close, the rule, review and numbers all fit.
            assert table.columnWidth(column) >= metrics.horizontalAdvance(cell.text()), (
                pane.model.horizontalHeaderItem(column).text(),
                cell.text(),
                table.columnWidth(column),
            )
            # The whole text, then (method and closeness) how the method works.
            assert cell.toolTip().startswith(plain_tip(cell.text()).removesuffix("</qt>"))
    assert {pane.model.item(0, 0).text(), pane.model.item(0, 1).text()} == {
        "found-copy.jpg",
        "original-1.png",
    }

    # The activity log reads as sentences with file names; no JSON braces.
    ws.tabs.setCurrentWidget(ws.activity)
    log = ws.activity
    qtbot.waitUntil(lambda: log.model.rowCount() >= 5, timeout=WAIT)
    whats = [log.model.item(r, 1).text() for r in range(log.model.rowCount())]
    assert any(w.startswith("Possible match found: found-copy.jpg and ") for w in whats)
    assert any(w.startswith("Fingerprints of original-1.png") for w in whats)
    assert not any("{" in w for w in whats)
    for column in range(1):  # the time is never cut
        widest = max(
            metrics.horizontalAdvance(log.model.item(r, column).text())
            for r in range(log.model.rowCount())
        )
        assert log.table.columnWidth(column) >= widest


def test_an_empty_note_takes_no_room_and_never_opens_a_window(qtbot) -> None:
    box = QWidget()
    qtbot.addWidget(box)
    layout = QVBoxLayout(box)
    early = note_label("Early note")
    early.setText("Written before it was placed.")
    assert not early.isVisible()  # not a window of its own
    empty = note_label("Empty note")
    layout.addWidget(early)
    layout.addWidget(empty)
    box.show()
    qtbot.waitExposed(box)
    assert early.isVisible() and not empty.isVisible()
    empty.setText("Something happened.")
    assert empty.isVisible()
    empty.clear()
    assert not empty.isVisible()


def test_task_panel_is_one_line_unless_opened_by_hand(qtbot, unlocked: MainWindow) -> None:
    window = unlocked
    panel = window.task_panel
    assert window.ctx is not None
    line = panel.summary_bar.sizeHint().height()
    release = threading.Event()

    def work(_vault: Vault, _job: Job) -> int:
        assert release.wait(WAIT / 1000)
        return 1

    # Running: still one line, with the running task and its progress bar in it.
    window.ctx.task("A task that waits", work)
    qtbot.waitUntil(lambda: panel.summary_progress.isVisible(), timeout=WAIT)
    assert window.dock.isVisible() and not panel.rows_area.isVisible()
    assert window.dock.height() <= line + 6
    assert panel.summary.text() == "A task that waits: Starting..."
    release.set()
    wait_tasks(qtbot, window)

    # Done, nothing to read: one line saying how it went.
    qtbot.waitUntil(lambda: not panel.summary_progress.isVisible(), timeout=WAIT)
    assert not panel.rows_area.isVisible()
    qtbot.waitUntil(lambda: window.dock.height() <= line + 6, timeout=WAIT)
    assert window.dock.isVisible()
    assert panel.summary.text() == "Finished. A task that waits: Done."
    assert panel.summary.toolTip() == plain_tip(panel.summary.text())

    # Problems with single items are counted on the line; the list opens when asked.
    panel.add_problems("Adding", [Problem("a.jpg", "The file is empty.", "Add it again.")])
    assert panel.summary.text().endswith("1 problem(s) with single items: Show details lists them.")
    assert not panel.problems_area.isVisible()
    assert window.dock.height() <= line + 6
    panel.details_button.click()
    qtbot.waitUntil(lambda: panel.problems_area.isVisible(), timeout=WAIT)
    qtbot.waitUntil(lambda: window.dock.height() > line + 20, timeout=WAIT)
    assert panel.summary.text().endswith("1 problem(s) with single items listed below.")
    panel.clear_problems_button.click()
    panel.details_button.click()
    qtbot.waitUntil(lambda: window.dock.height() <= line + 6, timeout=WAIT)

    # Opened by hand, the details stay open after the next task ends.
    panel.details_button.click()
    assert panel.rows_area.isVisible() and panel.details_button.text() == "Hide deta&ils"
    window.ctx.task("A quick task", lambda _v, _j: 2)
    wait_tasks(qtbot, window)
    assert panel.rows_area.isVisible()
    assert [r.label_text for r in panel.rows] == ["A task that waits", "A quick task"]

    # Hidden, the Tasks button brings the panel back with its details.
    panel.details_button.click()
    panel.hide_button.click()
    assert not window.dock.isVisible()
    window.tasks_action.trigger()
    assert window.dock.isVisible() and panel.rows_area.isVisible()
