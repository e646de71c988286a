"""``ncii-desk inspect``: every manipulation signal of one image, without a vault.

Generator metadata and Content Credentials come from the file's bytes; source derivation
compares the image with the originals given. Nothing is stored; the heat-map is written
only where the person asks (``--heatmap``).
"""

from __future__ import annotations

import argparse
import io
import sys
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ncii_desk.errors import InputFileError, InvalidSetting, MediaTooLarge, NciiDeskError
from ncii_desk.hardening import create_private_file

if TYPE_CHECKING:
    from ncii_desk.cli.main import Commands
    from ncii_desk.vision.derivation import DerivationResult
    from ncii_desk.vision.signals import Signal

EXIT_OK = 0
EXIT_PARTIAL = 7  # as in main.py: finished, but some inputs could not be used


@dataclass
class _Problem:
    role: str  # "image" or "original"
    path: str
    error: NciiDeskError

    def as_dict(self) -> dict[str, str]:
        return {"role": self.role, "path": self.path} | self.error.as_dict()


@dataclass
class _Inspection:
    path: str
    image: dict[str, Any] = field(default_factory=dict)
    signals: list[Signal] = field(default_factory=list)
    metadata: dict[str, Any] | None = None
    derivation: DerivationResult | None = None
    originals: list[dict[str, Any]] = field(default_factory=list)
    problems: list[_Problem] = field(default_factory=list)
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


def _heatmap_target(text: str | None) -> Path | None:
    """Checked before any work, so a long run never ends on a path that cannot be used."""
    if not text:
        return None
    target = Path(text).expanduser()
    if target.suffix.lower() != ".png":
        raise InvalidSetting(
            f"The heat-map is written as a PNG picture; {target} does not end in .png.",
            "Give a file name ending in .png.",
        )
    from ncii_desk.cli.main import new_file_target

    return new_file_target(target, "the heat-map")


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
) -> _Inspection:
    from ncii_desk.media.loader import load_image
    from ncii_desk.vision import derivation
    from ncii_desk.vision.metadata import read_generator_metadata

    out = _Inspection(path=str(path))
    data = _read_bytes(path)  # nothing to report at all without the file: raises
    meta = read_generator_metadata(data, path.name)
    out.metadata = meta.as_dict()
    out.signals.extend(meta.signals())
    out.image = {"path": str(path), "mime": meta.mime, "size": len(data)}
    try:
        suspect = load_image(path).pixels
        out.image |= {"width": int(suspect.shape[1]), "height": int(suspect.shape[0])}
    except NciiDeskError as exc:
        out.problems.append(_Problem("image", str(path), exc))
        suspect = None

    prepared: list[tuple[str, derivation.PreparedOriginal]] = []
    for original in originals:
        try:
            pixels = load_image(original).pixels
            prepared.append((str(original), derivation.prepare(pixels)))
            out.originals.append({"path": str(original), "read": True})
        except NciiDeskError as exc:
            out.problems.append(_Problem("original", str(original), exc))
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


def _show(result: _Inspection) -> None:
    from ncii_desk.cli.main import say

    info = result.image
    size = f", {info['width']}x{info['height']}" if "width" in info else ""
    say(f"{result.path}: {info.get('mime', 'unknown type')}, {info.get('size', 0):,} bytes{size}")
    wrap = textwrap.TextWrapper(width=100, initial_indent="  ", subsequent_indent=" " * 11)
    for sig in result.signals:
        say()
        say(wrap.fill(f"{sig.strength.value.upper():<8} {sig.finding}"))
        if sig.kind == "derivation" and result.derivation is not None:
            boxes = "; ".join(
                f"x {x}, y {y}, {w}x{h}" for x, y, w, h in result.derivation.altered_boxes
            )
            if boxes:
                say(wrap.fill(f"{'':<8} Altered regions (pixels): {boxes}"))
        say(wrap.fill(f"{'':<8} Limits: {sig.caveat}"))
    if result.metadata and result.metadata["problems"]:
        say()
        say("Damaged metadata:")
        for text in result.metadata["problems"]:
            say(f"  - {text}")
    for note in result.notes:
        say()
        say(note)
    if result.heatmap:
        say()
        say(
            f"Heat-map saved to {result.heatmap} (differences in colour, altered regions "
            "outlined). It shows the image: store it as carefully as the image itself."
        )


def cmd_inspect(args: argparse.Namespace) -> int:
    from ncii_desk.cli.main import cli_job, emit_json

    heatmap = _heatmap_target(args.heatmap)
    with cli_job(args, "Inspecting") as job:
        result = inspect_image(
            Path(args.image), [Path(p) for p in args.original or []], heatmap, job
        )
    if args.json:
        emit_json(
            {
                "image": result.image,
                "signals": [s.as_dict() for s in result.signals],
                "derivation": result.derivation.as_dict() if result.derivation else None,
                "metadata": result.metadata,
                "originals": result.originals,
                "heatmap": result.heatmap,
                "notes": result.notes,
                "errors": [p.as_dict() for p in result.problems],
            }
        )
    else:
        _show(result)
    for problem in result.problems:
        sys.stderr.write(
            f"error: {problem.role} {problem.path}: {problem.error.message}\n"
            f"  {problem.error.hint}\n"
        )
    return EXIT_PARTIAL if result.problems else EXIT_OK


def register(commands: Commands) -> None:
    p = commands.command(
        commands.sub,
        "inspect",
        cmd_inspect,
        "show every manipulation signal of one image (no vault needed): generator metadata, "
        "Content Credentials, and what differs from the originals given",
    )
    p.add_argument("image", metavar="IMG", help="the image to inspect")
    p.add_argument(
        "--original",
        nargs="+",
        action="extend",
        metavar="IMG",
        help="the person's own photos it may have been made from (repeatable)",
    )
    p.add_argument(
        "--heatmap",
        metavar="OUT.png",
        help="also save a picture of the differences from the original found (a new file)",
    )
