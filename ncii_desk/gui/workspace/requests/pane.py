"""The Requests pane: a case's removal requests, their letters, sent dates, tickets and
deadlines."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer, QUrl, QUrlQuery
from PySide6.QtGui import QBrush, QDesktopServices, QFont, QStandardItem
from PySide6.QtWidgets import (
    QDialogButtonBox,
    QInputDialog,
    QPlainTextEdit,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ncii_desk.errors import NciiDeskError
from ncii_desk.gui import queries
from ncii_desk.gui.common import (
    button,
    error_text,
    fit_columns,
    local_time,
    note_label,
    parse_iso,
    pick_folder,
    plain_tip,
    row_table,
    translate,
    warning_color,
)
from ncii_desk.gui.context import AppContext
from ncii_desk.gui.layouts import PANE_MARGIN, keep_rows, list_with_buttons, scrolling
from ncii_desk.gui.letterview import LetterPreview
from ncii_desk.gui.optional import NotInstalledPanel, requests_missing
from ncii_desk.gui.workspace.handout import HandoutDialog, handout_file_name
from ncii_desk.gui.workspace.requests import signoffs
from ncii_desk.gui.workspace.requests.dialogs import DraftDialog, SentTimeDialog
from ncii_desk.gui.workspace.requests.texts import (
    REQUEST_COLUMNS,
    REQUEST_STRETCH,
    SETTABLE,
    STATUS_TEXT,
    deadline_text,
    left_out_problem,
    missing_text,
    route_text,
    status_text,
)
from ncii_desk.gui.workspace.suspects import capture_installed, recheck_summary
from ncii_desk.services.types import CaseStore


class RequestsPane(QWidget):
    def __init__(self, ctx: AppContext, case_id: str) -> None:
        super().__init__()
        self.ctx = ctx
        self.case_id = case_id
        self.views: list[Any] = []
        #: The case's sign-off state (services.signoff.CaseSignOffs); None until read.
        self.sign_offs: Any | None = None
        self.missing = requests_missing()
        layout = QVBoxLayout(self)
        if self.missing is not None:
            layout.addWidget(
                NotInstalledPanel(
                    self.tr("Removal requests"),
                    self.tr(
                        "With it, NCII Desk drafts TAKE IT DOWN Act requests and other "
                        "letters for each platform, tracks when they were sent and counts "
                        "down the 48 hours."
                    ),
                    self.missing.message,
                )
            )
            return
        layout.setContentsMargins(PANE_MARGIN, PANE_MARGIN, PANE_MARGIN, PANE_MARGIN)
        about = self.tr(
            "Platforms must remove intimate pictures within 48 hours of a valid TAKE "
            "IT DOWN Act request. Draft the letters here, send them, then record when "
            "they were sent and the platform's reference number."
        )
        self.draft_button = button(self.tr("&Draft letters..."), self.draft)
        self.sent_button = button(
            self.tr("&Mark as sent..."),
            self.ask_sent_time,
            tip=self.tr(
                "Asks when the letter was sent (now unless you change it, in the clinic's "
                "time zone); the letter is dated then and the 48-hour clock starts then."
            ),
        )
        self.correct_button = button(
            self.tr("Correct the &time sent..."),
            self.correct_sent_time,
            tip=self.tr(
                "Change the recorded time sent, with a reason; the 48-hour clock moves with it "
                "and the history keeps both times."
            ),
        )
        self.signoff_button = button(
            self.tr("Sig&n off the letter"),
            self.sign_off,
            tip=self.tr(
                "As the case's supervising attorney: sign off the selected draft letter with "
                "your own key. The clinic sends a letter only once it is signed off; a letter "
                "changed afterwards needs a new sign-off."
            ),
        )
        self.signoff_button.setVisible(False)  # shown on clinic cases only
        self.ticket_button = button(self.tr("Platform &reference number..."), self.set_ticket)
        self.status_button = button(self.tr("Set &outcome..."), self.set_status)
        self.save_button = button(self.tr("Save the letter to a fo&lder..."), self.save_documents)
        self.email_button = button(
            self.tr("Send b&y email..."),
            self.send_email,
            tip=self.tr(
                "Saves the letter (PDF) in a folder you choose, opens your mail program with a "
                "new message to the platform's address (when it has one) and a subject, and "
                "opens that folder. Attach the PDF from the folder: mail programs cannot be "
                "handed an attachment in a standard way. Nothing is sent until you send it."
            ),
        )
        self.followup_button = button(self.tr("Follo&w-up letter..."), self.followup)
        self.handout_button = button(
            self.tr("Hand-o&ut for the client..."),
            self.ask_handout,
            tip=self.tr(
                "A plain-language sheet for the client, in English or Spanish: what was sent "
                "to which platform and what happens next."
            ),
        )
        self.recheck_button = button(
            self.tr("Check the addresses a&gain"),
            self.recheck,
            tip=self.tr("Visit the captured addresses again: is the content gone?"),
        )
        buttons: list[QWidget] = [
            self.draft_button,
            self.signoff_button,
            self.sent_button,
            self.correct_button,
            self.ticket_button,
            self.status_button,
            self.save_button,
            self.email_button,
            self.followup_button,
            self.handout_button,
            self.recheck_button,
        ]
        self.note = note_label(self.tr("Requests note"))
        split = QSplitter(Qt.Orientation.Vertical)
        self.model, self.table = row_table("Requests", REQUEST_COLUMNS, self.tr("Removal requests"))
        self.table.setAccessibleDescription(about)
        fit_columns(self.table, REQUEST_STRETCH)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._selected())
        # The list, then its buttons under it (wrapping in a narrow window), then the letter.
        split.addWidget(list_with_buttons(self.table, buttons, self.note))
        self.history = QPlainTextEdit()
        self.history.setReadOnly(True)
        self.history.setAccessibleName(self.tr("History of the selected request"))
        self.history.setTabChangesFocus(True)
        self.letter = LetterPreview()
        self._letter_key: tuple[object, ...] | None = None
        self.below = QTabWidget()
        self.below.setAccessibleName(self.tr("About the selected request"))
        self.below.addTab(self.letter, self.tr("Letter"))
        self.below.addTab(self.history, self.tr("History"))
        split.addWidget(scrolling(self.below, self.tr("The selected request")))
        keep_rows(split, self.table)
        layout.addWidget(split, 1)
        self.clock = QTimer(self)
        self.clock.setInterval(30_000)
        self.clock.timeout.connect(lambda: self._show(self.views))
        self.clock.start()
        self._update_buttons()

    # -- list --

    def refresh(self) -> None:
        if self.missing is not None:
            return
        from ncii_desk.services import requests as service
        from ncii_desk.services import signoff

        case_id = self.case_id

        def work(v: CaseStore) -> tuple[list[Any], Any]:
            return service.list_requests(v, case_id), signoff.case_sign_offs(v, case_id)

        self.ctx.read(work, self._show_with_sign_offs, owner=self)

    def _show_with_sign_offs(self, read: tuple[list[Any], Any]) -> None:
        views, self.sign_offs = read
        self._show(views)

    def _show(self, views: list[Any]) -> None:
        selected = self.selected()
        selected_id = selected.id if selected else None
        self.views = views
        self.model.removeRows(0, self.model.rowCount())
        for v in views:
            deadline, overdue = deadline_text(v)
            state = "overdue" if overdue else v.state
            status = translate("Requests", STATUS_TEXT.get(state, state))
            signed = signoffs.sign_off_text(self.sign_offs, v)
            cells = [
                QStandardItem(v.platform),
                QStandardItem(route_text(v.route)),
                QStandardItem(f"{status} · {signed}" if signed else status),
                QStandardItem(getattr(v, "sent_local", "") or local_time(v.sent_at)),
                QStandardItem(deadline),
                QStandardItem(v.ticket_id or ""),
                QStandardItem(v.content),
            ]
            cells[0].setData(v.id, Qt.ItemDataRole.UserRole)
            for c in cells:
                c.setEditable(False)
                c.setToolTip(plain_tip(c.text()))
            if getattr(v, "deadline_local", ""):  # the countdown's moment, clinic zone and UTC
                cells[4].setToolTip(plain_tip(v.deadline_local))
            if overdue:
                for c in (cells[2], cells[4]):
                    c.setForeground(QBrush(warning_color()))
                    font = QFont(c.font())
                    font.setBold(True)
                    c.setFont(font)
            self.model.appendRow(cells)
        fit_columns(self.table, REQUEST_STRETCH)
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
        self._show_letter(view)
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
        lines += signoffs.sign_off_history(self.sign_offs, view)
        if view.rechecks:
            lines += ["", self.tr("Later checks of the addresses:")]
            for r in view.rechecks:
                lines.append(f"  {local_time(r.checked_at)}  {r.url}  {r.outcome}")
        self.history.setPlainText("\n".join(lines))

    def _update_buttons(self) -> None:
        if self.missing is not None:
            return
        view = self.selected()
        state = view.state if view else None
        may_send, shown, can_sign = signoffs.sign_off_buttons(self.sign_offs, view)
        self.sent_button.setEnabled(state == "draft" and may_send)
        self.signoff_button.setVisible(shown)
        self.signoff_button.setEnabled(can_sign)
        self.correct_button.setEnabled(view is not None and view.sent_at is not None)
        self.ticket_button.setEnabled(view is not None)
        self.status_button.setEnabled(view is not None and view.sent_at is not None)
        self.save_button.setEnabled(view is not None and view.has_documents)
        self.email_button.setEnabled(view is not None and view.has_documents)
        self.followup_button.setEnabled(view is not None and view.overdue)
        self.recheck_button.setEnabled(capture_installed())

    # -- actions --

    def _changed(self, _result: object = None) -> None:
        # This case changed: its header (open requests), this list (when shown) and the
        # case list all read it again at once.
        self.ctx.case_changed.emit(self.case_id)
        if not self.isVisible():
            self.refresh()

    def _fail(self, error: NciiDeskError) -> None:
        self.note.setText(error_text(error))

    def recheck(self) -> None:
        if not capture_installed():
            return
        from ncii_desk.services import capture

        case_id = self.case_id
        self.ctx.task(
            self.tr("Checking the addresses again"),
            lambda vault, job: capture.recheck_case(vault, case_id, job),
            on_done=self._changed,
            summary=recheck_summary,
            owner=self,
        )

    def draft(self) -> None:
        if self.missing is not None:
            return
        from ncii_desk.services import requests as service

        self.ctx.read(service.get_clinic, self._open_draft, self._fail, owner=self)

    def _open_draft(self, clinic: dict[str, str]) -> None:
        dialog = DraftDialog(clinic, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.buttons.accepted.connect(lambda: self.submit_draft(dialog))
        dialog.changed.connect(lambda: self.preview_draft(dialog))
        self.draft_dialog = dialog
        dialog.open()
        self.preview_draft(dialog)

    def preview_draft(self, dialog: DraftDialog) -> None:
        """Show in the dialog what each letter would list with its current choices."""
        case_id = self.case_id
        route, extra = dialog.chosen_route(), dialog.chosen_urls()
        items, again = dialog.chosen_items(), dialog.again.isChecked()
        dialog.preview_generation += 1
        generation = dialog.preview_generation
        dialog.preview_busy = True

        def shown(preview: Any) -> None:
            if generation == dialog.preview_generation:
                dialog.show_preview(preview)

        def failed(error: NciiDeskError) -> None:
            if generation == dialog.preview_generation:
                dialog.show_preview_error(error)

        self.ctx.read(
            lambda v: queries.draft_preview(
                v, case_id, route, extra_urls=extra, items=items, again=again
            ),
            shown,
            failed,
            owner=dialog,
        )

    def submit_draft(self, dialog: DraftDialog) -> None:
        if self.missing is not None:
            return
        from ncii_desk.services import requests as service

        case_id = self.case_id
        route = dialog.chosen_route()
        form = dialog.letter_form()
        extra, items = dialog.chosen_urls(), dialog.chosen_items()
        again = dialog.again.isChecked()
        names = dict(dialog.preview.names) if dialog.preview is not None else {}
        empty = dialog.preview is not None and not any(
            letter.pictures for letter in dialog.preview.letters
        )
        ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(False)
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
            left_out = list(getattr(result, "not_included", []))
            if left_out:
                text += " " + self.tr(
                    "{n} address(es) or file(s) were left out; each is listed under "
                    "'Problems with single items' with what to do."
                ).format(n=len(left_out))
                self.ctx.tasks.panel.add_problems(
                    self.tr("Drafting letters"), [left_out_problem(x, names) for x in left_out]
                )
            self.note.setText(text)
            dialog.accept()
            self._changed()

        def failed(error: NciiDeskError) -> None:
            ok.setEnabled(True)
            refused = service.AlreadyRequested
            plain = missing_text(error)
            if plain is not None:
                dialog.message.setText(plain)
                dialog.tabs.setCurrentIndex(1)
            elif refused is not None and isinstance(error, refused):
                dialog.message.setText(self.already_requested_text(error))
                dialog.again.setFocus()
                self.select_request(next(iter(getattr(error, "request_ids", [])), ""))
            elif empty:
                dialog.message.setText(
                    error.message
                    + "\n"
                    + self.tr(
                        "Tick a picture under 'Pictures that were not matched', or add a page "
                        "under 'More addresses' to list the whole page."
                    )
                )
            else:
                dialog.message.setText(error_text(error))

        remember = dialog.details_to_remember()

        def work(v: CaseStore) -> Any:
            result = service.draft_requests(
                v, case_id, route, form, extra_urls=extra, items=items, again=again
            )
            if remember:
                service.set_clinic(v, **remember)
            return result

        self.ctx.read(work, done, failed, owner=self)

    def already_requested_text(self, error: NciiDeskError) -> str:
        """The refusal of a repeat draft in plain words, naming the request(s) that already
        list the pictures."""
        known = {v.id: v for v in self.views}
        named = []
        for rid in getattr(error, "request_ids", []):
            view = known.get(rid)
            if view is None:
                named.append(self.tr("request {id}").format(id=rid[:12]))
                continue
            named.append(
                self.tr("request {id} to {platform} ({status}, drafted {when})").format(
                    id=rid[:12],
                    platform=view.platform,
                    status=status_text(view.state),
                    when=local_time(view.created_at),
                )
            )
        return "\n".join(
            [
                self.tr("Nothing new to draft: every picture is already in an open request."),
                self.tr("Already requested: {requests}.").format(requests="; ".join(named)),
                self.tr(
                    "To draft a new letter anyway (for example if the platform lost the first "
                    "one), tick 'Draft again even if a request already covers these pictures'. "
                    "Once a TAKE IT DOWN request's 48 hours have passed, select it in the list "
                    "and use 'Follow-up letter'."
                ),
            ]
        )

    def select_request(self, request_id: str) -> None:
        for row, view in enumerate(self.views):
            if view.id == request_id:
                self.table.selectRow(row)
                return

    def ask_sent_time(self, *, correcting: bool = False) -> None:
        """Ask when the selected request was sent (a date and time in the clinic's zone,
        now by default); when correcting, also why."""
        view = self.selected()
        if view is None or self.missing is not None:
            return
        from ncii_desk.services import requests as service

        self.ctx.read(
            lambda v: service.clinic_zone(v),
            lambda zone: self._sent_time_dialog(view, zone, correcting),
            self._fail,
            owner=self,
        )

    def mark_sent(self) -> None:
        """Mark the selected draft as sent now without asking (for scripts such as the
        screenshot maker; the button asks for the time)."""
        view = self.selected()
        if view is None or self.missing is not None:
            return
        from ncii_desk.services import requests as service

        rid = view.id
        self.ctx.read(lambda v: service.mark_sent(v, rid), self._changed, self._fail, owner=self)

    def sign_off(self) -> None:
        """Sign off the selected draft letter as the case's supervising attorney."""
        view = self.selected()
        if view is None or self.missing is not None:
            return
        from ncii_desk.services import signoff

        rid = view.id

        def done(result: Any) -> None:
            self.note.setText(self.tr("The letter is signed off; it may be sent now."))
            self._changed(result)

        self.ctx.read(lambda v: signoff.sign_off_request(v, rid), done, self._fail, owner=self)

    def correct_sent_time(self) -> None:
        self.ask_sent_time(correcting=True)

    def _sent_time_dialog(self, view: Any, zone: Any, correcting: bool) -> None:
        from ncii_desk.services.requests import zone_label

        current = parse_iso(view.sent_at) if correcting else None
        dialog = SentTimeDialog(
            zone_label(zone),
            (current or datetime.now(UTC)).astimezone(zone),
            correcting=correcting,
            deadline=view.route == "takedown",
            parent=self,
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        request_id = view.id
        dialog.chosen.connect(
            lambda text, reason: self.save_sent(request_id, text, reason if correcting else None)
        )
        self.sent_time_dialog = dialog
        dialog.open()

    def save_sent(self, request_id: str, text: str, reason: str | None = None) -> None:
        """Mark the request as sent at ``text`` (a wall-clock time in the clinic's zone), or
        with a ``reason``, correct the time it was sent (the 48-hour clock moves with it)."""
        if self.missing is not None:
            return
        from ncii_desk.services import requests as service

        def work(v: CaseStore) -> Any:
            at = service.parse_local(text, service.clinic_zone(v))
            if reason is not None:
                return service.correct_sent(v, request_id, at, reason)
            return service.mark_sent(v, request_id, at=at)

        def done(result: Any) -> None:
            self.note.setText(
                self.tr("Time sent corrected to {when}.").format(when=text)
                if reason is not None
                else self.tr("Marked as sent at {when}.").format(when=text)
            )
            self._changed(result)

        self.ctx.read(work, done, self._fail, owner=self)

    def set_ticket(self) -> None:
        view = self.selected()
        if view is None or self.missing is not None:
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
        if self.missing is not None:
            return
        from ncii_desk.services import requests as service

        self.ctx.read(
            lambda v: service.set_ticket(v, request_id, ticket),
            self._changed,
            self._fail,
            owner=self,
        )

    def set_status(self) -> None:
        view = self.selected()
        if view is None or self.missing is not None:
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
        if self.missing is not None:
            return
        from ncii_desk.services import requests as service

        self.ctx.read(
            lambda v: service.set_status(v, request_id, status),
            self._changed,
            self._fail,
            owner=self,
        )

    def _show_letter(self, view: Any | None) -> None:
        """The selected request's letter, drawn from its stored bytes (read again only when
        the request changed: a re-dated letter after it was sent)."""
        key = (view.id, view.sent_at, len(view.history)) if view is not None else None
        if key == self._letter_key:
            return
        self._letter_key = key
        if view is None or self.missing is not None or not view.has_documents:
            self.letter.clear("" if view is None else self.tr("This request has no letter stored."))
            return
        from ncii_desk.services import requests as service

        rid = view.id

        def shown(reading: Any) -> None:
            if self._letter_key == key:
                self.letter.show_letter(reading.pdf_name, reading.pdf, reading.text)

        def failed(error: NciiDeskError) -> None:
            if self._letter_key == key:
                self.letter.clear(error_text(error))

        self.letter.clear(self.tr("Opening the letter..."))
        self.ctx.read(lambda v: service.letter_for_reading(v, rid), shown, failed, owner=self)

    def send_email(self, folder: Path | None = None) -> None:
        """Save the PDF where the advocate chooses, then hand the mail program a new message
        (address and subject) and show the folder to attach the file from."""
        view = self.selected()
        if view is None or self.missing is not None:
            return
        from ncii_desk.services import requests as service

        if folder is None:
            folder = pick_folder(self, self.tr("Choose a folder for the letter to attach"))
            if folder is None:
                return
        rid, chosen = view.id, folder

        def work(v: CaseStore) -> tuple[Any, list[Path]]:
            reading = service.letter_for_reading(v, rid)
            return reading, service.export_documents(v, rid, chosen, formats=("pdf",))

        def done(result: tuple[Any, list[Path]]) -> None:
            reading, paths = result
            saved = paths[0] if paths else chosen / reading.pdf_name
            url = QUrl("mailto:" + reading.email)
            query = QUrlQuery()
            query.addQueryItem("subject", reading.subject)
            query.addQueryItem(
                "body",
                self.tr("Please find attached our letter ({name}).").format(name=saved.name),
            )
            url.setQuery(query)
            self.mail_url = url
            opened = QDesktopServices.openUrl(url)
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(chosen)))
            where = self.tr("The letter was saved as {file}; attach it from that folder.").format(
                file=str(saved)
            )
            self.note.setText(
                (
                    self.tr("Your mail program was opened with a new message{to}.").format(
                        to=self.tr(" to {address}").format(address=reading.email)
                        if reading.email
                        else ""
                    )
                    if opened
                    else self.tr("No mail program could be opened on this computer.")
                )
                + " "
                + where
            )
            self._changed()

        self.ctx.read(work, done, self._fail, owner=self)

    def save_documents(self) -> None:
        view = self.selected()
        if view is None or self.missing is not None:
            return
        from ncii_desk.services import requests as service

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

    def ask_handout(self) -> None:
        """The client hand-out: language (the window's by default) and file type, then a
        folder; the file is named without the case's label."""
        dialog = HandoutDialog(self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.buttons.accepted.connect(lambda: self.save_handout(dialog))
        dialog.open()
        self.handout_dialog = dialog

    def save_handout(self, dialog: HandoutDialog, folder: Path | None = None) -> None:
        if self.missing is not None:
            return
        from ncii_desk.services import requests as service

        folder = folder or pick_folder(dialog, self.tr("Choose a folder for the hand-out"))
        if folder is None:
            return
        case_id, language, fmt = self.case_id, dialog.chosen_language(), dialog.chosen_format()
        name = handout_file_name(language, fmt)

        def make(vault: CaseStore) -> list[Any]:
            data = service.make_handout(vault, case_id, fmt=fmt, language=language)
            return list(service.write_files(folder, {name: data}))

        def done(paths: list[Any]) -> None:
            dialog.accept()
            self.note.setText(
                self.tr("Saved: {files}").format(files=", ".join(str(p) for p in paths))
            )

        self.ctx.read(make, done, lambda e: dialog.message.setText(error_text(e)), owner=self)

    def followup(self) -> None:
        view = self.selected()
        if view is None or self.missing is not None:
            return
        from ncii_desk.services import requests as service

        rid = view.id
        self.ctx.read(
            service.get_clinic, lambda clinic: self._open_followup(rid, clinic), owner=self
        )

    def _open_followup(self, request_id: str, clinic: dict[str, str]) -> None:
        dialog = DraftDialog(clinic, self, followup=True)
        dialog.setWindowTitle(self.tr("Follow-up letter (deadline passed)"))
        dialog.route.setEnabled(False)
        ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(self.tr("Make the follow-up letter"))
        ok.setAccessibleName(self.tr("Make the follow-up letter"))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.buttons.accepted.connect(lambda: self.submit_followup(dialog, request_id))
        dialog.open()

    def submit_followup(self, dialog: DraftDialog, request_id: str) -> None:
        if self.missing is not None:
            return
        from ncii_desk.services import requests as service

        form = dialog.letter_form()
        folder = pick_folder(dialog, self.tr("Choose a folder for the follow-up letter"))
        if folder is None:
            return

        def make(vault: CaseStore) -> list[Any]:
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
