"""``ncii-desk case ...``, ``add`` and ``item ...``: cases and the evidence in them."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ncii_desk import cmdline
from ncii_desk.cli import case_member_cmds, source_cmds
from ncii_desk.cli.common import (
    EXIT_CANCELLED,
    EXIT_OK,
    EXIT_PARTIAL,
    Commands,
    cli_job,
    emit_json,
    opened,
    say,
    say_unhashed,
    show_record,
    table,
    warn,
)
from ncii_desk.errors import InvalidSetting, NciiDeskError
from ncii_desk.lazy import lazy_module
from ncii_desk.services.values import Answer, Role, TakenBy

if TYPE_CHECKING:
    from ncii_desk.services import cases, intake, items
else:  # loaded on first use: --help and --version need none of them
    cases = lazy_module("ncii_desk.services.cases")
    intake = lazy_module("ncii_desk.services.intake")
    items = lazy_module("ncii_desk.services.items")


def cmd_case_new(args: argparse.Namespace) -> int:
    with opened(args) as vault:
        view = cases.new_case(
            vault,
            args.label,
            client_pseudonym=args.pseudonym,
            jurisdiction=args.jurisdiction,
            notes=args.notes,
            suspected_minor=args.suspected_minor,
        )
    if args.json:
        emit_json(view.as_dict())
    else:
        say(f"Case created: {view.label} (id {view.id})")
    return EXIT_OK


def cmd_case_list(args: argparse.Namespace) -> int:
    with opened(args) as vault:
        views = cases.list_cases(vault)
    if args.json:
        emit_json([v.as_dict() for v in views])
        return EXIT_OK
    if not views:
        say("No cases yet. Create one with: ncii-desk case new LABEL")
        return EXIT_OK
    rows = [
        [
            v.id[:12],
            v.label,
            v.client_pseudonym,
            str(v.originals),
            str(v.references),
            str(v.suspects),
            str(v.open_requests),
            v.nearest_deadline or "-",
            "yes" if v.suspected_minor else "",
        ]
        for v in views
    ]
    table(
        rows,
        ["ID", "LABEL", "PSEUDONYM", "ORIG", "REF", "SUSP", "OPEN REQ", "NEXT DEADLINE", "MINOR"],
    )
    return EXIT_OK


def cmd_case_show(args: argparse.Namespace) -> int:
    with opened(args) as vault:
        view = cases.get_case(vault, args.case)
    show_record(args, view.as_dict())
    if not args.json:
        say_unhashed(view.unhashed, view.unhashed_hash_only, [view.id])
    return EXIT_OK


def cmd_case_set(args: argparse.Namespace) -> int:
    """Switch a case's "may be under 18" setting; on deletes every stored picture and video
    of the case (and the same files in other cases) and keeps the hashes."""
    from ncii_desk.services import minor

    with opened(args) as vault:
        if args.dry_run:
            if not args.suspected_minor:
                raise NciiDeskError(
                    "--dry-run only shows what --suspected-minor would delete.",
                    "Run it with --suspected-minor --dry-run.",
                )
            plan = minor.minor_plan(vault, args.case)
            if args.json:
                emit_json(plan.as_dict())
                return EXIT_OK
            say(f"Marking case {plan.label} as possibly showing a person under 18 would delete:")
            say(f"  {plan.stored_files} stored file(s) of {plan.items_with_files} item(s)")
            say(f"  {plan.archives} web archive(s) (WARC)")
            say(f"  {plan.face_references} picked face(s), {plan.pixel_records} record(s) of face")
            say("  data or picture keypoints")
            for other in plan.other_cases:
                say(f"  and {other.items} item(s) with the same file in case {other.label}")
            say(f"{plan.hashes_kept} perceptual hash(es) would be kept. Nothing was changed.")
            return EXIT_OK
        result = minor.set_case_minor(vault, args.case, args.suspected_minor, reason=args.reason)
    if args.json:
        emit_json(result.as_dict())
    else:
        say(result.message)
        for case_id, ids in sorted(result.other_cases.items()):
            say(f"  case {case_id[:12]}: {len(ids)} item(s) with the same file(s) switched too")
        if result.value and result.changed:
            say("This cannot be undone: switching the setting off later restores nothing.")
        say("Recorded in the audit log.")
    for text in result.warnings:
        warn(text)
    return EXIT_OK


def cmd_add(args: argparse.Namespace) -> int:
    role = Role(args.role)
    marks = _copyright_options(args)
    if role != Role.ORIGINAL and any(v is not None for v in marks.values()):
        raise InvalidSetting(
            "--taken-by and --client-holds-copyright are for originals only.",
            "Add the files as 'original', or leave these options out.",
        )
    hashing: dict[str, Any] | None = None
    where = source_cmds.found_at_for(args)
    with opened(args) as vault:
        with cli_job(args, f"Adding {role.value}s") as job:
            result = intake.add_items(
                vault,
                args.case,
                role,
                [Path(p) for p in args.paths],
                suspected_minor=args.suspected_minor,
                job=job,
                found_at=where,
                again=args.again,
                as_document=args.as_document,
            )
        if result.sources and not args.no_hash and not result.cancelled:
            from ncii_desk.services.matching import hash_items

            with cli_job(args, "Hashing") as job:
                hashing = hash_items(vault, result.sources, job=job).as_dict()
        marked = _add_copyright(vault, result, marks)
    if args.json:
        emit_json(result.as_dict() | {"hashing": hashing})
    else:
        say(
            f"Added {len(result.added)} item(s) as {role.value}"
            + (
                f", {result.duplicates} of them duplicates of items already in the case "
                "in another role"
                if result.duplicates
                else ""
            )
            + "."
        )
        for already in result.already_in_case:
            say(
                f"already in this case: {already.path} (same file as item "
                f"{already.item_id[:12]}); not added again"
            )
        if result.already_in_case:
            say(
                f"{len(result.already_in_case)} file(s) were already in this case as "
                f"{role.value} and were not added again (use --again to add them anyway)."
            )
        documents = sum(1 for i in result.added if i.document)
        if documents:
            say(f"{documents} item(s) were kept as documents: they are not hashed or matched.")
        if marked:
            say(
                f"Recorded for {marked} original(s): taken by {marks['taken_by'] or 'unknown'}; "
                f"the client holds the copyright: {marks['client_holds_copyright'] or 'unknown'}."
            )
        elif role == Role.ORIGINAL and result.added:
            say(
                "Copyright not recorded: before a DMCA notice, mark each original with "
                "'ncii-desk item copyright ITEM --taken-by client|other|unknown "
                "--client-holds-copyright yes|no|unknown'."
            )
        not_kept = sum(1 for i in result.added if not i.pixels_kept)
        if not_kept:
            say(
                f"{not_kept} item(s) were recorded by hashes only; their files were not kept "
                "(suspected minor)."
            )
        if result.copies_switched:
            warn(
                f"{len(result.copies_switched)} item(s) already in the vault held the same "
                "file(s) and are now kept as hashes only too: no copy of a picture that may "
                "show a person under 18 stays in the vault."
            )
        for err in result.errors:
            sys.stderr.write(f"error: {err.path}: {err.message}\n  {err.hint}\n")
        if result.skipped:
            say(f"Skipped {len(result.skipped)} hidden or system file(s).")
        for path in result.unused_addresses or []:
            warn(f"{path} has addresses in the sources file but was not among the files added.")
        if result.cancelled:
            say("Cancelled: the files added before the cancel are kept.")
        if hashing is not None:
            say(
                f"Hashed {hashing['hashed']} item(s); {hashing['new_matches']} new match(es). "
                f"See them with: {cmdline.command('matches', args.case)}"
            )
            for err in hashing["errors"]:
                hint = f"\n  {err['hint']}" if err.get("hint") else ""
                sys.stderr.write(f"note: not hashed: {err['error']}{hint}\n")
            for text in hashing.get("warnings", []):
                warn(text)
        # --no-hash, or intake cancelled: nothing was hashed
        not_hashed = len(result.sources) if hashing is None else int(hashing["not_hashed"])
        if hashing is not None and hashing["cancelled"]:
            say("Cancelled: every item added is kept; hashing stopped part-way.")
        if not_hashed:
            say(
                f"{not_hashed} item(s) were not hashed, so they are not matched yet. Hash and "
                f"match them with: ncii-desk matches {_case_word(args.case)} --rematch"
                + (
                    " (for items kept as hashes only, add the same files again instead: "
                    "their files were not kept)"
                    if any(not i.pixels_kept for i in result.added)
                    else ""
                )
            )
    if result.cancelled or (hashing is not None and hashing["cancelled"]):
        return EXIT_CANCELLED
    if result.errors:
        return EXIT_PARTIAL if result.added else 1
    return EXIT_OK


def _copyright_options(args: argparse.Namespace) -> dict[str, str | None]:
    return {
        "taken_by": getattr(args, "taken_by", None),
        "client_holds_copyright": getattr(args, "client_holds_copyright", None),
    }


def _add_copyright(vault: Any, result: Any, marks: dict[str, str | None]) -> int:
    """Record --taken-by / --client-holds-copyright on each original just added."""
    if not any(v is not None for v in marks.values()):
        return 0
    for view in result.added:
        items.set_copyright(vault, view.id, **marks)
    return len(result.added)


def cmd_item_copyright(args: argparse.Namespace) -> int:
    marks = _copyright_options(args)
    if not any(v is not None for v in marks.values()):
        raise InvalidSetting(
            "Nothing to record.",
            "Give --taken-by client|other|unknown and/or --client-holds-copyright yes|no|unknown.",
        )
    with opened(args) as vault:
        view = items.set_copyright(vault, args.item, **marks)
    if args.json:
        emit_json(view.as_dict())
    else:
        say(
            f"Original {view.id[:12]}: taken by {view.taken_by}; the client holds the "
            f"copyright: {view.client_holds_copyright}."
        )
    return EXIT_OK


def _case_word(case: str) -> str:
    """A case reference as typed back in a suggested command."""
    return case if case.replace("-", "").isalnum() else json.dumps(case, ensure_ascii=False)


def cmd_item_list(args: argparse.Namespace) -> int:
    with opened(args) as vault:
        views = items.list_items(vault, args.case, Role(args.role) if args.role else None)
    if args.json:
        emit_json([v.as_dict() for v in views])
        return EXIT_OK
    rows = [
        [
            v.id[:12],
            v.role,
            v.mime,
            f"{v.size:,}",
            v.sha256[:16],
            v.original_filename,
            "hashes only"
            if not v.pixels_kept
            else (f"dup of {v.duplicate_of[:8]}" if v.duplicate_of else ""),
        ]
        for v in views
    ]
    table(rows, ["ID", "ROLE", "TYPE", "BYTES", "SHA-256", "FILE NAME", "NOTE"])
    return EXIT_OK


def cmd_item_show(args: argparse.Namespace) -> int:
    with opened(args) as vault:
        view = items.get_item(vault, args.item)
    return show_record(args, view.as_dict())


def cmd_item_export(args: argparse.Namespace) -> int:
    with opened(args) as vault:
        target = items.export_item(
            vault, args.item, Path(args.out), reason=args.reason, overwrite=args.overwrite
        )
    if args.json:
        emit_json({"exported": str(target)})
    else:
        say(f"Exported to {target} (logged in the audit trail).")
    return EXIT_OK


def copyright_arguments(p: argparse.ArgumentParser, prefix: str) -> None:
    p.add_argument(
        "--taken-by",
        choices=[t.value for t in TakenBy],
        help=f"{prefix}who took the picture: the client, someone else, or unknown",
    )
    p.add_argument(
        "--client-holds-copyright",
        choices=[a.value for a in Answer],
        help=f"{prefix}whether the client holds the copyright (a DMCA notice lists only "
        "copies of originals that are the client's)",
    )


def register(commands: Commands) -> None:
    """Add the ``case`` group, ``add`` and the ``item`` group."""
    command, group, sub = commands.command, commands.group, commands.sub
    case_g = group("case", "create and list cases")
    p = command(case_g, "new", cmd_case_new, "create a case")
    p.add_argument("label", help="short label, e.g. 'Case 2026-014'")
    p.add_argument("--pseudonym", default="", help="client pseudonym (never the real name)")
    p.add_argument("--jurisdiction", default="", help="e.g. 'US-CA'")
    p.add_argument("--notes", default="")
    p.add_argument(
        "--suspected-minor",
        action="store_true",
        help="the person may be under 18: keep only hashes, never the files",
    )
    p = command(
        case_g,
        "set",
        cmd_case_set,
        "change a case's settings: --suspected-minor deletes every stored picture and video "
        "of the case from the vault and keeps only hashes (cannot be undone)",
    )
    p.add_argument("case", help="case id, id prefix or label")
    minor_opt = p.add_mutually_exclusive_group(required=True)
    minor_opt.add_argument(
        "--suspected-minor",
        dest="suspected_minor",
        action="store_true",
        default=None,
        help="the person may be under 18: delete the case's stored files, web archives, "
        "face data and keypoints now (and the same files in other cases); keep the hashes",
    )
    minor_opt.add_argument(
        "--not-suspected-minor",
        dest="suspected_minor",
        action="store_false",
        help="switch the setting off: files added later are kept; nothing is restored",
    )
    p.add_argument("--reason", default="", help="why (recorded in the audit log)")
    p.add_argument(
        "--dry-run",
        action="store_true",
        help="with --suspected-minor: only show what would be deleted",
    )
    command(case_g, "list", cmd_case_list, "list cases with counts and deadlines")
    p = command(case_g, "show", cmd_case_show, "show one case")
    p.add_argument("case", help="case id, id prefix or label")
    case_member_cmds.register(commands, case_g)

    p = command(sub, "add", cmd_add, "add files or folders to a case")
    p.add_argument(
        "role",
        choices=[r.value for r in Role],
        help="original (the victim's own image), reference (photo of the victim's "
        "face) or suspect (a copy found elsewhere)",
    )
    p.add_argument("case", help="case id, id prefix or label")
    p.add_argument("paths", nargs="+", metavar="PATH", help="files or folders")
    p.add_argument(
        "--suspected-minor",
        action="store_true",
        help="keep only hashes of these files, never the files themselves",
    )
    p.add_argument(
        "--no-hash",
        action="store_true",
        help="store the files only; skip perceptual hashing and matching",
    )
    p.add_argument(
        "--again",
        action="store_true",
        help="add files even when the case already holds the same file in the same role",
    )
    p.add_argument(
        "--as-document",
        action="store_true",
        help="keep these files (not folders) with the case as documents, whatever their type; "
        "documents are never hashed or matched",
    )
    source_cmds.add_options(p)
    copyright_arguments(p, "originals only: ")

    item_g = group("item", "list, show and export evidence items")
    p = command(item_g, "list", cmd_item_list, "list a case's items")
    p.add_argument("case", help="case id, id prefix or label")
    p.add_argument("--role", choices=[r.value for r in Role])
    p = command(item_g, "show", cmd_item_show, "show one item")
    p.add_argument("item", help="item id or id prefix")
    p = command(
        item_g,
        "export",
        cmd_item_export,
        "write an item's original file to a path you choose (recorded in the audit log)",
    )
    p.add_argument("item", help="item id or id prefix")
    p.add_argument("--out", required=True, help="file or existing folder to write to")
    p.add_argument("--reason", default="", help="why it is exported (recorded)")
    p.add_argument("--overwrite", action="store_true")
    p = command(
        item_g,
        "copyright",
        cmd_item_copyright,
        "record who took an original and whether the client holds its copyright (DMCA)",
    )
    p.add_argument("item", help="item id or id prefix of an original")
    copyright_arguments(p, "")
