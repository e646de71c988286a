"""Reading a letter in the app: its PDF pages drawn from bytes in memory (QtPdf), or its text
where this build has no QtPdf. Nothing is written to disk: the PDF's bytes live in a QBuffer
owned by the view and are dropped when another letter is shown or the view is cleared."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSize
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QPlainTextEdit, QStackedWidget, QVBoxLayout, QWidget

from ncii_desk.gui.common import plain_label


def pdf_available() -> bool:
    try:
        import PySide6.QtPdf
        import PySide6.QtPdfWidgets  # noqa: F401
    except ImportError:
        return False
    return True


class LetterPreview(QWidget):
    """A letter's pages (or text) for reading before and after it is sent."""

    def __init__(self, *, use_pdf: bool = True) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.info = plain_label(name=self.tr("About the letter shown"))
        layout.addWidget(self.info)
        self.stack = QStackedWidget()
        layout.addWidget(self.stack, 1)
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.text.setAccessibleName(self.tr("Text of the letter"))
        self.text.setTabChangesFocus(True)
        self.stack.addWidget(self.text)
        self.document: Any = None
        self.pdf_view: Any = None
        self._buffer: QBuffer | None = None
        if use_pdf and pdf_available():
            from PySide6.QtPdf import QPdfDocument
            from PySide6.QtPdfWidgets import QPdfView

            self.document = QPdfDocument(self)
            self.pdf_view = QPdfView(self)
            self.pdf_view.setDocument(self.document)
            self.pdf_view.setPageMode(QPdfView.PageMode.MultiPage)
            self.pdf_view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
            self.pdf_view.setAccessibleName(self.tr("Pages of the letter"))
            self.stack.addWidget(self.pdf_view)
        self.clear()

    @property
    def shows_pages(self) -> bool:
        return self.pdf_view is not None and self.stack.currentWidget() is self.pdf_view

    def page_count(self) -> int:
        return int(self.document.pageCount()) if self.document is not None else 0

    def render_page(self, page: int, width: int = 600) -> QImage:
        """A page drawn in memory (for checks and printing); a null image when none."""
        if self.document is None or page >= self.page_count():
            return QImage()
        size = self.document.pagePointSize(page)
        height = round(width * size.height() / max(1.0, size.width()))
        return QImage(self.document.render(page, QSize(width, height)))

    def show_letter(self, name: str, pdf: bytes, text: str) -> None:
        self._drop_pdf()
        if self.document is not None and pdf:
            self._buffer = QBuffer(self)
            self._buffer.setData(QByteArray(pdf))
            self._buffer.open(QIODevice.OpenModeFlag.ReadOnly)
            self.document.load(self._buffer)
            if self.page_count() > 0:
                self.stack.setCurrentWidget(self.pdf_view)
                self.info.setText(
                    self.tr("{name}: {n} page(s), as the platform will see it.").format(
                        name=name, n=self.page_count()
                    )
                )
                self.text.setPlainText(text)
                return
            self._drop_pdf()
        self.stack.setCurrentWidget(self.text)
        self.text.setPlainText(text)
        self.info.setText(
            self.tr("{name}: the letter's text (its pages cannot be drawn in this build).").format(
                name=name
            )
            if text
            else self.tr("This letter has no text to show.")
        )

    def _drop_pdf(self) -> None:
        if self.document is not None:
            self.document.close()
        if self._buffer is not None:
            self._buffer.close()
            self._buffer.setData(QByteArray())
            self._buffer.deleteLater()
            self._buffer = None

    def clear(self, note: str = "") -> None:
        self._drop_pdf()
        self.text.clear()
        self.stack.setCurrentWidget(self.text)
        self.info.setText(note or self.tr("Select a request to read its letter."))
