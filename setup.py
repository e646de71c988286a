"""Build hook: ship the top-level data folders inside the wheel, under ncii_desk/_data/.

Everything else about the package is in pyproject.toml. forms/, assets/ and
models/manifest.toml sit at the top of the repository (data, not code); a checkout and an
editable install read them there, and a wheel carries copies that ncii_desk.resources finds
in ncii_desk/_data/. Editable installs skip the copy: they already see the real folders.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
#: source (relative to the repository) -> destination (relative to ncii_desk/_data)
SHIPPED = {
    "forms": "forms",
    "assets": "assets",
    "models/manifest.toml": "models/manifest.toml",
    "LICENSE": "LICENSE",
}


def _wanted(path: Path) -> bool:
    return path.is_file() and path.suffix not in {".py", ".pyc"} and "__pycache__" not in path.parts


class BuildPyWithData(build_py):
    """build_py, then copy the data folders into the built package."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        target_root = Path(self.build_lib) / "ncii_desk" / "_data"
        for source_rel, dest_rel in SHIPPED.items():
            source = ROOT / source_rel
            files = [source] if source.is_file() else sorted(p for p in source.rglob("*"))
            for path in files:
                if not _wanted(path):
                    continue
                inner = path.relative_to(source) if source.is_dir() else Path()
                target = target_root / dest_rel / inner
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, target)


setup(cmdclass={"build_py": BuildPyWithData})
