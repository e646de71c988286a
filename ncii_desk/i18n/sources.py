"""The English sentences of the services catalogue (services_<lang>.ts), found in the source.

Two kinds, both read from the code with ``ast`` (nothing is imported or run):

* **Phrases**: every ``Phrase("Context", "template", ...)`` call, and in a module that sets
  ``PHRASE_CONTEXT``, every ``_p("template", ...)`` and ``_plural(n, "one", "many")`` call,
  in the modules listed in ``PHRASE_MODULES``.
* **Error texts**: the message and hint of every ``raise SomeError(...)`` of an
  ``NciiDeskError`` subclass in ``ERROR_FOLDERS``, every such class's ``default_hint`` and the
  message its own ``__init__`` builds, the words kept as data that those messages list
  (``DATA_PARTS``), and every text appended to a ``warnings`` list there (a result's
  notes). An f-string becomes a template: each ``{expression}`` becomes a named placeholder
  (``{path.name}`` gives ``{name}``), which is what ``said()`` matches. A text built from
  pieces (``+``, ``a if c else b``, a module constant, a local variable assigned a literal,
  what a function of the module returns) gives every variant. A text that cannot be
  followed (a call, a parameter) is listed by ``unresolved()``; the completeness test allows
  only the pass-through of another error's message (``str(exc)``, ``exc.message``), whose
  own text is in the catalogue.

``python -m ncii_desk.i18n update`` writes the catalogue from ``service_sources()``.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ncii_desk.i18n import _NAMED

PACKAGE = Path(__file__).resolve().parent.parent
ERRORS_MODULE = PACKAGE / "errors.py"
#: Folders (and files) whose raised errors reach a person through the window.
ERROR_FOLDERS = (
    "services",
    "vault",
    "media",
    "hashing",
    "capture",
    "documents",
    "vision",
    "clinic",
)
#: Modules whose Phrase templates are shown in the window.
PHRASE_MODULES = ("services/activity.py", "services/hardware.py")
ERRORS_CONTEXT = "Errors"
#: Words kept as data that an error's message lists (file, name, position of the text in a
#: call of that name, or None for the values of a module-level dict of that name).
DATA_PARTS: tuple[tuple[str, str, int | None], ...] = (
    ("documents/validators.py", "Element", 1),  # the missing elements of a letter
    ("documents/validators.py", "_DOCUMENT_NAMES", None),  # the letter's name
    ("services/found_at.py", "SOURCE_WHAT", None),  # the {what} of an address refused
    ("services/found_at.py", "PAGE_WHAT", None),
    ("services/faces_gallery.py", "_unreadable", 2),  # why a photo has no faces to pick
    ("services/settings.py", "_fallback_note", 2),  # what a stored threshold must be
)
#: Sentences a service keeps in a result that the window shows (file, name): every text
#: assigned to that name there (a variable, an attribute such as ``result.message``, or its
#: place in a tuple assignment), or returned by the function of that name.
SHOWN_VALUES: tuple[tuple[str, str], ...] = (
    ("services/faces_gallery.py", "message"),  # a reference photo's faces, in words
    ("services/minor.py", "message"),  # the under-18 switch's result
    ("services/items.py", "leftover_files"),  # files whose deletion waits for the next open
    ("media/loader.py", "_source"),  # "the file": the {name} of a picture read from memory
)
#: Calls whose text at a position is a sentence the window shows (file, name, position):
#: the problems a packet check reports for a file.
SHOWN_CALLS: tuple[tuple[str, str, int], ...] = (
    ("documents/manifest.py", "fail", 1),
    ("services/packets.py", "fail", 1),
    ("services/packets.py", "fail", 0),  # "vault audit chain", where a finding is
    ("vault/audit.py", "append", 0),  # a problem of the audit log (head_problems)
)
#: Dict entries whose value is a sentence the window shows (file, key): a problem the
#: audit log check found, shown after unlock as "Audit log problem: {problem}.".
SHOWN_KEYS: tuple[tuple[str, str], ...] = (("vault/audit.py", "problem"),)
#: Lists a result's notes are appended to (besides ``warnings``).
NOTE_LISTS = ("warnings", "notes")
#: Expressions that pass another error's text through unchanged (already in the catalogue).
PASS_THROUGH = ("str(exc)", "str(e)", "str(err)", "str(error)", "exc.message", "exc.hint")


@dataclass(frozen=True)
class Unresolved:
    where: str  # path:line
    expression: str


def _context(path: Path) -> str:
    rel = path.relative_to(PACKAGE).with_suffix("")
    return ".".join(rel.parts)


@cache
def _error_classes() -> dict[str, tuple[str, ...]]:
    """NciiDeskError and every subclass (in errors.py and in the scanned folders), each with
    the names of its constructor's positional parameters."""
    bases: dict[str, list[str]] = {}
    params: dict[str, tuple[str, ...]] = {}
    files = [ERRORS_MODULE, *(p for f in ERROR_FOLDERS for p in _files(f))]
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ClassDef):
                continue
            bases[node.name] = [
                b.id if isinstance(b, ast.Name) else b.attr
                for b in node.bases
                if isinstance(b, (ast.Name, ast.Attribute))
            ]
            for item in node.body:
                if isinstance(item, ast.FunctionDef) and item.name == "__init__":
                    params[node.name] = tuple(a.arg for a in item.args.args[1:])
    known: dict[str, tuple[str, ...]] = {"NciiDeskError": ("message", "hint")}
    changed = True
    while changed:
        changed = False
        for name, parents in bases.items():
            if name in known:
                continue
            parent = next((p for p in parents if p in known), None)
            if parent is not None:
                known[name] = params.get(name, known[parent])
                changed = True
    return known


def _files(folder: str) -> list[Path]:
    root = PACKAGE / folder
    return [root] if root.is_file() else sorted(root.rglob("*.py"))


def _name_of(expr: ast.expr) -> str:
    if isinstance(expr, ast.Name):
        return expr.id
    if isinstance(expr, ast.Attribute):
        return expr.attr
    if isinstance(expr, ast.Call):
        if isinstance(expr.func, ast.Attribute) and expr.func.attr == "join" and expr.args:
            return _name_of(expr.args[0])
        if expr.args and isinstance(expr.func, ast.Name) and expr.func.id in {"str", "len", "repr"}:
            inner = _name_of(expr.args[0])
            return f"{inner}_count" if expr.func.id == "len" else inner
        return _name_of(expr.func)
    if isinstance(expr, ast.Subscript):
        if isinstance(expr.slice, ast.Constant) and isinstance(expr.slice.value, str):
            return expr.slice.value
        return _name_of(expr.value)
    return "value"


class _Texts:
    """The templates one expression can produce, within one module and one function."""

    def __init__(self, module: ast.Module, function: ast.AST | None, where: str) -> None:
        self.module = module
        self.function = function
        self.where = where
        self.unresolved: list[Unresolved] = []
        #: Words filled into a template's placeholder that are literal text here too (a
        #: local variable set to "text", a module dict of descriptions): said() translates
        #: a placeholder's value when it is one of these.
        self.parts: list[str] = []

    def of(self, expr: ast.expr, depth: int = 0) -> list[str]:
        if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
            return [expr.value]
        if isinstance(expr, ast.Constant) and expr.value is None:
            return []
        if isinstance(expr, ast.JoinedStr):
            return [self._fstring(expr)]
        if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):
            left, right = self._piece(expr.left, depth), self._piece(expr.right, depth)
            return [a + b for a in left for b in right]
        if isinstance(expr, ast.IfExp):
            return self.of(expr.body, depth) + self.of(expr.orelse, depth)
        if isinstance(expr, ast.Name) and depth < 3:
            found = self._assigned(expr.id, depth)
            if found is not None:
                return found
        if (
            isinstance(expr, ast.Call)
            and isinstance(expr.func, ast.Attribute)
            and expr.func.attr in {"replace", "strip", "rstrip", "lstrip"}
        ):
            return self.of(expr.func.value, depth)  # the same text, tidied
        if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Name) and depth < 3:
            found = self._returned(expr.func.id, depth)
            if found is not None:
                return found
        if (
            isinstance(expr, ast.Call)
            and isinstance(expr.func, ast.Attribute)
            and expr.func.attr == "join"
        ):
            return []  # a list made at run time; its words are listed as DATA_PARTS
        if isinstance(expr, ast.Attribute) and expr.attr in {"message", "hint"}:
            return []  # another error's text, passed through (its own text is listed)
        if ast.unparse(expr) not in PASS_THROUGH:
            self.unresolved.append(Unresolved(self.where, ast.unparse(expr)))
        return []

    def _piece(self, expr: ast.expr, depth: int) -> list[str]:
        """One side of a ``+``: its texts, or a placeholder when it is computed (a list
        joined, a number), as an f-string would have it."""
        if isinstance(expr, (ast.Constant, ast.JoinedStr, ast.BinOp, ast.IfExp, ast.Name)):
            return self.of(expr, depth) or [""]
        return ["{" + _name_of(expr) + "}"]

    def _fstring(self, node: ast.JoinedStr) -> str:
        out: list[str] = []
        names: dict[str, str] = {}
        for part in node.values:
            if isinstance(part, ast.Constant):
                out.append(str(part.value))
            elif isinstance(part, ast.FormattedValue):
                source = ast.unparse(part.value)
                if source not in names:
                    base = _name_of(part.value)
                    name, n = base, 2
                    while name in names.values():
                        name, n = f"{base}{n}", n + 1
                    names[source] = name
                out.append("{" + names[source] + "}")
                self.parts += self._part_words(part.value)
        return "".join(out)

    def _part_words(self, expr: ast.expr) -> list[str]:
        quiet = _Texts(self.module, self.function, self.where)
        if isinstance(expr, ast.Name):
            words = quiet._assigned(expr.id, 2) or []
            for scope in (self.function, self.module):
                for node in ast.walk(scope) if scope is not None else ():
                    if (
                        isinstance(node, ast.Assign)
                        and isinstance(node.value, (ast.Call, ast.Subscript))
                        and any(isinstance(t, ast.Name) and t.id == expr.id for t in node.targets)
                    ):
                        words += self._part_words(node.value)
            return words
        if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Name):
            # What a function of this module returns (such as "a whole number from 0 to 256").
            return [t for t in quiet._returned(expr.func.id, 2) or [] if _words(t)]
        if (
            isinstance(expr, ast.Call)
            and isinstance(expr.func, ast.Attribute)
            and expr.func.attr == "join"
            and expr.args
            and isinstance(expr.args[0], (ast.GeneratorExp, ast.ListComp))
        ):
            # A list of sentences made from one template: "; ".join(f"..." for ...).
            return [t for t in quiet.of(expr.args[0].elt, 2) if _words(t)]
        table = None
        if (
            isinstance(expr, ast.Call)
            and isinstance(expr.func, ast.Attribute)
            and expr.func.attr == "get"
        ):
            table = expr.func.value
        elif isinstance(expr, ast.Subscript):
            table = expr.value
        if isinstance(table, ast.Name):
            found = _definition(self.module, table.id)
            if found is not None and isinstance(found[1], ast.Dict):
                return [
                    v.value
                    for v in found[1].values
                    if isinstance(v, ast.Constant) and isinstance(v.value, str)
                ]
        return []

    def _returned(self, name: str, depth: int) -> list[str] | None:
        """The texts a function of this module (or one it imports from ncii_desk) returns."""
        found = _definition(self.module, name)
        if found is None:
            return None
        module, node = found
        if not isinstance(node, ast.FunctionDef):
            return None
        reader = _Texts(module, node, self.where)
        texts = [
            t
            for r in ast.walk(node)
            if isinstance(r, ast.Return) and r.value is not None
            for t in reader.of(r.value, depth + 1)
        ]
        self.unresolved += reader.unresolved
        self.parts += [t for t in reader.parts if _words(t)]
        return texts

    def _assigned(self, name: str, depth: int) -> list[str] | None:
        """The texts assigned to ``name`` in the enclosing function, else at module level
        (None when it is assigned nowhere there: a parameter or an import)."""
        for scope in (self.function, self.module):
            if scope is None:
                continue
            values = [
                node.value
                for node in ast.walk(scope)
                if isinstance(node, ast.Assign)
                and any(isinstance(t, ast.Name) and t.id == name for t in node.targets)
            ] + [
                node.value
                for node in ast.walk(scope)
                if isinstance(node, ast.AnnAssign)
                and isinstance(node.target, ast.Name)
                and node.target.id == name
                and node.value is not None
            ]
            if values:
                return [t for v in values for t in self.of(v, depth + 1)]
        found = _definition(self.module, name)
        if found is not None and isinstance(found[1], ast.expr):
            reader = _Texts(found[0], None, self.where)
            texts = reader.of(found[1], depth + 1)
            self.unresolved += reader.unresolved
            return texts
        return None


def _words(text: str) -> bool:
    """Whether ``text`` holds words to translate (two or more, outside its placeholders),
    not a file type, a unit or a name."""
    return re.search(r"[A-Za-z]{2,}\s+\S*[A-Za-z]{2,}", _NAMED.sub(" ", text)) is not None


def _definition(module: ast.Module, name: str) -> tuple[ast.Module, ast.AST] | None:
    """Where ``name`` is defined at the top of ``module``, following one
    ``from ncii_desk.x import name``: (its module, the FunctionDef or the assigned value)."""
    for node in module.body:
        if isinstance(node, ast.FunctionDef) and node.name == name:
            return module, node
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == name for t in node.targets
        ):
            return module, node.value
        if (
            isinstance(node, ast.ImportFrom)
            and (node.module or "").startswith("ncii_desk.")
            and any(a.name == name and a.asname is None for a in node.names)
        ):
            path = PACKAGE.parent.joinpath(*str(node.module).split("."))
            file = path / "__init__.py" if path.is_dir() else path.with_suffix(".py")
            if file.is_file():
                other = ast.parse(file.read_text(encoding="utf-8"))
                for inner in other.body:
                    if isinstance(inner, ast.FunctionDef) and inner.name == name:
                        return other, inner
                    if isinstance(inner, ast.Assign) and any(
                        isinstance(t, ast.Name) and t.id == name for t in inner.targets
                    ):
                        return other, inner.value
    return None


def _functions(module: ast.Module) -> Iterator[tuple[ast.AST | None, ast.AST]]:
    """Every node with its innermost enclosing function (None at module level)."""

    def walk(node: ast.AST, function: ast.AST | None) -> Iterator[tuple[ast.AST | None, ast.AST]]:
        for child in ast.iter_child_nodes(node):
            inner = child if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)) else None
            yield function, child
            yield from walk(child, inner or function)

    yield from walk(module, None)


def _raised(path: Path, unresolved: list[Unresolved]) -> list[str]:
    classes = _error_classes()
    module = ast.parse(path.read_text(encoding="utf-8"))
    texts: list[str] = []
    for function, node in _functions(module):
        if not (isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call)):
            continue
        func = node.exc.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        if name not in classes:
            continue
        where = f"{path.relative_to(PACKAGE.parent)}:{node.lineno}"
        reader = _Texts(module, function, where)
        positional = classes[name]
        for i, arg in enumerate(node.exc.args):
            if i < len(positional) and positional[i] in {"message", "hint"}:
                texts += reader.of(arg)
        for kw in node.exc.keywords:
            if kw.arg in {"message", "hint"}:
                texts += reader.of(kw.value)
        unresolved += reader.unresolved
        texts += reader.parts
    texts += _constructed(module, path, unresolved)
    texts += _warnings(module, path, unresolved)
    return texts


def _warnings(module: ast.Module, path: Path, unresolved: list[Unresolved]) -> list[str]:
    """Texts appended to a ``warnings`` list (a result's notes that the window shows)."""
    texts: list[str] = []
    for function, node in _functions(module):
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "append"
            and node.args
        ):
            continue
        target = node.func.value
        name = target.id if isinstance(target, ast.Name) else getattr(target, "attr", "")
        # A ``warnings`` list, or any list a ``warnings`` property builds (the vault's report
        # of what opening it repaired).
        inside = isinstance(function, ast.FunctionDef) and function.name == "warnings"
        if name not in NOTE_LISTS and not inside:
            continue
        if name != "warnings" and isinstance(node.args[0], ast.Call):
            continue  # a note that is not a sentence (an analysis signal)
        reader = _Texts(module, function, f"{path.relative_to(PACKAGE.parent)}:{node.lineno}")
        texts += reader.of(node.args[0])
        unresolved += reader.unresolved
        texts += reader.parts if not inside else [t for t in reader.parts if _words(t)]
    return texts


def _constructed(module: ast.Module, path: Path, unresolved: list[Unresolved]) -> list[str]:
    """The message and hint an error class's own ``__init__`` passes to
    ``super().__init__`` (its parameters passed through are the raise sites' texts)."""
    classes = _error_classes()
    texts: list[str] = []
    for cls in module.body:
        if not (isinstance(cls, ast.ClassDef) and cls.name in classes):
            continue
        for init in cls.body:
            if not (isinstance(init, ast.FunctionDef) and init.name == "__init__"):
                continue
            params = {a.arg for a in init.args.args + init.args.kwonlyargs}
            for node in ast.walk(init):
                if not (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "__init__"
                ):
                    continue
                reader = _Texts(module, init, f"{path.relative_to(PACKAGE.parent)}:{node.lineno}")
                for arg in node.args[:2]:
                    if not (isinstance(arg, ast.Name) and arg.id in params):
                        texts += reader.of(arg)
                unresolved += reader.unresolved
                texts += reader.parts
    return texts


def _data_parts() -> list[tuple[str, str]]:
    """Words kept as data that errors fill in (``DATA_PARTS``): the string argument at a
    position of every call of a name, or every value of a module dict."""
    out = []
    for file, name, position in DATA_PARTS:
        path = PACKAGE / file
        module = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(module):
            if position is not None and isinstance(node, ast.Call):
                func = node.func
                if isinstance(func, ast.Name) and func.id == name and len(node.args) > position:
                    arg = node.args[position]
                    out += [(_context(path), t) for t in _Texts(module, None, file).of(arg)]
            elif (
                position is None
                and isinstance(node, ast.Assign)
                and isinstance(node.value, (ast.Dict, ast.Constant))
                and any(isinstance(t, ast.Name) and t.id == name for t in node.targets)
            ):
                values = node.value.values if isinstance(node.value, ast.Dict) else [node.value]
                out += [
                    (_context(path), v.value)
                    for v in values
                    if isinstance(v, ast.Constant) and isinstance(v.value, str)
                ]
    return out


def _shown_calls() -> list[tuple[str, str]]:
    """The texts at a position of the calls listed in ``SHOWN_CALLS`` (a text that cannot
    be followed, such as a library's message, is left out: it is not the app's own)."""
    out: list[tuple[str, str]] = []
    for file, name, position in SHOWN_CALLS:
        path = PACKAGE / file
        module = ast.parse(path.read_text(encoding="utf-8"))
        for function, node in _functions(module):
            if not (isinstance(node, ast.Call) and len(node.args) > position):
                continue
            func = node.func
            called = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            if called != name:
                continue
            reader = _Texts(module, function, str(path.relative_to(PACKAGE.parent)))
            texts = reader.of(node.args[position]) + reader.parts
            out += [(_context(path), t) for t in texts if _words(t)]
    for file, key in SHOWN_KEYS:
        path = PACKAGE / file
        module = ast.parse(path.read_text(encoding="utf-8"))
        for function, node in _functions(module):
            if not isinstance(node, ast.Dict):
                continue
            reader = _Texts(module, function, str(path.relative_to(PACKAGE.parent)))
            for k, v in zip(node.keys, node.values, strict=True):
                if isinstance(k, ast.Constant) and k.value == key:
                    out += [(_context(path), t) for t in reader.of(v) if _words(t)]
    return out


def _target_values(node: ast.Assign | ast.AnnAssign, name: str) -> list[ast.expr]:
    """The values an assignment gives to ``name`` (a variable or an attribute of that name,
    also as one place of a tuple assignment: ``status, message = "a", "b"``)."""

    def named(t: ast.expr) -> bool:
        return (isinstance(t, ast.Name) and t.id == name) or (
            isinstance(t, ast.Attribute) and t.attr == name
        )

    value = node.value
    if value is None:
        return []
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
    out: list[ast.expr] = []
    for t in targets:
        if named(t):
            out.append(value)
        elif isinstance(t, ast.Tuple) and isinstance(value, ast.Tuple):
            out += [v for tt, v in zip(t.elts, value.elts, strict=False) if named(tt)]
    return out


def _shown_values(unresolved: list[Unresolved]) -> list[tuple[str, str]]:
    """The result sentences listed in ``SHOWN_VALUES``."""
    out: list[tuple[str, str]] = []
    for file, name in SHOWN_VALUES:
        path = PACKAGE / file
        module = ast.parse(path.read_text(encoding="utf-8"))
        where = str(path.relative_to(PACKAGE.parent))
        for function, node in _functions(module):
            if isinstance(node, (ast.Assign, ast.AnnAssign)):
                reader = _Texts(module, function, f"{where}:{node.lineno}")
                for value in _target_values(node, name):
                    out += [(_context(path), t) for t in reader.of(value)]
                    out += [(_context(path), t) for t in reader.parts]
                unresolved += reader.unresolved
            elif isinstance(node, ast.FunctionDef) and node.name == name:
                reader = _Texts(module, node, f"{where}:{node.lineno}")
                for r in ast.walk(node):
                    if isinstance(r, ast.Return) and r.value is not None:
                        if isinstance(r.value, ast.Tuple):  # the words among its values
                            out += [
                                (_context(path), v.value)
                                for v in r.value.elts
                                if isinstance(v, ast.Constant) and isinstance(v.value, str)
                            ]
                            continue
                        # A text, or a list of texts.
                        values = r.value.elts if isinstance(r.value, ast.List) else [r.value]
                        out += [(_context(path), t) for v in values for t in reader.of(v)]
                unresolved += reader.unresolved
    return out


def _default_hints(path: Path) -> list[str]:
    """The ``default_hint`` of every error class defined in ``path``."""
    classes = _error_classes()
    module = ast.parse(path.read_text(encoding="utf-8"))
    reader = _Texts(module, None, str(path.relative_to(PACKAGE.parent)))
    texts = []
    for cls in ast.walk(module):
        if not (isinstance(cls, ast.ClassDef) and cls.name in classes):
            continue
        for node in cls.body:
            if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "default_hint" for t in node.targets
            ):
                texts += reader.of(node.value)
    return texts


def _phrases(path: Path) -> list[tuple[str, str]]:
    module = ast.parse(path.read_text(encoding="utf-8"))
    helpers: dict[str, str] = {}  # helper name -> its context
    for node in ast.walk(module):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
            for t in node.targets:
                if isinstance(t, ast.Name) and t.id == "PHRASE_CONTEXT":
                    helpers["_p"] = str(node.value.value)
    out = []
    for node in ast.walk(module):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
        args = node.args
        if name == "Phrase" and len(args) >= 2:
            context, template = args[0], args[1]
            if isinstance(context, ast.Constant) and isinstance(template, ast.Constant):
                out.append((str(context.value), str(template.value)))
        elif name in helpers and args and isinstance(args[0], ast.Constant):
            out.append((helpers[name], str(args[0].value)))
        elif name == "_plural" and "_p" in helpers:  # _plural(count, "{n} face", "{n} faces")
            out += [
                (helpers["_p"], str(a.value))
                for a in args
                if isinstance(a, ast.Constant) and isinstance(a.value, str)
            ]
    return out


@cache
def _scan() -> tuple[tuple[tuple[str, str], ...], tuple[Unresolved, ...]]:
    unresolved: list[Unresolved] = []
    phrases: list[tuple[str, str]] = []
    for module in PHRASE_MODULES:
        phrases += _phrases(PACKAGE / module)
    errors = [(ERRORS_CONTEXT, t) for t in _default_hints(ERRORS_MODULE)]
    for folder in ERROR_FOLDERS:
        for path in _files(folder):
            context = _context(path)
            errors += [(context, t) for t in _default_hints(path)]
            errors += [(context, t) for t in _raised(path, unresolved)]
    errors += _data_parts()
    errors += _shown_values(unresolved)
    errors += _shown_calls()
    # Error texts are looked up by text alone (said()): one entry per text, under the first
    # context that uses it, and none for a text that is already a phrase.
    first: dict[str, str] = {text: context for context, text in reversed(phrases)}
    out = list(dict.fromkeys(phrases))
    for context, text in errors:
        if text.strip() and text not in first:
            first[text] = context
            out.append((context, text))
    # Grouped by context, in the order the contexts first appear (as the .ts file holds them).
    order = {c: i for i, c in reversed(list(enumerate(c for c, _ in out)))}
    out.sort(key=lambda entry: order[entry[0]])
    return tuple(out), tuple(unresolved)


def service_sources() -> list[tuple[str, str]]:
    """Every (context, English text) of the services catalogue, in source order."""
    return list(_scan()[0])


def unresolved() -> list[Unresolved]:
    """Error texts in the scanned code that cannot be followed to literal text."""
    return list(_scan()[1])
