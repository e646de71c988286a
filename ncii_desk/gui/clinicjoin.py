"""Joining a clinic and setting one up, from the unlock screen (issue 19: "from the CLI and
GUI").

* Join: the clinic's address, the shared files folder (when the clinic gives one), the
  advocate's name and a new passphrase (the vault's strength rule); then the member's
  recovery key, shown once with the same care as a new vault's; then "waiting to be
  admitted": the member id and key fingerprint in large groups to read out to a colleague
  by phone, and Check again, which opens the clinic's cases once a colleague admitted them.
  The passphrase is typed again for Check again: nothing secret is held while waiting.
* Set up (for the administrator): database address, blob folder, clinic name, the first
  member's name and passphrase; then the recovery key, then the fingerprint and the address
  to give colleagues, then the clinic's cases.

Every step goes through :mod:`ncii_desk.services.clinic` on a worker thread; this computer
remembers the clinic (address, member id, folder; no name, no key) as the clinic page does.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ncii_desk.errors import NciiDeskError
from ncii_desk.gui import workers
from ncii_desk.gui.common import (
    button,
    error_text,
    heading,
    pick_folder,
    plain_label,
    subheading,
    translate,
)
from ncii_desk.gui.passphrase import PassphraseEdit, passphrase_strength
from ncii_desk.services import clinic as clinic_service
from ncii_desk.services import vaults
from ncii_desk.services.jobs import Job
from ncii_desk.services.types import CaseStore

ADDRESS_EXAMPLE = "postgresql://user@server:5432/clinic"


def grouped(text: str, size: int = 4, per_line: int = 4) -> str:
    """``text`` (a fingerprint or member id) as groups of ``size`` characters, ``per_line``
    groups a line, easy to read out and compare."""
    plain = "".join(ch for ch in text if ch.isalnum())
    groups = [plain[i : i + size] for i in range(0, len(plain), size)]
    return "\n".join(" ".join(groups[i : i + per_line]) for i in range(0, len(groups), per_line))


def _line(name: str, placeholder: str = "") -> QLineEdit:
    edit = QLineEdit()
    edit.setAccessibleName(name)
    if placeholder:
        edit.setPlaceholderText(placeholder)
    return edit


def _big(text: str, name: str) -> QLabel:
    label = plain_label(text, wrap=False, name=name)
    mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    mono.setPointSizeF(mono.pointSizeF() * 1.8)
    mono.setBold(True)
    label.setFont(mono)
    return label


class MemberKey(QWidget):
    """A member id and key fingerprint in large grouped characters."""

    def __init__(self) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(subheading(self.tr("Member id")))
        self.member_id = _big("", self.tr("Member id"))
        layout.addWidget(self.member_id)
        layout.addWidget(subheading(self.tr("Key fingerprint")))
        self.fingerprint = _big("", self.tr("Key fingerprint"))
        layout.addWidget(self.fingerprint)

    def show_key(self, member_id: str, fingerprint: str) -> None:
        self.member_id.setText(grouped(member_id, per_line=8))
        self.fingerprint.setText(grouped(fingerprint))


class _PassphraseForm:
    """A new passphrase twice with the vault's strength feedback."""

    def __init__(self, form: QFormLayout, name: str) -> None:
        self.passphrase = PassphraseEdit(name)
        self.again = PassphraseEdit(translate("ClinicJoin", "Type the passphrase again"))
        self.strength = plain_label(name=translate("ClinicJoin", "Passphrase strength"))
        form.addRow(translate("ClinicJoin", "Passphrase"), self.passphrase.field())
        form.addRow(translate("ClinicJoin", "Again"), self.again.field())
        form.addRow("", self.strength)
        self.passphrase.textChanged.connect(
            lambda text: self.strength.setText(passphrase_strength(text)[0])
        )

    def problem(self) -> str | None:
        feedback, ok = passphrase_strength(self.passphrase.text())
        if not ok:
            return feedback
        if self.passphrase.text() != self.again.text():
            return translate("ClinicJoin", "The two passphrases are not the same.")
        return None

    def clear(self) -> None:
        self.passphrase.clear()
        self.again.clear()
        self.strength.clear()


class _WorkPage(QWidget):
    """A page with a form, a busy bar and a message line, whose work runs on a worker."""

    def __init__(self) -> None:
        super().__init__()
        self._worker: workers.Worker | None = None
        self._abandoned = False
        self.layout_ = QVBoxLayout(self)
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setVisible(False)
        # translate(): a subclass's self.tr would look in the subclass's context
        self.busy.setAccessibleName(translate("ClinicJoin", "Working"))
        self.message = plain_label(name=translate("ClinicJoin", "Message"))

    def finish_layout(self) -> None:
        self.layout_.addWidget(self.busy)
        self.layout_.addWidget(self.message)
        self.layout_.addStretch(1)

    def controls(self) -> list[QWidget]:
        return []

    def _busy(self, on: bool) -> None:
        self.busy.setVisible(on)
        for w in self.controls():
            w.setEnabled(not on)

    def start(self, fn: Callable[[Job], Any], done: Callable[[Any], None]) -> None:
        self._busy(True)

        def finished(result: object) -> None:
            self._worker = None
            if self._abandoned:  # an opened store nobody will use: close it
                for item in result if isinstance(result, tuple) else (result,):
                    close = getattr(item, "close", None)
                    if callable(close):
                        close()
                return
            self._busy(False)
            done(result)

        self._worker = workers.start(fn, finished, self._failed)

    def _failed(self, error: NciiDeskError) -> None:
        self._worker = None
        if self._abandoned:
            return
        self._busy(False)
        self.message.setText(error_text(error))

    def abandon(self) -> None:
        self._abandoned = True


class ClinicJoinPage(_WorkPage):
    """Join a clinic: address, shared files folder, name and a new passphrase."""

    def __init__(
        self,
        on_joined: Callable[[dict[str, Any], str, Path | None], None],
        on_back: Callable[[], None],
        tune: Callable[[], Any],
    ) -> None:
        super().__init__()
        self._tune = tune
        self._on_joined = on_joined
        layout = self.layout_
        layout.addWidget(heading(self.tr("Join your clinic")))
        layout.addWidget(
            plain_label(
                self.tr(
                    "Your clinic's administrator gives you the clinic's address, and the "
                    "shared files folder if your clinic uses one. Choose a passphrase of your "
                    "own: nobody else learns it. A colleague who is already a member then "
                    "admits you, after you read your key's fingerprint to them by phone."
                )
            )
        )
        form = QFormLayout()
        self.address = _line(self.tr("Clinic address"), ADDRESS_EXAMPLE)
        form.addRow(self.tr("Clinic address"), self.address)
        folder_row = QHBoxLayout()
        self.blobs = _line(
            self.tr("Shared files folder"), self.tr("Leave empty unless your clinic gave one")
        )
        self.blobs_button = button(
            self.tr("Ch&oose..."),
            self.choose_folder,
            name=self.tr("Choose the shared files folder"),
        )
        folder_row.addWidget(self.blobs, 1)
        folder_row.addWidget(self.blobs_button)
        form.addRow(self.tr("Shared files folder"), folder_row)
        self.name = _line(self.tr("Your name"), self.tr("As your colleagues know you"))
        form.addRow(self.tr("Your name"), self.name)
        self.secret = _PassphraseForm(form, self.tr("Your new passphrase"))
        layout.addLayout(form)
        row = QHBoxLayout()
        self.join_button = button(self.tr("&Join the clinic"), self.submit)
        self.join_button.setDefault(True)
        self.back_button = button(self.tr("&Back"), on_back)
        row.addWidget(self.join_button)
        row.addWidget(self.back_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.finish_layout()

    def controls(self) -> list[QWidget]:
        return [
            self.join_button,
            self.back_button,
            self.blobs_button,
            self.address,
            self.blobs,
            self.name,
            self.secret.passphrase,
            self.secret.again,
        ]

    def fill_from_profile(self) -> None:
        profile = clinic_service.last_profile()
        if profile is not None and not self.address.text():
            self.address.setText(profile.url)

    def choose_folder(self) -> None:
        folder = pick_folder(self, self.tr("Choose the clinic's shared files folder"))
        if folder is not None:
            self.blobs.setText(str(folder))

    def submit(self) -> None:
        if self._worker is not None:
            return
        address = self.address.text().strip()
        name = self.name.text().strip()
        if not clinic_service.is_clinic_address(address):
            self.message.setText(
                self.tr("A clinic address starts with postgresql:// (ask your clinic for it).")
            )
            self.address.setFocus()
            return
        if not name:
            self.message.setText(self.tr("Give your name, as your colleagues know you."))
            self.name.setFocus()
            return
        problem = self.secret.problem()
        if problem:
            self.message.setText(problem)
            self.secret.passphrase.setFocus()
            return
        secret = self.secret.passphrase.text()
        blobs = Path(self.blobs.text().strip()) if self.blobs.text().strip() else None
        self.message.setText(self.tr("Making your member key (a few seconds)..."))

        def join(_job: Job) -> dict[str, Any]:
            return clinic_service.join_clinic_here(
                address, name, secret, blobs_dir=blobs, kdf=self._tune()
            )

        self.start(join, lambda joined: self._joined(joined, address, blobs))

    def _joined(self, joined: dict[str, Any], address: str, blobs: Path | None) -> None:
        self.secret.clear()
        self.message.clear()
        self._on_joined(joined, address, blobs)

    def abandon(self) -> None:
        super().abandon()
        self.secret.clear()


class ClinicWaitPage(_WorkPage):
    """After joining: the key to read out by phone, and Check again."""

    def __init__(self, on_open: Callable[[CaseStore], None], on_back: Callable[[], None]) -> None:
        super().__init__()
        self._on_open = on_open
        self._address = ""
        self._member_id = ""
        self._blobs: Path | None = None
        layout = self.layout_
        layout.addWidget(heading(self.tr("Waiting to be admitted")))
        self.clinic = plain_label(name=self.tr("Clinic"))
        layout.addWidget(self.clinic)
        layout.addWidget(
            plain_label(
                self.tr(
                    "Read this out to a colleague who is already a member, by phone: your "
                    "member id and your key fingerprint below. Do not send them by e-mail or "
                    "chat. Your colleague admits you in Settings, Clinic members, only if "
                    "every character matches."
                )
            )
        )
        self.key = MemberKey()
        layout.addWidget(self.key)
        layout.addWidget(
            plain_label(
                self.tr(
                    "When your colleague says you are admitted, type your passphrase and "
                    "press Check again. You can also close NCII Desk and open the clinic "
                    "later: this computer remembers it."
                )
            )
        )
        form = QFormLayout()
        self.passphrase = PassphraseEdit(self.tr("Your passphrase"))
        form.addRow(self.tr("Passphrase"), self.passphrase.field())
        layout.addLayout(form)
        row = QHBoxLayout()
        self.check_button = button(self.tr("Check &again"), self.check)
        self.check_button.setDefault(True)
        self.back_button = button(self.tr("&Back"), on_back)
        row.addWidget(self.check_button)
        row.addWidget(self.back_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.passphrase.returnPressed.connect(self.check)
        self.finish_layout()

    def controls(self) -> list[QWidget]:
        return [self.check_button, self.back_button, self.passphrase]

    def show_member(self, joined: dict[str, Any], address: str, blobs: Path | None) -> None:
        self._address = address
        self._member_id = str(joined["member_id"])
        self._blobs = blobs
        self.clinic.setText(self.tr("Clinic: {name}").format(name=joined.get("clinic_name") or "-"))
        self.key.show_key(self._member_id, str(joined["fingerprint"]))
        self.passphrase.clear()
        self.message.clear()

    def check(self) -> None:
        if self._worker is not None:
            return
        secret = self.passphrase.text()
        if not secret:
            self.message.setText(self.tr("Type your passphrase first."))
            self.passphrase.setFocus()
            return
        address, member, blobs = self._address, self._member_id, self._blobs
        self.message.setText(self.tr("Checking..."))

        def open_it(_job: Job) -> CaseStore:
            return vaults.open_store(address, member=member, passphrase=secret, blobs_dir=blobs)

        self.start(open_it, self._opened)

    def _opened(self, store: CaseStore) -> None:
        self.passphrase.clear()
        self.message.clear()
        self._on_open(store)

    def _failed(self, error: NciiDeskError) -> None:
        if not self._abandoned and clinic_service.waiting_to_be_admitted(error):
            self._worker = None
            self._busy(False)
            self.message.setText(
                self.tr(
                    "Not admitted yet. Call a colleague who is a member, read them your "
                    "member id and fingerprint, and press Check again once they admitted you."
                )
            )
            return
        super()._failed(error)
        self.passphrase.selectAll()
        self.passphrase.setFocus()

    def abandon(self) -> None:
        super().abandon()
        self.passphrase.clear()


class ClinicSetupPage(_WorkPage):
    """Set up a new clinic (the administrator): database, blob folder, names, passphrase."""

    def __init__(
        self,
        on_done: Callable[[CaseStore, dict[str, Any]], None],
        on_back: Callable[[], None],
        tune: Callable[[], Any],
    ) -> None:
        super().__init__()
        self._tune = tune
        self._on_done = on_done
        layout = self.layout_
        layout.addWidget(heading(self.tr("Set up a new clinic")))
        layout.addWidget(
            plain_label(
                self.tr(
                    "For the person who runs the clinic's server. You need an empty "
                    "PostgreSQL database and a folder for the clinic's encrypted files that "
                    "every member's computer can reach. You become the clinic's first member; "
                    "colleagues then join and you admit them in Settings."
                )
            )
        )
        form = QFormLayout()
        self.address = _line(self.tr("Database address"), ADDRESS_EXAMPLE)
        form.addRow(self.tr("Database address"), self.address)
        folder_row = QHBoxLayout()
        self.blobs = _line(self.tr("Encrypted files folder"))
        self.blobs_button = button(
            self.tr("Ch&oose..."), self.choose_folder, name=self.tr("Choose the files folder")
        )
        folder_row.addWidget(self.blobs, 1)
        folder_row.addWidget(self.blobs_button)
        form.addRow(self.tr("Encrypted files folder"), folder_row)
        self.clinic_name = _line(self.tr("Clinic name"))
        form.addRow(self.tr("Clinic name"), self.clinic_name)
        self.name = _line(self.tr("Your name"), self.tr("As your colleagues know you"))
        form.addRow(self.tr("Your name"), self.name)
        self.secret = _PassphraseForm(form, self.tr("Your new passphrase"))
        layout.addLayout(form)
        row = QHBoxLayout()
        self.setup_button = button(self.tr("&Set up the clinic"), self.submit)
        self.setup_button.setDefault(True)
        self.back_button = button(self.tr("&Back"), on_back)
        row.addWidget(self.setup_button)
        row.addWidget(self.back_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.finish_layout()

    def controls(self) -> list[QWidget]:
        return [
            self.setup_button,
            self.back_button,
            self.blobs_button,
            self.address,
            self.blobs,
            self.clinic_name,
            self.name,
            self.secret.passphrase,
            self.secret.again,
        ]

    def choose_folder(self) -> None:
        folder = pick_folder(self, self.tr("Choose the folder for the clinic's encrypted files"))
        if folder is not None:
            self.blobs.setText(str(folder))

    def submit(self) -> None:
        if self._worker is not None:
            return
        address = self.address.text().strip()
        blobs_text = self.blobs.text().strip()
        clinic_name = self.clinic_name.text().strip()
        name = self.name.text().strip()
        if not clinic_service.is_clinic_address(address):
            self.message.setText(
                self.tr(
                    "A database address starts with postgresql:// (for example {example})."
                ).format(example=ADDRESS_EXAMPLE)
            )
            self.address.setFocus()
            return
        missing = [
            (self.blobs, self.tr("Choose the folder for the clinic's encrypted files."))
            if not blobs_text
            else None,
            (self.clinic_name, self.tr("Give the clinic a name.")) if not clinic_name else None,
            (self.name, self.tr("Give your name, as your colleagues know you."))
            if not name
            else None,
        ]
        for found in missing:
            if found is not None:
                self.message.setText(found[1])
                found[0].setFocus()
                return
        problem = self.secret.problem()
        if problem:
            self.message.setText(problem)
            self.secret.passphrase.setFocus()
            return
        secret = self.secret.passphrase.text()
        blobs = Path(blobs_text)
        self.message.setText(self.tr("Setting up the clinic (a few seconds)..."))

        def set_up(_job: Job) -> tuple[CaseStore, dict[str, Any]]:
            return clinic_service.set_up_clinic(
                address, blobs, clinic_name, name, secret, kdf=self._tune()
            )

        self.start(set_up, self._made)

    def _made(self, result: tuple[CaseStore, dict[str, Any]]) -> None:
        self.secret.clear()
        self.message.clear()
        self._on_done(*result)

    def abandon(self) -> None:
        super().abandon()
        self.secret.clear()


class ClinicReadyPage(QWidget):
    """After setting up: the first member's key and the address to give colleagues."""

    def __init__(self, on_continue: Callable[[], None]) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.addWidget(heading(self.tr("Your clinic is ready")))
        self.summary = plain_label(name=self.tr("Clinic"))
        layout.addWidget(self.summary)
        layout.addWidget(
            plain_label(
                self.tr(
                    "Give colleagues the address below. Each of them chooses Join a clinic "
                    "on the unlock screen, then reads their own member id and fingerprint "
                    "to you by phone; you admit them in Settings, Clinic members. Your own "
                    "key is shown here so a colleague can check it with you if they ask."
                )
            )
        )
        self.address = plain_label(name=self.tr("Address to give colleagues"))
        layout.addWidget(self.address)
        self.key = MemberKey()
        layout.addWidget(self.key)
        self.continue_button = button(self.tr("C&ontinue to the clinic's cases"), on_continue)
        self.continue_button.setDefault(True)
        layout.addWidget(self.continue_button)
        layout.addStretch(1)

    def show_clinic(self, made: dict[str, Any]) -> None:
        self.summary.setText(self.tr("Clinic: {name}").format(name=made.get("name") or "-"))
        self.address.setText(
            self.tr("Address to give colleagues: {address}").format(address=made["address"])
        )
        self.key.show_key(str(made["member_id"]), str(made["fingerprint"]))


class ClinicJoinFlow:
    """The join and set-up pages on the unlock screen's page stack, and the steps between
    them: form, recovery key (shown once), then waiting (join) or ready (set up)."""

    def __init__(
        self,
        pages: QStackedWidget,
        on_open: Callable[[CaseStore], None],
        on_back: Callable[[], None],
        *,
        recovery_page: Callable[..., Any],
        tune: Callable[[], Any],
    ) -> None:
        """``recovery_page`` makes the unlock screen's recovery-key page and ``tune`` gives
        Argon2id parameters for this computer, as for a new vault (both from the unlock
        screen, which builds on this module)."""
        self.pages = pages
        self._on_open = on_open
        self._pending: CaseStore | None = None
        self._after_recovery: Callable[[], None] = on_back
        self.join_page = ClinicJoinPage(self._joined, on_back, tune)
        self.wait_page = ClinicWaitPage(on_open, on_back)
        self.setup_page = ClinicSetupPage(self._set_up, on_back, tune)
        self.ready_page = ClinicReadyPage(self._continue_to_clinic)
        self.recovery_page: Any = recovery_page(
            lambda: self._after_recovery(),
            intro=translate(
                "ClinicJoin",
                "This key is shown only this once. It opens your clinic membership if you "
                "ever forget your passphrase. Print it or write it down, and keep it away "
                "from this computer (for example in a locked drawer). Anyone with the key can "
                "open the clinic's cases as you.",
            ),
            continue_text=translate("ClinicJoin", "C&ontinue"),
        )
        for page in (
            self.join_page,
            self.wait_page,
            self.setup_page,
            self.ready_page,
            self.recovery_page,
        ):
            pages.addWidget(page)

    def show_join(self) -> None:
        self.join_page.fill_from_profile()
        self.pages.setCurrentWidget(self.join_page)
        (
            self.join_page.name if self.join_page.address.text() else self.join_page.address
        ).setFocus()

    def show_setup(self) -> None:
        self.pages.setCurrentWidget(self.setup_page)
        self.setup_page.address.setFocus()

    def _show_recovery(self, key: str, then: Callable[[], None]) -> None:
        self._after_recovery = then
        self.recovery_page.show_key(key)
        self.pages.setCurrentWidget(self.recovery_page)
        self.recovery_page.confirm_group.setFocus()

    def _joined(self, joined: dict[str, Any], address: str, blobs: Path | None) -> None:
        def wait() -> None:
            self.wait_page.show_member(joined, address, blobs)
            self.pages.setCurrentWidget(self.wait_page)
            self.wait_page.passphrase.setFocus()

        self._show_recovery(str(joined["recovery_key"]), wait)

    def _set_up(self, store: CaseStore, made: dict[str, Any]) -> None:
        self._pending = store

        def ready() -> None:
            self.ready_page.show_clinic(made)
            self.pages.setCurrentWidget(self.ready_page)
            self.ready_page.continue_button.setFocus()

        self._show_recovery(str(made["recovery_key"]), ready)

    def _continue_to_clinic(self) -> None:
        store, self._pending = self._pending, None
        if store is not None:
            self._on_open(store)

    def abandon(self) -> None:
        for page in (self.join_page, self.wait_page, self.setup_page):
            page.abandon()
        self.recovery_page.clear()
        store, self._pending = self._pending, None
        if store is not None:
            store.close()
