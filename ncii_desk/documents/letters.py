"""Letters from the forms/ templates: one per platform, as PDF and as editable DOCX.

Flow: ``group_by_platform`` sorts the depictions by platform (platforms.toml domains of the
page each appeared on, else of its own address), ``build_letters`` checks the form data
(``validators.check``), renders the template once per platform into plain-text blocks, and
``Letter.pdf()`` / ``Letter.docx()`` write the same blocks through the PDF and DOCX kits.
Every document starts with the draft notice and ends with the legal basis it relies on
(citation, status, last-checked date from law.toml).

Safety of text: template text is the only Jinja source; every value from a user, the case or
a web page is passed in as data (never evaluated) and written as literal text by the kits.
No placeholder can survive: Jinja runs with StrictUndefined, and each letter is rendered a
second time with every user value masked and scanned for leftovers ({{ }}, {% %}, [ ], ___).
Letters never contain images.

API: ``Sender``, ``Depiction``, ``LetterForm`` (the facts a letter needs), ``PlatformGroup``,
``platform_of``, ``group_by_platform``, ``build_letters``, ``render_document`` (any template
with a prepared context; used by the hand-out), ``Letter`` (``pdf()``, ``docx()``, ``text()``,
``filename``), ``PlaceholderLeft``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, fields, replace
from datetime import UTC, datetime, tzinfo
from typing import Any

from ncii_desk.documents import validators
from ncii_desk.documents.clock import local_and_utc
from ncii_desk.documents.common import DRAFT_NOTICE, DocMeta, Writer, creator, one_line
from ncii_desk.documents.docxkit import DocxDocument
from ncii_desk.documents.forms import (
    ROUTES,
    UNKNOWN_PLATFORM,
    Block,
    Forms,
    FormsDataError,
    Law,
    Platform,
    Template,
    jinja_env,
    load_forms,
)
from ncii_desk.documents.letterform import Depiction as Depiction
from ncii_desk.documents.letterform import LetterForm as LetterForm
from ncii_desk.documents.letterform import Sender as Sender
from ncii_desk.documents.pdfkit import PdfDocument
from ncii_desk.errors import NciiDeskError

DEADLINE_HOURS = 48
BANNER = "DRAFT — NOT LEGAL ADVICE. Prepared for review by an advocate or attorney."
_LEFTOVER = re.compile(r"\{\{|\}\}|\{%|%\}|\{#|#\}|\[[^\]\n]{0,60}\]|<<|>>|_{4,}|\bTODO\b|\bXXX\b")
_SAFE_NAME = re.compile(r"[^a-z0-9]+")


class PlaceholderLeft(FormsDataError):
    """A template produced text with an unfilled placeholder."""


# --- what a letter is made of ------------------------------------------------------------
# (Sender, Depiction and LetterForm, the facts filled in, are in letterform.py: the
# validators read them too, and import nothing from this module.)


@dataclass(frozen=True)
class PlatformGroup:
    platform: Platform
    host: str
    depictions: tuple[Depiction, ...]

    @property
    def key(self) -> str:
        if self.platform.id == UNKNOWN_PLATFORM:
            return f"{UNKNOWN_PLATFORM}:{self.host}"
        return self.platform.id

    @property
    def recipient(self) -> str:
        if self.platform.id == UNKNOWN_PLATFORM:
            return self.host or "the website concerned"
        return self.platform.name


@dataclass(frozen=True)
class RenderedBlock:
    kind: str  # heading, para, note, labelled, kv, bullets, table, page_break
    text: str = ""
    label: str = ""
    value: str = ""
    level: int = 2
    items: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()
    header: tuple[str, ...] = ()
    widths: tuple[float, ...] = ()


@dataclass(frozen=True)
class Tables:
    """Rows for the blocks filled in by code (depictions, contact, history, ...)."""

    depictions: tuple[tuple[str, ...], ...] = ()
    hashes: tuple[tuple[str, ...], ...] = ()
    contact: tuple[tuple[str, str], ...] = ()
    signature: tuple[tuple[str, str], ...] = ()
    contacted: tuple[tuple[str, ...], ...] = ()
    rechecks: tuple[tuple[str, ...], ...] = ()
    history: tuple[tuple[str, ...], ...] = ()
    channels: tuple[str, ...] = ()


@dataclass(frozen=True)
class Letter:
    template_id: str
    route: str
    recipient: str
    platform_key: str
    title: str
    subject: str
    author: str
    blocks: tuple[RenderedBlock, ...]
    law: tuple[Law, ...]
    created: datetime
    depictions: tuple[Depiction, ...] = ()
    platform_id: str = ""
    banner: str = BANNER

    @property
    def filename(self) -> str:
        """A file name stem without victim data: template and platform only."""
        platform = _SAFE_NAME.sub("-", self.platform_key.lower()).strip("-") or "document"
        return f"{self.template_id}-{platform}"

    def meta(self) -> DocMeta:
        keywords = [self.route, *(law.citation for law in self.law)]
        return DocMeta(self.title, self.author, self.subject, keywords, self.created)

    def write(self, writer: Writer) -> None:
        writer.title(self.title)
        writer.banner(self.banner)
        for block in self.blocks:
            _write_block(writer, block)
        _write_law(writer, self.law)
        writer.para(
            f"Prepared with {creator()} on {self.created:%Y-%m-%d %H:%M} UTC. {DRAFT_NOTICE}",
            style="note",
        )

    def pdf(self) -> bytes:
        doc = PdfDocument(self.meta())
        self.write(doc)
        return doc.build()

    def docx(self) -> bytes:
        doc = DocxDocument(self.meta())
        self.write(doc)
        return doc.build()

    def text(self) -> str:
        """Plain text of the content blocks (what the PDF and DOCX show, minus layout)."""
        return "\n".join(_block_texts(self.blocks))


def _write_block(writer: Writer, block: RenderedBlock) -> None:
    if block.kind == "heading":
        writer.heading(block.text, block.level)
    elif block.kind == "para":
        writer.para(block.text)
    elif block.kind == "note":
        writer.para(block.text, style="note")
    elif block.kind == "labelled":
        writer.labelled(block.label, block.value)
    elif block.kind == "kv":
        writer.kv_table([(r[0], r[1]) for r in block.rows])
    elif block.kind == "bullets":
        writer.bullets(block.items)
    elif block.kind == "table":
        writer.table(block.header, block.rows, block.widths or None)
    elif block.kind == "page_break":
        writer.page_break()
    else:  # pragma: no cover - RenderedBlock kinds are produced only by this module
        raise ValueError(block.kind)


#: One rendered block written to a PDF or DOCX (the hand-out writes its blocks with it).
write_block = _write_block


def _write_law(writer: Writer, laws: Sequence[Law]) -> None:
    writer.heading("Legal basis", 2)
    for law in laws:
        writer.labelled(law.citation, law.name)
        writer.para(law.summary, style="small")
        extra = f" {law.public_law}." if law.public_law else ""
        check = " Verify against the current text before relying on it." if law.verify else ""
        writer.para(
            f"Status: {law.status}.{extra} Last checked: {law.last_checked.isoformat()}.{check}",
            style="note",
        )


def _block_texts(blocks: Sequence[RenderedBlock]) -> list[str]:
    out: list[str] = []
    for b in blocks:
        out += [t for t in (b.text, b.label, b.value) if t]
        out += list(b.items)
        out += list(b.header)
        out += [cell for row in b.rows for cell in row]
    return out


# --- grouping ----------------------------------------------------------------------------


def platform_of(depiction: Depiction, forms: Forms) -> tuple[Platform, str]:
    """The platform (and host) a depiction is reported to: that of the page where it
    appeared; when that site is not recognised, or there is no page, that of the picture's
    own address (a platform's CDN domain, such as pbs.twimg.com for X)."""
    platform, host = forms.platform_for_url(depiction.page_url or depiction.url)
    if platform.id == UNKNOWN_PLATFORM and depiction.page_url and depiction.url:
        own, own_host = forms.platform_for_url(depiction.url)
        if own.id != UNKNOWN_PLATFORM:
            return own, own_host
    return platform, host


def group_by_platform(
    depictions: Sequence[Depiction], forms: Forms, only: str | None = None
) -> list[PlatformGroup]:
    """One group per platform (unrecognised sites: one per host), in first-seen order.

    ``only`` keeps the group of that platform (id, name or domain); it is an error when no
    address belongs to it.
    """
    groups: dict[str, tuple[Platform, str, list[Depiction]]] = {}
    seen: set[tuple[str, str]] = set()
    for depiction in depictions:
        if depiction.location in seen:
            continue
        seen.add(depiction.location)
        platform, host = platform_of(depiction, forms)
        key = platform.id if platform.id != UNKNOWN_PLATFORM else f"{UNKNOWN_PLATFORM}:{host}"
        groups.setdefault(key, (platform, host if platform.id == UNKNOWN_PLATFORM else "", []))
        groups[key][2].append(depiction)
    found = [PlatformGroup(p, host, tuple(items)) for p, host, items in groups.values()]
    if only is None:
        return found
    wanted = forms.platform(only)
    chosen = [g for g in found if g.platform.id == wanted.id]
    if not chosen:
        raise NciiDeskError(
            f"None of the case's web addresses belong to {wanted.name}.",
            "See the case's addresses with 'ncii-desk capture list CASE', or add one with --url.",
        )
    return chosen


# --- rendering ---------------------------------------------------------------------------


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _mask(value: Any) -> Any:
    """The same structure with every non-empty text replaced by a neutral word."""
    if isinstance(value, str):
        return "masked" if value else ""
    if isinstance(value, Mapping):
        return {k: _mask(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_mask(v) for v in value]
    return value


def _render_blocks(
    template: Template, context: Mapping[str, Any], tables: Tables
) -> list[RenderedBlock]:
    env = jinja_env()

    def text(source: str) -> str:
        return env.from_string(source).render(context).strip() if source else ""

    out: list[RenderedBlock] = []
    for block in template.blocks:
        if block.when and not env.compile_expression(block.when)(**context):
            continue
        out += _render_block(block, text, tables)
    return out


def _render_block(block: Block, text: Callable[[str], str], tables: Tables) -> list[RenderedBlock]:
    kind = block.kind
    if kind in ("heading", "para", "note"):
        rendered = text(block.text)
        return [RenderedBlock(kind, text=rendered, level=block.level)] if rendered else []
    if kind == "labelled":
        return [RenderedBlock(kind, label=text(block.label), value=text(block.value))]
    if kind == "kv":
        rows = tuple((text(k), text(v)) for k, v in block.rows)
        return [RenderedBlock("kv", rows=tuple(r for r in rows if r[1]))]
    if kind == "bullets":
        return [RenderedBlock("bullets", items=tuple(text(i) for i in block.items))]
    if kind == "page_break":
        return [RenderedBlock("page_break")]
    if kind == "depictions":
        return [
            RenderedBlock(
                "table",
                header=("No.", "Location", "Details"),
                rows=tables.depictions,
                widths=(0.07, 0.5, 0.43),
            )
        ]
    if kind == "hashes":
        if not tables.hashes:
            return [RenderedBlock("para", text="No file fingerprints were recorded.")]
        return [
            RenderedBlock(
                "table",
                header=("No.", "Hash", "Value"),
                rows=tables.hashes,
                widths=(0.07, 0.13, 0.8),
            )
        ]
    if kind in ("contact", "signature"):
        return [RenderedBlock("kv", rows=getattr(tables, kind))]
    if kind == "channels":
        return [RenderedBlock("bullets", items=tables.channels)] if tables.channels else []
    if kind == "contacted":
        if not tables.contacted:
            return [RenderedBlock("para", text="No requests have been recorded yet.")]
        return [
            RenderedBlock(
                "table",
                header=("Platform", "What was sent", "Sent", "Status"),
                rows=tables.contacted,
                widths=(0.3, 0.3, 0.2, 0.2),
            )
        ]
    if kind == "rechecks":
        if not tables.rechecks:
            return [RenderedBlock("para", text="No later checks of these addresses are recorded.")]
        return [
            RenderedBlock(
                "table",
                header=("Checked (UTC)", "Location", "Result"),
                rows=tables.rechecks,
                widths=(0.22, 0.5, 0.28),
            )
        ]
    if kind == "history":
        return [
            RenderedBlock(
                "table", header=("When (UTC)", "Event"), rows=tables.history, widths=(0.25, 0.75)
            )
        ]
    raise FormsDataError(f"Block kind '{kind}' cannot be rendered.")  # pragma: no cover


def render_document(
    template: Template,
    *,
    fixed: Mapping[str, Any],
    user: Mapping[str, Any],
    tables: Tables,
    forms: Forms,
    author: str,
    created: datetime,
    recipient: str = "",
    platform_key: str = "document",
    platform_id: str = "",
    depictions: Sequence[Depiction] = (),
    banner: str = BANNER,
) -> Letter:
    """Render ``template``: ``fixed`` holds values from forms/ data and code, ``user`` holds
    every value that came from a person or a web page (masked for the placeholder scan)."""
    env = jinja_env()
    context = {**fixed, **user}
    masked = {**fixed, **_mask(user)}
    blocks = _render_blocks(template, context, tables)
    probe = _render_blocks(template, masked, Tables())
    probe_texts = [
        env.from_string(template.title).render(masked),
        env.from_string(template.subject).render(masked),
        *_block_texts(probe),
    ]
    for piece in probe_texts:
        leftover = _LEFTOVER.search(piece)
        if leftover:
            raise PlaceholderLeft(
                f"The template '{template.id}' left the placeholder '{leftover.group(0)}' "
                "unfilled.",
            )
    return Letter(
        template_id=template.id,
        route=template.route,
        recipient=recipient,
        platform_key=platform_key,
        title=env.from_string(template.title).render(context),
        subject=env.from_string(template.subject).render(context),
        author=author,
        blocks=tuple(blocks),
        law=tuple(forms.law_entries(template.law)),
        created=created,
        depictions=tuple(depictions),
        platform_id=platform_id,
        banner=banner,
    )


def _depiction_rows(depictions: Sequence[Depiction]) -> tuple[tuple[str, ...], ...]:
    rows = []
    for number, d in enumerate(depictions, start=1):
        details = []
        if d.page_url and d.page_url != d.url:
            details.append(f"Shown on the page: {one_line(d.page_url)}")
            if d.page_final_url and d.page_final_url != d.page_url:
                details.append(f"Page address after redirects: {one_line(d.page_final_url)}")
        if d.content_id:
            details.append(f"Content ID: {one_line(d.content_id)}")
        if d.final_url and d.final_url != d.url:
            details.append(f"Address after redirects: {one_line(d.final_url)}")
        if d.captured_at is not None:
            details.append(f"Seen and captured: {_utc(d.captured_at)}")
        for name, value in d.hashes:
            if name == "SHA-256":
                details.append(f"SHA-256 of the captured file: {value}")
            elif name == "PDQ" and value:
                details.append(f"PDQ (perceptual hash): {value}")
        url = one_line(d.url) or "(no web address)"
        rows.append((str(number), url, "\n".join(details) or "-"))
    return tuple(rows)


def _hash_rows(depictions: Sequence[Depiction]) -> tuple[tuple[str, ...], ...]:
    rows = []
    for number, d in enumerate(depictions, start=1):
        rows += [(str(number), name, value) for name, value in d.hashes if value]
    return tuple(rows)


def contact_rows(sender: Sender) -> tuple[tuple[str, str], ...]:
    capacity = "Authorised representative" if sender.representative else "The person depicted"
    rows = (
        ("Name", one_line(sender.name)),
        ("Acting as", capacity),
        ("Organisation", one_line(sender.organisation)),
        ("E-mail", one_line(sender.email)),
        ("Phone", one_line(sender.phone)),
        ("Postal address", sender.address),  # may have several lines
    )
    return tuple(r for r in rows if r[1].strip())


def _signature_rows(
    form: LetterForm, created: datetime, zone: tzinfo = UTC
) -> tuple[tuple[str, str], ...]:
    rows = (
        ("Signature", one_line(form.signature)),
        ("Name", one_line(form.sender.name)),
        ("Date", created.astimezone(zone).strftime("%Y-%m-%d")),
    )
    return tuple(r for r in rows if r[1].strip())


def _user_context(form: LetterForm, group: PlatformGroup) -> dict[str, Any]:
    # Display values only: names, addresses and references are single-line fields, so a
    # line break in one is shown as <U+000A> (the stored values are not changed).
    sender = form.sender
    # The legal name goes only where the platform's own process requires it.
    legal = one_line(form.person_name.strip()) if group.platform.requires_legal_name else ""
    person_label = legal or one_line(form.pseudonym.strip()) or "the person depicted"
    return {
        "recipient": one_line(group.recipient),
        "reference": one_line(form.reference) or "-",
        "sender": {
            "name": one_line(sender.name),
            "organisation": one_line(sender.organisation),
            "email": one_line(sender.email),
            "phone": one_line(sender.phone),
            "address": sender.address,
            "authority": sender.authority,
            "is_representative": sender.representative,
        },
        "person": {
            "name": legal,
            "label": person_label,
            "pseudonym": one_line(form.pseudonym.strip()),
        },
        "signature": one_line(form.signature),
        "statement": form.statement,
        "work": form.work,
        "host": one_line(group.host),
    }


def _fixed_context(
    forms: Forms,
    form: LetterForm,
    group: PlatformGroup,
    route: str,
    now: datetime,
    zone: tzinfo | None = None,
) -> dict[str, Any]:
    platform = group.platform
    channels = platform.channels_for(route)
    count = len(group.depictions)
    return {
        "today": now.astimezone(zone or UTC).strftime("%B %d, %Y").replace(" 0", " "),
        "request_time": _utc(now) if zone is None else local_and_utc(now, zone),
        "deadline_hours": DEADLINE_HOURS,
        "covered_platform": form.covered_platform or "unanswered",
        "count": count,
        "plural": "" if count == 1 else "s",
        "good_faith": form.good_faith,
        "forgery": form.forgery,
        "law": {key: law.as_context() for key, law in forms.law.items()},
        "ftc_channel": "Federal Trade Commission complaint (ReportFraud.ftc.gov is the FTC's "
        "general complaint site) — verify the channel for TAKE IT DOWN Act complaints",
        "platform": {
            "id": platform.id,
            "name": platform.name,
            "kind": platform.kind,
            "notes": platform.notes,
            "one_report_per_item": platform.one_report_per_item,
            "channel": channels[0].describe() if channels else "the platform's reporting page",
            "channels": [c.describe() for c in channels],
        },
    }


def build_letters(
    template_id: str,
    form: LetterForm,
    depictions: Sequence[Depiction],
    *,
    forms: Forms | None = None,
    now: datetime | None = None,
    platform: str | None = None,
    author: str = "",
    extra_fixed: Mapping[str, Any] | None = None,
    extra_user: Mapping[str, Any] | None = None,
    extra_tables: Mapping[str, Any] | None = None,
    zone: tzinfo | None = None,
) -> list[Letter]:
    """Validate and render one letter per platform for ``depictions``.

    ``now`` is the letter's date (a request is rendered again with its sent time when it is
    marked sent); ``zone`` is the clinic's time zone the date is written in (with UTC beside
    the time), UTC when not given.

    ``platform`` limits the letters to one platform (id, name or domain). A platform whose
    routes do not include this template's route gets no letter: the returned letters say
    where it applies. Raises ``MissingElements`` naming what the form lacks.
    """
    forms = forms or load_forms()
    template = _without_removal_duty(_template(forms, template_id), form)
    now = now or datetime.now(UTC)
    if template.route == "ncmec":
        # One sheet for NCMEC listing every location, whatever platform it is on.
        everything = tuple(d for g in group_by_platform(depictions, forms) for d in g.depictions)
        groups = [PlatformGroup(forms.platforms["ncmec"], "", everything)] if everything else []
    else:
        groups = group_by_platform(depictions, forms, only=platform)
    if not groups:
        validators.check(template.validator, form, [], None)
    letters = []
    for group in groups:
        if template.route not in group.platform.routes and template.route in ROUTES:
            continue
        validators.check(template.validator, form, group.depictions, group.platform)
        fixed = _fixed_context(forms, form, group, template.route, now, zone)
        user = _user_context(form, group)
        fixed.update(extra_fixed or {})
        user.update(extra_user or {})
        tables = Tables(
            depictions=_depiction_rows(group.depictions),
            hashes=_hash_rows(group.depictions),
            contact=contact_rows(form.sender),
            signature=_signature_rows(form, now, zone or UTC),
            channels=tuple(c.describe() for c in group.platform.channels_for(template.route)),
            **(extra_tables or {}),
        )
        letters.append(
            render_document(
                template,
                fixed=fixed,
                user=user,
                tables=tables,
                forms=forms,
                author=author or form.sender.organisation or form.sender.name,
                created=now,
                recipient=group.recipient,
                platform_key=group.key,
                platform_id=group.platform.id,
                depictions=group.depictions,
            )
        )
    return letters


#: Which template writes which route's letter.
ROUTE_TEMPLATES = {
    "takedown": "takedown",
    "ncii-report": "ncii_report",
    "deindex": "deindex",
    "dmca": "dmca",
    "preservation": "preservation",
    "ncmec": "ncmec",
}


def _without_removal_duty(template: Template, form: LetterForm) -> Template:
    """A TAKE IT DOWN letter for a site the advocate says is not a covered platform does not
    cite the Act's removal duty as its legal basis (it asks under the site's own policies)."""
    if template.route != "takedown" or form.covered_platform != "no":
        return template
    return replace(template, law=tuple(k for k in template.law if k != "take_it_down_removal"))


def _template(forms: Forms, template_id: str) -> Template:
    try:
        return forms.templates[template_id]
    except KeyError:
        raise FormsDataError(f"The letter template '{template_id}' is missing.") from None


# --- the letter's inputs, kept with a request so it can be rendered again when sent ---------


def form_to_json(form: LetterForm) -> dict[str, Any]:
    """The form as plain JSON data (stored encrypted in the vault with the request)."""
    data = asdict(form)
    data["sender"] = asdict(form.sender)
    return data


def form_from_json(data: Mapping[str, Any]) -> LetterForm:
    """The form stored by ``form_to_json`` (unknown keys from other versions are ignored)."""
    sender_fields = {f.name for f in fields(Sender)}
    form_fields = {f.name for f in fields(LetterForm)} - {"sender"}
    raw_sender = data.get("sender") or {}
    sender = Sender(**{k: v for k, v in dict(raw_sender).items() if k in sender_fields})
    return LetterForm(sender=sender, **{k: v for k, v in data.items() if k in form_fields})
