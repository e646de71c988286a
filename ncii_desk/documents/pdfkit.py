"""PDF building blocks on reportlab, shared by letters, hand-outs and the evidence packet.

API (everything else in this module is private):

* ``register_fonts() -> FontSet``: registers embedded TrueType fonts once per process and
  returns their names. DejaVu Sans (wide Unicode coverage) is used when the system has it,
  otherwise reportlab's bundled Bitstream Vera, which is always present. The 14 standard PDF
  fonts are never used: they are not embedded and cover little beyond Latin-1.
* ``esc(text) -> str``: plain text to Paragraph markup that shows exactly that text (``&``,
  ``<`` and ``>`` escaped, control and bidi characters shown as their code by
  ``common.clean_text``, newlines kept as line breaks). Every value that a user, a case file
  or a web page supplied must pass through ``esc`` before it reaches a ``Paragraph``; the
  ``PdfDocument`` methods below do that for you.
* Long words: every style splits a word wider than its line (``splitLongWords``), so a
  20,000-character URL wraps at the line's end instead of running off the page; a shorter
  address moves to the next line whole. A table row cannot be split across
  pages, so ``PdfDocument.cell`` shortens a value whose cell would be taller than
  ``CELL_MAX_HEIGHT`` and says where the full value is kept (``full_values_where``); every
  value shortened so is listed in ``PdfDocument.shortened`` (the packet puts them in
  manifest.json).
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
import math
import threading
from collections.abc import Callable, Sequence
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

from ncii_desk.documents.common import (
    DRAFT_NOTICE,
    DocMeta,
    clean_text,
    creator,
    property_text,
    shorten,
)

__all__ = ["CELL_MAX_HEIGHT", "FontSet", "PdfDocument", "esc", "register_fonts", "styles"]

#: The tallest a table cell may be, in points (a page's text frame is about 650): a row
#: cannot be split across pages, and the header row is repeated above it.
CELL_MAX_HEIGHT = 400.0
#: Share of a cell's width that wrapped text is assumed to fill (word wrap leaves gaps).
_FILL = 0.8

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


def _escape(text: str) -> str:
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return escaped.replace("\n", "<br/>")


@cache
def _charmap(font_name: str) -> frozenset[int]:
    face = getattr(pdfmetrics.getFont(font_name), "face", None)
    return frozenset(getattr(face, "charToGlyph", {}) or ())


def esc(text: object, font: str | None = None) -> str:
    """Plain text as Paragraph markup that renders literally (see the module docstring).

    ``font`` is the style's font (default: the regular one). Characters that font has no
    glyph for but the regular font has (Arabic in the italic faces, say) are set in the
    regular font; characters no embedded font can draw (CJK without a CJK font, say) are
    shown as their code (``<U+4F60>``) instead of an empty box that reads as nothing."""
    cleaned = clean_text(text)
    regular = register_fonts().regular
    own = _charmap(font or regular)
    fallback = _charmap(regular)
    if not fallback:
        return _escape(cleaned)
    if any(ord(c) not in fallback and c != "\n" for c in cleaned):
        cleaned = "".join(
            c if c == "\n" or ord(c) in fallback or ord(c) in own else f"<U+{ord(c):04X}>"
            for c in cleaned
        )
    if font is None or font == regular or not own:
        return _escape(cleaned)
    out: list[str] = []
    for missing, run in _runs(cleaned, lambda c: ord(c) not in own and ord(c) in fallback):
        out.append(f'<font face="{regular}">{_escape(run)}</font>' if missing else _escape(run))
    return "".join(out)


def _runs(text: str, test: Callable[[str], bool]) -> list[tuple[bool, str]]:
    """``text`` cut into runs of characters for which ``test`` gives the same answer."""
    runs: list[tuple[bool, str]] = []
    for ch in text:
        flag = ch != "\n" and test(ch)
        if runs and runs[-1][0] == flag:
            runs[-1] = (flag, runs[-1][1] + ch)
        else:
            runs.append((flag, ch))
    return runs


@cache
def styles() -> dict[str, ParagraphStyle]:
    """The named paragraph styles, all in the embedded fonts."""
    fonts = register_fonts()
    body = ParagraphStyle(
        "body",
        fontName=fonts.regular,
        fontSize=10.5,
        leading=14,
        spaceAfter=6,
        # A word wider than the line (a long web address) is split where the line ends.
        # reportlab's uriWasteReduce (break addresses at "/" to fill lines) is left off: it
        # also breaks short addresses that would fit on the next line whole.
        splitLongWords=1,
    )
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


def _text_lines(text: str, width: float, style: ParagraphStyle) -> list[int]:
    """How many wrapped lines each line of ``text`` takes in a column ``width`` wide."""
    usable = max(width * _FILL, style.fontSize)
    return [
        max(1, math.ceil(pdfmetrics.stringWidth(line, style.fontName, style.fontSize) / usable))
        for line in text.split("\n")
    ]


def fit_text(
    text: object, width: float, style: ParagraphStyle, max_height: float, where: str
) -> str | None:
    """``text`` for display, shortened to fit ``max_height`` points in a column ``width``
    wide; None when it fits as it is."""
    full = clean_text(text)
    leading = float(style.leading)
    budget = int(max_height // leading) - 2  # two lines for the note on what was cut
    lines = _text_lines(full, width, style)
    if sum(lines) * leading <= max_height:
        return None
    keep, used = 0, 0
    for line, count in zip(full.split("\n"), lines, strict=True):
        if used + count > budget:
            share = max(0, budget - used) / count
            keep += int(len(line) * share)
            break
        keep += len(line) + 1
        used += count
    length = len("" if text is None else str(text))
    return shorten(full, keep, full_length=length, where=where)


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
        full_values_where: str = "in the case record",
    ) -> None:
        self.meta = meta
        #: Where the text of a shortened value says its full value is kept.
        self.full_values_where = full_values_where
        #: The full values that were shortened for display, in order, once each.
        self.shortened: list[str] = []
        self.footer_note = footer_note
        self.pagesize = pagesize
        self.fonts = register_fonts()
        self.styles = styles()
        self.story: list[Flowable] = []

    # --- content (plain text in, escaped here) -------------------------------------------

    def add(self, flowable: Flowable) -> None:
        self.story.append(flowable)

    def cell(
        self,
        text: object,
        width: float,
        style: str | ParagraphStyle = "cell",
        *,
        max_height: float = CELL_MAX_HEIGHT,
        padding: float = 8,
    ) -> Paragraph:
        """A Paragraph for a table cell ``width`` points wide that is at most ``max_height``
        tall: a longer value is shortened (``common.shorten``) and kept in ``shortened``."""
        st = self.styles[style] if isinstance(style, str) else style
        shown = fit_text(text, width - padding, st, max_height, self.full_values_where)
        if shown is not None:
            full = "" if text is None else str(text)
            if full not in self.shortened:
                self.shortened.append(full)
            return Paragraph(esc(shown, st.fontName), st)
        return Paragraph(esc(text, st.fontName), st)

    def title(self, text: str) -> None:
        self.story.append(Paragraph(esc(text, self.styles["title"].fontName), self.styles["title"]))

    def banner(self, text: str) -> None:
        """A boxed warning line (used for "Draft — not legal advice")."""
        self.story.append(
            Paragraph(esc(text, self.styles["banner"].fontName), self.styles["banner"])
        )

    def heading(self, text: str, level: int = 1) -> None:
        style = self.styles[f"h{min(max(level, 1), 3)}"]
        self.story.append(Paragraph(esc(text, style.fontName), style))

    def para(self, text: str, *, style: str = "body") -> None:
        st = self.styles[style]
        self.story.append(Paragraph(esc(text, st.fontName), st))

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
            [self.cell(k, width * 0.3, "cell_bold"), self.cell(v, width * 0.7)] for k, v in rows
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
        widths = [width * f for f in col_widths] if col_widths else None
        each = widths or [width / max(1, len(header))] * len(header)
        data: list[list[Paragraph]] = [
            [self.cell(h, w, "cell_bold") for h, w in zip(header, each, strict=False)]
        ]
        data += [[self.cell(c, w) for c, w in zip(row, each, strict=False)] for row in rows]
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
            title=property_text(meta.title),
            author=property_text(meta.author),
            subject=property_text(meta.subject),
            keywords=[property_text(k) for k in meta.keywords],
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
