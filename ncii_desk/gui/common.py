"""Small building blocks every screen uses: plain-text labels, named buttons, error text.

Anything that came from outside the app (case labels, file names, URLs, error messages that
quote them, web page titles) is shown as plain text only: a label that interpreted it as rich
text could be made to load resources or mislead the advocate with fake formatting.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

import shiboken6
from PySide6.QtCore import QCoreApplication, QSettings, Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import (
    QAbstractButton,
    QCheckBox,
    QFileDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QToolBar,
    QWidget,
)

from ncii_desk.errors import NciiDeskError


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


def heading(text: str) -> QLabel:
    label = plain_label(text)
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * 1.4)
    font.setBold(True)
    label.setFont(font)
    label.setAccessibleName(text)
    return label


def button(
    text: str, slot: Callable[[], object] | None = None, *, name: str = "", tip: str = ""
) -> QPushButton:
    """A push button with an accessible name (the visible text unless one is given)."""
    b = QPushButton(text)
    b.setAccessibleName(name or text.replace("&", "").rstrip("."))
    if tip:
        b.setToolTip(tip)
        b.setAccessibleDescription(tip)
    if slot is not None:
        b.clicked.connect(lambda _checked=False: slot())
    return b


def checkbox(text: str, *, name: str = "", tip: str = "") -> QCheckBox:
    box = QCheckBox(text)
    box.setAccessibleName(name or text)
    if tip:
        box.setToolTip(tip)
        box.setAccessibleDescription(tip)
    return box


def error_text(error: NciiDeskError) -> str:
    return f"{error.message}\n{error.hint}".strip()


def show_error(parent: QWidget | None, error: NciiDeskError, title: str = "") -> QMessageBox:
    """A non-blocking warning box; message and hint as plain text."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(title or translate("Common", "NCII Desk"))
    box.setTextFormat(Qt.TextFormat.PlainText)  # applies to the main text only, so
    box.setText(f"{error.message}\n\n{error.hint}".strip())  # the hint goes there too
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


def is_dark() -> bool:
    scheme = QGuiApplication.styleHints().colorScheme()
    if scheme == Qt.ColorScheme.Dark:
        return True
    if scheme == Qt.ColorScheme.Light:
        return False
    return QGuiApplication.palette().color(QPalette.ColorRole.Window).lightness() < 128


def warning_color() -> QColor:
    """Red that stays readable in the light and the dark scheme."""
    return QColor("#ff6b6b") if is_dark() else QColor("#b00020")


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
