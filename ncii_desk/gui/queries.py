"""Read-only questions the screens ask, shaped for the screens from the services' answers.

The questions themselves are answered by services (services/case_queries.py, the request
tracker); this module only arranges the answers. They run on worker threads like every vault
call, and return plain dataclasses so no database object ever reaches the GUI thread.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ncii_desk.services.case_queries import MatchRow as MatchRow
from ncii_desk.services.case_queries import matches_with_names as matches_with_names
from ncii_desk.services.types import CaseStore

# --- what a removal-request draft would list ----------------------------------------------


@dataclass(frozen=True)
class DraftPicture:
    """One depiction a letter would list: the picture's name, its own address, its page."""

    name: str
    url: str
    page_url: str
    #: "confirmed", "pending" (matched, not reviewed yet), "named" (ticked by the advocate)
    #: or "" (a page address given as it is).
    review: str
    item_ids: tuple[str, ...] = ()
    #: The open request that already lists it (left out unless drafting again), and its state.
    covered_by: str = ""
    covered_state: str = ""


@dataclass(frozen=True)
class DraftLetter:
    recipient: str
    pictures: list[DraftPicture]
    #: False when this platform does not take the chosen kind of request (no letter).
    takes_route: bool = True


@dataclass(frozen=True)
class Candidate:
    """A suspect picture or video with a web address that no match puts in a letter."""

    item_id: str
    name: str
    url: str
    page_url: str


@dataclass(frozen=True)
class LeftOutRow:
    url: str
    reason: str
    item_id: str = ""
    request_id: str = ""
    status: str = ""


@dataclass(frozen=True)
class DraftPreview:
    letters: list[DraftLetter]
    not_included: list[LeftOutRow]
    candidates: list[Candidate]
    #: Item id -> file name, for naming left-out files.
    names: dict[str, str] = field(default_factory=dict)


def draft_preview(
    vault: CaseStore,
    case_id: str,
    route: str,
    *,
    extra_urls: Sequence[str] = (),
    items: Sequence[str] = (),
    again: bool = False,
) -> DraftPreview:
    """What ``draft_requests`` would put in each letter, without drafting anything.

    It reads the case with the request service's own selection (matched pictures not
    rejected, named items, pages given as-is) so the preview and the letters agree.
    """
    from ncii_desk.services import requests as tracker

    plan = tracker.plan_drafts(
        vault, case_id, route, extra_urls=extra_urls, items=items, again=again
    )
    names = plan.names
    letters = []
    for planned in plan.letters:
        covering = {id(d): o for d, o in planned.covered}
        pictures = []
        for d in [*planned.new, *(d for d, _ in planned.covered)]:
            o = covering.get(id(d))
            label = ", ".join(names.get(i, i[:12]) for i in d.item_ids)
            pictures.append(
                DraftPicture(
                    name=label,
                    url=d.url,
                    page_url=d.page_url,
                    review=d.review,
                    item_ids=tuple(d.item_ids),
                    covered_by=o.id if o is not None else "",
                    covered_state=o.state if o is not None else "",
                )
            )
        letters.append(DraftLetter(planned.recipient, pictures, planned.applies))
    left_out = [
        LeftOutRow(x.url, x.reason, x.item_id, x.request_id, x.status) for x in plan.left_out
    ]
    candidates = [Candidate(u.item_id, u.name, u.url, u.page_url) for u in plan.unmatched]
    return DraftPreview(letters, left_out, candidates, names)
