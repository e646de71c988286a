"""A list of a case's items of one role, with blurred thumbnails, adding files/folders, and
switching an item already stored to hashes only."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QPixmap, QStandardItem
from PySide6.QtWidgets import (
    QStyle,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ncii_desk.errors import NciiDeskError
from ncii_desk.gui.common import (
    QT_TRANSLATE_NOOP,
    button,
    checkbox,
    elide_middle,
    fit_columns,
    local_time,
    note_label,
    pick_files,
    pick_folder,
    plain_label,
    plain_tip,
    row_table,
    translate,
)
from ncii_desk.gui.context import AppContext
from ncii_desk.gui.layouts import FlowLayout
from ncii_desk.gui.safeview import PreviewPanel, Rendered
from ncii_desk.gui.tasks import Problem
from ncii_desk.gui.workers import alive
from ncii_desk.gui.workspace.hashonly import HashOnlyDialog, hash_only_explanation
from ncii_desk.i18n import said
from ncii_desk.services import intake, items
from ncii_desk.services.intake import IntakeResult
from ncii_desk.services.items import HashOnlyPlan, HashOnlyResult
from ncii_desk.services.jobs import Job
from ncii_desk.services.matching import HashingReport
from ncii_desk.services.types import CaseStore, Role
from ncii_desk.services.views import ItemView

#: Side of the thumbnails as they are made (drawn at row height in the table).
THUMB = 56
#: Rows beyond the visible ones whose thumbnails are made ahead of scrolling.
VISIBLE_MARGIN = 10
ITEM_COLUMNS = (
    QT_TRANSLATE_NOOP("Items", "Preview"),
    QT_TRANSLATE_NOOP("Items", "File name"),
    QT_TRANSLATE_NOOP("Items", "Type"),
    QT_TRANSLATE_NOOP("Items", "Size"),
    QT_TRANSLATE_NOOP("Items", "Added"),
    QT_TRANSLATE_NOOP("Items", "Note"),
)
#: File name and note share the spare width; preview, type, size and date fit their text.
ITEM_STRETCH = (1, 5)


#: Rows a table gets at once; a longer list gets the rest on the next turns of the event
#: loop, so a case of thousands of items never holds the window for long (200 rows took
#: 25 ms on a quiet machine and over 100 ms while the thumbnail and list reads that follow
#: an add competed for the interpreter).
FILL_CHUNK = 50


@dataclass
class AddOutcome:
    intake: IntakeResult
    hashing: HashingReport | None

    @property
    def cancelled(self) -> bool:
        return self.intake.cancelled or (self.hashing is not None and self.hashing.cancelled)

    @property
    def unchecked(self) -> int:
        """Items added but not compared with the client's photos (a cancel stopped it)."""
        if self.hashing is None:
            return len(self.intake.sources) if self.intake.cancelled else 0
        return self.hashing.not_hashed


def add_and_hash(
    vault: CaseStore, case_id: str, role: Role, paths: Sequence[Path], minor: bool, job: Job
) -> AddOutcome:
    """Take files in, then hash them and match the case (as `ncii-desk add` does)."""
    result = intake.add_items(vault, case_id, role, list(paths), suspected_minor=minor, job=job)
    report = None
    if result.sources and not result.cancelled:
        from ncii_desk.services.matching import hash_items

        report = hash_items(vault, result.sources, job=job)
    return AddOutcome(result, report)


def add_problems(outcome: AddOutcome) -> list[Problem]:
    out = [Problem(e.path, e.message, e.hint) for e in outcome.intake.errors]
    out += [
        Problem(
            a.path,
            translate("Items", "Already in this case (the same file as item {id}).").format(
                id=a.item_id[:12]
            ),
            translate("Items", "Not added again; nothing to do."),
        )
        for a in outcome.intake.already_in_case
    ]
    if outcome.hashing is not None:
        out += [
            Problem(
                e.get("path", ""),
                translate("Items", "Added, but could not be hashed: {why}").format(
                    why=e.get("error", "")
                ),
                e.get("hint", ""),
            )
            for e in outcome.hashing.errors
        ]
        out += [Problem(translate("Items", "(matching)"), w) for w in outcome.hashing.warnings]
    return out


def add_summary(outcome: AddOutcome) -> str:
    r = outcome.intake
    if outcome.cancelled:
        # Exactly what happened: what was added, and what was not checked for matches yet.
        text = translate("Items", "{n} file(s) added").format(n=len(r.added))
        if outcome.unchecked:
            text += translate("Items", "; {u} were not checked for matches yet").format(
                u=outcome.unchecked
            )
        if r.errors:
            text += translate("Items", "; {n} could not be added").format(n=len(r.errors))
        return text + "."
    text = translate("Items", "Added {n} item(s)").format(n=len(r.added))
    if r.already_in_case:
        text += translate("Items", ", {n} already in this case (not added again)").format(
            n=len(r.already_in_case)
        )
    if r.duplicates:
        text += translate("Items", ", {n} also in the case in another role").format(n=r.duplicates)
    hidden = sum(1 for i in r.added if not i.pixels_kept)
    if hidden:
        text += translate("Items", ", {n} kept as hashes only").format(n=hidden)
    if r.copies_switched:
        text += translate(
            "Items", ", {n} copy(ies) already in the vault switched to hashes only too"
        ).format(n=len(r.copies_switched))
    if r.errors:
        text += translate("Items", ", {n} could not be added").format(n=len(r.errors))
    if r.skipped:
        text += translate("Items", ", {n} hidden or system file(s) skipped").format(
            n=len(r.skipped)
        )
    text += "."
    if outcome.hashing is not None:
        text += " " + translate("Items", "Hashed {h}; {m} new match(es).").format(
            h=outcome.hashing.hashed, m=outcome.hashing.new_matches
        )
    return text


def thumb_side(table: QTableView) -> int:
    """Thumbnails fill the height of a compact row."""
    return max(12, table.verticalHeader().defaultSectionSize() - 4)


def human_size(n: int) -> str:
    size = float(n)
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} bytes"


def item_note(view: ItemView) -> str:
    if not view.pixels_kept:
        return translate("Items", "Hashes only (possibly under 18): file not kept")
    if view.duplicate_of:
        return translate("Items", "Same file as an item already in the case")
    return ""


class ItemsSection(QWidget):
    """Items of one role: add files or folders (with progress), list, select to preview."""

    selected = Signal(str)
    changed = Signal()

    def __init__(
        self,
        ctx: AppContext,
        case_id: str,
        role: Role,
        title: str,
        explanation: str,
        preview: PreviewPanel,
    ) -> None:
        super().__init__()
        self.ctx = ctx
        self.case_id = case_id
        self.role = role
        #: More words for the Note column, per item id (read with the list, in the worker).
        self.note_source: Callable[[CaseStore, str], dict[str, str]] | None = None
        self.extra_notes: dict[str, str] = {}
        self.title = title
        self.preview = preview
        self.views: list[ItemView] = []
        self._fill_generation = 0  # a newer list stops an older one still being added
        self._refresh_queued = False  # refreshes asked in one turn read the list once
        #: The preview cell of each row, by item id (a thumbnail finds its row at once).
        self._thumb_cells: dict[str, QStandardItem] = {}
        self.loaded = False
        self.explanation = explanation
        self.section_layout = layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        # The table first, then one row of controls under it (wrapping in a narrow window):
        # the list keeps the height, the explanation is spoken and shown on hover.
        self.model, self.table = row_table(
            "Items", ITEM_COLUMNS, self.tr("{t}: list of items").format(t=title)
        )
        self.table.setAccessibleDescription(explanation)
        # Thumbnails at row height: a compact row each, so a small window still shows many.
        self.table.setIconSize(QSize(thumb_side(self.table), thumb_side(self.table)))
        elide_middle(self.table, (1,))
        self._fit_columns()
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._selection())
        self.table.verticalScrollBar().valueChanged.connect(lambda _v: self.request_visible())
        layout.addWidget(self.table, 1)
        self.add_files_button = button(
            self.tr("&Add files..."),
            self.choose_files,
            name=self.tr("Add files to {t}").format(t=title),
        )
        self.add_folder_button = button(
            self.tr("Add &folder..."),
            self.choose_folder,
            name=self.tr("Add a folder to {t}").format(t=title),
        )
        self.minor = checkbox(
            self.tr("These files may show a person &under 18 (keep hashes only)"),
            tip=translate(
                "Minor",
                "The files are read once for their hashes and details and are not kept. No "
                "preview is ever shown for them.",
            ),
        )
        self.hash_only_button = button(
            self.tr("&Keep hashes only..."),
            self.ask_hash_only,
            name=self.tr("{t}: keep the selected item as hashes only").format(t=title),
            tip=hash_only_explanation(),
        )
        self.hash_only_button.setEnabled(False)
        self.count_label = plain_label(wrap=False, name=self.tr("{t}: count").format(t=title))
        controls = FlowLayout()
        for widget in (
            self.add_files_button,
            self.add_folder_button,
            self.minor,
            self.hash_only_button,
            self.count_label,
        ):
            controls.addWidget(widget)
        self.bottom_row = controls
        layout.addLayout(controls)
        self.hash_only_note = note_label(self.tr("{t}: hashes-only note").format(t=title))
        layout.addWidget(self.hash_only_note)
        self.hash_only_dialog: HashOnlyDialog | None = None
        ctx.previews.cleared.connect(self._drop_thumbnails)
        ctx.previews.hidden.connect(self._hide_rows)

    def _fit_columns(self) -> None:
        fit_columns(self.table, ITEM_STRETCH)
        # Thumbnails and "no preview" arrive after the fill: room for either, from the start.
        margin = 2 * self.table.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin) + 8
        no_preview = self.table.fontMetrics().horizontalAdvance(self.tr("no preview"))
        side = thumb_side(self.table)
        self.table.setColumnWidth(0, max(self.table.columnWidth(0), side, no_preview) + margin)

    def add_below(self, widget: QWidget) -> None:
        """A note of the pane's own, under the row of controls."""
        self.section_layout.addWidget(widget)

    def add_item_buttons(self, *buttons: QWidget) -> None:
        """More buttons about the selected item, in the row under the list."""
        at = self.bottom_row.count() - 1  # before the count
        for offset, b in enumerate(buttons):
            self.bottom_row.insertWidget(at + offset, b)

    # -- loading --

    def refresh(self) -> None:
        """Read the list again and show it. Asked several times in one turn of the event
        loop (an add ends: the section, then the case changed), it is read and shown once."""
        if not self._refresh_queued:
            self._refresh_queued = True
            QTimer.singleShot(0, self._read_list)

    def _read_list(self) -> None:
        self._refresh_queued = False
        if not alive(self):
            return
        case_id, role, extra = self.case_id, self.role, self.note_source

        def read(v: CaseStore) -> tuple[list[ItemView], dict[str, str]]:
            return items.list_items(v, case_id, role), (extra(v, case_id) if extra else {})

        def show(result: tuple[list[ItemView], dict[str, str]]) -> None:
            self.extra_notes = result[1]
            self._show(result[0])

        self.ctx.read(read, show, owner=self)

    def _show(self, views: list[ItemView]) -> None:
        self.loaded = True
        selected = self.selected_id()
        self.views = views
        self._fill_generation += 1
        generation = self._fill_generation
        self._thumb_cells.clear()
        self.model.removeRows(0, self.model.rowCount())
        self._append_rows(views[:FILL_CHUNK])
        self._fit_columns()
        self.count_label.setText(self.tr("{n} item(s)").format(n=len(views)))
        self.request_visible()
        rest = list(views[FILL_CHUNK:])
        if not rest:
            if selected is not None:
                self.select_item(selected)
            return

        def next_rows() -> None:
            # The rest of a long list, a chunk per turn of the event loop: thousands of
            # rows made at once held the window for over 100 ms.
            if generation != self._fill_generation or not alive(self):
                return
            self._append_rows(rest[:FILL_CHUNK])
            del rest[:FILL_CHUNK]
            if rest:
                QTimer.singleShot(0, next_rows)
            else:
                self.request_visible()
                if selected is not None:
                    self.select_item(selected)

        QTimer.singleShot(0, next_rows)

    def _append_rows(self, views: Sequence[ItemView]) -> None:
        for v in views:
            thumb = QStandardItem()
            thumb.setEditable(False)
            thumb.setData(v.id, Qt.ItemDataRole.UserRole)
            shown = v.pixels_kept and not self.ctx.previews.is_hidden(v.id)
            thumb.setText("" if shown else self.tr("no preview"))
            cells = [
                thumb,
                QStandardItem(v.original_filename or v.id[:12]),
                QStandardItem(v.mime),
                QStandardItem(human_size(v.size)),
                QStandardItem(local_time(v.intake_at)),
                QStandardItem(
                    " ".join(t for t in (item_note(v), self.extra_notes.get(v.id, "")) if t)
                ),
            ]
            for c in cells[1:]:
                c.setEditable(False)
                c.setToolTip(plain_tip(c.text()))
            self.model.appendRow(cells)
            self._thumb_cells[v.id] = thumb

    def _row_of(self, item_id: str) -> int | None:
        for r in range(self.model.rowCount()):
            if self.model.item(r, 0).data(Qt.ItemDataRole.UserRole) == item_id:
                return r
        return None

    def _thumbnail(self, rendered: Rendered) -> None:
        cell = self._thumb_cells.get(rendered.item_id)
        if cell is None:
            return
        if rendered.image is None:
            cell.setText(self.tr("no preview"))
            cell.setToolTip(plain_tip(rendered.note))
            return
        side = thumb_side(self.table) * max(1, round(self.table.devicePixelRatioF()))
        pix = QPixmap.fromImage(rendered.image).scaled(
            side,
            side,
            Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.SmoothTransformation,
        )
        cell.setData(pix, Qt.ItemDataRole.DecorationRole)
        cell.setToolTip(plain_tip(rendered.note))

    def _hide_rows(self, item_ids: list[str]) -> None:
        restored = False
        for r in range(self.model.rowCount()):
            cell = self.model.item(r, 0)
            if cell.data(Qt.ItemDataRole.UserRole) in item_ids:
                cell.setData(None, Qt.ItemDataRole.DecorationRole)
                if self.ctx.previews.is_hidden(str(cell.data(Qt.ItemDataRole.UserRole))):
                    cell.setText(self.tr("no preview"))
                else:  # the switch failed: the thumbnail comes back
                    cell.setText("")
                    restored = True
        if restored:
            self.request_visible()
        self._update_hash_only()

    def _drop_thumbnails(self) -> None:
        for r in range(self.model.rowCount()):
            self.model.item(r, 0).setData(None, Qt.ItemDataRole.DecorationRole)
        if self.loaded:
            self.request_visible()

    def request_visible(self) -> None:
        """Thumbnails for the rows on screen (and a screenful more): a case with thousands
        of items decodes only what is looked at."""
        if not self.views:
            return
        first = max(0, self.table.rowAt(0))
        last = self.table.rowAt(self.table.viewport().height())
        if last < 0:
            last = len(self.views) - 1
        last = min(len(self.views) - 1, last + (last - first) + VISIBLE_MARGIN)
        for v in self.views[first : last + 1]:
            if v.pixels_kept and not self.ctx.previews.is_hidden(v.id):
                self.ctx.previews.request(v.id, self._thumbnail, self)

    def thumbnails_shown(self) -> int:
        return sum(
            1
            for r in range(self.model.rowCount())
            if self.model.item(r, 0).data(Qt.ItemDataRole.DecorationRole) is not None
        )

    # -- selection --

    def selected_id(self) -> str | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        value = self.model.item(rows[0].row(), 0).data(Qt.ItemDataRole.UserRole)
        return str(value) if value else None

    def select_item(self, item_id: str) -> None:
        row = self._row_of(item_id)
        if row is not None:
            self.table.selectRow(row)

    def selected_view(self) -> ItemView | None:
        item_id = self.selected_id()
        return next((v for v in self.views if v.id == item_id), None)

    def _selection(self) -> None:
        item_id = self.selected_id()
        self._update_hash_only()
        if item_id is not None:
            if item_id != self.preview.item_id:
                # The same item again (a refresh selecting it anew) keeps its preview as it
                # is: a list that arrives late does not blur a picture being looked at.
                self.preview.show_item(item_id)
            self.selected.emit(item_id)

    # -- keeping an item as hashes only --

    def _update_hash_only(self) -> None:
        view = self.selected_view()
        self.hash_only_button.setEnabled(
            view is not None and view.pixels_kept and not self.ctx.previews.is_hidden(view.id)
        )

    def ask_hash_only(self) -> None:
        """Say what will happen (copies, web archives), then ask to confirm with a reason."""
        view = self.selected_view()
        if view is None or not view.pixels_kept:
            return
        item_id = view.id
        self.hash_only_button.setEnabled(False)

        def failed(error: NciiDeskError) -> None:
            self._update_hash_only()
            self.ctx.report(error)

        self.ctx.read(
            lambda v: items.hash_only_plan(v, item_id),
            lambda plan: self._confirm_hash_only(view, plan),
            failed,
            owner=self,
        )

    def _confirm_hash_only(self, view: ItemView, plan: HashOnlyPlan) -> None:
        self._update_hash_only()
        dialog = HashOnlyDialog(view, plan, self.case_id, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        copies = [c.id for c in plan.copies]
        dialog.accepted.connect(lambda: self.make_hash_only(view.id, dialog.reason(), copies))
        self.hash_only_dialog = dialog
        dialog.open()

    def make_hash_only(self, item_id: str, reason: str, copies: Sequence[str] = ()) -> None:
        """Hide the previews at once, then switch the item (and its copies) in the vault."""
        hidden = [item_id, *copies]
        self.ctx.previews.hide(hidden)
        self.hash_only_note.setText(self.tr("Deleting the file from the vault..."))
        case_id = self.case_id

        def done(result: HashOnlyResult) -> None:
            self.ctx.previews.hide(result.switched)
            note = self.tr("Kept as hashes only: the file was deleted from the vault.")
            if len(result.switched) > 1:
                note += " " + self.tr("{n} item(s) with the same file were switched too.").format(
                    n=len(result.switched) - 1
                )
            self.hash_only_note.setText(" ".join([note, *(said(w) for w in result.warnings)]))
            self.refresh()
            self.changed.emit()
            self.ctx.case_changed.emit(case_id)

        def failed(error: NciiDeskError) -> None:
            self.ctx.previews.unhide(hidden)
            self.hash_only_note.setText(self.tr("Nothing was changed."))
            self.ctx.report(error)

        self.ctx.read(lambda v: items.mark_hash_only(v, item_id, reason), done, failed, owner=self)

    # -- adding --

    def choose_files(self) -> None:
        paths = pick_files(self, self.tr("Add files to {t}").format(t=self.title))
        if paths:
            self.add_paths(paths)

    def choose_folder(self) -> None:
        folder = pick_folder(self, self.tr("Add a folder to {t}").format(t=self.title))
        if folder is not None:
            self.add_paths([folder])

    def add_paths(self, paths: Sequence[Path]) -> None:
        case_id, role, minor = self.case_id, self.role, self.minor.isChecked()
        self.ctx.task(
            self.tr("Adding to {t}").format(t=self.title),
            lambda vault, job: add_and_hash(vault, case_id, role, paths, minor, job),
            on_done=self._added,
            problems_of=add_problems,
            summary=add_summary,
            owner=self,
            next_step=self._next_step,
        )

    def _next_step(self, outcome: AddOutcome) -> tuple[str, Callable[[], None], str] | None:
        if not outcome.unchecked:
            return None
        case_id, ctx = self.case_id, self.ctx
        return (
            self.tr("Check now"),
            lambda: ctx.check_unhashed.emit(case_id),
            self.tr(
                "Compares the items not checked yet with the client's photos (this is also "
                "done the next time the case is opened)."
            ),
        )

    def _added(self, _outcome: AddOutcome) -> None:
        self.refresh()
        self.changed.emit()
        self.ctx.case_changed.emit(self.case_id)
