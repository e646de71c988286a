"""Intake refuses what it should not store twice or at all.

* Re-running `add` on the same folder adds nothing: each file whose bytes (SHA-256) the case
  already holds in the same role is reported "already in this case" (`--again` forces it).
  The same bytes in another role are added and linked (``duplicate_of``).
* A file that is not a picture or video by its content (a .txt, a text file named .jpg, a
  PDF) is reported per file and not stored, unless added explicitly with `--as-document`.

Only generated, benign files are used.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from clikit import Cli
from PIL import Image
from storekit import blob_files

from ncii_desk.errors import InvalidSetting
from ncii_desk.services import cases, intake, items
from ncii_desk.services.unhashed import unhashed_items
from ncii_desk.vault import Vault
from ncii_desk.vault.models import AuditEvent, Blob, EvidenceItem, HashRecord, Role
from ncii_desk.vault.store import CaseStore

FOLDER_FILES = 20


def pictures(folder: Path, count: int, seed: int = 0) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    out = []
    for n in range(count):
        small = rng.integers(0, 256, size=(5, 5, 3), dtype=np.uint8)
        img = Image.fromarray(small).resize((160, 120), Image.Resampling.BICUBIC)
        path = folder / f"img-{n:02d}.png"
        img.save(path)
        out.append(path)
    return out


def count_rows(vault: Vault, model: type) -> int:
    with vault.session() as s:
        return s.query(model).count()


@pytest.fixture
def case_id(store: CaseStore) -> str:
    return cases.new_case(store, "Checks").id


# --- the same file twice ----------------------------------------------------------------------


def test_adding_a_folder_again_adds_nothing_and_says_so(
    store: CaseStore, case_id: str, tmp_path: Path
) -> None:
    folder = tmp_path / "originals"
    pictures(folder, FOLDER_FILES)
    first = intake.add_items(store, case_id, Role.ORIGINAL, [folder])
    assert len(first.added) == FOLDER_FILES and first.already_in_case == []

    again = intake.add_items(store, case_id, Role.ORIGINAL, [folder])
    assert again.added == [] and again.errors == [] and again.sources == []
    by_path = {a.path: a for a in again.already_in_case}
    assert len(by_path) == FOLDER_FILES
    for view in first.added:
        seen = by_path[str(folder / view.original_filename)]
        assert (seen.item_id, seen.sha256) == (view.id, view.sha256)
    assert count_rows(store, EvidenceItem) == FOLDER_FILES
    assert again.as_dict()["already_in_case"][0].keys() == {"path", "item_id", "sha256"}

    forced = intake.add_items(store, case_id, Role.ORIGINAL, [folder], again=True)
    assert len(forced.added) == FOLDER_FILES and forced.already_in_case == []
    assert all(v.duplicate_of is not None for v in forced.added)
    assert count_rows(store, EvidenceItem) == 2 * FOLDER_FILES
    assert count_rows(store, Blob) == FOLDER_FILES  # the same bytes are stored once


def test_same_bytes_twice_in_one_batch_and_in_another_role(
    store: CaseStore, case_id: str, tmp_path: Path
) -> None:
    (pic,) = pictures(tmp_path / "a", 1)
    copy = tmp_path / "b" / "renamed.png"
    copy.parent.mkdir()
    shutil.copy(pic, copy)
    result = intake.add_items(store, case_id, Role.SUSPECT, [pic, copy])
    assert [v.original_filename for v in result.added] == [pic.name]
    assert [a.path for a in result.already_in_case] == [str(copy)]

    as_original = intake.add_items(store, case_id, Role.ORIGINAL, [copy])
    (view,) = as_original.added  # another role: added, and linked to the first copy
    assert view.duplicate_of == result.added[0].id and as_original.already_in_case == []
    assert as_original.duplicates == 1
    # another case is not "this case"
    other = cases.new_case(store, "Other").id
    assert len(intake.add_items(store, other, Role.SUSPECT, [pic]).added) == 1


def test_cli_reports_each_file_already_in_the_case(
    cli: Cli, cli_vault: Path, tmp_path: Path
) -> None:
    case = cli("case", "new", "Twice", "--json").json()["id"]
    folder = tmp_path / "found"
    paths = pictures(folder, 5)
    assert cli("add", "suspect", case, str(folder), "--no-hash").rc == 0

    text = cli("add", "suspect", case, str(folder), "--no-hash")
    assert text.rc == 0, text.err
    for path in paths:
        assert f"already in this case: {path} (same file as item " in text.out
    assert "5 file(s) were already in this case as suspect" in text.out
    assert "--again" in text.out
    data = cli("add", "suspect", case, str(folder), "--no-hash", "--json")
    assert data.rc == 0 and data.json()["added"] == []
    assert sorted(a["path"] for a in data.json()["already_in_case"]) == [str(p) for p in paths]
    assert len(cli("item", "list", case, "--json").json()) == 5

    forced = cli("add", "suspect", case, str(folder), "--no-hash", "--again", "--json")
    assert forced.rc == 0 and len(forced.json()["added"]) == 5
    assert len(cli("item", "list", case, "--json").json()) == 10


# --- files that are not pictures or videos ------------------------------------------------------


def non_media(folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        "notes.txt": b"Where the pictures were found: see the list.\n",
        "photo.jpg": b"This is not a JPEG, only text with the wrong name.\n",
        "letter.pdf": b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n",
        "blob.bin": bytes(range(256)) * 4,
    }
    out = {}
    for name, data in files.items():
        (folder / name).write_bytes(data)
        out[name] = folder / name
    return out


def test_non_images_in_a_folder_are_reported_and_not_stored(
    store: CaseStore, case_id: str, tmp_path: Path
) -> None:
    folder = tmp_path / "evidence"
    bad = non_media(folder)
    (good,) = pictures(folder, 1)
    result = intake.add_items(store, case_id, Role.SUSPECT, [folder])
    assert [v.original_filename for v in result.added] == [good.name]
    errors = {Path(e.path).name: e for e in result.errors}
    assert set(errors) == set(bad)
    for err in errors.values():
        assert "is not an image or video" in err.message and "--as-document" in err.hint
    assert "its content is text" in errors["photo.jpg"].message  # content, not the name
    assert "its content is text" in errors["notes.txt"].message
    assert "a PDF document" in errors["letter.pdf"].message
    assert "unknown kind" in errors["blob.bin"].message
    assert count_rows(store, EvidenceItem) == 1 and count_rows(store, Blob) == 1
    assert len(blob_files(store)) == 1


def test_a_file_added_as_a_document_is_kept_and_never_hashed(
    store: CaseStore, case_id: str, tmp_path: Path
) -> None:
    bad = non_media(tmp_path / "docs")
    (pic,) = pictures(tmp_path / "pics", 1)
    result = intake.add_items(
        store, case_id, Role.SUSPECT, [bad["letter.pdf"], bad["photo.jpg"], pic], as_document=True
    )
    assert result.errors == [] and len(result.added) == 3
    assert result.sources == []  # documents are not hashed, not even a picture added as one
    assert all(v.document for v in result.added)
    with store.session() as s:
        item = s.get(EvidenceItem, result.added[0].id)
        assert item is not None and item.details["document"] is True
        assert item.mime == "application/pdf"
        blob = s.get(Blob, item.blob_id)
        assert blob is not None
        stored = store.read_blob(blob)
        assert hashlib.sha256(stored).hexdigest() == item.sha256
        assert s.query(HashRecord).count() == 0
        assert unhashed_items(s, case_id).total == 0  # a document is not "not hashed yet"
        event = [
            json.loads(e.details)
            for e in s.query(AuditEvent).filter(AuditEvent.object_id == item.id)
            if e.action == "item.added"
        ]
    assert event and event[0]["document"] is True
    with pytest.raises(InvalidSetting, match="one file at a time"):
        intake.add_items(store, case_id, Role.SUSPECT, [tmp_path / "docs"], as_document=True)


def test_cli_non_images_exit_7_and_as_document(cli: Cli, cli_vault: Path, tmp_path: Path) -> None:
    case = cli("case", "new", "Docs", "--json").json()["id"]
    folder = tmp_path / "evidence"
    bad = non_media(folder)
    pictures(folder, 1)
    result = cli("add", "suspect", case, str(folder))
    assert result.rc == 7
    for path in bad.values():
        assert f"{path} is not an image or video" in result.err
    doc = cli("add", "suspect", case, str(bad["letter.pdf"]), "--as-document", "--json")
    assert doc.rc == 0 and doc.json()["added"][0]["document"] is True
    assert doc.json()["hashing"] is None
    refused = cli("add", "suspect", case, str(folder), "--as-document")
    assert refused.rc == 2 and "one file at a time" in refused.err


def test_a_stored_copy_does_not_stop_a_hash_only_record_of_the_same_bytes(
    store: CaseStore, case_id: str, tmp_path: Path
) -> None:
    (pic,) = pictures(tmp_path / "a", 1)
    (stored,) = intake.add_items(store, case_id, Role.SUSPECT, [pic]).added
    minor = intake.add_items(store, case_id, Role.SUSPECT, [pic], suspected_minor=True)
    (hash_only,) = minor.added  # recorded as possibly showing a minor, not "already there"
    assert not hash_only.pixels_kept and hash_only.duplicate_of == stored.id
    # No copy of its pixels stays anywhere: the stored copy became hashes only as well.
    assert not next(i for i in items.list_items(store, case_id) if i.id == stored.id).pixels_kept
    twice = intake.add_items(store, case_id, Role.SUSPECT, [pic], suspected_minor=True)
    assert twice.added == []
    assert [a.item_id for a in twice.already_in_case] in ([hash_only.id], [stored.id])
