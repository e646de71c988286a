"""Watching the keyboard and mouse for two safety features.

* Auto-lock: no key press, click, wheel or touch for the chosen time locks the vault.
* Quick exit: Escape pressed twice within :data:`DOUBLE_ESC_MS`, or Ctrl+Shift+Q anywhere,
  hides every window at once, locks the vault and drops every preview (for an advocate or a
  survivor who must hide the screen now).

One application-wide event filter sees the input of every window and dialog.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication

DOUBLE_ESC_MS = 800
QUICK_EXIT_SHORTCUT = "Ctrl+Shift+Q"

_ACTIVITY = {
    QEvent.Type.KeyPress,
    QEvent.Type.MouseButtonPress,
    QEvent.Type.MouseMove,
    QEvent.Type.Wheel,
    QEvent.Type.TouchBegin,
    QEvent.Type.TabletPress,
}


class InputGuard(QObject):
    idle = Signal()
    quick_exit = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.idle.emit)
        self._idle_ms = 0
        self._last_esc = 0.0
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    def set_idle_ms(self, ms: int) -> None:
        """0 turns auto-lock off."""
        self._idle_ms = max(0, int(ms))
        self.restart()

    def restart(self) -> None:
        if self._idle_ms > 0:
            self.timer.start(self._idle_ms)
        else:
            self.timer.stop()

    def stop(self) -> None:
        self.timer.stop()

    @property
    def armed(self) -> bool:
        return self.timer.isActive()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind in _ACTIVITY:
            if self.timer.isActive():
                self.timer.start(self._idle_ms)
            # A key press reaches its window once, then may travel through several widgets
            # (each seen here); counting it at the window only keeps one press one press.
            if (
                kind == QEvent.Type.KeyPress
                and isinstance(event, QKeyEvent)
                and watched.isWindowType()
            ):
                return self._key(event)
        return False

    def _key(self, event: QKeyEvent) -> bool:
        if event.isAutoRepeat():
            return False
        mods = event.modifiers()
        wanted = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
        if event.key() == Qt.Key.Key_Q and (mods & wanted) == wanted:
            self.quick_exit.emit()
            return True
        if event.key() == Qt.Key.Key_Escape:
            now = time.monotonic()
            if (now - self._last_esc) * 1000 <= DOUBLE_ESC_MS:
                self._last_esc = 0.0
                self.quick_exit.emit()
                return True
            self._last_esc = now
        return False

    def detach(self) -> None:
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        self.timer.stop()
