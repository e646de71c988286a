"""``ncii-desk``: every action of the app as a command, for clinics that batch and script.

Exit codes (also in docs/cli.md): 0 success; 1 an error with a message; 2 wrong usage;
3 integrity failure (vault check failed, damaged vault); 4 wrong passphrase or recovery key;
5 vault locked or in use by another window; 6 vault missing (or already exists, for init);
7 a batch finished but some of its items failed; 130 cancelled.
"""

from __future__ import annotations

import argparse
import contextlib
import getpass
import io
import json
import os
import signal
import sys
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

from ncii_desk import __version__, cmdline
from ncii_desk.cli import source_cmds
from ncii_desk.cli.progress import ProgressBar
from ncii_desk.errors import (
    InternalError,
    InvalidSetting,
    NciiDeskError,
    VaultLocked,
    WeakPassphrase,
)
from ncii_desk.hardening import create_private_file, harden_process, write_private_bytes
from ncii_desk.hashing.defaults import PDQ_DEFAULT_THRESHOLD
from ncii_desk.lazy import lazy_module
from ncii_desk.media.walk import walk
from ncii_desk.paths import default_vault_dir
from ncii_desk.services.jobs import Job
from ncii_desk.vault.kinds import Answer, Role, TakenBy

if TYPE_CHECKING:
    from ncii_desk.services import cases, intake, items, vaults
    from ncii_desk.vault import Vault
    from ncii_desk.vault import keys as vault_keys
else:  # loaded on first use: --help and --version need none of them
    cases = lazy_module("ncii_desk.services.cases")
    intake = lazy_module("ncii_desk.services.intake")
    items = lazy_module("ncii_desk.services.items")
    vaults = lazy_module("ncii_desk.services.vaults")
    vault_keys = lazy_module("ncii_desk.vault.keys")

EXIT_OK = 0
EXIT_INTEGRITY = 3
EXIT_PARTIAL = 7
EXIT_NOT_INSTALLED = 8
PASSPHRASE_ENV = "NCII_DESK_PASSPHRASE"
NEW_PASSPHRASE_ENV = "NCII_DESK_NEW_PASSPHRASE"
RECOVERY_ENV = "NCII_DESK_RECOVERY_KEY"

Handler = Callable[[argparse.Namespace], int]


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


def _table(rows: list[list[str]], headers: list[str]) -> None:
    widths = [
        max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)
    ]
    say("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip())
    for row in rows:
        say("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())


# --- secrets -----------------------------------------------------------------------------------


def _read_secret_file(path: str) -> str:
    try:
        text = Path(path).read_text("utf-8")
    except OSError as exc:
        raise NciiDeskError(
            f"The file {path} could not be read: {exc.strerror}.",
            "Check the path given with the option.",
        ) from None
    return text.rstrip("\r\n")


def _interactive() -> bool:
    return sys.stdin is not None and sys.stdin.isatty()


def unlock_secret(args: argparse.Namespace) -> dict[str, str]:
    """passphrase= or recovery_key= for opening, from file, environment or prompt."""
    if args.recovery_key_file:
        return {"recovery_key": _read_secret_file(args.recovery_key_file)}
    if args.passphrase_file:
        return {"passphrase": _read_secret_file(args.passphrase_file)}
    if os.environ.get(PASSPHRASE_ENV):
        return {"passphrase": os.environ[PASSPHRASE_ENV]}
    if os.environ.get(RECOVERY_ENV):
        return {"recovery_key": os.environ[RECOVERY_ENV]}
    if _interactive():
        return {"passphrase": getpass.getpass("Vault passphrase: ")}
    raise VaultLocked(
        "No passphrase was given and there is no terminal to ask for one.",
        f"Use --passphrase-file FILE or set {PASSPHRASE_ENV}.",
    )


def new_passphrase(args: argparse.Namespace, *, env: str, prompt: str, file_option: str) -> str:
    """A new passphrase: from the file option / env, or typed twice."""
    file = getattr(args, file_option.removeprefix("--").replace("-", "_"), None)
    if file:
        value = _read_secret_file(file)
    elif os.environ.get(env):
        value = os.environ[env]
    elif _interactive():
        sys.stderr.write(
            f"Choose a passphrase of at least {vault_keys.MIN_PASSPHRASE_CHARS} characters; a few "
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
    vault_keys.check_passphrase_strength(value)
    return value


@contextmanager
def opened(args: argparse.Namespace) -> Iterator[Vault]:
    vault = vaults.open_vault(args.vault, operator=args.operator, **unlock_secret(args))
    for text in vault.report.warnings:
        warn(text)
    try:
        yield vault
    finally:
        vault.close()


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


# --- vault commands ------------------------------------------------------------------------


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


def _recovery_key_target(path: str | None) -> Path | None:
    """Check the --recovery-key-out path before the vault exists, so the key is never lost."""
    if not path:
        return None
    return new_file_target(Path(path).expanduser().resolve(), "the recovery key")


def _write_recovery_key(target: Path, recovery: str) -> str | None:
    """Write the key readable by this user only; returns an error text instead of raising."""
    try:
        write_private_bytes(target, (recovery + "\n").encode("utf-8"))
    except OSError as exc:
        return f"The recovery key could not be written to {target}: {exc.strerror}."
    return None


def cmd_vault_init(args: argparse.Namespace) -> int:
    key_file = _recovery_key_target(args.recovery_key_out)
    passphrase = new_passphrase(
        args, env=PASSPHRASE_ENV, prompt="New vault passphrase: ", file_option="--passphrase-file"
    )
    if not args.json:
        sys.stderr.write("Creating the vault (tuning the key derivation to this computer)...\n")
    vault, recovery = vaults.create_vault(
        args.vault,
        passphrase,
        memory_mib=args.kdf_memory_mib,
        target_seconds=args.kdf_seconds,
        operator=args.operator,
    )
    kdf = vault.header.kdf
    info = {
        "vault": str(vault.root),
        "vault_id": vault.vault_id,
        "kdf": {
            "name": "argon2id",
            "memory_mib": kdf.memory_kib // 1024,
            "time_cost": kdf.time_cost,
            "parallelism": kdf.parallelism,
        },
        "recovery_key": recovery,
    }
    vault.close()
    key_file_error = _write_recovery_key(key_file, recovery) if key_file else None
    if key_file_error:
        warn(key_file_error + " Write down the key shown here instead.")
    if args.json:
        emit_json(info)
        return EXIT_OK
    say(f"Vault created in {info['vault']}")
    say()
    say("RECOVERY KEY - shown only this once. Print it or write it down and keep it somewhere")
    say("safe, away from this computer. It opens the vault if the passphrase is forgotten.")
    say()
    say(f"    {recovery}")
    say()
    return EXIT_OK


def cmd_vault_check(args: argparse.Namespace) -> int:
    secret = unlock_secret(args)
    with cli_job(args, "Checking") as job:
        report = vaults.check_vault(args.vault, operator=args.operator, job=job, **secret)
    if args.json:
        emit_json(report.as_dict())
        return EXIT_OK if report.ok else EXIT_INTEGRITY
    for text in report.warnings:
        warn(text)
    if report.ok:
        say(
            f"Vault OK: header, database, {report.blobs_checked} stored file(s) "
            f"({report.bytes_checked:,} bytes) and {report.audit_events} audit events verified."
        )
    else:
        say(f"VAULT CHECK FAILED: {len(report.problems)} problem(s)")
        for p in report.problems:
            where = p.file + (f" [{p.entry}]" if p.entry else "")
            say(f"  - {where}: {p.message}")
        say("Keep a copy of the vault folder as it is and restore from your latest backup.")
    if report.repairs:
        say(f"Repaired while opening the vault ({len(report.repairs)}; recorded in the audit log):")
        for r in report.repairs:
            where = r.file + (f" [{r.entry}]" if r.entry else "")
            say(f"  - {where}: {r.damage.rstrip('.')}; {r.action}")
    if report.quarantined_files:
        warn(f"{report.quarantined_files} file(s) are in the vault's quarantine folder.")
    if isinstance(report, vaults.CheckReport):
        say_unhashed(report.unhashed, report.unhashed_hash_only, report.unhashed_cases)
    return EXIT_OK if report.ok else EXIT_INTEGRITY


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


def cmd_vault_change_passphrase(args: argparse.Namespace) -> int:
    with opened(args) as vault:
        new = new_passphrase(
            args,
            env=NEW_PASSPHRASE_ENV,
            prompt="New passphrase: ",
            file_option="--new-passphrase-file",
        )
        vault.change_passphrase(new)
        generation = vault.header.generation
    if args.json:
        emit_json({"changed": True, "generation": generation})
    else:
        say("Passphrase changed. The recovery key is unchanged and still works.")
    return EXIT_OK


def cmd_vault_info(args: argparse.Namespace) -> int:
    with opened(args) as vault:
        kdf = vault.header.kdf
        data = {
            "vault": str(vault.root),
            "vault_id": vault.vault_id,
            "created_at": vault.header.body["created_at"],
            "header_generation": vault.header.generation,
            "kdf": {
                "name": "argon2id",
                "memory_mib": kdf.memory_kib // 1024,
                "time_cost": kdf.time_cost,
                "parallelism": kdf.parallelism,
            },
            "cases": len(cases.list_cases(vault)),
        }
    return show_record(args, data)


# --- cases and items -----------------------------------------------------------------------


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
    _table(
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
        return 130
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
    _table(rows, ["ID", "ROLE", "TYPE", "BYTES", "SHA-256", "FILE NAME", "NOTE"])
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


def _hash_lines(result: Any) -> str:
    parts = [result.path, result.kind, f"sha256 {result.sha256}", f"md5 {result.md5}"]
    if result.pdq:
        parts.append(f"pdq {result.pdq} (quality {result.pdq_quality})")
    if result.phash:
        parts.append(f"phash {result.phash}")
    if result.kind == "video":
        parts.append(f"{len(result.frames)} frame hash(es)")
    return "\n    ".join(parts)


def _hash_inputs(paths: list[str]) -> tuple[list[Path], list[str]]:
    skipped: list[str] = []
    files = [p for p, _ in walk([Path(x) for x in paths], lambda p: skipped.append(str(p)))]
    return files, skipped


def cmd_hash(args: argparse.Namespace) -> int:
    from ncii_desk.hashing.pipeline import hash_many  # OpenCV etc. load only when needed

    files, _ = _hash_inputs(args.paths)
    errors = 0
    with cli_job(args, "Hashing") as job:
        for done, result in enumerate(
            hash_many(files, "plain", workers=args.workers, should_stop=lambda: job.cancelled),
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
        return 130
    return (EXIT_PARTIAL if errors < len(files) else 1) if errors else EXIT_OK


def cmd_scan(args: argparse.Namespace) -> int:
    from ncii_desk.services import scan as scan_service

    lists, reports = scan_service.load_lists(args.against, args.pdq_threshold)
    for report in reports:
        for problem in report.problems[:20]:
            warn(f"{report.name} {problem}")
        if len(report.problems) > 20:
            warn(f"{report.name}: {len(report.problems) - 20} more bad line(s) skipped")
    files, skipped = _hash_inputs([args.folder])
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
        return 130
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
    rc = 130 if hashing.cancelled else EXIT_OK  # what was hashed before Ctrl-C is matched
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
    _table(rows, ["MATCH", "SUSPECT", "MATCHES", "METHOD", "MEASURE", "REVIEW"])
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
        _table(
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


def cmd_models_list(args: argparse.Namespace) -> int:
    from ncii_desk.services.models import list_models
    from ncii_desk.vision.registry import ModelRegistry

    registry = ModelRegistry()
    specs = {m.name: m for m in registry}
    entries = list_models(registry)
    if args.json:
        emit_json(
            [
                {
                    "name": m.name,
                    "task": m.task,
                    "file": m.file,
                    "sha256": m.sha256,
                    "size": m.size,
                    "format": m.format,
                    "licence": m.licence,
                    "bundled": m.bundled,
                    "source": m.source,
                    "caveats": m.caveats,
                    "installed": e.state == "ok",
                    "state": e.state,
                    "path": e.path,
                }
                for e in entries
                for m in (specs[e.name],)
            ]
        )
        return EXIT_OK
    installed = {"ok": "yes", "corrupt": "DAMAGED", "not-installed": "no"}
    _table(
        [
            [e.name, e.task, installed[e.state], "yes" if e.bundled else "", e.licence]
            for e in entries
        ],
        ["NAME", "TASK", "INSTALLED", "BUNDLED", "LICENCE"],
    )
    say("Searched in: " + "; ".join(str(p) for p in registry.search_path()))
    if any(e.bundled and e.state != "ok" for e in entries):
        say(
            "A model the installers carry is missing or damaged: copy verified files with "
            "'ncii-desk models install --from FOLDER' (see 'ncii-desk models verify')."
        )
    return EXIT_OK


def cmd_models_install(args: argparse.Namespace) -> int:
    from ncii_desk.services.models import install_from
    from ncii_desk.vision.registry import ModelRegistry

    registry = ModelRegistry()
    results = install_from(Path(args.source).expanduser(), args.only or (), registry)
    corrupt = [r.name for r in results if r.outcome == "corrupt"]
    still_missing = [st.name for st in registry.verify_all() if st.bundled and st.state != "ok"]
    if args.json:
        emit_json(
            {
                "ok": not corrupt and not still_missing,
                "results": [r.as_dict() for r in results],
                "corrupt": corrupt,
                "bundled_not_installed": still_missing,
            }
        )
    else:
        labels = {
            "installed": "installed",
            "already-installed": "unchanged",
            "corrupt": "NOT COPIED",
            "not-found": "not found",
        }
        for r in results:
            line = f"{labels[r.outcome]:<10}  {r.name:<20} {r.message}"
            (warn if r.outcome == "corrupt" else say)(line)
        if still_missing:
            warn(
                "still not installed (the installers carry them): "
                + ", ".join(still_missing)
                + ". Add their files to the folder and run the command again."
            )
        else:
            say(
                "Every model the installers carry is installed. Check with: ncii-desk models verify"
            )
    if corrupt:
        return EXIT_INTEGRITY
    return EXIT_NOT_INSTALLED if still_missing else EXIT_OK


def cmd_models_verify(args: argparse.Namespace) -> int:
    from ncii_desk.vision.registry import ModelRegistry
    from ncii_desk.vision.runtime import Runtime

    registry = ModelRegistry()
    statuses = registry.verify_all()
    rt = Runtime(registry)
    # One real session shows where analysis runs: a provider this onnxruntime build lists
    # (TensorRT, CUDA) may not work on this computer, and then the next one is used.
    probe = next((s.name for s in statuses if s.ok and registry.spec(s.name).format == "onnx"), "")
    if probe:
        with contextlib.suppress(NciiDeskError):
            rt.session(probe)
    runtime = rt.describe()
    # A damaged or different file is an integrity failure (3); a model the installer should
    # carry that is not there is "not installed" (8); an optional model that is not there is
    # listed but fails nothing.
    corrupt = [st.name for st in statuses if st.state == "corrupt"]
    missing = [st.name for st in statuses if st.state == "not-installed" and st.bundled]
    optional = [st.name for st in statuses if st.state == "not-installed" and not st.bundled]
    # a clinic manifest entry that cannot be used as written (a bad or missing key)
    invalid = [st.name for st in statuses if st.state == "invalid"]
    ok = not corrupt and not missing and not invalid
    if args.json:
        emit_json(
            {
                "ok": ok,
                "corrupt": corrupt,
                "not_installed": missing,
                "optional_not_installed": optional,
                "invalid": invalid,
                "clinic_manifests": [str(p) for p in registry.clinic_manifests],
                "models": [st.as_dict() for st in statuses],
                "runtime": runtime,
            }
        )
    else:
        labels = {"ok": "OK           ", "corrupt": "CORRUPT      ", "invalid": "INVALID ENTRY"}
        for st in statuses:
            label = labels.get(st.state) or (
                "NOT INSTALLED" if st.bundled else "not installed (optional)"
            )
            say(f"{label}  {st.name:<20} {st.path if st.ok else st.reason}")
        unusable = sorted({f["provider"] for f in runtime["fallbacks"]})
        if runtime["provider_checked"]:
            say(
                f"Analysis runs on: {runtime['provider']} ({runtime['device']}; onnxruntime "
                f"{runtime['onnxruntime']})"
                + (f"; not usable on this computer: {', '.join(unusable)}" if unusable else "")
            )
        else:
            say(
                "Where analysis runs was not checked: no ONNX model could be opened. It will "
                f"try {runtime['next_provider']} first (onnxruntime {runtime['onnxruntime']})."
            )
        for path in registry.clinic_manifests:
            say(f"Clinic manifest read: {path}")
    if corrupt:
        return EXIT_INTEGRITY
    if invalid:
        return InvalidSetting.exit_code
    return EXIT_NOT_INSTALLED if missing else EXIT_OK


def cmd_audit_verify(args: argparse.Namespace) -> int:
    with opened(args) as vault:
        report = vaults.verify_audit(vault)
    if args.json:
        emit_json(report.as_dict())
    elif report.ok:
        say(f"Audit chain OK: {report.events} events, head at {report.head_seq}.")
    else:
        say("AUDIT CHAIN FAILED:")
        for p in report.problems:
            say(f"  - event {p['seq']}: {p['problem']}" if p["seq"] else f"  - {p['problem']}")
    return EXIT_OK if report.ok else EXIT_INTEGRITY


def cmd_audit_log(args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from ncii_desk.services.views import event_view
    from ncii_desk.vault.models import AuditEvent

    with opened(args) as vault, vault.session() as s:
        rows = list(s.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(args.limit)))
        events = [event_view(e) for e in reversed(rows)]
    if args.json:
        emit_json(events)
    else:
        for e in events:
            say(
                f"{e['seq']:>6}  {e['at']}  {e['actor']:<12}  {e['action']:<24}  "
                f"{(e['object_id'] or '')[:12]}"
            )
    return EXIT_OK


# --- parser ------------------------------------------------------------------------------------


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


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def _common(suppress: bool) -> argparse.ArgumentParser:
    """Options accepted both before and after the command name."""
    d: Any = argparse.SUPPRESS if suppress else None
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument(
        "--vault",
        type=Path,
        default=d if suppress else default_vault_dir(),
        help="vault folder (default: $NCII_DESK_VAULT or the user data folder)",
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


@dataclass
class Commands:
    """What a command module gets to add its commands: see build_parser."""

    sub: Any  # the top-level subparsers: command(commands.sub, "name", ...)
    command: Callable[..., argparse.ArgumentParser]
    group: Callable[[str, str], Any]  # a new command group: group("name", "help")
    groups: dict[str, Any]  # the existing groups by name ("vault", "case", "item", ...)


def _copyright_arguments(p: argparse.ArgumentParser, prefix: str) -> None:
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

    vault_g = group("vault", "create, check and manage the encrypted vault")
    p = command(vault_g, "init", cmd_vault_init, "create a new vault and show its recovery key")
    p.add_argument(
        "--kdf-memory-mib",
        type=int,
        default=256,
        help="Argon2id memory in MiB (256 to 4096; default 256)",
    )
    p.add_argument(
        "--kdf-seconds",
        type=float,
        default=1.0,
        help="target unlock time in seconds used to tune Argon2id (default 1.0; never "
        "fewer than 3 passes, however busy the computer)",
    )
    p.add_argument("--recovery-key-out", help="also write the recovery key to this file")
    command(vault_g, "check", cmd_vault_check, "verify every part of the vault")
    p = command(
        vault_g,
        "change-passphrase",
        cmd_vault_change_passphrase,
        "set a new passphrase (the recovery key keeps working)",
    )
    p.add_argument(
        "--new-passphrase-file",
        help=f"read the new passphrase from this file (or set {NEW_PASSPHRASE_ENV})",
    )
    command(vault_g, "info", cmd_vault_info, "show the vault's id and key-derivation settings")

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
    _copyright_arguments(p, "originals only: ")

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
    _copyright_arguments(p, "")

    p = command(
        sub,
        "hash",
        cmd_hash,
        "hash files or folders (no vault needed): SHA-256, MD5, PDQ, pHash, dHash",
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help="files or folders")
    p.add_argument(
        "--workers",
        type=_positive_int,
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
        type=_positive_int,
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
        type=_positive_int,
        default=32,
        help="files per Ray task (default 32)",
    )

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

    models_g = group(
        "models",
        "list, install and verify the analysis models (face, manipulation); "
        "with no action: list them",
    )
    # 'ncii-desk models' alone lists the models (installed?, bundled?, licence).
    models_g.required = False
    models_p = sub.choices["models"]
    models_p.add_argument("--json", action="store_true", help="machine-readable output")
    models_p.set_defaults(handler=cmd_models_list)
    command(
        models_g,
        "list",
        cmd_models_list,
        "list the models of the manifest: installed?, bundled?, licence",
    )
    p = command(
        models_g,
        "install",
        cmd_models_install,
        "copy model files from a folder into your model folder, each checked against the "
        "manifest's sha256 first (the models step of a pip install)",
    )
    p.add_argument(
        "--from",
        dest="source",
        required=True,
        metavar="DIR",
        help="folder holding the model files (and their licence files)",
    )
    p.add_argument(
        "--only",
        action="append",
        metavar="NAME",
        help="install only this model (repeatable; default: every model found)",
    )
    command(
        models_g,
        "verify",
        cmd_models_verify,
        "find every model file, check its sha256, and show the analysis provider",
    )

    audit_g = group("audit", "verify and read the tamper-evident audit trail")
    command(audit_g, "verify", cmd_audit_verify, "verify the audit chain against audit.head")
    p = command(audit_g, "log", cmd_audit_log, "show the newest audit events")
    p.add_argument("--limit", type=_positive_int, default=50, help="how many (default 50)")

    # Commands of the larger areas live in their own modules (they import helpers from here).
    from ncii_desk.cli import (
        capture_cmds,
        clinic_cmds,
        completion,
        document_cmds,
        handover_cmds,
        inspect_cmds,
        selftest_cmds,
        settings_cmds,
        validation_cmds,
        vision_cmds,
    )

    commands = Commands(sub=sub, command=command, group=group, groups=groups)
    for module in (
        vision_cmds,
        inspect_cmds,
        capture_cmds,
        document_cmds,
        selftest_cmds,
        settings_cmds,
        source_cmds,
        completion,
        validation_cmds,
        handover_cmds,
        clinic_cmds,
    ):
        module.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    harden_process()  # before any passphrase or key is in memory: no core dumps
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:  # no command: open the desktop app (--help still prints the help)
        from ncii_desk.gui.app import launch_from_cli

        return launch_from_cli(args)
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
