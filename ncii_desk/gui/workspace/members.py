"""Who works on this case (a clinic store): the members with their roles and key
fingerprints, adding an admitted clinic member with a role, removing one. Everything goes
through :mod:`ncii_desk.services.case_members`; a laptop vault shows why it has none."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QStandardItem
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from ncii_desk.errors import NciiDeskError
from ncii_desk.gui.common import QT_TRANSLATE_NOOP, button, fit_columns, plain_label, row_table
from ncii_desk.gui.context import AppContext
from ncii_desk.services import case_members

MEMBER_COLUMNS = (
    QT_TRANSLATE_NOOP("CaseMembers", "Member"),
    QT_TRANSLATE_NOOP("CaseMembers", "Role"),
    QT_TRANSLATE_NOOP("CaseMembers", "Key fingerprint"),
    QT_TRANSLATE_NOOP("CaseMembers", "You"),
)


class CaseMembersDialog(QDialog):
    """The case's members; add and remove them."""

    def __init__(self, ctx: AppContext, case_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.case_id = case_id
        self.members: list[case_members.CaseMemberView] = []
        self.setWindowTitle(self.tr("Who works on this case"))
        layout = QVBoxLayout(self)
        layout.addWidget(
            plain_label(
                self.tr(
                    "Everyone listed here can read the whole case. Compare a new member's key "
                    "fingerprint with them (by phone or in person) before you add them. "
                    "Removing someone stops them reading what is written from now on; what "
                    "they already saw stays with them."
                )
            )
        )
        self.model, self.table = row_table(
            "CaseMembers", MEMBER_COLUMNS, self.tr("Members of the case")
        )
        layout.addWidget(self.table, 1)
        self.remove_button = button(self.tr("&Remove from the case..."), self._remove)
        layout.addWidget(self.remove_button)
        form = QFormLayout()
        self.member_id = QLineEdit()
        self.member_id.setAccessibleName(self.tr("Member id of the person to add"))
        form.addRow(self.tr("Member id:"), self.member_id)
        self.role = QComboBox()
        for value, shown in (
            ("advocate", self.tr("Advocate")),
            ("supervising_attorney", self.tr("Supervising attorney")),
            ("read_only", self.tr("Read only")),
        ):
            self.role.addItem(shown, value)
        self.role.setAccessibleName(self.tr("Role on the case"))
        form.addRow(self.tr("Role on the case:"), self.role)
        layout.addLayout(form)
        self.add_button = button(self.tr("&Add to the case"), self._add)
        layout.addWidget(self.add_button)
        self.message = plain_label(name=self.tr("Members message"))
        layout.addWidget(self.message)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(720, 420)

    # reading -----------------------------------------------------------------------------

    def refresh(self) -> None:
        case_id = self.case_id
        self.ctx.read(
            lambda v: case_members.list_members(v, case_id),
            self._show,
            self._failed,
            owner=self,
        )

    def _show(self, members: list[case_members.CaseMemberView]) -> None:
        self.members = members
        self.model.removeRows(0, self.model.rowCount())
        roles = {self.role.itemData(i): self.role.itemText(i) for i in range(self.role.count())}
        for m in members:
            cells = [
                m.member_id,
                roles.get(m.role, m.role),
                m.fingerprint,
                self.tr("you") if m.you else "",
            ]
            row = [QStandardItem(text) for text in cells]
            for item in row:
                item.setToolTip(item.text())
            self.model.appendRow(row)
        fit_columns(self.table, stretch=(2,))

    def _failed(self, error: NciiDeskError) -> None:
        self.message.setText(f"{error.message}\n{error.hint}" if error.hint else error.message)

    # changes -----------------------------------------------------------------------------

    def _add(self) -> None:
        member_id = self.member_id.text().strip()
        if not member_id:
            self.message.setText(self.tr("Type the member id of the person to add first."))
            return
        role = str(self.role.currentData())
        case_id = self.case_id

        def added(members: list[case_members.CaseMemberView]) -> None:
            self.member_id.clear()
            self.message.setText(self.tr("Added. They can now read the whole case."))
            self._show(members)

        self.ctx.read(
            lambda v: case_members.add_member(v, case_id, member_id, role),
            added,
            self._failed,
            owner=self,
        )

    def selected(self) -> case_members.CaseMemberView | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self.members):
            return None
        return self.members[rows[0].row()]

    def _remove(self) -> None:
        chosen = self.selected()
        if chosen is None:
            self.message.setText(self.tr("Choose the member to remove in the list first."))
            return
        if not self.confirm_removal(chosen.member_id):
            return
        case_id = self.case_id

        def removed(members: list[case_members.CaseMemberView]) -> None:
            self.message.setText(
                self.tr("Removed. What is written from now on uses a new key they do not hold.")
            )
            self._show(members)

        self.ctx.read(
            lambda v: case_members.remove_member(v, case_id, chosen.member_id),
            removed,
            self._failed,
            owner=self,
        )

    def confirm_removal(self, member_id: str) -> bool:
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle(self.tr("Remove from the case"))
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setText(self.tr("Remove member {m} from this case?").format(m=member_id))
        box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
        return box.exec() == QMessageBox.StandardButton.Yes
