"""Alembic on any SQLAlchemy connection: the same migrations for a laptop vault (SQLCipher)
and a clinic store (PostgreSQL). Nothing here names a database engine; the few statements
that differ between them are dialect branches inside the revisions themselves."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy.engine import Connection

# Alembic is imported where a store is opened, not when the desktop app starts.

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def alembic_config(conn: Connection) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["connection"] = conn
    return cfg


def current_revision(conn: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory(str(MIGRATIONS_DIR))
    head = script.get_current_head()
    assert head is not None
    return head


def known_revision(revision: str) -> bool:
    """Whether this version of NCII Desk has the migration ``revision``."""
    from alembic.script import ScriptDirectory

    try:
        ScriptDirectory(str(MIGRATIONS_DIR)).get_revision(revision)
    except Exception:
        return False
    return True


def upgrade(conn: Connection) -> None:
    """Run every missing revision on ``conn`` (inside the caller's transaction)."""
    from alembic import command

    command.upgrade(alembic_config(conn), "head")
