"""Module layout of hashing/ after the split (issue 16): no module over ~800 lines, the old
import paths still give every public name, and services/matching.py no longer imports
services/hashlists.py (the two formed a cycle)."""

from __future__ import annotations

import ast
from pathlib import Path

import ncii_desk
from ncii_desk.hashing import (
    index,
    index_search,
    index_store,
    list_entries,
    list_parse,
    list_stream,
    list_write,
    lists,
)

PACKAGE = Path(ncii_desk.__file__).parent
MAX_LINES = 800


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports, at the top or inside functions."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
    return found


def test_no_hashing_module_exceeds_800_lines() -> None:
    sizes = {
        p.name: len(p.read_text(encoding="utf-8").splitlines())
        for p in (PACKAGE / "hashing").glob("*.py")
    }
    assert {"lists.py", "index.py", "list_stream.py", "index_store.py"} <= set(sizes)
    assert {name: n for name, n in sizes.items() if n > MAX_LINES} == {}


def test_old_paths_still_give_every_public_name() -> None:
    for name in lists.__all__:
        assert getattr(lists, name) is not None, name
    for name in index.__all__:
        assert getattr(index, name) is not None, name
    assert lists.HashEntry is list_entries.HashEntry
    assert lists.parse_hash_list is list_parse.parse_hash_list
    assert lists.HashListStream is list_stream.HashListStream
    assert lists.write_csv is list_write.write_csv
    assert index.hex_to_rows is index_search.hex_to_rows
    assert index.HashIndex.from_bytes(index.HashIndex(64).to_bytes()).bits == 64
    assert index_store.PACK_VERSION == 3


def test_matching_does_not_import_hashlists() -> None:
    services = PACKAGE / "services"
    matching = imported_modules(services / "matching.py")
    assert not {m for m in matching if m.startswith("ncii_desk.services.hashlists")}
    lower = imported_modules(services / "listindex.py")
    assert not {
        m
        for m in lower
        if m.startswith(("ncii_desk.services.hashlists", "ncii_desk.services.matching"))
    }
    for path in (PACKAGE / "hashing").glob("*.py"):  # the domain never imports services
        assert not {m for m in imported_modules(path) if m.startswith("ncii_desk.services")}
