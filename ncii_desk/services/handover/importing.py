"""Importing a verified hand-over file: stored files in resumable batches, then the rows
and audit events in one transaction."""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Table, select, update
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.orm import Session

from ncii_desk.clinic.auditseal import imported_row
from ncii_desk.clinic.sealing import insert_rows
from ncii_desk.errors import Cancelled, CaseExists, HandoverCorrupt
from ncii_desk.services.cases import cases_labelled, find_case
from ncii_desk.services.handover.rows import (
    BLOB_COLUMNS,
    BLOB_PIECE,
    LOCAL_ID_TABLES,
    REF_COLUMNS,
    _decode_row,
)
from ncii_desk.services.handover.verify import (
    HandoverInfo,
    ImportResult,
    _bad,
    _frames,
    _json,
    verify_file,
)
from ncii_desk.services.jobs import Job
from ncii_desk.vault import handover_format as fmt
from ncii_desk.vault.blobs import BlobInfo
from ncii_desk.vault.models import (
    Blob,
    Case,
    EvidenceItem,
    ImportedAuditEvent,
    Setting,
    new_id,
)
from ncii_desk.vault.store import CaseStore

IMPORTED_ACTION = "case.imported"
IMPORT_STARTED_ACTION = "case.import_started"
PARTIAL_DISCARDED_ACTION = "case.import_partial_discarded"
#: Setting that lists the stored files an unfinished import has committed so far.
PARTIAL_KEY = "handover.partial_import"
#: The columns of a sender's audit event kept with an imported case.
_IMPORTED_EVENT_COLUMNS = (
    "seq",
    "at",
    "actor",
    "action",
    "object_id",
    "details",
    "prev_mac",
    "mac",
)
#: Stored files committed per transaction while an import writes them: what an interrupted
#: import keeps, so a second run does not write them again.
RESUME_BATCH_FILES = 16
RESUME_BATCH_BYTES = 64 * 1024 * 1024


class _BlobSource:
    """A file-like reader over the ``D`` frames of one stored file, up to its ``E``."""

    def __init__(self, frames: Iterator[tuple[bytes, bytes]], stream: Any) -> None:
        self._frames = frames
        self._stream = stream
        self._buffer = b""
        self.done = False

    def read(self, size: int = -1) -> bytes:
        while not self.done and (size < 0 or len(self._buffer) < size):
            try:
                kind, payload = next(self._frames)
            except StopIteration:
                raise _bad("a stored file is cut short") from None
            self._stream.update(fmt.frame_bytes(kind, payload))
            if kind == b"E":
                self.done = True
            elif kind == b"D":
                self._buffer += payload
            else:
                raise _bad("a stored file is cut short")
        if size < 0:
            size = len(self._buffer)
        out, self._buffer = self._buffer[:size], self._buffer[size:]
        return out


def _copy_label(s: Session, label: str) -> str:
    n = 1
    while True:
        candidate = f"{label} (copy {n})" if n > 1 else f"{label} (copy)"
        if not cases_labelled(s, candidate, exact=True):
            return candidate
        n += 1


@dataclass
class _Partial:
    """The stored files an unfinished import of one hand-over file has committed."""

    manifest_sha256: str
    blobs: dict[str, dict[str, str]]  # sender's blob id -> {"blob_id", "sha256"}

    def value(self) -> dict[str, Any]:
        return {"manifest_sha256": self.manifest_sha256, "blobs": self.blobs}


def _read_partial(s: Session) -> _Partial | None:
    setting = s.get(Setting, PARTIAL_KEY)
    if setting is None or not isinstance(setting.value, dict):
        return None
    blobs = setting.value.get("blobs")
    return _Partial(
        str(setting.value.get("manifest_sha256", "")),
        dict(blobs) if isinstance(blobs, dict) else {},
    )


def _write_partial(s: Session, partial: _Partial | None) -> None:
    setting = s.get(Setting, PARTIAL_KEY)
    if partial is None:
        if setting is not None:
            s.delete(setting)
    elif setting is None:
        s.add(Setting(key=PARTIAL_KEY, value=partial.value()))
    else:
        setting.value = partial.value()


def discard_partial_import(vault: CaseStore) -> int:
    """Delete the stored files of an unfinished import (audited); returns how many."""
    with vault.transaction() as s:
        partial = _read_partial(s)
        if partial is None:
            return 0
        for entry in partial.blobs.values():
            vault.drop_blob(s, entry["blob_id"])
        _write_partial(s, None)
        vault.audit(
            s,
            PARTIAL_DISCARDED_ACTION,
            None,
            {"manifest_sha256": partial.manifest_sha256, "blobs": len(partial.blobs)},
        )
    return len(partial.blobs)


def _usable_partial(vault: CaseStore, info: HandoverInfo) -> dict[str, dict[str, str]]:
    """The stored files an earlier, interrupted import of this same file committed (each
    still present with its SHA-256); an unfinished import of another file is deleted."""
    with vault.session() as s:
        partial = _read_partial(s)
        if partial is None:
            return {}
        if partial.manifest_sha256 != info.manifest_sha256:
            partial = None
        else:
            rows = {b.id: b for b in s.scalars(select(Blob))} if partial.blobs else {}
            usable = {
                k: v
                for k, v in partial.blobs.items()
                if v.get("blob_id") in rows and rows[v["blob_id"]].sha256 == v.get("sha256")
            }
    if partial is None:
        discard_partial_import(vault)
        return {}
    return usable


def _drain(source: _BlobSource) -> str:
    """Read one stored file's pieces without writing them; its SHA-256."""
    digest = hashlib.sha256()
    while block := source.read(BLOB_PIECE):
        digest.update(block)
    return digest.hexdigest()


def _store_blobs(
    vault: CaseStore,
    path: Path,
    passphrase: str | None,
    info: HandoverInfo,
    staged: dict[str, dict[str, str]],
    job: Job,
) -> int:
    """First write pass: every stored file not yet committed by an earlier run, committed in
    batches and listed in the partial-import setting (``staged`` is updated as they are).
    Returns how many were already there."""
    reused = 0
    pending: list[tuple[str, BlobInfo]] = []
    started = bool(staged)
    # The case and its key do not exist before the last transaction: the files go under the
    # store's own key here, and under the case's key there (_under_case_key).
    first_pass = vault.case_blobs(None)

    def commit() -> None:
        nonlocal started
        if not pending:
            return
        first_pass.sync()
        with vault.transaction() as s:
            for announced_id, blob_info in pending:
                vault.store_blob(s, blob_info)
                staged[announced_id] = {"blob_id": blob_info.blob_id, "sha256": blob_info.sha256}
            _write_partial(s, _Partial(info.manifest_sha256, staged))
            if not started:
                vault.audit(
                    s,
                    IMPORT_STARTED_ACTION,
                    None,
                    {
                        "manifest_sha256": info.manifest_sha256,
                        "sender_fingerprint": info.sender_fingerprint,
                        "blobs": info.blobs,
                    },
                )
                started = True
        pending.clear()

    try:
        with _frames(vault, path, passphrase) as (_header, frames):
            ignored = hashlib.sha256()
            pending_bytes = 0
            for kind, payload in frames:
                if kind == b"R":
                    break  # every stored file comes before the rows
                if kind != b"B":
                    continue
                announced = _json(payload)
                announced_id = str(announced.get("id"))
                source = _BlobSource(frames, ignored)
                if announced_id in staged:
                    if _drain(source) != staged[announced_id]["sha256"]:
                        raise HandoverCorrupt("A stored file changed while it was imported.")
                    reused += 1
                else:
                    job.raise_if_cancelled()
                    blob_info = first_pass.put_stream(source, durable=False)
                    pending.append((announced_id, blob_info))
                    pending_bytes += blob_info.size
                    if not source.done or blob_info.sha256 != announced.get("sha256"):
                        raise HandoverCorrupt("A stored file changed while it was imported.")
                    if len(pending) >= RESUME_BATCH_FILES or pending_bytes >= RESUME_BATCH_BYTES:
                        commit()
                        pending_bytes = 0
                job.progress(len(staged) + len(pending), info.blobs, "storing files")
            commit()
    except BaseException:
        for _announced_id, blob_info in pending:  # written, never committed
            with contextlib.suppress(OSError):
                vault.blobs.delete(blob_info.blob_id)
        raise
    return reused


@contextlib.contextmanager
def _deleted_on_failure(vault: CaseStore, blob_ids: list[str]) -> Iterator[None]:
    """Files of ``blob_ids`` deleted when the block fails (their rows were never committed)."""
    try:
        yield
    except BaseException:
        for blob_id in blob_ids:
            with contextlib.suppress(OSError):
                vault.blobs.delete(blob_id)
        raise


def _under_case_key(
    vault: CaseStore,
    s: Session,
    case_id: str,
    blob_map: dict[str, str],
    job: Job,
    rekeyed: list[str],
) -> None:
    """Inside the import's last transaction, right after the case row (and so its key) went
    in: on a clinic store, each stored file of the first pass is encrypted again under the
    case's key as a new blob, ``blob_map`` names the new blobs, and the first-pass blobs
    are dropped with the transaction (a store with one blob key has nothing to do)."""
    target = vault.case_blobs(case_id, s)
    if target is vault.case_blobs(None) or not blob_map:
        return
    from ncii_desk.hashing.index_store import ChunkReader

    moved: list[tuple[str, str, BlobInfo]] = []  # (announced id, first-pass blob, new blob)
    try:
        for n, (announced_id, blob_id) in enumerate(sorted(blob_map.items()), 1):
            job.raise_if_cancelled()
            row = s.get(Blob, blob_id)
            if row is None:
                raise HandoverCorrupt("A stored file of this import is no longer in the store.")
            plain = vault.blobs_of(row).stream(row.id, vault.blob_info(row))
            info = target.put_stream(ChunkReader(plain), durable=False)
            moved.append((announced_id, blob_id, info))
            rekeyed.append(info.blob_id)
            if info.sha256 != row.sha256:
                raise HandoverCorrupt("A stored file changed while it was imported.")
            job.progress(n, len(blob_map), "encrypting stored files with the case's key")
        target.sync()  # durable before a row names them
    except BaseException:
        for _announced, _old, info in moved:
            with contextlib.suppress(OSError):
                target.delete(info.blob_id)
        raise
    for announced_id, blob_id, info in moved:
        vault.store_blob(s, info)
        blob_map[announced_id] = info.blob_id
        vault.drop_blob(s, blob_id)


def import_case(
    vault: CaseStore,
    path: Path,
    *,
    passphrase: str | None = None,
    as_copy: bool = False,
    confirm: Callable[[HandoverInfo], bool] | None = None,
    job: Job | None = None,
) -> ImportResult:
    """Verify ``path`` completely, ask ``confirm`` (the fingerprint comparison), then add
    the case. Nothing of the case is visible unless every check passed: its stored files
    are committed first (kept for a second run if the import is interrupted), its rows and
    audit history in one transaction at the end."""
    job = job or Job()
    path = path.expanduser().resolve()
    info = verify_file(vault, path, passphrase=passphrase, job=job)
    with vault.session() as s:
        clash = s.get(Case, info.case_id) is not None
        label_clash = bool(cases_labelled(s, info.case_label, exact=True))
    if (clash or label_clash) and not as_copy:
        what = "id" if clash else f"label '{info.case_label}'"
        raise CaseExists(
            f"A case with this {what} is already in this vault (imported before, or the "
            "same case).",
            "Import it again with --as-copy to add it as a separate copy with new ids.",
        )
    if confirm is not None and not confirm(info):
        raise Cancelled(
            "The import was stopped before anything was written: the sender's fingerprint "
            "was not confirmed.",
            "Compare the fingerprint with the sender by phone, then import again.",
        )
    job.raise_if_cancelled()
    import_id = new_id()
    id_map: dict[str, str] = {}

    def ref(old: str) -> str:
        if not as_copy:
            return old
        return id_map.setdefault(old, new_id())

    staged = _usable_partial(vault, info)
    try:
        reused = _store_blobs(vault, path, passphrase, info, staged, job)
        blob_map = {k: v["blob_id"] for k, v in staged.items()}
        rekeyed: list[str] = []
        with (
            _deleted_on_failure(vault, rekeyed),
            vault.transaction() as s,
            _frames(vault, path, passphrase) as (_header, frames),
        ):
            stream = hashlib.sha256()
            label = info.case_label
            new_case_id = ref(info.case_id)
            duplicates: list[tuple[str, str]] = []
            manifest_bytes = b""
            for kind, payload in frames:
                if kind == b"M":
                    manifest_bytes = payload
                    continue
                if kind == b"S":
                    continue
                stream.update(fmt.frame_bytes(kind, payload))
                if kind == b"B":
                    announced = _json(payload)
                    entry = staged.get(str(announced.get("id")))
                    digest = _drain(_BlobSource(frames, stream))
                    if (
                        entry is None
                        or digest != entry["sha256"]
                        or digest != announced.get("sha256")
                    ):
                        raise HandoverCorrupt("A stored file changed while it was imported.")
                elif kind == b"R":
                    table, row = _decode_row(_json(payload))
                    if table.name not in LOCAL_ID_TABLES and "id" in row:
                        row["id"] = ref(str(row["id"]))
                    for column in REF_COLUMNS & set(row):
                        if row[column] is not None:
                            row[column] = ref(str(row[column]))
                    for tname, column in BLOB_COLUMNS:
                        if tname == table.name and row.get(column) is not None:
                            row[column] = blob_map[str(row[column])]
                    if table.name == "removal_requests" and as_copy:
                        row["item_ids"] = [ref(str(i)) for i in row.get("item_ids") or []]
                    if table.name == "cases" and as_copy:
                        label = row["label"] = _copy_label(s, str(row["label"]))
                    if table.name == "items" and row.get("duplicate_of") is not None:
                        duplicates.append((row["id"], row["duplicate_of"]))
                        row["duplicate_of"] = None
                    insert_rows(s, table, [row])
                    if table.name == "cases":
                        _under_case_key(vault, s, new_case_id, blob_map, job, rekeyed)
                elif kind == b"A":
                    ev = _json(payload)
                    columns = {
                        "import_id": import_id,
                        "case_id": new_case_id,
                        "sender_vault_id": info.sender_vault_id,
                        "sender_fingerprint": info.sender_fingerprint,
                        **{k: ev.get(k) for k in _IMPORTED_EVENT_COLUMNS},
                    }
                    # Actor and details sealed with the new case's key on a clinic store.
                    s.add(ImportedAuditEvent(**imported_row(s, new_case_id, columns)))
            items = cast(Table, EvidenceItem.__table__)
            for item_id, target in duplicates:
                s.execute(update(items).where(items.c.id == item_id).values(duplicate_of=target))
            if (
                stream.hexdigest() != info.manifest.get("stream_sha256")
                or hashlib.sha256(manifest_bytes).hexdigest() != info.manifest_sha256
            ):
                raise HandoverCorrupt(
                    "The hand-over file changed while it was being imported; nothing was imported.",
                    "Make sure no other program writes the file, then import again.",
                )
            job.raise_if_cancelled()
            _write_partial(s, None)
            vault.audit(
                s,
                IMPORTED_ACTION,
                new_case_id,
                {
                    "import_id": import_id,
                    "sender_fingerprint": info.sender_fingerprint,
                    "sender_vault_id": info.sender_vault_id,
                    "sender_case_id": info.case_id,
                    "as_copy": as_copy,
                    "counts": info.counts,
                    "blobs": info.blobs,
                    "resumed_blobs": reused,
                    "audit_events": info.audit_events,
                    "hashes_only": info.hashes_only,
                    "manifest_sha256": info.manifest_sha256,
                },
            )
    except SQLAlchemyError as exc:
        if isinstance(exc, DBAPIError) and "database is locked" in str(exc):
            raise  # nothing is wrong with the file: a second run goes on from here
        discard_partial_import(vault)
        raise HandoverCorrupt(
            "The hand-over file's records do not fit this vault (a record that is already "
            "here, or one that points to nothing); nothing was imported.",
            "If the case was imported before, import it with --as-copy; otherwise ask the "
            "sender for a fresh export.",
        ) from None
    except (HandoverCorrupt, Cancelled):
        discard_partial_import(vault)  # kept only for a run that was cut short
        raise
    return ImportResult(info, new_case_id, label, as_copy, import_id, reused)


def imported_history(vault: CaseStore, case_ref: str) -> list[dict[str, Any]]:
    """The sender's audit events received with a case, oldest first."""
    with vault.session() as s:
        case_id = find_case(s, case_ref).id
        rows = s.scalars(
            select(ImportedAuditEvent)
            .where(ImportedAuditEvent.case_id == case_id)
            .order_by(ImportedAuditEvent.id)
        )
        return [
            {
                "import_id": r.import_id,
                "sender_fingerprint": r.sender_fingerprint,
                "seq": r.seq,
                "at": r.at,
                "actor": r.actor,
                "action": r.action,
                "object_id": r.object_id,
                "details": r.details,
            }
            for r in rows
        ]
