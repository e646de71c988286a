"""'Where was it found?': the web address of a file added by hand, and the page it was on.

Removal letters list a suspect picture only with an address; for files a client downloaded
or screenshotted, the advocate types (or pastes) it here. The addresses are checked before
the dialog closes (complete http or https addresses only) and saved by
``services.found_at.set_found_at``, which records the old and the new ones in the activity
log. Addresses are shown and edited as plain text only.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from ncii_desk.errors import NciiDeskError
from ncii_desk.gui.common import error_text, plain_label, translate
from ncii_desk.services.found_at import FoundAt
from ncii_desk.services.types import Source
from ncii_desk.services.views import ItemView

#: Items whose address may be set here: files added by hand (a capture records its own).
BY_HAND = (Source.FILE.value, Source.FOLDER_SCAN.value)


def found_at_explanation() -> str:
    return translate(
        "FoundAt",
        "The web address where this picture or video was found, and the page it was shown "
        "on. Removal letters list the file with these addresses. For a screenshot, give the "
        "page's address.",
    )


class FoundAtDialog(QDialog):
    """Asks for the two addresses; ``found_at()`` (checked) after it was accepted."""

    def __init__(self, view: ItemView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.item_id = view.id
        self.setWindowTitle(self.tr("Where was it found?"))
        self.setAccessibleName(self.tr("Where was it found?"))
        self.resize(620, 0)
        layout = QVBoxLayout(self)
        name = view.original_filename or view.id[:12]
        layout.addWidget(
            plain_label(
                self.tr("Where was \u201c{name}\u201d found online?").format(name=name),
                name=self.tr("Question"),
            )
        )
        layout.addWidget(plain_label(found_at_explanation(), name=self.tr("What this is for")))
        form = QFormLayout()
        self.source = QLineEdit(view.source_url)
        self.source.setAccessibleName(self.tr("Its own web address"))
        self.source.setPlaceholderText("https://")
        form.addRow(self.tr("Its own web address:"), self.source)
        self.page = QLineEdit(view.page_url)
        self.page.setAccessibleName(self.tr("Address of the page it was on (optional)"))
        self.page.setPlaceholderText(self.tr("https:// (optional)"))
        form.addRow(self.tr("Page it was on:"), self.page)
        layout.addLayout(form)
        self.message = plain_label(name=self.tr("Problem with the addresses"))
        layout.addWidget(self.message)
        self.buttons = QDialogButtonBox()
        self.save_button = self.buttons.addButton(
            self.tr("Save"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.save_button.setAccessibleName(self.tr("Save where it was found"))
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.setAccessibleName(self.tr("Cancel"))
        self.buttons.accepted.connect(self.try_accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.source.textChanged.connect(lambda _t: self._update())
        self.page.textChanged.connect(lambda _t: self.message.clear())
        self._update()

    def _update(self) -> None:
        self.message.clear()
        self.save_button.setEnabled(bool(self.source.text().strip()))

    def found_at(self) -> FoundAt:
        """The addresses as typed, checked (raises ``BadAddress`` naming the wrong one)."""
        return FoundAt(self.source.text(), self.page.text()).checked()

    def try_accept(self) -> None:
        """Close only with addresses that can be saved; otherwise say what is wrong."""
        try:
            self.found_at()
        except NciiDeskError as error:
            self.message.setText(error_text(error))
            return
        self.accept()
