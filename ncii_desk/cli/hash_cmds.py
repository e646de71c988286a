"""``ncii-desk hash`` and ``ncii-desk scan``: files hashed or scanned without a vault."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from ncii_desk.cli.common import (
    EXIT_CANCELLED,
    EXIT_OK,
    EXIT_PARTIAL,
    Commands,
    cli_job,
    emit_json,
    positive_int,
    say,
    warn,
)
from ncii_desk.errors import InvalidSetting
from ncii_desk.services.values import PDQ_DEFAULT_THRESHOLD


def _hash_lines(result: Any) -> str:
    parts = [result.path, result.kind, f"sha256 {result.sha256}", f"md5 {result.md5}"]
    if result.pdq:
        parts.append(f"pdq {result.pdq} (quality {result.pdq_quality})")
    if result.phash:
        parts.append(f"phash {result.phash}")
    if result.kind == "video":
        parts.append(f"{len(result.frames)} frame hash(es)")
    return "\n    ".join(parts)


def cmd_hash(args: argparse.Namespace) -> int:
    from ncii_desk.services.filehashes import hash_files, input_files

    files, _ = input_files(args.paths)
    errors = 0
    with cli_job(args, "Hashing") as job:
        for done, result in enumerate(
            hash_files(files, workers=args.workers, should_stop=lambda: job.cancelled),
            1,
        ):
            job.progress(done, len(files), "")
            errors += result.error is not None
            if args.json:
                sys.stdout.write(json.dumps(result.summary(), ensure_ascii=False) + "\n")
            elif result.error:  # the other files go on; this one's problem to stderr
                hint = f"\n  {result.hint}" if result.hint else ""
                sys.stderr.write(f"error: {result.path}: {result.error}{hint}\n")
            else:
                say(_hash_lines(result))
            sys.stdout.flush()
    if job.cancelled:
        return EXIT_CANCELLED
    return (EXIT_PARTIAL if errors < len(files) else 1) if errors else EXIT_OK


def cmd_scan(args: argparse.Namespace) -> int:
    from ncii_desk.services import scan as scan_service
    from ncii_desk.services.filehashes import input_files

    lists, reports = scan_service.load_lists(args.against, args.pdq_threshold)
    for report in reports:
        for problem in report.problems[:20]:
            warn(f"{report.name} {problem}")
        if len(report.problems) > 20:
            warn(f"{report.name}: {len(report.problems) - 20} more bad line(s) skipped")
    files, skipped = input_files([args.folder])
    to_stdout = args.jsonl == "-"
    if args.resume and (not args.jsonl or to_stdout):
        raise InvalidSetting(
            "--resume needs the results file of the scan to go on with.",
            "Give it with --jsonl FILE --resume.",
        )
    executor = scan_service.executor_for(args.ray, args.workers, args.batch)
    results = None
    try:
        if args.jsonl and not to_stdout:
            head = scan_service.header(reports, args.pdq_threshold)
            results = scan_service.ResultsFile(Path(args.jsonl), head, resume=args.resume)
        done = [r["path"] for r in results.rows] if results else []
        # Only rows with a match or an error are kept for the summary: a dump of millions of
        # clean files costs a counter, not a row each.
        rows = [r for r in results.rows if r["matches"] or r["error"]] if results else []
        seen = len(done)
        with cli_job(args, "Scanning") as job:
            for row in scan_service.scan(files, lists, executor, job, done=done):
                seen += 1
                if row["matches"] or row["error"]:
                    rows.append(row)
                if results is not None:
                    results.add(row)
                if to_stdout:
                    sys.stdout.write(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n")
                    sys.stdout.flush()
                elif not args.json:
                    for m in row["matches"]:
                        _say_scan_match(row["path"], m)
    finally:
        executor.close()
        if results is not None:
            results.close()
    errors = [
        {"path": r["path"], "error": r["error"], "hint": r["hint"]} for r in rows if r["error"]
    ]
    matches = [m for r in rows for m in r["matches"]]
    matched_files = sum(bool(r["matches"]) for r in rows)
    summary = {
        "scanned": seen - len(errors),
        "matched_files": matched_files,
        "pdq_threshold": args.pdq_threshold,
        "lists": [r.as_dict() for r in reports],
        "matches": matches,
        "errors": errors,
        "skipped": skipped,
        "cancelled": job.cancelled,
    }
    if args.json:
        emit_json(summary)
    elif not to_stdout:
        for err in errors:
            sys.stderr.write(f"error: {err['error']}\n")
        say(
            f"Scanned {summary['scanned']} file(s) against {lists.size:,} hash(es): "
            f"{matched_files} file(s) matched."
        )
    if job.cancelled:
        return EXIT_CANCELLED
    return EXIT_PARTIAL if errors else EXIT_OK


def _say_scan_match(path: str, m: dict[str, Any]) -> None:
    via = f" (its {m['list_variant']})" if m.get("list_variant") else ""
    say(
        f"MATCH {path}  ->  {m['list']}: {m['kind']} "
        f"{(m.get('original') or m['matched_value'])[:16]}...{via} "
        f"{m['label']!s}  [{m['method']}, distance {m['distance']}{_frames_said(m)}]"
    )


def _frames_said(m: dict[str, Any]) -> str:
    """What a scan line adds for a video match: frames matched in order, and where."""
    if m.get("frames_in_order"):
        first = m["matched_frames"][0]
        return (
            f", {m['frames_in_order']} frames in order (>= {m['frames_required']}), from "
            f"{first['suspect_ms'] / 1000:g} s <-> {first['target_ms'] / 1000:g} s"
        )
    if m.get("target_ms") is not None:
        return f", the original's frame at {m['target_ms'] / 1000:g} s"
    return ""


def register(commands: Commands) -> None:
    """Add ``hash`` and ``scan``."""
    command, sub = commands.command, commands.sub
    p = command(
        sub,
        "hash",
        cmd_hash,
        "hash files or folders (no vault needed): SHA-256, MD5, PDQ, pHash, dHash",
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help="files or folders")
    p.add_argument(
        "--workers",
        type=positive_int,
        default=None,
        help="worker processes (default: number of cores; fewer than 8 files are hashed "
        "in this process)",
    )
    p = command(
        sub, "scan", cmd_scan, "find files in a folder that match hash lists (no vault needed)"
    )
    p.add_argument("folder", help="folder to scan (recursively)")
    p.add_argument(
        "--against",
        nargs="+",
        required=True,
        metavar="HASHLIST",
        help="hash lists: 'pdq <hex>' lines or CSV (kind,value,quality,label)",
    )
    p.add_argument(
        "--pdq-threshold",
        type=int,
        default=PDQ_DEFAULT_THRESHOLD,
        help=f"largest PDQ distance that counts as a match (default {PDQ_DEFAULT_THRESHOLD})",
    )
    p.add_argument(
        "--workers",
        type=positive_int,
        default=None,
        help="worker processes (default: number of cores; with --ray local, its CPUs)",
    )
    p.add_argument(
        "--jsonl",
        metavar="OUT",
        default=None,
        help="write one JSON line per file as it finishes to OUT (a new file, or the file of "
        "a scan to go on with --resume); '-' writes them to standard output instead",
    )
    p.add_argument(
        "--resume",
        action="store_true",
        help="go on with the scan in the --jsonl file: files it already holds are skipped",
    )
    p.add_argument(
        "--ray",
        metavar="ADDRESS",
        default=None,
        help="run on a Ray cluster (pip install 'ncii-desk[cluster]'): 'auto' joins the "
        "cluster 'ray start' runs on this machine, HOST:PORT joins that one, 'local' starts "
        "a private one here; every machine must see the folder under the same path",
    )
    p.add_argument(
        "--batch",
        type=positive_int,
        default=32,
        help="files per Ray task (default 32)",
    )
