"""Translations: one mechanism, Qt Linguist catalogues, for the window and the documents.

The catalogues are Qt Linguist ``.ts`` files in this folder:

* ``ncii_desk_<lang>.ts``: every string of the window (ncii_desk/gui), found by
  ``pyside6-lupdate`` (``python -m ncii_desk.i18n update``). The window loads the compiled
  ``.qm`` with a QTranslator; ``compiled_qm`` compiles it with ``pyside6-lrelease`` when the
  ``.qm`` is missing or older than the ``.ts`` (an editable install needs no build step).
* ``documents_<lang>.ts``: the client-facing document strings (the hand-out's template,
  route and status labels, table headers), listed by ``document_sources()``. Documents are
  made without Qt, so they read the same ``.ts`` format with ``Catalogue`` (a small XML
  reader here), which is also what the completeness test uses.
* ``services_<lang>.ts``: sentences the layers below the window make: the activity log's
  sentences (``Phrase``) and the message and hint of every error a person can see. They are
  listed from the source by ``ncii_desk.i18n.sources.service_sources()``. Services keep
  writing English with named placeholders; the window puts them into its language at the
  moment it shows them (``Phrase.text()`` and ``said()``), so the CLI, logs and the audit
  log stay English and nothing below the window needs to know the language.

The language choice ("system", "en" or "es") is a local preference (gui/config.py), read
before the vault is unlocked. This module imports nothing from Qt or the rest of the app.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import platformdirs

CATALOGUE_DIR = Path(__file__).resolve().parent
CHOICES = ("system", "en", "es")
SHIPPED = ("es",)  # languages with catalogues; English is the source language
GUI_DOMAIN = "ncii_desk"
DOCUMENTS_DOMAIN = "documents"
SERVICES_DOMAIN = "services"
#: Contexts of the services catalogue that hold Phrase templates: said through
#: Phrase.text(), never matched against a finished sentence (their short templates, such as
#: "{first} and {second}", would match almost anything).
PHRASE_CONTEXTS = frozenset({"Activity", "Hardware"})

# Placeholders that must survive translation unchanged: {name}, %1, {{ jinja }}, {% tags %}.
_PLACEHOLDER = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{[A-Za-z_][A-Za-z0-9_]*(?:[:!][^}]*)?\}|%\d")


def resolve(choice: str, system_language: str) -> str:
    """The language to show: "es" or "en". ``system_language`` is the system locale's name
    ("es_MX", "de_DE"); a system language without a catalogue gives English."""
    if choice in SHIPPED:
        return choice
    if choice == "system":
        code = system_language.split("_")[0].split("-")[0].lower()
        return code if code in SHIPPED else "en"
    return "en"


def ts_path(domain: str, language: str) -> Path:
    return CATALOGUE_DIR / f"{domain}_{language}.ts"


def placeholders(text: str) -> list[str]:
    """The placeholders of ``text``, sorted (their order may change in a translation)."""
    return sorted(_PLACEHOLDER.findall(text))


@dataclass(frozen=True)
class Entry:
    context: str
    source: str
    translation: str
    state: str  # "" (finished), "unfinished", "obsolete" or "vanished"


def read_ts(path: Path) -> list[Entry]:
    """Every message of a Qt Linguist .ts file."""
    root = ET.parse(path).getroot()
    out = []
    for context in root.iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            node = message.find("translation")
            state = node.get("type", "") if node is not None else "unfinished"
            text = (node.text or "") if node is not None else ""
            out.append(Entry(name, message.findtext("source") or "", text, state))
    return out


class Catalogue:
    """Finished translations of one .ts file, looked up by (context, source)."""

    def __init__(self, entries: list[Entry]) -> None:
        self._map = {
            (e.context, e.source): e.translation for e in entries if not e.state and e.translation
        }

    def translate(self, context: str, text: str) -> str:
        return self._map.get((context, text), text)


@cache
def catalogue(domain: str, language: str) -> Catalogue:
    """The catalogue for ``language`` (an empty one for English or a missing file)."""
    path = ts_path(domain, language)
    if language not in SHIPPED or not path.is_file():
        return Catalogue([])
    return Catalogue(read_ts(path))


_shown = ["en"]


def set_language(language: str) -> None:
    """The language the window shows (set at start-up by gui/app.py)."""
    _shown[0] = language if language in SHIPPED else "en"


def shown_language() -> str:
    return _shown[0]


def translate(context: str, text: str, language: str | None = None) -> str:
    """``text`` from the documents catalogue in ``language`` (None: the window's language;
    "en" returns it unchanged)."""
    return catalogue(DOCUMENTS_DOMAIN, language or shown_language()).translate(context, text)


# One named placeholder of a services template: {name} or {name:spec}.
_NAMED = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)(?:[:!][^}]*)?\}")


def fill(template: str, values: Mapping[str, object]) -> str:
    """``template`` with each {name} replaced by its value (a value is never read as a
    template itself, so braces or placeholders inside it stay as they are)."""
    return _NAMED.sub(lambda m: str(values.get(m.group(1), m.group(0))), template)


@dataclass(frozen=True, eq=False)
class Phrase:
    """An English sentence template with named placeholders, and the values to fill in.
    A value may itself be a Phrase (a part such as "3 faces" that is translated too);
    other values (names, file names, numbers) are shown as they are."""

    context: str
    template: str
    values: Mapping[str, object] = field(default_factory=dict)

    def text(self, language: str | None = None) -> str:
        """The sentence in ``language`` (None: the window's language; English for a
        language without a catalogue or a template without a finished translation)."""
        lang = language or shown_language()
        words = catalogue(SERVICES_DOMAIN, lang).translate(self.context, self.template)
        return fill(
            words,
            {k: v.text(lang) if isinstance(v, Phrase) else v for k, v in self.values.items()},
        )

    def __str__(self) -> str:
        return self.text("en")


class _Sayer:
    """Finds the services template that made an English sentence and says it in one
    language: an exact entry first, otherwise a template whose placeholders match parts of
    the sentence (those parts are put into the translated template, translated themselves
    when they are a known sentence, such as an inner error's message)."""

    def __init__(self, entries: list[Entry]) -> None:
        finished = [e for e in entries if not e.state and e.translation]
        self.exact = {e.source: e.translation for e in finished}
        patterns = []
        for e in finished:
            if e.context in PHRASE_CONTEXTS or not _NAMED.search(e.source):
                continue
            literal = _NAMED.sub("", e.source)
            words = re.findall(r"[A-Za-z]+", literal)
            if len(words) < 2 or sum(map(len, words)) < 6:
                continue  # too little fixed text to recognise the sentence by
            patterns.append((len(literal), _pattern(e.source), e.translation))
        # The most fixed text first: a longer template is the more specific one.
        patterns.sort(key=lambda p: -p[0])
        self.patterns = [(p, t) for _, p, t in patterns]

    def say(self, text: str, depth: int = 0) -> str:
        known = self.exact.get(text)
        if known is not None:
            return known
        for pattern, translation in self.patterns:
            m = pattern.fullmatch(text)
            if m is None:
                continue
            values = m.groupdict()
            if depth < 2:
                values = {k: self._part(v, depth + 1) for k, v in values.items()}
            return fill(translation, values)
        return text

    def _part(self, value: str, depth: int) -> str:
        """A placeholder's value: a known sentence or a "; " list of known words is said
        in the language; anything else (a name, a number, a path) stays as it is."""
        said = self.say(value, depth)
        if said == value and value and not value.endswith("."):
            # A sentence put in with its full stop taken off ("... ({damage}).").
            whole = self.say(value + ".", depth)
            if whole != value + ".":
                said = whole.rstrip(".")
        if said == value and "; " in value:
            said = "; ".join(self.say(v, depth) for v in value.split("; "))
        return said


def _pattern(template: str) -> re.Pattern[str]:
    out: list[str] = []
    seen: set[str] = set()
    at = 0
    for m in _NAMED.finditer(template):
        out.append(re.escape(template[at : m.start()]))
        name = m.group(1)
        # A value may be empty (such as the "; the default was used" left out).
        out.append(f"(?P={name})" if name in seen else f"(?P<{name}>.*?)")
        seen.add(name)
        at = m.end()
    out.append(re.escape(template[at:]))
    return re.compile("".join(out), re.DOTALL)


@cache
def _sayer(language: str) -> _Sayer:
    path = ts_path(SERVICES_DOMAIN, language)
    if language not in SHIPPED or not path.is_file():
        return _Sayer([])
    return _Sayer(read_ts(path))


def said(text: str, language: str | None = None) -> str:
    """An English sentence that services, the vault or the media layer wrote (an error's
    message or hint, a problem in a batch) in ``language`` (None: the window's language).
    A sentence not in the services catalogue comes back unchanged."""
    lang = language or shown_language()
    if lang not in SHIPPED or not text:
        return text
    return _sayer(lang).say(text)


def _lrelease() -> list[str]:
    tool = shutil.which("pyside6-lrelease", path=str(Path(sys.executable).parent))
    if tool:
        return [tool]
    return [sys.executable, "-c", "from PySide6.scripts.pyside_tool import lrelease; lrelease()"]


def _fresh(qm: Path, ts: Path) -> bool:
    return qm.is_file() and qm.stat().st_mtime >= ts.stat().st_mtime


def compiled_qm(language: str) -> Path | None:
    """The window's compiled catalogue for ``language``: next to the .ts when that folder is
    writable, otherwise in the per-user cache (a .qm holds only the app's own UI strings).
    Compiled with pyside6-lrelease when missing or older than the .ts; None for English or
    when it cannot be made (the window then shows English)."""
    ts = ts_path(GUI_DOMAIN, language)
    if language not in SHIPPED or not ts.is_file():
        return None
    beside = ts.with_suffix(".qm")
    cached = platformdirs.user_cache_path("ncii-desk", appauthor=False) / "i18n" / beside.name
    for qm in (beside, cached):
        if _fresh(qm, ts):
            return qm
    for qm in (beside, cached):
        try:
            qm.parent.mkdir(parents=True, exist_ok=True)
            subprocess.run(
                [*_lrelease(), "-silent", str(ts), "-qm", str(qm)],
                check=True,
                capture_output=True,
                timeout=120,
            )
        except (OSError, subprocess.SubprocessError):
            continue
        if _fresh(qm, ts):
            return qm
    return None


def write_ts(path: Path, language: str, sources: list[tuple[str, str]]) -> None:
    """Write a .ts with ``sources`` (context, text) in order: translations already in
    ``path`` are kept (also for a text that moved to another context), new texts are marked
    unfinished, texts no longer used are dropped."""
    entries = read_ts(path) if path.is_file() else []
    known = {(e.context, e.source): e for e in entries}
    # A text whose code moved to another module keeps its finished translation.
    by_text = {e.source: e for e in entries if e.translation and not e.state}
    root = ET.Element("TS", version="2.1", language=language, sourcelanguage="en")
    contexts: dict[str, ET.Element] = {}
    for context, text in dict.fromkeys(sources):
        node = contexts.get(context)
        if node is None:
            node = contexts[context] = ET.SubElement(root, "context")
            ET.SubElement(node, "name").text = context
        message = ET.SubElement(node, "message")
        ET.SubElement(message, "source").text = text
        old = known.get((context, text)) or by_text.get(text)
        translation = ET.SubElement(message, "translation")
        if old is not None and old.translation:
            translation.text = old.translation
            if old.state == "unfinished":
                translation.set("type", "unfinished")
        else:
            translation.set("type", "unfinished")
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    path.write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n' + body + "\n", encoding="utf-8"
    )
