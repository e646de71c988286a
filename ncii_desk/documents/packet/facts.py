"""Stored rows in plain lines: which items are exhibits, custody events, capture facts, findings."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ncii_desk.documents.packet.records import (
    CAPTURE_HEADERS,
    ROLE_ORDER,
    WORKING_ANALYSES,
    CaptureInfo,
    CustodyLine,
    FindingLine,
    _scalar_text,
    pairs_of,
    utc_text,
)
from ncii_desk.vault.models import (
    Analysis,
    AuditEvent,
    Capture,
    EvidenceItem,
    Match,
    ReviewState,
    Role,
)

# --- gathering ------------------------------------------------------------------------------------


#: The id under which the case's own note is ticked into the packet (items use their id).
CASE_NOTE = "case"


def _is_exhibit(item: EvidenceItem, matched: set[str]) -> bool:
    """The client's originals and reference photos, and copies matched to one of them."""
    return item.role != Role.SUSPECT or item.id in matched


def _matched_suspects(session: Session, case_id: str, items: Sequence[EvidenceItem]) -> set[str]:
    own = {i.id for i in items if i.role in (Role.ORIGINAL, Role.REFERENCE)}
    return {
        m.suspect_item_id
        for m in session.scalars(
            select(Match).where(
                Match.case_id == case_id, Match.review_state != ReviewState.REJECTED
            )
        )
        if m.target_item_id in own
    }


def exhibit_order(session: Session, case_id: str) -> list[EvidenceItem]:
    """The case's exhibits in packet order: copies matched (match not rejected) to the
    client's originals or reference photos, then the originals, then the reference photos.
    Unrelated files captured from the same page, and unmatched copies, are not exhibits."""
    items = list(session.scalars(select(EvidenceItem).where(EvidenceItem.case_id == case_id)))
    matched = _matched_suspects(session, case_id, items)
    chosen = [i for i in items if _is_exhibit(i, matched)]
    return sorted(chosen, key=lambda i: (ROLE_ORDER.get(i.role, 9), i.intake_at, i.id))


def not_exhibits(session: Session, case_id: str) -> int:
    """How many of the case's items are not exhibits (see ``exhibit_order``)."""
    items = list(session.scalars(select(EvidenceItem).where(EvidenceItem.case_id == case_id)))
    matched = _matched_suspects(session, case_id, items)
    return sum(1 for i in items if not _is_exhibit(i, matched))


_MEMBERSHIP_WORDS = {
    "case.create": "case opened by member {actor}",
    "member.add": "member {subject} added by member {actor}",
    "member.remove": "member {subject} removed by member {actor}",
}


def _membership_summary(data: Mapping[str, Any]) -> str | None:
    """A signed membership record (clinic case) in words; None when it is not one."""
    body = data.get("body")
    if not isinstance(body, dict) or not isinstance(body.get("members"), dict):
        return None
    words = _MEMBERSHIP_WORDS.get(str(body.get("action")), str(body.get("action")))
    said = words.format(actor=str(body.get("actor"))[:8], subject=str(body.get("subject"))[:8])
    return (
        f"membership record {body.get('seq')}: {said}; {len(body['members'])} member(s) "
        f"after it; case key version {body.get('key_version')}; signed by the acting member"
    )


def _event_summary(details: str, limit: int = 200, drop: Iterable[str] = ()) -> str:
    """An audit event's details in one line; whole entries are left out past ``limit``, so
    a digest is never cut short."""
    try:
        data = json.loads(details)
    except json.JSONDecodeError:
        return details[:limit]
    if not isinstance(data, dict):
        return _scalar_text(data)[:limit]
    membership = _membership_summary(data)
    if membership is not None:
        return membership
    data = {k: v for k, v in data.items() if k not in set(drop)}
    parts: list[str] = []
    for k, v in pairs_of(data, limit=72):
        piece = f"{k} {v}"
        if parts and len("; ".join([*parts, piece])) > limit:
            return "; ".join(parts) + "; …"
        parts.append(piece)
    return "; ".join(parts)


def _event_time(at: str) -> str:
    try:
        moment = datetime.fromisoformat(at.replace("Z", "+00:00"))
    except ValueError:
        return at
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def _custody(events: Iterable[AuditEvent], plain_http: Iterable[str] = ()) -> list[CustodyLine]:
    """Custody lines; for a capture over plain http no TLS verification is claimed."""
    http = set(plain_http)
    return [
        CustodyLine(
            e.seq,
            _event_time(e.at),
            e.actor,
            e.action,
            _event_summary(e.details, drop=("tls_verified",) if e.object_id in http else ()),
        )
        for e in sorted(events, key=lambda e: e.seq)
    ]


def _is_https(url: str) -> bool:
    return url.strip().lower().startswith("https://")


_MODES = {
    "page": "a web page, with the pictures and videos it showed",
    "media": "a single picture or video at its own address",
}


def _capture_facts(details: Mapping[str, Any] | None) -> list[tuple[str, str]]:
    """What a capture record says beyond the fetch itself, in words (never raw JSON)."""
    d = dict(details or {})
    rows: list[tuple[str, str]] = []
    if d.get("mode"):
        rows.append(("Captured as", _MODES.get(str(d["mode"]), str(d["mode"]))))
    if d.get("typed"):
        rows.append(("Address as typed", _scalar_text(d["typed"])))
    page = d.get("page")
    if isinstance(page, dict):
        if page.get("title"):
            rows.append(("Page title", _scalar_text(page["title"])))
        if page.get("links_found") is not None:
            rows.append(
                (
                    "Pictures and videos on the page",
                    f"{_scalar_text(page.get('links_found'))} found, "
                    f"{_scalar_text(page.get('links_fetched'))} fetched",
                )
            )
    if d.get("declared_type") or d.get("sniffed_type"):
        rows.append(
            (
                "Type declared / found in the bytes",
                f"{d.get('declared_type') or '-'} / {d.get('sniffed_type') or '-'}",
            )
        )
    if d.get("server_port"):
        rows.append(("Server port", _scalar_text(d["server_port"])))
    if "proxy" in d:
        rows.append(("Through a proxy", _scalar_text(d["proxy"]) if d["proxy"] else "no"))
    return rows


def _plain_pairs(data: Mapping[str, Any] | None) -> list[tuple[str, str]]:
    """Simple (label, value) rows of a record: nested structures are left to the vault."""
    return [
        ("SHA-256" if k == "sha256" else str(k).replace("_", " ").capitalize(), _scalar_text(v))
        for k, v in sorted((data or {}).items())
        if not isinstance(v, (dict, list)) and v not in (None, "")
    ]


def _capture_info(c: Capture, warc_sha256: str) -> CaptureInfo:
    headers = {str(k).lower(): v for k, v in (c.headers or {}).items()}
    chain = []
    for hop in c.redirect_chain or []:
        if isinstance(hop, dict):
            status = hop.get("status") or hop.get("http_status") or ""
            url = hop.get("url") or ""
            target = hop.get("location")
            chain.append(f"{status} {url}" + (f" -> {target}" if target else ""))
        else:
            chain.append(str(hop))
    tool = " ".join(p for p in (c.tool_name, c.tool_version) if p)
    shot = _screenshot_info((c.details or {}).get("screenshot"))
    return CaptureInfo(
        id=c.id,
        is_web=c.url.lower().startswith(("http://", "https://")),
        url=c.url,
        final_url=c.final_url or "",
        redirect_chain=chain,
        http_status="-" if c.http_status is None else str(c.http_status),
        server_address=c.server_address or "-",
        tls=pairs_of(c.tls or {}),
        tls_verified=c.tls_verified and _is_https(c.url),
        tool=tool or "-",
        user_agent=c.user_agent,
        operator=c.operator,
        started_at=utc_text(c.started_at),
        ended_at=utc_text(c.ended_at),
        headers=[
            (label, _scalar_text(headers[h]))
            for h, label in CAPTURE_HEADERS.items()
            if h in headers
        ],
        error=c.error or "",
        warc_sha256=warc_sha256,
        details=_capture_facts(c.details)
        if c.url.lower().startswith(("http://", "https://"))
        else _plain_pairs(c.details),
        screenshot_sha256=shot[0],
        screenshot_note=shot[1],
    )


def _screenshot_info(shot: Any) -> tuple[str, str]:
    """(SHA-256, a line on what the screenshot shows or why there is none)."""
    if not isinstance(shot, dict) or not shot:
        return "", ""
    if not shot.get("made"):
        return "", str(shot.get("note") or "not made")
    note = (
        f"PNG, {shot.get('width')} x {shot.get('height')} pixels, drawn from this capture's "
        "WARC records (the page was not visited again; its scripts did not run)"
        if not shot.get("javascript")
        else f"PNG, {shot.get('width')} x {shot.get('height')} pixels, drawn from this "
        "capture's WARC records with the page's captured scripts running"
    )
    if shot.get("cut"):
        note += f"; the page is {shot.get('page_height')} pixels tall and the picture is cut"
    return str(shot.get("sha256") or ""), note


def _file_rows(details: dict[str, Any] | None, capture_url: str) -> list[tuple[str, str]]:
    d = details or {}
    if not d.get("url") or (d["url"] == capture_url and not d.get("page_url")):
        return []
    rows = [("This file's address", str(d["url"]))]
    if d.get("final_url") and d["final_url"] != d["url"]:
        rows.append(("This file's final address", str(d["final_url"])))
    rows += [
        ("Found on the page as", _scalar_text(d.get("via"))),
        ("This file's HTTP status", _scalar_text(d.get("http_status"))),
        ("This file fetched (UTC)", _event_time(str(d.get("fetched_at") or "-"))),
        ("Type sent / found", f"{d.get('declared_type') or '-'} / {d.get('sniffed_type') or '-'}"),
    ]
    return rows


#: Analysis result keys that are bookkeeping, not findings (a summary's own text is shown
#: as its overview; its signals repeat those of the steps it summarises).
_RESULT_SKIP = frozenset({"signals", "inputs", "summary"})
SUMMARY_KIND = "summary"


def _finding(a: Analysis, *, repeat_signals: bool) -> FindingLine:
    result = dict(a.result or {})
    raw_signals = result.get("signals", [])
    signals = (
        [s for s in raw_signals if isinstance(s, dict)] if isinstance(raw_signals, list) else []
    )
    summary = result.get("summary")
    overview = ""
    if isinstance(summary, dict):
        overview = str(summary.get("overview", ""))
    elif isinstance(summary, str):
        overview = summary
    if a.kind == SUMMARY_KIND and signals:
        # Written again from the stored signals with today's rules, so a summary stored before
        # them can never headline an unvalidated classifier's score in a packet.
        overview = _overview(signals) or overview
    return FindingLine(
        kind=a.kind,
        overview=overview,
        producer=a.producer,
        producer_version=a.producer_version,
        model_sha256=a.model_sha256 or "",
        provider=a.provider or "",
        thresholds=pairs_of(a.thresholds or {}),
        created_at=utc_text(a.created_at),
        signals=signals if repeat_signals else [],
        other=pairs_of({k: v for k, v in result.items() if k not in _RESULT_SKIP}),
    )


def _overview(signals: Sequence[Mapping[str, Any]]) -> str:
    from ncii_desk.vision.signals import Signal
    from ncii_desk.vision.summary import summarise

    try:
        return summarise([Signal.from_dict(dict(s)) for s in signals]).overview
    except (KeyError, ValueError, TypeError):
        return ""


def _findings(rows: Sequence[Analysis]) -> list[FindingLine]:
    """The newest row per (kind, producer), summaries first; working data left out.

    When the newest summary names the steps it was made of (``steps``), only those are
    shown: a classifier dropped at a re-analysis keeps its rows in the vault (history), but
    the packet no longer cites them."""
    newest: dict[tuple[str, str], Analysis] = {}
    for a in sorted(rows, key=lambda r: r.created_at):
        if a.kind not in WORKING_ANALYSES:
            newest[(a.kind, a.producer)] = a
    summaries = [a for a in newest.values() if a.kind == SUMMARY_KIND]
    current: set[str] | None = None
    for a in summaries:
        listed = (a.result or {}).get("steps")
        if isinstance(listed, list):
            current = (current or set()) | {str(k) for k in listed}
    steps = [
        a
        for a in newest.values()
        if a.kind != SUMMARY_KIND and (current is None or f"{a.kind}/{a.producer}" in current)
    ]
    return [_finding(a, repeat_signals=not steps) for a in summaries] + [
        _finding(a, repeat_signals=True) for a in steps
    ]


def _history_line(entry: Any) -> str:
    if not isinstance(entry, dict):
        return _scalar_text(entry)
    first = [entry[k] for k in ("at", "status", "note") if entry.get(k) not in (None, "")]
    rest = {k: v for k, v in entry.items() if k not in ("at", "status", "note")}
    parts = [_scalar_text(v) for v in first]
    parts += [f"{k} {v}" for k, v in pairs_of(rest, limit=120)]
    return " — ".join(parts) if parts else "-"
