"""Alembic on any SQLAlchemy connection: the same migrations for a laptop vault (SQLCipher)
and a clinic store (PostgreSQL). Nothing here names a database engine; the few statements
that differ between them are dialect branches inside the revisions themselves.

One rule keeps the two schemas equal in what they accept: SQLite never enforces the length
of a ``String(n)`` column, so on PostgreSQL such a column is a ``VARCHAR`` without a length
(registered here, for every PostgreSQL statement compiled in this process). A value a
laptop vault stores is never refused by a clinic store (a 64-character producer version in
a ``String(50)`` column was, before this rule).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement, literal
from sqlalchemy.types import String

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy.engine import Connection

# Alembic is imported where a store is opened, not when the desktop app starts.

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


@compiles(String, "postgresql")
def _string_without_length_on_postgresql(type_: String, compiler: Any, **kw: Any) -> str:
    """``String(n)`` as PostgreSQL ``VARCHAR`` with no length (Text, Enum and the other
    String subclasses keep their own rendering)."""
    return "VARCHAR"


class json_text_field(FunctionElement[str]):
    """The text of one top-level key of a JSON object kept in a text column, in SQL, on both
    backends: SQLite's ``json_extract(col, '$.' || key)``, PostgreSQL's
    ``(CAST(col AS JSON) ->> key)`` (PostgreSQL has no ``json_extract``; the audit log's
    ``details`` is canonical JSON text). NULL where the key is missing. The key is a bound
    parameter, so statements with different keys never share a cached compilation."""

    type = String()
    name = "json_text_field"
    inherit_cache = True

    def __init__(self, column: Any, key: str) -> None:
        super().__init__(column, literal(key, String()))


@compiles(json_text_field)
def _json_text_field_on_sqlite(element: json_text_field, compiler: Any, **kw: Any) -> str:
    column, key = element.clauses
    return f"json_extract({compiler.process(column, **kw)}, '$.' || {compiler.process(key, **kw)})"


@compiles(json_text_field, "postgresql")
def _json_text_field_on_postgresql(element: json_text_field, compiler: Any, **kw: Any) -> str:
    column, key = element.clauses
    return f"(CAST({compiler.process(column, **kw)} AS JSON) ->> {compiler.process(key, **kw)})"


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
