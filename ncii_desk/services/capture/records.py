"""Reading recorded captures: their views (with the matches of their items) and their WARC
files, read or exported with an audit event.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ncii_desk.errors import NciiDeskError, NotFound
from ncii_desk.services import access
from ncii_desk.services.cases import find_case
from ncii_desk.services.items import export_blob
from ncii_desk.services.lookup import by_id
from ncii_desk.services.views import iso
from ncii_desk.vault.models import Blob, Capture, EvidenceItem, Match
from ncii_desk.vault.store import CaseStore


@dataclass(frozen=True)
class CaptureView:
    id: str
    case_id: str
    kind: str
    url: str
    final_url: str | None
    redirect_chain: list[Any]
    http_status: int | None
    headers: dict[str, Any]
    server_address: str | None
    tls: dict[str, Any]
    tls_verified: bool
    tool_name: str
    tool_version: str
    user_agent: str
    operator: str
    started_at: str | None
    ended_at: str | None
    warc_blob_id: str | None
    warc_sha256: str | None
    warc_size: int | None
    error: str | None
    details: dict[str, Any]
    item_ids: list[str]
    #: Which captured item matched which original (or hash-list entry).
    matches: list[dict[str, Any]]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _capture_matches(s: Session, item_ids: Sequence[str]) -> list[dict[str, Any]]:
    if not item_ids:
        return []
    rows = s.scalars(
        select(Match)
        .where(Match.suspect_item_id.in_(list(item_ids)))
        .order_by(Match.created_at, Match.id)
    )
    urls = {
        i.id: (i.details or {}).get("url")
        for i in s.scalars(select(EvidenceItem).where(EvidenceItem.id.in_(list(item_ids))))
    }
    return [
        {
            "match_id": m.id,
            "item_id": m.suspect_item_id,
            "url": urls.get(m.suspect_item_id),
            "original_item_id": m.target_item_id,
            "hash_list_entry": m.target_external,
            "kind": m.kind,
            "distance": m.distance,
            "score": m.score,
            "threshold": m.threshold,
            "review_state": m.review_state.value,
        }
        for m in rows
    ]


# --- reading captures ------------------------------------------------------------------------


def find_capture(session: Session, ref: str) -> Capture:
    """A capture by id or unique id prefix (6+ characters)."""
    missing = NotFound(
        f"No capture has the id '{ref.strip()}'.",
        "List the captures with 'ncii-desk capture list CASE'.",
    )
    return by_id(session, Capture, ref, what="capture", missing=missing)


def _view(s: Session, c: Capture) -> CaptureView:
    blob = s.get(Blob, c.warc_blob_id) if c.warc_blob_id else None
    item_ids = list(
        s.scalars(
            select(EvidenceItem.id)
            .where(EvidenceItem.capture_id == c.id)
            .order_by(EvidenceItem.intake_at, EvidenceItem.id)
        )
    )
    return CaptureView(
        id=c.id,
        case_id=c.case_id,
        kind=str(c.details.get("kind", "web")),
        url=c.url,
        final_url=c.final_url,
        redirect_chain=c.redirect_chain,
        http_status=c.http_status,
        headers=c.headers,
        server_address=c.server_address,
        tls=c.tls,
        tls_verified=c.tls_verified,
        tool_name=c.tool_name,
        tool_version=c.tool_version,
        user_agent=c.user_agent,
        operator=c.operator,
        started_at=iso(c.started_at),
        ended_at=iso(c.ended_at),
        warc_blob_id=c.warc_blob_id,
        warc_sha256=blob.sha256 if blob else None,
        warc_size=blob.size if blob else None,
        error=c.error,
        details=c.details,
        item_ids=item_ids,
        matches=_capture_matches(s, item_ids),
    )


def list_captures(
    vault: CaseStore, case_ref: str, *, include_files: bool = False
) -> list[CaptureView]:
    """The case's web captures (failed attempts included), oldest first."""
    with vault.session() as s:
        case = find_case(s, case_ref)
        rows = s.scalars(
            select(Capture)
            .where(Capture.case_id == case.id)
            .order_by(Capture.started_at, Capture.id)
        )
        return [_view(s, c) for c in rows if include_files or c.details.get("kind", "web") == "web"]


def get_capture(vault: CaseStore, ref: str) -> CaptureView:
    with vault.session() as s:
        return _view(s, find_capture(s, ref))


def read_warc(vault: CaseStore, ref: str) -> bytes:
    """The capture's WARC file (authenticated in full before it is returned)."""
    with vault.session() as s:
        capture = find_capture(s, ref)
        blob = s.get(Blob, capture.warc_blob_id) if capture.warc_blob_id else None
        if blob is None:
            raise _no_warc(capture)
    return vault.read_blob(blob)


def _no_warc(capture: Capture) -> NciiDeskError:
    if capture.error:
        why = "the capture failed, so nothing of the address was kept"
    elif capture.details.get("kind") == "file":
        why = "it records a file taken in from this computer, not a web address"
    else:
        why = "the case is marked as possibly showing a person under 18, so only hashes are kept"
    return NciiDeskError(
        f"This capture has no WARC file: {why}.",
        "List the case's captures with 'ncii-desk capture list CASE'.",
    )


def export_warc(
    vault: CaseStore, ref: str, dest: Path, *, reason: str = "", overwrite: bool = False
) -> Path:
    """Write the capture's WARC file to ``dest`` (a file, or a folder to put it in).

    The bytes are authenticated in full before the file appears; the export is an audit
    event with the SHA-256 of the file, so the copy can be checked against the record.
    """
    with vault.session() as s:
        capture = find_capture(s, ref)
        access.require(vault, capture.case_id, access.Action.CASE_EXPORT)
        blob = s.get(Blob, capture.warc_blob_id) if capture.warc_blob_id else None
        if blob is None:
            raise _no_warc(capture)
        capture_id = capture.id
    dest = dest.expanduser()
    target = (dest / f"capture-{capture_id[:12]}.warc" if dest.is_dir() else dest).resolve()
    details = {"what": "warc", "sha256": blob.sha256, "reason": reason}
    return export_blob(vault, blob, target, overwrite, ("capture.exported", capture_id, details))
