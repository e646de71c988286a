"""First run and unlock in the real window (offscreen), with the vault work off the GUI thread."""

from __future__ import annotations

from pathlib import Path

from guikit import WAIT, make_vault
from PySide6.QtCore import Qt

from conftest import PASSPHRASE, fast_kdf
from ncii_desk.gui.config import LocalConfig
from ncii_desk.gui.mainwindow import MainWindow
from ncii_desk.services import cases
from ncii_desk.vault import Vault


def _window(qtbot, vault_dir: Path) -> MainWindow:  # type: ignore[no-untyped-def]
    window = MainWindow(vault_dir, local=LocalConfig())
    qtbot.addWidget(window)
    window.show()
    return window


def test_first_run_creates_vault_and_confirms_the_recovery_key(qtbot, vault_dir: Path) -> None:
    window = _window(qtbot, vault_dir)
    gate = window.gate
    assert gate is not None and gate.creating
    gate.passphrase.setText("short")
    assert "too short" in gate.strength.text()
    gate.submit()
    assert "too short" in gate.message.text() and window.vault is None
    gate.passphrase.setText(PASSPHRASE)
    assert gate.strength.text() == "Strong."
    gate.confirm.setText(PASSPHRASE + "x")
    gate.submit()
    assert "not the same" in gate.message.text()
    gate.confirm.setText(PASSPHRASE)
    qtbot.mouseClick(gate.button, Qt.MouseButton.LeftButton)
    page = gate.recovery_page
    qtbot.waitUntil(lambda: gate.pages.currentWidget() is page, timeout=WAIT)
    key = page.key_box.toPlainText()
    assert len(key.replace("-", "")) == 56
    # Continue needs both the checkbox and the key's last group typed back.
    page.kept.setChecked(True)
    assert not page.continue_button.isEnabled()
    page.confirm_group.setText("ZZZZ")
    assert not page.continue_button.isEnabled()
    page.confirm_group.setText(key.split("-")[-1].lower())
    assert page.continue_button.isEnabled()
    qtbot.mouseClick(page.continue_button, Qt.MouseButton.LeftButton)
    assert window.vault is not None
    assert window.stack.currentWidget() is window.dashboard
    assert page.key_box.toPlainText() == ""  # shown once, then gone from the screen
    window.lock()
    # The recovery key really opens the vault that was created.
    Vault.open(vault_dir, recovery_key=key).close()


def test_unlock_wrong_passphrase_then_right_one_lists_cases(qtbot, vault_dir: Path) -> None:
    vault, _ = Vault.create(vault_dir, PASSPHRASE, kdf=fast_kdf())
    cases.new_case(vault, "Case <b>bold</b>", client_pseudonym="Client A")
    vault.close()
    window = _window(qtbot, vault_dir)
    gate = window.gate
    assert gate is not None and not gate.creating
    gate.passphrase.setText("not the passphrase")
    gate.submit()
    qtbot.waitUntil(lambda: "not correct" in gate.message.text(), timeout=WAIT)
    assert not gate.damage.isVisibleTo(window)
    assert window.vault is None
    gate.passphrase.setText(PASSPHRASE)
    gate.submit()
    qtbot.waitUntil(lambda: window.dashboard.model.rowCount() == 1, timeout=WAIT)
    model = window.dashboard.model
    # Case text is shown verbatim (plain text), never interpreted as markup.
    assert model.item(0, 0).text() == "Case <b>bold</b>"
    assert "&lt;b&gt;bold&lt;/b&gt;" in model.item(0, 0).toolTip()  # tooltips escaped too
    assert model.item(0, 1).text() == "Client A"
    window.lock()
    assert window.vault is None and window.gate is not None
    assert model.rowCount() == 0


def test_damaged_vault_is_shown_as_damage_not_as_a_wrong_passphrase(qtbot, vault_dir: Path) -> None:
    make_vault(vault_dir)
    for name in ("vault.hdr", "vault.hdr.bak"):
        path = vault_dir / name
        data = bytearray(path.read_bytes())
        data[len(data) // 2] ^= 0x01
        path.write_bytes(bytes(data))
    window = _window(qtbot, vault_dir)
    gate = window.gate
    assert gate is not None
    gate.passphrase.setText(PASSPHRASE)
    gate.submit()
    qtbot.waitUntil(lambda: gate.damage.isVisibleTo(window), timeout=WAIT)
    assert "vault.hdr" in gate.damage_text.text()
    assert "not correct" not in gate.message.text()
    assert window.vault is None


def test_recovery_key_unlocks(qtbot, vault_dir: Path) -> None:
    _vault, key = Vault.create(vault_dir, PASSPHRASE, kdf=fast_kdf())
    _vault.close()
    window = _window(qtbot, vault_dir)
    gate = window.gate
    assert gate is not None
    gate.use_recovery.setChecked(True)
    gate.passphrase.setText(key.replace("-", " ").lower())
    gate.submit()
    qtbot.waitUntil(lambda: window.vault is not None, timeout=WAIT)
    window.lock()
