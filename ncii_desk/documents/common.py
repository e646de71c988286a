"""What the PDF and DOCX kits share: document metadata, the draft notice and text cleaning.

``clean_text`` makes any string safe to place in a document: control characters (which XML,
and so both PDF markup and DOCX, cannot carry) become U+FFFD, Windows/old-Mac line ends become
``\\n`` and tabs become spaces. It does not escape markup; ``pdfkit.esc`` does that on top.

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

# C0 controls except tab and newline, DEL, C1 controls, lone surrogates, and the two
# non-characters XML forbids.
_BAD_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def clean_text(value: object) -> str:
    """``value`` as document-safe plain text (see the module docstring)."""
    text = "" if value is None else str(value)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    ")
    return _BAD_CHARS.sub("\ufffd", text)


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
