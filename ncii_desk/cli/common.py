"""What every command module of ``ncii-desk`` shares: exit codes, output, secrets, the open
vault, the progress/cancel job, and :class:`Commands` (what a module gets to add its commands).

Command modules import from here, never from :mod:`ncii_desk.cli.main`, which only assembles
the parser from them and dispatches: so no command module and main import each other.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import signal
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

from ncii_desk.cli.progress import ProgressBar
from ncii_desk.errors import InvalidSetting, NciiDeskError, VaultLocked, WeakPassphrase
from ncii_desk.lazy import lazy_module
from ncii_desk.services.jobs import Job

if TYPE_CHECKING:
    from ncii_desk.services import vaults
    from ncii_desk.services.values import CaseStore
else:  # loaded on first use: --help and --version need none of them
    vaults = lazy_module("ncii_desk.services.vaults")

EXIT_OK = 0
EXIT_INTEGRITY = 3
EXIT_PARTIAL = 7
EXIT_NOT_INSTALLED = 8
EXIT_CANCELLED = 130
PASSPHRASE_ENV = "NCII_DESK_PASSPHRASE"
NEW_PASSPHRASE_ENV = "NCII_DESK_NEW_PASSPHRASE"
RECOVERY_ENV = "NCII_DESK_RECOVERY_KEY"
MEMBER_ENV = "NCII_DESK_MEMBER"

Handler = Callable[[argparse.Namespace], int]


@dataclass(frozen=True)
class Desktop:
    """What only the program's entry module (ncii_desk.launch) can give the command line,
    because it may import the desktop app and the command line may not: opening the window
    (``ncii-desk`` with no command) and self-test checks that need Qt (``selftest --qt``)."""

    open_window: Callable[[argparse.Namespace], int] | None = None
    selftest_checks: Mapping[str, Callable[[dict[str, Any]], tuple[str, dict[str, Any]]]] = field(
        default_factory=dict
    )


# --- output ----------------------------------------------------------------------------------


def emit_json(data: Any) -> None:
    json.dump(data, sys.stdout, indent=2, ensure_ascii=False, default=str)
    sys.stdout.write("\n")


def say(text: str = "") -> None:
    sys.stdout.write(text + "\n")


def warn(text: str) -> None:
    sys.stderr.write(f"warning: {text}\n")


def _plain(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict):
        return ", ".join(f"{k} {_plain(v)}" for k, v in value.items())
    return str(value)


def show_fields(data: dict[str, Any]) -> None:
    width = max((len(k) for k in data), default=0)
    for key, value in data.items():
        say(f"{key.replace('_', ' '):<{width}}  {_plain(value)}")


def show_record(args: argparse.Namespace, data: dict[str, Any]) -> int:
    """One record: JSON with --json, else one readable line per field."""
    if args.json:
        emit_json(data)
    else:
        show_fields(data)
    return EXIT_OK


def table(rows: list[list[str]], headers: list[str]) -> None:
    widths = [
        max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)
    ]
    say("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip())
    for row in rows:
        say("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())


# --- secrets -----------------------------------------------------------------------------------


def read_secret_file(path: str) -> str:
    try:
        text = Path(path).read_text("utf-8")
    except OSError as exc:
        raise NciiDeskError(
            f"The file {path} could not be read: {exc.strerror}.",
            "Check the path given with the option.",
        ) from None
    return text.rstrip("\r\n")


def interactive() -> bool:
    return sys.stdin is not None and sys.stdin.isatty()


def unlock_secret(args: argparse.Namespace) -> dict[str, str]:
    """passphrase= or recovery_key= for opening, from file, environment or prompt."""
    if args.recovery_key_file:
        return {"recovery_key": read_secret_file(args.recovery_key_file)}
    if args.passphrase_file:
        return {"passphrase": read_secret_file(args.passphrase_file)}
    if os.environ.get(PASSPHRASE_ENV):
        return {"passphrase": os.environ[PASSPHRASE_ENV]}
    if os.environ.get(RECOVERY_ENV):
        return {"recovery_key": os.environ[RECOVERY_ENV]}
    if interactive():
        return {"passphrase": getpass.getpass("Passphrase: ")}
    raise VaultLocked(
        "No passphrase was given and there is no terminal to ask for one.",
        f"Use --passphrase-file FILE or set {PASSPHRASE_ENV}.",
    )


def new_passphrase(args: argparse.Namespace, *, env: str, prompt: str, file_option: str) -> str:
    """A new passphrase: from the file option / env, or typed twice."""
    file = getattr(args, file_option.removeprefix("--").replace("-", "_"), None)
    if file:
        value = read_secret_file(file)
    elif os.environ.get(env):
        value = os.environ[env]
    elif interactive():
        sys.stderr.write(
            f"Choose a passphrase of at least {vaults.MIN_PASSPHRASE_CHARS} characters; a few "
            "unrelated words work well.\n"
        )
        value = getpass.getpass(prompt)
        if getpass.getpass("Type it again: ") != value:
            raise WeakPassphrase("The two passphrases are not the same.", "Try again.")
    else:
        raise VaultLocked(
            "No new passphrase was given and there is no terminal to ask for one.",
            f"Use {file_option} FILE or set {env}.",
        )
    vaults.check_passphrase_strength(value)
    return value


def vault_location(text: str) -> Path | str:
    """The global --vault: a folder (a Path), or a store address such as postgresql://...
    (kept as text: a Path would fold its '//')."""
    return text if "://" in text else Path(text)


def store_options(args: argparse.Namespace) -> dict[str, Any]:
    """The member and blob folder options for opening a clinic store."""
    return {
        "member": getattr(args, "member", None),
        "blobs_dir": getattr(args, "blobs", None),
    }


@contextmanager
def opened(args: argparse.Namespace) -> Iterator[CaseStore]:
    """The case store --vault names (a laptop vault or a clinic store), open."""
    if isinstance(args.vault, str) and args.operator:
        warn(
            "--operator is not used on a clinic store: its audit log names your member id "
            "(no names are stored on the clinic server)."
        )
    secret = unlock_secret(args)
    store = vaults.open_store(
        args.vault,
        operator=args.operator,
        passphrase=secret.get("passphrase"),
        recovery_key=secret.get("recovery_key"),
        **store_options(args),
    )
    report = getattr(store, "report", None)
    for text in getattr(report, "warnings", ()):
        warn(text)
    try:
        yield store
    finally:
        store.close()


@contextmanager
def cli_job(args: argparse.Namespace, label: str) -> Iterator[Job]:
    """A Job with a progress bar on a terminal and Ctrl-C as a clean cancel."""
    bar = ProgressBar(label) if sys.stderr.isatty() and not args.json else None
    job = Job(on_progress=bar.update if bar else None)
    previous = signal.getsignal(signal.SIGINT)

    def _on_sigint(_sig: int, _frame: FrameType | None) -> None:
        if job.cancelled:
            raise KeyboardInterrupt
        job.token.cancel()
        sys.stderr.write("\nCancelling after the current file (Ctrl-C again to stop now)...\n")

    signal.signal(signal.SIGINT, _on_sigint)
    try:
        yield job
    finally:
        signal.signal(signal.SIGINT, previous)
        if bar:
            bar.close()


def new_file_target(target: Path, what: str) -> Path:
    """``target`` if it names a new file in an existing folder; checked before any work, so
    nothing is lost or overwritten at the end. ``what`` names the file in the message."""
    if target.exists():
        raise InvalidSetting(
            f"{target} already exists; {what} will not overwrite a file.",
            "Give the name of a new file.",
        )
    if not target.parent.is_dir():
        raise InvalidSetting(
            f"The folder {target.parent} does not exist.", "Give a file in an existing folder."
        )
    return target


def say_unhashed(stored: int, hash_only: int, case_ids: Sequence[str] = ()) -> None:
    """Items that matching does not see because they were never hashed, and what to do."""
    if stored:
        which = " ".join(c[:12] for c in case_ids) if case_ids else "CASE"
        say(
            f"Not hashed: {stored} picture/video item(s) have no hashes yet, so they are never "
            f"matched. Hash and match them with: ncii-desk matches {which} --rematch"
            + (" (once per case)" if len(case_ids) > 1 else "")
        )
    if hash_only:
        say(
            f"Not hashed: {hash_only} item(s) kept as hashes only have no picture hashes, and "
            "cannot get them: their files were not kept. Add the files again (as suspected "
            "minor) if you still have them."
        )


def positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


@dataclass
class Commands:
    """What a command module gets to add its commands: see build_parser."""

    sub: Any  # the top-level subparsers: command(commands.sub, "name", ...)
    command: Callable[..., argparse.ArgumentParser]
    group: Callable[[str, str], Any]  # a new command group: group("name", "help")
    groups: dict[str, Any]  # the existing groups by name ("vault", "case", "item", ...)
    common: argparse.ArgumentParser  # options accepted after any command name (parents=[...])
    root: argparse.ArgumentParser  # the whole parser (completion reads its tree)
