"""Tracking sent requests: the sent time, the 48-hour deadline, status and history.

Status: draft → sent (sets sent_at, dates the letter then, and, for TAKE IT DOWN requests to a
site the advocate answered is a covered platform, deadline_at = sent_at + 48 h; a sent time
before the draft or in the future is refused, and a wrong one is corrected with a reason,
``correct_sent``) → acknowledged / removed / refused. Times are shown in the clinic's zone
(setting ``requests.time_zone``) with UTC beside them. A re-check that finds an address of a
sent request gone (or back up after that) adds a line to its history (``note_recheck``); the
status stays for the advocate to set.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ncii_desk.documents.clock import CLOCK_SKEW_MINUTES, local_and_utc
from ncii_desk.documents.forms import Forms, load_forms
from ncii_desk.documents.letters import DEADLINE_HOURS, build_letters, form_from_json
from ncii_desk.errors import InvalidSetting, NciiDeskError
from ncii_desk.services import access
from ncii_desk.services.cases import find_case
from ncii_desk.services.requests.clinic import clinic_zone
from ncii_desk.services.requests.depictions import _CaseRecords
from ncii_desk.services.requests.documents import _hashes, _package
from ncii_desk.services.requests.records import (
    DEADLINE_ROUTES,
    OPEN_STATES,
    SETTABLE,
    RequestStateError,
    RequestView,
    _change,
    _change_in_session,
    _event,
    _view,
    find_request,
)
from ncii_desk.services.views import iso
from ncii_desk.vault.models import (
    Blob,
    Case,
    Recheck,
    RecheckOutcome,
    RemovalRequest,
    RequestStatus,
)
from ncii_desk.vault.store import CaseStore

# --- tracking ----------------------------------------------------------------------------


#: History events written by re-checks: an address of the request found gone, or back.
CONTENT_EVENTS = ("content_gone", "content_back")


def _states_seen(recheck: Recheck) -> dict[str, bool]:
    """Address -> whether the re-check found it gone: the address visited, and each picture
    or video captured from that page that was fetched again (errors tell nothing)."""
    seen: dict[str, bool] = {}
    if recheck.outcome != RecheckOutcome.ERROR:
        seen[recheck.url] = recheck.outcome == RecheckOutcome.GONE
    for url, state in dict((recheck.details or {}).get("media") or {}).items():
        if state in ("gone", "still_up", "changed"):
            seen.setdefault(str(url), state == "gone")
    return seen


def note_recheck(session: Session, vault: CaseStore, recheck: Recheck) -> list[str]:
    """Record a re-check in the history of every sent, open request naming an address it saw.

    A line is added when an address of the request is found gone, and again if it is found
    up after that; a re-check that changes nothing adds nothing. The status is left for the
    advocate (a platform may have removed only some copies). Returns the requests noted.
    """
    seen = _states_seen(recheck)
    when = _fmt(recheck.checked_at)
    noted: list[str] = []
    rows = session.scalars(
        select(RemovalRequest).where(
            RemovalRequest.case_id == recheck.case_id, RemovalRequest.status.in_(OPEN_STATES)
        )
    )
    for row in rows:
        for url in row.urls:
            if url not in seen:
                continue
            gone = seen[url]
            last = next(
                (
                    e.get("event")
                    for e in reversed(row.history)
                    if e.get("event") in CONTENT_EVENTS and e.get("url") == url
                ),
                None,
            )
            if gone == (last == "content_gone") or (not gone and last is None):
                continue
            event = "content_gone" if gone else "content_back"
            note = f"content gone since {when}" if gone else f"content up again at {when}"
            details: dict[str, Any] = {"url": url, "recheck_id": recheck.id, "note": note}
            if url == recheck.url and recheck.http_status is not None:
                details["http_status"] = recheck.http_status
            row.history = [*row.history, _event(recheck.checked_at, vault.actor, event, **details)]
            vault.audit(session, f"request.{event}", row.id, {"recheck_id": recheck.id})
            if row.id not in noted:
                noted.append(row.id)
    return noted


def _deadline_applies(row: RemovalRequest) -> bool:
    """A 48-hour deadline is tracked for a TAKE IT DOWN request whose site the advocate
    answered is a covered platform (and for requests drafted before that question)."""
    if row.route not in DEADLINE_ROUTES:
        return False
    inputs = row.letter_inputs
    return inputs is None or inputs.get("covered_platform") == "yes"


def _check_sent_time(row: RemovalRequest, sent_at: datetime, now: datetime, zone: tzinfo) -> None:
    """A sent time may not be before the draft (to the minute: times are typed in minutes)
    nor later than now plus CLOCK_SKEW_MINUTES."""
    if sent_at.tzinfo is None:
        raise InvalidSetting(
            "The time sent needs a time zone.", "For example 2026-05-20T14:30Z or --zone."
        )
    if sent_at > now + timedelta(minutes=CLOCK_SKEW_MINUTES):
        raise InvalidSetting(
            f"The time sent ({local_and_utc(sent_at, zone)}) is in the future: this computer's "
            f"clock says {local_and_utc(now, zone)}.",
            f"Give the time it was sent (up to {CLOCK_SKEW_MINUTES} minutes ahead is accepted "
            "for clock differences), or check this computer's clock.",
        )
    drafted = row.created_at.replace(second=0, microsecond=0)
    if sent_at < drafted:
        raise InvalidSetting(
            f"The time sent ({local_and_utc(sent_at, zone)}) is before the request was drafted "
            f"({local_and_utc(row.created_at, zone)}).",
            "Give the time the letter was actually sent; a request cannot be sent before it "
            "was written.",
        )


@dataclass(frozen=True)
class _Redated:
    package: bytes | None  # the letter rendered again with the sent date, if it could be
    note: str  # why not, when it could not


def _render_dated(
    vault: CaseStore, ref: str, sent_at: datetime, zone: tzinfo, forms: Forms | None
) -> _Redated:
    """The request's letter rendered again, dated ``sent_at`` (before any write lock)."""
    with vault.session() as s:
        row = find_request(s, ref)
        inputs = row.letter_inputs
        if inputs is None or row.document_blob_id is None:
            return _Redated(None, "drafted by an earlier version: the letter keeps its draft date")
        case = s.get(Case, row.case_id)
        assert case is not None
        depictions = _CaseRecords(s, case).request_depictions(row)
    try:
        letters = build_letters(
            str(inputs["template"]),
            form_from_json(dict(inputs.get("form") or {})),
            depictions,
            forms=forms or load_forms(),
            now=sent_at,
            platform=inputs.get("platform_id"),
            zone=zone,
        )
    except NciiDeskError as exc:  # e.g. forms/ data changed since the draft: keep the draft
        return _Redated(
            None, f"the letter could not be dated again ({exc.message}); it keeps its draft date"
        )
    if len(letters) != 1:
        return _Redated(None, "the letter could not be rendered again; it keeps its draft date")
    return _Redated(_package(letters[0]), "")


def _store_redated(
    s: Session, vault: CaseStore, row: RemovalRequest, redated: _Redated
) -> dict[str, Any]:
    """Store the re-dated letter as the request's documents; the history keeps the SHA-256
    of the documents it replaces (the earlier blob stays in the vault)."""
    old = s.get(Blob, row.document_blob_id) if row.document_blob_id else None
    before = _hashes(vault.read_blob(old)) if old is not None else {}
    if redated.package is None:
        return {"letter_redated": False, "note": redated.note, "documents": before}
    info = vault.case_blobs(row.case_id, s).put_bytes(redated.package)
    vault.store_blob(s, info)
    row.document_blob_id = info.blob_id
    return {
        "letter_redated": True,
        "documents": _hashes(redated.package),
        "replaced_documents": before,
        "replaced_blob_id": old.id if old is not None else "",
    }


def mark_sent(
    vault: CaseStore,
    ref: str,
    *,
    at: datetime | None = None,
    now: datetime | None = None,
    forms: Forms | None = None,
) -> RequestView:
    """Record when the request was sent and date its letter then.

    The letter (PDF and DOCX) is rendered again with the sent time as its date; the history
    keeps the SHA-256 of the draft's documents. A sent time before the draft or in the
    future (more than CLOCK_SKEW_MINUTES ahead) is refused. A TAKE IT DOWN request to a site
    the advocate answered is a covered platform gets its 48-hour deadline.
    """
    now = now or datetime.now(UTC)
    sent_at = at or now
    if sent_at.tzinfo is not None:  # UTC first: 48 hours are counted in real time
        sent_at = sent_at.astimezone(UTC)
    zone = clinic_zone(vault)
    with vault.session() as s:
        row = find_request(s, ref)
        access.require(vault, row.case_id, access.Action.REQUEST_SEND)
        if row.status != RequestStatus.DRAFT:
            raise RequestStateError(
                f"This request was already marked as sent ({local_and_utc(row.sent_at, zone)}).",
                "To change the time sent, correct it with a reason: 'ncii-desk requests sent "
                "REQ --correct --at TIME --reason TEXT'.",
            )
        _check_sent_time(row, sent_at, now, zone)
        from ncii_desk.services.signoff import require_for_sending  # imports this package

        require_for_sending(vault, s, row)
    redated = _render_dated(vault, ref, sent_at, zone, forms)

    def apply(s: Session, row: RemovalRequest) -> dict[str, Any]:
        if row.status != RequestStatus.DRAFT:
            raise RequestStateError(
                f"This request was already marked as sent ({iso(row.sent_at)})."
            )
        row.status = RequestStatus.SENT
        row.sent_at = sent_at
        if _deadline_applies(row):
            row.deadline_at = sent_at + timedelta(hours=DEADLINE_HOURS)
        letter = _store_redated(s, vault, row, redated)
        return {
            "status": "sent",
            "sent_at": iso(sent_at),
            "deadline_at": iso(row.deadline_at),
            **letter,
        }

    return _change_in_session(vault, ref, "sent", apply, now)


def correct_sent(
    vault: CaseStore,
    ref: str,
    at: datetime,
    reason: str,
    *,
    now: datetime | None = None,
    forms: Forms | None = None,
) -> RequestView:
    """Correct the time a request was sent, with a reason: the 48-hour deadline moves with
    it and the letter is dated again. The history and the audit trail keep the old and new
    times, the reason and who corrected it."""
    now = now or datetime.now(UTC)
    reason = reason.strip()
    if not reason:
        raise InvalidSetting(
            "A correction of the time sent needs a reason.",
            "Say why with --reason, e.g. 'the e-mail was sent at 14:05, not 15:05'.",
        )
    zone = clinic_zone(vault)
    if at.tzinfo is not None:  # UTC first: 48 hours are counted in real time
        at = at.astimezone(UTC)
    with vault.session() as s:
        row = find_request(s, ref)
        access.require(vault, row.case_id, access.Action.REQUEST_SEND)
        if row.sent_at is None:
            raise RequestStateError(
                "This request has not been marked as sent, so there is no time to correct.",
                "Mark it as sent with 'ncii-desk requests sent REQ --at TIME'.",
            )
        _check_sent_time(row, at, now, zone)
    redated = _render_dated(vault, ref, at, zone, forms)

    def apply(s: Session, row: RemovalRequest) -> dict[str, Any]:
        if row.sent_at is None:  # pragma: no cover - checked above, in a separate session
            raise RequestStateError("This request has not been marked as sent.")
        old_sent, old_deadline = row.sent_at, row.deadline_at
        row.sent_at = at
        if row.deadline_at is not None or _deadline_applies(row):
            row.deadline_at = at + timedelta(hours=DEADLINE_HOURS)
        letter = _store_redated(s, vault, row, redated)
        return {
            "old_sent_at": iso(old_sent),
            "sent_at": iso(at),
            "old_deadline_at": iso(old_deadline),
            "deadline_at": iso(row.deadline_at),
            "reason": reason[:500],
            **letter,
        }

    return _change_in_session(vault, ref, "sent_corrected", apply, now)


def set_ticket(
    vault: CaseStore, ref: str, ticket: str, *, now: datetime | None = None
) -> RequestView:
    ticket = ticket.strip()
    if not ticket:
        raise InvalidSetting("The platform's reference number is empty.")

    def apply(row: RemovalRequest) -> dict[str, Any]:
        row.ticket_id = ticket[:200]
        return {"ticket_id": row.ticket_id}

    return _change(vault, ref, "ticket", apply, now or datetime.now(UTC))


def set_status(
    vault: CaseStore,
    ref: str,
    status: RequestStatus | str,
    *,
    note: str = "",
    now: datetime | None = None,
) -> RequestView:
    """acknowledged, removed or refused (overdue is worked out, never set)."""
    try:
        wanted = RequestStatus(status)
    except ValueError:
        wanted = None
    if wanted not in SETTABLE:
        names = ", ".join(s.value for s in SETTABLE)
        raise InvalidSetting(
            f"'{status}' cannot be set by hand.",
            f"Use one of: {names}. 'sent' is set with 'requests sent'; overdue is automatic.",
        )
    assert wanted is not None

    def apply(row: RemovalRequest) -> dict[str, Any]:
        if row.sent_at is None:
            raise RequestStateError(
                "This request is still a draft.",
                "Mark it as sent first with 'ncii-desk requests sent REQ'.",
            )
        row.status = wanted
        details: dict[str, Any] = {"status": wanted.value}
        if note.strip():
            details["note"] = note.strip()
        return details

    return _change(vault, ref, "status", apply, now or datetime.now(UTC))


def list_requests(
    vault: CaseStore, case_ref: str, *, now: datetime | None = None
) -> list[RequestView]:
    now = now or datetime.now(UTC)
    with vault.session() as s:
        case = find_case(s, case_ref)
        rows = s.scalars(select(RemovalRequest).where(RemovalRequest.case_id == case.id))
        # Sorted here, not in SQL: the platform is sealed on a clinic store.
        ordered = sorted(rows, key=lambda r: (r.created_at, r.platform, r.id))
        return [_view(s, row, now) for row in ordered]


def get_request(vault: CaseStore, ref: str, *, now: datetime | None = None) -> RequestView:
    with vault.session() as s:
        return _view(s, find_request(s, ref), now or datetime.now(UTC))


def _fmt(moment: datetime | None) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if moment else "-"
