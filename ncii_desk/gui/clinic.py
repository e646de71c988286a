"""A clinic's shared store in the window: the unlock screen's "Open a clinic's shared cases"
page, and the Settings tab with this computer's clinic profile and the members list (Admit
after comparing a newcomer's key fingerprint). Everything goes through the services; the
store is opened and read on worker threads."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QStandardItem
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from ncii_desk.errors import NciiDeskError
from ncii_desk.gui import workers
from ncii_desk.gui.common import (
    button,
    checkbox,
    error_text,
    heading,
    plain_label,
    row_table,
    subheading,
)
from ncii_desk.gui.context import AppContext
from ncii_desk.gui.passphrase import PassphraseEdit
from ncii_desk.services import clinic as clinic_service
from ncii_desk.services import vaults
from ncii_desk.services.jobs import Job
from ncii_desk.services.types import CaseStore

MEMBER_COLUMNS = ("Member", "Name", "Fingerprint", "Status")


def _line(name: str, placeholder: str = "") -> QLineEdit:
    edit = QLineEdit()
    edit.setAccessibleName(name)
    if placeholder:
        edit.setPlaceholderText(placeholder)
    return edit


class ClinicOpenPage(QWidget):
    """Address, member id and passphrase (or recovery key) of a clinic store; the profile
    this computer remembers fills them in."""

    def __init__(
        self,
        on_open: Callable[[CaseStore], None],
        on_back: Callable[[], None],
        *,
        on_join: Callable[[], None] | None = None,
        on_setup: Callable[[], None] | None = None,
    ) -> None:
        super().__init__()
        self._on_open = on_open
        self._worker: workers.Worker | None = None
        self._abandoned = False
        #: The last open used the recovery key (the window then asks for a new passphrase).
        self.used_recovery = False
        layout = QVBoxLayout(self)
        layout.addWidget(heading(self.tr("Open a clinic's shared cases")))
        layout.addWidget(
            plain_label(
                self.tr(
                    "Your clinic keeps its shared cases on its own server, encrypted with keys "
                    "only its members hold. Give the address your clinic gave you, your member "
                    "id and your member passphrase."
                )
            )
        )
        form = QFormLayout()
        self.address = _line(self.tr("Clinic address"), "postgresql://user@server:5432/clinic")
        self.member = _line(self.tr("Member id"))
        self.passphrase = PassphraseEdit(self.tr("Member passphrase"))
        self.use_recovery = checkbox(self.tr("Open with my recovery key instead"))
        self.use_recovery.toggled.connect(self.passphrase.set_shown)
        form.addRow(self.tr("Clinic address"), self.address)
        form.addRow(self.tr("Member id"), self.member)
        form.addRow(self.tr("Passphrase"), self.passphrase.field())
        form.addRow("", self.use_recovery)
        layout.addLayout(form)
        row = QHBoxLayout()
        self.open_button = button(self.tr("&Open clinic cases"), self.submit)
        self.open_button.setDefault(True)
        self.back_button = button(self.tr("&Back to this computer's vault"), on_back)
        row.addWidget(self.open_button)
        row.addWidget(self.back_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.passphrase.returnPressed.connect(self.submit)
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setVisible(False)
        self.busy.setAccessibleName(self.tr("Working"))
        layout.addWidget(self.busy)
        self.message = plain_label(name=self.tr("Message"))
        layout.addWidget(self.message)
        # Joining is for every advocate; setting up is for whoever runs the server (less
        # prominent, at the bottom).
        layout.addWidget(subheading(self.tr("Not a member yet?")))
        self.join_button = button(
            self.tr("&Join a clinic..."),
            on_join,
            tip=self.tr("Make your member key; a colleague who is a member admits you."),
        )
        join_row = QHBoxLayout()
        join_row.addWidget(self.join_button)
        join_row.addStretch(1)
        layout.addLayout(join_row)
        layout.addStretch(1)
        self.setup_button = button(
            self.tr("Set up a &new clinic..."),
            on_setup,
            tip=self.tr("For the person who runs the clinic's server: an empty database."),
        )
        self.setup_button.setFlat(True)
        setup_row = QHBoxLayout()
        setup_row.addStretch(1)
        setup_row.addWidget(self.setup_button)
        layout.addLayout(setup_row)
        self.join_button.setVisible(on_join is not None)
        self.setup_button.setVisible(on_setup is not None)
        self.fill_from_profile()

    def fill_from_profile(self) -> None:
        profile = clinic_service.last_profile()
        if profile is not None:
            self.address.setText(profile.url)
            self.member.setText(profile.member_id)

    def _busy(self, on: bool) -> None:
        self.busy.setVisible(on)
        for w in (self.open_button, self.back_button, self.address, self.member, self.passphrase):
            w.setEnabled(not on)

    def submit(self) -> None:
        if self._worker is not None:
            return
        address = self.address.text().strip()
        member = self.member.text().strip()
        secret = self.passphrase.text()
        if not address or not member or not secret:
            self.message.setText(
                self.tr("Give the clinic address, your member id and your passphrase.")
            )
            return
        if not clinic_service.is_clinic_address(address):
            self.message.setText(
                self.tr("A clinic address starts with postgresql:// (ask your clinic for it).")
            )
            return
        recovery = self.use_recovery.isChecked()
        self.used_recovery = recovery
        self.message.setText(self.tr("Opening the clinic's cases..."))
        self._busy(True)

        def open_it(_job: Job) -> CaseStore:
            if recovery:
                return vaults.open_store(address, member=member, recovery_key=secret)
            return vaults.open_store(address, member=member, passphrase=secret)

        self._worker = workers.start(open_it, self._opened, self._failed)

    def _opened(self, result: object) -> None:
        self._worker = None
        store: Any = result
        if self._abandoned:
            store.close()
            return
        self._busy(False)
        self.passphrase.clear()
        self.message.clear()
        self._on_open(store)

    def _failed(self, error: NciiDeskError) -> None:
        self._worker = None
        if self._abandoned:
            return
        self._busy(False)
        self.message.setText(error_text(error))
        self.passphrase.selectAll()
        self.passphrase.setFocus()

    def abandon(self) -> None:
        self._abandoned = True
        self.passphrase.clear()


class ClinicMembersTab(QWidget):
    """Settings: this computer's clinic profile and the clinic's members, with Admit."""

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        layout = QVBoxLayout(self)
        self.profile = plain_label(name=self.tr("Clinic profile"))
        layout.addWidget(self.profile)
        layout.addWidget(subheading(self.tr("Members")))
        self.model, self.table = row_table(
            "ClinicMembersTab", MEMBER_COLUMNS, self.tr("Clinic members")
        )
        layout.addWidget(self.table, 1)
        layout.addWidget(subheading(self.tr("Admit a new member")))
        layout.addWidget(
            plain_label(
                self.tr(
                    "Call the new member by phone and ask them to read out the fingerprint "
                    "NCII Desk showed them when they joined. Type it here: the member is "
                    "admitted only if it matches the key stored for them."
                )
            )
        )
        form = QFormLayout()
        self.admit_member = _line(self.tr("Member id to admit"))
        self.admit_fingerprint = _line(self.tr("Fingerprint they read out"), "ABCD-EFGH-...")
        form.addRow(self.tr("Member id"), self.admit_member)
        form.addRow(self.tr("Fingerprint"), self.admit_fingerprint)
        layout.addLayout(form)
        self.admit_button = button(self.tr("&Admit"), self.admit)
        layout.addWidget(self.admit_button)
        layout.addWidget(subheading(self.tr("Remove a member")))
        row = QHBoxLayout()
        self.remove_button = button(
            self.tr("&Remove from the clinic..."),
            self.remove,
            tip=self.tr("Choose the member in the list first."),
        )
        row.addWidget(self.remove_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.message = plain_label(name=self.tr("Members message"))
        layout.addWidget(self.message)
        self.members: list[dict[str, Any]] = []
        self.me: str | None = None
        self.table.selectionModel().selectionChanged.connect(self._picked)
        self.load()

    def load(self) -> None:
        def read(store: CaseStore) -> tuple[dict[str, Any], list[dict[str, Any]]]:
            return (
                clinic_service.member_profile(store),
                clinic_service.list_clinic_members(store),
            )

        self.ctx.read(read, self._loaded, self._failed, owner=self)

    def _loaded(self, result: tuple[dict[str, Any], list[dict[str, Any]]]) -> None:
        profile, members = result
        self.me = profile["member_id"]
        self.profile.setText(
            self.tr(
                "Clinic: {clinic}\nAddress: {url}\nYour member id: {member}\n"
                "Your key fingerprint: {fingerprint}"
            ).format(
                clinic=profile["clinic_name"],
                url=profile["url"],
                member=profile["member_id"],
                fingerprint=profile["fingerprint"] or "-",
            )
        )
        status_words = {
            "admitted": self.tr("admitted"),
            "pending": self.tr("waiting to be admitted"),
            "removed": self.tr("removed"),
        }
        self.model.setRowCount(0)
        for m in members:
            self.model.appendRow(
                [
                    QStandardItem(m["member_id"]),
                    QStandardItem(m["name"] or self.tr("(name not known)")),
                    QStandardItem(m["fingerprint"]),
                    QStandardItem(status_words.get(m["status"], m["status"])),
                ]
            )
        self.members = members

    def _picked(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if rows:
            member = self.members[rows[0].row()]
            if member["status"] == "pending":
                self.admit_member.setText(member["member_id"])
                self.admit_fingerprint.clear()
                self.admit_fingerprint.setFocus()

    def selected(self) -> dict[str, Any] | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self.members):
            return None
        return self.members[rows[0].row()]

    def remove(self) -> None:
        chosen = self.selected()
        if chosen is None:
            self.message.setText(self.tr("Choose the member to remove in the list first."))
            return
        if chosen["member_id"] == self.me:
            self.message.setText(
                self.tr(
                    "You cannot remove yourself from the clinic. Ask another admitted member "
                    "to remove you."
                )
            )
            return
        if chosen["status"] == "removed":
            self.message.setText(self.tr("This member was already removed."))
            return
        if not self.confirm_removal(chosen):
            return
        member_id = chosen["member_id"]
        self.remove_button.setEnabled(False)
        self.message.setText(self.tr("Removing..."))

        def work(store: CaseStore) -> dict[str, Any]:
            return clinic_service.remove_from_clinic(store, member_id)

        self.ctx.read(work, self._removed, self._failed, owner=self)

    def removal_words(self, member: dict[str, Any]) -> tuple[str, str]:
        """The question and what removal does and does not undo."""
        who = member["name"] or self.tr("(name not known)")
        question = self.tr("Remove {name} (member {member}) from the clinic?").format(
            name=who, member=member["member_id"]
        )
        details = self.tr(
            "What removal does: from now on they cannot open the clinic's cases, from any "
            "computer, with their passphrase or their recovery key. They are also taken off "
            "every case you work on, so what is written there from then on uses a new case "
            "key they never receive. The list keeps them as removed and the activity log "
            "keeps what they did.\n\n"
            "What it does not undo: anything they already saw, copied, printed or exported "
            "while they were a member stays with them. Cases you do not work on keep them "
            "listed until someone on that case removes them (Who works on this case). To let "
            "them back in, they join again and are admitted again."
        )
        return question, details

    def confirm_removal(self, member: dict[str, Any]) -> bool:
        question, details = self.removal_words(member)
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle(self.tr("Remove from the clinic"))
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setText(question)
        box.setInformativeText(details)
        box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
        box.setDefaultButton(QMessageBox.StandardButton.No)
        return box.exec() == QMessageBox.StandardButton.Yes

    def _removed(self, member: dict[str, Any]) -> None:
        self.remove_button.setEnabled(True)
        who = member["name"] or member["member_id"]

        def names(found: list[dict[str, Any]]) -> str:
            return ", ".join(c["label"] or c["case_id"] for c in found)

        lines = [self.tr("Removed {member} from the clinic.").format(member=who)]
        if member["cases_taken_off"]:
            lines.append(
                self.tr(
                    "Also taken off these cases, whose new writes use a key they never "
                    "receive: {cases}."
                ).format(cases=names(member["cases_taken_off"]))
            )
        if member["cases_left"]:
            lines.append(
                self.tr(
                    "Still listed on cases you cannot change: {cases}. Ask someone who works "
                    "on each to remove {member} there (Who works on this case)."
                ).format(cases=names(member["cases_left"]), member=who)
            )
        self.message.setText("\n".join(lines))
        self.load()

    def admit(self) -> None:
        member = "".join(self.admit_member.text().split())
        fingerprint = self.admit_fingerprint.text().strip()
        if not member or not fingerprint:
            self.message.setText(self.tr("Give the member id and the fingerprint they read out."))
            return
        self.admit_button.setEnabled(False)
        self.message.setText(self.tr("Admitting..."))

        def work(store: CaseStore) -> dict[str, Any]:
            return clinic_service.admit_member(store, member, fingerprint)

        self.ctx.read(work, self._admitted, self._failed, owner=self)

    def _admitted(self, member: dict[str, Any]) -> None:
        self.admit_button.setEnabled(True)
        self.admit_member.clear()
        self.admit_fingerprint.clear()
        self.message.setText(
            self.tr("Admitted {member}. They can open the clinic's cases now.").format(
                member=member["name"] or member["member_id"]
            )
        )
        self.load()

    def _failed(self, error: NciiDeskError) -> None:
        self.admit_button.setEnabled(True)
        self.remove_button.setEnabled(True)
        self.message.setText(error_text(error))
