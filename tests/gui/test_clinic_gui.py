"""A clinic's shared store in the window (offscreen): opened from the unlock screen as a
member, and Settings' members tab admitting a newcomer after a fingerprint comparison.
Real PostgreSQL (tests/clinic/pgkit.py) and the real window."""

from __future__ import annotations

from pathlib import Path

import pytest
from guikit import WAIT
from memberkit import join
from PySide6.QtCore import Qt

from conftest import PASSPHRASE
from ncii_desk.clinic.members import MemberPending
from ncii_desk.clinic.store import ClinicStore
from ncii_desk.errors import WrongPassphrase
from ncii_desk.gui.config import LocalConfig
from ncii_desk.gui.mainwindow import MainWindow
from ncii_desk.services import cases


def test_open_a_clinic_store_from_the_gate_and_admit_a_member_in_settings(
    qtbot,  # type: ignore[no-untyped-def]
    clinic_store: ClinicStore,
    vault_dir: Path,
) -> None:
    cases.new_case(clinic_store, "Shared case")
    newcomer = join(clinic_store.url, "Second Member")
    window = MainWindow(vault_dir, local=LocalConfig())
    qtbot.addWidget(window)
    window.show()
    gate = window.gate
    assert gate is not None
    qtbot.mouseClick(gate.clinic_button, Qt.MouseButton.LeftButton)
    page = gate.clinic_page
    assert gate.pages.currentWidget() is page
    # The profile `clinic-server init` left on this computer fills in address and member.
    assert page.address.text() == clinic_store.url
    assert page.member.text() == clinic_store.member_id

    page.passphrase.setText("not the member passphrase")
    page.submit()
    qtbot.waitUntil(lambda: "not correct for this member" in page.message.text(), timeout=WAIT)
    assert window.vault is None
    page.passphrase.setText(PASSPHRASE)
    qtbot.mouseClick(page.open_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.vault is not None, timeout=WAIT)
    assert isinstance(window.vault, ClinicStore)
    assert window.vault.member_id == clinic_store.member_id
    qtbot.waitUntil(lambda: window.dashboard.model.rowCount() == 1, timeout=WAIT)
    assert window.dashboard.model.item(0, 0).text() == "Shared case"
    assert window.status.text() == "Clinic cases opened."

    window.open_settings()
    tab = window.settings_dialog.clinic_members
    qtbot.waitUntil(lambda: tab.model.rowCount() == 2, timeout=WAIT)
    assert clinic_store.member is not None
    assert clinic_store.member.public.fingerprint in tab.profile.text()
    rows = {tab.model.item(r, 0).text(): r for r in range(2)}
    pending_row = rows[newcomer.member_id]
    assert tab.model.item(pending_row, 1).text() == "Second Member"
    assert tab.model.item(pending_row, 3).text() == "waiting to be admitted"
    tab.table.selectRow(pending_row)
    assert tab.admit_member.text() == newcomer.member_id

    tab.admit_fingerprint.setText("AAAA-BBBB-CCCC")
    tab.admit()
    qtbot.waitUntil(lambda: "does not match" in tab.message.text(), timeout=WAIT)
    with pytest.raises(MemberPending):
        newcomer.open()
    tab.admit_member.setText(newcomer.member_id)
    tab.admit_fingerprint.setText(newcomer.fingerprint)
    qtbot.mouseClick(tab.admit_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Admitted Second Member" in tab.message.text(), timeout=WAIT)
    qtbot.waitUntil(
        lambda: (
            tab.model.rowCount() == 2
            and tab.model.item(rows[newcomer.member_id], 3).text() == "admitted"
        ),
        timeout=WAIT,
    )
    with newcomer.open() as second:
        assert second.member_id == newcomer.member_id
    window.settings_dialog.reject()
    window.lock()
    assert window.vault is None


def test_a_member_opening_with_the_recovery_key_chooses_a_new_passphrase(
    qtbot,  # type: ignore[no-untyped-def]
    clinic_store: ClinicStore,
    vault_dir: Path,
) -> None:
    window = MainWindow(vault_dir, local=LocalConfig())
    qtbot.addWidget(window)
    window.show()
    gate = window.gate
    assert gate is not None
    gate.show_clinic()
    page = gate.clinic_page
    page.use_recovery.setChecked(True)
    page.passphrase.setText(clinic_store.test_recovery_key)  # type: ignore[attr-defined]
    page.submit()
    qtbot.waitUntil(lambda: window.vault is not None, timeout=WAIT)
    dialog = window.new_passphrase_dialog
    qtbot.waitUntil(dialog.isVisible, timeout=WAIT)
    new = "a fresh member passphrase"
    dialog.changer.new.setText(new)
    dialog.changer.again.setText(new)
    with qtbot.waitSignal(dialog.changer.changed, timeout=WAIT):
        dialog.changer.change()
    window.lock()
    member_id = str(clinic_store.member_id)
    with pytest.raises(WrongPassphrase):
        ClinicStore.open_member(clinic_store.url, member_id, passphrase=PASSPHRASE)
    with ClinicStore.open_member(clinic_store.url, member_id, passphrase=new) as again:
        assert again.member_id == member_id
