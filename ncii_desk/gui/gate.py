"""The first screen: create the vault on first run, unlock it on later runs.

Key derivation (Argon2id, about a second by design) and every vault call run on a worker
thread. A wrong passphrase and a damaged vault are different situations and look different:
the first asks to try again, the second says what is damaged and not to write to it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtGui import QFont, QFontDatabase, QTextDocument
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ncii_desk.errors import (
    NciiDeskError,
    VaultCorrupt,
)
from ncii_desk.gui import workers
from ncii_desk.gui.common import (
    button,
    checkbox,
    error_text,
    heading,
    pick_folder,
    pick_save_file,
    plain_label,
    translate,
)
from ncii_desk.gui.passphrase import PassphraseEdit, passphrase_strength
from ncii_desk.hardening import create_private_file
from ncii_desk.i18n import said
from ncii_desk.services import settings as service_settings
from ncii_desk.services import vaults
from ncii_desk.services.jobs import Job
from ncii_desk.services.types import CaseStore, KdfParams, Vault


def tune_kdf_here() -> KdfParams:
    """Argon2id parameters for this computer (about one second per unlock)."""
    return vaults.tune_key_derivation()


def create_with_name(
    vault_dir: Path, secret: str, params: KdfParams, name: str
) -> tuple[Vault, str]:
    """Create the vault; the advocate's name (when given) is stored at once, so the
    activity log says who did what from the first event on."""
    vault, recovery = vaults.create_vault(vault_dir, secret, kdf=params, operator=name or None)
    if name:
        service_settings.set_operator_name(vault, name)
    return vault, recovery


def write_recovery_key_file(target: Path, key: str) -> None:
    """Write the key readable by this user only, never over an existing file."""
    try:
        fh = create_private_file(target)  # 0600 (owner-only ACL on Windows)
    except FileExistsError:
        raise NciiDeskError(
            translate("Gate", "{name} already exists.").format(name=target.name),
            translate("Gate", "Choose the name of a new file; the key never replaces a file."),
        ) from None
    except OSError as exc:
        raise NciiDeskError(
            translate("Gate", "The recovery key could not be saved: {reason}.").format(
                reason=exc.strerror
            ),
            translate("Gate", "Choose a folder you can write to, for example on a USB stick."),
        ) from None
    with fh:
        fh.write(
            (
                translate("Gate", "NCII Desk recovery key (keep it away from this computer):")
                + f"\n\n{key}\n"
            ).encode("utf-8")
        )


class RecoveryKeyPage(QWidget):
    """Shows the recovery key once; the advocate must confirm it was kept before going on."""

    def __init__(
        self,
        on_continue: Callable[[], None],
        *,
        intro: str | None = None,
        continue_text: str | None = None,
    ) -> None:
        """``intro`` and ``continue_text`` replace the vault's words (the clinic's join and
        set-up pages show a member's recovery key)."""
        super().__init__()
        self._on_continue = on_continue
        self._key = ""
        layout = QVBoxLayout(self)
        layout.addWidget(heading(self.tr("Your recovery key")))
        layout.addWidget(
            plain_label(
                intro
                or self.tr(
                    "This key is shown only this once. It opens the vault if the passphrase is "
                    "ever forgotten. Print it or write it down, and keep it away from this "
                    "computer (for example in a locked drawer). Anyone with the key and the "
                    "vault folder can read the cases."
                )
            )
        )
        self.key_box = QPlainTextEdit()
        self.key_box.setReadOnly(True)
        self.key_box.setAccessibleName(self.tr("Recovery key"))
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        mono.setPointSizeF(mono.pointSizeF() * 1.3)
        self.key_box.setFont(mono)
        self.key_box.setMaximumHeight(90)
        layout.addWidget(self.key_box)
        row = QHBoxLayout()
        self.print_button = button(self.tr("&Print..."), self.print_key)
        self.save_button = button(
            self.tr("&Save to a file..."),
            self.save_key,
            tip=self.tr("For example on a USB stick you keep somewhere safe."),
        )
        row.addWidget(self.print_button)
        row.addWidget(self.save_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.saved_note = plain_label(name=self.tr("Save result"))
        layout.addWidget(self.saved_note)
        form = QFormLayout()
        self.confirm_group = QLineEdit()
        self.confirm_group.setAccessibleName(self.tr("Last group of the recovery key"))
        self.confirm_group.setPlaceholderText(self.tr("e.g. ABCD"))
        form.addRow(
            self.tr("To confirm, type the last group of 4 characters of the key:"),
            self.confirm_group,
        )
        layout.addLayout(form)
        self.kept = checkbox(
            self.tr("I have printed or written down the recovery key and kept it safe")
        )
        layout.addWidget(self.kept)
        self.continue_button = button(
            continue_text or self.tr("C&ontinue to my cases"), self.finish
        )
        self.continue_button.setEnabled(False)
        layout.addWidget(self.continue_button)
        layout.addStretch(1)
        self.kept.toggled.connect(self._update)
        self.confirm_group.textChanged.connect(self._update)

    def show_key(self, key: str) -> None:
        self._key = key
        self.key_box.setPlainText(key)
        self.confirm_group.clear()
        self.kept.setChecked(False)
        self.saved_note.clear()

    def _last_group(self) -> str:
        return self._key.replace(" ", "-").split("-")[-1].upper()

    def _update(self) -> None:
        typed = self.confirm_group.text().strip().upper()
        self.continue_button.setEnabled(
            bool(self._key) and self.kept.isChecked() and typed == self._last_group()
        )

    def print_key(self) -> None:
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter

        printer = QPrinter()
        dialog = QPrintDialog(printer, self)
        if dialog.exec() != QPrintDialog.DialogCode.Accepted:
            return
        doc = QTextDocument()
        doc.setDefaultFont(QFont("monospace", 14))
        doc.setPlainText(
            self.tr("NCII Desk recovery key. Keep it away from the computer.") + f"\n\n{self._key}"
        )
        doc.print_(printer)

    def save_key(self) -> None:
        target = pick_save_file(
            self, self.tr("Save the recovery key"), "ncii-desk-recovery-key.txt"
        )
        if target is None:
            return
        try:
            write_recovery_key_file(target, self._key)
        except NciiDeskError as exc:
            self.saved_note.setText(error_text(exc))
            return
        self.saved_note.setText(
            self.tr("Saved to {path}. Move it off this computer.").format(path=str(target))
        )

    def finish(self) -> None:
        self._key = ""
        self.key_box.clear()
        self.confirm_group.clear()
        self._on_continue()

    def clear(self) -> None:
        self._key = ""
        self.key_box.clear()
        self.confirm_group.clear()


class GatePage(QWidget):
    """Create (first run) or unlock the vault."""

    def __init__(
        self,
        vault_dir: Path,
        on_open: Callable[[CaseStore], None],
        on_change_folder: Callable[[Path], None] | None = None,
    ) -> None:
        super().__init__()
        self.vault_dir = vault_dir
        self._on_open = on_open
        self._on_change_folder = on_change_folder
        self._pending_vault: Vault | None = None
        self._abandoned = False
        self._worker: workers.Worker | None = None
        self.creating = not vaults.vault_exists(vault_dir)
        #: The last unlock used the recovery key (the window then asks for a new passphrase).
        self.opened_with_recovery = False
        self.pages = QStackedWidget()
        # Readable line lengths on wide screens.
        self.pages.setMinimumWidth(560)
        self.pages.setMaximumWidth(820)
        self.pages.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        outer = QVBoxLayout(self)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.pages, 4)
        row.addStretch(1)
        outer.addLayout(row)
        self.form_page = QWidget()
        self.pages.addWidget(self.form_page)
        self.recovery_page = RecoveryKeyPage(self._continue_after_recovery)
        self.pages.addWidget(self.recovery_page)
        from ncii_desk.gui.clinic import ClinicOpenPage
        from ncii_desk.gui.clinicjoin import ClinicJoinFlow

        self.clinic_flow = ClinicJoinFlow(
            self.pages,
            self._opened_from_flow,
            self.show_clinic,
            recovery_page=RecoveryKeyPage,
            tune=lambda: tune_kdf_here(),  # looked up at each use (tests make it fast)
        )
        self.clinic_page = ClinicOpenPage(
            self._opened_clinic,
            self.show_form,
            on_join=self.clinic_flow.show_join,
            on_setup=self.clinic_flow.show_setup,
        )
        self.pages.addWidget(self.clinic_page)
        layout = QVBoxLayout(self.form_page)
        layout.addWidget(
            heading(
                self.tr("Create your case vault")
                if self.creating
                else self.tr("Unlock your case vault")
            )
        )
        if self.creating:
            layout.addWidget(
                plain_label(
                    self.tr(
                        "All cases are kept in one encrypted vault on this computer. Choose a "
                        "passphrase: a few unrelated words are strong and easy to remember. "
                        "Nobody, including us, can open the vault without it or the recovery "
                        "key you will see next."
                    )
                )
            )
        folder_row = QHBoxLayout()
        self.folder_label = plain_label(
            self.tr("Vault folder: {path}").format(path=str(vault_dir)),
            name=self.tr("Vault folder"),
        )
        folder_row.addWidget(self.folder_label, 1)
        self.folder_button = button(
            self.tr("Use &another folder..."),
            self.choose_folder,
            tip=self.tr("Open a vault kept elsewhere, or create one in an empty folder."),
        )
        folder_row.addWidget(self.folder_button)
        layout.addLayout(folder_row)
        self.clinic_button = button(
            self.tr("Open a clinic's &shared cases..."),
            self.show_clinic,
            tip=self.tr("Work on cases your clinic keeps on its own server, as a member."),
        )
        layout.addWidget(self.clinic_button)
        form = QFormLayout()
        self.passphrase = PassphraseEdit(self.tr("Passphrase"))
        form.addRow(self.tr("Passphrase"), self.passphrase.field())
        self.confirm = PassphraseEdit(self.tr("Type the passphrase again"))
        self.strength = plain_label(name=self.tr("Passphrase strength"))
        self.use_recovery = checkbox(self.tr("Unlock with the recovery key instead"))
        self.operator = QLineEdit()
        self.operator.setAccessibleName(self.tr("Your name"))
        self.operator.setPlaceholderText(self.tr("First name or initials"))
        self.operator.setToolTip(self.tr('Shown in the activity log, as in "Sam added photo.jpg".'))
        if self.creating:
            form.addRow(self.tr("Again"), self.confirm.field())
            form.addRow("", self.strength)
            form.addRow(self.tr("Your name"), self.operator)
            self.passphrase.textChanged.connect(self._show_strength)
        else:
            form.addRow("", self.use_recovery)
            self.use_recovery.toggled.connect(self._toggle_recovery)
        layout.addLayout(form)
        if self.creating:  # Tab goes from field to field, then to the Show boxes
            QWidget.setTabOrder(self.passphrase, self.confirm)
            QWidget.setTabOrder(self.confirm, self.passphrase.show_box)
            QWidget.setTabOrder(self.passphrase.show_box, self.confirm.show_box)
        self.button = button(self.tr("Create &vault") if self.creating else self.tr("&Unlock"))
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
        self.message = plain_label(name=self.tr("Message"))
        layout.addWidget(self.message)
        # A damaged vault is a different situation from a typo: its own framed notice.
        self.damage = QFrame()
        self.damage.setFrameShape(QFrame.Shape.StyledPanel)
        damage_layout = QVBoxLayout(self.damage)
        self.damage_title = heading(self.tr("The vault is damaged"))
        self.damage_text = plain_label(name=self.tr("What is damaged"))
        damage_layout.addWidget(self.damage_title)
        damage_layout.addWidget(self.damage_text)
        self.damage.setVisible(False)
        layout.addWidget(self.damage)
        layout.addStretch(1)
        self.passphrase.setFocus()

    # -- feedback --

    def _show_strength(self, text: str) -> None:
        feedback, _ok = passphrase_strength(text)
        self.strength.setText(feedback)

    def _toggle_recovery(self, on: bool) -> None:
        self.passphrase.set_shown(on)
        self.passphrase.setAccessibleName(self.tr("Recovery key") if on else self.tr("Passphrase"))

    def _busy(self, on: bool) -> None:
        self.busy.setVisible(on)
        for w in (self.button, self.passphrase, self.confirm, self.folder_button):
            w.setEnabled(not on)

    def show_clinic(self) -> None:
        self.clinic_page.fill_from_profile()
        self.pages.setCurrentWidget(self.clinic_page)
        if self.clinic_page.address.text():
            self.clinic_page.passphrase.setFocus()
        else:
            self.clinic_page.address.setFocus()

    def show_form(self) -> None:
        self.pages.setCurrentWidget(self.form_page)
        self.passphrase.setFocus()

    def _opened_clinic(self, store: CaseStore) -> None:
        if self._abandoned:
            store.close()
            return
        self.opened_with_recovery = self.clinic_page.used_recovery
        self._on_open(store)

    def _opened_from_flow(self, store: CaseStore) -> None:
        """A clinic opened after joining or setting it up (with the passphrase)."""
        if self._abandoned:
            store.close()
            return
        self.opened_with_recovery = False
        self._on_open(store)

    def choose_folder(self) -> None:
        folder = pick_folder(self, self.tr("Choose the vault folder"))
        if folder is not None and self._on_change_folder is not None:
            self._on_change_folder(folder)

    # -- actions --

    def submit(self) -> None:
        if self._worker is not None:
            return
        secret = self.passphrase.text()
        self.message.setText("")
        self.damage.setVisible(False)
        if self.creating:
            feedback, ok = passphrase_strength(secret)
            if not ok:
                self.message.setText(feedback)
                return
            if secret != self.confirm.text():
                self.message.setText(self.tr("The two passphrases are not the same."))
                return
            name = self.operator.text().strip()
            if name:
                try:
                    name = service_settings.check_operator_name(name)
                except NciiDeskError as error:
                    self.message.setText(error_text(error))
                    return
            self._busy(True)
            self.message.setText(
                self.tr("Measuring this computer to set the unlock strength (a few seconds)...")
            )
            vault_dir = self.vault_dir

            def tune(job: Job) -> KdfParams:
                job.progress(0, 2, "tuning")
                return tune_kdf_here()

            def create(params: KdfParams) -> None:
                self.message.setText(self.tr("Creating the encrypted vault..."))
                self._start(
                    lambda _job: create_with_name(vault_dir, secret, params, name),
                    self._created,
                )

            self._start(tune, create)
            return
        self._busy(True)
        self.message.setText(self.tr("Unlocking..."))
        recovery = self.use_recovery.isChecked()
        self.opened_with_recovery = recovery
        vault_dir = self.vault_dir

        def unlock(_job: Job) -> Vault:
            if recovery:
                return vaults.open_vault(vault_dir, recovery_key=secret)
            return vaults.open_vault(vault_dir, passphrase=secret)

        self._start(unlock, self._opened)

    def _start(self, fn: Callable[[Job], Any], done: Callable[[Any], None]) -> None:
        def finished(result: object) -> None:
            self._worker = None
            done(result)

        self._worker = workers.start(fn, finished, self._failed)

    def _failed(self, error: NciiDeskError) -> None:
        self._worker = None
        if self._abandoned:
            return
        self._busy(False)
        if isinstance(error, VaultCorrupt):
            self.message.setText("")
            where = error.file + (f" ({error.entry})" if error.entry else "")
            self.damage_text.setText(
                self.tr("Damaged part: {where}").format(where=where)
                + "\n"
                + said(error.message)
                + "\n\n"
                + said(error.hint)
            )
            self.damage.setVisible(True)
            return
        # A wrong passphrase or mistyped recovery key (and anything else): say so by the field.
        self.message.setText(error_text(error))
        self.passphrase.selectAll()
        self.passphrase.setFocus()

    def _created(self, result: object) -> None:
        assert isinstance(result, tuple)
        vault, recovery = result
        if self._abandoned:
            vault.close()
            return
        self._busy(False)
        self.passphrase.clear()
        self.confirm.clear()
        self.message.clear()
        self._pending_vault = vault
        self.recovery_page.show_key(recovery)
        self.pages.setCurrentWidget(self.recovery_page)
        self.recovery_page.confirm_group.setFocus()

    def _continue_after_recovery(self) -> None:
        vault = self._pending_vault
        self._pending_vault = None
        if vault is not None:
            self._on_open(vault)

    def _opened(self, result: object) -> None:
        assert isinstance(result, Vault)
        if self._abandoned:
            result.close()
            return
        self._busy(False)
        self.passphrase.clear()
        self._on_open(result)

    def abandon(self) -> None:
        """Quick exit or close while the gate is showing: forget keys and secrets on screen."""
        self._abandoned = True
        self.passphrase.clear()
        self.confirm.clear()
        self.recovery_page.clear()
        self.clinic_page.abandon()
        self.clinic_flow.abandon()
        vault = self._pending_vault
        self._pending_vault = None
        if vault is not None:
            vault.close()
