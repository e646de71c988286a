"""Who works on a case of a clinic store: list, add, remove (issue 19 §2).

Adding a member wraps every version of the case key the acting member holds to the new
member's public key (read from their key record in ``clinic_members``; they must have been
admitted to the clinic), so they read the whole case. Removing one starts a new key version
wrapped to everyone who remains: values written afterwards are unreadable to the removed
member. Each change is a signed membership record (``case_membership``, seq = the next
number, the primary key refusing a concurrent second record n) and an audit event
``case.membership``, in one transaction. A laptop vault has one owner and no members.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy.orm import Session

from ncii_desk.errors import NciiDeskError
from ncii_desk.services.cases import find_case
from ncii_desk.vault.members import MemberKeyRecord, MemberPublic
from ncii_desk.vault.models import ClinicMember
from ncii_desk.vault.roles import MemberRole, parse_role
from ncii_desk.vault.store import CaseStore


class NotAClinicStore(NciiDeskError):
    """Case members exist only on a clinic store."""

    exit_code = 2
    default_hint = (
        "A laptop vault has one owner. Open the clinic store (--vault postgresql://...) "
        "with --member to manage who works on a case."
    )


class UnknownMember(NciiDeskError):
    """The member id names nobody admitted to the clinic."""

    exit_code = 2
    default_hint = (
        "List the clinic's members with 'ncii-desk clinic members'; a new member must be "
        "admitted ('ncii-desk clinic admit') before being added to a case."
    )


@dataclass(frozen=True)
class CaseMemberView:
    member_id: str
    role: str
    #: Fingerprint of the member's encryption key, as the signed records name it.
    fingerprint: str
    signing_fingerprint: str
    you: bool

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def has_members(vault: CaseStore) -> bool:
    """Whether this store's cases have members (a clinic store; a laptop vault has none)."""
    from ncii_desk.clinic.store import ClinicStore

    return isinstance(vault, ClinicStore)


def _clinic(vault: CaseStore) -> Any:
    from ncii_desk.clinic.store import ClinicStore

    if not isinstance(vault, ClinicStore):
        raise NotAClinicStore("This vault is not a clinic store, so its cases have no members.")
    vault.sealer.keys.member  # noqa: B018 - raises NoMember when opened without one
    return vault


def _views(store: Any, members: dict[str, Any]) -> list[CaseMemberView]:
    me = store.member.member_id
    return [
        CaseMemberView(mid, entry.role.value, entry.x25519, entry.ed25519, mid == me)
        for mid, entry in sorted(members.items(), key=lambda kv: (kv[1].role.value, kv[0]))
    ]


def list_members(vault: CaseStore, case_ref: str) -> list[CaseMemberView]:
    """The case's members as its verified membership records state them."""
    store = _clinic(vault)
    with store.session() as s:
        case = find_case(s, case_ref)
        opened = store.sealer.keys.open_case(s, case.id)
        return _views(store, opened.membership.members)


def _admitted_public(s: Session, member_id: str) -> MemberPublic:
    row = s.get(ClinicMember, member_id.strip())
    if row is None or row.removed_at is not None or row.clinic_key_wrap is None:
        state = "is not a member of this clinic" if row is None else "is not admitted"
        if row is not None and row.removed_at is not None:
            state = "was removed from the clinic"
        raise UnknownMember(f"Member {member_id} {state}.")
    return MemberKeyRecord.from_text(row.key_record).public


def add_member(
    vault: CaseStore, case_ref: str, member_id: str, role: MemberRole | str
) -> list[CaseMemberView]:
    """Add an admitted clinic member to the case with ``role``; returns the members."""
    store = _clinic(vault)
    role = role if isinstance(role, MemberRole) else parse_role(role)
    with store.transaction() as s:
        case = find_case(s, case_ref)
        public = _admitted_public(s, member_id)
        ring = store.sealer.keys.load(s, case.id)
        record = ring.add_member(store.member, public, role)
        store.sealer.keys.commit_change(s, ring, record)
        return _views(store, ring.members)


def remove_member(vault: CaseStore, case_ref: str, member_id: str) -> list[CaseMemberView]:
    """Remove a member from the case; new writes use a new key version they never get."""
    store = _clinic(vault)
    with store.transaction() as s:
        case = find_case(s, case_ref)
        ring = store.sealer.keys.load(s, case.id)
        _key, record = ring.remove_member(store.member, member_id.strip())
        store.sealer.keys.commit_change(s, ring, record)
        return _views(store, ring.members)
