"""The four largest domain modules are packages of modules split by what they do.

``vision/faces``, ``vision/metadata``, ``capture/web`` and ``documents/packet`` were single
modules of over 1,000 lines. Callers (services, tests, benchmarks, docs) keep importing from
the old path, so each package must re-export every public name of its modules and every name
a caller takes from it; each module stays at most 800 lines; a name is defined in one module
only; and the modules of a package import each other in one direction (no cycle).

The shape checks common to every split package (size, re-exports, one owner per name,
no cycle) are in test_package_layout.py; this file checks what callers take from them.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path
from types import ModuleType

import pytest

PACKAGES = (
    "ncii_desk.vision.faces",
    "ncii_desk.vision.metadata",
    "ncii_desk.capture.web",
    "ncii_desk.documents.packet",
)

ROOT = Path(__file__).resolve().parents[2]
#: Where callers live (docs included: their code blocks import too).
CALLERS = ("ncii_desk", "tests", "bench", "docs", "packaging")


def _package(name: str) -> ModuleType:
    module = importlib.import_module(name)
    assert hasattr(module, "__path__"), f"{name} is one module, not a package"
    return module


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
