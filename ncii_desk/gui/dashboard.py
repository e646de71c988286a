"""The case list (dashboard) and the new-case wizard."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, QTimer
from PySide6.QtGui import QBrush, QFont, QStandardItem
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from ncii_desk.gui.common import (
    QT_TRANSLATE_NOOP,
    button,
    checkbox,
    countdown,
    fit_columns,
    heading,
    parse_iso,
    plain_label,
    plain_tip,
    row_table,
    translate,
    warning_color,
)
from ncii_desk.services.views import CaseView

#: (key, text, required) of the consent checklist; the text is stored with the answer.
CONSENT_ITEMS: tuple[tuple[str, str, bool], ...] = (
    (
        "store_copies",
        QT_TRANSLATE_NOOP(
            "Dashboard",
            "The client agrees that copies of the images are kept in this encrypted vault for "
            "the case.",
        ),
        True,
    ),
    (
        "share_hashes",
        QT_TRANSLATE_NOOP(
            "Dashboard",
            "The client agrees that fingerprints (hashes) of the images, never the images, may be "
            "shared with platforms and hash-sharing programmes such as StopNCII.",
        ),
        False,
    ),
    (
        "contact_platforms",
        QT_TRANSLATE_NOOP(
            "Dashboard",
            "The client agrees that we contact platforms and search engines on their behalf to "
            "ask for removal.",
        ),
        False,
    ),
    (
        "withdrawal_explained",
        QT_TRANSLATE_NOOP(
            "Dashboard",
            "The client was told they can withdraw consent at any time, and what happens then.",
        ),
        True,
    ),
)

US_JURISDICTIONS = (
    "US (federal)",
    *(
        f"US-{code}"
        for code in [
            "AL",
            "AK",
            "AZ",
            "AR",
            "CA",
            "CO",
            "CT",
            "DE",
            "DC",
            "FL",
            "GA",
            "HI",
            "ID",
            "IL",
            "IN",
            "IA",
            "KS",
            "KY",
            "LA",
            "ME",
            "MD",
            "MA",
            "MI",
            "MN",
            "MS",
            "MO",
            "MT",
            "NE",
            "NV",
            "NH",
            "NJ",
            "NM",
            "NY",
            "NC",
            "ND",
            "OH",
            "OK",
            "OR",
            "PA",
            "RI",
            "SC",
            "SD",
            "TN",
            "TX",
            "UT",
            "VT",
            "VA",
            "WA",
            "WV",
            "WI",
            "WY",
        ]
    ),
)

OVERDUE_ROLE = Qt.ItemDataRole.UserRole + 1

CASE_COLUMNS = (
    QT_TRANSLATE_NOOP("Dashboard", "Case"),
    QT_TRANSLATE_NOOP("Dashboard", "Client pseudonym"),
    QT_TRANSLATE_NOOP("Dashboard", "Originals"),
    QT_TRANSLATE_NOOP("Dashboard", "References"),
    QT_TRANSLATE_NOOP("Dashboard", "Suspects"),
    QT_TRANSLATE_NOOP("Dashboard", "Open removal requests"),
    QT_TRANSLATE_NOOP("Dashboard", "Nearest 48-hour deadline"),
    QT_TRANSLATE_NOOP("Dashboard", "Possibly under 18"),
)
#: The columns that share the spare width (names); the others fit their text.
CASE_STRETCH = (0, 1)


def _cell(text: str) -> QStandardItem:
    item = QStandardItem(text)
    item.setEditable(False)
    item.setToolTip(plain_tip(text))
    return item


class DashboardPage(QWidget):
    """Every case with its counts, open removal requests and nearest deadline."""

    def __init__(self, on_open: Callable[[str], None], on_new: Callable[[], None]) -> None:
        super().__init__()
        self._on_open = on_open
        self.views: list[CaseView] = []
        layout = QVBoxLayout(self)
        layout.addWidget(heading(self.tr("Cases")))
        row = QHBoxLayout()
        self.new_button = button(self.tr("&New case..."), on_new)
        self.open_button = button(self.tr("&Open case"), self.open_selected)
        self.open_button.setEnabled(False)
        row.addWidget(self.new_button)
        row.addWidget(self.open_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.model, self.table = row_table("Dashboard", CASE_COLUMNS, self.tr("Case list"))
        fit_columns(self.table, CASE_STRETCH)
        self.table.doubleClicked.connect(self._double_clicked)
        self.table.activated.connect(self._double_clicked)
        self.table.selectionModel().selectionChanged.connect(
            lambda *_: self.open_button.setEnabled(self.selected_id() is not None)
        )
        layout.addWidget(self.table)
        self.empty_hint = plain_label(
            self.tr("No cases yet. Use 'New case...' to start one."), name=self.tr("Hint")
        )
        layout.addWidget(self.empty_hint)
        self.legend = plain_label(
            self.tr(
                "Platforms must remove reported content within 48 hours of a valid TAKE IT "
                "DOWN Act request. Overdue deadlines are shown in red and marked OVERDUE."
            )
        )
        layout.addWidget(self.legend)
        self.clock = QTimer(self)
        self.clock.setInterval(60_000)
        self.clock.timeout.connect(lambda: self.show_cases(self.views))
        self.clock.start()

    def show_cases(self, views: list[CaseView], now: datetime | None = None) -> None:
        selected = self.selected_id()
        self.views = list(views)
        self.model.removeRows(0, self.model.rowCount())
        now = now or datetime.now(UTC)
        for v in self.views:
            deadline = parse_iso(v.nearest_deadline)
            deadline_text, overdue = countdown(deadline, now) if deadline else ("", False)
            row = [
                _cell(v.label),
                _cell(v.client_pseudonym),
                _cell(str(v.originals)),
                _cell(str(v.references)),
                _cell(str(v.suspects)),
                _cell(str(v.open_requests)),
                _cell(deadline_text),
                _cell(self.tr("yes") if v.suspected_minor else ""),
            ]
            row[0].setData(v.id, Qt.ItemDataRole.UserRole)
            row[6].setData(overdue, OVERDUE_ROLE)
            if overdue:
                row[6].setForeground(QBrush(warning_color()))
                font = QFont(row[6].font())
                font.setBold(True)
                row[6].setFont(font)
            self.model.appendRow(row)
        fit_columns(self.table, CASE_STRETCH)
        self.empty_hint.setVisible(not self.views)
        if selected is not None:
            self.select_case(selected)

    def overdue_rows(self) -> list[int]:
        return [r for r in range(self.model.rowCount()) if self.model.item(r, 6).data(OVERDUE_ROLE)]

    def select_case(self, case_id: str) -> None:
        for r in range(self.model.rowCount()):
            if self.model.item(r, 0).data(Qt.ItemDataRole.UserRole) == case_id:
                self.table.selectRow(r)
                return

    def selected_id(self) -> str | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        value = self.model.item(rows[0].row(), 0).data(Qt.ItemDataRole.UserRole)
        return str(value) if value else None

    def _double_clicked(self, index: QModelIndex) -> None:
        value = self.model.item(index.row(), 0).data(Qt.ItemDataRole.UserRole)
        if value:
            self._on_open(str(value))

    def open_selected(self) -> None:
        case_id = self.selected_id()
        if case_id is not None:
            self._on_open(case_id)


class ConsentPage(QWizardPage):
    def __init__(self) -> None:
        super().__init__()
        self.setTitle(self.tr("Consent"))
        self.setSubTitle(
            self.tr(
                "Go through these points with the client. The answers are recorded with the "
                "case. Points marked (required) must be agreed to open a case."
            )
        )
        layout = QVBoxLayout(self)
        self.boxes: dict[str, tuple[Any, str, bool]] = {}
        for key, text, required in CONSENT_ITEMS:
            shown = translate("Dashboard", text) + (self.tr(" (required)") if required else "")
            box = checkbox(shown)
            box.toggled.connect(lambda _on: self.completeChanged.emit())
            layout.addWidget(box)
            self.boxes[key] = (box, translate("Dashboard", text), required)
        layout.addStretch(1)

    def isComplete(self) -> bool:
        return all(box.isChecked() for box, _t, required in self.boxes.values() if required)

    def answers(self, operator: str) -> dict[str, Any]:
        at = datetime.now(UTC).isoformat().replace("+00:00", "Z")
        return {
            key: {"given": box.isChecked(), "text": text, "at": at, "recorded_by": operator}
            for key, (box, text, _required) in self.boxes.items()
        }


class DetailsPage(QWizardPage):
    def __init__(self) -> None:
        super().__init__()
        self.setTitle(self.tr("Case details"))
        self.setSubTitle(
            self.tr("Use a pseudonym for the client, never the real name: it appears on screen.")
        )
        form = QFormLayout(self)
        self.label = QLineEdit()
        self.label.setAccessibleName(self.tr("Case label"))
        self.label.setPlaceholderText(self.tr("e.g. Case 2026-014"))
        self.pseudonym = QLineEdit()
        self.pseudonym.setAccessibleName(self.tr("Client pseudonym"))
        self.pseudonym.setPlaceholderText(self.tr("e.g. Client A"))
        self.jurisdiction = QComboBox()
        self.jurisdiction.setEditable(True)
        self.jurisdiction.addItems(list(US_JURISDICTIONS))
        self.jurisdiction.setCurrentIndex(0)
        self.jurisdiction.setAccessibleName(self.tr("Jurisdiction"))
        form.addRow(self.tr("Case label"), self.label)
        form.addRow(self.tr("Client pseudonym (not the real name)"), self.pseudonym)
        form.addRow(self.tr("Jurisdiction"), self.jurisdiction)
        self.registerField("label*", self.label)


class SafetyPage(QWizardPage):
    def __init__(self) -> None:
        super().__init__()
        self.setTitle(self.tr("Could the person be under 18?"))
        layout = QVBoxLayout(self)
        self.minor = checkbox(self.tr("The person in the images may be under 18"))
        layout.addWidget(self.minor)
        layout.addWidget(plain_label(minor_explanation()))
        layout.addStretch(1)


def minor_explanation() -> str:
    return translate(
        "Minor",
        "If the person may be under 18, NCII Desk does not keep the images at all: it reads "
        "each file once to record its hashes (fingerprints) and details, then forgets the "
        "pictures. No previews are ever shown for those items. Report the material to "
        "NCMEC's CyberTipline or Take It Down (or your national hotline) using the hashes.",
    )


class NewCaseWizard(QWizard):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("New case"))
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.consent_page = ConsentPage()
        self.details_page = DetailsPage()
        self.safety_page = SafetyPage()
        for page in (self.consent_page, self.details_page, self.safety_page):
            self.addPage(page)
        for which in (
            QWizard.WizardButton.NextButton,
            QWizard.WizardButton.BackButton,
            QWizard.WizardButton.FinishButton,
            QWizard.WizardButton.CancelButton,
        ):
            b = self.button(which)
            b.setAccessibleName(b.text().replace("&", "").strip(" <>"))

    def values(self, operator: str) -> dict[str, Any]:
        return {
            "label": self.details_page.label.text(),
            "client_pseudonym": self.details_page.pseudonym.text(),
            "jurisdiction": self.details_page.jurisdiction.currentText(),
            "suspected_minor": self.safety_page.minor.isChecked(),
            "consent": self.consent_page.answers(operator),
        }
