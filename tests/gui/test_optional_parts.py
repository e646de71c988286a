"""A build without capture, analysis, letters or packets shows each of those panes as
'not installed' (no made-up content), and everything else still works."""

from __future__ import annotations

import sys

import pytest
from guikit import WAIT, new_case
from PySide6.QtWidgets import QLabel

import ncii_desk.services
from ncii_desk.errors import MissingPackage
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
    """A build without these modules: importing them fails as a missing module does (None in
    sys.modules makes ``import`` raise ModuleNotFoundError naming the module)."""
    for name in MISSING:
        monkeypatch.setitem(sys.modules, name, None)
        monkeypatch.delattr(ncii_desk.services, name.rpartition(".")[2], raising=False)


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
        # The panel names the package that is missing.
        assert any(
            "ncii_desk.services." in label.text() and "is missing" in label.text()
            for label in panels[0].findChildren(QLabel)
        )
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


def test_a_missing_part_is_a_clear_error_naming_the_package(
    without_optional_parts: None,
) -> None:
    missing = optional.requests_missing()
    assert isinstance(missing, MissingPackage)
    assert missing.message == (
        "Removal requests is not installed: the Python package ncii_desk.services.requests "
        "is missing."
    )
    assert "ncii_desk.services.requests" in missing.hint
    with pytest.raises(MissingPackage) as raised:
        optional.require(optional.capture_missing())
    assert "ncii_desk.services.capture" in raised.value.message


def test_an_installed_part_is_not_reported_missing() -> None:
    for check in (
        optional.capture_missing,
        optional.analysis_missing,
        optional.gallery_missing,
        optional.requests_missing,
        optional.packets_missing,
    ):
        assert check() is None, check.__name__
    optional.require(None)  # nothing to raise
