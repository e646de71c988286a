"""Every table keeps at least 8 rows in view in a small window: 1280×720 at 100 % and the
same screen at 150 % scaling (about 853×480 logical pixels), with a task running (its slim
line stays in view) and a case holding more items than fit."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from guikit import WAIT, benign_picture, new_case, wait_tasks
from PySide6.QtWidgets import QTableView

from ncii_desk.gui.app import install_translators
from ncii_desk.gui.layouts import ROWS_KEPT, rows_in_view
from ncii_desk.gui.mainwindow import MainWindow
from ncii_desk.services.jobs import Job
from ncii_desk.vault import Vault

#: Logical window sizes: 1280×720 at 100 %, and 1280×720 physical pixels at 150 %.
SIZES = ((1280, 720), (853, 480))
ITEMS = 12


def pictures(root: Path, first: int, n: int, name: str) -> list[Path]:
    root.mkdir(parents=True, exist_ok=True)
    out = []
    for seed in range(first, first + n):
        path = root / f"{name}-{seed}.png"
        benign_picture(seed, size=96).save(path)
        out.append(path)
    return out


def settle(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    qtbot.wait(50)  # the layout and the splitters take the new size in


def tables_on(window: MainWindow) -> dict[str, QTableView]:
    """Every table a case tab shows, visiting each inner tab in turn (name -> table)."""
    ws = window.workspace
    assert ws is not None
    return {
        "Originals": ws.originals.originals.table,
        "Reference photos": ws.originals.references.table,
        "Suspect files": ws.suspects.items.table,
        "Captured links": ws.suspects.table,
        "Matches": ws.matches.table,
        "Removal requests": ws.requests.table,
        "Activity": ws.activity.table,
    }


def show_table(window: MainWindow, name: str) -> None:
    ws = window.workspace
    assert ws is not None
    pane = {
        "Originals": ws.originals,
        "Reference photos": ws.originals,
        "Suspect files": ws.suspects,
        "Captured links": ws.suspects,
        "Matches": ws.matches,
        "Removal requests": ws.requests,
        "Activity": ws.activity,
    }[name]
    ws.tabs.setCurrentWidget(pane)
    inner = getattr(pane, "lists", None)
    if inner is not None:
        table = tables_on(window)[name]
        for index in range(inner.count()):
            if inner.widget(index).isAncestorOf(table):
                inner.setCurrentIndex(index)


@pytest.fixture(params=["en", "es"])
def language(request: pytest.FixtureRequest, qapp) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """English, then Spanish: longer words wrap the rows of buttons sooner."""
    assert install_translators(qapp, request.param) == request.param
    yield request.param
    install_translators(qapp, "en")


def test_every_table_keeps_eight_rows_at_1280x720_and_150_percent(
    qtbot, language: str, unlocked: MainWindow, tmp_path: Path
) -> None:
    window = unlocked
    new_case(qtbot, window)
    ws = window.workspace
    assert ws is not None
    shown_in = {"en": "Originals && references", "es": "Originales && referencias"}[language]
    assert ws.tabs.tabText(0) == shown_in
    originals = pictures(tmp_path / "originals", 1, ITEMS, "original")
    ws.originals.originals.add_paths(originals)
    wait_tasks(qtbot, window)
    ws.originals.references.add_paths(pictures(tmp_path / "references", 100, ITEMS, "face"))
    wait_tasks(qtbot, window)
    ws.tabs.setCurrentWidget(ws.suspects)
    ws.suspects.items.add_paths(pictures(tmp_path / "suspects", 1, ITEMS, "copy"))
    wait_tasks(qtbot, window)

    # A finished task with a long outcome (as a long file name gives) does not widen it.
    assert window.ctx is not None
    long_words = "Added holiday-pictures-from-the-shared-folder-" + "x" * 200 + ".png."
    window.ctx.task("Adding " + "y" * 120, lambda _v, _j: 1, summary=lambda _r: long_words)
    wait_tasks(qtbot, window)
    assert long_words in window.task_panel.rows[-1].status.text()
    # A long task keeps running while the tables are measured: its line stays in view.
    release = threading.Event()

    def work(_vault: Vault, _job: Job) -> int:
        assert release.wait(WAIT / 1000)
        return 1

    window.ctx.task("A task that waits", work)
    panel = window.task_panel
    qtbot.waitUntil(lambda: panel.summary_progress.isVisible(), timeout=WAIT)
    try:
        for width, height in SIZES:
            window.resize(width, height)
            settle(qtbot, window)
            # The window really is that small (its minimum size fits the screen).
            assert (window.width(), window.height()) == (width, height)
            minimum = window.minimumSizeHint()
            assert minimum.width() <= width and minimum.height() <= height, minimum
            short = {}
            for name, table in tables_on(window).items():
                show_table(window, name)
                qtbot.waitUntil(table.isVisible, timeout=WAIT)
                settle(qtbot, window)
                assert window.dock.isVisible() and panel.summary_progress.isVisible()
                shown = rows_in_view(table)
                if shown < ROWS_KEPT:
                    short[name] = round(shown, 1)
                # Where the table has the rows, count them as drawn, too.
                if table.model().rowCount() >= ROWS_KEPT:
                    table.scrollToTop()
                    last = table.rowAt(table.viewport().height() - 1)
                    if last < 0:  # below the last row: every row is in view
                        last = table.model().rowCount() - 1
                    if last + 1 < ROWS_KEPT:
                        short[name] = last + 1
            assert short == {}, (width, height, short)
        # Revealed in the small window, the picture's zoom buttons wrap: no wider window.
        show_table(window, "Originals")
        section = ws.originals.originals
        section.table.selectRow(0)
        preview = ws.originals.preview
        qtbot.waitUntil(preview.reveal_button.isEnabled, timeout=WAIT)
        preview.reveal()
        qtbot.waitUntil(lambda: preview.revealed, timeout=WAIT)
        settle(qtbot, window)
        assert preview.fit_button.isVisible()
        # The picture stays in view beside the list (its row of buttons is not wider than
        # the room there is, which would fold the panel away or push the list out).
        assert ws.originals.split.sizes()[1] > 0 and preview.area.width() > 0
        assert preview.minimumSizeHint().width() < ws.originals.split.sizes()[1] + 1
        assert window.minimumSizeHint().width() <= SIZES[-1][0]
        assert window.size().width() == SIZES[-1][0]
        preview.conceal()
        # The lists of items do hold more rows than a screenful (the case is a real one).
        assert ws.originals.originals.model.rowCount() == ITEMS
        assert ws.suspects.items.model.rowCount() == ITEMS
        assert ws.matches.model.rowCount() >= ROWS_KEPT
    finally:
        release.set()
        wait_tasks(qtbot, window)


def test_preview_side_panel_folds_away_and_comes_back(qtbot, unlocked: MainWindow) -> None:
    window = unlocked
    new_case(qtbot, window)
    ws = window.workspace
    assert ws is not None
    window.resize(853, 480)
    settle(qtbot, window)
    pane = ws.originals
    toggle = pane.preview_toggle
    assert pane.preview.isVisible() and toggle.isChecked()
    wide = pane.lists.width()
    toggle.click()
    settle(qtbot, window)
    assert pane.split.sizes()[1] == 0 and not toggle.isChecked()
    assert pane.lists.width() > wide
    assert toggle.text() == "Show pre&view"
    toggle.click()
    settle(qtbot, window)
    assert pane.split.sizes()[1] > 0 and pane.preview.isVisible()
    assert toggle.text() == "Hide pre&view"
