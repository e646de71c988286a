"""Removal-request tracker: drafts per platform, sent time, 48-hour deadline, status, history.

A request is one letter to one platform for one route, listing the depictions of the person
on that platform: each suspect picture or video matched to the case's originals or reference
photos (a match not rejected by a reviewer) or named by the advocate, with its own address,
the page it appeared on, capture time and hashes; never a page's HTML or the unrelated files
captured with it. Captured pages without a matched picture stay out (and are named), pages
given as-is are listed whole, and what an open request of the same kind to the same platform
already lists is not asked again (``AlreadyRequested`` when nothing new is left). Its
documents are stored in the vault as ONE encrypted blob (``document_blob_id``): a ZIP holding
``<name>.pdf`` and the editable ``<name>.docx`` with the same content, so both always travel
together.

Status: draft → sent (sets sent_at, dates the letter then, and, for TAKE IT DOWN requests to a
site the advocate answered is a covered platform, deadline_at = sent_at + 48 h; a sent time
before the draft or in the future is refused, and a wrong one is corrected with a reason,
``correct_sent``) → acknowledged / removed / refused. Times are shown in the clinic's zone
(setting ``requests.time_zone``) with UTC beside them. "overdue" is never stored: a sent or
acknowledged request whose deadline has passed is shown as overdue (``RequestView.state``).
Every change is appended to the request's ``history`` and recorded as an audit event. Later
visits of the same addresses (Recheck rows of the capture work) are shown with each request,
and a re-check that finds an address of a sent request gone (or back up after that) adds a line
to its history (``note_recheck``); the status stays for the advocate to set.

DMCA notices list only copies matched by their pixels, and confirmed by a reviewer, to
originals individually marked as the client's (``EvidenceItem.taken_by`` /
``client_holds_copyright``); every other picture is left out with its reason and the TAKE IT
DOWN route is suggested (``dmca_filter``, ``NoDmcaCopies``). The client's legal name reaches
only platforms whose process requires it; other letters use the case's pseudonym.

Suspected-minor safety: in a case marked as possibly showing a person under 18, and for
addresses whose items are so marked, the only document made is a report sheet for NCMEC
(CyberTipline and Take It Down) with web addresses and hashes; never images.

Clinic details used on letters (name, contact, default signer) are one Setting row
("clinic"), set with ``set_clinic``.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ncii_desk.documents import covered as covered
from ncii_desk.documents.clock import CLOCK_SKEW_MINUTES, local_and_utc
from ncii_desk.documents.clock import parse_local as parse_local
from ncii_desk.documents.clock import zone_label as zone_label
from ncii_desk.documents.clock import zone_named as zone_named
from ncii_desk.documents.covered import clean_answer
from ncii_desk.documents.forms import Forms, load_forms
from ncii_desk.documents.handout import Contacted, handout_docx, handout_letter, handout_pdf
from ncii_desk.documents.letters import (
    DEADLINE_HOURS,
    ROUTE_TEMPLATES,
    Depiction,
    Letter,
    LetterForm,
    build_letters,
    form_from_json,
    form_to_json,
    group_by_platform,
)
from ncii_desk.errors import ExportError, InvalidSetting, NciiDeskError, NotFound
from ncii_desk.hardening import make_private_dir
from ncii_desk.services.cases import find_case
from ncii_desk.services.items import find_item
from ncii_desk.services.lookup import by_id
from ncii_desk.services.settings import request_settings_in
from ncii_desk.services.views import iso
from ncii_desk.vault import Vault
from ncii_desk.vault.atomic import atomic_write_bytes
from ncii_desk.vault.models import (
    Answer,
    Blob,
    Capture,
    Case,
    EvidenceItem,
    HashRecord,
    Match,
    Recheck,
    RecheckOutcome,
    RemovalRequest,
    RequestStatus,
    ReviewState,
    Role,
    Setting,
    TakenBy,
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
        zone=zone.zone_name,
        sent_local=local_and_utc(row.sent_at, zone.zone) if row.sent_at else "",
        deadline_local=local_and_utc(row.deadline_at, zone.zone) if row.deadline_at else "",
        covered_platform=str((row.letter_inputs or {}).get("covered_platform", "")),
    )


# --- clinic details ----------------------------------------------------------------------


def required_details(route: str, *, representative: bool) -> tuple[str, ...]:
    """The letter details a kind of request requires (the validators' element keys, less
    the web addresses, which come from the case), so a form can mark them before drafting.
    A platform may require more (its legal-name rule); drafting names that too."""
    from ncii_desk.documents import validators

    keys = [k for k in validators.REQUIRED.get(route, ()) if k != "location"]
    if route == "dmca":
        keys.insert(0, "copyright_owner")
    if representative and keys:
        keys.append("authority")
    return tuple(keys)


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

#: Why an address of the case is not in a draft (``LeftOut.reason``).
NO_MATCH = "no matched picture"
MINOR_NEEDS_REPRESENTATIVE = (
    "in the NCMEC sheet only: a removal notice about a person who may be under 18 is sent "
    "by a representative, never in the person's own name"
)
#: The text-only TAKE IT DOWN notice drafted beside the NCMEC sheet for a possible minor.
MINOR_TEMPLATE = "takedown_minor"
NO_ADDRESS = "matched, but no web address is known"
ALREADY_REQUESTED = "already in an open request"
#: Why a picture is not in a DMCA notice (17 U.S.C. § 512(c)(3)(A)(ii)/(iii): the notice
#: may list only copies of a work the client owns; § 512(f) makes the sender liable for a
#: knowing misrepresentation). Checked per suspect item against its matches.
DMCA_FACE_ONLY = "DMCA: only a face match, not a copy of the client's own picture"
DMCA_REFERENCE_ONLY = "DMCA: matched only to a reference photo of the client's face"
DMCA_TAKEN_BY_OTHER = "DMCA: the original it copies was taken by someone else"
DMCA_NOT_HELD = "DMCA: the client does not hold the copyright of the original it copies"
DMCA_PENDING = "DMCA: its match to the client's original is not confirmed by a reviewer yet"
DMCA_UNMARKED = "DMCA: the original it copies is not marked as the client's"
DMCA_NO_MATCH = "DMCA: no confirmed copy of an original the client owns"
DMCA_REASONS = (
    DMCA_UNMARKED,
    DMCA_PENDING,
    DMCA_NOT_HELD,
    DMCA_TAKEN_BY_OTHER,
    DMCA_REFERENCE_ONLY,
    DMCA_FACE_ONLY,
    DMCA_NO_MATCH,
)
#: Match kinds that do not come from the pixels of the client's picture.
NOT_PIXEL_KINDS = frozenset({"face"})
#: What the DMCA draft says about the pictures it left out.
DMCA_SUGGESTION = (
    "Pictures left out of a DMCA notice can still be asked for under the TAKE IT DOWN Act "
    "('ncii-desk requests draft CASE --route takedown'), which needs no copyright. Mark who "
    "took each original with 'ncii-desk item copyright ITEM --taken-by client|other|unknown "
    "--client-holds-copyright yes|no|unknown', and confirm matches with 'ncii-desk matches "
    "review'."
)

#: Requests that still cover their depictions (overdue is a sent or acknowledged one).
COVERING_STATES = (RequestStatus.DRAFT, *OPEN_STATES)
_REVIEW_RANK = {"confirmed": 3, "pending": 2, "named": 1, "": 0}


@dataclass(frozen=True)
class LeftOut:
    """An address (or item) of the case that is not in a draft, and why."""

    url: str
    reason: str
    item_id: str = ""
    request_id: str = ""
    status: str = ""

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


@dataclass(frozen=True)
class _Located:
    depiction: Depiction
    minor: bool


@dataclass
class _Found:
    located: list[_Located]
    left_out: list[LeftOut]


class _CaseRecords:
    """A case's items, captures and matches, read once in one session."""

    def __init__(self, session: Session, case: Case) -> None:
        self.session = session
        self.case = case
        self.items = {
            i.id: i
            for i in session.scalars(select(EvidenceItem).where(EvidenceItem.case_id == case.id))
        }
        self.captures = {
            c.id: c for c in session.scalars(select(Capture).where(Capture.case_id == case.id))
        }
        self._pdq: dict[str, str] | None = None

    def matched(self) -> dict[str, str]:
        """Suspect items with a match to one of the case's originals or reference photos that
        a reviewer has not rejected: item id -> "confirmed" or "pending"."""
        own = {i.id for i in self.items.values() if i.role in (Role.ORIGINAL, Role.REFERENCE)}
        found: dict[str, str] = {}
        for m in self.session.scalars(
            select(Match).where(
                Match.case_id == self.case.id, Match.review_state != ReviewState.REJECTED
            )
        ):
            item = self.items.get(m.suspect_item_id)
            if item is None or item.role != Role.SUSPECT or m.target_item_id not in own:
                continue
            state = "confirmed" if m.review_state == ReviewState.CONFIRMED else "pending"
            if _REVIEW_RANK[state] > _REVIEW_RANK[found.get(item.id, "")]:
                found[item.id] = state
        return found

    def dmca_basis(self) -> dict[str, str]:
        """Per suspect item: "" when a DMCA notice may list it (a confirmed, pixel-derived
        match to an original individually marked as the client's and not taken by someone
        else), else the reason it may not (the reason closest to allowed, when several)."""
        rank = {"": 0, **{r: n for n, r in enumerate(DMCA_REASONS, start=1)}}
        basis: dict[str, str] = {}
        for m in self.session.scalars(
            select(Match).where(
                Match.case_id == self.case.id, Match.review_state != ReviewState.REJECTED
            )
        ):
            item = self.items.get(m.suspect_item_id)
            target = self.items.get(m.target_item_id or "")
            if item is None or item.role != Role.SUSPECT or target is None:
                continue
            reason = _dmca_reason(m, target)
            old = basis.get(item.id)
            if old is None or rank[reason] < rank[old]:
                basis[item.id] = reason
        return basis

    def pdq(self, item_id: str) -> str:
        if self._pdq is None:
            self._pdq = {
                r.item_id: r.value
                for r in self.session.scalars(
                    select(HashRecord).where(
                        HashRecord.kind == "pdq",
                        HashRecord.variant == "full",
                        HashRecord.item_id.in_(list(self.items)),
                    )
                )
            }
        return self._pdq.get(item_id, "")

    def capture_of(self, item: EvidenceItem) -> Capture | None:
        return self.captures.get(item.capture_id) if item.capture_id else None

    def order(self, item: EvidenceItem) -> tuple[datetime, datetime, int, str]:
        """Capture time, then intake, then the place of the picture on its page."""
        capture = self.capture_of(item)
        position = -1
        if capture is not None:
            ids = [r.get("item_id") for r in (capture.details or {}).get("resources", [])]
            position = ids.index(item.id) if item.id in ids else -1
        when = capture.started_at if capture is not None else item.intake_at
        return (when, item.intake_at, position, item.id)

    def depiction(self, item: EvidenceItem, review: str = "") -> Depiction:
        """Where one item is online: its own address and the page it was captured from
        (never the page's own HTML or the other files of that page)."""
        details = item.details or {}
        capture = self.capture_of(item)
        info = (capture.details or {}) if capture is not None else {}
        url = page = page_final = final = ""
        when: datetime | None = None
        if capture is not None and info.get("kind", "web") == "web":
            url = str(details.get("url") or capture.url).strip()
            final = str(details.get("final_url") or "")
            if info.get("main_item_id") != item.id:  # a picture of the page, not the page
                page, page_final = capture.url.strip(), capture.final_url or ""
            when = _moment(details.get("fetched_at")) or capture.started_at
        else:  # a file added by hand: only an address recorded with it locates it
            url = str(details.get("source_url") or "").strip()
            page = str(details.get("page_url") or "").strip()
        hashes = [("SHA-256", item.sha256), ("MD5", item.md5)]
        if self.pdq(item.id):
            hashes.append(("PDQ", self.pdq(item.id)))
        return Depiction(
            url=url,
            final_url=final if final != url else "",
            captured_at=when,
            hashes=tuple(hashes),
            item_ids=(item.id,),
            page_url=page if page != url else "",
            page_final_url=page_final,
            review=review,
            label=f"item {item.id[:12]}",
        )

    def request_depictions(self, row: RemovalRequest) -> list[Depiction]:
        """The depictions a stored request lists: its items, then addresses given as-is."""
        merged: dict[tuple[str, str], Depiction] = {}
        for item_id in row.item_ids:
            item = self.items.get(str(item_id))
            if item is not None:
                _merge(merged, self.depiction(item))
        known = {u for d in merged.values() for u in d.location if u}
        for url in row.urls:
            if url and url not in known:
                _merge(merged, Depiction(url=str(url)))
        return list(merged.values())


def _dmca_reason(m: Match, target: EvidenceItem) -> str:
    """ "" when match ``m`` lets its suspect go in a DMCA notice, else why not."""
    if m.kind in NOT_PIXEL_KINDS:
        return DMCA_FACE_ONLY
    if target.role != Role.ORIGINAL:
        return DMCA_REFERENCE_ONLY
    if target.taken_by == TakenBy.OTHER:
        return DMCA_TAKEN_BY_OTHER
    if target.client_holds_copyright == Answer.NO:
        return DMCA_NOT_HELD
    owned = target.client_holds_copyright == Answer.YES or target.taken_by == TakenBy.CLIENT
    if m.review_state != ReviewState.CONFIRMED:
        return DMCA_PENDING
    return "" if owned else DMCA_UNMARKED


def dmca_filter(
    depictions: Sequence[Depiction], basis: dict[str, str]
) -> tuple[list[Depiction], list[LeftOut]]:
    """(depictions a DMCA notice may list, marked ``dmca="ok"``; those left out, each with
    its reason). A depiction goes in when one of its items has a qualifying match; an
    address given as-is or a picture named by hand without one never does."""
    allowed: list[Depiction] = []
    left_out: list[LeftOut] = []
    for d in depictions:
        reasons = [basis.get(i, DMCA_NO_MATCH) for i in d.item_ids] or [DMCA_NO_MATCH]
        if "" in reasons:
            allowed.append(replace(d, dmca="ok"))
            continue
        reason = min(reasons, key=DMCA_REASONS.index)
        left_out.append(LeftOut(d.url or d.page_url, reason, item_id=next(iter(d.item_ids), "")))
    return allowed, left_out


def _moment(value: Any) -> datetime | None:
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00")) if value else None
    except ValueError:
        return None
    return moment if moment is None or moment.tzinfo is not None else None


def _merge(found: dict[tuple[str, str], Depiction], d: Depiction) -> None:
    """Add ``d``, or fold it into the depiction already at the same location."""
    old = found.get(d.location)
    if old is None:
        found[d.location] = d
        return
    found[d.location] = replace(
        old,
        hashes=tuple(dict.fromkeys([*old.hashes, *d.hashes])),
        item_ids=tuple(dict.fromkeys([*old.item_ids, *d.item_ids])),
        review=max(old.review, d.review, key=lambda r: _REVIEW_RANK.get(r, 0)),
    )


def _case_depictions(
    records: _CaseRecords, extra_urls: Iterable[str], named: Iterable[str] = ()
) -> _Found:
    """The depictions of the person in a case: suspect items matched to the case's originals
    or reference photos (matches not rejected), items the advocate named, and addresses
    given as-is. Captured pages without a matched picture are left out, and say so."""
    case = records.case
    chosen = records.matched()
    named_ids: set[str] = set()
    for ref in named:
        item = find_item(records.session, ref)
        if item.case_id != case.id:
            raise NciiDeskError(
                f"The item '{ref.strip()}' belongs to another case.",
                "List this case's items with 'ncii-desk item list CASE'.",
            )
        chosen.setdefault(item.id, "named")
        named_ids.add(item.id)
    merged: dict[tuple[str, str], Depiction] = {}
    minor: dict[tuple[str, str], bool] = {}
    left_out: list[LeftOut] = []
    used_captures: set[str] = set()
    for item in sorted((records.items[i] for i in chosen), key=records.order):
        depiction = records.depiction(item, chosen[item.id])
        if not depiction.url and item.id not in named_ids:  # named: the validator says
            left_out.append(LeftOut("", NO_ADDRESS, item_id=item.id))
            continue
        _merge(merged, depiction)
        key = depiction.location
        minor[key] = minor.get(key, False) or case.suspected_minor or item.suspected_minor
        if item.capture_id:
            used_captures.add(item.capture_id)
    extra = [u.strip() for u in extra_urls if u.strip()]
    for url in extra:
        if not any(d.url == url for d in merged.values()):
            _merge(merged, Depiction(url=url))
            minor[(url, "")] = case.suspected_minor
    # Pages captured with nothing matched on them are not put in a letter, but named.
    with_items = {i.capture_id for i in records.items.values() if i.capture_id}
    shown = {c.url for c in records.captures.values() if c.id in used_captures} | set(extra)
    for capture in sorted(records.captures.values(), key=lambda c: c.started_at):
        url = capture.url.strip()
        web = (capture.details or {}).get("kind", "web") == "web"
        failed = capture.error is not None and capture.id not in with_items
        if url and web and not failed and url not in shown:
            shown.add(url)
            left_out.append(LeftOut(url, NO_MATCH))
    located = [_Located(d, minor[key]) for key, d in merged.items()]
    return _Found(located, left_out)


# --- open requests: no second request for what one already asks --------------------------


@dataclass(frozen=True)
class _Open:
    id: str
    state: str
    platform: str
    route: str
    item_ids: frozenset[str]
    locations: frozenset[tuple[str, str]]

    def covers(self, d: Depiction) -> bool:
        return bool(self.item_ids.intersection(d.item_ids)) or d.location in self.locations


def _open_requests(records: _CaseRecords, now: datetime) -> list[_Open]:
    rows = records.session.scalars(
        select(RemovalRequest)
        .where(
            RemovalRequest.case_id == records.case.id,
            RemovalRequest.status.in_(COVERING_STATES),
        )
        .order_by(RemovalRequest.created_at)
    )
    return [
        _Open(
            row.id,
            "overdue" if _is_overdue(row, now) else row.status.value,
            row.platform,
            row.route,
            frozenset(str(i) for i in row.item_ids),
            frozenset(d.location for d in records.request_depictions(row)),
        )
        for row in rows
    ]


class AlreadyRequested(RequestStateError):
    """Every depiction for a platform is already in an open request of the same kind."""

    default_hint = (
        "Add --again to draft a new request anyway (for example when the platform lost the "
        "first one). Once a TAKE IT DOWN request's 48 hours have passed, follow it up with "
        "'ncii-desk requests followup REQ'."
    )

    def __init__(self, route: str, covered: Sequence[tuple[str, _Open]]) -> None:
        named = "; ".join(f"{where}: request {o.id[:12]} ({o.state})" for where, o in covered)
        super().__init__(
            f"Nothing new to request: an open '{route}' request already lists every picture "
            f"found. {named}."
        )
        self.request_ids = [o.id for _, o in covered]

    def as_dict(self) -> dict[str, str]:
        data = super().as_dict()
        data["requests"] = ", ".join(self.request_ids)
        return data


def _split_covered(
    depictions: Sequence[Depiction], opened: Sequence[_Open], recipient: str, route: str
) -> tuple[list[Depiction], list[tuple[Depiction, _Open]]]:
    """(new depictions, covered ones with the open request that lists each)."""
    mine = [o for o in opened if o.platform == recipient and o.route == route]
    new: list[Depiction] = []
    covered: list[tuple[Depiction, _Open]] = []
    for d in depictions:
        request = next((o for o in mine if o.covers(d)), None)
        if request is None:
            new.append(d)
        else:
            covered.append((d, request))
    return new, covered


# --- drafting ----------------------------------------------------------------------------


@dataclass(frozen=True)
class DraftResult:
    requests: list[RequestView]
    letters: list[Letter]
    #: Platforms that have addresses in the case but do not take this route.
    not_applicable: list[str]
    #: True when (some) addresses went to an NCMEC report sheet (possible minor).
    routed_to_ncmec: bool
    #: Addresses of the case left out of the drafts, with the reason: a page without a
    #: matched picture, a matched file without an address, or already in an open request.
    not_included: list[LeftOut] = field(default_factory=list)
    #: What to do about pictures a DMCA notice could not list ("" otherwise).
    suggestion: str = ""
    #: DMCA: originals still to be marked (who took them, who holds the copyright).
    unmarked_originals: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """Each request with the depictions its letter lists (and how each was chosen)."""
        requests = []
        for view, letter in zip(self.requests, self.letters, strict=True):
            data = view.as_dict()
            data["depictions"] = [_depiction_dict(d) for d in letter.depictions]
            requests.append(data)
        return {
            "requests": requests,
            "not_applicable": self.not_applicable,
            "routed_to_ncmec": self.routed_to_ncmec,
            "not_included": [x.as_dict() for x in self.not_included],
            "suggestion": self.suggestion,
            "unmarked_originals": self.unmarked_originals,
        }


def _depiction_dict(d: Depiction) -> dict[str, Any]:
    return {
        "url": d.url,
        "page_url": d.page_url,
        "item_ids": list(d.item_ids),
        "sha256": next((v for k, v in d.hashes if k == "SHA-256"), ""),
        "review": d.review,
    }


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


def _nothing_to_request(left_out: Sequence[LeftOut]) -> NciiDeskError:
    pages = [x.url for x in left_out if x.reason == NO_MATCH]
    files = [x for x in left_out if x.reason == NO_ADDRESS]
    if not pages and not files:
        return NciiDeskError(
            "This case has no web addresses to put in a request.",
            "Capture the page first ('ncii-desk capture'), or give the address with --url.",
        )
    found = []
    if pages:
        found.append(f"{len(pages)} captured page(s) without a matched picture")
    if files:
        found.append(f"{len(files)} matched file(s) without a web address")
    return NciiDeskError(
        f"No picture of this case can go in a request yet ({'; '.join(found)}).",
        "Review the matches ('ncii-desk matches CASE'), name a picture with --item ITEM, "
        "or give a page address with --url URL to list the whole page.",
    )


def describe_left_out(left: LeftOut, names: dict[str, str]) -> str:
    """One left-out picture in words: its file name or address, and why."""
    name = names.get(left.item_id, "") if left.item_id else ""
    where = " ".join(p for p in (name, f"({left.url})" if left.url and name else left.url) if p)
    return f"{where or 'item ' + left.item_id[:12]}: {left.reason.removeprefix('DMCA: ')}"


class NoDmcaCopies(NciiDeskError):
    """No picture of the case may go in a DMCA notice; each one is named, with why."""

    exit_code = 2

    def __init__(
        self, left_out: Sequence[LeftOut], names: dict[str, str], unmarked: Sequence[str]
    ) -> None:
        named = "; ".join(describe_left_out(x, names) for x in left_out)
        marks = ""
        if unmarked:
            marks = (
                f" {len(unmarked)} original(s) are not marked yet: the old one-tick "
                "'--copyright-owner' for the whole case is not taken as a claim for each "
                "original; mark each original first."
            )
        super().__init__(
            "No picture of this case can go in a DMCA notice: a DMCA notice may list only "
            "copies matched (by their pixels, confirmed by a reviewer) to an original the "
            f"client owns. Left out: {named}.{marks}",
            DMCA_SUGGESTION,
        )
        self.left_out = list(left_out)

    def as_dict(self) -> dict[str, str]:
        data = super().as_dict()
        data["left_out"] = ", ".join(x.item_id or x.url for x in self.left_out)
        return data


@dataclass(frozen=True)
class PlannedLetter:
    """One letter a draft would make: its recipient and the depictions it would list."""

    template: str
    recipient: str
    platform_id: str | None  # None for NCMEC and for an unknown platform
    route: str
    applies: bool  # False when this platform does not take this kind of request
    new: list[Depiction]  # depictions the letter would list
    covered: list[tuple[Depiction, _Open]]  # already in an open request (left out)


@dataclass(frozen=True)
class UnmatchedPicture:
    """A suspect picture or video with a web address that no match puts in a letter."""

    item_id: str
    name: str
    url: str
    page_url: str


@dataclass(frozen=True)
class DraftPlan:
    """What :func:`draft_requests` would do, computed without storing anything."""

    case_id: str
    case_label: str
    letters: list[PlannedLetter]
    left_out: list[LeftOut]
    minor: bool
    unmatched: list[UnmatchedPicture]
    names: dict[str, str]  # item id -> file name (or a short id)
    #: DMCA: originals of the case with neither who took them nor the copyright marked.
    unmarked_originals: list[str] = field(default_factory=list)
    #: The case's client pseudonym ("" when none): letters use it instead of a legal name.
    pseudonym: str = ""


def plan_drafts(
    vault: Vault,
    case_ref: str,
    route: str,
    *,
    platform: str | None = None,
    extra_urls: Sequence[str] = (),
    items: Sequence[str] = (),
    again: bool = False,
    now: datetime | None = None,
    forms: Forms | None = None,
) -> DraftPlan:
    """The letters a draft would make, one per platform, with the depictions each would list
    and those left out (the GUI shows this before drafting; draft_requests acts on it)."""
    if route not in ROUTE_TEMPLATES:
        raise InvalidSetting(
            f"'{route}' is not a request type.", f"Use one of: {', '.join(ROUTE_TEMPLATES)}."
        )
    forms = forms or load_forms()
    now = now or datetime.now(UTC)
    with vault.session() as s:
        case = find_case(s, case_ref)
        records = _CaseRecords(s, case)
        matched = records.matched()
        found = _case_depictions(records, extra_urls, items)
        opened = [] if again else _open_requests(records, now)
        names = {i.id: i.original_filename or i.id[:12] for i in records.items.values()}
        unmatched = []
        for item in sorted(records.items.values(), key=records.order):
            if item.role != Role.SUSPECT or item.id in matched:
                continue
            if not item.mime.startswith(("image/", "video/")):
                continue
            where = records.depiction(item)
            if where.url:
                unmatched.append(
                    UnmatchedPicture(item.id, names[item.id], where.url, where.page_url)
                )
        case_id, case_label = case.id, case.label
        basis = records.dmca_basis() if route == "dmca" else {}
        unmarked = [
            i.id
            for i in records.items.values()
            if route == "dmca"
            and i.role == Role.ORIGINAL
            and i.taken_by == TakenBy.UNKNOWN
            and i.client_holds_copyright == Answer.UNKNOWN
        ]
        pseudonym = case.client_pseudonym.strip()
    minor = [x.depiction for x in found.located if x.minor]
    adult = [x.depiction for x in found.located if not x.minor]
    left_out = list(found.left_out)
    if route == "dmca":
        adult, dmca_left_out = dmca_filter(adult, basis)
        left_out += dmca_left_out
    batches: list[tuple[str, list[Depiction], str | None, str, str, bool]] = []
    if minor or route == "ncmec":
        ncmec = forms.platforms["ncmec"].name
        batches.append(("ncmec", minor or adult, None, ncmec, "ncmec", True))
    if minor and route != "ncmec":
        # Beside the NCMEC sheet: a text-only TAKE IT DOWN notice to each platform that takes
        # one (addresses and hashes; no image, no name of the person).
        wanted = forms.platform(platform).id if platform else None
        for group in group_by_platform(minor, forms):
            if "takedown" not in group.platform.routes or wanted not in (None, group.platform.id):
                continue
            pid = None if group.platform.id == "unknown" else group.platform.id
            batches.append(
                (MINOR_TEMPLATE, list(group.depictions), pid, group.recipient, "takedown", True)
            )
    if adult and route != "ncmec":
        for group in group_by_platform(adult, forms, only=platform):
            pid = None if group.platform.id == "unknown" else group.platform.id
            applies = route in group.platform.routes
            batches.append(
                (
                    ROUTE_TEMPLATES[route],
                    list(group.depictions),
                    pid,
                    group.recipient,
                    route,
                    applies,
                )
            )
    letters = []
    for template, depictions, pid, recipient, letter_route, applies in batches:
        new, covered = _split_covered(depictions, opened, recipient, letter_route)
        letters.append(PlannedLetter(template, recipient, pid, letter_route, applies, new, covered))
    return DraftPlan(
        case_id,
        case_label,
        letters,
        left_out,
        bool(minor),
        unmatched,
        names,
        unmarked_originals=unmarked,
        pseudonym=pseudonym,
    )


def draft_requests(
    vault: Vault,
    case_ref: str,
    route: str,
    form: LetterForm,
    *,
    platform: str | None = None,
    extra_urls: Sequence[str] = (),
    items: Sequence[str] = (),
    again: bool = False,
    now: datetime | None = None,
    forms: Forms | None = None,
) -> DraftResult:
    """Make one draft request (and its letter) per platform for the case's depictions.

    A depiction is a suspect picture or video matched to the case's originals or reference
    photos (not rejected), an item named in ``items``, or an address in ``extra_urls`` (a
    page listed as-is); each is listed with its own address and the page it appeared on,
    never the page's HTML or unrelated files. Depictions already in an open request of the
    same kind to the same platform are left out (``not_included``); when nothing new is left,
    ``AlreadyRequested`` names the request (``again`` drafts anyway). Raises
    ``MissingElements`` (naming each missing element) before anything is stored.
    """
    forms = forms or load_forms()
    now = now or datetime.now(UTC)
    plan = plan_drafts(
        vault,
        case_ref,
        route,
        platform=platform,
        extra_urls=extra_urls,
        items=items,
        again=again,
        now=now,
        forms=forms,
    )
    dmca_out = [x for x in plan.left_out if x.reason in DMCA_REASONS]
    if not any(p.new or p.covered for p in plan.letters):
        if dmca_out:
            raise NoDmcaCopies(dmca_out, plan.names, plan.unmarked_originals)
        raise _nothing_to_request(plan.left_out)
    case_id = plan.case_id
    form = form if form.reference else _with_reference(form, plan.case_label)
    if not form.pseudonym and plan.pseudonym:
        form = replace(form, pseudonym=plan.pseudonym)
    usable = [p for p in plan.letters if p.applies]
    not_applicable = [p.recipient for p in plan.letters if not p.applies]
    if not usable:
        where = sorted({p.name for p in forms.platforms.values() if route in p.routes})
        raise NciiDeskError(
            f"No platform in this case takes a '{route}' request.",
            f"This kind of request applies to: {', '.join(where)}.",
        )
    minor = plan.minor
    zone = clinic_zone(vault)
    letters: list[Letter] = []
    made_by: list[PlannedLetter] = []
    left_out = list(plan.left_out)
    refused: list[tuple[str, _Open]] = []
    if not form.sender.representative:
        # The notice about a possible minor never carries the person's own name: it is sent
        # by a representative (the NCMEC sheet still lists every address).
        for planned in [p for p in usable if p.template == MINOR_TEMPLATE]:
            usable.remove(planned)
            left_out += [LeftOut(d.url, MINOR_NEEDS_REPRESENTATIVE) for d in planned.new]
    for planned in usable:
        left_out += [
            LeftOut(d.url, ALREADY_REQUESTED, request_id=o.id, status=o.state)
            for d, o in planned.covered
        ]
        if not planned.new:
            refused += list(dict.fromkeys((planned.recipient, o) for _, o in planned.covered))
            continue
        made = build_letters(
            planned.template,
            form,
            planned.new,
            forms=forms,
            now=now,
            platform=planned.platform_id,
            zone=zone,
        )
        letters += made
        made_by += [planned] * len(made)
    if not letters:
        raise AlreadyRequested(route, refused)
    packages = [(letter, _package(letter)) for letter in letters]
    views: list[RequestView] = []
    with vault.transaction() as s:
        for (letter, package), planned in zip(packages, made_by, strict=True):
            info = vault.blobs.put_bytes(package)
            vault.store_blob(s, info)
            urls = [u for d in letter.depictions for u in (d.url, d.page_url) if u]
            row = RemovalRequest(
                case_id=case_id,
                platform=letter.recipient,
                route=letter.route,
                urls=list(dict.fromkeys(urls)),
                item_ids=list(dict.fromkeys(i for d in letter.depictions for i in d.item_ids)),
                status=RequestStatus.DRAFT,
                document_blob_id=info.blob_id,
                history=[
                    _event(now, vault.actor, "drafted", status="draft", documents=_hashes(package))
                ],
                created_at=now,
                letter_inputs=_letter_inputs(planned, form),
            )
            s.add(row)
            s.flush()
            vault.audit(
                s,
                "request.drafted",
                row.id,
                {
                    "route": row.route,
                    "platform": row.platform,
                    "urls": len(row.urls),
                    "depictions": len(letter.depictions),
                    "again": again,
                    "covered_platform": clean_answer(form.covered_platform),
                },
            )
            views.append(_view(s, row, now))
    return DraftResult(
        views,
        [p[0] for p in packages],
        not_applicable,
        bool(minor),
        left_out,
        suggestion=DMCA_SUGGESTION if dmca_out else "",
        unmarked_originals=plan.unmarked_originals,
    )


def _with_reference(form: LetterForm, reference: str) -> LetterForm:
    return replace(form, reference=reference)


def clinic_zone(vault: Vault) -> tzinfo:
    """The clinic's time zone (setting requests.time_zone, else the computer's own)."""
    with vault.session() as s:
        return request_settings_in(s).zone


def _hashes(package: bytes) -> dict[str, str]:
    """File name -> SHA-256 of each document in a request's stored ZIP."""
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        return {n: hashlib.sha256(archive.read(n)).hexdigest() for n in archive.namelist()}


def _letter_inputs(planned: PlannedLetter, form: LetterForm) -> dict[str, Any]:
    """What the letter was made from, so it can be rendered again (dated) when sent."""
    return {
        "template": planned.template,
        "platform_id": planned.platform_id,
        "form": form_to_json(form),
        "covered_platform": clean_answer(form.covered_platform),
    }


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
    return _change_in_session(vault, ref, action, lambda _s, row: apply(row), now)


def _change_in_session(
    vault: Vault, ref: str, action: str, apply: Any, now: datetime
) -> RequestView:
    """``_change`` for changes that also write other rows: ``apply(session, row)``."""
    with vault.transaction() as s:
        row = find_request(s, ref)
        details = apply(s, row)
        row.history = [*row.history, _event(now, vault.actor, action, **details)]
        vault.audit(s, f"request.{action}", row.id, details)
        s.flush()
        return _view(s, row, now)


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
    vault: Vault, ref: str, sent_at: datetime, zone: tzinfo, forms: Forms | None
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
    s: Session, vault: Vault, row: RemovalRequest, redated: _Redated
) -> dict[str, Any]:
    """Store the re-dated letter as the request's documents; the history keeps the SHA-256
    of the documents it replaces (the earlier blob stays in the vault)."""
    old = s.get(Blob, row.document_blob_id) if row.document_blob_id else None
    before = _hashes(vault.read_blob(old)) if old is not None else {}
    if redated.package is None:
        return {"letter_redated": False, "note": redated.note, "documents": before}
    info = vault.blobs.put_bytes(redated.package)
    vault.store_blob(s, info)
    row.document_blob_id = info.blob_id
    return {
        "letter_redated": True,
        "documents": _hashes(redated.package),
        "replaced_documents": before,
        "replaced_blob_id": old.id if old is not None else "",
    }


def mark_sent(
    vault: Vault,
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
        if row.status != RequestStatus.DRAFT:
            raise RequestStateError(
                f"This request was already marked as sent ({local_and_utc(row.sent_at, zone)}).",
                "To change the time sent, correct it with a reason: 'ncii-desk requests sent "
                "REQ --correct --at TIME --reason TEXT'.",
            )
        _check_sent_time(row, sent_at, now, zone)
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
    vault: Vault,
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


@dataclass(frozen=True)
class LetterReading:
    """A request's letter for reading in the app: the PDF's bytes (kept in memory, never
    written), its text (from the DOCX, for screens that cannot draw PDF pages), and what a
    mail client needs (the platform's e-mail address for this kind of request, if it has
    one, and a subject)."""

    pdf_name: str
    pdf: bytes
    text: str
    email: str
    subject: str


def _docx_text(data: bytes) -> str:
    """The paragraphs of a DOCX we made, as plain text."""
    from xml.etree import ElementTree

    ns = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        root = ElementTree.fromstring(archive.read("word/document.xml"))
    lines = []
    for paragraph in root.iter(f"{ns}p"):
        lines.append("".join(t.text or "" for t in paragraph.iter(f"{ns}t")))
    return "\n".join(lines).strip()


def letter_for_reading(vault: Vault, ref: str) -> LetterReading:
    """The letter of a request, to read before and after it is sent."""
    documents = request_documents(vault, ref)
    pdf_name = next((n for n in documents if n.endswith(".pdf")), "")
    docx_name = next((n for n in documents if n.endswith(".docx")), "")
    with vault.session() as s:
        row = find_request(s, ref)
        platform, route, request_id = row.platform, row.route, row.id
    email = ""
    try:
        channels = load_forms().platform(platform).channels_for(route)
        email = next((c.email for c in channels if c.email), "")
    except NciiDeskError:
        pass  # a platform no longer listed: no address to offer
    return LetterReading(
        pdf_name=pdf_name,
        pdf=documents.get(pdf_name, b""),
        text=_docx_text(documents[docx_name]) if docx_name else "",
        email=email,
        subject=f"Removal request {request_id[:12]}",
    )


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
    """Write documents into a folder: nothing is written if any target exists (unless told).

    Files are owner-only (0600), as are the folders created for them (0700)."""
    make_private_dir(out_dir, parents=True)
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
        pseudonym = case.client_pseudonym.strip()
        depictions = _CaseRecords(s, case).request_depictions(row)
    if row.route not in DEADLINE_ROUTES or not view.overdue:
        raise RequestStateError(
            "A follow-up is for a TAKE IT DOWN request whose 48-hour deadline has passed "
            "without removal.",
            f"This request is {view.state}"
            + (f", deadline {view.deadline_at}." if view.deadline_at else "."),
        )
    overdue_by = now - (row.deadline_at or now)
    hours = int(overdue_by.total_seconds() // 3600)
    with vault.session() as s:
        settings = request_settings_in(s)
    zone = settings.zone
    content = _content_claim(view, now, settings.followup_recheck_max_age_hours, zone)
    original = {
        "sent_at": local_and_utc(row.sent_at, zone),
        "deadline_at": local_and_utc(row.deadline_at, zone),
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
    if not form.pseudonym and pseudonym:
        form = replace(form, pseudonym=pseudonym)
    letters = build_letters(
        kind,
        form,
        depictions,
        forms=forms,
        now=now,
        extra_fixed={"content": content},
        extra_user={"original": original},
        extra_tables={"rechecks": rechecks, "history": history},
        zone=zone,
    )
    if len(letters) != 1:  # the URLs of one request belong to one platform
        raise RequestStateError("The request's addresses span several platforms.")
    _change(vault, row.id, f"{kind}_made", lambda _row: {"document": kind}, now)
    return letters[0]


def _content_claim(
    view: RequestView, now: datetime, max_age_hours: int, zone: tzinfo
) -> dict[str, Any]:
    """What a follow-up may say about whether the content is online now.

    It says the content is still up only when the newest re-check of every re-checked
    address found it up and that re-check is at most ``max_age_hours`` old; it then cites
    that check. Otherwise it says what the last check found "as of" its time and makes no
    claim about now (or that no check was made since the request was sent).
    """
    newest: dict[str, RecheckView] = {}
    for r in view.rechecks:  # oldest first
        if r.outcome != "error" and r.checked_at:
            newest[r.url] = r
    if not newest:
        return {
            "still_up_now": False,
            "checked_at": "",
            "sentence": "We have not checked the addresses again since the request was sent, "
            "so this letter does not say whether the content is still online now.",
        }
    times = [
        datetime.fromisoformat(str(r.checked_at).replace("Z", "+00:00")) for r in newest.values()
    ]
    last, first = max(times), min(times)
    up = all(r.outcome in ("still_up", "changed") for r in newest.values())
    gone = all(r.outcome == "gone" for r in newest.values())
    fresh = now - first <= timedelta(hours=max_age_hours)
    when = local_and_utc(last, zone)
    if up and fresh:
        sentence = f"We checked on {when}: still reachable."
        if len(newest) > 1:
            sentence = (
                f"We checked every address listed below, most recently on {when} (each "
                f"within the last {max_age_hours} hours): still reachable."
            )
        return {"still_up_now": True, "checked_at": when, "sentence": sentence}
    if up:
        found = "the content was still reachable"
    elif gone:
        found = "the content was no longer reachable at the addresses checked"
    else:
        found = "some of the content was still reachable and some was not (see below)"
    return {
        "still_up_now": False,
        "checked_at": when,
        "sentence": f"As of our last check, on {when}, {found}. We have not checked since, so "
        "this letter does not say whether the content is still online now.",
    }


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
    if name == "sent_corrected":
        return (
            f"Time sent corrected from {event.get('old_sent_at') or '-'} to "
            f"{event.get('sent_at') or '-'} ({event.get('reason', '')}); deadline "
            f"{event.get('deadline_at') or 'none'}"
        )
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
    vault: Vault,
    case_ref: str,
    *,
    now: datetime | None = None,
    forms: Forms | None = None,
    fmt: str = "pdf",
    language: str = "en",
) -> bytes:
    """The hand-out for the person the case is about, as PDF (``fmt`` "pdf") or DOCX
    ("docx"), with times in the clinic's zone, in ``language`` ("en" or "es") (recorded in
    the audit trail)."""
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
        zone=clinic_zone(vault),
        language=language,
    )
    data = handout_docx(letter) if fmt == "docx" else handout_pdf(letter)
    with vault.transaction() as s:
        vault.audit(
            s,
            "handout.made",
            case_id,
            {"requests": len(views), "minor": minor, "language": language},
        )
    return data
