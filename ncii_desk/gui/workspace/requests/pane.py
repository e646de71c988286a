"""Removal requests: letters per platform, sent dates, ticket numbers, 48-hour countdowns."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import QDate, QDateTime, Qt, QTime, QTimer, QUrl, QUrlQuery, Signal
from PySide6.QtGui import QBrush, QDesktopServices, QFont, QStandardItem
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QSplitter,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ncii_desk import i18n
from ncii_desk.errors import NciiDeskError
from ncii_desk.gui import queries
from ncii_desk.gui.common import (
    QT_TRANSLATE_NOOP,
    button,
    checkbox,
    countdown,
    elide_middle,
    error_text,
    fit_columns,
    local_time,
    note_label,
    parse_iso,
    pick_folder,
    plain_label,
    plain_tip,
    row_table,
    translate,
    warning_color,
)
from ncii_desk.gui.context import AppContext
from ncii_desk.gui.layouts import PANE_MARGIN, FlowLayout, keep_rows, scrolling
from ncii_desk.gui.letterview import LetterPreview
from ncii_desk.gui.optional import NotInstalledPanel, requests_missing
from ncii_desk.gui.tasks import Problem
from ncii_desk.gui.workspace.handout import HandoutDialog, handout_file_name
from ncii_desk.gui.workspace.suspects import capture_installed, parse_urls, recheck_summary
from ncii_desk.services.types import Vault

REQUEST_COLUMNS = (
    QT_TRANSLATE_NOOP("Requests", "Platform"),
    QT_TRANSLATE_NOOP("Requests", "Kind"),
    QT_TRANSLATE_NOOP("Requests", "Status"),
    QT_TRANSLATE_NOOP("Requests", "Sent"),
    QT_TRANSLATE_NOOP("Requests", "48-hour deadline"),
    QT_TRANSLATE_NOOP("Requests", "Ticket"),
    QT_TRANSLATE_NOOP("Requests", "Content"),
)
#: Platform and kind share the spare width; status, dates, ticket and content fit their text.
REQUEST_STRETCH = (0, 1)
#: In the draft preview the addresses fit their text (shortened in the middle when very
#: long) and the note takes the spare width.
LETTER_STRETCH = (4,)

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


def route_text(route: str) -> str:
    return translate("Requests", dict(ROUTES).get(route, route))


def deadline_text(view: Any, now: datetime | None = None) -> tuple[str, bool]:
    """Countdown to the 48-hour deadline of an open request; overdue in words too."""
    deadline = parse_iso(view.deadline_at)
    if deadline is None:
        return "", False
    if view.status not in ("sent", "acknowledged"):
        # In the clinic's time zone with its DST rule, UTC beside it.
        return (getattr(view, "deadline_local", "") or local_time(view.deadline_at)), False
    return countdown(deadline, now or datetime.now(UTC))


REVIEW_TEXT = {
    "confirmed": QT_TRANSLATE_NOOP("Requests", "confirmed"),
    "pending": QT_TRANSLATE_NOOP("Requests", "pending: not yet reviewed"),
    "named": QT_TRANSLATE_NOOP("Requests", "named by you"),
    "": QT_TRANSLATE_NOOP("Requests", "page listed as it is"),
}
#: Why something is left out of the letters (the service's reasons) and what to do about it.
LEFT_OUT_TEXT = {
    "no matched picture": (
        QT_TRANSLATE_NOOP("Requests", "No picture on this page matched the client's photos."),
        QT_TRANSLATE_NOOP(
            "Requests",
            "Check the Matches tab. To ask for it anyway, tick one of its pictures under "
            "'Pictures that were not matched', or add the page under 'More addresses' to list "
            "the whole page.",
        ),
    ),
    "matched, but no web address is known": (
        QT_TRANSLATE_NOOP("Requests", "This file matched, but no web address is known for it."),
        QT_TRANSLATE_NOOP(
            "Requests",
            "Capture the page it came from in the Suspects tab, or add the page under 'More "
            "addresses'.",
        ),
    ),
    "already in an open request": (
        QT_TRANSLATE_NOOP("Requests", "Already in request {id} ({status})."),
        QT_TRANSLATE_NOOP(
            "Requests",
            "Follow that request up. To draft a new letter anyway, tick 'Draft again even if a "
            "request already covers these pictures'.",
        ),
    ),
}


def review_text(review: str) -> str:
    return translate("Requests", REVIEW_TEXT.get(review, review))


#: What to do about a picture a DMCA notice may not list (the service names why).
DMCA_TODO = QT_TRANSLATE_NOOP(
    "Requests",
    "A DMCA notice lists only copies of the client's own originals, matched by their pixels "
    "and confirmed by a reviewer. Ask for this picture with a TAKE IT DOWN Act request "
    "instead, or mark who took the original in the Originals tab and confirm the match in "
    "the Matches tab.",
)


def left_out_problem(entry: Any, names: dict[str, str]) -> Problem:
    """One address or file left out of the drafts: what happened and what to do."""
    what, todo = LEFT_OUT_TEXT.get(entry.reason, (entry.reason, ""))
    if str(entry.reason).startswith("DMCA: "):
        reason = str(entry.reason).removeprefix("DMCA: ")
        what, todo = (
            "Not in the DMCA notice: " + reason.replace("{", "(").replace("}", ")"),
            DMCA_TODO,
        )
    message = translate("Requests", what).format(
        id=str(entry.request_id)[:12], status=status_text(entry.status)
    )
    where = entry.url or names.get(entry.item_id, "") or str(entry.item_id)[:12]
    return Problem(where, message, translate("Requests", todo) if todo else "")


#: What to do about each missing letter element, in the dialog's own words (the field
#: labels), instead of the command line's options.
MISSING_HINTS = {
    "signature": QT_TRANSLATE_NOOP(
        "Requests",
        "Fill in 'Signed by' and tick 'Sign electronically as /s/ followed by the name'.",
    ),
    "location": QT_TRANSLATE_NOOP(
        "Requests",
        "Capture the page each picture is on (Suspects tab), or leave the picture out.",
    ),
    "good_faith": QT_TRANSLATE_NOOP(
        "Requests",
        "Tick 'The client confirms in good faith...' once the client has agreed to it.",
    ),
    "dmca_good_faith": QT_TRANSLATE_NOOP(
        "Requests",
        "Tick 'The client confirms in good faith...' once the client has agreed to it.",
    ),
    "contact": QT_TRANSLATE_NOOP(
        "Requests",
        "Fill in 'Email', 'Phone' or 'Postal address' (the clinic's are filled in for you "
        "once stored).",
    ),
    "authority": QT_TRANSLATE_NOOP(
        "Requests",
        "Fill in 'Authority to act', or tick 'The client sends it themselves'.",
    ),
    "legal_name": QT_TRANSLATE_NOOP(
        "Requests", "Fill in 'Client's legal name': this platform asks for it."
    ),
    "work": QT_TRANSLATE_NOOP(
        "Requests",
        "Describe the original in 'Copyrighted work (DMCA)', for example 'a photograph the "
        "client took of herself in March 2024'.",
    ),
    "accuracy": QT_TRANSLATE_NOOP(
        "Requests",
        "Tick 'The sender has read and confirms the statement...' once the sender has read it.",
    ),
    "covered_platform": QT_TRANSLATE_NOOP(
        "Requests", "Answer 'Covered platform?' (yes, no or not sure)."
    ),
    "copyright_owner": QT_TRANSLATE_NOOP(
        "Requests",
        "Tick 'The client owns the copyright...' and mark each original in the Originals "
        "tab; otherwise choose the TAKE IT DOWN request.",
    ),
    "copyright_copies": QT_TRANSLATE_NOOP(
        "Requests",
        "Leave those pictures out of the DMCA notice and ask for them with a TAKE IT DOWN "
        "request, which needs no copyright.",
    ),
}


def missing_text(error: NciiDeskError) -> str | None:
    """A refusal for missing letter details in the dialog's words; None for other errors."""
    missing = getattr(error, "missing", None)
    if not isinstance(missing, list) or not missing:
        return None
    hints = [translate("Requests", MISSING_HINTS[k]) for k in missing if k in MISSING_HINTS]
    return "\n".join([i18n.said(error.message), *(f"- {h}" for h in dict.fromkeys(hints))])


def status_text(state: str) -> str:
    return translate("Requests", STATUS_TEXT.get(state, state))


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


class RequestsPane(QWidget):
    def __init__(self, ctx: AppContext, case_id: str) -> None:
        super().__init__()
        self.ctx = ctx
        self.case_id = case_id
        self.views: list[Any] = []
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
        row = FlowLayout()
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
        for b in (
            self.draft_button,
            self.sent_button,
            self.correct_button,
            self.ticket_button,
            self.status_button,
            self.save_button,
            self.email_button,
            self.followup_button,
            self.handout_button,
            self.recheck_button,
        ):
            row.addWidget(b)
        self.note = note_label(self.tr("Requests note"))
        split = QSplitter(Qt.Orientation.Vertical)
        self.model, self.table = row_table("Requests", REQUEST_COLUMNS, self.tr("Removal requests"))
        self.table.setAccessibleDescription(about)
        fit_columns(self.table, REQUEST_STRETCH)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._selected())
        # The list, then its buttons under it (wrapping in a narrow window), then the letter.
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(self.table, 1)
        top_layout.addLayout(row)
        top_layout.addWidget(self.note)
        split.addWidget(top)
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

        case_id = self.case_id
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
        self.sent_button.setEnabled(state == "draft")
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

        def work(v: Vault) -> Any:
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

        def work(v: Vault) -> Any:
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

        def work(v: Vault) -> tuple[Any, list[Path]]:
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

        def make(vault: Vault) -> list[Any]:
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
