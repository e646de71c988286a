"""A long list of items reaches its table a chunk per turn of the event loop, so thousands
of rows never hold the window at once; a newer list stops an older one still being added."""

from __future__ import annotations

from pathlib import Path

import pytest
from guikit import WAIT, benign_picture, unlock

from conftest import PASSPHRASE
from ncii_desk.gui.workspace import items as items_pane
from ncii_desk.services import cases, intake
from ncii_desk.vault import Vault
from ncii_desk.vault.models import Role


def test_a_long_list_is_shown_in_chunks_and_a_newer_one_wins(  # type: ignore[no-untyped-def]
    qtbot, window, vault_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = []
    for i in range(5):
        path = tmp_path / f"picture-{i}.png"
        benign_picture(30 + i, size=64).save(path)
        paths.append(path)
    vault = Vault.open(vault_dir, passphrase=PASSPHRASE)
    try:
        case_id = cases.new_case(vault, "Many").id
        intake.add_items(vault, case_id, Role.SUSPECT, paths)
    finally:
        vault.close()
    monkeypatch.setattr(items_pane, "FILL_CHUNK", 2)
    unlock(qtbot, window)
    window.open_case(case_id)
    ws = window.workspace
    assert ws is not None
    ws.tabs.setCurrentWidget(ws.suspects)
    section = ws.suspects.items
    section.refresh()
    qtbot.waitUntil(lambda: len(section.views) == 5, timeout=WAIT)
    qtbot.waitUntil(lambda: section.model.rowCount() == 5, timeout=WAIT)

    views = list(section.views)
    section._show(views)
    assert section.model.rowCount() == 2  # the first chunk at once, the rest later
    section._show(views)  # a newer list before the first one is done
    qtbot.waitUntil(lambda: section.model.rowCount() == 5, timeout=WAIT)
    qtbot.wait(50)  # the older fill's next turns come and go without adding rows
    assert section.model.rowCount() == 5
    shown = [section.model.item(r, 0).data(0x0100) for r in range(5)]
    assert shown == [v.id for v in views]
