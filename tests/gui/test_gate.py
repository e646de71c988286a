"""First run and unlock in the real window (offscreen), with the vault work off the GUI thread."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from conftest import PASSPHRASE, fast_kdf
from ncii_desk.gui import app as gui_app
from ncii_desk.services import cases
from ncii_desk.vault import Vault


@pytest.fixture
def fast_create(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep the real Argon2id, at its 64 MiB minimum, so the test is quick."""
    real = gui_app.vaults.create_vault

    def create(root: Path | None, passphrase: str, **kw: object) -> tuple[Vault, str]:
        return real(root, passphrase, kdf=fast_kdf())

    monkeypatch.setattr(gui_app.vaults, "create_vault", create)


def test_first_run_creates_vault_and_shows_recovery_key_once(
    qtbot, vault_dir: Path, fast_create: None
) -> None:
    window = gui_app.MainWindow(vault_dir)
    qtbot.addWidget(window)
    window.show()
    gate = window.gate
    assert gate is not None and gate.creating
    gate.passphrase.setText("short")
    assert "Too short" in gate.strength.text()
    gate.passphrase.setText(PASSPHRASE)
    gate.confirm.setText(PASSPHRASE + "x")
    gate.submit()
    assert "not the same" in gate.message.text()
    gate.confirm.setText(PASSPHRASE)
    qtbot.mouseClick(gate.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: gate.recovery_box.isVisible(), timeout=20000)
    key = gate.recovery_box.toPlainText()
    assert len(key.replace("-", "")) == 56
    assert not gate.continue_button.isEnabled()
    gate.recovery_done.setChecked(True)
    qtbot.mouseClick(gate.continue_button, Qt.MouseButton.LeftButton)
    assert window.vault is not None
    assert window.stack.currentWidget() is window.cases_page
    window.lock()
    # The recovery key really opens the vault that was created.
    Vault.open(vault_dir, recovery_key=key).close()


def test_unlock_wrong_passphrase_then_right_one_lists_cases(qtbot, vault_dir: Path) -> None:
    vault, _ = Vault.create(vault_dir, PASSPHRASE, kdf=fast_kdf())
    cases.new_case(vault, "Case <b>bold</b>", client_pseudonym="Client A")
    vault.close()
    window = gui_app.MainWindow(vault_dir)
    qtbot.addWidget(window)
    window.show()
    gate = window.gate
    assert gate is not None and not gate.creating
    gate.passphrase.setText("not the passphrase")
    gate.submit()
    qtbot.waitUntil(lambda: "not correct" in gate.message.text(), timeout=20000)
    assert window.vault is None
    gate.passphrase.setText(PASSPHRASE)
    gate.submit()
    qtbot.waitUntil(lambda: window.cases_page.model.rowCount() == 1, timeout=20000)
    model = window.cases_page.model
    # Case text is shown verbatim (plain text), never interpreted as markup.
    assert model.item(0, 0).text() == "Case <b>bold</b>"
    assert model.item(0, 1).text() == "Client A"
    window.lock()
    assert window.vault is None and window.gate is not None
    assert model.rowCount() == 0
