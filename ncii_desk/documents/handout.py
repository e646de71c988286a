"""The hand-out for the person a case is about: plain next steps, who was contacted, support.

``handout_letter(reference=, minor=, contacted=, clinic=, now=)`` renders
forms/templates/handout.toml with the case's removal requests (platform, what was sent, when,
status) and ``handout_pdf(letter)`` makes the PDF; ``services.requests.make_handout`` gathers
the facts from the vault. Adults are pointed to StopNCII.org, people who may be under 18
to NCMEC's Take It Down, each to be used from their own device. No images and no names of
the person; the clinic's contact details come from the "clinic" setting.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from ncii_desk.documents.common import one_line
from ncii_desk.documents.forms import Forms, load_forms
from ncii_desk.documents.letters import DEADLINE_HOURS, Letter, Tables, render_document
from ncii_desk.documents.pdfkit import PdfDocument

BANNER = "General information, not legal advice. Ask your advocate about your own situation."

ROUTE_LABELS = {
    "takedown": "Removal request (TAKE IT DOWN Act)",
    "ncii-report": "Report through the platform's own channel",
    "deindex": "Request to remove search results",
    "dmca": "Copyright notice (DMCA)",
    "preservation": "Request to keep records for a legal claim",
    "ncmec": "Report details for NCMEC",
}
STATE_LABELS = {
    "draft": "prepared, not sent yet",
    "sent": "sent, waiting for an answer",
    "acknowledged": "the platform answered",
    "removed": "removed",
    "refused": "the platform refused",
    "overdue": "deadline passed, we are following up",
}


@dataclass(frozen=True)
class Contacted:
    """One request as the hand-out shows it."""

    platform: str
    route: str
    sent_at: datetime | None
    state: str  # a RequestStatus value or "overdue"


def handout_letter(
    *,
    reference: str,
    minor: bool,
    contacted: Sequence[Contacted],
    clinic: Mapping[str, str],
    now: datetime | None = None,
    forms: Forms | None = None,
) -> Letter:
    """The hand-out's content (see ``handout_pdf``)."""
    forms = forms or load_forms()
    now = now or datetime.now(UTC)
    rows = tuple(
        (
            one_line(c.platform),
            ROUTE_LABELS.get(c.route, c.route),
            c.sent_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M") if c.sent_at else "-",
            STATE_LABELS.get(c.state, c.state),
        )
        for c in contacted
    )
    fixed = {
        "minor": minor,
        "has_takedown": any(c.route == "takedown" and c.sent_at for c in contacted),
        "has_dmca": any(c.route == "dmca" for c in contacted),
        "deadline_hours": DEADLINE_HOURS,
        "today": now.astimezone(UTC).strftime("%Y-%m-%d"),
    }
    user = {
        "clinic": {k: one_line(clinic.get(k, "")) for k in ("name", "email", "phone")},
        "reference": one_line(reference),
    }
    return render_document(
        forms.templates["handout"],
        fixed=fixed,
        user=user,
        tables=Tables(contacted=rows),
        forms=forms,
        author=clinic.get("name", ""),
        created=now,
        platform_key="handout",
        banner=BANNER,
    )


def handout_pdf(letter: Letter) -> bytes:
    """The hand-out as PDF bytes (made in memory), with its own footer line."""
    doc = PdfDocument(letter.meta(), footer_note=BANNER)
    letter.write(doc)
    return doc.build()
