"""Entry point of the frozen app: one script behind both executables of the folder build.

``ncii-desk`` (console) runs the command-line interface; ``ncii-desk-gui`` (windowed; on macOS
the executable inside ``NCII Desk.app``) opens the desktop app. Both share one analysis, so
the bundled modules, libraries and data exist once on disk.
"""

from __future__ import annotations

import multiprocessing
import os
import sys

GUI_NAMES = ("ncii-desk-gui",)


def _wants_gui() -> bool:
    name = os.path.splitext(os.path.basename(sys.executable))[0].lower()
    return name in GUI_NAMES


def run() -> int:
    # Hashing uses worker processes (forkserver or spawn): a child of the frozen app must run
    # the worker, not a second copy of the app. This returns at once in the parent.
    multiprocessing.freeze_support()
    if _wants_gui():
        from ncii_desk.gui.app import main as gui_main

        return gui_main()  # the same call as the ncii-desk-gui entry point of pyproject.toml
    from ncii_desk.launch import main as cli_main

    return cli_main()


if __name__ == "__main__":
    raise SystemExit(run())
