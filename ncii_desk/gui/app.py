"""Starting the desktop app: `ncii-desk` with no command, `python -m ncii_desk`, or the
`ncii-desk-gui` launcher.

The window itself is in mainwindow.py; this module prepares Qt (high-DPI scaling, the
system's light or dark scheme, translations) and runs the event loop.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QLibraryInfo, QLocale, Qt, QThreadPool, QTranslator
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from ncii_desk import i18n
from ncii_desk.gui import workers
from ncii_desk.gui.config import LocalConfig
from ncii_desk.gui.mainwindow import APP_TITLE, MainWindow
from ncii_desk.hardening import harden_process
from ncii_desk.paths import default_vault_dir
from ncii_desk.services.jobs import run_hashing_in_background

__all__ = ["MainWindow", "install_translators", "launch_from_cli", "main"]

_installed: list[QTranslator] = []


def install_translators(app: QApplication, choice: str | None = None) -> str:
    """Show the window in the chosen language ("system", "en" or "es"; None reads the local
    setting), before the first window is made. Qt's own buttons (Yes/No/Cancel in message
    boxes and button boxes) use Qt's base translation of the *same* language, so with
    English chosen on a German system they stay English. Returns the language shown."""
    for old in _installed:
        app.removeTranslator(old)
    _installed.clear()
    if choice is None:
        choice = LocalConfig.load().language
    language = i18n.resolve(choice, QLocale.system().name())
    qm = i18n.compiled_qm(language)
    if qm is None:
        language = "en"
    i18n.set_language(language)
    if qm is None:
        return language
    qt = QTranslator(app)
    base = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if qt.load(f"qtbase_{language}", base):
        app.installTranslator(qt)
        _installed.append(qt)
    ours = QTranslator(app)
    if ours.load(str(qm)):
        app.installTranslator(ours)
        _installed.append(ours)
    return language


def no_display() -> bool:
    """True on Linux without a display (a server or an SSH session): Qt would abort."""
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return False
    return not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def application(argv: Sequence[str] | None = None) -> QApplication:
    run_hashing_in_background()  # the window keeps the processor (hashing/priority.py)
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
        Qt.HighDpiScaleFactorRoundingPolicy.PassThrough
    )
    app = QApplication(list(argv) if argv is not None else sys.argv)
    app.setApplicationName(APP_TITLE)
    app.setApplicationDisplayName(APP_TITLE)
    app.setOrganizationName(APP_TITLE)
    app.setQuitOnLastWindowClosed(True)
    install_translators(app)
    return app


def main(argv: Sequence[str] | None = None, *, vault_dir: Path | None = None) -> int:
    harden_process()  # before any passphrase or key is in memory: no core dumps
    if no_display():
        sys.stderr.write(
            "NCII Desk needs a screen to open its window. To work without one, use the "
            "commands listed by 'ncii-desk --help'.\n"
        )
        return 2
    app = application(argv)
    window = MainWindow(vault_dir, quit_on_quick_exit=True)
    window.show()
    code = int(app.exec())
    # Tasks still running stop at their next item; the vault is already locked.
    workers.cancel_all()
    workers.task_pool().waitForDone(30_000)
    QThreadPool.globalInstance().waitForDone(30_000)
    return code


def launch_from_cli(args: Any) -> int:
    """`ncii-desk` without a command: open the window (on the vault given with --vault)."""
    given = getattr(args, "vault", None)
    vault_dir = Path(given) if given is not None and Path(given) != default_vault_dir() else None
    return main([sys.argv[0]], vault_dir=vault_dir)
