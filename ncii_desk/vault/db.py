"""The SQLCipher 4 database: engine with a raw key, pragmas, and Alembic migrations."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlcipher3.dbapi2 as sqlcipher
from sqlalchemy import create_engine, event, text
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Connection, Engine

from ncii_desk.errors import MigrationError, VaultCorrupt

if TYPE_CHECKING:
    from alembic.config import Config

# Alembic is imported where a vault is opened, not when the desktop app starts.

DB_NAME = "meta.db"
#: SQLCipher 4's default page size, which the vault uses (``PRAGMA cipher_page_size``).
PAGE_SIZE = 4096
MIGRATIONS_DIR = Path(__file__).with_name("migrations")
#: What a damaged or undecryptable database raises: the driver's error, or SQLAlchemy's
#: wrapper of it.
DatabaseError = (sqlcipher.DatabaseError, sa_exc.DatabaseError)


def _db_error_text(exc: BaseException) -> str:
    """The driver's own short message (SQLAlchemy's wrapper adds SQL and a URL)."""
    orig = getattr(exc, "orig", None)
    return str(orig if orig is not None else exc)


def make_engine(path: Path, key: bytes) -> Engine:
    """Engine over ``path`` keyed with a raw 256-bit key (no passphrase KDF in SQLCipher)."""
    engine = create_engine(f"sqlite:///{path}", module=sqlcipher, pool_size=4, max_overflow=4)
    key_pragma = f"PRAGMA key = \"x'{key.hex()}'\""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # transactions are begun explicitly below
        cur = dbapi_conn.cursor()
        try:
            # SQLCipher logs every failed page check to stderr (dozens of lines per damaged
            # page); damage is reported as a VaultCorrupt naming the page instead.
            cur.execute("PRAGMA cipher_log_level = NONE")
            cur.execute(key_pragma)
            cur.execute("PRAGMA foreign_keys = ON")
            cur.execute("PRAGMA journal_mode = WAL")
            cur.execute("PRAGMA synchronous = FULL")
            cur.execute("PRAGMA temp_store = MEMORY")
            cur.execute("PRAGMA busy_timeout = 15000")
        finally:
            cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        write = conn.get_execution_options().get("ncii_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


def probe_key(engine: Engine, file: str = DB_NAME) -> None:
    """Fail with VaultCorrupt if the database cannot be decrypted with the vault's key."""
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT count(*) FROM sqlite_master")).scalar_one()
    except DatabaseError as exc:
        raise VaultCorrupt(
            "The case database cannot be decrypted or is damaged.",
            file=file,
            entry=_db_error_text(exc),
        ) from exc


#: The driver's messages for a damaged file (SQLITE_CORRUPT, SQLITE_NOTADB).
_DAMAGE_TEXTS = ("malformed", "not a database")

DB_DAMAGE_HINT = (
    "Do not write to this vault. Keep a copy of the whole vault folder as it is, then restore "
    "the vault folder from your latest backup (meta.db together with audit.head and blobs/: "
    "a database older than audit.head is reported as a rollback)."
)


def looks_damaged(exc: BaseException) -> bool:
    """Whether a driver error says the file itself is damaged (not locked, not a bug)."""
    return any(t in _db_error_text(exc) for t in _DAMAGE_TEXTS)


def damaged_pages(path: Path, key: bytes) -> tuple[list[int], list[str]]:
    """Authenticate every page of the database file (SQLCipher's page HMACs).

    Returns (damaged page numbers, counted from 1, of page size :data:`PAGE_SIZE`; other
    findings as text). Nothing is written and nothing is logged.
    """
    conn = sqlcipher.connect(str(path), isolation_level=None, check_same_thread=False)
    try:
        conn.execute("PRAGMA cipher_log_level = NONE")
        conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
        lines = [
            " ".join(str(c) for c in row) for row in conn.execute("PRAGMA cipher_integrity_check")
        ]
    finally:
        conn.close()
    pages: list[int] = []
    other: list[str] = []
    for line in lines:
        found = re.search(r"page (\d+)", line)
        if found and "HMAC" in line:
            pages.append(int(found.group(1)))
        else:
            other.append(line)
    return sorted(set(pages)), other


def describe_damage(pages: list[int], other: list[str], total_pages: int) -> tuple[str, str]:
    """(message, entry) for a VaultCorrupt about damaged database pages."""
    if pages and len(pages) == total_pages and total_pages > 1:
        return (
            f"Database page 1 damaged: none of the {total_pages} pages of the case database "
            "can be authenticated, so its first page (which holds the key salt) is damaged "
            "or the file was replaced.",
            "page 1",
        )
    if pages:
        shown = ", ".join(str(p) for p in pages[:10])
        more = f" and {len(pages) - 10} more" if len(pages) > 10 else ""
        word, its = ("page", "its") if len(pages) == 1 else ("pages", "their")
        return (
            f"Database {word} {shown}{more} damaged (failed {its} authentication check: "
            "a disk fault or a deliberate edit).",
            f"{word} {shown}{more}",
        )
    return "The case database is damaged: " + "; ".join(other[:3]) + ".", "structure"


def _alembic_config(conn: Connection) -> Config:
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


def checkpoint(engine: Engine) -> None:
    """Fold the write-ahead log back into the database file and empty the log."""
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def migrate(engine: Engine, db_path: Path) -> str | None:
    """Bring the schema to the newest revision; returns the revision upgraded from, if any.

    An existing database is copied (still encrypted) to ``meta.db.pre-<rev>`` first.
    """
    from alembic import command
    from alembic.script import ScriptDirectory

    script = ScriptDirectory(str(MIGRATIONS_DIR))
    head = head_revision()
    with engine.connect() as conn:
        start = current_revision(conn)
    if start == head:
        return None
    if start is not None:
        try:
            script.get_revision(start)
        except Exception as exc:
            raise MigrationError(
                f"The case database has schema revision {start}, which this version of "
                "NCII Desk does not know."
            ) from exc
        backup = db_path.with_name(f"{DB_NAME}.pre-{start}")
        checkpoint(engine)
        shutil.copy2(db_path, backup)
    write_engine = engine.execution_options(ncii_write=True)
    with write_engine.begin() as conn:
        command.upgrade(_alembic_config(conn), "head")
    return start
