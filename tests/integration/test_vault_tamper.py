"""Tamper detection on a whole vault: header, blobs inside the vault, database pages, and the
start-up reconciliation (missing blobs reported, orphans quarantined, never deleted).

Every damage must surface as a specific integrity error (VaultCorrupt naming the file and the
entry) or as a problem in ``vault.check()``: never garbage, never a silent success.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

import pytest
import sqlalchemy.exc
from sqlalchemy import select

from conftest import PASSPHRASE
from ncii_desk import errors
from ncii_desk.vault import Vault
from ncii_desk.vault.blobs import DEFAULT_CHUNK_SIZE, HEADER_BYTES, TAG_BYTES
from ncii_desk.vault.models import Blob, Case

PAGE = 4096  # SQLCipher 4 default page size
BIG = 3 * DEFAULT_CHUNK_SIZE + DEFAULT_CHUNK_SIZE // 2  # 3.5 MiB -> 4 chunks of <= 1 MiB
STRIDE = DEFAULT_CHUNK_SIZE + TAG_BYTES


def flip(path: Path, offset: int, bit: int = 0x01) -> None:
    raw = bytearray(path.read_bytes())
    raw[offset] ^= bit
    path.write_bytes(bytes(raw))


def store(vault: Vault, data: bytes) -> Blob:
    info = vault.blobs.put_bytes(data)
    with vault.transaction() as s:
        row = vault.store_blob(s, info)
        vault.audit(s, "blob.stored", object_id=info.blob_id, details={"size": info.size})
    return row


def blob_row(vault: Vault, blob_id: str) -> Blob:
    with vault.session() as s:
        return s.scalars(select(Blob).where(Blob.id == blob_id)).one()


# --- header ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "field",
    [
        ("wrapped_keys", "passphrase", "ciphertext"),
        ("wrapped_keys", "recovery", "ciphertext"),
        ("kdf", "salt"),
        ("mac",),
    ],
    ids=lambda f: ".".join(f),
)
def test_bit_flip_in_both_header_copies_is_vault_corrupt(
    new_vault: tuple[Vault, str], vault_dir: Path, field: tuple[str, ...]
) -> None:
    vault, recovery = new_vault
    vault.close()
    body = json.loads((vault_dir / "vault.hdr").read_bytes())["header"]
    value = body
    for key in field:
        value = value[key]
    assert isinstance(value, str)
    for name in ("vault.hdr", "vault.hdr.bak"):
        raw = (vault_dir / name).read_bytes()
        flip(vault_dir / name, raw.index(value.encode()) + len(value) // 2)
    for kwargs in ({"passphrase": PASSPHRASE}, {"recovery_key": recovery}):
        with pytest.raises(errors.VaultCorrupt) as info:
            Vault.open(vault_dir, **kwargs)
        assert info.value.file == "vault.hdr"
        assert info.value.entry in {"checksum", "structure"}


def test_check_reports_a_damaged_header_copy_while_open(vault: Vault, vault_dir: Path) -> None:
    assert vault.check().ok
    flip(vault_dir / "vault.hdr.bak", 40)
    report = vault.check()
    assert not report.ok
    assert [p.file for p in report.problems] == ["vault.hdr.bak"]
    assert report.problems[0].entry in {"checksum", "structure"}


# --- blobs inside a vault ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("offset", "entries"),
    [
        pytest.param(2, {"header"}, id="blob-header-magic"),
        pytest.param(HEADER_BYTES // 2, {"chunk 0"}, id="blob-header-salt"),
        pytest.param(HEADER_BYTES + 1000, {"chunk 0"}, id="first-chunk"),
        pytest.param(HEADER_BYTES + STRIDE + STRIDE // 2, {"chunk 1"}, id="middle-chunk"),
        pytest.param(HEADER_BYTES + 3 * STRIDE + 5, {"last chunk"}, id="last-chunk"),
        pytest.param(HEADER_BYTES + 2 * STRIDE - 3, {"chunk 1"}, id="gcm-tag-of-chunk-1"),
        pytest.param(-1, {"last chunk"}, id="gcm-tag-of-last-chunk"),
    ],
)
def test_bit_flip_in_a_vault_blob(
    vault: Vault, vault_dir: Path, offset: int, entries: set[str]
) -> None:
    data = secrets.token_bytes(BIG)
    row = store(vault, data)
    intact = store(vault, b"another item, untouched")
    rel = f"blobs/{row.id[:2]}/{row.id}"
    path = vault_dir / rel
    assert path.stat().st_size == HEADER_BYTES + BIG + 4 * TAG_BYTES
    assert vault.read_blob(row) == data
    flip(path, offset % path.stat().st_size, 0x10)

    with pytest.raises(errors.VaultCorrupt) as info:
        vault.read_blob(blob_row(vault, row.id))
    assert info.value.file == rel
    assert info.value.entry in entries
    assert info.value.exit_code == 3

    report = vault.check()
    assert not report.ok
    assert report.blobs_checked == 2
    assert [(p.file, p.entry) for p in report.problems] == [(rel, info.value.entry)]
    # The other blob is unaffected.
    assert vault.read_blob(intact) == b"another item, untouched"


def test_blob_ciphertext_swapped_between_rows(vault: Vault, vault_dir: Path) -> None:
    a = store(vault, secrets.token_bytes(1000))
    b = store(vault, secrets.token_bytes(1000))
    pa, pb = vault.blobs.path_for(a.id), vault.blobs.path_for(b.id)
    raw_a, raw_b = pa.read_bytes(), pb.read_bytes()
    pa.write_bytes(raw_b)
    pb.write_bytes(raw_a)
    for row in (a, b):
        with pytest.raises(errors.VaultCorrupt) as info:
            vault.read_blob(row)
        assert info.value.file == f"blobs/{row.id[:2]}/{row.id}"
        assert info.value.entry == "last chunk"
    report = vault.check()
    assert sorted(p.file for p in report.problems) == sorted(
        f"blobs/{r.id[:2]}/{r.id}" for r in (a, b)
    )


# --- database pages ---------------------------------------------------------------------------


def fill_database(vault: Vault, rows: int = 300) -> dict[str, str]:
    notes: dict[str, str] = {}
    with vault.transaction() as s:
        for i in range(rows):
            case = Case(label=f"case {i}", notes=f"{i:05d} " + secrets.token_hex(1000))
            s.add(case)
            s.flush()
            notes[case.id] = case.notes
        vault.audit(s, "bulk.import", details={"rows": rows})
    return notes


@pytest.fixture
def filled_closed_vault(new_vault: tuple[Vault, str], vault_dir: Path) -> tuple[Path, dict]:
    vault, _ = new_vault
    notes = fill_database(vault)
    vault.close()
    db = vault_dir / "meta.db"
    assert not (vault_dir / "meta.db-wal").exists()  # closing merged the WAL
    assert db.stat().st_size % PAGE == 0
    assert db.stat().st_size // PAGE >= 100
    return vault_dir, notes


def page_offset(db: Path, which: str) -> int:
    pages = db.stat().st_size // PAGE
    page = {"page-2": 2, "page-3": 3, "middle-page": pages // 2, "last-page": pages}[which]
    return (page - 1) * PAGE + PAGE // 2


@pytest.mark.parametrize("which", ["page-2", "page-3", "middle-page", "last-page"])
def test_database_page_damage_never_yields_garbage(
    filled_closed_vault: tuple[Path, dict], which: str
) -> None:
    root, notes = filled_closed_vault
    db = root / "meta.db"
    flip(db, page_offset(db, which))
    try:
        with Vault.open(root, passphrase=PASSPHRASE) as vault, vault.session() as s:
            got = {c.id: c.notes for c in s.scalars(select(Case))}
    except (errors.VaultCorrupt, sqlalchemy.exc.DatabaseError) as exc:
        assert "malformed" in str(exc) or isinstance(exc, errors.VaultCorrupt)
        return
    assert got == notes  # pragma: no cover - reached only if the page was never read


@pytest.mark.parametrize(
    "which",
    [
        "page-2",
        "page-3",
        "middle-page",
        "last-page",
    ],
)
def test_database_page_damage_is_a_specific_integrity_error(
    filled_closed_vault: tuple[Path, dict], which: str
) -> None:
    root, _ = filled_closed_vault
    db = root / "meta.db"
    flip(db, page_offset(db, which))
    try:
        vault = Vault.open(root, passphrase=PASSPHRASE)
    except errors.VaultCorrupt as exc:
        assert exc.file == "meta.db"
        return
    with vault:
        report = vault.check()
    assert not report.ok
    assert report.problems
    assert {p.file for p in report.problems} == {"meta.db"}
    assert {p.entry for p in report.problems} <= {
        "integrity_check",
        "cipher_integrity_check",
        "read",
    }


# --- check() and start-up reconciliation ----------------------------------------------------


def test_check_on_a_healthy_vault(vault: Vault) -> None:
    sizes = [0, 100, 70_000, DEFAULT_CHUNK_SIZE + 1]
    for size in sizes:
        store(vault, secrets.token_bytes(size))
    seen: list[tuple[int, int]] = []
    report = vault.check(progress=lambda done, total, _what: seen.append((done, total)))
    assert report.ok, report.as_dict()
    assert report.problems == []
    assert report.blobs_checked == 4
    assert report.bytes_checked == sum(sizes)
    assert report.audit_events == 1 + len(sizes)
    assert report.quarantined_files == 0
    assert seen == [(1, 4), (2, 4), (3, 4), (4, 4)]
    assert report.as_dict()["ok"] is True


def test_deleted_blob_is_reported(vault: Vault, vault_dir: Path) -> None:
    keep = store(vault, b"kept")
    gone = store(vault, b"will be deleted")
    rel = f"blobs/{gone.id[:2]}/{gone.id}"
    (vault_dir / rel).unlink()
    report = vault.check()
    assert report.blobs_checked == 2
    assert [(p.file, p.entry) for p in report.problems] == [(rel, gone.id)]
    assert "missing" in report.problems[0].message
    with pytest.raises(errors.VaultCorrupt) as info:
        vault.read_blob(gone)
    assert info.value.file == rel
    vault.close()
    with Vault.open(vault_dir, passphrase=PASSPHRASE) as reopened:
        assert reopened.report.missing_blobs == [gone.id]
        assert any("missing" in w for w in reopened.report.warnings)
        assert reopened.read_blob(keep) == b"kept"
        # Nothing was "repaired" away: the row is still there.
        assert blob_row(reopened, gone.id).id == gone.id


def test_orphan_files_are_reported_then_quarantined_never_deleted(
    vault: Vault, vault_dir: Path
) -> None:
    known = store(vault, b"known evidence")
    # 1. a complete blob whose database transaction never happened (crash in between)
    orphan = vault.blobs.put_bytes(b"orphaned evidence bytes" * 100)
    orphan_rel = f"blobs/{orphan.blob_id[:2]}/{orphan.blob_id}"
    # 2. an unknown file a person or a sync tool dropped into blobs/
    stray = vault_dir / "blobs" / "ab" / "stray.bin"
    stray.parent.mkdir(parents=True, exist_ok=True)
    stray.write_bytes(b"stray bytes \x00\x01")
    # 3. a temp file left by an interrupted blob write
    partial = vault_dir / "blobs" / orphan.blob_id[:2] / f".tmp-{'e' * 32}"
    partial.write_bytes(b"partial write")
    originals = {
        orphan.blob_id: (vault_dir / orphan_rel).read_bytes(),
        "stray.bin": stray.read_bytes(),
        "partial-" + "e" * 32: partial.read_bytes(),
    }

    report = vault.check()
    assert report.blobs_checked == 1
    problems = {p.file: p for p in report.problems}
    assert set(problems) == {
        orphan_rel,
        "blobs/ab/stray.bin",
        f"blobs/{orphan.blob_id[:2]}/.tmp-{'e' * 32}",
    }
    assert all("without a database record" in p.message for p in problems.values())

    vault.close()
    with Vault.open(vault_dir, passphrase=PASSPHRASE) as reopened:
        quarantined = reopened.report.quarantined
        assert len(quarantined) == 3
        assert any("quarantine" in w for w in reopened.report.warnings)
        qdir = vault_dir / "quarantine"
        assert sorted(os.listdir(qdir)) == sorted(quarantined)
        for suffix, content in originals.items():
            (match,) = [name for name in quarantined if name.endswith("-" + suffix)]
            assert (qdir / match).read_bytes() == content  # moved intact, not deleted
        assert not (vault_dir / orphan_rel).exists()
        assert not stray.exists() and not partial.exists()
        assert [p.name for p in reopened.blobs.iter_files()] == [known.id]
        after = reopened.check()
        assert after.ok, after.as_dict()
        assert after.quarantined_files == 3
        assert reopened.read_blob(known) == b"known evidence"
    with Vault.open(vault_dir, passphrase=PASSPHRASE) as again:
        assert again.report.quarantined == []
        assert len(os.listdir(vault_dir / "quarantine")) == 3
