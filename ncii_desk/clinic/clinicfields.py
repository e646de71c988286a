"""Names in the clinic-wide tables sealed with the clinic field key (issue 19).

Hash lists, model validations and the match bank belong to no case, yet they name who
imported, measured or reviewed (``operator``, ``reviewer``) and what a list is called
(``hash_lists.name``, which often names a case or a person). On a sealing clinic store the
columns of :data:`~ncii_desk.vault.fields.CLINIC_SENSITIVE_COLUMNS` are sealed before a flush
with the clinic field cipher (:func:`ncii_desk.clinic.auditseal.clinic_cipher`: a sub-key of
the clinic data key, so every admitted member reads them and the server does not) and
opened when a row is loaded. The token's associated data binds the table, column and row id
(``match_bank`` rows get their integer id from the database, so theirs bind table and
column only).

A hash list entry's ``label`` (often the name of the person a picture shows) is sealed the
same way, also on the bulk path (:func:`seal_tuples`, the clinic store's ``COPY``), where
an empty label stays empty; entries get their integer id from the database, so their
tokens bind table and column only.

``model_validations.record`` (a JSON document that repeats the operator's name) is sealed
whole, as one token.

A value stored in clear before this (a clinic made before session 7) still reads as it is.
A token that does not open reads as an empty text, reported through the sealer's
``problems`` like every other sealed value.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import get_history, set_committed_value

from ncii_desk.clinic.sealing import sealer_of
from ncii_desk.vault.fields import (
    CLINIC_SENSITIVE_COLUMNS,
    CLINIC_SENSITIVE_JSON_COLUMNS,
    FieldCipher,
    FieldUnreadable,
    is_token,
)
from ncii_desk.vault.models import (
    BankEntry,
    Base,
    HashList,
    HashListEntry,
    ModelValidation,
    new_id,
)

CLINIC_MODELS: tuple[type[Base], ...] = (HashList, ModelValidation, BankEntry, HashListEntry)
#: Models whose integer id the database gives on insert: their tokens bind table and
#: column only (the id is not known before the insert).
_DATABASE_IDS: tuple[type[Base], ...] = (BankEntry, HashListEntry)
_PLAIN_INFO = "ncii_clinicfields_plain"


def _columns(table: str) -> tuple[str, ...]:
    return CLINIC_SENSITIVE_COLUMNS.get(table, ()) + CLINIC_SENSITIVE_JSON_COLUMNS.get(table, ())


def _is_json(table: str, column: str) -> bool:
    return column in CLINIC_SENSITIVE_JSON_COLUMNS.get(table, ())


def _row_id(obj: Any) -> str:
    return "" if isinstance(obj, _DATABASE_IDS) else str(obj.id)


def _cipher(session: Session) -> FieldCipher | None:
    sealer = sealer_of(session)
    return None if sealer is None else sealer.clinic_fields


def install(session: Session) -> None:
    """Seal the clinic-wide names of ``session`` (a sealing clinic store's session)."""
    event.listen(session, "before_flush", _before_flush)
    event.listen(session, "after_flush_postexec", _after_flush)


def _before_flush(session: Session, _ctx: Any, _instances: Any) -> None:
    cipher = _cipher(session)
    if cipher is None:
        return
    plain: list[tuple[Any, str, str]] = session.info.setdefault(_PLAIN_INFO, [])
    with session.no_autoflush:
        for obj in list(session.new):
            if not isinstance(obj, CLINIC_MODELS):
                continue
            state = inspect(obj)
            if not isinstance(obj, _DATABASE_IDS) and state.dict.get("id") is None:
                row: Any = obj  # the id is needed before the insert (it is in the AAD)
                row.id = new_id()
            columns = _columns(obj.__tablename__)
            _seal(cipher, obj, [c for c in columns if c in state.dict], plain)
        for obj in list(session.dirty):
            if not isinstance(obj, CLINIC_MODELS) or not session.is_modified(obj):
                continue
            columns = _columns(obj.__tablename__)
            _seal(cipher, obj, [c for c in columns if get_history(obj, c).has_changes()], plain)


def _seal(cipher: FieldCipher, obj: Any, columns: Iterable[str], plain: list[Any]) -> None:
    table = obj.__tablename__
    for column in columns:
        value = getattr(obj, column)
        if value is None:
            continue
        plain.append((obj, column, value))
        if _is_json(table, column):
            sealed = cipher.encrypt_json(table, column, _row_id(obj), value)
        else:
            sealed = cipher.encrypt(table, column, _row_id(obj), str(value))
        setattr(obj, column, sealed)


def _after_flush(session: Session, _ctx: Any) -> None:
    for obj, column, value in session.info.pop(_PLAIN_INFO, []):
        set_committed_value(obj, column, value)


def seal_tuples(
    session: Session, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> Iterable[Sequence[Any]]:
    """The rows of a bulk insert (``CaseStore.bulk_insert``, COPY) with the table's clinic
    text columns sealed, streamed; an empty text stays empty (it says nothing, and a list
    of a million unlabelled entries costs no encryption). Only for tables whose ids the
    database gives (their tokens bind table and column)."""
    cipher = _cipher(session)
    wanted = [
        k for k, column in enumerate(columns) if column in CLINIC_SENSITIVE_COLUMNS.get(table, ())
    ]
    if cipher is None or not wanted:
        return rows
    return _sealed_tuples(cipher, table, list(columns), wanted, rows)


def _sealed_tuples(
    cipher: FieldCipher,
    table: str,
    columns: list[str],
    wanted: list[int],
    rows: Iterable[Sequence[Any]],
) -> Iterator[Sequence[Any]]:
    for row in rows:
        out = list(row)
        for k in wanted:
            if out[k]:
                out[k] = cipher.encrypt(table, columns[k], "", str(out[k]))
        yield out


def open_value(session: Session, table: str, column: str, row_id: str, stored: Any) -> Any:
    """One stored value of a clinic-wide table as its member reads it (for Core reads)."""
    cipher = _cipher(session)
    if cipher is None or not isinstance(stored, str) or not is_token(stored):
        return stored
    try:
        if _is_json(table, column):
            return cipher.decrypt_json(table, column, row_id, stored)
        return cipher.decrypt(table, column, row_id, stored)
    except FieldUnreadable as exc:
        sealer = sealer_of(session)
        if sealer is not None:
            sealer.report(exc)
        return {} if _is_json(table, column) else ""


def _open_loaded(target: Any, context: Any, attrs: Iterable[str] | None) -> None:
    session = getattr(context, "session", None)
    if session is None or _cipher(session) is None:
        return
    table = target.__tablename__
    loaded = target.__dict__
    wanted = None if attrs is None else set(attrs)
    for column in _columns(table):
        if column in loaded and (wanted is None or column in wanted):
            opened = open_value(session, table, column, _row_id(target), loaded[column])
            set_committed_value(target, column, opened)


def _on_load(target: Any, context: Any) -> None:
    _open_loaded(target, context, None)


def _on_refresh(target: Any, context: Any, attrs: Iterable[str] | None) -> None:
    _open_loaded(target, context, attrs)


for _model in CLINIC_MODELS:
    event.listen(_model, "load", _on_load)
    event.listen(_model, "refresh", _on_refresh)
