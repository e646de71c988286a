"""Screenshots of the clinic pages of the unlock screen and Settings, for docs/clinic.md.

Sets up a throwaway clinic in the window, joins it as a second member in a second window,
and shows the administrator's Settings, Clinic members with the newcomer waiting. The
database is an empty PostgreSQL database given with ``--db postgresql://...``, or, without
it, one on a throwaway server started from the installed PostgreSQL binaries (as the tests
do, tests/clinic/pgkit.py) and removed afterwards. Nothing outside a temporary folder is
touched except the PNG files written to docs/screenshots/clinic/.

    QT_QPA_PLATFORM=offscreen .venv/bin/python docs/make_clinic_screenshots.py [--db URL]
"""

from __future__ import annotations

import os
import secrets
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
HERE = Path(__file__).resolve().parent
OUT = HERE / "screenshots" / "clinic"
PASSPHRASE = "blue river quiet lantern"
SECOND = "orchard seven amber rivers"


def wait_until(condition: Callable[[], bool], timeout: float = 120.0) -> None:
    from PySide6.QtWidgets import QApplication

    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the app did not reach the expected state")
        QApplication.processEvents()
        time.sleep(0.02)


def shoot(widget: Any, name: str) -> None:
    from PySide6.QtWidgets import QApplication

    end = time.monotonic() + 0.3
    while time.monotonic() < end:
        QApplication.processEvents()
        time.sleep(0.02)
    path = OUT / f"{name}.png"
    widget.grab().save(str(path))
    sys.stdout.write(f"wrote {path.relative_to(HERE.parent)}\n")


def keep_key(gate: Any) -> None:
    page = gate.clinic_flow.recovery_page
    wait_until(lambda: gate.pages.currentWidget() is page)
    page.kept.setChecked(True)
    page.confirm_group.setText(page.key_box.toPlainText().replace(" ", "-").split("-")[-1])
    page.continue_button.click()


def main(db: str, work: Path) -> None:
    from PySide6.QtWidgets import QApplication

    from ncii_desk.gui import gate as gate_module
    from ncii_desk.gui.app import application
    from ncii_desk.gui.config import LocalConfig
    from ncii_desk.gui.mainwindow import MainWindow
    from ncii_desk.vault import KdfParams

    # Screenshots need no real unlock strength: the minimum Argon2id the vault accepts.
    gate_module.tune_kdf_here = lambda: KdfParams(64 * 1024, 1, 2, secrets.token_bytes(16))
    app = application([sys.argv[0]])
    app.setStyle("Fusion")
    OUT.mkdir(parents=True, exist_ok=True)

    admin = MainWindow(work / "admin", local=LocalConfig())
    admin.resize(1280, 800)
    admin.show()
    gate = admin.gate
    assert gate is not None
    gate.show_clinic()
    shoot(admin, "01-open-join-or-set-up")
    gate.clinic_flow.show_setup()
    setup = gate.clinic_flow.setup_page
    setup.address.setText(db)
    setup.blobs.setText(str(work / "clinic-files"))
    setup.clinic_name.setText("Example Legal Clinic")
    setup.name.setText("Alex Advocate")
    setup.secret.passphrase.setText(PASSPHRASE)
    setup.secret.again.setText(PASSPHRASE)
    shoot(admin, "02-set-up-a-clinic")
    setup.submit()
    wait_until(lambda: gate.pages.currentWidget() is gate.clinic_flow.recovery_page)
    shoot(admin, "03-member-recovery-key")
    keep_key(gate)
    shoot(admin, "04-clinic-ready")
    gate.clinic_flow.ready_page.continue_button.click()
    wait_until(lambda: admin.ctx is not None)

    second = MainWindow(work / "second", local=LocalConfig())
    second.resize(1280, 800)
    second.show()
    sgate = second.gate
    assert sgate is not None
    sgate.show_clinic()
    sgate.clinic_flow.show_join()
    join = sgate.clinic_flow.join_page
    join.name.setText("Sam Second")
    join.secret.passphrase.setText(SECOND)
    join.secret.again.setText(SECOND)
    shoot(second, "05-join-a-clinic")
    join.submit()
    keep_key(sgate)
    wait = sgate.clinic_flow.wait_page
    wait.passphrase.setText(SECOND)
    wait.check()
    wait_until(lambda: "admitted" in wait.message.text())
    shoot(second, "06-waiting-to-be-admitted")

    admin.open_settings()
    dialog = admin.settings_dialog
    tab = dialog.clinic_members
    dialog.tabs.setCurrentWidget(tab)
    dialog.resize(900, 700)
    wait_until(lambda: tab.model.rowCount() == 2)
    pending = next(r for r in range(2) if tab.members[r]["status"] == "pending")
    tab.table.selectRow(pending)
    shoot(dialog, "07-settings-clinic-members")
    dialog.reject()
    second.close()
    admin.lock()
    admin.close()
    QApplication.processEvents()


def run() -> int:
    work = Path(tempfile.mkdtemp(prefix="ncii-desk-clinic-shots-"))
    for var, sub in (("HOME", "home"), ("XDG_DATA_HOME", "data"), ("XDG_CONFIG_HOME", "config")):
        (work / sub).mkdir()
        os.environ[var] = str(work / sub)
    server = None
    try:
        if "--db" in sys.argv:
            db = sys.argv[sys.argv.index("--db") + 1]
        else:
            sys.path.insert(0, str(HERE.parent / "tests" / "clinic"))
            import pgkit  # type: ignore[import-not-found]

            bin_dir = pgkit.find_bin_dir()
            if bin_dir is None:
                sys.stderr.write("No PostgreSQL binaries found: give --db postgresql://...\n")
                return 2
            server = pgkit.PgServer.start(pgkit.server_base(work / "pg"), bin_dir)
            db = server.create_database("shots")
        main(db, work)
    finally:
        if server is not None:
            server.stop(remove=True)
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(run())
