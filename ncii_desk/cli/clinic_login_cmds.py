"""``clinic-server login``, ``join-login`` and ``logins``: each member's own PostgreSQL login,
through which the server enforces case membership and roles row by row (see
docs/clinic.md, "Member logins and row-level security")."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from ncii_desk.cli.common import emit_json, say, table

if TYPE_CHECKING:
    from ncii_desk.cli.common import Commands

EXIT_OK = 0


def cmd_clinic_login(args: argparse.Namespace) -> int:
    from ncii_desk.services.clinic_logins import create_member_login, remove_member_login

    if args.remove:
        done = remove_member_login(args.db, args.member_id)
        if args.json:
            emit_json(done)
        else:
            say(
                f"Login {done['login']} of member {done['member_id']} removed: it cannot "
                "connect, and a connection of it still open is refused every table."
            )
        return EXIT_OK
    made = create_member_login(args.db, args.member_id)
    if args.json:
        emit_json(made)
        return EXIT_OK
    verb = "given a new password (the old one no longer works)" if made["renewed"] else "created"
    say(f"Login {made['login']} for member {made['member_id']} {verb}.")
    say()
    say("The member's computer opens the clinic store with this address - shown only this")
    say("once; NCII Desk keeps no copy. Give it to the member privately; it belongs in")
    say("their ~/.pgpass rather than in scripts:")
    say()
    say(f"    {made['url']}")
    say()
    say("Keep the owner's address (the one you gave here) off advocates' computers.")
    return EXIT_OK


def cmd_clinic_join_login(args: argparse.Namespace) -> int:
    from ncii_desk.services.clinic_logins import create_join_login, remove_join_login

    if args.remove:
        done = remove_join_login(args.db)
        if args.json:
            emit_json(done)
        else:
            say(f"Joining login {done['login']} removed.")
        return EXIT_OK
    made = create_join_login(args.db)
    if args.json:
        emit_json(made)
        return EXIT_OK
    verb = "given a new password (the old one no longer works)" if made["renewed"] else "created"
    say(f"Joining login {made['login']} {verb}. It can only run 'ncii-desk clinic join'.")
    say()
    say("A newcomer joins with this address - shown only this once:")
    say()
    say(f"    {made['url']}")
    say()
    say("After admitting them ('ncii-desk clinic admit'), give them their own login")
    say("('ncii-desk clinic-server login MEMBER_ID'); remove this one when nobody is joining")
    say("('ncii-desk clinic-server join-login --remove').")
    return EXIT_OK


def cmd_clinic_logins(args: argparse.Namespace) -> int:
    from ncii_desk.services.clinic_logins import list_member_logins

    logins = list_member_logins(args.db)
    if args.json:
        emit_json(logins)
        return EXIT_OK
    if not logins:
        say("The clinic has no member logins yet ('ncii-desk clinic-server login MEMBER_ID').")
        return EXIT_OK
    table(
        [
            [
                r["login"],
                r["member_id"] or "-",
                r["status"],
                "REMOVE THIS LOGIN" if r["stale"] else ("yes" if r["can_login"] else "no"),
            ]
            for r in logins
        ],
        ["LOGIN", "MEMBER", "STATUS", "CAN LOG IN"],
    )
    stale = [r for r in logins if r["stale"]]
    if stale:
        say(
            f"{len(stale)} login(s) belong to removed or unknown members: remove each with "
            "'ncii-desk clinic-server login MEMBER_ID --remove --db ADDRESS'."
        )
    return EXIT_OK


def register(commands: Commands) -> None:
    clinic_g = commands.groups["clinic-server"]
    p = commands.command(
        clinic_g,
        "login",
        cmd_clinic_login,
        "create (or renew) an admitted member's own database login and print its address "
        "once; --remove drops it",
    )
    p.add_argument("member_id", help="the member's id ('ncii-desk clinic members' lists them)")
    p.add_argument(
        "--db",
        required=True,
        metavar="postgresql://OWNER@HOST:PORT/DATABASE",
        help="the clinic database, with its owner's login (which needs CREATEROLE)",
    )
    p.add_argument("--remove", action="store_true", help="drop the member's login instead")
    p = commands.command(
        clinic_g,
        "join-login",
        cmd_clinic_join_login,
        "create (or renew) the clinic's joining login, which can only run 'clinic join', "
        "and print its address once; --remove drops it",
    )
    p.add_argument(
        "--db", required=True, metavar="postgresql://OWNER@...", help="the clinic database"
    )
    p.add_argument("--remove", action="store_true", help="drop the joining login instead")
    p = commands.command(
        clinic_g,
        "logins",
        cmd_clinic_logins,
        "list the clinic's member logins; flags those of removed or unknown members",
    )
    p.add_argument(
        "--db", required=True, metavar="postgresql://OWNER@...", help="the clinic database"
    )
