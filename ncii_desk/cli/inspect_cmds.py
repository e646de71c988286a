"""``ncii-desk inspect``: every manipulation signal of one image, without a vault.

Generator metadata and Content Credentials come from the file's bytes; source derivation
compares the image with the originals given. Nothing is stored; the heat-map is written
only where the person asks (``--heatmap``).
"""

from __future__ import annotations

import argparse
import sys
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING

from ncii_desk.cli.common import (
    EXIT_OK,
    EXIT_PARTIAL,
    Commands,
    cli_job,
    emit_json,
    new_file_target,
    say,
)
from ncii_desk.errors import InvalidSetting

if TYPE_CHECKING:
    from ncii_desk.services.inspection import Inspection


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
    return new_file_target(target, "the heat-map")


def _show(result: Inspection) -> None:
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
    heatmap = _heatmap_target(args.heatmap)
    from ncii_desk.services.inspection import inspect_image  # OpenCV and numpy on first use

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
