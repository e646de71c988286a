"""The dialogs of the Requests pane: drafting letters, and the time a letter was sent."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import shiboken6
from PySide6.QtCore import QDate, QDateTime, Qt, QTime, QTimer, Signal
from PySide6.QtGui import QBrush, QFont
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ncii_desk import i18n
from ncii_desk.errors import NciiDeskError
from ncii_desk.gui.common import (
    checkbox,
    elide_middle,
    error_text,
    fit_columns,
    plain_label,
    plain_tip,
    translate,
    warning_color,
)
from ncii_desk.gui.workspace.requests.texts import (
    LETTER_STRETCH,
    ROUTES,
    left_out_problem,
    review_text,
    status_text,
)
from ncii_desk.gui.workspace.suspects import parse_urls


class DraftDialog(QDialog):
    """What goes in the letters (the matched pictures, pictures the advocate adds, pages by
    address) and what a letter needs beyond them; the clinic's details prefill it."""

    #: The pictures, pages, kind of request or "again" changed: the preview is out of date.
    changed = Signal()

    def __init__(
        self, clinic: dict[str, str], parent: QWidget | None = None, *, followup: bool = False
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Draft removal requests"))
        self.resize(900, 640)
        self.clinic = dict(clinic)
        self.discard_box: QMessageBox | None = None
        self._discard_ok = False
        self.preview: Any | None = None
        self.preview_generation = 0
        self.preview_busy = False
        layout = QVBoxLayout(self)
        layout.addWidget(
            plain_label(
                self.tr(
                    "One letter is drafted per platform, listing each picture of the client "
                    "found there with its own address and the page it was on. Nothing is sent: "
                    "you send each letter yourself, then mark it as sent."
                )
            )
        )
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName(self.tr("Draft steps"))
        self.tabs.addTab(self._pictures_page(), self.tr("Pictures in the letters"))
        self.tabs.addTab(self._details_page(clinic), self.tr("Letter details"))
        if followup:  # a follow-up lists what its request listed
            self.tabs.setTabVisible(0, False)
            self.tabs.setCurrentIndex(1)
        layout.addWidget(self.tabs, 1)
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
        self._pending = QTimer(self)
        self._pending.setSingleShot(True)
        self._pending.setInterval(300)
        self._pending.timeout.connect(self.changed.emit)
        self.route.currentIndexChanged.connect(lambda _i: self._pending.start())
        self.extra_urls.textChanged.connect(self._pending.start)
        self.again.toggled.connect(lambda _on: self._pending.start())
        self.candidates.itemChanged.connect(lambda _item: self._pending.start())
        self.route.currentIndexChanged.connect(lambda _i: self.mark_required())
        self.is_self.toggled.connect(lambda _on: self.mark_required())
        self.mark_required()
        self._typed = self._snapshot()

    # -- required details, remembering them, and not losing what was typed --

    def _required_widgets(self) -> dict[str, list[QWidget]]:
        return {
            "signature": [self.signer, self.sign],
            "good_faith": [self.good_faith],
            "dmca_good_faith": [self.good_faith],
            "contact": [self.email, self.phone, self.address],
            "authority": [self.authority],
            "work": [self.work],
            "accuracy": [self.accuracy],
            "covered_platform": [self.covered],
            "copyright_owner": [self.copyright_owner],
        }

    def _label_of(self, widget: QWidget) -> QLabel | QCheckBox | None:
        if isinstance(widget, QCheckBox):
            return widget
        label = self.details_form.labelForField(widget)
        return label if isinstance(label, QLabel) else None

    def required_keys(self) -> tuple[str, ...]:
        from ncii_desk.services.requests import required_details

        return required_details(self.chosen_route(), representative=not self.is_self.isChecked())

    def mark_required(self) -> None:
        """Mark, before Draft is pressed, the details this kind of letter cannot go without."""
        keys = self.required_keys()
        marked: dict[int, str] = {}
        for key, widgets in self._required_widgets().items():
            for widget in widgets:
                if key in keys:
                    marked[id(widget)] = (
                        self.tr("(one of these three is required)")
                        if key == "contact"
                        else self.tr("(required)")
                    )
                marked.setdefault(id(widget), "")
        for widgets in self._required_widgets().values():
            for widget in widgets:
                label = self._label_of(widget)
                if label is None:
                    continue
                base = label.property("base_text")
                if base is None:
                    base = label.text()
                    label.setProperty("base_text", base)
                suffix = marked[id(widget)]
                label.setText(f"{base} {suffix}" if suffix else str(base))
                widget.setAccessibleDescription(suffix)

    def _snapshot(self) -> tuple[object, ...]:
        values: list[object] = [self.route.currentIndex(), self.covered.currentIndex()]
        for w in self.findChildren(QLineEdit):
            if not isinstance(w.parent(), QComboBox):
                values.append(w.text())
        values += [w.toPlainText() for w in self.findChildren(QPlainTextEdit)]
        values += [w.isChecked() for w in self.findChildren(QCheckBox)]
        values.append(tuple(self.chosen_items()))
        return tuple(values)

    def has_typed(self) -> bool:
        return self._snapshot() != self._typed

    def reject(self) -> None:
        """Esc, Cancel or closing: ask first if anything was typed or ticked."""
        if self._discard_ok or not self.has_typed():
            super().reject()
            return
        box_shown = self.discard_box is not None and shiboken6.isValid(self.discard_box)
        if box_shown and self.discard_box is not None and self.discard_box.isVisible():
            return
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle(self.tr("Discard this draft?"))
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setText(self.tr("Close without drafting? What you typed or ticked here will be lost."))
        discard = box.addButton(self.tr("Discard"), QMessageBox.ButtonRole.DestructiveRole)
        keep = box.addButton(self.tr("Keep editing"), QMessageBox.ButtonRole.RejectRole)
        for b in (discard, keep):
            b.setAccessibleName(b.text())
        box.setDefaultButton(keep)
        box.setEscapeButton(keep)
        self.discard_button, self.keep_button = discard, keep

        def answered(clicked: object) -> None:
            if clicked is discard:
                self._discard_ok = True
                super(DraftDialog, self).reject()

        box.buttonClicked.connect(answered)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.discard_box = box
        box.open()

    def details_to_remember(self) -> dict[str, str]:
        """The clinic and signer details typed that differ from those stored (only when a
        representative sends it: the client's own details are never stored as the clinic's)."""
        if not self.remember.isChecked() or self.is_self.isChecked():
            return {}
        typed = {
            "signer": self.signer.text().strip(),
            "name": self.organisation.text().strip(),
            "authority": self.authority.text().strip(),
            "email": self.email.text().strip(),
            "phone": self.phone.text().strip(),
            "address": self.address.text().strip(),
        }
        return {k: v for k, v in typed.items() if v and v != self.clinic.get(k, "")}

    def _pictures_page(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.preview_note = plain_label(
            self.tr("Looking for the pictures of this case..."), name=self.tr("Preview summary")
        )
        layout.addWidget(self.preview_note)
        self.letters = QTreeWidget()
        self.letters.setColumnCount(5)
        self.letters.setHeaderLabels(
            [
                self.tr("Picture"),
                self.tr("Its own address"),
                self.tr("Page it was on"),
                self.tr("Review"),
                self.tr("Note"),
            ]
        )
        self.letters.setAccessibleName(self.tr("Pictures that go in each letter"))
        self.letters.setRootIsDecorated(True)
        self.letters.setWordWrap(False)
        elide_middle(self.letters, (0, 1, 2))
        fit_columns(self.letters, LETTER_STRETCH)
        layout.addWidget(self.letters, 2)
        layout.addWidget(
            plain_label(
                self.tr(
                    "Pictures that were not matched: tick one to add it to the letters (for "
                    "example a picture of the client the matching did not recognise)."
                )
            )
        )
        self.candidates = QListWidget()
        self.candidates.setAccessibleName(self.tr("Pictures that were not matched"))
        layout.addWidget(self.candidates, 1)
        form = QFormLayout()
        self.extra_urls = QPlainTextEdit()
        self.extra_urls.setAccessibleName(self.tr("More web addresses, one per line"))
        self.extra_urls.setTabChangesFocus(True)
        self.extra_urls.setMaximumHeight(60)
        form.addRow(self.tr("More addresses (each page listed as it is)"), self.extra_urls)
        layout.addLayout(form)
        self.again = checkbox(
            self.tr("Draft again even if a request already covers these pictures"),
            tip=self.tr(
                "Off: pictures already in an open request of the same kind are left out. "
                "Turn on, for example, when the platform lost the first request."
            ),
        )
        self.again.setChecked(False)
        layout.addWidget(self.again)
        return page

    def _details_page(self, clinic: dict[str, str]) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        self.route = QComboBox()
        for key, text in ROUTES:
            self.route.addItem(translate("Requests", text), key)
        self.route.setAccessibleName(self.tr("Kind of request"))
        form.addRow(self.tr("Kind of request"), self.route)
        self.covered = self._covered_question()
        form.addRow(self.tr("Covered platform?"), self.covered)
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
        self.address = QLineEdit(clinic.get("address", ""))
        self.address.setAccessibleName(self.tr("Contact postal address"))
        form.addRow(self.tr("Postal address"), self.address)
        self.remember = checkbox(
            self.tr("Remember the signer and clinic details for the next letters"),
            tip=self.tr(
                "Stored in the vault as the clinic's details (Settings, Clinic) and filled in "
                "next time. Not when the client sends the letter themselves."
            ),
        )
        self.remember.setChecked(True)
        form.addRow("", self.remember)
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
        # DMCA notice only: the copyrighted work and the two statements (shown for that route).
        self.work = QLineEdit()
        self.work.setAccessibleName(self.tr("The copyrighted work (DMCA)"))
        self.copyright_owner = checkbox(
            self.tr(
                "The client owns the copyright of the originals copied (mark each original in "
                "the Originals tab)"
            )
        )
        self.accuracy = checkbox(
            self.tr(
                "The sender has read and confirms the statement of accuracy and authority "
                "under penalty of perjury"
            )
        )
        self.dmca_rows = [self.work, self.copyright_owner, self.accuracy]
        form.addRow(self.tr("Copyrighted work (DMCA)"), self.work)
        form.addRow("", self.copyright_owner)
        form.addRow("", self.accuracy)
        self.details_form = form
        self.route.currentIndexChanged.connect(lambda _i: self._show_dmca_rows())
        self._show_dmca_rows()
        return page

    def _show_dmca_rows(self) -> None:
        on = self.chosen_route() == "dmca"
        for widget in self.dmca_rows:
            self.details_form.setRowVisible(widget, on)

    def _covered_question(self) -> QComboBox:
        """TAKE IT DOWN only: is the site a covered platform under 47 U.S.C. § 223a? Asked,
        never assumed; the letter's wording and the 48-hour deadline follow the answer."""
        from ncii_desk.services.requests import covered

        box = QComboBox()
        box.addItem(self.tr("Not answered yet"), "")
        for answer in covered.ANSWERS:
            box.addItem(i18n.translate("Covered", covered.ANSWER_WORDS[answer]), answer)
        question = i18n.translate("Covered", covered.QUESTION)
        definition = i18n.translate("Covered", covered.DEFINITION)
        box.setAccessibleName(question)
        box.setToolTip(plain_tip(f"{question}\n\n{definition}"))
        box.setWhatsThis(definition)
        return box

    def select_covered(self, answer: str) -> None:
        self.covered.setCurrentIndex(max(0, self.covered.findData(answer)))

    def select_route(self, route: str) -> None:
        self.route.setCurrentIndex(max(0, self.route.findData(route)))

    # -- what goes in the letters --

    def chosen_route(self) -> str:
        return str(self.route.currentData())

    def chosen_urls(self) -> list[str]:
        return parse_urls(self.extra_urls.toPlainText())

    def chosen_items(self) -> list[str]:
        """The unmatched pictures ticked to go in the letters (item ids)."""
        out = []
        for row in range(self.candidates.count()):
            item = self.candidates.item(row)
            if item.checkState() == Qt.CheckState.Checked:
                out.append(str(item.data(Qt.ItemDataRole.UserRole)))
        return out

    def set_item_checked(self, item_id: str, on: bool = True) -> None:
        for row in range(self.candidates.count()):
            item = self.candidates.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == item_id:
                item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)

    def show_preview(self, preview: Any) -> None:
        self.preview = preview
        self.preview_busy = False
        self._show_candidates(preview.candidates)
        self.letters.clear()
        bold = QFont(self.letters.font())
        bold.setBold(True)
        pictures = pending = covered = 0
        for letter in preview.letters:
            title = self.tr("Letter to {recipient}").format(recipient=letter.recipient)
            if not letter.takes_route:
                title = self.tr(
                    "{recipient}: does not take this kind of request (no letter)"
                ).format(recipient=letter.recipient)
            top = QTreeWidgetItem([title])
            top.setFirstColumnSpanned(True)
            top.setFont(0, bold)
            self.letters.addTopLevelItem(top)
            top.setFirstColumnSpanned(True)
            for p in letter.pictures:
                note = ""
                if p.covered_by:
                    note = self.tr("Already in request {id} ({status}): left out").format(
                        id=p.covered_by[:12], status=status_text(p.covered_state)
                    )
                    covered += 1
                child = QTreeWidgetItem(
                    [
                        p.name or self.tr("(page given by you)"),
                        p.url,
                        p.page_url,
                        review_text(p.review),
                        note,
                    ]
                )
                if p.review == "pending":
                    pending += 1
                    child.setForeground(3, QBrush(warning_color()))
                    child.setFont(3, bold)
                for col in range(5):
                    child.setToolTip(col, plain_tip(child.text(col)))
                top.addChild(child)
                pictures += int(letter.takes_route and not p.covered_by)
        if preview.not_included:
            top = QTreeWidgetItem([self.tr("Not in any letter")])
            top.setFont(0, bold)
            self.letters.addTopLevelItem(top)
            top.setFirstColumnSpanned(True)
            for entry in preview.not_included:
                problem = left_out_problem(entry, preview.names)
                child = QTreeWidgetItem(
                    [preview.names.get(entry.item_id, ""), entry.url, "", "", problem.message]
                )
                child.setToolTip(4, plain_tip(f"{problem.message}\n{problem.hint}"))
                for col in range(4):
                    child.setToolTip(col, plain_tip(child.text(col)))
                top.addChild(child)
        self.letters.expandAll()
        fit_columns(self.letters, LETTER_STRETCH)
        self.preview_note.setText(self._preview_summary(pictures, pending, covered))

    def _preview_summary(self, pictures: int, pending: int, covered: int) -> str:
        letters = sum(
            1
            for letter in (self.preview.letters if self.preview else [])
            if letter.takes_route and any(not p.covered_by for p in letter.pictures)
        )
        if pictures == 0 and covered:
            return self.tr(
                "Every picture found is already in an open request, so nothing new would be "
                "drafted. Tick 'Draft again' below to draft anyway."
            )
        if pictures == 0:
            return self.tr(
                "No picture of this case can go in a letter yet. Tick a picture below, or add "
                "a page under 'More addresses'."
            )
        text = self.tr("{n} picture(s) or page(s) in {l} letter(s).").format(n=pictures, l=letters)
        if pending:
            text += " " + self.tr(
                "{n} not yet reviewed: check them in the Matches tab before sending."
            ).format(n=pending)
        return text

    def _show_candidates(self, candidates: Sequence[Any]) -> None:
        wanted = [c.item_id for c in candidates]
        shown = [
            self.candidates.item(r).data(Qt.ItemDataRole.UserRole)
            for r in range(self.candidates.count())
        ]
        if wanted == shown:
            return
        checked = set(self.chosen_items())
        self.candidates.blockSignals(True)
        self.candidates.clear()
        for c in candidates:
            item = QListWidgetItem(f"{c.name}  {c.url}")
            item.setData(Qt.ItemDataRole.UserRole, c.item_id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            on = c.item_id in checked
            item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
            tip = c.url + (f"\n{self.tr('On the page:')} {c.page_url}" if c.page_url else "")
            item.setToolTip(plain_tip(tip))
            self.candidates.addItem(item)
        self.candidates.blockSignals(False)

    def show_preview_error(self, error: NciiDeskError) -> None:
        self.preview_busy = False
        self.preview_note.setText(error_text(error))

    def letter_form(self) -> Any:
        from ncii_desk.services.types import LetterForm, Sender

        signer = self.signer.text().strip()
        representative = not self.is_self.isChecked()
        sender = Sender(
            name=signer,
            email=self.email.text().strip(),
            phone=self.phone.text().strip(),
            address=self.address.text().strip(),
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
            work=self.work.text().strip(),
            copyright_owner=self.copyright_owner.isChecked(),
            accuracy=self.accuracy.isChecked(),
            covered_platform=str(self.covered.currentData() or ""),
        )


class SentTimeDialog(QDialog):
    """When was the letter sent: a date-time editor in the clinic's zone (now by default),
    a reason when correcting, and what the time means, before it is recorded."""

    #: (time as YYYY-MM-DD HH:MM in the clinic's zone, reason or "")
    chosen = Signal(str, str)

    def __init__(
        self,
        zone: str,
        when: datetime,
        *,
        correcting: bool,
        deadline: bool,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("sent_time_dialog")
        self.correcting = correcting
        self.setWindowTitle(
            self.tr("Correct the time sent") if correcting else self.tr("When was it sent?")
        )
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.when = QDateTimeEdit()
        self.when.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.when.setCalendarPopup(True)
        self.when.setDateTime(
            QDateTime(QDate(when.year, when.month, when.day), QTime(when.hour, when.minute))
        )
        self.when.setAccessibleName(self.tr("Date and time sent"))
        form.addRow(self.tr("Sent on ({zone})").format(zone=zone), self.when)
        self.reason = QLineEdit()
        self.reason.setAccessibleName(self.tr("Why the time is corrected"))
        self.reason.setPlaceholderText(self.tr("e.g. the e-mail left at 14:05, not 15:05"))
        if correcting:
            form.addRow(self.tr("Why (required)"), self.reason)
        layout.addLayout(form)
        if correcting:
            meaning = self.tr(
                "The letter is dated again and the history keeps the old time, the new one "
                "and your reason."
            )
        else:
            meaning = self.tr(
                "The letter is dated with this time. Not before the draft, not in the future."
            )
        if deadline:
            meaning += " " + self.tr(
                "The platform's 48 hours are counted from this time, so give the time the "
                "letter actually left."
            )
        self.meaning = plain_label(meaning, name=self.tr("What this time means"))
        layout.addWidget(self.meaning)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText(self.tr("Correct the time") if correcting else self.tr("Mark as sent"))
        self.ok.setAccessibleName(self.ok.text())
        cancel = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setAccessibleName(cancel.text().replace("&", ""))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.reason.textChanged.connect(lambda _t: self._update())
        self._update()

    def _update(self) -> None:
        self.ok.setEnabled(not self.correcting or bool(self.reason.text().strip()))

    def chosen_text(self) -> str:
        return str(self.when.dateTime().toString("yyyy-MM-dd HH:mm"))

    def accept(self) -> None:
        if self.correcting and not self.reason.text().strip():
            return
        self.chosen.emit(self.chosen_text(), self.reason.text().strip())
        super().accept()
