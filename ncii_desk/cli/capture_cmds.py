"""CLI commands for web evidence: ``capture``, ``recheck`` and ``item custody``.

build_parser in main.py calls :func:`register`. The work is done in
``ncii_desk.services.capture``; this module only parses options and prints.

``capture`` takes several forms (like ``matches``)::

    ncii-desk capture CASE URL...             capture addresses into a case
    ncii-desk capture list CASE               the case's captures
    ncii-desk capture show CAPTURE            one capture in full
    ncii-desk capture export CAPTURE --warc OUT
    ncii-desk capture screenshot CASE         screenshots of captured pages (from their WARC)
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ncii_desk.cli.common import Commands

EXIT_OK = 0
EXIT_PARTIAL = 7
EXIT_CANCELLED = 130
SUBCOMMANDS = ("list", "show", "export", "screenshot")
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmg]?)i?b?\s*$", re.IGNORECASE)


def parse_size(text: str) -> int:
    """Bytes from '5000000', '200M', '1.5G' or '800k'."""
    found = _SIZE.match(text)
    if found is None:
        raise argparse.ArgumentTypeError("give a size such as 50M, 2G or 800k")
    value = (
        float(found.group(1))
        * {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}[found.group(2).lower()]
    )
    if value < 1024:
        raise argparse.ArgumentTypeError("the size limit must be at least 1k")
    return int(value)


def _usage(message: str, example: str) -> Exception:
    from ncii_desk.errors import InvalidSetting

    return InvalidSetting(message, f"For example: {example}")


def _dispatch(args: argparse.Namespace) -> int:
    words: list[str] = args.target
    if words[0] in SUBCOMMANDS:
        if len(words) != 2:
            example = {
                "list": 'ncii-desk capture list "Case 1"',
                "show": "ncii-desk capture show 3fa2c1",
                "export": "ncii-desk capture export 3fa2c1 --warc capture.warc",
                "screenshot": 'ncii-desk capture screenshot "Case 1"',
            }[words[0]]
            one = "case" if words[0] in ("list", "screenshot") else "capture id"
            raise _usage(f"Give one {one}.", example)
        if words[0] == "list":
            return cmd_capture_list(args, words[1])
        if words[0] == "screenshot":
            return cmd_capture_screenshot(args, words[1])
        if words[0] == "show":
            return cmd_capture_show(args, words[1])
        return cmd_capture_export(args, words[1])
    if len(words) < 2:
        raise _usage(
            "Give a case and at least one web address.",
            'ncii-desk capture "Case 1" https://example.com/page',
        )
    return cmd_capture(args, words[0], words[1:])


# --- capture ----------------------------------------------------------------------------------


def _problem(err: dict[str, str]) -> str:
    return f"{err['message']}\n    {err['hint']}"


def _print_result(result: Any) -> None:
    from ncii_desk.cli.common import say

    if not result.ok:
        sys.stderr.write(f"FAILED  {result.url}\n  {_problem(result.error)}\n")
        return
    stored = [r for r in [result.main, *result.resources] if r is not None and r.item_id]
    failed = [r for r in result.resources if r.error]
    what = {"page": "web page", "media": "picture/video", "document": "file"}.get(
        result.mode, "address"
    )
    say(f"OK      {result.url}")
    if result.final_url and result.final_url != result.url:
        say(f"        ended at {result.final_url}")
    say(
        f"        {what}, capture {result.capture_id[:12]}: {len(stored)} item(s) stored"
        + (f", {len(failed)} resource(s) failed" if failed else "")
    )
    if result.links_discarded:
        say(
            f"        the page links {result.links_found} pictures/videos; only the first "
            f"{result.links_found - result.links_discarded} were fetched "
            f"({result.links_discarded} over the limit)"
        )
    for r in failed:
        sys.stderr.write(f"error: {r.url}: {r.error['message']}\n")
    for m in result.matches:
        target = m["original_item_id"] or m["hash_list_entry"] or "?"
        say(
            f"        MATCH item {m['item_id'][:12]} ({m['url']}) ~ original {target[:12]} "
            f"[{m['kind']}]"
        )
    for h in result.hashing_errors:
        sys.stderr.write(f"note: not hashed: {h['url']}: {h['error']}\n")
    shot = result.screenshot or {}
    if shot.get("sha256"):
        say(f"        screenshot of the page from its WARC: SHA-256 {shot['sha256']}")
    if shot.get("note"):
        say(f"        note: {shot['note']}")


def cmd_capture(args: argparse.Namespace, case: str, urls: list[str]) -> int:
    from ncii_desk.cli.common import cli_job, emit_json, opened, say, warn
    from ncii_desk.services.capture import CaptureOptions, capture_urls
    from ncii_desk.services.webfetch import FetchOptions

    fetch = FetchOptions(
        verify_tls=not args.insecure_tls, allow_private_addresses=args.allow_private
    )
    if args.user_agent:
        fetch = replace(fetch, user_agent=args.user_agent)
    if args.max_bytes:
        fetch = replace(fetch, max_bytes=args.max_bytes)
    options = CaptureOptions(
        fetch=fetch,
        max_media_links=args.max_links,
        hash_and_match=not args.no_hash,
        screenshot=not args.no_screenshot,
    )
    if args.insecure_tls and not args.json:
        warn(
            "TLS certificates are NOT being checked for this capture (--insecure-tls); this is "
            "recorded with each capture."
        )
    with opened(args) as vault, cli_job(args, "Capturing") as job:
        batch = capture_urls(vault, case, urls, job=job, options=options)
    if args.json:
        emit_json(batch.as_dict())
    else:
        for result in batch.results:
            _print_result(result)
        say(
            f"Captured {len(batch.results) - batch.failed} of {len(urls)} address(es)"
            + (f"; {batch.new_matches} new match(es)" if batch.new_matches else "")
            + "."
        )
        if batch.cancelled:
            say("Cancelled: the addresses captured before the cancel are kept.")
    if batch.cancelled:
        return EXIT_CANCELLED
    if batch.failed:
        return EXIT_PARTIAL if batch.failed < len(batch.results) else 1
    return EXIT_OK


def cmd_capture_screenshot(args: argparse.Namespace, case: str) -> int:
    from ncii_desk.cli.common import cli_job, emit_json, opened, say
    from ncii_desk.services.screenshots import make_screenshots

    with opened(args) as vault, cli_job(args, "Drawing screenshots") as job:
        batch = make_screenshots(vault, case, redo=args.redo, javascript=args.javascript, job=job)
    if args.json:
        emit_json(batch.as_dict())
    else:
        for r in batch.results:
            if r.sha256:
                cut = " (cut at the height limit)" if r.cut else ""
                say(f"OK      {r.capture_id[:12]} {r.url}: SHA-256 {r.sha256}{cut}")
            elif r.skipped:
                say(f"skipped {r.capture_id[:12]} {r.url}: {r.skipped}")
            else:
                sys.stderr.write(f"error: screenshot of {r.capture_id[:12]} {r.url}: {r.note}\n")
        say(f"Made {batch.made} screenshot(s).")
    failed = [r for r in batch.results if not r.sha256 and not r.skipped]
    return EXIT_PARTIAL if failed else EXIT_OK


def cmd_capture_list(args: argparse.Namespace, case: str) -> int:
    from ncii_desk.cli.common import emit_json, opened, table
    from ncii_desk.services.capture import list_captures

    with opened(args) as vault:
        views = list_captures(vault, case, include_files=args.files)
    if args.json:
        emit_json([v.as_dict() for v in views])
        return EXIT_OK
    rows = [
        [
            v.id[:12],
            (v.started_at or "")[:19].replace("T", " "),
            "FAILED" if v.error else str(v.http_status or ""),
            str(len(v.item_ids)),
            str(len(v.matches)),
            v.url if len(v.url) <= 70 else v.url[:67] + "...",
        ]
        for v in views
    ]
    table(rows, ["ID", "STARTED (UTC)", "STATUS", "ITEMS", "MATCHES", "ADDRESS"])
    return EXIT_OK


def cmd_capture_show(args: argparse.Namespace, ref: str) -> int:
    from ncii_desk.cli.common import opened, show_record
    from ncii_desk.services.capture import get_capture

    with opened(args) as vault:
        view = get_capture(vault, ref)
    data = view.as_dict()
    if not args.json:
        details = data.pop("details")
        data.pop("headers")
        data["redirect_chain"] = " -> ".join(
            f"{hop['status']} {hop['url']}" for hop in data["redirect_chain"]
        )
        data["tls"] = (
            {k: data["tls"].get(k) for k in ("subject", "issuer", "certificate_sha256")}
            if data["tls"]
            else None
        )
        data["item_ids"] = ", ".join(i[:12] for i in data["item_ids"])
        data["matches"] = len(data["matches"])
        data["resources_failed"] = sum(1 for r in details.get("resources", []) if r.get("error"))
    return show_record(args, data)


def cmd_capture_export(args: argparse.Namespace, ref: str) -> int:
    from ncii_desk.cli.common import emit_json, opened, say
    from ncii_desk.services.capture import export_warc

    if not args.warc:
        raise _usage(
            "Say where to write the WARC file with --warc.",
            "ncii-desk capture export 3fa2c1 --warc capture.warc",
        )
    with opened(args) as vault:
        target = export_warc(
            vault, ref, Path(args.warc), reason=args.reason, overwrite=args.overwrite
        )
    if args.json:
        emit_json({"exported": str(target)})
    else:
        say(f"Wrote {target}")
    return EXIT_OK


# --- recheck and custody -----------------------------------------------------------------


def cmd_recheck(args: argparse.Namespace) -> int:
    from ncii_desk.cli.common import cli_job, emit_json, opened, say, table
    from ncii_desk.services.capture import recheck_case

    with opened(args) as vault, cli_job(args, "Re-checking") as job:
        views = recheck_case(vault, args.case, job=job)
    if args.json:
        emit_json([v.as_dict() for v in views])
    elif not views:
        say("No captured addresses to re-check in this case.")
    else:
        rows = [
            [
                v.outcome.replace("_", " ").upper(),
                str(v.http_status or "-"),
                v.url if len(v.url) <= 60 else v.url[:57] + "...",
                str(v.details.get("reason", "")),
            ]
            for v in views
        ]
        table(rows, ["OUTCOME", "STATUS", "ADDRESS", "WHY"])
    return EXIT_PARTIAL if any(v.outcome == "error" for v in views) else EXIT_OK


def cmd_item_custody(args: argparse.Namespace) -> int:
    from ncii_desk.cli.common import emit_json, opened, say
    from ncii_desk.services.capture import custody

    with opened(args) as vault:
        view = custody(vault, args.item)
    if args.json:
        emit_json(view.as_dict())
        return EXIT_OK
    item = view.item
    say(f"Item {item['id']}  ({item['original_filename'] or 'no name'}, {item['size']:,} bytes)")
    say(f"  SHA-256 {item['sha256']}")
    say(f"  taken in {item['intake_at']} by {item['operator'] or '-'}")
    cap = view.capture
    if cap is not None:
        if cap["kind"] == "file":
            d = cap["details"]
            say(f"  from the file {d.get('relative_path')} (modified {d.get('modified_at')})")
        else:
            say(f"  captured from {item['details'].get('url') or cap['url']}")
            tls = "TLS " + ("verified" if cap["tls_verified"] else "NOT verified (override)")
            if not str(cap["final_url"] or cap["url"]).lower().startswith("https:"):
                tls = "no TLS (plain http)"  # tls_verified is only the option's default here
            say(
                f"  capture {cap['id'][:12]}: {cap['started_at']} to {cap['ended_at']}, "
                f"server {cap['server_address'] or '-'}, {tls}"
            )
    say("Events:")
    for e in view.events:
        say(f"  {e['seq']:>6}  {e['at']}  {e['actor'] or '-':<14} {e['action']}")
    say(
        f"Audit chain {'verified' if view.audit_chain_ok else 'FAILED VERIFICATION'} "
        f"({view.audit_events_total} events in the vault)."
    )
    return EXIT_OK


def register(commands: Commands) -> None:
    """Add ``capture``, ``recheck`` and ``item custody``."""
    # The default CaptureOptions uses; not the capture service, which start-up need not load.
    from ncii_desk.services.values import DEFAULT_MAX_LINKS

    p = commands.command(
        commands.sub,
        "capture",
        _dispatch,
        "capture web addresses into a case (the page, its pictures and videos, a WARC file), "
        "or list, show and export captures",
    )
    p.add_argument(
        "target",
        nargs="+",
        metavar="ARG",
        help="CASE URL... to capture; or: list CASE | show CAPTURE | export CAPTURE --warc OUT",
    )
    p.formatter_class = argparse.RawDescriptionHelpFormatter
    p.epilog = (
        "forms:\n"
        "  ncii-desk capture CASE URL...               capture addresses into a case\n"
        "  ncii-desk capture list CASE                 list the case's captures\n"
        "  ncii-desk capture show CAPTURE              one capture in full\n"
        "  ncii-desk capture export CAPTURE --warc OUT write its WARC file\n"
        "  ncii-desk capture screenshot CASE           screenshots of the case's captured\n"
        "                                              pages, drawn from their WARC files"
    )
    p.add_argument(
        "--insecure-tls",
        action="store_true",
        help="do not check the site's security certificate (recorded with the capture)",
    )
    p.add_argument(
        "--allow-private",
        action="store_true",
        help="also fetch from loopback, private and link-local addresses (refused by default; "
        "recorded with the capture; the vault setting capture.allow_private_addresses does "
        "the same for every capture)",
    )
    p.add_argument("--user-agent", help="browser name to send (default: a current Chrome)")
    p.add_argument(
        "--max-bytes",
        type=parse_size,
        help="largest single file to download, e.g. 500M (default 200M)",
    )
    p.add_argument(
        "--max-links",
        type=int,
        default=DEFAULT_MAX_LINKS,
        help="most pictures/videos fetched from one page (default %(default)s)",
    )
    p.add_argument("--no-hash", action="store_true", help="store only; skip hashing and matching")
    p.add_argument(
        "--no-screenshot",
        action="store_true",
        help="do not draw a screenshot of each captured page from its WARC",
    )
    p.add_argument("--redo", action="store_true", help="screenshot: draw again where one exists")
    p.add_argument(
        "--javascript",
        action="store_true",
        help="screenshot: let the page's own captured scripts run (off by default)",
    )
    p.add_argument("--files", action="store_true", help="list: also files added from disk")
    p.add_argument("--warc", help="export: the WARC file to write")
    p.add_argument("--reason", default="", help="export: why it is exported (recorded)")
    p.add_argument("--overwrite", action="store_true", help="export: replace an existing file")

    p = commands.command(
        commands.sub,
        "recheck",
        cmd_recheck,
        "visit a case's captured addresses again: gone, changed or still up (recorded)",
    )
    p.add_argument("case", help="case id, id prefix or label")

    p = commands.command(
        commands.groups["item"],
        "custody",
        cmd_item_custody,
        "an item's chain of custody: how it came in and every recorded event since",
    )
    p.add_argument("item", help="item id or id prefix")
