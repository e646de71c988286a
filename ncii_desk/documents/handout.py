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
from dataclasses import dataclass, replace
from datetime import UTC, datetime, tzinfo

from ncii_desk.documents.common import DocMeta, Writer, one_line
from ncii_desk.documents.docxkit import DocxDocument
from ncii_desk.documents.forms import Block, Forms, Template, load_forms, template_sources
from ncii_desk.documents.letters import DEADLINE_HOURS, Letter, Tables, render_document, write_block
from ncii_desk.documents.pdfkit import PdfDocument
from ncii_desk.i18n import placeholders, translate

# The context of the hand-out's strings in the documents catalogue (ncii_desk/i18n).
CONTEXT = "Handout"
# Written by letters.py for the "contacted" block; translated here for the client.
CONTACTED_HEADER = ("Platform", "What was sent", "Sent", "Status")
NO_REQUESTS = "No requests have been recorded yet."

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
    language: str = "en",
) -> Letter:
    """The hand-out's content (see ``handout_pdf``); times in ``zone`` (default: the
    computer's own zone), words in ``language`` ("en" or "es", from the documents
    catalogue; platform names and the clinic's details are kept as given)."""
    forms = forms or load_forms()

    def tr(text: str) -> str:
        return translate(CONTEXT, text, language)

    now = now or datetime.now(UTC)
    rows = tuple(
        (
            one_line(c.platform),
            tr(ROUTE_LABELS.get(c.route, c.route)),
            local_time(c.sent_at, zone) if c.sent_at else "-",
            tr(STATE_LABELS.get(c.state, c.state)),
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
    letter = render_document(
        translated_template(forms.templates["handout"], language),
        fixed=fixed,
        user=user,
        tables=Tables(contacted=rows),
        forms=forms,
        author=clinic.get("name", ""),
        created=now,
        platform_key="handout",
        banner=tr(BANNER),
    )
    blocks = tuple(
        replace(
            b,
            header=tuple(tr(h) for h in b.header),
            text=tr(b.text) if b.text == NO_REQUESTS else b.text,
        )
        for b in letter.blocks
    )
    return replace(letter, blocks=blocks)


def _wording(text: str) -> bool:
    """True for a text with words to translate (not only placeholders like {{ today }})."""
    rest = text
    for mark in placeholders(text):
        rest = rest.replace(mark, "")
    return any(ch.isalpha() for ch in rest)


def translated_template(template: Template, language: str) -> Template:
    """The hand-out template with its texts from the documents catalogue (placeholders and
    Jinja tags are part of each catalogue entry and checked by the catalogue test)."""
    if language == "en":
        return template

    def tr(text: str) -> str:
        return translate(CONTEXT, text, language) if text and _wording(text) else text

    def block(b: Block) -> Block:
        return replace(
            b,
            text=tr(b.text),
            label=tr(b.label),
            value=tr(b.value),
            items=tuple(tr(i) for i in b.items),
            rows=tuple((tr(k), tr(v)) for k, v in b.rows),
        )

    return replace(
        template,
        title=tr(template.title),
        subject=tr(template.subject),
        blocks=tuple(block(b) for b in template.blocks),
    )


def document_sources(forms: Forms | None = None) -> list[tuple[str, str]]:
    """Every hand-out string the documents catalogue must translate, as (context, text)."""
    template = (forms or load_forms()).templates["handout"]
    texts = [
        *(t for t in template_sources(template) if _wording(t)),
        BANNER,
        *ROUTE_LABELS.values(),
        *STATE_LABELS.values(),
        *CONTACTED_HEADER,
        NO_REQUESTS,
    ]
    return [(CONTEXT, t) for t in texts]


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
    doc = PdfDocument(_meta(letter), footer_note=letter.banner)
    write_handout(letter, doc)
    return doc.build()


def handout_docx(letter: Letter) -> bytes:
    """The hand-out as DOCX bytes (made in memory), with the same footer line."""
    doc = DocxDocument(_meta(letter), footer_note=letter.banner)
    write_handout(letter, doc)
    return doc.build()
