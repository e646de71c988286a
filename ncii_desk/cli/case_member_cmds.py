"""``ncii-desk case members|add-member|remove-member``: who works on a clinic case."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from ncii_desk.cli.common import EXIT_OK, Commands, emit_json, opened, say, table
from ncii_desk.lazy import lazy_module

if TYPE_CHECKING:
    from ncii_desk.services import case_members
else:  # loaded on first use
    case_members = lazy_module("ncii_desk.services.case_members")

ROLE_CHOICES = ("advocate", "supervising_attorney", "read_only")


def _show(args: argparse.Namespace, views: list[Any]) -> None:
    if args.json:
        emit_json([v.as_dict() for v in views])
        return
    table(
        [
            [v.member_id, v.role.replace("_", " "), v.fingerprint, "you" if v.you else ""]
            for v in views
        ],
        ["MEMBER", "ROLE", "KEY FINGERPRINT", ""],
    )


def cmd_case_members(args: argparse.Namespace) -> int:
    with opened(args) as store:
        views = case_members.list_members(store, args.case)
    _show(args, views)
    return EXIT_OK


def cmd_case_add_member(args: argparse.Namespace) -> int:
    with opened(args) as store:
        views = case_members.add_member(store, args.case, args.member_id, args.role)
    if not args.json:
        say(
            f"Added {args.member_id} to the case as {args.role.replace('_', ' ')}; they can "
            "read the whole case. Recorded in the case's signed membership and the audit log."
        )
    _show(args, views)
    return EXIT_OK


def cmd_case_remove_member(args: argparse.Namespace) -> int:
    with opened(args) as store:
        views = case_members.remove_member(store, args.case, args.member_id)
    if not args.json:
        say(
            f"Removed {args.member_id} from the case. What is written from now on uses a new "
            "case key they do not hold; what they already saw or saved stays with them."
        )
    _show(args, views)
    return EXIT_OK


def register(commands: Commands, case_g: Any) -> None:
    """Add the member commands to the ``case`` group."""
    command = commands.command
    p = command(case_g, "members", cmd_case_members, "list who works on a clinic case, with roles")
    p.add_argument("case", help="case id, id prefix or label")
    p = command(
        case_g,
        "add-member",
        cmd_case_add_member,
        "add an admitted clinic member to a case (they receive every key of the case)",
    )
    p.add_argument("case", help="case id, id prefix or label")
    p.add_argument("member_id", metavar="MEMBER_ID", help="as 'ncii-desk clinic members' lists it")
    p.add_argument("--role", required=True, choices=ROLE_CHOICES, help="their role on the case")
    p = command(
        case_g,
        "remove-member",
        cmd_case_remove_member,
        "remove a member from a case (new writes use a new key they do not get)",
    )
    p.add_argument("case", help="case id, id prefix or label")
    p.add_argument("member_id", metavar="MEMBER_ID")
