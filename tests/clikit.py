"""Running ``ncii-desk`` in-process for tests: exit code, standard output and error.

``run_cli(capsys, *argv)`` runs one command; the ``cli`` fixture (registered for every test by
tests/conftest.py) is the same with capsys already bound.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, NamedTuple

import pytest


class Result(NamedTuple):
    rc: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


Cli = Callable[..., Result]


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> Result:
    from ncii_desk.cli.main import main  # imported on first use: conftest loads this module

    capsys.readouterr()
    try:
        rc = main(list(argv))
    except SystemExit as exc:  # argparse: --version, --help, usage errors
        rc = exc.code if isinstance(exc.code, int) else 1
    captured = capsys.readouterr()
    return Result(rc, captured.out, captured.err)


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Cli:
    def run(*argv: str) -> Result:
        return run_cli(capsys, *argv)

    return run
