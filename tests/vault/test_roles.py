"""Roles on a clinic case: the policy table and the check."""

from __future__ import annotations

import pytest

from ncii_desk.errors import InvalidSetting, NciiDeskError
from ncii_desk.vault import roles
from ncii_desk.vault.roles import Action, MemberRole, NotPermitted


def test_every_action_has_a_policy_and_words() -> None:
    assert set(roles.POLICY) == set(Action)
    assert set(roles.ACTION_WORDS) == set(Action)
    assert set(roles.GRANTS) == set(MemberRole) == set(roles.ROLE_WORDS)


def test_only_a_supervising_attorney_signs_off_letters() -> None:
    roles.check(MemberRole.SUPERVISING_ATTORNEY, Action.LETTER_SIGN_OFF)
    for role in (MemberRole.ADVOCATE, MemberRole.READ_ONLY):
        with pytest.raises(NotPermitted) as caught:
            roles.check(role, Action.LETTER_SIGN_OFF)
        assert caught.value.message.endswith("only supervising attorneys may sign off letters.")
        assert "supervising attorney" in caught.value.hint


def test_advocates_work_the_case() -> None:
    for action in (Action.ITEM_ADD, Action.LETTER_DRAFT, Action.REQUEST_SEND, Action.CASE_EDIT):
        assert roles.allowed(MemberRole.ADVOCATE, action)
        assert roles.allowed(MemberRole.SUPERVISING_ATTORNEY, action)


@pytest.mark.parametrize(
    "action", [a for a in Action if a not in (Action.CASE_READ, Action.AUDIT_VERIFY)]
)
def test_read_only_member_may_only_read_and_verify(action: Action) -> None:
    roles.check(MemberRole.READ_ONLY, Action.CASE_READ)
    roles.check(MemberRole.READ_ONLY, Action.AUDIT_VERIFY)
    with pytest.raises(NotPermitted) as caught:
        roles.check(MemberRole.READ_ONLY, action)
    error = caught.value
    assert isinstance(error, NciiDeskError) and error.exit_code == 1
    assert error.message.startswith("You are a read-only member on this case")
    assert roles.ACTION_WORDS[action] in error.message


def test_advocates_bring_in_the_attorney_and_read_only_members_add_nobody() -> None:
    roles.check_grant(MemberRole.SUPERVISING_ATTORNEY, MemberRole.SUPERVISING_ATTORNEY)
    roles.check_grant(MemberRole.ADVOCATE, MemberRole.READ_ONLY)
    # A case's first member is the advocate who made it: they must be able to add the
    # supervising attorney, or no case could ever have one.
    roles.check_grant(MemberRole.ADVOCATE, MemberRole.SUPERVISING_ATTORNEY)
    with pytest.raises(NotPermitted, match="add people to the case"):
        roles.check_grant(MemberRole.READ_ONLY, MemberRole.READ_ONLY)


@pytest.mark.parametrize(
    ("text", "role"),
    [
        ("advocate", MemberRole.ADVOCATE),
        ("Supervising Attorney", MemberRole.SUPERVISING_ATTORNEY),
        ("supervising-attorney", MemberRole.SUPERVISING_ATTORNEY),
        (" read_only ", MemberRole.READ_ONLY),
        ("read-only", MemberRole.READ_ONLY),
    ],
)
def test_parse_role(text: str, role: MemberRole) -> None:
    assert roles.parse_role(text) is role


def test_unknown_role_lists_the_choices() -> None:
    with pytest.raises(InvalidSetting) as caught:
        roles.parse_role("paralegal")
    assert "'paralegal' is not a role" in caught.value.message
    assert "advocate, supervising_attorney, read_only" in caught.value.hint
