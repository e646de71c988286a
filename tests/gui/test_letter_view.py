"""Reading a letter in the app, before and after it is sent: its PDF pages drawn from bytes
in memory (or its text without QtPdf), nothing written to disk; "Send by email" saves the PDF
where the advocate chooses and hands the mail program a new message."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from guikit import WAIT, new_case, part_installed
from PySide6.QtCore import QObject, QUrl, QUrlQuery, Slot
from PySide6.QtGui import QDesktopServices

from ncii_desk.gui.letterview import LetterPreview, pdf_available
from ncii_desk.gui.mainwindow import MainWindow

pytestmark = pytest.mark.skipif(
    not part_installed("ncii_desk.services.requests"),
    reason="removal requests are not part of this build",
)

PAGE = "https://www.reddit.com/r/a/comments/1"


class UrlCatcher(QObject):
    """Receives the URLs the app hands to the desktop (Qt's own hook for a scheme)."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[QUrl] = []

    @Slot(QUrl)
    def catch(self, url: QUrl) -> None:
        self.urls.append(QUrl(url))


def _draft(window: MainWindow, case_id: str, hours_ago: int = 0) -> str:
    from datetime import UTC, datetime, timedelta

    from ncii_desk.documents.letters import LetterForm, Sender
    from ncii_desk.services import requests as tracker

    assert window.vault is not None
    form = LetterForm(
        sender=Sender(name="Alex", email="a@example.org", representative=True, authority="Asked"),
        signature="/s/ Alex",
        good_faith=True,
        covered_platform="yes",
    )
    drafted = tracker.draft_requests(
        window.vault,
        case_id,
        "takedown",
        form,
        extra_urls=[PAGE],
        now=datetime.now(UTC) - timedelta(hours=hours_ago),
    )
    return str(drafted.requests[0].id)


def _pdfs_under(root: Path) -> list[Path]:
    found = []
    for folder, _dirs, files in os.walk(root):
        for name in files:
            with open(Path(folder) / name, "rb") as fh:
                if fh.read(5) == b"%PDF-":
                    found.append(Path(folder) / name)
    return found


def test_letter_is_read_in_the_app_before_and_after_sending(
    qtbot, unlocked: MainWindow, isolated_user_dirs: Path
) -> None:
    from ncii_desk.services import requests as tracker

    window = unlocked
    case_id = new_case(qtbot, window)
    rid = _draft(window, case_id, hours_ago=3)  # drafted earlier: the sent letter's date differs
    ws = window.workspace
    assert ws is not None
    ws.tabs.setCurrentWidget(ws.requests)
    req = ws.requests
    req.refresh()
    qtbot.waitUntil(lambda: len(req.views) == 1, timeout=WAIT)
    req.table.selectRow(0)
    preview = req.letter
    qtbot.waitUntil(lambda: PAGE in preview.text.toPlainText(), timeout=WAIT)
    assert req.below.tabText(req.below.currentIndex()) == "Letter"
    if pdf_available():
        assert preview.shows_pages and preview.page_count() >= 1
        page = preview.render_page(0)
        assert not page.isNull()
        # Drawn, not blank: some pixels are dark (the letter's text).
        dark = sum(
            1
            for y in range(0, page.height(), 7)
            for x in range(0, page.width(), 7)
            if page.pixelColor(x, y).lightness() < 100
        )
        assert dark > 20
    draft_text = preview.text.toPlainText()

    assert window.vault is not None
    tracker.mark_sent(window.vault, rid)
    req.refresh()
    # The sent letter (dated again) replaces the draft on screen.
    qtbot.waitUntil(
        lambda: (
            req.views[0].status == "sent"
            and PAGE in preview.text.toPlainText()
            and preview.text.toPlainText() != draft_text
        ),
        timeout=WAIT,
    )
    # Read from memory only: no PDF was written anywhere in the user's folders.
    assert _pdfs_under(isolated_user_dirs) == []


def test_without_qtpdf_the_letter_text_is_shown(qtbot) -> None:
    preview = LetterPreview(use_pdf=False)
    qtbot.addWidget(preview)
    preview.show_letter("letter.pdf", b"%PDF-1.7 not drawn here", "Dear Reddit,\nPlease remove")
    assert not preview.shows_pages and preview.page_count() == 0
    assert preview.text.toPlainText() == "Dear Reddit,\nPlease remove"
    assert "cannot be drawn" in preview.info.text()


def test_send_by_email_saves_the_pdf_and_opens_the_mail_program(
    qtbot, unlocked: MainWindow, tmp_path: Path
) -> None:
    window = unlocked
    case_id = new_case(qtbot, window)
    rid = _draft(window, case_id)
    ws = window.workspace
    assert ws is not None
    ws.tabs.setCurrentWidget(ws.requests)
    req = ws.requests
    req.refresh()
    qtbot.waitUntil(lambda: len(req.views) == 1, timeout=WAIT)
    req.table.selectRow(0)
    assert req.email_button.isEnabled()
    assert "cannot be handed an attachment" in req.email_button.toolTip()
    catcher = UrlCatcher()
    for scheme in ("mailto", "file"):
        QDesktopServices.setUrlHandler(scheme, catcher, "catch")
    try:
        out = tmp_path / "to-attach"
        req.send_email(folder=out)
        qtbot.waitUntil(lambda: len(catcher.urls) == 2, timeout=WAIT)
    finally:
        for scheme in ("mailto", "file"):
            QDesktopServices.unsetUrlHandler(scheme)
    mail, folder = catcher.urls
    assert mail.scheme() == "mailto"
    assert QUrlQuery(mail).queryItemValue("subject") == f"Removal request {rid[:12]}"
    assert folder.toLocalFile() == str(out)
    saved = sorted(p.name for p in out.iterdir())
    assert len(saved) == 1 and saved[0].endswith(".pdf")  # the PDF only, where chosen
    assert (out / saved[0]).read_bytes().startswith(b"%PDF-")
    assert saved[0] in req.note.text() and "attach it" in req.note.text()
