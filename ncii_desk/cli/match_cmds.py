"""``ncii-desk matches ...`` and ``ncii-desk hashlist ...``: a case's matches and the hash lists."""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path
from typing import Any

from ncii_desk.cli.common import (
    EXIT_CANCELLED,
    EXIT_OK,
    Commands,
    cli_job,
    emit_json,
    opened,
    say,
    say_unhashed,
    table,
)
from ncii_desk.errors import InvalidSetting
from ncii_desk.hardening import create_private_file


def _say_rematch_hashing(report: Any) -> None:
    if report.hashed:
        say(f"Hashed {report.hashed} item(s) that had no hashes yet.")
    for err in report.errors:
        hint = f"\n  {err['hint']}" if err.get("hint") else ""
        sys.stderr.write(f"note: not hashed: {err['error']}{hint}\n")
    if report.cancelled:
        say(f"Cancelled: {report.not_hashed} item(s) are still not hashed.")
    say_unhashed(0, report.hash_only_unhashable)


def cmd_matches(args: argparse.Namespace) -> int:
    from ncii_desk.services.matching import (
        HashingReport,
        hash_missing,
        list_index_notices,
        list_matches,
        match_case,
    )

    hashing = HashingReport()

    with opened(args) as vault:
        if args.rematch:
            with cli_job(args, "Hashing") as job:
                hashing = hash_missing(vault, args.case, job=job, match=False)
            match_case(vault, args.case)
            if not args.json:
                _say_rematch_hashing(hashing)
            for notice in list_index_notices(vault):
                sys.stderr.write(f"note: {notice}\n")
        views = list_matches(vault, args.case)
    # what was hashed before Ctrl-C is matched
    rc = EXIT_CANCELLED if hashing.cancelled else EXIT_OK
    if args.json:
        emit_json([v.as_dict() for v in views])
        return rc
    if not views:
        say("No matches in this case.")
        return rc
    rows = []
    for v in views:
        target = (v.target_item_id or "")[:12] or (v.target_external or "")[:40]
        measure = (
            f"distance {v.distance:g} (<= {v.threshold:g})"
            if v.distance is not None
            else f"score {v.score:g} (>= {v.threshold:g})"
        )
        rows.append([v.id[:12], v.suspect_item_id[:12], target, v.kind, measure, v.review_state])
    table(rows, ["MATCH", "SUSPECT", "MATCHES", "METHOD", "MEASURE", "REVIEW"])
    return rc


def cmd_match_review(args: argparse.Namespace) -> int:
    from ncii_desk.services.matching import review_match

    with opened(args) as vault:
        view = review_match(vault, args.match, args.decision == "confirm", args.note)
    if args.json:
        emit_json(view.as_dict())
    else:
        bank = "confirmed" if args.decision == "confirm" else "negative"
        say(f"Match {view.id[:12]} {view.review_state}; the pair is in the {bank} bank.")
    return EXIT_OK


def _matches_dispatch(args: argparse.Namespace) -> int:
    words = args.target
    if words[0] in ("confirm", "reject"):
        if len(words) != 2:
            raise InvalidSetting(
                f"Give one match id after '{words[0]}'.",
                "For example: ncii-desk matches confirm 3fa2c1",
            )
        args.decision, args.match = words
        return cmd_match_review(args)
    if len(words) != 1:
        raise InvalidSetting("Give one case.", 'For example: ncii-desk matches "Case 1"')
    args.case = words[0]
    return cmd_matches(args)


def cmd_hashlist_import(args: argparse.Namespace) -> int:
    from ncii_desk.services.hashlists import import_hash_list

    with opened(args) as vault, cli_job(args, "Importing hash list") as job:
        view, bad, new = import_hash_list(vault, Path(args.file), args.name, job)
    if args.json:
        emit_json({"list": view.as_dict(), "bad_lines": bad, "new_matches": new})
        return EXIT_OK
    say(f"Imported '{view.name}': {view.entry_count} hash(es); {new} new match(es) in cases.")
    for b in bad[:20]:
        sys.stderr.write(f"line {b['line']}: {b['message']}\n")
    if len(bad) > 20:
        sys.stderr.write(f"... and {len(bad) - 20} more bad line(s) skipped\n")
    return EXIT_OK


def cmd_hashlist_export(args: argparse.Namespace) -> int:
    from ncii_desk.services.hashlists import export_case_hashes

    with opened(args) as vault:
        if args.out:
            target = Path(args.out).expanduser()
            if target.exists() and not args.overwrite:
                raise InvalidSetting(f"{target} already exists.", "Choose a new file name.")
            raw = create_private_file(target, exclusive=False)  # 0600: a case's hashes
            with io.TextIOWrapper(raw, encoding="utf-8", newline="") as fh:
                count = export_case_hashes(
                    vault,
                    args.case,
                    args.format,
                    fh,
                    args.label,
                    canonical_only=args.canonical_only,
                )
        else:
            count = export_case_hashes(
                vault,
                args.case,
                args.format,
                sys.stdout,
                args.label,
                canonical_only=args.canonical_only,
            )
    if args.out:
        say(f"Wrote {count} hash(es) to {args.out} (hashes only, no images, no file names).")
    return EXIT_OK


def cmd_hashlist_list(args: argparse.Namespace) -> int:
    from ncii_desk.services.hashlists import list_hash_lists

    with opened(args) as vault:
        views = list_hash_lists(vault)
    if args.json:
        emit_json([v.as_dict() for v in views])
    else:
        table(
            [
                [
                    v.id[:12],
                    v.name,
                    v.format,
                    str(v.entry_count),
                    str(v.bad_lines),
                    v.imported_at or "",
                ]
                for v in views
            ],
            ["ID", "NAME", "FORMAT", "ENTRIES", "BAD LINES", "IMPORTED"],
        )
    return EXIT_OK


def register(commands: Commands) -> None:
    """Add ``matches`` and the ``hashlist`` group."""
    command, group, sub, common = commands.command, commands.group, commands.sub, commands.common
    matches_p = sub.add_parser(
        "matches",
        help="list a case's matches, or review one",
        description="list a case's matches (ncii-desk matches CASE) or "
        "review one (ncii-desk matches confirm|reject MATCH)",
        parents=[common],
    )
    matches_p.add_argument("target", nargs="+", metavar="CASE | confirm MATCH | reject MATCH")
    matches_p.add_argument("--json", action="store_true", help="machine-readable output")
    matches_p.add_argument(
        "--rematch", action="store_true", help="compare the case again first (after changing lists)"
    )
    matches_p.add_argument("--note", default="", help="why (recorded with a review)")
    matches_p.set_defaults(handler=_matches_dispatch)

    list_g = group("hashlist", "import, export and list hash lists (hashes, never images)")
    p = command(
        list_g,
        "import",
        cmd_hashlist_import,
        "import a hash list; every case is matched against it",
    )
    p.add_argument("file", help="'pdq <hex>' / 'video_md5 <hex>' lines, or CSV")
    p.add_argument("--name", help="name to show for the list (default: the file name)")
    p = command(
        list_g,
        "export",
        cmd_hashlist_export,
        "export the hashes of a case's originals to share without images",
        json_opt=False,
    )
    p.add_argument("case", help="case id, id prefix or label")
    p.add_argument("--format", choices=["pytx", "csv"], default="pytx")
    p.add_argument("--out", help="file to write (default: standard output)")
    p.add_argument("--label", default="", help="label for every entry (CSV only)")
    p.add_argument(
        "--canonical-only",
        action="store_true",
        help="one hash per picture, without the tagged variant hashes (crops, turns)",
    )
    p.add_argument("--overwrite", action="store_true")
    command(list_g, "list", cmd_hashlist_list, "list imported hash lists")
