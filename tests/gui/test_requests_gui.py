"""Drafting removal requests from the window: the dialog shows, before anything is drafted,
which pictures go in each letter (only the matched ones, with their own address, page and
review mark), lets the advocate add an unmatched picture, names what is left out, and
refuses a repeat draft in plain words unless "draft again" is ticked. Real services on a
fast-KDF vault and a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
import shiboken6
from capture_server import LocalServer, Route, page
from guikit import WAIT, benign_picture, new_case, part_installed, wait_tasks
from PIL import Image
from PySide6.QtCore import Qt
from test_accessibility import unnamed_controls

from ncii_desk.gui.mainwindow import MainWindow
from ncii_desk.vault.models import Setting

pytestmark = pytest.mark.skipif(
    not (
        part_installed("ncii_desk.services.capture")
        and part_installed("ncii_desk.services.requests")
    ),
    reason="capture or removal requests are not part of this build",
)

BAD_THRESHOLD = {"pdq_distance": 500}


def _jpeg(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def _serve(web: LocalServer) -> dict[str, str]:
    """Page 1: a resized copy of original 1 and an unrelated picture; page 2: only an
    unrelated picture."""
    web.routes["/post/1"] = Route(page('<img src="/media/copy.jpg"><img src="/media/other.jpg">'))
    web.routes["/post/2"] = Route(page('<img src="/media/lone.jpg">'))
    pictures = {
        "/media/copy.jpg": benign_picture(1).resize((300, 300), Image.Resampling.LANCZOS),
        "/media/other.jpg": benign_picture(99),
        "/media/lone.jpg": benign_picture(42),
    }
    for path, image in pictures.items():
        web.routes[path] = Route(_jpeg(image), content_type="image/jpeg")
    return {
        "page1": web.url("/post/1"),
        "page2": web.url("/post/2"),
        "copy": web.url("/media/copy.jpg"),
        "other": web.url("/media/other.jpg"),
        "lone": web.url("/media/lone.jpg"),
    }


def _open_dialog(qtbot, req: Any, previous: Any = None) -> Any:  # type: ignore[no-untyped-def]
    req.draft()
    qtbot.waitUntil(
        lambda: (
            getattr(req, "draft_dialog", None) not in (None, previous)
            and req.draft_dialog.isVisible()
        ),
        timeout=WAIT,
    )
    dialog = req.draft_dialog
    _settled(qtbot, dialog)
    return dialog


def _settled(qtbot, dialog: Any) -> None:  # type: ignore[no-untyped-def]
    """Wait until no preview change is waiting or running."""
    qtbot.waitUntil(
        lambda: (
            dialog.preview is not None
            and not dialog.preview_busy
            and not dialog._pending.isActive()
        ),
        timeout=WAIT,
    )


def _fill(dialog: Any) -> None:
    dialog.select_route("takedown")
    dialog.select_covered("yes")
    dialog.signer.setText("Alex Advocate")
    dialog.organisation.setText("Example Legal Clinic")
    dialog.authority.setText("Authorised in writing by the client")
    dialog.email.setText("advocate@example.org")
    dialog.sign.setChecked(True)
    dialog.good_faith.setChecked(True)


def _tree(dialog: Any) -> dict[str, list[list[str]]]:
    """The preview as shown: top-level row -> its rows, each as its column texts."""
    out: dict[str, list[list[str]]] = {}
    for i in range(dialog.letters.topLevelItemCount()):
        top = dialog.letters.topLevelItem(i)
        out[top.text(0)] = [
            [top.child(r).text(c) for c in range(5)] for r in range(top.childCount())
        ]
    return out


def _candidates(dialog: Any) -> dict[str, str]:
    """Unmatched pictures offered: shown text -> item id."""
    return {
        dialog.candidates.item(r).text(): dialog.candidates.item(r).data(256)
        for r in range(dialog.candidates.count())
    }


def test_draft_dialog_lists_matched_pictures_adds_unmatched_and_refuses_a_repeat(
    qtbot, unlocked: MainWindow, web: LocalServer, tmp_path: Path
) -> None:
    window = unlocked
    new_case(qtbot, window)
    ws = window.workspace
    assert ws is not None
    original = tmp_path / "original-1.png"
    benign_picture(1).save(original)
    ws.originals.originals.add_paths([original])
    wait_tasks(qtbot, window)

    # A stored threshold that is not valid: capturing says the default was used.
    assert window.vault is not None
    with window.vault.transaction() as s:
        s.merge(Setting(key="thresholds", value=BAD_THRESHOLD))
    urls = _serve(web)
    ws.tabs.setCurrentWidget(ws.suspects)
    ws.suspects.urls.setPlainText(f"{urls['page1']}\n{urls['page2']}")
    ws.suspects.capture()
    wait_tasks(qtbot, window)
    capture_row = window.task_panel.rows[-1]
    assert capture_row.outcome == "done", window.task_panel.problem_texts()
    assert "1 new match" in capture_row.status.text()
    warned = [p for p in window.task_panel.problem_texts() if p[1] == "(matching)"]
    assert len(warned) == 1 and "not valid" in warned[0][2] and "31" in warned[0][2]
    # Finding matches again says so too.
    ws.tabs.setCurrentWidget(ws.matches)
    ws.matches.rematch()
    wait_tasks(qtbot, window)
    assert window.task_panel.rows[-1].outcome == "done"
    rematch = [p for p in window.task_panel.problem_texts() if p[0] == "Finding matches"]
    assert [p[1] for p in rematch] == ["(matching)"] and "not valid" in rematch[0][2]

    # Before drafting: exactly the matched copy, with its own address, its page and its mark.
    ws.tabs.setCurrentWidget(ws.requests)
    req = ws.requests
    dialog = _open_dialog(qtbot, req)
    assert unnamed_controls(dialog) == []
    assert not dialog.again.isChecked()
    listed = [
        (x.recipient, [(p.url, p.page_url, p.review) for p in x.pictures])
        for x in dialog.preview.letters
    ]
    assert listed == [("127.0.0.1", [(urls["copy"], urls["page1"], "pending")])]
    tree = _tree(dialog)
    assert tree["Letter to 127.0.0.1"] == [
        ["copy.jpg", urls["copy"], urls["page1"], "pending: not yet reviewed", ""]
    ]
    assert tree["Not in any letter"] == [
        ["", urls["page2"], "", "", "No picture on this page matched the client's photos."]
    ]
    assert "1 not yet reviewed" in dialog.preview_note.text()
    offered = _candidates(dialog)
    assert sorted(offered) == [f"lone.jpg  {urls['lone']}", f"other.jpg  {urls['other']}"]
    copy_id = dialog.preview.letters[0].pictures[0].item_ids[0]
    other_id = offered[f"other.jpg  {urls['other']}"]

    # Ticking the unrelated picture adds it to the letter, marked as named.
    dialog.set_item_checked(other_id)
    _settled(qtbot, dialog)
    assert _tree(dialog)["Letter to 127.0.0.1"] == [
        ["copy.jpg", urls["copy"], urls["page1"], "pending: not yet reviewed", ""],
        ["other.jpg", urls["other"], urls["page1"], "named by you", ""],
    ]
    assert dialog.chosen_items() == [other_id]
    _fill(dialog)
    req.submit_draft(dialog)
    qtbot.waitUntil(lambda: len(req.views) == 1, timeout=WAIT)
    [first] = req.views
    assert first.status == "draft" and first.item_ids == [copy_id, other_id]
    assert first.urls == [urls["copy"], urls["page1"], urls["other"]]
    assert not shiboken6.isValid(dialog) or not dialog.isVisible()  # closed
    # What was left out is listed with what to do about it.
    left = [p for p in window.task_panel.problem_texts() if p[0] == "Drafting letters"]
    assert [(p[1], p[2]) for p in left] == [
        (urls["page2"], "No picture on this page matched the client's photos.")
    ]
    assert "More addresses" in left[0][3]
    assert "1 address(es) or file(s) were left out" in req.note.text()

    # A second draft of the same pictures is refused, naming the request already made.
    second = _open_dialog(qtbot, req, previous=dialog)
    assert second.preview.letters[0].pictures[0].covered_by == first.id
    assert _tree(second)["Letter to 127.0.0.1"][0][4] == (
        f"Already in request {first.id[:12]} (Draft, not sent): left out"
    )
    assert "already in an open request" in second.preview_note.text()
    _fill(second)
    req.submit_draft(second)
    qtbot.waitUntil(lambda: "Nothing new to draft" in second.message.text(), timeout=WAIT)
    text = second.message.text()
    assert f"request {first.id[:12]} to 127.0.0.1 (Draft, not sent" in text
    assert "Draft again even if a request already covers these pictures" in text
    assert "Traceback" not in text and "--again" not in text
    assert second.isVisible() and req.selected() is not None and req.selected().id == first.id
    assert second.buttons.button(second.buttons.StandardButton.Ok).isEnabled()

    # With "draft again" it drafts a new letter for the same picture.
    second.again.setChecked(True)
    _settled(qtbot, second)
    assert second.preview.letters[0].pictures[0].covered_by == ""
    req.submit_draft(second)
    qtbot.waitUntil(lambda: len(req.views) == 2, timeout=WAIT)
    again = next(v for v in req.views if v.id != first.id)
    assert again.item_ids == [copy_id] and again.urls == [urls["copy"], urls["page1"]]


def test_capture_lists_an_invalid_stored_threshold_as_a_problem() -> None:
    from ncii_desk.gui.workspace.suspects import batch_problems
    from ncii_desk.services.capture import CaptureBatch

    note = "The stored threshold 'pdq_distance' (500) is not valid; the default 31 was used."
    problems = batch_problems(CaptureBatch(warnings=[note]))
    assert [(p.item, p.message) for p in problems] == [("(matching)", note)]


def test_mark_as_sent_asks_the_time_refuses_a_future_one_and_can_be_corrected(
    qtbot, unlocked: MainWindow
) -> None:
    from datetime import UTC, datetime, timedelta

    from PySide6.QtWidgets import QLabel

    from ncii_desk.documents.letters import LetterForm, Sender
    from ncii_desk.gui.workspace.requests import SentTimeDialog
    from ncii_desk.services import requests as tracker
    from ncii_desk.services import settings

    window = unlocked
    case_id = new_case(qtbot, window)
    vault = window.vault
    assert vault is not None
    settings.set_request_setting(vault, "requests.time_zone", "America/New_York")
    form = LetterForm(
        sender=Sender(name="Alex", email="a@example.org", representative=True, authority="Asked"),
        signature="/s/ Alex",
        good_faith=True,
        covered_platform="yes",
    )
    drafted_at = datetime.now(UTC) - timedelta(hours=5)
    drafted = tracker.draft_requests(
        vault,
        case_id,
        "takedown",
        form,
        extra_urls=["https://www.reddit.com/r/a/comments/1"],
        now=drafted_at,
    )
    request_id = drafted.requests[0].id
    ws = window.workspace
    assert ws is not None
    ws.tabs.setCurrentWidget(ws.requests)
    req = ws.requests
    req.refresh()
    qtbot.waitUntil(lambda: len(req.views) == 1, timeout=WAIT)
    ws.refresh()
    qtbot.waitUntil(lambda: "0 open removal requests" in ws.details.text(), timeout=WAIT)
    req.table.selectRow(0)
    assert req.sent_button.isEnabled() and req.sent_button.text() == "&Mark as sent..."
    assert not req.correct_button.isEnabled()

    def dialog() -> SentTimeDialog | None:
        found = req.findChild(SentTimeDialog, "sent_time_dialog")
        return found if found is not None and found.isVisible() else None

    zone = tracker.zone_named("America/New_York")

    def local(when: datetime) -> str:
        return when.astimezone(zone).strftime("%Y-%m-%d %H:%M")

    # Asked, with now (in the clinic's zone) as the default; a future time is refused.
    qtbot.mouseClick(req.sent_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog() is not None, timeout=WAIT)
    asked = dialog()
    assert asked is not None
    labels = [w.text() for w in asked.findChildren(QLabel)]
    assert any("America/New_York" in text for text in labels), labels
    now_text = local(datetime.now(UTC))
    assert asked.chosen_text() in (now_text, local(datetime.now(UTC) - timedelta(minutes=1)))
    assert "48 hours are counted from this time" in asked.meaning.text()
    assert asked.ok.text() == "Mark as sent"
    asked.when.setDateTime(asked.when.dateTime().addDays(3))
    asked.accept()
    qtbot.waitUntil(lambda: "in the future" in req.note.text(), timeout=WAIT)
    assert tracker.get_request(vault, request_id).status == "draft"

    # Sent four hours ago: the clock starts then, and the header counts it at once.
    qtbot.mouseClick(req.sent_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog() is not None, timeout=WAIT)
    asked = dialog()
    assert asked is not None
    four_hours_ago = datetime.now(UTC) - timedelta(hours=4)
    asked.when.setDateTime(asked.when.dateTime().addSecs(-4 * 3600))
    sent_text = asked.chosen_text()
    assert sent_text == local(four_hours_ago) or sent_text == local(
        four_hours_ago - timedelta(minutes=1)
    )
    asked.accept()
    qtbot.waitUntil(lambda: req.views and req.views[0].status == "sent", timeout=WAIT)
    qtbot.waitUntil(lambda: "1 open removal requests" in ws.details.text(), timeout=WAIT)
    view = req.views[0]
    assert view.sent_local.startswith(sent_text)
    first_deadline = datetime.fromisoformat(view.deadline_at)
    assert first_deadline - datetime.fromisoformat(view.sent_at) == timedelta(hours=48)

    # Corrected with a reason: the 48-hour clock moves with it.
    req.table.selectRow(0)
    assert not req.sent_button.isEnabled() and req.correct_button.isEnabled()
    qtbot.mouseClick(req.correct_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog() is not None, timeout=WAIT)
    asked = dialog()
    assert asked is not None and asked.correcting
    assert asked.chosen_text() == sent_text  # starts from the time recorded
    asked.when.setDateTime(asked.when.dateTime().addSecs(3600))
    assert not asked.ok.isEnabled()  # a reason is required
    asked.reason.setText("The e-mail left an hour later than first noted")
    assert asked.ok.isEnabled()
    corrected_text = asked.chosen_text()
    asked.accept()
    qtbot.waitUntil(
        lambda: req.views and req.views[0].sent_local.startswith(corrected_text), timeout=WAIT
    )
    view = req.views[0]
    assert datetime.fromisoformat(view.deadline_at) - first_deadline == timedelta(hours=1)
    assert "corrected" in req.note.text().lower()
    history = str(tracker.get_request(vault, request_id).history)
    assert "The e-mail left an hour later than first noted" in history
