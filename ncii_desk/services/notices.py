"""NCII Desk's own licence and the third-party notices: every package and model it ships.

The notices are built from what is installed, not from a hand-kept list: the dependency closure
of the ``ncii-desk`` distribution (its runtime requirements, markers evaluated for this
computer, followed through every installed dependency), each with its licence expression and
the licence files its wheel carries; the native libraries inside those wheels, with the GPL
ones (libx264, libx265 in PyAV's FFmpeg and in pillow-heif) called out; and every model the
manifest marks as bundled, with its source, licence, licence files and training-data caveat.

``packaging/notices.py`` writes this text to THIRD-PARTY-NOTICES.txt for the installers; the
About dialog shows the shipped file, or builds the same text from the installed packages when
NCII Desk was installed with pip.
"""

from __future__ import annotations

import re
import sys
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path, PurePosixPath

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

import ncii_desk

NOTICES_NAME = "THIRD-PARTY-NOTICES.txt"
LICENCE_NAME = "LICENSE"
PROJECT = "ncii-desk"
PROJECT_LICENCE = "GPL-3.0-or-later"

_LICENCE_FILE = re.compile(r"(licen[cs]e|copying|notice|copyright|authors)", re.IGNORECASE)
_NATIVE = re.compile(r"\.(so(\.[0-9]+)*|dylib|dll)$", re.IGNORECASE)
#: Native libraries whose licence is copyleft and so decides how the whole is distributed.
_GPL_LIBRARIES = {
    "x264": "GPL-2.0-or-later (the H.264 encoder)",
    "x265": "GPL-2.0-or-later (the HEVC/H.265 encoder)",
}
_RULE = "=" * 78


@dataclass(frozen=True)
class Component:
    """One installed distribution the app ships."""

    name: str
    version: str
    licence: str
    licence_texts: tuple[tuple[str, str], ...]  # (file name, text)
    native_libraries: tuple[str, ...]  # file names of the shared libraries inside the wheel

    @property
    def gpl_libraries(self) -> tuple[tuple[str, str], ...]:
        found: list[tuple[str, str]] = []
        for lib in self.native_libraries:
            stem = lib.lower()
            for key, licence in _GPL_LIBRARIES.items():
                if re.search(rf"(^|lib){key}([^a-z0-9]|$)", stem):
                    found.append((lib, licence))
        return tuple(found)


@dataclass(frozen=True)
class ModelNotice:
    """One bundled model of the manifest."""

    name: str
    file: str
    sha256: str
    source: str
    licence: str
    provenance: str  # training data and caveats, as the manifest words them
    licence_texts: tuple[tuple[str, str], ...]
    missing_licence_files: tuple[str, ...]


# --- packages ---------------------------------------------------------------------------------


def _licence_of(dist: metadata.Distribution) -> str:
    meta = dist.metadata
    expression = meta["License-Expression"]
    if expression:
        return str(expression).strip()
    classifiers = [
        c.split("::")[-1].strip()
        for c in meta.get_all("Classifier") or []
        if c.startswith("License ::") and c.split("::")[-1].strip() != "OSI Approved"
    ]
    short = str(meta["License"] or "").strip()
    if short and "\n" not in short and len(short) <= 100 and short.upper() != "UNKNOWN":
        return short
    if classifiers:
        return "; ".join(classifiers)
    return "not stated in the package metadata (see the licence text below)"


def _read(dist: metadata.Distribution, relative: str) -> str | None:
    try:
        return dist.read_text(relative)
    except (OSError, UnicodeDecodeError):
        return None


def _licence_texts(dist: metadata.Distribution) -> tuple[tuple[str, str], ...]:
    texts: dict[str, str] = {}
    for declared in dist.metadata.get_all("License-File") or []:
        for relative in (f"licenses/{declared}", declared):
            text = _read(dist, relative)
            if text is not None:
                texts.setdefault(declared, text)
                break
    for path in dist.files or []:
        pure = PurePosixPath(str(path))
        in_metadata = any(part.endswith((".dist-info", ".egg-info")) for part in pure.parts)
        if not in_metadata or pure.suffix in {".py", ".pyc"} or "__pycache__" in pure.parts:
            continue
        if not _LICENCE_FILE.search(pure.name):
            continue
        inner = "/".join(pure.parts[1:])
        if inner in texts or pure.name in texts:
            continue
        try:
            text = path.read_text("utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        texts[inner] = text
    return tuple(texts.items())


def _native_libraries(dist: metadata.Distribution) -> tuple[str, ...]:
    libs: list[str] = []
    for path in dist.files or []:
        pure = PurePosixPath(str(path))
        # auditwheel (name.libs/), delocate (.dylibs/) and delvewheel (name.libs/) put the
        # shared libraries they vendor in folders of their own.
        vendored = any(p.endswith(".libs") or p == ".dylibs" for p in pure.parts[:-1])
        if vendored and _NATIVE.search(pure.name):
            libs.append(pure.name)
    return tuple(sorted(set(libs)))


def _component(dist: metadata.Distribution) -> Component:
    return Component(
        name=str(dist.metadata["Name"]),
        version=dist.version,
        licence=_licence_of(dist),
        licence_texts=_licence_texts(dist),
        native_libraries=_native_libraries(dist),
    )


def _wanted(requirement: Requirement, extras: Iterable[str]) -> bool:
    if requirement.marker is None:
        return True
    marker = requirement.marker
    return any(marker.evaluate({"extra": extra}) for extra in (*extras, ""))


def _checkout_requirements() -> list[str] | None:
    """The runtime requirements of pyproject.toml when running from a checkout.

    An editable install's metadata is written once, at install time; the checkout's
    pyproject.toml is what a build from it ships, so it wins there.
    """
    root = Path(ncii_desk.__file__).resolve().parent.parent
    pyproject = root / "pyproject.toml"
    if getattr(sys, "frozen", False) or not pyproject.is_file():
        return None
    try:
        data = tomllib.loads(pyproject.read_text("utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return None
    deps = data.get("project", {}).get("dependencies")
    return [str(d) for d in deps] if isinstance(deps, list) else None


def dependency_closure(
    root: str = PROJECT, extras: Sequence[str] = ()
) -> tuple[list[metadata.Distribution], list[str]]:
    """The installed distributions ``root`` needs at run time, ``root`` itself left out.

    Requirements whose marker does not hold on this computer (another operating system, an
    extra not asked for) are skipped. Returns the distributions sorted by name and the
    requirements that apply here but are not installed (normally none).
    """
    seen: dict[str, metadata.Distribution] = {}
    missing: list[str] = []
    queue: list[tuple[str, tuple[str, ...]]] = [(root, tuple(extras))]
    visited: set[tuple[str, tuple[str, ...]]] = set()
    while queue:
        name, wanted_extras = queue.pop()
        key = (canonicalize_name(name), tuple(sorted(wanted_extras)))
        if key in visited:
            continue
        visited.add(key)
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            missing.append(name)
            continue
        lines = dist.requires or []
        if key[0] != canonicalize_name(root):
            seen.setdefault(key[0], dist)
        elif root == PROJECT:
            lines = _checkout_requirements() or lines
        for line in lines:
            try:
                requirement = Requirement(line)
            except InvalidRequirement:
                continue
            if _wanted(requirement, wanted_extras):
                queue.append((requirement.name, tuple(sorted(requirement.extras))))
    ordered = [seen[k] for k in sorted(seen)]
    return ordered, sorted(set(missing))


def runtime_components(extra_distributions: Sequence[str] = ()) -> list[Component]:
    """Every distribution of the closure, plus ``extra_distributions`` (e.g. PyInstaller)."""
    dists, _ = dependency_closure()
    names = {canonicalize_name(str(d.metadata["Name"])) for d in dists}
    for extra in extra_distributions:
        if canonicalize_name(extra) in names:
            continue
        try:
            dists.append(metadata.distribution(extra))
        except metadata.PackageNotFoundError:
            continue
    return [_component(d) for d in dists]


# --- models -----------------------------------------------------------------------------------


def bundled_models(manifest: Path | None = None) -> list[ModelNotice]:
    """The models the manifest marks ``bundled = true``, with their licence files' text."""
    from ncii_desk.vision.registry import ModelRegistry

    registry = ModelRegistry(manifest)
    folders = [f for f in registry.search_path() if f.is_dir()]
    notices: list[ModelNotice] = []
    for spec in registry:
        if not spec.bundled:
            continue
        texts: list[tuple[str, str]] = []
        absent: list[str] = []
        for relative in spec.licence_files:
            found = next((f / relative for f in folders if (f / relative).is_file()), None)
            if found is None:
                absent.append(relative)
                continue
            texts.append((relative, found.read_text("utf-8", errors="replace")))
        provenance = "\n\n".join(
            part.strip() for part in (spec.training_domain, spec.caveats) if part.strip()
        )
        notices.append(
            ModelNotice(
                name=spec.name,
                file=spec.file,
                sha256=spec.sha256,
                source=spec.source,
                licence=spec.licence,
                provenance=provenance,
                licence_texts=tuple(texts),
                missing_licence_files=tuple(absent),
            )
        )
    return notices


# --- the text ---------------------------------------------------------------------------------


def _heading(title: str) -> list[str]:
    return ["", _RULE, title, _RULE, ""]


def build_notices(
    components: Sequence[Component] | None = None,
    models: Sequence[ModelNotice] | None = None,
) -> str:
    """The whole THIRD-PARTY-NOTICES text."""
    components = list(components) if components is not None else runtime_components()
    models = list(models) if models is not None else bundled_models()
    platform = f"{sys.platform}, Python {sys.version.split()[0]}"
    out: list[str] = [
        f"NCII Desk {ncii_desk.__version__}: third-party notices",
        "",
        f"NCII Desk is free software under the GNU General Public License, version 3 or (at "
        f"your option) any later version ({PROJECT_LICENCE}); see the LICENSE file.",
        "It includes the software packages and analysis models listed below, each under its "
        "own licence, whose text follows.",
        f"Made from the packages installed for {platform}.",
    ]
    gpl = [(c, lib, lic) for c in components for lib, lic in c.gpl_libraries]
    out += _heading("GPL components inside the bundled wheels")
    if gpl:
        out.append(
            "These native libraries are licensed under the GNU GPL, version 2 or later. They "
            "are distributed here, as part of NCII Desk, under the GNU GPL version 3 (whose "
            "text is in LICENSE); their source code is available from the projects that build "
            "the wheels (PyAV: github.com/PyAV-Org/pyav-ffmpeg; pillow-heif: "
            "github.com/bigcat88/pillow_heif), and on request from the NCII Desk publisher."
        )
        out.append("")
        for component, lib, licence in gpl:
            out.append(f"- {lib} in {component.name} {component.version}: {licence}")
    else:
        out.append("None found in the installed wheels.")
    out += _heading(f"Bundled models ({len(models)})")
    for model in models:
        out += [
            f"Model: {model.name}",
            f"  file: {model.file} (sha256 {model.sha256})",
            f"  source: {model.source}",
            f"  licence: {model.licence}",
            "  training data and caveats:",
        ]
        out += ["    " + line for line in model.provenance.splitlines()]
        for missing in model.missing_licence_files:
            out.append(
                f"  licence file {missing}: not on this computer; it travels with the model "
                "files (see docs/models.md)."
            )
        for file_name, text in model.licence_texts:
            out += ["", f"  --- {file_name} ---", text.rstrip()]
        out.append("")
    out += _heading(f"Software packages ({len(components)})")
    for component in components:
        out.append(f"- {component.name} {component.version}: {component.licence}")
    for component in components:
        out += _heading(f"{component.name} {component.version}")
        out.append(f"Licence: {component.licence}")
        if component.native_libraries:
            out.append(
                "Native libraries inside the wheel: " + ", ".join(component.native_libraries)
            )
        if not component.licence_texts:
            out.append("(This package's metadata carries no licence file; its licence is above.)")
        for file_name, text in component.licence_texts:
            out += ["", f"--- {file_name} ---", text.rstrip()]
    return "\n".join(out).rstrip() + "\n"


# --- what this copy ships ---------------------------------------------------------------------


def _shipped(name: str) -> Path | None:
    bundle = getattr(sys, "_MEIPASS", None)
    package = Path(ncii_desk.__file__).resolve().parent
    candidates = [Path(bundle) / name] if bundle else []
    candidates.append(package / "_data" / name)
    if (package.parent / "pyproject.toml").is_file():  # a checkout or an editable install
        candidates.append(package.parent / name)
    return next((p for p in candidates if p.is_file()), None)


def notices_text() -> str:
    """The shipped THIRD-PARTY-NOTICES file, or the same text built from what is installed."""
    path = _shipped(NOTICES_NAME)
    if path is not None:
        return path.read_text("utf-8", errors="replace")
    return build_notices()


def licence_text() -> str:
    """The text of NCII Desk's own licence (the GPL version 3)."""
    path = _shipped(LICENCE_NAME)
    if path is not None:
        return path.read_text("utf-8", errors="replace")
    try:
        dist = metadata.distribution(PROJECT)
    except metadata.PackageNotFoundError:
        dist = None
    for relative in (f"licenses/{LICENCE_NAME}", LICENCE_NAME):
        text = _read(dist, relative) if dist is not None else None
        if text:
            return text
    return (
        f"NCII Desk is licensed {PROJECT_LICENCE}. The licence text was not found in this "
        "installation; read it at https://www.gnu.org/licenses/gpl-3.0.txt."
    )
