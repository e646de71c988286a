"""The storage seams (issue 16 §1): both stores implement CaseStore and BlobStore, and the
statements of each database engine live in one module each."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from ncii_desk.vault import Vault
from ncii_desk.vault.store import BlobStore, CaseStore

PACKAGE = Path(__file__).resolve().parents[2] / "ncii_desk"

#: Statements only SQLite/SQLCipher understand, and only PostgreSQL understands.
SQLITE_ONLY = re.compile(r"\bPRAGMA\b|BEGIN IMMEDIATE|\bsqlite_master\b|CREATE TRIGGER", re.I)
POSTGRES_ONLY = re.compile(r"\bpg_[a-z_]+\(|\bpg_(locks|trigger|stat_activity)\b|plpgsql", re.I)


def _code_strings(path: Path) -> list[tuple[int, str]]:
    """String constants of a module that are not docstrings (statements, not prose)."""
    tree = ast.parse(path.read_text("utf-8"))
    docstrings: set[int] = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
            value = body[0].value
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                docstrings.add(id(value))
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
    ]


def _found(pattern: re.Pattern[str], allowed: set[str]) -> list[str]:
    out = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE.parent).as_posix()
        if rel in allowed or "/migrations/versions/" in rel:
            continue  # the revisions hold both dialects' branches
        out += [f"{rel}:{line}: {s!r}" for line, s in _code_strings(path) if pattern.search(s)]
    return out


def test_sqlite_statements_live_only_in_vault_db() -> None:
    assert _found(SQLITE_ONLY, {"ncii_desk/vault/db.py"}) == []


def test_postgresql_statements_live_only_in_the_clinic_store() -> None:
    assert _found(POSTGRES_ONLY, {"ncii_desk/clinic/store.py"}) == []


def test_the_guard_sees_a_statement_in_code_but_not_in_prose(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text('"""Uses PRAGMA in prose."""\nX = "PRAGMA cache_size"\n', "utf-8")
    assert [s for _, s in _code_strings(module) if SQLITE_ONLY.search(s)] == ["PRAGMA cache_size"]


def test_both_stores_implement_the_protocols(vault: Vault, clinic_store: Any) -> None:
    for store in (vault, clinic_store):
        assert isinstance(store, CaseStore)
        assert isinstance(store.blobs, BlobStore)


def test_vault_bulk_import_tuning_enlarges_then_restores_the_page_cache(vault: Vault) -> None:
    def cache(s: Any) -> int:
        return int(s.connection().execute(text("PRAGMA cache_size")).scalar())

    with vault.transaction() as s:
        before = cache(s)
        with vault.bulk_import_tuning(s):
            assert cache(s) == -256 * 1024
        assert cache(s) == before
    vault.checkpoint()  # folds the log back; a closed vault refuses
    vault.close()
    from ncii_desk.errors import VaultLocked

    with pytest.raises(VaultLocked):
        vault.checkpoint()


@pytest.mark.parametrize("backend", ["sqlcipher", "postgresql"])
def test_blob_store_lists_and_deletes_only_finished_blobs(
    backend: str, request: pytest.FixtureRequest
) -> None:
    store = request.getfixturevalue("vault" if backend == "sqlcipher" else "clinic_store")
    first = store.blobs.put_bytes(b"first")
    second = store.blobs.put_bytes(b"second")
    (store.blobs.root / "zz").mkdir(exist_ok=True)
    (store.blobs.root / "zz" / "not-a-blob").write_bytes(b"x")
    assert list(store.blobs.ids()) == sorted([first.blob_id, second.blob_id])
    assert store.blobs.exists(first.blob_id)
    store.blobs.delete(first.blob_id)
    assert not store.blobs.exists(first.blob_id)
    assert list(store.blobs.ids()) == [second.blob_id]


@pytest.mark.parametrize("backend", ["sqlcipher", "postgresql"])
def test_bulk_insert_takes_many_rows_in_the_transaction(
    backend: str, request: pytest.FixtureRequest
) -> None:
    from sqlalchemy import func, select

    from ncii_desk.vault.models import HashList, HashListEntry

    store = request.getfixturevalue("vault" if backend == "sqlcipher" else "clinic_store")
    columns = ["list_id", "position", "kind", "value", "quality", "label"]

    def rows(list_id: str, n: int) -> Any:
        return ((list_id, i, "pdq", f"{i:064x}", 100 - i % 50, f"label é {i}") for i in range(n))

    with store.transaction() as s:
        kept = HashList(name="kept", format="pdq", entry_count=0, bad_lines=0, sha256="a")
        s.add(kept)
        s.flush()
        assert store.bulk_insert(s, "hash_list_entries", columns, rows(kept.id, 5000)) == 5000
        kept_id = kept.id
    with pytest.raises(RuntimeError), store.transaction() as s:
        lost = HashList(name="lost", format="pdq", entry_count=0, bad_lines=0, sha256="b")
        s.add(lost)
        s.flush()
        store.bulk_insert(s, "hash_list_entries", columns, rows(lost.id, 100))
        raise RuntimeError("the import failed")  # nothing of it may stay
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(HashListEntry)) == 5000
        last = s.scalars(
            select(HashListEntry).where(
                HashListEntry.list_id == kept_id, HashListEntry.position == 4999
            )
        ).one()
        assert (last.value, last.quality, last.label) == (f"{4999:064x}", 51, "label é 4999")
    with pytest.raises(ValueError, match="not columns"), store.transaction() as s:
        store.bulk_insert(s, "hash_list_entries", ["list_id", "value; DROP TABLE x"], [])
    with pytest.raises(ValueError, match="no table"), store.transaction() as s:
        store.bulk_insert(s, "nothing", ["a"], [])
