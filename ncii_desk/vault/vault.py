"""The case vault: one folder holding header, encrypted database, blobs and audit head."""

from __future__ import annotations

import contextlib
import secrets
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ncii_desk.errors import (
    Cancelled,
    VaultCorrupt,
    VaultExists,
    VaultLocked,
    VaultNotFound,
    WrongPassphrase,
)
from ncii_desk.hardening import make_private_dir, restrict, tighten_tree, write_private_bytes
from ncii_desk.vault import audit as audit_chain
from ncii_desk.vault import keys
from ncii_desk.vault.atomic import TEMP_PREFIX, atomic_write_bytes, fsync_dir
from ncii_desk.vault.blobs import BlobInfo, BlobStore
from ncii_desk.vault.db import (
    DB_DAMAGE_HINT,
    DB_NAME,
    PAGE_SIZE,
    DatabaseError,
    _db_error_text,
    bulk_import_tuning,
    bulk_insert,
    checkpoint,
    damaged_pages,
    describe_damage,
    integrity_problems,
    looks_damaged,
    make_engine,
    migrate,
    probe_key,
)
from ncii_desk.vault.keys import (
    DATA_KEY_BYTES,
    Header,
    KdfParams,
    SubKeys,
    check_passphrase_strength,
    derive_subkeys,
    format_recovery_key,
    new_recovery_key,
    parse_recovery_key,
    tune_kdf,
    utc_now_iso,
)
from ncii_desk.vault.lock import VaultFileLock
from ncii_desk.vault.models import Blob, Setting
from ncii_desk.vault.reports import HeaderRepair, IntegrityReport, Problem
from ncii_desk.vault.roles import MemberRole
from ncii_desk.vault.store import blob_row, checked_columns, info_of

HEADER_NAME = "vault.hdr"
HEADER_BAK_NAME = "vault.hdr.bak"
QUARANTINE_DIR = "quarantine"
#: Setting row listing blobs whose database rows were deleted and whose files must go too
#: (their bytes may not be kept, e.g. an item switched to hashes only). A file left behind
#: by a crash between the commit and the deletion is deleted on the next open, never moved
#: to quarantine.
DROPPED_BLOBS_KEY = "vault.dropped_blobs"
_DROPPED_INFO = "ncii_dropped_blobs"

ProgressFn = Callable[[int, int, str], None]

#: Audit actions for header copies repaired while opening.
BACKUP_REPAIRED_ACTION = "vault.header_backup_repaired"
PRIMARY_RESTORED_ACTION = "vault.header_restored_from_backup"


@dataclass
class OpenReport:
    """What opening the vault noticed and repaired; shown to the user, never silent."""

    header_restored_from_backup: bool = False
    backup_header_rewritten: bool = False
    #: What was wrong with each rewritten header copy (also recorded in the audit chain).
    header_repairs: list[HeaderRepair] = field(default_factory=list)
    quarantined: list[str] = field(default_factory=list)
    missing_blobs: list[str] = field(default_factory=list)
    #: Files of dropped blobs (see DROPPED_BLOBS_KEY) deleted now: an earlier deletion was
    #: interrupted.
    dropped_deleted: list[str] = field(default_factory=list)
    audit_head_advanced_by: int = 0
    audit_problems: list[dict[str, Any]] = field(default_factory=list)
    migrated_from: str | None = None
    #: Vault files and folders other users could read, made owner-only now (POSIX).
    permissions_tightened: list[str] = field(default_factory=list)

    @property
    def warnings(self) -> list[str]:
        out: list[str] = []
        if self.permissions_tightened:
            out.append(
                f"{len(self.permissions_tightened)} vault file(s) or folder(s) could be read "
                "by other users of this computer; they are now private to you."
            )
        for repair in self.header_repairs:
            if repair.file == HEADER_NAME:
                out.append(
                    "The main vault header was damaged and was restored from its backup copy "
                    f"({repair.damage.rstrip('.')})."
                )
            else:
                damage = repair.damage.rstrip(".")
                out.append(
                    f"The backup copy of the vault header ({HEADER_BAK_NAME}) was damaged or "
                    f"out of date and was rewritten from {HEADER_NAME} ({damage})."
                )
        if self.audit_head_advanced_by:
            out.append(
                f"audit.head was {self.audit_head_advanced_by} event(s) behind the audit log "
                "(an interrupted save, or an older copy of audit.head); the log itself verified "
                "and audit.head was brought up to date."
            )
        if self.quarantined:
            out.append(
                f"{len(self.quarantined)} file(s) left by an interrupted save were moved to "
                "the vault's quarantine folder (nothing was deleted)."
            )
        if self.dropped_deleted:
            out.append(
                f"{len(self.dropped_deleted)} stored file(s) whose deletion had been "
                "interrupted (files that may not be kept) were deleted now."
            )
        if self.missing_blobs:
            out.append(
                f"{len(self.missing_blobs)} stored evidence file(s) are missing; run "
                "'ncii-desk vault check' for details."
            )
        for problem in self.audit_problems:
            out.append(f"Audit log problem: {problem['problem']}.")
        return out


def _read_header(path: Path) -> Header | VaultCorrupt:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return VaultCorrupt("The vault header file is missing.", file=path.name, entry="missing")
    try:
        return Header.from_bytes(raw, path.name)
    except VaultCorrupt as exc:
        return exc


def _dropped_ids(session: Session) -> set[str]:
    setting = session.get(Setting, DROPPED_BLOBS_KEY)
    value = setting.value if setting is not None and isinstance(setting.value, dict) else {}
    return {str(b) for b in value.get("blob_ids", [])}


def _quarantined_id(name: str) -> str | None:
    """The blob id in a blob file's name, as named in blobs/ or in quarantine/
    ('<time>-<id>', '<time>-partial-<id>') or as a temporary file ('<prefix><id>')."""
    tail = name[-32:]
    return tail if len(name) >= 32 and all(c in "0123456789abcdef" for c in tail) else None


def is_vault(root: Path) -> bool:
    return (root / HEADER_NAME).exists() or (root / HEADER_BAK_NAME).exists()


class Vault:
    """An unlocked vault. Create with :meth:`create` or :meth:`open`; end with :meth:`close`.

    The laptop implementation of :class:`ncii_desk.vault.store.CaseStore`: a SQLCipher
    database (its statements in :mod:`ncii_desk.vault.db`) and the folder blob store."""

    def __init__(
        self,
        root: Path,
        header: Header,
        data_key: bytes,
        lock: VaultFileLock,
        actor: str,
    ) -> None:
        self.root = root
        self.header = header
        self.vault_id = header.vault_id
        self._keys: SubKeys | None = derive_subkeys(data_key, header.vault_id)
        self._data_key: bytes | None = data_key
        self._lock = lock
        self.actor = actor
        self._write_mutex = threading.RLock()
        self.engine = make_engine(root / DB_NAME, self._keys.database)
        self._write_engine = self.engine.execution_options(ncii_write=True)
        self.blobs = BlobStore(root, self._keys.blob)
        self.report = OpenReport()

    # creation and opening -----------------------------------------------------------------

    @classmethod
    def create(
        cls,
        root: Path,
        passphrase: str,
        *,
        kdf: KdfParams | None = None,
        actor: str = "",
    ) -> tuple[Vault, str]:
        """Create a new vault; returns it with the recovery key text to show once."""
        check_passphrase_strength(passphrase)
        root = root.expanduser().resolve()
        if root.exists() and any(root.iterdir()):
            raise VaultExists(f"The folder {root} is not empty.")
        make_private_dir(root, parents=True)
        restrict(root)  # also a folder the user made beforehand
        lock = VaultFileLock(root)
        lock.acquire()
        try:
            params = kdf or tune_kdf()
            data_key = secrets.token_bytes(DATA_KEY_BYTES)
            recovery = new_recovery_key()
            header = Header.build(
                vault_id=str(uuid.uuid4()),
                created_at=utc_now_iso(),
                generation=1,
                kdf=params,
                passphrase=passphrase,
                data_key=data_key,
                recovery_key=recovery,
            )
            # SQLite gives meta.db-wal and -shm the database file's mode: 0600 from the start.
            write_private_bytes(root / DB_NAME, b"")
            vault = cls(root, header, data_key, lock, actor)
            migrate(vault.engine, root / DB_NAME)
            make_private_dir(root / QUARANTINE_DIR)
            with vault.transaction() as s:
                vault.audit(
                    s,
                    "vault.created",
                    details={
                        "kdf": {k: v for k, v in params.to_json().items() if k != "salt"},
                    },
                )
            # The header goes last: a folder without one is not (yet) a vault.
            vault._write_headers(header)
        except BaseException:
            lock.release()
            raise
        return vault, format_recovery_key(recovery)

    @classmethod
    def open(
        cls,
        root: Path,
        *,
        passphrase: str | None = None,
        recovery_key: str | None = None,
        actor: str = "",
    ) -> Vault:
        root = root.expanduser().resolve()
        if not is_vault(root):
            raise VaultNotFound(f"No NCII Desk vault was found in {root}.")
        if passphrase is None and recovery_key is None:
            raise VaultLocked("The vault is locked; a passphrase or recovery key is needed.")
        lock = VaultFileLock(root)
        lock.acquire()
        try:
            tightened = tighten_tree(root)
            primary = _read_header(root / HEADER_NAME)
            backup = _read_header(root / HEADER_BAK_NAME)
            if not isinstance(primary, Header) and not isinstance(backup, Header):
                raise VaultCorrupt(
                    "Both copies of the vault header are damaged; the vault cannot be unlocked. "
                    + primary.message,
                    file=HEADER_NAME,
                    entry=primary.entry,
                )
            # A wrong passphrase is final; a copy whose MAC fails was altered, so the other
            # copy is tried (the header is corrupt only when both fail).
            # A wrong passphrase on the main copy is final unless the backup copy differs
            # (an edit of the main copy's key-derivation fields also looks like a wrong
            # passphrase): then the backup is tried too.
            unlocked: tuple[Header, bytes] | None = None
            altered: VaultCorrupt | None = None
            wrong: WrongPassphrase | None = None
            for candidate in (primary, backup):
                if not isinstance(candidate, Header):
                    continue
                try:
                    if recovery_key is not None:
                        key = candidate.unwrap_with_recovery_key(parse_recovery_key(recovery_key))
                    else:
                        assert passphrase is not None
                        key = candidate.unwrap_with_passphrase(passphrase)
                except VaultCorrupt as exc:
                    altered = altered or exc
                    if candidate is primary:
                        primary = exc
                    continue
                except WrongPassphrase as exc:
                    differs = isinstance(backup, Header) and backup.body != candidate.body
                    if candidate is not primary or not differs:
                        raise
                    wrong = exc
                    continue
                if wrong is not None:
                    primary = VaultCorrupt(
                        "The main vault header does not open with the passphrase that opens "
                        "its backup copy: it was altered.",
                        file=HEADER_NAME,
                        entry="wrapped_keys.passphrase",
                    )
                unlocked = (candidate, key)
                break
            if unlocked is None and wrong is not None:
                raise wrong
            if unlocked is None:
                assert altered is not None
                raise VaultCorrupt(
                    "Both copies of the vault header were altered; the vault cannot be unlocked.",
                    file=HEADER_NAME,
                    entry=altered.entry,
                )
            header, data_key = unlocked
            vault = cls(root, header, data_key, lock, actor)
            vault.report.permissions_tightened = tightened
            try:
                vault._after_unlock(primary, backup)
            except BaseException:
                vault.engine.dispose()
                raise
        except BaseException:
            lock.release()
            raise
        return vault

    def _after_unlock(self, primary: Header | VaultCorrupt, backup: Header | VaultCorrupt) -> None:
        # The database is checked before anything is written: a damaged or missing database
        # is an error, never a fresh empty one with every stored file moved to quarantine.
        self._verify_database_file()
        self._repair_headers(primary, backup)
        try:
            self.report.migrated_from = migrate(self.engine, self.root / DB_NAME)
            self._reconcile_blobs()
            self._reconcile_audit_head()
            self._record_tightened()
            if self.report.header_repairs:
                with self.transaction() as s:
                    for repair in self.report.header_repairs:
                        action = (
                            PRIMARY_RESTORED_ACTION
                            if repair.file == HEADER_NAME
                            else BACKUP_REPAIRED_ACTION
                        )
                        self.audit(s, action, details=repair.as_dict())
        except DatabaseError as exc:
            raise self._database_damage(exc, always=True) from exc

    def _verify_database_file(self) -> None:
        """meta.db exists, is not empty, and every page passes SQLCipher's authentication."""
        path = self.root / DB_NAME
        if not path.is_file():
            raise VaultCorrupt(
                f"The case database ({DB_NAME}) is missing from the vault folder; without it "
                "the cases, items and audit log cannot be read. Nothing was changed.",
                file=DB_NAME,
                entry="missing",
                hint=DB_DAMAGE_HINT,
            )
        size = path.stat().st_size
        if size == 0:
            raise VaultCorrupt(
                f"The case database ({DB_NAME}) is empty. Nothing was changed.",
                file=DB_NAME,
                entry="empty",
                hint=DB_DAMAGE_HINT,
            )
        keys = self._require_keys()
        try:
            pages, other = damaged_pages(path, keys.database)
        except DatabaseError as exc:
            pages, other = [], [_db_error_text(exc)]
        if size % PAGE_SIZE:
            other.append(f"the file ends in the middle of page {size // PAGE_SIZE + 1}")
        if pages or other:
            message, entry = describe_damage(pages, other, max(1, size // PAGE_SIZE))
            raise VaultCorrupt(message, file=DB_NAME, entry=entry, hint=DB_DAMAGE_HINT)
        probe_key(self.engine)

    def _database_damage(self, exc: BaseException, *, always: bool = False) -> VaultCorrupt:
        """A VaultCorrupt naming the damaged pages, for a driver error caused by damage."""
        path = self.root / DB_NAME
        pages: list[int] = []
        other: list[str] = []
        keys = self._keys
        if keys is not None and path.is_file():
            try:
                pages, other = damaged_pages(path, keys.database)
            except DatabaseError as inner:
                other = [_db_error_text(inner)]
        if not pages and not other and not always and not looks_damaged(exc):
            raise exc
        if not pages and not other:
            other = [_db_error_text(exc)]
        total = max(1, path.stat().st_size // PAGE_SIZE) if path.is_file() else 1
        message, entry = describe_damage(pages, other, total)
        return VaultCorrupt(message, file=DB_NAME, entry=entry, hint=DB_DAMAGE_HINT)

    @contextlib.contextmanager
    def _damage_is_corrupt(self) -> Iterator[None]:
        """Turn a driver error caused by a damaged database file into a plain VaultCorrupt."""
        try:
            yield
        except DatabaseError as exc:
            text_ = _db_error_text(exc)
            if looks_damaged(exc) or "readonly" in text_:
                raise self._database_damage(exc) from exc
            raise

    def _repair_headers(
        self, primary: Header | VaultCorrupt, backup: Header | VaultCorrupt
    ) -> None:
        """Rewrite a damaged, altered, missing or stale header copy from the one that opened;
        each repair is reported and (by the caller) recorded in the audit chain."""
        report = self.report
        data = self.header.to_bytes()
        if not isinstance(primary, Header):
            report.header_restored_from_backup = True
            report.header_repairs.append(
                HeaderRepair(HEADER_NAME, primary.entry, primary.message, "restored from backup")
            )
            atomic_write_bytes(self.root / HEADER_NAME, data)
        if not isinstance(backup, Header) or backup.body != self.header.body:
            report.backup_header_rewritten = True
            if isinstance(backup, VaultCorrupt):
                entry, damage = backup.entry, backup.message
            else:
                entry = "content"
                damage = (
                    f"a valid but different copy (generation {backup.generation}, the header "
                    f"in use is generation {self.header.generation})"
                )
            report.header_repairs.append(
                HeaderRepair(HEADER_BAK_NAME, entry, damage, f"rewritten from {HEADER_NAME}")
            )
            atomic_write_bytes(self.root / HEADER_BAK_NAME, data)

    def _record_tightened(self) -> None:
        """One audit event for the files made owner-only on this open (none next time)."""
        names = self.report.permissions_tightened
        if names:
            with self.transaction() as s:
                self.audit(
                    s,
                    "vault.permissions_tightened",
                    details={"count": len(names), "paths": names[:100]},
                )

    def _reconcile_blobs(self) -> None:
        """Blobs without a row go to quarantine/ (dropped ones are deleted instead); rows
        without a blob are reported."""
        with self.session() as s:
            known = set(s.scalars(select(Blob.id)))
            dropped = _dropped_ids(s)
        present: set[str] = set()
        quarantine = self.root / QUARANTINE_DIR
        for path in self.blobs.iter_files():
            blob_id = BlobStore.blob_id_of(path)
            if blob_id is not None and blob_id in known:
                present.add(blob_id)
                continue
            if _quarantined_id(path.name) in dropped:
                try:
                    path.unlink()
                    fsync_dir(path.parent)
                    self.report.dropped_deleted.append(path.name)
                except OSError:
                    pass  # still listed: tried again on the next open; `vault check` shows it
                continue
            make_private_dir(quarantine)
            name = path.name
            if name.startswith(TEMP_PREFIX):
                name = "partial-" + name[len(TEMP_PREFIX) :]
            dest = quarantine / f"{utc_now_iso().replace(':', '')}-{name}"
            path.replace(dest)
            self.report.quarantined.append(dest.name)
        if self.report.quarantined:
            fsync_dir(quarantine)
        self.report.missing_blobs = sorted(known - present)
        if dropped:
            self._finish_drops(dropped)

    # dropped blobs (bytes that may not be kept) ----------------------------------------

    def drop_blob(self, session: Session, blob_id: str) -> None:
        """Inside a write transaction: delete a blob's row; its file is deleted as soon as
        the transaction commits (nothing happens to it if the transaction fails).

        Rows that refer to the blob must have been pointed elsewhere first. Until the file
        is gone the id stays listed in the DROPPED_BLOBS_KEY setting, so a crash in between
        leaves no copy: opening the vault deletes such a file (in blobs/ or quarantine/)
        instead of quarantining it.
        """
        session.flush()  # references cleared by the caller reach the database first
        row = session.get(Blob, blob_id)
        if row is not None:
            session.delete(row)
        setting = session.get(Setting, DROPPED_BLOBS_KEY)
        ids = set(_dropped_ids(session)) | {blob_id}
        value = {"blob_ids": sorted(ids)}
        if setting is None:
            session.add(Setting(key=DROPPED_BLOBS_KEY, value=value))
        else:
            setting.value = value
        session.info.setdefault(_DROPPED_INFO, set()).add(blob_id)

    def _finish_drops(self, blob_ids: set[str]) -> list[str]:
        """Delete the files of dropped blobs (blob store and quarantine) and forget the ids
        whose files are gone; returns the ids whose file could not be deleted (they stay
        listed and are retried on the next open)."""
        quarantine = self.root / QUARANTINE_DIR
        leftovers: dict[str, list[Path]] = {}
        if quarantine.is_dir():
            for path in quarantine.iterdir():
                leftovers.setdefault(_quarantined_id(path.name) or "", []).append(path)
        failed: list[str] = []
        for blob_id in sorted(blob_ids):
            try:
                if self.blobs.path_for(blob_id).exists():
                    self.blobs.delete(blob_id)
                for path in leftovers.get(blob_id, []):
                    path.unlink()
                    self.report.dropped_deleted.append(path.name)
            except OSError:
                failed.append(blob_id)
        if leftovers and any(leftovers.get(b) for b in blob_ids):
            fsync_dir(quarantine)
        done = set(blob_ids) - set(failed)
        if done:
            # No audit event: the drop itself was recorded by the caller's transaction.
            with Session(self._write_engine) as s, s.begin():
                setting = s.get(Setting, DROPPED_BLOBS_KEY)
                if setting is not None:
                    setting.value = {"blob_ids": sorted(set(_dropped_ids(s)) - done)}
        return failed

    def _reconcile_audit_head(self) -> None:
        keys = self._require_keys()
        head = audit_chain.read_head(self.root, keys.audit, self.vault_id)
        with self.session() as s:
            chain = audit_chain.verify_chain(s, keys.audit, head)
            newest = audit_chain.newest(s)
        if chain.ok and chain.head_behind_by and newest is not None:
            # A crash between the commit and the head write; the chain itself verified.
            audit_chain.write_head(self.root, keys.audit, self.vault_id, newest)
            self.report.audit_head_advanced_by = chain.head_behind_by
        self.report.audit_problems = chain.problems
        if chain.head_problems:
            # The next commit rewrites audit.head, so the finding goes into the chain itself.
            stored = audit_chain.read_head(self.root, keys.audit, self.vault_id)
            with self.transaction() as s:
                self.audit(
                    s,
                    audit_chain.TAMPER_ACTION,
                    details={
                        "problems": chain.head_problems,
                        "stored_head": None
                        if isinstance(stored, str)
                        else {"seq": stored.seq, "mac": stored.mac},
                    },
                )

    def _write_headers(self, header: Header) -> None:
        data = header.to_bytes()
        atomic_write_bytes(self.root / HEADER_NAME, data)
        atomic_write_bytes(self.root / HEADER_BAK_NAME, data)

    # keys and state ---------------------------------------------------------------------

    @property
    def is_open(self) -> bool:
        return self._keys is not None

    def _require_keys(self) -> SubKeys:
        if self._keys is None:
            raise VaultLocked("The vault is locked.")
        return self._keys

    @property
    def export_key(self) -> bytes:
        return self._require_keys().export

    def close(self) -> None:
        """Lock: forget keys, close the database, release the OS lock."""
        if self._keys is None:
            return
        with self._write_mutex:
            self.engine.dispose()
            self._keys = None
            self._data_key = None
            self._lock.release()

    lock = close

    def __enter__(self) -> Vault:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def change_passphrase(self, new_passphrase: str, kdf: KdfParams | None = None) -> None:
        """Re-wrap the data key under a new passphrase; the recovery key keeps working."""
        check_passphrase_strength(new_passphrase)
        self._require_keys()
        assert self._data_key is not None
        # Tuning keeps its floor, so a vault made weaker (older versions, a busy machine)
        # is lifted to it; a stronger one keeps its memory.
        params = kdf or tune_kdf(
            memory_kib=max(self.header.kdf.memory_kib, keys.TUNING_FLOOR.memory_kib),
            parallelism=self.header.kdf.parallelism,
        )
        with self._write_mutex:
            new_header = self.header.rewrap_passphrase(self._data_key, new_passphrase, params)
            self._write_headers(new_header)
            self.header = new_header
            with self.transaction() as s:
                self.audit(
                    s, "vault.passphrase_changed", details={"generation": new_header.generation}
                )

    # database sessions -------------------------------------------------------------------

    @contextlib.contextmanager
    def session(self) -> Iterator[Session]:
        """A read session (its own snapshot; never writes)."""
        self._require_keys()
        with self._damage_is_corrupt(), Session(self.engine, expire_on_commit=False) as s:
            yield s

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Session]:
        """The one write path: serialised in-process, BEGIN IMMEDIATE, audit head after."""
        keys = self._require_keys()
        with self._write_mutex:
            with (
                self._damage_is_corrupt(),
                Session(self._write_engine, expire_on_commit=False) as s,
                s.begin(),
            ):
                yield s
            dropped: set[str] = s.info.pop(_DROPPED_INFO, set())
            with self.session() as s:
                newest = audit_chain.newest(s)
            if newest is not None:
                audit_chain.write_head(self.root, keys.audit, self.vault_id, newest)
            if dropped:
                self._finish_drops(dropped)

    def audit(
        self,
        session: Session,
        action: str,
        object_id: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        audit_chain.append_event(
            session,
            self._require_keys().audit,
            actor=self.actor,
            action=action,
            object_id=object_id,
            details=details,
        )

    def audit_many(
        self, session: Session, events: list[tuple[str, str | None, dict[str, Any]]]
    ) -> None:
        """Several events (action, object id, details), chained in order from one read of
        the newest event; the same rows as one :meth:`audit` call per event."""
        audit_chain.append_events(
            session, self._require_keys().audit, actor=self.actor, events=events
        )

    # database housekeeping (CaseStore) ---------------------------------------------------

    def checkpoint(self) -> None:
        """Fold the write-ahead log back into meta.db (after a large import: until then the
        log holds a second copy of every new page until the vault is closed)."""
        self._require_keys()
        checkpoint(self.engine)

    def bulk_insert(
        self,
        session: Session,
        table: str,
        columns: Sequence[str],
        rows: Iterable[Sequence[Any]],
    ) -> int:
        """Inside :meth:`transaction`: many rows of ``table`` in one executemany."""
        self._require_keys()
        name, cols = checked_columns(table, columns)
        return bulk_insert(session.connection(), name, cols, rows)

    @contextlib.contextmanager
    def bulk_import_tuning(self, session: Session) -> Iterator[None]:
        """Inside :meth:`transaction`: a large SQLite page cache for a bulk insert."""
        self._require_keys()
        with bulk_import_tuning(session.connection()):
            yield

    # blobs -------------------------------------------------------------------------------

    def case_blobs(self, case_id: str | None, session: Session | None = None) -> BlobStore:
        """A laptop vault keeps every blob under its one blob key (rows name no case)."""
        self._require_keys()
        return self.blobs

    def blobs_of(self, row: Blob) -> BlobStore:
        self._require_keys()
        return self.blobs

    def store_blob(self, session: Session, info: BlobInfo) -> Blob:
        row = blob_row(info)
        session.add(row)
        return row

    @staticmethod
    def blob_info(row: Blob) -> BlobInfo:
        return info_of(row)

    def read_blob(self, row: Blob) -> bytes:
        self._require_keys()
        return self.blobs.read(row.id, self.blob_info(row))

    def case_role(self, case_id: str) -> MemberRole | None:
        """None: a laptop vault is one person's, who may do everything on every case."""
        return None

    # verification ------------------------------------------------------------------------

    def verify_audit(self) -> audit_chain.ChainReport:
        keys = self._require_keys()
        head = audit_chain.read_head(self.root, keys.audit, self.vault_id)
        with self.session() as s:
            return audit_chain.verify_chain(s, keys.audit, head)

    def check(
        self,
        progress: ProgressFn | None = None,
        should_stop: Callable[[], bool] | None = None,
    ) -> IntegrityReport:
        """Full integrity sweep: headers, database, every blob, audit chain against head."""
        self._require_keys()
        assert self._data_key is not None
        report = IntegrityReport(
            warnings=self.report.warnings, repairs=list(self.report.header_repairs)
        )
        for name in (HEADER_NAME, HEADER_BAK_NAME):
            parsed = _read_header(self.root / name)
            if isinstance(parsed, VaultCorrupt):
                report.problems.append(Problem(name, parsed.entry, parsed.message))
                continue
            try:
                parsed._verify_mac(self._data_key)
            except VaultCorrupt as exc:
                report.problems.append(Problem(name, exc.entry, exc.message))
            if parsed.body != self.header.body:
                report.problems.append(Problem(name, "content", "differs from the header in use"))
        if not self._check_database(report):
            return report  # the blob list and the audit log live in the damaged database
        with self.session() as s:
            rows = list(s.scalars(select(Blob).order_by(Blob.id)))
        total = len(rows)
        known = {r.id for r in rows}
        for done, row in enumerate(rows, 1):
            if should_stop is not None and should_stop():
                raise Cancelled("The vault check was cancelled before it finished.")
            try:
                report.bytes_checked += self.blobs.verify(row.id, self.blob_info(row))
            except VaultCorrupt as exc:
                report.problems.append(Problem(exc.file, exc.entry, exc.message))
            report.blobs_checked += 1
            if progress is not None:
                progress(done, total, "checking stored evidence")
        for path in self.blobs.iter_files():
            blob_id = BlobStore.blob_id_of(path)
            if blob_id is None or blob_id not in known:
                rel = path.relative_to(self.root).as_posix()
                report.problems.append(
                    Problem(rel, None, "file in the blob store without a database record")
                )
        quarantine = self.root / QUARANTINE_DIR
        if quarantine.is_dir():
            report.quarantined_files = sum(1 for _ in quarantine.iterdir())
        chain = self.verify_audit()
        report.audit_events = chain.events
        for problem in chain.problems:
            entry = None if problem["seq"] is None else f"seq {problem['seq']}"
            report.problems.append(
                Problem(
                    audit_chain.HEAD_NAME if entry is None else DB_NAME, entry, problem["problem"]
                )
            )
        if chain.head_behind_by:
            report.problems.append(
                Problem(
                    audit_chain.HEAD_NAME,
                    None,
                    f"audit.head is {chain.head_behind_by} event(s) behind the database",
                )
            )
        return report

    def _check_database(self, report: IntegrityReport) -> bool:
        """Add the database's problems to ``report``; False if its pages are damaged."""
        path = self.root / DB_NAME
        try:
            pages, other = damaged_pages(path, self._require_keys().database)
        except DatabaseError as exc:
            pages, other = [], [_db_error_text(exc)]
        for page in pages[:20]:
            report.problems.append(
                Problem(
                    DB_NAME,
                    f"page {page}",
                    f"database page {page} damaged (failed its authentication check)",
                )
            )
        if len(pages) > 20:
            report.problems.append(
                Problem(DB_NAME, "pages", f"{len(pages) - 20} more database pages damaged")
            )
        for line in other[:20]:
            report.problems.append(Problem(DB_NAME, "cipher_integrity_check", line))
        if pages or other:
            return False
        try:
            found = integrity_problems(self.engine)
        except DatabaseError as exc:
            report.problems.append(Problem(DB_NAME, "read", _db_error_text(exc)))
            return False
        report.problems.extend(Problem(DB_NAME, check, line) for check, line in found)
        return True
