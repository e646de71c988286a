"""Who may do what on a case: the one role check every service entry point calls.

``require(store, case_id, Action.X)`` asks the store for the opened member's role on the
case (:meth:`~ncii_desk.vault.store.CaseStore.case_role`) and checks it against the policy
of :mod:`ncii_desk.vault.roles`. A laptop vault has no roles (one person's: everything is
allowed); a clinic store opened by a member knows the member's role from the case's signed
membership records, and raises :class:`~ncii_desk.vault.roles.NotPermitted` for a member
who is not on the case or whose role does not allow the action. Services call it before
they write anything (blobs included), so a refusal leaves the store as it was.
"""

from __future__ import annotations

from ncii_desk.vault.roles import Action, MemberRole, check
from ncii_desk.vault.store import CaseStore

__all__ = ["Action", "require", "require_case_ref"]


def require(store: CaseStore, case_id: str, action: Action) -> MemberRole | None:
    """Raise NotPermitted unless the opened member may do ``action`` on the case; returns
    the member's role (None: no roles on this store, everything allowed)."""
    role = store.case_role(case_id)
    if role is not None:
        check(role, action)
    return role


def require_case_ref(store: CaseStore, case_ref: str, action: Action) -> str:
    """:func:`require` for a case named as the user typed it; returns the case's id."""
    from ncii_desk.services.cases import find_case

    with store.session() as s:
        case_id = find_case(s, case_ref).id
    require(store, case_id, action)
    return case_id
