"""Help > About: version, licence, and a viewer for the third-party notices."""

from __future__ import annotations

from guikit import WAIT

import ncii_desk
from ncii_desk.gui.mainwindow import MainWindow


def test_about_shows_version_licence_and_notices(qtbot, window: MainWindow) -> None:
    # Reachable from the Help menu while the vault is still locked.
    assert window.about_action in window.help_menu.actions()
    window.about_action.trigger()
    dialog = window.about_dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible, timeout=WAIT)
    assert ncii_desk.__version__ in dialog.version.text()
    assert "GPL-3.0-or-later" in dialog.licence.text()
    licence = dialog.licence_view.toPlainText()
    assert "GNU GENERAL PUBLIC LICENSE" in licence and "Version 3, 29 June 2007" in licence
    shown = dialog.notices_view.toPlainText()
    assert dialog.notices_view.isReadOnly()
    # The notices name the packages the app runs on and the bundled face embedder.
    for expected in ("PySide6", "SQLAlchemy", "onnx", "Model: dlib-resnet-128", "Model: yunet"):
        assert expected in shown, expected
    # Locking (or Quick exit) closes it with every other dialog.
    window.lock()
    assert not dialog.isVisible()
