"""The Requests pane's Sign off button and sign-off state, on a real clinic store (the pane
calls the services only): shown on a clinic case, enabled for its supervising attorney on a
draft letter; "Mark as sent" waits for the sign-off; a laptop vault shows no sign-off."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from guikit import WAIT, part_installed
from PySide6.QtCore import Qt
from roleskit import Team, acting_as, make_team, open_clinic, staff_case

from ncii_desk.clinic.store import ClinicStore
from ncii_desk.documents.letters import LetterForm, Sender
from ncii_desk.gui.context import AppContext
from ncii_desk.services import cases
from ncii_desk.services import requests as tracker
from ncii_desk.vault import Vault

pytestmark = pytest.mark.skipif(
    not part_installed("ncii_desk.services.requests"),
    reason="removal requests are not part of this build",
)

PAGE = "https://www.reddit.com/r/a/comments/1"
FORM = LetterForm(
    sender=Sender(name="Alex", email="a@example.org", representative=True, authority="Asked"),
    signature="/s/ Alex",
    good_faith=True,
    covered_platform="yes",
)


@pytest.fixture
def clinic(pg_server: Any, tmp_path: Any) -> Iterator[tuple[ClinicStore, Team]]:
    store = open_clinic(pg_server, tmp_path)
    try:
        yield store, make_team(store.vault_id)
    finally:
        store.close()


def _pane(qtbot: Any, store: Any, case_id: str) -> Any:
    from ncii_desk.gui.workspace.requests import RequestsPane

    ctx = AppContext(store, None, None)  # type: ignore[arg-type]  # the pane reads only
    pane = RequestsPane(ctx, case_id)
    qtbot.addWidget(pane)
    pane.refresh()
    qtbot.waitUntil(lambda: len(pane.views) == 1 and pane.sign_offs is not None, timeout=WAIT)
    pane.table.selectRow(0)
    return pane


def _status(pane: Any) -> str:
    return str(pane.model.item(0, 2).text())


def test_attorney_signs_off_from_the_pane_then_the_letter_can_be_marked_sent(
    qtbot: Any, clinic: tuple[ClinicStore, Team]
) -> None:
    store, team = clinic
    case = cases.new_case(store, "Case " + secrets.token_hex(4))
    staff_case(store, case.id, team)
    with acting_as(store, team.advocate):
        tracker.draft_requests(store, case.id, "takedown", FORM, extra_urls=[PAGE])
        pane = _pane(qtbot, store, case.id)
        assert not pane.signoff_button.isHidden()
        assert not pane.signoff_button.isEnabled()  # an advocate does not sign off
        assert not pane.sent_button.isEnabled()  # not signed off yet
        assert _status(pane).endswith("needs a sign-off")
    with acting_as(store, team.attorney):
        pane = _pane(qtbot, store, case.id)
        assert pane.signoff_button.isEnabled()
        qtbot.mouseClick(pane.signoff_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: _status(pane).endswith("signed off"), timeout=WAIT)
        pane.table.selectRow(0)
        assert "it may be sent now" in pane.note.text()
        assert "Sign-offs:" in pane.history.toPlainText()
        assert "valid" in pane.history.toPlainText()
        assert not pane.signoff_button.isEnabled()  # done once
        assert pane.sent_button.isEnabled()


def test_laptop_vault_pane_shows_no_sign_off(qtbot: Any, vault: Vault) -> None:
    case = cases.new_case(vault, "Case L")
    tracker.draft_requests(
        vault, case.id, "takedown", FORM, extra_urls=[PAGE], now=datetime.now(UTC)
    )
    pane = _pane(qtbot, vault, case.id)
    assert pane.signoff_button.isHidden()
    assert pane.sent_button.isEnabled()
    assert _status(pane) == "Draft, not sent"
