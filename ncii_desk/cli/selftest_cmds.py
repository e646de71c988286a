"""``ncii-desk selftest``: check that this copy of NCII Desk has every part it needs, working.

The checks themselves live in ncii_desk/services/selftest.py; this module only prints them.
The Qt check comes from the GUI layer through the entry module (``args.desktop``).
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from ncii_desk.services.selftest import CHECKS, CheckResult, run_selftest

if TYPE_CHECKING:
    from ncii_desk.cli.common import Commands

EXIT_FAILED = 1


def _line(result: CheckResult) -> str:
    mark = "ok  " if result.ok else "FAIL"
    return f"{mark}  {result.name:<10} {result.seconds:6.2f} s  {result.summary}"


def cmd_selftest(args: argparse.Namespace) -> int:
    from ncii_desk.cli.common import emit_json, say

    only = tuple(args.only or ())
    live = not args.json

    def on_result(result: CheckResult) -> None:
        if live:
            say(_line(result))
            if not result.ok and result.hint:
                say(f"      {result.hint}")
            sys.stdout.flush()

    report = run_selftest(
        qt=args.qt, only=only, on_result=on_result, extra=args.desktop.selftest_checks
    )
    if args.json:
        emit_json(report.as_dict())
        return 0 if report.ok else EXIT_FAILED
    say()
    for key, value in report.versions.items():
        shown = ", ".join(value) if isinstance(value, list) else value
        say(f"{key.replace('_', ' '):<26} {shown}")
    say()
    if not report.temp_removed:
        say("FAIL  the temporary self-test folder could not be removed")
    if report.ok:
        say(f"Self-test passed: {len(report.checks)} checks in {report.seconds:.1f} s.")
        return 0
    names = ", ".join(c.name for c in report.failed) or "cleanup"
    say(f"Self-test FAILED ({names}). The lines marked FAIL say what went wrong.")
    return EXIT_FAILED


def register(commands: Commands) -> None:
    """Add ``ncii-desk selftest``."""
    p = commands.command(
        commands.sub,
        "selftest",
        cmd_selftest,
        "check that this installation works: encrypted vault, pictures and video, every "
        "bundled model, PDF and DOCX output (uses a temporary folder, no case data)",
    )
    p.add_argument(
        "--qt",
        action="store_true",
        help="also check the windowing toolkit (Qt) on its offscreen platform",
    )
    p.add_argument(
        "--only",
        action="append",
        choices=CHECKS,
        metavar="CHECK",
        help=f"run only this check (repeatable): {', '.join(CHECKS)}",
    )
