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
    QTreeWidget,
    QTreeWidgetItem,
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
from ncii_desk.gui.optional import packets_missing, requests_missing
from ncii_desk.gui.tasks import Problem
from ncii_desk.i18n import said
from ncii_desk.services import clinic as clinic_service
from ncii_desk.services import validation
from ncii_desk.services.hardware import HardwareReport, analysis_hardware
from ncii_desk.services.settings import (
    EMBEDDER_CHOICES,
    FACE_RANGE,
    PDQ_RANGE,
    EmbedderChoice,
    check_operator_name,
    embedder_choice,
    operator_name,
    set_color_scheme,
    set_embedder,
    set_operator_name,
)
from ncii_desk.services.types import CaseStore

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
        self._passphrase()
        if clinic_service.is_clinic_store(ctx.vault):
            from ncii_desk.gui.clinic import ClinicMembersTab

            self.clinic_members = ClinicMembersTab(ctx)
            self.tabs.addTab(self.clinic_members, self.tr("Clinic members"))
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
        self._operator_loaded: str | None = None
        self.operator = QLineEdit()
        self.operator.setAccessibleName(self.tr("Your name"))
        self.operator.setPlaceholderText(self.tr("First name or initials"))
        self.operator.setToolTip(
            self.tr(
                'Shown in the activity log, as in "Sam added photo.jpg", for what you do from '
                "now on. Earlier entries keep the name they were recorded with."
            )
        )
        self.operator.setEnabled(False)  # until the name stored is read
        form.addRow(self.tr("&Your name"), self.operator)
        self.vault_dir = QLineEdit(self.local.vault_dir)
        self.vault_dir.setAccessibleName(self.tr("Vault folder"))
        self.vault_dir.setPlaceholderText(str(self.local.effective_vault_dir()))
        form.addRow(
            self.tr("Vault folder"),
            _row(
                self.vault_dir,
                button(
                    self.tr("&Choose..."), self._choose_vault, name=self.tr("Choose vault folder")
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
        self.language = QComboBox()
        self.language.addItem(self.tr("Same as this computer"), "system")
        self.language.addItem("English", "en")  # each language named in its own words
        self.language.addItem("Español", "es")
        self.language.setAccessibleName(self.tr("Language of NCII Desk"))
        self.language.setCurrentIndex(max(0, self.language.findData(self.local.language)))
        form.addRow(self.tr("Language"), self.language)
        form.addRow("", plain_label(self.tr("A new language is used from the next start.")))
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
                    self.tr("&Choose..."), self._choose_models, name=self.tr("Choose model folder")
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
            self.tr("&Details"),
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
        self._embedder_section(form)
        self.defaults_button = button(self.tr("&Restore default thresholds"), self.restore_defaults)
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
        self._validations(form)
        self.tabs.addTab(page, self.tr("Analysis"))

    def _embedder_section(self, form: QFormLayout) -> None:
        """The face comparison model, stored in the vault (services.settings.set_embedder)."""
        #: the vault's stored choice as loaded ("" = the default; None until loaded)
        self._embedder_loaded: str | None = None
        self.embedder = QComboBox()
        self.embedder.setAccessibleName(self.tr("Face comparison model"))
        self.embedder.addItem(
            self.tr("dlib ResNet (default, comes with NCII Desk)"), EMBEDDER_CHOICES[0]
        )
        self.embedder.addItem(
            self.tr("MobileFaceNet (wider margin on our test photos; you install it)"),
            EMBEDDER_CHOICES[1],
        )
        form.addRow(self.tr("Face comparison model"), self.embedder)
        self.embedder_note = plain_label(
            self.tr(
                "Faces are compared only with reference faces picked with the same model: "
                "after a change, single-face reference photos are picked again automatically "
                "at the next analysis, and photos with several faces must be picked again by "
                "hand. Earlier results stay stored."
            ),
            name=self.tr("What changes with the face comparison model"),
        )
        self.embedder_note.setWordWrap(True)
        form.addRow("", self.embedder_note)
        self.embedder_override = plain_label(name=self.tr("Face comparison model in use"))
        self.embedder_override.setWordWrap(True)
        form.addRow("", self.embedder_override)

    def _show_embedder(self, choice: EmbedderChoice) -> None:
        self._embedder_loaded = choice.stored or ""
        stored = choice.stored or EMBEDDER_CHOICES[0]
        self.embedder.setCurrentIndex(max(0, self.embedder.findData(stored)))
        if choice.source in ("command line", "environment"):
            self.embedder_override.setText(
                self.tr(
                    "This computer overrides the setting: analysis uses {name} (set by "
                    "NCII_DESK_FACE_EMBEDDER or --embedder)."
                ).format(name=choice.name)
            )
        else:
            self.embedder_override.setText("")

    def chosen_embedder(self) -> str:
        return str(self.embedder.currentData())

    def _validations(self, form: QFormLayout) -> None:
        """Validation records per classifier, and an evaluation run on two folders."""
        form.addRow(
            "",
            plain_label(
                self.tr(
                    "Classifier validation: a manipulation classifier's score counts as a "
                    "finding only after it reached ROC AUC {auc} on at least {n} labelled "
                    "pictures of the kind it is used on. Measure it on your own pictures "
                    "below."
                ).format(auc=validation.MIN_VALIDATED_AUC, n=validation.MIN_VALIDATED_IMAGES)
            ),
        )
        self.validations = QTreeWidget()
        self.validations.setAccessibleName(self.tr("Classifier validation records"))
        self.validations.setRootIsDecorated(False)
        self.validations.setHeaderLabels(
            [
                self.tr("Classifier"),
                self.tr("Date"),
                self.tr("Pictures"),
                self.tr("ROC AUC [95 % interval]"),
                self.tr("Meets the minimum"),
                self.tr("Pictures of"),
            ]
        )
        self.validations.setMinimumHeight(110)
        form.addRow(self.tr("Validation records"), self.validations)
        self.eval_model = QComboBox()
        self.eval_model.setAccessibleName(self.tr("Classifier to evaluate"))
        for name in validation.classifier_choices():
            self.eval_model.addItem(name, name)
        self.eval_domain = QLineEdit()
        self.eval_domain.setAccessibleName(self.tr("What the labelled pictures are"))
        self.eval_domain.setPlaceholderText(self.tr("e.g. face-swap video frames from phones"))
        self.eval_save = checkbox(self.tr("Save the result as the classifier's validation record"))
        self.eval_save.setChecked(True)
        self.eval_button = button(
            self.tr("&Evaluate with two folders..."),
            self._choose_evaluation_folders,
            tip=self.tr(
                "Pick a folder of real pictures, then a folder of manipulated ones. The "
                "classifier scores each picture in the background."
            ),
        )
        form.addRow(self.tr("Classifier"), _row(self.eval_model, self.eval_button))
        form.addRow(self.tr("The pictures are"), self.eval_domain)
        form.addRow("", self.eval_save)
        self.eval_result = plain_label(name=self.tr("Evaluation result"))
        form.addRow("", self.eval_result)

    def _show_validations(self, records: list[validation.ValidationRecord]) -> None:
        self.validations.clear()
        yes, no = self.tr("yes"), self.tr("no")
        for r in records:
            lo, hi = r.record.get("auc_ci95", [0.0, 0.0])
            meets = yes if r.meets_minimum else no
            if not r.intact:
                meets = self.tr("not used: {why}").format(why=r.problem)
            QTreeWidgetItem(
                self.validations,
                [
                    r.model,
                    str(r.record.get("date", ""))[:10],
                    str(r.images),
                    f"{float(r.record.get('auc', 0.0)):.3f} [{lo:.3f}\u2013{hi:.3f}]",
                    meets,
                    str(r.record.get("domain", "")),
                ],
            )

    def _load_validations(self) -> None:
        self.ctx.read(validation.list_records, self._show_validations, owner=self)

    def _choose_evaluation_folders(self) -> None:
        real = pick_folder(self, self.tr("Choose the folder of real pictures"))
        if real is None:
            return
        fake = pick_folder(self, self.tr("Choose the folder of manipulated pictures"))
        if fake is not None:
            self.run_evaluation(real, fake)

    def run_evaluation(self, real: Path, fake: Path) -> None:
        """Score both folders with the chosen classifier as a background task."""
        model = str(self.eval_model.currentData() or "")
        domain = self.eval_domain.text()
        save = self.eval_save.isChecked()
        if save and not domain.strip():
            self.eval_result.setText(
                self.tr(
                    "Say what kind of pictures the folders hold before saving: the record "
                    "counts only for pictures of that kind."
                )
            )
            return
        self.eval_result.setText(self.tr("Evaluating {m}...").format(m=model))

        def done(outcome: validation.EvaluationOutcome) -> None:
            r = outcome.report
            text = self.tr(
                "{m}: ROC AUC {auc:.3f} [{lo:.3f}\u2013{hi:.3f}] on {real} real and {fake} "
                "manipulated pictures; at {t:.2f}, {fp:.0%} of the real ones flagged and "
                "{fn:.0%} of the manipulated ones missed. {minimum}"
            ).format(
                m=r.model,
                auc=r.auc,
                lo=r.ci[0],
                hi=r.ci[1],
                real=r.n_real,
                fake=r.n_fake,
                t=r.threshold,
                fp=r.fp_rate,
                fn=r.fn_rate,
                minimum=r.minimum_words(),
            )
            self.eval_result.setText(text)
            self._load_validations()

        def problems(outcome: validation.EvaluationOutcome) -> list[Problem]:
            return [
                Problem(row.path, row.message, row.hint)
                for row in outcome.report.rows
                if row.status == "error"
            ]

        self.ctx.task(
            self.tr("Evaluating {m}").format(m=model),
            lambda vault, job: validation.evaluate_and_save(
                vault, model, real, fake, domain=domain, save=save, job=job
            ),
            on_done=done,
            on_failed=lambda e: self.eval_result.setText(error_text(e)),
            problems_of=problems,
            summary=lambda o: self.tr("ROC AUC {auc:.3f}").format(auc=o.report.auc),
            owner=self,
        )

    def _clinic(self) -> None:
        page = QWidget()
        form = QFormLayout(page)
        self.clinic_fields: dict[str, QLineEdit] = {}
        self._clinic_loaded: dict[str, str] | None = None
        self.clinic_missing = requests_missing()
        if self.clinic_missing is not None:
            form.addRow(
                plain_label(
                    self.tr(
                        "Letters are not installed in this build, so there are no clinic "
                        "details to enter."
                    )
                    + " "
                    + self.clinic_missing.message
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
            from ncii_desk.services.requests import CLINIC_FIELDS

            for key in CLINIC_FIELDS:
                edit = QLineEdit()
                label = translate("Settings", CLINIC_LABELS.get(key, key))
                edit.setAccessibleName(label)
                form.addRow(label, edit)
                self.clinic_fields[key] = edit
        self.tabs.addTab(page, self.tr("Clinic"))

    def _signing(self) -> None:
        page = QWidget()
        form = QFormLayout(page)
        self.packets_missing = packets_missing()
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
                button(
                    self.tr("&Choose..."), self._choose_cert, name=self.tr("Choose certificate")
                ),
            ),
        )
        self.cert_pass = QLineEdit()
        self.cert_pass.setEchoMode(QLineEdit.EchoMode.Password)
        self.cert_pass.setAccessibleName(self.tr("Certificate passphrase"))
        form.addRow(self.tr("Certificate passphrase"), self.cert_pass)
        self.sign_reason = QLineEdit()
        self.sign_reason.setAccessibleName(self.tr("Signing reason"))
        form.addRow(self.tr("Reason shown in the signature"), self.sign_reason)
        self.use_cert_button = button(self.tr("&Use this certificate"), self.use_certificate)
        self.clear_cert_button = button(self.tr("&Stop signing packets"), self.clear_certificate)
        form.addRow("", _row(self.use_cert_button, self.clear_cert_button))
        if self.packets_missing is not None:
            self.signing_status.setText(
                self.tr("Evidence packets are not installed in this build.")
                + " "
                + self.packets_missing.message
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

    def _passphrase(self) -> None:
        """Change the vault's passphrase (its own button; not part of Save)."""
        from ncii_desk.gui.passphrase import PassphraseChanger

        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(
            plain_label(
                self.tr(
                    "The passphrase unlocks the vault. Changing it does not change the "
                    "recovery key. A few unrelated words are strong and easy to remember."
                )
            )
        )
        self.passphrase_changer = PassphraseChanger(self.ctx, ask_current=True)
        layout.addWidget(self.passphrase_changer)
        layout.addStretch(1)
        self.tabs.addTab(page, self.tr("Passphrase"))

    # -- loading and saving --

    def load(self) -> None:
        signing = self.packets_missing is None
        clinic = self.clinic_missing is None

        def read(vault: CaseStore) -> tuple[Preferences, Thresholds, Any, dict[str, str]]:
            status: Any = None
            details: dict[str, str] = {}
            if signing:
                from ncii_desk.services import packets

                status = packets.signing_status(vault)
            if clinic:
                from ncii_desk.services import requests

                details = requests.get_clinic(vault)
            return load_preferences(vault), load_thresholds(vault), status, details

        self.ctx.read(read, self._loaded, owner=self)
        self.ctx.read(embedder_choice, self._show_embedder, owner=self)
        self.ctx.read(operator_name, self._show_operator, owner=self)
        if signing:
            from ncii_desk.services import packets

            self.ctx.read(
                lambda vault: packets.signing_key_info(vault).fingerprint,
                self.manifest_key.setText,
                owner=self,
            )
        self._show_provider()
        self._load_validations()

    def _show_operator(self, name: str) -> None:
        self._operator_loaded = name
        self.operator.setText(name)
        self.operator.setEnabled(True)

    def _operator_change(self) -> str | None:
        """The new name to store (checked), or None when it did not change."""
        if self._operator_loaded is None:
            return None
        typed = " ".join(self.operator.text().split())
        if typed == self._operator_loaded:
            return None
        return check_operator_name(typed)

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
        self.provider.setText(report.summary_in())
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
            self.message.setText("\n".join(said(w) for w in thresholds.warnings))
        self._show_signing(status)

    def _show_signing(self, status: dict[str, Any] | None) -> None:
        if self.packets_missing is not None:
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
        try:
            operator = self._operator_change()
        except NciiDeskError as error:  # an empty or overlong name: nothing is saved
            self.tabs.setCurrentIndex(0)
            self.operator.setFocus()
            self.message.setText(error_text(error))
            return
        self.local.vault_dir = self.vault_dir.text().strip()
        self.local.models_dir = self.models_dir.text().strip()
        self.local.language = str(self.language.currentData())
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
        embedder = self.chosen_embedder()
        # stored only when it changed (an audit event each); the default is stored as such
        embedder_changed = self._embedder_loaded is not None and embedder != (
            self._embedder_loaded or EMBEDDER_CHOICES[0]
        )
        scheme = str(self.color_scheme.currentData())
        scheme_changed = scheme != self.ctx.color_scheme

        def write(vault: CaseStore) -> None:
            if operator is not None:  # audited like every settings change
                set_operator_name(vault, operator)
            save_preferences(vault, prefs)
            if scheme_changed:
                set_color_scheme(vault, scheme)
            if thresholds_changed:  # each change is an audit event; no event for no change
                save_thresholds(vault, thresholds)
            if embedder_changed:
                set_embedder(vault, embedder)
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

    def _clinic_values(self) -> tuple[Callable[[CaseStore, Any], object], Any] | None:
        if self.clinic_missing is not None:
            return None
        from ncii_desk.services import requests as service

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
        path = Path(self.cert_path.text().strip()).expanduser()
        passphrase = self.cert_pass.text() or None
        reason = self.sign_reason.text().strip()
        if self.packets_missing is not None or not self.cert_path.text().strip():
            self.message.setText(self.tr("Choose the certificate file first."))
            return
        from ncii_desk.services import packets

        def configure(vault: CaseStore) -> Any:
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
        if self.packets_missing is not None:
            return
        from ncii_desk.services import packets

        self.ctx.read(
            lambda vault: packets.clear_signing(vault),
            lambda _r: self._show_signing(None),
            lambda e: self.message.setText(error_text(e)),
            owner=self,
        )
