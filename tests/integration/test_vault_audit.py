"""The tamper-evident audit chain: append-only triggers, MAC chain, and audit.head.

Attacks are simulated by someone holding the database key who opens meta.db directly with
sqlcipher3 (the vault closed), drops the triggers and edits or deletes rows, without touching
audit.head. verify_audit(), check() and the open report must all notice.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
import sqlalchemy.exc
import sqlcipher3.dbapi2 as sqlcipher
from sqlalchemy import select, text

from conftest import PASSPHRASE
from ncii_desk.vault import Vault
from ncii_desk.vault.audit import GENESIS_MAC, TAMPER_ACTION
from ncii_desk.vault.keys import Header, derive_subkeys
from ncii_desk.vault.models import AuditEvent, Case

N_EXTRA = 5  # events appended by the tests, after "vault.created" (seq 1)
LAST = 1 + N_EXTRA


def add_events(vault: Vault, n: int = N_EXTRA) -> None:
    for i in range(n):
        with vault.transaction() as s:
            case = Case(label=f"case {i}")
            s.add(case)
            s.flush()
            vault.audit(s, "case.created", object_id=case.id, details={"n": i})


def attacker_sql(root: Path, *statements: str) -> None:
    """Run raw SQL on meta.db with the real database key, as an insider with the passphrase."""
    header = Header.from_bytes((root / "vault.hdr").read_bytes(), "vault.hdr")
    key = derive_subkeys(header.unwrap_with_passphrase(PASSPHRASE), header.vault_id).database
    conn = sqlcipher.connect(str(root / "meta.db"), isolation_level=None)
    try:
        conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
        conn.execute("BEGIN")
        for statement in statements:
            conn.execute(statement)
        conn.execute("COMMIT")
    finally:
        conn.close()


def head_doc(root: Path) -> dict:
    return json.loads((root / "audit.head").read_text("utf-8"))


@pytest.fixture
def chained(new_vault: tuple[Vault, str], vault_dir: Path) -> Path:
    """A closed vault whose chain has LAST events and a matching audit.head."""
    vault, _ = new_vault
    add_events(vault)
    report = vault.verify_audit()
    assert (report.ok, report.events, report.head_seq) == (True, LAST, LAST)
    vault.close()
    return vault_dir


# --- the healthy chain ----------------------------------------------------------------------


def test_events_form_a_chain_and_head_follows_every_commit(vault: Vault, vault_dir: Path):
    assert head_doc(vault_dir)["seq"] == 1
    add_events(vault, 3)
    with vault.session() as s:
        events = list(s.scalars(select(AuditEvent).order_by(AuditEvent.seq)))
    assert [e.seq for e in events] == [1, 2, 3, 4]
    assert [e.action for e in events] == ["vault.created"] + ["case.created"] * 3
    assert all(e.actor == "test-advocate" for e in events)
    assert events[0].prev_mac == GENESIS_MAC
    for prev, cur in itertools.pairwise(events):
        assert cur.prev_mac == prev.mac
    assert json.loads(events[2].details) == {"n": 1}
    assert len({e.mac for e in events}) == 4
    head = head_doc(vault_dir)
    assert (head["seq"], head["mac"], head["vault_id"]) == (4, events[-1].mac, vault.vault_id)
    report = vault.verify_audit()
    assert report.as_dict() == {
        "ok": True,
        "events": 4,
        "head_seq": 4,
        "head_behind_by": 0,
        "problems": [],
    }
    assert vault.check().audit_events == 4


def test_audit_event_rolls_back_with_its_transaction(vault: Vault, vault_dir: Path) -> None:
    head_before = (vault_dir / "audit.head").read_bytes()
    with pytest.raises(RuntimeError), vault.transaction() as s:
        vault.audit(s, "case.created", object_id="x")
        raise RuntimeError("abandon")
    assert vault.verify_audit().events == 1
    assert (vault_dir / "audit.head").read_bytes() == head_before


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_events SET actor = 'someone else' WHERE seq = 1",
        "UPDATE audit_events SET details = '{}'",
        "DELETE FROM audit_events WHERE seq = 2",
        "DELETE FROM audit_events",
    ],
)
def test_triggers_refuse_update_and_delete(vault: Vault, statement: str) -> None:
    add_events(vault, 1)
    with vault.session() as s:
        before = [(e.seq, e.actor, e.details, e.mac) for e in s.scalars(select(AuditEvent))]
    with (
        pytest.raises(sqlalchemy.exc.IntegrityError, match="append-only"),
        vault.transaction() as s,
    ):
        s.execute(text(statement))
    with vault.session() as s:
        after = [(e.seq, e.actor, e.details, e.mac) for e in s.scalars(select(AuditEvent))]
    assert after == before
    assert vault.verify_audit().ok


def test_triggers_also_bind_a_direct_connection(chained: Path) -> None:
    with pytest.raises(sqlcipher.IntegrityError, match="append-only"):
        attacker_sql(chained, "DELETE FROM audit_events WHERE seq = 6")
    with Vault.open(chained, passphrase=PASSPHRASE) as vault:
        assert vault.verify_audit().events == LAST


# --- attacks --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "column, value",
    [
        ("actor", "'someone else'"),
        ("details", "'{\"n\":99}'"),
        ("at", "'2000-01-01T00:00:00.000000Z'"),
    ],
)
def test_edited_row_fails_at_that_seq(chained: Path, column: str, value: str) -> None:
    attacker_sql(
        chained,
        "DROP TRIGGER audit_events_no_update",
        f"UPDATE audit_events SET {column} = {value} WHERE seq = 3",
    )
    with Vault.open(chained, passphrase=PASSPHRASE) as vault:
        expected = [{"seq": 3, "problem": "event was altered (MAC mismatch)"}]
        assert vault.report.audit_problems == expected
        assert any("MAC mismatch" in w for w in vault.report.warnings)
        report = vault.verify_audit()
        assert report.ok is False
        assert report.problems == expected
        assert report.events == LAST
        check = vault.check()
        assert not check.ok
        assert [(p.file, p.entry) for p in check.problems] == [("meta.db", "seq 3")]


def test_recomputed_row_breaks_the_link_to_the_next(chained: Path) -> None:
    """Even copying another event's MAC into the edited row cannot hide the edit."""
    attacker_sql(
        chained,
        "DROP TRIGGER audit_events_no_update",
        "UPDATE audit_events SET mac = (SELECT mac FROM audit_events WHERE seq = 2) WHERE seq = 4",
    )
    with Vault.open(chained, passphrase=PASSPHRASE) as vault:
        seqs = {(p["seq"], p["problem"]) for p in vault.verify_audit().problems}
    assert (4, "event was altered (MAC mismatch)") in seqs
    assert (5, "link to the previous event is broken") in seqs


MISSING_2 = (
    "the newest 2 event(s) recorded in audit.head are missing from the database "
    "(deleted or rolled back)"
)


def tamper_events(vault: Vault) -> list[AuditEvent]:
    with vault.session() as s:
        return list(
            s.scalars(
                select(AuditEvent)
                .where(AuditEvent.action == TAMPER_ACTION)
                .order_by(AuditEvent.seq)
            )
        )


def test_deleting_the_newest_rows_is_detected_against_audit_head(chained: Path) -> None:
    head_before = head_doc(chained)
    assert head_before["seq"] == LAST
    attacker_sql(
        chained,
        "DROP TRIGGER audit_events_no_delete",
        f"DELETE FROM audit_events WHERE seq > {LAST - 2}",
    )
    with Vault.open(chained, passphrase=PASSPHRASE) as vault:
        # What opening found, compared with audit.head ...
        assert vault.report.audit_problems == [{"seq": None, "problem": MISSING_2}]
        assert any(MISSING_2 in w for w in vault.report.warnings)
        # ... is written into the chain, so the next commits cannot hide it.
        (event,) = tamper_events(vault)
        assert event.seq == LAST - 1
        details = json.loads(event.details)
        assert details["problems"] == [MISSING_2]
        assert details["stored_head"] == {"seq": LAST, "mac": head_before["mac"]}
        report = vault.verify_audit()
        assert report.ok is False
        assert report.events == LAST - 1
        assert len(report.problems) == 1
        assert report.problems[0]["seq"] == LAST - 1
        assert report.problems[0]["problem"].endswith(MISSING_2)
        check = vault.check()
        assert [(p.file, p.entry) for p in check.problems] == [("meta.db", f"seq {LAST - 1}")]


def test_deleting_a_middle_row_is_detected(chained: Path) -> None:
    attacker_sql(
        chained, "DROP TRIGGER audit_events_no_delete", "DELETE FROM audit_events WHERE seq = 3"
    )
    with Vault.open(chained, passphrase=PASSPHRASE) as vault:
        problems = vault.verify_audit().problems
    assert {"seq": 3, "problem": "event 3 is missing"} in problems
    assert {"seq": 4, "problem": "link to the previous event is broken"} in problems


def test_truncation_stays_detectable_after_later_writes(chained: Path) -> None:
    """Every commit rewrites audit.head; the truncation must still show afterwards."""
    attacker_sql(
        chained,
        "DROP TRIGGER audit_events_no_delete",
        f"DELETE FROM audit_events WHERE seq > {LAST - 2}",
    )
    with Vault.open(chained, passphrase=PASSPHRASE) as vault:
        assert vault.report.audit_problems  # noticed at open ...
        add_events(vault, 3)
    with Vault.open(chained, passphrase=PASSPHRASE) as vault:
        assert vault.report.audit_problems  # ... and not forgotten after writes
        report = vault.verify_audit()
        assert report.ok is False
        assert [p["seq"] for p in report.problems] == [LAST - 1]
        assert MISSING_2 in report.problems[0]["problem"]
        assert len(tamper_events(vault)) == 1  # reopening did not pile up new findings
        assert not vault.check().ok


def test_deleted_audit_head_is_a_problem(vault: Vault, vault_dir: Path) -> None:
    add_events(vault, 2)
    (vault_dir / "audit.head").unlink()
    report = vault.verify_audit()
    assert report.ok is False
    assert report.problems == [{"seq": None, "problem": "audit.head is missing"}]
    check = vault.check()
    assert [(p.file, p.entry, p.message) for p in check.problems] == [
        ("audit.head", None, "audit.head is missing")
    ]
    vault.close()
    with Vault.open(vault_dir, passphrase=PASSPHRASE) as reopened:
        assert reopened.report.audit_problems == [{"seq": None, "problem": "audit.head is missing"}]
        (event,) = tamper_events(reopened)
        assert json.loads(event.details) == {
            "problems": ["audit.head is missing"],
            "stored_head": None,
        }
        after = reopened.verify_audit()
        assert after.ok is False
        assert after.problems[0]["seq"] == event.seq
        assert after.problems[0]["problem"].endswith("audit.head is missing")


@pytest.mark.parametrize("delta", [-1, +1, -2])
def test_edited_audit_head_seq_is_a_problem(vault: Vault, vault_dir: Path, delta: int) -> None:
    add_events(vault, 3)
    doc = head_doc(vault_dir)
    doc["seq"] += delta
    (vault_dir / "audit.head").write_text(json.dumps(doc, indent=2) + "\n", "utf-8")
    report = vault.verify_audit()
    assert report.ok is False
    assert len(report.problems) == 1
    assert report.problems[0]["seq"] is None
    assert "audit.head was altered" in report.problems[0]["problem"]
    check = vault.check()
    assert [(p.file, p.entry) for p in check.problems] == [("audit.head", None)]
    vault.close()
    with Vault.open(vault_dir, passphrase=PASSPHRASE) as reopened:
        altered = "audit.head was altered (its authentication code does not match)"
        assert reopened.report.audit_problems == [{"seq": None, "problem": altered}]
        (event,) = tamper_events(reopened)
        assert json.loads(event.details)["problems"] == [altered]
        assert not reopened.verify_audit().ok


def test_unreadable_or_foreign_audit_head_is_a_problem(vault: Vault, vault_dir: Path) -> None:
    path = vault_dir / "audit.head"
    good = path.read_bytes()
    path.write_bytes(b"{not json")
    assert vault.verify_audit().problems == [{"seq": None, "problem": "audit.head cannot be read"}]
    doc = json.loads(good)
    doc["vault_id"] = "00000000-0000-4000-8000-000000000000"
    path.write_text(json.dumps(doc), "utf-8")
    assert vault.verify_audit().problems == [
        {"seq": None, "problem": "audit.head belongs to a different vault"}
    ]
    path.write_bytes(good)
    assert vault.verify_audit().ok


def test_head_from_an_older_state_is_reported_behind_and_advanced_at_open(chained: Path) -> None:
    """A crash between commit and head write: the chain verifies, the head is behind."""
    with Vault.open(chained, passphrase=PASSPHRASE) as vault:
        old_head = (chained / "audit.head").read_bytes()
        add_events(vault, 2)
        (chained / "audit.head").write_bytes(old_head)
        report = vault.verify_audit()
        assert report.head_behind_by == 2
        assert report.ok is True
        check = vault.check()
        assert [(p.file, p.message) for p in check.problems] == [
            ("audit.head", "audit.head is 2 event(s) behind the database")
        ]
    with Vault.open(chained, passphrase=PASSPHRASE) as vault:
        assert vault.report.audit_head_advanced_by == 2
        assert head_doc(chained)["seq"] == LAST + 2
        assert vault.check().ok
