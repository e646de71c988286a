"""A clinic's first day in the window (offscreen, real PostgreSQL from tests/clinic/pgkit.py):
the administrator sets up the clinic from the unlock screen, a colleague joins from theirs,
the administrator admits them in Settings by the fingerprint read out by phone, adds them to
a case, the colleague opens the clinic and sees it, exports it to a lawyer whose laptop vault
imports it, and the administrator removes a member after a confirmation in words.

Two windows stand for two computers (one process: they share this user's clinic profile)."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

import pytest
from guikit import WAIT, make_vault, new_case, unlock, wait_tasks
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from test_keyboard import key_problems

from conftest import PASSPHRASE
from ncii_desk.clinic.errors import MemberPending, MemberRemoved
from ncii_desk.clinic.store import ClinicStore
from ncii_desk.errors import NciiDeskError
from ncii_desk.gui.clinicjoin import grouped
from ncii_desk.gui.common import error_text
from ncii_desk.gui.config import LocalConfig
from ncii_desk.gui.mainwindow import MainWindow
from ncii_desk.gui.workspace.members import CaseMembersDialog
from ncii_desk.services import case_members, cases, clinic, handover

SECOND_PASSPHRASE = "lantern orchard seven rivers"


def click(qtbot: Any, widget: QWidget) -> None:
    assert widget.isVisible() and widget.isEnabled(), widget
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def a_window(qtbot: Any, folder: Path) -> MainWindow:
    window = MainWindow(folder, local=LocalConfig())
    qtbot.addWidget(window)
    window.show()
    return window


def keep_recovery_key(qtbot: Any, gate: Any) -> str:
    """The member's recovery key page: shown once, Continue only after it was kept."""
    page = gate.clinic_flow.recovery_page
    qtbot.waitUntil(lambda: gate.pages.currentWidget() is page, timeout=WAIT)
    key = page.key_box.toPlainText().strip()
    assert key
    assert "clinic membership" in " ".join(
        label.text() for label in page.findChildren(type(page.saved_note))
    )
    assert not page.continue_button.isEnabled()
    page.kept.setChecked(True)
    assert not page.continue_button.isEnabled()  # the last group is typed too
    page.confirm_group.setText(key.replace(" ", "-").split("-")[-1])
    click(qtbot, page.continue_button)
    assert page.key_box.toPlainText() == ""  # not left on screen
    return key


def test_a_clinic_day_set_up_join_admit_share_export_and_remove(
    qtbot: Any, clinic_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # --- The administrator sets up the clinic from the unlock screen.
    admin = a_window(qtbot, tmp_path / "admin-laptop")
    gate = admin.gate
    assert gate is not None
    click(qtbot, gate.clinic_button)
    assert gate.pages.currentWidget() is gate.clinic_page
    assert key_problems(admin) == []
    click(qtbot, gate.clinic_page.setup_button)
    setup = gate.clinic_flow.setup_page
    assert gate.pages.currentWidget() is setup
    assert key_problems(admin) == []
    setup.address.setText("clinic.example.org")
    click(qtbot, setup.setup_button)
    assert "postgresql://" in setup.message.text()  # refused in words, nothing made
    setup.address.setText(clinic_url)
    setup.blobs.setText(str(tmp_path / "clinic-files"))
    setup.clinic_name.setText("Riverside Clinic")
    setup.name.setText("Ana Admin")
    setup.secret.passphrase.setText(PASSPHRASE)
    setup.secret.again.setText(PASSPHRASE + " typo")
    click(qtbot, setup.setup_button)
    assert setup.message.text() == "The two passphrases are not the same."
    setup.secret.again.setText(PASSPHRASE)
    click(qtbot, setup.setup_button)
    admin_recovery = keep_recovery_key(qtbot, gate)
    ready = gate.clinic_flow.ready_page
    assert gate.pages.currentWidget() is ready
    assert key_problems(admin) == []
    assert "Riverside Clinic" in ready.summary.text()
    assert clinic_url in ready.address.text()
    click(qtbot, ready.continue_button)
    qtbot.waitUntil(lambda: admin.vault is not None, timeout=WAIT)
    admin_store = admin.vault
    assert isinstance(admin_store, ClinicStore) and admin_store.member is not None
    admin_fp = admin_store.member.public.fingerprint
    assert ready.key.fingerprint.text() == grouped(admin_fp)
    case_id = new_case(qtbot, admin, label="Shared case")

    # --- A colleague joins from their own computer's unlock screen.
    second = a_window(qtbot, tmp_path / "second-laptop")
    sgate = second.gate
    assert sgate is not None
    click(qtbot, sgate.clinic_button)
    click(qtbot, sgate.clinic_page.join_button)
    join = sgate.clinic_flow.join_page
    assert sgate.pages.currentWidget() is join
    assert key_problems(second) == []
    join.address.setText(clinic_url)
    join.name.setText("Ben Second")
    join.secret.passphrase.setText("short")
    click(qtbot, join.join_button)
    assert join.message.text()  # the strength rule of a new vault, in words
    assert clinic.remembered_profiles()[0].member_id == admin_store.member_id
    join.secret.passphrase.setText(SECOND_PASSPHRASE)
    join.secret.again.setText(SECOND_PASSPHRASE)
    click(qtbot, join.join_button)
    second_recovery = keep_recovery_key(qtbot, sgate)
    wait = sgate.clinic_flow.wait_page
    assert sgate.pages.currentWidget() is wait
    assert key_problems(second) == []
    words = " ".join(w.text() for w in wait.findChildren(type(wait.message)))
    assert "read this out to a colleague who is already a member, by phone" in words.lower()
    second_id = wait._member_id
    shown_fp = wait.key.fingerprint.text()
    assert len(shown_fp.split()) == 8 and "\n" in shown_fp  # big, in groups of four
    # This computer remembers the pending membership (the clinic page fills it in).
    remembered = clinic.remembered_profiles()[0]
    assert (remembered.url, remembered.member_id) == (clinic_url, second_id)
    wait.passphrase.setText(SECOND_PASSPHRASE)
    click(qtbot, wait.check_button)
    qtbot.waitUntil(lambda: "Not admitted yet" in wait.message.text(), timeout=WAIT)
    assert second.vault is None

    # --- The administrator admits them in Settings, by the fingerprint read out by phone.
    admin.open_settings()
    settings = admin.settings_dialog
    tab = settings.clinic_members
    settings.tabs.setCurrentWidget(tab)
    qtbot.waitUntil(lambda: tab.model.rowCount() == 2, timeout=WAIT)
    assert key_problems(settings) == []
    row = next(r for r in range(2) if tab.model.item(r, 0).text() == second_id)
    assert tab.model.item(row, 1).text() == "Ben Second"
    assert tab.model.item(row, 3).text() == "waiting to be admitted"
    tab.table.selectRow(row)
    assert tab.admit_member.text() == second_id
    misheard = shown_fp[:-1] + ("A" if shown_fp[-1] != "A" else "B")
    tab.admit_fingerprint.setText(misheard)
    click(qtbot, tab.admit_button)
    qtbot.waitUntil(lambda: "does not match" in tab.message.text(), timeout=WAIT)
    assert "was not admitted" in tab.message.text()
    with pytest.raises(MemberPending):
        ClinicStore.open_member(clinic_url, second_id, passphrase=SECOND_PASSPHRASE)
    tab.admit_member.setText(second_id)
    tab.admit_fingerprint.setText(shown_fp)  # as read out: groups, spaces, two lines
    click(qtbot, tab.admit_button)
    qtbot.waitUntil(lambda: "Admitted Ben Second" in tab.message.text(), timeout=WAIT)
    settings.reject()

    # --- ...and adds them to the case ("Who works on this case...").
    ws = admin.workspace
    assert ws is not None and ws.case_id == case_id
    click(qtbot, ws.members_button)
    members = ws.findChild(CaseMembersDialog)
    assert members is not None
    qtbot.waitUntil(lambda: members.model.rowCount() == 1, timeout=WAIT)
    members.member_id.setText(second_id)
    members.role.setCurrentIndex(members.role.findData("advocate"))
    click(qtbot, members.add_button)
    qtbot.waitUntil(lambda: members.model.rowCount() == 2, timeout=WAIT)
    members.close()

    # --- The colleague presses Check again: the clinic's cases open, with the shared case.
    click(qtbot, wait.check_button)
    qtbot.waitUntil(lambda: second.vault is not None, timeout=WAIT)
    second_store = second.vault
    assert isinstance(second_store, ClinicStore) and second_store.member_id == second_id
    assert second.status.text() == "Clinic cases opened."
    qtbot.waitUntil(lambda: second.dashboard.model.rowCount() == 1, timeout=WAIT)
    assert second.dashboard.model.item(0, 0).text() == "Shared case"
    assert clinic.remembered_profiles()[0].member_id == second_id

    # --- The colleague exports the case to a lawyer's key; the lawyer's laptop vault imports.
    lawyer_dir = tmp_path / "lawyer-laptop"
    make_vault(lawyer_dir)
    lawyer = a_window(qtbot, lawyer_dir)
    unlock(qtbot, lawyer)
    assert lawyer.vault is not None
    lawyer_key = handover.public_key(lawyer.vault)
    pub = tmp_path / "lawyer.pub"
    pub.write_text(lawyer_key.to_text())
    out = tmp_path / "shared-case.ncii"
    actions = second.handover
    actions.start_export()
    qtbot.waitUntil(lambda: actions.dialog is not None, timeout=WAIT)
    export = actions.dialog
    export.case.setCurrentIndex(export.case.findData(case_id))
    export.key_file.setText(str(pub))
    export.out_file.setText(str(out))
    export.accept()
    shown = actions.fingerprint_dialog
    assert shown is not None and shown.fingerprint.text() == lawyer_key.fingerprint
    shown.compared.setChecked(True)
    shown.accept()
    qtbot.waitUntil(lambda: actions.last_export is not None, timeout=WAIT)
    assert out.exists()
    incoming = lawyer.handover
    incoming.start_import()
    incoming.dialog.file.setText(str(out))
    incoming.dialog.accept()
    qtbot.waitUntil(lambda: incoming.fingerprint_dialog is not None, timeout=WAIT)
    confirm = incoming.fingerprint_dialog
    confirm.compared.setChecked(True)
    click(qtbot, confirm.ok_button)
    qtbot.waitUntil(lambda: incoming.last_import is not None, timeout=WAIT)
    assert incoming.last_import.case_id == case_id
    assert [v.label for v in cases.list_cases(lawyer.vault)] == ["Shared case"]
    wait_tasks(qtbot, lawyer)
    lawyer.lock()
    # The colleague also opened a case of their own, which the administrator is not on.
    own_case = cases.new_case(second_store, "Ben's own case").id
    second.lock()

    # --- The administrator removes the colleague, after a confirmation that says what
    # removal does and does not undo; removing oneself is refused in words.
    admin.open_settings()
    settings = admin.settings_dialog
    tab = settings.clinic_members
    settings.tabs.setCurrentWidget(tab)
    qtbot.waitUntil(lambda: tab.model.rowCount() == 2, timeout=WAIT)
    rows = {tab.model.item(r, 0).text(): r for r in range(2)}
    asked: list[str] = []
    answer = [False]

    def confirm_removal(self: Any, member: dict[str, Any]) -> bool:
        question, details = self.removal_words(member)
        asked.append(question + "\n" + details)
        return answer[0]

    monkeypatch.setattr(type(tab), "confirm_removal", confirm_removal)
    tab.table.selectRow(rows[str(admin_store.member_id)])
    click(qtbot, tab.remove_button)
    assert "cannot remove yourself" in tab.message.text()
    assert asked == []
    tab.table.selectRow(rows[second_id])
    click(qtbot, tab.remove_button)  # answered No: nothing changes
    assert len(asked) == 1
    assert "Ben Second" in asked[0] and second_id in asked[0]
    assert "What removal does" in asked[0] and "does not undo" in asked[0]
    assert tab.model.item(rows[second_id], 3).text() == "admitted"
    answer[0] = True
    click(qtbot, tab.remove_button)
    qtbot.waitUntil(lambda: "Removed Ben Second" in tab.message.text(), timeout=WAIT)
    # Taken off the shared case (a new case key version they never get); the case the
    # administrator is not on is named, with what to do.
    assert "Also taken off these cases" in tab.message.text()
    assert "Shared case" in tab.message.text()
    assert "Still listed on cases you cannot change" in tab.message.text()
    assert own_case in tab.message.text()
    assert [m.member_id for m in case_members.list_members(admin_store, case_id)] == [
        admin_store.member_id
    ]
    assert second_id in admin_store.case_membership(own_case).members
    qtbot.waitUntil(
        lambda: (
            tab.model.rowCount() == 2 and tab.model.item(rows[second_id], 3).text() == "removed"
        ),
        timeout=WAIT,
    )
    settings.reject()
    with pytest.raises(MemberRemoved):
        ClinicStore.open_member(clinic_url, second_id, recovery_key=second_recovery)
    admin.lock()
    # The administrator's recovery key (shown once at set-up) opens their membership.
    with ClinicStore.open_member(
        clinic_url, str(admin_store.member_id), recovery_key=admin_recovery
    ) as again:
        assert again.member is not None and again.member.public.fingerprint == admin_fp


def test_the_clinic_page_fills_in_a_pending_membership_and_says_not_yet(
    qtbot: Any, clinic_store: ClinicStore, tmp_path: Path
) -> None:
    """Closing NCII Desk while waiting: next time the clinic page has the address and the
    new member id, and opening says "not admitted yet" in words, not a failure."""
    window = a_window(qtbot, tmp_path / "laptop")
    gate = window.gate
    assert gate is not None
    gate.show_clinic()
    click(qtbot, gate.clinic_page.join_button)
    join = gate.clinic_flow.join_page
    assert join.address.text() == clinic_store.url  # remembered from the clinic already used
    join.name.setText("Cleo")
    join.secret.passphrase.setText(SECOND_PASSPHRASE)
    join.secret.again.setText(SECOND_PASSPHRASE)
    join.submit()
    keep_recovery_key(qtbot, gate)
    member_id = gate.clinic_flow.wait_page._member_id
    window.close()

    later = a_window(qtbot, tmp_path / "laptop")
    lgate = later.gate
    assert lgate is not None
    lgate.show_clinic()
    page = lgate.clinic_page
    assert (page.address.text(), page.member.text()) == (clinic_store.url, member_id)
    page.passphrase.setText(SECOND_PASSPHRASE)
    page.submit()
    qtbot.waitUntil(lambda: "not been admitted" in page.message.text(), timeout=WAIT)
    assert later.vault is None
    # The clinic's audit head this computer had seen is kept (the rollback check stays).
    remembered = clinic.remembered_profiles()[0]
    assert remembered.member_id == member_id and remembered.head_seq > 0


def test_refusals_from_the_server_show_what_happened_and_what_to_do(
    qtbot: Any, clinic_store: ClinicStore, pg_server: Any, tmp_path: Path
) -> None:
    """Setting up over a database that already holds a clinic, and joining a database that
    holds none, are refused with the service's message and hint (the window's error style);
    the pages stay usable and nothing is remembered for the empty database."""
    window = a_window(qtbot, tmp_path / "laptop")
    gate = window.gate
    assert gate is not None
    gate.show_clinic()
    flow = gate.clinic_flow

    with pytest.raises(NciiDeskError) as taken:
        clinic.init_clinic_with_member(
            clinic_store.url, tmp_path / "files", "Again", "Ana", PASSPHRASE
        )
    flow.show_setup()
    setup = flow.setup_page
    setup.address.setText(clinic_store.url)
    setup.blobs.setText(str(tmp_path / "files"))
    setup.clinic_name.setText("Again")
    setup.name.setText("Ana")
    setup.secret.passphrase.setText(PASSPHRASE)
    setup.secret.again.setText(PASSPHRASE)
    click(qtbot, setup.setup_button)
    qtbot.waitUntil(lambda: setup.message.text() == error_text(taken.value), timeout=WAIT)
    assert taken.value.hint and taken.value.hint in setup.message.text()
    assert setup.setup_button.isEnabled() and gate.pages.currentWidget() is setup
    assert window.vault is None

    empty = str(pg_server.create_database("e" + secrets.token_hex(6)))
    with pytest.raises(NciiDeskError) as refused:
        clinic.join_clinic(empty, "Cleo", SECOND_PASSPHRASE)
    click(qtbot, setup.back_button)
    flow.show_join()
    join = flow.join_page
    join.address.setText(empty)
    join.name.setText("Cleo")
    join.secret.passphrase.setText(SECOND_PASSPHRASE)
    join.secret.again.setText(SECOND_PASSPHRASE)
    click(qtbot, join.join_button)
    qtbot.waitUntil(lambda: join.message.text() == error_text(refused.value), timeout=WAIT)
    assert refused.value.hint and refused.value.hint in join.message.text()
    assert join.join_button.isEnabled() and gate.pages.currentWidget() is join
    assert all(p.url != empty for p in clinic.remembered_profiles())
