"""CLI commands ``case export``, ``case import``, ``case history`` and ``vault pubkey`` (case
hand-over).

The work is done in ``ncii_desk.services.handover``; this module parses options, asks for
the fingerprint comparison and prints.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from ncii_desk.errors import InvalidSetting, NciiDeskError

if TYPE_CHECKING:
    from ncii_desk.cli.common import Commands
    from ncii_desk.services.handover import HandoverInfo

EXIT_OK = 0
HANDOVER_PASSPHRASE_ENV = "NCII_DESK_HANDOVER_PASSPHRASE"


def _handover_passphrase(args: argparse.Namespace, *, twice: bool) -> str:
    from ncii_desk.cli.common import interactive, read_secret_file

    if args.passphrase_file_handover:
        return read_secret_file(args.passphrase_file_handover)
    if os.environ.get(HANDOVER_PASSPHRASE_ENV):
        return os.environ[HANDOVER_PASSPHRASE_ENV]
    if interactive():
        value = getpass.getpass("Hand-over file passphrase: ")
        if twice and getpass.getpass("Type it again: ") != value:
            raise InvalidSetting("The two passphrases are not the same.", "Try again.")
        return value
    raise InvalidSetting(
        "No hand-over passphrase was given and there is no terminal to ask for one.",
        f"Use --handover-passphrase-file FILE or set {HANDOVER_PASSPHRASE_ENV}.",
    )


def _note(text: str) -> None:
    """Messages of the comparison step go to standard error (standard output may be JSON)."""
    sys.stderr.write(text + "\n")
    sys.stderr.flush()


def _confirm_fingerprint(args: argparse.Namespace, who: str, fingerprint: str) -> None:
    """The fingerprint comparison step: --fingerprint must match, or a person confirms."""
    from ncii_desk.cli.common import interactive
    from ncii_desk.services.handover import normal_fingerprint

    _note(f"The {who}'s key fingerprint is:\n    {fingerprint}")
    if args.fingerprint:
        if normal_fingerprint(args.fingerprint) != fingerprint:
            raise NciiDeskError(
                f"The {who}'s fingerprint is not the one you gave ({args.fingerprint}); "
                "nothing was done.",
                f"Call the {who} on a number you already know and compare the fingerprint "
                "again. A different fingerprint can mean the file or key was swapped.",
            )
        _note("It matches the fingerprint you gave.")
        return
    if args.yes:
        return
    if not interactive():
        raise NciiDeskError(
            f"The {who}'s fingerprint must be compared before going on, and there is no "
            "terminal to ask.",
            "Compare it by phone, then run again with --fingerprint FINGERPRINT (or --yes).",
        )
    sys.stderr.write(
        f"Call the {who} on a number you already know and read the fingerprint aloud.\n"
        "Do they match? Type yes to go on: "
    )
    sys.stderr.flush()
    if sys.stdin.readline().strip().lower() not in ("y", "yes"):
        from ncii_desk.errors import Cancelled

        raise Cancelled("Stopped: the fingerprint was not confirmed; nothing was done.")


def cmd_vault_pubkey(args: argparse.Namespace) -> int:
    from ncii_desk.cli.common import emit_json, new_file_target, opened, say
    from ncii_desk.hardening import write_private_bytes
    from ncii_desk.services import handover

    target = new_file_target(Path(args.out).expanduser().resolve(), "the key") if args.out else None
    with opened(args) as vault:
        key = handover.public_key(vault)
        signing = handover.signing_fingerprint(vault)
    if target is not None:
        write_private_bytes(target, key.to_text().encode("utf-8"))
    data = {
        "public_key_text": key.to_text(),
        "fingerprint": key.fingerprint,
        "signing_fingerprint": signing,
        "written_to": str(target) if target else None,
    }
    if args.json:
        emit_json(data)
        return EXIT_OK
    if target is None:
        say(key.to_text().rstrip())
    else:
        say(f"Public key written to {target}; send it to whoever will send you cases.")
    say(f"Hand-over key fingerprint (read it aloud when a sender calls): {key.fingerprint}")
    say(f"This vault signs the cases it sends with the key whose fingerprint is {signing}")
    return EXIT_OK


def cmd_case_export(args: argparse.Namespace) -> int:
    from ncii_desk.cli.common import cli_job, emit_json, new_file_target, opened, say
    from ncii_desk.services import handover

    out = new_file_target(Path(args.out).expanduser().resolve(), "the export")
    recipient = None
    passphrase = None
    if args.to:
        recipient = handover.read_recipient_key(Path(args.to).expanduser())
        _confirm_fingerprint(args, "recipient", recipient.fingerprint)
    else:
        passphrase = _handover_passphrase(args, twice=True)
    with opened(args) as vault, cli_job(args, "exporting") as job:
        result = handover.export_case(
            vault, args.case, out, recipient=recipient, passphrase=passphrase, job=job
        )
    if args.json:
        emit_json(result.as_dict())
        return EXIT_OK
    rows = sum(result.counts.values())
    say(
        f"Case exported to {result.path}: {rows} record(s), {result.blobs} stored file(s), "
        f"{result.audit_events} audit event(s)."
    )
    if result.hashes_only:
        say("The case may show a person under 18: the file holds hashes only, no pictures.")
    say(f"File SHA-256: {result.file_sha256}")
    return EXIT_OK


def cmd_case_import(args: argparse.Namespace) -> int:
    from ncii_desk.cli.common import cli_job, emit_json, opened, say
    from ncii_desk.services import handover

    passphrase = _handover_passphrase(args, twice=False) if args.passphrase else None

    def confirm(info: HandoverInfo) -> bool:
        _note(
            f"Verified: case '{info.case_label}' ({sum(info.counts.values())} record(s), "
            f"{info.blobs} stored file(s)), signed by vault {info.sender_vault_id}."
        )
        _confirm_fingerprint(args, "sender", info.sender_fingerprint)
        return True

    with opened(args) as vault, cli_job(args, "importing") as job:
        result = handover.import_case(
            vault,
            Path(args.file),
            passphrase=passphrase,
            as_copy=args.as_copy,
            confirm=confirm,
            job=job,
        )
    if args.json:
        emit_json(result.as_dict())
        return EXIT_OK
    say(f"Case imported: {result.label} (id {result.case_id}).")
    if result.resumed_blobs:
        say(
            f"An earlier import of this file was interrupted; it went on from there "
            f"({result.resumed_blobs} of {result.info.blobs} stored files were already in "
            "this vault and were checked, not copied again)."
        )
    if result.info.hashes_only:
        say("The case may show a person under 18: it came with hashes only.")
    return EXIT_OK


def _plain_details(details: object) -> object:
    """An imported event's details as data (they travel as the sender's JSON text)."""
    if isinstance(details, str):
        try:
            return json.loads(details)
        except ValueError:
            return details
    return details


def cmd_case_history(args: argparse.Namespace) -> int:
    from ncii_desk.cli.common import emit_json, opened, say
    from ncii_desk.services import access, handover

    with opened(args) as vault:
        case_id = access.require_case_ref(vault, args.case, access.Action.CASE_READ)
        events = [
            {**e, "details": _plain_details(e["details"])}
            for e in handover.imported_history(vault, case_id)
        ]
    if args.json:
        emit_json(events)
        return EXIT_OK
    if not events:
        say(
            "No imported history: this case was not received from another vault "
            "(its own events are in 'ncii-desk audit log')."
        )
        return EXIT_OK
    senders = sorted({e["sender_fingerprint"] for e in events})
    say(
        f"{len(events)} event(s) of the sending vault, received with the case (signed by "
        f"{', '.join(senders)}); kept beside this vault's own audit trail:"
    )
    for e in events:
        say(
            f"{e['seq']:>6}  {e['at']}  {str(e['actor'])[:12]:<12}  {e['action']:<24}  "
            f"{(e['object_id'] or '')[:12]}"
        )
    return EXIT_OK


def _fingerprint_options(p: argparse.ArgumentParser, who: str) -> None:
    p.add_argument(
        "--fingerprint",
        help=f"the {who}'s key fingerprint as you compared it by phone (must match)",
    )
    p.add_argument(
        "--yes",
        action="store_true",
        help=f"do not ask: you have compared the {who}'s fingerprint already",
    )


def register(commands: Commands) -> None:
    vault_g = commands.groups["vault"]
    p = commands.command(
        vault_g,
        "pubkey",
        cmd_vault_pubkey,
        "show (or write) this vault's public key for receiving cases, and its fingerprint",
    )
    p.add_argument("--out", help="write the public key to this new file (e.g. my-vault.pub)")

    case_g = commands.groups["case"]
    p = commands.command(
        case_g,
        "export",
        cmd_case_export,
        "write a case into one encrypted, signed file for another vault (hand-over)",
    )
    p.add_argument("case", help="case id, id prefix or label")
    how = p.add_mutually_exclusive_group(required=True)
    how.add_argument("--to", metavar="RECIPIENT.pub", help="the recipient vault's public key file")
    how.add_argument(
        "--passphrase",
        action="store_true",
        help="protect the file with a passphrase instead (tell it to the recipient by phone)",
    )
    p.add_argument("--out", required=True, help="the new file to write, e.g. case.ncii")
    p.add_argument(
        "--handover-passphrase-file",
        dest="passphrase_file_handover",
        help=f"read the file's passphrase from this file (or set {HANDOVER_PASSPHRASE_ENV})",
    )
    _fingerprint_options(p, "recipient")

    p = commands.command(
        case_g,
        "import",
        cmd_case_import,
        "add a case from a hand-over file (.ncii), after checking all of it",
    )
    p.add_argument("file", help="the .ncii file")
    p.add_argument(
        "--passphrase",
        action="store_true",
        help="the file is protected by a passphrase (asked for, or from the options below)",
    )
    p.add_argument(
        "--handover-passphrase-file",
        dest="passphrase_file_handover",
        help=f"read the file's passphrase from this file (or set {HANDOVER_PASSPHRASE_ENV})",
    )
    p.add_argument(
        "--as-copy",
        action="store_true",
        help="the case is already in this vault: add it as a separate copy with new ids",
    )
    _fingerprint_options(p, "sender")

    p = commands.command(
        case_g,
        "history",
        cmd_case_history,
        "the sending vault's audit events that came with an imported case (imported history)",
    )
    p.add_argument("case", help="case id, id prefix or label")
