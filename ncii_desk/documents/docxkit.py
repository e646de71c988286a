"""Editable Word (DOCX) building blocks on python-docx, mirroring ``pdfkit.PdfDocument``.

API:

* ``DocxDocument(meta, footer_note=DRAFT_NOTICE)``: the same content methods as the PDF
  builder (``title``, ``banner``, ``heading``, ``para``, ``labelled``, ``kv_table``,
  ``table``, ``bullets``, ``spacer``, ``page_break``), so one function can write both formats
  through ``common.Writer``. ``build()`` returns the .docx bytes, made in memory.
* Text always goes in as literal runs (python-docx escapes XML itself); ``clean_text``
  replaces the control characters XML cannot carry, so a hostile name or URL can neither
  inject markup nor make the save fail.
* Core properties: title, author (clinic or operator), subject, keywords, created and
  modified (UTC), last-modified-by, and "Created with NCII Desk <version>" as the comment.
  Every page has a footer with the draft notice and "Page x of y" (Word fields).
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from docx import Document
from docx.document import Document as DocxFile
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor
from docx.text.paragraph import Paragraph

from ncii_desk.documents.common import DRAFT_NOTICE, DocMeta, clean_text, creator, property_text

__all__ = ["DocxDocument"]

_STYLE_SIZES = {"body": 10.5, "small": 8.5, "note": 9.0, "mono": 8.5}


class DocxDocument:
    """Collects content into a python-docx document; ``build()`` returns the bytes."""

    def __init__(self, meta: DocMeta, *, footer_note: str = DRAFT_NOTICE) -> None:
        self.meta = meta
        self.doc: DocxFile = Document()
        normal = self.doc.styles["Normal"]
        normal.font.name = "Calibri"
        normal.font.size = Pt(10.5)
        self._set_properties()
        self._footer(footer_note)

    # --- content (plain text in, literal runs out) ---------------------------------------

    def title(self, text: str) -> None:
        self.doc.add_heading(clean_text(text), level=0)

    def banner(self, text: str) -> None:
        paragraph = self.doc.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = paragraph.add_run(clean_text(text))
        run.bold = True
        run.font.color.rgb = RGBColor(0x7A, 0x1F, 0x1F)

    def heading(self, text: str, level: int = 1) -> None:
        self.doc.add_heading(clean_text(text), level=min(max(level, 1), 3))

    def para(self, text: str, *, style: str = "body") -> None:
        paragraph = self.doc.add_paragraph()
        run = paragraph.add_run(clean_text(text))
        run.font.size = Pt(_STYLE_SIZES.get(style, 10.5))
        if style == "note":
            run.italic = True
        if style == "mono":
            run.font.name = "Consolas"

    def labelled(self, label: str, value: str) -> None:
        paragraph = self.doc.add_paragraph()
        paragraph.add_run(clean_text(label) + ":").bold = True
        paragraph.add_run(" " + clean_text(value))

    def kv_table(self, rows: Sequence[tuple[str, str]]) -> None:
        if not rows:
            return
        table = self.doc.add_table(rows=0, cols=2)
        table.style = "Table Grid"
        for key, value in rows:
            cells = table.add_row().cells
            cells[0].paragraphs[0].add_run(clean_text(key)).bold = True
            cells[1].paragraphs[0].add_run(clean_text(value))
        self.doc.add_paragraph()

    def table(
        self,
        header: Sequence[str],
        rows: Sequence[Sequence[str]],
        col_widths: Sequence[float] | None = None,
    ) -> None:
        """A grid with a bold header row (``col_widths`` is accepted for API parity)."""
        del col_widths
        table = self.doc.add_table(rows=1, cols=len(header))
        table.style = "Table Grid"
        for cell, text in zip(table.rows[0].cells, header, strict=True):
            cell.paragraphs[0].add_run(clean_text(text)).bold = True
        for row in rows:
            cells = table.add_row().cells
            for cell, text in zip(cells, row, strict=True):
                cell.paragraphs[0].add_run(clean_text(text))
        self.doc.add_paragraph()

    def bullets(self, items: Sequence[str]) -> None:
        for item in items:
            self.doc.add_paragraph(style="List Bullet").add_run(clean_text(item))

    def spacer(self, height_pt: float = 8) -> None:
        self.doc.add_paragraph().paragraph_format.space_after = Pt(height_pt)

    def page_break(self) -> None:
        self.doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    # --- output -------------------------------------------------------------------------

    def build(self) -> bytes:
        buffer = io.BytesIO()
        self.doc.save(buffer)
        return buffer.getvalue()

    # --- internals ----------------------------------------------------------------------

    def _set_properties(self) -> None:
        props = self.doc.core_properties
        meta = self.meta
        created = meta.created_utc()
        props.title = property_text(meta.title)
        props.author = property_text(meta.author)
        props.last_modified_by = property_text(meta.author)
        props.subject = property_text(meta.subject)
        props.keywords = property_text(", ".join(meta.keywords))
        props.comments = f"Created with {creator()}. {DRAFT_NOTICE}"
        props.category = "Draft"
        props.created = created.replace(tzinfo=None)
        props.modified = created.replace(tzinfo=None)
        props.revision = 1

    def _footer(self, note: str) -> None:
        footer = self.doc.sections[0].footer
        paragraph = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
        run = paragraph.add_run(clean_text(note) + "    Page ")
        run.font.size = Pt(8)
        self._field(paragraph, "PAGE", "1")
        paragraph.add_run(" of ").font.size = Pt(8)
        self._field(paragraph, "NUMPAGES", "1")

    @staticmethod
    def _field(paragraph: Paragraph, instruction: str, shown: str) -> None:
        """A simple Word field (PAGE, NUMPAGES) that Word updates when it lays out pages."""
        field = OxmlElement("w:fldSimple")
        field.set(qn("w:instr"), instruction)
        run = OxmlElement("w:r")
        text = OxmlElement("w:t")
        text.text = shown
        run.append(text)
        field.append(run)
        paragraph._p.append(field)
