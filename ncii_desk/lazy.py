"""Modules loaded on first use, so that ``ncii-desk --help`` and ``--version`` start quickly.

The command line names every service module at the top of its files; importing them all
(SQLAlchemy, Alembic, Argon2, the document and vision stacks) took about a second before the
first line of help was printed. :func:`lazy_module` gives a module object that runs the
module's code on the first attribute read instead.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from types import ModuleType
from typing import Any, overload


def lazy_module(name: str) -> ModuleType:
    """The module ``name``, imported when one of its attributes is first read.

    An already imported module is returned as it is. A module that does not exist fails here,
    at once, not on first use."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        raise ModuleNotFoundError(f"No module named {name!r}", name=name)
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    loader.exec_module(module)
    return module


class LazyChoices(Sequence[str]):
    """An argparse ``choices`` list computed on first use (a value to check, a command's own
    help), from a module the command line should not load just to start."""

    def __init__(self, make: Callable[[], Iterable[str]]) -> None:
        self._make = make
        self._values: list[str] | None = None

    def _list(self) -> list[str]:
        if self._values is None:
            self._values = [str(v) for v in self._make()]
        return self._values

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[str]: ...
    def __getitem__(self, index: int | slice) -> str | Sequence[str]:
        return self._list()[index]

    def __len__(self) -> int:
        return len(self._list())

    def __iter__(self) -> Iterator[str]:
        return iter(self._list())

    def __contains__(self, value: object) -> bool:
        return value in self._list()


def add_lazy_choices(
    parser: argparse.ArgumentParser, *names: str, choices: LazyChoices, **kwargs: Any
) -> argparse.Action:
    """``parser.add_argument(*names, choices=choices, **kwargs)`` without computing the
    choices now: argparse formats every new argument once, to check it, and would list them.
    Help printed later (``COMMAND --help``, a usage error) still shows the choices."""
    action = parser.add_argument(*names, choices=choices, metavar="VALUE", **kwargs)
    action.metavar = None
    return action
