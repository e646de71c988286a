"""The GUI has one door: it imports only the service layer, the error types and a few small
base modules (issue 16, "One door").

An AST walk over every module of ncii_desk/gui. Every import counts: module level, inside
functions, under ``if TYPE_CHECKING:``, relative ones, and module names given as string
literals to ``lazy_module``, ``importlib.import_module`` or ``__import__``. A dynamic import
whose module name is not a literal cannot be checked, so it is refused too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import ncii_desk

PACKAGE_ROOT = Path(ncii_desk.__file__).parent
GUI = PACKAGE_ROOT / "gui"

#: What the GUI may import from ncii_desk (a name or anything under it).
ALLOWED_PACKAGES = ("ncii_desk.gui", "ncii_desk.services", "ncii_desk.i18n")
ALLOWED_MODULES = (
    "ncii_desk",  # the package root: __version__ and the like
    "ncii_desk.errors",
    "ncii_desk.paths",
    "ncii_desk.hardening",
    "ncii_desk.lazy",
    "ncii_desk.resources",
)
#: Calls that import a module named by their first argument.
IMPORTING_CALLS = {"lazy_module", "import_module", "__import__"}


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def is_module(name: str, root: Path) -> bool:
    """Whether ``name`` (ncii_desk.x.y) is a module or package in the source tree."""
    rel = Path(*name.split(".")[1:]) if "." in name else Path()
    base = root / rel
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def allowed(name: str) -> bool:
    if not (name == "ncii_desk" or name.startswith("ncii_desk.")):
        return True  # third-party and standard library: not this contract's business
    if name in ALLOWED_MODULES:
        return True
    return any(name == p or name.startswith(p + ".") for p in ALLOWED_PACKAGES)


def imported_names(tree: ast.AST, module: str, is_package: bool, root: Path) -> list[str]:
    """Every ncii_desk module the source imports (or asks for by name), in order."""
    package = module if is_package else module.rpartition(".")[0]
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            for alias in node.names:
                # "from ncii_desk import vault" imports the module ncii_desk.vault.
                sub = f"{target}.{alias.name}"
                found.append(sub if is_module(sub, root) else target)
        elif isinstance(node, ast.Call):
            func = node.func
            name = (
                func.id
                if isinstance(func, ast.Name)
                else func.attr
                if isinstance(func, ast.Attribute)
                else ""
            )
            if name not in IMPORTING_CALLS:
                continue
            first = node.args[0] if node.args else None
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                found.append(first.value)
            else:
                found.append(f"<dynamic {name}() call>")
    return found


def violations(source: str, module: str, *, is_package: bool = False) -> list[str]:
    tree = ast.parse(source)
    return sorted(
        {
            f"{module} -> {name}"
            for name in imported_names(tree, module, is_package, PACKAGE_ROOT)
            if name.startswith("<dynamic") or not allowed(name)
        }
    )


def gui_violations() -> list[str]:
    out: list[str] = []
    for path in sorted(GUI.rglob("*.py")):
        out.extend(
            violations(
                path.read_text(encoding="utf-8"),
                module_name(path, PACKAGE_ROOT),
                is_package=path.name == "__init__.py",
            )
        )
    return out


def test_gui_imports_only_services_errors_and_base_modules() -> None:
    found = gui_violations()
    assert found == [], "The GUI reaches around the service layer:\n" + "\n".join(found)


def test_the_walk_sees_every_kind_of_import() -> None:
    """The check can fail: each way of reaching a domain module is reported."""
    source = """
from typing import TYPE_CHECKING
import numpy
from ncii_desk.services import cases
from ncii_desk.errors import NciiDeskError
from ncii_desk import __version__, vault
from ...media.loader import load_image
from ncii_desk.lazy import lazy_module
if TYPE_CHECKING:
    from ncii_desk.vault.models import Blob
def f(name):
    import ncii_desk.hashing.pdq
    from ncii_desk.documents import thumbs
    lazy_module("ncii_desk.vision.faces")
    importlib.import_module("ncii_desk.capture.web")
    importlib.import_module(name)
    __import__("ncii_desk.services.scan")
"""
    found = violations(source, "ncii_desk.gui.workspace.sample")
    assert found == [
        "ncii_desk.gui.workspace.sample -> <dynamic import_module() call>",
        "ncii_desk.gui.workspace.sample -> ncii_desk.capture.web",
        "ncii_desk.gui.workspace.sample -> ncii_desk.documents.thumbs",
        "ncii_desk.gui.workspace.sample -> ncii_desk.hashing.pdq",
        "ncii_desk.gui.workspace.sample -> ncii_desk.media.loader",
        "ncii_desk.gui.workspace.sample -> ncii_desk.vault",
        "ncii_desk.gui.workspace.sample -> ncii_desk.vault.models",
        "ncii_desk.gui.workspace.sample -> ncii_desk.vision.faces",
    ]
