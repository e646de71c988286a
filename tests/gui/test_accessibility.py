"""Every control a screen reader meets has a name; the keyboard reaches what matters."""

from __future__ import annotations

from pathlib import Path

from guikit import WAIT, new_case
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QHeaderView,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

from ncii_desk.gui.common import name_qt_internal_buttons
from ncii_desk.gui.config import LocalConfig
from ncii_desk.gui.mainwindow import MainWindow
from ncii_desk.gui.workspace.requests import DraftDialog


def unnamed_controls(root: QWidget) -> list[str]:
    """Buttons without text or accessible name, and inputs without an accessible name."""
    out = []
    for b in root.findChildren(QAbstractButton):
        if not (b.text().replace("&", "").strip() or b.accessibleName().strip()):
            out.append(f"{type(b).__name__} {b.objectName()!r} in {type(b.parent()).__name__}")
    for kind in (QLineEdit, QPlainTextEdit, QComboBox, QAbstractSpinBox, QAbstractItemView):
        for w in root.findChildren(kind):
            # Qt's own editors inside a combo or spin box take the outer widget's name.
            if isinstance(w.parent(), QComboBox | QAbstractSpinBox):
                continue
            if isinstance(w, QHeaderView) or w.metaObject().className() == "QComboBoxListView":
                continue  # a table's own header; a combo box's own list
            if not w.accessibleName().strip():
                out.append(f"{type(w).__name__} in {type(w.parent()).__name__}")
    return out


def test_gate_screens_name_every_control(qtbot, vault_dir: Path) -> None:
    creating = MainWindow(vault_dir, local=LocalConfig())
    qtbot.addWidget(creating)
    creating.show()
    assert unnamed_controls(creating) == []
    # Keyboard: typing starts in the passphrase field, Tab goes on to the second field.
    creating.activateWindow()
    qtbot.waitUntil(creating.isActiveWindow, timeout=WAIT)
    gate = creating.gate
    assert gate is not None
    qtbot.waitUntil(gate.passphrase.hasFocus, timeout=WAIT)
    qtbot.keyClick(gate.passphrase, Qt.Key.Key_Tab)
    assert gate.confirm.hasFocus()


def test_main_screens_name_every_control(qtbot, unlocked: MainWindow) -> None:
    window = unlocked
    assert window.gate is None
    assert unnamed_controls(window) == []
    case_id = new_case(qtbot, window)
    ws = window.workspace
    assert ws is not None
    for index in range(ws.tabs.count()):
        ws.tabs.setCurrentIndex(index)
        name_qt_internal_buttons(ws)
        assert unnamed_controls(window) == [], ws.tabs.tabText(index)
    window.new_case()
    assert unnamed_controls(window.wizard) == []
    window.wizard.reject()
    window.open_settings()
    qtbot.waitUntil(lambda: window.settings_dialog.isVisible(), timeout=WAIT)
    assert unnamed_controls(window.settings_dialog) == []
    window.settings_dialog.reject()
    draft = DraftDialog({"signer": "Alex"})
    qtbot.addWidget(draft)
    assert unnamed_controls(draft) == []
    # Keyboard: Enter on a case in the list opens it.
    window.show_dashboard()
    qtbot.waitUntil(lambda: window.dashboard.model.rowCount() == 1, timeout=WAIT)
    window.dashboard.table.setFocus()
    window.dashboard.select_case(case_id)
    qtbot.keyClick(window.dashboard.table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.workspace is not None, timeout=WAIT)
    assert window.workspace is not None and window.workspace.case_id == case_id


def test_window_title_never_names_a_case(qtbot, unlocked: MainWindow) -> None:
    window = unlocked
    new_case(qtbot, window, label="Case of Client Z")
    assert window.windowTitle() == "NCII Desk"
