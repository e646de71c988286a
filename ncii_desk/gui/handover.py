"""Case menu: Export case / Import case (hand-over files), with the fingerprint step.

Before an export to a recipient's key, the recipient's fingerprint is shown; before an
import writes anything, the file is verified completely and the sender's fingerprint is
shown. Either way the user must tick that they compared it by phone before going on. The
work runs in ``services.handover`` through the window's task runner.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QFont
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenuBar,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from ncii_desk.errors import InvalidSetting, NciiDeskError
from ncii_desk.gui.common import (
    name_qt_internal_buttons,
    pick_files,
    pick_save_file,
    show_error,
    translate,
)
from ncii_desk.gui.context import AppContext
from ncii_desk.services import cases, handover
from ncii_desk.services.handover import ExportResult, HandoverInfo, ImportResult, RecipientKey
from ncii_desk.services.views import CaseView


class OpenCase(Protocol):
    """What the Case menu reads from the open case's workspace."""

    @property
    def case_id(self) -> str: ...


class CaseMenuHost(Protocol):
    """What the Case menu uses from the main window (the window itself is never imported here,
    so the window may import this module without a cycle)."""

    @property
    def ctx(self) -> AppContext | None: ...

    @property
    def workspace(self) -> OpenCase | None: ...

    def menuBar(self) -> QMenuBar: ...

    def window(self) -> QWidget: ...

    def refresh_cases(self) -> None: ...


class FingerprintDialog(QDialog):
    """Shows a key fingerprint; OK only once the user ticks that they compared it."""

    def __init__(self, parent: QWidget | None, who: str, fingerprint: str, detail: str) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Compare the fingerprint"))
        layout = QVBoxLayout(self)
        intro = QLabel(
            self.tr(
                "Call the %1 on a phone number you already know (not one from an e-mail) and "
                "read this fingerprint aloud, group by group. Go on only if every group matches."
            ).replace("%1", who)
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        if detail:
            info = QLabel(detail)
            info.setWordWrap(True)
            layout.addWidget(info)
        self.fingerprint = QLabel(fingerprint)
        font = QFont("monospace")
        font.setStyleHint(QFont.StyleHint.Monospace)
        font.setPointSize(font.pointSize() + 4)
        self.fingerprint.setFont(font)
        self.fingerprint.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.fingerprint.setAccessibleName(self.tr("Key fingerprint"))
        layout.addWidget(self.fingerprint)
        self.compared = QCheckBox(
            self.tr("I compared this fingerprint with the %1 by phone and it matches").replace(
                "%1", who
            )
        )
        layout.addWidget(self.compared)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setEnabled(False)
        self.compared.toggled.connect(self.ok_button.setEnabled)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        name_qt_internal_buttons(self)

    def accept(self) -> None:
        if self.compared.isChecked():
            super().accept()


def _file_row(edit: QLineEdit, button: QPushButton) -> QWidget:
    row = QWidget()
    box = QHBoxLayout(row)
    box.setContentsMargins(0, 0, 0, 0)
    box.addWidget(edit, 1)
    box.addWidget(button)
    return row


class ExportCaseDialog(QDialog):
    """Which case, to whom (a key file or a passphrase), and where to write the file."""

    def __init__(self, parent: QWidget | None, views: list[CaseView], current: str | None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Export case"))
        form = QFormLayout(self)
        self.case = QComboBox()
        for view in views:
            self.case.addItem(view.label, view.id)
        if current is not None and self.case.findData(current) >= 0:
            self.case.setCurrentIndex(self.case.findData(current))
        form.addRow(self.tr("Case"), self.case)
        self.to_key = QRadioButton(self.tr("To the recipient's key file (.pub)"))
        self.to_key.setChecked(True)
        self.with_passphrase = QRadioButton(self.tr("With a passphrase (tell it by phone)"))
        form.addRow(self.to_key)
        self.key_file = QLineEdit()
        self.key_file.setAccessibleName(self.tr("Recipient key file"))
        browse_key = QPushButton(self.tr("&Choose..."))
        browse_key.clicked.connect(self._pick_key)
        form.addRow(self.tr("Key file"), _file_row(self.key_file, browse_key))
        form.addRow(self.with_passphrase)
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.setAccessibleName(self.tr("Passphrase for the file"))
        self.passphrase_again = QLineEdit()
        self.passphrase_again.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase_again.setAccessibleName(self.tr("Passphrase again"))
        form.addRow(self.tr("Passphrase"), self.passphrase)
        form.addRow(self.tr("Again"), self.passphrase_again)
        self.out_file = QLineEdit()
        self.out_file.setAccessibleName(self.tr("File to write"))
        browse_out = QPushButton(self.tr("C&hoose..."))
        browse_out.clicked.connect(self._pick_out)
        form.addRow(self.tr("Save as"), _file_row(self.out_file, browse_out))
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)
        self.to_key.toggled.connect(self._mode_changed)
        self._mode_changed()
        name_qt_internal_buttons(self)

    def _mode_changed(self) -> None:
        by_key = self.to_key.isChecked()
        self.key_file.setEnabled(by_key)
        self.passphrase.setEnabled(not by_key)
        self.passphrase_again.setEnabled(not by_key)

    def _pick_key(self) -> None:
        chosen = pick_files(self, self.tr("Recipient's key file"))
        if chosen:
            self.key_file.setText(str(chosen[0]))

    def _pick_out(self) -> None:
        chosen = pick_save_file(self, self.tr("Save the hand-over file"), "case.ncii")
        if chosen is not None:
            self.out_file.setText(str(chosen))

    def choices(self) -> tuple[str, Path, Path | None, str | None]:
        """(case id, output, key file or None, passphrase or None); InvalidSetting if not
        filled in."""
        if self.case.currentIndex() < 0:
            raise InvalidSetting("There is no case to export.", "Create or import a case first.")
        if not self.out_file.text().strip():
            raise InvalidSetting("Choose where to save the file.", "Fill in 'Save as'.")
        out = Path(self.out_file.text().strip())
        if self.to_key.isChecked():
            if not self.key_file.text().strip():
                raise InvalidSetting(
                    "Choose the recipient's key file.",
                    "Ask the recipient for the .pub file their vault writes.",
                )
            return str(self.case.currentData()), out, Path(self.key_file.text().strip()), None
        if self.passphrase.text() != self.passphrase_again.text():
            raise InvalidSetting("The two passphrases are not the same.", "Type them again.")
        return str(self.case.currentData()), out, None, self.passphrase.text()


class ImportCaseDialog(QDialog):
    """The file, its passphrase if it has one, and whether to add it as a copy."""

    def __init__(self, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Import case"))
        form = QFormLayout(self)
        self.file = QLineEdit()
        self.file.setAccessibleName(self.tr("Hand-over file"))
        browse = QPushButton(self.tr("&Choose..."))
        browse.clicked.connect(self._pick)
        form.addRow(self.tr("File (.ncii)"), _file_row(self.file, browse))
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.setAccessibleName(self.tr("Passphrase of the file, if it has one"))
        form.addRow(self.tr("Passphrase (if any)"), self.passphrase)
        self.as_copy = QCheckBox(self.tr("Already in this vault: add as a separate copy"))
        form.addRow(self.as_copy)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)
        name_qt_internal_buttons(self)

    def _pick(self) -> None:
        chosen = pick_files(self, self.tr("Hand-over file"))
        if chosen:
            self.file.setText(str(chosen[0]))

    def choices(self) -> tuple[Path, str | None, bool]:
        if not self.file.text().strip():
            raise InvalidSetting("Choose the hand-over file to import.", "Fill in 'File'.")
        return (
            Path(self.file.text().strip()),
            self.passphrase.text() or None,
            (self.as_copy.isChecked()),
        )


class HandoverActions:
    """The Case menu's two actions and the steps behind them, for one main window."""

    def __init__(self, host: CaseMenuHost) -> None:
        self.host = host
        window = host.window()  # the parent of the menu's actions and dialogs
        self.window = window
        menu = host.menuBar().addMenu(translate("HandoverActions", "&Case"))
        self.export_action = QAction(translate("HandoverActions", "&Export case..."), window)
        self.export_action.triggered.connect(self.start_export)
        self.import_action = QAction(translate("HandoverActions", "&Import case..."), window)
        self.import_action.triggered.connect(self.start_import)
        menu.addAction(self.export_action)
        menu.addAction(self.import_action)
        self.menu = menu
        self.dialog: QDialog | None = None
        self.fingerprint_dialog: FingerprintDialog | None = None
        self.last_export: ExportResult | None = None
        self.last_import: ImportResult | None = None

    def _error(self, error: NciiDeskError) -> None:
        show_error(self.window, error)

    # export --

    def start_export(self) -> None:
        ctx = self.host.ctx
        if ctx is None:
            return
        current = self.host.workspace.case_id if self.host.workspace is not None else None
        ctx.read(cases.list_cases, lambda views: self._show_export(views, current), owner=None)

    def _show_export(self, views: list[CaseView], current: str | None) -> None:
        dialog = ExportCaseDialog(self.window, views, current)
        dialog.accepted.connect(lambda: self._export_chosen(dialog))
        dialog.open()
        self.dialog = dialog

    def _export_chosen(self, dialog: ExportCaseDialog) -> None:
        try:
            case_id, out, key_file, passphrase = dialog.choices()
            key = handover.read_recipient_key(key_file) if key_file is not None else None
        except NciiDeskError as exc:
            self._error(exc)
            return
        if key is None:
            self._run_export(case_id, out, None, passphrase)
            return
        self._ask_fingerprint(
            translate("HandoverActions", "recipient"),
            key.fingerprint,
            translate("HandoverActions", "Vault %1").replace("%1", key.vault_id),
            lambda: self._run_export(case_id, out, key, None),
        )

    def _run_export(
        self, case_id: str, out: Path, key: RecipientKey | None, passphrase: str | None
    ) -> None:
        ctx = self.host.ctx
        if ctx is None:
            return

        def done(result: ExportResult) -> None:
            self.last_export = result

        ctx.task(
            translate("HandoverActions", "Exporting case"),
            lambda vault, job: handover.export_case(
                vault, case_id, out, recipient=key, passphrase=passphrase, job=job
            ),
            on_done=done,
            on_failed=self._error,
            summary=lambda r: translate("HandoverActions", "Saved to %1").replace(
                "%1", str(r.path)
            ),
        )

    # import --

    def start_import(self) -> None:
        if self.host.ctx is None:
            return
        dialog = ImportCaseDialog(self.window)
        dialog.accepted.connect(lambda: self._import_chosen(dialog))
        dialog.open()
        self.dialog = dialog

    def _import_chosen(self, dialog: ImportCaseDialog) -> None:
        ctx = self.host.ctx
        if ctx is None:
            return
        try:
            path, passphrase, as_copy = dialog.choices()
        except NciiDeskError as exc:
            self._error(exc)
            return

        def verified(info: HandoverInfo) -> None:
            detail = translate("HandoverActions", "Case '%1': %2 record(s), %3 stored file(s).")
            detail = (
                detail.replace("%1", info.case_label)
                .replace("%2", str(sum(info.counts.values())))
                .replace("%3", str(info.blobs))
            )
            self._ask_fingerprint(
                translate("HandoverActions", "sender"),
                info.sender_fingerprint,
                detail,
                lambda: self._run_import(path, passphrase, as_copy, info),
            )

        ctx.task(
            translate("HandoverActions", "Checking hand-over file"),
            lambda vault, job: handover.verify_file(vault, path, passphrase=passphrase, job=job),
            on_done=verified,
            on_failed=self._error,
        )

    def _run_import(
        self, path: Path, passphrase: str | None, as_copy: bool, shown: HandoverInfo
    ) -> None:
        ctx = self.host.ctx
        if ctx is None:
            return

        def done(result: ImportResult) -> None:
            self.last_import = result
            self.host.refresh_cases()

        ctx.task(
            translate("HandoverActions", "Importing case"),
            lambda vault, job: handover.import_case(
                vault,
                path,
                passphrase=passphrase,
                as_copy=as_copy,
                # The file must still be the one whose sender the user confirmed.
                confirm=lambda info: info.manifest_sha256 == shown.manifest_sha256,
                job=job,
            ),
            on_done=done,
            on_failed=self._error,
        )

    # the comparison step --

    def _ask_fingerprint(
        self, who: str, fingerprint: str, detail: str, go_on: Callable[[], None]
    ) -> None:
        dialog = FingerprintDialog(self.window, who, fingerprint, detail)
        dialog.accepted.connect(go_on)
        dialog.open()
        self.fingerprint_dialog = dialog
