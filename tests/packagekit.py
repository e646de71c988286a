"""What the tests of the split packages share: the packages that were one module of over
1,000 lines, their modules, and the names each module defines at its top level."""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path
from types import ModuleType

#: Packages that were single modules; callers keep importing from these paths.
SPLIT_PACKAGES = (
    "ncii_desk.services.capture",
    "ncii_desk.services.requests",
    "ncii_desk.services.analysis",
    "ncii_desk.vision.faces",
    "ncii_desk.vision.metadata",
    "ncii_desk.capture.web",
    "ncii_desk.documents.packet",
    "ncii_desk.services.handover",
    "ncii_desk.vault.members",
    "ncii_desk.gui.workspace.requests",
)
#: The most lines one module of such a package may have.
MAX_LINES = 800


def package(dotted: str) -> ModuleType:
    module = importlib.import_module(dotted)
    assert hasattr(module, "__path__"), f"{dotted} is one module, not a package"
    return module


def modules(pkg: ModuleType) -> dict[str, Path]:
    """The package's modules by name (at least two)."""
    folder = Path(pkg.__file__ or "").parent
    found = {m.name: folder / f"{m.name}.py" for m in pkgutil.iter_modules(pkg.__path__)}
    assert len(found) >= 2, f"{pkg.__name__} has {sorted(found)} only"
    return found


def defined(path: Path) -> list[str]:
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
