"""The originals tab records who took each original and who holds its copyright (through the
items service), and the packet tab lists the advocate notes, all unticked: only a ticked note
reaches packet.pdf. Real services on a fast-KDF vault."""

from __future__ import annotations

import io
from pathlib import Path

import pypdf
import pytest
from guikit import WAIT, benign_picture, new_case, part_installed, wait_tasks
from PySide6.QtCore import Qt

from ncii_desk.gui.mainwindow import MainWindow
from ncii_desk.services import items
from ncii_desk.vault.models import Role

NOTE = "Strategy: privileged plan for the hearing"


def pdf_text(path: Path) -> str:
    reader = pypdf.PdfReader(io.BytesIO(path.read_bytes()))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def test_originals_tab_marks_copyright_and_packet_notes_start_unticked(
    qtbot,  # type: ignore[no-untyped-def]
    unlocked: MainWindow,
    tmp_path: Path,
) -> None:
    window = unlocked
    case_id = new_case(qtbot, window, notes=NOTE)
    ws = window.workspace
    assert ws is not None
    picture = tmp_path / "selfie.png"
    benign_picture(3).save(picture)
    ws.tabs.setCurrentWidget(ws.originals)
    section = ws.originals.originals
    section.add_paths([picture])
    wait_tasks(qtbot, window)
    qtbot.waitUntil(lambda: len(section.views) == 1, timeout=WAIT)
    item_id = section.views[0].id
    pane = ws.originals
    assert not pane.save_copyright.isEnabled()  # nothing selected yet
    section.select_item(item_id)
    qtbot.waitUntil(lambda: pane.save_copyright.isEnabled(), timeout=WAIT)
    assert pane.taken_by.currentData() == "unknown" and pane.holds.currentData() == "unknown"
    pane.taken_by.setCurrentIndex(pane.taken_by.findData("client"))
    pane.holds.setCurrentIndex(pane.holds.findData("yes"))
    pane.store_copyright()
    qtbot.waitUntil(lambda: pane.copyright_note.text() == "Saved.", timeout=WAIT)
    vault = window.vault
    assert vault is not None
    (view,) = items.list_items(vault, case_id, Role.ORIGINAL)
    assert (view.taken_by, view.client_holds_copyright) == ("client", "yes")

    if not part_installed("ncii_desk.services.packets"):
        pytest.skip("evidence packets are not part of this build")
    packet = ws.packet
    ws.tabs.setCurrentWidget(packet)
    packet.refresh()
    qtbot.waitUntil(lambda: packet.notes.count() == 1, timeout=WAIT)
    entry = packet.notes.item(0)
    assert entry.checkState() == Qt.CheckState.Unchecked
    assert entry.data(Qt.ItemDataRole.UserRole) == "case"
    packet.build(tmp_path / "without")
    wait_tasks(qtbot, window)
    qtbot.waitUntil(lambda: "Manifest SHA-256" in packet.result.toPlainText(), timeout=WAIT)
    # The list is read again once the case changed; let that finish before ticking.
    qtbot.waitUntil(lambda: packet.notes.count() == 1, timeout=WAIT)
    wait_tasks(qtbot, window)
    assert NOTE not in pdf_text(tmp_path / "without" / "packet.pdf")
    assert packet.ticked_notes() == []
    packet.notes.item(0).setCheckState(Qt.CheckState.Checked)
    assert packet.ticked_notes() == ["case"]
    packet.build(tmp_path / "with")
    wait_tasks(qtbot, window)
    qtbot.waitUntil(lambda: (tmp_path / "with" / "packet.pdf").exists(), timeout=WAIT)
    assert NOTE in pdf_text(tmp_path / "with" / "packet.pdf")


def test_draft_dialog_asks_for_the_dmca_statements_only_for_a_dmca_notice(qtbot) -> None:  # type: ignore[no-untyped-def]
    from ncii_desk.gui.workspace.requests import DraftDialog

    dialog = DraftDialog({"signer": "Ana Advocate", "email": "ana@clinic.example"})
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.tabs.setCurrentIndex(1)
    dialog.select_route("takedown")
    assert not any(w.isVisible() for w in dialog.dmca_rows)
    dialog.select_route("dmca")
    assert all(w.isVisible() for w in dialog.dmca_rows)
    dialog.work.setText("Photographs the client took of herself")
    dialog.copyright_owner.setChecked(True)
    dialog.accuracy.setChecked(True)
    form = dialog.letter_form()
    assert form.work == "Photographs the client took of herself"
    assert form.copyright_owner and form.accuracy


def test_dmca_left_out_pictures_say_why_and_what_to_do() -> None:
    from ncii_desk.gui.workspace.requests import left_out_problem
    from ncii_desk.services import requests as tracker

    entry = tracker.LeftOut("https://i.redd.it/x.jpg", tracker.DMCA_FACE_ONLY, item_id="ab" * 16)
    problem = left_out_problem(entry, {})
    assert problem.item == "https://i.redd.it/x.jpg"
    assert problem.message == (
        "Not in the DMCA notice: only a face match, not a copy of the client's own picture"
    )
    assert "TAKE IT DOWN Act request" in problem.hint
