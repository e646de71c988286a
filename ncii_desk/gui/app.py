"""The desktop app: create or unlock the vault, then the case list.

A thin layer over services/: every call that touches keys or the database runs on the
thread pool (see workers.py); text from cases and errors is always shown as plain text.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QAction, QKeySequence, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ncii_desk.errors import NciiDeskError
from ncii_desk.gui import workers
from ncii_desk.paths import default_vault_dir
from ncii_desk.services import cases, vaults
from ncii_desk.services.jobs import Job
from ncii_desk.services.views import CaseView
from ncii_desk.vault import Vault, is_vault
from ncii_desk.vault.keys import MIN_PASSPHRASE_CHARS


def plain_label(text: str = "", *, wrap: bool = True) -> QLabel:
    """A label that never interprets rich text (case data and errors come from outside)."""
    label = QLabel()
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(wrap)
    label.setText(text)
    return label


def _t(text: str) -> str:
    return QCoreApplication.translate("Passphrase", text)


def passphrase_strength(text: str) -> str:
    """Short, plain feedback while the advocate types a new passphrase."""
    if len(text) < MIN_PASSPHRASE_CHARS:
        return _t("Too short: at least {n} characters.").format(n=MIN_PASSPHRASE_CHARS)
    kinds = sum(
        (
            any(c.islower() for c in text),
            any(c.isupper() for c in text),
            any(c.isdigit() for c in text),
            any(not c.isalnum() for c in text),
        )
    )
    words = len(text.split())
    if len(text) >= 20 or (words >= 4 and len(text) >= 16):
        return _t("Strong.")
    if len(text) >= 12 and kinds >= 2:
        return _t("Good. A few more words make it stronger.")
    return _t("Weak: add a few unrelated words.")


class GatePage(QWidget):
    """Create (first run) or unlock the vault; the slow key derivation runs off-thread."""

    def __init__(self, vault_dir: Path, on_open: Any) -> None:
        super().__init__()
        self.vault_dir = vault_dir
        self._on_open = on_open
        self._pending_vault: Vault | None = None
        self.creating = not is_vault(vault_dir)
        layout = QVBoxLayout(self)
        title = (
            self.tr("Create your case vault")
            if self.creating
            else self.tr("Unlock your case vault")
        )
        heading = plain_label(title)
        heading.setStyleSheet("font-size: 18px; font-weight: bold;")
        layout.addWidget(heading)
        layout.addWidget(plain_label(self.tr("Vault folder: ") + str(vault_dir)))
        form = QFormLayout()
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.setAccessibleName(self.tr("Passphrase"))
        form.addRow(self.tr("Passphrase"), self.passphrase)
        self.confirm = QLineEdit()
        self.confirm.setEchoMode(QLineEdit.EchoMode.Password)
        self.confirm.setAccessibleName(self.tr("Type the passphrase again"))
        self.strength = plain_label()
        self.use_recovery = QCheckBox(self.tr("Unlock with the recovery key instead"))
        if self.creating:
            form.addRow(self.tr("Again"), self.confirm)
            form.addRow("", self.strength)
            self.passphrase.textChanged.connect(
                lambda t: self.strength.setText(passphrase_strength(t))
            )
        else:
            form.addRow("", self.use_recovery)
            self.use_recovery.toggled.connect(self._toggle_recovery)
        layout.addLayout(form)
        self.button = QPushButton(self.tr("Create vault") if self.creating else self.tr("Unlock"))
        self.button.setDefault(True)
        self.button.clicked.connect(self.submit)
        self.passphrase.returnPressed.connect(self.submit)
        self.confirm.returnPressed.connect(self.submit)
        layout.addWidget(self.button)
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setVisible(False)
        self.busy.setAccessibleName(self.tr("Working"))
        layout.addWidget(self.busy)
        self.message = plain_label()
        self.message.setAccessibleName(self.tr("Message"))
        layout.addWidget(self.message)
        self.recovery_box = QPlainTextEdit()
        self.recovery_box.setReadOnly(True)
        self.recovery_box.setVisible(False)
        self.recovery_box.setAccessibleName(self.tr("Recovery key"))
        layout.addWidget(self.recovery_box)
        self.recovery_done = QCheckBox(
            self.tr("I have printed or written down the recovery key and kept it safe")
        )
        self.recovery_done.setVisible(False)
        self.continue_button = QPushButton(self.tr("Continue"))
        self.continue_button.setVisible(False)
        self.continue_button.setEnabled(False)
        self.recovery_done.toggled.connect(self.continue_button.setEnabled)
        self.continue_button.clicked.connect(self._continue_after_recovery)
        layout.addWidget(self.recovery_done)
        layout.addWidget(self.continue_button)
        layout.addStretch(1)

    def _toggle_recovery(self, on: bool) -> None:
        self.passphrase.setEchoMode(
            QLineEdit.EchoMode.Normal if on else QLineEdit.EchoMode.Password
        )
        self.passphrase.setAccessibleName(self.tr("Recovery key") if on else self.tr("Passphrase"))

    def _busy(self, on: bool) -> None:
        self.busy.setVisible(on)
        self.button.setEnabled(not on)
        self.passphrase.setEnabled(not on)

    def submit(self) -> None:
        secret = self.passphrase.text()
        self.message.setText("")
        if self.creating:
            if secret != self.confirm.text():
                self.message.setText(self.tr("The two passphrases are not the same."))
                return
            self._busy(True)
            self.message.setText(self.tr("Creating the vault (this takes a few seconds)..."))

            def create(_job: Job) -> tuple[Vault, str]:
                return vaults.create_vault(self.vault_dir, secret)

            workers.start(create, self._created, self._failed)
            return
        self._busy(True)
        self.message.setText(self.tr("Unlocking..."))
        recovery = self.use_recovery.isChecked()

        def unlock(_job: Job) -> Vault:
            if recovery:
                return vaults.open_vault(self.vault_dir, recovery_key=secret)
            return vaults.open_vault(self.vault_dir, passphrase=secret)

        workers.start(unlock, self._opened, self._failed)

    def _failed(self, error: NciiDeskError) -> None:
        self._busy(False)
        self.message.setText(f"{error.message}\n{error.hint}")
        self.passphrase.selectAll()
        self.passphrase.setFocus()

    def _created(self, result: tuple[Vault, str]) -> None:
        self._busy(False)
        vault, recovery = result
        self._pending_vault = vault
        self.message.setText(
            self.tr(
                "Your vault is ready. Below is its RECOVERY KEY, shown only this once. Print "
                "it or write it down and keep it away from this computer: it opens the vault "
                "if the passphrase is forgotten."
            )
        )
        self.recovery_box.setPlainText(recovery)
        for w in (self.recovery_box, self.recovery_done, self.continue_button):
            w.setVisible(True)
        self.button.setVisible(False)

    def _continue_after_recovery(self) -> None:
        vault = self._pending_vault
        self._pending_vault = None
        self.recovery_box.clear()
        if vault is not None:
            self._on_open(vault)

    def _opened(self, vault: Vault) -> None:
        self._busy(False)
        self.passphrase.clear()
        self._on_open(vault)


CASE_COLUMNS = (
    "Label",
    "Pseudonym",
    "Originals",
    "References",
    "Suspects",
    "Open requests",
    "Next deadline",
)


class CasesPage(QWidget):
    def __init__(self, window: MainWindow) -> None:
        super().__init__()
        self.window_ = window
        layout = QVBoxLayout(self)
        layout.addWidget(plain_label(self.tr("Cases")))
        self.model = QStandardItemModel(0, len(CASE_COLUMNS))
        self.model.setHorizontalHeaderLabels([self.tr(c) for c in CASE_COLUMNS])
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName(self.tr("Case list"))
        self.table.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.table)
        self.empty_hint = plain_label(self.tr("No cases yet. Use 'New case' to start one."))
        layout.addWidget(self.empty_hint)

    def show_cases(self, views: list[CaseView]) -> None:
        self.model.removeRows(0, self.model.rowCount())
        for v in views:
            row = [
                v.label,
                v.client_pseudonym,
                str(v.originals),
                str(v.references),
                str(v.suspects),
                str(v.open_requests),
                v.nearest_deadline or "",
            ]
            items = [QStandardItem(text) for text in row]
            for item in items:
                item.setEditable(False)
            self.model.appendRow(items)
        self.empty_hint.setVisible(not views)


class NewCaseDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("New case"))
        form = QFormLayout(self)
        self.label = QLineEdit()
        self.label.setAccessibleName(self.tr("Case label"))
        self.pseudonym = QLineEdit()
        self.pseudonym.setAccessibleName(self.tr("Client pseudonym"))
        self.jurisdiction = QLineEdit()
        self.jurisdiction.setAccessibleName(self.tr("Jurisdiction"))
        self.minor = QCheckBox(self.tr("The person may be under 18"))
        form.addRow(self.tr("Case label"), self.label)
        form.addRow(self.tr("Client pseudonym (not the real name)"), self.pseudonym)
        form.addRow(self.tr("Jurisdiction"), self.jurisdiction)
        form.addRow("", self.minor)
        form.addRow(
            "",
            plain_label(
                self.tr(
                    "If the person may be under 18, NCII Desk keeps only hashes and details of the "
                    "images, never the images themselves, and shows no previews."
                )
            ),
        )
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)


class MainWindow(QMainWindow):
    def __init__(self, vault_dir: Path) -> None:
        super().__init__()
        self.vault_dir = vault_dir
        self.vault: Vault | None = None
        self.setWindowTitle("NCII Desk")
        self.resize(900, 560)
        self.stack = QStackedWidget()
        self.setCentralWidget(self.stack)
        self.cases_page = CasesPage(self)
        self.gate: GatePage | None = None
        toolbar = self.addToolBar(self.tr("Main"))
        self.new_case_action = QAction(self.tr("New case..."), self)
        self.new_case_action.triggered.connect(self.new_case)
        self.lock_action = QAction(self.tr("Lock"), self)
        self.lock_action.setShortcut(QKeySequence("Ctrl+L"))
        self.lock_action.triggered.connect(self.lock)
        for action in (self.new_case_action, self.lock_action):
            toolbar.addAction(action)
        self.status = plain_label(wrap=False)
        self.statusBar().addWidget(self.status)
        self.stack.addWidget(self.cases_page)
        self.show_gate()

    def show_gate(self) -> None:
        self.gate = GatePage(self.vault_dir, self.unlocked)
        self.stack.addWidget(self.gate)
        self.stack.setCurrentWidget(self.gate)
        self.new_case_action.setEnabled(False)
        self.lock_action.setEnabled(False)

    def unlocked(self, vault: Vault) -> None:
        self.vault = vault
        if self.gate is not None:
            self.stack.removeWidget(self.gate)
            self.gate.deleteLater()
            self.gate = None
        self.stack.setCurrentWidget(self.cases_page)
        self.new_case_action.setEnabled(True)
        self.lock_action.setEnabled(True)
        warnings = vault.report.warnings
        self.status.setText(" ".join(warnings) if warnings else self.tr("Vault unlocked."))
        self.refresh()

    def refresh(self) -> None:
        vault = self.vault
        if vault is None:
            return
        workers.start(
            lambda _job: cases.list_cases(vault), self.cases_page.show_cases, self.show_error
        )

    def new_case(self) -> None:
        vault = self.vault
        if vault is None:
            return
        dialog = NewCaseDialog(self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        label, pseudonym = dialog.label.text(), dialog.pseudonym.text()
        jurisdiction, minor = dialog.jurisdiction.text(), dialog.minor.isChecked()

        def create(_job: Job) -> CaseView:
            return cases.new_case(
                vault,
                label,
                client_pseudonym=pseudonym,
                jurisdiction=jurisdiction,
                suspected_minor=minor,
            )

        workers.start(create, lambda _view: self.refresh(), self.show_error)

    def show_error(self, error: NciiDeskError) -> None:
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setText(error.message)
        box.setInformativeText(error.hint)
        box.open()

    def lock(self) -> None:
        if self.vault is not None:
            self.vault.close()
            self.vault = None
        self.cases_page.show_cases([])
        self.status.setText(self.tr("Vault locked."))
        self.show_gate()

    def closeEvent(self, event: Any) -> None:
        if self.vault is not None:
            self.vault.close()
            self.vault = None
        super().closeEvent(event)


def main(argv: Sequence[str] | None = None) -> int:
    app = QApplication.instance() or QApplication(list(argv or sys.argv))
    QApplication.setApplicationName("NCII Desk")
    window = MainWindow(default_vault_dir())
    window.show()
    return int(app.exec())
