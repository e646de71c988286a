"""`ncii-desk` with no command opens the window (and `--help` still prints the help)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from ncii_desk.cli.main import main as cli_main
from ncii_desk.gui import app as gui_app
from ncii_desk.gui.mainwindow import MainWindow
from ncii_desk.launch import main as program


class _EventLoop:
    """Stands in for app.exec(): records the windows shown, then closes them."""

    def __init__(self) -> None:
        self.shown: list[MainWindow] = []
        self.first_run: list[bool] = []

    def exec(self) -> int:
        self.shown = [
            w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()
        ]
        self.first_run = [w.gate is not None and w.gate.creating for w in self.shown]
        for w in self.shown:
            w.close()
        return 0


def test_no_command_opens_the_window_on_the_given_vault(
    qtbot, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    loop = _EventLoop()
    monkeypatch.setattr(gui_app, "application", lambda argv=None: loop)
    assert program(["--vault", str(tmp_path / "my-vault")]) == 0
    assert len(loop.shown) == 1
    window = loop.shown[0]
    assert window.vault_dir == tmp_path / "my-vault"
    assert loop.first_run == [True]  # a new folder: the create-a-vault screen
    assert window.quit_on_quick_exit


def test_the_command_line_alone_opens_no_window(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """cli/ never imports the GUI: without the program's entry module there is no window to
    open, and it says so instead of importing one."""
    loop = _EventLoop()
    monkeypatch.setattr(gui_app, "application", lambda argv=None: loop)
    assert cli_main(["--vault", str(tmp_path / "my-vault")]) == 2
    assert loop.shown == []
    assert "run the ncii-desk program to open the window" in capsys.readouterr().err


def test_help_still_prints_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        program(["--help"])
    assert stop.value.code == 0
    assert "usage: ncii-desk" in capsys.readouterr().out
