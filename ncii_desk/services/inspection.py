"""Inspecting one image without a vault (``ncii-desk inspect``): generator metadata, Content
Credentials, and source derivation against the originals given. Nothing is stored; the
heat-map is written only to the new file the caller names.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ncii_desk.errors import InputFileError, MediaTooLarge, NciiDeskError
from ncii_desk.hardening import create_private_file

if TYPE_CHECKING:
    from ncii_desk.vision.derivation import DerivationResult
    from ncii_desk.vision.signals import Signal

__all__ = ["Inspection", "InspectionProblem", "inspect_image"]


@dataclass
class InspectionProblem:
    """One input that could not be used; the others are still inspected."""

    role: str  # "image" or "original"
    path: str
    error: NciiDeskError

    def as_dict(self) -> dict[str, str]:
        return {"role": self.role, "path": self.path} | self.error.as_dict()


@dataclass
class Inspection:
    """What was found about one image (``signals`` strongest first)."""

    path: str
    image: dict[str, Any] = field(default_factory=dict)
    signals: list[Signal] = field(default_factory=list)
    metadata: dict[str, Any] | None = None
    derivation: DerivationResult | None = None
    originals: list[dict[str, Any]] = field(default_factory=list)
    problems: list[InspectionProblem] = field(default_factory=list)
    heatmap: str | None = None
    notes: list[str] = field(default_factory=list)


def _read_bytes(path: Path) -> bytes:
    from ncii_desk.media.loader import DEFAULT_LIMITS

    try:
        size = path.stat().st_size
        if path.is_dir():
            raise InputFileError(f"{path} is a folder, not an image file.")
        if size > DEFAULT_LIMITS.max_image_bytes:
            raise MediaTooLarge(f"{path} is larger than NCII Desk reads as one image.")
        return path.read_bytes()
    except FileNotFoundError:
        raise InputFileError(f"The file {path} does not exist.") from None
    except OSError as exc:
        raise InputFileError(f"The file {path} cannot be read: {exc.strerror}.") from None


def _write_png(target: Path, pixels: Any) -> None:
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(pixels).save(buf, "PNG")
    try:
        # Exclusive: never replace a file that appeared meanwhile; 0600 whatever the umask.
        with create_private_file(target) as fh:
            fh.write(buf.getvalue())
    except OSError as exc:
        raise InputFileError(
            f"The heat-map could not be written to {target}: {exc.strerror}.",
            "Choose a folder you can write to.",
        ) from None


def inspect_image(
    path: Path, originals: list[Path], heatmap: Path | None, job: Any = None
) -> Inspection:
    from ncii_desk.media.loader import load_image
    from ncii_desk.vision import derivation
    from ncii_desk.vision.metadata import read_generator_metadata

    out = Inspection(path=str(path))
    data = _read_bytes(path)  # nothing to report at all without the file: raises
    meta = read_generator_metadata(data, path.name)
    out.metadata = meta.as_dict()
    out.signals.extend(meta.signals())
    out.image = {"path": str(path), "mime": meta.mime, "size": len(data)}
    try:
        suspect = load_image(path).pixels
        out.image |= {"width": int(suspect.shape[1]), "height": int(suspect.shape[0])}
    except NciiDeskError as exc:
        out.problems.append(InspectionProblem("image", str(path), exc))
        suspect = None

    prepared: list[tuple[str, derivation.PreparedOriginal]] = []
    for original in originals:
        try:
            pixels = load_image(original).pixels
            prepared.append((str(original), derivation.prepare(pixels)))
            out.originals.append({"path": str(original), "read": True})
        except NciiDeskError as exc:
            out.problems.append(InspectionProblem("original", str(original), exc))
            out.originals.append({"path": str(original), "read": False})

    if suspect is not None and prepared:
        found = derivation.find_source(suspect, prepared, job=job)
        out.derivation = found
        if found is not None:
            out.signals.insert(0, found.signal())
            if heatmap is not None:
                _write_png(heatmap, derivation.render_heatmap(suspect, found))
                out.heatmap = str(heatmap)
        else:
            out.signals.insert(0, _no_source_signal(len(prepared)))
    if heatmap is not None and out.heatmap is None:
        out.notes.append("No heat-map was written: no original was found to explain the image.")
    return out


def _no_source_signal(count: int) -> Signal:
    from ncii_desk.vision.signals import Signal, Strength

    return Signal(
        kind="derivation",
        finding=f"None of the {count} original(s) given was found to be the source of this image.",
        strength=Strength.NONE,
        caveat="The image may still be made from another photo that was not given, or be "
        "changed so much (heavy crop, rotation, redrawing) that too little of the original "
        "is left to recognise.",
        value={"originals_compared": count},
    )
