"""The import contract of ncii_desk, as data, and the import graph it is checked against.

Used by tests/architecture/test_import_contract.py (which fails on any violation) and by
tools/importgraph.py (which prints the layer picture for docs/architecture.md). Both read the
same LAYERS and ALLOWED below, so the picture in the docs is the rule the tests enforce.

The graph is read from the source with :mod:`ast`, never by importing it: every ``import`` and
``from ... import`` anywhere in a module counts (top level, inside functions, inside
``if TYPE_CHECKING:`` blocks), and so does every string literal passed to ``lazy_module(...)``,
``import_module(...)``, ``importlib.import_module(...)`` or ``find_spec(...)`` that names an
ncii_desk module, because each of those loads the module all the same.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

PACKAGE = "ncii_desk"
ROOT = Path(__file__).resolve().parents[2] / PACKAGE

# Layer -> the module prefixes that belong to it (a module belongs to the layer of its longest
# matching prefix). The package root (ncii_desk/__init__.py: the version) is base.
LAYERS: dict[str, tuple[str, ...]] = {
    "entry": ("ncii_desk.__main__", "ncii_desk.launch", "ncii_desk.i18n.__main__"),
    "gui": ("ncii_desk.gui",),
    "cli": ("ncii_desk.cli",),
    "services": ("ncii_desk.services",),
    "domain": (
        "ncii_desk.vault",
        "ncii_desk.hashing",
        "ncii_desk.media",
        "ncii_desk.vision",
        "ncii_desk.capture",
        "ncii_desk.documents",
        "ncii_desk.clinic",
    ),
    "base": (
        "ncii_desk",
        "ncii_desk.errors",
        "ncii_desk.paths",
        "ncii_desk.i18n",
        "ncii_desk.hardening",
        "ncii_desk.lazy",
        "ncii_desk.resources",
        "ncii_desk.nativelibs",
        "ncii_desk.cmdline",
    ),
}

# Layer -> the layers its modules may import (besides their own layer). Read top to bottom it
# is the layer picture: entry points start the GUI or the command line; both go through the
# services; the services use the domain packages; everything may use the base modules.
ALLOWED: dict[str, frozenset[str]] = {
    "entry": frozenset({"gui", "cli", "services", "domain", "base"}),
    "gui": frozenset({"services", "base"}),
    "cli": frozenset({"services", "base"}),
    "services": frozenset({"domain", "base"}),
    "domain": frozenset({"base"}),
    "base": frozenset(),
}

# What each layer is, in one line, for the printed picture.
ROLES: dict[str, str] = {
    "entry": "start-up modules: `python -m ncii_desk`, the ncii-desk script, catalogue tool",
    "gui": "PySide6 desktop app (the only place Qt is imported)",
    "cli": "the ncii-desk command line",
    "services": "every action the GUI and CLI can take; re-exports the value types they need",
    "domain": "vault, hashing, media, vision, capture, documents, clinic storage",
    "base": "errors, paths, i18n, hardening, lazy, resources, nativelibs, cmdline, version",
}

# Qt may be imported by these layers only.
QT_PACKAGES = ("PySide6", "shiboken6")
QT_LAYERS = frozenset({"gui"})

# Calls whose first string argument names a module that gets imported.
LOADER_CALLS = frozenset({"lazy_module", "import_module", "find_spec", "__import__"})


@dataclass(frozen=True)
class Edge:
    """``source`` imports ``target`` at ``line`` (``how``: import, from, or the loader call)."""

    source: str
    target: str
    line: int
    how: str


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def layer_of(module: str) -> str | None:
    """The layer ``module`` belongs to, or None for a module no rule names."""
    best: tuple[int, str] | None = None
    for layer, prefixes in LAYERS.items():
        for prefix in prefixes:
            inside = module == prefix or (prefix != PACKAGE and module.startswith(prefix + "."))
            if inside and (best is None or len(prefix) > best[0]):
                best = (len(prefix), layer)
    return best[1] if best else None


def _resolve_relative(module: str, is_package: bool, level: int, name: str | None) -> str:
    base = module.split(".") if is_package else module.split(".")[:-1]
    if level > 1:
        base = base[: len(base) - (level - 1)]
    return ".".join([*base, *([name] if name else [])])


def _literal_arg(call: ast.Call) -> str | None:
    if call.args and isinstance(call.args[0], ast.Constant) and isinstance(call.args[0].value, str):
        return call.args[0].value
    return None


def _call_name(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


def raw_imports(path: Path, module: str) -> Iterator[Edge]:
    """Every module name ``path`` imports, as written (``from a import b`` gives a and a.b)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Edge(module, alias.name, node.lineno, "import")
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = _resolve_relative(module, is_package, node.level, node.module)
            else:
                base = node.module or ""
            for alias in node.names:
                # a.b when b is a module, else a: resolved against the files in build_graph
                yield Edge(module, f"{base}.{alias.name}", node.lineno, "from")
        elif isinstance(node, ast.Call) and _call_name(node) in LOADER_CALLS:
            text = _literal_arg(node)
            if text is not None:
                yield Edge(module, text, node.lineno, f"{_call_name(node)}()")


def source_files(root: Path = ROOT) -> dict[str, Path]:
    return {module_name(p, root): p for p in sorted(root.rglob("*.py"))}


def build_graph(root: Path = ROOT) -> tuple[list[Edge], list[Edge]]:
    """(edges between ncii_desk modules, edges to Qt), one per import statement and target.

    ``from pkg import name`` is an edge to ``pkg.name`` when that is a module, else to ``pkg``.
    Implicit imports of parent packages are not edges (Python runs them, but they never form a
    cycle on their own).
    """
    files = source_files(root)
    modules = set(files)
    internal: list[Edge] = []
    qt: list[Edge] = []
    for module, path in files.items():
        seen: set[tuple[str, int]] = set()
        for edge in raw_imports(path, module):
            top = edge.target.split(".")[0]
            if top in QT_PACKAGES:
                name = ".".join(edge.target.split(".")[:2])  # PySide6.QtCore, not its names
                if (name, edge.line) not in seen:
                    seen.add((name, edge.line))
                    qt.append(Edge(module, name, edge.line, edge.how))
                continue
            if top != PACKAGE:
                continue
            target = edge.target
            while target not in modules and "." in target:
                target = target.rsplit(".", 1)[0]
            if target not in modules or target == module or (target, edge.line) in seen:
                continue
            seen.add((target, edge.line))
            internal.append(Edge(module, target, edge.line, edge.how))
    return internal, qt


def _qt_edges_outside_gui(qt: Iterable[Edge]) -> list[str]:
    return [
        f"{e.source}:{e.line} imports {e.target} (Qt is for the gui layer only)"
        for e in qt
        if layer_of(e.source) not in QT_LAYERS
    ]


def layer_violations(edges: Iterable[Edge]) -> list[str]:
    out: list[str] = []
    for e in edges:
        src, dst = layer_of(e.source), layer_of(e.target)
        if src is None:
            out.append(f"{e.source}: in no layer (add it to LAYERS)")
            continue
        if dst is None or dst == src or dst in ALLOWED[src]:
            continue
        out.append(f"{e.source}:{e.line} ({src}) imports {e.target} ({dst}) via {e.how}")
    return sorted(set(out))


def unassigned(modules: Iterable[str]) -> list[str]:
    return sorted(m for m in modules if layer_of(m) is None)


def cycles(edges: Iterable[Edge]) -> list[list[str]]:
    """Each strongly connected group of modules (Tarjan), as one cycle path through it."""
    graph: dict[str, set[str]] = {}
    for e in edges:
        graph.setdefault(e.source, set()).add(e.target)
        graph.setdefault(e.target, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    counter = 0

    def visit(start: str) -> None:
        nonlocal counter
        work: list[tuple[str, Iterator[str]]] = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group: list[str] = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return [_cycle_path(sorted(g), graph) for g in sorted(groups)]


def _cycle_path(group: list[str], graph: Mapping[str, set[str]]) -> list[str]:
    """A shortest path from the group's first module back to itself, inside the group."""
    members = set(group)
    start = group[0]
    came: dict[str, str] = {}
    frontier = [start]
    while frontier:
        nxt: list[str] = []
        for node in frontier:
            for child in sorted(graph[node] & members):
                if child == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(came[path[-1]])
                    return [start, *reversed(path[:-1]), start]
                if child not in came:
                    came[child] = node
                    nxt.append(child)
        frontier = nxt
    return [*group, group[0]]


def all_violations(root: Path = ROOT) -> list[str]:
    """Every breach of the contract, one line each (empty when the code keeps it)."""
    edges, qt = build_graph(root)
    out = [f"{m}: in no layer (add it to LAYERS)" for m in unassigned(source_files(root))]
    out += layer_violations(edges)
    out += _qt_edges_outside_gui(qt)
    for path in cycles(edges):
        out.append("import cycle: " + " -> ".join(path))
    return out


def picture() -> str:
    """The layer picture, from LAYERS and ALLOWED, as plain text for docs/architecture.md."""
    order = ["entry", "gui", "cli", "services", "domain", "base"]
    width = max(len(x) for x in order)
    lines = []
    for layer in order:
        may = ", ".join(x for x in order if x in ALLOWED[layer]) or "nothing else in ncii_desk"
        lines.append(f"{layer:<{width}}  may import: {may}")
        lines.append(f"{'':<{width}}  {ROLES[layer]}")
        lines.append(f"{'':<{width}}  modules: {', '.join(LAYERS[layer])}")
    lines.append("")
    lines.append(f"Qt ({', '.join(QT_PACKAGES)}) only in: {', '.join(sorted(QT_LAYERS))}")
    lines.append("No import cycles between modules (any import counts: top level, in a function,")
    lines.append("under TYPE_CHECKING, or a module named to lazy_module/import_module).")
    return "\n".join(lines)
