"""Row-level roles enforced by PostgreSQL itself (migration 0012, ncii_desk.clinic.rls).

Each member connects with their own database login (``clinic-server login``); a modified
client with that login still cannot write to a case where the member is read-only, see a
case they are not on, add themselves to a case, or change the audit log. Real PostgreSQL
logins on the test session's server; the clients are real member-opened clinic stores.
"""

from __future__ import annotations

import contextlib
import io
import json
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from memberkit import add_member
from PIL import Image
from sqlalchemy import create_engine, text
from sqlalchemy import exc as sa_exc

from conftest import PASSPHRASE, fast_kdf
from ncii_desk.clinic import members as clinic_members
from ncii_desk.clinic import rls
from ncii_desk.clinic.errors import ClinicError, ServerRefused
from ncii_desk.clinic.store import ClinicStore, engine_url
from ncii_desk.services import case_members, cases, intake, items, vaults
from ncii_desk.services.clinic import init_clinic_with_member
from ncii_desk.vault.models import EvidenceItem, Role, Source


def _png(path: Path, shade: int) -> Path:
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (shade, 255 - shade, 90)).save(buf, format="PNG")
    path.write_bytes(buf.getvalue())
    return path


@dataclass
class Team:
    """A clinic whose case A has Alice (advocate, creator), Bob (advocate) and Carol
    (read-only); Dave is a clinic member not on case A. Everyone has a login."""

    owner_url: str
    case_id: str
    ids: dict[str, str]
    urls: dict[str, str]
    stores: list[ClinicStore]

    def open(self, name: str) -> ClinicStore:
        store = ClinicStore.open_member(self.urls[name], self.ids[name], passphrase=PASSPHRASE)
        self.stores.append(store)
        return store

    def sql(self, name: str, statement: str, **params: Any) -> Any:
        """One statement in its own transaction on ``name``'s login (no client rules)."""
        engine = create_engine(engine_url(self.urls[name]))
        try:
            with engine.begin() as conn:
                result = conn.execute(text(statement), params)
                return result.all() if result.returns_rows else result.rowcount
        finally:
            engine.dispose()


@pytest.fixture
def team(clinic_store: ClinicStore, tmp_path: Path) -> Iterator[Team]:
    ids = {"alice": str(clinic_store.member_id)}
    for name in ("bob", "carol", "dave"):
        ids[name] = add_member(clinic_store, name.title()).member_id
    urls = {name: rls.create_login(clinic_store.url, mid)["url"] for name, mid in ids.items()}
    made = Team(clinic_store.url, "", ids, urls, [])
    alice = made.open("alice")
    case = cases.new_case(alice, "Case A", notes="the case's notes")
    intake.add_items(alice, case.id, Role.SUSPECT, [_png(tmp_path / "a.png", 30)])
    case_members.add_member(alice, case.id, ids["bob"], "advocate")
    case_members.add_member(alice, case.id, ids["carol"], "read_only")
    made.case_id = case.id
    try:
        yield made
    finally:
        for store in made.stores:
            store.close()
        for mid in ids.values():
            with contextlib.suppress(ClinicError):  # some are removed by the test
                rls.remove_login(clinic_store.url, mid)


def _insert_item(case_id: str) -> str:
    return (
        "INSERT INTO items (id, case_id, role, source, size, mime, sha256, md5, "
        "original_filename, intake_at, operator, suspected_minor, pixels_kept, label, notes, "
        "details, taken_by, client_holds_copyright) VALUES "
        f"('{secrets.token_hex(16)}', '{case_id}', 'suspect', 'file', 1, 'image/png', "
        "'x', 'y', '', now(), '', false, true, '', '', '{}', 'unknown', 'unknown')"
    )


def test_a_read_only_members_insert_and_update_are_refused_by_postgresql(team: Team) -> None:
    case = team.case_id
    # The owner's login (what every client used before) may do both.
    owner = create_engine(engine_url(team.owner_url))
    with owner.connect() as conn:
        conn.execute(text(_insert_item(case)))  # not committed: a check only
        assert conn.execute(text("UPDATE cases SET label = 'x' WHERE id = :c"), {"c": case})
        conn.rollback()
    owner.dispose()
    with pytest.raises(sa_exc.ProgrammingError, match="row-level security"):
        team.sql("carol", _insert_item(case))
    with pytest.raises(sa_exc.ProgrammingError, match="may not update rows of cases"):
        team.sql("carol", "UPDATE cases SET label = 'changed' WHERE id = :c", c=case)
    with pytest.raises(sa_exc.ProgrammingError, match="may not delete rows of items"):
        team.sql("carol", "DELETE FROM items WHERE case_id = :c", c=case)
    # Carol reads the case all the same.
    assert team.sql("carol", "SELECT count(*) FROM items WHERE case_id = :c", c=case) == [(1,)]
    # Through a client that skips its own role check, the refusal is a clear error.
    carol = team.open("carol")
    with (
        pytest.raises(ServerRefused, match="clinic server refused this change"),
        carol.transaction() as s,
    ):
        s.add(
            EvidenceItem(
                case_id=case,
                role=Role.SUSPECT,
                source=Source.FILE,
                size=1,
                mime="image/png",
                sha256="0" * 64,
                md5="0" * 32,
            )
        )
    assert [i.original_filename for i in items.list_items(carol, case)] == ["a.png"]


def test_a_member_not_on_the_case_sees_none_of_its_rows(team: Team, tmp_path: Path) -> None:
    case = team.case_id
    for table, column in (
        ("cases", "id"),
        ("items", "case_id"),
        ("case_membership", "case_id"),
        ("case_key_wraps", "case_id"),
        ("sign_offs", "case_id"),
    ):
        assert team.sql("dave", f"SELECT count(*) FROM {table} WHERE {column} = :c", c=case) == [
            (0,)
        ]
        assert (
            team.sql("bob", f"SELECT count(*) FROM {table} WHERE {column} = :c", c=case) != [(0,)]
            or table == "sign_offs"
        )
    dave = team.open("dave")
    assert [c.id for c in cases.list_cases(dave)] == []
    # Dave's own case is his: created, filled and read through the services.
    mine = cases.new_case(dave, "Dave's case")
    intake.add_items(dave, mine.id, Role.SUSPECT, [_png(tmp_path / "d.png", 90)])
    assert [c.id for c in cases.list_cases(dave)] == [mine.id]
    assert team.sql("carol", "SELECT count(*) FROM cases WHERE id = :c", c=mine.id) == [(0,)]


def test_advocates_work_the_case_through_the_services_with_their_logins(
    team: Team, tmp_path: Path
) -> None:
    bob = team.open("bob")
    added = intake.add_items(bob, team.case_id, Role.SUSPECT, [_png(tmp_path / "b.png", 140)])
    assert not added.errors
    case_members.add_member(bob, team.case_id, team.ids["dave"], "read_only")
    dave = team.open("dave")
    names = sorted(i.original_filename for i in items.list_items(dave, team.case_id))
    assert names == ["a.png", "b.png"]
    case_members.remove_member(bob, team.case_id, team.ids["dave"])
    assert team.sql("dave", "SELECT count(*) FROM items") == [(0,)]
    assert vaults.verify_audit(bob).ok


def _membership_record(team: Team, actor: str, role: str) -> tuple[int, str]:
    """The next membership record of case A as ``actor`` would write it, adding themselves
    (the server does not check signatures: the clients do; this one is not signed)."""
    rows = team.sql(
        "alice",
        "SELECT seq, record FROM case_membership WHERE case_id = :c ORDER BY seq DESC LIMIT 1",
        c=team.case_id,
    )
    seq, last = rows[0]
    body = json.loads(last)["body"]
    body["members"][team.ids[actor]] = {"role": role, "x25519": "f", "ed25519": "f"}
    body.update(seq=seq + 1, actor=team.ids[actor], subject=team.ids[actor], action="member.add")
    return seq + 1, json.dumps({"body": body, "sig": "", "signer": ""})


def test_a_member_cannot_add_themselves_to_a_case(team: Team) -> None:
    insert = (
        "INSERT INTO case_membership (case_id, seq, record, created_at) VALUES (:c, :s, :r, now())"
    )
    for name, role in (("dave", "advocate"), ("carol", "advocate")):
        seq, record = _membership_record(team, name, role)
        with pytest.raises(sa_exc.ProgrammingError, match="changes who is on it"):
            team.sql(name, insert, c=team.case_id, s=seq, r=record)
    # Nor rewrite the records there are.
    with pytest.raises(sa_exc.ProgrammingError):
        team.sql(
            "bob", "UPDATE case_membership SET record = record WHERE case_id = :c", c=team.case_id
        )
    assert team.sql("dave", "SELECT count(*) FROM items") == [(0,)]


def test_a_removed_members_login_is_refused_after_remove(team: Team, cli: Any) -> None:
    listed = cli("clinic-server", "logins", "--db", team.owner_url, "--json")
    assert listed.rc == 0, listed.err
    rows = json.loads(listed.out)
    assert {r["member_id"] for r in rows} == set(team.ids.values())
    assert not any(r["stale"] for r in rows)
    carol = team.open("carol")
    clinic_members.remove(carol, team.ids["dave"])
    stale = [r for r in rls.list_logins(team.owner_url) if r.stale]
    assert [(r.member_id, r.status) for r in stale] == [(team.ids["dave"], "removed")]
    # A removed member's login keeps its connection but gets nothing from a case ...
    assert team.sql("dave", "SELECT count(*) FROM cases") == [(0,)]
    # ... and after --remove it cannot connect at all, nor use a connection still open.
    still_open = create_engine(engine_url(team.urls["dave"])).connect()
    assert still_open.execute(text("SELECT count(*) FROM clinic_members")).scalar()
    still_open.rollback()
    done = cli("clinic-server", "login", team.ids["dave"], "--remove", "--db", team.owner_url)
    assert done.rc == 0, done.err
    with pytest.raises(sa_exc.ProgrammingError, match="permission denied"):
        still_open.execute(text("SELECT count(*) FROM clinic_members"))
    still_open.close()
    with pytest.raises(ClinicError, match="could not be reached"):
        ClinicStore.open_member(team.urls["dave"], team.ids["dave"], passphrase=PASSPHRASE)
    assert team.ids["dave"] not in {r.member_id for r in rls.list_logins(team.owner_url)}


def test_the_login_command_prints_the_member_address_once(team: Team, cli: Any) -> None:
    made = cli("clinic-server", "login", team.ids["bob"], "--db", team.owner_url)
    assert made.rc == 0, made.err
    assert f"ncii_m_{team.ids['bob']}:" in made.out
    assert "given a new password" in made.out
    store = ClinicStore.open_member(
        next(w for w in made.out.split() if w.startswith("postgresql")),
        team.ids["bob"],
        passphrase=PASSPHRASE,
    )
    with store:
        assert [c.id for c in cases.list_cases(store)] == [team.case_id]
    pending = cli("clinic-server", "login", "0" * 32, "--db", team.owner_url)
    assert pending.rc != 0 and "no member" in pending.err


def test_audit_events_are_insertable_but_never_changed_by_a_member_login(team: Team) -> None:
    carol = team.open("carol")
    with carol.transaction() as s:
        carol.audit(s, "item.reveal", team.case_id, {"why": "checking"})
    assert vaults.verify_audit(carol).ok
    with pytest.raises(sa_exc.ProgrammingError, match="permission denied"):
        team.sql("carol", "UPDATE audit_events SET action = 'x' WHERE seq = 1")
    with pytest.raises(sa_exc.ProgrammingError, match="permission denied"):
        team.sql("bob", "DELETE FROM audit_events WHERE seq = 1")


def test_the_member_directory_and_clinic_record_are_guarded(team: Team) -> None:
    with pytest.raises(sa_exc.ProgrammingError, match="not allowed"):
        team.sql(
            "carol",
            "UPDATE clinic_members SET key_record = 'mine' WHERE member_id = :m",
            m=team.ids["alice"],
        )
    with pytest.raises(sa_exc.ProgrammingError, match="permission denied"):
        team.sql("carol", "DELETE FROM clinic_members WHERE member_id = :m", m=team.ids["bob"])
    # The clinic record: a member's UPDATE reaches no row.
    assert team.sql("bob", "UPDATE settings SET value = '{}' WHERE key = 'clinic.record'") == 0
    # A member changes their own passphrase with their login.
    carol = team.open("carol")
    assert clinic_members.change_passphrase(carol, "a new passphrase 123", current=PASSPHRASE)


def test_a_read_only_member_cannot_move_rows_out_of_the_case(team: Team) -> None:
    carol = team.open("carol")
    own = cases.new_case(carol, "Carol's own case")
    with pytest.raises(sa_exc.ProgrammingError, match="may not update rows of items"):
        team.sql(
            "carol", "UPDATE items SET case_id = :o WHERE case_id = :c", o=own.id, c=team.case_id
        )
    assert team.sql("alice", "SELECT count(*) FROM items WHERE case_id = :c", c=team.case_id) == [
        (1,)
    ]


def test_an_upgrade_gives_member_logins_their_privileges_again(team: Team, cli: Any) -> None:
    group = rls.group_name(
        json.loads(cli("clinic-server", "info", "--db", team.owner_url, "--json").out)["clinic_id"]
    )
    owner = create_engine(engine_url(team.owner_url))
    with owner.begin() as conn:  # as if a new table had come without grants
        conn.execute(text(f"REVOKE ALL ON items FROM {group}"))
    owner.dispose()
    with pytest.raises(sa_exc.ProgrammingError, match="permission denied"):
        team.sql("bob", "SELECT count(*) FROM items")
    done = cli("clinic-server", "upgrade", "--db", team.owner_url)
    assert done.rc == 0, done.err
    assert team.sql("bob", "SELECT count(*) FROM items") == [(1,)]


def test_a_newcomer_joins_with_the_joining_login_which_can_do_nothing_else(
    team: Team, cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = cli("clinic-server", "join-login", "--db", team.owner_url, "--json")
    assert made.rc == 0, made.err
    join_url = made.json()["url"]
    team.urls["joining"] = join_url
    monkeypatch.setenv("NCII_DESK_PASSPHRASE", PASSPHRASE)
    joined = cli("clinic", "join", "--db", join_url, "--name", "Erin Newcomer", "--json")
    assert joined.rc == 0, joined.err
    erin = joined.json()
    for statement in (
        "SELECT count(*) FROM cases",
        "SELECT count(*) FROM audit_events",
        "UPDATE settings SET value = '{}' WHERE key = 'clinic.record'",
        "UPDATE clinic_members SET removed_at = now()",
    ):
        with pytest.raises(sa_exc.ProgrammingError, match="permission denied"):
            team.sql("joining", statement)
    alice = team.open("alice")
    clinic_members.admit(alice, erin["member_id"], erin["fingerprint"])
    team.ids["erin"] = erin["member_id"]
    team.urls["erin"] = rls.create_login(team.owner_url, erin["member_id"])["url"]
    assert [c.id for c in cases.list_cases(team.open("erin"))] == []
    listed = {r.login: r.status for r in rls.list_logins(team.owner_url)}
    assert listed[rls.join_login_name(alice.vault_id)] == "joining"
    assert listed[rls.login_name(erin["member_id"])] == "admitted"
    removed = cli("clinic-server", "join-login", "--remove", "--db", team.owner_url)
    assert removed.rc == 0, removed.err
    with pytest.raises(sa_exc.OperationalError):
        team.sql("joining", "SELECT 1")


def test_an_owner_who_is_no_superuser_manages_the_logins(pg_server: Any, tmp_path: Path) -> None:
    """As docs/clinic.md sets it up: the clinic's own role owns its database and has
    CREATEROLE, nothing more."""
    import psycopg

    owner, database = "o" + secrets.token_hex(6), "t" + secrets.token_hex(6)
    with psycopg.connect(
        host="127.0.0.1",
        port=pg_server.port,
        user=pg_server.user,
        dbname="postgres",
        autocommit=True,
    ) as conn:
        conn.execute(f"CREATE ROLE {owner} LOGIN CREATEROLE")
        conn.execute(f"CREATE DATABASE {database} OWNER {owner}")
    url = f"postgresql+psycopg://{owner}@127.0.0.1:{pg_server.port}/{database}"
    made = init_clinic_with_member(
        url, tmp_path / "blobs", "Clinic", "Ada", PASSPHRASE, kdf=fast_kdf()
    )
    ada_url = rls.create_login(url, made["member_id"])["url"]
    with ClinicStore.open_member(ada_url, made["member_id"], passphrase=PASSPHRASE) as ada:
        case = cases.new_case(ada, "Ada's case")
        assert [c.id for c in cases.list_cases(ada)] == [case.id]
    with ClinicStore.open_member(url, made["member_id"], passphrase=PASSPHRASE) as as_owner:
        assert [c.id for c in cases.list_cases(as_owner)] == [case.id]
    assert [r.status for r in rls.list_logins(url)] == ["admitted"]
    assert rls.remove_login(url, made["member_id"])["removed"]
    assert rls.list_logins(url) == []
    with psycopg.connect(
        host="127.0.0.1",
        port=pg_server.port,
        user=pg_server.user,
        dbname="postgres",
        autocommit=True,
    ) as conn:
        conn.execute(f"ALTER ROLE {owner} NOCREATEROLE")
    with pytest.raises(rls.LoginRefused, match="refused to manage the clinic's logins"):
        rls.create_login(url, made["member_id"])


def test_only_a_supervising_attorney_signs_off_and_only_in_their_own_name(team: Team) -> None:
    from test_case_roles import PAGE, T0, letter_form

    from ncii_desk.services import requests as tracker
    from ncii_desk.services import signoff

    alice = team.open("alice")
    case_members.add_member(alice, team.case_id, team.ids["dave"], "supervising_attorney")
    drafted = tracker.draft_requests(
        alice, team.case_id, "takedown", letter_form(), extra_urls=[PAGE], now=T0
    )
    request = drafted.requests[0].id
    # The attorney signs off through the services with their own login.
    signoff.sign_off_request(team.open("dave"), request)
    rows = team.sql(
        "bob", "SELECT document_id, member_id FROM sign_offs WHERE case_id = :c", c=team.case_id
    )
    assert [r.member_id for r in rows] == [team.ids["dave"]]
    insert = (
        "INSERT INTO sign_offs (id, case_id, document_id, member_id, record, created_at) "
        "VALUES (:i, :c, :d, :m, '{}', now())"
    )
    document = rows[0].document_id
    for name, as_member in (("bob", "bob"), ("dave", "bob")):  # an advocate; a borrowed name
        with pytest.raises(sa_exc.ProgrammingError, match="row-level security"):
            team.sql(
                name,
                insert,
                i=secrets.token_hex(16),
                c=team.case_id,
                d=document,
                m=team.ids[as_member],
            )
