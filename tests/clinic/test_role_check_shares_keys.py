"""A clinic case's role check and its case keys rest on one verification of its signed
membership records (they used to verify the same records separately, twice per case)."""

from __future__ import annotations

from typing import Any

import pytest

from ncii_desk.clinic.store import ClinicStore, NotCaseMember
from ncii_desk.services import case_members, cases, items
from ncii_desk.vault.members import membership as m
from ncii_desk.vault.roles import MemberRole


def test_role_and_sealed_columns_verify_the_records_once(
    clinic_store: ClinicStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = cases.new_case(clinic_store, "Case R", notes="sealed notes")
    clinic_store.sealer.keys.forget(case.id)  # as a client that never opened the case
    calls: list[str] = []
    real = m.verify_membership

    def counting(*args: Any, **kwargs: Any) -> m.Membership:
        calls.append(str(kwargs.get("case_id")))
        return real(*args, **kwargs)

    monkeypatch.setattr(m, "verify_membership", counting)  # where it is defined
    assert clinic_store.case_role(case.id) == MemberRole.ADVOCATE
    assert cases.get_case(clinic_store, case.id).notes == "sealed notes"
    items.list_items(clinic_store, case.id)
    assert clinic_store.case_role(case.id) == MemberRole.ADVOCATE
    assert calls == [case.id]


def test_a_member_taken_off_the_case_loses_role_and_key_together(
    clinic_store: ClinicStore,
) -> None:
    from tests.clinic.memberkit import add_member

    other = add_member(clinic_store, "Second Advocate")
    case = cases.new_case(clinic_store, "Case S")
    case_members.add_member(clinic_store, case.id, other.member_id, MemberRole.ADVOCATE)
    with other.open() as theirs:
        assert theirs.case_role(case.id) == MemberRole.ADVOCATE
        with theirs.session() as s:
            assert theirs.sealer.keys.open_case(s, case.id).cipher is not None
        case_members.remove_member(clinic_store, case.id, other.member_id)
        with pytest.raises(NotCaseMember):
            theirs.case_role(case.id)
        with theirs.session() as s:
            opened = theirs.sealer.keys.open_case(s, case.id)
        assert opened.cipher is None and opened.role is None
