"""PDF building blocks on reportlab, shared by letters, hand-outs and the evidence packet.

API (everything else in this module is private):

* ``register_fonts() -> FontSet``: registers embedded TrueType fonts once per process and
  returns their names. DejaVu Sans (wide Unicode coverage) is used when the system has it,
  otherwise reportlab's bundled Bitstream Vera, which is always present. The 14 standard PDF
  fonts are never used: they are not embedded and cover little beyond Latin-1.
* ``esc(text) -> str``: plain text to Paragraph markup that shows exactly that text (``&``,
  ``<`` and ``>`` escaped, control characters replaced, newlines kept as line breaks). Every
  value that a user, a case file or a web page supplied must pass through ``esc`` before it
  reaches a ``Paragraph``; the ``PdfDocument`` methods below do that for you.
* ``styles() -> dict[str, ParagraphStyle]``: the named paragraph styles (``title``, ``h1``,
  ``h2``, ``h3``, ``body``, ``small``, ``note``, ``mono``, ``cell``, ``cell_bold``,
  ``banner``).
* ``PdfDocument(meta, footer_note=DRAFT_NOTICE)``: collects content and ``build()`` returns
  the PDF bytes (in memory; nothing touches the disk). Metadata: title, author (the clinic
  or operator), subject, keywords, creator "NCII Desk <version>", creation date in UTC.
  Every page carries a footer with the draft notice and "Page x of y". Content methods take
  plain text: ``title``, ``heading``, ``para``, ``labelled``, ``kv_table``, ``table``,
  ``bullets``, ``spacer``, ``page_break``; ``add(flowable)`` appends a reportlab flowable
  you built yourself (with ``esc`` applied to any text in it).

Streams are binary (Flate for text and fonts, DCT for JPEG pictures), not ASCII85 text.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import reportlab
from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    ListFlowable,
    ListItem,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from ncii_desk.documents.common import DRAFT_NOTICE, DocMeta, clean_text, creator

__all__ = ["FontSet", "PdfDocument", "esc", "register_fonts", "styles"]

_DEJAVU_DIRS = (
    "/usr/share/fonts/truetype/dejavu",
    "/usr/share/fonts/dejavu",
    "/usr/share/fonts/TTF",
    "/usr/local/share/fonts",
    "/Library/Fonts",
    "~/Library/Fonts",
    "~/.local/share/fonts",
    "C:/Windows/Fonts",
)
_DEJAVU_FILES = {
    "regular": "DejaVuSans.ttf",
    "bold": "DejaVuSans-Bold.ttf",
    "italic": "DejaVuSans-Oblique.ttf",
    "bold_italic": "DejaVuSans-BoldOblique.ttf",
    "mono": "DejaVuSansMono.ttf",
}
_VERA_FILES = {
    "regular": "Vera.ttf",
    "bold": "VeraBd.ttf",
    "italic": "VeraIt.ttf",
    "bold_italic": "VeraBI.ttf",
}
# Streams (pictures, fonts, page content) are written as binary Flate/DCT data instead of
# reportlab's default ASCII85 text encoding, which makes every stream a quarter larger. The
# switch is reportlab's documented process-wide setting; PDF readers need nothing special.
rl_config.useA85 = 0

_FAMILY = "NcSans"
_MONO = "NcMono"
_lock = threading.Lock()


@dataclass(frozen=True)
class FontSet:
    """Registered reportlab font names, and which font files they came from."""

    regular: str
    bold: str
    italic: str
    bold_italic: str
    mono: str
    source: str  # "DejaVu Sans" or "Bitstream Vera"


def _dejavu_files() -> dict[str, Path] | None:
    for folder in _DEJAVU_DIRS:
        base = Path(folder).expanduser()
        found = {k: base / name for k, name in _DEJAVU_FILES.items()}
        if all(found[k].is_file() for k in ("regular", "bold", "italic", "bold_italic")):
            return found
    return None


@cache
def register_fonts() -> FontSet:
    """Register the embedded fonts (idempotent) and return their names."""
    with _lock:
        files: dict[str, Path] | None = _dejavu_files()
        source = "DejaVu Sans"
        if files is None:
            bundled = Path(reportlab.__file__).resolve().parent / "fonts"
            files = {k: bundled / name for k, name in _VERA_FILES.items()}
            source = "Bitstream Vera"
        names = {
            "regular": _FAMILY,
            "bold": f"{_FAMILY}-Bold",
            "italic": f"{_FAMILY}-Italic",
            "bold_italic": f"{_FAMILY}-BoldItalic",
        }
        for key, name in names.items():
            pdfmetrics.registerFont(TTFont(name, str(files[key])))
        pdfmetrics.registerFontFamily(
            _FAMILY,
            normal=names["regular"],
            bold=names["bold"],
            italic=names["italic"],
            boldItalic=names["bold_italic"],
        )
        mono = names["regular"]
        mono_file = files.get("mono")
        if mono_file is not None and mono_file.is_file():
            pdfmetrics.registerFont(TTFont(_MONO, str(mono_file)))
            mono = _MONO
        return FontSet(
            regular=names["regular"],
            bold=names["bold"],
            italic=names["italic"],
            bold_italic=names["bold_italic"],
            mono=mono,
            source=source,
        )


def esc(text: object) -> str:
    """Plain text as Paragraph markup that renders literally (see the module docstring)."""
    cleaned = clean_text(text)
    escaped = cleaned.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return escaped.replace("\n", "<br/>")


@cache
def styles() -> dict[str, ParagraphStyle]:
    """The named paragraph styles, all in the embedded fonts."""
    fonts = register_fonts()
    body = ParagraphStyle("body", fontName=fonts.regular, fontSize=10.5, leading=14, spaceAfter=6)
    return {
        "body": body,
        "title": ParagraphStyle(
            "title", parent=body, fontName=fonts.bold, fontSize=16, leading=20, spaceAfter=10
        ),
        "h1": ParagraphStyle(
            "h1", parent=body, fontName=fonts.bold, fontSize=13, leading=17, spaceBefore=10
        ),
        "h2": ParagraphStyle(
            "h2", parent=body, fontName=fonts.bold, fontSize=11.5, leading=15, spaceBefore=8
        ),
        "h3": ParagraphStyle(
            "h3", parent=body, fontName=fonts.bold_italic, fontSize=10.5, spaceBefore=6
        ),
        "small": ParagraphStyle("small", parent=body, fontSize=8.5, leading=11),
        "note": ParagraphStyle("note", parent=body, fontName=fonts.italic, fontSize=9, leading=12),
        "mono": ParagraphStyle("mono", parent=body, fontName=fonts.mono, fontSize=8.5, leading=11),
        "cell": ParagraphStyle("cell", parent=body, fontSize=9, leading=11.5, spaceAfter=0),
        "cell_bold": ParagraphStyle(
            "cell_bold", parent=body, fontName=fonts.bold, fontSize=9, leading=11.5, spaceAfter=0
        ),
        "banner": ParagraphStyle(
            "banner",
            parent=body,
            fontName=fonts.bold,
            fontSize=9.5,
            alignment=TA_CENTER,
            textColor=colors.HexColor("#7a1f1f"),
            borderColor=colors.HexColor("#7a1f1f"),
            borderWidth=0.8,
            borderPadding=4,
            spaceBefore=2,
            spaceAfter=10,
        ),
    }


def _pdf_date(moment: datetime) -> str:
    return moment.strftime("D:%Y%m%d%H%M%S+00'00'")


def _canvas_class(meta: DocMeta, footer_note: str) -> type[Canvas]:
    """A canvas that keeps each page until the end so it can write "Page x of y"."""
    fonts = register_fonts()
    stamp = _pdf_date(meta.created_utc())

    class _FooterCanvas(Canvas):  # type: ignore[misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            # Without this the canvas starts every page in (non-embedded) Helvetica.
            kwargs["initialFontName"] = kwargs.get("initialFontName") or fonts.regular
            super().__init__(*args, **kwargs)
            self.setDateFormatter(lambda *_parts: stamp)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                self._footer(number, total)
                super().showPage()
            super().save()

        def _footer(self, number: int, total: int) -> None:
            width, _height = self._pagesize
            self.saveState()
            self.setFont(fonts.regular, 7.5)
            self.setFillColor(colors.HexColor("#444444"))
            self.drawString(2 * cm, 1.2 * cm, clean_text(footer_note))
            self.drawRightString(width - 2 * cm, 1.2 * cm, f"Page {number} of {total}")
            self.restoreState()

    return _FooterCanvas


class PdfDocument:
    """Collects content, then ``build()`` renders the PDF in memory (module docstring)."""

    def __init__(
        self,
        meta: DocMeta,
        *,
        footer_note: str = DRAFT_NOTICE,
        pagesize: tuple[float, float] = LETTER,
    ) -> None:
        self.meta = meta
        self.footer_note = footer_note
        self.pagesize = pagesize
        self.fonts = register_fonts()
        self.styles = styles()
        self.story: list[Flowable] = []

    # --- content (plain text in, escaped here) -------------------------------------------

    def add(self, flowable: Flowable) -> None:
        self.story.append(flowable)

    def title(self, text: str) -> None:
        self.story.append(Paragraph(esc(text), self.styles["title"]))

    def banner(self, text: str) -> None:
        """A boxed warning line (used for "Draft — not legal advice")."""
        self.story.append(Paragraph(esc(text), self.styles["banner"]))

    def heading(self, text: str, level: int = 1) -> None:
        style = self.styles[f"h{min(max(level, 1), 3)}"]
        self.story.append(Paragraph(esc(text), style))

    def para(self, text: str, *, style: str = "body") -> None:
        self.story.append(Paragraph(esc(text), self.styles[style]))

    def labelled(self, label: str, value: str) -> None:
        """One paragraph "Label: value" with the label in bold."""
        markup = f"<b>{esc(label)}:</b> {esc(value)}"
        self.story.append(Paragraph(markup, self.styles["body"]))

    def kv_table(self, rows: Sequence[tuple[str, str]]) -> None:
        """Two columns: bold labels on the left, values (wrapped) on the right."""
        if not rows:
            return
        width = self._frame_width()
        data = [
            [Paragraph(esc(k), self.styles["cell_bold"]), Paragraph(esc(v), self.styles["cell"])]
            for k, v in rows
        ]
        table = Table(data, colWidths=[width * 0.3, width * 0.7])
        table.setStyle(self._grid(header=False))
        self.story.append(table)
        self.story.append(Spacer(1, 6))

    def table(
        self,
        header: Sequence[str],
        rows: Sequence[Sequence[str]],
        col_widths: Sequence[float] | None = None,
    ) -> None:
        """A grid with a bold header row; ``col_widths`` are fractions of the text width."""
        width = self._frame_width()
        data: list[list[Paragraph]] = [
            [Paragraph(esc(h), self.styles["cell_bold"]) for h in header]
        ]
        data += [[Paragraph(esc(cell), self.styles["cell"]) for cell in row] for row in rows]
        widths = [width * f for f in col_widths] if col_widths else None
        table = Table(data, colWidths=widths, repeatRows=1)
        table.setStyle(self._grid(header=True))
        self.story.append(table)
        self.story.append(Spacer(1, 6))

    def bullets(self, items: Sequence[str]) -> None:
        if not items:
            return
        flow = ListFlowable(
            [ListItem(Paragraph(esc(item), self.styles["body"]), leftIndent=14) for item in items],
            bulletType="bullet",
            bulletFontName=self.fonts.regular,
            leftIndent=14,
        )
        self.story.append(flow)

    def spacer(self, height_pt: float = 8) -> None:
        self.story.append(Spacer(1, height_pt))

    def page_break(self) -> None:
        self.story.append(PageBreak())

    def keep_together(self, flowables: Sequence[Flowable]) -> None:
        self.story.append(KeepTogether(list(flowables)))

    # --- output -------------------------------------------------------------------------

    def build(self) -> bytes:
        buffer = io.BytesIO()
        meta = self.meta
        template = SimpleDocTemplate(
            buffer,
            pagesize=self.pagesize,
            leftMargin=2 * cm,
            rightMargin=2 * cm,
            topMargin=2 * cm,
            bottomMargin=2.2 * cm,
            title=clean_text(meta.title),
            author=clean_text(meta.author),
            subject=clean_text(meta.subject),
            keywords=[clean_text(k) for k in meta.keywords],
            creator=creator(),
            producer=f"{creator()} (reportlab {reportlab.Version})",
        )
        story = list(self.story) or [Spacer(1, 1)]
        template.build(story, canvasmaker=_canvas_class(meta, self.footer_note))
        return buffer.getvalue()

    # --- internals ----------------------------------------------------------------------

    def _frame_width(self) -> float:
        return float(self.pagesize[0] - 4 * cm)

    def _grid(self, *, header: bool) -> TableStyle:
        commands: list[tuple[Any, ...]] = [
            # Cells default to Helvetica (not embedded) even when they hold paragraphs.
            ("FONTNAME", (0, 0), (-1, -1), self.fonts.regular),
            ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#999999")),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 4),
            ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ]
        if header:
            commands.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8e8e8")))
        else:
            commands.append(("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f2f2f2")))
        return TableStyle(commands)
