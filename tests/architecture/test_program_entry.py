"""The ncii-desk program (ncii_desk.launch) starts light: --help and --version load neither
the desktop app nor any heavy library, although the entry module can open the window."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

HEAVY = ("cv2", "onnxruntime", "reportlab", "PySide6", "sqlalchemy", "numpy")

CHILD = """
import importlib.util, json, sys
from ncii_desk.launch import main
try:
    main({argv!r})
except SystemExit:
    pass
lazy = importlib.util._LazyModule
loaded = sorted(name for name, module in list(sys.modules.items())
                if module is not None and not isinstance(module, lazy))
print(json.dumps([m for m in loaded
                  if m.split(".")[0] in {heavy!r} or m.startswith("ncii_desk.gui")]))
"""


@pytest.mark.parametrize("argv", [["--help"], ["--version"], ["selftest", "--help"]])
def test_program_help_and_version_load_no_gui_and_no_heavy_library(argv: list[str]) -> None:
    code = textwrap.dedent(CHILD.format(argv=argv, heavy=HEAVY))
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []
