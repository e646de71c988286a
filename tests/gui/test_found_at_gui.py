"""'Where was it found?' on the Suspects tab: the web address of a file added by hand."""

from __future__ import annotations

import json
from pathlib import Path

from guikit import WAIT, benign_picture, new_case, wait_tasks
from PySide6.QtWidgets import QLineEdit
from sqlalchemy import select
from test_accessibility import unnamed_controls

from ncii_desk.gui.mainwindow import MainWindow
from ncii_desk.gui.workspace.foundat import FoundAtDialog
from ncii_desk.services import requests as tracker
from ncii_desk.services.found_at import SOURCE_SET_ACTION
from ncii_desk.vault.models import AuditEvent, Capture, EvidenceItem, Role, Source

CDN = "https://cdn.example.net/i/7f3a9c.jpg"
PAGE = "https://forum.example.org/t/12345"


def open_dialog(qtbot, pane) -> FoundAtDialog:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(pane.found_at_button.isEnabled, timeout=WAIT)
    pane.found_at_button.click()
    dialog = pane.found_at_dialog
    assert isinstance(dialog, FoundAtDialog)
    qtbot.waitUntil(dialog.isVisible, timeout=WAIT)
    return dialog


def field(dialog: FoundAtDialog, name: str) -> QLineEdit:
    [found] = [w for w in dialog.findChildren(QLineEdit) if w.accessibleName() == name]
    return found


def test_where_was_it_found_sets_the_addresses_the_letters_use(
    qtbot, unlocked: MainWindow, tmp_path: Path
) -> None:
    window = unlocked
    case_id = new_case(qtbot, window)
    ws = window.workspace
    assert ws is not None and window.vault is not None
    ws.tabs.setCurrentWidget(ws.suspects)
    pane = ws.suspects
    benign_picture(3).save(tmp_path / "download.png")
    pane.items.add_paths([tmp_path / "download.png"])
    wait_tasks(qtbot, window)
    qtbot.waitUntil(lambda: len(pane.items.views) == 1, timeout=WAIT)
    item_id = pane.items.views[0].id
    assert not pane.found_at_button.isEnabled()  # nothing selected yet
    pane.items.select_item(item_id)

    dialog = open_dialog(qtbot, pane)
    assert unnamed_controls(dialog) == []
    source = field(dialog, "Its own web address")
    page = field(dialog, "Address of the page it was on (optional)")
    assert (source.text(), page.text()) == ("", "")
    assert not dialog.save_button.isEnabled()  # the file's own address is needed
    source.setText("forum.example.org/t/12345")
    dialog.save_button.click()
    assert dialog.isVisible()  # refused, with the reason, and nothing saved
    assert "must start with https:// or http://" in dialog.message.text()
    source.setText(f" {CDN} ")
    page.setText(PAGE)
    dialog.save_button.click()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=WAIT)
    qtbot.waitUntil(lambda: pane.items.views[0].source_url == CDN, timeout=WAIT)
    assert pane.items.views[0].page_url == PAGE
    assert "Saved where it was found" in pane.found_at_note.text()

    vault = window.vault
    with vault.session() as s:
        logged = [
            json.loads(e.details)
            for e in s.scalars(select(AuditEvent).where(AuditEvent.action == SOURCE_SET_ACTION))
        ]
    assert [(e["old"], e["new"]) for e in logged] == [
        ({"source_url": "", "page_url": ""}, {"source_url": CDN, "page_url": PAGE})
    ]
    plan = tracker.plan_drafts(vault, case_id, "takedown")
    assert [(u.item_id, u.url, u.page_url) for u in plan.unmatched] == [(item_id, CDN, PAGE)]

    # Opened again, it shows what is recorded; clearing the page removes it.
    pane.items.select_item(item_id)
    dialog = open_dialog(qtbot, pane)
    assert (dialog.source.text(), dialog.page.text()) == (CDN, PAGE)
    dialog.page.clear()
    dialog.save_button.click()
    qtbot.waitUntil(lambda: pane.items.views[0].page_url == "", timeout=WAIT)
    assert pane.items.views[0].source_url == CDN


def test_a_captured_picture_keeps_the_address_of_its_capture(qtbot, unlocked: MainWindow) -> None:
    window = unlocked
    case_id = new_case(qtbot, window)
    ws = window.workspace
    assert ws is not None and window.vault is not None
    with window.vault.transaction() as s:
        capture = Capture(case_id=case_id, url=PAGE, http_status=200, details={"kind": "web"})
        s.add(capture)
        s.flush()
        item = EvidenceItem(
            case_id=case_id,
            role=Role.SUSPECT,
            source=Source.URL,
            size=10,
            mime="image/jpeg",
            sha256="3c" * 32,
            md5="3c" * 16,
            capture_id=capture.id,
            pixels_kept=False,
            suspected_minor=True,
            details={"url": CDN, "page_url": PAGE},
        )
        s.add(item)
        s.flush()
        item_id = item.id
    ws.tabs.setCurrentWidget(ws.suspects)
    pane = ws.suspects
    pane.items.refresh()
    qtbot.waitUntil(lambda: len(pane.items.views) == 1, timeout=WAIT)
    pane.items.select_item(item_id)
    qtbot.waitUntil(lambda: pane.items.selected_id() == item_id, timeout=WAIT)
    assert pane.items.views[0].source_url == CDN
    assert not pane.found_at_button.isEnabled()
    pane.ask_found_at()
    assert pane.found_at_dialog is None
