"""The ``ncii-desk`` program: the command line, and the desktop app when no command is given.

This entry module sits above both the command line (cli/) and the desktop app (gui/): it is
the one place that may import both, so the command line never imports the GUI. It hands the
command line what only the GUI has (:class:`ncii_desk.cli.common.Desktop`): opening the window,
and the self-test's Qt check. Both load the GUI on use, so ``ncii-desk --help`` and
``--version`` still load no Qt.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

from ncii_desk.cli.common import Desktop


def open_window(args: argparse.Namespace) -> int:
    """``ncii-desk`` without a command: the window, on the vault given with --vault."""
    from ncii_desk.gui.app import launch_from_cli

    return launch_from_cli(args)


def qt_check(versions: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The self-test's "qt" check (``ncii-desk selftest --qt``)."""
    from ncii_desk.gui.selfcheck import check_qt

    return check_qt(versions)


DESKTOP = Desktop(open_window=open_window, selftest_checks={"qt": qt_check})


def main(argv: Sequence[str] | None = None) -> int:
    from ncii_desk.cli.main import main as cli_main

    return cli_main(argv, desktop=DESKTOP)


if __name__ == "__main__":
    raise SystemExit(main())
