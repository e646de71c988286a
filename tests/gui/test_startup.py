"""Start-up stays light: the window is shown, and the vault unlocked, before any of the heavy
parts (onnxruntime, OpenCV, reportlab, QtPdf, WebEngine, numpy, Alembic) is imported. They
load on the first event-loop turn that needs them (a picture, an analysis, a letter).

Run in a fresh interpreter: this test process has long since loaded them all."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import PASSPHRASE, fast_kdf
from ncii_desk.vault import Vault

HEAVY = (
    "onnxruntime",
    "cv2",
    "reportlab",
    "docx",
    "PySide6.QtPdf",
    "PySide6.QtPdfWidgets",
    "PySide6.QtWebEngineCore",
    "PySide6.QtWebEngineWidgets",
    "numpy",
    "alembic",
    "ncii_desk.vision.faces",
)

CHILD = r"""
import json, os, sys
from pathlib import Path
from PySide6.QtCore import QCoreApplication, QDeadlineTimer
from ncii_desk.gui.app import application
from ncii_desk.gui.config import LocalConfig
from ncii_desk.gui.mainwindow import MainWindow

heavy = json.loads(sys.argv[2])
app = application([sys.argv[0]])
window = MainWindow(Path(sys.argv[1]), local=LocalConfig())
window.show()
loaded = {"shown": sorted(m for m in heavy if m in sys.modules)}
app.processEvents()  # the first paint
loaded["painted"] = sorted(m for m in heavy if m in sys.modules)
gate = window.gate
gate.passphrase.setText(os.environ["STARTUP_PASSPHRASE"])
gate.submit()
while window.vault is None or window.ctx is None or window.ctx.thresholds is None:
    app.processEvents()
    QCoreApplication.sendPostedEvents()
    from PySide6.QtCore import QThread
    QThread.msleep(20)
loaded["unlocked"] = sorted(m for m in heavy if m in sys.modules)
window.lock()
print("LOADED " + json.dumps(loaded))
"""


def test_heavy_modules_are_not_loaded_at_start_up(vault_dir: Path) -> None:
    vault, _ = Vault.create(vault_dir, PASSPHRASE, kdf=fast_kdf())
    vault.close()
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", STARTUP_PASSPHRASE=PASSPHRASE)
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(vault_dir), json.dumps(HEAVY)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    line = next((x for x in done.stdout.splitlines() if x.startswith("LOADED ")), None)
    assert line is not None, done.stdout + done.stderr
    loaded = json.loads(line.removeprefix("LOADED "))
    assert loaded["shown"] == []
    assert loaded["painted"] == []
    # Unlocking opens the database (Alembic checks the schema); nothing for pictures,
    # analysis or documents is loaded yet.
    assert set(loaded["unlocked"]) <= {"alembic"}, loaded["unlocked"]
