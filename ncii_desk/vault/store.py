"""The storage seams: what services need from a case store and from a blob store.

Two interfaces (typing Protocols, checked by mypy, not by inheritance):

* :class:`CaseStore` holds the case metadata (the ORM models of :mod:`ncii_desk.vault.models`)
  and the audit chain: read sessions, the one write path (:meth:`CaseStore.transaction`),
  audit events, blob rows, the integrity check and the database's housekeeping.
* :class:`BlobStore` holds the encrypted bytes of evidence: put, read, verify, export,
  delete and list by blob id. An implementation only ever writes ciphertext.

Implementations today:

* :class:`ncii_desk.vault.vault.Vault`: a laptop vault, SQLCipher database in the vault
  folder; every SQLite/SQLCipher statement (PRAGMAs, ``BEGIN IMMEDIATE``, ``sqlite_master``,
  the WAL checkpoint, ``cipher_integrity_check``) lives in :mod:`ncii_desk.vault.db`.
* :class:`ncii_desk.clinic.store.ClinicStore`: a clinic's shared store, metadata on a
  PostgreSQL server (PostgreSQL statements in that module only).
* :class:`ncii_desk.vault.blobs.BlobStore`: the folder blob store (both of the above use it;
  for a clinic the folder lies on the clinic's file server).

Services annotate their store parameter with :class:`CaseStore`. They write a case's blobs
through ``store.case_blobs(case_id)`` and open a stored blob through ``store.blobs_of(row)``
(each a :class:`BlobStore`; on a clinic store each case's blobs are under that case's key);
``store.blobs`` is the store's own blob store (blobs of no case, deletes, sync). Neither
interface names a database, a file or a path.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from ncii_desk.vault.audit import ChainReport
    from ncii_desk.vault.blobs import BlobInfo, Hasher, Readable
    from ncii_desk.vault.models import Blob
    from ncii_desk.vault.reports import IntegrityReport
    from ncii_desk.vault.roles import MemberRole

#: (action, object id, details) of one audit event, for :meth:`CaseStore.audit_many`.
AuditEventSpec = tuple[str, str | None, dict[str, Any]]


@runtime_checkable
class BlobStore(Protocol):
    """Encrypted bytes by id. Plaintext goes in and comes out; only ciphertext is stored."""

    def put_bytes(self, data: bytes) -> BlobInfo: ...

    def put_stream(
        self, src: Readable, extra_hashers: tuple[Hasher, ...] = (), *, durable: bool = True
    ) -> BlobInfo: ...

    def sync(self) -> None:
        """Make every blob put with ``durable=False`` durable (before a row names it)."""
        ...

    def read(self, blob_id: str, expected: BlobInfo | None = None) -> bytes: ...

    def stream(self, blob_id: str, expected: BlobInfo | None = None) -> Iterator[bytes]: ...

    def verify(
        self,
        blob_id: str,
        expected: BlobInfo | None = None,
        on_chunk: Callable[[int], None] | None = None,
    ) -> int: ...

    def export(self, blob_id: str, dest: Path, expected: BlobInfo | None = None) -> None: ...

    def delete(self, blob_id: str) -> None: ...

    def exists(self, blob_id: str) -> bool: ...

    def ids(self) -> Iterator[str]:
        """Every stored blob id, in order."""
        ...


@runtime_checkable
class CaseStore(Protocol):
    """Case metadata and the audit chain behind one write path.

    ``transaction()`` is the only way to write: writers are serialised (one at a time per
    store, readers never wait), and the audit chain is appended inside the same transaction
    as the change it records, so both commit or neither does.
    """

    #: The store's identity (a vault's id, a clinic's id); the audit head is bound to it.
    vault_id: str
    #: Who is working (recorded in every audit event).
    actor: str

    @property
    def blobs(self) -> BlobStore: ...

    @property
    def is_open(self) -> bool: ...

    @property
    def export_key(self) -> bytes:
        """The key packets and hand-over files are sealed with (derived from the data key)."""
        ...

    def session(self) -> AbstractContextManager[Session]:
        """A read session with its own snapshot; never writes."""
        ...

    def transaction(self) -> AbstractContextManager[Session]:
        """The one write path (commits on a clean exit, rolls back on an exception)."""
        ...

    def audit(
        self,
        session: Session,
        action: str,
        object_id: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> None: ...

    def audit_many(self, session: Session, events: list[AuditEventSpec]) -> None: ...

    def verify_audit(self) -> ChainReport: ...

    def check(
        self,
        progress: Callable[[int, int, str], None] | None = None,
        should_stop: Callable[[], bool] | None = None,
    ) -> IntegrityReport:
        """The full integrity sweep: the database, every blob, the audit chain."""
        ...

    def case_blobs(self, case_id: str | None, session: Session | None = None) -> BlobStore:
        """Where new blobs of ``case_id`` (None: of no case) are written: on a clinic store
        opened by a member, under the newest version of that case's key (checked in
        ``session`` when given, which sees a case created in it); a laptop vault has one
        blob store for everything. Raises NotCaseMember for a case the member is not on."""
        ...

    def blobs_of(self, row: Blob) -> BlobStore:
        """The blob store that opens the bytes of ``row`` (read, stream, verify, export):
        the key its row names. Raises NotCaseMember when this member holds no such key."""
        ...

    def store_blob(self, session: Session, info: BlobInfo) -> Blob:
        """Inside a write transaction: the row of a blob written by :meth:`case_blobs`'s
        store (it records the case and key version the blob is under)."""
        ...

    def blob_info(self, row: Blob) -> BlobInfo: ...

    def read_blob(self, row: Blob) -> bytes: ...

    def drop_blob(self, session: Session, blob_id: str) -> None:
        """Inside a write transaction: delete a blob's row; its bytes go once it commits."""
        ...

    def checkpoint(self) -> None:
        """Hand the database's write-ahead space back after a large write (may do nothing)."""
        ...

    def bulk_insert(
        self,
        session: Session,
        table: str,
        columns: Sequence[str],
        rows: Iterable[Sequence[Any]],
    ) -> int:
        """Inside a write transaction: insert many rows of one table by the engine's own
        fast path (executemany on SQLite, COPY on PostgreSQL); returns how many."""
        ...

    def bulk_import_tuning(self, session: Session) -> AbstractContextManager[None]:
        """Inside a write transaction: database settings for a bulk insert of many rows,
        restored when the block ends."""
        ...

    def case_role(self, case_id: str) -> MemberRole | None:
        """The opened member's role on the case, or None where one person holds the whole
        store (a laptop vault, a tool opened with the raw key): everything is allowed then.
        Raises NotPermitted when the member is not on the case."""
        ...

    def close(self) -> None: ...


def checked_columns(table: str, columns: Sequence[str]) -> tuple[str, list[str]]:
    """``table`` and ``columns`` as named in the models; a name that is not there is a
    ValueError (bulk inserts build statements from these names)."""
    from ncii_desk.vault.models import Base

    found = Base.metadata.tables.get(table)
    if found is None:
        raise ValueError(f"no table {table!r} in the models")
    unknown = [c for c in columns if c not in found.c]
    if unknown or not columns:
        raise ValueError(f"columns {unknown or columns!r} are not columns of {table!r}")
    return found.name, list(columns)


def blob_row(info: BlobInfo) -> Blob:
    """The database row describing a stored blob (both stores keep the same columns)."""
    from ncii_desk.vault.models import Blob

    return Blob(**blob_values(info))


def blob_values(info: BlobInfo) -> dict[str, Any]:
    """The columns of a blob's row (for Core inserts; :func:`blob_row` builds the object)."""
    return {
        "id": info.blob_id,
        "size": info.size,
        "sha256": info.sha256,
        "cipher_sha256": info.cipher_sha256,
        "chunk_size": info.chunk_size,
        "case_id": info.case_id,
        "key_version": info.key_version,
    }


def same_key_blobs(info: BlobInfo) -> Any:
    """SQL condition: blob rows under the same key as ``info`` (the same case, or no case).
    Looking up "these bytes are already stored" within it never shares a blob between two
    cases of a clinic store; on a laptop vault every row is of no case, so it matches all."""
    from ncii_desk.vault.models import Blob

    if info.case_id is None:
        return Blob.case_id.is_(None)
    return Blob.case_id == info.case_id


def info_of(row: Blob) -> BlobInfo:
    """What a blob row says the stored bytes are (checked when they are read)."""
    from ncii_desk.vault.blobs import BlobInfo

    return BlobInfo(
        row.id,
        row.size,
        row.sha256,
        row.cipher_sha256,
        row.chunk_size,
        row.case_id,
        row.key_version,
    )
