"""The capture, request and analysis services are packages of modules split by what they do.

Callers (GUI, CLI, tests, other services) keep importing from the package path, so every
public name of every module of a package must be re-exported by the package; each module
stays small enough to read (at most 800 lines); a name is defined in one module only; and
the modules of a package import each other in one direction (no cycle).

The shape checks common to every split package (size, re-exports, one owner per name,
no cycle) are in test_package_layout.py; this file checks what callers take from them.
"""

from __future__ import annotations

import ast
import contextlib
import importlib
from pathlib import Path
from types import ModuleType

import pytest

PACKAGES = ("capture", "requests", "analysis")

ROOT = Path(__file__).resolve().parents[2]
#: Where callers of the services live.
CALLERS = ("ncii_desk", "tests", "bench", "docs", "packaging")


def _package(name: str) -> ModuleType:
    module = importlib.import_module(f"ncii_desk.services.{name}")
    assert hasattr(module, "__path__"), f"services/{name} is one module, not a package"
    return module


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
