"""Reveal shows the whole picture (fitted to the view, never cut to a strip), with zoom, and
"Hide now" or Esc blurs it again at once; every reveal is still recorded."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from guikit import WAIT, new_case, wait_tasks
from PIL import Image
from PySide6.QtCore import Qt
from sqlalchemy import select

from conftest import PASSPHRASE
from ncii_desk.gui.mainwindow import MainWindow
from ncii_desk.vault import Vault
from ncii_desk.vault.models import AuditEvent

CAPTION = (250, 20, 200)


def _captioned(path: Path) -> None:
    """A tall picture (240 x 720) whose bottom sixth is a caption band of one colour."""
    rng = np.random.default_rng(5)
    small = rng.integers(0, 256, size=(6, 2, 3), dtype=np.uint8)
    arr = np.asarray(Image.fromarray(small).resize((240, 720), Image.Resampling.BICUBIC)).copy()
    arr[600:, :] = CAPTION
    Image.fromarray(arr).save(path)


def _reveals(vault_dir: Path) -> int:
    vault = Vault.open(vault_dir, passphrase=PASSPHRASE)
    try:
        with vault.session() as s:
            rows = s.scalars(select(AuditEvent).where(AuditEvent.action == "item.reveal"))
            return len([json.loads(e.details) for e in rows])
    finally:
        vault.close()


def test_reveal_fits_the_whole_picture_zooms_and_hides_now(
    qtbot, unlocked: MainWindow, vault_dir: Path, tmp_path: Path
) -> None:
    window = unlocked
    window.resize(1000, 640)
    new_case(qtbot, window)
    path = tmp_path / "captioned.png"
    _captioned(path)
    ws = window.workspace
    assert ws is not None
    section = ws.originals.originals
    section.add_paths([path])
    wait_tasks(qtbot, window)
    qtbot.waitUntil(lambda: len(section.views) == 1, timeout=WAIT)
    section.select_item(section.views[0].id)
    panel = ws.originals.preview
    qtbot.waitUntil(lambda: panel.reveal_button.isEnabled(), timeout=WAIT)
    assert not panel.hide_button.isEnabled() and panel.hide_button.isHidden()
    assert all(b.isHidden() for b in panel.zoom_buttons)  # zoom is for a revealed picture
    window.previews.reveal_seconds = 120
    qtbot.mouseClick(panel.reveal_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.revealed, timeout=WAIT)
    assert panel.hide_button.isEnabled() and panel.hide_button.text() == "Hide no&w"
    assert not panel.hide_button.isHidden() and not any(b.isHidden() for b in panel.zoom_buttons)

    # Fitted: the whole picture inside the visible area, its shape kept, the caption seen.
    room = panel.area.viewport().size()
    shown = panel.shown_size()
    assert 0 < shown.width() <= room.width() and 0 < shown.height() <= room.height()
    assert abs(shown.height() / shown.width() - 3.0) < 0.05
    image = panel.picture.pixmap().toImage()
    bottom = image.pixelColor(image.width() // 2, image.height() - 2)
    assert abs(bottom.red() - CAPTION[0]) < 12 and abs(bottom.green() - CAPTION[1]) < 12

    # 100 %: the picture at its own size (scroll to see it); + and - step from there.
    qtbot.mouseClick(panel.actual_button, Qt.MouseButton.LeftButton)
    assert (panel.shown_size().width(), panel.shown_size().height()) == (240, 720)
    qtbot.mouseClick(panel.zoom_in_button, Qt.MouseButton.LeftButton)
    assert panel.shown_size().height() == 900
    qtbot.mouseClick(panel.zoom_out_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(panel.zoom_out_button, Qt.MouseButton.LeftButton)
    assert panel.shown_size().height() == 576
    qtbot.mouseClick(panel.fit_button, Qt.MouseButton.LeftButton)
    assert panel.shown_size() == shown

    # Hide now: blurred again at once, long before the 120 s are up.
    qtbot.mouseClick(panel.hide_button, Qt.MouseButton.LeftButton)
    assert not panel.revealed and panel.countdown.text() == ""
    assert panel.hide_button.isHidden() and all(b.isHidden() for b in panel.zoom_buttons)
    qtbot.waitUntil(lambda: panel.note.text() == "Blurred.", timeout=WAIT)

    # Esc does the same.
    qtbot.waitUntil(lambda: panel.reveal_button.isEnabled(), timeout=WAIT)
    qtbot.mouseClick(panel.reveal_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.revealed, timeout=WAIT)
    qtbot.keyClick(window.windowHandle(), Qt.Key.Key_Escape)
    assert not panel.revealed
    assert window.vault is not None  # one Esc hides the picture; it is not a quick exit
    window.lock()
    assert _reveals(vault_dir) == 2  # each reveal is still recorded
