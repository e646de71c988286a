"""Removal requests: letters per platform, sent dates, ticket numbers, 48-hour countdowns."""

from __future__ import annotations

from datetime import UTC, datetime
from types import ModuleType
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QBrush, QFont, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLineEdit,
    QPlainTextEdit,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ncii_desk.errors import NciiDeskError
from ncii_desk.gui.common import (
    QT_TRANSLATE_NOOP,
    button,
    checkbox,
    countdown,
    error_text,
    local_time,
    parse_iso,
    pick_folder,
    plain_label,
    plain_tip,
    translate,
    warning_color,
)
from ncii_desk.gui.context import AppContext
from ncii_desk.gui.optional import NotInstalledPanel, load_service
from ncii_desk.gui.workspace.suspects import capture_service, parse_urls, recheck_summary
from ncii_desk.vault import Vault

REQUESTS = "ncii_desk.services.requests"
REQUEST_NAMES = ("draft_requests", "list_requests", "mark_sent", "set_ticket", "get_clinic")
REQUEST_COLUMNS = (
    QT_TRANSLATE_NOOP("Requests", "Platform"),
    QT_TRANSLATE_NOOP("Requests", "Kind"),
    QT_TRANSLATE_NOOP("Requests", "Status"),
    QT_TRANSLATE_NOOP("Requests", "Sent"),
    QT_TRANSLATE_NOOP("Requests", "48-hour deadline"),
    QT_TRANSLATE_NOOP("Requests", "Ticket"),
    QT_TRANSLATE_NOOP("Requests", "Content"),
)

ROUTES = (
    ("takedown", QT_TRANSLATE_NOOP("Requests", "TAKE IT DOWN Act removal request (48 hours)")),
    ("ncii-report", QT_TRANSLATE_NOOP("Requests", "The platform's own intimate-image report")),
    ("deindex", QT_TRANSLATE_NOOP("Requests", "Search engine de-indexing request")),
    ("dmca", QT_TRANSLATE_NOOP("Requests", "DMCA notice (only if the client took the picture)")),
    ("preservation", QT_TRANSLATE_NOOP("Requests", "Preservation letter (keep the evidence)")),
    ("ncmec", QT_TRANSLATE_NOOP("Requests", "NCMEC report sheet (person may be under 18)")),
)
STATUS_TEXT = {
    "draft": QT_TRANSLATE_NOOP("Requests", "Draft, not sent"),
    "sent": QT_TRANSLATE_NOOP("Requests", "Sent"),
    "acknowledged": QT_TRANSLATE_NOOP("Requests", "Acknowledged"),
    "removed": QT_TRANSLATE_NOOP("Requests", "Removed"),
    "refused": QT_TRANSLATE_NOOP("Requests", "Refused"),
    "overdue": QT_TRANSLATE_NOOP("Requests", "OVERDUE"),
}
SETTABLE = ("acknowledged", "removed", "refused")


def requests_service() -> ModuleType | None:
    return load_service(REQUESTS, *REQUEST_NAMES)


def route_text(route: str) -> str:
    return translate("Requests", dict(ROUTES).get(route, route))


def deadline_text(view: Any, now: datetime | None = None) -> tuple[str, bool]:
    """Countdown to the 48-hour deadline of an open request; overdue in words too."""
    deadline = parse_iso(view.deadline_at)
    if deadline is None:
        return "", False
    if view.status not in ("sent", "acknowledged"):
        return local_time(view.deadline_at), False
    return countdown(deadline, now or datetime.now(UTC))


class DraftDialog(QDialog):
    """What a letter needs beyond the case's web addresses; the clinic's details prefill it."""

    def __init__(self, clinic: dict[str, str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Draft removal requests"))
        self.resize(620, 560)
        layout = QVBoxLayout(self)
        layout.addWidget(
            plain_label(
                self.tr(
                    "One letter is drafted per platform that has addresses in this case. "
                    "Nothing is sent: you send each letter yourself, then mark it as sent."
                )
            )
        )
        form = QFormLayout()
        self.route = QComboBox()
        for key, text in ROUTES:
            self.route.addItem(translate("Requests", text), key)
        self.route.setAccessibleName(self.tr("Kind of request"))
        form.addRow(self.tr("Kind of request"), self.route)
        self.signer = QLineEdit(clinic.get("signer", ""))
        self.signer.setAccessibleName(self.tr("Name of the person signing"))
        form.addRow(self.tr("Signed by"), self.signer)
        self.is_self = checkbox(self.tr("The client sends it themselves (not a representative)"))
        form.addRow("", self.is_self)
        self.organisation = QLineEdit(clinic.get("name", ""))
        self.organisation.setAccessibleName(self.tr("Organisation"))
        form.addRow(self.tr("Organisation"), self.organisation)
        self.authority = QLineEdit(clinic.get("authority", ""))
        self.authority.setAccessibleName(self.tr("Authority to act for the client"))
        form.addRow(self.tr("Authority to act"), self.authority)
        self.email = QLineEdit(clinic.get("email", ""))
        self.email.setAccessibleName(self.tr("Contact email"))
        form.addRow(self.tr("Email"), self.email)
        self.phone = QLineEdit(clinic.get("phone", ""))
        self.phone.setAccessibleName(self.tr("Contact phone"))
        form.addRow(self.tr("Phone"), self.phone)
        self.sign = checkbox(self.tr("Sign electronically as /s/ followed by the name"))
        form.addRow("", self.sign)
        self.person_name = QLineEdit()
        self.person_name.setAccessibleName(self.tr("Legal name of the client, if required"))
        form.addRow(self.tr("Client's legal name (only if a platform needs it)"), self.person_name)
        self.good_faith = checkbox(
            self.tr(
                "The client confirms in good faith that the pictures were shared without "
                "their consent"
            )
        )
        form.addRow("", self.good_faith)
        self.forgery = checkbox(self.tr("The pictures were digitally created or altered (fakes)"))
        form.addRow("", self.forgery)
        self.statement = QPlainTextEdit()
        self.statement.setAccessibleName(self.tr("Relevant information"))
        self.statement.setTabChangesFocus(True)
        self.statement.setMaximumHeight(60)
        form.addRow(self.tr("Relevant information (a sentence or two)"), self.statement)
        self.extra_urls = QPlainTextEdit()
        self.extra_urls.setAccessibleName(self.tr("More web addresses, one per line"))
        self.extra_urls.setTabChangesFocus(True)
        self.extra_urls.setMaximumHeight(60)
        form.addRow(self.tr("More addresses (besides captured links)"), self.extra_urls)
        layout.addLayout(form)
        self.message = plain_label(name=self.tr("What is missing"))
        layout.addWidget(self.message)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(self.tr("Draft the letters"))
        ok.setAccessibleName(self.tr("Draft the letters"))
        cancel = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setAccessibleName(cancel.text().replace("&", ""))
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

    def select_route(self, route: str) -> None:
        self.route.setCurrentIndex(max(0, self.route.findData(route)))

    def letter_form(self) -> Any:
        from ncii_desk.documents.letters import LetterForm, Sender

        signer = self.signer.text().strip()
        representative = not self.is_self.isChecked()
        sender = Sender(
            name=signer,
            email=self.email.text().strip(),
            phone=self.phone.text().strip(),
            organisation=self.organisation.text().strip() if representative else "",
            representative=representative,
            authority=self.authority.text().strip() if representative else "",
        )
        return LetterForm(
            sender=sender,
            signature=f"/s/ {signer}" if self.sign.isChecked() and signer else "",
            person_name=self.person_name.text().strip(),
            good_faith=self.good_faith.isChecked(),
            statement=self.statement.toPlainText().strip(),
            forgery=self.forgery.isChecked(),
        )


class RequestsPane(QWidget):
    def __init__(self, ctx: AppContext, case_id: str) -> None:
        super().__init__()
        self.ctx = ctx
        self.case_id = case_id
        self.views: list[Any] = []
        self.service = requests_service()
        layout = QVBoxLayout(self)
        if self.service is None:
            layout.addWidget(
                NotInstalledPanel(
                    self.tr("Removal requests"),
                    self.tr(
                        "With it, NCII Desk drafts TAKE IT DOWN Act requests and other "
                        "letters for each platform, tracks when they were sent and counts "
                        "down the 48 hours."
                    ),
                )
            )
            return
        layout.addWidget(
            plain_label(
                self.tr(
                    "Platforms must remove intimate pictures within 48 hours of a valid TAKE "
                    "IT DOWN Act request. Draft the letters here, send them, then record when "
                    "they were sent and the platform's reference number."
                )
            )
        )
        row = QHBoxLayout()
        self.draft_button = button(self.tr("Draft letters..."), self.draft)
        self.sent_button = button(self.tr("Mark as sent now"), self.mark_sent)
        self.ticket_button = button(self.tr("Platform reference number..."), self.set_ticket)
        self.status_button = button(self.tr("Set outcome..."), self.set_status)
        self.save_button = button(self.tr("Save the letter to a folder..."), self.save_documents)
        self.followup_button = button(self.tr("Follow-up letter..."), self.followup)
        self.recheck_button = button(
            self.tr("Check the addresses again"),
            self.recheck,
            tip=self.tr("Visit the captured addresses again: is the content gone?"),
        )
        for b in (
            self.draft_button,
            self.sent_button,
            self.ticket_button,
            self.status_button,
            self.save_button,
            self.followup_button,
            self.recheck_button,
        ):
            row.addWidget(b)
        row.addStretch(1)
        layout.addLayout(row)
        self.note = plain_label(name=self.tr("Requests note"))
        layout.addWidget(self.note)
        split = QSplitter(Qt.Orientation.Vertical)
        self.model = QStandardItemModel(0, len(REQUEST_COLUMNS))
        self.model.setHorizontalHeaderLabels([translate("Requests", c) for c in REQUEST_COLUMNS])
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName(self.tr("Removal requests"))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setTabKeyNavigation(False)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._selected())
        split.addWidget(self.table)
        self.history = QPlainTextEdit()
        self.history.setReadOnly(True)
        self.history.setAccessibleName(self.tr("History of the selected request"))
        self.history.setTabChangesFocus(True)
        split.addWidget(self.history)
        layout.addWidget(split, 1)
        self.clock = QTimer(self)
        self.clock.setInterval(30_000)
        self.clock.timeout.connect(lambda: self._show(self.views))
        self.clock.start()
        self._update_buttons()

    # -- list --

    def refresh(self) -> None:
        service, case_id = self.service, self.case_id
        if service is None:
            return
        self.ctx.read(lambda v: service.list_requests(v, case_id), self._show, owner=self)

    def _show(self, views: list[Any]) -> None:
        selected = self.selected()
        selected_id = selected.id if selected else None
        self.views = views
        self.model.removeRows(0, self.model.rowCount())
        for v in views:
            deadline, overdue = deadline_text(v)
            state = "overdue" if overdue else v.state
            cells = [
                QStandardItem(v.platform),
                QStandardItem(route_text(v.route)),
                QStandardItem(translate("Requests", STATUS_TEXT.get(state, state))),
                QStandardItem(local_time(v.sent_at)),
                QStandardItem(deadline),
                QStandardItem(v.ticket_id or ""),
                QStandardItem(v.content),
            ]
            cells[0].setData(v.id, Qt.ItemDataRole.UserRole)
            for c in cells:
                c.setEditable(False)
                c.setToolTip(plain_tip(c.text()))
            if overdue:
                for c in (cells[2], cells[4]):
                    c.setForeground(QBrush(warning_color()))
                    font = QFont(c.font())
                    font.setBold(True)
                    c.setFont(font)
            self.model.appendRow(cells)
        if selected_id is not None:
            for i, v in enumerate(views):
                if v.id == selected_id:
                    self.table.selectRow(i)
        self._update_buttons()

    def selected(self) -> Any | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        rid = self.model.item(rows[0].row(), 0).data(Qt.ItemDataRole.UserRole)
        return next((v for v in self.views if v.id == rid), None)

    def _selected(self) -> None:
        self._update_buttons()
        view = self.selected()
        if view is None:
            self.history.clear()
            return
        lines = [
            f"{view.platform} · {route_text(view.route)}",
            self.tr("Addresses:"),
            *[f"  {u}" for u in view.urls],
            "",
            self.tr("History:"),
        ]
        for event in view.history:
            details = ", ".join(
                f"{k}={v}" for k, v in event.items() if k not in ("at", "by", "event")
            )
            lines.append(
                f"  {local_time(event.get('at'))}  {event.get('by', '')}  "
                f"{event.get('event', '')}  {details}"
            )
        if view.rechecks:
            lines += ["", self.tr("Later checks of the addresses:")]
            for r in view.rechecks:
                lines.append(f"  {local_time(r.checked_at)}  {r.url}  {r.outcome}")
        self.history.setPlainText("\n".join(lines))

    def _update_buttons(self) -> None:
        if self.service is None:
            return
        view = self.selected()
        state = view.state if view else None
        self.sent_button.setEnabled(state == "draft")
        self.ticket_button.setEnabled(view is not None)
        self.status_button.setEnabled(view is not None and view.sent_at is not None)
        self.save_button.setEnabled(view is not None and view.has_documents)
        self.followup_button.setEnabled(
            view is not None and view.overdue and hasattr(self.service, "followup_letters")
        )
        self.recheck_button.setEnabled(capture_service() is not None)

    # -- actions --

    def _changed(self, _result: object = None) -> None:
        self.refresh()
        self.ctx.case_changed.emit("")

    def _fail(self, error: NciiDeskError) -> None:
        self.note.setText(error_text(error))

    def recheck(self) -> None:
        capture = capture_service()
        if capture is None or not hasattr(capture, "recheck_case"):
            return
        case_id = self.case_id
        self.ctx.task(
            self.tr("Checking the addresses again"),
            lambda vault, job: capture.recheck_case(vault, case_id, job),
            on_done=self._changed,
            summary=recheck_summary,
            owner=self,
        )

    def draft(self) -> None:
        service = self.service
        if service is None:
            return
        self.ctx.read(service.get_clinic, self._open_draft, self._fail, owner=self)

    def _open_draft(self, clinic: dict[str, str]) -> None:
        dialog = DraftDialog(clinic, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.buttons.accepted.connect(lambda: self.submit_draft(dialog))
        self.draft_dialog = dialog
        dialog.open()

    def submit_draft(self, dialog: DraftDialog) -> None:
        service, case_id = self.service, self.case_id
        if service is None:
            return
        route = str(dialog.route.currentData())
        form = dialog.letter_form()
        extra = parse_urls(dialog.extra_urls.toPlainText())
        dialog.message.setText(self.tr("Drafting..."))

        def done(result: Any) -> None:
            text = self.tr("{n} letter(s) drafted.").format(n=len(result.requests))
            if result.not_applicable:
                text += " " + self.tr("Not for this kind of request: {p}.").format(
                    p=", ".join(result.not_applicable)
                )
            if result.routed_to_ncmec:
                text += " " + self.tr(
                    "Addresses of items that may show a person under 18 went to an NCMEC "
                    "report sheet instead."
                )
            self.note.setText(text)
            dialog.accept()
            self._changed()

        self.ctx.read(
            lambda v: service.draft_requests(v, case_id, route, form, extra_urls=extra),
            done,
            lambda e: dialog.message.setText(error_text(e)),
            owner=self,
        )

    def mark_sent(self) -> None:
        view, service = self.selected(), self.service
        if view is None or service is None:
            return
        rid = view.id
        self.ctx.read(lambda v: service.mark_sent(v, rid), self._changed, self._fail, owner=self)

    def set_ticket(self) -> None:
        view, service = self.selected(), self.service
        if view is None or service is None:
            return
        dialog = QInputDialog(self)
        dialog.setWindowTitle(self.tr("Platform reference number"))
        dialog.setLabelText(self.tr("The reference or ticket number the platform gave:"))
        dialog.setTextValue(view.ticket_id or "")
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        rid = view.id
        dialog.textValueSelected.connect(lambda text: self.save_ticket(rid, text))
        dialog.open()

    def save_ticket(self, request_id: str, ticket: str) -> None:
        service = self.service
        if service is None:
            return
        self.ctx.read(
            lambda v: service.set_ticket(v, request_id, ticket),
            self._changed,
            self._fail,
            owner=self,
        )

    def set_status(self) -> None:
        view, service = self.selected(), self.service
        if view is None or service is None:
            return
        dialog = QInputDialog(self)
        dialog.setWindowTitle(self.tr("Outcome"))
        dialog.setLabelText(self.tr("What did the platform do?"))
        dialog.setComboBoxItems([translate("Requests", STATUS_TEXT[s]) for s in SETTABLE])
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        rid = view.id
        labels = {translate("Requests", STATUS_TEXT[s]): s for s in SETTABLE}
        dialog.textValueSelected.connect(lambda text: self.save_status(rid, labels[text]))
        dialog.open()

    def save_status(self, request_id: str, status: str) -> None:
        service = self.service
        if service is None:
            return
        self.ctx.read(
            lambda v: service.set_status(v, request_id, status),
            self._changed,
            self._fail,
            owner=self,
        )

    def save_documents(self) -> None:
        view, service = self.selected(), self.service
        if view is None or service is None:
            return
        folder = pick_folder(self, self.tr("Choose a folder for the letter (PDF and Word)"))
        if folder is None:
            return
        rid = view.id
        self.ctx.read(
            lambda v: service.export_documents(v, rid, folder),
            lambda paths: self.note.setText(
                self.tr("Saved: {files}").format(files=", ".join(p.name for p in paths))
            ),
            self._fail,
            owner=self,
        )

    def followup(self) -> None:
        view, service = self.selected(), self.service
        if view is None or service is None:
            return
        rid = view.id
        self.ctx.read(
            service.get_clinic, lambda clinic: self._open_followup(rid, clinic), owner=self
        )

    def _open_followup(self, request_id: str, clinic: dict[str, str]) -> None:
        dialog = DraftDialog(clinic, self)
        dialog.setWindowTitle(self.tr("Follow-up letter (deadline passed)"))
        dialog.route.setEnabled(False)
        ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(self.tr("Make the follow-up letter"))
        ok.setAccessibleName(self.tr("Make the follow-up letter"))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.buttons.accepted.connect(lambda: self.submit_followup(dialog, request_id))
        dialog.open()

    def submit_followup(self, dialog: DraftDialog, request_id: str) -> None:
        service = self.service
        if service is None:
            return
        form = dialog.letter_form()
        folder = pick_folder(dialog, self.tr("Choose a folder for the follow-up letter"))
        if folder is None:
            return

        def make(vault: Vault) -> list[Any]:
            letter = service.followup_letters(vault, request_id, form, "followup")
            files = {
                letter.filename + ".pdf": letter.pdf(),
                letter.filename + ".docx": letter.docx(),
            }
            return list(service.write_files(folder, files))

        def done(paths: list[Any]) -> None:
            dialog.accept()
            self.note.setText(
                self.tr("Saved: {files}").format(files=", ".join(p.name for p in paths))
            )
            self._changed()

        self.ctx.read(make, done, lambda e: dialog.message.setText(error_text(e)), owner=self)
