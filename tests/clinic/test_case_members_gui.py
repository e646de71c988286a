"""The "Who works on this case" dialog on a real clinic store (offscreen Qt)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sealkit

from ncii_desk.services import case_members, cases

WAIT = 120_000


@pytest.fixture
def clinic(clinic_url: str, tmp_path: Path) -> Iterator[Any]:
    made = sealkit.make_clinic(clinic_url, tmp_path)
    yield made
    from ncii_desk.gui import workers

    workers.task_pool().waitForDone(WAIT)
    made.close()


def _rows(dialog: Any) -> list[list[str]]:
    model = dialog.model
    return [
        [model.item(r, c).text() for c in range(model.columnCount())]
        for r in range(model.rowCount())
    ]


def test_dialog_lists_adds_and_removes_members(
    qtbot: Any, clinic: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ncii_desk.gui.context import AppContext
    from ncii_desk.gui.workspace.members import CaseMembersDialog

    alice = clinic.open_as("alice")
    case = cases.new_case(alice, "Case G")
    bob = clinic.person("bob").keys
    ctx = AppContext(alice, None, None)  # type: ignore[arg-type]  # the dialog needs the vault only
    dialog = CaseMembersDialog(ctx, case.id)
    qtbot.addWidget(dialog)
    dialog.refresh()
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 1, timeout=WAIT)
    assert _rows(dialog)[0][:2] == [alice.member.member_id, "Advocate"]
    assert _rows(dialog)[0][3] == "you"

    dialog.add_button.click()  # nothing typed yet
    assert "member id" in dialog.message.text()
    dialog.member_id.setText(bob.member_id)
    # The advocate who made the case brings in its supervising attorney.
    dialog.role.setCurrentIndex(dialog.role.findData("supervising_attorney"))
    dialog.add_button.click()
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 2, timeout=WAIT)
    assert [r[:3] for r in _rows(dialog) if r[0] == bob.member_id] == [
        [bob.member_id, "Supervising attorney", bob.public.fingerprint]
    ]
    dialog.member_id.setText(bob.member_id)
    dialog.role.setCurrentIndex(dialog.role.findData("read_only"))
    dialog.add_button.click()  # already on the case: refused in words, nothing changes
    qtbot.waitUntil(lambda: "already" in dialog.message.text().lower(), timeout=WAIT)
    assert dialog.model.rowCount() == 2

    monkeypatch.setattr(CaseMembersDialog, "confirm_removal", lambda self, m: True)
    dialog.remove_button.click()  # nothing chosen
    assert "Choose the member" in dialog.message.text()
    dialog.table.selectRow(next(i for i, r in enumerate(_rows(dialog)) if r[0] == bob.member_id))
    dialog.remove_button.click()
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 1, timeout=WAIT)
    assert [v.member_id for v in case_members.list_members(alice, case.id)] == [
        alice.member.member_id
    ]


def test_the_case_header_offers_the_dialog_only_on_a_clinic_store(
    qtbot: Any, clinic: Any, vault: Any
) -> None:
    from ncii_desk.gui.context import AppContext
    from ncii_desk.gui.safeview import PreviewStore
    from ncii_desk.gui.workspace import CaseWorkspace

    alice = clinic.open_as("alice")

    def workspace(store: Any, label: str) -> Any:
        ctx = AppContext(store, None, PreviewStore(lambda: store))  # type: ignore[arg-type]
        made = CaseWorkspace(ctx, cases.new_case(store, label).id, lambda: None)
        qtbot.addWidget(made)
        return made

    assert not workspace(alice, "C").members_button.isHidden()
    assert workspace(vault, "L").members_button.isHidden()
