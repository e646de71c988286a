"""Server-side administration of a clinic store: ``clinic-server upgrade`` and ``check``.

Neither needs a key. The administrator of the clinic's server runs them with the database
address only; they read and change the schema, the ``blobs`` and ``settings`` rows and the
blob folder's files, never a case's contents (which they could not read anyway).

Upgrade. The Alembic revisions of this version run on the clinic database in one
transaction that holds the writer lock (:data:`~ncii_desk.clinic.store.WRITER_LOCK`). The
lock is *tried*, not waited for: while a client is in the middle of a write the upgrade is
refused with a message to try again, and nothing changes. PostgreSQL runs DDL inside a
transaction, so a failed revision leaves the database at its old revision.

Check. Clients that die in the middle of a save (power cut, ``kill -9``) leave ciphertext
files in the shared blob folder that no ``blobs`` row names (written before the transaction
that would have named them), and partial ``.tmp-`` files. A laptop vault moves such files to
quarantine when it opens; a clinic client cannot, because another client's save may be in
flight at that moment. The check lists them once they are older than a grace period (60
minutes by default; a save takes seconds), with rows whose file is missing and ownership or
mode problems; ``--sweep`` moves the old strays into ``quarantine/`` beside ``blobs/``
(never deletes), under the writer lock so that no row can be committed for a file while it
moves. What a sweep or an upgrade did is recorded in the ``settings`` row :data:`OPS_LOG_KEY`;
there is no audit event, because the audit log's entries are authenticated with a key the
server does not hold.

Blob folder layout. One OS account owns the whole blob folder (files 0600, folders 0700,
as a laptop vault): the clinic's file server maps every advocate's connection to that
account (an SMB share's ``force user``, NFS ``all_squash``). A file owned by anyone else, or
open to group or others, is reported.
"""

from __future__ import annotations

import contextlib
import getpass
import hashlib
import hmac
import os
import socket
import stat
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ncii_desk.clinic.rls import refresh_grants
from ncii_desk.clinic.store import (
    CLINIC_ID_FILE,
    DROPPED_KEY,
    ClinicError,
    ClinicRecord,
    _reachable,
    _read_record,
    lock_writers_within,
    make_engine,
    other_connections,
    shown_url,
    try_lock_writers,
)
from ncii_desk.errors import MigrationError
from ncii_desk.hardening import make_private_dir
from ncii_desk.vault.atomic import TEMP_PREFIX, fsync_dir
from ncii_desk.vault.blobs import BLOBS_DIR
from ncii_desk.vault.keys import utc_now_iso
from ncii_desk.vault.models import Blob, Setting
from ncii_desk.vault.schema import head_revision, known_revision, upgrade

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

#: settings row listing what upgrades and sweeps did (newest last, at most OPS_LOG_KEEP).
OPS_LOG_KEY = "clinic.ops_log"
OPS_LOG_KEEP = 200
#: Folder beside blobs/ that sweeps move stray files into.
QUARANTINE_DIR = "quarantine"
DEFAULT_GRACE_MINUTES = 60
#: How long a sweep waits for a client's write transaction to end.
SWEEP_LOCK_WAIT = "30s"

_HEX = frozenset("0123456789abcdef")


def _is_blob_id(name: str) -> bool:
    return len(name) == 32 and set(name) <= _HEX


# upgrade ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class UpgradeResult:
    clinic_id: str
    name: str
    from_revision: str
    to_revision: str
    other_connections: int

    @property
    def changed(self) -> bool:
        return self.from_revision != self.to_revision

    def as_dict(self) -> dict[str, Any]:
        return {
            "clinic_id": self.clinic_id,
            "name": self.name,
            "from_revision": self.from_revision,
            "to_revision": self.to_revision,
            "changed": self.changed,
            "other_connections": self.other_connections,
        }


class WriterBusy(ClinicError):
    """A client holds the writer lock: the server-side change was not made."""

    exit_code = 5  # as VaultInUse
    default_hint = (
        "Nothing was changed. Try again in a minute; for an upgrade, ask everyone to close "
        "NCII Desk first."
    )


def _log_entry(action: str, details: dict[str, Any]) -> dict[str, Any]:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (containers)
        user = str(os.getuid()) if hasattr(os, "getuid") else "unknown"
    return {
        "at": utc_now_iso(),
        "action": action,
        "os_user": user,
        "host": socket.gethostname(),
        **details,
    }


def _append_log(s: Session, entry: dict[str, Any]) -> None:
    """Inside a locked transaction: add ``entry`` to the :data:`OPS_LOG_KEY` row."""
    row = s.get(Setting, OPS_LOG_KEY)
    entries = list(row.value.get("entries", [])) if row is not None and row.value else []
    entries = [*entries, entry][-OPS_LOG_KEEP:]
    if row is None:
        s.add(Setting(key=OPS_LOG_KEY, value={"entries": entries}))
    else:
        row.value = {"entries": entries}


def ops_log(url: str) -> list[dict[str, Any]]:
    """What upgrades and sweeps recorded, oldest first."""
    engine = make_engine(url)
    try:
        with _reachable(url), Session(engine) as s:
            _read_record(s, url)
            row = s.get(Setting, OPS_LOG_KEY)
            return list(row.value.get("entries", [])) if row is not None and row.value else []
    finally:
        engine.dispose()


def upgrade_clinic(url: str) -> UpgradeResult:
    """Run this version's missing migrations on the clinic database at ``url``.

    Refuses (:class:`WriterBusy`, nothing changed) while a client holds the writer lock, and
    (:class:`MigrationError`) a database made by a newer version of NCII Desk.
    """
    engine = make_engine(url)
    try:
        with _reachable(url), Session(engine) as s, s.begin():
            if not try_lock_writers(s):
                raise WriterBusy(
                    f"A client is saving to the clinic store at {shown_url(url)} right now "
                    "(it holds the writer lock), so the upgrade did not start."
                )
            record = _read_record(s, url)
            before = record.schema_revision
            target = head_revision()
            if not known_revision(before):
                raise MigrationError(
                    f"The clinic store has schema revision {before}, which this version of "
                    f"NCII Desk does not know (its newest is {target}).",
                    "Run the upgrade with the newest version of NCII Desk; never downgrade "
                    "a clinic store.",
                )
            others = other_connections(s)
            if before != target:
                upgrade(s.connection())
                _append_log(
                    s, _log_entry("upgrade", {"from_revision": before, "to_revision": target})
                )
            # Member logins (row-level security) get their privileges on any new table.
            refresh_grants(s.connection(), record.clinic_id)
    finally:
        engine.dispose()
    return UpgradeResult(record.clinic_id, record.name, before, target, others)


# check and sweep --------------------------------------------------------------------------


@dataclass(frozen=True)
class StrayFile:
    """A file in the blob folder that no blobs row names."""

    path: str  # relative to the blob folder
    kind: str  # "unclaimed" (a whole ciphertext file) or "partial" (an interrupted write)
    size: int
    age_minutes: float
    moved_to: str | None = None  # relative to the blob folder, after a sweep
    error: str | None = None  # why a sweep could not move it

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "kind": self.kind,
            "size": self.size,
            "age_minutes": round(self.age_minutes, 1),
            "moved_to": self.moved_to,
            "error": self.error,
        }


@dataclass
class FolderReport:
    """What ``clinic-server check`` found (and, with a sweep, did)."""

    clinic_id: str
    name: str
    blobs_dir: str
    grace_minutes: float
    swept: bool
    rows: int = 0
    files: int = 0
    #: strays older than the grace period (moved, with a sweep).
    strays: list[StrayFile] = field(default_factory=list)
    #: strays younger than the grace period: perhaps a save in flight, left alone.
    recent: list[StrayFile] = field(default_factory=list)
    #: blob ids with a row and no file (evidence lost from the share: restore from backup).
    missing: list[str] = field(default_factory=list)
    #: files of blobs whose rows were dropped; the next client to open the store deletes them.
    dropped_pending: list[str] = field(default_factory=list)
    #: with ``hashes``: files whose bytes differ from the SHA-256 of the ciphertext that
    #: their row recorded (damaged or replaced on the share).
    damaged: list[str] = field(default_factory=list)
    #: with ``hashes``: how many files were hashed.
    hashed: int = 0
    #: files and folders that are not the store's (left alone).
    unknown: list[str] = field(default_factory=list)
    #: ownership and mode problems, one line each.
    permissions: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Nothing left for the administrator to do (recent strays are not problems)."""
        unmoved = [s for s in self.strays if s.moved_to is None]
        return not (unmoved or self.missing or self.damaged or self.unknown or self.permissions)

    def as_dict(self) -> dict[str, Any]:
        return {
            "clinic_id": self.clinic_id,
            "name": self.name,
            "blobs_dir": self.blobs_dir,
            "grace_minutes": self.grace_minutes,
            "swept": self.swept,
            "ok": self.ok,
            "rows": self.rows,
            "files": self.files,
            "strays": [s.as_dict() for s in self.strays],
            "recent": [s.as_dict() for s in self.recent],
            "missing": self.missing,
            "dropped_pending": self.dropped_pending,
            "damaged": self.damaged,
            "hashed": self.hashed,
            "unknown": self.unknown,
            "permissions": self.permissions,
        }


def _owned_folder(record: ClinicRecord, blobs_dir: Path | None) -> Path:
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
    return folder


def _mode_problem(rel: str, st: os.stat_result, owner_uid: int) -> list[str]:
    found = []
    if hasattr(os, "getuid") and st.st_uid != owner_uid:
        found.append(
            f"{rel}: owned by user id {st.st_uid}, not by the blob folder's owner "
            f"({owner_uid}); other clients may not be able to read it"
        )
    mode = stat.S_IMODE(st.st_mode)
    if os.name != "nt" and mode & 0o077:
        found.append(
            f"{rel}: group or others have access (mode {mode:04o}); the blob folder is "
            "meant for its one owning account only"
        )
    return found


def _walk(folder: Path) -> Iterator[tuple[str, Path, os.stat_result]]:
    """(relative name, path, lstat) of everything under the blob folder, folder first;
    links are not followed; the quarantine folder's contents are not listed."""
    stack = [folder]
    while stack:
        here = stack.pop()
        try:
            entries = sorted(here.iterdir())
        except OSError as exc:
            raise ClinicError(
                f"The blob folder {here} cannot be read ({exc.strerror or exc}).",
                "Run the check as the account that owns the clinic's blob folder.",
            ) from exc
        for path in entries:
            st = path.lstat()
            rel = path.relative_to(folder).as_posix()
            yield rel, path, st
            if stat.S_ISDIR(st.st_mode) and rel != QUARANTINE_DIR:
                stack.append(path)


@contextlib.contextmanager
def _locked_for_sweep(engine: Engine, url: str) -> Iterator[Session]:
    with _reachable(url), Session(engine) as s, s.begin():
        if not lock_writers_within(s, SWEEP_LOCK_WAIT):
            raise WriterBusy(
                f"A client kept the writer lock of the clinic store at {shown_url(url)} for "
                f"more than {SWEEP_LOCK_WAIT}, so nothing was swept."
            )
        yield s


def check_blob_folder(
    url: str,
    *,
    blobs_dir: Path | None = None,
    grace_minutes: float = DEFAULT_GRACE_MINUTES,
    sweep: bool = False,
    hashes: bool = False,
) -> FolderReport:
    """Compare the clinic's blob folder with its ``blobs`` rows (see the module text).

    Without ``sweep`` nothing is written. With it, strays older than ``grace_minutes`` move
    to ``quarantine/`` while the writer lock is held, and the sweep is logged in settings.
    With ``hashes``, every recorded file is read and its SHA-256 compared with the one its
    row holds (the hash of the ciphertext: no key needed).
    """
    if grace_minutes < 0:
        raise ClinicError("The grace period cannot be negative.", "Give --grace-minutes 0 or more.")
    engine = make_engine(url)
    try:
        with _reachable(url), Session(engine) as s:
            record = _read_record(s, url)
        folder = _owned_folder(record, blobs_dir)
        report = FolderReport(
            record.clinic_id, record.name, str(folder), grace_minutes, swept=sweep
        )
        with contextlib.ExitStack() as stack:
            if sweep:
                s = stack.enter_context(_locked_for_sweep(engine, url))
            else:
                s = stack.enter_context(Session(engine))
            rows = s.execute(select(Blob.id, Blob.cipher_sha256))
            cipher_hashes = {blob_id: digest for blob_id, digest in rows}
            known = set(cipher_hashes)
            dropped_row = s.get(Setting, DROPPED_KEY)
            value = dropped_row.value if dropped_row is not None else None
            dropped = {str(b) for b in (value or {}).get("blob_ids", [])}
            report.rows = len(known)
            moves = _survey(folder, report, known, dropped, time.time())
            if sweep and moves:
                _move_strays(folder, report, moves)
                _append_log(
                    s,
                    _log_entry(
                        "sweep",
                        {
                            "grace_minutes": grace_minutes,
                            "moved": [x.moved_to for x in report.strays if x.moved_to],
                            "failed": [x.path for x in report.strays if x.error],
                        },
                    ),
                )
        if hashes:
            _compare_hashes(folder, report, cipher_hashes)
    finally:
        engine.dispose()
    return report


def _compare_hashes(folder: Path, report: FolderReport, expected: dict[str, str]) -> None:
    """Outside the lock (reads can take long): every present recorded file, hashed."""
    missing = set(report.missing)
    for blob_id in sorted(expected):
        if blob_id in missing:
            continue
        rel = f"{BLOBS_DIR}/{blob_id[:2]}/{blob_id}"
        digest = hashlib.sha256()
        try:
            with open(folder / rel, "rb") as fh:
                while block := fh.read(1024 * 1024):
                    digest.update(block)
        except FileNotFoundError:
            continue  # dropped since the survey
        report.hashed += 1
        if not hmac.compare_digest(digest.hexdigest(), expected[blob_id]):
            report.damaged.append(rel)


def _survey(
    folder: Path, report: FolderReport, known: set[str], dropped: set[str], now: float
) -> list[tuple[int, Path]]:
    """Fill ``report``; returns (index in report.strays, path) of the files a sweep moves."""
    owner_uid = folder.stat().st_uid
    report.permissions.extend(_mode_problem(".", folder.stat(), owner_uid))
    present: set[str] = set()
    moves: list[tuple[int, Path]] = []
    for rel, path, st in _walk(folder):
        report.permissions.extend(_mode_problem(rel, st, owner_uid))
        parts = rel.split("/")
        if stat.S_ISLNK(st.st_mode):
            report.unknown.append(f"{rel} (a link)")
            continue
        if parts[0] == QUARANTINE_DIR or rel == CLINIC_ID_FILE:
            continue
        if stat.S_ISDIR(st.st_mode):
            in_blobs = len(parts) == 2 and parts[0] == BLOBS_DIR
            if rel != BLOBS_DIR and not (in_blobs and len(parts[1]) == 2 and set(parts[1]) <= _HEX):
                report.unknown.append(rel)
            continue
        if parts[0] != BLOBS_DIR or len(parts) != 3:
            report.unknown.append(rel)
            continue
        name = parts[2]
        report.files += 1
        partial = name.startswith(TEMP_PREFIX) and _is_blob_id(name[len(TEMP_PREFIX) :])
        if not partial and not (_is_blob_id(name) and parts[1] == name[:2]):
            report.unknown.append(rel)
            continue
        blob_id = name[len(TEMP_PREFIX) :] if partial else name
        if not partial and blob_id in known:
            present.add(blob_id)
            continue
        if not partial and blob_id in dropped:
            report.dropped_pending.append(rel)
            continue
        age = max(0.0, (now - st.st_mtime) / 60)
        stray = StrayFile(rel, "partial" if partial else "unclaimed", st.st_size, age)
        if age >= report.grace_minutes:
            moves.append((len(report.strays), path))
            report.strays.append(stray)
        else:
            report.recent.append(stray)
    report.missing = sorted(known - present)
    return moves


def _move_strays(folder: Path, report: FolderReport, moves: list[tuple[int, Path]]) -> None:
    quarantine = folder / QUARANTINE_DIR
    make_private_dir(quarantine)
    stamp = utc_now_iso().replace(":", "")
    for index, path in moves:
        stray = report.strays[index]
        name = path.name
        if name.startswith(TEMP_PREFIX):
            name = "partial-" + name[len(TEMP_PREFIX) :]
        dest = quarantine / f"{stamp}-{name}"
        try:
            if dest.exists():
                raise FileExistsError(f"{dest.name} is already in quarantine")
            path.replace(dest)
        except OSError as exc:
            report.strays[index] = _replace(stray, error=str(exc.strerror or exc))
            continue
        report.strays[index] = _replace(stray, moved_to=dest.relative_to(folder).as_posix())
    fsync_dir(quarantine)


def _replace(stray: StrayFile, **changes: Any) -> StrayFile:
    from dataclasses import replace

    return replace(stray, **changes)
