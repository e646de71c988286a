"""Settings: vault folder, auto-lock, previews, models and provider, thresholds, clinic
details for letters, and the certificate that signs evidence packets."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ncii_desk.errors import NciiDeskError
from ncii_desk.gui.common import (
    QT_TRANSLATE_NOOP,
    button,
    checkbox,
    error_text,
    pick_files,
    pick_folder,
    plain_label,
    translate,
)
from ncii_desk.gui.config import (
    LocalConfig,
    Preferences,
    Thresholds,
    load_preferences,
    load_thresholds,
    save_preferences,
    save_thresholds,
)
from ncii_desk.gui.context import AppContext
from ncii_desk.gui.optional import load_service
from ncii_desk.services.hardware import HardwareReport, analysis_hardware
from ncii_desk.services.settings import FACE_RANGE, PDQ_RANGE, set_color_scheme
from ncii_desk.vault import Vault

PACKETS = "ncii_desk.services.packets"
REQUESTS = "ncii_desk.services.requests"
CLINIC_LABELS = {
    "name": QT_TRANSLATE_NOOP("Settings", "Organisation"),
    "signer": QT_TRANSLATE_NOOP("Settings", "Usual signer (name)"),
    "email": QT_TRANSLATE_NOOP("Settings", "Email"),
    "phone": QT_TRANSLATE_NOOP("Settings", "Phone"),
    "address": QT_TRANSLATE_NOOP("Settings", "Postal address"),
    "authority": QT_TRANSLATE_NOOP("Settings", "Authority to act for clients"),
}


def _row(*widgets: QWidget) -> QWidget:
    box = QWidget()
    layout = QHBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    for w in widgets:
        layout.addWidget(w)
    return box


class SettingsDialog(QDialog):
    applied = Signal()

    def __init__(self, ctx: AppContext, local: LocalConfig, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.local = local
        #: the thresholds as stored (None until loaded, or when the stored ones were invalid)
        self._thresholds_loaded: Thresholds | None = None
        self.setWindowTitle(self.tr("Settings"))
        self.resize(640, 480)
        layout = QVBoxLayout(self)
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName(self.tr("Settings sections"))
        layout.addWidget(self.tabs)
        self._general()
        self._analysis()
        self._clinic()
        self._signing()
        self.message = plain_label(name=self.tr("Settings message"))
        layout.addWidget(self.message)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        for b in buttons.buttons():
            b.setAccessibleName(b.text().replace("&", ""))
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.load()

    # -- sections --

    def _general(self) -> None:
        page = QWidget()
        form = QFormLayout(page)
        self.vault_dir = QLineEdit(self.local.vault_dir)
        self.vault_dir.setAccessibleName(self.tr("Vault folder"))
        self.vault_dir.setPlaceholderText(str(self.local.effective_vault_dir()))
        form.addRow(
            self.tr("Vault folder"),
            _row(
                self.vault_dir,
                button(
                    self.tr("Choose..."), self._choose_vault, name=self.tr("Choose vault folder")
                ),
            ),
        )
        form.addRow("", plain_label(self.tr("A new vault folder is used after the next lock.")))
        self.auto_lock = QSpinBox()
        self.auto_lock.setRange(0, 240)
        self.auto_lock.setSuffix(self.tr(" min"))
        self.auto_lock.setSpecialValueText(self.tr("never"))
        self.auto_lock.setAccessibleName(self.tr("Lock after minutes without use"))
        form.addRow(self.tr("Lock after (no use)"), self.auto_lock)
        self.preview_mode = QComboBox()
        self.preview_mode.addItem(self.tr("Blurred picture"), "blur")
        self.preview_mode.addItem(self.tr("Face only (blurred when no face)"), "face")
        self.preview_mode.setAccessibleName(self.tr("Preview style"))
        form.addRow(self.tr("Previews"), self.preview_mode)
        self.greyscale = checkbox(self.tr("Show every picture in greyscale"))
        form.addRow("", self.greyscale)
        self.color_scheme = QComboBox()
        self.color_scheme.addItem(self.tr("Same as this computer"), "system")
        self.color_scheme.addItem(self.tr("Light"), "light")
        self.color_scheme.addItem(self.tr("Dark"), "dark")
        self.color_scheme.setAccessibleName(self.tr("Light or dark look"))
        self.color_scheme.setCurrentIndex(max(0, self.color_scheme.findData(self.ctx.color_scheme)))
        form.addRow(self.tr("Look"), self.color_scheme)
        self.reveal_seconds = QSpinBox()
        self.reveal_seconds.setRange(3, 120)
        self.reveal_seconds.setSuffix(self.tr(" s"))
        self.reveal_seconds.setAccessibleName(self.tr("Reveal time in seconds"))
        form.addRow(self.tr("A revealed picture blurs again after"), self.reveal_seconds)
        self.tabs.addTab(page, self.tr("General"))

    def _analysis(self) -> None:
        page = QWidget()
        form = QFormLayout(page)
        self.models_dir = QLineEdit(self.local.models_dir)
        self.models_dir.setAccessibleName(self.tr("Model folder"))
        form.addRow(
            self.tr("Extra model folder"),
            _row(
                self.models_dir,
                button(
                    self.tr("Choose..."), self._choose_models, name=self.tr("Choose model folder")
                ),
            ),
        )
        self.provider = plain_label(
            self.tr("Checking..."), name=self.tr("Where picture checks run")
        )
        self.provider_details = QPlainTextEdit()
        self.provider_details.setReadOnly(True)
        self.provider_details.setAccessibleName(self.tr("Technical details of the picture checks"))
        self.provider_details.setMaximumHeight(
            self.provider_details.fontMetrics().lineSpacing() * 7
        )
        self.provider_details.setVisible(False)
        self.provider_details_button = button(
            self.tr("Details"),
            lambda: self.provider_details.setVisible(not self.provider_details.isVisible()),
            tip=self.tr("Show the technical details (for IT support)."),
            name=self.tr("Show technical details of the picture checks"),
        )
        form.addRow(self.tr("Picture checks"), _row(self.provider, self.provider_details_button))
        form.addRow("", self.provider_details)
        self.pdq = QSpinBox()
        self.pdq.setRange(*PDQ_RANGE)
        self.pdq.setAccessibleName(self.tr("Same-picture hash distance (PDQ)"))
        form.addRow(self.tr("Same picture if PDQ distance is at most"), self.pdq)
        self.face = QDoubleSpinBox()
        self.face.setRange(*FACE_RANGE)
        self.face.setSingleStep(0.01)
        self.face.setDecimals(2)
        self.face.setAccessibleName(self.tr("Face match similarity"))
        form.addRow(self.tr("Same face if similarity is at least"), self.face)
        self.defaults_button = button(self.tr("Restore default thresholds"), self.restore_defaults)
        form.addRow("", self.defaults_button)
        form.addRow(
            "",
            plain_label(
                self.tr(
                    "The defaults are the values the methods were tested with. A looser "
                    "threshold finds more, and more wrong matches."
                )
            ),
        )
        self.tabs.addTab(page, self.tr("Analysis"))

    def _clinic(self) -> None:
        page = QWidget()
        form = QFormLayout(page)
        self.clinic_fields: dict[str, QLineEdit] = {}
        self._clinic_loaded: dict[str, str] | None = None
        self.clinic_service = load_service(REQUESTS, "get_clinic", "set_clinic", "CLINIC_FIELDS")
        if self.clinic_service is None:
            form.addRow(
                plain_label(
                    self.tr(
                        "Letters are not installed in this build, so there are no clinic "
                        "details to enter."
                    )
                )
            )
        else:
            form.addRow(
                plain_label(
                    self.tr(
                        "Shown on every letter as the sender and contact, unless changed "
                        "for one letter."
                    )
                )
            )
            for key in self.clinic_service.CLINIC_FIELDS:
                edit = QLineEdit()
                label = translate("Settings", CLINIC_LABELS.get(key, key))
                edit.setAccessibleName(label)
                form.addRow(label, edit)
                self.clinic_fields[key] = edit
        self.tabs.addTab(page, self.tr("Clinic"))

    def _signing(self) -> None:
        page = QWidget()
        form = QFormLayout(page)
        self.packets = load_service(
            PACKETS, "configure_signing", "signing_status", "signing_key_info"
        )
        self.manifest_key = plain_label(name=self.tr("Packet signing key fingerprint"))
        form.addRow(self.tr("Manifest signing key"), self.manifest_key)
        form.addRow(
            "",
            plain_label(
                self.tr(
                    "Every packet's manifests are signed with this vault's own key. Publish "
                    "its fingerprint so recipients can check packets with verify_packet.py."
                )
            ),
        )
        self.signing_status = plain_label(name=self.tr("Signing status"))
        form.addRow(self.tr("PDF certificate"), self.signing_status)
        self.cert_path = QLineEdit()
        self.cert_path.setAccessibleName(self.tr("Certificate file (.p12 or .pfx)"))
        form.addRow(
            self.tr("Certificate file"),
            _row(
                self.cert_path,
                button(self.tr("Choose..."), self._choose_cert, name=self.tr("Choose certificate")),
            ),
        )
        self.cert_pass = QLineEdit()
        self.cert_pass.setEchoMode(QLineEdit.EchoMode.Password)
        self.cert_pass.setAccessibleName(self.tr("Certificate passphrase"))
        form.addRow(self.tr("Certificate passphrase"), self.cert_pass)
        self.sign_reason = QLineEdit()
        self.sign_reason.setAccessibleName(self.tr("Signing reason"))
        form.addRow(self.tr("Reason shown in the signature"), self.sign_reason)
        self.use_cert_button = button(self.tr("Use this certificate"), self.use_certificate)
        self.clear_cert_button = button(self.tr("Stop signing packets"), self.clear_certificate)
        form.addRow("", _row(self.use_cert_button, self.clear_cert_button))
        if self.packets is None:
            self.signing_status.setText(
                self.tr("Evidence packets are not installed in this build.")
            )
            for w in (
                self.cert_path,
                self.cert_pass,
                self.sign_reason,
                self.use_cert_button,
                self.clear_cert_button,
            ):
                w.setEnabled(False)
        self.tabs.addTab(page, self.tr("Signing"))

    # -- loading and saving --

    def load(self) -> None:
        packets, clinic = self.packets, self.clinic_service

        def read(vault: Vault) -> tuple[Preferences, Thresholds, Any, dict[str, str]]:
            status = packets.signing_status(vault) if packets else None
            details = clinic.get_clinic(vault) if clinic else {}
            return load_preferences(vault), load_thresholds(vault), status, details

        self.ctx.read(read, self._loaded, owner=self)
        if packets is not None:
            self.ctx.read(
                lambda vault: packets.signing_key_info(vault).fingerprint,
                self.manifest_key.setText,
                owner=self,
            )
        self._show_provider()

    def _show_provider(self) -> None:
        from ncii_desk.gui import workers

        label = self.provider
        workers.start(
            lambda _job: analysis_hardware(),
            self._show_hardware,
            lambda e: label.setText(error_text(e)) if workers.alive(label) else None,
        )

    def _show_hardware(self, report: HardwareReport) -> None:
        from ncii_desk.gui import workers

        if not workers.alive(self.provider):
            return
        self.provider.setText(report.summary)
        self.provider_details.setPlainText(report.details)

    def _loaded(self, result: tuple[Preferences, Thresholds, Any, dict[str, str]]) -> None:
        prefs, thresholds, status, clinic = result
        self._clinic_loaded = dict(clinic)
        for key, edit in self.clinic_fields.items():
            edit.setText(clinic.get(key, ""))
        self.auto_lock.setValue(prefs.auto_lock_minutes)
        self.greyscale.setChecked(prefs.greyscale)
        self.preview_mode.setCurrentIndex(max(0, self.preview_mode.findData(prefs.preview)))
        self.reveal_seconds.setValue(prefs.reveal_seconds)
        self.pdq.setValue(thresholds.pdq_distance)
        self.face.setValue(thresholds.face_similarity)
        self._thresholds_loaded = None if thresholds.warnings else thresholds
        if thresholds.warnings:
            self.message.setText("\n".join(thresholds.warnings))
        self._show_signing(status)

    def _show_signing(self, status: dict[str, Any] | None) -> None:
        if self.packets is None:
            return
        if not status:
            self.signing_status.setText(self.tr("Packets are not signed."))
            self.clear_cert_button.setEnabled(False)
            return
        signer = status.get("signer") or {}
        self.signing_status.setText(
            self.tr("Packets are signed as: {subject}").format(subject=signer.get("subject", "?"))
        )
        self.clear_cert_button.setEnabled(True)

    def restore_defaults(self) -> None:
        d = Thresholds.defaults()
        self.pdq.setValue(d.pdq_distance)
        self.face.setValue(d.face_similarity)

    def preferences(self) -> Preferences:
        return Preferences(
            auto_lock_minutes=self.auto_lock.value(),
            greyscale=self.greyscale.isChecked(),
            preview=str(self.preview_mode.currentData()),
            reveal_seconds=self.reveal_seconds.value(),
        )

    def thresholds(self) -> Thresholds:
        return Thresholds(pdq_distance=self.pdq.value(), face_similarity=self.face.value())

    def save(self) -> None:
        self.local.vault_dir = self.vault_dir.text().strip()
        self.local.models_dir = self.models_dir.text().strip()
        try:
            self.local.save()
        except OSError as exc:
            self.message.setText(
                self.tr("The settings file could not be written: {why}").format(why=exc.strerror)
            )
            return
        self.local.apply_models_dir()
        prefs, thresholds = self.preferences(), self.thresholds()
        clinic = self._clinic_values()

        thresholds_changed = thresholds != self._thresholds_loaded
        scheme = str(self.color_scheme.currentData())
        scheme_changed = scheme != self.ctx.color_scheme

        def write(vault: Vault) -> None:
            save_preferences(vault, prefs)
            if scheme_changed:
                set_color_scheme(vault, scheme)
            if thresholds_changed:  # each change is an audit event; no event for no change
                save_thresholds(vault, thresholds)
            if clinic is not None:
                clinic[0](vault, clinic[1])

        def done(_r: object) -> None:
            self.ctx.preferences = prefs
            self.ctx.thresholds = thresholds
            self.ctx.color_scheme = scheme
            self.ctx.preferences_changed.emit()
            self.applied.emit()
            self.accept()

        self.message.setText(self.tr("Saving..."))
        self.ctx.read(write, done, lambda e: self.message.setText(error_text(e)), owner=self)

    def _clinic_values(self) -> tuple[Callable[[Vault, Any], None], Any] | None:
        service = self.clinic_service
        if service is None:
            return None
        values = {key: edit.text() for key, edit in self.clinic_fields.items()}
        if values == self._clinic_loaded:
            return None
        return (lambda vault, v: service.set_clinic(vault, **v)), values

    # -- pickers and signing --

    def _choose_vault(self) -> None:
        folder = pick_folder(self, self.tr("Choose the vault folder"))
        if folder is not None:
            self.vault_dir.setText(str(folder))

    def _choose_models(self) -> None:
        folder = pick_folder(self, self.tr("Choose the model folder"))
        if folder is not None:
            self.models_dir.setText(str(folder))

    def _choose_cert(self) -> None:
        files = pick_files(self, self.tr("Choose the clinic certificate (.p12 or .pfx)"))
        if files:
            self.cert_path.setText(str(files[0]))

    def use_certificate(self) -> None:
        packets = self.packets
        path = Path(self.cert_path.text().strip()).expanduser()
        passphrase = self.cert_pass.text() or None
        reason = self.sign_reason.text().strip()
        if packets is None or not self.cert_path.text().strip():
            self.message.setText(self.tr("Choose the certificate file first."))
            return

        def configure(vault: Vault) -> Any:
            try:
                data = path.read_bytes()
            except OSError as exc:
                raise NciiDeskError(
                    translate("Settings", "The certificate file cannot be read: {why}.").format(
                        why=exc.strerror
                    ),
                    translate("Settings", "Choose the .p12 or .pfx file your clinic received."),
                ) from None
            packets.configure_signing(vault, data, passphrase, reason=reason)
            return packets.signing_status(vault)

        def done(status: Any) -> None:
            self.cert_pass.clear()
            self._show_signing(status)
            self.message.setText(self.tr("Packets will be signed with this certificate."))

        self.ctx.read(configure, done, lambda e: self.message.setText(error_text(e)), owner=self)

    def clear_certificate(self) -> None:
        packets = self.packets
        if packets is None:
            return
        self.ctx.read(
            lambda vault: packets.clear_signing(vault),
            lambda _r: self._show_signing(None),
            lambda e: self.message.setText(error_text(e)),
            owner=self,
        )
