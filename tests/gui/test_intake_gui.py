"""The case screen and intake: items never hashed are hashed when the case opens; files
already in the case and files that are not pictures are listed as problems, not stored.

Only generated, benign pictures are used.
"""

from __future__ import annotations

from pathlib import Path

from guikit import WAIT, benign_picture, unlock, wait_tasks
from PIL import Image

from conftest import PASSPHRASE
from ncii_desk.services import cases, intake
from ncii_desk.services.matching import list_matches
from ncii_desk.vault import Vault
from ncii_desk.vault.models import Role


def test_opening_a_case_hashes_items_stored_without_hashes(  # type: ignore[no-untyped-def]
    qtbot, window, vault_dir: Path, tmp_path: Path
) -> None:
    original = tmp_path / "original.png"
    benign_picture(7).save(original)
    copy = tmp_path / "copy.jpg"
    benign_picture(7).resize((320, 320), Image.Resampling.LANCZOS).save(copy, quality=90)
    vault = Vault.open(vault_dir, passphrase=PASSPHRASE)
    try:  # as after a cancel or crash: stored, never hashed
        case_id = cases.new_case(vault, "Unhashed").id
        intake.add_items(vault, case_id, Role.ORIGINAL, [original])
        intake.add_items(vault, case_id, Role.SUSPECT, [copy])
        assert cases.get_case(vault, case_id).unhashed == 2
    finally:
        vault.close()

    unlock(qtbot, window)
    window.open_case(case_id)
    ws = window.workspace
    assert ws is not None
    qtbot.waitUntil(lambda: ws.hashing_started, timeout=WAIT)
    wait_tasks(qtbot, window)
    row = window.task_panel.rows[-1]
    assert row.label_text == "Hashing items not hashed yet"
    assert row.outcome == "done", window.task_panel.problem_texts()
    assert "Hashed 2 item(s)" in row.status.text() and "1 new match" in row.status.text()
    assert window.vault is not None
    assert cases.get_case(window.vault, case_id).unhashed == 0
    assert len(list_matches(window.vault, case_id)) == 1
