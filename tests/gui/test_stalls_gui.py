"""What follows an add does not pile up on the window (issue 17: no pause over 100 ms).

When an add of 1,000 files ended, the item list was read and shown twice (the section
refreshed itself, then the case-changed signal refreshed it again) and the 50-odd thumbnails
of the screen were decoded four at a time, all competing with the window thread for the
interpreter (bench/gui_stalls.py --trace). Now refreshes asked in one turn read the list
once, and previews are decoded one at a time in screen order, the selected one first. A list
that arrives after a reveal selects the same item again without blurring it.

Only generated, benign pictures are used.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from guikit import WAIT, benign_picture, unlock, wait_tasks

from conftest import PASSPHRASE
from ncii_desk.gui import safeview, workers
from ncii_desk.services import cases, intake
from ncii_desk.vault import Vault
from ncii_desk.vault.models import Role


def _case_with_suspects(vault_dir: Path, tmp_path: Path, n: int) -> str:
    paths = []
    for i in range(n):
        path = tmp_path / f"picture-{i}.png"
        benign_picture(40 + i, size=64).save(path)
        paths.append(path)
    vault = Vault.open(vault_dir, passphrase=PASSPHRASE)
    try:
        case_id = cases.new_case(vault, "Stalls").id
        intake.add_items(vault, case_id, Role.SUSPECT, paths)
    finally:
        vault.close()
    return case_id


def _open_suspects(qtbot, window, case_id: str, n: int):  # type: ignore[no-untyped-def]
    unlock(qtbot, window)
    window.open_case(case_id)
    ws = window.workspace
    assert ws is not None
    ws.tabs.setCurrentWidget(ws.suspects)
    section = ws.suspects.items
    qtbot.waitUntil(lambda: section.thumbnails_shown() == n, timeout=WAIT)
    qtbot.waitUntil(lambda: workers.running() == 0, timeout=WAIT)
    return section


def test_an_add_reads_and_shows_its_list_once(  # type: ignore[no-untyped-def]
    qtbot, window, vault_dir: Path, tmp_path: Path
) -> None:
    case_id = _case_with_suspects(vault_dir, tmp_path, 3)
    section = _open_suspects(qtbot, window, case_id, 3)
    shown_before = section._fill_generation
    extra = tmp_path / "more"
    extra.mkdir()
    benign_picture(77, size=64).save(extra / "one-more.png")
    section.add_paths([extra])
    wait_tasks(qtbot, window)
    qtbot.waitUntil(
        lambda: (
            len(section.views) == 4
            and workers.running() == 0
            and not getattr(section, "_refresh_queued", False)
        ),
        timeout=WAIT,
    )
    # The section's own refresh and the case-changed one came in the same turn: one read,
    # one fill (old code: two of each).
    assert section._fill_generation == shown_before + 1
    assert section.model.rowCount() == 4


def test_previews_are_decoded_one_at_a_time_in_screen_order_the_selected_one_first(  # type: ignore[no-untyped-def]
    qtbot, window, vault_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    case_id = _case_with_suspects(vault_dir, tmp_path, 6)
    section = _open_suspects(qtbot, window, case_id, 6)
    ids = [v.id for v in section.views]
    decoded: list[str] = []
    real = safeview.render_item

    def watched(vault, item_id, **options):  # type: ignore[no-untyped-def]
        decoded.append(item_id)  # the real decode follows; this only notes the order
        return real(vault, item_id, **options)

    monkeypatch.setattr(safeview, "render_item", watched)
    window.previews.clear()  # thumbnails dropped: the table asks for all six again at once
    assert workers.running() == 1  # old code: six decodes started together
    section.select_item(ids[5])  # the advocate looks at the last row meanwhile
    qtbot.waitUntil(lambda: section.thumbnails_shown() == 6, timeout=WAIT)
    assert decoded == [ids[0], ids[5], ids[1], ids[2], ids[3], ids[4]]
    preview = section.preview
    qtbot.waitUntil(
        lambda: preview.item_id == ids[5] and not preview.picture.pixmap().isNull(), timeout=WAIT
    )


def test_a_list_that_arrives_later_leaves_the_revealed_picture_alone(  # type: ignore[no-untyped-def]
    qtbot, window, vault_dir: Path, tmp_path: Path
) -> None:
    case_id = _case_with_suspects(vault_dir, tmp_path, 3)
    section = _open_suspects(qtbot, window, case_id, 3)
    window.previews.reveal_seconds = 120
    chosen = section.views[1].id
    section.select_item(chosen)
    preview = section.preview
    qtbot.waitUntil(preview.reveal_button.isEnabled, timeout=WAIT)
    preview.reveal_button.click()
    qtbot.waitUntil(lambda: preview.revealed, timeout=WAIT)
    shown_before = section._fill_generation
    section.refresh()  # e.g. asked by a tab change just before the reveal came back
    qtbot.waitUntil(
        lambda: section._fill_generation == shown_before + 1 and workers.running() == 0,
        timeout=WAIT,
    )
    assert section.selected_id() == chosen  # selected again after the new list
    assert preview.revealed and preview.item_id == chosen  # old code: blurred again
    preview.conceal()
    assert not preview.revealed
