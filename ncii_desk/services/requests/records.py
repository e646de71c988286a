"""A removal request as the tracker shows it, and how every change to one is recorded.

"overdue" is never stored: a sent or acknowledged request whose deadline has passed is shown
as overdue (``RequestView.state``). Later visits of the same addresses (Recheck rows of the
capture work) are shown with each request. Every change is appended to the request's
``history`` and recorded as an audit event (``_change``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ncii_desk.documents.clock import local_and_utc
from ncii_desk.errors import NciiDeskError, NotFound
from ncii_desk.services import access
from ncii_desk.services.lookup import by_id
from ncii_desk.services.settings import request_settings_in
from ncii_desk.services.views import iso
from ncii_desk.vault.models import Recheck, RemovalRequest, RequestStatus
from ncii_desk.vault.store import CaseStore

DEADLINE_ROUTES = ("takedown",)
SETTABLE = (RequestStatus.ACKNOWLEDGED, RequestStatus.REMOVED, RequestStatus.REFUSED)
OPEN_STATES = (RequestStatus.SENT, RequestStatus.ACKNOWLEDGED)


class RequestNotFound(NotFound):
    default_hint = "List a case's requests with 'ncii-desk requests CASE'."


class RequestStateError(NciiDeskError):
    default_hint = "See the request's history with 'ncii-desk requests show REQ'."


# --- views -------------------------------------------------------------------------------


@dataclass(frozen=True)
class RecheckView:
    url: str
    checked_at: str | None
    outcome: str
    http_status: int | None


@dataclass(frozen=True)
class RequestView:
    id: str
    case_id: str
    platform: str
    route: str
    urls: list[str]
    item_ids: list[str]
    status: str
    state: str  # status, or "overdue" when the deadline passed without removal
    overdue: bool
    sent_at: str | None
    deadline_at: str | None
    seconds_left: int | None
    ticket_id: str | None
    created_at: str | None
    has_documents: bool
    history: list[dict[str, Any]]
    rechecks: list[RecheckView] = field(default_factory=list)
    content: str = ""  # "gone", "still up", "changed", "mixed" or "" from the latest rechecks
    #: When content is "gone": since when every address has been found gone (UTC, ISO).
    gone_since: str | None = None
    #: The clinic's time zone and the sent time and deadline in it, UTC beside them
    #: ("2026-11-02 19:00 EST (2026-11-03 00:00 UTC)"); "" when not set.
    zone: str = ""
    sent_local: str = ""
    deadline_local: str = ""
    #: The advocate's answer for a TAKE IT DOWN request: is the site a covered platform
    #: under 47 U.S.C. § 223a ("yes", "no", "unsure"; "" for requests drafted before).
    covered_platform: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _is_overdue(row: RemovalRequest, now: datetime) -> bool:
    return row.status in OPEN_STATES and row.deadline_at is not None and now > row.deadline_at


def _content_summary(
    rechecks: Sequence[RecheckView], urls: Sequence[str]
) -> tuple[str, str | None]:
    """What the newest re-checks found at ``urls``, and since when all of them are gone."""
    latest: dict[str, str] = {}
    gone_from: dict[str, str | None] = {}
    for r in rechecks:  # oldest first, so the newest wins
        if r.outcome == "gone" and latest.get(r.url) != "gone":
            gone_from[r.url] = r.checked_at
        latest[r.url] = r.outcome
    outcomes = {latest[u] for u in urls if u in latest}
    if not outcomes:
        return "", None
    if outcomes == {"gone"}:
        starts = [gone_from[u] for u in urls if u in latest]
        return "gone", max((s for s in starts if s), default=None)
    if outcomes <= {"still_up", "changed"}:
        return ("still up" if outcomes == {"still_up"} else "changed"), None
    return "mixed", None


def _view(session: Session, row: RemovalRequest, now: datetime) -> RequestView:
    zone = request_settings_in(session)
    overdue = _is_overdue(row, now)
    seconds_left = None
    if row.deadline_at is not None and row.status in OPEN_STATES:
        seconds_left = int((row.deadline_at - now).total_seconds())
    # The URL is compared after loading: on a clinic store it is sealed, so SQL cannot.
    wanted = set(row.urls)
    rechecks = [
        RecheckView(r.url, iso(r.checked_at), r.outcome.value, r.http_status)
        for r in session.scalars(
            select(Recheck).where(Recheck.case_id == row.case_id).order_by(Recheck.checked_at)
        )
        if r.url in wanted
    ]
    content, gone_since = _content_summary(rechecks, row.urls)
    return RequestView(
        id=row.id,
        case_id=row.case_id,
        platform=row.platform,
        route=row.route,
        urls=list(row.urls),
        item_ids=list(row.item_ids),
        status=row.status.value,
        state="overdue" if overdue else row.status.value,
        overdue=overdue,
        sent_at=iso(row.sent_at),
        deadline_at=iso(row.deadline_at),
        seconds_left=seconds_left,
        ticket_id=row.ticket_id,
        created_at=iso(row.created_at),
        has_documents=row.document_blob_id is not None,
        history=list(row.history),
        rechecks=rechecks,
        content=content,
        gone_since=gone_since,
        zone=zone.zone_name,
        sent_local=local_and_utc(row.sent_at, zone.zone) if row.sent_at else "",
        deadline_local=local_and_utc(row.deadline_at, zone.zone) if row.deadline_at else "",
        covered_platform=str((row.letter_inputs or {}).get("covered_platform", "")),
    )


def _event(moment: datetime, actor: str, event: str, **details: Any) -> dict[str, Any]:
    return {"at": iso(moment), "by": actor, "event": event, **details}


def find_request(session: Session, ref: str) -> RemovalRequest:
    """A request by id or unique id prefix (6+ characters)."""
    missing = RequestNotFound(f"No removal request has the id '{ref.strip()}'.")
    return by_id(session, RemovalRequest, ref, what="request", missing=missing)


#: What a change of a request is, for the role check (other changes: sending and answers).
_ACTIONS = {
    "exported": access.Action.CASE_EXPORT,
    "followup_made": access.Action.LETTER_DRAFT,
    "escalation_made": access.Action.LETTER_DRAFT,
}


def _change(vault: CaseStore, ref: str, action: str, apply: Any, now: datetime) -> RequestView:
    return _change_in_session(vault, ref, action, lambda _s, row: apply(row), now)


def _change_in_session(
    vault: CaseStore, ref: str, action: str, apply: Any, now: datetime
) -> RequestView:
    """``_change`` for changes that also write other rows: ``apply(session, row)``."""
    with vault.transaction() as s:
        row = find_request(s, ref)
        access.require(vault, row.case_id, _ACTIONS.get(action, access.Action.REQUEST_SEND))
        details = apply(s, row)
        row.history = [*row.history, _event(now, vault.actor, action, **details)]
        vault.audit(s, f"request.{action}", row.id, details)
        s.flush()
        return _view(s, row, now)
