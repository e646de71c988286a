"""Reading a hand-over file once without writing anything: every chunk, the manifest and
its signature."""

from __future__ import annotations

import contextlib
import hashlib
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from ncii_desk.documents import packet_seal
from ncii_desk.errors import HandoverCorrupt, InvalidSetting
from ncii_desk.services.handover.rows import (
    _REF_TARGETS,
    LOCAL_ID_TABLES,
    MANIFEST_FORMAT,
    SIGNED_PREFIX,
    _decode_row,
)
from ncii_desk.services.jobs import Job
from ncii_desk.vault import handover_format as fmt
from ncii_desk.vault.keys import (
    b64d,
)
from ncii_desk.vault.store import CaseStore

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
