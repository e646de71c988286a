"""The capture, request and analysis services are packages of modules split by what they do.

Callers (GUI, CLI, tests, other services) keep importing from the package path, so every
public name of every module of a package must be re-exported by the package; each module
stays small enough to read (at most 800 lines); a name is defined in one module only; and
the modules of a package import each other in one direction (no cycle).
"""

from __future__ import annotations

import ast
import contextlib
import importlib
import pkgutil
from graphlib import CycleError, TopologicalSorter
from pathlib import Path
from types import ModuleType

import pytest

PACKAGES = ("capture", "requests", "analysis")
MAX_LINES = 800

ROOT = Path(__file__).resolve().parents[2]
#: Where callers of the services live.
CALLERS = ("ncii_desk", "tests", "bench", "docs", "packaging")


def _package(name: str) -> ModuleType:
    module = importlib.import_module(f"ncii_desk.services.{name}")
    assert hasattr(module, "__path__"), f"services/{name} is one module, not a package"
    return module


def _modules(package: ModuleType) -> dict[str, Path]:
    folder = Path(package.__file__ or "").parent
    found = {m.name: folder / f"{m.name}.py" for m in pkgutil.iter_modules(package.__path__)}
    assert len(found) >= 2, f"{package.__name__} has {sorted(found)} only"
    return found


def _defined(path: Path) -> list[str]:
    """Names a module defines at its top level (functions, classes, constants)."""
    names: list[str] = []
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.append(node.name)
        elif isinstance(node, ast.Assign):
            names += [t.id for t in node.targets if isinstance(t, ast.Name)]
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.append(node.target.id)
    return names


@pytest.mark.parametrize("name", PACKAGES)
def test_each_module_of_the_package_is_at_most_800_lines(name: str) -> None:
    package = _package(name)
    folder = Path(package.__file__ or "").parent
    sizes = {p.name: len(p.read_text(encoding="utf-8").splitlines()) for p in folder.glob("*.py")}
    assert len(sizes) >= 3, sizes  # __init__ and at least two modules
    assert {f: n for f, n in sizes.items() if n > MAX_LINES} == {}


@pytest.mark.parametrize("name", PACKAGES)
def test_the_package_re_exports_every_public_name_of_its_modules(name: str) -> None:
    package = _package(name)
    exported = set(package.__all__)
    for module_name, path in _modules(package).items():
        module = importlib.import_module(f"{package.__name__}.{module_name}")
        for attr in _defined(path):
            if attr.startswith("_"):
                continue
            assert attr in exported, f"{module_name}.{attr} is not exported by {name}"
            assert getattr(package, attr) is getattr(module, attr)


def _constants(tree: ast.Module) -> dict[str, object]:
    """Top-level ``NAME = literal`` of a module (service paths and tuples of names)."""
    out: dict[str, object] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name):
                with contextlib.suppress(ValueError):  # not a literal: not a constant
                    out[target.id] = ast.literal_eval(node.value)
    return out


def _names_used(path: Path, package: str) -> set[str]:
    """The names one file takes from ``package``: ``from package import a``, attributes of
    the package bound to a name (``from ncii_desk.services import requests as tracker``,
    ``lazy_module(...)``), and the names a pane asks of ``load_service(package, ...)``
    unless that call is only the fallback of an ``or``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    constants = _constants(tree)

    def value(node: ast.expr) -> object:
        if isinstance(node, ast.Starred):
            node = node.value
        if isinstance(node, ast.Constant):
            return node.value
        return constants.get(node.id) if isinstance(node, ast.Name) else None

    fallbacks = {
        id(v)
        for n in ast.walk(tree)
        if isinstance(n, ast.BoolOp) and isinstance(n.op, ast.Or)
        for v in n.values[1:]
    }
    short = package.rsplit(".", 1)[-1]
    aliases: set[str] = set()
    bound: set[str] = set()  # names assigned in the file (a local that shadows an alias)
    binding: set[int] = set()  # the assignments that bind an alias (ast.walk sees them first)
    used: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == package:
            used |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module == "ncii_desk.services":
            aliases |= {a.asname or a.name for a in node.names if a.name == short}
        elif isinstance(node, ast.Import):
            aliases |= {a.asname for a in node.names if a.name == package and a.asname}
        elif isinstance(node, ast.Assign):
            call = node.value
            names = {t.id for t in node.targets if isinstance(t, ast.Name)}
            if isinstance(call, ast.Call) and call.args and value(call.args[0]) == package:
                aliases |= names
                binding |= {id(t) for t in node.targets}
        elif (
            isinstance(node, ast.Name)
            and isinstance(node.ctx, ast.Store)
            and id(node) not in binding
        ):
            bound.add(node.id)
        if (
            isinstance(node, ast.Call)
            and getattr(node.func, "id", getattr(node.func, "attr", "")) == "load_service"
            and node.args
            and value(node.args[0]) == package
            and id(node) not in fallbacks
        ):
            for arg in node.args[1:]:
                asked = value(arg)
                used |= set(asked) if isinstance(asked, tuple | list) else {str(asked)}
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in aliases - bound
        ):
            used.add(node.attr)
    return used


@pytest.mark.parametrize("name", PACKAGES)
def test_every_name_callers_take_from_the_old_path_is_there(name: str) -> None:
    package = _package(name)
    folder = Path(package.__file__ or "").parent
    used: dict[str, list[str]] = {}
    for top in CALLERS:
        for path in sorted((ROOT / top).rglob("*.py")):
            text = path.read_text(encoding="utf-8")
            if folder in path.parents or (
                "services import" not in text and package.__name__ not in text
            ):
                continue
            for attr in _names_used(path, package.__name__):
                used.setdefault(attr, []).append(str(path.relative_to(ROOT)))
    assert len(used) >= 3, used  # the GUI, the CLI and the tests use the package
    assert {a: files for a, files in used.items() if not hasattr(package, a)} == {}


@pytest.mark.parametrize("name", PACKAGES)
def test_a_name_is_defined_in_one_module_only(name: str) -> None:
    owners: dict[str, list[str]] = {}
    for module_name, path in _modules(_package(name)).items():
        for attr in _defined(path):
            owners.setdefault(attr, []).append(module_name)
    assert {a: m for a, m in owners.items() if len(m) > 1} == {}


@pytest.mark.parametrize("name", PACKAGES)
def test_the_modules_of_a_package_import_each_other_in_one_direction(name: str) -> None:
    package = _package(name)
    modules = _modules(package)
    prefix = f"{package.__name__}."
    graph: dict[str, set[str]] = {}
    for module_name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        graph[module_name] = {
            node.module.removeprefix(prefix)
            for node in tree.body  # module level: imports inside functions are deferred
            if isinstance(node, ast.ImportFrom)
            and node.module is not None
            and node.module.startswith(prefix)
        }
    assert all(deps <= set(modules) for deps in graph.values()), graph
    try:
        order = list(TopologicalSorter(graph).static_order())
    except CycleError as exc:
        pytest.fail(f"modules of {name} import each other in a cycle: {exc.args[1]}")
    assert sorted(order) == sorted(modules)
