"""The analysis models a person installs: list them, and copy verified files into place.

``install_from(folder)`` is the models step of a pip install: it looks in ``folder`` for the
file of every model the manifest lists (at its manifest path, or by file name in the folder or
one level of subfolders), checks each file's sha256 against the manifest while copying it,
and only then moves it into the user model folder, beside its licence files. A file with other
bytes is reported for that model and not copied; the other models go on.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ncii_desk.errors import NciiDeskError
from ncii_desk.vision.registry import ModelRegistry as ModelRegistry  # callers make one
from ncii_desk.vision.registry import ModelSpec, ModelStatus, user_models_dir

_CHUNK = 1 << 20


@dataclass(frozen=True)
class ModelEntry:
    """One line of ``ncii-desk models``."""

    name: str
    task: str
    licence: str
    bundled: bool
    state: str  # "ok", "not-installed", "corrupt"
    path: str | None

    def as_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "task": self.task,
            "licence": self.licence,
            "bundled": self.bundled,
            "installed": self.state == "ok",
            "state": self.state,
            "path": self.path,
        }


@dataclass(frozen=True)
class InstallResult:
    """What ``install_from`` did with one model."""

    name: str
    outcome: str  # "installed", "already-installed", "corrupt", "not-found"
    target: str | None
    message: str
    licence_files: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "outcome": self.outcome,
            "target": self.target,
            "message": self.message,
            "licence_files": list(self.licence_files),
        }


def list_models(registry: ModelRegistry | None = None) -> list[ModelEntry]:
    """Every model of the manifest, whether a verified copy is installed, and its licence."""
    registry = registry or ModelRegistry()
    entries: list[ModelEntry] = []
    for status in registry.verify_all(use_cache=True):
        spec = registry.spec(status.name)
        entries.append(
            ModelEntry(
                name=spec.name,
                task=spec.task,
                licence=spec.licence,
                bundled=spec.bundled,
                state=status.state,
                path=str(status.path) if status.path is not None else None,
            )
        )
    return entries


def _find_in(folder: Path, relative: str) -> Path | None:
    """``relative`` under ``folder``, or its file name there or one folder down."""
    name = Path(relative).name
    candidates = [folder / relative, folder / name]
    with contextlib.suppress(OSError):
        candidates += [sub / name for sub in sorted(folder.iterdir()) if sub.is_dir()]
    return next((c for c in candidates if c.is_file()), None)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _copy_checked(source: Path, target: Path, expected: str | None) -> str:
    """Copy through a temporary file in the target folder; move it into place only when its
    sha256 (taken from the bytes written) is ``expected``. Returns the sha256."""
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    fd, temp_name = tempfile.mkstemp(prefix=".installing-", dir=target.parent)
    temp = Path(temp_name)
    try:
        with source.open("rb") as src, os.fdopen(fd, "wb") as dst:
            while chunk := src.read(_CHUNK):
                digest.update(chunk)
                dst.write(chunk)
            dst.flush()
            os.fsync(dst.fileno())
        actual = digest.hexdigest()
        if expected is not None and actual != expected:
            temp.unlink()
            return actual
        os.replace(temp, target)
        return actual
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def _install_one(spec: ModelSpec, folder: Path, dest: Path) -> InstallResult:
    source = _find_in(folder, spec.file)
    target = dest / spec.file
    if source is None:
        return InstallResult(
            spec.name,
            "not-found",
            None,
            f"'{spec.filename}' is not in {folder}.",
        )
    if target.is_file() and _sha256(target) == spec.sha256:
        outcome, message = "already-installed", f"already installed at {target}."
    else:
        actual = _copy_checked(source, target, spec.sha256)
        if actual != spec.sha256:
            return InstallResult(
                spec.name,
                "corrupt",
                None,
                f"{source} is not the expected file: its sha256 is {actual}, the manifest "
                f"expects {spec.sha256}. It was not copied; get a fresh copy from "
                f"{spec.source}.",
            )
        outcome, message = "installed", f"copied {source} to {target} (sha256 checked)."
    licences: list[str] = []
    for relative in spec.licence_files:
        lic_source = _find_in(folder, relative)
        if lic_source is None:
            continue
        lic_target = dest / relative
        if not lic_target.is_file() or lic_target.read_bytes() != lic_source.read_bytes():
            _copy_checked(lic_source, lic_target, None)
        licences.append(relative)
    return InstallResult(spec.name, outcome, str(target), message, tuple(licences))


def install_from(
    folder: Path,
    names: Iterable[str] = (),
    registry: ModelRegistry | None = None,
    dest: Path | None = None,
) -> list[InstallResult]:
    """Copy the verified model files found in ``folder`` into the user model folder.

    ``names`` limits it to those models (each must be in the manifest). A model whose file is
    not in ``folder`` is reported as "not-found", one with other bytes as "corrupt"; neither
    stops the others. Raises when ``folder`` is not a folder or holds none of the files.
    """
    registry = registry or ModelRegistry()
    if not folder.is_dir():
        raise NciiDeskError(
            f"{folder} is not a folder.",
            "Give the folder that holds the model files (for example the unpacked models "
            "archive your clinic provides, or ../shared/models).",
        )
    wanted = list(names)
    specs = [registry.spec(n) for n in wanted] if wanted else list(registry)
    dest = dest or user_models_dir()
    results = [_install_one(spec, folder, dest) for spec in specs]
    if all(r.outcome == "not-found" for r in results):
        raise NciiDeskError(
            f"None of the model files the manifest lists was found in {folder}.",
            "Give the folder that holds them: the files are named in 'ncii-desk models list "
            "--json' (file), e.g. face_api_dlib_resnet/face_recognition_dlib_resnet_128d.onnx.",
        )
    return results


def describe_runtime(registry: ModelRegistry, statuses: list[ModelStatus]) -> dict[str, Any]:
    """Where analysis runs (provider, device, onnxruntime version, providers that failed).

    One real session is opened on the first working ONNX model: a provider this onnxruntime
    build lists (TensorRT, CUDA) may not work on this computer, and then the next one is used.
    Without a model that opens, ``provider_checked`` is false and ``next_provider`` says which
    would be tried first."""
    from ncii_desk.vision.runtime import Runtime  # onnxruntime only when asked

    runtime = Runtime(registry)
    probe = next((s.name for s in statuses if s.ok and registry.spec(s.name).format == "onnx"), "")
    if probe:
        with contextlib.suppress(NciiDeskError):
            runtime.session(probe)
    return runtime.describe()
