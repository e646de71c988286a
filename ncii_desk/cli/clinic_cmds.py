"""CLI commands for a clinic's shared store on PostgreSQL: ``clinic-server init`` and
``clinic-server info``; ``clinic join``, ``clinic admit``, ``clinic members``, ``clinic
remove-member`` and ``clinic passphrase`` (members of the store). The work is done in
``ncii_desk.services.clinic``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ncii_desk.cli.common import (
    NEW_PASSPHRASE_ENV,
    PASSPHRASE_ENV,
    emit_json,
    new_passphrase,
    opened,
    say,
    table,
)
from ncii_desk.errors import InvalidSetting

if TYPE_CHECKING:
    from ncii_desk.cli.common import Commands

EXIT_OK = 0


def _say_recovery(key: str) -> None:
    say()
    say("YOUR RECOVERY KEY - shown only this once. Print it or write it down and keep it")
    say("safe, away from this computer. It opens your membership if you forget the passphrase.")
    say()
    say(f"    {key}")
    say()


def cmd_clinic_init(args: argparse.Namespace) -> int:
    from ncii_desk.services.clinic import init_clinic_with_member

    blobs = getattr(args, "blobs", None)
    if blobs is None:
        raise InvalidSetting(
            "The clinic's blob folder was not given.",
            "Give the folder on the clinic's file server with --blobs DIR.",
        )
    passphrase = new_passphrase(
        args,
        env=PASSPHRASE_ENV,
        prompt="Your new member passphrase: ",
        file_option="--passphrase-file",
    )
    if not args.json:
        sys.stderr.write("Creating the clinic and your member key (tuning the key derivation)...\n")
    record = init_clinic_with_member(
        args.db,
        Path(blobs),
        args.name,
        args.member_name,
        passphrase,
        allow_server_matching=args.allow_server_matching,
    )
    if args.json:
        emit_json(record)
        return EXIT_OK
    say(f"Clinic store created: {record['name']}")
    say(f"  clinic id:       {record['clinic_id']}")
    say(f"  schema revision: {record['schema_revision']}")
    say(f"  blob folder:     {record['blobs_dir']}")
    say(f"  hash values:     {_matching_words(record['server_matching'])}")
    say(f"  first member:    {record['member_id']} ({record['member_name']})")
    say(f"  fingerprint:     {record['fingerprint']}")
    _say_recovery(record["recovery_key"])
    say("The server holds no key: the clinic's key exists only wrapped to each member.")
    say("Others join with 'ncii-desk clinic join --db ADDRESS --name NAME'; you admit them.")
    return EXIT_OK


def _matching_words(allowed: bool) -> str:
    if allowed:
        return "in clear on the server (server-side matching allowed)"
    return "sealed by the members' computers (server-side matching not allowed)"


def cmd_clinic_info(args: argparse.Namespace) -> int:
    from ncii_desk.services.clinic import clinic_server_info

    record = clinic_server_info(args.db)
    if args.json:
        emit_json(record)
        return EXIT_OK
    for key, value in record.items():
        if key == "server_matching":
            key, value = "hash values", _matching_words(bool(value))
        say(f"{key.replace('_', ' ')}: {value}")
    return EXIT_OK


def cmd_clinic_join(args: argparse.Namespace) -> int:
    from ncii_desk.services.clinic import join_clinic

    passphrase = new_passphrase(
        args,
        env=PASSPHRASE_ENV,
        prompt="Your new member passphrase: ",
        file_option="--passphrase-file",
    )
    result = join_clinic(args.db, args.name, passphrase)
    if args.json:
        emit_json(result)
        return EXIT_OK
    say(f"You asked to join {result['clinic_name']}.")
    say(f"  member id:   {result['member_id']}")
    say(f"  fingerprint: {result['fingerprint']}")
    _say_recovery(result["recovery_key"])
    say("Call a member who is already admitted and read them your fingerprint; they run:")
    say(f"    {result['admit_command']}")
    return EXIT_OK


def _show_member(args: argparse.Namespace, member: dict[str, Any], verb: str) -> int:
    if args.json:
        emit_json(member)
    else:
        say(f"{verb}: {member['member_id']} ({member['name'] or 'name not known'})")
        say(f"  fingerprint: {member['fingerprint']}")
    return EXIT_OK


def cmd_clinic_admit(args: argparse.Namespace) -> int:
    from ncii_desk.services.clinic import admit_member

    with opened(args) as store:
        member = admit_member(store, args.member_id, args.fingerprint)
    return _show_member(args, member, "Admitted")


def cmd_clinic_members(args: argparse.Namespace) -> int:
    from ncii_desk.services.clinic import list_clinic_members

    with opened(args) as store:
        members = list_clinic_members(store)
    if args.json:
        emit_json(members)
        return EXIT_OK
    table(
        [[m["member_id"], m["name"] or "-", m["fingerprint"], m["status"]] for m in members],
        ["MEMBER", "NAME", "FINGERPRINT", "STATUS"],
    )
    return EXIT_OK


def cmd_clinic_remove_member(args: argparse.Namespace) -> int:
    from ncii_desk.services.clinic import remove_member

    with opened(args) as store:
        member = remove_member(store, args.member_id)
    if not args.json:
        say(
            "Removed. They can no longer open the clinic store. A copy of the clinic key they "
            "made before stays with them (the clinic key is not changed); cases they were on "
            "get new keys when they are taken off each case."
        )
        say(
            "If they had their own database login, the clinic's administrator must also "
            "remove it: 'ncii-desk clinic-server login MEMBER_ID --remove --db OWNER_ADDRESS'."
        )
    return _show_member(args, member, "Removed")


def cmd_clinic_passphrase(args: argparse.Namespace) -> int:
    from ncii_desk.services.clinic import change_member_passphrase

    with opened(args) as store:
        new = new_passphrase(
            args,
            env=NEW_PASSPHRASE_ENV,
            prompt="New member passphrase: ",
            file_option="--new-passphrase-file",
        )
        generation = change_member_passphrase(store, new)
    if args.json:
        emit_json({"changed": True, "generation": generation})
    else:
        say("Your member passphrase was changed. Your recovery key is unchanged and still works.")
    return EXIT_OK


def register(commands: Commands) -> None:
    clinic_g = commands.group(
        "clinic-server", "set up a clinic's shared case store on a PostgreSQL server"
    )
    p = commands.command(
        clinic_g,
        "init",
        cmd_clinic_init,
        "create the clinic in an empty PostgreSQL database, with you as its first member "
        "(the blob folder is given with --blobs DIR)",
    )
    p.add_argument(
        "--db",
        required=True,
        metavar="postgresql://USER@HOST:PORT/DATABASE",
        help="the clinic's (empty) database; a password is best kept in ~/.pgpass",
    )
    p.add_argument("--name", required=True, help="the clinic's name, shown to its members")
    p.add_argument(
        "--member-name",
        required=True,
        help="your name as the other members will see it (stored encrypted)",
    )
    p.add_argument(
        "--allow-server-matching",
        action="store_true",
        help="keep file and perceptual hash values in clear on the server so that it could "
        "match them (default: sealed by the members' computers; cannot be changed later)",
    )
    p = commands.command(clinic_g, "info", cmd_clinic_info, "show a clinic store's record")
    p.add_argument("--db", required=True, metavar="postgresql://...", help="the clinic database")

    member_g = commands.groups["clinic"]  # shared with the letter details (document_cmds)
    p = commands.command(
        member_g,
        "join",
        cmd_clinic_join,
        "ask to join a clinic's shared store: makes your member key; an admitted member "
        "then admits you",
    )
    p.add_argument("--db", required=True, metavar="postgresql://...", help="the clinic database")
    p.add_argument("--name", required=True, help="your name as the other members will see it")
    p = commands.command(
        member_g,
        "admit",
        cmd_clinic_admit,
        "admit a member who joined, after comparing their key fingerprint by phone",
    )
    p.add_argument("member_id", help="the member id 'clinic join' printed for them")
    p.add_argument("--fingerprint", required=True, help="the fingerprint they read out to you")
    commands.command(member_g, "members", cmd_clinic_members, "list the clinic store's members")
    p = commands.command(
        member_g,
        "remove-member",
        cmd_clinic_remove_member,
        "stop a member from opening the clinic store",
    )
    p.add_argument("member_id")
    p = commands.command(
        member_g,
        "passphrase",
        cmd_clinic_passphrase,
        "set a new passphrase for your clinic membership (the recovery key keeps working)",
    )
    p.add_argument(
        "--new-passphrase-file",
        help=f"read the new passphrase from this file (or set {NEW_PASSPHRASE_ENV})",
    )
    _register_ops(commands, clinic_g)


# clinic-server upgrade / check (helper cops) ---------------------------------------------

EXIT_PROBLEMS = 3


def cmd_clinic_upgrade(args: argparse.Namespace) -> int:
    from ncii_desk.services.clinic import upgrade_clinic_server

    result = upgrade_clinic_server(args.db)
    if args.json:
        emit_json(result)
        return EXIT_OK
    if result["changed"]:
        say(
            f"Clinic store {result['name']} upgraded from schema revision "
            f"{result['from_revision']} to {result['to_revision']}."
        )
    else:
        say(
            f"Clinic store {result['name']} is already at schema revision "
            f"{result['to_revision']}; nothing to do."
        )
    if result["other_connections"]:
        say(
            f"{result['other_connections']} other connection(s) to the database are open: "
            "ask those advocates to restart NCII Desk."
        )
    return EXIT_OK


def _say_strays(title: str, strays: list[dict[str, object]]) -> None:
    say(f"{title} ({len(strays)}):")
    for s in strays:
        where = f" -> {s['moved_to']}" if s.get("moved_to") else ""
        failed = f" (not moved: {s['error']})" if s.get("error") else ""
        say(
            f"  - {s['path']} [{s['kind']}, {s['size']} bytes, "
            f"{s['age_minutes']} min]{where}{failed}"
        )


def cmd_clinic_check(args: argparse.Namespace) -> int:
    from ncii_desk.services.clinic import check_clinic_server

    report = check_clinic_server(
        args.db,
        Path(args.blobs) if getattr(args, "blobs", None) else None,
        grace_minutes=args.grace_minutes,
        sweep=args.sweep,
        hashes=args.hashes,
    )
    if args.json:
        emit_json(report)
        return EXIT_OK if report["ok"] else EXIT_PROBLEMS
    say(
        f"Clinic store {report['name']}: {report['rows']} stored file record(s), "
        f"{report['files']} file(s) in {report['blobs_dir']}."
    )
    if report["strays"]:
        moved = "moved to quarantine" if report["swept"] else "older than the grace period"
        _say_strays(f"Files without a record, {moved}", report["strays"])
        if not report["swept"]:
            say("  Move them aside with --sweep (nothing is deleted).")
    if report["recent"]:
        _say_strays(
            f"Files without a record younger than {report['grace_minutes']:g} minutes "
            "(perhaps a save in progress; left alone)",
            report["recent"],
        )
    if report["missing"]:
        say(
            f"Records whose file is missing ({len(report['missing'])}); restore the blob "
            "folder and the database together from the same backup:"
        )
        for blob_id in report["missing"]:
            say(f"  - {blob_id}")
    if report["damaged"]:
        say(
            f"Files whose bytes differ from what was saved ({len(report['damaged'])} of "
            f"{report['hashed']} hashed); restore them from backup:"
        )
        for name in report["damaged"]:
            say(f"  - {name}")
    elif args.hashes:
        say(f"{report['hashed']} file(s) hashed: each matches the hash saved with it.")
    if report["dropped_pending"]:
        say(
            f"{len(report['dropped_pending'])} file(s) of removed evidence wait to be "
            "deleted; the next advocate to open the store deletes them."
        )
    if report["unknown"]:
        say(f"Files that are not the clinic store's ({len(report['unknown'])}; left alone):")
        for name in report["unknown"]:
            say(f"  - {name}")
    if report["permissions"]:
        say(f"Ownership and mode problems ({len(report['permissions'])}):")
        for line in report["permissions"]:
            say(f"  - {line}")
    if report["swept"] and any(s.get("moved_to") for s in report["strays"]):
        say(
            "The sweep is recorded in the clinic's settings (clinic.ops_log); the audit log "
            "cannot record it without the clinic's key."
        )
    say("Blob folder OK." if report["ok"] else "Blob folder needs attention (see above).")
    return EXIT_OK if report["ok"] else EXIT_PROBLEMS


def _minutes(value: str) -> float:
    try:
        minutes = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError("must be a number of minutes") from None
    if minutes < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return minutes


def _register_ops(commands: Commands, clinic_g: object) -> None:
    p = commands.command(
        clinic_g,
        "upgrade",
        cmd_clinic_upgrade,
        "run this version's database migrations on a clinic store (no key needed)",
    )
    p.add_argument("--db", required=True, metavar="postgresql://...", help="the clinic database")
    p = commands.command(
        clinic_g,
        "check",
        cmd_clinic_check,
        "compare the clinic's blob folder with its records; --sweep moves strays aside",
    )
    p.add_argument("--db", required=True, metavar="postgresql://...", help="the clinic database")
    p.add_argument(
        "--grace-minutes",
        type=_minutes,
        default=60,
        metavar="N",
        help="files without a record younger than this may be saves in progress (default 60)",
    )
    p.add_argument(
        "--sweep",
        action="store_true",
        help="move files without a record older than the grace period into quarantine/",
    )
    p.add_argument(
        "--hashes",
        action="store_true",
        help="also read every file and compare it with the ciphertext hash its record holds",
    )
