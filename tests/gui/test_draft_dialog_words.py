"""The Draft letters dialog in the advocate's words: required details marked before Draft is
pressed, refusals that name the dialog's fields (never command-line options), the signer and
clinic details remembered for the next letters, and a question before typed text is lost."""

from __future__ import annotations

from typing import Any

import pytest
from guikit import WAIT, new_case, part_installed
from PySide6.QtCore import Qt

from ncii_desk.gui.mainwindow import MainWindow

pytestmark = pytest.mark.skipif(
    not part_installed("ncii_desk.services.requests"),
    reason="removal requests are not part of this build",
)

PAGE = "https://www.reddit.com/r/a/comments/1"


def _open(qtbot, req: Any, previous: Any = None) -> Any:  # type: ignore[no-untyped-def]
    req.draft()
    qtbot.waitUntil(
        lambda: (
            getattr(req, "draft_dialog", None) not in (None, previous)
            and req.draft_dialog.isVisible()
        ),
        timeout=WAIT,
    )
    dialog = req.draft_dialog
    qtbot.waitUntil(lambda: dialog.preview is not None and not dialog.preview_busy, timeout=WAIT)
    return dialog


def _label(dialog: Any, widget: Any) -> str:
    return str(dialog.details_form.labelForField(widget).text())


def test_draft_dialog_marks_required_details_speaks_plainly_and_remembers(
    qtbot, unlocked: MainWindow
) -> None:
    from ncii_desk.services import requests as tracker

    window = unlocked
    new_case(qtbot, window)
    ws = window.workspace
    assert ws is not None
    ws.tabs.setCurrentWidget(ws.requests)
    req = ws.requests
    dialog = _open(qtbot, req)

    # Marked before anything is pressed, and following the kind of request.
    dialog.select_route("takedown")
    assert _label(dialog, dialog.signer) == "Signed by (required)"
    assert dialog.good_faith.text().endswith("(required)")
    assert _label(dialog, dialog.covered) == "Covered platform? (required)"
    assert _label(dialog, dialog.email) == "Email (one of these three is required)"
    assert _label(dialog, dialog.authority) == "Authority to act (required)"
    assert _label(dialog, dialog.person_name).endswith("(only if a platform needs it)")
    dialog.is_self.setChecked(True)  # the client sends it: no authority needed
    assert _label(dialog, dialog.authority) == "Authority to act"
    dialog.is_self.setChecked(False)
    dialog.select_route("ncii-report")
    assert _label(dialog, dialog.signer) == "Signed by"
    assert not dialog.good_faith.text().endswith("(required)")
    dialog.select_route("takedown")

    # Drafting with details missing names them in the dialog's own words.
    dialog.extra_urls.setPlainText(PAGE)
    dialog.select_covered("yes")
    req.submit_draft(dialog)
    qtbot.waitUntil(lambda: "cannot be produced" in dialog.message.text(), timeout=WAIT)
    text = dialog.message.text()
    assert "'Signed by'" in text and "'Email', 'Phone' or 'Postal address'" in text
    assert "good faith" in text and "'Authority to act'" in text
    for cli_word in ("--", "ncii-desk", "clinic set"):
        assert cli_word not in text
    assert dialog.isVisible() and req.views == []

    # Filled in: drafted, and the signer and clinic details are kept for next time.
    dialog.signer.setText("Alex Advocate")
    dialog.sign.setChecked(True)
    dialog.good_faith.setChecked(True)
    dialog.organisation.setText("Example Legal Clinic")
    dialog.authority.setText("Asked in writing by the client")
    dialog.email.setText("advocate@example.org")
    assert dialog.remember.isChecked()
    req.submit_draft(dialog)
    qtbot.waitUntil(lambda: len(req.views) == 1, timeout=WAIT)
    assert window.vault is not None
    stored = tracker.get_clinic(window.vault)
    assert stored["signer"] == "Alex Advocate" and stored["email"] == "advocate@example.org"
    assert stored["name"] == "Example Legal Clinic"
    assert stored["authority"] == "Asked in writing by the client"

    second = _open(qtbot, req, previous=dialog)
    assert second.signer.text() == "Alex Advocate"
    assert second.email.text() == "advocate@example.org"
    assert not second.has_typed()
    second.reject()  # nothing typed: closes without a question
    assert not second.isVisible() and second.discard_box is None


def test_draft_dialog_asks_before_discarding_typed_text(qtbot, unlocked: MainWindow) -> None:
    window = unlocked
    new_case(qtbot, window)
    ws = window.workspace
    assert ws is not None
    ws.tabs.setCurrentWidget(ws.requests)
    req = ws.requests
    dialog = _open(qtbot, req)
    dialog.tabs.setCurrentIndex(1)
    dialog.statement.setPlainText("She never agreed to this being shared.")
    assert dialog.has_typed()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    box = dialog.discard_box
    assert box is not None and box.isVisible() and dialog.isVisible()
    qtbot.mouseClick(dialog.keep_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not box.isVisible(), timeout=WAIT)
    assert dialog.isVisible()
    assert dialog.statement.toPlainText() == "She never agreed to this being shared."
    dialog.close()  # the window's close button asks the same
    assert dialog.isVisible() and dialog.discard_box is not None
    qtbot.mouseClick(dialog.discard_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=WAIT)
