"""A clinic's shared case store: metadata on PostgreSQL, ciphertext blobs on shared storage.

The :class:`~ncii_desk.vault.store.CaseStore` for several advocates working the same cases.
The same ORM models and the same Alembic revisions as a laptop vault (the revisions branch
on the dialect where SQLite and PostgreSQL differ); every PostgreSQL-specific statement of
the application is in this module.

Writers. Every write transaction first takes one transaction-scoped advisory lock
(``pg_advisory_xact_lock``), the equivalent of SQLite's ``BEGIN IMMEDIATE``: one writer at
a time over the whole store, readers never wait (they read a REPEATABLE READ snapshot).
Chosen over SERIALIZABLE because a service's transaction also writes blob files and cannot
simply be replayed after a serialisation failure.

Audit chain. One chain per store, as in a laptop vault (the ``audit_events`` rows and their
MACs are identical). Its head (newest sequence number and MAC, MACed with the audit key) is
a row of ``settings`` (:data:`HEAD_KEY`); a transaction that adds events moves the head
with a compare-and-swap (``UPDATE ... WHERE seq = <seen> AND mac = <seen>``) in the same
transaction, and fails with :class:`AuditChainMoved` if anything else moved it first. The
sequence number is the table's primary key, so two writers can never both append event
``n``: the chain cannot fork. A process killed mid-transaction leaves nothing (PostgreSQL
rolls it back and releases its lock).

Keys. The server stores ciphertext blobs and never receives a key. The client opens the
store with the clinic's 256-bit data key; its sub-keys (blob, audit, export) are derived
exactly as a vault's, salted with the clinic id. A member opens it with
:meth:`ClinicStore.open_member`: their key record unlocks, and the data key is unwrapped from
their row of the member directory (:mod:`ncii_desk.clinic.members`).
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import re
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import exc as sa_exc
from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from ncii_desk.clinic import auditseal, clinicfields, clinickeys
from ncii_desk.clinic.caseblobs import CaseBlobs, check_blobs
from ncii_desk.clinic.clinickeys import CLINIC_KEY_CASE as CLINIC_KEY_CASE
from ncii_desk.clinic.clinickeys import DROPPED_KEY as DROPPED_KEY
from ncii_desk.clinic.clinickeys import HEAD_KEY as HEAD_KEY
from ncii_desk.clinic.clinickeys import ClinicKeyring
from ncii_desk.clinic.clinickeys import unwrap_clinic_key as unwrap_clinic_key
from ncii_desk.clinic.clinickeys import wrap_clinic_key as wrap_clinic_key
from ncii_desk.clinic.errors import AuditChainMoved as AuditChainMoved
from ncii_desk.clinic.errors import ClinicError as ClinicError
from ncii_desk.clinic.errors import ClinicRolledBack as ClinicRolledBack
from ncii_desk.clinic.errors import MemberKeyUnusable as MemberKeyUnusable
from ncii_desk.clinic.errors import MemberPending as MemberPending
from ncii_desk.clinic.errors import MemberRemoved as MemberRemoved
from ncii_desk.clinic.errors import MemberUnknown as MemberUnknown
from ncii_desk.clinic.errors import NotCaseMember as NotCaseMember
from ncii_desk.clinic.errors import ValueRefused as ValueRefused
from ncii_desk.clinic.errors import server_refused
from ncii_desk.clinic.sealing import Sealer
from ncii_desk.errors import (
    MigrationError,
    MissingPackage,
    VaultError,
    VaultLocked,
)
from ncii_desk.hardening import make_private_dir, write_private_bytes
from ncii_desk.vault import audit as audit_chain
from ncii_desk.vault.blobs import BlobInfo
from ncii_desk.vault.blobs import BlobStore as FolderBlobStore
from ncii_desk.vault.keys import DATA_KEY_BYTES, SubKeys, derive_subkeys, utc_now_iso
from ncii_desk.vault.members import (
    MemberKeyRecord,
    MemberKeys,
    Membership,
)
from ncii_desk.vault.models import AuditEvent, Blob, ClinicMember, Setting
from ncii_desk.vault.roles import MemberRole
from ncii_desk.vault.schema import current_revision, head_revision, known_revision, upgrade
from ncii_desk.vault.store import AuditEventSpec, BlobStore, blob_row, checked_columns, info_of

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from ncii_desk.vault.reports import IntegrityReport

#: settings row naming the clinic (written once by ``clinic-server init``).
CLINIC_KEY = "clinic.record"
#: File in the blob folder naming the clinic it belongs to (pairs folder and database).
CLINIC_ID_FILE = "clinic.id"
#: Key of the advisory lock every writer takes (a fixed 63-bit number of our own).
WRITER_LOCK = int.from_bytes(hashlib.sha256(b"ncii-desk/clinic/writer").digest()[:8]) >> 1
CLINIC_FORMAT = 1

_URL_SCHEMES = ("postgresql://", "postgres://", "postgresql+psycopg://")


def is_clinic_url(value: str) -> bool:
    """Whether ``value`` names a PostgreSQL clinic store rather than a vault folder."""
    return value.startswith(_URL_SCHEMES)


def engine_url(value: str) -> str:
    """``value`` as a SQLAlchemy URL over psycopg 3."""
    for scheme in _URL_SCHEMES:
        if value.startswith(scheme):
            return "postgresql+psycopg://" + value[len(scheme) :]
    raise ClinicError(
        "The clinic store address must start with postgresql://.",
        "Give it as postgresql://USER@HOST:PORT/DATABASE.",
    )


def shown_url(value: str) -> str:
    """The address without a password, for messages."""
    return re.sub(r"://([^:/@]+):[^@]*@", r"://\1:***@", value)


def make_engine(url: str) -> Engine:
    try:
        import psycopg  # noqa: F401  (the driver SQLAlchemy loads by name)
    except ImportError as exc:
        raise MissingPackage(
            "Clinic server mode needs the PostgreSQL driver psycopg, which is not installed.",
            "Install the clinic part: pip install 'ncii-desk[clinic]'.",
        ) from exc
    from sqlalchemy import create_engine

    return create_engine(engine_url(url), pool_pre_ping=True, pool_size=4, max_overflow=4)


@contextlib.contextmanager
def _reachable(url: str) -> Iterator[None]:
    """Turn 'cannot connect' driver errors into a ClinicError naming the address."""
    try:
        yield
    except sa_exc.OperationalError as exc:
        reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
        raise ClinicError(
            f"The clinic database at {shown_url(url)} could not be reached ({reason})."
        ) from exc
    except sa_exc.ProgrammingError as exc:
        if getattr(getattr(exc, "orig", None), "sqlstate", None) != "42501":
            raise  # not 'insufficient privilege': row-level security refused nothing
        reason = str(exc.orig).strip().splitlines()[0]
        raise server_refused(reason) from exc
    except sa_exc.DataError as exc:
        if "NUL" not in str(getattr(exc, "orig", exc)):
            raise
        raise ValueRefused(
            "The clinic server cannot store a value holding the invisible NUL character "
            "(U+0000); nothing of this change was saved."
        ) from exc


def lock_writers(session: Session) -> None:
    """Inside a write transaction: wait for, then hold until commit, the one writer lock."""
    session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": WRITER_LOCK})


# For the server-side tools (ncii_desk.clinic.ops): the same lock, tried or bounded.


def try_lock_writers(session: Session) -> bool:
    """Inside a transaction: take the writer lock if no client holds it; False if one does."""
    got = session.execute(text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": WRITER_LOCK})
    return bool(got.scalar_one())


def lock_writers_within(session: Session, wait: str) -> bool:
    """Inside a transaction: wait at most ``wait`` (a PostgreSQL interval such as ``30s``)
    for the writer lock; False when it did not come (the transaction is then unusable)."""
    if not re.fullmatch(r"\d+(ms|s)", wait):
        raise ValueError("wait is a number of ms or s")
    session.execute(text(f"SET LOCAL lock_timeout = '{wait}'"))
    try:
        lock_writers(session)
    except sa_exc.OperationalError as exc:
        if getattr(exc.orig, "sqlstate", None) == "55P03":  # lock_not_available
            return False
        raise
    return True


def other_connections(session: Session) -> int:
    """How many other sessions are connected to this database now."""
    return int(
        session.execute(
            text(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        ).scalar_one()
    )


@dataclass(frozen=True)
class ClinicRecord:
    clinic_id: str
    name: str
    created_at: str
    blobs_dir: str
    schema_revision: str
    #: Hash values kept in clear so the server could match them (``--allow-server-matching``;
    #: a record made before the choice existed has none and allows it). See .hashseal.
    server_matching: bool = True

    def as_dict(self) -> dict[str, Any]:
        return {
            "clinic_id": self.clinic_id,
            "name": self.name,
            "created_at": self.created_at,
            "blobs_dir": self.blobs_dir,
            "schema_revision": self.schema_revision,
            "server_matching": self.server_matching,
        }


def _record_of(value: Any, revision: str) -> ClinicRecord:
    return ClinicRecord(
        clinic_id=str(value["clinic_id"]),
        name=str(value["name"]),
        created_at=str(value["created_at"]),
        blobs_dir=str(value["blobs_dir"]),
        schema_revision=revision,
        server_matching=value.get("server_matching") is not False,
    )


def init_clinic(
    url: str, blobs_dir: Path, name: str, *, allow_server_matching: bool = False
) -> ClinicRecord:
    """Create the schema and the clinic record in an empty database, and the blob folder.
    Hash values are sealed on the clients unless ``allow_server_matching`` (.hashseal).

    Refuses a database that already holds tables (a clinic or anything else) and a blob
    folder that already belongs to another clinic; nothing is written then.
    """
    name = " ".join(name.split())
    if not name:
        raise ClinicError("The clinic needs a name.", "Give one with --name.")
    blobs_dir = blobs_dir.expanduser().resolve()
    id_file = blobs_dir / CLINIC_ID_FILE
    if id_file.exists():
        raise ClinicError(
            f"The blob folder {blobs_dir} already belongs to a clinic.",
            "Give an empty folder (or a new one) with --blobs.",
        )
    engine = make_engine(url)
    clinic_id = str(uuid.uuid4())
    try:
        with _reachable(url), Session(engine) as s, s.begin():
            lock_writers(s)
            conn = s.connection()
            tables = conn.execute(
                text(
                    "SELECT count(*) FROM information_schema.tables "
                    "WHERE table_schema = current_schema()"
                )
            ).scalar_one()
            if tables:
                raise ClinicError(
                    f"The database at {shown_url(url)} is not empty ({tables} table(s)); "
                    "a clinic store is created only in an empty database.",
                    "Create a new database for the clinic (createdb) and give its address.",
                )
            upgrade(conn)
            revision = head_revision()
            record = {
                "clinic_id": clinic_id,
                "name": name,
                "created_at": utc_now_iso(),
                "blobs_dir": str(blobs_dir),
                "format": CLINIC_FORMAT,
                "server_matching": allow_server_matching,
            }
            s.add(Setting(key=CLINIC_KEY, value=record))
            s.add(Setting(key=HEAD_KEY, value={"seq": 0, "mac": audit_chain.GENESIS_MAC}))
            s.add(Setting(key=DROPPED_KEY, value={"blob_ids": []}))
            s.flush()
            # The folder last but inside the transaction: a failure here leaves no record.
            make_private_dir(blobs_dir / "blobs", parents=True)
            write_private_bytes(id_file, (clinic_id + "\n").encode())
    finally:
        engine.dispose()
    return _record_of(record, revision)


def read_record(url: str) -> ClinicRecord:
    """The clinic record of the store at ``url`` (no key needed)."""
    engine = make_engine(url)
    try:
        with _reachable(url), Session(engine) as s:
            return _read_record(s, url)
    finally:
        engine.dispose()


def _read_record(s: Session, url: str) -> ClinicRecord:
    conn = s.connection()
    revision = current_revision(conn)
    row = s.get(Setting, CLINIC_KEY) if revision is not None else None
    if row is None or not isinstance(row.value, dict):
        raise ClinicError(
            f"The database at {shown_url(url)} is not a clinic store.",
            "Create one with 'ncii-desk clinic-server init --db ADDRESS --blobs FOLDER'.",
        )
    assert revision is not None
    return _record_of(row.value, revision)


def check_revision(record: ClinicRecord) -> None:
    """Refuse a store whose schema is not this version's."""
    if record.schema_revision != head_revision():
        newer = not known_revision(record.schema_revision)
        raise MigrationError(
            f"The clinic store has schema revision {record.schema_revision}; this "
            f"version of NCII Desk works with {head_revision()}.",
            "Install the newest version of NCII Desk."
            if newer
            else "Ask your clinic's administrator to run 'ncii-desk clinic-server "
            "upgrade --db ADDRESS' on the clinic server first.",
        )


def _head_mac(key: bytes, clinic_id: str, seq: int, mac: str, version: int = 1) -> str:
    bound = "" if version == 1 else f"|v{version}"  # version 1: as before versions existed
    msg = f"clinic-audit-head|{clinic_id}|{seq}|{mac}{bound}".encode()
    return hmac.new(key, msg, hashlib.sha256).hexdigest()


class ClinicStore:
    """An open clinic store: the PostgreSQL :class:`~ncii_desk.vault.store.CaseStore`."""

    def __init__(
        self,
        url: str,
        engine: Engine,
        record: ClinicRecord,
        blobs_dir: Path,
        data_key: bytes,
        actor: str,
        sealed: bool | None = None,
    ) -> None:
        self.url = url
        #: The member who opened the store (None: opened with the raw clinic data key).
        self.member: MemberKeys | None = None
        self.member_id: str | None = None
        self._sealed = sealed
        self.sealer = Sealer(self)
        self.sealer.also_install.append(clinicfields.install)
        self.record = record
        self.vault_id = record.clinic_id
        self.actor = actor
        self.engine = engine
        self._read_engine = engine.execution_options(isolation_level="REPEATABLE READ")
        self._keys: SubKeys | None = derive_subkeys(data_key, record.clinic_id)
        self._data_key: bytes | None = data_key
        self._ring = ClinicKeyring(record.clinic_id, {1: data_key}, 1)
        self._clinic_ciphers()
        self._blob_stores: dict[int, FolderBlobStore] = {}
        self._blobs_root = blobs_dir
        #: Called once by :meth:`close` while the store is still open (the services record
        #: the audit head this client last saw here).
        self.on_close: Callable[[ClinicStore], None] | None = None
        self._write_mutex = threading.RLock()
        self._blobs = clinickeys.ClinicBlobs(self, blobs_dir, self._keys.blob)
        #: The folder itself (paths and ciphertext only; each case's key is derived apart).
        self._blob_base = FolderBlobStore(blobs_dir, self._keys.blob)
        self._case_blobs = CaseBlobs(self, self._blob_base, self.sealer.keys.open_case)

    @classmethod
    def open(
        cls,
        url: str,
        data_key: bytes,
        *,
        blobs_dir: Path | None = None,
        actor: str = "",
        sealed: bool | None = None,
        ring: ClinicKeyring | None = None,
    ) -> ClinicStore:
        """Open the clinic store at ``url`` with the clinic's data key (any version of it:
        its check value names the version; ``ring``: the versions a member unwrapped).

        ``blobs_dir`` is the blob folder as this computer sees it (the path recorded by
        ``init`` when not given); it must be the folder made for this clinic.
        ``sealed``: sensitive columns sealed with case keys (:mod:`.sealing`); None = when a
        member is attached (:attr:`member`), False = never (raw-key tools and old tests).
        """
        if len(data_key) != DATA_KEY_BYTES:
            raise ValueError("a clinic data key is 32 bytes")
        engine = make_engine(url)
        try:
            with _reachable(url), Session(engine) as s:
                record = _read_record(s, url)
            check_revision(record)
            folder = (blobs_dir or Path(record.blobs_dir)).expanduser().resolve()
            try:
                owner = (folder / CLINIC_ID_FILE).read_text("ascii").strip()
            except (OSError, UnicodeDecodeError):
                owner = None
            if owner != record.clinic_id:
                raise ClinicError(
                    f"The blob folder {folder} is not the one made for this clinic "
                    f"({CLINIC_ID_FILE} is missing or names another clinic).",
                    "Give the clinic's blob folder as this computer sees it (--blobs).",
                )
            store = cls(url, engine, record, folder, data_key, actor, sealed)
            if ring is None:
                with store.session() as s:
                    chain = clinickeys.read_chain(s)
                ring = clinickeys.ring_for(chain, record.clinic_id, data_key, None)
            store.set_keyring(ring)
            store._finish_drops(store._dropped())
        except BaseException:
            engine.dispose()
            raise
        return store

    @classmethod
    def open_member(
        cls,
        url: str,
        member_id: str,
        passphrase: str | None = None,
        recovery_key: str | None = None,
        blobs_dir: Path | None = None,
        seen: tuple[int, str] | None = None,
        actor: str | None = None,
    ) -> ClinicStore:
        """Open the store as a member: unlock their key record with ``passphrase`` (or
        ``recovery_key``), unwrap the clinic data key, and refuse a store whose audit log
        is behind ``seen`` (the (seq, mac) this client saw last). See
        :func:`open_as_member`."""
        return open_as_member(
            url,
            member_id,
            passphrase=passphrase,
            recovery_key=recovery_key,
            blobs_dir=blobs_dir,
            seen=seen,
            actor=actor,
        )

    # state --------------------------------------------------------------------------------

    @property
    def blobs(self) -> clinickeys.ClinicBlobs:
        """Blobs of no case: written under the newest clinic key version."""
        return self._blobs

    @property
    def keyring(self) -> ClinicKeyring:
        """The clinic key versions held (:mod:`.clinickeys`); the newest writes."""
        self._require_keys()
        return self._ring

    def set_keyring(self, ring: ClinicKeyring) -> None:
        self._ring, self._data_key, self._keys = ring, ring.key(), ring.subkeys()
        self._clinic_ciphers()

    def _clinic_ciphers(self) -> None:
        """The ciphers of values of no case (audit details, clinic-wide names and hash
        values) over every clinic key version held; the newest seals."""
        self.sealer.clinic_fields = auditseal.clinic_cipher(self.record.clinic_id, self._ring.keys)
        self.sealer.hashes.forget_clinic()

    def clinic_key_versions(self) -> dict[int, bytes]:
        """Version -> clinic data key, for every version this client holds."""
        return dict(self.keyring.keys)

    def clinic_blobs(self, version: int | None) -> FolderBlobStore:
        """The blob folder keyed from clinic key ``version`` (None: version 1)."""
        found = self._blob_stores.get(version or 1)
        if found is None:
            key = self.keyring.blob_key(version)
            found = self._blob_stores[version or 1] = FolderBlobStore(self._blobs_root, key)
        return found

    @property
    def is_open(self) -> bool:
        return self._keys is not None

    def _require_keys(self) -> SubKeys:
        if self._keys is None:
            raise VaultLocked("The clinic store is closed.")
        return self._keys

    @property
    def sealing(self) -> bool:
        """Whether this store's sessions seal sensitive columns (:mod:`.sealing`)."""
        return self._sealed is not False and (self._sealed is True or self.member is not None)

    @property
    def hash_sealing(self) -> bool:
        """Whether hash values are sealed too (:mod:`.hashseal`): a member's store of a
        clinic that does not allow server-side matching."""
        return self.sealing and not self.record.server_matching

    @property
    def export_key(self) -> bytes:
        """Version 1's export sub-key: the clinic's hand-over address and packet signing
        identity do not change when the clinic key rotates (:mod:`.clinickeys`)."""
        return self.keyring.subkeys(1).export

    def clinic_data_key(self) -> bytes:
        """The clinic's data key (for wrapping it to a newly admitted member)."""
        self._require_keys()
        assert self._data_key is not None
        return self._data_key

    def close(self) -> None:
        if self._keys is None:
            return
        hook, self.on_close = self.on_close, None
        if hook is not None:
            with contextlib.suppress(VaultError, OSError):
                hook(self)
        with self._write_mutex:
            self.engine.dispose()
            self._keys = None
            self._data_key = None
            self._blob_stores.clear()
            self.member = None
            self._case_blobs.forget()

    def __enter__(self) -> ClinicStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # sessions -----------------------------------------------------------------------------

    @contextlib.contextmanager
    def session(self) -> Iterator[Session]:
        """A read session on one REPEATABLE READ snapshot; never writes."""
        self._require_keys()
        with _reachable(self.url), Session(self._read_engine, expire_on_commit=False) as s:
            if self.sealing:
                self.sealer.install(s)
            yield s

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Session]:
        """The one write path: the writer lock, then the caller's changes, then the audit
        head moved by compare-and-swap, all in one transaction."""
        self._require_keys()
        with self._write_mutex:
            with (
                _reachable(self.url),
                Session(self.engine, expire_on_commit=False) as s,
                s.begin(),
            ):
                lock_writers(s)
                clinickeys.refresh(self, s)  # never write under a replaced key version
                if self.sealing:
                    self.sealer.install(s)
                before = audit_chain.newest(s)
                yield s
                s.flush()
                after = audit_chain.newest(s)
                ring = clinickeys.session_ring(self, s)
                if after != before:
                    assert after is not None
                    self._swap_head(s, ring, before, after)
            if ring is not self._ring:
                self.set_keyring(ring)  # a rotation in this transaction committed
            dropped: set[str] = s.info.pop(_DROPPED_INFO, set())
            if dropped:
                self._finish_drops(dropped)

    def _swap_head(
        self,
        s: Session,
        ring: ClinicKeyring,
        before: audit_chain.Head | None,
        after: audit_chain.Head,
    ) -> None:
        seen_seq = 0 if before is None else before.seq
        seen_mac = audit_chain.GENESIS_MAC if before is None else before.mac
        version, key = ring.newest, ring.subkeys().audit
        new = {
            "seq": after.seq,
            "mac": after.mac,
            "head_mac": _head_mac(key, self.vault_id, after.seq, after.mac, version),
        } | ({"key_version": version} if version > 1 else {})
        moved = s.execute(
            update(Setting)
            .where(
                Setting.key == HEAD_KEY,
                Setting.value["seq"].as_integer() == seen_seq,
                Setting.value["mac"].as_string() == seen_mac,
            )
            .values(value=new)
            .execution_options(synchronize_session=False)
        )
        if getattr(moved, "rowcount", 0) != 1:
            raise AuditChainMoved(
                f"The clinic's audit log head is no longer event {seen_seq}, which this change "
                "was chained to: another writer changed the log without the writer lock."
            )

    # case membership and roles ------------------------------------------------------------

    def case_membership(self, case_id: str) -> Membership:
        """The case's membership as its signed records leave it, verified from the first
        record together with the key table (one verification shared with the case keys of
        :mod:`.sealing`, kept while no record is added); a reload must still hold the state
        verified before, here or in an earlier run (a server rolled back or forked is
        refused: MembershipInvalid). Needs a member (NoMember otherwise)."""
        with self.session() as s:
            return self.sealer.keys.open_case(s, case_id).membership

    def case_role(self, case_id: str) -> MemberRole | None:
        """The opened member's role on the case per its verified membership records; None
        when the store was opened with the raw clinic key (no member)."""
        member = self.member
        if member is None:
            return None
        with self.session() as s:
            opened = self.sealer.keys.open_case(s, case_id)
        entry = opened.membership.members.get(member.member_id)
        if entry is None or entry.ed25519 != member.public.signing_fingerprint:
            raise NotCaseMember("You are not a member of this case.")
        return entry.role

    # audit --------------------------------------------------------------------------------

    def audit(
        self,
        session: Session,
        action: str,
        object_id: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        actor, stored = auditseal.sealed_event(self, session, action, object_id, details)
        ev = audit_chain.append_event(
            session,
            self._audit_key(session),
            actor=actor,
            action=action,
            object_id=object_id,
            details=stored,
        )
        auditseal.opened_after_write(self, ev, details)

    def audit_many(self, session: Session, events: list[AuditEventSpec]) -> None:
        for actor, batch in auditseal.sealed_batches(self, session, events):
            audit_chain.append_events(session, self._audit_key(session), actor=actor, events=batch)

    def _audit_key(self, session: Session) -> bytes:
        self._require_keys()
        return clinickeys.session_ring(self, session).subkeys().audit

    def read_head(self, session: Session) -> audit_chain.Head | str:
        """The head row, or a plain-language reason why it cannot be trusted."""
        ring = clinickeys.refresh(self, session)
        row = session.get(Setting, HEAD_KEY)
        value = row.value if row is not None else None
        if not isinstance(value, dict):
            return "the audit head row is missing"
        try:
            seq, mac = int(value["seq"]), str(value["mac"])
            version = int(value.get("key_version", 1))
        except (KeyError, TypeError, ValueError):
            return "the audit head row cannot be read"
        if seq == 0 and mac == audit_chain.GENESIS_MAC and "head_mac" not in value:
            return audit_chain.Head(0, mac)  # as init wrote it: no event yet
        if version < ring.newest or not ring.has(version):
            return (
                f"the audit head row is authenticated with clinic key version {version}, "
                f"which version {ring.newest} replaced (written with a replaced key)"
            )
        expected = _head_mac(ring.subkeys(version).audit, self.vault_id, seq, mac, version)
        if not hmac.compare_digest(str(value.get("head_mac", "")), expected):
            return "the audit head row was altered (its authentication code does not match)"
        return audit_chain.Head(seq, mac)

    def verify_audit(self) -> audit_chain.ChainReport:
        with self.session() as s:
            head = self.read_head(s)
            walk = clinickeys.ChainWalk(self.keyring)
            report = audit_chain.verify_chain(s, walk, head)
        if walk.current != self.keyring.newest:
            report.problems.append({"seq": None, "problem": walk.behind(self.keyring.newest)})
            report.ok = False
        return report

    def check(
        self,
        progress: Callable[[int, int, str], None] | None = None,
        should_stop: Callable[[], bool] | None = None,
    ) -> IntegrityReport:
        """Every blob row's file authenticated, files without a row, the audit chain
        against the head row. (PostgreSQL checks its own pages and foreign keys.)"""
        from ncii_desk.vault.reports import IntegrityReport, Problem

        self._require_keys()
        report = IntegrityReport()
        with self.session() as s:
            clinickeys.refresh(self, s)  # the drop list is MACed with the newest version
            rows = list(s.scalars(select(Blob).order_by(Blob.id)))
            dropped = clinickeys.dropped_in(s, self.keyring)
        known = {r.id for r in rows}
        check_blobs(rows, self.blobs_of, self._blob_base, report, should_stop, progress)
        for blob_id in self._blobs.ids():
            if blob_id not in known and blob_id not in dropped:
                report.problems.append(
                    Problem(
                        self._blobs.relpath(blob_id),
                        None,
                        "file in the blob folder without a database record",
                    )
                )
        chain = self.verify_audit()
        report.audit_events = chain.events
        for problem in chain.problems:
            entry = None if problem["seq"] is None else f"seq {problem['seq']}"
            report.problems.append(Problem("audit_events", entry, problem["problem"]))
        return report

    # blobs --------------------------------------------------------------------------------

    def case_blobs(self, case_id: str | None, session: Session | None = None) -> BlobStore:
        """New blobs of ``case_id`` under its current key version (a member-opened store;
        raw-key tools and blobs of no case: the clinic key). See :mod:`.caseblobs`."""
        self._require_keys()
        if case_id is None or not (self.sealing and self.member is not None):
            return self._blobs  # the newest clinic key version (:mod:`.clinickeys`)
        return self._case_blobs.for_write(case_id, session)

    def _blob_store_for(self, case_id: str | None, key_version: int | None) -> FolderBlobStore:
        """The one resolver from a blob row's (case_id, key_version) to the store opening it."""
        self._require_keys()
        if case_id is None:
            return self.clinic_blobs(key_version)
        return self._case_blobs.for_read(case_id, key_version or 1)

    def blobs_of(self, row: Blob) -> FolderBlobStore:
        return self._blob_store_for(row.case_id, row.key_version)

    def store_blob(self, session: Session, info: BlobInfo) -> Blob:
        row = blob_row(info)
        if row.case_id is None:  # a blob of no case: the clinic key version it went under
            row.key_version = self._blobs.version_put(info.blob_id) or self.keyring.newest
        session.add(row)
        return row

    @staticmethod
    def blob_info(row: Blob) -> BlobInfo:
        return info_of(row)

    def read_blob(self, row: Blob) -> bytes:
        return self.blobs_of(row).read(row.id, self.blob_info(row))

    def drop_blob(self, session: Session, blob_id: str) -> None:
        """Inside :meth:`transaction`: delete a blob's row; its file goes once the
        transaction commits (listed in :data:`DROPPED_KEY` until then, so a crash in
        between is finished by the next open)."""
        session.flush()
        row = session.get(Blob, blob_id)
        if row is not None:
            session.delete(row)
            session.flush()
        setting = session.get(Setting, DROPPED_KEY)
        ring = clinickeys.session_ring(self, session)  # a rotation in this transaction
        value = clinickeys.drop_list(ring, clinickeys.dropped_in(session, ring) | {blob_id})
        if setting is None:
            session.add(Setting(key=DROPPED_KEY, value=value))
        else:
            setting.value = value
        session.info.setdefault(_DROPPED_INFO, set()).add(blob_id)

    def _dropped(self) -> set[str]:
        with self.session() as s:
            return clinickeys.dropped_in(s, self.keyring)

    def _finish_drops(self, blob_ids: set[str]) -> None:
        if not blob_ids:
            return
        done = set()
        for blob_id in blob_ids:
            try:
                self._blobs.delete(blob_id)
                done.add(blob_id)
            except OSError:
                pass  # still listed: retried on the next open
        if done:
            with Session(self.engine) as s, s.begin():
                lock_writers(s)
                clinickeys.refresh(self, s)
                setting = s.get(Setting, DROPPED_KEY)
                if setting is not None:
                    setting.value = clinickeys.drop_list(
                        self.keyring, clinickeys.dropped_in(s, self.keyring) - done
                    )

    # housekeeping -------------------------------------------------------------------------

    def checkpoint(self) -> None:
        """Nothing to do: PostgreSQL recycles its write-ahead log itself."""
        self._require_keys()

    def bulk_insert(
        self,
        session: Session,
        table: str,
        columns: Sequence[str],
        rows: Iterable[Sequence[Any]],
    ) -> int:
        """Inside :meth:`transaction`: many rows of ``table`` through ``COPY ... FROM
        STDIN`` on the transaction's own connection (rows stream; none is kept)."""
        from psycopg import sql

        from ncii_desk.clinic import clinicfields
        from ncii_desk.clinic.hashseal import seal_tuples

        self._require_keys()
        name, cols = checked_columns(table, columns)
        rows = seal_tuples(session, name, cols, rows)
        rows = clinicfields.seal_tuples(session, name, cols, rows)
        raw = session.connection().connection.driver_connection
        assert raw is not None  # a live psycopg connection inside the transaction
        statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(name), sql.SQL(", ").join(sql.Identifier(c) for c in cols)
        )
        count = 0
        with raw.cursor() as cur, cur.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
        return count

    @contextlib.contextmanager
    def bulk_import_tuning(self, session: Session) -> Iterator[None]:
        """PostgreSQL needs no per-connection setting for a bulk insert."""
        self._require_keys()
        yield


# --- the member directory's open path (ncii_desk.clinic.members has the rest) --------


def status_of(row: ClinicMember) -> str:
    if row.removed_at is not None:
        return "removed"
    return "pending" if row.clinic_key_wrap is None else "admitted"


def member_record(row: ClinicMember, clinic_id: str) -> MemberKeyRecord:
    record = MemberKeyRecord.from_text(row.key_record)
    if record.member_id != row.member_id or record.clinic_id != clinic_id:
        raise MemberKeyUnusable(
            f"The key record stored for member {row.member_id} belongs to another member or clinic."
        )
    return record


def resolve_member(s: Session, text: str) -> ClinicMember:
    """The row of member ``text``: a full id, or the start of one (8 characters or more)
    that names exactly one member."""
    given = text.strip().lower().replace("-", "")
    row = s.get(ClinicMember, given)
    if row is not None:
        return row
    if len(given) >= 8:
        rows = list(s.scalars(select(ClinicMember).where(ClinicMember.member_id.startswith(given))))
        if len(rows) == 1:
            return rows[0]
        if len(rows) > 1:
            raise MemberUnknown(
                f"Several members have an id starting with {given}.",
                "Give more of the member id (ncii-desk clinic members lists them).",
            )
    raise MemberUnknown(f"The clinic has no member with the id {text.strip()}.")


def open_as_member(
    url: str,
    member_id: str,
    *,
    passphrase: str | None = None,
    recovery_key: str | None = None,
    blobs_dir: Path | None = None,
    seen: tuple[int, str] | None = None,
    actor: str | None = None,
) -> ClinicStore:
    """Unlock ``member_id``'s key record, unwrap the clinic key, open the store, and refuse
    it when its audit log is behind (or not a continuation of) ``seen``."""
    if passphrase is None and recovery_key is None:
        raise ValueError("a passphrase or a recovery key is needed")
    engine = make_engine(url)
    try:
        snapshot = engine.execution_options(isolation_level="REPEATABLE READ")
        with _reachable(url), Session(snapshot) as s:
            record = _read_record(s, url)
            check_revision(record)
            row = resolve_member(s, member_id)
            s.expunge(row)
            chain, announced = clinickeys.read_chain(s), clinickeys.announced_version(s)
    finally:
        engine.dispose()
    status = status_of(row)
    if status == "removed":
        raise MemberRemoved(f"Member {row.member_id} was removed from this clinic.")
    if status == "pending":
        fingerprint = member_record(row, record.clinic_id).public.fingerprint
        raise MemberPending(
            f"Member {row.member_id} has not been admitted to the clinic yet.",
            "Read your fingerprint to a member who is already admitted and ask them to run "
            f"'ncii-desk clinic admit {row.member_id} --fingerprint {fingerprint}'.",
        )
    key_record = member_record(row, record.clinic_id)
    keys = (
        key_record.unlock(passphrase)
        if passphrase is not None
        else key_record.recover(str(recovery_key))
    )
    assert row.clinic_key_wrap is not None
    ring = clinickeys.member_ring(chain, announced, record.clinic_id, keys, row.clinic_key_wrap)
    store = ClinicStore.open(
        url, ring.key(), blobs_dir=blobs_dir, actor=actor or keys.member_id, ring=ring
    )
    store.member = keys
    store.member_id = keys.member_id
    try:
        if seen is not None:
            check_not_rolled_back(store, seen)
    except BaseException:
        store.close()
        raise
    return store


def check_not_rolled_back(store: ClinicStore, seen: tuple[int, str]) -> audit_chain.Head:
    """The store's authenticated audit head, if it is at or after ``seen`` (seq, mac) and
    the event at ``seen``'s seq still has that MAC."""
    seen_seq, seen_mac = seen
    with store.session() as s:
        head = store.read_head(s)
        if isinstance(head, str):
            raise ClinicRolledBack(f"The clinic's audit log cannot be trusted: {head}.")
        if head.seq < seen_seq:
            raise ClinicRolledBack(
                f"The clinic database shows its audit log up to event {head.seq}, but this "
                f"computer already saw event {seen_seq}: the database was rolled back to an "
                "older state, or events were removed."
            )
        if seen_seq > 0:
            mac = s.scalar(select(AuditEvent.mac).where(AuditEvent.seq == seen_seq))
            if mac != seen_mac:
                raise ClinicRolledBack(
                    f"Event {seen_seq} of the clinic's audit log is not the one this computer "
                    "saw: the log was replaced."
                )
    return head


def current_head(store: ClinicStore) -> audit_chain.Head | None:
    """The authenticated head of the store's audit log (None if it cannot be trusted)."""
    with store.session() as s:
        head = store.read_head(s)
    return None if isinstance(head, str) else head


_DROPPED_INFO = "ncii_clinic_dropped_blobs"


if TYPE_CHECKING:
    from ncii_desk.vault.store import BlobStore, CaseStore
    from ncii_desk.vault.vault import Vault

    def _both_are_case_stores(v: Vault, c: ClinicStore) -> tuple[CaseStore, CaseStore]:
        """mypy checks here that both stores implement the CaseStore protocol."""
        return v, c

    def _folder_is_a_blob_store(b: FolderBlobStore) -> BlobStore:
        return b
