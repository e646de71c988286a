"""c2pa-python's native library comes from its own package, never from the working folder."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ncii_desk.nativelibs import _packaged_c2pa_library

PROBE = """
from ncii_desk.nativelibs import import_c2pa
import_c2pa()
maps = open('/proc/self/maps').read().splitlines()
print('\\n'.join(sorted({l.split()[-1] for l in maps if 'c2pa_c' in l})))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/maps")
def test_a_library_planted_in_the_working_folder_is_not_loaded(tmp_path: Path) -> None:
    real = _packaged_c2pa_library()
    assert real is not None and real.is_file()
    planted = tmp_path / real.name
    shutil.copyfile(real, planted)  # a loadable copy: the unsafe search order would take it
    out = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=tmp_path, capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == [str(real)]
    assert str(planted) not in out
