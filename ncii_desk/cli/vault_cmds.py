"""``ncii-desk vault ...`` and ``ncii-desk audit ...``: create, check and unlock the vault;
verify and read the audit trail."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from ncii_desk.cli.common import (
    EXIT_INTEGRITY,
    EXIT_OK,
    NEW_PASSPHRASE_ENV,
    PASSPHRASE_ENV,
    Commands,
    cli_job,
    emit_json,
    new_file_target,
    new_passphrase,
    opened,
    positive_int,
    say,
    say_unhashed,
    show_record,
    store_options,
    unlock_secret,
    warn,
)
from ncii_desk.errors import InvalidSetting
from ncii_desk.hardening import write_private_bytes
from ncii_desk.lazy import lazy_module

if TYPE_CHECKING:
    from ncii_desk.services import cases, vaults
else:  # loaded on first use: --help and --version need none of them
    cases = lazy_module("ncii_desk.services.cases")
    vaults = lazy_module("ncii_desk.services.vaults")


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
    if isinstance(args.vault, str):
        raise InvalidSetting(
            f"'vault init' makes a laptop vault in a folder, and {args.vault} is an address.",
            "A clinic's shared store is made with 'ncii-desk clinic-server init --db ADDRESS "
            "--blobs DIR --name NAME --member-name NAME'.",
        )
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
        report = vaults.check_vault(
            args.vault,
            operator=args.operator,
            job=job,
            passphrase=secret.get("passphrase"),
            recovery_key=secret.get("recovery_key"),
            **store_options(args),
        )
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


def cmd_vault_change_passphrase(args: argparse.Namespace) -> int:
    with opened(args) as store:
        vault = vaults.laptop_vault(store, "Changing the vault passphrase")
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
    with opened(args) as store:
        vault = vaults.laptop_vault(store, "The vault's folder and key settings")
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
    with opened(args) as vault:
        events = vaults.recent_events(vault, args.limit)
    if args.json:
        emit_json(events)
    else:
        for e in events:
            say(
                f"{e['seq']:>6}  {e['at']}  {e['actor']:<12}  {e['action']:<24}  "
                f"{(e['object_id'] or '')[:12]}"
            )
    return EXIT_OK


def register(commands: Commands) -> None:
    """Add the ``vault`` group."""
    command, group = commands.command, commands.group
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


def register_audit(commands: Commands) -> None:
    """Add the ``audit`` group."""
    command, group = commands.command, commands.group
    audit_g = group("audit", "verify and read the tamper-evident audit trail")
    command(audit_g, "verify", cmd_audit_verify, "verify the audit chain against audit.head")
    p = command(audit_g, "log", cmd_audit_log, "show the newest audit events")
    p.add_argument("--limit", type=positive_int, default=50, help="how many (default 50)")
