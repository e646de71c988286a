"""The whole flow a new advocate goes through, in the window, on real services:
create vault → new case (wizard) → originals and a suspect folder → matches → review →
TAKE IT DOWN letter → mark sent → evidence packet → verify → lock → unlock."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from guikit import WAIT, part_installed, unlock, wait_tasks, write_originals_and_suspects
from PySide6.QtWidgets import QWizard

from conftest import PASSPHRASE
from ncii_desk.gui.config import LocalConfig
from ncii_desk.gui.mainwindow import MainWindow
from ncii_desk.gui.optional import packets_missing, requests_missing
from ncii_desk.vault import Vault
from ncii_desk.vault.models import Case


def _create_vault_in_window(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    gate = window.gate
    assert gate is not None and gate.creating
    gate.passphrase.setText(PASSPHRASE)
    gate.confirm.setText(PASSPHRASE)
    gate.submit()
    page = gate.recovery_page
    qtbot.waitUntil(lambda: bool(page.key_box.toPlainText()), timeout=WAIT)
    page.kept.setChecked(True)
    page.confirm_group.setText(page.key_box.toPlainText().split("-")[-1])
    page.continue_button.click()
    assert window.vault is not None


def _new_case_with_wizard(qtbot, window: MainWindow) -> str:  # type: ignore[no-untyped-def]
    window.new_case()
    wizard = window.wizard
    consent = wizard.consent_page
    assert not consent.isComplete()  # required consent first
    for box, _text, required in consent.boxes.values():
        if required:
            box.setChecked(True)
    assert consent.isComplete()
    wizard.next()
    wizard.details_page.label.setText("Case 2026-014")
    wizard.details_page.pseudonym.setText("Client A")
    wizard.details_page.jurisdiction.setCurrentText("US-CA")
    wizard.next()
    wizard.button(QWizard.WizardButton.FinishButton).click()
    qtbot.waitUntil(lambda: window.workspace is not None, timeout=WAIT)
    ws = window.workspace
    assert ws is not None
    qtbot.waitUntil(lambda: ws.view is not None, timeout=WAIT)
    assert ws.view is not None and ws.view.client_pseudonym == "Client A"
    return ws.case_id


def test_whole_flow_without_the_command_line(qtbot, vault_dir: Path, tmp_path: Path) -> None:
    window = MainWindow(vault_dir, local=LocalConfig())
    qtbot.addWidget(window)
    window.show()
    _create_vault_in_window(qtbot, window)
    case_id = _new_case_with_wizard(qtbot, window)
    ws = window.workspace
    assert ws is not None

    # Originals and a suspect folder (one resized copy, one unrelated picture).
    originals, suspect_folder = write_originals_and_suspects(tmp_path)
    ws.originals.originals.add_paths(originals)
    wait_tasks(qtbot, window)
    ws.tabs.setCurrentWidget(ws.suspects)
    ws.suspects.items.add_paths([suspect_folder])
    wait_tasks(qtbot, window)
    assert [r.outcome for r in window.task_panel.rows] == ["done", "done"]
    assert "1 new match" in window.task_panel.rows[1].status.text()
    qtbot.waitUntil(lambda: len(ws.suspects.items.views) == 2, timeout=WAIT)

    # The match appears with its method, distance and threshold, and can be confirmed.
    ws.tabs.setCurrentWidget(ws.matches)
    matches = ws.matches
    qtbot.waitUntil(lambda: len(matches.rows) == 1, timeout=WAIT)
    row = matches.rows[0]
    assert (row.suspect_name, row.target_name) == ("found-copy.jpg", "original-1.png")
    assert row.match.distance is not None and row.match.distance <= row.match.threshold
    matches.table.selectRow(0)
    assert "Same picture" in matches.explain.toPlainText()
    assert "threshold" in matches.explain.toPlainText()
    matches.confirm_button.click()
    qtbot.waitUntil(
        lambda: bool(matches.rows) and matches.rows[0].match.review_state == "confirmed",
        timeout=WAIT,
    )

    if not part_installed("ncii_desk.services.requests"):
        pytest.skip("removal requests are not part of this build")
    assert requests_missing() is None
    # A TAKE IT DOWN letter for a Reddit address, then marked as sent.
    ws.tabs.setCurrentWidget(ws.requests)
    req = ws.requests
    req.draft()
    qtbot.waitUntil(lambda: hasattr(req, "draft_dialog"), timeout=WAIT)
    dialog = req.draft_dialog
    dialog.select_route("takedown")
    dialog.extra_urls.setPlainText("https://www.reddit.com/r/example/comments/abc123/")
    req.submit_draft(dialog)  # no signer, no statement yet: every missing element is named
    qtbot.waitUntil(lambda: "Missing" in dialog.message.text(), timeout=WAIT)
    assert "covered platform" in dialog.message.text()  # asked, never assumed
    dialog.select_covered("yes")
    dialog.signer.setText("Alex Advocate")
    dialog.organisation.setText("Example Legal Clinic")
    dialog.authority.setText("Authorised in writing by the client")
    dialog.email.setText("advocate@example.org")
    dialog.sign.setChecked(True)
    dialog.good_faith.setChecked(True)
    dialog.forgery.setChecked(True)
    req.submit_draft(dialog)
    qtbot.waitUntil(lambda: len(req.views) >= 1, timeout=WAIT)
    reddit = [i for i, v in enumerate(req.views) if v.platform == "Reddit"]
    assert len(reddit) == 1
    view = req.views[reddit[0]]
    assert view.route == "takedown" and view.status == "draft" and view.has_documents
    assert view.urls == ["https://www.reddit.com/r/example/comments/abc123/"]
    req.table.selectRow(reddit[0])
    assert req.sent_button.isEnabled()
    req.mark_sent()

    def sent() -> bool:
        return any(v.id == view.id and v.status == "sent" for v in req.views)

    qtbot.waitUntil(sent, timeout=WAIT)
    row = next(i for i, v in enumerate(req.views) if v.id == view.id)
    # Just sent: 48 hours left, counted down (47 h 59 min, or 48 h on a fast machine).
    assert req.model.item(row, 4).text().startswith(("in 1 d 23 h", "in 2 d"))
    req.save_ticket(view.id, "TICKET-42")
    qtbot.waitUntil(
        lambda: any(v.id == view.id and v.ticket_id == "TICKET-42" for v in req.views),
        timeout=WAIT,
    )

    # The dashboard shows the open request and its deadline.
    window.show_dashboard()
    qtbot.waitUntil(lambda: window.dashboard.model.rowCount() == 1, timeout=WAIT)
    qtbot.waitUntil(lambda: window.dashboard.model.item(0, 5).text() == "1", timeout=WAIT)
    assert window.dashboard.model.item(0, 6).text().startswith("in ")
    assert window.dashboard.overdue_rows() == []

    if not part_installed("ncii_desk.services.packets"):
        pytest.skip("evidence packets are not part of this build")
    assert packets_missing() is None
    window.open_case(case_id)
    ws = window.workspace
    assert ws is not None
    ws.tabs.setCurrentWidget(ws.packet)
    out = tmp_path / "packets" / "evidence"
    out.parent.mkdir()
    ws.packet.build(out)
    wait_tasks(qtbot, window)
    assert window.task_panel.rows[-1].outcome == "done", window.task_panel.problem_texts()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["files"]
    assert "Manifest SHA-256" in ws.packet.result.toPlainText()
    assert ws.packet.open_button.isEnabled()
    ws.packet.verify(out)
    wait_tasks(qtbot, window)
    assert ws.packet.result.toPlainText().startswith("VERIFIED")

    # Lock, then unlock: the case is still there.
    window.lock()
    assert window.vault is None and window.workspace is None
    unlock(qtbot, window)
    qtbot.waitUntil(lambda: window.dashboard.model.rowCount() == 1, timeout=WAIT)
    assert window.dashboard.model.item(0, 0).text() == "Case 2026-014"
    window.lock()
    vault = Vault.open(vault_dir, passphrase=PASSPHRASE)
    try:
        with vault.session() as s:
            case = s.get(Case, case_id)
            assert case is not None
            assert case.consent["store_copies"]["given"] is True
            assert case.consent["share_hashes"]["given"] is False
    finally:
        vault.close()
