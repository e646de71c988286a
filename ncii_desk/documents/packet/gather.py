"""Gathering one case from the vault into a PacketData."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime, tzinfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from ncii_desk import TOOL_NAME, __version__
from ncii_desk.documents.clock import local_and_utc, zone_label
from ncii_desk.documents.forms import Law, load_forms
from ncii_desk.documents.packet.facts import (
    CASE_NOTE,
    _capture_info,
    _custody,
    _file_rows,
    _findings,
    _history_line,
    _is_https,
    exhibit_order,
    not_exhibits,
)
from ncii_desk.documents.packet.records import (
    DEFAULT_PSEUDONYM,
    ROLE_WORDS,
    Exhibit,
    HashLine,
    MatchLine,
    PacketData,
    RecheckLine,
    RequestLine,
    pairs_of,
    utc_text,
)
from ncii_desk.vault import audit as audit_chain
from ncii_desk.vault.models import (
    Analysis,
    AuditEvent,
    Blob,
    Capture,
    Case,
    HashRecord,
    Match,
    Recheck,
    RemovalRequest,
)


def gather(
    session: Session,
    case: Case,
    *,
    vault_id: str,
    operator: str,
    built_at: datetime,
    law: Mapping[str, Law] | None = None,
    include_notes: Iterable[str] = (),
    zone: tzinfo = UTC,
) -> PacketData:
    """Everything the packet states about ``case``, read in one session (local times in
    ``zone``, the clinic's time zone). Advocate notes are left out unless their id ("case",
    or the item's id) is in ``include_notes``."""
    ticked = set(include_notes)
    items = exhibit_order(session, case.id)
    number_of = {item.id: n for n, item in enumerate(items, start=1)}
    ids = list(number_of)

    hashes: dict[str, list[HashRecord]] = defaultdict(list)
    analyses: dict[str, list[Analysis]] = defaultdict(list)
    if ids:
        for h in session.scalars(
            select(HashRecord).where(HashRecord.item_id.in_(ids)).order_by(HashRecord.id)
        ):
            hashes[h.item_id].append(h)
        for a in session.scalars(
            select(Analysis).where(Analysis.item_id.in_(ids)).order_by(Analysis.created_at)
        ):
            analyses[a.item_id].append(a)
    matches = list(
        session.scalars(
            select(Match).where(Match.case_id == case.id).order_by(Match.created_at, Match.id)
        )
    )
    captures = {c.id: c for c in session.scalars(select(Capture).where(Capture.case_id == case.id))}
    plain_http = {c.id for c in captures.values() if not _is_https(c.url)}
    warc_ids = [c.warc_blob_id for c in captures.values() if c.warc_blob_id]
    warc_sha = (
        {b.id: b.sha256 for b in session.scalars(select(Blob).where(Blob.id.in_(warc_ids)))}
        if warc_ids
        else {}
    )
    rechecks: dict[str, list[Recheck]] = defaultdict(list)
    for r in session.scalars(
        select(Recheck).where(Recheck.case_id == case.id).order_by(Recheck.checked_at)
    ):
        rechecks[r.capture_id].append(r)
    requests = list(
        session.scalars(
            select(RemovalRequest)
            .where(RemovalRequest.case_id == case.id)
            .order_by(RemovalRequest.sent_at.is_(None), RemovalRequest.sent_at)
        )
    )

    # Which objects' audit events belong to which exhibit.
    owners: dict[str, set[int]] = defaultdict(set)
    for item in items:
        owners[item.id].add(number_of[item.id])
        if item.capture_id:
            owners[item.capture_id].add(number_of[item.id])
    for m in matches:
        for ref in (m.suspect_item_id, m.target_item_id):
            if ref in number_of:
                owners[m.id].add(number_of[ref])
    for c_id, checks in rechecks.items():
        for r in checks:
            owners[r.id] |= owners.get(c_id, set())
    for req in requests:
        for ref in req.item_ids or []:
            if ref in number_of:
                owners[req.id].add(number_of[str(ref)])
    custody: dict[int, list[AuditEvent]] = defaultdict(list)
    case_events: list[AuditEvent] = []
    object_ids = [*owners, case.id]
    events = session.scalars(
        select(AuditEvent).where(AuditEvent.object_id.in_(object_ids)).order_by(AuditEvent.seq)
    )
    for ev in events:
        if ev.object_id == case.id:
            case_events.append(ev)
        for n in owners.get(ev.object_id or "", ()):
            custody[n].append(ev)

    exhibits: list[Exhibit] = []
    for item in items:
        n = number_of[item.id]
        recs = hashes.get(item.id, [])
        full = [h for h in recs if h.variant in ("full", "file")]
        cap = captures.get(item.capture_id or "")
        ex = Exhibit(
            number=n,
            item_id=item.id,
            role=item.role,
            role_words=ROLE_WORDS.get(item.role, str(item.role)),
            source=item.source.value,
            label=item.label,
            notes=item.notes if item.id in ticked else "",
            original_filename=item.original_filename,
            mime=item.mime,
            size=item.size,
            sha256=item.sha256,
            md5=item.md5,
            intake_at=utc_text(item.intake_at),
            file_mtime=utc_text(item.file_mtime),
            operator=item.operator,
            pixels_kept=item.pixels_kept,
            suspected_minor=item.suspected_minor or case.suspected_minor,
            duplicate_of=number_of.get(item.duplicate_of or ""),
            blob_id=item.blob_id,
            hashes=[
                HashLine(h.kind, h.value, h.quality, h.variant, h.algorithm)
                for h in (full or recs[:3])
            ],
            variant_hashes=len(recs) - len(full or recs[:3]),
            capture=None
            if cap is None
            else replace(
                _capture_info(cap, warc_sha.get(cap.warc_blob_id or "", "")),
                file_rows=_file_rows(item.details, cap.url),
            ),
            findings=_findings(analyses.get(item.id, [])),
            rechecks=[
                RecheckLine(
                    utc_text(r.checked_at),
                    r.url,
                    r.outcome.value,
                    "-" if r.http_status is None else str(r.http_status),
                    r.content_sha256 or "",
                    r.operator,
                )
                for r in (rechecks.get(cap.id, []) if cap is not None else [])
            ],
            custody=_custody(custody.get(n, []), plain_http),
            warc_blob_id=None if cap is None else cap.warc_blob_id,
            given_source_url=str((item.details or {}).get("source_url") or "")
            if cap is None
            else "",
        )
        exhibits.append(ex)

    for m in matches:
        line_for_suspect = _match_line(m, number_of, exhibits, towards_target=True)
        if m.suspect_item_id in number_of:
            exhibits[number_of[m.suspect_item_id] - 1].matches.append(line_for_suspect)
        if m.target_item_id in number_of:
            line = _match_line(m, number_of, exhibits, towards_target=False)
            exhibits[number_of[m.target_item_id] - 1].matches.append(line)

    request_lines: list[RequestLine] = []
    for k, req in enumerate(requests, start=1):
        nums = sorted({number_of[str(i)] for i in req.item_ids or [] if str(i) in number_of})
        for num in nums:
            exhibits[num - 1].requests.append(k)
        request_lines.append(
            RequestLine(
                number=k,
                platform=req.platform,
                route=req.route,
                urls=[str(u) for u in req.urls or []],
                exhibits=nums,
                sent_at=utc_text(req.sent_at),
                deadline_at=utc_text(req.deadline_at),
                status=req.status.value,
                ticket_id=req.ticket_id or "",
                history=[_history_line(h) for h in req.history or []],
                sent_local=local_and_utc(req.sent_at, zone, seconds=True),
                deadline_local=local_and_utc(req.deadline_at, zone, seconds=True),
                covered_platform=str((req.letter_inputs or {}).get("covered_platform") or ""),
            )
        )

    pseudonym = case.client_pseudonym.strip()
    return PacketData(
        case_id=case.id,
        case_label=case.label,
        pseudonym=pseudonym or DEFAULT_PSEUDONYM,
        pseudonym_defaulted=not pseudonym,
        jurisdiction=case.jurisdiction,
        notes=case.notes if CASE_NOTE in ticked else "",
        suspected_minor=case.suspected_minor,
        consent=pairs_of(case.consent or {}),
        case_created_at=utc_text(case.created_at),
        built_at=built_at,
        vault_id=vault_id,
        audit_head=audit_chain.newest(session),
        tool=f"{TOOL_NAME} {__version__}",
        operator=operator,
        exhibits=exhibits,
        requests=request_lines,
        case_custody=_custody(case_events, plain_http),
        law=load_forms().law if law is None else law,
        not_exhibits=not_exhibits(session, case.id),
        zone_name=zone_label(zone),
    )


def _match_line(
    m: Match, number_of: dict[str, int], exhibits: Sequence[Exhibit], *, towards_target: bool
) -> MatchLine:
    ref = m.target_item_id if towards_target else m.suspect_item_id
    number = number_of.get(ref or "")
    if number is not None:
        ex = exhibits[number - 1]
        other = f"{ex.title} ({ex.role_words})"
    else:
        other = f"hash list entry {m.target_external or '-'}"
    details = {k: v for k, v in (m.details or {}).items() if k not in ("inlier_points",)}
    return MatchLine(
        other=other,
        other_number=number,
        kind=m.kind,
        distance=m.distance,
        score=m.score,
        threshold=m.threshold,
        review_state=m.review_state.value,
        reviewed_by=m.reviewed_by or "",
        reviewed_at=utc_text(m.reviewed_at),
        details=pairs_of(details, limit=100),
    )
