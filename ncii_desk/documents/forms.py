"""Loads and checks the forms/ data: platforms, law, letter templates and the packet's elements.

The data lives in the shipped ``forms/`` folder (``ncii_desk.resources.data_dir("forms")``)
so clinics can update addresses and statute facts without a new release. Everything is
validated on load; a mistake in the data is a ``FormsDataError`` naming the file and entry.

API:

* ``load_forms(folder=None) -> Forms`` (cached per folder).
* ``Forms.platforms`` / ``Forms.law`` / ``Forms.templates``: dicts by id.
* ``Forms.elements``: the evidence packet's elements index (forms/packet_elements.toml).
* ``Forms.platform_for_url(url) -> (Platform, host)``: which platform a URL belongs to, by
  the longest matching domain (subdomains count); unknown hosts get the "unknown" platform.
* ``Forms.law_entries(keys)``: the enabled law entries among ``keys``, in order.

Law (one rule for every document, letters and packet alike): an entry is cited only when
``enabled``; an entry whose status says "pending" can never be enabled, and a bill can be
enabled only with its public-law number. Breaking the rule is a ``FormsDataError``, so a
pending DEFIANCE Act can never reach a document by an edit of ``enabled`` alone.

Template format (forms/templates/<id>.toml), see forms/README.md: a ``[letter]`` table
(id, title, subject, route, validator, law = [law keys]) and ``[[block]]`` entries with a
``kind`` and Jinja2 text fields. Jinja2 runs sandboxed with StrictUndefined: the template text
is the only template source; values from users are passed in as data and never evaluated.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jinja2
from jinja2.sandbox import SandboxedEnvironment

from ncii_desk.errors import NciiDeskError
from ncii_desk.resources import data_dir

ROUTES = ("takedown", "ncii-report", "deindex", "dmca", "preservation", "ncmec")
VALIDATORS = ("takedown", "dmca", "deindex", "ncii-report", "preservation", "ncmec", "none")
BLOCK_KINDS = (
    "heading",
    "para",
    "note",
    "labelled",
    "kv",
    "bullets",
    "page_break",
    # filled in by code from the case data:
    "depictions",
    "contact",
    "signature",
    "hashes",
    "contacted",
    "rechecks",
    "history",
    "channels",
)
UNKNOWN_PLATFORM = "unknown"
#: Evidence words of packet_elements.toml: which exhibits an element of the claim lists.
EVIDENCE_WORDS = (
    "suspect",
    "original",
    "reference",
    "match",
    "face_match",
    "manipulation",
    "capture",
    "request",
    "recheck",
)


class FormsDataError(NciiDeskError):
    """The forms/ data that ships with NCII Desk is damaged or inconsistent."""

    default_hint = (
        "The forms/ folder (letter templates, platforms.toml, law.toml) was edited and now has "
        "a mistake. Undo the last edit, or reinstall NCII Desk to restore the original files."
    )


#: Where every DMCA designated-agent channel in platforms.toml must say it comes from.
DMCA_AGENT_SOURCE = "U.S. Copyright Office DMCA Designated Agent Directory (dmca.copyright.gov)"


@dataclass(frozen=True)
class Channel:
    route: str
    label: str
    web_form: str = ""
    email: str = ""
    verify: bool = False
    #: Where the entry comes from, and when it was last checked (DMCA agent channels).
    source: str = ""
    last_checked: date | None = None

    def describe(self) -> str:
        parts = [self.label]
        if self.web_form:
            parts.append(self.web_form)
        if self.email:
            parts.append(self.email)
        text = ": ".join(parts[:2]) + (f" ({parts[2]})" if len(parts) > 2 else "")
        if self.source:
            checked = f", last checked {self.last_checked.isoformat()}" if self.last_checked else ""
            text += f" [source: {self.source}{checked}]"
        return text + (" — verify before sending" if self.verify else "")


@dataclass(frozen=True)
class Platform:
    id: str
    name: str
    kind: str
    domains: tuple[str, ...]
    routes: tuple[str, ...]
    required_fields: tuple[str, ...]
    one_report_per_item: bool
    last_checked: date
    notes: str
    channels: tuple[Channel, ...]

    def channels_for(self, route: str) -> list[Channel]:
        """The channels for ``route``. A DMCA notice goes to the designated agent
        (17 U.S.C. § 512(c)(2)) only, never to an intimate-imagery report form."""
        exact = [c for c in self.channels if c.route == route]
        if route == "dmca":
            return exact
        return exact + [c for c in self.channels if c.route == "any"]

    @property
    def requires_legal_name(self) -> bool:
        """Whether the platform's own process asks for the person's legal name."""
        return "legal_name" in self.required_fields


@dataclass(frozen=True)
class Law:
    key: str
    name: str
    citation: str
    status: str
    enabled: bool
    last_checked: date
    summary: str
    verify: bool = False
    public_law: str = ""
    bills: tuple[str, ...] = ()
    counts: tuple[str, ...] = ()

    def as_context(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "name": self.name,
            "citation": self.citation,
            "status": self.status,
            "enabled": self.enabled,
            "last_checked": self.last_checked.isoformat(),
            "summary": self.summary,
            "public_law": self.public_law,
            "bills": list(self.bills),
            "counts": list(self.counts),
        }


@dataclass(frozen=True)
class Block:
    kind: str
    text: str = ""
    label: str = ""
    value: str = ""
    items: tuple[str, ...] = ()
    rows: tuple[tuple[str, str], ...] = ()
    level: int = 2
    when: str = ""


@dataclass(frozen=True)
class Template:
    id: str
    title: str
    subject: str
    route: str
    validator: str
    law: tuple[str, ...]
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class ClaimElement:
    """One element of the civil claim in the packet's elements index."""

    id: str
    title: str
    guide: str
    evidence: tuple[str, ...]  # EVIDENCE_WORDS


@dataclass(frozen=True)
class ElementsIndex:
    statute: str  # key in law.toml
    last_checked: date
    conduct_note: str
    elements: tuple[ClaimElement, ...]


@dataclass(frozen=True)
class Forms:
    folder: Path
    platforms: Mapping[str, Platform]
    law: Mapping[str, Law]
    templates: Mapping[str, Template]
    elements: ElementsIndex
    _by_domain: Mapping[str, str] = field(repr=False, default_factory=dict)

    def platform(self, ref: str) -> Platform:
        """A platform by id or by (case-insensitive) name or domain."""
        wanted = ref.strip().lower()
        if wanted in self.platforms:
            return self.platforms[wanted]
        for platform in self.platforms.values():
            if platform.name.lower() == wanted or wanted in platform.domains:
                return platform
        known = ", ".join(sorted(self.platforms))
        raise NciiDeskError(
            f"No platform called '{ref}' is known.",
            f"Use one of: {known} (or a domain such as reddit.com).",
        )

    def platform_for_url(self, url: str) -> tuple[Platform, str]:
        host = url_host(url)
        labels = host.split(".")
        for start in range(len(labels)):
            candidate = ".".join(labels[start:])
            platform_id = self._by_domain.get(candidate)
            if platform_id is not None:
                return self.platforms[platform_id], host
        return self.platforms[UNKNOWN_PLATFORM], host

    def law_entries(self, keys: Iterable[str]) -> list[Law]:
        return [self.law[k] for k in keys if self.law[k].enabled]


def url_host(url: str) -> str:
    """The lower-case host of a URL without "www." (also for URLs typed without a scheme)."""
    text = url.strip()
    if "://" not in text:
        text = "http://" + text
    try:
        host = urlsplit(text).hostname or ""
    except ValueError:
        host = ""
    host = host.rstrip(".").lower()
    return host[4:] if host.startswith("www.") else host


# --- loading and validation --------------------------------------------------------------


def _need(table: Mapping[str, Any], key: str, kind: type | tuple[type, ...], where: str) -> Any:
    if key not in table:
        raise FormsDataError(f"{where}: the entry '{key}' is missing.")
    value = table[key]
    if not isinstance(value, kind):
        raise FormsDataError(f"{where}: '{key}' has the wrong type.")
    return value


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise FormsDataError(f"{where}: expected a list of texts.")
    return tuple(value)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError as exc:
        raise FormsDataError(f"The file forms/{path.name} is missing.") from exc
    except tomllib.TOMLDecodeError as exc:
        raise FormsDataError(f"forms/{path.name} cannot be read: {exc}.") from exc


def _load_platforms(path: Path) -> tuple[dict[str, Platform], dict[str, str]]:
    data = _read_toml(path).get("platform")
    if not isinstance(data, dict) or not data:
        raise FormsDataError("forms/platforms.toml lists no platforms.")
    platforms: dict[str, Platform] = {}
    by_domain: dict[str, str] = {}
    for pid, entry in data.items():
        where = f"forms/platforms.toml, platform '{pid}'"
        routes = _strings(entry.get("routes", []), where)
        for route in routes:
            if route not in ROUTES:
                raise FormsDataError(f"{where}: unknown route '{route}'.")
        domains = tuple(d.lower() for d in _strings(entry.get("domains", []), where))
        for domain in domains:
            if "/" in domain or ":" in domain or domain.startswith("www."):
                raise FormsDataError(f"{where}: '{domain}' is not a bare domain name.")
            if domain in by_domain:
                raise FormsDataError(f"{where}: '{domain}' is also listed for {by_domain[domain]}.")
            by_domain[domain] = pid
        channels = []
        for raw in _need(entry, "channels", list, where):
            route = _need(raw, "route", str, where)
            if route != "any" and route not in ROUTES:
                raise FormsDataError(f"{where}: a channel has the unknown route '{route}'.")
            checked = raw.get("last_checked")
            if checked is not None and not isinstance(checked, date):
                raise FormsDataError(f"{where}: a channel's last_checked is not a date.")
            channel = Channel(
                route=route,
                label=_need(raw, "label", str, where),
                web_form=raw.get("web_form", ""),
                email=raw.get("email", ""),
                verify=bool(raw.get("verify", False)),
                source=raw.get("source", ""),
                last_checked=checked,
            )
            if route == "dmca" and not (
                channel.verify and channel.source == DMCA_AGENT_SOURCE and channel.last_checked
            ):
                raise FormsDataError(
                    f"{where}: a DMCA agent channel needs verify = true, last_checked and "
                    f'source = "{DMCA_AGENT_SOURCE}".'
                )
            channels.append(channel)
        if "dmca" in routes and not any(c.route == "dmca" for c in channels):
            raise FormsDataError(
                f"{where}: it takes DMCA notices but names no designated-agent channel "
                '(a channel with route = "dmca").'
            )
        required = _strings(entry.get("required_fields", []), where)
        for name in required:
            if name not in ("legal_name",):
                raise FormsDataError(f"{where}: unknown required field '{name}'.")
        platforms[pid] = Platform(
            id=pid,
            name=_need(entry, "name", str, where),
            kind=entry.get("kind", ""),
            domains=domains,
            routes=routes,
            required_fields=required,
            one_report_per_item=bool(entry.get("one_report_per_item", False)),
            last_checked=_need(entry, "last_checked", date, where),
            notes=entry.get("notes", ""),
            channels=tuple(channels),
        )
    if UNKNOWN_PLATFORM not in platforms:
        raise FormsDataError("forms/platforms.toml has no 'unknown' fallback platform.")
    return platforms, by_domain


def _load_law(path: Path) -> dict[str, Law]:
    data = _read_toml(path).get("law")
    if not isinstance(data, dict) or not data:
        raise FormsDataError("forms/law.toml lists no statutes.")
    law: dict[str, Law] = {}
    for key, entry in data.items():
        where = f"forms/law.toml, entry '{key}'"
        status = _need(entry, "status", str, where)
        enabled = _need(entry, "enabled", bool, where)
        public_law = entry.get("public_law", "")
        bills = _strings(entry.get("bills", []), where)
        if enabled and "pending" in status.lower():
            raise FormsDataError(
                f"{where}: pending legislation cannot be switched on.",
                "Set status to 'enacted' and fill in public_law once the bill is law.",
            )
        if enabled and bills and not public_law:
            raise FormsDataError(
                f"{where}: a bill can only be switched on with its public-law number.",
                "Fill in public_law (for example 'Pub. L. 119-xx') once it is enacted.",
            )
        law[key] = Law(
            key=key,
            name=_need(entry, "name", str, where),
            citation=_need(entry, "citation", str, where),
            status=status,
            enabled=enabled,
            last_checked=_need(entry, "last_checked", date, where),
            summary=_need(entry, "summary", str, where),
            verify=bool(entry.get("verify", False)),
            public_law=public_law,
            bills=bills,
            counts=_strings(entry.get("counts", []), where),
        )
    return law


def _load_template(path: Path, env: SandboxedEnvironment, law: Mapping[str, Law]) -> Template:
    data = _read_toml(path)
    where = f"forms/templates/{path.name}"
    head = _need(data, "letter", dict, where)
    route = _need(head, "route", str, where)
    if route not in (*ROUTES, "followup", "escalation", "handout"):
        raise FormsDataError(f"{where}: unknown route '{route}'.")
    validator = head.get("validator", "none")
    if validator not in VALIDATORS:
        raise FormsDataError(f"{where}: unknown validator '{validator}'.")
    law_keys = _strings(head.get("law", []), where)
    if not law_keys:
        raise FormsDataError(f"{where}: every document must name the law it relies on.")
    for key in law_keys:
        if key not in law:
            raise FormsDataError(f"{where}: law '{key}' is not in forms/law.toml.")
    blocks = []
    for number, raw in enumerate(_need(data, "block", list, where), start=1):
        bwhere = f"{where}, block {number}"
        kind = _need(raw, "kind", str, bwhere)
        if kind not in BLOCK_KINDS:
            raise FormsDataError(f"{bwhere}: unknown kind '{kind}'.")
        rows = raw.get("rows", [])
        if not isinstance(rows, list) or not all(
            isinstance(r, list) and len(r) == 2 and all(isinstance(c, str) for c in r) for r in rows
        ):
            raise FormsDataError(f"{bwhere}: rows must be [label, value] pairs of texts.")
        block = Block(
            kind=kind,
            text=raw.get("text", ""),
            label=raw.get("label", ""),
            value=raw.get("value", ""),
            items=_strings(raw.get("items", []), bwhere),
            rows=tuple((r[0], r[1]) for r in rows),
            level=int(raw.get("level", 2)),
            when=raw.get("when", ""),
        )
        for source in (block.text, block.label, block.value, *block.items, *sum(block.rows, ())):
            _compile(env, source, bwhere)
        if block.when:
            try:
                env.compile_expression(block.when)
            except jinja2.TemplateSyntaxError as exc:
                raise FormsDataError(f"{bwhere}: the condition is not valid: {exc}.") from exc
        blocks.append(block)
    tid = _need(head, "id", str, where)
    if tid != path.stem:
        raise FormsDataError(f"{where}: its id '{tid}' differs from the file name.")
    for text in (head.get("title", ""), head.get("subject", "")):
        _compile(env, text, where)
    return Template(
        id=tid,
        title=_need(head, "title", str, where),
        subject=head.get("subject", ""),
        route=route,
        validator=validator,
        law=law_keys,
        blocks=tuple(blocks),
    )


def _load_elements(path: Path, law: Mapping[str, Law]) -> ElementsIndex:
    data = _read_toml(path)
    where = f"forms/{path.name}"
    statute = _need(data, "statute", str, where)
    if statute not in law:
        raise FormsDataError(f"{where}: statute '{statute}' is not in forms/law.toml.")
    elements = []
    for number, raw in enumerate(_need(data, "element", list, where), start=1):
        ewhere = f"{where}, element {number}"
        evidence = _strings(raw.get("evidence", []), ewhere)
        for word in evidence:
            if word not in EVIDENCE_WORDS:
                raise FormsDataError(f"{ewhere}: unknown evidence word '{word}'.")
        elements.append(
            ClaimElement(
                id=_need(raw, "id", str, ewhere),
                title=" ".join(_need(raw, "title", str, ewhere).split()),
                guide=" ".join(str(raw.get("guide", "")).split()),
                evidence=evidence,
            )
        )
    if not elements:
        raise FormsDataError(f"{where} lists no elements.")
    return ElementsIndex(
        statute=statute,
        last_checked=_need(data, "last_checked", date, where),
        conduct_note=" ".join(str(data.get("conduct_note", "")).split()),
        elements=tuple(elements),
    )


def _compile(env: SandboxedEnvironment, source: str, where: str) -> None:
    try:
        env.parse(source)
    except jinja2.TemplateSyntaxError as exc:
        raise FormsDataError(f"{where}: template text is not valid: {exc.message}.") from exc


def jinja_env() -> SandboxedEnvironment:
    """The one Jinja2 environment for forms: sandboxed, strict, no autoescape (plain text)."""
    return SandboxedEnvironment(
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=False,
        trim_blocks=True,
        lstrip_blocks=True,
    )


@cache
def _load(folder: Path) -> Forms:
    platforms, by_domain = _load_platforms(folder / "platforms.toml")
    law = _load_law(folder / "law.toml")
    env = jinja_env()
    templates: dict[str, Template] = {}
    for path in sorted((folder / "templates").glob("*.toml")):
        template = _load_template(path, env, law)
        templates[template.id] = template
    if not templates:
        raise FormsDataError("forms/templates/ holds no letter templates.")
    elements = _load_elements(folder / "packet_elements.toml", law)
    return Forms(folder, platforms, law, templates, elements, by_domain)


def load_forms(folder: Path | None = None) -> Forms:
    """The validated forms data from ``folder`` (default: the shipped forms/ folder)."""
    return _load((folder or data_dir("forms")).resolve())


def template_sources(template: Template) -> Sequence[str]:
    """Every Jinja text of a template (for checks that look at the template itself)."""
    texts = [template.title, template.subject]
    for block in template.blocks:
        texts += [block.text, block.label, block.value, *block.items, *sum(block.rows, ())]
    return [t for t in texts if t]
