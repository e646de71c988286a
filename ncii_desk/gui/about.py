"""Help > About: the version, NCII Desk's licence, and the third-party notices.

Nothing here touches the vault, so the dialog opens also while the vault is locked.
"""

from __future__ import annotations

from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QPlainTextEdit,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

import ncii_desk
from ncii_desk.gui.common import plain_label
from ncii_desk.services import notices


def _viewer(text: str, name: str) -> QPlainTextEdit:
    view = QPlainTextEdit()
    view.setReadOnly(True)
    view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
    view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
    view.setPlainText(text)
    view.setAccessibleName(name)
    return view


class AboutDialog(QDialog):
    """Version and licence on top; the licence text and the notices in two tabs."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("About NCII Desk"))
        self.resize(760, 560)
        layout = QVBoxLayout(self)
        self.version = plain_label(
            self.tr("NCII Desk {version}").format(version=ncii_desk.__version__),
            name=self.tr("Version"),
        )
        font = self.version.font()
        font.setBold(True)
        self.version.setFont(font)
        self.licence = plain_label(
            self.tr(
                "Free software under the GNU General Public License, version 3 or any later "
                "version ({spdx}). It comes with no warranty. It includes the packages and "
                "analysis models listed under Third-party notices, each under its own licence."
            ).format(spdx=notices.PROJECT_LICENCE),
            name=self.tr("Licence"),
        )
        layout.addWidget(self.version)
        layout.addWidget(self.licence)
        self.tabs = QTabWidget()
        self.notices_view = _viewer(notices.notices_text(), self.tr("Third-party notices"))
        self.licence_view = _viewer(notices.licence_text(), self.tr("Licence text"))
        self.tabs.addTab(self.notices_view, self.tr("Third-party notices"))
        self.tabs.addTab(self.licence_view, self.tr("Licence (GPL-3.0-or-later)"))
        layout.addWidget(self.tabs, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
