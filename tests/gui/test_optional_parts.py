"""A build without capture, analysis, letters or packets shows each of those panes as
'not installed' (no made-up content), and everything else still works."""

from __future__ import annotations

import importlib
from types import ModuleType

import pytest
from guikit import WAIT, new_case

from ncii_desk.gui import optional
from ncii_desk.gui.mainwindow import MainWindow
from ncii_desk.gui.optional import NotInstalledPanel

MISSING = {
    "ncii_desk.services.capture",
    "ncii_desk.services.analysis",
    "ncii_desk.services.faces_gallery",
    "ncii_desk.services.requests",
    "ncii_desk.services.packets",
}


@pytest.fixture
def without_optional_parts(monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.import_module

    def import_module(name: str, package: str | None = None) -> ModuleType:
        if name in MISSING:
            raise ModuleNotFoundError(f"No module named '{name}'", name=name)
        return real(name, package)

    monkeypatch.setattr(optional.importlib, "import_module", import_module)


def test_missing_parts_are_named_not_faked(
    qtbot, without_optional_parts: None, unlocked: MainWindow
) -> None:
    window = unlocked
    new_case(qtbot, window)
    ws = window.workspace
    assert ws is not None
    for pane in (ws.requests, ws.packet):
        panels = pane.findChildren(NotInstalledPanel)
        assert len(panels) == 1
    assert not hasattr(ws.requests, "table") and not hasattr(ws.packet, "build_button")
    assert not ws.suspects.capture_button.isEnabled()
    assert "not installed" in ws.suspects.capture_note.text()
    assert not ws.matches.analyse_button.isEnabled()
    assert "not installed" in ws.matches.analysis_note.text()
    assert not ws.originals.pick_face_button.isEnabled()
    assert "not installed" in ws.originals.face_note.text()
    # Hash matching and the rest of the case work without them.
    for index in range(ws.tabs.count()):
        ws.tabs.setCurrentIndex(index)
    window.open_settings()
    qtbot.waitUntil(lambda: window.settings_dialog.isVisible(), timeout=WAIT)
    assert "not installed" in window.settings_dialog.signing_status.text()
    assert window.settings_dialog.clinic_fields == {}
    window.settings_dialog.reject()
