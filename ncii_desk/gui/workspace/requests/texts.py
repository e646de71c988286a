"""The Requests pane's columns, routes and states, and the words shown for them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from ncii_desk import i18n
from ncii_desk.errors import NciiDeskError
from ncii_desk.gui.common import (
    QT_TRANSLATE_NOOP,
    countdown,
    local_time,
    parse_iso,
    translate,
)
from ncii_desk.gui.tasks import Problem

REQUEST_COLUMNS = (
    QT_TRANSLATE_NOOP("Requests", "Platform"),
    QT_TRANSLATE_NOOP("Requests", "Kind"),
    QT_TRANSLATE_NOOP("Requests", "Status"),
    QT_TRANSLATE_NOOP("Requests", "Sent"),
    QT_TRANSLATE_NOOP("Requests", "48-hour deadline"),
    QT_TRANSLATE_NOOP("Requests", "Ticket"),
    QT_TRANSLATE_NOOP("Requests", "Content"),
)
#: Platform and kind share the spare width; status, dates, ticket and content fit their text.
REQUEST_STRETCH = (0, 1)
#: In the draft preview the addresses fit their text (shortened in the middle when very
#: long) and the note takes the spare width.
LETTER_STRETCH = (4,)

ROUTES = (
    ("takedown", QT_TRANSLATE_NOOP("Requests", "TAKE IT DOWN Act removal request (48 hours)")),
    ("ncii-report", QT_TRANSLATE_NOOP("Requests", "The platform's own intimate-image report")),
    ("deindex", QT_TRANSLATE_NOOP("Requests", "Search engine de-indexing request")),
    ("dmca", QT_TRANSLATE_NOOP("Requests", "DMCA notice (only if the client took the picture)")),
    ("preservation", QT_TRANSLATE_NOOP("Requests", "Preservation letter (keep the evidence)")),
    ("ncmec", QT_TRANSLATE_NOOP("Requests", "NCMEC report sheet (person may be under 18)")),
)
STATUS_TEXT = {
    "draft": QT_TRANSLATE_NOOP("Requests", "Draft, not sent"),
    "sent": QT_TRANSLATE_NOOP("Requests", "Sent"),
    "acknowledged": QT_TRANSLATE_NOOP("Requests", "Acknowledged"),
    "removed": QT_TRANSLATE_NOOP("Requests", "Removed"),
    "refused": QT_TRANSLATE_NOOP("Requests", "Refused"),
    "overdue": QT_TRANSLATE_NOOP("Requests", "OVERDUE"),
}
SETTABLE = ("acknowledged", "removed", "refused")


def route_text(route: str) -> str:
    return translate("Requests", dict(ROUTES).get(route, route))


def deadline_text(view: Any, now: datetime | None = None) -> tuple[str, bool]:
    """Countdown to the 48-hour deadline of an open request; overdue in words too."""
    deadline = parse_iso(view.deadline_at)
    if deadline is None:
        return "", False
    if view.status not in ("sent", "acknowledged"):
        # In the clinic's time zone with its DST rule, UTC beside it.
        return (getattr(view, "deadline_local", "") or local_time(view.deadline_at)), False
    return countdown(deadline, now or datetime.now(UTC))


REVIEW_TEXT = {
    "confirmed": QT_TRANSLATE_NOOP("Requests", "confirmed"),
    "pending": QT_TRANSLATE_NOOP("Requests", "pending: not yet reviewed"),
    "named": QT_TRANSLATE_NOOP("Requests", "named by you"),
    "": QT_TRANSLATE_NOOP("Requests", "page listed as it is"),
}
#: Why something is left out of the letters (the service's reasons) and what to do about it.
LEFT_OUT_TEXT = {
    "no matched picture": (
        QT_TRANSLATE_NOOP("Requests", "No picture on this page matched the client's photos."),
        QT_TRANSLATE_NOOP(
            "Requests",
            "Check the Matches tab. To ask for it anyway, tick one of its pictures under "
            "'Pictures that were not matched', or add the page under 'More addresses' to list "
            "the whole page.",
        ),
    ),
    "matched, but no web address is known": (
        QT_TRANSLATE_NOOP("Requests", "This file matched, but no web address is known for it."),
        QT_TRANSLATE_NOOP(
            "Requests",
            "Capture the page it came from in the Suspects tab, or add the page under 'More "
            "addresses'.",
        ),
    ),
    "already in an open request": (
        QT_TRANSLATE_NOOP("Requests", "Already in request {id} ({status})."),
        QT_TRANSLATE_NOOP(
            "Requests",
            "Follow that request up. To draft a new letter anyway, tick 'Draft again even if a "
            "request already covers these pictures'.",
        ),
    ),
}


def review_text(review: str) -> str:
    return translate("Requests", REVIEW_TEXT.get(review, review))


#: What to do about a picture a DMCA notice may not list (the service names why).
DMCA_TODO = QT_TRANSLATE_NOOP(
    "Requests",
    "A DMCA notice lists only copies of the client's own originals, matched by their pixels "
    "and confirmed by a reviewer. Ask for this picture with a TAKE IT DOWN Act request "
    "instead, or mark who took the original in the Originals tab and confirm the match in "
    "the Matches tab.",
)


def left_out_problem(entry: Any, names: dict[str, str]) -> Problem:
    """One address or file left out of the drafts: what happened and what to do."""
    what, todo = LEFT_OUT_TEXT.get(entry.reason, (entry.reason, ""))
    if str(entry.reason).startswith("DMCA: "):
        reason = str(entry.reason).removeprefix("DMCA: ")
        what, todo = (
            "Not in the DMCA notice: " + reason.replace("{", "(").replace("}", ")"),
            DMCA_TODO,
        )
    message = translate("Requests", what).format(
        id=str(entry.request_id)[:12], status=status_text(entry.status)
    )
    where = entry.url or names.get(entry.item_id, "") or str(entry.item_id)[:12]
    return Problem(where, message, translate("Requests", todo) if todo else "")


#: What to do about each missing letter element, in the dialog's own words (the field
#: labels), instead of the command line's options.
MISSING_HINTS = {
    "signature": QT_TRANSLATE_NOOP(
        "Requests",
        "Fill in 'Signed by' and tick 'Sign electronically as /s/ followed by the name'.",
    ),
    "location": QT_TRANSLATE_NOOP(
        "Requests",
        "Capture the page each picture is on (Suspects tab), or leave the picture out.",
    ),
    "good_faith": QT_TRANSLATE_NOOP(
        "Requests",
        "Tick 'The client confirms in good faith...' once the client has agreed to it.",
    ),
    "dmca_good_faith": QT_TRANSLATE_NOOP(
        "Requests",
        "Tick 'The client confirms in good faith...' once the client has agreed to it.",
    ),
    "contact": QT_TRANSLATE_NOOP(
        "Requests",
        "Fill in 'Email', 'Phone' or 'Postal address' (the clinic's are filled in for you "
        "once stored).",
    ),
    "authority": QT_TRANSLATE_NOOP(
        "Requests",
        "Fill in 'Authority to act', or tick 'The client sends it themselves'.",
    ),
    "legal_name": QT_TRANSLATE_NOOP(
        "Requests", "Fill in 'Client's legal name': this platform asks for it."
    ),
    "work": QT_TRANSLATE_NOOP(
        "Requests",
        "Describe the original in 'Copyrighted work (DMCA)', for example 'a photograph the "
        "client took of herself in March 2024'.",
    ),
    "accuracy": QT_TRANSLATE_NOOP(
        "Requests",
        "Tick 'The sender has read and confirms the statement...' once the sender has read it.",
    ),
    "covered_platform": QT_TRANSLATE_NOOP(
        "Requests", "Answer 'Covered platform?' (yes, no or not sure)."
    ),
    "copyright_owner": QT_TRANSLATE_NOOP(
        "Requests",
        "Tick 'The client owns the copyright...' and mark each original in the Originals "
        "tab; otherwise choose the TAKE IT DOWN request.",
    ),
    "copyright_copies": QT_TRANSLATE_NOOP(
        "Requests",
        "Leave those pictures out of the DMCA notice and ask for them with a TAKE IT DOWN "
        "request, which needs no copyright.",
    ),
}


def missing_text(error: NciiDeskError) -> str | None:
    """A refusal for missing letter details in the dialog's words; None for other errors."""
    missing = getattr(error, "missing", None)
    if not isinstance(missing, list) or not missing:
        return None
    hints = [translate("Requests", MISSING_HINTS[k]) for k in missing if k in MISSING_HINTS]
    return "\n".join([i18n.said(error.message), *(f"- {h}" for h in dict.fromkeys(hints))])


def status_text(state: str) -> str:
    return translate("Requests", STATUS_TEXT.get(state, state))
