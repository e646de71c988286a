"""Audit events, names of who did what, and imported history sealed on a clinic store.

A realistic workflow runs on a real PostgreSQL clinic store opened by a member whose name
carries a marker: a case with consent text, pictures added (operator name), a capture, a
drafted request to a platform, a reviewed match with a note, a case handed over from a
lawyer's laptop vault and imported. The database is then read the way its administrator
would read it (no key) and every column of every table is searched for the marker.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sealkit
from capture_server import LocalServer, server, web
from sqlalchemy import select, text
from test_sealing import MARK, _png, _scan, workflow

from ncii_desk.clinic.auditseal import SEALED_MARK
from ncii_desk.documents.packet.gather import gather
from ncii_desk.services import cases, handover, hashlists, intake
from ncii_desk.services.activity import case_activity
from ncii_desk.services.matching import list_matches, review_match
from ncii_desk.services.vaults import recent_events
from ncii_desk.vault.fields import is_token
from ncii_desk.vault.models import AuditEvent, Case, ModelValidation, Role

__all__ = ["server", "web"]  # fixtures, used by name

NAME = f"ana-{MARK}"  # the advocate's name as the clinic store records who did what
NOTE = f"{MARK} review: same photo, cropped"
T_BUILT = datetime(2026, 6, 2, tzinfo=UTC)


@pytest.fixture
def clinic(clinic_url: str, tmp_path: Path) -> Any:
    made = sealkit.make_clinic(clinic_url, tmp_path)
    yield made
    made.close()


def _realistic_day(store: Any, lawyer: Any, tmp_path: Path, web: LocalServer) -> dict[str, Any]:
    """The workflow of test_sealing, then a match reviewed with a note, and a case of the
    lawyer's laptop vault handed over to ``store`` and imported."""
    read = workflow(store, tmp_path, web)
    case_id = read["case_id"]
    found = list_matches(store, case_id)
    assert found, "the workflow must reach matching"
    review_match(store, found[0].id, confirm=True, note=NOTE)
    theirs = cases.new_case(lawyer, f"Lawyer case {MARK}", consent={f"{MARK}_lawyer_consent": True})
    intake.add_items(lawyer, theirs.id, Role.ORIGINAL, [_png(tmp_path / f"{MARK}-l.png", 7)])
    out = tmp_path / "to-clinic.ncii"
    handover.export_case(lawyer, theirs.id, out, recipient=handover.public_key(store))
    imported = handover.import_case(store, out)
    return {"case_id": case_id, "imported_case_id": imported.case_id}


def _tables_with(clinic: sealkit.Clinic, needle: str) -> list[str]:
    engine = clinic.raw()
    try:
        with engine.connect() as conn:
            names = conn.execute(
                text(
                    "SELECT table_name FROM information_schema.tables "
                    "WHERE table_schema = current_schema()"
                )
            )
            return [
                table
                for (table,) in names
                if conn.execute(
                    text(f"SELECT count(*) FROM {table} t WHERE lower(t::text) LIKE :m"),
                    {"m": f"%{needle.lower()}%"},
                ).scalar_one()
            ]
    finally:
        engine.dispose()


def test_no_table_holds_case_text_or_names_after_a_realistic_workflow(
    clinic: sealkit.Clinic, vault: Any, tmp_path: Path, web: LocalServer
) -> None:
    alice = clinic.open_as(NAME)
    done = _realistic_day(alice, vault, tmp_path, web)
    # Every column of every table, audit events and imported history included.
    assert _tables_with(clinic, MARK) == []
    clear, _ = _scan(clinic)  # the registry's columns (operators, platform...) are tokens
    assert clear == []
    engine = clinic.raw()
    try:
        with engine.connect() as conn:
            actors = [a for (a,) in conn.execute(text("SELECT actor FROM audit_events"))]
            imported = conn.execute(text("SELECT actor, details FROM imported_audit_events")).all()
            platforms = [p for (p,) in conn.execute(text("SELECT platform FROM removal_requests"))]
            reviewed = [r for (r,) in conn.execute(text("SELECT reviewed_by FROM matches")) if r]
    finally:
        engine.dispose()
    assert actors and all(is_token(a) for a in actors)
    assert imported and all(is_token(a) and is_token(d) for a, d in imported)
    assert platforms and all(is_token(p) for p in platforms)
    assert reviewed and all(is_token(r) for r in reviewed)
    # The chain verifies with the clinic audit key alone.
    report = alice.verify_audit()
    assert report.ok, report.problems
    assert report.events > 10
    assert alice.sealer.problems == []
    # The imported history opens for a member of the receiving case.
    history = handover.imported_history(alice, done["imported_case_id"])
    created = [h for h in history if h["action"] == "case.created"]
    assert created and f"{MARK}_lawyer_consent" in created[0]["details"]
    assert {h["actor"] for h in history} == {"test-advocate"}


def test_readers_show_the_opened_details_and_names(
    clinic: sealkit.Clinic, vault: Any, tmp_path: Path, web: LocalServer
) -> None:
    alice = clinic.open_as(NAME)
    case_id = _realistic_day(alice, vault, tmp_path, web)["case_id"]
    reader = clinic.open_as(NAME)  # another client: nothing cached from the writes
    # The activity list.
    lines = case_activity(reader, case_id)
    assert NOTE in [line.details for line in lines]
    assert {line.who for line in lines} == {NAME}
    drafted = [line for line in lines if line.action == "request.drafted"]
    assert drafted
    # The audit log (``ncii-desk audit log``).
    events = recent_events(reader, 500)
    created = [e for e in events if e["action"] == "case.created" and e["object_id"] == case_id]
    assert created and f"{MARK}_contact_platforms" in json.dumps(created[0]["details"])
    assert "sealed" not in json.dumps(events)
    # The packet's event list (chain of custody).
    with reader.session() as s:
        case = s.get(Case, case_id)
        assert case is not None
        data = gather(s, case, vault_id=reader.vault_id, operator=NAME, built_at=T_BUILT)
    custody = data.case_custody + [line for ex in data.exhibits for line in ex.custody]
    assert custody and {line.actor for line in custody} == {NAME}
    assert any(line.action == "case.created" and MARK in line.summary for line in custody)
    # The case handed over to a lawyer's laptop vault: its history reads there, opened.
    out = tmp_path / "to-lawyer.ncii"
    handover.export_case(reader, case_id, out, recipient=handover.public_key(vault))
    received = handover.import_case(vault, out)
    history = handover.imported_history(vault, received.case_id)
    sent = [h for h in history if h["action"] == "case.created"]
    assert sent and f"{MARK}_contact_platforms" in sent[0]["details"]
    assert NOTE in "".join(h["details"] for h in history)
    assert {h["actor"] for h in history} == {NAME}
    assert "sealed" not in json.dumps(history)
    assert reader.sealer.problems == []


def test_a_clinic_member_not_on_the_case_sees_the_sealed_marker(
    clinic: sealkit.Clinic, tmp_path: Path
) -> None:
    alice = clinic.open_as(NAME)
    case = cases.new_case(alice, f"Case {MARK}", consent={f"{MARK}_contact": True})
    intake.add_items(alice, case.id, Role.ORIGINAL, [_png(tmp_path / f"{MARK}.png", 3)])
    bob = clinic.open_as("bob")
    events = recent_events(bob, 500)
    of_case = [e for e in events if e["object_id"] == case.id and e["action"] == "case.created"]
    assert of_case and of_case[0]["details"] == {"sealed": SEALED_MARK}
    assert of_case[0]["actor"] == SEALED_MARK
    # (The signed membership records stay readable to clinic members: ids and roles, and
    # the name of who wrote them, sealed with the clinic key.)
    shown = [e for e in events if e["action"] != "case.membership"]
    assert MARK not in json.dumps(shown), [e for e in shown if MARK in json.dumps(e)]
    # Events of no case (sealed with the clinic key) open for every clinic member.
    with bob.transaction() as s:
        bob.audit(s, "settings.changed", None, {"what": f"{MARK} preference"})
    mine = [e for e in recent_events(alice, 500) if e["action"] == "settings.changed"]
    assert mine and mine[0]["details"] == {"what": f"{MARK} preference"}
    assert mine[0]["actor"] == "bob"
    assert _tables_with(clinic, MARK) == []
    assert bob.verify_audit().ok


def test_the_same_workflow_on_a_laptop_vault_keeps_its_audit_log_as_before(
    vault: Any, tmp_path: Path
) -> None:
    case = cases.new_case(vault, f"Case {MARK}", consent={f"{MARK}_contact": True})
    with vault.session() as s:
        row = s.scalars(select(AuditEvent).where(AuditEvent.object_id == case.id)).first()
    assert row is not None and row.actor == "test-advocate"
    assert json.loads(row.details)["consent"] == [f"{MARK}_contact"]
    assert vault.verify_audit().ok


def test_clinic_wide_names_are_sealed_with_the_clinic_key(
    clinic: sealkit.Clinic, tmp_path: Path
) -> None:
    """Hash list names and operators, a validation record's operator: no case, so the
    clinic field key; every admitted member reads them, the server does not."""
    alice = clinic.open_as(NAME)
    case = cases.new_case(alice, "Case 7")
    picture = _png(tmp_path / "p.png", 5)
    intake.add_items(alice, case.id, Role.SUSPECT, [picture])
    listing = tmp_path / "hotline.txt"
    listing.write_text(
        "kind,value\nsha256," + hashlib.sha256(picture.read_bytes()).hexdigest() + "\n"
    )
    view, bad, _ = hashlists.import_hash_list(alice, listing, f"{MARK} hotline list")
    assert not bad and view.name == f"{MARK} hotline list"
    with alice.transaction() as s:
        s.add(
            ModelValidation(
                model_name="clf",
                model_sha256="1" * 64,
                operator=NAME,
                domain="generated pictures",
                n_real=1,
                n_fake=1,
                auc=0.5,
                record={"operator": NAME},
                record_sha256="2" * 64,
            )
        )
    hits = list_matches(alice, case.id)
    assert any(f"{MARK} hotline list" in json.dumps(m.as_dict()) for m in hits)
    assert _tables_with(clinic, MARK) == []
    bob = clinic.open_as("bob")  # a clinic member on no case
    lists = hashlists.list_hash_lists(bob)
    assert [(h.name, h.operator) for h in lists] == [(f"{MARK} hotline list", NAME)]
    with bob.session() as s:
        (row,) = s.scalars(select(ModelValidation))
        assert (row.operator, row.record) == (NAME, {"operator": NAME})
    assert alice.sealer.problems == [] and bob.sealer.problems == []
