"""Screenshots of each main screen of the desktop app, for the README.

Runs the real app on Qt's offscreen platform against a throwaway vault in a temporary folder,
with generated pictures only (smooth colour fields and shapes), and a web page served on
127.0.0.1 for the capture screen. Nothing outside the temporary folder is touched except the
PNG files written to docs/screenshots/.

    QT_QPA_PLATFORM=offscreen .venv/bin/python docs/make_screenshots.py \
        [--language es] [--look dark]

With ``--language es`` the window is in Spanish and the PNG files go to docs/screenshots/es/;
with ``--look dark`` the dark look is chosen (as in Settings) and they go to a ``dark/`` folder
below that. Besides the 1280×800 window, one shot shows the window at 853×480, which is
1280×720 at 150 % scaling.
"""

from __future__ import annotations

import os
import secrets
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
HERE = Path(__file__).resolve().parent
OUT = HERE / "screenshots"
PASSPHRASE = "blue river quiet lantern"


def picture(seed: int, size: int = 480) -> object:
    """A benign generated picture: a smooth colour field with a few solid shapes."""
    import numpy as np
    from PIL import Image, ImageDraw

    rng = np.random.default_rng(seed)
    small = rng.integers(0, 256, size=(5, 5, 3), dtype=np.uint8)
    img = Image.fromarray(small).resize((size, size), Image.Resampling.BICUBIC)
    draw = ImageDraw.Draw(img)
    for _ in range(4):
        x, y = (int(v) for v in rng.integers(0, size - size // 4, size=2))
        r = int(rng.integers(size // 12, size // 5))
        colour = tuple(int(c) for c in rng.integers(0, 256, size=3))
        draw.ellipse((x, y, x + 2 * r, y + 2 * r), fill=colour)
    return img


def wait_until(condition: Callable[[], bool], timeout: float = 120.0) -> None:
    from PySide6.QtWidgets import QApplication

    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the app did not reach the expected state")
        QApplication.processEvents()
        time.sleep(0.02)


def settle(seconds: float = 0.3) -> None:
    from PySide6.QtWidgets import QApplication

    end = time.monotonic() + seconds
    while time.monotonic() < end:
        QApplication.processEvents()
        time.sleep(0.02)


def shoot(widget: object, name: str, window: object = None, tasks: bool = True) -> None:
    """Save a PNG of ``widget``; the task panel of ``window`` shows unless told not to."""
    if window is not None:
        window.dock.setVisible(tasks)  # type: ignore[attr-defined]
    settle()
    path = _out() / f"{name}.png"
    widget.grab().save(str(path))  # type: ignore[attr-defined]
    sys.stdout.write(f"wrote {path.relative_to(HERE.parent)}\n")


def serve(folder: Path) -> tuple[ThreadingHTTPServer, str]:
    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


_language = ["en"]
_look = ["light"]


def _out() -> Path:
    out = OUT if _language[0] == "en" else OUT / _language[0]
    return out if _look[0] == "light" else out / _look[0]


def main() -> int:
    import shiboken6
    from PySide6.QtWidgets import QApplication

    from ncii_desk.gui import gate as gate_module
    from ncii_desk.gui.app import application, install_translators
    from ncii_desk.gui.config import LocalConfig
    from ncii_desk.gui.mainwindow import MainWindow
    from ncii_desk.gui.theme import apply_color_scheme
    from ncii_desk.services import cases, requests
    from ncii_desk.services.settings import set_color_scheme
    from ncii_desk.vault import KdfParams

    if "--language" in sys.argv:
        _language[0] = sys.argv[sys.argv.index("--language") + 1]
    if "--look" in sys.argv:
        _look[0] = sys.argv[sys.argv.index("--look") + 1]
    _out().mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="ncii-desk-shots-"))
    for var, sub in (("HOME", "home"), ("XDG_DATA_HOME", "data"), ("XDG_CONFIG_HOME", "config")):
        (work / sub).mkdir()
        os.environ[var] = str(work / sub)
    # Screenshots need no real unlock strength: the minimum Argon2id the vault accepts.
    gate_module.tune_kdf_here = lambda: KdfParams(64 * 1024, 1, 2, secrets.token_bytes(16))

    files = work / "files"
    (files / "originals").mkdir(parents=True)
    (files / "suspects").mkdir()
    (files / "site").mkdir()
    for i in (1, 2):
        picture(i).save(files / "originals" / f"beach-{i}.png")
    picture(3).save(files / "reference-photo.png")
    picture(1).resize((300, 300)).save(files / "suspects" / "reposted.jpg", quality=88)
    picture(7).save(files / "suspects" / "unrelated.png")
    picture(2).resize((360, 360)).save(files / "site" / "photo.jpg", quality=85)
    (files / "site" / "post.html").write_text(
        "<html><head><title>A post</title></head><body><img src='photo.jpg'></body></html>"
    )
    server, base = serve(files / "site")

    app = application([sys.argv[0]])
    install_translators(app, _language[0])
    app.setStyle("Fusion")
    window = MainWindow(work / "vault", local=LocalConfig())
    window.resize(1280, 800)
    window.show()
    if _look[0] != "light":  # before unlocking, as the computer's own dark scheme would be
        apply_color_scheme(_look[0])

    gate = window.gate
    assert gate is not None
    gate.passphrase.setText(PASSPHRASE)
    gate.confirm.setText(PASSPHRASE)
    shoot(window, "01-first-run")
    gate.submit()
    page = gate.recovery_page
    wait_until(lambda: bool(page.key_box.toPlainText()))
    shoot(window, "02-recovery-key")
    page.kept.setChecked(True)
    page.confirm_group.setText(page.key_box.toPlainText().split("-")[-1])
    page.continue_button.click()
    wait_until(lambda: window.ctx is not None and window.ctx.thresholds is not None)
    vault = window.vault
    assert vault is not None
    if _look[0] != "light":  # chosen in Settings: stored in the vault and applied
        set_color_scheme(vault, _look[0])
        window.ctx.color_scheme = _look[0]  # type: ignore[union-attr]
        window.apply_preferences()

    other = cases.new_case(vault, "Case 2026-009", client_pseudonym="Client B")
    form_module = __import__("ncii_desk.documents.letters", fromlist=["LetterForm"])
    form = form_module.LetterForm(
        sender=form_module.Sender(
            name="Alex Advocate",
            email="advocate@example.org",
            organisation="Example Legal Clinic",
            representative=True,
            authority="Authorised in writing by the client",
        ),
        signature="/s/ Alex Advocate",
        good_faith=True,
        forgery=True,
        covered_platform="yes",
    )
    drafted = requests.draft_requests(
        vault,
        other.id,
        "takedown",
        form,
        extra_urls=["https://www.reddit.com/r/x/comments/b1/"],
        now=datetime.now(UTC) - timedelta(hours=54),
    )
    requests.mark_sent(vault, drafted.requests[0].id, at=datetime.now(UTC) - timedelta(hours=53))
    requests.set_clinic(
        vault,
        name="Example Legal Clinic",
        signer="Alex Advocate",
        email="advocate@example.org",
        authority="Authorised in writing by the client",
    )

    window.new_case()
    wizard = window.wizard
    for box, _text, required in wizard.consent_page.boxes.values():
        box.setChecked(required)
    shoot(wizard, "03-new-case-consent")
    wizard.next()
    wizard.details_page.label.setText("Case 2026-014")
    wizard.details_page.pseudonym.setText("Client A")
    wizard.details_page.jurisdiction.setCurrentText("US-CA")
    wizard.next()
    wizard.accept()
    wait_until(lambda: window.workspace is not None and window.workspace.view is not None)
    ws = window.workspace
    assert ws is not None

    ws.originals.originals.add_paths([files / "originals"])
    wait_until(lambda: window.tasks.active == 0 and len(window.task_panel.rows) == 1)
    ws.originals.references.add_paths([files / "reference-photo.png"])
    wait_until(lambda: window.tasks.active == 0 and len(window.task_panel.rows) == 2)
    ws.originals.refresh()
    wait_until(lambda: ws.originals.originals.thumbnails_shown() == 2)
    ws.originals.originals.select_item(ws.originals.originals.views[0].id)
    wait_until(lambda: ws.originals.preview.reveal_button.isEnabled())
    shoot(window, "04-originals-and-references", window)
    panel = ws.originals.preview
    window.previews.reveal_seconds = 60
    panel.reveal()
    wait_until(lambda: panel.revealed)
    shoot(window, "04b-revealed-whole-picture", window)
    panel.conceal()
    # The same screen at 1280x720 with 150 % scaling (853x480 logical pixels).
    window.resize(853, 480)
    settle()
    shoot(window, "04c-originals-small-window", window)
    window.resize(1280, 800)
    ws.originals.lists.setCurrentWidget(ws.originals.references)
    shoot(window, "04d-reference-photos", window)
    ws.originals.lists.setCurrentWidget(ws.originals.originals)

    ws.tabs.setCurrentWidget(ws.suspects)
    ws.suspects.items.add_paths([files / "suspects"])
    wait_until(lambda: window.tasks.active == 0 and len(window.task_panel.rows) == 3)
    ws.suspects.urls.setPlainText(f"{base}/post.html\n{base}/missing.html")
    ws.suspects.capture()
    wait_until(lambda: window.tasks.active == 0 and len(window.task_panel.rows) == 4)
    ws.suspects.refresh()
    wait_until(lambda: ws.suspects.model.rowCount() == 2)
    wait_until(lambda: ws.suspects.items.thumbnails_shown() >= 2)
    ws.suspects.items.select_item(ws.suspects.items.views[0].id)
    wait_until(lambda: ws.suspects.preview.reveal_button.isEnabled())
    ws.suspects.lists.setCurrentWidget(ws.suspects.links)
    shoot(window, "05-suspects-links-and-files", window)
    ws.suspects.lists.setCurrentWidget(ws.suspects.items)
    shoot(window, "05b-suspect-files", window)
    # Read and dealt with: the panel goes back to its one-line summary.
    window.task_panel.clear_problems()

    ws.tabs.setCurrentWidget(ws.matches)
    wait_until(lambda: len(ws.matches.rows) >= 1)
    ws.matches.table.selectRow(0)
    wait_until(lambda: ws.matches.suspect_preview.reveal_button.isEnabled())
    wait_until(lambda: ws.matches.target_preview.reveal_button.isEnabled())
    shoot(window, "06-matches", window)

    ws.tabs.setCurrentWidget(ws.requests)
    ws.requests.draft()
    wait_until(lambda: hasattr(ws.requests, "draft_dialog"))
    dialog = ws.requests.draft_dialog
    dialog.sign.setChecked(True)
    dialog.good_faith.setChecked(True)
    # The reposted file was added from disk (no web address): the page it was found on.
    dialog.extra_urls.setPlainText("https://www.reddit.com/r/x/comments/c2/")
    wait_until(lambda: not dialog._pending.isActive())
    # The preview of what each letter lists is made on a worker: wait until it is shown.
    wait_until(lambda: dialog.preview is not None and not dialog.preview_busy)
    wait_until(lambda: dialog.letters.topLevelItemCount() > 0)
    shoot(dialog, "07-draft-letters")
    dialog.select_covered("yes")
    dialog.tabs.setCurrentIndex(1)
    shoot(dialog, "07b-letter-details")
    ws.requests.submit_draft(dialog)
    busy = dialog.message.text()  # "Drafting..." in the window's language
    wait_until(
        lambda: (
            len(ws.requests.views) >= 1
            or not shiboken6.isValid(dialog.message)  # closed once the letters are drafted
            or dialog.message.text() not in ("", busy)
        )
    )
    wait_until(lambda: len(ws.requests.views) >= 1 or shiboken6.isValid(dialog.message))
    if not ws.requests.views:
        raise SystemExit(f"Drafting failed: {dialog.message.text()}")
    ws.requests.table.selectRow(0)
    ws.requests.mark_sent()
    wait_until(lambda: any(v.status == "sent" for v in ws.requests.views))
    ws.requests.table.selectRow(0)
    letter = ws.requests.letter
    wait_until(lambda: letter.page_count() > 0 or bool(letter.text.toPlainText()))
    shoot(window, "08-removal-requests", window)

    ws.tabs.setCurrentWidget(ws.packet)
    packet_dir = work / "packets" / "evidence-packet"
    packet_dir.parent.mkdir()
    ws.packet.build(packet_dir)
    wait_until(lambda: window.tasks.active == 0 and ws.packet.open_button.isEnabled())
    shoot(window, "09-evidence-packet", window)

    ws.tabs.setCurrentWidget(ws.activity)
    wait_until(lambda: ws.activity.model.rowCount() > 5)
    shoot(window, "10-activity", window)

    window.show_dashboard()
    wait_until(lambda: window.dashboard.model.rowCount() == 2)
    window.dashboard.table.selectRow(1)
    shoot(window, "11-cases-dashboard", window)

    window.open_settings()
    wait_until(lambda: window.settings_dialog.isVisible())
    wait_until(lambda: "onnxruntime" in window.settings_dialog.provider_details.toPlainText(), 300)
    window.settings_dialog.tabs.setCurrentIndex(1)
    shoot(window.settings_dialog, "12-settings")
    window.settings_dialog.tabs.setCurrentIndex(window.settings_dialog.tabs.count() - 1)
    shoot(window.settings_dialog, "12b-settings-passphrase")
    window.settings_dialog.reject()

    window.lock()
    shoot(window, "13-unlock", window, tasks=False)
    window.close()
    server.shutdown()
    QApplication.processEvents()
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
