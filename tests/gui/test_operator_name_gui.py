"""Settings > General: the advocate's name can be changed after the first run; the change is
recorded like every settings change and later events carry the new name."""

from __future__ import annotations

from pathlib import Path

import shiboken6
from guikit import WAIT, new_case
from sqlalchemy import select

from conftest import PASSPHRASE
from ncii_desk.gui.mainwindow import MainWindow
from ncii_desk.services import settings as service_settings
from ncii_desk.vault import Vault
from ncii_desk.vault.models import AuditEvent


def _open(qtbot, window: MainWindow):  # type: ignore[no-untyped-def]
    window.open_settings()
    dialog = window.settings_dialog
    qtbot.waitUntil(lambda: dialog.isVisible() and dialog.operator.isEnabled(), timeout=WAIT)
    return dialog


def test_operator_name_is_changed_in_settings_and_recorded(
    qtbot, unlocked: MainWindow, vault_dir: Path
) -> None:
    window = unlocked
    assert window.vault is not None
    first = _open(qtbot, window)
    assert first.operator.text() == ""  # this vault was made without a name
    # A name that is too long is refused with the reason; nothing is saved, the dialog stays.
    first.operator.setText("S" * 81)
    first.save()
    assert first.isVisible() and "longer than 80 characters" in first.message.text()
    assert first.operator.hasFocus() or first.tabs.currentIndex() == 0
    first.reject()

    dialog = _open(qtbot, window)
    dialog.operator.setText("  Sam   R. ")
    dialog.save()
    qtbot.waitUntil(lambda: not shiboken6.isValid(dialog), timeout=WAIT)
    assert window.vault.actor == "Sam R."
    new_case(qtbot, window, label="Case after the change")

    # Unchanged: saving again records no second event.
    again = _open(qtbot, window)
    assert again.operator.text() == "Sam R."
    again.save()
    qtbot.waitUntil(lambda: not shiboken6.isValid(again), timeout=WAIT)

    window.lock()
    vault = Vault.open(vault_dir, passphrase=PASSPHRASE)
    try:
        assert service_settings.operator_name(vault) == "Sam R."
        with vault.session() as s:
            changes = list(
                s.scalars(
                    select(AuditEvent).where(
                        AuditEvent.action == "setting.changed",
                        AuditEvent.object_id == service_settings.OPERATOR_KEY,
                    )
                )
            )
            later = list(s.scalars(select(AuditEvent).where(AuditEvent.seq > changes[0].seq)))
        assert len(changes) == 1
        assert later and all(e.actor == "Sam R." for e in later)
        assert any(e.action.startswith("case.") for e in later)
    finally:
        vault.close()
