"""Small building blocks every screen uses: plain-text labels, named buttons, error text.

Anything that came from outside the app (case labels, file names, URLs, error messages that
quote them, web page titles) is shown as plain text only: a label that interpreted it as rich
text could be made to load resources or mislead the advocate with fake formatting.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Collection, Sequence
from datetime import UTC, datetime
from pathlib import Path

import shiboken6
from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QModelIndex,
    QPersistentModelIndex,
    QSettings,
    Qt,
)
from PySide6.QtGui import (
    QColor,
    QGuiApplication,
    QKeyEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QStandardItemModel,
)
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QCheckBox,
    QFileDialog,
    QHeaderView,
    QLabel,
    QMenuBar,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QToolBar,
    QTreeView,
    QWidget,
)

from ncii_desk.errors import NciiDeskError
from ncii_desk.i18n import said


def translate(context: str, text: str) -> str:
    """Qt translation of ``text`` in ``context`` (the name lupdate looks for)."""
    return QCoreApplication.translate(context, text)


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:
    """Marks a string in a table for translation; it is translated where it is shown, with
    ``translate(context, text)`` and the same context."""
    del context
    return text


def plain_tip(text: str) -> str:
    """Tooltip text shown literally: Qt guesses rich text in tooltips, so outside text
    (file names, addresses, messages that quote them) is escaped inside an explicit wrapper."""
    return "<qt>" + html.escape(text).replace("\n", "<br>") + "</qt>" if text else ""


def plain_label(text: str = "", *, wrap: bool = True, name: str = "") -> QLabel:
    """A label that never interprets rich text."""
    label = QLabel()
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(wrap)
    label.setText(text)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if name:
        label.setAccessibleName(name)
    return label


class NoteLabel(QLabel):
    """A plain-text note (a result, a reason) that takes no room on screen while empty."""

    def __init__(self, name: str = "") -> None:
        super().__init__()
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        if name:
            self.setAccessibleName(name)
        self.hide()

    def setText(self, text: str) -> None:
        super().setText(text)
        self._fit()

    def clear(self) -> None:
        super().clear()
        self._fit()

    def event(self, e: QEvent) -> bool:
        if e.type() == QEvent.Type.ParentChange:
            self._fit()
        return super().event(e)

    def _fit(self) -> None:
        # Showing a widget without a parent would open it as a window of its own: until it
        # is placed in a layout it only hides, and the parent change shows it if needed.
        if self.parentWidget() is not None:
            self.setVisible(bool(self.text()))
        elif not self.text():
            self.hide()


def note_label(name: str = "") -> NoteLabel:
    return NoteLabel(name)


class ElidedLabel(QLabel):
    """One line of plain text that is shortened with an ellipsis instead of widening the
    window; the caller puts the whole text in the tooltip."""

    def __init__(self, name: str = "") -> None:
        super().__init__()
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setWordWrap(False)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 8)
        if name:
            self.setAccessibleName(name)

    def paintEvent(self, _event: QPaintEvent) -> None:
        rect = self.contentsRect()
        shown = self.fontMetrics().elidedText(
            self.text(), Qt.TextElideMode.ElideRight, rect.width()
        )
        painter = QPainter(self)
        self.style().drawItemText(
            painter,
            rect,
            int(self.alignment() | Qt.AlignmentFlag.AlignVCenter),
            self.palette(),
            self.isEnabled(),
            shown,
            self.foregroundRole(),
        )
        painter.end()


class ElidedLine(ElidedLabel):
    """An elided line of plain text whose tooltip always holds the whole of it (a status:
    one line in a narrow window, the full words on hover)."""

    def __init__(self, text: str = "", name: str = "") -> None:
        super().__init__(name)
        self.setText(text)

    def setText(self, text: str) -> None:
        super().setText(text)
        self.setToolTip(plain_tip(text))


class MiddleElide(QStyledItemDelegate):
    """Shortens cell text in the middle ("http://exa…/photo.jpg", "holiday-…-03.jpg"), where
    the start and the end of an address or file name are the parts that tell them apart."""

    def initStyleOption(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        super().initStyleOption(option, index)
        option.textElideMode = Qt.TextElideMode.ElideMiddle


def row_table(
    context: str, columns: Sequence[str], name: str, *, single_selection: bool = True
) -> tuple[QStandardItemModel, QTableView]:
    """A read-only table of whole rows: headers translated in ``context``, no cell editing,
    Tab leaves the table, one line per row, no row numbers."""
    model = QStandardItemModel(0, len(columns))
    model.setHorizontalHeaderLabels([translate(context, c) for c in columns])
    table = QTableView()
    table.setModel(model)
    table.setAccessibleName(name)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    if single_selection:
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setTabKeyNavigation(False)
    table.setWordWrap(False)
    table.verticalHeader().setVisible(False)
    # Compact rows (one line of text): a small window still shows many of them.
    rows = table.verticalHeader()
    rows.setMinimumSectionSize(table.fontMetrics().height() + 6)
    rows.setDefaultSectionSize(table.fontMetrics().height() + 6)
    return model, table


def elide_middle(view: QTableView | QTreeView, columns: Collection[int]) -> None:
    delegate = MiddleElide(view)
    for column in columns:
        view.setItemDelegateForColumn(column, delegate)


def fit_columns(
    view: QTableView | QTreeView, stretch: Collection[int] = (), *, cap_chars: int = 48
) -> None:
    """Size each column to its text (up to about ``cap_chars`` characters; the whole text
    is in the tooltip) and let the ``stretch`` columns (names, addresses, notes) share the
    rest of the width.

    Call it after every fill: a view filled while its tab is hidden otherwise keeps the
    widths it had when it was empty, and cuts every name to a few letters.
    """
    header = view.horizontalHeader() if isinstance(view, QTableView) else view.header()
    header.setStretchLastSection(False)
    header.setHighlightSections(False)  # a bold header would change its width on selection
    metrics = view.fontMetrics()
    header.setMinimumSectionSize(max(header.minimumSectionSize(), metrics.averageCharWidth() * 5))
    cap = metrics.averageCharWidth() * cap_chars
    model = view.model()
    for column in range(model.columnCount() if model is not None else 0):
        if column in stretch:
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
            continue
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
        view.resizeColumnToContents(column)
        if view.columnWidth(column) > cap:
            view.setColumnWidth(column, cap)


def heading(text: str) -> QLabel:
    label = plain_label(text)
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * 1.4)
    font.setBold(True)
    label.setFont(font)
    label.setAccessibleName(text)
    return label


def subheading(text: str) -> QLabel:
    """The bold title of a section of a screen."""
    label = plain_label(text, wrap=False, name=text)
    font = label.font()
    font.setBold(True)
    label.setFont(font)
    return label


def text_lines_height(edit: QPlainTextEdit, lines: int) -> int:
    """The height of a text box that shows ``lines`` lines without scrolling."""
    margins = edit.contentsMargins()
    document = int(edit.document().documentMargin() * 2)
    return edit.fontMetrics().lineSpacing() * lines + document + margins.top() + margins.bottom()


def without_mnemonic(text: str) -> str:
    """The text as spoken: the "&" that marks an Alt+letter key dropped ("&&" is one "&")."""
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&")


class ReturnButton(QPushButton):
    """A push button that Return (and Enter) presses while it has the focus, as Space
    does, outside dialogs too (Qt does that only for the buttons of a dialog)."""

    def keyPressEvent(self, event: QKeyEvent) -> None:
        plain = event.modifiers() in (
            Qt.KeyboardModifier.NoModifier,
            Qt.KeyboardModifier.KeypadModifier,
        )
        if plain and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if self.isEnabled():
                self.animateClick()
            event.accept()
            return
        super().keyPressEvent(event)


def button(
    text: str, slot: Callable[[], object] | None = None, *, name: str = "", tip: str = ""
) -> QPushButton:
    """A push button with an accessible name (the visible text unless one is given)."""
    b = ReturnButton(text)
    b.setAccessibleName(name or without_mnemonic(text).rstrip("."))
    if tip:
        b.setToolTip(tip)
        b.setAccessibleDescription(tip)
    if slot is not None:
        b.clicked.connect(lambda _checked=False: slot())
    return b


def checkbox(text: str, *, name: str = "", tip: str = "") -> QCheckBox:
    box = QCheckBox(text)
    box.setAccessibleName(name or without_mnemonic(text))
    if tip:
        box.setToolTip(tip)
        box.setAccessibleDescription(tip)
    return box


def error_text(error: NciiDeskError) -> str:
    """What happened and what to do, in the window's language (ncii_desk.i18n.said)."""
    return f"{said(error.message)}\n{said(error.hint)}".strip()


def show_error(parent: QWidget | None, error: NciiDeskError, title: str = "") -> QMessageBox:
    """A non-blocking warning box; message and hint as plain text."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(title or translate("Common", "NCII Desk"))
    box.setTextFormat(Qt.TextFormat.PlainText)  # applies to the main text only, so
    box.setText(f"{said(error.message)}\n\n{said(error.hint)}".strip())  # the hint goes there too
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box


def name_qt_internal_buttons(root: QWidget) -> None:
    """Give Qt's own text-less buttons (table corner, toolbar overflow) a spoken name."""
    for table in root.findChildren(QTableView):
        for b in table.findChildren(QAbstractButton):
            if not b.text() and not b.accessibleName():
                b.setAccessibleName(translate("Common", "Select all rows"))
    for bar in root.findChildren(QToolBar):
        for b in bar.findChildren(QAbstractButton):
            if not b.text() and not b.accessibleName():
                b.setAccessibleName(translate("Common", "More toolbar buttons"))
    for menus in root.findChildren(QMenuBar):
        for b in menus.findChildren(QAbstractButton):
            if not b.text() and not b.accessibleName():
                b.setAccessibleName(translate("Common", "More menus"))


def is_dark() -> bool:
    """Whether the application is drawn dark now (the palette in use, which follows the
    computer's scheme or the advocate's choice; see theme.py)."""
    return QGuiApplication.palette().color(QPalette.ColorRole.Window).lightness() < 128


def warning_color() -> QColor:
    """Red that stays readable in the light and the dark scheme."""
    return QColor("#ff8a80") if is_dark() else QColor("#b00020")


def parse_iso(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def countdown(deadline: datetime, now: datetime | None = None) -> tuple[str, bool]:
    """('in 5 h 20 min' or 'overdue by 3 h', overdue?) for a deadline."""
    now = now or datetime.now(UTC)
    seconds = int((deadline - now).total_seconds())
    overdue = seconds < 0
    seconds = abs(seconds)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        span = translate("Common", "{d} d {h} h").format(d=days, h=hours)
    elif hours:
        span = translate("Common", "{h} h {m} min").format(h=hours, m=minutes)
    else:
        span = translate("Common", "{m} min").format(m=minutes)
    if overdue:
        return translate("Common", "OVERDUE by {span}").format(span=span), True
    return translate("Common", "in {span}").format(span=span), False


def local_time(text: str | None) -> str:
    value = parse_iso(text)
    if value is None:
        return ""
    return value.astimezone().strftime("%Y-%m-%d %H:%M")


def forget_file_dialog_history() -> None:
    """Qt's own file dialog remembers visited folders in its settings file; folder names can
    name a client, so that history is removed after every use."""
    settings = QSettings(QSettings.Scope.UserScope, "QtProject")
    settings.remove("FileDialog/history")
    settings.remove("FileDialog/lastVisited")
    settings.sync()


def _dialog(parent: QWidget | None, title: str) -> QFileDialog:
    # Qt's own dialog, not the system one: system dialogs build thumbnail caches of the
    # pictures in the folder on disk, which would put evidence pixels outside the vault.
    dialog = QFileDialog(parent, title)
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
    dialog.setOption(QFileDialog.Option.DontUseCustomDirectoryIcons, True)
    return dialog


def _run_dialog(dialog: QFileDialog) -> list[Path]:
    try:
        if dialog.exec() != QFileDialog.DialogCode.Accepted:
            return []
        return [Path(p) for p in dialog.selectedFiles()]
    finally:
        # Deleted now (not later): the dialog writes its folder history when it is destroyed.
        shiboken6.delete(dialog)
        forget_file_dialog_history()


def pick_files(parent: QWidget | None, title: str) -> list[Path]:
    dialog = _dialog(parent, title)
    dialog.setFileMode(QFileDialog.FileMode.ExistingFiles)
    return _run_dialog(dialog)


def pick_folder(parent: QWidget | None, title: str) -> Path | None:
    dialog = _dialog(parent, title)
    dialog.setFileMode(QFileDialog.FileMode.Directory)
    dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
    chosen = _run_dialog(dialog)
    return chosen[0] if chosen else None


def pick_save_file(parent: QWidget | None, title: str, suggested: str) -> Path | None:
    dialog = _dialog(parent, title)
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    dialog.setFileMode(QFileDialog.FileMode.AnyFile)
    dialog.selectFile(suggested)
    chosen = _run_dialog(dialog)
    return chosen[0] if chosen else None


def join_lines(lines: Sequence[str]) -> str:
    return "\n".join(line for line in lines if line)
