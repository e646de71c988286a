"""Who works on a clinic case: add, remove, list, through the services and the CLI, on a
real PostgreSQL clinic store (issue 19 §2)."""

from __future__ import annotations

import argparse
import io
import json
from pathlib import Path
from typing import Any

import pytest
import sealkit
from PIL import Image
from sqlalchemy import select, text

from ncii_desk.clinic.casekeys import MEMBERSHIP_ACTION
from ncii_desk.errors import NciiDeskError
from ncii_desk.services import case_members, cases, intake, items, vaults
from ncii_desk.vault.members import MembershipInvalid, MembershipRecord, verify_membership
from ncii_desk.vault.models import AuditEvent, Case, CaseKeyWrap, CaseMembershipRecord, Role
from ncii_desk.vault.roles import NotPermitted


@pytest.fixture
def clinic(clinic_url: str, tmp_path: Path) -> Any:
    made = sealkit.make_clinic(clinic_url, tmp_path)
    yield made
    made.close()


def _png(path: Path, shade: int) -> Path:
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (shade, 255 - shade, 90)).save(buf, format="PNG")
    path.write_bytes(buf.getvalue())
    return path


def _id(clinic: sealkit.Clinic, name: str) -> str:
    return clinic.person(name).keys.member_id


def test_creating_a_case_writes_its_key_record_and_audit_event_in_one_transaction(
    clinic: sealkit.Clinic,
) -> None:
    alice = clinic.open_as("alice")
    case = cases.new_case(alice, "Case K")
    with alice.session() as s:
        wraps = list(s.scalars(select(CaseKeyWrap).where(CaseKeyWrap.case_id == case.id)))
        records = [
            MembershipRecord(r.record)
            for r in s.scalars(
                select(CaseMembershipRecord).where(CaseMembershipRecord.case_id == case.id)
            )
        ]
        events = list(s.scalars(select(AuditEvent).where(AuditEvent.action == MEMBERSHIP_ACTION)))
    assert [(w.version, w.member_id) for w in wraps] == [(1, _id(clinic, "alice"))]
    membership = verify_membership(records, clinic_id=clinic.clinic_id, case_id=case.id)
    assert list(membership.members) == [_id(clinic, "alice")]
    assert membership.members[_id(clinic, "alice")].role.value == "advocate"
    # The audit event carries the record byte for byte.
    assert [e.object_id for e in events] == [case.id]
    assert MembershipRecord.from_audit_details(json.loads(events[0].details)).text == (
        records[0].text
    )
    assert vaults.verify_audit(alice).ok
    # A case refused (label clash) leaves no key rows behind.
    with pytest.raises(NciiDeskError, match="already exists"):
        cases.new_case(alice, "case k")
    with alice.session() as s:
        assert (
            s.scalar(
                select(CaseMembershipRecord.case_id).where(CaseMembershipRecord.case_id != case.id)
            )
            is None
        )


def test_a_member_added_later_reads_the_whole_case_and_the_list_shows_roles(
    clinic: sealkit.Clinic, tmp_path: Path
) -> None:
    alice = clinic.open_as("alice")
    case = cases.new_case(alice, "Case W", notes="written before bob")
    intake.add_items(alice, case.id, Role.SUSPECT, [_png(tmp_path / "early.png", 10)])
    listed = case_members.add_member(alice, case.id, _id(clinic, "bob"), "read_only")
    assert {(v.member_id, v.role, v.you) for v in listed} == {
        (_id(clinic, "alice"), "advocate", True),
        (_id(clinic, "bob"), "read_only", False),
    }
    bob = clinic.open_as("bob")
    assert cases.get_case(bob, case.id).notes == "written before bob"
    assert [i.original_filename for i in items.list_items(bob, case.id)] == ["early.png"]
    seen = case_members.list_members(bob, case.id)
    assert [v.fingerprint for v in seen if v.member_id == _id(clinic, "bob")] == [
        clinic.person("bob").keys.public.fingerprint
    ]
    assert bob.sealer.problems == []


def test_a_removed_member_cannot_read_what_is_written_after_removal(
    clinic: sealkit.Clinic, tmp_path: Path
) -> None:
    alice = clinic.open_as("alice")
    case = cases.new_case(alice, "Case R", notes="before")
    case_members.add_member(alice, case.id, _id(clinic, "bob"), "advocate")
    bob = clinic.open_as("bob")
    assert cases.get_case(bob, case.id).notes == "before"
    left = case_members.remove_member(alice, case.id, _id(clinic, "bob"))
    assert [v.member_id for v in left] == [_id(clinic, "alice")]
    with alice.transaction() as s:
        s.get(Case, case.id).notes = "after removal"  # type: ignore[union-attr]
    intake.add_items(alice, case.id, Role.SUSPECT, [_png(tmp_path / "later.png", 20)])
    # The new value uses key version 2, which Bob never received.
    engine = clinic.raw()
    with engine.connect() as conn:
        notes = conn.execute(text("SELECT notes FROM cases")).scalar_one()
        versions = conn.execute(
            text("SELECT version, member_id FROM case_key_wraps ORDER BY version")
        ).all()
    engine.dispose()
    assert notes.startswith("nf1.2.")
    assert [tuple(v) for v in versions] == [(1, _id(clinic, "alice")), (2, _id(clinic, "alice"))]
    # Bob's client (its cache made before the removal) reloads and no longer reads the case.
    view = cases.get_case(bob, case.id)
    assert view.label == "(no access)" and view.notes is None
    assert [i.original_filename for i in items.list_items(bob, case.id)] == [None]
    with pytest.raises(NotPermitted), bob.transaction() as s:
        s.get(Case, case.id).notes = "bob was removed"  # type: ignore[union-attr]
    # Alice still reads old and new values (both key versions).
    assert cases.get_case(alice, case.id).notes == "after removal"
    assert cases.get_case(clinic.open_as("alice"), case.id).label == "Case R"


def test_membership_rules_are_enforced(clinic: sealkit.Clinic) -> None:
    alice = clinic.open_as("alice")
    case = cases.new_case(alice, "Case P")
    # The advocate who made the case brings in its supervising attorney.
    case_members.add_member(alice, case.id, _id(clinic, "erin"), "supervising_attorney")
    roles = {m.member_id: m.role for m in case_members.list_members(alice, case.id)}
    assert roles[_id(clinic, "erin")] == "supervising_attorney"
    case_members.add_member(alice, case.id, _id(clinic, "bob"), "read_only")
    bob = clinic.open_as("bob")
    with pytest.raises(NotPermitted):  # read-only members change nothing
        case_members.add_member(bob, case.id, _id(clinic, "carol"), "read_only")
    with pytest.raises(NotPermitted, match="already a member"):
        case_members.add_member(alice, case.id, _id(clinic, "bob"), "advocate")
    with pytest.raises(NotPermitted, match="yourself"):
        case_members.remove_member(alice, case.id, _id(clinic, "alice"))
    clinic.person("dave", admitted=False)
    with pytest.raises(case_members.UnknownMember, match="not admitted"):
        case_members.add_member(alice, case.id, _id(clinic, "dave"), "advocate")
    with pytest.raises(case_members.UnknownMember, match="not a member of this clinic"):
        case_members.add_member(alice, case.id, "0" * 32, "advocate")
    listed = [v.member_id for v in case_members.list_members(alice, case.id)]
    assert listed[0] == _id(clinic, "alice")  # you first
    assert sorted(listed) == sorted([_id(clinic, n) for n in ("alice", "bob", "erin")])


def test_a_membership_record_altered_in_the_database_stops_the_case(
    clinic: sealkit.Clinic,
) -> None:
    alice = clinic.open_as("alice")
    case = cases.new_case(alice, "Case T", notes="kept")
    case_members.add_member(alice, case.id, _id(clinic, "bob"), "advocate")
    engine = clinic.raw()
    with engine.begin() as conn:  # the admin drops the record that added Bob
        conn.execute(text("DELETE FROM case_membership WHERE seq = 2"))
    engine.dispose()
    # Alice's client saw record 2: the rolled-back server is refused, nothing opens.
    view = cases.get_case(alice, case.id)
    assert view.notes is None
    assert any(isinstance(p, MembershipInvalid) for p in alice.sealer.problems)
    with pytest.raises(MembershipInvalid):
        case_members.list_members(alice, case.id)


def test_a_laptop_vault_has_no_case_members(vault: Any) -> None:
    case = cases.new_case(vault, "Case L")
    with pytest.raises(case_members.NotAClinicStore, match="not a clinic store"):
        case_members.list_members(vault, case.id)


def test_cli_lists_adds_and_removes_members(
    clinic: sealkit.Clinic, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The command functions on an open clinic store (opening the store by --member is the
    clinic-open work; here the store is handed to the commands as `opened` would)."""
    import contextlib

    from ncii_desk.cli import case_member_cmds as cmds

    alice = clinic.open_as("alice")
    case = cases.new_case(alice, "Case C")

    @contextlib.contextmanager
    def opened(_args: Any) -> Any:
        yield alice

    monkeypatch.setattr(cmds, "opened", opened)
    bob = _id(clinic, "bob")
    args = argparse.Namespace(case=case.id, member_id=bob, role="advocate", json=False)
    assert cmds.cmd_case_add_member(args) == 0
    out = capsys.readouterr().out
    assert f"Added {bob} to the case as advocate" in out
    assert clinic.person("bob").keys.public.fingerprint in out
    assert cmds.cmd_case_members(argparse.Namespace(case="Case C", json=True)) == 0
    listed = json.loads(capsys.readouterr().out)
    assert {(m["member_id"], m["role"]) for m in listed} == {
        (_id(clinic, "alice"), "advocate"),
        (bob, "advocate"),
    }
    assert cmds.cmd_case_remove_member(args) == 0
    assert f"Removed {bob} from the case" in capsys.readouterr().out
    assert [v.member_id for v in case_members.list_members(alice, case.id)] == [
        _id(clinic, "alice")
    ]


def test_cli_member_commands_are_registered_under_case() -> None:
    from ncii_desk.cli.main import build_parser

    parser = build_parser()
    args = parser.parse_args(["case", "add-member", "Case A", "m1", "--role", "read_only"])
    assert (args.case, args.member_id, args.role) == ("Case A", "m1", "read_only")
    with pytest.raises(SystemExit):
        parser.parse_args(["case", "add-member", "Case A", "m1", "--role", "owner"])


def test_a_rollback_between_two_runs_is_caught_with_the_remembered_membership(
    clinic: sealkit.Clinic,
) -> None:
    """What one run verified (``seen``), given to the next run's client, makes a server
    put back to an older state refuse the case, even though the older chain verifies."""
    alice = clinic.open_as("alice")
    case = cases.new_case(alice, "Case S", notes="kept")
    case_members.add_member(alice, case.id, _id(clinic, "bob"), "advocate")
    remembered = alice.sealer.keys.seen
    assert remembered[case.id][0] == 2
    engine = clinic.raw()
    with engine.begin() as conn:  # back to before Bob was added: a complete older chain
        conn.execute(text("DELETE FROM case_membership WHERE seq = 2"))
        conn.execute(
            text("DELETE FROM case_key_wraps WHERE member_id = :b"), {"b": _id(clinic, "bob")}
        )
    engine.dispose()
    unaware = clinic.open_as("alice")  # a new run that forgot: the older chain opens
    assert cases.get_case(unaware, case.id).notes == "kept"
    next_run = clinic.open_as("alice")
    next_run.sealer.keys.restore_seen(remembered)
    assert cases.get_case(next_run, case.id).notes is None
    assert any(
        isinstance(p, MembershipInvalid) and "rolled back" in p.message
        for p in next_run.sealer.problems
    )


def test_a_case_whose_keys_do_not_open_is_reported_once_per_listing(
    clinic: sealkit.Clinic, tmp_path: Path
) -> None:
    alice = clinic.open_as("alice")
    case = cases.new_case(alice, "Case O")
    pictures = [_png(tmp_path / f"p{i}.png", 30 + i) for i in range(4)]
    intake.add_items(alice, case.id, Role.SUSPECT, pictures)
    other = cases.new_case(alice, "Case P")
    engine = clinic.raw()
    with engine.begin() as conn:  # the key table altered: another case's wrap put in
        conn.execute(
            text(
                "UPDATE case_key_wraps SET wrap = "
                "(SELECT wrap FROM case_key_wraps WHERE case_id = :other) WHERE case_id = :one"
            ),
            {"one": case.id, "other": other.id},
        )
    engine.dispose()
    reader = clinic.open_as("alice")
    listed = items.list_items(reader, case.id)
    assert [i.original_filename for i in listed] == [None] * 4
    assert len(reader.sealer.problems) == 1
    assert reader.sealer.problems[0].message.startswith(f"The stored key of case {case.id}")
    assert "belongs to another case" in reader.sealer.problems[0].message
