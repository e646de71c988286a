"""The letters sign-off rule's stored value (issue 19 §2) is bound to the audit event that
recorded the change, and authenticated with the newest clinic key version: an older,
genuinely authenticated value put back into the settings row (a replay by someone with
database access) no longer turns the rule off; a value MACed with a key a rotation replaced
does not either; a rule changed before a rotation keeps its value after it. Real PostgreSQL.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from roleskit import Team, acting_as, make_team, open_clinic, staff_case
from sqlalchemy import update
from sqlalchemy.orm import Session

from ncii_desk.clinic import clinickeys, members
from ncii_desk.clinic.clinickeys import ClinicKeyring
from ncii_desk.clinic.store import ClinicStore, make_engine
from ncii_desk.services import cases, signoff
from ncii_desk.vault import Vault
from ncii_desk.vault.models import Setting


@pytest.fixture
def staffed(pg_server: Any, tmp_path: Path) -> Iterator[tuple[ClinicStore, Team]]:
    """A clinic with one case staffed by an attorney, an advocate and a reader."""
    store = open_clinic(pg_server, tmp_path)
    team = make_team(store.vault_id)
    case = cases.new_case(store, "Case " + secrets.token_hex(6))
    staff_case(store, case.id, team)
    try:
        yield store, team
    finally:
        store.close()


def _rule_row(store: ClinicStore) -> dict[str, Any]:
    with store.session() as s:
        row = s.get(Setting, signoff.RULE_KEY)
        assert row is not None
        return dict(row.value)


def _put_back(url: str, value: dict[str, Any]) -> None:
    """Write the rule's settings row straight into the database (no NCII Desk checks)."""
    with Session(make_engine(url)) as s, s.begin():
        s.execute(update(Setting).where(Setting.key == signoff.RULE_KEY).values(value=value))


def test_an_older_rule_value_put_back_in_the_database_does_not_turn_the_rule_off(
    staffed: tuple[ClinicStore, Team],
) -> None:
    store, team = staffed
    with acting_as(store, team.attorney):
        signoff.set_sign_off_required(store, False)
        turned_off = _rule_row(store)
        assert signoff.sign_off_required(store) is False
        signoff.set_sign_off_required(store, True)
        assert signoff.sign_off_required(store) is True

        _put_back(store.url, turned_off)  # a genuine value, but not the newest one

        assert signoff.sign_off_required(store) is True
        # turning it off again through NCII Desk still works
        signoff.set_sign_off_required(store, False)
        assert signoff.sign_off_required(store) is False
        assert _rule_row(store)["seq"] > turned_off["seq"]


def test_the_rule_keeps_its_value_across_a_rotation_and_an_old_key_cannot_forge_it(
    staffed: tuple[ClinicStore, Team],
) -> None:
    store, team = staffed
    with acting_as(store, team.attorney):
        signoff.set_sign_off_required(store, False)
    old_ring = store.keyring
    assert old_ring.newest == 1
    with store.transaction() as s:
        members.rotate(store, s, {"reason": "test"})
    assert store.keyring.newest == 2

    value = _rule_row(store)
    assert value["key_version"] == 2
    assert signoff.sign_off_required(store) is False  # re-authenticated at the rotation

    with acting_as(store, team.attorney):
        signoff.set_sign_off_required(store, True)
    newest = _rule_row(store)
    # someone who kept version 1 writes "off", bound to the newest rule event
    forged = clinickeys.mac_setting(
        ClinicKeyring(store.vault_id, {1: old_ring.key(1)}, 1),
        signoff.RULE_KEY,
        {"required": False, "seq": newest["seq"]},
    )
    _put_back(store.url, forged)
    assert signoff.sign_off_required(store) is True


def test_a_laptop_vault_keeps_the_rule_value_bound_the_same_way(vault: Vault) -> None:
    """On a laptop vault the rule does not apply, but its value is kept and read alike."""
    assert signoff.sign_off_required(vault) is True
    signoff.set_sign_off_required(vault, False)
    assert signoff.sign_off_required(vault) is False
    with vault.session() as s:
        row = s.get(Setting, signoff.RULE_KEY)
        assert row is not None
        off = dict(row.value)
    signoff.set_sign_off_required(vault, True)
    with vault.transaction() as s:
        row = s.get(Setting, signoff.RULE_KEY)
        assert row is not None
        row.value = off
    assert signoff.sign_off_required(vault) is True
