"""The services the GUI now goes through instead of the vault, media and documents layers
(issue 16, "One door"): previews and reveals, desktop preferences, per-case queries, key
tuning and passphrase checks, and the value types services re-export. Real vaults
(SQLCipher), real pictures decoded by the safe loader."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import cv2
import numpy as np
import pytest
import skimage.data
from PIL import Image
from sqlalchemy import select

from ncii_desk.errors import NotFound, WeakPassphrase
from ncii_desk.services import case_queries, cases, intake, preferences, reveal, types, vaults
from ncii_desk.services.reveal import NoPreview, Shown
from ncii_desk.vault import Vault
from ncii_desk.vault.models import Analysis, AuditEvent, Role
from ncii_desk.vault.store import CaseStore


def _events(vault: Vault, action: str) -> list[tuple[str | None, dict[str, object]]]:
    with vault.session() as s:
        rows = s.scalars(select(AuditEvent).where(AuditEvent.action == action))
        return [(e.object_id, json.loads(e.details)) for e in rows]


def _add(
    vault: Vault, case_id: str, path: Path, *, minor: bool = False, document: bool = False
) -> str:
    result = intake.add_items(
        vault, case_id, Role.SUSPECT, [path], suspected_minor=minor, as_document=document
    )
    assert not result.errors, result.errors
    return result.added[0].id


@pytest.fixture
def coffee(tmp_path: Path) -> Path:
    path = tmp_path / "coffee.png"
    Image.fromarray(skimage.data.coffee()).save(path)  # 400 x 600
    return path


# --- previews and reveals ------------------------------------------------------------------


def test_a_preview_is_blurred_small_and_not_recorded(store: CaseStore, coffee: Path) -> None:
    case = cases.new_case(store, "Preview")
    item_id = _add(store, case.id, coffee)
    shown = reveal.preview(store, item_id)
    assert shown.reason is None and shown.shown is Shown.BLURRED and not shown.revealed
    assert shown.pixels is not None and shown.pixels.dtype == np.uint8
    assert max(shown.pixels.shape[:2]) <= reveal.PREVIEW_SIDE
    assert shown.pixels.shape[2] == 3
    full = reveal.preview(store, item_id, reveal=True, side=reveal.PREVIEW_SIDE)
    assert full.pixels is not None and full.revealed
    # Blurred: far less detail than the same picture unblurred at the same size.
    h, w = shown.pixels.shape[:2]
    same_size = cv2.resize(full.pixels, (w, h), interpolation=cv2.INTER_AREA)
    detail = float(np.abs(np.diff(same_size.astype(int), axis=1)).mean())
    blurred = float(np.abs(np.diff(shown.pixels.astype(int), axis=1)).mean())
    assert blurred < detail / 2
    grey = reveal.preview(store, item_id, grey=True)
    assert grey.pixels is not None
    assert (grey.pixels[..., 0] == grey.pixels[..., 1]).all()
    assert (grey.pixels[..., 1] == grey.pixels[..., 2]).all()
    assert _events(store, reveal.REVEAL_ACTION) == []  # looking at previews is not a reveal


def test_a_reveal_is_recorded_before_the_full_picture(store: CaseStore, coffee: Path) -> None:
    case = cases.new_case(store, "Reveal")
    item_id = _add(store, case.id, coffee)
    shown = reveal.reveal(store, item_id, seconds=15, where="matches")
    assert shown.revealed and shown.shown is Shown.FULL
    assert shown.pixels is not None and shown.pixels.shape == (400, 600, 3)
    assert _events(store, reveal.REVEAL_ACTION) == [
        (item_id, {"case_id": case.id, "seconds": 15, "view": "matches"})
    ]


def test_no_picture_for_an_item_marked_as_possibly_a_minor(store: CaseStore, coffee: Path) -> None:
    case = cases.new_case(store, "Minor")
    item_id = _add(store, case.id, coffee, minor=True)
    assert reveal.preview(store, item_id).reason is NoPreview.MINOR
    refused = reveal.reveal(store, item_id, seconds=15, where="suspects")
    assert refused.pixels is None and refused.reason is NoPreview.MINOR
    assert _events(store, reveal.REVEAL_ACTION) == []  # nothing shown, nothing recorded


def test_a_document_and_a_missing_item_say_why_there_is_no_picture(
    store: CaseStore, tmp_path: Path
) -> None:
    case = cases.new_case(store, "Kinds")
    notes = tmp_path / "notes.txt"
    notes.write_text("where the pictures were posted\n", encoding="utf-8")
    doc_id = _add(store, case.id, notes, document=True)
    kind = reveal.preview(store, doc_id)
    assert kind.pixels is None and kind.reason is NoPreview.KIND
    assert kind.detail == "application/octet-stream"
    gone = reveal.reveal(store, "0" * 32, seconds=10, where="suspects")
    assert gone.pixels is None and gone.reason is NoPreview.GONE
    with pytest.raises(NotFound):
        reveal.record_reveal(store, "0" * 32, 10, "suspects")
    assert _events(store, reveal.REVEAL_ACTION) == []


def test_face_mode_without_a_face_shows_the_picture_blurred(store: CaseStore, coffee: Path) -> None:
    case = cases.new_case(store, "Face mode")
    item_id = _add(store, case.id, coffee)
    shown = reveal.preview(store, item_id, mode="face")
    assert shown.pixels is not None and shown.shown is Shown.BLURRED_NO_FACE
    assert max(shown.pixels.shape[:2]) <= reveal.PREVIEW_SIDE


# --- preferences ---------------------------------------------------------------------------


def test_preferences_round_trip_with_an_audit_event_naming_fields_only(store: CaseStore) -> None:
    assert preferences.load_preferences(store) == preferences.Preferences()
    chosen = preferences.Preferences(
        auto_lock_minutes=3, greyscale=True, preview="face", reveal_seconds=42
    )
    preferences.save_preferences(store, chosen)
    assert preferences.load_preferences(store) == chosen
    events = _events(store, preferences.SETTING_CHANGED)
    assert events == [
        (
            preferences.PREFERENCES_KEY,
            {"fields": ["auto_lock_minutes", "greyscale", "preview", "reveal_seconds"]},
        )
    ]


def test_stored_preferences_out_of_range_fall_back_to_defaults(store: CaseStore) -> None:
    preferences.write_setting(
        store,
        preferences.PREFERENCES_KEY,
        {"auto_lock_minutes": -1, "greyscale": "yes", "preview": "full", "reveal_seconds": 999},
    )
    assert preferences.read_setting(store, preferences.PREFERENCES_KEY)["preview"] == "full"
    assert preferences.load_preferences(store) == preferences.Preferences()
    assert preferences.read_setting(store, "no.such.key") == {}


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_the_local_config_file_is_private(tmp_path: Path) -> None:
    path = tmp_path / "config" / "desktop.json"
    preferences.write_local_config(path, {"vault_dir": "/somewhere", "language": "es"})
    assert json.loads(path.read_text(encoding="utf-8")) == {
        "vault_dir": "/somewhere",
        "language": "es",
    }
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    preferences.write_local_config(path, {"language": "en"})  # replaced whole
    assert json.loads(path.read_text(encoding="utf-8")) == {"language": "en"}


# --- per-case queries ----------------------------------------------------------------------


def test_item_names_are_those_of_one_case(store: CaseStore, tmp_path: Path) -> None:
    one, other = cases.new_case(store, "One"), cases.new_case(store, "Other")
    a, b = tmp_path / "a.png", tmp_path / "b.png"
    Image.fromarray(skimage.data.coffee()).save(a)
    Image.fromarray(skimage.data.astronaut()).save(b)
    a_id = _add(store, one.id, a)
    b_id = _add(store, other.id, b)
    assert case_queries.item_names(store, one.id) == {a_id: "a.png"}
    assert case_queries.item_names(store, "Other") == {b_id: "b.png"}
    assert case_queries.matches_with_names(store, one.id) == []


def test_latest_findings_are_the_newest_summary_of_that_item(
    store: CaseStore, coffee: Path
) -> None:
    case = cases.new_case(store, "Findings")
    item_id = _add(store, case.id, coffee)
    assert case_queries.latest_findings(store, item_id) == []
    from datetime import UTC, datetime, timedelta

    now = datetime.now(UTC)
    with store.transaction() as s:
        for age, finding in ((2, "older"), (1, "newer")):
            s.add(
                Analysis(
                    item_id=item_id,
                    kind="summary",
                    producer="test",
                    result={"signals": [{"finding": finding}, "not a signal"]},
                    created_at=now - timedelta(minutes=age),
                )
            )
        s.add(
            Analysis(
                item_id=item_id,
                kind="faces",
                producer="test",
                result={"signals": [{"finding": "not a summary"}]},
                created_at=now,
            )
        )
    assert case_queries.latest_findings(store, item_id) == [{"finding": "newer"}]


def test_manipulation_limits_are_the_analysis_words() -> None:
    from ncii_desk.vision.summary import MANIPULATION_LIMITS

    assert case_queries.manipulation_limits() == MANIPULATION_LIMITS


# --- keys, passphrases and the vault folder ------------------------------------------------


def test_passphrase_strength_and_key_tuning(tmp_path: Path, vault_dir: Path) -> None:
    with pytest.raises(WeakPassphrase):
        vaults.check_passphrase_strength("short")
    vaults.check_passphrase_strength("four unrelated words here please")
    params = vaults.tune_key_derivation(target_seconds=0.05)
    assert isinstance(params, types.KdfParams) and params.memory_kib >= 64 * 1024
    assert not vaults.vault_exists(tmp_path / "nothing")
    vault, _ = vaults.create_vault(vault_dir, "four unrelated words here please", kdf=params)
    vault.close()
    assert vaults.vault_exists(vault_dir)


# --- value types ---------------------------------------------------------------------------


def test_services_re_export_the_same_value_types() -> None:
    from ncii_desk.documents import letters, thumbs
    from ncii_desk.vault import keys, models

    assert types.Vault is Vault
    assert types.KdfParams is keys.KdfParams
    assert types.Role is models.Role
    assert types.Source is models.Source
    assert types.ThumbMode is thumbs.ThumbMode
    assert types.LetterForm is letters.LetterForm and types.Sender is letters.Sender
    with pytest.raises(AttributeError):
        _ = types.Blob
