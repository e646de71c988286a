"""Benchmark: how long until the desktop window is on screen (issue 17 item 15).

Each run starts a fresh interpreter that imports the app, builds the main window on a
fresh vault folder, shows it, and reports when its first paint has happened; the time is
measured by this process from the start of the child to that report (interpreter start-up
included, as a user sees it). Printed, never asserted; the goal is under 2 s on a quiet
machine. Usage::

    QT_QPA_PLATFORM=offscreen python bench/gui_startup.py [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime

from benchmachine import cpu_model, load_average

CHILD = r"""
import sys, time
from pathlib import Path
from PySide6.QtCore import QEvent, QObject, QTimer
start = time.perf_counter()
from ncii_desk.gui.app import application
from ncii_desk.gui.mainwindow import MainWindow
imported = time.perf_counter()
app = application([sys.argv[0]])
window = MainWindow(Path(sys.argv[1]))

class FirstPaint(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint:
            print(f"PAINTED import={imported - start:.3f} total={time.perf_counter() - start:.3f}",
                  flush=True)
            QTimer.singleShot(0, app.quit)
            window.removeEventFilter(self)
        return False

probe = FirstPaint()
window.installEventFilter(probe)
window.show()
app.exec()
"""


def one_run() -> tuple[float, float, float]:
    with tempfile.TemporaryDirectory() as tmp:
        began = time.perf_counter()
        out = subprocess.run(
            [sys.executable, "-c", CHILD, os.path.join(tmp, "vault")],
            capture_output=True,
            text=True,
            check=True,
            timeout=300,
        )
        wall = time.perf_counter() - began
    line = next(x for x in out.stdout.splitlines() if x.startswith("PAINTED"))
    fields = dict(part.split("=") for part in line.split()[1:])
    return wall, float(fields["import"]), float(fields["total"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    print(
        f"date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; cpu: {cpu_model()}; "
        f"load average: {load_average()}; QT_QPA_PLATFORM={os.environ['QT_QPA_PLATFORM']}"
    )
    runs = [one_run() for _ in range(args.runs)]
    for i, (wall, imp, total) in enumerate(runs, 1):
        print(
            f"run {i}: first paint {wall:.2f} s after the process started "
            f"(imports {imp:.2f} s, imports to paint {total:.2f} s in the child)"
        )
    walls = [r[0] for r in runs]
    print(
        f"median {statistics.median(walls):.2f} s, best {min(walls):.2f} s, "
        f"worst {max(walls):.2f} s over {len(walls)} runs (goal: under 2 s)"
    )


if __name__ == "__main__":
    main()
