"""Removal-request tracker: drafts per platform, sent time, 48-hour deadline, status, history.

A request is one letter to one platform for one route, listing that platform's web addresses
from the case (captures plus any addresses typed in). Its documents are stored in the vault
as ONE encrypted blob (``document_blob_id``): a ZIP holding ``<name>.pdf`` and the editable
``<name>.docx`` with the same content, so both always travel together.

Status: draft → sent (sets sent_at and, for TAKE IT DOWN requests, deadline_at = sent_at +
48 h) → acknowledged / removed / refused. "overdue" is never stored: a sent or acknowledged
request whose deadline has passed is shown as overdue (``RequestView.state``). Every change
is appended to the request's ``history`` and recorded as an audit event. Later visits of the
same addresses (Recheck rows of the capture work) are shown with each request, and a re-check
that finds an address of a sent request gone (or back up after that) adds a line to its
history (``note_recheck``); the status stays for the advocate to set.

Suspected-minor safety: in a case marked as possibly showing a person under 18, and for
addresses whose items are so marked, the only document made is a report sheet for NCMEC
(CyberTipline and Take It Down) with web addresses and hashes; never images.

Clinic details used on letters (name, contact, default signer) are one Setting row
("clinic"), set with ``set_clinic``.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ncii_desk.documents.forms import Forms, load_forms
from ncii_desk.documents.handout import Contacted, handout_letter, handout_pdf
from ncii_desk.documents.letters import (
    DEADLINE_HOURS,
    ROUTE_TEMPLATES,
    Depiction,
    Letter,
    LetterForm,
    build_letters,
    group_by_platform,
)
from ncii_desk.errors import ExportError, InvalidSetting, NciiDeskError, NotFound
from ncii_desk.services.cases import find_case
from ncii_desk.services.lookup import by_id
from ncii_desk.services.views import iso
from ncii_desk.vault import Vault
from ncii_desk.vault.atomic import atomic_write_bytes
from ncii_desk.vault.models import (
    Blob,
    Capture,
    Case,
    EvidenceItem,
    HashRecord,
    Recheck,
    RecheckOutcome,
    RemovalRequest,
    RequestStatus,
    Setting,
)

CLINIC_KEY = "clinic"
CLINIC_FIELDS = ("name", "signer", "email", "phone", "address", "authority")
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
    overdue = _is_overdue(row, now)
    seconds_left = None
    if row.deadline_at is not None and row.status in OPEN_STATES:
        seconds_left = int((row.deadline_at - now).total_seconds())
    rechecks = [
        RecheckView(r.url, iso(r.checked_at), r.outcome.value, r.http_status)
        for r in session.scalars(
            select(Recheck)
            .where(Recheck.case_id == row.case_id, Recheck.url.in_(list(row.urls)))
            .order_by(Recheck.checked_at)
        )
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
    )


# --- clinic details ----------------------------------------------------------------------


def get_clinic(vault: Vault) -> dict[str, str]:
    with vault.session() as s:
        row = s.get(Setting, CLINIC_KEY)
        stored = dict(row.value) if row is not None else {}
    return {k: str(stored.get(k, "")) for k in CLINIC_FIELDS}


def set_clinic(vault: Vault, **values: str | None) -> dict[str, str]:
    """Store the clinic's details shown on letters; only the fields given change."""
    unknown = set(values) - set(CLINIC_FIELDS)
    if unknown:
        raise InvalidSetting(f"Unknown clinic detail: {', '.join(sorted(unknown))}.")
    changed = {k: v.strip() for k, v in values.items() if v is not None}
    with vault.transaction() as s:
        row = s.get(Setting, CLINIC_KEY)
        if row is None:
            row = Setting(key=CLINIC_KEY, value={})
            s.add(row)
        row.value = {**row.value, **changed}
        vault.audit(s, "clinic.updated", None, {"fields": sorted(changed)})
    return get_clinic(vault)


# --- depictions from the case ------------------------------------------------------------


@dataclass(frozen=True)
class _Located:
    depiction: Depiction
    minor: bool


def _case_depictions(session: Session, case: Case, extra_urls: Iterable[str]) -> list[_Located]:
    captures = list(
        session.scalars(
            select(Capture).where(Capture.case_id == case.id).order_by(Capture.started_at)
        )
    )
    items_by_capture: dict[str, list[EvidenceItem]] = {}
    for item in session.scalars(
        select(EvidenceItem).where(
            EvidenceItem.case_id == case.id, EvidenceItem.capture_id.is_not(None)
        )
    ):
        items_by_capture.setdefault(str(item.capture_id), []).append(item)
    pdq: dict[str, str] = {
        r.item_id: r.value
        for r in session.scalars(
            select(HashRecord).where(
                HashRecord.kind == "pdq",
                HashRecord.variant == "full",
                HashRecord.item_id.in_([i.id for v in items_by_capture.values() for i in v]),
            )
        )
    }
    located: dict[str, _Located] = {}
    for capture in captures:
        url = capture.url.strip()
        items = items_by_capture.get(capture.id, [])
        # Only web addresses where something was captured: a file's intake record
        # ('file:name', e.g. the client's own originals) or a failed attempt is no location
        # of a depiction (an address that could not be captured can be given with --url).
        file_record = (capture.details or {}).get("kind") == "file"
        if not url or file_record or (capture.error and not items):
            continue
        hashes: list[tuple[str, str]] = []
        for item in items:
            hashes += [("SHA-256", item.sha256), ("MD5", item.md5)]
            if item.id in pdq:
                hashes.append(("PDQ", pdq[item.id]))
        minor = case.suspected_minor or any(i.suspected_minor for i in items)
        previous = located.get(url)
        if previous is not None:
            old = previous.depiction
            merged = Depiction(
                url=url,
                final_url=old.final_url,
                captured_at=old.captured_at,
                hashes=tuple(dict.fromkeys([*old.hashes, *hashes])),
                item_ids=tuple(dict.fromkeys([*old.item_ids, *(i.id for i in items)])),
            )
            located[url] = _Located(merged, previous.minor or minor)
            continue
        located[url] = _Located(
            Depiction(
                url=url,
                final_url=capture.final_url or "",
                captured_at=capture.started_at,
                hashes=tuple(dict.fromkeys(hashes)),
                item_ids=tuple(i.id for i in items),
            ),
            minor,
        )
    for url in extra_urls:
        url = url.strip()
        if url and url not in located:
            located[url] = _Located(Depiction(url=url), case.suspected_minor)
    return list(located.values())


# --- drafting ----------------------------------------------------------------------------


@dataclass(frozen=True)
class DraftResult:
    requests: list[RequestView]
    letters: list[Letter]
    #: Platforms that have addresses in the case but do not take this route.
    not_applicable: list[str]
    #: True when (some) addresses went to an NCMEC report sheet (possible minor).
    routed_to_ncmec: bool


def _package(letter: Letter) -> bytes:
    """The ZIP stored as the request's document blob: PDF and DOCX of the same letter."""
    buffer = io.BytesIO()
    stamp = letter.created.astimezone(UTC).timetuple()[:6]
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for suffix, data in ((".pdf", letter.pdf()), (".docx", letter.docx())):
            info = zipfile.ZipInfo(letter.filename + suffix, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return buffer.getvalue()


def draft_requests(
    vault: Vault,
    case_ref: str,
    route: str,
    form: LetterForm,
    *,
    platform: str | None = None,
    extra_urls: Sequence[str] = (),
    now: datetime | None = None,
    forms: Forms | None = None,
) -> DraftResult:
    """Make one draft request (and its letter) per platform with addresses in the case.

    Raises ``MissingElements`` (naming each missing element) before anything is stored.
    """
    if route not in ROUTE_TEMPLATES:
        raise InvalidSetting(
            f"'{route}' is not a request type.", f"Use one of: {', '.join(ROUTE_TEMPLATES)}."
        )
    forms = forms or load_forms()
    now = now or datetime.now(UTC)
    with vault.session() as s:
        case = find_case(s, case_ref)
        case_id, case_label = case.id, case.label
        located = _case_depictions(s, case, extra_urls)
    if not located:
        raise NciiDeskError(
            "This case has no web addresses to put in a request.",
            "Capture the page first ('ncii-desk capture'), or give the address with --url.",
        )
    form = form if form.reference else _with_reference(form, case_label)
    minor = [x.depiction for x in located if x.minor]
    adult = [x.depiction for x in located if not x.minor]
    letters: list[Letter] = []
    not_applicable: list[str] = []
    if minor or route == "ncmec":
        letters += build_letters("ncmec", form, minor or adult, forms=forms, now=now)
    if adult and route != "ncmec":
        groups = group_by_platform(adult, forms, only=platform)
        usable = [g for g in groups if route in g.platform.routes]
        not_applicable = [g.recipient for g in groups if route not in g.platform.routes]
        if not usable and not letters:
            where = sorted({p.name for p in forms.platforms.values() if route in p.routes})
            raise NciiDeskError(
                f"No platform in this case takes a '{route}' request.",
                f"This kind of request applies to: {', '.join(where)}.",
            )
        for group in usable:
            letters += build_letters(
                ROUTE_TEMPLATES[route],
                form,
                group.depictions,
                forms=forms,
                now=now,
                platform=None if group.platform.id == "unknown" else group.platform.id,
            )
    packages = [(letter, _package(letter)) for letter in letters]
    views: list[RequestView] = []
    with vault.transaction() as s:
        for letter, package in packages:
            info = vault.blobs.put_bytes(package)
            vault.store_blob(s, info)
            row = RemovalRequest(
                case_id=case_id,
                platform=letter.recipient,
                route=letter.route,
                urls=[d.url for d in letter.depictions],
                item_ids=sorted({i for d in letter.depictions for i in d.item_ids}),
                status=RequestStatus.DRAFT,
                document_blob_id=info.blob_id,
                history=[_event(now, vault.actor, "drafted", status="draft")],
                created_at=now,
            )
            s.add(row)
            s.flush()
            vault.audit(
                s,
                "request.drafted",
                row.id,
                {"route": row.route, "platform": row.platform, "urls": len(row.urls)},
            )
            views.append(_view(s, row, now))
    return DraftResult(views, [p[0] for p in packages], not_applicable, bool(minor))


def _with_reference(form: LetterForm, reference: str) -> LetterForm:
    return replace(form, reference=reference)


# --- tracking ----------------------------------------------------------------------------


def _event(moment: datetime, actor: str, event: str, **details: Any) -> dict[str, Any]:
    return {"at": iso(moment), "by": actor, "event": event, **details}


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


def note_recheck(session: Session, vault: Vault, recheck: Recheck) -> list[str]:
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


def find_request(session: Session, ref: str) -> RemovalRequest:
    """A request by id or unique id prefix (6+ characters)."""
    missing = RequestNotFound(f"No removal request has the id '{ref.strip()}'.")
    return by_id(session, RemovalRequest, ref, what="request", missing=missing)


def _change(vault: Vault, ref: str, action: str, apply: Any, now: datetime) -> RequestView:
    with vault.transaction() as s:
        row = find_request(s, ref)
        details = apply(row)
        row.history = [*row.history, _event(now, vault.actor, action, **details)]
        vault.audit(s, f"request.{action}", row.id, details)
        s.flush()
        return _view(s, row, now)


def mark_sent(
    vault: Vault, ref: str, *, at: datetime | None = None, now: datetime | None = None
) -> RequestView:
    """Record when the request was sent; TAKE IT DOWN requests get a 48-hour deadline."""
    now = now or datetime.now(UTC)
    sent_at = at or now
    if sent_at.tzinfo is None:
        raise InvalidSetting("The time sent needs a time zone.", "For example 2026-05-20T14:30Z.")
    if sent_at > now + timedelta(minutes=5):
        raise InvalidSetting("The time sent is in the future.", "Give the time it was sent.")

    def apply(row: RemovalRequest) -> dict[str, Any]:
        if row.status != RequestStatus.DRAFT:
            raise RequestStateError(
                f"This request was already marked as sent ({iso(row.sent_at)})."
            )
        row.status = RequestStatus.SENT
        row.sent_at = sent_at
        if row.route in DEADLINE_ROUTES:
            row.deadline_at = sent_at + timedelta(hours=DEADLINE_HOURS)
        return {"status": "sent", "sent_at": iso(sent_at), "deadline_at": iso(row.deadline_at)}

    return _change(vault, ref, "sent", apply, now)


def set_ticket(vault: Vault, ref: str, ticket: str, *, now: datetime | None = None) -> RequestView:
    ticket = ticket.strip()
    if not ticket:
        raise InvalidSetting("The platform's reference number is empty.")

    def apply(row: RemovalRequest) -> dict[str, Any]:
        row.ticket_id = ticket[:200]
        return {"ticket_id": row.ticket_id}

    return _change(vault, ref, "ticket", apply, now or datetime.now(UTC))


def set_status(
    vault: Vault,
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


def list_requests(vault: Vault, case_ref: str, *, now: datetime | None = None) -> list[RequestView]:
    now = now or datetime.now(UTC)
    with vault.session() as s:
        case = find_case(s, case_ref)
        rows = s.scalars(
            select(RemovalRequest)
            .where(RemovalRequest.case_id == case.id)
            .order_by(RemovalRequest.created_at, RemovalRequest.platform, RemovalRequest.id)
        )
        return [_view(s, row, now) for row in rows]


def get_request(vault: Vault, ref: str, *, now: datetime | None = None) -> RequestView:
    with vault.session() as s:
        return _view(s, find_request(s, ref), now or datetime.now(UTC))


def request_documents(vault: Vault, ref: str) -> dict[str, bytes]:
    """The stored documents of a request: file name -> bytes (PDF and DOCX)."""
    with vault.session() as s:
        row = find_request(s, ref)
        blob = s.get(Blob, row.document_blob_id) if row.document_blob_id else None
        if blob is None:
            raise RequestStateError("This request has no stored documents.")
        data = vault.read_blob(blob)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def export_documents(
    vault: Vault,
    ref: str,
    out_dir: Path,
    *,
    formats: Sequence[str] = ("pdf", "docx"),
    overwrite: bool = False,
    now: datetime | None = None,
) -> list[Path]:
    """Write a request's PDF and/or DOCX into ``out_dir`` (recorded in the audit trail)."""
    documents = {
        name: data
        for name, data in request_documents(vault, ref).items()
        if name.rsplit(".", 1)[-1] in formats
    }
    written = write_files(out_dir, documents, overwrite=overwrite)
    _change(
        vault,
        ref,
        "exported",
        lambda _row: {"files": sorted(documents)},
        now or datetime.now(UTC),
    )
    return written


def write_files(out_dir: Path, files: dict[str, bytes], *, overwrite: bool = False) -> list[Path]:
    """Write documents into a folder: nothing is written if any target exists (unless told)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    targets = {out_dir / name: data for name, data in files.items()}
    clashes = [p.name for p in targets if p.exists()]
    if clashes and not overwrite:
        raise ExportError(
            f"{len(clashes)} file(s) already exist in the folder, for example {clashes[0]}.",
            "Choose another folder, or add --overwrite.",
        )
    for path, data in targets.items():
        atomic_write_bytes(path, data)
    return list(targets)


# --- follow-up and escalation ------------------------------------------------------------


def followup_letters(
    vault: Vault,
    ref: str,
    form: LetterForm,
    kind: str,
    *,
    now: datetime | None = None,
    forms: Forms | None = None,
) -> Letter:
    """The 48-hour follow-up ("followup") or FTC complaint summary ("escalation")."""
    if kind not in ("followup", "escalation"):
        raise InvalidSetting(f"Unknown follow-up document '{kind}'.")
    forms = forms or load_forms()
    now = now or datetime.now(UTC)
    with vault.session() as s:
        row = find_request(s, ref)
        view = _view(s, row, now)
        case = s.get(Case, row.case_id)
        assert case is not None
        case_label = case.label
        located = {x.depiction.url: x.depiction for x in _case_depictions(s, case, ())}
    if row.route not in DEADLINE_ROUTES or not view.overdue:
        raise RequestStateError(
            "A follow-up is for a TAKE IT DOWN request whose 48-hour deadline has passed "
            "without removal.",
            f"This request is {view.state}"
            + (f", deadline {view.deadline_at}." if view.deadline_at else "."),
        )
    depictions = [located.get(u, Depiction(url=u)) for u in view.urls]
    overdue_by = now - (row.deadline_at or now)
    hours = int(overdue_by.total_seconds() // 3600)
    original = {
        "sent_at": _fmt(row.sent_at),
        "deadline_at": _fmt(row.deadline_at),
        "ticket_id": row.ticket_id or "",
        "status": view.state,
        "past_deadline": _duration(hours),
    }
    outcomes = {"still_up": "still up", "changed": "changed", "gone": "gone", "error": "error"}
    rechecks = tuple(
        (
            r.checked_at or "",
            r.url,
            outcomes.get(r.outcome, r.outcome)
            + (f" (HTTP {r.http_status})" if r.http_status else ""),
        )
        for r in view.rechecks
    )
    history = tuple((str(e.get("at", "")), _describe_event(e)) for e in view.history)
    form = form if form.reference else _with_reference(form, case_label)
    letters = build_letters(
        kind,
        form,
        depictions,
        forms=forms,
        now=now,
        extra_user={"original": original},
        extra_tables={"rechecks": rechecks, "history": history},
    )
    if len(letters) != 1:  # the URLs of one request belong to one platform
        raise RequestStateError("The request's addresses span several platforms.")
    _change(vault, row.id, f"{kind}_made", lambda _row: {"document": kind}, now)
    return letters[0]


def _duration(hours: int) -> str:
    days, rest = divmod(hours, 24)
    parts = [f"{days} day{'' if days == 1 else 's'}"] if days else []
    return " ".join([*parts, f"{rest} hour{'' if rest == 1 else 's'}"])


def _fmt(moment: datetime | None) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if moment else "-"


def _describe_event(event: dict[str, Any]) -> str:
    name = str(event.get("event", ""))
    if name == "sent":
        return f"Marked as sent; deadline {event.get('deadline_at') or 'none'}"
    if name == "ticket":
        return f"Platform reference recorded: {event.get('ticket_id', '')}"
    if name == "status":
        note = f" ({event['note']})" if event.get("note") else ""
        return f"Status set to {event.get('status', '')}{note}"
    if name == "drafted":
        return "Request drafted"
    if name == "exported":
        return "Documents exported"
    if name in CONTENT_EVENTS:
        return f"Re-check of {event.get('url', '')}: {event.get('note', '')}"
    if name in ("followup_made", "escalation_made"):
        return "Follow-up letter prepared" if name == "followup_made" else "FTC summary prepared"
    return name


# --- hand-out ----------------------------------------------------------------------------


def make_handout(
    vault: Vault, case_ref: str, *, now: datetime | None = None, forms: Forms | None = None
) -> bytes:
    """The hand-out PDF for the person the case is about (recorded in the audit trail)."""
    now = now or datetime.now(UTC)
    views = list_requests(vault, case_ref, now=now)
    with vault.session() as s:
        case = find_case(s, case_ref)
        case_id, label, minor = case.id, case.label, case.suspected_minor
    contacted = [
        Contacted(
            platform=v.platform,
            route=v.route,
            sent_at=datetime.fromisoformat(v.sent_at) if v.sent_at else None,
            state=v.state,
        )
        for v in views
    ]
    letter = handout_letter(
        reference=label,
        minor=minor,
        contacted=contacted,
        clinic=get_clinic(vault),
        now=now,
        forms=forms,
    )
    pdf = handout_pdf(letter)
    with vault.transaction() as s:
        vault.audit(s, "handout.made", case_id, {"requests": len(views), "minor": minor})
    return pdf
