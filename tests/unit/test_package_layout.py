"""Every package that was one module of over 1,000 lines (tests/packagekit.py) keeps its
shape: each module at most 800 lines; every public name of its modules re-exported by the
package (the same object), so callers keep the old import path; a name defined in one module
only; and the modules import each other in one direction (no cycle). What callers take from
each package is checked beside it (test_service_packages, test_domain_packages,
test_split_modules)."""

from __future__ import annotations

import ast
import importlib
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import pytest
from packagekit import MAX_LINES, SPLIT_PACKAGES, defined, modules, package


@pytest.mark.parametrize("dotted", SPLIT_PACKAGES)
def test_each_module_of_the_package_is_at_most_800_lines(dotted: str) -> None:
    folder = Path(package(dotted).__file__ or "").parent
    sizes = {p.name: len(p.read_text(encoding="utf-8").splitlines()) for p in folder.glob("*.py")}
    assert len(sizes) >= 3, sizes  # __init__ and at least two modules
    assert {f: n for f, n in sizes.items() if n > MAX_LINES} == {}


@pytest.mark.parametrize("dotted", SPLIT_PACKAGES)
def test_the_package_re_exports_every_public_name_of_its_modules(dotted: str) -> None:
    pkg = package(dotted)
    exported = set(pkg.__all__)
    for module_name, path in modules(pkg).items():
        module = importlib.import_module(f"{dotted}.{module_name}")
        for attr in defined(path):
            if attr.startswith("_"):
                continue
            assert attr in exported, f"{module_name}.{attr} is not exported by {dotted}"
            assert getattr(pkg, attr) is getattr(module, attr)


@pytest.mark.parametrize("dotted", SPLIT_PACKAGES)
def test_a_name_is_defined_in_one_module_only(dotted: str) -> None:
    owners: dict[str, list[str]] = {}
    for module_name, path in modules(package(dotted)).items():
        for attr in defined(path):
            owners.setdefault(attr, []).append(module_name)
    assert {a: m for a, m in owners.items() if len(m) > 1} == {}


@pytest.mark.parametrize("dotted", SPLIT_PACKAGES)
def test_the_modules_of_a_package_import_each_other_in_one_direction(dotted: str) -> None:
    found = modules(package(dotted))
    prefix = f"{dotted}."
    graph = {
        name: {
            node.module.removeprefix(prefix)
            for node in ast.parse(path.read_text(encoding="utf-8")).body  # module level
            if isinstance(node, ast.ImportFrom)
            and node.module is not None
            and node.module.startswith(prefix)
        }
        for name, path in found.items()
    }
    assert all(deps <= set(found) for deps in graph.values()), graph
    try:
        order = list(TopologicalSorter(graph).static_order())
    except CycleError as exc:
        pytest.fail(f"modules of {dotted} import each other in a cycle: {exc.args[1]}")
    assert sorted(order) == sorted(found)
