"""Row-level security (migration 0012): what PostgreSQL's per-row checks cost a member login.

Usage: .venv/bin/python bench/clinic_rls.py [--items 10000] [--members 10] [--repeat 5]

Starts a throw-away PostgreSQL server (tests/clinic/pgkit.py), makes a clinic with one
member and their own login, a case whose membership record names ``--members`` members, and
``--items`` evidence rows in it (written with the owner's login, plain SQL). Then times the
same statements with the owner's login (row-level security bypassed) and with the member's
login (every row checked through ncii_may_read / ncii_may_write): reading the case's item
ids, counting every item, reading the case's hashes (three per item), looking
up one hash value, and inserting 1,000 items in one transaction. Prints the median
of ``--repeat`` runs of each; everything is deleted at the end.
"""

from __future__ import annotations

import argparse
import json
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests" / "clinic"))

PASS = "correct horse battery staple"
INSERT = (
    "INSERT INTO items (id, case_id, role, source, size, mime, sha256, md5, "
    "original_filename, intake_at, operator, suspected_minor, pixels_kept, label, notes, "
    "details, taken_by, client_holds_copyright) "
    "SELECT md5(random()::text || g), :c, 'suspect', 'file', 1, 'image/png', 'x', 'y', '', "
    "now(), '', false, true, '', '', '{}', 'unknown', 'unknown' FROM generate_series(1, :n) g"
)


def median_ms(run: Callable[[], object], repeat: int) -> str:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return f"{statistics.median(times) * 1000:.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=10000)
    parser.add_argument("--members", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    import benchmachine
    import pgkit
    from sqlalchemy import create_engine, text

    from ncii_desk.clinic import rls
    from ncii_desk.clinic.store import ClinicStore, engine_url
    from ncii_desk.services import cases
    from ncii_desk.services.clinic import init_clinic_with_member
    from ncii_desk.vault import keys

    bin_dir = pgkit.find_bin_dir()
    if bin_dir is None:
        sys.exit("No PostgreSQL server binaries found (install the postgresql package).")
    print(f"cpu: {benchmachine.cpu_model()}  load: {benchmachine.load_average()}")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        server = pgkit.PgServer.start(pgkit.server_base(work / "pg"), bin_dir)
        try:
            url = server.create_database("rls")
            fast = keys.KdfParams(keys.MIN_MEMORY_KIB, 1, 2, secrets.token_bytes(16))
            made = init_clinic_with_member(url, work / "blobs", "Bench", "Ada", PASS, kdf=fast)
            member_url = rls.create_login(url, made["member_id"])["url"]
            with ClinicStore.open_member(member_url, made["member_id"], passphrase=PASS) as s:
                case = cases.new_case(s, "Bench case").id
            owner = create_engine(engine_url(url))
            member = create_engine(engine_url(member_url))
            with owner.begin() as conn:
                # a membership record naming --members members (only the clear map matters)
                record = json.loads(
                    conn.execute(
                        text("SELECT record FROM case_membership WHERE case_id = :c"), {"c": case}
                    ).scalar_one()
                )
                for _ in range(args.members - 1):
                    record["body"]["members"][secrets.token_hex(16)] = {"role": "advocate"}
                conn.execute(
                    text("UPDATE case_membership SET record = :r WHERE case_id = :c"),
                    {"r": json.dumps(record), "c": case},
                )
                conn.execute(text(INSERT), {"c": case, "n": args.items})
                conn.execute(  # three hashes per item
                    text(
                        "INSERT INTO hashes (item_id, kind, value, variant, algorithm, "
                        "library_version, created_at) SELECT i.id, k, md5(i.id || k), '', '', "
                        "'', now() FROM items i, unnest(ARRAY['pdq', 'phash', 'sha256']) k"
                    )
                )
                conn.execute(text("ANALYZE"))
            print(f"case with {args.items} items, membership record of {args.members} members")
            for label, statement in (
                ("read the case's item ids", "SELECT id FROM items WHERE case_id = :c"),
                ("count every item", "SELECT count(*) FROM items"),
                (
                    "read the case's hashes",
                    "SELECT h.kind, h.value FROM hashes h JOIN items i ON i.id = h.item_id "
                    "WHERE i.case_id = :c",
                ),
                ("look up one hash value", "SELECT item_id FROM hashes WHERE value = 'x'"),
            ):
                for who, engine in (("owner", owner), ("member", member)):

                    def read(engine: object = engine, statement: str = statement) -> object:
                        with engine.connect() as conn:  # type: ignore[attr-defined]
                            return conn.execute(text(statement), {"c": case}).all()

                    read()
                    print(f"  {label:28s} {who:7s} {median_ms(read, args.repeat)}")
            for who, engine in (("owner", owner), ("member", member)):

                def write(engine: object = engine) -> None:
                    with engine.connect() as conn:  # type: ignore[attr-defined]
                        conn.execute(text(INSERT), {"c": case, "n": 1000})
                        conn.rollback()

                write()
                print(f"  {'insert 1,000 items':28s} {who:7s} {median_ms(write, args.repeat)}")
            owner.dispose()
            member.dispose()
            rls.remove_login(url, made["member_id"])
        finally:
            server.stop(remove=True)


if __name__ == "__main__":
    main()
