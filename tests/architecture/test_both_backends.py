"""The service tests run on both backends (issue 19 §2): a laptop vault (SQLCipher) and a
clinic store (PostgreSQL), through the parametrised `store` fixture (tests/conftest.py).

A test module under tests/integration or tests/unit that reaches a store only as a laptop
vault (the `vault`, `new_vault` or `cli_vault` fixture, or Vault.create/Vault.open) and
never as `store` (or `clinic_store`) must be listed in LAPTOP_ONLY with the reason it cannot
run on a clinic store. A new service test module that takes `vault` fails here until it
takes `store` or is listed; a listed module that no longer needs the entry fails too, so the
list stays true. The same file checks that product code calls no SQLite-only SQL function
through SQLAlchemy's `func` (PostgreSQL has no json_extract, json_set, ...).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
PACKAGE = TESTS.parent / "ncii_desk"

_CLI = "the command line opens a vault folder by path (--vault DIR / NCII_DESK_VAULT)"
_KILL = "kills a child process that reopens the vault folder by path, then checks the folder"

#: Modules that stay on the laptop vault only, and why.
LAPTOP_ONLY: dict[str, str] = {
    "integration/test_capture_cli.py": _CLI,
    "integration/test_case_history_cli.py": _CLI,
    "integration/test_cli.py": _CLI,
    "integration/test_cli_interrupt.py": _CLI + "; a real executable under a pseudo-terminal",
    "integration/test_cli_polish.py": _CLI,
    "integration/test_crash_safety.py": _KILL,
    "integration/test_crash_safety_batches.py": _KILL,
    "integration/test_crash_safety_services.py": _KILL,
    "integration/test_end_to_end.py": _CLI + " (vault init through the CLI)",
    "integration/test_faces_cli.py": _CLI,
    "integration/test_file_permissions.py": "POSIX modes of the vault folder and its files",
    "integration/test_found_at.py": _CLI,
    "integration/test_handout_spanish.py": _CLI,
    "integration/test_hardening.py": "fresh processes of the real entry points on a vault folder",
    "integration/test_hashlist_index_persist.py": (
        "the packed index is persisted and read back after closing and reopening the vault folder"
    ),
    "integration/test_migrations.py": (
        "upgrades old vault files (SQLCipher); the clinic schema's migrations are tested in "
        "tests/clinic/test_clinic_store.py"
    ),
    "integration/test_readme_example.py": _CLI + " (the README's commands)",
    "integration/test_vault_at_rest.py": "scans the vault folder's SQLCipher pages and header",
    "integration/test_vault_audit.py": (
        "the audit.head file and an insider's raw SQLCipher connection; the clinic chain's "
        "head row, compare-and-swap and append-only triggers are in tests/clinic"
    ),
    "integration/test_vault_corruption.py": "damaged vault files: header, meta.db, WAL, blobs",
    "integration/test_vault_keys.py": "vault.hdr: passphrase, recovery key, KDF, rewrap",
    "integration/test_vault_tamper.py": "edits the closed vault's files with the real keys",
    "integration/test_verify.py": (
        "checks a built packet file; the packet is built on both backends in test_packet*.py "
        "and one test reopens a copied vault folder"
    ),
}

_LAPTOP_PARAMS = {"vault", "new_vault", "cli_vault"}
_STORE_PARAMS = {"store", "clinic_store"}
_OPENS_A_VAULT = re.compile(r"\bVault\.(create|open)\(")

#: SQL functions SQLAlchemy passes through by name that both SQLite and PostgreSQL have.
PORTABLE_SQL_FUNCTIONS = {"count", "lower", "upper", "min", "max", "sum", "avg", "coalesce"}


def _parameters(tree: ast.AST) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            names |= {a.arg for a in node.args.args + node.args.kwonlyargs}
    return names


def laptop_only_modules(tests: Path = TESTS) -> dict[str, str]:
    """Service test modules that use a laptop vault and never the `store` fixture, each with
    what gave it away."""
    found: dict[str, str] = {}
    for folder in ("integration", "unit"):
        for path in sorted((tests / folder).glob("test_*.py")):
            source = path.read_text("utf-8")
            params = _parameters(ast.parse(source))
            uses_store = bool(params & _STORE_PARAMS) or "clinic_store" in source
            laptop = sorted(params & _LAPTOP_PARAMS)
            if not laptop and _OPENS_A_VAULT.search(source):
                laptop = ["Vault.create/open"]
            if laptop and not uses_store:
                found[f"{folder}/{path.name}"] = ", ".join(laptop)
    return found


def test_every_laptop_only_service_test_module_is_listed_with_a_reason() -> None:
    found = laptop_only_modules()
    unlisted = {m: why for m, why in found.items() if m not in LAPTOP_ONLY}
    assert unlisted == {}, (
        "these test modules use only a laptop vault: take the `store` fixture (both "
        "backends) or add them to LAPTOP_ONLY with the reason"
    )
    assert all(len(reason) > 20 for reason in LAPTOP_ONLY.values())


def test_the_laptop_only_list_names_no_module_that_runs_on_both() -> None:
    found = laptop_only_modules()
    stale = sorted(m for m in LAPTOP_ONLY if m not in found)
    assert stale == [], "these modules run on both backends now (or are gone): unlist them"


def test_the_guard_sees_a_new_vault_only_module(tmp_path: Path) -> None:
    for folder in ("integration", "unit"):
        (tmp_path / folder).mkdir()
    (tmp_path / "integration" / "test_new.py").write_text(
        "def test_a(vault, tmp_path):\n    assert vault\n"
    )
    (tmp_path / "integration" / "test_both.py").write_text(
        "def test_a(store):\n    assert store\n\ndef test_b(vault):\n    assert vault\n"
    )
    (tmp_path / "unit" / "test_opens.py").write_text(
        "def test_a(tmp_path):\n    v = Vault.create(tmp_path, 'x')\n"
    )
    (tmp_path / "unit" / "test_plain.py").write_text("def test_a():\n    assert 1\n")
    assert laptop_only_modules(tmp_path) == {
        "integration/test_new.py": "vault",
        "unit/test_opens.py": "Vault.create/open",
    }


def sqlalchemy_functions(path: Path) -> list[tuple[int, str]]:
    """(line, name) of every ``func.<name>`` in a module that imports ``func`` from
    SQLAlchemy."""
    tree = ast.parse(path.read_text("utf-8"))
    imports_func = any(
        isinstance(node, ast.ImportFrom)
        and (node.module or "").startswith("sqlalchemy")
        and any(alias.name == "func" and alias.asname is None for alias in node.names)
        for node in ast.walk(tree)
    )
    if not imports_func:
        return []
    return [
        (node.lineno, node.attr)
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "func"
    ]


def test_product_code_calls_only_sql_functions_both_backends_have() -> None:
    found = [
        f"{path.relative_to(PACKAGE.parent).as_posix()}:{line}: func.{name}"
        for path in sorted(PACKAGE.rglob("*.py"))
        for line, name in sqlalchemy_functions(path)
        if name not in PORTABLE_SQL_FUNCTIONS
    ]
    assert found == [], "use a construct compiled per dialect (vault/schema.py json_text_field)"


def test_the_function_guard_sees_json_extract(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text(
        "from sqlalchemy import func\nq = func.json_extract(c, '$.x')\nn = func.count()\n"
    )
    assert sqlalchemy_functions(module) == [(2, "json_extract"), (3, "count")]
