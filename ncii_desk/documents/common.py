"""What the PDF and DOCX kits share: document metadata, the draft notice and text cleaning.

``clean_text`` is the one display-sanitising step every PDF and DOCX renderer applies to
every value a user, a case file or a web page supplied: control characters (NUL included,
which XML and so both PDF markup and DOCX cannot carry) and the bidirectional override,
isolate and mark characters are shown as their code (``<U+0000>``, ``<U+202E>``), Windows/
old-Mac line ends become ``\\n`` and tabs become spaces; ``one_line`` also shows line breaks
as ``<U+000A>`` for single-line fields (names, web addresses). ``shorten`` cuts a value too long
for its place (a table cell must fit on one page) and says where the full value is kept.
Markup is not escaped here; ``pdfkit.esc`` does that on top, and python-docx writes literal
runs. Stored values (vault rows, manifests, JSON) are never changed by any of this.

``Writer`` is the small interface both ``pdfkit.PdfDocument`` and ``docxkit.DocxDocument``
implement, so one function can write the same content to both formats.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

from ncii_desk import TOOL_NAME, __version__

#: Printed in the footer of every generated document.
DRAFT_NOTICE = "Draft — not legal advice. Review and adapt before sending or filing."

#: Invisible characters that change how the text around them is shown: the bidirectional
#: embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069) and marks (U+200E,
#: U+200F, U+061C). "evil\u202egpj.exe" would be shown as "evilexe.jpg"; documents show
#: such a character as its code ("<U+202E>") instead.
BIDI_CONTROLS = frozenset(
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
)

# Shown as their code: C0 controls except newline, DEL, C1 controls and the bidi controls.
_SHOWN_AS_CODE = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]"
)
# Cannot be written to a PDF or DOCX at all (lone surrogates, the two XML non-characters).
_UNWRITABLE = re.compile("[\ud800-\udfff\ufffe\uffff]")


def _code(match: re.Match[str]) -> str:
    return f"<U+{ord(match.group()):04X}>"


def clean_text(value: object, *, single_line: bool = False) -> str:
    """``value`` as document-safe plain text for display (see the module docstring).

    Line ends become ``\n`` and tabs four spaces; NUL and every other control character,
    and the bidi controls, are shown as their code (``<U+0000>``, ``<U+202E>``), so they can
    neither break the file nor reorder what the reader sees; characters no document can hold
    become U+FFFD. ``single_line`` (names, addresses, URLs): a line break is shown as
    ``<U+000A>`` instead of breaking the line. The stored value is never changed: this is
    for display only.
    """
    text = "" if value is None else str(value)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if single_line:
        text = text.replace("\n", "<U+000A>")
    text = _SHOWN_AS_CODE.sub(_code, text.replace("\t", "    "))
    return _UNWRITABLE.sub("\ufffd", text)


def one_line(value: object) -> str:
    """A single-line field (name, web address, file name) for display: ``clean_text`` with
    its line breaks shown as ``<U+000A>``. Safe to pass through ``clean_text`` again."""
    return clean_text(value, single_line=True)


def shorten(text: str, keep: int, *, full_length: int, where: str) -> str:
    """The first ``keep`` characters of display text ``text`` and a note that the whole value
    (``full_length`` characters) is kept ``where``. A ``<U+XXXX>`` code is never cut."""
    cut = max(0, keep)
    start = text.rfind("<U+", max(0, cut - 9), cut + 2)  # a code that starts before the cut
    if start != -1 and text.find(">", start) >= cut:
        cut = start
    kept = f"full value {where}, " if where else ""
    return f"{text[:cut]}… (shortened: {kept}{full_length:,} characters)"


def property_text(value: object, limit: int = 255) -> str:
    """A document property (title, author, keywords ...) or a line of a plain-text file: one
    line of at most ``limit`` characters (DOCX core properties cannot hold more than 255)."""
    text = one_line(value)
    if len(text) <= limit:
        return text
    full = len("" if value is None else str(value))
    return shorten(text, limit - 45, full_length=full, where="")


def creator() -> str:
    """The ``creator`` recorded in every document: the tool and its version."""
    return f"{TOOL_NAME} {__version__}"


@dataclass(frozen=True)
class DocMeta:
    """Document properties; ``author`` is the clinic or operator who prepared it."""

    title: str
    author: str
    subject: str = ""
    keywords: Sequence[str] = ()
    created: datetime = field(default_factory=lambda: datetime.now(UTC))

    def created_utc(self) -> datetime:
        if self.created.tzinfo is None:
            raise ValueError("DocMeta.created must be timezone-aware")
        return self.created.astimezone(UTC)


class Writer(Protocol):
    """The content operations both document kits offer. All text arguments are plain text."""

    def title(self, text: str) -> None: ...

    def banner(self, text: str) -> None: ...

    def heading(self, text: str, level: int = 1) -> None: ...

    def para(self, text: str, *, style: str = "body") -> None: ...

    def labelled(self, label: str, value: str) -> None: ...

    def kv_table(self, rows: Sequence[tuple[str, str]]) -> None: ...

    def table(
        self,
        header: Sequence[str],
        rows: Sequence[Sequence[str]],
        col_widths: Sequence[float] | None = None,
    ) -> None: ...

    def bullets(self, items: Sequence[str]) -> None: ...

    def spacer(self, height_pt: float = 8) -> None: ...

    def page_break(self) -> None: ...

    def build(self) -> bytes: ...
