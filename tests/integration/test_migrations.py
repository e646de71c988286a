"""The schema is made by migrations only, and the migrations match the models."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from conftest import PASSPHRASE
from ncii_desk.errors import MigrationError
from ncii_desk.vault import Vault
from ncii_desk.vault.db import head_revision
from ncii_desk.vault.models import Base


def test_migrated_schema_matches_models(vault: Vault) -> None:
    with vault.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        assert ctx.get_current_revision() == head_revision()
        assert compare_metadata(ctx, Base.metadata) == []


def test_audit_triggers_come_from_the_migration(vault: Vault) -> None:
    with vault.engine.connect() as conn:
        names = set(
            conn.execute(text("SELECT name FROM sqlite_master WHERE type='trigger'")).scalars()
        )
    assert {"audit_events_no_update", "audit_events_no_delete"} <= names


def test_unknown_schema_revision_is_refused(vault: Vault, vault_dir: Path) -> None:
    with vault.transaction() as s:
        s.execute(text("UPDATE alembic_version SET version_num = 'zz99'"))
    vault.close()
    with pytest.raises(MigrationError) as info:
        Vault.open(vault_dir, passphrase=PASSPHRASE)
    assert "zz99" in info.value.message
    # Refusing released the lock and changed nothing: a second try fails the same way.
    with pytest.raises(MigrationError):
        Vault.open(vault_dir, passphrase=PASSPHRASE)


def test_older_vault_is_migrated_with_an_encrypted_backup_first(
    vault: Vault, vault_dir: Path
) -> None:
    from alembic import command

    from ncii_desk.services import cases
    from ncii_desk.vault.db import _alembic_config

    cases.new_case(vault, "kept through the migration")
    with vault._write_engine.begin() as conn:
        command.downgrade(_alembic_config(conn), "0001")
    vault.close()
    reopened = Vault.open(vault_dir, passphrase=PASSPHRASE)
    try:
        assert reopened.report.migrated_from == "0001"
        assert [c.label for c in cases.list_cases(reopened)] == ["kept through the migration"]
        with reopened.engine.connect() as conn:
            assert MigrationContext.configure(conn).get_current_revision() == head_revision()
        assert reopened.check().ok
    finally:
        reopened.close()
    backup = vault_dir / "meta.db.pre-0001"
    assert backup.is_file() and b"kept through the migration" not in backup.read_bytes()


def test_copyright_marks_start_unknown_on_an_older_vault(vault: Vault, vault_dir: Path) -> None:
    """Migration 0005 adds who took each original and whether the client holds the
    copyright; items already stored get "unknown" for both, never a guessed "yes"."""
    from alembic import command
    from sqlalchemy import select

    from ncii_desk.services import cases
    from ncii_desk.vault.db import _alembic_config
    from ncii_desk.vault.models import Answer, EvidenceItem, Role, Source, TakenBy

    case = cases.new_case(vault, "before copyright marks")
    with vault.transaction() as s:
        s.add(
            EvidenceItem(
                case_id=case.id,
                role=Role.ORIGINAL,
                source=Source.FILE,
                size=1,
                mime="image/png",
                sha256="aa" * 32,
                md5="aa" * 16,
                taken_by=TakenBy.CLIENT,
            )
        )
    with vault._write_engine.begin() as conn:
        command.downgrade(_alembic_config(conn), "0004")
        columns = [row[1] for row in conn.exec_driver_sql("PRAGMA table_info(items)")]
        assert "taken_by" not in columns and "client_holds_copyright" not in columns
    vault.close()
    reopened = Vault.open(vault_dir, passphrase=PASSPHRASE)
    try:
        assert reopened.report.migrated_from == "0004"
        with reopened.session() as s:
            item = s.scalars(select(EvidenceItem)).one()
            assert item.taken_by == TakenBy.UNKNOWN
            assert item.client_holds_copyright == Answer.UNKNOWN
    finally:
        reopened.close()
