"""Keyboard use without a mouse: Tab follows the screen from the case header on, every
action on each tab is reached by Tab, every button has an Alt+letter (or a key of its own)
that no other control shown beside it uses, Return presses the focused button, Ctrl+, opens
Settings, and Reveal / Confirm / Reject are reached and described for screen readers."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path

import pytest
import shiboken6
from guikit import WAIT, benign_picture, make_vault, new_case, wait_tasks
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QComboBox,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QMenuBar,
    QPlainTextEdit,
    QPushButton,
    QTabBar,
    QTabWidget,
    QToolButton,
    QWidget,
    QWizard,
)

from ncii_desk.gui.about import AboutDialog
from ncii_desk.gui.app import install_translators
from ncii_desk.gui.config import LocalConfig
from ncii_desk.gui.handover import ExportCaseDialog, FingerprintDialog, ImportCaseDialog
from ncii_desk.gui.mainwindow import MainWindow
from ncii_desk.gui.passphrase import NewPassphraseDialog
from ncii_desk.gui.tasks import TaskRow
from ncii_desk.gui.workspace.foundat import FoundAtDialog
from ncii_desk.gui.workspace.requests import DraftDialog, SentTimeDialog
from ncii_desk.gui.workspace.suspects import CustodyDialog

MNEMONIC = re.compile(r"(?<!&)&(?!&)(.)")


def mnemonic(text: str) -> str | None:
    found = MNEMONIC.findall(text.replace("&&", ""))
    return found[0].lower() if len(found) == 1 else None


def shown(root: QWidget, kind: type) -> list:  # type: ignore[type-arg]
    return [w for w in root.findChildren(kind) if w.isVisible() and w.window() is root.window()]


def own_key(b: QAbstractButton) -> bool:
    """A key of its own: a shortcut other than its Alt+letter, the dialog's Return or Esc."""
    if isinstance(b, QToolButton) and b.defaultAction() is not None:
        return not b.defaultAction().shortcut().isEmpty()
    key = b.shortcut()
    if not key.isEmpty() and key != QKeySequence.mnemonic(b.text()):
        return True
    wizard = b.window()
    if isinstance(wizard, QWizard) and b is wizard.button(QWizard.WizardButton.CancelButton):
        return True  # Esc
    box = b.parent()
    if isinstance(box, QDialogButtonBox):  # Esc rejects, Return presses the default
        role = box.buttonRole(b)
        if role in (QDialogButtonBox.ButtonRole.RejectRole, QDialogButtonBox.ButtonRole.NoRole):
            return True
        return isinstance(b, QPushButton) and (b.isDefault() or b.autoDefault())
    return False


def key_problems(root: QWidget, skip: tuple[QWidget, ...] = ()) -> list[str]:
    """Buttons without an Alt+letter or a key of their own, and Alt+letters used twice
    among the controls shown at once (buttons, check boxes, labels, menus, tabs)."""
    out: list[str] = []
    used: dict[str, str] = {}

    def claim(letter: str | None, what: str) -> None:
        if letter is None:
            return
        if letter in used:
            out.append(f"Alt+{letter} used by {used[letter]!r} and {what!r}")
        used[letter] = what

    for b in shown(root, QAbstractButton):
        if any(s.isAncestorOf(b) for s in skip) or not b.text().strip():
            continue
        letter = mnemonic(b.text())
        if isinstance(b, QPushButton | QToolButton) and letter is None and not own_key(b):
            out.append(f"no Alt+letter: {b.text()!r}")
        claim(letter, b.text())
    for label in shown(root, QLabel):
        if label.buddy() is not None:
            claim(mnemonic(label.text()), label.text())
    for bar in shown(root, QMenuBar):
        for action in bar.actions():
            claim(mnemonic(action.text()), action.text())
    for tabs in shown(root, QTabBar):
        for i in range(tabs.count()):
            claim(mnemonic(tabs.tabText(i)), tabs.tabText(i))
    return out


def focus_walk(start: QWidget, limit: int = 400) -> list[QWidget]:
    """The widgets Tab visits from ``start`` (as the window moves focus: visible, enabled
    widgets that take Tab focus) until it comes back."""
    out: list[QWidget] = []
    current = start
    for _ in range(limit):
        current = current.nextInFocusChain()
        if current is start:
            break
        if (
            current.isVisible()
            and current.isEnabled()
            and current.focusPolicy() & Qt.FocusPolicy.TabFocus
            and current.window() is start.window()
            and not current.focusProxy()
        ):
            out.append(current)
    return out


def place(w: QWidget) -> QRect:
    return QRect(w.mapTo(w.window(), w.rect().topLeft()), w.size())


def out_of_order(chain: list[QWidget]) -> list[str]:
    """Steps of Tab that go back up the screen and to the left at once (reading order is
    top to bottom, left to right; a column beside another is read after it)."""
    bad = []
    for a, b in pairwise(chain):
        ra, rb = place(a), place(b)
        up = rb.bottom() < ra.top()
        left = rb.right() < ra.left()
        if up and left:
            bad.append(f"{name(a)} -> {name(b)}")
        elif up and rb.left() <= ra.left():
            bad.append(f"{name(a)} -> {name(b)} (back up)")
    return bad


def name(w: QWidget) -> str:
    text = w.text() if isinstance(w, QAbstractButton) else ""
    return f"{type(w).__name__}({w.accessibleName() or text})"


def actions_on(page: QWidget) -> list[QWidget]:
    """What a person acts on: enabled, visible buttons, boxes, fields and lists."""
    kinds = (QAbstractButton, QComboBox, QLineEdit, QPlainTextEdit, QAbstractItemView, QTabBar)
    out = []
    for kind in kinds:
        for w in shown(page, kind):
            if not w.isEnabled() or not (w.focusPolicy() & Qt.FocusPolicy.TabFocus):
                continue
            if isinstance(w.parent(), QComboBox) or w.metaObject().className() in (
                "QComboBoxListView",
                "QHeaderView",
                "QTableCornerButton",
            ):
                continue
            out.append(w)
    return out


def walk_every_tab(qtbot, window: MainWindow, check) -> None:  # type: ignore[no-untyped-def]
    ws = window.workspace
    assert ws is not None
    for i in range(ws.tabs.count()):
        ws.tabs.setCurrentIndex(i)
        page = ws.tabs.widget(i)
        lists = getattr(page, "lists", None)
        inner = range(lists.count()) if isinstance(lists, QTabWidget) else [None]
        for j in inner:
            if j is not None:
                lists.setCurrentIndex(j)
            qtbot.wait(20)
            where = ws.tabs.tabText(i) + ("" if j is None else f" / {lists.tabText(j)}")
            check(where, page)


def case_with_items(qtbot, window: MainWindow, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    new_case(qtbot, window)
    ws = window.workspace
    assert ws is not None
    paths = []
    for seed in (1, 2):
        path = tmp_path / f"picture-{seed}.png"
        benign_picture(seed, size=96).save(path)
        paths.append(path)
    ws.originals.originals.add_paths(paths)
    wait_tasks(qtbot, window)
    qtbot.waitUntil(lambda: ws.originals.originals.model.rowCount() == 2, timeout=WAIT)
    ws.originals.originals.table.selectRow(0)
    qtbot.waitUntil(lambda: ws.originals.save_copyright.isEnabled(), timeout=WAIT)
    qtbot.waitUntil(ws.originals.preview.reveal_button.isEnabled, timeout=WAIT)


def test_tab_follows_the_screen_from_the_case_header_and_reaches_every_action(
    qtbot, unlocked: MainWindow, tmp_path: Path
) -> None:
    window = unlocked
    window.resize(1280, 720)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=WAIT)
    # Opened from the list with the keyboard, the case starts at its header.
    window.dashboard.table.setFocus()
    case_with_items(qtbot, window, tmp_path)
    ws = window.workspace
    assert ws is not None
    qtbot.waitUntil(ws.back_button.hasFocus, timeout=WAIT)
    problems: dict[str, list[str]] = {}

    def check(where: str, page: QWidget) -> None:
        chain = focus_walk(ws.back_button)
        # The case header comes first: after the back button, the under-18 switch, then
        # the tabs and the page.
        assert chain[0] is ws.minor, where
        assert chain[1] is ws.tabs.tabBar(), where
        in_page = [w for w in chain if page.isAncestorOf(w)]
        bad = out_of_order([ws.back_button, ws.minor, ws.tabs.tabBar(), *in_page])
        missing = [name(w) for w in actions_on(page) if w not in chain]
        if bad or missing:
            problems[where] = bad + [f"not reached: {m}" for m in missing]

    walk_every_tab(qtbot, window, check)
    assert problems == {}


@pytest.fixture(params=["en", "es"])
def language(request: pytest.FixtureRequest, qapp) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """The window in English, then in Spanish (its Alt+letters are chosen anew)."""
    assert install_translators(qapp, request.param) == request.param
    yield request.param
    install_translators(qapp, "en")


def test_every_button_has_its_own_alt_letter_on_every_tab_and_dialog(
    qtbot, language: str, unlocked: MainWindow, tmp_path: Path
) -> None:
    window = unlocked
    assert key_problems(window) == []  # the case list
    case_with_items(qtbot, window, tmp_path)
    ws = window.workspace
    assert ws is not None
    window.dock.show()
    wanted = {"en": "&Add files...", "es": "Añadir &archivos..."}[language]
    assert ws.originals.originals.add_files_button.text() == wanted  # the language is shown
    problems: dict[str, list[str]] = {}

    def check(where: str, _page: QWidget) -> None:
        found = key_problems(window, skip=tuple(window.task_panel.findChildren(TaskRow)))
        if found:
            problems[where] = found

    walk_every_tab(qtbot, window, check)
    # A picture revealed: the zoom buttons and Hide now join the row.
    ws.tabs.setCurrentWidget(ws.originals)
    ws.originals.lists.setCurrentIndex(0)
    ws.originals.originals.table.selectRow(1)
    preview = ws.originals.preview
    qtbot.waitUntil(preview.reveal_button.isEnabled, timeout=WAIT)
    preview.reveal_button.click()
    qtbot.waitUntil(lambda: preview.revealed, timeout=WAIT)
    found = key_problems(window, skip=tuple(window.task_panel.findChildren(TaskRow)))
    if found:
        problems["Originals, revealed"] = found
    preview.conceal()
    # The task details opened by hand.
    window.task_panel.set_expanded(True, by_hand=True)
    qtbot.wait(20)
    found = key_problems(window, skip=tuple(window.task_panel.findChildren(TaskRow)))
    if found:
        problems["Task details"] = found
    window.task_panel.set_expanded(False, by_hand=True)

    # Dialogs: Settings (every tab), the new case wizard, keep-hashes-only, where found.
    window.open_settings()
    dialog = window.settings_dialog
    qtbot.waitUntil(dialog.isVisible, timeout=WAIT)
    for i in range(dialog.tabs.count()):
        dialog.tabs.setCurrentIndex(i)
        qtbot.wait(20)
        found = key_problems(dialog)
        if found:
            problems[f"Settings / {dialog.tabs.tabText(i)}"] = found
    dialog.reject()
    window.new_case()
    wizard = window.wizard
    qtbot.waitUntil(wizard.isVisible, timeout=WAIT)
    found = key_problems(wizard)
    if found:
        problems["New case"] = found
    wizard.reject()
    items = ws.originals.originals
    items.table.selectRow(0)
    qtbot.waitUntil(items.hash_only_button.isEnabled, timeout=WAIT)
    items.hash_only_button.click()
    qtbot.waitUntil(
        lambda: items.hash_only_dialog is not None and items.hash_only_dialog.isVisible(),
        timeout=WAIT,
    )
    hash_only = items.hash_only_dialog
    assert hash_only is not None
    found = key_problems(hash_only)
    if found:
        problems["Keep hashes only"] = found
    hash_only.reject()

    # The other dialogs of a case and of the window, each on its own.
    view = items.views[0]
    others: list[tuple[str, QWidget]] = [
        ("Draft letters", DraftDialog({"signer": "Alex"})),
        ("Where was it found", FoundAtDialog(view)),
        ("Chain of custody", CustodyDialog("text")),
        (
            "Mark as sent",
            SentTimeDialog("UTC", datetime.now(UTC), correcting=False, deadline=True),
        ),
        (
            "Correct the time sent",
            SentTimeDialog("UTC", datetime.now(UTC), correcting=True, deadline=True),
        ),
        ("About", AboutDialog()),
        ("Import case", ImportCaseDialog(None)),
        ("Export case", ExportCaseDialog(None, [], None)),
        ("Fingerprint", FingerprintDialog(None, "Alex", "ab12 cd34", "detail")),
    ]
    assert window.ctx is not None
    others.append(("New passphrase", NewPassphraseDialog(window.ctx)))
    for where, other in others:
        qtbot.addWidget(other)
        other.show()
        qtbot.waitUntil(other.isVisible, timeout=WAIT)
        tabs = other.findChildren(QTabWidget)
        for i in range(tabs[0].count() if tabs else 1):
            if tabs:
                tabs[0].setCurrentIndex(i)
                qtbot.wait(20)
            found = key_problems(other)
            if found:
                problems[f"{where} {i}"] = found
        other.hide()
    assert problems == {}


def test_the_gate_buttons_have_alt_letters(qtbot, language: str, vault_dir: Path) -> None:
    creating = MainWindow(vault_dir, local=LocalConfig())
    qtbot.addWidget(creating)
    creating.show()
    assert key_problems(creating) == []
    gate = creating.gate
    assert gate is not None
    make_vault(vault_dir / "other")
    creating.change_vault_folder(vault_dir / "other")
    assert creating.gate is not None and not creating.gate.creating
    assert key_problems(creating) == []


def test_return_presses_the_focused_button(qtbot, unlocked: MainWindow) -> None:
    window = unlocked
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=WAIT)
    new_case(qtbot, window)
    ws = window.workspace
    assert ws is not None
    ws.tabs.setCurrentWidget(ws.activity)
    pressed: list[bool] = []
    ws.activity.refresh_button.clicked.connect(lambda: pressed.append(True))
    ws.activity.refresh_button.setFocus()
    qtbot.waitUntil(ws.activity.refresh_button.hasFocus, timeout=WAIT)
    qtbot.keyClick(ws.activity.refresh_button, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: pressed == [True], timeout=WAIT)
    qtbot.keyClick(ws.activity.refresh_button, Qt.Key.Key_Enter, Qt.KeyboardModifier.KeypadModifier)
    qtbot.waitUntil(lambda: pressed == [True, True], timeout=WAIT)
    # The back button goes back to the list of cases with Return.
    ws.back_button.setFocus()
    qtbot.keyClick(ws.back_button, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.workspace is None, timeout=WAIT)


def test_ctrl_comma_opens_settings(qtbot, unlocked: MainWindow) -> None:
    window = unlocked
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=WAIT)
    keys = window.settings_action.shortcuts()
    assert QKeySequence("Ctrl+,") in keys
    for key in QKeySequence.keyBindings(QKeySequence.StandardKey.Preferences):
        assert key in keys
    qtbot.keyClick(window, Qt.Key.Key_Comma, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(
        lambda: (
            getattr(window, "settings_dialog", None) is not None
            and shiboken6.isValid(window.settings_dialog)
            and window.settings_dialog.isVisible()
        ),
        timeout=WAIT,
    )
    window.settings_dialog.reject()


def test_reveal_confirm_and_reject_are_reached_and_described(
    qtbot, unlocked: MainWindow, tmp_path: Path
) -> None:
    window = unlocked
    case_with_items(qtbot, window, tmp_path)
    ws = window.workspace
    assert ws is not None
    reveal = ws.originals.preview.reveal_button
    qtbot.waitUntil(reveal.isEnabled, timeout=WAIT)
    assert reveal in focus_walk(ws.back_button)
    ws.tabs.setCurrentWidget(ws.matches)
    pane = ws.matches
    for b in (pane.confirm_button, pane.reject_button):
        b.setEnabled(True)  # as with a match selected: only its state is checked here
    chain = focus_walk(ws.back_button)
    for b in (
        reveal,
        pane.confirm_button,
        pane.reject_button,
        pane.suspect_preview.reveal_button,
        pane.target_preview.reveal_button,
    ):
        assert b.accessibleName() and b.accessibleDescription(), b.text()
        assert mnemonic(b.text()) is not None, b.text()
    for b in (pane.confirm_button, pane.reject_button):
        assert b in chain, b.text()
    assert pane.suspect_preview.reveal_button.accessibleName() != (
        pane.target_preview.reveal_button.accessibleName()
    )
