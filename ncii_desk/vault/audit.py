"""The tamper-evident audit chain and its head file outside the database.

Each event's MAC covers the previous MAC and the event's canonical row, under the audit key
(derived from the data key). ``audit.head`` holds the newest sequence number and MAC, itself
MACed; it is rewritten atomically after every commit. Edits break a MAC; deleting the newest
rows leaves the database behind the head; rollback of the whole vault is caught by comparing
with a head recorded in an exported packet.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from ncii_desk.vault.atomic import atomic_write_bytes
from ncii_desk.vault.keys import canonical_json, utc_now_iso
from ncii_desk.vault.models import AuditEvent, Base

HEAD_NAME = "audit.head"
GENESIS_MAC = "0" * 64
#: Event written when opening found the head did not match; it keeps `verify` failing for
#: good, because every later commit rewrites audit.head and would otherwise hide the finding.
TAMPER_ACTION = "audit.tamper_detected"


_STORED = ("seq", "at", "actor", "action", "object_id", "details", "prev_mac", "mac")


def _event_mac(key: bytes, prev_mac: str, row: dict[str, Any]) -> str:
    return hmac.new(key, prev_mac.encode() + b"|" + canonical_json(row), hashlib.sha256).hexdigest()


def _row_fields(ev: Any) -> dict[str, Any]:
    return {
        "seq": ev.seq,
        "at": ev.at,
        "actor": ev.actor,
        "action": ev.action,
        "object_id": ev.object_id,
        "details": ev.details,
    }


def append_event(
    session: Session,
    key: bytes,
    *,
    actor: str,
    action: str,
    object_id: str | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add the next event to the chain inside the caller's (write) transaction."""
    last = session.execute(
        select(AuditEvent.seq, AuditEvent.mac).order_by(AuditEvent.seq.desc()).limit(1)
    ).first()
    seq = 1 if last is None else last.seq + 1
    prev = GENESIS_MAC if last is None else last.mac
    ev = AuditEvent(
        seq=seq,
        at=utc_now_iso(),
        actor=actor,
        action=action,
        object_id=object_id,
        details=canonical_json(details or {}).decode(),
        prev_mac=prev,
        mac="",
    )
    ev.mac = _event_mac(key, prev, _row_fields(ev))
    session.add(ev)
    session.flush()
    return ev


def append_events(
    session: Session,
    key: bytes,
    *,
    actor: str,
    events: list[tuple[str, str | None, dict[str, Any]]],
) -> None:
    """Add several events, in order, inside the caller's (write) transaction: the newest
    event is read once and the rows are inserted in one executemany. Each event is chained
    and MACed exactly as :func:`append_event` would chain it after the one before.

    ``events`` holds (action, object id, details) of each event."""
    if not events:
        return
    last = newest(session)
    seq = 0 if last is None else last.seq
    prev = GENESIS_MAC if last is None else last.mac
    rows: list[dict[str, Any]] = []
    for action, object_id, details in events:
        seq += 1
        row: dict[str, Any] = {
            "seq": seq,
            "at": utc_now_iso(),
            "actor": actor,
            "action": action,
            "object_id": object_id,
            "details": canonical_json(details).decode(),
        }
        mac = _event_mac(key, prev, row)
        rows.append({**row, "prev_mac": prev, "mac": mac})
        prev = mac
    session.execute(insert(Base.metadata.tables[AuditEvent.__tablename__]), rows)


@dataclass(frozen=True)
class Head:
    seq: int
    mac: str


def _head_mac(key: bytes, vault_id: str, seq: int, mac: str) -> str:
    msg = f"audit-head|{vault_id}|{seq}|{mac}".encode()
    return hmac.new(key, msg, hashlib.sha256).hexdigest()


def write_head(root: Path, key: bytes, vault_id: str, head: Head) -> None:
    doc = {
        "vault_id": vault_id,
        "seq": head.seq,
        "mac": head.mac,
        "head_mac": _head_mac(key, vault_id, head.seq, head.mac),
    }
    atomic_write_bytes(root / HEAD_NAME, _head_bytes(doc))


def _head_bytes(doc: dict[str, Any]) -> bytes:
    return json.dumps(doc, indent=2).encode() + b"\n"


def read_head(root: Path, key: bytes, vault_id: str) -> Head | str:
    """The stored head, or a plain-language reason why it cannot be trusted."""
    path = root / HEAD_NAME
    try:
        raw = path.read_bytes()
        doc = json.loads(raw.decode("utf-8"))
        seq, mac, head_mac = int(doc["seq"]), str(doc["mac"]), str(doc["head_mac"])
        if doc["vault_id"] != vault_id:
            return "audit.head belongs to a different vault"
    except FileNotFoundError:
        return "audit.head is missing"
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        return "audit.head cannot be read"
    if not hmac.compare_digest(head_mac, _head_mac(key, vault_id, seq, mac)):
        return "audit.head was altered (its authentication code does not match)"
    if raw != _head_bytes(doc):
        # Same values, other bytes (e.g. a cut-off last line): changed outside NCII Desk.
        return "audit.head was altered (its bytes are not as written)"
    return Head(seq, mac)


def newest(session: Session) -> Head | None:
    row = session.execute(
        select(AuditEvent.seq, AuditEvent.mac).order_by(AuditEvent.seq.desc()).limit(1)
    ).first()
    return None if row is None else Head(row.seq, row.mac)


@dataclass
class ChainReport:
    ok: bool
    events: int
    head_seq: int | None
    problems: list[dict[str, Any]] = field(default_factory=list)
    head_behind_by: int = 0
    #: Problems about audit.head itself (as opposed to rows of the chain).
    head_problems: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "events": self.events,
            "head_seq": self.head_seq,
            "head_behind_by": self.head_behind_by,
            "problems": self.problems,
        }


class KeyWalk(Protocol):
    """For a chain whose MAC key changes along the way (a clinic's key versions): the key
    each event must be MACed with, in order."""

    def key(self, ev: AuditEvent) -> bytes | None:
        """The key of ``ev`` (None: this reader cannot check it)."""
        ...

    def unavailable(self, ev: AuditEvent) -> str: ...

    def mismatch(self, ev: AuditEvent, mac_of: Callable[[bytes], str]) -> str:
        """The problem to report for an event whose MAC does not match its key."""
        ...

    def accepted(self, ev: AuditEvent) -> str | None:
        """``ev`` authenticated: move on (a problem to report, or None)."""
        ...


def _check_mac(ev: Any, key: bytes | KeyWalk) -> str | None:
    """None when the event's MAC holds, else the problem (``ev``: a stored row, read
    through Core, with the columns of :class:`AuditEvent`)."""

    def mac_of(k: bytes) -> str:
        return _event_mac(k, ev.prev_mac, _row_fields(ev))

    if isinstance(key, bytes):
        ok = hmac.compare_digest(ev.mac, mac_of(key))
        return None if ok else "event was altered (MAC mismatch)"
    found = key.key(ev)
    if found is None:
        return key.unavailable(ev)
    if not hmac.compare_digest(ev.mac, mac_of(found)):
        return key.mismatch(ev, mac_of)
    return key.accepted(ev)


def verify_chain(session: Session, key: bytes | KeyWalk, head: Head | str) -> ChainReport:
    """Recompute every MAC in order and compare the newest with ``audit.head``. ``key``: the
    audit key, or a :class:`KeyWalk` naming each event's key (a clinic store's versions)."""
    problems: list[dict[str, Any]] = []
    prev = GENESIS_MAC
    expected_seq = 1
    macs: dict[int, str] = {}
    count = 0
    # Core rows, not ORM objects: on a clinic store the loaded objects hold opened details
    # (clinic/auditseal.py) while the MACs cover what was stored.
    stored = select(*(AuditEvent.__table__.c[c] for c in _STORED)).order_by(AuditEvent.seq)
    for ev in session.execute(stored):
        count += 1
        if ev.seq != expected_seq:
            problems.append({"seq": expected_seq, "problem": f"event {expected_seq} is missing"})
            expected_seq = ev.seq
        if ev.prev_mac != prev:
            problems.append({"seq": ev.seq, "problem": "link to the previous event is broken"})
        problem = _check_mac(ev, key)
        if problem is not None:
            problems.append({"seq": ev.seq, "problem": problem})
        if ev.action == TAMPER_ACTION:
            recorded = json.loads(ev.details).get("problems", [])
            for found in recorded:
                problems.append(
                    {
                        "seq": ev.seq,
                        "problem": f"found when the vault was opened at {ev.at}: {found}",
                    }
                )
        macs[ev.seq] = ev.mac
        prev = ev.mac
        expected_seq += 1
    last_seq = expected_seq - 1
    behind = 0
    head_seq: int | None = None
    head_problems: list[str] = []
    if isinstance(head, str):
        head_problems.append(head)
    else:
        head_seq = head.seq
        if head.seq > last_seq:
            head_problems.append(
                f"the newest {head.seq - last_seq} event(s) recorded in audit.head "
                "are missing from the database (deleted or rolled back)"
            )
        elif head.seq > 0 and macs.get(head.seq) != head.mac:
            head_problems.append(f"event {head.seq} differs from the one audit.head records")
        else:
            behind = last_seq - head.seq
    problems.extend({"seq": None, "problem": p} for p in head_problems)
    return ChainReport(not problems, count, head_seq, problems, behind, head_problems)
