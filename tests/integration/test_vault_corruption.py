"""A damaged vault gives a clear, specific answer: a missing or damaged database, damaged
header copies (reported and audited when repaired). Real SQLCipher, real files, the real CLI.
"""

from __future__ import annotations

import json
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select, text
from tamperkit import flip_bit, store_blob

from conftest import PASSPHRASE
from ncii_desk import errors
from ncii_desk.services import vaults
from ncii_desk.vault import Vault
from ncii_desk.vault.db import PAGE_SIZE
from ncii_desk.vault.models import AuditEvent, Case

# --- helpers --------------------------------------------------------------------------------


def fill(vault: Vault, rows: int = 200) -> None:
    with vault.transaction() as s:
        for i in range(rows):
            s.add(Case(label=f"case {i}", notes=secrets.token_hex(600)))
        vault.audit(s, "bulk.import", details={"rows": rows})


@pytest.fixture
def filled(new_vault: tuple[Vault, str], vault_dir: Path) -> Path:
    """A closed vault with two stored files and enough rows for ~50 database pages."""
    vault, _ = new_vault
    store_blob(vault, b"first stored file")
    store_blob(vault, secrets.token_bytes(70_000))
    fill(vault)
    vault.close()
    assert (vault_dir / "meta.db").stat().st_size // PAGE_SIZE >= 40
    return vault_dir


def tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != "vault.lock"
    }


def events(vault: Vault, action: str) -> list[dict]:
    with vault.session() as s:
        rows = s.scalars(select(AuditEvent).where(AuditEvent.action == action))
        return [json.loads(e.details) for e in rows]


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, vault_dir: Path) -> Path:
    monkeypatch.setenv("NCII_DESK_VAULT", str(vault_dir))
    monkeypatch.setenv("NCII_DESK_PASSPHRASE", PASSPHRASE)
    return vault_dir


# --- 8. missing or empty meta.db ------------------------------------------------------------


@pytest.mark.parametrize("how", ["deleted", "emptied"])
def test_missing_or_empty_database_is_corrupt_and_nothing_moves(filled: Path, how: str) -> None:
    db = filled / "meta.db"
    if how == "deleted":
        db.unlink()
    else:
        db.write_bytes(b"")
    before = tree(filled)
    with pytest.raises(errors.VaultCorrupt) as info:
        Vault.open(filled, passphrase=PASSPHRASE)
    assert (info.value.file, info.value.entry) == (
        "meta.db",
        "missing" if how == "deleted" else "empty",
    )
    assert "meta.db" in info.value.message
    assert info.value.exit_code == 3
    assert "backup" in info.value.hint
    # Never a fresh empty database, never a stored file moved to quarantine.
    assert tree(filled) == before
    assert not list((filled / "quarantine").iterdir())
    assert len(list((filled / "blobs").rglob("*"))) >= 2
    report = vaults.check_vault(filled, passphrase=PASSPHRASE)
    assert not report.ok
    assert [(p.file, p.entry) for p in report.problems] == [
        ("meta.db", "missing" if how == "deleted" else "empty")
    ]
    assert tree(filled) == before


def test_missing_database_through_the_cli(cli, filled: Path, cli_env: Path) -> None:
    (filled / "meta.db").unlink()
    result = cli("vault", "check")
    assert result.rc == 3
    assert "meta.db [missing]" in result.out
    result = cli("case", "list")
    assert result.rc == 3
    assert "meta.db" in result.err and "missing" in result.err
    assert not (filled / "meta.db").exists()


# --- 9. a damaged database page -------------------------------------------------------------


@pytest.mark.parametrize("page_of", [lambda n: 1, lambda n: 3, lambda n: n // 2, lambda n: n])
def test_damaged_page_is_named_at_unlock(filled: Path, page_of) -> None:
    db = filled / "meta.db"
    pages = db.stat().st_size // PAGE_SIZE
    page = page_of(pages)
    offset = (page - 1) * PAGE_SIZE + 100 + secrets.randbelow(PAGE_SIZE - 200)
    flip_bit(db, offset, secrets.randbelow(8))
    before = tree(filled)
    with pytest.raises(errors.VaultCorrupt) as info:
        Vault.open(filled, passphrase=PASSPHRASE)
    assert info.value.file == "meta.db"
    assert info.value.entry == f"page {offset // PAGE_SIZE + 1}"
    assert f"database page {page} damaged" in info.value.message.lower()
    assert "backup" in info.value.hint
    assert tree(filled) == before  # nothing written, nothing quarantined


def test_salt_damage_names_page_one(filled: Path) -> None:
    flip_bit(filled / "meta.db", 3)
    with pytest.raises(errors.VaultCorrupt) as info:
        Vault.open(filled, passphrase=PASSPHRASE)
    assert info.value.entry == "page 1"
    assert "key salt" in info.value.message


def run_exe(*argv: str) -> subprocess.CompletedProcess[str]:
    """The real command in its own process: SQLCipher logs to the process's stderr."""
    return subprocess.run(
        [sys.executable, "-m", "ncii_desk", *argv],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_damaged_page_through_the_cli_is_the_integrity_code_without_noise(
    filled: Path, cli_env: Path
) -> None:
    db = filled / "meta.db"
    page = db.stat().st_size // PAGE_SIZE - 5
    flip_bit(db, (page - 1) * PAGE_SIZE + 777)
    result = run_exe("vault", "check")
    assert result.returncode == 3, result
    assert f"meta.db [page {page}]: Database page {page} damaged" in result.stdout
    assert "restore from your latest backup" in result.stdout
    assert result.stderr == ""  # SQLCipher's log lines (dozens per damaged page) are silenced
    result = run_exe("vault", "check", "--json")
    assert result.returncode == 3
    data = json.loads(result.stdout)
    assert data["ok"] is False
    assert [(p["file"], p["entry"]) for p in data["problems"]] == [("meta.db", f"page {page}")]
    for argv in (("case", "list"), ("vault", "info")):
        result = run_exe(*argv)
        assert result.returncode == 3, result
        assert f"Database page {page} damaged" in result.stderr
        assert "InternalError" not in result.stderr and "unexpected" not in result.stderr
        assert "vault check" not in result.stderr  # the hint restores, it does not loop back
        assert "restore the vault folder from your latest backup" in result.stderr
        assert "ERROR CORE" not in result.stderr


def test_page_damaged_while_open_is_vault_corrupt_not_a_driver_error(filled: Path) -> None:
    with Vault.open(filled, passphrase=PASSPHRASE) as vault:
        # Damage the cases table's root page: every read of the table goes through it
        # (a page picked by position moved whenever a migration added tables).
        with vault.session() as s:
            page = int(
                s.execute(
                    text("SELECT rootpage FROM sqlite_master WHERE name = 'cases'")
                ).scalar_one()
            )
        vault.engine.dispose()  # no page cache: the next read goes to the file
        db = filled / "meta.db"
        flip_bit(db, (page - 1) * PAGE_SIZE + 200)
        report = vault.check()
        assert not report.ok
        assert [(p.file, p.entry) for p in report.problems] == [("meta.db", f"page {page}")]
        assert (
            report.problems[0].message
            == f"database page {page} damaged (failed its authentication check)"
        )
        with pytest.raises(errors.VaultCorrupt) as info, vault.session() as s:
            list(s.scalars(select(Case.notes)))
        assert info.value.entry == f"page {page}"
        # check_vault's own report on it writes nothing to the damaged database.
    before = tree(filled)
    report = vaults.check_vault(filled, passphrase=PASSPHRASE)
    assert [(p.file, p.entry) for p in report.problems] == [("meta.db", f"page {page}")]
    assert tree(filled) == before


# --- 11. damaged header copies are reported and audited -------------------------------------


def test_damaged_backup_header_is_reported_by_check_and_audited(filled: Path) -> None:
    bak = filled / "vault.hdr.bak"
    good = (filled / "vault.hdr").read_bytes()
    doc = json.loads(bak.read_bytes())
    flip_bit(bak, bak.read_bytes().index(doc["checksum"].encode()) + 10)
    report = vaults.check_vault(filled, passphrase=PASSPHRASE)
    assert report.ok  # repaired: the vault is whole again...
    assert [(r.file, r.entry, r.action) for r in report.repairs] == [
        ("vault.hdr.bak", "checksum", "rewritten from vault.hdr")
    ]  # ...and the report says what was damaged and what was done
    assert "checksum" in report.repairs[0].damage
    assert any("vault.hdr.bak" in w for w in report.warnings)
    assert report.as_dict()["repairs"][0]["file"] == "vault.hdr.bak"
    assert bak.read_bytes() == good
    with Vault.open(filled, passphrase=PASSPHRASE) as vault:
        (event,) = events(vault, "vault.header_backup_repaired")
        assert event["file"] == "vault.hdr.bak" and event["entry"] == "checksum"
        assert vault.verify_audit().ok
        assert vault.report.header_repairs == []  # repaired once, not again


def test_damaged_backup_header_is_shown_by_the_cli(cli, filled: Path, cli_env: Path) -> None:
    bak = filled / "vault.hdr.bak"
    flip_bit(bak, len(bak.read_bytes()) // 2)
    result = cli("vault", "check")
    assert result.rc == 0
    assert "Repaired while opening the vault" in result.out
    assert "vault.hdr.bak" in result.out and "rewritten from vault.hdr" in result.out


def test_stale_backup_and_damaged_primary_are_recorded(filled: Path) -> None:
    # A backup copy from an older generation (e.g. a crash during a passphrase change).
    with Vault.open(filled, passphrase=PASSPHRASE) as vault:
        old = (filled / "vault.hdr").read_bytes()
        vault.change_passphrase(PASSPHRASE + " two", kdf=vault.header.kdf)
    (filled / "vault.hdr.bak").write_bytes(old)
    with Vault.open(filled, passphrase=PASSPHRASE + " two") as vault:
        (repair,) = vault.report.header_repairs
        assert (repair.file, repair.entry) == ("vault.hdr.bak", "content")
        assert "generation 1" in repair.damage
        assert len(events(vault, "vault.header_backup_repaired")) == 1
    flip_bit(filled / "vault.hdr", 50)
    with Vault.open(filled, passphrase=PASSPHRASE + " two") as vault:
        (repair,) = vault.report.header_repairs
        assert repair.file == "vault.hdr"
        (event,) = events(vault, "vault.header_restored_from_backup")
        assert event["file"] == "vault.hdr"
