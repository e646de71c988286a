"""The hand-over service, the member keys and the Requests pane are packages split by job.

Each was one module of over 1,000 lines. Callers keep importing from the old path, so the
package must re-export every public name of its modules and every name a caller takes from
it; no module is over 800 lines; a name is defined in one module only; the modules import
each other in one direction; and a test that replaces a module attribute (a batch size)
replaces it in the module that reads it, not in the package, where the change would not be
seen.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
from graphlib import CycleError, TopologicalSorter
from pathlib import Path
from types import ModuleType

import pytest

PACKAGES = (
    "ncii_desk.services.handover",
    "ncii_desk.vault.members",
    "ncii_desk.gui.workspace.requests",
)
MAX_LINES = 800
ROOT = Path(__file__).resolve().parents[2]
CALLERS = ("ncii_desk", "tests", "bench", "docs", "packaging")


def _package(dotted: str) -> ModuleType:
    module = importlib.import_module(dotted)
    assert hasattr(module, "__path__"), f"{dotted} is one module, not a package"
    return module


def _modules(package: ModuleType) -> dict[str, Path]:
    folder = Path(package.__file__ or "").parent
    found = {m.name: folder / f"{m.name}.py" for m in pkgutil.iter_modules(package.__path__)}
    assert len(found) >= 2, f"{package.__name__} has {sorted(found)} only"
    return found


def _defined(path: Path) -> list[str]:
    names: list[str] = []
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.append(node.name)
        elif isinstance(node, ast.Assign):
            names += [t.id for t in node.targets if isinstance(t, ast.Name)]
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.append(node.target.id)
    return names


def _aliases(tree: ast.AST, dotted: str) -> set[str]:
    """Names a file binds to the package itself (``from ncii_desk.vault import members as
    m``, ``import ncii_desk.services.handover as h``)."""
    parent, short = dotted.rsplit(".", 1)
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == parent:
            found |= {a.asname or a.name for a in node.names if a.name == short}
        elif isinstance(node, ast.Import):
            found |= {a.asname for a in node.names if a.name == dotted and a.asname}
    return found


def _embedded(tree: ast.Module) -> list[ast.Module]:
    """Python source held in string constants (the code a test runs in a child process)."""
    found = []
    for node in ast.walk(tree):
        text = node.value if isinstance(node, ast.Constant) else None
        if isinstance(text, str) and "import" in text:
            try:
                found.append(ast.parse(text))
            except SyntaxError:
                continue
    return found


def _caller_files(package: ModuleType) -> list[tuple[Path, ast.Module]]:
    folder = Path(package.__file__ or "").parent
    short = package.__name__.rsplit(".", 1)[1]
    files = []
    for top in CALLERS:
        for path in sorted((ROOT / top).rglob("*.py")):
            text = path.read_text(encoding="utf-8")
            if folder not in path.parents and short in text:
                tree = ast.parse(text)
                files += [(path, t) for t in (tree, *_embedded(tree))]
    return files


@pytest.mark.parametrize("dotted", PACKAGES)
def test_each_module_of_the_package_is_at_most_800_lines(dotted: str) -> None:
    folder = Path(_package(dotted).__file__ or "").parent
    sizes = {p.name: len(p.read_text(encoding="utf-8").splitlines()) for p in folder.glob("*.py")}
    assert len(sizes) >= 3, sizes  # __init__ and at least two modules
    assert {f: n for f, n in sizes.items() if n > MAX_LINES} == {}


@pytest.mark.parametrize("dotted", PACKAGES)
def test_the_package_re_exports_every_public_name_of_its_modules(dotted: str) -> None:
    package = _package(dotted)
    for module_name, path in _modules(package).items():
        module = importlib.import_module(f"{dotted}.{module_name}")
        for attr in _defined(path):
            if not attr.startswith("_"):
                assert attr in package.__all__, f"{module_name}.{attr} is not exported"
                assert getattr(package, attr) is getattr(module, attr)


@pytest.mark.parametrize("dotted", PACKAGES)
def test_every_name_callers_take_from_the_old_path_is_there(dotted: str) -> None:
    package = _package(dotted)
    used: dict[str, list[str]] = {}
    for path, tree in _caller_files(package):
        aliases = _aliases(tree, dotted)
        for node in ast.walk(tree):
            names: set[str] = set()
            if isinstance(node, ast.ImportFrom) and node.module == dotted:
                names = {a.name for a in node.names}
            elif (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in aliases
            ):
                names = {node.attr}
            for name in names:
                used.setdefault(name, []).append(str(path.relative_to(ROOT)))
    assert used, f"no caller of {dotted} found"
    assert {a: files for a, files in used.items() if not hasattr(package, a)} == {}


@pytest.mark.parametrize("dotted", PACKAGES)
def test_a_test_replaces_an_attribute_in_the_module_that_holds_it(dotted: str) -> None:
    """``pkg.X = 1`` or ``setattr(pkg, "X", 1)`` on the package changes only the package's
    re-exported name; the module that defines X goes on reading its own."""
    package = _package(dotted)
    held = {a for p in _modules(package).values() for a in _defined(p)}
    wrong: list[str] = []
    for path, tree in _caller_files(package):
        aliases = _aliases(tree, dotted)
        for node in ast.walk(tree):
            targets: list[str] = []
            if isinstance(node, ast.Assign):
                targets = [
                    t.attr
                    for t in node.targets
                    if isinstance(t, ast.Attribute)
                    and isinstance(t.value, ast.Name)
                    and t.value.id in aliases
                ]
            elif (
                isinstance(node, ast.Call)
                and getattr(node.func, "attr", "") == "setattr"
                and len(node.args) >= 2
                and isinstance(node.args[0], ast.Name)
                and node.args[0].id in aliases
                and isinstance(node.args[1], ast.Constant)
            ):
                targets = [str(node.args[1].value)]
            where = f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', 0)}"
            wrong += [f"{where} {t}" for t in targets if t in held]
    assert wrong == []


@pytest.mark.parametrize("dotted", PACKAGES)
def test_a_name_is_defined_in_one_module_only(dotted: str) -> None:
    owners: dict[str, list[str]] = {}
    for module_name, path in _modules(_package(dotted)).items():
        for attr in _defined(path):
            owners.setdefault(attr, []).append(module_name)
    assert {a: m for a, m in owners.items() if len(m) > 1} == {}


@pytest.mark.parametrize("dotted", PACKAGES)
def test_the_modules_of_a_package_import_each_other_in_one_direction(dotted: str) -> None:
    modules = _modules(_package(dotted))
    prefix = f"{dotted}."
    graph = {
        name: {
            node.module.removeprefix(prefix)
            for node in ast.parse(path.read_text(encoding="utf-8")).body
            if isinstance(node, ast.ImportFrom)
            and node.module is not None
            and node.module.startswith(prefix)
        }
        for name, path in modules.items()
    }
    assert all(deps <= set(modules) for deps in graph.values()), graph
    try:
        order = list(TopologicalSorter(graph).static_order())
    except CycleError as exc:
        pytest.fail(f"modules of {dotted} import each other in a cycle: {exc.args[1]}")
    assert sorted(order) == sorted(modules)
