"""The four largest domain modules are packages of modules split by what they do.

``vision/faces``, ``vision/metadata``, ``capture/web`` and ``documents/packet`` were single
modules of over 1,000 lines. Callers (services, tests, benchmarks, docs) keep importing from
the old path, so each package must re-export every public name of its modules and every name
a caller takes from it; each module stays at most 800 lines; a name is defined in one module
only; and the modules of a package import each other in one direction (no cycle).
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
    "ncii_desk.vision.faces",
    "ncii_desk.vision.metadata",
    "ncii_desk.capture.web",
    "ncii_desk.documents.packet",
)
MAX_LINES = 800

ROOT = Path(__file__).resolve().parents[2]
#: Where callers live (docs included: their code blocks import too).
CALLERS = ("ncii_desk", "tests", "bench", "docs", "packaging")


def _package(name: str) -> ModuleType:
    module = importlib.import_module(name)
    assert hasattr(module, "__path__"), f"{name} is one module, not a package"
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


def _names_used(source: str, package: str) -> set[str]:
    """The names one file takes from ``package``: ``from package import a``, and attributes
    of the package once bound to a name (``from ncii_desk.vision import faces as F`` then
    ``F.detect``, or ``import ncii_desk.vision.faces as F``)."""
    parent, short = package.rsplit(".", 1)
    tree = ast.parse(source)
    aliases: set[str] = set()
    used: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == package:
            used |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module == parent:
            aliases |= {a.asname or a.name for a in node.names if a.name == short}
        elif isinstance(node, ast.Import):
            aliases |= {a.asname for a in node.names if a.name == package and a.asname}
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in aliases
        ):
            used.add(node.attr)
    return used


def _code_blocks(markdown: str) -> str:
    """The Python code blocks of a Markdown file (``python`` fences), one after another."""
    blocks: list[str] = []
    inside = False
    for line in markdown.splitlines():
        if line.strip().startswith("```"):
            inside = not inside and line.strip() in ("```python", "```py")
            continue
        if inside:
            blocks.append(line)
    return "\n".join(blocks)


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
        module = importlib.import_module(f"{name}.{module_name}")
        for attr in _defined(path):
            if attr.startswith("_"):
                continue
            assert attr in exported, f"{module_name}.{attr} is not exported by {name}"
            assert getattr(package, attr) is getattr(module, attr)


@pytest.mark.parametrize("name", PACKAGES)
def test_every_name_callers_take_from_the_old_path_is_there(name: str) -> None:
    package = _package(name)
    folder = Path(package.__file__ or "").parent
    used: dict[str, list[str]] = {}
    for top in CALLERS:
        for path in sorted((ROOT / top).rglob("*.py")) + sorted((ROOT / top).rglob("*.md")):
            if folder in path.parents:
                continue
            text = path.read_text(encoding="utf-8")
            if path.suffix == ".md":
                text = _code_blocks(text)
            if name.rsplit(".", 1)[-1] not in text:
                continue
            try:
                names = _names_used(text, name)
            except SyntaxError:  # a docs fragment that is not a whole program
                continue
            for attr in names:
                used.setdefault(attr, []).append(str(path.relative_to(ROOT)))
    assert len(used) >= 2, used  # services and tests use every one of these packages
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
    prefix = f"{name}."
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


def test_face_sessions_are_one_cache_shared_by_the_package_and_its_modules() -> None:
    """The model sessions and the factory that makes them live in ``faces.models``; the names
    the package re-exports for tests and benchmarks are those very objects, so clearing the
    cache through the package clears the one the detector and embedder use."""
    from ncii_desk.vision import faces
    from ncii_desk.vision.faces import detection, embedding, models

    assert faces._sessions is models._sessions
    assert faces._session is models._session
    assert faces._detector is models._detector and faces._embedder is models._embedder
    assert faces._resize_for_detection is detection._resize_for_detection
    assert faces.EMBED_BATCH == embedding.EMBED_BATCH
