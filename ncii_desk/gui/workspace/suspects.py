"""Suspects: links to capture (with a status per link) and files or folders found elsewhere."""

from __future__ import annotations

from types import ModuleType
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QPlainTextEdit,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ncii_desk.gui.common import button, local_time, plain_label, tr, warning_color
from ncii_desk.gui.context import AppContext
from ncii_desk.gui.optional import load_service
from ncii_desk.gui.queries import CaptureRow, captures_for_case
from ncii_desk.gui.safeview import PreviewPanel
from ncii_desk.gui.tasks import Problem
from ncii_desk.gui.workspace.items import ItemsSection
from ncii_desk.vault.models import Role

CAPTURE = "ncii_desk.services.capture"
CAPTURE_COLUMNS = ("Link", "Status", "Captured at", "Files found")


def capture_service() -> ModuleType | None:
    return load_service(CAPTURE, "capture_urls")


def parse_urls(text: str) -> list[str]:
    """One link per line (blank lines and surrounding spaces ignored, duplicates once)."""
    seen: list[str] = []
    for line in text.splitlines():
        url = line.strip()
        if url and url not in seen:
            seen.append(url)
    return seen


def capture_status(row: CaptureRow) -> tuple[str, bool]:
    """Plain status of one capture and whether it is a problem."""
    if row.error:
        return tr("Suspects", "Failed: {why}").format(why=row.error), True
    if row.http_status is None:
        return tr("Suspects", "Not finished"), True
    if 200 <= row.http_status < 300:
        return tr("Suspects", "Captured (HTTP {code})").format(code=row.http_status), False
    return tr("Suspects", "Page answered HTTP {code}").format(code=row.http_status), True


def result_problems(result: Any) -> list[Problem]:
    """Per-link problems from a capture or recheck result, whatever its exact shape."""
    out: list[Problem] = []
    for err in getattr(result, "errors", None) or []:
        if isinstance(err, dict):
            out.append(
                Problem(
                    str(err.get("url") or err.get("path") or ""),
                    str(err.get("message") or err.get("error") or ""),
                    str(err.get("hint") or ""),
                )
            )
        else:
            out.append(
                Problem(
                    str(getattr(err, "url", "") or getattr(err, "path", "")),
                    str(getattr(err, "message", err)),
                    str(getattr(err, "hint", "")),
                )
            )
    return out


class SuspectsPane(QWidget):
    def __init__(self, ctx: AppContext, case_id: str) -> None:
        super().__init__()
        self.ctx = ctx
        self.case_id = case_id
        self.rows: list[CaptureRow] = []
        layout = QHBoxLayout(self)
        split = QSplitter(Qt.Orientation.Horizontal)
        left = QSplitter(Qt.Orientation.Vertical)
        links = QWidget()
        links_layout = QVBoxLayout(links)
        links_layout.setContentsMargins(0, 0, 0, 0)
        links_layout.addWidget(plain_label(self.tr("Links"), wrap=False))
        links_layout.addWidget(
            plain_label(
                self.tr(
                    "Paste the links where the pictures appear, one per line. Each page is "
                    "saved with the details that prove where and when it was found, and the "
                    "pictures on it become suspect items."
                )
            )
        )
        self.urls = QPlainTextEdit()
        self.urls.setAccessibleName(self.tr("Links to capture, one per line"))
        self.urls.setPlaceholderText(self.tr("https://example.org/page-with-the-picture"))
        self.urls.setMaximumHeight(90)
        self.urls.setTabChangesFocus(True)
        links_layout.addWidget(self.urls)
        row = QHBoxLayout()
        self.capture_button = button(self.tr("Capture these links"), self.capture)
        self.recheck_button = button(
            self.tr("Check the links again"),
            self.recheck,
            tip=self.tr("Visit every captured link again: is the content still there?"),
        )
        row.addWidget(self.capture_button)
        row.addWidget(self.recheck_button)
        row.addStretch(1)
        links_layout.addLayout(row)
        self.capture_note = plain_label(name=self.tr("Capture note"))
        links_layout.addWidget(self.capture_note)
        self.model = QStandardItemModel(0, len(CAPTURE_COLUMNS))
        self.model.setHorizontalHeaderLabels([self.tr(c) for c in CAPTURE_COLUMNS])
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName(self.tr("Captured links and their status"))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setTabKeyNavigation(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        links_layout.addWidget(self.table, 1)
        left.addWidget(links)
        self.preview = PreviewPanel(ctx.previews, "suspects", self.tr("Preview"))
        self.items = ItemsSection(
            ctx,
            case_id,
            Role.SUSPECT,
            self.tr("Suspect files"),
            self.tr(
                "Files found elsewhere (downloads, screenshots, a folder a friend sent). They "
                "are compared with the originals as they are added."
            ),
            self.preview,
        )
        left.addWidget(self.items)
        split.addWidget(left)
        split.addWidget(self.preview)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        layout.addWidget(split)
        self._update_buttons()

    def _update_buttons(self) -> None:
        service = capture_service()
        self.capture_button.setEnabled(service is not None)
        self.recheck_button.setEnabled(service is not None and hasattr(service, "recheck_case"))
        self.urls.setReadOnly(service is None)
        if service is None:
            self.capture_note.setText(
                self.tr(
                    "Capturing links is not installed in this build. Save the pictures from "
                    "the page yourself and add them as files below."
                )
            )
        else:
            self.capture_note.clear()

    def refresh(self) -> None:
        case_id = self.case_id
        self.ctx.read(lambda v: captures_for_case(v, case_id), self._show_captures)
        self.items.refresh()

    def _show_captures(self, rows: list[CaptureRow]) -> None:
        self.rows = rows
        self.model.removeRows(0, self.model.rowCount())
        for r in rows:
            status, bad = capture_status(r)
            cells = [
                QStandardItem(r.url),
                QStandardItem(status),
                QStandardItem(local_time(r.started_at)),
                QStandardItem(str(r.items)),
            ]
            for c in cells:
                c.setEditable(False)
                c.setToolTip(c.text())
            if bad:
                cells[1].setForeground(QBrush(warning_color()))
            self.model.appendRow(cells)

    def capture(self) -> None:
        service = capture_service()
        urls = parse_urls(self.urls.toPlainText())
        if service is None or not urls:
            if not urls:
                self.capture_note.setText(self.tr("Paste at least one link first."))
            return
        case_id = self.case_id
        self.ctx.task(
            self.tr("Capturing {n} link(s)").format(n=len(urls)),
            lambda vault, job: service.capture_urls(vault, case_id, urls, job=job),
            on_done=lambda _r: self._after(True),
            problems_of=result_problems,
            summary=self._capture_summary,
        )

    def _capture_summary(self, result: Any) -> str:
        summary = getattr(result, "summary", None)
        if callable(summary):
            return str(summary())
        return self.tr("Capture finished.")

    def _after(self, clear_urls: bool) -> None:
        if clear_urls:
            self.urls.clear()
        self.refresh()
        self.ctx.case_changed.emit(self.case_id)

    def recheck(self) -> None:
        service = capture_service()
        if service is None or not hasattr(service, "recheck_case"):
            return
        case_id = self.case_id
        self.ctx.task(
            self.tr("Checking captured links again"),
            lambda vault, job: service.recheck_case(vault, case_id, job=job),
            on_done=lambda _r: self._after(False),
            problems_of=result_problems,
        )
