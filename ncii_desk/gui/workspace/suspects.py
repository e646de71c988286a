"""Suspects: links to capture (with a status per link) and files or folders found elsewhere
(with where each one was found online, for the removal letters)."""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QStandardItem
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QPlainTextEdit,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ncii_desk.errors import NciiDeskError
from ncii_desk.gui.common import (
    QT_TRANSLATE_NOOP,
    ReturnButton,
    button,
    elide_middle,
    fit_columns,
    local_time,
    note_label,
    plain_tip,
    row_table,
    text_lines_height,
    translate,
    warning_color,
)
from ncii_desk.gui.context import AppContext
from ncii_desk.gui.layouts import PANE_MARGIN, SidePanelToggle
from ncii_desk.gui.optional import capture_missing
from ncii_desk.gui.safeview import PreviewPanel
from ncii_desk.gui.tasks import Problem
from ncii_desk.gui.workspace.foundat import BY_HAND, FoundAtDialog, found_at_explanation
from ncii_desk.gui.workspace.items import ItemsSection
from ncii_desk.i18n import said
from ncii_desk.services import found_at
from ncii_desk.services.types import Role

CAPTURE_COLUMNS = (
    QT_TRANSLATE_NOOP("Suspects", "Link"),
    QT_TRANSLATE_NOOP("Suspects", "Status"),
    QT_TRANSLATE_NOOP("Suspects", "Captured at"),
    QT_TRANSLATE_NOOP("Suspects", "Files kept"),
    QT_TRANSLATE_NOOP("Suspects", "Latest check"),
)
#: The address shares the spare width (shortened in the middle); the rest fit their text.
CAPTURE_STRETCH = (0,)
#: Lines of the box where links are pasted (a long list scrolls).
URL_LINES = 3
RECHECK_OUTCOMES = {
    "still_up": QT_TRANSLATE_NOOP("Suspects", "Still up"),
    "changed": QT_TRANSLATE_NOOP("Suspects", "Still up, changed"),
    "gone": QT_TRANSLATE_NOOP("Suspects", "Gone"),
    "error": QT_TRANSLATE_NOOP("Suspects", "Could not check"),
}


def capture_installed() -> bool:
    """Whether web capture is in this build (see :func:`capture_missing` for why not)."""
    return capture_missing() is None


def parse_urls(text: str) -> list[str]:
    """One link per line (blank lines and surrounding spaces ignored, duplicates once)."""
    seen: list[str] = []
    for line in text.splitlines():
        url = line.strip()
        if url and url not in seen:
            seen.append(url)
    return seen


def capture_status(capture: Any) -> tuple[str, bool]:
    """Plain status of one capture (a CaptureView) and whether it is a problem."""
    if capture.error:
        why = said(capture.error)  # the stored English reason, in the window's language
        return translate("Suspects", "Failed: {why}").format(why=why), True
    code = capture.http_status
    if code is None:
        return translate("Suspects", "Not finished"), True
    if 200 <= code < 300:
        return translate("Suspects", "Captured (HTTP {code})").format(code=code), False
    return translate("Suspects", "The site answered HTTP {code}").format(code=code), True


def latest_checks(rechecks: list[Any]) -> dict[str, Any]:
    """The newest re-check of each capture (re-checks come oldest first)."""
    out: dict[str, Any] = {}
    for r in rechecks:
        out[r.capture_id] = r
    return out


def check_text(recheck: Any | None) -> str:
    if recheck is None:
        return ""
    outcome = translate("Suspects", RECHECK_OUTCOMES.get(recheck.outcome, recheck.outcome))
    return f"{outcome} ({local_time(recheck.checked_at)})"


def _problem(where: str, error: dict[str, str] | None) -> Problem | None:
    if not error:
        return None
    return Problem(where, str(error.get("message", "")), str(error.get("hint", "")))


def batch_problems(batch: Any) -> list[Problem]:
    """Per-address (and per-picture) problems of a capture batch, and its warnings."""
    out: list[Problem] = []
    for result in batch.results:
        found = [_problem(result.url, result.error)]
        found += [_problem(r.url, r.error) for r in result.resources]
        out += [p for p in found if p is not None]
        for err in result.hashing_errors:
            out.append(
                Problem(
                    result.url,
                    str(err.get("message") or err.get("error") or ""),
                    str(err.get("hint", "")),
                )
            )
    # A stored threshold that is not valid: matching used the default, and says so.
    for warning in getattr(batch, "warnings", []):
        out.append(Problem(translate("Suspects", "(matching)"), str(warning)))
    return out


def batch_summary(batch: Any) -> str:
    captured = len(batch.results) - batch.failed
    files = sum(len(r.item_ids) for r in batch.results)
    return translate(
        "Suspects", "Captured {c} of {n} link(s), {f} file(s) kept; {m} new match(es)."
    ).format(c=captured, n=len(batch.results), f=files, m=batch.new_matches)


def recheck_summary(views: list[Any]) -> str:
    counts: dict[str, int] = {}
    for v in views:
        counts[v.outcome] = counts.get(v.outcome, 0) + 1
    parts = [
        f"{translate('Suspects', RECHECK_OUTCOMES.get(k, k))}: {n}"
        for k, n in sorted(counts.items())
    ]
    return translate("Suspects", "Checked {n} link(s). ").format(n=len(views)) + ", ".join(parts)


def custody_text(view: Any) -> str:
    """An item's chain of custody as plain lines."""
    item = view.item
    lines = [
        translate("Suspects", "File: {name}").format(name=item.get("original_filename", "")),
        f"SHA-256: {item.get('sha256', '')}",
        f"MD5: {item.get('md5', '')}",
        translate("Suspects", "Added: {at} by {who}").format(
            at=item.get("intake_at", ""), who=item.get("operator", "")
        ),
    ]
    capture = view.capture
    if capture:
        lines.append(
            translate("Suspects", "Came from: {url} (HTTP {code}, captured {at})").format(
                url=capture.get("url", ""),
                code=capture.get("http_status", ""),
                at=capture.get("started_at", ""),
            )
        )
        if capture.get("warc_sha256"):
            lines.append(
                translate("Suspects", "Web archive SHA-256: {s}").format(s=capture["warc_sha256"])
            )
    lines.append("")
    lines.append(
        translate("Suspects", "Audit trail verified: {ok} ({n} events in the vault)").format(
            ok=translate("Suspects", "yes") if view.audit_chain_ok else translate("Suspects", "NO"),
            n=view.audit_events_total,
        )
    )
    for e in view.events:
        details = json.dumps(e.get("details", {}), ensure_ascii=False, sort_keys=True)
        lines.append(f"{e.get('at', '')}  {e.get('actor', '')}  {e.get('action', '')}  {details}")
    return "\n".join(lines)


class CustodyDialog(QDialog):
    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Chain of custody"))
        self.resize(720, 420)
        layout = QVBoxLayout(self)
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.text.setPlainText(text)
        self.text.setAccessibleName(self.tr("Chain of custody"))
        layout.addWidget(self.text)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        buttons.button(QDialogButtonBox.StandardButton.Close).setAccessibleName(self.tr("Close"))
        layout.addWidget(buttons)


class SuspectsPane(QWidget):
    def __init__(self, ctx: AppContext, case_id: str) -> None:
        super().__init__()
        self.ctx = ctx
        self.case_id = case_id
        self.captures: list[Any] = []
        layout = QHBoxLayout(self)
        layout.setContentsMargins(PANE_MARGIN, PANE_MARGIN, PANE_MARGIN, PANE_MARGIN)
        self.split = split = QSplitter(Qt.Orientation.Horizontal)
        links_text = self.tr(
            "Each page is saved with the details that prove where and when it was found, and "
            "the pictures on it become suspect items."
        )
        self.links = links = QWidget()
        links_layout = QVBoxLayout(links)
        links_layout.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        self.urls = QPlainTextEdit()
        self.urls.setAccessibleName(self.tr("Links to capture, one per line"))
        self.urls.setPlaceholderText(
            self.tr(
                "Paste the links where the pictures appear, one per line, for example:\n"
                "https://example.org/page-with-the-picture"
            )
        )
        self.urls.setAccessibleDescription(self.urls.placeholderText())
        self.urls.setToolTip(links_text)
        self.urls.setTabChangesFocus(True)
        self.urls.setFixedHeight(text_lines_height(self.urls, URL_LINES))
        row.addWidget(self.urls, 1)
        buttons = QVBoxLayout()
        self.capture_button = button(self.tr("Capture these &links"), self.capture, tip=links_text)
        self.recheck_button = button(
            self.tr("Check the links a&gain"),
            self.recheck,
            tip=self.tr("Visit every captured link again: is the content still there?"),
        )
        buttons.addWidget(self.capture_button)
        buttons.addWidget(self.recheck_button)
        buttons.addStretch(1)
        row.addLayout(buttons)
        links_layout.addLayout(row)
        self.capture_note = note_label(self.tr("Capture note"))
        links_layout.addWidget(self.capture_note)
        self.model, self.table = row_table(
            "Suspects",
            CAPTURE_COLUMNS,
            self.tr("Captured links and their status"),
            single_selection=False,
        )
        self.table.setAccessibleDescription(links_text)
        elide_middle(self.table, (0,))
        fit_columns(self.table, CAPTURE_STRETCH)
        links_layout.addWidget(self.table, 1)
        self.preview = PreviewPanel(ctx.previews, "suspects", self.tr("Preview"))
        self.items = ItemsSection(
            ctx,
            case_id,
            Role.SUSPECT,
            self.tr("Suspect files"),
            self.tr(
                "Files found elsewhere (downloads, screenshots, a folder someone sent). They "
                "are compared with the originals as they are added."
            ),
            self.preview,
        )
        self.custody_button = button(
            self.tr("Chain of custod&y..."),
            self.show_custody,
            tip=self.tr("How the selected file came in, and everything recorded about it since."),
        )
        self.custody_button.setEnabled(False)
        self.found_at_button = button(
            self.tr("Where was it f&ound?..."),
            self.ask_found_at,
            name=self.tr("Where was the selected file found?"),
            tip=found_at_explanation(),
        )
        self.found_at_button.setEnabled(False)
        self.found_at_dialog: FoundAtDialog | None = None
        self.items.selected.connect(lambda _i: self._update_buttons())
        self.items.add_item_buttons(self.custody_button, self.found_at_button)
        self.found_at_note = note_label(self.tr("Where it was found: note"))
        self.items.add_below(self.found_at_note)
        # One list at a time (a tab each): the files (with the preview beside them) and the
        # links captured, each with the whole height.
        self.lists = QTabWidget()
        self.lists.setDocumentMode(True)
        self.lists.setAccessibleName(self.tr("Suspect files or links"))
        self.lists.addTab(self.items, self.items.title)
        self.lists.setTabToolTip(0, self.items.explanation)
        self.lists.addTab(links, self.tr("Links"))
        self.lists.setTabToolTip(1, links_text)
        self.preview_toggle = ReturnButton()
        self.preview_toggle.setAccessibleName(self.tr("Show or hide the preview"))
        self.lists.setCornerWidget(self.preview_toggle, Qt.Corner.TopRightCorner)
        split.addWidget(self.lists)
        split.addWidget(self.preview)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        split.setCollapsible(0, False)
        self.preview_side = SidePanelToggle(
            split,
            self.preview,
            self.preview_toggle,
            self.tr("Show pre&view"),
            self.tr("Hide pre&view"),
        )
        # The preview starts with a third of the width (the list's long row of controls
        # would otherwise take nearly all of it); the handle or the button changes that.
        split.setSizes([share * 100 for share in (2, 1)])
        layout.addWidget(split)
        self._update_buttons()

    def _update_buttons(self) -> None:
        missing = capture_missing()
        self.capture_button.setEnabled(missing is None)
        self.recheck_button.setEnabled(missing is None)
        self.custody_button.setEnabled(missing is None and self.items.selected_id() is not None)
        view = self.items.selected_view()
        self.found_at_button.setEnabled(view is not None and view.source in BY_HAND)
        self.urls.setReadOnly(missing is not None)
        if missing is not None:
            self.capture_note.setText(
                self.tr(
                    "Capturing links is not installed in this build. Save the pictures from "
                    "the page yourself and add them under Suspect files."
                )
                + " "
                + missing.message
            )

    def refresh(self) -> None:
        self.items.refresh()
        if not capture_installed():
            return
        from ncii_desk.services import capture as service

        case_id = self.case_id
        self.ctx.read(
            lambda v: (service.list_captures(v, case_id), service.list_rechecks(v, case_id)),
            self._show_captures,
            owner=self,
        )

    def _show_captures(self, result: tuple[list[Any], list[Any]]) -> None:
        captures, rechecks = result
        latest = latest_checks(rechecks)
        self.captures = captures
        self.model.removeRows(0, self.model.rowCount())
        for c in captures:
            status, bad = capture_status(c)
            cells = [
                QStandardItem(c.url),
                QStandardItem(status),
                QStandardItem(local_time(c.started_at)),
                QStandardItem(str(len(c.item_ids))),
                QStandardItem(check_text(latest.get(c.id))),
            ]
            for cell in cells:
                cell.setEditable(False)
                cell.setToolTip(plain_tip(cell.text()))
            if bad:
                cells[1].setForeground(QBrush(warning_color()))
            self.model.appendRow(cells)
        fit_columns(self.table, CAPTURE_STRETCH)

    def capture(self) -> None:
        urls = parse_urls(self.urls.toPlainText())
        if not capture_installed():
            return
        from ncii_desk.services import capture as service

        if not urls:
            self.capture_note.setText(self.tr("Paste at least one link first."))
            return
        self.capture_note.clear()
        self.lists.setCurrentWidget(self.links)  # where each link's status comes in
        case_id = self.case_id
        self.ctx.task(
            self.tr("Capturing {n} link(s)").format(n=len(urls)),
            lambda vault, job: service.capture_urls(vault, case_id, urls, job),
            on_done=lambda _r: self._after(True),
            problems_of=batch_problems,
            summary=batch_summary,
            owner=self,
        )

    def _after(self, clear_urls: bool) -> None:
        if clear_urls:
            self.urls.clear()
        self.refresh()
        self.ctx.case_changed.emit(self.case_id)

    def recheck(self) -> None:
        if not capture_installed():
            return
        from ncii_desk.services import capture as service

        case_id = self.case_id
        self.ctx.task(
            self.tr("Checking captured links again"),
            lambda vault, job: service.recheck_case(vault, case_id, job),
            on_done=lambda _r: self._after(False),
            summary=recheck_summary,
            owner=self,
        )

    def show_custody(self) -> None:
        item_id = self.items.selected_id()
        if not capture_installed() or item_id is None:
            return
        from ncii_desk.services import capture as service

        def shown(view: Any) -> None:
            dialog = CustodyDialog(custody_text(view), self)
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dialog.open()

        self.ctx.read(lambda v: service.custody(v, item_id), shown, owner=self)

    # -- where a file added by hand was found --

    def ask_found_at(self) -> None:
        view = self.items.selected_view()
        if view is None or view.source not in BY_HAND:
            return
        dialog = FoundAtDialog(view, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self.save_found_at(view.id, dialog.found_at()))
        self.found_at_dialog = dialog
        dialog.open()

    def save_found_at(self, item_id: str, where: found_at.FoundAt) -> None:
        """Save the addresses (an empty page address removes the one recorded)."""
        self.found_at_note.clear()

        def done(change: found_at.SourceChange) -> None:
            if change.changed:
                self.found_at_note.setText(
                    self.tr("Saved where it was found (recorded in the activity log).")
                )
            else:
                self.found_at_note.setText(self.tr("The addresses are the same as before."))
            self.items.refresh()
            self.ctx.case_changed.emit(self.case_id)

        def failed(error: NciiDeskError) -> None:
            self.found_at_note.setText(self.tr("Nothing was changed."))
            self.ctx.report(error)

        self.ctx.read(
            lambda v: found_at.set_found_at(v, item_id, where.source_url, where.page_url),
            done,
            failed,
            owner=self,
        )
