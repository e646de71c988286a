"""Settings are kept in the vault (encrypted), take effect at once, and defaults come back
with one click; the vault folder is remembered outside the vault."""

from __future__ import annotations

import json
from pathlib import Path

import shiboken6
from guikit import WAIT, benign_picture, new_case, wait_tasks
from PySide6.QtGui import QColor

from conftest import PASSPHRASE
from ncii_desk.gui.config import PREFERENCES_KEY, THRESHOLDS_KEY, config_path
from ncii_desk.gui.mainwindow import MainWindow
from ncii_desk.hashing.defaults import PDQ_DEFAULT_THRESHOLD
from ncii_desk.vault import Vault
from ncii_desk.vault.models import Setting


def test_settings_saved_in_the_vault_and_applied(
    qtbot, unlocked: MainWindow, vault_dir: Path, tmp_path: Path
) -> None:
    window = unlocked
    new_case(qtbot, window)
    window.open_settings()
    dialog = window.settings_dialog
    qtbot.waitUntil(lambda: dialog.auto_lock.value() == 10, timeout=WAIT)
    assert dialog.pdq.value() == PDQ_DEFAULT_THRESHOLD
    qtbot.waitUntil(lambda: "picture check" in dialog.provider.text().lower(), timeout=WAIT)
    # Plain words on the screen; provider names and versions only in the details box.
    assert "ExecutionProvider" not in dialog.provider.text()
    assert "onnxruntime" in dialog.provider_details.toPlainText()
    assert dialog.provider_details.isHidden()
    dialog.provider_details_button.click()
    assert not dialog.provider_details.isHidden()
    dialog.auto_lock.setValue(5)
    dialog.greyscale.setChecked(True)
    dialog.pdq.setValue(12)
    dialog.face.setValue(0.9)
    dialog.restore_defaults()
    assert dialog.pdq.value() == PDQ_DEFAULT_THRESHOLD
    dialog.pdq.setValue(24)
    has_clinic = bool(dialog.clinic_fields)
    if has_clinic:
        dialog.clinic_fields["name"].setText("Example Legal Clinic")
    new_vault_dir = tmp_path / "elsewhere"
    dialog.vault_dir.setText(str(new_vault_dir))
    dialog.save()
    qtbot.waitUntil(lambda: not shiboken6.isValid(dialog), timeout=WAIT)  # closed and gone
    assert window.ctx is not None
    assert window.ctx.preferences.auto_lock_minutes == 5 and window.ctx.preferences.greyscale
    assert window.ctx.thresholds is not None and window.ctx.thresholds.pdq_distance == 24
    assert window.guard.timer.interval() == 5 * 60_000
    assert json.loads(config_path().read_text())["vault_dir"] == str(new_vault_dir)

    # Previews follow the greyscale setting at once.
    ws = window.workspace
    assert ws is not None
    picture = tmp_path / "colourful.png"
    benign_picture(3).save(picture)
    section = ws.originals.originals
    section.add_paths([picture])
    wait_tasks(qtbot, window)
    qtbot.waitUntil(lambda: section.thumbnails_shown() == 1, timeout=WAIT)
    rendered = window.previews.cached(section.views[0].id)
    assert rendered is not None and rendered.image is not None
    image = rendered.image
    colours = {
        QColor(image.pixel(x, y)).getRgb()[:3]
        for x in range(0, image.width(), 7)
        for y in range(0, image.height(), 7)
    }
    assert all(r == g == b for r, g, b in colours) and len(colours) > 1

    window.lock()
    vault = Vault.open(vault_dir, passphrase=PASSPHRASE)
    try:
        with vault.session() as s:
            prefs = s.get(Setting, PREFERENCES_KEY)
            thresholds = s.get(Setting, THRESHOLDS_KEY)
            assert prefs is not None and prefs.value["auto_lock_minutes"] == 5
            assert thresholds is not None and thresholds.value["pdq_distance"] == 24
            clinic = s.get(Setting, "clinic")
            if has_clinic:
                assert clinic is not None and clinic.value["name"] == "Example Legal Clinic"
    finally:
        vault.close()


def test_invalid_stored_thresholds_show_the_defaults_with_a_warning(
    qtbot, unlocked: MainWindow, vault_dir: Path
) -> None:
    from ncii_desk.services.settings import FACE_RANGE, PDQ_RANGE

    window = unlocked
    assert window.vault is not None
    with window.vault.transaction() as s:
        s.add(Setting(key=THRESHOLDS_KEY, value={"pdq_distance": 999, "face_similarity": 0.5}))
    window.open_settings()
    dialog = window.settings_dialog
    qtbot.waitUntil(lambda: "pdq_distance" in dialog.message.text(), timeout=WAIT)
    assert "not valid" in dialog.message.text()
    assert dialog.pdq.value() == PDQ_DEFAULT_THRESHOLD and dialog.face.value() == 0.5
    assert (dialog.pdq.minimum(), dialog.pdq.maximum()) == PDQ_RANGE
    assert (dialog.face.minimum(), dialog.face.maximum()) == FACE_RANGE
    dialog.save()  # saving writes valid values back
    qtbot.waitUntil(lambda: not shiboken6.isValid(dialog), timeout=WAIT)
    window.lock()
    vault = Vault.open(vault_dir, passphrase=PASSPHRASE)
    try:
        with vault.session() as s:
            row = s.get(Setting, THRESHOLDS_KEY)
            assert row is not None
            assert row.value == {"pdq_distance": PDQ_DEFAULT_THRESHOLD, "face_similarity": 0.5}
    finally:
        vault.close()


def test_settings_show_the_vault_key_that_signs_packet_manifests(
    qtbot, unlocked: MainWindow
) -> None:
    from ncii_desk.services.packets import signing_key_info

    window = unlocked
    assert window.vault is not None
    expected = signing_key_info(window.vault).fingerprint
    window.open_settings()
    dialog = window.settings_dialog
    qtbot.waitUntil(lambda: dialog.manifest_key.text() == expected, timeout=WAIT)
    dialog.reject()
