"""Clinic roles: what the role check at a service entry point and a letter sign-off cost.

Usage: .venv/bin/python bench/clinic_roles.py [--members 20] [--calls 200]

Starts a throw-away PostgreSQL server (tests/clinic/pgkit.py), makes a clinic, a case with
``--members`` members (one signed membership record each, made with the hard-minimum Argon2id
settings), and times ``case_role`` for a member: the first call (reads and verifies every
record), the cached calls (one ``max(seq)`` query), and the call after one more record
(verifies them all again). Then a letter is drafted, signed off and its sign-offs listed.
Prints the figures; everything is deleted at the end.
"""

from __future__ import annotations

import argparse
import secrets
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests" / "clinic"))

PASS = "correct horse battery staple"


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=20)
    parser.add_argument("--calls", type=int, default=200)
    args = parser.parse_args()
    import benchmachine
    import pgkit

    from ncii_desk.clinic.store import ClinicStore, init_clinic
    from ncii_desk.documents.letters import LetterForm, Sender
    from ncii_desk.services import cases, signoff
    from ncii_desk.services import requests as tracker
    from ncii_desk.vault import keys, members
    from ncii_desk.vault.models import CaseMembershipRecord
    from ncii_desk.vault.roles import MemberRole

    bin_dir = pgkit.find_bin_dir()
    if bin_dir is None:
        sys.exit("No PostgreSQL server binaries found (install the postgresql package).")
    print(f"cpu: {benchmachine.cpu_model()}  load: {benchmachine.load_average()}")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        server = pgkit.PgServer.start(pgkit.server_base(work / "pg"), bin_dir)
        try:
            url = server.create_database("roles")
            init_clinic(url, work / "blobs", "Bench clinic")
            store = ClinicStore.open(url, secrets.token_bytes(32), actor="bench")
            fast = keys.KdfParams(keys.MIN_MEMORY_KIB, 1, 2, secrets.token_bytes(16))
            team = [
                members.create_member(store.vault_id, PASS, kdf=fast).keys
                for _ in range(args.members + 1)
            ]
            case = cases.new_case(store, "Case bench")
            ring, _, first = members.CaseKeyring.create(
                case.id, team[0], MemberRole.SUPERVISING_ATTORNEY
            )
            records = [first]
            for member in team[1 : args.members]:
                records.append(ring.add_member(team[0], member.public, MemberRole.ADVOCATE))

            def write(new: list[members.MembershipRecord]) -> None:
                with store.transaction() as s:
                    for record in new:
                        s.add(
                            CaseMembershipRecord(
                                case_id=case.id, seq=record.body["seq"], record=record.text
                            )
                        )
                        store.audit(s, "case.membership", case.id, record.audit_details())

            write(records)
            store.member, store.member_id = team[1], team[1].member_id
            start = time.perf_counter()
            store.case_role(case.id)
            cold = time.perf_counter() - start
            cached = []
            for _ in range(args.calls):
                start = time.perf_counter()
                store.case_role(case.id)
                cached.append(time.perf_counter() - start)
            write([ring.add_member(team[0], team[-1].public, MemberRole.READ_ONLY)])
            start = time.perf_counter()
            store.case_role(case.id)
            reload = time.perf_counter() - start
            print(f"case with {len(records) + 1} membership records, {args.members + 1} members")
            print(f"case_role, first call (read + verify {len(records)} records): {ms(cold)}")
            print(
                f"case_role, cached ({args.calls} calls, one max(seq) query): "
                f"median {ms(statistics.median(cached))}"
            )
            print(f"case_role after one new record (verify {len(records) + 1}): {ms(reload)}")

            form = LetterForm(
                sender=Sender(name="A", email="a@example.org", representative=True, authority="x"),
                signature="/s/ A",
                good_faith=True,
                covered_platform="yes",
            )
            drafted = tracker.draft_requests(
                store,
                case.id,
                "takedown",
                form,
                extra_urls=["https://www.reddit.com/r/a/comments/1"],
                now=datetime.now(UTC),
            )
            ref = drafted.requests[0].id
            store.member, store.member_id = team[0], team[0].member_id
            start = time.perf_counter()
            signoff.sign_off_request(store, ref)
            signed = time.perf_counter() - start
            start = time.perf_counter()
            signoff.list_sign_offs(store, ref)
            listed = time.perf_counter() - start
            print(f"sign off a letter (read, hash, verify records, sign, store): {ms(signed)}")
            print(f"list a request's sign-offs with verdicts (1 sign-off): {ms(listed)}")
            store.close()
        finally:
            server.stop(remove=True)


if __name__ == "__main__":
    main()
