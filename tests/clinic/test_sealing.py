"""Sensitive columns on a clinic store are sealed with the case key (issue 19 §2).

A realistic workflow runs through the services on a real PostgreSQL clinic store opened by
a member: a case, pictures added from files, a capture of a page on 127.0.0.1, matching,
a drafted removal request with its letter inputs. The database is then read the way its
administrator would read it (no key) and searched for the plaintext; the same workflow on a
laptop vault must read back the same.
"""

from __future__ import annotations

import io
import json
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import sealkit
from capture_server import LocalServer, Route, page, photo_bytes, server, web
from PIL import Image
from sqlalchemy import select, text

from ncii_desk.capture.web import FetchOptions
from ncii_desk.documents.letters import LetterForm, Sender
from ncii_desk.services import capture as cs
from ncii_desk.services import cases, intake, items
from ncii_desk.services import requests as tracker
from ncii_desk.services.matching import hash_items, list_matches, match_case
from ncii_desk.vault.fields import SENSITIVE_COLUMNS, SENSITIVE_JSON_COLUMNS, is_token
from ncii_desk.vault.models import (
    Capture,
    Case,
    EvidenceItem,
    FaceReference,
    Match,
    RemovalRequest,
    Role,
)

__all__ = ["server", "web"]  # fixtures, used by name

MARK = "zephyrine"
T0 = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
FETCH = FetchOptions(
    connect_timeout=2.0, read_timeout=0.5, total_timeout=1.5, max_bytes=2_000_000, trust_env=False
)
OPTS = cs.CaptureOptions(fetch=FETCH)


@pytest.fixture
def clinic(clinic_url: str, tmp_path: Path) -> Any:
    made = sealkit.make_clinic(clinic_url, tmp_path)
    yield made
    made.close()


def _pixels(seed: int) -> Any:
    rng = np.random.default_rng(seed)
    blocks = rng.integers(0, 256, size=(12, 12, 3), dtype=np.uint8)
    return np.kron(blocks, np.ones((24, 24, 1), dtype=np.uint8))


def _png(path: Path, seed: int) -> Path:
    buf = io.BytesIO()
    Image.fromarray(_pixels(seed)).save(buf, format="PNG")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buf.getvalue())
    return path


def _form() -> LetterForm:
    return LetterForm(
        sender=Sender(
            name=f"Ana {MARK.title()}",
            email=f"ana@{MARK}.example",
            organisation="Harbor Legal Clinic",
            representative=True,
            authority="Written authorisation from the person depicted.",
        ),
        signature=f"/s/ Ana {MARK.title()}",
        good_faith=True,
        covered_platform="yes",
    )


def workflow(store: Any, tmp_path: Path, web: LocalServer) -> dict[str, Any]:
    """Case, files, a capture, matching, a request; returns what the services read back,
    with ids replaced (so two stores compare)."""
    case = cases.new_case(
        store,
        f"Case {MARK.title()} 01",
        client_pseudonym=f"{MARK.title()} R.",
        notes=f"{MARK} notes: met at the clinic",
        consent={f"{MARK}_contact_platforms": True},
    )
    folder = tmp_path / f"in-{id(store)}"
    originals = [_png(folder / f"{MARK}-original-{i}.png", 100 + i) for i in range(2)]
    added = intake.add_items(store, case.id, Role.ORIGINAL, originals)
    assert not added.errors, added.errors
    hash_items(store, added.sources, workers=1)
    web.routes[f"/{MARK}-post"] = Route(page(f'<img src="/{MARK}-photo.jpg">'))
    web.routes[f"/{MARK}-photo.jpg"] = Route(
        photo_bytes(_pixels(100)[:, ::-1]), content_type="image/jpeg"
    )
    (cap,) = cs.capture_urls(store, case.id, [web.url(f"/{MARK}-post")], options=OPTS).results
    assert cap.ok
    match_case(store, case.id)
    drafted = tracker.draft_requests(
        store,
        case.id,
        "takedown",
        _form(),
        extra_urls=[f"https://social.example/{MARK}/post/7"],
        now=T0,
    )
    assert drafted.requests
    rechecked = cs.recheck_case(store, case.id, options=OPTS)
    assert [r.url for r in rechecked] == [web.url(f"/{MARK}-post")]
    with store.transaction() as s:  # a reference face of the client (embedding: biometric)
        s.add(
            FaceReference(
                case_id=case.id,
                item_id=added.sources[0][0],
                face_index=0,
                box=[1.0, 2.0, 30.0, 40.0],
                detector_score=0.99,
                embedding=[0.125, -0.5, 0.25],
                model_sha256="0" * 64,
                chosen_by=store.actor,
            )
        )

    def ref(value: Any) -> Any:
        if isinstance(value, str) and len(value) == 32 and value.isalnum():
            return "ID"  # ids differ between the two stores (row order may too)
        if isinstance(value, dict):
            return {k: ref(v) for k, v in value.items() if k not in _VOLATILE}
        if isinstance(value, list):
            return [ref(v) for v in value]
        return value

    listed = items.list_items(store, case.id)
    with store.session() as s:
        captures = [
            (c.url, c.final_url, c.redirect_chain, c.http_status)
            for c in s.scalars(select(Capture).where(Capture.case_id == case.id))
        ]
        item_rows = sorted(
            (i.original_filename, i.label, i.notes, json.dumps(ref(i.details), sort_keys=True))
            for i in s.scalars(select(EvidenceItem).where(EvidenceItem.case_id == case.id))
        )
        requests = sorted(
            (r.platform, r.urls, json.dumps(ref(r.letter_inputs), sort_keys=True))
            for r in s.scalars(select(RemovalRequest).where(RemovalRequest.case_id == case.id))
        )
        consent = s.get(Case, case.id).consent  # type: ignore[union-attr]
        faces = [
            (f.box, f.embedding)
            for f in s.scalars(select(FaceReference).where(FaceReference.case_id == case.id))
        ]
    view = cases.get_case(store, f"case {MARK} 01")
    return {
        "case": (view.label, view.client_pseudonym, view.notes, view.originals, view.suspects),
        "consent": consent,
        "items": sorted(i.original_filename for i in listed),
        "item_rows": item_rows,
        "captures": captures,
        "matches": sorted((m.kind, m.target_external) for m in list_matches(store, case.id)),
        "requests": requests,
        "rechecks": [(r.url, r.outcome) for r in cs.list_rechecks(store, case.id)],
        "faces": faces,
        "case_id": case.id,
    }


_VOLATILE = {"at", "fetched_at", "started_at", "ended_at", "date", "elapsed_ms", "port"}


def _scan(clinic: sealkit.Clinic) -> tuple[list[str], list[str]]:
    """(sealed columns holding a non-token, tables whose rows contain the marker)."""
    clear: list[str] = []
    leaks: list[str] = []
    engine = clinic.raw()
    try:
        with engine.connect() as conn:
            for table in sorted(set(SENSITIVE_COLUMNS) | set(SENSITIVE_JSON_COLUMNS)):
                for column in SENSITIVE_COLUMNS.get(table, ()):
                    for (value,) in conn.execute(text(f"SELECT {column} FROM {table}")):
                        if value is not None and not is_token(value):
                            clear.append(f"{table}.{column}")
                for column in SENSITIVE_JSON_COLUMNS.get(table, ()):
                    for (value,) in conn.execute(text(f"SELECT {column}::text FROM {table}")):
                        if value is not None and value != "null":
                            inner = json.loads(value)
                            if not (isinstance(inner, str) and is_token(inner)):
                                clear.append(f"{table}.{column}")
            names = conn.execute(
                text(
                    "SELECT table_name FROM information_schema.tables "
                    "WHERE table_schema = current_schema()"
                )
            )
            for (table,) in names:
                if table == "audit_events":
                    continue  # event details: see the test below
                found = conn.execute(
                    text(f"SELECT count(*) FROM {table} t WHERE lower(t::text) LIKE :m"),
                    {"m": f"%{MARK}%"},
                ).scalar_one()
                if found:
                    leaks.append(table)
    finally:
        engine.dispose()
    return clear, leaks


def test_every_sensitive_column_is_ciphertext_after_a_realistic_workflow(
    clinic: sealkit.Clinic, tmp_path: Path, web: LocalServer
) -> None:
    alice = clinic.open_as("alice")
    read = workflow(alice, tmp_path, web)
    assert read["case"][0] == f"Case {MARK.title()} 01"
    assert read["matches"], "the workflow must reach matching"
    clear, leaks = _scan(clinic)
    assert clear == []
    assert leaks == []
    # Every sealed table got rows, so the scan above looked at real values.
    engine = clinic.raw()
    with engine.connect() as conn:
        for table in (
            "cases",
            "items",
            "captures",
            "matches",
            "removal_requests",
            "rechecks",
            "face_references",
        ):
            assert conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one() > 0, table
        # Session 8: the address of the server that hosted the copy and its certificate
        # (host names) are sealed; so are analysis results (the local features stored
        # with the hashes here; faces and metadata in test_analysis_sealing.py).
        addresses = conn.execute(text("SELECT server_address, tls::text FROM captures")).all()
        results = [v for (v,) in conn.execute(text("SELECT result::text FROM analyses"))]
        clear_ip = conn.execute(
            text("SELECT count(*) FROM captures c WHERE c::text LIKE '%127.0.0.1%'")
        ).scalar_one()
    engine.dispose()
    known = [address for address, _ in addresses if address is not None]
    assert known and all(is_token(address) for address in known)
    assert all(is_token(json.loads(tls)) for _, tls in addresses)
    assert results and all(is_token(json.loads(r)) for r in results if r is not None)
    assert clear_ip == 0
    assert alice.sealer.problems == []
    # Audit event details are sealed on the client too (clinic/auditseal.py): before
    # session 7, case.created (consent item names) and request.drafted (the addresses a
    # request lists) carried case text in clear here.
    assert _audit_actions_with_case_text(clinic) == set()


def _audit_actions_with_case_text(clinic: sealkit.Clinic) -> set[str]:
    engine = clinic.raw()
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT action, details FROM audit_events")).all()
    finally:
        engine.dispose()
    return {r.action for r in rows if MARK in r.details.lower() or "127.0.0.1" in r.details}


def test_the_workflow_reads_back_the_same_on_a_laptop_vault_and_a_clinic_store(
    clinic: sealkit.Clinic, vault: Any, tmp_path: Path, web: LocalServer
) -> None:
    on_vault = workflow(vault, tmp_path / "vault", web)
    on_clinic = workflow(clinic.open_as("alice"), tmp_path / "clinic", web)
    on_vault.pop("case_id")
    on_clinic.pop("case_id")
    port = str(web.port)
    assert json.loads(json.dumps(on_clinic).replace(port, "P")) == json.loads(
        json.dumps(on_vault).replace(port, "P")
    )


def test_a_second_client_reads_what_the_first_wrote(clinic: sealkit.Clinic, tmp_path: Path) -> None:
    from ncii_desk.services import case_members

    alice = clinic.open_as("alice")
    case = cases.new_case(alice, f"Case {MARK}", notes=f"{MARK} notes")
    intake.add_items(alice, case.id, Role.SUSPECT, [_png(tmp_path / f"{MARK}.png", 3)])
    clinic.person("bob")
    case_members.add_member(alice, case.id, clinic.person("bob").keys.member_id, "advocate")
    bob = clinic.open_as("bob")
    assert cases.get_case(bob, f"case {MARK}").notes == f"{MARK} notes"
    assert [i.original_filename for i in items.list_items(bob, case.id)] == [f"{MARK}.png"]
    # Bob writes; Alice (another process's cache) reads it.
    with bob.transaction() as s:
        s.get(Case, case.id).notes = "changed by bob"  # type: ignore[union-attr]
    assert cases.get_case(alice, case.id).notes == "changed by bob"


def test_a_value_moved_by_the_database_admin_is_refused_for_that_value_only(
    clinic: sealkit.Clinic, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    alice = clinic.open_as("alice")
    one = cases.new_case(alice, "Case one", notes="notes of one")
    two = cases.new_case(alice, "Case two", notes="notes of two")
    intake.add_items(
        alice,
        one.id,
        Role.SUSPECT,
        [_png(tmp_path / "a.png", 1), _png(tmp_path / "b.png", 2)],
    )
    engine = clinic.raw()
    with engine.begin() as conn:
        # case two's notes token copied onto case one; one item's file name onto the other
        conn.execute(
            text(
                "UPDATE cases SET notes = (SELECT notes FROM cases WHERE id = :two) WHERE id = :one"
            ),
            {"one": one.id, "two": two.id},
        )
        a, b = conn.execute(
            text("SELECT id, original_filename FROM items ORDER BY original_filename")
        ).all()
        conn.execute(
            text("UPDATE items SET original_filename = :v WHERE id = :id"),
            {"v": b.original_filename, "id": a.id},
        )
    engine.dispose()
    reader = clinic.open_as("alice")  # a fresh client: nothing cached
    caplog.set_level(logging.WARNING, logger="ncii_desk.clinic.sealing")
    view = cases.get_case(reader, one.id)
    assert view.notes is None  # the moved value only
    assert view.label == "Case one"
    assert cases.get_case(reader, two.id).notes == "notes of two"
    names = {i.id: i.original_filename for i in items.list_items(reader, one.id)}
    assert names[a.id] is None
    assert names[b.id] in {"a.png", "b.png"}  # the row the value was copied from still opens
    problems = [str(p.message) for p in reader.sealer.problems]
    assert any(f"cases.notes of row {one.id}" in p for p in problems), problems
    assert any(f"items.original_filename of row {a.id}" in p for p in problems), problems
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "not opened" in logged
    assert "notes of two" not in logged and ".png" not in logged


def test_a_non_member_sees_no_access_and_cannot_write(
    clinic: sealkit.Clinic, tmp_path: Path
) -> None:
    from ncii_desk.vault.roles import NotPermitted

    alice = clinic.open_as("alice")
    case = cases.new_case(alice, f"Case {MARK}", client_pseudonym="R.")
    intake.add_items(alice, case.id, Role.SUSPECT, [_png(tmp_path / f"{MARK}.png", 5)])
    carol = clinic.open_as("carol")
    listed = cases.list_cases(carol)
    assert [(c.id, c.label) for c in listed] == [(case.id, "(no access)")]
    assert listed[0].client_pseudonym is None
    assert [i.original_filename for i in items.list_items(carol, case.id)] == [None]
    with pytest.raises(NotPermitted, match="not a member"), carol.transaction() as s:
        s.get(Case, case.id).notes = "overwritten"  # type: ignore[union-attr]
    assert cases.get_case(alice, case.id).client_pseudonym == "R."


def test_a_raw_key_store_without_a_member_keeps_clear_columns_only_when_asked(
    clinic: sealkit.Clinic,
) -> None:
    from ncii_desk.clinic.casekeys import NoMember
    from ncii_desk.clinic.store import ClinicStore

    sealed = ClinicStore.open(clinic.url, clinic.data_key, sealed=True)
    with sealed, pytest.raises(NoMember, match="without a member"):
        cases.new_case(sealed, "Case refused")
    with ClinicStore.open(clinic.url, clinic.data_key, sealed=False) as clear:
        cases.new_case(clear, "Case in clear")
    engine = clinic.raw()
    with engine.connect() as conn:
        assert conn.execute(text("SELECT label FROM cases")).scalars().all() == ["Case in clear"]
    engine.dispose()


def test_laptop_vault_sessions_get_no_sealer(vault: Any) -> None:
    from ncii_desk.clinic.sealing import sealer_of

    case = cases.new_case(vault, f"Case {MARK}")
    with vault.session() as s:
        assert sealer_of(s) is None
        assert s.scalars(select(Case.label).where(Case.id == case.id)).one() == f"Case {MARK}"
    assert cases.get_case(vault, f"CASE {MARK}").id == case.id


def test_match_rows_keep_their_sealed_details(clinic: sealkit.Clinic, tmp_path: Path) -> None:
    alice = clinic.open_as("alice")
    case = cases.new_case(alice, "Case M")
    pictures = [_png(tmp_path / f"p{i}.png", 40) for i in range(1)]
    orig = intake.add_items(alice, case.id, Role.ORIGINAL, pictures)
    hash_items(alice, orig.sources, workers=1)
    copy = tmp_path / "copy.png"
    Image.fromarray(_pixels(40)[:, ::-1]).save(copy)
    sus = intake.add_items(alice, case.id, Role.SUSPECT, [copy])
    hash_items(alice, sus.sources, workers=1)
    match_case(alice, case.id)
    found = list_matches(alice, case.id)
    assert found
    again = list_matches(clinic.open_as("alice"), case.id)  # a fresh client, nothing cached
    assert [m.as_dict() for m in again] == [m.as_dict() for m in found]
    with clinic.open_as("alice").session() as s:
        details = [m.details for m in s.scalars(select(Match))]
    assert details and all(isinstance(d, dict) and d for d in details)


def test_a_case_exported_from_the_clinic_opens_in_a_lawyers_laptop_vault_and_back(
    clinic: sealkit.Clinic, vault: Any, tmp_path: Path
) -> None:
    """Export works on opened values (the lawyer's vault gets plaintext in its own
    encrypted vault); a hand-over imported into a clinic store is sealed like any case."""
    from ncii_desk.services import handover

    alice = clinic.open_as("alice")
    case = cases.new_case(alice, f"Case {MARK}", client_pseudonym="K.", notes=f"{MARK} notes")
    intake.add_items(alice, case.id, Role.ORIGINAL, [_png(tmp_path / f"{MARK}.png", 9)])
    out = tmp_path / "case.ncii"
    handover.export_case(alice, case.id, out, recipient=handover.public_key(vault))
    handover.import_case(vault, out)
    got = cases.get_case(vault, f"case {MARK}")
    assert (got.id, got.client_pseudonym, got.notes) == (case.id, "K.", f"{MARK} notes")
    assert [i.original_filename for i in items.list_items(vault, case.id)] == [f"{MARK}.png"]

    # Back into the clinic, as a copy: sealed, with its own key and first record.
    back = tmp_path / "back.ncii"
    handover.export_case(vault, case.id, back, recipient=handover.public_key(alice))
    handover.import_case(alice, back, as_copy=True)
    copies = [c for c in cases.list_cases(alice) if c.id != case.id]
    assert [(c.label, c.notes) for c in copies] == [(f"Case {MARK} (copy)", f"{MARK} notes")]
    assert [i.original_filename for i in items.list_items(alice, copies[0].id)] == [f"{MARK}.png"]
    clear, leaks = _scan(clinic)
    assert clear == [] and leaks == []
    assert alice.sealer.problems == []


def test_a_case_list_costs_the_same_statements_for_3_or_12_sealed_cases(
    clinic: sealkit.Clinic,
) -> None:
    """Each session reads every case's newest membership record number in one query; a
    case whose keys this client already verified costs nothing more."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    def listed(store: Any) -> int:
        cases.list_cases(store)  # the first listing of a new client loads each case once
        statements.clear()
        event.listen(Engine, "before_cursor_execute", count)
        try:
            views = cases.list_cases(store)
        finally:
            event.remove(Engine, "before_cursor_execute", count)
        assert all(v.label.startswith("Case ") for v in views)
        return len(statements)

    alice = clinic.open_as("alice")
    for i in range(3):
        cases.new_case(alice, f"Case {i}")
    few = listed(clinic.open_as("alice"))
    for i in range(3, 12):
        cases.new_case(alice, f"Case {i}")
    assert listed(clinic.open_as("alice")) == few
    assert listed(alice) == few


def test_a_partial_refresh_opens_only_the_attributes_it_loaded(
    clinic: sealkit.Clinic, tmp_path: Path
) -> None:
    """A refresh of some attributes (an expired one read again, or a query filling in what
    an instance lacks) must not open the plaintext already held in the others: it did,
    and a named item lost its address in a drafted request on a clinic store."""
    alice = clinic.open_as("alice")
    case = cases.new_case(alice, "Case E", notes="case notes")
    intake.add_items(alice, case.id, Role.SUSPECT, [_png(tmp_path / "e.png", 4)])
    with alice.session() as s:
        item = s.scalars(select(EvidenceItem)).one()
        details = dict(item.details)
        s.expire(item, ["notes"])
        assert item.notes == ""
        assert (item.original_filename, item.details) == ("e.png", details)
        row = s.get(Case, case.id)
        assert row is not None
        s.expire(row, ["notes", "consent"])
        assert (row.notes, row.consent, row.label) == ("case notes", {}, "Case E")
    assert alice.sealer.problems == []
