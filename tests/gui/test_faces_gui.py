"""Reference faces picked as face crops, then face analysis finds the client in a suspect
(real YuNet and MobileFaceNet models; the shared benign test photos)."""

from __future__ import annotations

import pytest
from guikit import WAIT, new_case, part_installed, wait_tasks

from conftest import SHARED
from ncii_desk.gui.mainwindow import MainWindow
from ncii_desk.gui.optional import analysis_missing, gallery_missing

FACES = SHARED / "testdata" / "faces"

pytestmark = pytest.mark.skipif(
    not (FACES / "chirac3.jpg").is_file() or not part_installed("ncii_desk.services.faces_gallery"),
    reason="needs the shared test photos and the face gallery service",
)


def test_pick_a_face_in_a_group_photo(qtbot, unlocked: MainWindow) -> None:
    window = unlocked
    new_case(qtbot, window)
    ws = window.workspace
    assert ws is not None
    assert gallery_missing() is None
    refs = ws.originals.references
    refs.add_paths([FACES / "chirac3.jpg"])
    wait_tasks(qtbot, window)
    qtbot.waitUntil(lambda: len(refs.views) == 1, timeout=WAIT)
    refs.select_item(refs.views[0].id)
    assert ws.originals.pick_face_button.isEnabled()
    ws.originals.pick_face()
    dialog = ws.originals.face_dialog
    qtbot.waitUntil(lambda: len(dialog.tiles) == 5, timeout=WAIT)
    assert not any(t.isChecked() for t in dialog.tiles)  # several faces: nobody chosen yet
    assert all(t.icon().availableSizes() for t in dialog.tiles)  # each shows a face crop
    assert dialog.tiles[0].accessibleName().startswith("Face 1, detection score")
    dialog.tiles[1].click()
    qtbot.waitUntil(lambda: len(dialog.tiles) == 5 and dialog.tiles[1].isChecked(), timeout=WAIT)
    assert [t.isChecked() for t in dialog.tiles] == [False, True, False, False, False]
    dialog.tiles[1].click()  # clicking it again takes it out
    qtbot.waitUntil(
        lambda: len(dialog.tiles) == 5 and not any(t.isChecked() for t in dialog.tiles),
        timeout=WAIT,
    )
    dialog.reject()


@pytest.mark.skipif(
    not part_installed("ncii_desk.services.analysis"), reason="analysis is not in this build"
)
def test_face_analysis_finds_the_client_in_a_suspect(qtbot, unlocked: MainWindow) -> None:
    window = unlocked
    new_case(qtbot, window)
    ws = window.workspace
    assert ws is not None
    ws.originals.references.add_paths([FACES / "chirac1.jpg"])
    wait_tasks(qtbot, window)
    ws.tabs.setCurrentWidget(ws.suspects)
    ws.suspects.items.add_paths([FACES / "chirac2.jpg", FACES / "codait_luciano.png"])
    wait_tasks(qtbot, window)
    ws.tabs.setCurrentWidget(ws.matches)
    matches = ws.matches
    assert analysis_missing() is None and matches.analyse_button.isEnabled()
    matches.analyse()
    wait_tasks(qtbot, window)
    row = window.task_panel.rows[-1]
    assert row.outcome == "done", window.task_panel.problem_texts()
    assert "1 new match" in row.status.text()
    qtbot.waitUntil(lambda: any(r.match.kind == "face" for r in matches.rows), timeout=WAIT)
    face = next(r for r in matches.rows if r.match.kind == "face")
    assert (face.suspect_name, face.target_name) == ("chirac2.jpg", "chirac1.jpg")
    assert face.match.score is not None and face.match.threshold is not None
    assert face.match.score >= face.match.threshold
    matches.table.selectRow(matches.rows.index(face))
    explain = matches.explain.toPlainText()
    assert "The client's face" in explain and "not an identification" in explain
    qtbot.waitUntil(lambda: "Analysis findings" in matches.explain.toPlainText(), timeout=WAIT)
    explain = matches.explain.toPlainText()
    assert "Not applicable: this model was made for" in explain  # MesoNet on a still photo
    assert "cannot tell AI-generated images apart in general" in explain


def test_face_picker_is_usable_saves_on_the_first_click_and_the_table_says_which(
    qtbot, unlocked: MainWindow
) -> None:
    from ncii_desk.gui.workspace.faces import CROP_SIDE
    from ncii_desk.services.faces_gallery import picked_faces

    window = unlocked
    case_id = new_case(qtbot, window)
    ws = window.workspace
    assert ws is not None and window.vault is not None
    refs = ws.originals.references
    refs.add_paths([FACES / "chirac3.jpg"])
    wait_tasks(qtbot, window)
    qtbot.waitUntil(lambda: len(refs.views) == 1, timeout=WAIT)
    item_id = refs.views[0].id
    assert refs.model.item(0, 5).text() == ""  # nothing picked yet
    refs.select_item(item_id)
    ws.originals.pick_face()
    dialog = ws.originals.face_dialog
    qtbot.waitUntil(lambda: len(dialog.tiles) == 5, timeout=WAIT)

    # Opens at a usable size: a row of four faces, each label readable in full.
    assert dialog.width() >= 4 * CROP_SIDE and dialog.height() >= 2 * CROP_SIDE
    for tile in dialog.tiles:
        assert tile.fontMetrics().horizontalAdvance("Face 5 (the client)") <= tile.width()
        assert tile.font().pointSizeF() >= dialog.font().pointSizeF()

    # One click saves: stored at once, the tile and the status say so.
    dialog.tiles[1].click()
    qtbot.waitUntil(lambda: dialog.status.text().startswith("Saved"), timeout=WAIT)
    assert picked_faces(window.vault, case_id) == {item_id: [2]}
    assert [t.isChecked() for t in dialog.tiles] == [False, True, False, False, False]
    assert dialog.tiles[1].text() == "Face 2 (the client)"
    # The reference photos table shows which face is picked.
    qtbot.waitUntil(lambda: refs.model.item(0, 5).text() == "Client's face: face 2", timeout=WAIT)

    dialog.tiles[1].click()  # again: taken out
    qtbot.waitUntil(lambda: "no longer used" in dialog.status.text(), timeout=WAIT)
    assert picked_faces(window.vault, case_id) == {}
    qtbot.waitUntil(lambda: refs.model.item(0, 5).text() == "", timeout=WAIT)
    dialog.reject()
