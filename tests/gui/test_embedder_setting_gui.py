"""Settings → Analysis: the face comparison model (dlib ResNet by default, or MobileFaceNet)
is stored in the vault through the services, with a plain sentence on what changes."""

from __future__ import annotations

from pathlib import Path

import pytest
import shiboken6
from guikit import WAIT, new_case
from sqlalchemy import select

from conftest import PASSPHRASE
from ncii_desk.gui.mainwindow import MainWindow
from ncii_desk.services import settings as svc
from ncii_desk.vault import Vault
from ncii_desk.vault.models import AuditEvent


def _open(qtbot, window: MainWindow):  # type: ignore[no-untyped-def]
    window.open_settings()
    dialog = window.settings_dialog
    qtbot.waitUntil(lambda: dialog._embedder_loaded is not None, timeout=WAIT)
    return dialog


def test_the_face_comparison_model_is_a_vault_setting(
    qtbot, unlocked: MainWindow, vault_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NCII_DESK_FACE_EMBEDDER", raising=False)
    window = unlocked
    new_case(qtbot, window)
    dialog = _open(qtbot, window)
    assert dialog.chosen_embedder() == "dlib-resnet-128"  # the default, nothing stored
    assert dialog.embedder.count() == 2
    note = dialog.embedder_note.text()
    assert "picked again automatically" in note and "picked again by hand" in note
    assert dialog.embedder_override.text() == ""
    dialog.embedder.setCurrentIndex(dialog.embedder.findData("mobilefacenet-128"))
    dialog.save()
    qtbot.waitUntil(lambda: not shiboken6.isValid(dialog), timeout=WAIT)

    # shown again as stored; the environment variable, when set, is said to override it
    monkeypatch.setenv("NCII_DESK_FACE_EMBEDDER", "dlib-resnet-128")
    again = _open(qtbot, window)
    assert again.chosen_embedder() == "mobilefacenet-128"
    assert "overrides the setting: analysis uses dlib-resnet-128" in again.embedder_override.text()
    again.reject()

    window.lock()
    vault = Vault.open(vault_dir, passphrase=PASSPHRASE)
    try:
        assert svc.stored_embedder(vault) == "mobilefacenet-128"
        with vault.session() as s:
            events = list(
                s.scalars(
                    select(AuditEvent).where(
                        AuditEvent.action == "setting.changed", AuditEvent.object_id == "faces"
                    )
                )
            )
        assert len(events) == 1 and "mobilefacenet-128" in events[0].details
    finally:
        vault.close()
