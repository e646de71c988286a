"""Exporting one case into a single encrypted, signed hand-over file."""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from ncii_desk.clinic.sealing import open_rows
from ncii_desk.documents import packet_seal
from ncii_desk.errors import InvalidSetting
from ncii_desk.hardening import create_private_file
from ncii_desk.services import access
from ncii_desk.services.cases import find_case
from ncii_desk.services.handover.rows import (
    BLOB_COLUMNS,
    BLOB_PIECE,
    CASE_TABLES,
    EXPORTED_ACTION,
    LOCAL_ID_TABLES,
    MANIFEST_FORMAT,
    SIGNED_PREFIX,
    RecipientKey,
    _encode_row,
)
from ncii_desk.services.jobs import Job
from ncii_desk.vault import handover_format as fmt
from ncii_desk.vault.atomic import TEMP_PREFIX, fsync_dir
from ncii_desk.vault.keys import (
    KdfParams,
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
    RemovalRequest,
)
from ncii_desk.vault.store import CaseStore

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
    access.require_case_ref(vault, case_ref, access.Action.CASE_EXPORT)
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
                for part in vault.blobs_of(blob).stream(blob.id, vault.blob_info(blob)):
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
                    [data] = open_rows(s, table.name, [row._mapping])
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
