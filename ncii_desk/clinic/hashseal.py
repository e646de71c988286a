"""Hash values sealed on a clinic store that does not allow server-side matching.

A file hash (SHA-256, MD5) in clear lets whoever holds the clinic database confirm that a
known picture is in the clinic; a perceptual hash (PDQ, pHash) lets them search for it. A
clinic made with ``clinic-server init`` keeps them sealed unless it was made with
``--allow-server-matching`` (the choice is in the clinic record; a record without it, made
before the choice existed, allows it).

Unlike the other sealed columns (:mod:`.sealing`, a random nonce per write), a hash value is
sealed deterministically: the same value in the same scope, table and column always gives
the same token, so the services' SQL equality lookups (duplicate detection at intake, a
list's exact-hash entries, the hash-list clash check) still work when the value looked for
is sealed the same way (:func:`probes`). Different scopes or columns give unrelated tokens.

Token (ASCII, fits the TEXT columns of migration 0011)::

    nh1.<scope>.<key version>.<base64url(AES-SIV(value))>

* scope: the case id for a case's values (``items.sha256``/``md5``, ``hashes.value``,
  ``rechecks.content_sha256``, ``blobs.sha256`` of a case's blob), sealed with a key derived
  from that version of the case key; ``clinic`` for the clinic-wide tables (hash lists,
  their entries, the match banks, blobs of no case), with a key derived from the clinic key.
  The scope names nothing the server does not already see (a row's case id, or the
  ``items`` row its ``hashes`` row points to).
* AES-SIV (RFC 5297, 512-bit key) with associated data binding clinic, scope, table,
  column and key version: a token relabelled with another scope, column or version is
  refused. Equal values within one scope and column stay equal (that is what makes the
  lookups work, and what the server can still see), and the token's length shows the
  value's length (the hash kind is in clear next to it anyway).
* A lookup across key versions seals the value under every version the member holds
  (``IN (...)``), so values written before a case key rotation are still found.

Only a session of a member-opened store (:attr:`ClinicStore.sealing`) whose clinic does
not allow server matching gets a :class:`HashSealer`; everywhere else (a laptop vault, the
raw-key store of tools and tests, a clinic that allows matching) every function here passes
values through unchanged.
"""

from __future__ import annotations

import base64
import binascii
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESSIV
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import get_history, set_committed_value

from ncii_desk.clinic.casekeys import CaseKeys
from ncii_desk.errors import NciiDeskError
from ncii_desk.vault.fields import FieldCipher, FieldUnreadable
from ncii_desk.vault.keys import canonical_json
from ncii_desk.vault.models import (
    BankEntry,
    Base,
    Blob,
    Case,
    EvidenceItem,
    HashList,
    HashListEntry,
    HashRecord,
    Recheck,
)

PREFIX = "nh1"
#: The scope of the clinic-wide values.
CLINIC_SCOPE = "clinic"
_KEY_LABEL = b"ncii-desk/v1/hash-seal|"
_AD_LABEL = b"ncii-desk/v1/hash-seal-ad|"
#: session.info key of the session's hash sealer.
HASH_INFO = "ncii_hash_sealer"
_PLAIN_INFO = "ncii_hash_sealer_plain"
_ITEM_CASES_INFO = "ncii_hash_item_cases"
#: session.info key of the cases whose keys did not open, already reported in the session
#: (shared with .sealing: a listing reports such a case once, not once per value).
TOLD_INFO = "ncii_sealer_told"

#: The hash columns sealed, by table.
HASH_COLUMNS: Mapping[str, tuple[str, ...]] = {
    "items": ("sha256", "md5"),
    "hashes": ("value",),
    "blobs": ("sha256",),
    "rechecks": ("content_sha256",),
    "hash_lists": ("sha256",),
    "hash_list_entries": ("value", "variant", "original"),
    "match_bank": ("suspect_value", "target_value"),
}
#: Tables whose values are the clinic's, not a case's.
CLINIC_TABLES = frozenset({"hash_lists", "hash_list_entries", "match_bank"})
HASH_MODELS: tuple[type[Base], ...] = (
    EvidenceItem,
    HashRecord,
    Blob,
    Recheck,
    HashList,
    HashListEntry,
    BankEntry,
)

_B64U = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def _b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64u(text: str) -> bytes:
    if not text or any(ch not in _B64U for ch in text):
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def is_hash_token(value: object) -> bool:
    """Whether a stored value looks like a sealed hash value."""
    if not isinstance(value, str) or not value.startswith(PREFIX + "."):
        return False
    parts = value.split(".")
    return len(parts) == 4 and parts[2].isascii() and parts[2].isdigit() and bool(parts[3])


def clinic_hash_keys(clinic_id: str, keys: Mapping[int, bytes]) -> dict[int, bytes]:
    """Version -> the 512-bit hash-sealing key derived from that version of the clinic key."""
    return {
        version: HKDF(
            hashes.SHA256(), 64, None, _KEY_LABEL + canonical_json([clinic_id, "clinic", version])
        ).derive(key)
        for version, key in keys.items()
    }


class HashCipher:
    """Seals and opens the hash values of one scope (a case, or the clinic)."""

    def __init__(self, clinic_id: str, scope: str, keys: Mapping[int, bytes]) -> None:
        if not keys:
            raise ValueError("no key")
        self.clinic_id = clinic_id
        self.scope = scope
        self._siv = {version: AESSIV(key) for version, key in keys.items()}
        self.write_version = max(self._siv)

    def _ad(self, table: str, column: str, version: int) -> bytes:
        return _AD_LABEL + canonical_json([self.clinic_id, self.scope, table, column, version])

    def seal(self, table: str, column: str, value: str, version: int | None = None) -> str:
        version = self.write_version if version is None else version
        sealed = self._siv[version].encrypt(
            value.encode("utf-8"), [self._ad(table, column, version)]
        )
        return f"{PREFIX}.{self.scope}.{version}.{_b64u(sealed)}"

    def probes(self, table: str, column: str, value: str) -> list[str]:
        """``value`` sealed under every key version held (for ``IN (...)``)."""
        return [self.seal(table, column, value, v) for v in sorted(self._siv)]

    def open(self, table: str, column: str, token: str) -> str:
        """The value of ``token``; :class:`FieldUnreadable` when it is not one of this
        scope's tokens for this column, or was altered."""
        where = f"{table}.{column}"

        def fail(message: str, hint: str) -> FieldUnreadable:
            return FieldUnreadable(message, table=table, column=column, row_id="", hint=hint)

        parts = token.split(".")
        try:
            if len(parts) != 4 or parts[0] != PREFIX or parts[1] != self.scope:
                raise ValueError("layout")
            if not (parts[2].isascii() and parts[2].isdigit()):
                raise ValueError("version")
            version = int(parts[2])
            blob = _unb64u(parts[3])
        except (ValueError, binascii.Error):
            raise fail(
                f"A stored value of {where} is not a sealed hash value of this case (it was "
                "written in clear, cut off, damaged or moved from another case).",
                "Tell the clinic's administrator which value it is.",
            ) from None
        siv = self._siv.get(version)
        if siv is None:
            raise fail(
                f"A stored value of {where} was sealed with version {version} of a key you "
                "do not hold.",
                "Ask a supervising attorney on the case to add you to it again so that you "
                "receive all of its keys.",
            )
        try:
            return siv.decrypt(blob, [self._ad(table, column, version)]).decode("utf-8")
        except (InvalidTag, ValueError, UnicodeDecodeError):
            raise fail(
                f"A stored value of {where} failed its integrity check: it was changed, or "
                "copied from another column or key version.",
                "Nothing was changed. Tell the clinic's administrator which value failed so "
                "it can be restored from a backup.",
            ) from None


class HashSealer:
    """The hash sealing of one member-opened clinic store (shared by its sessions)."""

    def __init__(
        self,
        store: Any,
        keys: CaseKeys,
        problem: Callable[[NciiDeskError], None],
    ) -> None:
        self.store = store
        self.keys = keys
        self._problem = problem
        self._clinic: HashCipher | None = None
        self._cases: weakref.WeakKeyDictionary[FieldCipher, HashCipher] = (
            weakref.WeakKeyDictionary()
        )

    @property
    def active(self) -> bool:
        return bool(getattr(self.store, "hash_sealing", False))

    def install(self, session: Session) -> None:
        if not self.active:
            return
        session.info[HASH_INFO] = self
        event.listen(session, "before_flush", _before_flush)
        event.listen(session, "after_flush_postexec", _after_flush)

    # keys ---------------------------------------------------------------------------------

    def clinic_cipher(self) -> HashCipher:
        if self._clinic is None:
            clinic_id = str(self.store.vault_id)
            keys = clinic_hash_keys(clinic_id, clinic_key_versions(self.store))
            self._clinic = HashCipher(clinic_id, CLINIC_SCOPE, keys)
        return self._clinic

    def forget_clinic(self) -> None:
        """The clinic key versions changed (a rotation): build the clinic cipher again."""
        self._clinic = None

    def case_cipher(self, session: Session, case_id: str, *, write: bool) -> HashCipher | None:
        """The case's hash cipher (None: the member is not on the case; writing refuses)."""
        if write:
            cipher = self.keys.cipher_for_write(session, case_id)
        else:
            opened = self.keys.open_case(session, case_id)
            if opened.cipher is None:
                return None
            cipher = opened.cipher
        found = self._cases.get(cipher)
        if found is None:
            found = HashCipher(cipher.clinic_id, case_id, cipher.derived_keys(_KEY_LABEL))
            self._cases[cipher] = found
        return found

    def cipher(self, session: Session, scope: str, *, write: bool) -> HashCipher | None:
        if scope == CLINIC_SCOPE:
            return self.clinic_cipher()
        return self.case_cipher(session, scope, write=write)

    # values -------------------------------------------------------------------------------

    def seal(self, session: Session, table: str, column: str, scope: str, value: str) -> str:
        cipher = self.cipher(session, scope, write=True)
        assert cipher is not None  # writing to a case the member is not on raised
        return cipher.seal(table, column, value)

    def open(
        self, session: Session, table: str, column: str, token: str, scope: str | None = None
    ) -> str:
        """The value of a stored token ('' when it does not open: the problem is kept in
        the sealer's problems, without the value). ``scope``: the scope the row says the
        token must be of (a case's row)."""
        parts = token.split(".")
        token_scope = parts[1] if len(parts) == 4 else ""
        try:
            if scope is not None and token_scope != scope:
                raise FieldUnreadable(
                    f"A stored value of {table}.{column} was sealed for another case than "
                    "its row's (it was moved there in the database).",
                    table=table,
                    column=column,
                    row_id="",
                    hint="Tell the clinic's administrator which value it is.",
                )
            try:
                cipher = self.cipher(session, token_scope, write=False) if token_scope else None
            except NciiDeskError as exc:
                told: set[str] = session.info.setdefault(TOLD_INFO, set())
                if token_scope not in told:
                    told.add(token_scope)
                    self._problem(exc)
                return ""
            if cipher is None:
                return ""  # a case the member is not on: its values stay closed
            return cipher.open(table, column, token)
        except FieldUnreadable as exc:
            self._problem(exc)
            return ""

    def member_cases(self, session: Session) -> list[str]:
        """Ids of the cases whose keys this member holds (for a lookup over all cases)."""
        out = []
        for case_id in session.scalars(select(Case.id).order_by(Case.id)):
            try:
                if self.case_cipher(session, case_id, write=False) is not None:
                    out.append(case_id)
            except NciiDeskError:
                continue
        return out

    def probes(
        self,
        session: Session,
        table: str,
        column: str,
        values: Iterable[str],
        case_id: str | None = None,
    ) -> list[str]:
        values = list(values)
        if table in CLINIC_TABLES:
            scopes = [CLINIC_SCOPE]
        else:
            scopes = [case_id] if case_id is not None else self.member_cases(session)
            if table == "blobs":  # a blob of no case is under the clinic key
                scopes.insert(0, CLINIC_SCOPE)
        out: list[str] = []
        for scope in scopes:
            cipher = self.cipher(session, scope, write=False)
            if cipher is None:
                continue
            for value in values:
                out += cipher.probes(table, column, value)
        return out

    def scope_of(self, session: Session, table: str, values: Mapping[str, Any]) -> str:
        """The scope a row of ``table`` is sealed in."""
        if table in CLINIC_TABLES:
            return CLINIC_SCOPE
        if table == "hashes":
            return self.case_of_item(session, str(values.get("item_id")))
        case_id = values.get("case_id")
        if case_id is None:
            if table == "blobs":
                return CLINIC_SCOPE
            raise NciiDeskError(f"A {table} row to be stored names no case.")
        return str(case_id)

    def case_of_item(self, session: Session, item_id: str) -> str:
        cache: dict[str, str] = session.info.setdefault(_ITEM_CASES_INFO, {})
        found = cache.get(item_id)
        if found is None:
            for obj in session.new:
                if isinstance(obj, EvidenceItem) and obj.id == item_id:
                    found = obj.case_id or (obj.case.id if obj.case is not None else None)
            if found is None:
                with session.no_autoflush:
                    found = session.scalar(
                        select(EvidenceItem.case_id).where(EvidenceItem.id == item_id)
                    )
            if found is None:
                raise NciiDeskError(f"The hashes to be stored name an unknown item {item_id}.")
            cache[item_id] = found
        return found

    def note_item_cases(self, session: Session, cases: Mapping[str, str]) -> None:
        """Remember item id -> case id pairs the caller has just read (no query)."""
        cache: dict[str, str] = session.info.setdefault(_ITEM_CASES_INFO, {})
        cache.update(cases)

    def learn_item_cases(self, session: Session, item_ids: Iterable[str]) -> None:
        """Look up the cases of many items in a few queries (before sealing their hashes)."""
        cache: dict[str, str] = session.info.setdefault(_ITEM_CASES_INFO, {})
        wanted = sorted({i for i in item_ids if i not in cache})
        for start in range(0, len(wanted), 500):
            part = wanted[start : start + 500]
            with session.no_autoflush:
                for item_id, case_id in session.execute(
                    select(EvidenceItem.id, EvidenceItem.case_id).where(EvidenceItem.id.in_(part))
                ):
                    cache[item_id] = case_id

    def seal_values(
        self, session: Session, table: str, values: Mapping[str, Any]
    ) -> dict[str, Any]:
        """``values`` with the table's hash columns present sealed (NULL stays NULL)."""
        cols = [c for c in HASH_COLUMNS.get(table, ()) if values.get(c) not in (None, "")]
        out = dict(values)
        if not cols:
            return out
        scope = self.scope_of(session, table, values)
        for column in cols:
            value = values[column]
            if not is_hash_token(value):
                out[column] = self.seal(session, table, column, scope, str(value))
        return out

    def open_values(
        self, session: Session, table: str, values: Mapping[str, Any]
    ) -> dict[str, Any]:
        out = dict(values)
        expect = None
        if table in ("items", "rechecks"):
            expect = None if values.get("case_id") is None else str(values["case_id"])
        for column in HASH_COLUMNS.get(table, ()):
            value = values.get(column)
            if is_hash_token(value):
                out[column] = self.open(session, table, column, str(value), expect)
        return out


def clinic_key_versions(store: Any) -> dict[int, bytes]:
    """Version -> the clinic data key of that version, for the clinic-wide hash values.
    Today a clinic has one key version (1); a store that keeps several exposes them as
    ``clinic_key_versions()`` and every one of them is used for lookups."""
    versions = getattr(store, "clinic_key_versions", None)
    if callable(versions):
        return dict(versions())
    return {1: store.clinic_data_key()}


# --- what the services call --------------------------------------------------------------


def hash_sealer_of(session: Session) -> HashSealer | None:
    found = session.info.get(HASH_INFO)
    return found if isinstance(found, HashSealer) else None


def probes(
    session: Session,
    table: str,
    column: str,
    values: Iterable[str],
    case_id: str | None = None,
) -> list[str]:
    """What to compare ``table.column`` with (``IN (...)``) to find rows holding one of
    ``values``: the values themselves on a store that keeps them in clear; else each
    sealed under every key version held, in the case ``case_id`` (None: every case the
    member is on) or the clinic's scope for the clinic-wide tables."""
    sealer = hash_sealer_of(session)
    if sealer is None:
        return list(values)
    return sealer.probes(session, table, column, values, case_id)


def opened(session: Session, table: str, column: str, value: Any) -> Any:
    """A hash column's value as read through Core: opened when sealed."""
    sealer = hash_sealer_of(session)
    if sealer is None or not is_hash_token(value):
        return value
    return sealer.open(session, table, column, str(value))


def seal_rows(
    session: Session, table: str, rows: Sequence[Mapping[str, Any]]
) -> Sequence[Mapping[str, Any]]:
    """Rows for a Core insert into ``table`` with their hash columns sealed (unchanged where
    nothing is sealed)."""
    sealer = hash_sealer_of(session)
    if sealer is None or table not in HASH_COLUMNS or not rows:
        return rows
    if table == "hashes":
        sealer.learn_item_cases(session, (str(r["item_id"]) for r in rows))
    return [sealer.seal_values(session, table, r) for r in rows]


def seal_tuples(
    session: Session, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> Iterable[Sequence[Any]]:
    """The rows of a bulk insert (``CaseStore.bulk_insert``) with the hash columns sealed,
    streamed (each row sealed as it is written)."""
    sealer = hash_sealer_of(session)
    if sealer is None or table not in HASH_COLUMNS:
        return rows
    return _sealed_tuples(session, sealer, table, list(columns), rows)


def _sealed_tuples(
    session: Session,
    sealer: HashSealer,
    table: str,
    columns: list[str],
    rows: Iterable[Sequence[Any]],
) -> Iterator[Sequence[Any]]:
    for row in rows:
        values = dict(zip(columns, row, strict=True))
        sealed = sealer.seal_values(session, table, values)
        yield tuple(sealed[c] for c in columns)


def open_row(session: Session, table: str, values: Mapping[str, Any]) -> dict[str, Any]:
    """A row read through Core with its hash columns opened (unchanged elsewhere)."""
    sealer = hash_sealer_of(session)
    if sealer is None or table not in HASH_COLUMNS:
        return dict(values)
    return sealer.open_values(session, table, values)


# --- ORM events ---------------------------------------------------------------------------


def _before_flush(session: Session, _ctx: Any, _instances: Any) -> None:
    sealer = hash_sealer_of(session)
    if sealer is None:
        return
    plain: list[tuple[Any, str, Any]] = session.info.setdefault(_PLAIN_INFO, [])
    with session.no_autoflush:
        for obj in [o for o in session.new if isinstance(o, HASH_MODELS)]:
            table = obj.__tablename__
            if isinstance(obj, HashRecord) and not obj.item_id and obj.item is not None:
                obj.item_id = obj.item.id
            state = inspect(obj)
            values = {c: state.dict.get(c) for c in HASH_COLUMNS[table]}
            _seal_object(session, sealer, obj, values, plain)
        for obj in list(session.dirty):
            if not isinstance(obj, HASH_MODELS) or not session.is_modified(obj):
                continue
            table = obj.__tablename__
            changed = [c for c in HASH_COLUMNS[table] if get_history(obj, c).has_changes()]
            if changed:
                _seal_object(session, sealer, obj, {c: getattr(obj, c) for c in changed}, plain)


def _seal_object(
    session: Session,
    sealer: HashSealer,
    obj: Any,
    values: dict[str, Any],
    plain: list[tuple[Any, str, Any]],
) -> None:
    table = obj.__tablename__
    values = {c: v for c, v in values.items() if v not in (None, "") and not is_hash_token(v)}
    if not values:
        return
    context = {
        "case_id": getattr(obj, "case_id", None),
        "item_id": getattr(obj, "item_id", None),
    }
    if table in ("items", "rechecks") and context["case_id"] is None:
        case = getattr(obj, "case", None)
        context["case_id"] = None if case is None else case.id
    sealed = sealer.seal_values(session, table, context | values)
    for column, value in values.items():
        plain.append((obj, column, value))
        setattr(obj, column, sealed[column])


def _after_flush(session: Session, _ctx: Any) -> None:
    plain: list[tuple[Any, str, Any]] = session.info.pop(_PLAIN_INFO, [])
    for obj, column, value in plain:
        set_committed_value(obj, column, value)


def _on_load(target: Any, context: Any) -> None:
    _on_refresh(target, context, None)


def _on_refresh(target: Any, context: Any, attrs: Iterable[str] | None) -> None:
    session = getattr(context, "session", None)
    sealer = None if session is None else hash_sealer_of(session)
    if session is None or sealer is None:
        return
    table = target.__tablename__
    loaded = inspect(target).dict
    fresh = None if attrs is None else set(attrs)
    values = {
        c: loaded[c]
        for c in HASH_COLUMNS[table]
        if c in loaded and (fresh is None or c in fresh) and is_hash_token(loaded[c])
    }
    if not values:
        return
    if table in ("items", "rechecks"):
        values["case_id"] = loaded.get("case_id")
    opened_values = sealer.open_values(session, table, values)
    for column in HASH_COLUMNS[table]:
        if column in values:
            set_committed_value(target, column, opened_values[column])


for _model in HASH_MODELS:
    event.listen(_model, "load", _on_load)
    event.listen(_model, "refresh", _on_refresh)
