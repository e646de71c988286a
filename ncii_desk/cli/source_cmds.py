"""Where a file added by hand was found online: ``add ... --source-url/--page-url/--sources``
and ``ncii-desk item source`` (set or correct it later)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from ncii_desk.errors import InvalidSetting
from ncii_desk.lazy import lazy_module

if TYPE_CHECKING:
    from ncii_desk.cli.common import Commands
    from ncii_desk.services import found_at
else:
    found_at = lazy_module("ncii_desk.services.found_at")  # on first use, not at start-up


def add_options(p: argparse.ArgumentParser) -> None:
    """The ``add`` command's options for where the files were found."""
    p.add_argument(
        "--source-url",
        metavar="URL",
        help="the web address where this one file was found (the picture's or video's own "
        "address; for a screenshot, the page's); used in removal letters",
    )
    p.add_argument(
        "--page-url",
        metavar="URL",
        help="with --source-url: the address of the page the file was shown on",
    )
    p.add_argument(
        "--sources",
        metavar="FILE.csv",
        help="for several files: a CSV file with the columns path,source_url,page_url "
        "(paths absolute or from the CSV file's folder)",
    )


def found_at_for(args: argparse.Namespace) -> found_at.SourceMap | None:
    """The addresses given to ``add``, by resolved file path (checked per file by intake)."""
    if args.sources and (args.source_url is not None or args.page_url is not None):
        raise InvalidSetting(
            "--sources cannot be combined with --source-url or --page-url.",
            "Give the addresses of several files in the CSV file, or those of one file with "
            "--source-url.",
        )
    if args.sources:
        return found_at.read_sources_csv(Path(args.sources).expanduser())
    if args.source_url is None:
        if args.page_url is not None:
            raise InvalidSetting(
                "--page-url needs --source-url.",
                "Give the file's own address with --source-url (for a screenshot, the page's "
                "address), and the page with --page-url.",
            )
        return None
    if len(args.paths) != 1 or Path(args.paths[0]).is_dir():
        raise InvalidSetting(
            "--source-url is for one file; here several files or a folder were given.",
            "Add the files one by one with --source-url, or give every file's address in a "
            "CSV file with --sources FILE.csv (columns path,source_url,page_url).",
        )
    path = Path(args.paths[0]).expanduser().resolve()
    return {path: found_at.FoundAt(args.source_url, args.page_url or "")}


def _address(value: str) -> str:
    return value or "-"


def cmd_item_source(args: argparse.Namespace) -> int:
    from ncii_desk.cli.common import emit_json, opened, say

    with opened(args) as vault:
        change = found_at.set_found_at(vault, args.item, args.source_url, args.page_url)
    if args.json:
        emit_json(change.as_dict())
        return 0
    if not change.changed:
        say(f"Item {change.item_id[:12]}: the addresses are the same as before; nothing changed.")
        return 0
    say(f"Item {change.item_id[:12]}: where it was found is now recorded.")
    for key, label in (("source_url", "own address"), ("page_url", "page")):
        old, new = change.old[key], change.new[key]
        note = "" if old != new else "  (unchanged)"
        say(f"  {label + ':':<13} {_address(old)} -> {_address(new)}{note}")
    say("Recorded in the audit log with the old and the new addresses.")
    return 0


def register(commands: Commands) -> None:
    p = commands.command(
        commands.groups["item"],
        "source",
        cmd_item_source,
        "set or correct where a file added by hand was found online (recorded)",
    )
    p.add_argument("item", help="item id or id prefix")
    p.add_argument(
        "--source-url",
        required=True,
        metavar="URL",
        help="the file's own web address (for a screenshot, the page's address)",
    )
    p.add_argument(
        "--page-url",
        metavar="URL",
        default=None,
        help="the page it was shown on (leave out to keep the one recorded; '' removes it)",
    )
