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


def test_adding_a_folder_again_and_non_pictures_are_listed_as_problems(  # type: ignore[no-untyped-def]
    qtbot, unlocked, tmp_path: Path
) -> None:
    from guikit import new_case

    window = unlocked
    new_case(qtbot, window, "Twice")
    ws = window.workspace
    assert ws is not None
    folder = tmp_path / "originals"
    folder.mkdir()
    for n in (1, 2):
        benign_picture(n).save(folder / f"original-{n}.png")
    (folder / "notes.jpg").write_text("a text file with a picture's name\n")

    ws.originals.originals.add_paths([folder])
    wait_tasks(qtbot, window)
    first = window.task_panel.rows[-1]
    assert first.outcome == "done"
    assert "Added 2 item(s)" in first.status.text()
    problems = window.task_panel.problem_texts()
    assert len(problems) == 1 and problems[0][1] == str(folder / "notes.jpg")
    assert "is not an image or video" in problems[0][2]
    window.task_panel.clear_problems()

    ws.originals.originals.add_paths([folder])
    wait_tasks(qtbot, window)
    again = window.task_panel.rows[-1]
    assert "Added 0 item(s), 2 already in this case (not added again)" in again.status.text()
    listed = {p[1]: p[2] for p in window.task_panel.problem_texts()}
    for n in (1, 2):
        assert listed[str(folder / f"original-{n}.png")].startswith("Already in this case")
    assert "is not an image or video" in listed[str(folder / "notes.jpg")]
    assert window.vault is not None
    assert cases.get_case(window.vault, ws.case_id).originals == 2
