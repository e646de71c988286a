"""Where the data folders that ship with NCII Desk live: forms/, assets/ and models/.

They sit at the top of the repository (data, not code). Three layouts are supported:

* a checkout or editable install: the repository's own folders, next to ``ncii_desk/``;
* a frozen (PyInstaller) build: folders of the same name inside the bundle;
* an installed wheel: copies inside the package, under ``ncii_desk/_data/``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import ncii_desk
from ncii_desk.errors import InvalidSetting

DATA_FOLDERS = ("forms", "assets", "models")


def _package_root() -> Path:
    return Path(ncii_desk.__file__).resolve().parent


def find_data_dir(name: str) -> Path | None:
    """The shipped data folder ``name`` (one of DATA_FOLDERS), or None if this copy lacks it."""
    if name not in DATA_FOLDERS:
        raise ValueError(f"unknown data folder {name!r}")
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        folder = Path(bundle) / name
        return folder if folder.is_dir() else None
    package = _package_root()
    repo = package.parent
    if (repo / "pyproject.toml").is_file() and (repo / name).is_dir():
        return repo / name
    inside = package / "_data" / name
    return inside if inside.is_dir() else None


def data_dir(name: str) -> Path:
    """Like find_data_dir, but a missing folder is an error that says what to do."""
    folder = find_data_dir(name)
    if folder is None:
        raise InvalidSetting(
            f"The {name}/ folder that comes with NCII Desk is missing from this installation.",
            "Reinstall NCII Desk; this folder is part of the application.",
        )
    return folder
