"""Quick exit, auto-lock, safe previews (blurred, time-limited reveal, audited) and the
suspected-minor switch, in the real window on a real vault."""

from __future__ import annotations

import json
import os
from pathlib import Path

from guikit import WAIT, benign_picture, new_case, wait_tasks
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from sqlalchemy import select

from conftest import PASSPHRASE
from ncii_desk.gui.mainwindow import MainWindow
from ncii_desk.vault import Vault
from ncii_desk.vault.models import AuditEvent, Blob, EvidenceItem

IMAGE_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"RIFF", b"BM")


def _add_original(qtbot, window: MainWindow, tmp_path: Path, seed: int = 1) -> str:  # type: ignore[no-untyped-def]
    ws = window.workspace
    assert ws is not None
    path = tmp_path / f"original-{seed}.png"
    benign_picture(seed).save(path)
    section = ws.originals.originals
    before = len(section.views)
    section.add_paths([path])
    wait_tasks(qtbot, window)
    qtbot.waitUntil(lambda: len(section.views) == before + 1, timeout=WAIT)
    return section.views[-1].id


def _audit(vault_dir: Path, action: str) -> list[dict[str, object]]:
    vault = Vault.open(vault_dir, passphrase=PASSPHRASE)
    try:
        with vault.session() as s:
            rows = s.scalars(select(AuditEvent).where(AuditEvent.action == action))
            return [{"object_id": e.object_id, **json.loads(e.details)} for e in rows]
    finally:
        vault.close()


def _visible_windows() -> list[object]:
    return [w for w in QApplication.topLevelWidgets() if w.isVisible()]


def test_quick_exit_button_hides_everything_locks_and_drops_previews(
    qtbot, unlocked: MainWindow, tmp_path: Path
) -> None:
    window = unlocked
    new_case(qtbot, window)
    item_id = _add_original(qtbot, window, tmp_path)
    ws = window.workspace
    assert ws is not None
    qtbot.waitUntil(lambda: ws.originals.originals.thumbnails_shown() == 1, timeout=WAIT)
    assert window.previews.cached(item_id) is not None
    window.open_settings()
    qtbot.waitUntil(lambda: window.settings_dialog.isVisible(), timeout=WAIT)
    quick = window.toolbar.widgetForAction(window.quick_exit_action)
    assert quick.isVisible() and quick.text() == "Quick exit"
    qtbot.mouseClick(quick, Qt.MouseButton.LeftButton)
    assert _visible_windows() == []
    assert window.vault is None and window.ctx is None and window.workspace is None
    assert window.previews.cached(item_id) is None
    assert window.gate is not None  # locked: next time it opens on the unlock screen
    assert window.dashboard.model.rowCount() == 0


def test_escape_twice_and_ctrl_shift_q_quick_exit(qtbot, unlocked: MainWindow) -> None:
    window = unlocked
    handle = window.windowHandle()
    qtbot.keyClick(handle, Qt.Key.Key_Escape)
    assert window.vault is not None and window.isVisible()  # one Esc is just Esc
    qtbot.keyClick(handle, Qt.Key.Key_Escape)
    assert window.vault is None and not window.isVisible()

    window.show()
    gate = window.gate
    assert gate is not None
    gate.passphrase.setText(PASSPHRASE)
    gate.submit()
    qtbot.waitUntil(lambda: window.vault is not None, timeout=WAIT)
    qtbot.keyClick(
        window.windowHandle(),
        Qt.Key.Key_Q,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert window.vault is None and not window.isVisible()


def test_auto_lock_after_idle_time(qtbot, unlocked: MainWindow) -> None:
    window = unlocked
    assert window.guard.armed  # the configured idle time (10 minutes by default) is running
    window.guard.set_idle_ms(300)
    qtbot.waitUntil(lambda: window.vault is None, timeout=WAIT)
    assert window.gate is not None and window.stack.currentWidget() is window.gate
    assert "without use" in window.status.text()
    assert not window.guard.armed  # nothing left to lock


def test_reveal_is_explicit_time_limited_and_audited(
    qtbot, unlocked: MainWindow, vault_dir: Path, tmp_path: Path, isolated_user_dirs: Path
) -> None:
    window = unlocked
    new_case(qtbot, window)
    item_id = _add_original(qtbot, window, tmp_path)
    ws = window.workspace
    assert ws is not None
    panel = ws.originals.preview
    ws.originals.originals.select_item(item_id)
    qtbot.waitUntil(lambda: panel.reveal_button.isEnabled(), timeout=WAIT)
    blurred = panel.source_image()  # drawn fitted to the view, whatever its size then
    assert blurred is not None and not panel.picture.pixmap().isNull()
    assert panel.note.text() == "Blurred."
    assert not panel.revealed
    window.previews.reveal_seconds = 3
    qtbot.mouseClick(panel.reveal_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.revealed, timeout=WAIT)
    assert "Blurs again in 3 s" in panel.countdown.text()
    shown = panel.source_image()
    assert shown is not None and shown != blurred  # the real picture, not the blur
    qtbot.waitUntil(lambda: not panel.revealed, timeout=WAIT)
    qtbot.waitUntil(lambda: panel.note.text() == "Blurred.", timeout=WAIT)
    assert panel.source_image() == blurred
    window.lock()
    events = _audit(vault_dir, "item.reveal")
    assert [(e["object_id"], e["seconds"], e["view"]) for e in events] == [
        (item_id, 3, "originals")
    ]
    # No picture (or anything else) was written to the user's folders: no cache, no temp file.
    for root, _dirs, files in os.walk(isolated_user_dirs):
        for name in files:
            with open(Path(root) / name, "rb") as fh:
                assert not fh.read(4).startswith(IMAGE_MAGIC), name


def test_suspected_minor_case_shows_no_previews_at_all(
    qtbot, unlocked: MainWindow, tmp_path: Path
) -> None:
    window = unlocked
    new_case(qtbot, window, suspected_minor=True)
    ws = window.workspace
    assert ws is not None and ws.minor.isChecked()
    assert "hashes only" in ws.minor_note.text()
    item_id = _add_original(qtbot, window, tmp_path)
    section = ws.originals.originals
    assert section.views[-1].pixels_kept is False
    assert "Hashes only" in section.model.item(0, 5).text()
    section.select_item(item_id)
    panel = ws.originals.preview
    qtbot.waitUntil(lambda: "under 18" in panel.picture.text(), timeout=WAIT)
    assert panel.picture.pixmap().isNull() and not panel.reveal_button.isEnabled()
    assert section.thumbnails_shown() == 0


def test_marking_a_case_hides_previews_of_items_already_kept(
    qtbot, unlocked: MainWindow, tmp_path: Path
) -> None:
    window = unlocked
    new_case(qtbot, window)
    item_id = _add_original(qtbot, window, tmp_path)
    ws = window.workspace
    assert ws is not None
    section = ws.originals.originals
    qtbot.waitUntil(lambda: section.thumbnails_shown() == 1, timeout=WAIT)
    ws.set_minor(True)
    qtbot.waitUntil(lambda: ws.view is not None and ws.view.suspected_minor, timeout=WAIT)
    qtbot.waitUntil(lambda: section.model.item(0, 0).text() == "no preview", timeout=WAIT)
    assert section.thumbnails_shown() == 0
    # Whatever the store holds for the item after the switch has no picture (the render
    # asked for when the store was cleared may still be on its way: no waiting on it) ...
    held = window.previews.cached(item_id)
    assert held is None or (held.image is None and "under 18" in held.note)
    # ... and asking for the preview now gives the hashes-only note, not a picture.
    got: list = []
    window.previews.request(item_id, got.append)
    qtbot.waitUntil(lambda: len(got) == 1, timeout=WAIT)
    assert got[0].image is None and "under 18" in got[0].note


def test_only_thumbnails_near_the_screen_are_made(
    qtbot, unlocked: MainWindow, tmp_path: Path
) -> None:
    from ncii_desk.services import intake
    from ncii_desk.vault.models import Role

    window = unlocked
    case_id = new_case(qtbot, window)
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(40):
        benign_picture(i, size=48).save(folder / f"p{i:02}.png")
    assert window.vault is not None
    intake.add_items(window.vault, case_id, Role.ORIGINAL, [folder])  # setup, no hashing
    window.open_case(case_id)
    ws = window.workspace
    assert ws is not None
    section = ws.originals.originals
    qtbot.waitUntil(lambda: len(section.views) == 40, timeout=WAIT)
    qtbot.waitUntil(lambda: section.thumbnails_shown() > 0, timeout=WAIT)
    first_batch = section.thumbnails_shown()
    assert first_batch < 40
    assert section.model.item(39, 0).data(Qt.ItemDataRole.DecorationRole) is None
    section.table.scrollToBottom()
    qtbot.waitUntil(
        lambda: section.model.item(39, 0).data(Qt.ItemDataRole.DecorationRole) is not None,
        timeout=WAIT,
    )


def test_keep_hashes_only_hides_previews_at_once_and_deletes_the_file(
    qtbot, unlocked: MainWindow, vault_dir: Path, tmp_path: Path
) -> None:
    from ncii_desk.gui.workspace.hashonly import HashOnlyDialog

    window = unlocked
    new_case(qtbot, window)
    item_id = _add_original(qtbot, window, tmp_path)
    other_id = _add_original(qtbot, window, tmp_path, seed=2)
    ws = window.workspace
    assert ws is not None
    section = ws.originals.originals
    panel = ws.originals.preview
    qtbot.waitUntil(lambda: section.thumbnails_shown() == 2, timeout=WAIT)
    assert not section.hash_only_button.isEnabled()  # nothing selected yet
    section.select_item(item_id)
    qtbot.waitUntil(lambda: panel.reveal_button.isEnabled(), timeout=WAIT)
    assert section.hash_only_button.isEnabled()

    # Cancel first: nothing changes.
    qtbot.mouseClick(section.hash_only_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: section.hash_only_dialog is not None and section.hash_only_dialog.isVisible(),
        timeout=WAIT,
    )
    dialog = section.hash_only_dialog
    assert isinstance(dialog, HashOnlyDialog)
    assert "deleted from the vault for good" in dialog.explanation.text()
    assert dialog.cancel_button.isDefault() and dialog.reason() != ""
    dialog.reason_edit.clear()
    assert not dialog.confirm_button.isEnabled()  # a reason is required
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert section.thumbnails_shown() == 2 and window.previews.cached(item_id) is not None

    # Confirm: the previews go at once, before the vault has done anything.
    qtbot.mouseClick(section.hash_only_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: (
            section.hash_only_dialog is not dialog
            and section.hash_only_dialog is not None
            and section.hash_only_dialog.isVisible()
        ),
        timeout=WAIT,
    )
    dialog = section.hash_only_dialog
    assert dialog is not None
    dialog.reason_edit.setText("The client says she was 16 in this photo")
    qtbot.mouseClick(dialog.confirm_button, Qt.MouseButton.LeftButton)
    assert section.thumbnails_shown() == 1  # the other original keeps its preview
    assert window.previews.cached(item_id) is None
    assert window.previews.cached(other_id) is not None
    assert panel.picture.pixmap().isNull() and "hashes only" in panel.picture.text()
    assert not panel.reveal_button.isEnabled() and not section.hash_only_button.isEnabled()

    qtbot.waitUntil(
        lambda: any(v.id == item_id and not v.pixels_kept for v in section.views), timeout=WAIT
    )
    assert "deleted from the vault" in section.hash_only_note.text()
    row = next(r for r in range(section.model.rowCount()) if section.views[r].id == item_id)
    assert section.model.item(row, 0).text() == "no preview"
    assert "Hashes only" in section.model.item(row, 5).text()
    section.select_item(item_id)
    qtbot.waitUntil(lambda: "hashes only" in panel.picture.text(), timeout=WAIT)
    assert section.thumbnails_shown() == 1

    window.lock()
    events = _audit(vault_dir, "item.hash_only")
    assert [(e["object_id"], e["reason"]) for e in events] == [
        (item_id, "The client says she was 16 in this photo")
    ]
    vault = Vault.open(vault_dir, passphrase=PASSPHRASE)
    try:
        with vault.session() as s:
            item = s.get(EvidenceItem, item_id)
            assert item is not None and item.blob_id is None and item.suspected_minor
            blobs = {b.id for b in s.scalars(select(Blob))}
        files = {p.name for p in vault.blobs.iter_files()}
        assert files == blobs and len(files) == 1  # only the other original's file is left
        assert vault.check().ok
    finally:
        vault.close()


def test_case_switch_asks_with_counts_then_deletes_the_files(
    qtbot, unlocked: MainWindow, vault_dir: Path, tmp_path: Path
) -> None:
    window = unlocked
    new_case(qtbot, window)
    item_id = _add_original(qtbot, window, tmp_path)
    ws = window.workspace
    assert ws is not None

    def ask() -> object:
        ws.minor_box = None
        ws.minor.click()
        qtbot.waitUntil(lambda: ws.minor_box is not None and ws.minor_box.isVisible(), timeout=WAIT)
        return ws.minor_box

    box = ask()
    assert not ws.minor.isChecked()  # nothing changes before the answer
    text = box.informativeText()
    assert "1 stored file(s) of 1 item(s)" in text and "cannot be undone" in text
    assert box.defaultButton() is box.escapeButton()  # Cancel is the default
    box.escapeButton().click()
    assert not ws.minor.isChecked() and ws.minor_result is None

    box = ask()
    yes = next(b for b in box.buttons() if b is not box.escapeButton())
    yes.click()
    qtbot.waitUntil(lambda: ws.minor_result is not None, timeout=WAIT)
    qtbot.waitUntil(lambda: ws.minor.isChecked(), timeout=WAIT)
    assert "only hashes are kept" in ws.minor_note.text()
    assert "Deleted: 1 stored file(s) of 1 item(s)" in ws.minor_note.text()

    box = ask()  # off: says nothing comes back
    assert "Nothing deleted comes back" in box.informativeText()
    next(b for b in box.buttons() if b is not box.escapeButton()).click()
    qtbot.waitUntil(lambda: not ws.minor.isChecked(), timeout=WAIT)
    assert "Nothing was restored" in ws.minor_note.text()

    window.lock()
    events = _audit(vault_dir, "case.suspected_minor_set")
    assert [e["value"] for e in events] == [True, False]
    assert events[0]["files_deleted"] == 1
    vault = Vault.open(vault_dir, passphrase=PASSPHRASE)
    try:
        with vault.session() as s:
            item = s.get(EvidenceItem, item_id)
            assert item is not None and item.blob_id is None and not item.pixels_kept
            assert list(s.scalars(select(Blob))) == []
        assert list(vault.blobs.iter_files()) == []
    finally:
        vault.close()
