"""Matches in plain words: "How close" and "Counted as a match when" instead of Distance,
Threshold, Score and PDQ; the method explained in a tooltip; the numbers still there."""

from __future__ import annotations

from pathlib import Path

from guikit import WAIT, new_case, wait_tasks, write_originals_and_suspects
from PySide6.QtCore import Qt

from ncii_desk.gui.mainwindow import MainWindow
from ncii_desk.gui.workspace.matches import DETAILS_COLUMN, closeness, match_rule

JARGON = ("Distance", "Threshold", "Score", "PDQ")


def test_matches_table_speaks_plainly_and_keeps_the_numbers(
    qtbot, unlocked: MainWindow, tmp_path: Path
) -> None:
    window = unlocked
    new_case(qtbot, window)
    ws = window.workspace
    assert ws is not None
    originals, suspects = write_originals_and_suspects(tmp_path)
    ws.originals.originals.add_paths(originals)
    wait_tasks(qtbot, window)
    ws.suspects.items.add_paths([suspects])
    wait_tasks(qtbot, window)
    ws.tabs.setCurrentWidget(ws.matches)
    matches = ws.matches
    qtbot.waitUntil(lambda: len(matches.rows) == 1, timeout=WAIT)
    m = matches.rows[0].match
    assert m.distance is not None and m.threshold is not None

    model = matches.model
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert "How close" in headers and "Counted as a match when" in headers
    shown = headers + [model.item(0, c).text() for c in range(model.columnCount())]
    visible = [text for c, text in enumerate(shown) if c != len(headers) + DETAILS_COLUMN]
    for word in JARGON:
        assert not any(word in text for text in visible), (word, visible)

    close = model.item(0, headers.index("How close"))
    rule = model.item(0, headers.index("Counted as a match when"))
    assert close.text() == closeness(m.kind, m.distance, m.score, m.threshold)
    assert rule.text() == f"{m.threshold:.0f} or fewer bits differ"
    # The method is explained in the tooltip, the numbers are still available.
    method_tip = model.item(0, headers.index("How it was found")).toolTip()
    assert "PDQ" in method_tip and "bits" in method_tip
    numbers = model.item(0, DETAILS_COLUMN).text()
    assert f"distance {m.distance:.0f}" in numbers and f"threshold {m.threshold:.0f}" in numbers
    assert f"distance {m.distance:.0f}" in close.toolTip()

    matches.table.selectRow(0)
    explain = matches.explain.toPlainText()
    assert "How close:" in explain and "Counted as a match when" in explain
    assert f"threshold {m.threshold:.0f}" in explain


def test_closeness_words_follow_the_limit() -> None:
    assert closeness("pdq", 0, None, 31) == "Identical to the eye"
    assert closeness("pdq", 5, None, 31) == "Very close"
    assert closeness("pdq", 18, None, 31) == "Close"
    assert closeness("pdq", 30, None, 31) == "Just close enough"
    assert closeness("face", None, 0.75, 0.5) == "Very alike"
    assert closeness("face", None, 0.52, 0.5) == "Just alike enough"
    assert closeness("local-features", None, 42, 15) == "42 details agree"
    assert closeness("sha256", None, None, None) == "Identical"
    assert match_rule("face", None, 0.5) == "similarity is 0.50 or more"
    assert match_rule("local-features", None, 15) == "15 or more details agree"
