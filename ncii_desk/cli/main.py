"""``ncii-desk``: every action of the app as a command, for clinics that batch and script.

This module only assembles the parser from the command modules (one per command group:
vault_cmds, case_cmds, hash_cmds, match_cmds, models_cmds, ...) and dispatches to their
handlers. The installed ``ncii-desk`` program starts in :mod:`ncii_desk.launch`, which adds
the desktop app for ``ncii-desk`` without a command.

Exit codes (also in docs/cli.md): 0 success; 1 an error with a message; 2 wrong usage;
3 integrity failure (vault check failed, damaged vault); 4 wrong passphrase or recovery key;
5 vault locked or in use by another window; 6 vault missing (or already exists, for init);
7 a batch finished but some of its items failed; 8 a model the installers carry is not
installed; 130 cancelled.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ncii_desk import __version__
from ncii_desk.cli.common import (
    MEMBER_ENV,
    PASSPHRASE_ENV,
    RECOVERY_ENV,
    Commands,
    Desktop,
    Handler,
    emit_json,
    vault_location,
)
from ncii_desk.errors import InternalError, NciiDeskError
from ncii_desk.hardening import harden_process
from ncii_desk.paths import default_vault_dir

NO_DESKTOP = Desktop()


def _common(suppress: bool) -> argparse.ArgumentParser:
    """Options accepted both before and after the command name."""
    d: Any = argparse.SUPPRESS if suppress else None
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument(
        "--vault",
        type=vault_location,
        default=d if suppress else vault_location(str(default_vault_dir())),
        help="vault folder (default: $NCII_DESK_VAULT or the user data folder), or a "
        "clinic's shared store as postgresql://USER@HOST:PORT/DATABASE",
    )
    p.add_argument(
        "--member",
        default=d,
        help=f"your member id in a clinic store (or set {MEMBER_ENV}; default: the member "
        "this computer last used there)",
    )
    p.add_argument(
        "--blobs",
        type=Path,
        default=d,
        metavar="DIR",
        help="a clinic store's blob folder as this computer sees it (default: as recorded "
        "by the clinic server)",
    )
    p.add_argument(
        "--passphrase-file",
        default=d,
        help=f"read the passphrase from this file (or set {PASSPHRASE_ENV})",
    )
    p.add_argument(
        "--recovery-key-file",
        default=d,
        help=f"unlock with the recovery key in this file (or set {RECOVERY_ENV})",
    )
    p.add_argument(
        "--operator",
        default=d,
        help="name recorded as the actor in the audit trail (default: login name)",
    )
    return p


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ncii-desk",
        description="NCII Desk: encrypted case vault, evidence intake and documents for "
        "advocates working non-consensual intimate imagery cases.",
        parents=[_common(suppress=False)],
    )
    parser.add_argument("--version", action="version", version=f"ncii-desk {__version__}")
    common = _common(suppress=True)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(
        group: Any, name: str, handler: Handler, help_text: str, *, json_opt: bool = True
    ) -> argparse.ArgumentParser:
        p: argparse.ArgumentParser = group.add_parser(
            name, help=help_text, description=help_text, parents=[common]
        )
        if json_opt:
            p.add_argument("--json", action="store_true", help="machine-readable output")
        p.set_defaults(handler=handler)
        return p

    groups: dict[str, Any] = {}

    def group(name: str, help_text: str) -> Any:
        g = sub.add_parser(name, help=help_text, description=help_text)
        groups[name] = g.add_subparsers(dest=f"{name}_command", metavar="ACTION", required=True)
        return groups[name]

    # Every command lives in the module of its group; each adds its commands here, in the
    # order `ncii-desk --help` lists them. The modules import nothing from this one.
    from ncii_desk.cli import (
        capture_cmds,
        case_cmds,
        clinic_cmds,
        clinic_login_cmds,
        completion,
        document_cmds,
        handover_cmds,
        hash_cmds,
        inspect_cmds,
        match_cmds,
        models_cmds,
        selftest_cmds,
        settings_cmds,
        source_cmds,
        validation_cmds,
        vault_cmds,
        vision_cmds,
    )

    commands = Commands(
        sub=sub, command=command, group=group, groups=groups, common=common, root=parser
    )
    for register in (
        vault_cmds.register,
        case_cmds.register,
        hash_cmds.register,
        match_cmds.register,
        models_cmds.register,
        vault_cmds.register_audit,
        vision_cmds.register,
        inspect_cmds.register,
        capture_cmds.register,
        document_cmds.register,
        selftest_cmds.register,
        settings_cmds.register,
        source_cmds.register,
        completion.register,
        validation_cmds.register,
        handover_cmds.register,
        clinic_cmds.register,
        clinic_login_cmds.register,
    ):
        register(commands)
    return parser


def main(argv: Sequence[str] | None = None, *, desktop: Desktop = NO_DESKTOP) -> int:
    """Run one command. ``desktop`` is what the entry module (ncii_desk.launch) adds: without
    it, ``ncii-desk`` with no command cannot open the window (the command line never imports
    the desktop app)."""
    harden_process()  # before any passphrase or key is in memory: no core dumps
    parser = build_parser()
    args = parser.parse_args(argv)
    args.desktop = desktop
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:  # no command: open the desktop app (--help still prints the help)
        if desktop.open_window is None:
            sys.stderr.write(
                "error: this entry point has no desktop app.\n  Give a command (ncii-desk "
                "--help lists them), or run the ncii-desk program to open the window.\n"
            )
            return 2
        return desktop.open_window(args)
    try:
        return handler(args)
    except NciiDeskError as exc:
        if getattr(args, "json", False):
            emit_json(exc.as_dict())
        sys.stderr.write(f"error: {exc.message}\n  {exc.hint}\n")
        return exc.exit_code
    except KeyboardInterrupt:
        sys.stderr.write("\nStopped.\n")
        return 130
    except Exception as exc:
        internal = InternalError(
            f"An unexpected problem stopped the command ({type(exc).__name__}).",
        )
        if getattr(args, "json", False):
            emit_json(internal.as_dict())
        sys.stderr.write(f"error: {internal.message}\n  {internal.hint}\n")
        if os.environ.get("NCII_DESK_DEBUG"):
            traceback.print_exc()
        return internal.exit_code
