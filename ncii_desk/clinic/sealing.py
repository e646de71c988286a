"""Sensitive columns sealed with the case key on a clinic store, transparently to services.

The clinic store installs a :class:`Sealer` on each of its sessions (read and write):

* before a flush, every column of :data:`fields.SENSITIVE_COLUMNS` and
  :data:`fields.SENSITIVE_JSON_COLUMNS` of new rows, and those changed in dirty rows, is
  replaced by its token (:class:`~ncii_desk.vault.fields.FieldCipher`, the case's newest key
  version; the associated data binds clinic, case, table, column, row id and key version).
  A new row gets its id on the client first. Defaults that the insert would fill in are
  computed here, so nothing sensitive is ever written in clear. After the flush the objects
  hold their plaintext again (as committed values, nothing left dirty).
* when a row is loaded (``load``/``refresh`` instance events), its tokens are opened.
* a new ``cases`` row gets its key and first membership record (:mod:`.casekeys`) in the
  same flush.

An ``analyses`` row names its item, not its case: its case is the item's (read once per
item and session, or taken from the session's new items).

Core statements bypass the ORM, so the services that write or read those tables through
Core go through :func:`insert_rows` and :func:`open_rows`; on a laptop vault (no sealer on
the session) both do exactly what the plain statement did.

A value that does not open comes back as None (a JSON column as an empty document) with a
:class:`~ncii_desk.vault.fields.FieldUnreadable` naming table, column and row, kept in the
sealer's :attr:`Sealer.problems` and logged without the value; the rest of the row and of a
listing still opens. Rows of a case the member is not on open the same way, with the case's
label shown as :data:`NO_ACCESS`; writing to such a case is refused with ``NotPermitted``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Table, event, insert, inspect
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import get_history, set_committed_value

from ncii_desk.clinic.casekeys import CaseKeys, KeyedStore, OpenCase
from ncii_desk.clinic.hashseal import TOLD_INFO, HashSealer, open_row, seal_rows
from ncii_desk.errors import NciiDeskError
from ncii_desk.vault.fields import (
    SENSITIVE_COLUMNS,
    SENSITIVE_JSON_COLUMNS,
    FieldCipher,
    FieldUnreadable,
)
from ncii_desk.vault.members import CaseKeyRefused, MemberKeyCorrupt, MembershipInvalid
from ncii_desk.vault.models import (
    Analysis,
    Base,
    Capture,
    Case,
    EvidenceItem,
    FaceReference,
    Match,
    Recheck,
    RemovalRequest,
    new_id,
)

log = logging.getLogger(__name__)

#: What a case list shows as the label of a case the member is not on.
NO_ACCESS = "(no access)"
#: session.info key of the session's sealer.
SEALER_INFO = "ncii_sealer"
_PLAIN_INFO = "ncii_sealer_plain"
_TOLD_INFO = TOLD_INFO

SEALED_MODELS: tuple[type[Base], ...] = (
    Case,
    EvidenceItem,
    Capture,
    Match,
    RemovalRequest,
    Recheck,
    FaceReference,
    Analysis,
)
_TABLES = {m.__tablename__: m for m in SEALED_MODELS}


def _columns(table: str) -> tuple[tuple[str, bool], ...]:
    """(column, is JSON) of a table's sealed columns."""
    return tuple((c, False) for c in SENSITIVE_COLUMNS.get(table, ())) + tuple(
        (c, True) for c in SENSITIVE_JSON_COLUMNS.get(table, ())
    )


def _json_empty(table: str, column: str) -> Any:
    model = _TABLES[table]
    col = model.__table__.c[column]
    if col.nullable:
        return None
    return [] if "list" in str(model.__annotations__.get(column, "")) else {}


#: Sealed tables whose rows name an item, not a case: the case is the item's.
_BY_ITEM = frozenset({"analyses"})


def _case_of(table: str, values: Mapping[str, Any]) -> str | None:
    return values.get("id") if table == "cases" else values.get("case_id")


def _row_keys(obj: Any) -> tuple[str, ...]:
    """The columns that name a row and its case (or item)."""
    return ("id", "item_id") if obj.__tablename__ in _BY_ITEM else ("id", "case_id")


class Sealer:
    """Seals and opens one clinic store's sensitive columns for its member."""

    def __init__(self, store: KeyedStore) -> None:
        self.store = store
        self.keys = CaseKeys(store)
        self._lock = threading.Lock()
        #: Values that did not open, newest last (table, column, row named; no value).
        self.problems: list[NciiDeskError] = []
        #: The clinic field cipher (values of no case; set by the store, :mod:`.auditseal`).
        self.clinic_fields: FieldCipher | None = None
        #: More session hooks of modules that build on this one (the store adds
        #: :func:`.clinicfields.install`).
        self.also_install: list[Callable[[Session], None]] = []
        #: Hash values sealed deterministically (:mod:`.hashseal`), when the clinic does
        #: not allow server-side matching.
        self.hashes = HashSealer(store, self.keys, self._problem)

    def case_of(self, session: Session, table: str, values: Mapping[str, Any]) -> str | None:
        """The case of a row (through its item for :data:`_BY_ITEM` tables); None when
        the row names none."""
        if table not in _BY_ITEM:
            return _case_of(table, values)
        item_id = values.get("item_id")
        if item_id is None:
            return None
        return self.hashes.case_of_item(session, str(item_id))

    def install(self, session: Session) -> None:
        session.info[SEALER_INFO] = self
        event.listen(session, "before_flush", _before_flush)
        event.listen(session, "after_flush_postexec", _after_flush)
        for also in self.also_install:
            also(session)
        self.hashes.install(session)

    # opening -----------------------------------------------------------------------------

    def _opened(self, session: Session, case_id: str | None) -> OpenCase | NciiDeskError:
        if case_id is None:
            return NciiDeskError("The row names no case.")
        try:
            return self.keys.open_case(session, case_id)
        except (MembershipInvalid, CaseKeyRefused, MemberKeyCorrupt, NciiDeskError) as exc:
            return exc

    def report(self, exc: NciiDeskError) -> None:
        """Keep and log (without the value) a value that did not open."""
        self._problem(exc)

    def _problem(self, exc: NciiDeskError) -> None:
        log.warning("sealed value not opened: %s", exc.message)
        with self._lock:
            self.problems.append(exc)
            del self.problems[:-1000]

    def open_values(
        self, session: Session, table: str, row_id: str, values: dict[str, Any]
    ) -> dict[str, Any]:
        """``values`` (a row's stored columns, any subset) with the sealed ones opened."""
        cols = [(c, j) for c, j in _columns(table) if c in values]
        if not cols:
            return values
        try:
            case_id = self.case_of(session, table, values)
        except NciiDeskError:
            case_id = None
        opened = self._opened(session, case_id)
        out = dict(values)
        for column, is_json in cols:
            stored = values[column]
            if stored is None:
                continue
            if isinstance(opened, NciiDeskError) or opened.cipher is None:
                out[column] = _json_empty(table, column) if is_json else None
                if table == "cases" and column == "label":
                    out[column] = NO_ACCESS
                continue
            try:
                if not isinstance(stored, str):
                    raise FieldUnreadable(
                        f"The stored value of {table}.{column} of row {row_id} is not an "
                        "encrypted value (it was written in clear).",
                        table=table,
                        column=column,
                        row_id=row_id,
                        hint="Tell the clinic's administrator which value it is.",
                    )
                if is_json:
                    out[column] = opened.cipher.decrypt_json(table, column, row_id, stored)
                else:
                    out[column] = opened.cipher.decrypt(table, column, row_id, stored)
            except FieldUnreadable as exc:
                out[column] = _json_empty(table, column) if is_json else None
                self._problem(exc)
        if isinstance(opened, NciiDeskError):
            # Once per case and session: a listing of a case whose keys do not open
            # reports the case, not each of its rows.
            told: set[str] = session.info.setdefault(_TOLD_INFO, set())
            key = str(case_id)
            if key not in told:
                told.add(key)
                self._problem(opened)
        return out

    def open_instance(self, obj: Any, session: Session, only: Iterable[str] | None = None) -> None:
        """Open the sealed columns just loaded into ``obj`` (``only``: the attributes a
        refresh loaded; the others already hold plaintext)."""
        table = obj.__tablename__
        state = inspect(obj)
        loaded = state.dict
        fresh = None if only is None else set(only)
        values = {
            c: loaded[c]
            for c, _ in _columns(table)
            if c in loaded and (fresh is None or c in fresh)
        }
        if not values:
            return
        for key in _row_keys(obj):
            values[key] = loaded.get(key)
        opened = self.open_values(session, table, str(loaded.get("id")), values)
        for column in [c for c, _ in _columns(table) if c in values]:
            set_committed_value(obj, column, opened[column])

    # sealing -----------------------------------------------------------------------------

    def seal_values(
        self, session: Session, table: str, row_id: str, values: dict[str, Any]
    ) -> dict[str, Any]:
        """``values`` with every sealed column present encrypted (NULL stays NULL)."""
        cols = [(c, j) for c, j in _columns(table) if c in values]
        if not cols:
            return values
        case_id = self.case_of(session, table, values)
        if case_id is None:
            raise NciiDeskError(f"A {table} row to be stored names no case.")
        cipher = self.keys.cipher_for_write(session, case_id)
        out = dict(values)
        for column, is_json in cols:
            value = values[column]
            if value is None:
                continue
            out[column] = (
                cipher.encrypt_json(table, column, row_id, value)
                if is_json
                else cipher.encrypt(table, column, row_id, value)
            )
        return out


# --- session events -----------------------------------------------------------------------


def _default_of(model: type[Base], column: str) -> Any:
    default = model.__table__.c[column].default
    if default is None:
        return None
    if default.is_callable:
        return default.arg(None)
    return default.arg


def _before_flush(session: Session, _ctx: Any, _instances: Any) -> None:
    sealer: Sealer = session.info[SEALER_INFO]
    plain: list[tuple[Any, str, Any]] = session.info.setdefault(_PLAIN_INFO, [])
    with session.no_autoflush:
        new: list[Any] = [o for o in session.new if isinstance(o, SEALED_MODELS)]
        for obj in new:
            if obj.id is None:
                obj.id = new_id()
            if isinstance(obj, Case):
                sealer.keys.create(session, obj.id)
        for obj in new:
            table = obj.__tablename__
            if table not in _BY_ITEM and table != "cases" and getattr(obj, "case_id", None) is None:
                case = getattr(obj, "case", None)
                if case is not None:
                    obj.case_id = case.id
            state = inspect(obj)
            values: dict[str, Any] = {k: getattr(obj, k, None) for k in _row_keys(obj)}
            for column, _ in _columns(table):
                value = state.dict.get(column)
                if column not in state.dict:
                    value = _default_of(type(obj), column)
                values[column] = value
            _seal_object(session, sealer, obj, values, plain)
        dirty: list[Any] = list(session.dirty)
        for obj in dirty:
            if not isinstance(obj, SEALED_MODELS) or not session.is_modified(obj):
                continue
            table = obj.__tablename__
            changed = [c for c, _ in _columns(table) if get_history(obj, c).has_changes()]
            if not changed:
                continue
            values = {c: getattr(obj, c) for c in changed}
            values |= {k: getattr(obj, k, None) for k in _row_keys(obj)}
            _seal_object(session, sealer, obj, values, plain)


def _seal_object(
    session: Session, sealer: Sealer, obj: Any, values: dict[str, Any], plain: list[Any]
) -> None:
    table = obj.__tablename__
    sealed = sealer.seal_values(session, table, str(obj.id), values)
    for column, _ in _columns(table):
        if column in values and values[column] is not None:
            plain.append((obj, column, values[column]))
            setattr(obj, column, sealed[column])


def _after_flush(session: Session, _ctx: Any) -> None:
    plain: list[tuple[Any, str, Any]] = session.info.pop(_PLAIN_INFO, [])
    for obj, column, value in plain:
        set_committed_value(obj, column, value)


def _on_load(target: Any, context: Any) -> None:
    _on_refresh(target, context, None)


def _on_refresh(target: Any, context: Any, attrs: Iterable[str] | None) -> None:
    session = getattr(context, "session", None)
    sealer = None if session is None else session.info.get(SEALER_INFO)
    if sealer is not None:
        sealer.open_instance(target, session, attrs)


for _model in SEALED_MODELS:
    event.listen(_model, "load", _on_load)
    event.listen(_model, "refresh", _on_refresh)


# --- Core statements ----------------------------------------------------------------------


def sealer_of(session: Session) -> Sealer | None:
    sealer = session.info.get(SEALER_INFO)
    return sealer if isinstance(sealer, Sealer) else None


def insert_rows(session: Session, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """``INSERT`` of ``rows`` (one executemany), their sealed columns encrypted on a clinic
    store; a new ``cases`` row gets its case key and first membership record there too."""
    if not rows:
        return
    sealer = sealer_of(session)
    rows = seal_rows(session, table.name, rows)
    if sealer is None or table.name not in _TABLES:
        session.execute(insert(table), list(rows))
        return
    out: list[dict[str, Any]] = []
    with session.no_autoflush:
        if table.name in _BY_ITEM:  # the items' cases in a few reads, not one per row
            sealer.hashes.learn_item_cases(session, (str(r["item_id"]) for r in rows))
        for row in rows:
            values = dict(row)
            if values.get("id") is None:
                values["id"] = new_id()
            if table.name == "cases":
                sealer.keys.create(session, str(values["id"]))
            for column, _ in _columns(table.name):
                if column not in values:
                    values[column] = _default_of(_TABLES[table.name], column)
            out.append(sealer.seal_values(session, table.name, str(values["id"]), values))
        # Core inserts do not flush: the case rows go in before the key rows that
        # create() added to the session and that refer to them.
        session.execute(insert(table), out)
    if table.name == "cases":
        session.flush()


def note_item_cases(session: Session, cases: Mapping[str, str]) -> None:
    """Tell the session's sealer the cases of items the caller has just read, so sealing
    rows that name those items (analyses) reads nothing more; nothing on a laptop vault."""
    sealer = sealer_of(session)
    if sealer is not None:
        sealer.hashes.note_item_cases(session, cases)


def learn_item_cases(session: Session, item_ids: Iterable[str]) -> None:
    """Read the cases of many items in a few queries before loading rows that name them
    (analyses), instead of one query per item while they open; nothing on a laptop vault."""
    sealer = sealer_of(session)
    if sealer is not None:
        sealer.hashes.learn_item_cases(session, item_ids)


def open_rows(
    session: Session, table: str, rows: Iterable[Mapping[Any, Any]]
) -> list[dict[str, Any]]:
    """Rows read through Core (mappings with ``id`` and ``case_id``, ``id`` for cases,
    ``id`` and ``item_id`` for analyses)
    with their sealed columns opened; unchanged on a laptop vault."""
    sealer = sealer_of(session)
    if sealer is None:
        return [dict(r) for r in rows]
    return [
        open_row(session, table, sealer.open_values(session, table, str(r.get("id")), dict(r)))
        for r in rows
    ]
