"""Case hand-over: export one case into a single encrypted, signed file, import it elsewhere.

The file format (encryption, chunks, frames) is in ``vault/handover_format.py``. This module
decides what goes in and how it comes out:

* Frames, in order: the case's blobs (``B`` start, ``D`` data pieces, ``E`` end), then its
  rows table by table (``R``), then the sender's audit events about the case (``A``), then
  the manifest (``M``) and the sender vault's Ed25519 signature over it (``S``, the vault's
  packet-signing key). The manifest holds the SHA-256 of every frame before it, the header's
  SHA-256 (so it is bound to this encryption), counts, every blob's SHA-256 and the sender's
  signing key and fingerprint.
* A suspected-minor case (or item) carries hashes only: no blob of it is written, its items
  say ``pixels_kept = false``.
* Import reads the whole file once to verify every chunk, the manifest and the signature
  without writing anything; the user then compares the sender's fingerprint; a second read
  writes blobs and rows in one database transaction, checking that the stream is the one
  verified. Stored files are written first, committed in batches and listed in the
  ``handover.partial_import`` setting; the rows, the sender's audit events and the import's
  own audit event follow in one transaction that also clears that list. A process killed
  mid-way leaves no row of the case: running the same file again goes on from the stored
  files already committed (each checked against the verified file's SHA-256); importing a
  different file first deletes them. Any other failure deletes the files written.
"""

from __future__ import annotations

import contextlib
import enum
import hashlib
import json
import os
import secrets
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO, cast

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import Table, insert, select, update
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.orm import Session

from ncii_desk.documents import packet_seal
from ncii_desk.errors import Cancelled, CaseExists, HandoverCorrupt, InvalidSetting
from ncii_desk.hardening import create_private_file
from ncii_desk.services.cases import find_case
from ncii_desk.services.jobs import Job
from ncii_desk.vault import handover_format as fmt
from ncii_desk.vault.atomic import TEMP_PREFIX, fsync_dir
from ncii_desk.vault.blobs import BlobInfo
from ncii_desk.vault.keys import (
    KdfParams,
    b64d,
    canonical_json,
    check_passphrase_strength,
    tune_kdf,
)
from ncii_desk.vault.models import (
    Analysis,
    AuditEvent,
    Blob,
    Capture,
    Case,
    EvidenceItem,
    FaceReference,
    HashRecord,
    ImportedAuditEvent,
    Match,
    Recheck,
    RemovalRequest,
    Setting,
    new_id,
)
from ncii_desk.vault.store import CaseStore

RecipientKey = fmt.RecipientKey
SIGNED_PREFIX = b"ncii-desk case hand-over manifest v1\n"
MANIFEST_FORMAT = "ncii-desk-case-handover-manifest"
EXPORTED_ACTION = "case.exported"
IMPORTED_ACTION = "case.imported"
IMPORT_STARTED_ACTION = "case.import_started"
PARTIAL_DISCARDED_ACTION = "case.import_partial_discarded"
#: Setting that lists the stored files an unfinished import has committed so far.
PARTIAL_KEY = "handover.partial_import"
#: Stored files committed per transaction while an import writes them: what an interrupted
#: import keeps, so a second run does not write them again.
RESUME_BATCH_FILES = 16
RESUME_BATCH_BYTES = 64 * 1024 * 1024
BLOB_PIECE = 256 * 1024

#: Every table keyed to a case, in an order where each row's references come before it.
CASE_TABLES: tuple[Table, ...] = tuple(
    cast(Table, m.__table__)
    for m in (
        Case,
        Capture,
        EvidenceItem,
        HashRecord,
        Analysis,
        Match,
        RemovalRequest,
        Recheck,
        FaceReference,
    )
)
#: Columns that hold a blob id (renamed on import: the receiving vault names its own blobs).
BLOB_COLUMNS = {
    ("items", "blob_id"),
    ("captures", "warc_blob_id"),
    ("removal_requests", "document_blob_id"),
}
#: Columns that name a row of the case (renamed for --as-copy).
REF_COLUMNS = {
    "case_id",
    "item_id",
    "capture_id",
    "duplicate_of",
    "suspect_item_id",
    "target_item_id",
    "analysis_id",
}
#: Tables whose integer ids the receiving vault assigns (they are not carried).
LOCAL_ID_TABLES = {"hashes"}


# --- keys and fingerprints --------------------------------------------------------------------


def public_key(vault: CaseStore) -> RecipientKey:
    """This vault's hand-over public key (X25519), to give to senders."""
    private = fmt.derive_recipient_key(vault.export_key, uuid.UUID(vault.vault_id).bytes)
    return RecipientKey(fmt.raw_x25519_public(private.public_key()), vault.vault_id)


def signing_fingerprint(vault: CaseStore) -> str:
    """The fingerprint of this vault's signing key, which signs its hand-over files."""
    return packet_seal.public_info(
        packet_seal.derive_key(vault.export_key, vault.vault_id)
    ).fingerprint


def read_recipient_key(path: Path) -> RecipientKey:
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidSetting(
            f"The recipient key file {path} could not be read ({exc}).",
            "Give the .pub file the recipient made with 'ncii-desk vault pubkey --out FILE'.",
        ) from None
    return RecipientKey.from_text(text)


# --- rows as JSON -------------------------------------------------------------------------


def _encode_row(table: Table, row: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    dts: list[str] = []
    for name, value in row.items():
        if isinstance(value, datetime):
            dts.append(name)
            out[name] = value.isoformat()
        elif isinstance(value, enum.Enum):
            out[name] = value.value
        else:
            out[name] = value
    return {"t": table.name, "r": out, "dt": dts}


def _decode_row(payload: dict[str, Any]) -> tuple[Table, dict[str, Any]]:
    table = _TABLES_BY_NAME.get(str(payload.get("t")))
    row = payload.get("r")
    if table is None or not isinstance(row, dict):
        raise HandoverCorrupt("The hand-over file holds a record of an unknown kind.")
    try:
        for name in payload.get("dt", []):
            if row.get(name) is not None:
                row[name] = datetime.fromisoformat(row[name])
        for column in table.columns:
            enum_class = getattr(column.type, "enum_class", None)
            if enum_class is not None and row.get(column.name) is not None:
                row[column.name] = enum_class(row[column.name])
    except (TypeError, ValueError):
        raise HandoverCorrupt(
            f"The hand-over file holds a {table.name} record with a value of the wrong kind."
        ) from None
    unknown = set(row) - {c.name for c in table.columns}
    if unknown:
        raise HandoverCorrupt(
            f"The hand-over file has columns this version does not know ({sorted(unknown)[0]}).",
            "Update NCII Desk to the sender's version and import again.",
        )
    return table, row


_TABLES_BY_NAME = {t.name: t for t in CASE_TABLES}
#: Which table each reference column points into (all of them inside the file).
_REF_TARGETS = {
    "case_id": "cases",
    "item_id": "items",
    "suspect_item_id": "items",
    "target_item_id": "items",
    "duplicate_of": "items",
    "capture_id": "captures",
    "analysis_id": "analyses",
}


# --- export --------------------------------------------------------------------------------


@dataclass
class ExportResult:
    case_id: str
    path: Path
    counts: dict[str, int]
    blobs: int
    audit_events: int
    hashes_only: bool
    recipient: str  # recipient key fingerprint, or "passphrase"
    manifest_sha256: str
    file_sha256: str
    size: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "case_id": self.case_id,
            "path": str(self.path),
            "counts": self.counts,
            "blobs": self.blobs,
            "audit_events": self.audit_events,
            "hashes_only": self.hashes_only,
            "recipient": self.recipient,
            "manifest_sha256": self.manifest_sha256,
            "file_sha256": self.file_sha256,
            "size": self.size,
        }


class _HashingWriter:
    def __init__(self, fh: BinaryIO) -> None:
        self.fh = fh
        self.sha = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> int:
        self.sha.update(data)
        self.size += len(data)
        return self.fh.write(data)


def _case_filters(table: Table, case_id: str, item_ids: Any) -> Any:
    if "case_id" in table.c:
        return table.c.case_id == case_id
    if table.name == "cases":
        return table.c.id == case_id
    return table.c.item_id.in_(item_ids)


def _exported_blobs(s: Session, case: Case) -> list[Blob]:
    """The blobs that may leave: none for a suspected-minor case, never a minor item's."""
    if case.suspected_minor:
        return []
    ids: set[str] = set()
    for item in s.scalars(select(EvidenceItem).where(EvidenceItem.case_id == case.id)):
        if item.blob_id and item.pixels_kept and not item.suspected_minor:
            ids.add(item.blob_id)
    ids.update(
        b for b in s.scalars(select(Capture.warc_blob_id).where(Capture.case_id == case.id)) if b
    )
    ids.update(
        b
        for b in s.scalars(
            select(RemovalRequest.document_blob_id).where(RemovalRequest.case_id == case.id)
        )
        if b
    )
    return list(s.scalars(select(Blob).where(Blob.id.in_(ids)).order_by(Blob.id)))


def export_case(
    vault: CaseStore,
    case_ref: str,
    out: Path,
    *,
    recipient: RecipientKey | None = None,
    passphrase: str | None = None,
    kdf: KdfParams | None = None,
    job: Job | None = None,
) -> ExportResult:
    """Write ``case_ref`` to the new file ``out``, encrypted to ``recipient`` or ``passphrase``."""
    job = job or Job()
    if (recipient is None) == (passphrase is None):
        raise InvalidSetting(
            "Choose one way to protect the file: a recipient's public key or a passphrase.",
            "Use --to RECIPIENT.pub, or --passphrase.",
        )
    out = out.expanduser().resolve()
    if out.exists():
        raise InvalidSetting(f"{out} already exists; the export will not overwrite a file.")
    if not out.parent.is_dir():
        raise InvalidSetting(f"The folder {out.parent} does not exist.")
    if passphrase is not None:
        check_passphrase_strength(passphrase)
        kdf = kdf or tune_kdf()
    signer = packet_seal.derive_key(vault.export_key, vault.vault_id)
    signer_info = packet_seal.public_info(signer)
    tmp = out.parent / f"{TEMP_PREFIX}{out.name}.{secrets.token_hex(4)}"
    counts: dict[str, int] = {}
    blob_list: list[dict[str, Any]] = []
    audit_count = 0
    try:
        with create_private_file(tmp) as raw, vault.session() as s:
            fh = _HashingWriter(raw)
            writer = (
                fmt.Writer.to_recipient(fh, recipient)
                if recipient is not None
                else fmt.Writer.with_passphrase(fh, passphrase or "", kdf or tune_kdf())
            )
            case = find_case(s, case_ref)
            case_id, minor = case.id, case.suspected_minor
            blobs = _exported_blobs(s, case)
            kept = {b.id for b in blobs}
            for n, blob in enumerate(blobs, 1):
                job.raise_if_cancelled()
                writer.frame(
                    b"B", canonical_json({"id": blob.id, "size": blob.size, "sha256": blob.sha256})
                )
                for part in vault.blobs.stream(blob.id, vault.blob_info(blob)):
                    for i in range(0, len(part), BLOB_PIECE):
                        writer.frame(b"D", part[i : i + BLOB_PIECE])
                writer.frame(b"E", b"")
                blob_list.append({"id": blob.id, "size": blob.size, "sha256": blob.sha256})
                job.progress(n, len(blobs), "encrypting stored files")
            item_ids = select(EvidenceItem.id).where(EvidenceItem.case_id == case_id)
            in_case: set[str] = set(s.scalars(item_ids))
            analyses = set(s.scalars(select(Analysis.id).where(Analysis.item_id.in_(item_ids))))
            object_ids: set[str] = {case_id} | in_case
            for table in CASE_TABLES:
                n_rows = 0
                query = select(table).where(_case_filters(table, case_id, item_ids))
                rows = s.execute(query.order_by(table.c.id).execution_options(yield_per=500))
                for row in rows:
                    data = dict(row._mapping)
                    _cut_outside_refs(table.name, data, kept, in_case, analyses)
                    if table.name in LOCAL_ID_TABLES:
                        data.pop("id")
                    elif isinstance(data.get("id"), str):
                        object_ids.add(data["id"])
                    writer.frame(b"R", canonical_json(_encode_row(table, data)))
                    n_rows += 1
                counts[table.name] = n_rows
            events = select(AuditEvent).order_by(AuditEvent.seq).execution_options(yield_per=500)
            for ev in s.scalars(events):
                if ev.object_id in object_ids or case_id in ev.details:
                    writer.frame(
                        b"A",
                        canonical_json(
                            {
                                "seq": ev.seq,
                                "at": ev.at,
                                "actor": ev.actor,
                                "action": ev.action,
                                "object_id": ev.object_id,
                                "details": ev.details,
                                "prev_mac": ev.prev_mac,
                                "mac": ev.mac,
                            }
                        ),
                    )
                    audit_count += 1
            recipient_text = recipient.fingerprint if recipient is not None else "passphrase"
            manifest = {
                "format": MANIFEST_FORMAT,
                "version": 1,
                "case_id": case_id,
                "suspected_minor": minor,
                "hashes_only": minor,
                "created_at": datetime.now(UTC).isoformat(),
                "sender": {
                    "vault_id": vault.vault_id,
                    "actor": vault.actor,
                    "signing_key": signer_info.public_key_b64,
                    "fingerprint": signer_info.fingerprint,
                },
                "recipient": recipient_text,
                "header_sha256": writer.header.sha256,
                "counts": counts,
                "blobs": blob_list,
                "audit_events": audit_count,
                "stream_sha256": writer.plain_hash.hexdigest(),
            }
            manifest_bytes = canonical_json(manifest)
            writer.frame(b"M", manifest_bytes)
            writer.frame(b"S", signer.sign(SIGNED_PREFIX + manifest_bytes))
            writer.close()
            raw.flush()
            os.fsync(raw.fileno())
        job.raise_if_cancelled()
        os.replace(tmp, out)
        fsync_dir(out.parent)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
    manifest_sha = hashlib.sha256(manifest_bytes).hexdigest()
    result = ExportResult(
        case_id=case_id,
        path=out,
        counts=counts,
        blobs=len(blob_list),
        audit_events=audit_count,
        hashes_only=minor,
        recipient=recipient_text,
        manifest_sha256=manifest_sha,
        file_sha256=fh.sha.hexdigest(),
        size=fh.size,
    )
    with vault.transaction() as s:
        vault.audit(
            s,
            EXPORTED_ACTION,
            case_id,
            {
                "recipient": recipient_text,
                "counts": counts,
                "blobs": len(blob_list),
                "audit_events": audit_count,
                "hashes_only": minor,
                "manifest_sha256": manifest_sha,
                "file_sha256": result.file_sha256,
            },
        )
    return result


def _cut_outside_refs(
    table: str, row: dict[str, Any], kept: set[str], items: set[str], analyses: set[str]
) -> None:
    """References that cannot travel (another case's rows, blobs left out) become empty."""
    for tname, column in BLOB_COLUMNS:
        if tname == table and row.get(column) is not None and row[column] not in kept:
            row[column] = None
            if table == "items":
                row["pixels_kept"] = False
    for column in ("duplicate_of", "target_item_id", "suspect_item_id"):
        if row.get(column) is not None and row[column] not in items:
            row[column] = None
    if row.get("analysis_id") is not None and row["analysis_id"] not in analyses:
        row["analysis_id"] = None


# --- import --------------------------------------------------------------------------------


@dataclass
class HandoverInfo:
    """What a verified hand-over file holds (shown before anything is written)."""

    case_id: str
    case_label: str
    sender_fingerprint: str
    sender_vault_id: str
    sender_actor: str
    created_at: str
    counts: dict[str, int]
    blobs: int
    audit_events: int
    hashes_only: bool
    manifest_sha256: str
    manifest: dict[str, Any] = field(repr=False, default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "case_id": self.case_id,
            "case_label": self.case_label,
            "sender_fingerprint": self.sender_fingerprint,
            "sender_vault_id": self.sender_vault_id,
            "sender_actor": self.sender_actor,
            "created_at": self.created_at,
            "counts": self.counts,
            "blobs": self.blobs,
            "audit_events": self.audit_events,
            "hashes_only": self.hashes_only,
            "manifest_sha256": self.manifest_sha256,
        }


@dataclass
class ImportResult:
    info: HandoverInfo
    case_id: str
    label: str
    as_copy: bool
    import_id: str
    #: Stored files an earlier, interrupted run of the same file had already committed.
    resumed_blobs: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.info.as_dict(),
            "imported_case_id": self.case_id,
            "imported_label": self.label,
            "as_copy": self.as_copy,
            "import_id": self.import_id,
            "resumed_blobs": self.resumed_blobs,
        }


def _file_key(vault: CaseStore, header: fmt.Header, passphrase: str | None) -> bytes:
    if passphrase is not None:
        return fmt.open_passphrase(header, passphrase)
    private = fmt.derive_recipient_key(vault.export_key, uuid.UUID(vault.vault_id).bytes)
    return fmt.open_x25519(header, private)


@contextlib.contextmanager
def _frames(
    vault: CaseStore, path: Path, passphrase: str | None
) -> Iterator[tuple[fmt.Header, Iterator[tuple[bytes, bytes]]]]:
    try:
        fh = open(path, "rb")  # noqa: SIM115 - closed below
    except OSError as exc:
        raise InvalidSetting(
            f"The hand-over file {path} could not be opened: {exc.strerror}.",
            "Check the path of the .ncii file.",
        ) from None
    with fh:
        header = fmt.read_header(fh)
        key = _file_key(vault, header, passphrase)
        yield header, fmt.iter_frames(fmt.decrypt_chunks(fh, header, key))


def _bad(what: str) -> HandoverCorrupt:
    return HandoverCorrupt(f"The hand-over file is not well formed: {what}.")


def _json(payload: bytes) -> dict[str, Any]:
    try:
        value = json.loads(payload)
    except ValueError:
        raise _bad("a record is not readable") from None
    if not isinstance(value, dict):
        raise _bad("a record is not readable")
    return value


def verify_file(
    vault: CaseStore, path: Path, *, passphrase: str | None = None, job: Job | None = None
) -> HandoverInfo:
    """Read and check the whole file (every chunk, frame order, blob digests, manifest,
    signature) without writing anything; HandoverCorrupt names the first problem."""
    job = job or Job()
    with _frames(vault, path, passphrase) as (header, frames):
        stream = hashlib.sha256()
        blobs: list[dict[str, Any]] = []
        counts: dict[str, int] = {}
        audit = 0
        label = ""
        case_ids: set[str] = set()
        ids: dict[str, set[str]] = {}
        refs: dict[str, set[str]] = {}
        blob: dict[str, Any] | None = None
        blob_hash = hashlib.sha256()
        blob_size = 0
        manifest_bytes: bytes | None = None
        signature: bytes | None = None
        for kind, payload in frames:
            if signature is not None:
                raise _bad("records follow the signature")
            if manifest_bytes is not None:
                if kind != b"S":
                    raise _bad("the manifest is not followed by its signature")
                signature = payload
                continue
            if kind == b"M":
                if blob is not None:
                    raise _bad("a stored file is cut short")
                manifest_bytes = payload
                continue
            stream.update(fmt.frame_bytes(kind, payload))
            if kind == b"D":
                if blob is None:
                    raise _bad("file data outside a stored file")
                blob_hash.update(payload)
                blob_size += len(payload)
            elif kind == b"B":
                if blob is not None or counts:
                    raise _bad("a stored file starts in the wrong place")
                blob, blob_hash, blob_size = _json(payload), hashlib.sha256(), 0
            elif kind == b"E":
                if blob is None:
                    raise _bad("a stored file ends that never started")
                if blob_hash.hexdigest() != blob.get("sha256") or blob_size != blob.get("size"):
                    raise HandoverCorrupt(
                        "A stored file in the hand-over file does not match its recorded digest."
                    )
                blobs.append({"id": blob.get("id"), "size": blob_size, "sha256": blob["sha256"]})
                blob = None
                job.progress(len(blobs), 0, "checking stored files")
            elif kind == b"R":
                if blob is not None or audit:
                    raise _bad("a record is in the wrong place")
                table, row = _decode_row(_json(payload))
                counts[table.name] = counts.get(table.name, 0) + 1
                if table.name not in LOCAL_ID_TABLES:
                    ids.setdefault(table.name, set()).add(str(row.get("id")))
                for column, target in _REF_TARGETS.items():
                    if row.get(column) is not None:
                        refs.setdefault(target, set()).add(str(row[column]))
                if table.name == "cases":
                    case_ids.add(str(row["id"]))
                    label = str(row.get("label", ""))
            elif kind == b"A":
                _json(payload)
                audit += 1
            else:
                raise _bad("a record of an unknown kind")
        if manifest_bytes is None or signature is None:
            raise HandoverCorrupt("The hand-over file has no signed manifest (it is cut short).")
    manifest = _json(manifest_bytes)
    sender = manifest.get("sender")
    if manifest.get("format") != MANIFEST_FORMAT or not isinstance(sender, dict):
        raise _bad("the manifest is of an unknown kind")
    try:
        raw_key = b64d(str(sender["signing_key"]))
        Ed25519PublicKey.from_public_bytes(raw_key).verify(
            signature, SIGNED_PREFIX + manifest_bytes
        )
    except (KeyError, ValueError, InvalidSignature):
        raise HandoverCorrupt(
            "The hand-over file's signature does not verify: the manifest was altered."
        ) from None
    sender_fp = packet_seal.fingerprint(raw_key)
    checks = (
        manifest.get("stream_sha256") == stream.hexdigest(),
        manifest.get("header_sha256") == header.sha256,
        _same_counts(manifest.get("counts"), counts),
        manifest.get("blobs") == blobs,
        manifest.get("audit_events") == audit,
        case_ids == {manifest.get("case_id")},
        # Every reference stays inside the file: no row may point into another case.
        all(found <= ids.get(target, set()) for target, found in refs.items()),
        sender.get("fingerprint") == sender_fp,
    )
    if not all(checks):
        raise HandoverCorrupt(
            "The hand-over file's content does not match its signed manifest (records were "
            "added, removed or changed)."
        )
    return HandoverInfo(
        case_id=str(manifest["case_id"]),
        case_label=label,
        sender_fingerprint=sender_fp,
        sender_vault_id=str(sender.get("vault_id", "")),
        sender_actor=str(sender.get("actor", "")),
        created_at=str(manifest.get("created_at", "")),
        counts=dict(manifest["counts"]),
        blobs=len(blobs),
        audit_events=audit,
        hashes_only=bool(manifest.get("hashes_only")),
        manifest_sha256=hashlib.sha256(manifest_bytes).hexdigest(),
        manifest=manifest,
    )


def _same_counts(stated: Any, counted: dict[str, int]) -> bool:
    if not isinstance(stated, dict):
        return False
    return {k: v for k, v in stated.items() if v} == {k: v for k, v in counted.items() if v}


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
        if s.scalars(select(Case.id).where(Case.label == candidate)).first() is None:
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

    def commit() -> None:
        nonlocal started
        if not pending:
            return
        vault.blobs.sync()
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
                    blob_info = vault.blobs.put_stream(source, durable=False)
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
        label_clash = (
            s.scalars(select(Case.id).where(Case.label == info.case_label)).first() is not None
        )
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
        with vault.transaction() as s, _frames(vault, path, passphrase) as (_header, frames):
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
                    s.execute(insert(table).values(**row))
                elif kind == b"A":
                    ev = _json(payload)
                    s.add(
                        ImportedAuditEvent(
                            import_id=import_id,
                            case_id=new_case_id,
                            sender_vault_id=info.sender_vault_id,
                            sender_fingerprint=info.sender_fingerprint,
                            **{
                                k: ev.get(k)
                                for k in (
                                    "seq",
                                    "at",
                                    "actor",
                                    "action",
                                    "object_id",
                                    "details",
                                    "prev_mac",
                                    "mac",
                                )
                            },
                        )
                    )
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


def normal_fingerprint(text: str) -> str:
    """A key fingerprint as a person typed or pasted it, in the form the hand-over shows, so
    the two can be compared (``--fingerprint`` on the command line)."""
    return fmt.normal_fingerprint(text)
