"""Passphrases in the app: the CLI's strength rule (``password`` refused), a Show box and a
Caps Lock warning on every passphrase field, changing the passphrase in Settings (audited),
and a new passphrase asked at once after an unlock with the recovery key."""

from __future__ import annotations

import json
from pathlib import Path

from guikit import WAIT
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit
from sqlalchemy import select

from conftest import PASSPHRASE, fast_kdf
from ncii_desk.errors import WrongPassphrase
from ncii_desk.gui.config import LocalConfig
from ncii_desk.gui.mainwindow import MainWindow
from ncii_desk.vault import Vault
from ncii_desk.vault.models import AuditEvent

NEW = "seven lanterns over quiet water"


def _window(qtbot, vault_dir: Path) -> MainWindow:  # type: ignore[no-untyped-def]
    window = MainWindow(vault_dir, local=LocalConfig())
    qtbot.addWidget(window)
    window.show()
    return window


def _changes(vault_dir: Path, passphrase: str) -> list[dict[str, object]]:
    vault = Vault.open(vault_dir, passphrase=passphrase)
    try:
        with vault.session() as s:
            rows = s.scalars(
                select(AuditEvent).where(AuditEvent.action == "vault.passphrase_changed")
            )
            return [json.loads(e.details) for e in rows]
    finally:
        vault.close()


def test_first_run_refuses_password_and_fields_show_and_warn_of_caps_lock(
    qtbot, vault_dir: Path
) -> None:
    window = _window(qtbot, vault_dir)
    gate = window.gate
    assert gate is not None and gate.creating
    gate.passphrase.setText("password")
    gate.confirm.setText("password")
    assert "most common passwords" in gate.strength.text()
    gate.submit()
    assert "most common passwords" in gate.message.text() and window.vault is None

    # Show: the typed text in the clear while ticked, hidden again when not.
    field = gate.passphrase
    assert field.echoMode() == QLineEdit.EchoMode.Password
    qtbot.mouseClick(field.show_box, Qt.MouseButton.LeftButton)
    assert field.echoMode() == QLineEdit.EchoMode.Normal
    qtbot.mouseClick(field.show_box, Qt.MouseButton.LeftButton)
    assert field.echoMode() == QLineEdit.EchoMode.Password

    # Caps Lock: unknown (and not mentioned) until a letter is typed.
    field.clear()
    field.setFocus()
    assert field.caps_lock is None and field.caps_note.isHidden()
    qtbot.keyClick(field, "7")
    assert field.caps_lock is None and field.caps_note.isHidden()
    qtbot.keyClick(field, "A")  # upper case without Shift: Caps Lock is on
    assert field.caps_lock is True and not field.caps_note.isHidden()
    assert field.caps_note.text() == "Caps Lock is on."
    qtbot.keyClick(field, "a", Qt.KeyboardModifier.ShiftModifier)  # lower case with Shift
    assert field.caps_lock is True
    qtbot.keyClick(field, "b")  # lower case without Shift: off
    assert field.caps_lock is False and field.caps_note.isHidden()
    qtbot.keyClick(field, "B", Qt.KeyboardModifier.ShiftModifier)
    assert field.caps_lock is False and field.caps_note.isHidden()
    assert gate.confirm.show_box is not None and gate.confirm.caps_note is not None


def test_change_passphrase_in_settings_checks_the_current_one_and_the_rule(
    qtbot, unlocked: MainWindow, vault_dir: Path
) -> None:
    window = unlocked
    window.open_settings()
    dialog = window.settings_dialog
    qtbot.waitUntil(dialog.isVisible, timeout=WAIT)
    tabs = [dialog.tabs.tabText(i) for i in range(dialog.tabs.count())]
    assert "Passphrase" in tabs
    changer = dialog.passphrase_changer
    assert changer.current is not None

    changer.current.setText(PASSPHRASE)
    changer.new.setText("password")
    changer.again.setText("password")
    assert "most common passwords" in changer.strength.text()
    qtbot.mouseClick(changer.change_button, Qt.MouseButton.LeftButton)
    assert "most common passwords" in changer.message.text() and not changer.busy

    changer.current.setText("not the passphrase")
    changer.new.setText(NEW)
    changer.again.setText(NEW)
    qtbot.mouseClick(changer.change_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not changer.busy, timeout=WAIT)
    assert "current passphrase is not right" in changer.message.text()

    changer.current.setText(PASSPHRASE)
    changer.new.setText(NEW)
    changer.again.setText(NEW)
    qtbot.mouseClick(changer.change_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not changer.busy, timeout=WAIT)
    assert changer.message.text().startswith("Passphrase changed.")
    assert changer.new.text() == "" and changer.current.text() == ""
    window.lock()
    try:
        Vault.open(vault_dir, passphrase=PASSPHRASE).close()
    except WrongPassphrase:
        pass
    else:
        raise AssertionError("the old passphrase still opens the vault")
    assert len(_changes(vault_dir, NEW)) == 1


def test_recovery_key_unlock_asks_for_a_new_passphrase_at_once(qtbot, vault_dir: Path) -> None:
    vault, recovery = Vault.create(vault_dir, PASSPHRASE, kdf=fast_kdf())
    vault.close()
    window = _window(qtbot, vault_dir)
    gate = window.gate
    assert gate is not None
    gate.use_recovery.setChecked(True)
    gate.passphrase.setText(recovery)
    gate.submit()
    qtbot.waitUntil(lambda: window.vault is not None, timeout=WAIT)
    dialog = window.new_passphrase_dialog
    qtbot.waitUntil(dialog.isVisible, timeout=WAIT)
    changer = dialog.changer
    assert changer.current is None  # not known after a recovery-key unlock, so not asked
    changer.new.setText("password")
    changer.again.setText("password")
    changer.change()
    assert "most common passwords" in changer.message.text()
    accepted: list[bool] = []
    dialog.accepted.connect(lambda: accepted.append(True))
    changer.new.setText(NEW)
    changer.again.setText(NEW)
    changer.change()
    qtbot.waitUntil(lambda: accepted == [True], timeout=WAIT)  # closes once changed
    window.lock()
    assert len(_changes(vault_dir, NEW)) == 1
    Vault.open(vault_dir, recovery_key=recovery).close()  # the recovery key still works


def test_an_ordinary_unlock_asks_nothing(qtbot, unlocked: MainWindow) -> None:
    assert not hasattr(unlocked, "new_passphrase_dialog")
