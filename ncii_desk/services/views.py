"""Plain, read-only views of stored records for the CLI (--json) and the GUI's item models."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from ncii_desk.vault.models import AuditEvent, Case, EvidenceItem


def iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat().replace("+00:00", "Z")


def event_view(event: AuditEvent) -> dict[str, Any]:
    """One audit event as plain data (its details parsed), for listings and custody."""
    return {
        "seq": event.seq,
        "at": event.at,
        "actor": event.actor,
        "action": event.action,
        "object_id": event.object_id,
        "details": json.loads(event.details),
    }


@dataclass(frozen=True)
class CaseView:
    id: str
    label: str
    client_pseudonym: str
    jurisdiction: str
    notes: str
    suspected_minor: bool
    created_at: str | None
    closed_at: str | None
    originals: int = 0
    references: int = 0
    suspects: int = 0
    open_requests: int = 0
    nearest_deadline: str | None = None
    #: Picture and video items never hashed (matching does not see them): stored ones are
    #: hashed by ``matches CASE --rematch``; hash-only ones cannot be hashed again.
    unhashed: int = 0
    unhashed_hash_only: int = 0

    @classmethod
    def of(cls, case: Case, **counts: Any) -> CaseView:
        return cls(
            id=case.id,
            label=case.label,
            client_pseudonym=case.client_pseudonym,
            jurisdiction=case.jurisdiction,
            notes=case.notes,
            suspected_minor=case.suspected_minor,
            created_at=iso(case.created_at),
            closed_at=iso(case.closed_at),
            **counts,
        )

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class ItemView:
    id: str
    case_id: str
    role: str
    source: str
    size: int
    mime: str
    sha256: str
    md5: str
    original_filename: str
    file_mtime: str | None
    file_ctime: str | None
    intake_at: str | None
    operator: str
    suspected_minor: bool
    pixels_kept: bool
    duplicate_of: str | None
    #: Where it is online: its own address (given for a file added by hand, or the address
    #: it was captured from) and the page it was on; '' when not known.
    source_url: str = ""
    page_url: str = ""
    #: Originals: who took the picture (client, other, unknown) and whether the client
    #: holds its copyright (yes, no, unknown); what a DMCA notice may rely on.
    taken_by: str = "unknown"
    client_holds_copyright: str = "unknown"
    #: Added as a document of the case (``add --as-document``): kept, never hashed or matched.
    document: bool = False

    @classmethod
    def of(cls, item: EvidenceItem) -> ItemView:
        details = item.details or {}
        return cls(
            id=item.id,
            case_id=item.case_id,
            role=item.role.value,
            source=item.source.value,
            size=item.size,
            mime=item.mime,
            sha256=item.sha256,
            md5=item.md5,
            original_filename=item.original_filename,
            file_mtime=iso(item.file_mtime),
            file_ctime=iso(item.file_ctime),
            intake_at=iso(item.intake_at),
            operator=item.operator,
            suspected_minor=item.suspected_minor,
            pixels_kept=item.pixels_kept,
            duplicate_of=item.duplicate_of,
            source_url=str(details.get("source_url") or details.get("url") or ""),
            page_url=str(details.get("page_url") or ""),
            taken_by=str(item.taken_by or "unknown"),
            client_holds_copyright=str(item.client_holds_copyright or "unknown"),
            document=bool(details.get("document", False)),
        )

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)
