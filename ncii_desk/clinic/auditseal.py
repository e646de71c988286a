"""Audit events sealed on the client of a clinic store (issue 19: the server never sees
case text or who worked a case by name).

Writing (:func:`seal_event`, called by ``ClinicStore.audit`` / ``audit_many`` on a sealing
store, before the chain MAC is computed, so the chain still verifies with the clinic audit
key alone):

* The event's case is found without asking the caller: ``details["case_id"]`` when it
  names one, else the case the event's object belongs to (the object is a case, or an
  item, capture, match, request, recheck or reference face of one: one SQL lookup by id).
  Events of no case, and events of a case this member holds no key for (a case just
  deleted), are sealed with the clinic field key (:func:`clinic_cipher`).
* ``details`` becomes the envelope ``{"case_id": <id>, "key": "case"|"clinic",
  "sealed": <token>}`` (``case_id`` left out for events of no case). Ids are readable on the
  server by design, and keeping the case id in clear lets the activity list still find a
  case's events in SQL.
* ``actor`` is sealed with the same key unless it is the member id of whoever opened the
  store (an id, like every other id on the server).
* Two kinds of event keep their details in clear, because they carry no case text and are
  read back while the keys themselves are being written: the signed case membership
  records (``case.membership``: ids, roles and key fingerprints, also in
  ``case_membership``) and ``audit.tamper_detected``.

Reading: an ORM load of an :class:`AuditEvent` or :class:`ImportedAuditEvent` on a sealing
session opens ``details`` and ``actor`` in place (the listeners below), so every reader
(activity list, packet event list, custody, ``audit`` CLI, hand-over export) gets the
opened values without change. A value the member cannot open (not on that case) reads as
:data:`SEALED_MARK` (details ``{"sealed": SEALED_MARK}``), never an error. The chain check
(:func:`ncii_desk.vault.audit.verify_chain`) reads the stored columns through Core, so it
MACs what was stored.

Imported history (``imported_audit_events`` of a handed-over case) is sealed with the
receiving case's key at the import call site (:func:`imported_row`).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from sqlalchemy import event, select, union_all
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from ncii_desk.clinic.sealing import Sealer, sealer_of
from ncii_desk.errors import NciiDeskError
from ncii_desk.vault.audit import TAMPER_ACTION
from ncii_desk.vault.fields import FieldCipher, FieldUnreadable, is_token
from ncii_desk.vault.keys import canonical_json, hkdf
from ncii_desk.vault.members import CaseKey
from ncii_desk.vault.models import (
    AuditEvent,
    Capture,
    Case,
    EvidenceItem,
    FaceReference,
    ImportedAuditEvent,
    Match,
    Recheck,
    RemovalRequest,
)
from ncii_desk.vault.store import AuditEventSpec

#: What a reader who cannot open a sealed detail or actor sees.
SEALED_MARK = "(sealed: not a member of this case)"
#: Pseudo case id of the clinic field key's :class:`CaseKey` (AAD of its tokens).
CLINIC_SCOPE = "clinic"
#: Events whose details stay in clear (see the module docstring).
CLEAR_DETAILS = frozenset({"case.membership", TAMPER_ACTION})
_CLINIC_INFO = b"ncii-desk/v1/clinic-fields"
_ENVELOPE_KEYS = frozenset({"case_id", "key", "sealed"})


def clinic_cipher(clinic_id: str, data_keys: Mapping[int, bytes]) -> FieldCipher:
    """The field cipher of values that belong to no case (events of no case, clinic-wide
    tables): a sub-key of each clinic data key version held (version -> key), domain-separated
    from every other use. Values sealed under an older version still open; new ones are
    sealed under the newest (after a member's removal, one they never held)."""
    salt = uuid.UUID(clinic_id).bytes
    return FieldCipher(
        [
            CaseKey(clinic_id, CLINIC_SCOPE, version, hkdf(key, _CLINIC_INFO, salt))
            for version, key in sorted(data_keys.items())
        ]
    )


#: The AAD row id of a sealed actor (see :func:`seal_event`).
ACTOR_ROW = "actor"


def _row_id(action: str, object_id: str | None) -> str:
    # The AAD row id: the event's clear columns known before its sequence number is.
    return f"{action}|{object_id or ''}"


def case_of_event(
    session: Session, object_id: str | None, details: Mapping[str, Any]
) -> str | None:
    """The case an event belongs to: named in its details, or owning its object."""
    named = details.get("case_id")
    if isinstance(named, str) and named:
        return named
    if not object_id:
        return None
    return owning_cases(session, [object_id]).get(object_id)


def owning_cases(session: Session, object_ids: Iterable[str]) -> dict[str, str]:
    """Object id -> the case owning it (a case, or an item, capture, match, request,
    re-check or face reference of one), for many objects in one statement."""
    ids = sorted({i for i in object_ids if i})
    if not ids:
        return {}
    owners: Any = union_all(
        select(Case.id.label("object_id"), Case.id.label("case_id")).where(Case.id.in_(ids)),
        *(
            select(model.id.label("object_id"), model.case_id.label("case_id")).where(
                model.id.in_(ids)
            )
            for model in (EvidenceItem, Capture, Match, RemovalRequest, Recheck, FaceReference)
        ),
    ).subquery()
    found: dict[str, str] = {}
    for object_id, case_id in session.execute(select(owners.c.object_id, owners.c.case_id)):
        if case_id is not None:
            found.setdefault(str(object_id), str(case_id))
    return found


class _Keys:
    """Picks the cipher of one event (case key when the member holds it, else clinic)."""

    def __init__(self, sealer: Sealer, clinic: FieldCipher) -> None:
        self.sealer = sealer
        self.clinic = clinic

    def for_write(self, session: Session, case_id: str | None) -> tuple[FieldCipher, str]:
        if case_id is not None:
            try:
                opened = self.sealer.keys.open_case(session, case_id)
            except NciiDeskError:
                opened = None
            if opened is not None and opened.cipher is not None:
                return opened.cipher, "case"
        return self.clinic, "clinic"


def seal_event(
    session: Session,
    sealer: Sealer,
    clinic: FieldCipher,
    *,
    member_id: str | None,
    actor: str,
    action: str,
    object_id: str | None,
    details: dict[str, Any] | None,
    owners: dict[str, str] | None = None,
    actor_tokens: dict[tuple[str, str | None], str] | None = None,
) -> tuple[str, dict[str, Any]]:
    """(actor, details) as a sealing clinic store stores them (see the module docstring).
    ``owners``: the owning case of object ids already looked up (:func:`owning_cases`);
    ``actor_tokens``: the sealed actor per key already made in this batch (reused, so
    events of one case in a batch share one stored actor and are chained in one run)."""
    keys = _Keys(sealer, clinic)
    plain = details or {}
    row_id = _row_id(action, object_id)
    tokens = {} if actor_tokens is None else actor_tokens

    def sealed_actor(cipher: FieldCipher, key: tuple[str, str | None]) -> str:
        # Bound to the table and column, not the event: the chain MAC covers the stored
        # actor, so a token moved to another event breaks the chain.
        if not actor or actor == member_id:
            return actor
        if key not in tokens:
            tokens[key] = cipher.encrypt("audit_events", "actor", ACTOR_ROW, actor)
        return tokens[key]

    if action in CLEAR_DETAILS:
        return sealed_actor(clinic, ("clinic", None)), plain
    named = plain.get("case_id")
    if owners is not None and not (isinstance(named, str) and named):
        case_id = owners.get(object_id) if object_id else None
    else:
        case_id = case_of_event(session, object_id, plain)
    cipher, which = keys.for_write(session, case_id)
    envelope: dict[str, Any] = {
        "key": which,
        "sealed": cipher.encrypt_json("audit_events", "details", row_id, plain),
    }
    if case_id is not None:
        envelope["case_id"] = case_id
    return sealed_actor(cipher, (which, case_id)), envelope


def seal_events(
    session: Session,
    sealer: Sealer,
    clinic: FieldCipher,
    *,
    member_id: str | None,
    actor: str,
    events: Iterable[tuple[str, str | None, dict[str, Any]]],
) -> list[tuple[str, tuple[str, str | None, dict[str, Any]]]]:
    """:func:`seal_event` of each (action, object id, details): (actor, sealed event). The
    owning cases of events whose details name none are looked up in one statement."""
    events = list(events)
    owners = owning_cases(
        session,
        [
            o
            for _a, o, d in events
            if o and not (isinstance((d or {}).get("case_id"), str) and (d or {}).get("case_id"))
        ],
    )
    out = []
    actor_tokens: dict[tuple[str, str | None], str] = {}
    for action, object_id, details in events:
        who, sealed = seal_event(
            session,
            sealer,
            clinic,
            member_id=member_id,
            actor=actor,
            action=action,
            object_id=object_id,
            details=details,
            owners=owners,
            actor_tokens=actor_tokens,
        )
        out.append((who, (action, object_id, sealed)))
    return out


class SealingStore(Protocol):
    """What :func:`sealed_event` needs of the clinic store (no import of the store module)."""

    actor: str
    member_id: str | None
    sealer: Sealer

    @property
    def sealing(self) -> bool: ...


def _clinic_of(store: SealingStore) -> FieldCipher:
    cipher = store.sealer.clinic_fields
    if cipher is None:
        raise NciiDeskError("The clinic store is closed.")
    return cipher


def sealed_event(
    store: SealingStore,
    session: Session,
    action: str,
    object_id: str | None,
    details: dict[str, Any] | None,
) -> tuple[str, dict[str, Any] | None]:
    """The (actor, details) ``store`` writes for one event: sealed on a sealing store."""
    if not store.sealing:
        return store.actor, details
    return seal_event(
        session,
        store.sealer,
        _clinic_of(store),
        member_id=store.member_id,
        actor=store.actor,
        action=action,
        object_id=object_id,
        details=details,
    )


def sealed_batches(
    store: SealingStore, session: Session, events: list[AuditEventSpec]
) -> list[tuple[str, list[AuditEventSpec]]]:
    """(actor, events) runs to chain in order: all of ``events`` under the store's actor;
    on a sealing store, consecutive events with the same stored actor (the member id, in
    clear) form one run, and an actor sealed as a name (a token per event) a run of one."""
    if not store.sealing:
        return [(store.actor, events)]
    runs: list[tuple[str, list[AuditEventSpec]]] = []
    for who, sealed in seal_events(
        session,
        store.sealer,
        _clinic_of(store),
        member_id=store.member_id,
        actor=store.actor,
        events=events,
    ):
        if runs and runs[-1][0] == who:
            runs[-1][1].append(sealed)
        else:
            runs.append((who, [sealed]))
    return runs


# --- opening ------------------------------------------------------------------------------


def _envelope(text: str) -> dict[str, Any] | None:
    if not text.startswith("{"):
        return None
    try:
        doc = json.loads(text)
    except ValueError:
        return None
    if (
        isinstance(doc, dict)
        and set(doc) <= _ENVELOPE_KEYS
        and isinstance(doc.get("sealed"), str)
        and is_token(doc["sealed"])
    ):
        return doc
    return None


def _cipher_to_open(
    session: Session, sealer: Sealer, case_id: str | None, which: str
) -> FieldCipher | None:
    if which == "clinic" or case_id is None:
        return sealer.clinic_fields
    try:
        return sealer.keys.open_case(session, case_id).cipher
    except NciiDeskError:
        return None


def open_event_values(
    session: Session,
    sealer: Sealer,
    *,
    table: str,
    row_id: str,
    actor: str,
    details: str,
    case_id: str | None = None,
) -> tuple[str, str]:
    """The stored (actor, details text) of an event opened; :data:`SEALED_MARK` where the
    member holds no key for it. ``case_id``: the imported events' own case (their details
    are one token, not an envelope)."""
    if case_id is not None:  # imported history: sealed with its case's key
        cipher = _cipher_to_open(session, sealer, case_id, "case")
        opened_details = _open_text(sealer, cipher, table, "details", row_id, details)
    else:
        env = _envelope(details)
        if env is None and not is_token(actor):
            return actor, details
        which = "clinic" if env is None else str(env.get("key", "case"))
        case = None if env is None else env.get("case_id")
        cipher = _cipher_to_open(session, sealer, case if isinstance(case, str) else None, which)
        if env is None:
            opened_details = details
        else:
            opened_details = _open_text(sealer, cipher, table, "details", row_id, env["sealed"])
            if opened_details == SEALED_MARK:
                opened_details = canonical_json({"sealed": SEALED_MARK}).decode()
    opened_actor = actor
    if is_token(actor):
        actor_row = row_id if case_id is not None else ACTOR_ROW  # imported: per row
        opened_actor = _open_text(sealer, cipher, table, "actor", actor_row, actor)
    return opened_actor, opened_details


def _open_text(
    sealer: Sealer, cipher: FieldCipher | None, table: str, column: str, row_id: str, token: str
) -> str:
    if not is_token(token):
        return token
    if cipher is None:
        return SEALED_MARK
    try:
        # (encrypt_json stored canonical JSON text: it is the details column's text.)
        return cipher.decrypt(table, column, row_id, token)
    except FieldUnreadable as exc:
        sealer.report(exc)
        return SEALED_MARK


def _imported_row_id(import_id: str, seq: int) -> str:
    return f"{import_id}|{seq}"


def imported_row(session: Session, case_id: str, values: dict[str, Any]) -> dict[str, Any]:
    """The columns of a new :class:`ImportedAuditEvent` with actor and details sealed under
    the receiving case's key on a sealing clinic store (unchanged elsewhere)."""
    sealer = sealer_of(session)
    if sealer is None:
        return values
    cipher = sealer.keys.cipher_for_write(session, case_id)
    row_id = _imported_row_id(str(values["import_id"]), int(values["seq"]))
    out = dict(values)
    for column in ("actor", "details"):
        value = values.get(column)
        if value is not None:
            out[column] = cipher.encrypt("imported_audit_events", column, row_id, str(value))
    return out


def _open_loaded(target: Any, session: Session | None) -> None:
    sealer = None if session is None else sealer_of(session)
    if sealer is None or session is None:
        return
    state = target.__dict__
    actor, details = state.get("actor"), state.get("details")
    if not isinstance(actor, str) or not isinstance(details, str):
        return
    if isinstance(target, ImportedAuditEvent):
        opened = open_event_values(
            session,
            sealer,
            table="imported_audit_events",
            row_id=_imported_row_id(str(target.import_id), int(target.seq)),
            actor=actor,
            details=details,
            case_id=str(target.case_id),
        )
    else:
        opened = open_event_values(
            session,
            sealer,
            table="audit_events",
            row_id=_row_id(str(target.action), target.object_id),
            actor=actor,
            details=details,
        )
    set_committed_value(target, "actor", opened[0])
    set_committed_value(target, "details", opened[1])


def opened_after_write(store: SealingStore, ev: AuditEvent, details: dict[str, Any] | None) -> None:
    """The just-written event object, in this session's identity map, back to plaintext."""
    if not store.sealing:
        return
    set_committed_value(ev, "actor", store.actor)
    set_committed_value(ev, "details", canonical_json(details or {}).decode())


def _on_load(target: Any, context: Any) -> None:
    _open_loaded(target, getattr(context, "session", None))


def _on_refresh(target: Any, context: Any, _attrs: Any) -> None:
    _open_loaded(target, getattr(context, "session", None))


for _model in (AuditEvent, ImportedAuditEvent):
    event.listen(_model, "load", _on_load)
    event.listen(_model, "refresh", _on_refresh)
