"""The client hand-out from the Requests tab: a plain-language sheet for the person the case is
about (what was sent to which platform, what happens next, where to find support), in the
language the client reads. The choice offers English and Spanish, each named in its own
words, and starts at the window's language. Letters to platforms are not changed by it."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QVBoxLayout,
    QWidget,
)

from ncii_desk import i18n
from ncii_desk.gui.common import plain_label

#: The languages a hand-out can be made in, each named in its own words.
HANDOUT_LANGUAGES = (("en", "English"), ("es", "Español"))
#: The file formats: (format the service takes, file ending).
HANDOUT_FORMATS = (("pdf", "pdf"), ("docx", "docx"))


def handout_file_name(language: str, fmt: str) -> str:
    """The saved file's name: no case label or client name in it."""
    ending = dict(HANDOUT_FORMATS)[fmt]
    return f"{'hoja-informativa' if language == 'es' else 'client-handout'}.{ending}"


class HandoutDialog(QDialog):
    """Asks the language and the format of the client hand-out."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Hand-out for the client"))
        layout = QVBoxLayout(self)
        layout.addWidget(
            plain_label(
                self.tr(
                    "A plain-language sheet for the client: which platforms were asked to "
                    "remove the pictures, what happens next, and where to find support. "
                    "Choose the language the client reads. The letters to platforms are not "
                    "changed."
                )
            )
        )
        form = QFormLayout()
        self.language = QComboBox()
        for code, name in HANDOUT_LANGUAGES:
            self.language.addItem(name, code)
        shown = self.language.findData(i18n.shown_language())
        self.language.setCurrentIndex(max(shown, 0))
        self.language.setAccessibleName(self.tr("Language of the hand-out"))
        form.addRow(self.tr("Language of the hand-out:"), self.language)
        self.format = QComboBox()
        self.format.addItem(self.tr("PDF"), "pdf")
        self.format.addItem(self.tr("Word document"), "docx")
        self.format.setAccessibleName(self.tr("File type"))
        form.addRow(self.tr("File type:"), self.format)
        layout.addLayout(form)
        self.message = plain_label(name=self.tr("Hand-out message"))
        layout.addWidget(self.message)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(self.tr("Save the hand-out..."))
        ok.setAccessibleName(self.tr("Save the hand-out"))
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

    def chosen_language(self) -> str:
        return str(self.language.currentData())

    def chosen_format(self) -> str:
        return str(self.format.currentData())
