"""Importing wrappers of native libraries safely.

c2pa-python loads its native library at import time and looks in the current working folder
before its own package folder. A library planted in whatever folder the app was started from
(a Downloads folder, a USB stick with evidence) would then run inside NCII Desk. We name the
package's own copy by absolute path (the variable c2pa-python reads for a library name), so
nothing from the working folder is ever considered.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
import threading
from pathlib import Path
from types import ModuleType

_C2PA_NAMES = {"linux": "libc2pa_c.so", "darwin": "libc2pa_c.dylib", "win32": "c2pa_c.dll"}
_lock = threading.Lock()


def _packaged_c2pa_library() -> Path | None:
    spec = importlib.util.find_spec("c2pa")
    name = _C2PA_NAMES.get(sys.platform)
    if spec is None or spec.origin is None or name is None:
        return None
    package = Path(spec.origin).resolve().parent
    for folder in (package / "libs", package):
        if (folder / name).is_file():
            return folder / name
    found = sorted(package.rglob(name))
    return found[0] if found else None


def import_c2pa() -> ModuleType:
    """The c2pa module, with its native library loaded from the package's own folder.

    Raises ImportError when c2pa-python is not installed.
    """
    with _lock:
        if "c2pa" in sys.modules:
            return sys.modules["c2pa"]
        library = _packaged_c2pa_library()
        if library is None:
            return importlib.import_module("c2pa")
        previous = os.environ.get("C2PA_LIBRARY_NAME")
        os.environ["C2PA_LIBRARY_NAME"] = str(library)
        try:
            return importlib.import_module("c2pa")
        finally:
            if previous is None:
                os.environ.pop("C2PA_LIBRARY_NAME", None)
            else:
                os.environ["C2PA_LIBRARY_NAME"] = previous
