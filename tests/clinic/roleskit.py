"""Helpers for the role and sign-off tests: a team of clinic members, a case's signed
membership records written into a clinic store, acting as one member, and a snapshot of
everything a store holds (to prove a refused action wrote nothing).

The members and records are made with the real domain API (ncii_desk.vault.members); the
store is a real clinic store on the test session's PostgreSQL server, opened with the raw
clinic key, and a member is attached to it the way opening by member does
(``store.member``/``store.member_id``).
"""

from __future__ import annotations

import contextlib
import io
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image
from sqlalchemy import func, select

from conftest import PASSPHRASE, fast_kdf
from ncii_desk.clinic.store import ClinicStore, init_clinic
from ncii_desk.vault import members as m
from ncii_desk.vault.models import (
    Base,
    CaseKeyWrap,
    CaseMembershipRecord,
    EvidenceItem,
    Match,
    ReviewState,
    Role,
    Source,
)
from ncii_desk.vault.roles import MemberRole


@dataclass(frozen=True)
class Team:
    attorney: m.NewMember  # supervising attorney, creates the cases
    advocate: m.NewMember
    reader: m.NewMember  # read-only
    outsider: m.NewMember  # a member of the clinic, not of the case


def make_team(clinic_id: str) -> Team:
    return Team(*(m.create_member(clinic_id, PASSPHRASE, kdf=fast_kdf()) for _ in range(4)))


def open_clinic(pg_server: Any, folder: Path) -> ClinicStore:
    """A new clinic (its own database and blob folder) opened with a fresh raw key.

    Column sealing is off (``sealed=False``): these tests write the membership records
    themselves rather than through case creation, so the cases have no sealed values to
    open; sealing has its own tests (test_sealing.py, test_case_members.py)."""
    url = str(pg_server.create_database("r" + secrets.token_hex(6)))
    init_clinic(url, folder / "blobs", "Role Test Clinic")
    return ClinicStore.open(url, secrets.token_bytes(32), actor="clinic-tools", sealed=False)


def write_records(
    store: ClinicStore,
    case_id: str,
    records: list[m.MembershipRecord],
    ring: m.CaseKeyring | None = None,
) -> None:
    """Store membership records (after those already there), as a client does: the row,
    the audit event, and the ring's key wraps."""
    with store.transaction() as s:
        for record in records:
            s.add(CaseMembershipRecord(case_id=case_id, seq=record.body["seq"], record=record.text))
            store.audit(s, "case.membership", case_id, record.audit_details())
        if ring is not None:
            for (version, member_id), wrap in ring.wraps.items():
                if s.get(CaseKeyWrap, (case_id, version, member_id)) is None:
                    s.add(
                        CaseKeyWrap(
                            case_id=case_id, version=version, member_id=member_id, wrap=wrap
                        )
                    )


def staff_case(store: ClinicStore, case_id: str, team: Team) -> m.CaseKeyring:
    """The attorney creates the case's membership and adds the advocate and the reader."""
    ring, _key, first = m.CaseKeyring.create(
        case_id, team.attorney.keys, MemberRole.SUPERVISING_ATTORNEY
    )
    records = [
        first,
        ring.add_member(team.attorney.keys, team.advocate.keys.public, MemberRole.ADVOCATE),
        ring.add_member(team.attorney.keys, team.reader.keys.public, MemberRole.READ_ONLY),
    ]
    write_records(store, case_id, records, ring)
    return ring


@contextlib.contextmanager
def acting_as(store: ClinicStore, who: m.NewMember | None) -> Iterator[ClinicStore]:
    """The store as opened by ``who`` (None: the raw clinic key, no member)."""
    before = (store.member, store.member_id, store.actor)
    store.member = None if who is None else who.keys
    store.member_id = None if who is None else who.keys.member_id
    store.actor = "clinic-tools" if who is None else who.keys.member_id
    try:
        yield store
    finally:
        store.member, store.member_id, store.actor = before


def snapshot(store: ClinicStore) -> dict[str, Any]:
    """Row count of every table, the audit chain's length and the blob files."""
    out: dict[str, Any] = {}
    with store.session() as s:
        for table in Base.metadata.sorted_tables:
            out[table.name] = s.scalar(select(func.count()).select_from(table))
    out["audit_events_verified"] = store.verify_audit().events
    out["blob_files"] = sorted(store.blobs.ids())
    return out


def png(path: Path, seed: int) -> Path:
    """A generated, benign picture (random blocks)."""
    rng = np.random.default_rng(seed)
    blocks = rng.integers(0, 256, size=(8, 8, 3), dtype=np.uint8)
    picture = Image.fromarray(np.kron(blocks, np.ones((16, 16, 1), dtype=np.uint8)))
    buf = io.BytesIO()
    picture.save(buf, format="PNG")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buf.getvalue())
    return path


def add_match(store: ClinicStore, case_id: str, seed: int) -> str:
    """An original and a suspect (hashes only) with a pending match; returns the match id."""
    with store.transaction() as s:

        def item(role: Role, number: int) -> EvidenceItem:
            row = EvidenceItem(
                case_id=case_id,
                role=role,
                source=Source.FILE,
                size=100 + number,
                mime="image/png",
                sha256=f"{number:02x}" * 32,
                md5=f"{number:02x}" * 16,
            )
            s.add(row)
            s.flush()
            return row

        original, suspect = item(Role.ORIGINAL, seed), item(Role.SUSPECT, seed + 1)
        match = Match(
            case_id=case_id,
            suspect_item_id=suspect.id,
            target_item_id=original.id,
            kind="pdq",
            distance=4.0,
            threshold=31.0,
            review_state=ReviewState.PENDING,
        )
        s.add(match)
        s.flush()
        return match.id
