"""The import contract of the whole package (issue 16, "one door"), checked on the source.

The rules are data in importrules.py (LAYERS, ALLOWED, QT_LAYERS); tools/importgraph.py prints
them as the layer picture in docs/architecture.md. Every import counts: top level, inside a
function, under TYPE_CHECKING, and modules named to lazy_module()/import_module(). A failure
lists every violation, one per line.
"""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import importrules as rules

OWN_LAYERS = ("cli", "entry", "base")  # whose violations door-cli fixed in this change


def _violations() -> list[str]:
    return rules.all_violations()


def test_the_whole_package_keeps_the_import_contract() -> None:
    found = _violations()
    assert not found, f"{len(found)} import contract violation(s):\n" + "\n".join(found)


def test_cli_entry_and_base_keep_the_contract() -> None:
    """cli/ imports only services and base; the entry modules only what they start; base
    imports only base; no cycle runs through cli/, the entry modules, base, or documents'
    letters and validators; no Qt outside gui/."""
    found = [
        v
        for v in _violations()
        if any(f"({layer}) imports" in v for layer in OWN_LAYERS)
        or "Qt is for the gui layer" in v
        or "in no layer" in v
        or (v.startswith("import cycle") and any(x in v for x in _MY_CYCLE_MODULES))
        or "(domain) imports" in v
    ]
    assert not found, f"{len(found)} import contract violation(s):\n" + "\n".join(found)


_MY_CYCLE_MODULES = (
    "ncii_desk.cli.",
    "ncii_desk.launch",
    "ncii_desk.__main__",
    "ncii_desk.documents.letters",
    "ncii_desk.documents.validators",
    "ncii_desk.vault -> ncii_desk.vault.vault",
)


def test_every_module_has_a_layer() -> None:
    assert rules.unassigned(rules.source_files()) == []


# --- the checker itself: each rule catches what it is meant to ---------------------------------


def _package(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / rules.PACKAGE
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    for folder in [root, *[p for p in root.rglob("*") if p.is_dir()]]:
        (folder / "__init__.py").touch()
    return root


def test_checker_sees_every_kind_of_import(tmp_path: Path) -> None:
    root = _package(
        tmp_path,
        {
            "cli/a.py": """
                from typing import TYPE_CHECKING
                from ncii_desk.lazy import lazy_module
                if TYPE_CHECKING:
                    from ncii_desk.vault import keys
                def f():
                    from ncii_desk.hashing.pipeline import hash_many
                g = lazy_module("ncii_desk.media.walk")
                import importlib
                h = importlib.import_module("ncii_desk.gui.app")
                from ncii_desk.services import cases
                """,
            "lazy.py": "def lazy_module(name): ...\n",
            "vault/keys.py": "",
            "hashing/pipeline.py": "",
            "media/walk.py": "",
            "gui/app.py": "",
            "services/cases.py": "",
        },
    )
    found = rules.all_violations(root)
    text = "\n".join(found)
    assert "ncii_desk.cli.a:5 (cli) imports ncii_desk.vault.keys (domain) via from" in text
    assert "ncii_desk.cli.a:7 (cli) imports ncii_desk.hashing.pipeline (domain)" in text
    assert "ncii_desk.cli.a:8 (cli) imports ncii_desk.media.walk (domain) via lazy_module()" in text
    assert "ncii_desk.cli.a:10 (cli) imports ncii_desk.gui.app (gui) via import_module()" in text
    assert "services.cases" not in text  # cli -> services is the door
    assert len(found) == 4, found


def test_checker_reports_qt_base_domain_and_cycles_with_their_path(tmp_path: Path) -> None:
    root = _package(
        tmp_path,
        {
            "services/s.py": "from PySide6.QtCore import QObject\nfrom ncii_desk.gui import w\n",
            "gui/w.py": "from PySide6 import QtWidgets\n",
            "paths.py": "from ncii_desk.services import s\n",
            "vision/v.py": "from ncii_desk.services.s import x\nfrom ncii_desk.vision import u\n",
            "vision/u.py": "from ncii_desk.vision import t\n",
            "vision/t.py": "import ncii_desk.vision.v\n",
            "stray.py": "",
        },
    )
    found = rules.all_violations(root)
    assert "ncii_desk.stray: in no layer (add it to LAYERS)" in found
    assert "ncii_desk.services.s:1 imports PySide6.QtCore (Qt is for the gui layer only)" in found
    assert not any(v.startswith("ncii_desk.gui.w") for v in found)  # Qt in gui is fine
    assert "ncii_desk.services.s:2 (services) imports ncii_desk.gui.w (gui) via from" in found
    assert "ncii_desk.paths:1 (base) imports ncii_desk.services.s (services) via from" in found
    assert "ncii_desk.vision.v:1 (domain) imports ncii_desk.services.s (services) via from" in found
    assert (
        "import cycle: ncii_desk.vision.t -> ncii_desk.vision.v -> ncii_desk.vision.u "
        "-> ncii_desk.vision.t"
    ) in found
    assert len(found) == 6, found


def test_relative_imports_resolve(tmp_path: Path) -> None:
    root = _package(
        tmp_path,
        {
            "cli/a.py": "from ..vault import keys\nfrom . import b\n",
            "cli/b.py": "",
            "vault/keys.py": "",
        },
    )
    assert rules.all_violations(root) == [
        "ncii_desk.cli.a:1 (cli) imports ncii_desk.vault.keys (domain) via from"
    ]


def test_rules_are_data_a_picture_can_be_printed_from() -> None:
    text = rules.picture()
    for layer, allowed in rules.ALLOWED.items():
        assert layer in text
        assert set(allowed) <= set(rules.LAYERS)
    cli_line = next(line for line in text.splitlines() if line.startswith("cli "))
    assert cli_line.endswith("may import: services, base")
    # the source parses as the checker reads it: every module file is valid Python
    for path in rules.source_files().values():
        ast.parse(path.read_text(encoding="utf-8"))
