"""Capturing links from the Suspects tab, against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from guikit import WAIT, benign_picture, new_case, part_installed, wait_tasks

from ncii_desk.gui.common import plain_tip
from ncii_desk.gui.mainwindow import MainWindow
from ncii_desk.gui.optional import capture_missing

pytestmark = pytest.mark.skipif(
    not part_installed("ncii_desk.services.capture"), reason="capture is not part of this build"
)


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def site(tmp_path: Path) -> Iterator[str]:
    folder = tmp_path / "site"
    folder.mkdir()
    benign_picture(5).save(folder / "photo.jpg", quality=90)
    (folder / "post.html").write_text("<html><body><img src='photo.jpg'></body></html>")
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_capture_links_status_per_link_recheck_and_custody(
    qtbot, unlocked: MainWindow, site: str
) -> None:
    window = unlocked
    new_case(qtbot, window)
    ws = window.workspace
    assert ws is not None
    ws.tabs.setCurrentWidget(ws.suspects)
    pane = ws.suspects
    assert capture_missing() is None and pane.capture_button.isEnabled()
    pane.capture()
    assert pane.capture_note.text() == "Paste at least one link first."
    pane.urls.setPlainText(f"{site}/post.html\n\n{site}/missing.html\n{site}/post.html\n")
    pane.capture()
    wait_tasks(qtbot, window)
    row = window.task_panel.rows[-1]
    assert row.label_text == "Capturing 2 link(s)"
    assert row.outcome == "done" and "Captured 1 of 2 link(s)" in row.status.text()
    problems = window.task_panel.problem_texts()
    assert [item for _t, item, _w, _h in problems] == [f"{site}/missing.html"]
    assert "404" in problems[0][2]
    assert pane.urls.toPlainText() == ""
    qtbot.waitUntil(lambda: pane.model.rowCount() == 2, timeout=WAIT)
    statuses = {pane.model.item(r, 0).text(): pane.model.item(r, 1).text() for r in range(2)}
    assert statuses[f"{site}/post.html"] == "Captured (HTTP 200)"
    assert statuses[f"{site}/missing.html"].startswith("Failed:")
    # Readable at first sight: status, time and count fit; the address takes the rest of
    # the width (shortened in the middle) with the whole of it in the tooltip.
    table, metrics = pane.table, pane.table.fontMetrics()
    ok = next(r for r in range(2) if pane.model.item(r, 0).text() == f"{site}/post.html")
    for column in (1, 2, 3):
        text = pane.model.item(ok, column).text()
        assert table.columnWidth(column) >= metrics.horizontalAdvance(text), text
    assert table.columnWidth(0) >= metrics.horizontalAdvance(f"{site}/post.html")
    assert pane.model.item(ok, 0).toolTip() == plain_tip(f"{site}/post.html")
    rows = table.verticalHeader().defaultSectionSize()
    assert table.viewport().height() >= 3 * rows  # both links and a free line, not one row
    qtbot.waitUntil(lambda: len(pane.items.views) >= 1, timeout=WAIT)

    pane.recheck()
    wait_tasks(qtbot, window)
    assert "Checked" in window.task_panel.rows[-1].status.text()
    qtbot.waitUntil(
        lambda: any(
            pane.model.item(r, 4).text().startswith("Still up")
            for r in range(pane.model.rowCount())
        ),
        timeout=WAIT,
    )

    photo = next(v for v in pane.items.views if v.original_filename.endswith("photo.jpg"))
    pane.items.select_item(photo.id)
    assert pane.custody_button.isEnabled()
    pane.show_custody()
    dialogs: list[object] = []

    def custody_open() -> bool:
        from ncii_desk.gui.workspace.suspects import CustodyDialog

        dialogs[:] = [d for d in pane.findChildren(CustodyDialog) if d.isVisible()]
        return bool(dialogs)

    qtbot.waitUntil(custody_open, timeout=WAIT)
    text = dialogs[0].text.toPlainText()  # type: ignore[attr-defined]
    assert f"{site}/post.html" in text and photo.sha256 in text
    assert "Audit trail verified: yes" in text
