"""CLI commands ``clinic-server init`` and ``clinic-server info`` (a clinic's shared store on
PostgreSQL). The work is done in ``ncii_desk.services.clinic``."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from ncii_desk.cli.common import emit_json, say

if TYPE_CHECKING:
    from ncii_desk.cli.common import Commands

EXIT_OK = 0


def cmd_clinic_init(args: argparse.Namespace) -> int:
    from ncii_desk.services.clinic import init_clinic_server

    record = init_clinic_server(args.db, Path(args.blobs), args.name)
    if args.json:
        emit_json(record)
        return EXIT_OK
    say(f"Clinic store created: {record['name']}")
    say(f"  clinic id:       {record['clinic_id']}")
    say(f"  schema revision: {record['schema_revision']}")
    say(f"  blob folder:     {record['blobs_dir']}")
    say("The server holds no key; advocates open the store with the clinic's key.")
    return EXIT_OK


def cmd_clinic_info(args: argparse.Namespace) -> int:
    from ncii_desk.services.clinic import clinic_server_info

    record = clinic_server_info(args.db)
    if args.json:
        emit_json(record)
        return EXIT_OK
    for key, value in record.items():
        say(f"{key.replace('_', ' ')}: {value}")
    return EXIT_OK


def register(commands: Commands) -> None:
    clinic_g = commands.group(
        "clinic-server", "set up a clinic's shared case store on a PostgreSQL server"
    )
    p = commands.command(
        clinic_g,
        "init",
        cmd_clinic_init,
        "create the schema and the clinic record in an empty PostgreSQL database",
    )
    p.add_argument(
        "--db",
        required=True,
        metavar="postgresql://USER@HOST:PORT/DATABASE",
        help="the clinic's (empty) database; a password is best kept in ~/.pgpass",
    )
    p.add_argument(
        "--blobs",
        required=True,
        metavar="DIR",
        help="the folder on the clinic's file server for encrypted evidence files",
    )
    p.add_argument("--name", required=True, help="the clinic's name, shown to its members")
    p = commands.command(clinic_g, "info", cmd_clinic_info, "show a clinic store's record")
    p.add_argument("--db", required=True, metavar="postgresql://...", help="the clinic database")
