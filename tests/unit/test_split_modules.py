"""The hand-over service, the member keys and the Requests pane are packages split by job.

Each was one module of over 1,000 lines. Callers keep importing from the old path, so the
package must re-export every public name of its modules and every name a caller takes from
it; no module is over 800 lines; a name is defined in one module only; the modules import
each other in one direction; and a test that replaces a module attribute (a batch size)
replaces it in the module that reads it, not in the package, where the change would not be
seen.

The shape checks common to every split package (size, re-exports, one owner per name,
no cycle) are in test_package_layout.py; this file checks what callers take from them.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path
from types import ModuleType

import pytest
from packagekit import defined as _defined
from packagekit import modules as _modules

PACKAGES = (
    "ncii_desk.services.handover",
    "ncii_desk.vault.members",
    "ncii_desk.gui.workspace.requests",
)
ROOT = Path(__file__).resolve().parents[2]
CALLERS = ("ncii_desk", "tests", "bench", "docs", "packaging")


def _package(dotted: str) -> ModuleType:
    module = importlib.import_module(dotted)
    assert hasattr(module, "__path__"), f"{dotted} is one module, not a package"
    return module


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
