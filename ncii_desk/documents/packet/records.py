"""The civil-claim evidence packet: what goes in it, gathered from the vault as plain data.

``gather`` reads one case (items, hashes, captures, matches, analyses, removal requests,
rechecks and the audit events about each of them) into plain dataclasses that hold only
strings and numbers. The PDF layout (``packet_pdf``) and the README are written from that
data alone, so they never touch the database. Exhibits are numbered in a fixed order: the
copies found (suspects), then the client's originals, then reference photos, each in intake
order. A copy found is an exhibit only when it is matched (match not rejected) to one of
the client's originals or reference photos; other files captured from the same page are
never exhibits (``exhibit_order``). Advocate notes (the case's and each item's) are
attorney work product: they are left out unless ticked in one by one (``include_notes``:
"case" and item ids).

The packet folder itself, its manifest, the sealed volume and the ZIP are put together by
``services.packets.build_packet``; the helpers here name and package files.
"""

from __future__ import annotations

import json
import mimetypes
import os
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ncii_desk import TOOL_NAME, __version__
from ncii_desk.documents.clock import ClockSource, local_and_utc, zone_label
from ncii_desk.documents.common import property_text
from ncii_desk.documents.forms import Law, load_forms
from ncii_desk.hardening import create_private_file
from ncii_desk.vault import audit as audit_chain
from ncii_desk.vault.models import (
    Analysis,
    AuditEvent,
    Blob,
    Capture,
    Case,
    EvidenceItem,
    HashRecord,
    Match,
    Recheck,
    RemovalRequest,
    ReviewState,
    Role,
)

#: Analyses that are working data of the matcher (keypoints), not findings to report.
WORKING_ANALYSES = frozenset({"local-features"})
#: Response headers an exhibit page states, in words (the raw headers stay in the vault and
#: the WARC): header name -> label.
CAPTURE_HEADERS = {
    "content-type": "Type the server declared",
    "content-length": "Size the server declared (bytes)",
    "last-modified": "Last changed, as the server said",
    "date": "Server's clock at the answer",
}
ROLE_ORDER = {Role.SUSPECT: 0, Role.ORIGINAL: 1, Role.REFERENCE: 2}
ROLE_WORDS = {
    Role.SUSPECT: "copy found (suspect)",
    Role.ORIGINAL: "client's original",
    Role.REFERENCE: "reference photo of the client",
}
DEFAULT_PSEUDONYM = "Jane Doe"


def utc_text(value: datetime | None) -> str:
    if value is None:
        return "-"
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _scalar_text(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return str(value)


def pairs_of(data: dict[str, Any], *, limit: int = 240) -> list[tuple[str, str]]:
    """A JSON object as (key, value) text pairs, long values shortened."""
    out = []
    for key in sorted(data):
        text = _scalar_text(data[key])
        if len(text) > limit:
            text = text[: limit - 1] + "…"
        out.append((str(key), text))
    return out


# --- the plain data of a packet ----------------------------------------------------------------


@dataclass
class HashLine:
    kind: str
    value: str
    quality: int | None
    variant: str
    algorithm: str


@dataclass
class MatchLine:
    other: str  # "Exhibit 4 (client's original)" or "hash list 'X': pdq ..."
    other_number: int | None  # the exhibit compared with, when it is one
    kind: str
    distance: float | None
    score: float | None
    threshold: float | None
    review_state: str
    reviewed_by: str
    reviewed_at: str
    details: list[tuple[str, str]]


@dataclass
class FindingLine:
    kind: str
    overview: str  # a summary row's plain-language overview ("" for other rows)
    producer: str
    producer_version: str
    model_sha256: str
    provider: str
    thresholds: list[tuple[str, str]]
    created_at: str
    signals: list[dict[str, Any]]
    other: list[tuple[str, str]]


@dataclass
class CaptureInfo:
    id: str
    is_web: bool  # fetched from an http(s) address; False for a file's intake record
    url: str
    final_url: str
    redirect_chain: list[str]
    http_status: str
    server_address: str
    tls: list[tuple[str, str]]
    tls_verified: bool
    tool: str
    user_agent: str
    operator: str
    started_at: str
    ended_at: str
    headers: list[tuple[str, str]]
    error: str
    warc_sha256: str
    details: list[tuple[str, str]]
    #: For a picture or video taken from a page: its own address and answer (the rows
    #: above describe the page).
    file_rows: list[tuple[str, str]] = field(default_factory=list)
    #: The page's screenshot drawn from the WARC (services/screenshots): its SHA-256 and a
    #: line on what it shows, or why there is none.
    screenshot_sha256: str = ""
    screenshot_note: str = ""


@dataclass
class RecheckLine:
    checked_at: str
    url: str
    outcome: str
    http_status: str
    content_sha256: str
    operator: str


@dataclass
class CustodyLine:
    seq: int
    at: str
    actor: str
    action: str
    summary: str


@dataclass
class Exhibit:
    number: int
    item_id: str
    role: Role
    role_words: str
    source: str
    label: str
    notes: str
    original_filename: str
    mime: str
    size: int
    sha256: str
    md5: str
    intake_at: str
    file_mtime: str
    operator: str
    pixels_kept: bool
    suspected_minor: bool
    duplicate_of: int | None
    blob_id: str | None
    hashes: list[HashLine] = field(default_factory=list)
    variant_hashes: int = 0
    capture: CaptureInfo | None = None
    matches: list[MatchLine] = field(default_factory=list)
    findings: list[FindingLine] = field(default_factory=list)
    rechecks: list[RecheckLine] = field(default_factory=list)
    custody: list[CustodyLine] = field(default_factory=list)
    requests: list[int] = field(default_factory=list)
    sealed_file: str | None = None
    sealed_warc: str | None = None
    sealed_screenshot: str | None = None
    stored_state: str = "-"  # what the build found when it read the stored copy back
    warc_blob_id: str | None = None
    #: For a file added by hand: the web address recorded with it at intake, if any.
    given_source_url: str = ""

    @property
    def automatic_capture(self) -> bool:
        """Produced by the automatic web capture process (fetched over http(s), with a WARC
        record of the exchange): what the FRE 902(13) certification may cover."""
        return self.capture is not None and self.capture.is_web and bool(self.capture.warc_sha256)

    @property
    def title(self) -> str:
        return f"Exhibit {self.number}"


@dataclass
class RequestLine:
    number: int
    platform: str
    route: str
    urls: list[str]
    exhibits: list[int]
    sent_at: str
    deadline_at: str
    status: str
    ticket_id: str
    history: list[str]
    #: Sent time and deadline in the clinic's time zone, UTC beside them.
    sent_local: str = ""
    deadline_local: str = ""
    #: The advocate's covered-platform answer for a TAKE IT DOWN request ("" if not asked).
    covered_platform: str = ""


@dataclass
class PacketData:
    case_id: str
    case_label: str
    pseudonym: str
    pseudonym_defaulted: bool
    jurisdiction: str
    notes: str
    suspected_minor: bool
    consent: list[tuple[str, str]]
    case_created_at: str
    built_at: datetime
    vault_id: str
    audit_head: audit_chain.Head | None
    tool: str
    operator: str
    exhibits: list[Exhibit]
    requests: list[RequestLine]
    case_custody: list[CustodyLine]
    law: Mapping[str, Law]
    sealed: bool = False
    signed_by: str = ""
    #: The vault's packet-signing key (base64 of the raw Ed25519 public key), its fingerprint,
    #: and the time-stamp authority asked (empty when none).
    signing_key: str = ""
    signing_fingerprint: str = ""
    timestamp_tsa: str = ""
    #: Items of the case that are not exhibits (unmatched copies, other captured files).
    not_exhibits: int = 0
    #: The clinic's time zone local times are shown in (IANA name).
    zone_name: str = "UTC"
    #: Where the recorded times come from (system clock, NTP state, RFC 3161 time if any).
    clock: ClockSource = field(default_factory=ClockSource)

    @property
    def built_at_text(self) -> str:
        return utc_text(self.built_at)


def _face_confirmed(ex: Exhibit) -> bool:
    """A reviewer confirmed a face match of this exhibit to the client's reference photos."""
    return any(
        m.kind == "face" and m.review_state == "confirmed" and m.other_number is not None
        for m in ex.matches
    )


def pending_only(ex: Exhibit) -> bool:
    """A copy whose matches to the client's pictures are all still unreviewed (pending)."""
    states = {m.review_state for m in ex.matches if m.other_number is not None}
    return ex.role == Role.SUSPECT and bool(states) and states <= {"pending", "rejected"}


def unvalidated_signal(sig: Mapping[str, Any]) -> bool:
    """A manipulation classifier's score without a validation record meeting the minimum
    (ncii_desk.vision.summary.is_unvalidated): listed with its caveat as a weak or unvalidated
    signal, never counted as a manipulation finding."""
    value = sig.get("value")
    validated = isinstance(value, Mapping) and value.get("validated") is True
    return str(sig.get("kind", "")) == "deepfake_score" and not validated


def _has_signal(ex: Exhibit, face: bool) -> bool:
    for finding in ex.findings:
        for sig in finding.signals:
            if str(sig.get("strength", "")) == "none" or unvalidated_signal(sig):
                continue
            if (str(sig.get("kind", "")) == "face_match") == face:
                return True
    return False


def supports(ex: Exhibit, word: str) -> bool:
    """Whether exhibit ``ex`` is evidence of kind ``word`` (see forms.EVIDENCE_WORDS)."""
    if word == "suspect":
        return ex.role == Role.SUSPECT
    if word == "original":
        return ex.role == Role.ORIGINAL
    if word == "reference":
        return ex.role == Role.REFERENCE
    if word == "match":
        # Pixel matches count when not rejected (pending ones are labelled pending); a face
        # match is identity evidence only once a reviewer has confirmed it.
        return ex.role == Role.SUSPECT and any(
            m.other_number is not None
            and m.review_state != "rejected"
            and (m.kind != "face" or m.review_state == "confirmed")
            for m in ex.matches
        )
    if word == "face_match":
        return _has_signal(ex, face=True) and _face_confirmed(ex)
    if word == "manipulation":
        return _has_signal(ex, face=False)
    if word == "capture":
        return ex.capture is not None and ex.capture.is_web
    if word == "request":
        return bool(ex.requests)
    if word == "recheck":
        return bool(ex.rechecks)
    raise ValueError(f"unknown evidence word {word!r}")


def exhibits_for(data: PacketData, words: Sequence[str]) -> list[int]:
    return [e.number for e in data.exhibits if any(supports(e, w) for w in words)]


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


def _event_summary(details: str, limit: int = 200, drop: Iterable[str] = ()) -> str:
    """An audit event's details in one line; whole entries are left out past ``limit``, so
    a digest is never cut short."""
    try:
        data = json.loads(details)
    except json.JSONDecodeError:
        return details[:limit]
    if not isinstance(data, dict):
        return _scalar_text(data)[:limit]
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


# --- files of the packet --------------------------------------------------------------------------


def extension_for(mime: str) -> str:
    special = {"image/jpeg": ".jpg", "image/heic": ".heic", "image/heif": ".heif"}
    if mime in special:
        return special[mime]
    return mimetypes.guess_extension(mime, strict=False) or ".bin"


def sealed_name(number: int, sha256: str, mime: str) -> str:
    """File name in sealed/: our own words only (never the name the file came with)."""
    return f"exhibit-{number:03d}-{sha256[:12]}{extension_for(mime)}"


def write_zip(folder: Path, zip_path: Path, top: str) -> None:
    """ZIP every file of ``folder`` under the top folder name ``top`` (stored paths use "/")."""
    with (
        create_private_file(zip_path) as out,
        zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf,
    ):
        for dirpath, dirnames, filenames in os.walk(folder):
            dirnames.sort()
            for name in sorted(filenames):
                full = Path(dirpath) / name
                rel = full.relative_to(folder).as_posix()
                info = zipfile.ZipInfo(f"{top}/{rel}", date_time=_zip_time(full))
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o100600 << 16  # owner-only once unpacked too
                with open(full, "rb") as src, zf.open(info, "w") as dst:
                    while block := src.read(1024 * 1024):
                        dst.write(block)
    with open(zip_path, "rb+") as fh:
        os.fsync(fh.fileno())


def _zip_time(path: Path) -> tuple[int, int, int, int, int, int]:
    moment = datetime.fromtimestamp(path.stat().st_mtime, UTC)
    return (
        max(moment.year, 1980),
        moment.month,
        moment.day,
        moment.hour,
        moment.minute,
        moment.second,
    )


def readme_text(
    data: PacketData,
    *,
    sealed_files: int,
    sealed_refused: str | None,
    signed: bool,
) -> str:
    """README.txt of the packet: what is where, and how to check it without NCII Desk."""
    lines = [
        "NCII Desk evidence packet",
        "=========================",
        "",
        "Draft prepared with NCII Desk - not legal advice. An advocate or attorney must review",
        "everything before it is filed or sent.",
        "",
        f"Client (pseudonym): {property_text(data.pseudonym, 300)}",
        f"Built (UTC):        {data.built_at_text}",
        f"Built with:         {data.tool}",
        f"Exhibits:           {len(data.exhibits)}",
        f"Vault id:           {data.vault_id}",
    ]
    if data.audit_head is not None:
        lines += [
            f"Audit-chain head:   event {data.audit_head.seq}",
            f"                    MAC {data.audit_head.mac}",
        ]
    lines += [
        "",
        "What is in this folder",
        "----------------------",
        "packet.pdf      The public volume: cover with a pseudonymous caption, case summary,",
        "                elements index for 15 U.S.C. 6851, exhibit list, one page per exhibit",
        "                (capture record, hashes, matches, findings, chain of custody),",
        "                removal-request history, rechecks, and a draft certification under",
        "                Federal Rules of Evidence 902(13)/(14). It shows no intimate imagery:",
        "                at most a heavily blurred or face-only thumbnail.",
    ]
    if signed:
        lines.append("                It carries the clinic's digital signature.")
    lines += [
        "README.txt      This file.",
        "manifest.csv    Every file of the packet with its SHA-256 digest and size, plus the",
        "manifest.json   vault id, audit-chain head, tool version and build time. The two",
        "                manifests do not list themselves (a file cannot contain its own",
        "                digest); the vault's audit trail records the SHA-256 of manifest.json",
        "                (event packet.built).",
        "manifest.sig    The vault's Ed25519 signature over manifest.json and manifest.csv.",
        f"                Signing key fingerprint: {data.signing_fingerprint}",
        "                Compare it with the fingerprint the clinic publishes.",
        "SIGNING-KEY.txt The signing key's public half and fingerprint.",
        "verify_packet.py A checker that needs only Python 3.9 or newer (see below).",
    ]
    if data.timestamp_tsa:
        lines += [
            "manifest.tst    RFC 3161 time stamp of manifest.json from the time-stamp",
            f"                authority at {data.timestamp_tsa}.",
        ]
    if sealed_files:
        lines += [
            "sealed/         SEALED VOLUME - MUST BE FILED UNDER SEAL. The original evidence",
            f"                files ({sealed_files}), exactly as stored in the vault, named by",
            "                exhibit number, with their own sealed/manifest.csv. Keep this folder",
            "                apart from the public volume; never post, email or share it openly.",
            "                Beside each capture's WARC file (exhibit-NNN-capture.warc) is the",
            "                screenshot of the page drawn from that WARC, where one was made",
            "                (exhibit-NNN-capture-screenshot.png; its SHA-256 is on the exhibit",
            "                page).",
        ]
    elif sealed_refused:
        lines += ["", f"No sealed volume: {sealed_refused}"]
    lines += [
        "",
        "How to check the packet (offline)",
        "---------------------------------",
        "1. With NCII Desk:",
        '       ncii-desk verify "PACKET_FOLDER"        (or the .zip file)',
        "   It lists every file that changed, is missing or is not in the manifest. On the",
        "   computer with the case vault, add --with-vault to confirm that the audit-chain",
        "   head above is part of the vault's chain and that the vault recorded this packet.",
    ]
    if sealed_files:
        lines += [
            "   When the sealed volume has been separated, check the public part with",
            '       ncii-desk verify "PACKET_FOLDER" --without-sealed',
            '   and the sealed volume on its own with  ncii-desk verify "PACKET_FOLDER/sealed"',
        ]
    lines += [
        "",
        "2. With Python 3.9 or newer only (nothing to install, writes nothing):",
        '       python3 verify_packet.py "PACKET_FOLDER"     (or the .zip file)',
        "   It checks every digest, missing and extra files, the signature and the time",
        "   stamp's digest, and prints the signing key's fingerprint. Add",
        "   --expect-key FINGERPRINT to fail on any other key.",
        "",
        "3. By hand: compute the SHA-256 of each file and compare it with manifest.csv.",
        "   Linux (in the packet folder):",
        "       grep -v '^#' manifest.csv | awk -F, 'NR>1 {print $2\"  \"$1}' | sha256sum -c",
        "   macOS: the same line with  shasum -a 256 -c  instead of  sha256sum -c",
        "   Windows (PowerShell), one file at a time:",
        "       Get-FileHash -Algorithm SHA256 packet.pdf",
        "   Every line must say OK (or the digest must equal the one in manifest.csv), and the",
        "   folder must hold no file that the manifest does not list.",
        "",
        "A matching digest shows that a file has not changed since it was taken in or",
        "exported. It does not show who made a picture or whether its content is real.",
        "",
    ]
    return "\n".join(lines)
