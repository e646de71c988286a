"""Suspected-minor mode: only hashes are recorded; no byte of the file may reach the disk.

The legal and safety requirement: when a case (or a single intake) is marked as possibly
showing a person under 18, the file is read once in memory for its hashes and type, and
nothing of it is written anywhere: not the blob store, not the database, not a temp file.

The source file carries a unique random 64-byte marker, repeated, plus random content. After
the intake, every file under the vault folder and under the per-test HOME/XDG/TMPDIR folders
is scanned for the marker (raw, hex and base64) and for a slice of the random content, and
every row of every table of the decrypted database is searched as well.
Only generated, benign bytes are used.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy
from sqlalchemy import func, select, text
from storekit import store_folder

from conftest import PASSPHRASE, fast_kdf
from ncii_desk.errors import PixelsNotKept
from ncii_desk.services import cases, intake, items
from ncii_desk.services.matching import FEATURES_KIND
from ncii_desk.vault import Vault
from ncii_desk.vault.models import (
    Analysis,
    AuditEvent,
    Blob,
    Case,
    EvidenceItem,
    HashRecord,
    Role,
)
from ncii_desk.vault.store import CaseStore

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@dataclass
class MarkedFile:
    path: Path
    data: bytes
    marker: bytes
    slices: list[bytes]  # 32-byte pieces of the random content: head, middle, tail

    @property
    def needles(self) -> list[bytes]:
        m = self.marker
        forms = [m, m.hex().encode(), m.hex().upper().encode()]
        forms += [base64.b64encode(m), base64.urlsafe_b64encode(m)]
        for piece in self.slices:
            forms += [piece, piece.hex().encode(), base64.b64encode(piece)]
        return forms


def make_marked_file(folder: Path, name: str = "img_0042.png") -> MarkedFile:
    """A PNG-looking file: random content with a unique marker repeated inside it."""
    marker = os.urandom(64)
    noise = os.urandom(96 * 1024)
    data = PNG_MAGIC + noise[:40_000] + marker * 300 + noise[40_000:] + marker
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(data)
    slices = [noise[:32], noise[70_000:70_032], noise[-32:]]
    return MarkedFile(path, data, marker, slices)


def scan_for(roots: Iterable[Path], needles: list[bytes]) -> list[tuple[str, int]]:
    """(file, needle index) for every needle found in any file below ``roots``."""
    hits: list[tuple[str, int]] = []
    scanned = 0
    for root in roots:
        for folder, _dirs, files in os.walk(root):
            for name in files:
                path = Path(folder) / name
                if path.is_symlink() or not path.is_file():
                    continue
                content = path.read_bytes()
                scanned += 1
                hits.extend((str(path), i) for i, n in enumerate(needles) if n in content)
    assert scanned > 0, "the scan must have looked at some files"
    return hits


def db_hits(vault: Vault, needles: list[bytes]) -> list[str]:
    """Search every column of every row of every table (decrypted) for the needles."""
    forms: list[str] = []
    for n in needles:
        forms.append(n.decode("latin-1"))
        forms.append(repr(n))
    hits: list[str] = []
    rows_seen = 0
    with vault.engine.connect() as conn:
        tables = list(sqlalchemy.inspect(conn).get_table_names())
        assert {"items", "blobs", "audit_events", "cases"} <= set(tables)
        for table in tables:
            for row in conn.execute(text(f'SELECT * FROM "{table}"')):
                rows_seen += 1
                for value in row:
                    if isinstance(value, bytes | bytearray | memoryview):
                        raw = bytes(value)
                        if any(n in raw for n in needles):
                            hits.append(f"{table}: {row!r}")
                    elif isinstance(value, str) and any(f in value for f in forms):
                        hits.append(f"{table}: {row!r}")
                text_row = str(tuple(row))
                if any(f in text_row for f in forms):
                    hits.append(f"{table} (str): {text_row[:200]}")
    assert rows_seen > 0
    return hits


def blob_files(vault_root: Path) -> list[Path]:
    return sorted(p for p in (vault_root / "blobs").rglob("*") if p.is_file())


def blob_rows(vault: Vault) -> int:
    with vault.session() as s:
        return int(s.scalar(select(func.count()).select_from(Blob)) or 0)


def assert_hash_only(vault: Vault, item_id: str, marked: MarkedFile) -> None:
    with vault.session() as s:
        row = s.get(EvidenceItem, item_id)
        assert row is not None
        assert row.pixels_kept is False
        assert row.suspected_minor is True
        assert row.blob_id is None
        assert row.sha256 == hashlib.sha256(marked.data).hexdigest()
        assert row.md5 == hashlib.md5(marked.data).hexdigest()
        assert row.size == len(marked.data)
        assert row.mime == "image/png"
        assert row.original_filename == marked.path.name


def assert_no_trace(vault: Vault, marked: MarkedFile, user_dirs: Path) -> None:
    assert scan_for([store_folder(vault), user_dirs], marked.needles) == []
    assert db_hits(vault, marked.needles) == []


@pytest.fixture
def outside(tmp_path: Path, vault_dir: Path, isolated_user_dirs: Path) -> Path:
    """A folder for source files that is in none of the scanned folders."""
    folder = tmp_path / "outside"
    folder.mkdir()
    for scanned in (vault_dir, isolated_user_dirs):
        assert scanned not in folder.parents and folder != scanned
    return folder


def test_scanners_do_find_the_marker_when_it_is_there(
    store: CaseStore, outside: Path, isolated_user_dirs: Path
) -> None:
    """Positive control: the file scan and the database search work."""
    marked = make_marked_file(outside)
    hits = scan_for([outside], marked.needles)
    assert {i for _, i in hits} >= {0, 5, 8, 11}  # marker and the three raw slices
    # a hex dump or base64 of the bytes would be caught too
    (isolated_user_dirs / "cache" / "leak.txt").write_bytes(base64.b64encode(marked.data[:4096]))
    assert scan_for([isolated_user_dirs], [base64.b64encode(marked.data[:3000])]) != []
    case_id = cases.new_case(store, "control").id
    with store.transaction() as s:
        case = s.get(Case, case_id)
        assert case is not None
        # an unsealed column (a clinic store encrypts notes, hiding the marker)
        case.jurisdiction = marked.marker.hex()
    assert db_hits(store, marked.needles) != []


def test_suspected_minor_case_keeps_hashes_only_and_no_byte_reaches_disk(
    store: CaseStore, outside: Path, isolated_user_dirs: Path, tmp_path: Path
) -> None:
    # an ordinary case first, so the store is not empty and "no new blob" means something
    normal_case = cases.new_case(store, "Case ordinary").id
    ordinary = outside / "ordinary.png"
    ordinary.write_bytes(PNG_MAGIC + os.urandom(5000))
    intake.add_items(store, normal_case, Role.ORIGINAL, [ordinary])
    blobs_before = blob_files(store_folder(store))
    assert blob_rows(store) == 1 and len(blobs_before) == 1

    minor_case = cases.new_case(store, "Case M", suspected_minor=True)
    assert minor_case.suspected_minor is True
    marked = make_marked_file(outside)

    result = intake.add_items(store, minor_case.id, Role.SUSPECT, [marked.path])

    assert result.errors == []
    (view,) = result.added
    assert view.pixels_kept is False and view.suspected_minor is True
    assert view.sha256 == hashlib.sha256(marked.data).hexdigest()
    assert view.md5 == hashlib.md5(marked.data).hexdigest()
    assert_hash_only(store, view.id, marked)
    assert blob_rows(store) == 1
    assert blob_files(store_folder(store)) == blobs_before
    assert_no_trace(store, marked, isolated_user_dirs)

    # the audit event records the decision and the hashes, nothing more
    with store.session() as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.object_id == view.id)).one()
    details = json.loads(event.details)
    assert event.action == "item.added"
    assert details["pixels_kept"] is False
    assert details["sha256"] == view.sha256

    dest = tmp_path / "export"
    dest.mkdir()
    with pytest.raises(PixelsNotKept) as exc_info:
        items.export_item(store, view.id, dest)
    assert "not kept" in exc_info.value.message
    assert "CyberTipline" in exc_info.value.hint
    assert list(dest.iterdir()) == []

    # the whole vault is still consistent, and the listing shows the item
    assert store.check().ok
    (listed,) = items.list_items(store, minor_case.id)
    assert listed == view
    assert cases.get_case(store, minor_case.id).suspects == 1


def test_per_item_flag_on_a_normal_case(
    store: CaseStore, outside: Path, isolated_user_dirs: Path
) -> None:
    case_id = cases.new_case(store, "Case 2026-007").id
    marked = make_marked_file(outside)
    normal = outside / "normal.png"
    normal.write_bytes(PNG_MAGIC + os.urandom(4000))

    flagged = intake.add_items(store, case_id, Role.SUSPECT, [marked.path], suspected_minor=True)
    (hash_only,) = flagged.added
    assert hash_only.pixels_kept is False
    assert_hash_only(store, hash_only.id, marked)
    assert blob_rows(store) == 0 and blob_files(store_folder(store)) == []

    # the flag was for that intake only: the case and later intakes are ordinary
    (kept,) = intake.add_items(store, case_id, Role.SUSPECT, [normal]).added
    assert kept.pixels_kept is True and kept.suspected_minor is False
    assert cases.get_case(store, case_id).suspected_minor is False
    assert blob_rows(store) == 1 and len(blob_files(store_folder(store))) == 1

    assert_no_trace(store, marked, isolated_user_dirs)
    with pytest.raises(PixelsNotKept):
        items.export_item(store, hash_only.id, outside / "x.png")
    assert not (outside / "x.png").exists()


def test_folder_intake_in_suspected_minor_mode(
    store: CaseStore, outside: Path, isolated_user_dirs: Path
) -> None:
    case_id = cases.new_case(store, "Case folder", suspected_minor=True).id
    folder = outside / "dump"
    first = make_marked_file(folder, "a.png")
    second = make_marked_file(folder / "sub", "b.png")
    (folder / "sub" / "copy-of-a.png").write_bytes(first.data)

    # again: the copy is added and linked rather than reported as already in the case
    result = intake.add_items(store, case_id, Role.SUSPECT, [folder], again=True)

    assert result.errors == []
    by_name = {v.original_filename: v for v in result.added}
    assert set(by_name) == {"a.png", "b.png", "copy-of-a.png"}
    assert all(v.pixels_kept is False for v in result.added)
    assert by_name["copy-of-a.png"].duplicate_of == by_name["a.png"].id
    assert_hash_only(store, by_name["b.png"].id, second)
    assert blob_rows(store) == 0 and blob_files(store_folder(store)) == []
    for marked in (first, second):
        assert_no_trace(store, marked, isolated_user_dirs)


def test_cli_intake_with_suspected_minor_writes_nothing(
    vault_dir: Path, outside: Path, isolated_user_dirs: Path
) -> None:
    vault, _ = Vault.create(vault_dir, PASSPHRASE, kdf=fast_kdf(), actor="test-advocate")
    case_id = cases.new_case(vault, "Case CLI").id
    vault.close()
    marked = make_marked_file(outside)
    tmpdir = isolated_user_dirs / "tmp"
    env = dict(
        os.environ,
        NCII_DESK_VAULT=str(vault_dir),
        NCII_DESK_PASSPHRASE=PASSPHRASE,
        TMPDIR=str(tmpdir),
        TEMP=str(tmpdir),
        TMP=str(tmpdir),
    )

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "ncii_desk", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            stdin=subprocess.DEVNULL,
        )

    proc = cli("add", "suspect", case_id, str(marked.path), "--suspected-minor", "--json")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    (added,) = out["added"]
    assert out["errors"] == [] and out["cancelled"] is False
    assert added["pixels_kept"] is False and added["suspected_minor"] is True
    assert added["sha256"] == hashlib.sha256(marked.data).hexdigest()
    assert added["md5"] == hashlib.md5(marked.data).hexdigest()
    for needle in marked.needles:
        assert needle.decode("latin-1") not in proc.stdout + proc.stderr

    proc = cli("item", "export", added["id"], "--out", str(outside / "out.png"), "--json")
    assert proc.returncode == 1
    assert json.loads(proc.stdout)["error"] == "PixelsNotKept"
    assert not (outside / "out.png").exists()

    # and the same through a case created with --suspected-minor (no per-add flag)
    proc = cli("case", "new", "Case CLI minor", "--suspected-minor", "--json")
    assert proc.returncode == 0, proc.stderr
    minor_case = json.loads(proc.stdout)
    assert minor_case["suspected_minor"] is True
    second = make_marked_file(outside, "second.png")
    proc = cli("add", "suspect", minor_case["id"], str(second.path), "--json")
    assert proc.returncode == 0, proc.stderr
    (added2,) = json.loads(proc.stdout)["added"]
    assert added2["pixels_kept"] is False

    assert blob_files(vault_dir) == []
    vault = Vault.open(vault_dir, passphrase=PASSPHRASE)
    try:
        assert blob_rows(vault) == 0
        assert_hash_only(vault, added["id"], marked)
        assert_hash_only(vault, added2["id"], second)
        for m in (marked, second):
            assert_no_trace(vault, m, isolated_user_dirs)
        assert vault.check().ok
    finally:
        vault.close()


def test_bytes_once_hash_only_are_never_stored_later(store: CaseStore, tmp_path: Path) -> None:
    """The same file added again without the flag, even to another case, stays hash-only."""
    src = tmp_path / "outside" / "again.bin"
    src.parent.mkdir()
    src.write_bytes(b"\x89PNG\r\n\x1a\n" + secrets.token_bytes(5000))
    flagged = cases.new_case(store, "flagged", suspected_minor=True).id
    other = cases.new_case(store, "other").id
    first = intake.add_items(store, flagged, Role.SUSPECT, [src])
    again = intake.add_items(store, other, Role.SUSPECT, [src])
    assert not first.errors and not again.errors
    item = again.added[0]
    assert item.pixels_kept is False and item.suspected_minor is True
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(Blob)) == 0
    assert not any(p.is_file() for p in (store_folder(store) / "blobs").rglob("*"))


# --- matching with hashes only: re-posted variants are still found -----------------------------


def _centre_crop(x: Any, share: float) -> Any:
    h, w = x.shape[:2]
    ch, cw = round(h * share), round(w * share)
    top, left = (h - ch) // 2, (w - cw) // 2
    return x[top : top + ch, left : left + cw]


def _caption_bar(x: Any) -> Any:
    from PIL import Image, ImageDraw

    img = Image.fromarray(x)
    w, h = img.size
    out = Image.new("RGB", (w, h + h // 4), "white")
    out.paste(img, (0, h // 4))
    ImageDraw.Draw(out).text((10, 10), "LOOK AT THIS", fill="black")
    return out


def _variant_files(folder: Path) -> tuple[list[Path], dict[str, tuple[str, Path]]]:
    """Four scikit-image photos as originals, and five re-posted copies of them (name ->
    (original's file name, copy))."""
    import numpy as np
    import skimage.data
    from PIL import Image

    photos = {
        n: np.ascontiguousarray(getattr(skimage.data, n)()[..., :3])
        for n in ("astronaut", "coffee", "chelsea", "rocket")
    }
    (folder / "originals").mkdir(parents=True)
    (folder / "copies").mkdir()
    originals = []
    for name, pixels in photos.items():
        originals.append(folder / "originals" / f"{name}.png")
        Image.fromarray(pixels).save(originals[-1])
    copies = {
        "mirrored": (
            "astronaut",
            Image.fromarray(np.ascontiguousarray(photos["astronaut"][:, ::-1])),
        ),
        "crop-90": (
            "coffee",
            Image.fromarray(np.ascontiguousarray(_centre_crop(photos["coffee"], 0.9))),
        ),
        "crop-75": (
            "chelsea",
            Image.fromarray(np.ascontiguousarray(_centre_crop(photos["chelsea"], 0.75))),
        ),
        "caption": ("rocket", _caption_bar(photos["rocket"])),
        "resized": ("astronaut", Image.fromarray(photos["astronaut"]).resize((256, 256))),
    }
    out = {}
    for name, (source, image) in copies.items():
        path = folder / "copies" / f"{name}.jpg"
        image.convert("RGB").save(path, quality=85)
        out[name] = (f"{source}.png", path)
    return originals, out


def _found_copies(
    vault: Vault,
    case_id: str,
    originals: list[Path],
    copies: dict[str, tuple[str, Path]],
    **flags: bool,
) -> set[str]:
    from ncii_desk.services import matching

    added = intake.add_items(vault, case_id, Role.ORIGINAL, originals, **flags)
    matching.hash_items(vault, added.sources, workers=1)
    by_name = {v.original_filename: v.id for v in added.added}
    found = set()
    for name, (source, path) in copies.items():
        sus = intake.add_items(vault, case_id, Role.SUSPECT, [path], **flags)
        assert not sus.errors
        matching.hash_items(vault, sus.sources, workers=1)
        (suspect,) = sus.added
        targets = {
            m.target_item_id
            for m in matching.list_matches(vault, case_id)
            if m.suspect_item_id == suspect.id
        }
        if by_name[source] in targets:
            found.add(name)
    return found


def test_hash_only_case_finds_mirrored_cropped_and_captioned_copies_like_an_ordinary_case(
    store: CaseStore, tmp_path: Path
) -> None:
    originals, copies = _variant_files(tmp_path / "files")
    ordinary = cases.new_case(store, "ordinary").id
    found_ordinary = _found_copies(store, ordinary, originals, copies)
    assert found_ordinary == set(copies)

    # Other bytes (re-saved) so the minor case's files are not the ordinary case's files.
    from PIL import Image

    minor_files = tmp_path / "minor"
    minor_files.mkdir()
    minor_originals = []
    for path in originals:
        minor_originals.append(minor_files / path.name)
        Image.open(path).save(minor_originals[-1], compress_level=1)
    minor_case = cases.new_case(store, "minor", suspected_minor=True).id
    found_minor = _found_copies(store, minor_case, minor_originals, copies)
    assert found_minor == found_ordinary == set(copies)  # 5 of 5, as the ordinary case

    # ... and the same through the per-intake box on an ordinary case
    boxed = cases.new_case(store, "boxed").id
    assert _found_copies(store, boxed, minor_originals, copies, suspected_minor=True) == set(copies)

    with store.session() as s:
        minor_items = list(
            s.scalars(select(EvidenceItem).where(EvidenceItem.case_id.in_([minor_case, boxed])))
        )
        assert minor_items and all(not i.pixels_kept and i.blob_id is None for i in minor_items)
        ids = [i.id for i in minor_items]
        # hashes of crops, mirrors and regions are kept; nothing that could show the picture
        variants = set(s.scalars(select(HashRecord.variant).where(HashRecord.item_id.in_(ids))))
        assert {"mirror", "center-crop 75%", "center-crop 90%"} <= variants
        assert any(v.startswith("suspect ") for v in variants)
        kinds = set(s.scalars(select(Analysis.kind).where(Analysis.item_id.in_(ids))))
        assert FEATURES_KIND not in kinds
        # The ordinary case keeps its originals; its copies are the very files the minor
        # cases received, so they were switched to hashes only with them (cross-case rule).
        assert s.scalar(select(func.count()).select_from(Blob)) == len(originals)
        ordinary_suspects = s.scalars(
            select(EvidenceItem).where(
                EvidenceItem.case_id == ordinary, EvidenceItem.role == Role.SUSPECT
            )
        )
        assert all(not i.pixels_kept for i in ordinary_suspects)
