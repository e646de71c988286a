"""The Activity tab reads as plain sentences under the name given at first run: names of
people and files, local times, no JSON, no hex ids, no login name."""

from __future__ import annotations

import re
from pathlib import Path

from guikit import WAIT, benign_picture, new_case, wait_tasks

from conftest import PASSPHRASE
from ncii_desk.gui.config import LocalConfig
from ncii_desk.gui.mainwindow import MainWindow
from ncii_desk.services.reveal import record_reveal
from ncii_desk.services.vaults import default_operator

HEX_ID = re.compile(r"\b[0-9a-f]{12,}\b")


def test_activity_speaks_plain_words_with_the_first_run_name(
    qtbot, vault_dir: Path, tmp_path: Path
) -> None:
    window = MainWindow(vault_dir, local=LocalConfig())
    qtbot.addWidget(window)
    window.show()
    gate = window.gate
    assert gate is not None and gate.creating
    gate.passphrase.setText(PASSPHRASE)
    gate.confirm.setText(PASSPHRASE)
    gate.operator.setText("  ")  # blank: no name stored, the login name stays
    gate.operator.setText("Sam")
    gate.submit()
    page = gate.recovery_page
    qtbot.waitUntil(lambda: bool(page.key_box.toPlainText()), timeout=WAIT)
    page.kept.setChecked(True)
    page.confirm_group.setText(page.key_box.toPlainText().split("-")[-1])
    page.continue_button.click()
    vault = window.vault
    assert vault is not None and vault.actor == "Sam"

    new_case(qtbot, window)
    ws = window.workspace
    assert ws is not None
    picture = tmp_path / "beach.png"
    benign_picture(3).save(picture)
    ws.tabs.setCurrentWidget(ws.suspects)
    ws.suspects.items.add_paths([picture])
    wait_tasks(qtbot, window)
    qtbot.waitUntil(lambda: len(ws.suspects.items.views) == 1, timeout=WAIT)
    record_reveal(vault, ws.suspects.items.views[0].id, 15, "test")

    ws.tabs.setCurrentWidget(ws.activity)
    log = ws.activity
    log.refresh()
    qtbot.waitUntil(lambda: "item.reveal" in log.action_names(), timeout=WAIT)
    model = log.model
    headers = [model.horizontalHeaderItem(c).text() for c in range(model.columnCount())]
    assert headers == ["When", "What happened", "Note"]
    cells = [
        model.item(r, c).text() for r in range(model.rowCount()) for c in range(model.columnCount())
    ]
    sentences = [model.item(r, 1).text() for r in range(model.rowCount())]
    assert sentences[0] == "Sam revealed beach.png for 15 s."
    assert "Sam added beach.png." in sentences
    assert "Sam opened the case Case 2026-014." in sentences
    login = default_operator()
    for text in cells:
        assert "{" not in text and not HEX_ID.search(text), text
        assert login == "Sam" or not re.search(rf"\b{re.escape(login)}\b", text), text
    for r in range(model.rowCount()):
        assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", model.item(r, 0).text())
