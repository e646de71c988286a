"""Which depictions of the person a case has, and which of them a letter may list.

A depiction is a suspect picture or video matched to the case's originals or reference
photos (a match not rejected by a reviewer) or named by the advocate, with its own address,
the page it appeared on, capture time and hashes; never a page's HTML or the unrelated files
captured with it. Captured pages without a matched picture stay out (and are named), pages
given as-is are listed whole, and what an open request of the same kind to the same platform
already lists is not asked again (``AlreadyRequested`` when nothing new is left).

DMCA notices list only copies matched by their pixels, and confirmed by a reviewer, to
originals individually marked as the client's (``EvidenceItem.taken_by`` /
``client_holds_copyright``); every other picture is left out with its reason
(``dmca_filter``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ncii_desk.documents.letters import Depiction
from ncii_desk.errors import NciiDeskError
from ncii_desk.services.items import find_item
from ncii_desk.services.requests.records import OPEN_STATES, RequestStateError, _is_overdue
from ncii_desk.vault.models import (
    Answer,
    Capture,
    Case,
    EvidenceItem,
    HashRecord,
    Match,
    RemovalRequest,
    RequestStatus,
    ReviewState,
    Role,
    TakenBy,
)

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
