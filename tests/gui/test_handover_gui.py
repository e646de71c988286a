"""Case menu: Export case / Import case with the fingerprint comparison step (issue 19 s1)."""

from __future__ import annotations

from pathlib import Path

from guikit import WAIT, benign_picture, new_case, wait_tasks
from PySide6.QtCore import Qt

from conftest import PASSPHRASE, fast_kdf
from ncii_desk.gui.mainwindow import MainWindow
from ncii_desk.services import cases, handover, intake
from ncii_desk.vault import Vault
from ncii_desk.vault.models import Role


def _sender_file(tmp_path: Path, recipient: handover.RecipientKey) -> tuple[Path, str, str]:
    """A case in another vault, exported to ``recipient``: (file, case id, sender's fp)."""
    sender = Vault.create(tmp_path / "sender", PASSPHRASE, kdf=fast_kdf(), actor="advocate")[0]
    try:
        view = cases.new_case(sender, "Handed over", client_pseudonym="K.")
        picture = tmp_path / "p.png"
        benign_picture(3).save(picture)
        assert not intake.add_items(sender, view.id, Role.ORIGINAL, [picture]).errors
        out = tmp_path / "case.ncii"
        handover.export_case(sender, view.id, out, recipient=recipient)
        return out, view.id, handover.signing_fingerprint(sender)
    finally:
        sender.close()


def test_import_shows_sender_fingerprint_and_needs_the_tick(
    qtbot, unlocked: MainWindow, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    window = unlocked
    assert window.vault is not None
    path, case_id, sender_fp = _sender_file(tmp_path, handover.public_key(window.vault))
    actions = window.handover
    assert actions.import_action.text().replace("&", "").startswith("Import case")
    # First try: the user does not confirm; nothing is imported.
    actions.start_import()
    dialog = actions.dialog
    dialog.file.setText(str(path))
    dialog.accept()
    qtbot.waitUntil(lambda: actions.fingerprint_dialog is not None, timeout=WAIT)
    shown = actions.fingerprint_dialog
    assert shown.fingerprint.text() == sender_fp
    assert not shown.ok_button.isEnabled()
    shown.accept()  # without the tick, OK does nothing
    assert shown.isVisible()
    shown.reject()
    wait_tasks(qtbot, window)
    assert actions.last_import is None
    assert case_id not in {v.id for v in cases.list_cases(window.vault)}
    # Second try: ticked, then OK.
    actions.fingerprint_dialog = None
    actions.start_import()
    actions.dialog.file.setText(str(path))
    actions.dialog.accept()
    qtbot.waitUntil(lambda: actions.fingerprint_dialog is not None, timeout=WAIT)
    confirm = actions.fingerprint_dialog
    confirm.compared.setChecked(True)
    assert confirm.ok_button.isEnabled()
    qtbot.mouseClick(confirm.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: actions.last_import is not None, timeout=WAIT)
    assert actions.last_import.case_id == case_id
    assert case_id in {v.id for v in cases.list_cases(window.vault)}


def test_export_shows_recipient_fingerprint_then_writes_the_file(
    qtbot, unlocked: MainWindow, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    window = unlocked
    case_id = new_case(qtbot, window, label="Outgoing")
    recipient = Vault.create(tmp_path / "lawyer", PASSPHRASE, kdf=fast_kdf(), actor="lawyer")[0]
    try:
        key = handover.public_key(recipient)
        pub = tmp_path / "lawyer.pub"
        pub.write_text(key.to_text())
        out = tmp_path / "outgoing.ncii"
        actions = window.handover
        actions.start_export()
        qtbot.waitUntil(lambda: actions.dialog is not None, timeout=WAIT)
        dialog = actions.dialog
        assert dialog.case.currentData() == case_id  # the open case is preselected
        dialog.key_file.setText(str(pub))
        dialog.out_file.setText(str(out))
        dialog.accept()
        shown = actions.fingerprint_dialog
        assert shown is not None and shown.fingerprint.text() == key.fingerprint
        assert not out.exists()  # nothing is written before the comparison
        shown.compared.setChecked(True)
        shown.accept()
        qtbot.waitUntil(lambda: actions.last_export is not None, timeout=WAIT)
        assert out.exists()
        result = handover.import_case(recipient, out)
        assert result.case_id == case_id and result.label == "Outgoing"
    finally:
        recipient.close()
