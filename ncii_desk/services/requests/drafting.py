"""Drafting removal requests: one letter to one platform for one route, listing the
depictions of the person on that platform (see ``depictions``).

``plan_drafts`` says what a draft would make without storing anything; ``draft_requests``
makes the letters and stores each as a draft request. A DMCA draft that can list no picture
names each one left out and suggests the TAKE IT DOWN route (``NoDmcaCopies``). The client's
legal name reaches only platforms whose process requires it; other letters use the case's
pseudonym. Suspected-minor safety: in a case marked as possibly showing a person under 18,
and for addresses whose items are so marked, the only document made is a report sheet for
NCMEC (CyberTipline and Take It Down) with web addresses and hashes; never images.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from ncii_desk.documents.covered import clean_answer
from ncii_desk.documents.forms import Forms, load_forms
from ncii_desk.documents.letters import (
    ROUTE_TEMPLATES,
    Depiction,
    Letter,
    LetterForm,
    build_letters,
    form_to_json,
    group_by_platform,
)
from ncii_desk.errors import InvalidSetting, NciiDeskError
from ncii_desk.services import access
from ncii_desk.services.cases import find_case
from ncii_desk.services.requests.clinic import clinic_zone
from ncii_desk.services.requests.depictions import (
    ALREADY_REQUESTED,
    DMCA_REASONS,
    DMCA_SUGGESTION,
    MINOR_NEEDS_REPRESENTATIVE,
    MINOR_TEMPLATE,
    NO_ADDRESS,
    NO_MATCH,
    AlreadyRequested,
    LeftOut,
    _case_depictions,
    _CaseRecords,
    _Open,
    _open_requests,
    _split_covered,
    dmca_filter,
)
from ncii_desk.services.requests.documents import _hashes, _package
from ncii_desk.services.requests.records import RequestView, _event, _view
from ncii_desk.vault.models import Answer, RemovalRequest, RequestStatus, Role, TakenBy
from ncii_desk.vault.store import CaseStore

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
    vault: CaseStore,
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
    vault: CaseStore,
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
    access.require_case_ref(vault, case_ref, access.Action.LETTER_DRAFT)
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
            info = vault.case_blobs(case_id, s).put_bytes(package)
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


def _letter_inputs(planned: PlannedLetter, form: LetterForm) -> dict[str, Any]:
    """What the letter was made from, so it can be rendered again (dated) when sent."""
    return {
        "template": planned.template,
        "platform_id": planned.platform_id,
        "form": form_to_json(form),
        "covered_platform": clean_answer(form.covered_platform),
    }
