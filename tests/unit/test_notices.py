"""THIRD-PARTY-NOTICES: every runtime dependency and every bundled model, with licences."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from ncii_desk.services import notices
from ncii_desk.vision.registry import ModelRegistry

REPO = Path(__file__).resolve().parents[2]


def _listed(text: str) -> dict[str, str]:
    """Package name (canonical) -> licence, from the notices' package list."""
    block = text.split("Software packages (", 1)[1]
    return {
        canonicalize_name(m.group(1)): m.group(3)
        for m in re.finditer(r"^- (\S+) (\S+): (.+)$", block, re.MULTILINE)
    }


def test_notices_list_every_runtime_dependency_with_licence_text() -> None:
    text = notices.build_notices()
    listed = _listed(text)
    declared = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))["project"]
    direct = [Requirement(r) for r in declared["dependencies"]]
    applies = [r for r in direct if r.marker is None or r.marker.evaluate({"extra": ""})]
    assert len(applies) >= 20
    for requirement in applies:
        assert canonicalize_name(requirement.name) in listed, requirement.name
    # ... and what those need in turn (the whole closure), each with its licence text.
    for name in list(listed):
        dist = metadata.distribution(name)
        for line in dist.requires or []:
            req = Requirement(line)
            if req.marker is None or req.marker.evaluate({"extra": ""}):
                assert canonicalize_name(req.name) in listed, f"{req.name} (needed by {name})"
    for pkg in ("cryptography", "SQLAlchemy", "sqlcipher3", "numpy"):
        section = text.split(f"\n{_RULE}\n{pkg} ", 1)[1].split(f"\n{_RULE}\n", 2)[1]
        assert "--- " in section.split(_RULE)[0], f"no licence text for {pkg}"
    # Test tools never appear: they are not shipped.
    for tool in ("pytest", "mypy", "ruff", "scikit-image", "pyinstaller"):
        assert canonicalize_name(tool) not in listed


_RULE = "=" * 78


def test_notices_list_every_bundled_model_with_provenance() -> None:
    text = notices.build_notices()
    bundled = [spec for spec in ModelRegistry() if spec.bundled]
    assert {s.name for s in bundled} >= {"dlib-resnet-128", "yunet"}
    for spec in bundled:
        assert f"Model: {spec.name}\n" in text
        entry = text.split(f"Model: {spec.name}\n", 1)[1].split("\nModel: ", 1)[0]
        assert spec.sha256 in entry and spec.licence in entry and spec.source in entry
        # The training-data caveat, as the manifest words it (first line is enough).
        assert spec.caveats.strip().splitlines()[0] in entry
    for spec in ModelRegistry():
        if not spec.bundled:
            assert f"Model: {spec.name}\n" not in text


def test_gpl_libraries_inside_wheels_are_called_out() -> None:
    av_libs = [
        str(p) for p in metadata.distribution("av").files or [] if re.search(r"x26[45]", str(p))
    ]
    text = notices.build_notices()
    gpl = text.split("GPL components inside the bundled wheels", 1)[1].split("Bundled models", 1)[0]
    for path in av_libs:
        assert f"{Path(path).name} in av " in gpl
    component = notices.Component(
        name="demo",
        version="1",
        licence="BSD-3-Clause",
        licence_texts=(),
        native_libraries=("libx264-abc.so.165", "x265.dll", "libx2650.so", "libvpx.so"),
    )
    assert [lib for lib, _ in component.gpl_libraries] == ["libx264-abc.so.165", "x265.dll"]


def test_packaging_script_writes_the_notices_file(tmp_path: Path) -> None:
    out = tmp_path / "THIRD-PARTY-NOTICES.txt"
    result = subprocess.run(
        [sys.executable, str(REPO / "packaging" / "notices.py"), "--out", str(out), "--no-models"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    text = out.read_text("utf-8")
    assert text.startswith("NCII Desk ") and "GPL-3.0-or-later" in text
    assert "Bundled models (0)" in text and "- alembic " in text.lower()


def test_licence_is_gpl3_and_declared_once() -> None:
    assert "Version 3, 29 June 2007" in (REPO / "LICENSE").read_text("utf-8")
    project = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))["project"]
    assert project["license"] == "GPL-3.0-or-later"
    assert project["license-files"] == ["LICENSE"]
    assert not [c for c in project["classifiers"] if c.startswith("License ::")]
    assert "Version 3, 29 June 2007" in notices.licence_text()
