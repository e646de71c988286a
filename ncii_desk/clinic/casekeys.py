"""Per-case keys of a clinic store: kept in ``case_key_wraps`` and ``case_membership``.

A case created by a member gets a new case key (version 1) wrapped to its creator and the
signed first membership record, in the same transaction as the case row; the record is also
an audit event (``case.membership``, details = the record). Reading a case loads its wraps
and records, verifies the records end to end and the wraps against them
(:meth:`CaseKeyring.verify`), and opens the versions the member holds.

Cache. One :class:`CaseKeys` per open store keeps each case's verified ring and opened keys
for the session. Every session checks once per case whether the newest record's ``seq``
moved (a membership change by another client) and reloads then. The (seq, head) last
verified for each case is remembered for the life of the open store and passed as ``seen``
on every reload, so a server rolled back behind a change this client saw is refused. (It is
kept in memory only: a client profile on disk is the place to keep it between runs.)
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ncii_desk.errors import NciiDeskError
from ncii_desk.vault.fields import FieldCipher
from ncii_desk.vault.members import (
    CaseKeyring,
    MemberKeyRecord,
    MemberKeys,
    MemberPublic,
    Membership,
    MembershipRecord,
)
from ncii_desk.vault.models import CaseKeyWrap, CaseMembershipRecord, ClinicMember
from ncii_desk.vault.roles import MemberRole, NotPermitted
from ncii_desk.vault.store import AuditEventSpec


class KeyedStore(Protocol):
    """What the case keys need of the clinic store (no import of the store module)."""

    member: MemberKeys | None

    def audit_many(self, session: Session, events: list[AuditEventSpec]) -> None: ...


#: The audit action of every membership record.
MEMBERSHIP_ACTION = "case.membership"
#: session.info key: case ids whose record count this session already compared.
_CHECKED_INFO = "ncii_casekeys_checked"
#: session.info key: {case id: newest record seq} as this session first read them.
_SEQS_INFO = "ncii_casekeys_seqs"


class NoMember(NciiDeskError):
    """The store was opened without a member, so it holds no case key."""

    exit_code = 1
    default_hint = (
        "Open the clinic store as a member (--member ID and your passphrase); case data on "
        "a clinic server is readable only with a member's keys."
    )


@dataclass
class OpenCase:
    """A case's verified ring, and the field cipher and role of the member it was opened
    for (``member_id``; cipher and role None: not a member of the case)."""

    ring: CaseKeyring
    membership: Membership
    cipher: FieldCipher | None
    role: MemberRole | None
    member_id: str


class CaseKeys:
    """The case keys of one open clinic store, for its member."""

    def __init__(self, store: KeyedStore) -> None:
        self._store = store
        self._open: dict[str, OpenCase] = {}
        self._seen: dict[str, tuple[int, str]] = {}
        self._lock = threading.RLock()
        #: The role a member takes on the cases they create.
        self.creator_role = MemberRole.ADVOCATE
        self._publics: dict[str, tuple[str, MemberPublic]] = {}

    @property
    def seen(self) -> dict[str, tuple[int, str]]:
        """Case id -> (seq, head) of the newest membership this client verified: save it
        with the client profile and give it back to :meth:`restore_seen` next time, so a
        server rolled back between two runs is caught too."""
        with self._lock:
            return dict(self._seen)

    def restore_seen(self, seen: dict[str, tuple[int, str]]) -> None:
        with self._lock:
            for case_id, (seq, head) in seen.items():
                known = self._seen.get(case_id)
                if known is None or known[0] < seq:
                    self._seen[case_id] = (int(seq), str(head))

    @property
    def member(self) -> MemberKeys:
        member = self._store.member
        if member is None:
            raise NoMember("This clinic store was opened without a member's keys.")
        return member

    # creating ----------------------------------------------------------------------------

    def create(self, session: Session, case_id: str) -> FieldCipher:
        """Inside a write transaction: key version 1 of a new case wrapped to the member,
        the signed first record, and its audit event. The rows flush after the case row."""
        member = self.member
        ring, key, record = CaseKeyring.create(case_id, member, self.creator_role)
        self._write_changes(session, ring, record)
        membership = ring.verify([record])
        cipher = FieldCipher([key])
        with self._lock:
            self._open[case_id] = OpenCase(
                ring, membership, cipher, self.creator_role, member.member_id
            )
            self._seen[case_id] = (membership.seq, membership.head)
        session.info.setdefault(_CHECKED_INFO, set()).add(case_id)
        return cipher

    def _write_changes(self, session: Session, ring: CaseKeyring, record: MembershipRecord) -> None:
        """The wraps as the ring now holds them, the record at its seq, the audit event.
        Not flushed here (this runs inside ``before_flush`` too); the audit event goes in
        through one Core insert, which does not flush."""
        stored = {
            (w.version, w.member_id): w
            for w in session.scalars(select(CaseKeyWrap).where(CaseKeyWrap.case_id == ring.case_id))
        }
        for slot, row in stored.items():
            if slot not in ring.wraps:
                session.delete(row)
        for (version, member_id), text in ring.wraps.items():
            if (version, member_id) not in stored:
                session.add(
                    CaseKeyWrap(
                        case_id=ring.case_id, version=version, member_id=member_id, wrap=text
                    )
                )
        session.add(CaseMembershipRecord(case_id=ring.case_id, seq=ring.seq, record=record.text))
        self._store.audit_many(session, [(MEMBERSHIP_ACTION, ring.case_id, record.audit_details())])

    # reading -----------------------------------------------------------------------------

    def open_case(self, session: Session, case_id: str) -> OpenCase:
        """The case's verified ring and this member's cipher and role, from the cache when
        no other client changed its membership since (checked once per session) and it was
        opened for the same member."""
        member_id = self.member.member_id
        with self._lock:
            cached = self._open.get(case_id)
            if cached is not None and cached.member_id != member_id:
                cached = None
            checked: set[str] = session.info.setdefault(_CHECKED_INFO, set())
            if cached is not None and case_id in checked:
                return cached
            newest = self._newest_seqs(session).get(case_id)
            if cached is None or newest != cached.membership.seq:
                cached = self._load(session, case_id)
                self._open[case_id] = cached
            checked.add(case_id)
            return cached

    @staticmethod
    def _newest_seqs(session: Session) -> dict[str, int]:
        """Every case's newest record number, read once per session in one query (a case
        list costs one statement here, whatever the number of cases)."""
        seqs: dict[str, int] | None = session.info.get(_SEQS_INFO)
        if seqs is None:
            seqs = {
                str(case_id): int(seq)
                for case_id, seq in session.execute(
                    select(
                        CaseMembershipRecord.case_id, func.max(CaseMembershipRecord.seq)
                    ).group_by(CaseMembershipRecord.case_id)
                )
            }
            session.info[_SEQS_INFO] = seqs
        return seqs

    def load(self, session: Session, case_id: str) -> CaseKeyring:
        """A freshly read and verified ring of the case, to make a change on."""
        with self._lock:
            opened = self._load(session, case_id)
            self._open[case_id] = opened
        return CaseKeyring(
            clinic_id=opened.ring.clinic_id,
            case_id=case_id,
            current_version=opened.ring.current_version,
            wraps=dict(opened.ring.wraps),
            publics=dict(opened.ring.publics),
            members=dict(opened.ring.members),
            head=opened.ring.head,
            seq=opened.ring.seq,
            commits=dict(opened.ring.commits),
        )

    def _load(self, session: Session, case_id: str) -> OpenCase:
        member = self.member
        records = [
            MembershipRecord(row.record)
            for row in session.scalars(
                select(CaseMembershipRecord)
                .where(CaseMembershipRecord.case_id == case_id)
                .order_by(CaseMembershipRecord.seq)
            )
        ]
        wraps = {
            (w.version, w.member_id): w.wrap
            for w in session.scalars(select(CaseKeyWrap).where(CaseKeyWrap.case_id == case_id))
        }
        from ncii_desk.vault.members.membership import verify_membership

        seen = self._seen.get(case_id)
        membership = verify_membership(
            records, clinic_id=member.clinic_id, case_id=case_id, seen=seen
        )
        publics = self.publics(session, membership.members)
        ring = CaseKeyring(
            clinic_id=member.clinic_id,
            case_id=case_id,
            current_version=membership.key_version,
            wraps=wraps,
            publics=publics,
            members=dict(membership.members),
            head=membership.head,
            seq=membership.seq,
            commits=dict(membership.commits),
        )
        ring.agrees(membership)  # the records were verified just above, once
        self._seen[case_id] = (membership.seq, membership.head)
        entry = membership.members.get(member.member_id)
        cipher = FieldCipher(ring.open(member).values()) if entry is not None else None
        role = None if entry is None else entry.role
        return OpenCase(ring, membership, cipher, role, member.member_id)

    def publics(self, session: Session, member_ids: object) -> dict[str, MemberPublic]:
        """Public keys of these members from their key records in ``clinic_members`` (the
        ring's verify checks them against the fingerprints the signed records name)."""
        ids = sorted(str(m) for m in member_ids)  # type: ignore[attr-defined]
        out: dict[str, MemberPublic] = {}
        if not ids:
            return out
        for row in session.scalars(select(ClinicMember).where(ClinicMember.member_id.in_(ids))):
            cached = self._publics.get(row.member_id)
            if cached is None or cached[0] != row.key_record:
                cached = (row.key_record, MemberKeyRecord.from_text(row.key_record).public)
                self._publics[row.member_id] = cached
            out[row.member_id] = cached[1]
        return out

    def cipher_for_write(self, session: Session, case_id: str) -> FieldCipher:
        opened = self.open_case(session, case_id)
        if opened.cipher is None:
            raise NotPermitted(
                f"You are not a member of case {case_id}, so you cannot change it.",
                hint="Ask a supervising attorney on the case to add you to it.",
            )
        return opened.cipher

    # changes -----------------------------------------------------------------------------

    def commit_change(self, session: Session, ring: CaseKeyring, record: MembershipRecord) -> None:
        """Inside a write transaction: store a membership change made on ``ring`` (loaded
        in this transaction) and refresh the cache with it."""
        self._write_changes(session, ring, record)
        session.flush()
        member = self.member
        records = [
            MembershipRecord(row.record)
            for row in session.scalars(
                select(CaseMembershipRecord)
                .where(CaseMembershipRecord.case_id == ring.case_id)
                .order_by(CaseMembershipRecord.seq)
            )
        ]
        membership = ring.verify(records, self._seen.get(ring.case_id))
        entry = membership.members.get(member.member_id)
        cipher = FieldCipher(ring.open(member).values()) if entry is not None else None
        with self._lock:
            self._open[ring.case_id] = OpenCase(
                ring, membership, cipher, None if entry is None else entry.role, member.member_id
            )
            self._seen[ring.case_id] = (membership.seq, membership.head)
        session.info.setdefault(_CHECKED_INFO, set()).add(ring.case_id)

    def forget(self, case_id: str) -> None:
        with self._lock:
            self._open.pop(case_id, None)
