"""The model files a build carries: found on the model search path, sha256-checked, staged.

models/manifest.toml marks each model ``bundled = true`` or ``false``. The weights are never
committed to the repository; at build time they are looked up, in order, in

1. every folder named in ``NCII_DESK_MODELS`` (separated by ``os.pathsep``),
2. ``../shared/models`` next to the checkout (the development machines' copy),

at the manifest path (``mesonet/Meso4_DF.h5``) or directly in the folder. The first file found
must have exactly the manifest's sha256 and size; it is copied into a staging folder and the
copy is hashed again, so the bundle holds the very bytes that were checked. Licence and
NOTICE files the manifest names for a bundled model travel with it. Anything missing or
different stops the build with a message that says which file and where it was looked for.

Used by ncii_desk.spec (at analysis time) and by build.py (``--check-models``).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

MODELS_ENV = "NCII_DESK_MODELS"


class ModelBundleError(Exception):
    """A bundled model is missing or has other bytes than the manifest says."""


@dataclass(frozen=True)
class StagedFile:
    name: str  # model name, or "licence of NAME"
    relpath: str  # inside the bundle's models/ folder
    source: Path
    staged: Path
    sha256: str


def search_path(repo: Path) -> list[Path]:
    folders = [Path(p).expanduser() for p in os.environ.get(MODELS_ENV, "").split(os.pathsep)]
    folders = [f for f in folders if str(f).strip() and str(f) != "."]
    folders.append(repo.parent / "shared" / "models")
    return folders


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _find(folders: list[Path], relpath: str) -> Path | None:
    name = PurePosixPath(relpath).name
    for folder in folders:
        for candidate in (folder / relpath, folder / name):
            if candidate.is_file():
                return candidate
    return None


def _load_manifest(manifest: Path) -> dict[str, Any]:
    sys.path.insert(0, str(manifest.parents[1]))  # the checkout's ncii_desk, for the parser
    try:
        from ncii_desk.vision.registry import load_manifest
    finally:
        sys.path.pop(0)
    return dict(load_manifest(manifest))


def stage(repo: Path, stage_dir: Path) -> list[StagedFile]:
    """Copy every bundled model (and its licence files) into ``stage_dir``, checked."""
    manifest = repo / "models" / "manifest.toml"
    specs = _load_manifest(manifest)
    folders = search_path(repo)
    where = "; ".join(str(f) for f in folders)
    if stage_dir.exists():
        shutil.rmtree(stage_dir)
    stage_dir.mkdir(parents=True)
    staged: list[StagedFile] = []
    problems: list[str] = []
    for spec in specs.values():
        if not spec.bundled:
            continue
        name, rel = spec.name, spec.file
        source = _find(folders, rel)
        if source is None:
            problems.append(
                f"- {name}: {rel} (sha256 {spec.sha256}) was not found. Source: {spec.source}"
            )
            continue
        target = stage_dir / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        actual = _sha256(target)
        expected = spec.sha256
        size = target.stat().st_size
        if actual != expected or size != spec.size:
            problems.append(
                f"- {name}: {source} has sha256 {actual} ({size} bytes); the manifest expects "
                f"{expected} ({spec.size} bytes)"
            )
            continue
        staged.append(StagedFile(name, rel, source, target, actual))
        root = source.parents[len(PurePosixPath(rel).parts) - 1]
        for lic in spec.licence_files:
            lic_source = root / lic if (root / lic).is_file() else _find(folders, lic)
            if lic_source is None:
                problems.append(f"- {name}: its licence file {lic} was not found")
                continue
            lic_target = stage_dir / lic
            lic_target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(lic_source, lic_target)
            staged.append(
                StagedFile(f"licence of {name}", lic, lic_source, lic_target, _sha256(lic_target))
            )
    if problems:
        raise ModelBundleError(
            "The build stops: model files that models/manifest.toml marks as bundled are "
            "missing or wrong.\n" + "\n".join(problems) + f"\nSearched: {where}\n"
            f"Put the exact files in a folder and name it in {MODELS_ENV}, or build with "
            "--skip-models (the app then needs the models placed in its user models folder)."
        )
    return staged


def datas(staged: list[StagedFile]) -> list[tuple[str, str]]:
    """PyInstaller ``datas`` entries placing each staged file under the bundle's models/."""
    out: list[tuple[str, str]] = []
    for item in staged:
        entry = (str(item.staged), str(PurePosixPath("models", item.relpath).parent))
        if entry not in out:  # several models may share one licence file
            out.append(entry)
    return out
