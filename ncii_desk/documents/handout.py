"""The hand-out for the person a case is about: plain next steps, who was contacted, support.

``handout_letter(reference=, minor=, contacted=, clinic=, now=)`` renders
forms/templates/handout.toml with the case's removal requests (platform, what was sent, when,
status) and ``handout_pdf(letter)`` makes the PDF; ``services.requests.make_handout`` gathers
the facts from the vault. Adults are pointed to StopNCII.org, people who may be under 18
to NCMEC's CyberTipline and Take It Down first (and not to the FTC), each to be used from
their own device. No images and no names of the person; the clinic's contact details come
from the "clinic" setting. Times are in the clinic's zone (``zone``; the computer's own zone
when none is given). The hand-out is for the client, so it carries none of the staff lines
the letters have: no "Legal basis" block (statutes, amounts, last-checked dates) and no
"prepared with / review before sending" note; ``handout_docx`` writes the same as DOCX.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo

from ncii_desk.documents.common import DocMeta, Writer, one_line
from ncii_desk.documents.docxkit import DocxDocument
from ncii_desk.documents.forms import Forms, load_forms
from ncii_desk.documents.letters import DEADLINE_HOURS, Letter, Tables, render_document, write_block
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
    zone: tzinfo | None = None,
) -> Letter:
    """The hand-out's content (see ``handout_pdf``); times in ``zone`` (default: the
    computer's own zone)."""
    forms = forms or load_forms()
    now = now or datetime.now(UTC)
    rows = tuple(
        (
            one_line(c.platform),
            ROUTE_LABELS.get(c.route, c.route),
            local_time(c.sent_at, zone) if c.sent_at else "-",
            STATE_LABELS.get(c.state, c.state),
        )
        for c in contacted
    )
    fixed = {
        "minor": minor,
        "has_takedown": any(c.route == "takedown" and c.sent_at for c in contacted),
        "has_dmca": any(c.route == "dmca" for c in contacted),
        "deadline_hours": DEADLINE_HOURS,
        "today": _in_zone(now, zone).strftime("%Y-%m-%d"),
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


def _in_zone(moment: datetime, zone: tzinfo | None) -> datetime:
    # astimezone() without a zone gives the computer's own local zone.
    return moment.astimezone(zone) if zone is not None else moment.astimezone()


def local_time(moment: datetime, zone: tzinfo | None = None) -> str:
    """``moment`` as the clinic's wall-clock time with the zone's abbreviation
    ("2026-06-01 07:00 EDT"); ``zone`` None means the computer's own zone."""
    local = _in_zone(moment, zone)
    return f"{local:%Y-%m-%d %H:%M} {local.tzname() or ''}".strip()


def write_handout(letter: Letter, writer: Writer) -> None:
    """Title, banner and the content blocks: none of the staff-only parts of a letter
    (``Letter.write`` adds the statutes with amounts and last-checked dates, and the
    "prepared with ... review before sending" note)."""
    writer.title(letter.title)
    writer.banner(letter.banner)
    for block in letter.blocks:
        write_block(writer, block)


def _meta(letter: Letter) -> DocMeta:
    # No statute citations in the keywords either (Letter.meta adds them for letters).
    return DocMeta(letter.title, letter.author, letter.subject, ["handout"], letter.created)


def handout_pdf(letter: Letter) -> bytes:
    """The hand-out as PDF bytes (made in memory), with its own footer line."""
    doc = PdfDocument(_meta(letter), footer_note=BANNER)
    write_handout(letter, doc)
    return doc.build()


def handout_docx(letter: Letter) -> bytes:
    """The hand-out as DOCX bytes (made in memory), with the same footer line."""
    doc = DocxDocument(_meta(letter), footer_note=BANNER)
    write_handout(letter, doc)
    return doc.build()
