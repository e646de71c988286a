"""The SQLCipher 4 database: engine with a raw key, pragmas, and Alembic migrations.

This is the one module holding SQLite/SQLCipher-specific statements (PRAGMAs, ``BEGIN
IMMEDIATE``, ``sqlite_master``, the WAL checkpoint, ``cipher_integrity_check``, the integrity
and foreign-key checks, the page cache for bulk imports); :class:`ncii_desk.vault.vault.Vault`
calls these functions and services call the Vault's methods (:mod:`ncii_desk.vault.store`).
"""

from __future__ import annotations

import contextlib
import re
import shutil
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import sqlcipher3.dbapi2 as sqlcipher
from sqlalchemy import create_engine, event, text
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Connection, Engine

from ncii_desk.errors import MigrationError, VaultCorrupt
from ncii_desk.vault.schema import MIGRATIONS_DIR as MIGRATIONS_DIR
from ncii_desk.vault.schema import alembic_config, known_revision, upgrade
from ncii_desk.vault.schema import current_revision as current_revision
from ncii_desk.vault.schema import head_revision as head_revision

#: The name older callers (tests) use.
_alembic_config = alembic_config

DB_NAME = "meta.db"
#: SQLCipher 4's default page size, which the vault uses (``PRAGMA cipher_page_size``).
PAGE_SIZE = 4096
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


def checkpoint(engine: Engine) -> None:
    """Fold the write-ahead log back into the database file and empty the log."""
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def migrate(engine: Engine, db_path: Path) -> str | None:
    """Bring the schema to the newest revision; returns the revision upgraded from, if any.

    An existing database is copied (still encrypted) to ``meta.db.pre-<rev>`` first.
    """
    head = head_revision()
    with engine.connect() as conn:
        start = current_revision(conn)
    if start == head:
        return None
    if start is not None:
        if not known_revision(start):
            raise MigrationError(
                f"The case database has schema revision {start}, which this version of "
                "NCII Desk does not know."
            )
        backup = db_path.with_name(f"{DB_NAME}.pre-{start}")
        checkpoint(engine)
        shutil.copy2(db_path, backup)
    write_engine = engine.execution_options(ncii_write=True)
    with write_engine.begin() as conn:
        upgrade(conn)
    return start


def bulk_insert(conn: Connection, table: str, columns: list[str], rows: Iterable[Any]) -> int:
    """Many rows in one executemany of a plain qmark statement (the fastest path through
    the sqlite3 driver); ``table`` and ``columns`` come checked from the models."""
    batch = list(rows)
    if batch:
        marks = ", ".join("?" for _ in columns)
        conn.exec_driver_sql(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", batch)
    return len(batch)


def engine_versions(engine: Engine) -> tuple[str | None, str | None]:
    """(SQLCipher version, SQLite version) of the open database; the first is None when
    the database is not encrypted by SQLCipher."""
    with engine.connect() as conn:
        cipher = conn.exec_driver_sql("PRAGMA cipher_version").scalar()
        sqlite = conn.exec_driver_sql("SELECT sqlite_version()").scalar()
    return (str(cipher) if cipher else None), (str(sqlite) if sqlite else None)


def integrity_problems(engine: Engine) -> list[tuple[str, str]]:
    """SQLite's structure and foreign-key checks: (check, finding) pairs, at most 20 each;
    an empty list when both pass."""
    out: list[tuple[str, str]] = []
    with engine.connect() as conn:
        rows = [r[0] for r in conn.execute(text("PRAGMA integrity_check"))]
        if rows != ["ok"]:
            out.extend(("integrity_check", str(line)) for line in rows[:20])
        fk = list(conn.execute(text("PRAGMA foreign_key_check")))
        out.extend(("foreign_key_check", f"table {r[0]} row {r[1]}") for r in fk[:20])
    return out


#: SQLite page cache while a bulk import runs (KiB). Rows go in by file order, but an index
#: takes them in random order: with SQLCipher's default 8 MiB cache nearly every row costs a
#: page read and decrypt once the index outgrows it. 256 MiB keeps 3 M hash-list rows at
#: 1.3 s per 100 k instead of 3.5 s, and is handed back at the end.
BULK_IMPORT_CACHE_KIB = 256 * 1024


@contextlib.contextmanager
def bulk_import_tuning(conn: Connection) -> Iterator[None]:
    """A large page cache on ``conn`` for the block; the previous size comes back after it
    and the pages not yet written stay until the commit (the others are freed)."""
    previous = conn.exec_driver_sql("PRAGMA cache_size").scalar()
    conn.exec_driver_sql(f"PRAGMA cache_size = -{BULK_IMPORT_CACHE_KIB}")
    try:
        yield
    finally:
        conn.exec_driver_sql(f"PRAGMA cache_size = {int(previous or -2000)}")
        conn.exec_driver_sql("PRAGMA shrink_memory")
