"""Roles of the members of a clinic case, and what each role may do.

Three roles (issue 19 §2): an advocate works the case; a supervising attorney does the same
and also signs off letters and manages who is on the case; a read-only member (a volunteer,
an auditor) may look and verify, nothing else.

The policy is one table, :data:`POLICY` (action -> roles allowed). :func:`check` raises
:class:`NotPermitted` with a plain message and hint when a role may not do an action. This
is the rule every client applies before it acts; the signed membership records of
:mod:`ncii_desk.vault.members` carry each member's role, so a role cannot be raised by
editing the database, and a clinic server adds its own row-level checks on writes.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping

from ncii_desk.errors import InvalidSetting, NciiDeskError


class MemberRole(enum.StrEnum):
    ADVOCATE = "advocate"
    SUPERVISING_ATTORNEY = "supervising_attorney"
    READ_ONLY = "read_only"


class Action(enum.StrEnum):
    CASE_READ = "case.read"
    CASE_EDIT = "case.edit"
    CASE_CLOSE = "case.close"
    CASE_EXPORT = "case.export"
    ITEM_ADD = "item.add"
    ITEM_EDIT = "item.edit"
    CAPTURE_ADD = "capture.add"
    MATCH_REVIEW = "match.review"
    LETTER_DRAFT = "letter.draft"
    LETTER_SIGN_OFF = "letter.sign_off"
    REQUEST_SEND = "request.send"
    MEMBER_ADD = "member.add"
    MEMBER_REMOVE = "member.remove"
    AUDIT_VERIFY = "audit.verify"


_ALL = frozenset(MemberRole)
_WORKERS = frozenset({MemberRole.ADVOCATE, MemberRole.SUPERVISING_ATTORNEY})
_ATTORNEY = frozenset({MemberRole.SUPERVISING_ATTORNEY})

#: Action -> the roles that may do it. Every :class:`Action` has an entry.
POLICY: Mapping[Action, frozenset[MemberRole]] = {
    Action.CASE_READ: _ALL,
    Action.AUDIT_VERIFY: _ALL,
    Action.CASE_EDIT: _WORKERS,
    Action.CASE_CLOSE: _WORKERS,
    Action.CASE_EXPORT: _WORKERS,
    Action.ITEM_ADD: _WORKERS,
    Action.ITEM_EDIT: _WORKERS,
    Action.CAPTURE_ADD: _WORKERS,
    Action.MATCH_REVIEW: _WORKERS,
    Action.LETTER_DRAFT: _WORKERS,
    Action.REQUEST_SEND: _WORKERS,
    Action.MEMBER_ADD: _WORKERS,
    Action.MEMBER_REMOVE: _WORKERS,
    Action.LETTER_SIGN_OFF: _ATTORNEY,
}

#: Roles a member may give to someone they add. An advocate runs the case and brings in its
#: supervising attorney (cases are made by advocates, who are their first member: without
#: this no case could ever have an attorney), so advocates and attorneys may give any role;
#: read-only members add nobody. Every grant is a membership record signed by whoever made
#: it, so a sign-off can always be traced to the member who named the attorney.
GRANTS: Mapping[MemberRole, frozenset[MemberRole]] = {
    MemberRole.SUPERVISING_ATTORNEY: _ALL,
    MemberRole.ADVOCATE: _ALL,
    MemberRole.READ_ONLY: frozenset(),
}

ROLE_WORDS: Mapping[MemberRole, str] = {
    MemberRole.ADVOCATE: "an advocate",
    MemberRole.SUPERVISING_ATTORNEY: "a supervising attorney",
    MemberRole.READ_ONLY: "a read-only member",
}

ACTION_WORDS: Mapping[Action, str] = {
    Action.CASE_READ: "open the case",
    Action.CASE_EDIT: "change the case's details",
    Action.CASE_CLOSE: "close the case",
    Action.CASE_EXPORT: "export the case",
    Action.ITEM_ADD: "add evidence to the case",
    Action.ITEM_EDIT: "change evidence items",
    Action.CAPTURE_ADD: "capture web pages for the case",
    Action.MATCH_REVIEW: "review matches",
    Action.LETTER_DRAFT: "draft letters and requests",
    Action.LETTER_SIGN_OFF: "sign off letters",
    Action.REQUEST_SEND: "send removal requests",
    Action.MEMBER_ADD: "add people to the case",
    Action.MEMBER_REMOVE: "remove people from the case",
    Action.AUDIT_VERIFY: "verify the case's audit trail",
}


class NotPermitted(NciiDeskError):
    """A member's role on a case does not allow what they tried to do."""

    exit_code = 1
    default_hint = (
        "Ask a supervising attorney on this case to do it, or to change your role on the case."
    )


def allowed(role: MemberRole, action: Action) -> bool:
    return role in POLICY[action]


def _roles_that(action: Action) -> str:
    names = [ROLE_WORDS[r].split(" ", 1)[1] + "s" for r in MemberRole if r in POLICY[action]]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def check(role: MemberRole, action: Action) -> None:
    """Raise :class:`NotPermitted` unless ``role`` may do ``action``."""
    if not allowed(role, action):
        raise NotPermitted(
            f"You are {ROLE_WORDS[role]} on this case, and only {_roles_that(action)} may "
            f"{ACTION_WORDS[action]}."
        )


def check_grant(actor: MemberRole, granted: MemberRole) -> None:
    """Raise :class:`NotPermitted` unless ``actor`` may add someone with role ``granted``."""
    check(actor, Action.MEMBER_ADD)
    if granted not in GRANTS[actor]:
        raise NotPermitted(
            f"You are {ROLE_WORDS[actor]} on this case and cannot add someone as "
            f"{ROLE_WORDS[granted]}.",
            hint="Ask a supervising attorney on this case to add them.",
        )


def parse_role(text: str) -> MemberRole:
    """A role as typed (any case; spaces, dashes or underscores between words)."""
    key = "_".join(text.strip().lower().replace("-", " ").replace("_", " ").split())
    try:
        return MemberRole(key)
    except ValueError:
        choices = ", ".join(r.value for r in MemberRole)
        raise InvalidSetting(
            f"'{text}' is not a role on a case.", hint=f"Choose one of: {choices}."
        ) from None
