"""The clinic store on a real PostgreSQL server: schema, append-only audit log, models round
trip, and one audit chain under two concurrent writer processes (one killed with -9)."""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select, text, update
from sqlalchemy import exc as sa_exc

from ncii_desk.clinic.store import (
    DROPPED_KEY,
    HEAD_KEY,
    AuditChainMoved,
    ClinicError,
    ClinicStore,
    engine_url,
    init_clinic,
    read_record,
)
from ncii_desk.vault import audit as audit_chain
from ncii_desk.vault.models import (
    AuditEvent,
    Blob,
    Case,
    EvidenceItem,
    HashRecord,
    Role,
    Setting,
    Source,
)
from ncii_desk.vault.schema import head_revision


def test_migrations_run_to_head_on_postgresql_and_match_the_models(
    clinic_url: str, tmp_path: Path
) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from ncii_desk.vault.models import Base

    record = init_clinic(clinic_url, tmp_path / "blobs", "  Eastside   Legal Clinic ")
    assert record.schema_revision == head_revision()
    assert record.name == "Eastside Legal Clinic"
    assert read_record(clinic_url) == record
    engine = create_engine(clinic_url)
    try:
        with engine.connect() as conn:
            drift = compare_metadata(
                MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata
            )
            triggers = set(
                conn.execute(
                    text(
                        "SELECT tgname FROM pg_trigger WHERE tgrelid = 'audit_events'::regclass "
                        "AND NOT tgisinternal"
                    )
                ).scalars()
            )
    finally:
        engine.dispose()
    assert drift == []
    assert triggers == {
        "audit_events_no_update",
        "audit_events_no_delete",
        "audit_events_no_truncate",
    }
    assert (tmp_path / "blobs" / "clinic.id").read_text().strip() == record.clinic_id


def test_init_refuses_a_database_that_is_not_empty_and_a_used_blob_folder(
    clinic_url: str, tmp_path: Path, pg_server: Any
) -> None:
    init_clinic(clinic_url, tmp_path / "a", "Clinic A")
    with pytest.raises(ClinicError, match=r"not empty \(\d+ table"):
        init_clinic(clinic_url, tmp_path / "b", "Clinic B")
    assert not (tmp_path / "b").exists()  # nothing written for the refused one
    other = pg_server.create_database("t" + secrets.token_hex(6))
    with pytest.raises(ClinicError, match="already belongs to a clinic") as caught:
        init_clinic(other, tmp_path / "a", "Clinic C")
    assert "--blobs" in caught.value.hint
    with pytest.raises(ClinicError, match="is not a clinic store"):
        read_record(other)


def test_unreachable_server_is_a_clear_error(tmp_path: Path) -> None:
    import socket

    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"postgresql://ncii:secret@127.0.0.1:{port}/nothing"
    with pytest.raises(ClinicError, match="could not be reached") as caught:
        init_clinic(url, tmp_path / "blobs", "Clinic")
    assert "secret" not in caught.value.message
    assert "ncii:***@" in caught.value.message


def test_open_refuses_a_blob_folder_of_another_clinic(
    clinic_url: str, tmp_path: Path, pg_server: Any
) -> None:
    init_clinic(clinic_url, tmp_path / "mine", "Mine")
    init_clinic(pg_server.create_database("t" + secrets.token_hex(6)), tmp_path / "other", "O")
    with pytest.raises(ClinicError, match="not the one made for this clinic"):
        ClinicStore.open(clinic_url, secrets.token_bytes(32), blobs_dir=tmp_path / "other")
    with ClinicStore.open(clinic_url, secrets.token_bytes(32)) as store:
        assert store.blobs.root == (tmp_path / "mine" / "blobs").resolve()


def test_audit_log_is_append_only_on_postgresql(clinic_store: ClinicStore) -> None:
    with clinic_store.transaction() as s:
        clinic_store.audit(s, "test.first", details={"n": 1})
    engine = create_engine(clinic_store.url)
    try:
        for statement in (
            "UPDATE audit_events SET action = 'forged'",
            "DELETE FROM audit_events",
            "TRUNCATE audit_events",
        ):
            with (
                pytest.raises(sa_exc.DatabaseError, match="audit log is append-only"),
                engine.begin() as conn,
            ):
                conn.execute(text(statement))
    finally:
        engine.dispose()
    report = clinic_store.verify_audit()
    assert report.ok, report.problems
    assert report.events == 2  # the first member's admission (clinic_store), then ours
    with clinic_store.session() as s:
        assert s.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)).all() == [
            "clinic.member_admitted",
            "test.first",
        ]


def test_models_round_trip_through_the_clinic_store(clinic_store: ClinicStore) -> None:
    payload = secrets.token_bytes(200_000)
    info = clinic_store.blobs.put_bytes(payload)
    created = datetime(2026, 12, 7, 1, 2, 3, 456789, tzinfo=UTC)
    with clinic_store.transaction() as s:
        case = Case(
            label="Case 2026-001",
            client_pseudonym="Client Ñ",
            notes="line one\nline two",
            jurisdiction="ES",
            suspected_minor=False,
            consent={"contact_platforms": True, "dates": ["2026-12-01"]},
            created_at=created,
        )
        s.add(case)
        s.flush()
        blob = clinic_store.store_blob(s, info)
        item = EvidenceItem(
            case_id=case.id,
            role=Role.ORIGINAL,
            source=Source.FILE,
            original_filename="photo.jpg",
            mime="image/jpeg",
            size=info.size,
            sha256=info.sha256,
            md5="0" * 32,
            blob_id=blob.id,
            details={"width": 10, "nested": {"ok": [1, 2]}},
        )
        s.add(item)
        s.flush()
        s.add(HashRecord(item_id=item.id, kind="pdq", value="ab" * 32, quality=90))
        clinic_store.audit(s, "item.added", item.id, {"case": case.id})
        case_id, item_id = case.id, item.id
    with clinic_store.session() as s:
        got = s.get(Case, case_id)
        assert got is not None
        assert got.created_at == created and got.created_at.tzinfo is not None
        assert got.consent == {"contact_platforms": True, "dates": ["2026-12-01"]}
        assert got.client_pseudonym == "Client Ñ"
        row = s.get(EvidenceItem, item_id)
        assert row is not None
        assert row.role is Role.ORIGINAL
        assert row.details == {"width": 10, "nested": {"ok": [1, 2]}}
        hashes = s.scalars(select(HashRecord).where(HashRecord.item_id == item_id)).all()
        assert [(h.kind, h.value, h.quality) for h in hashes] == [("pdq", "ab" * 32, 90)]
        stored = s.get(Blob, info.blob_id)
        assert stored is not None
        assert clinic_store.read_blob(stored) == payload
    # Only ciphertext in the shared folder.
    raw = clinic_store.blobs.path_for(info.blob_id).read_bytes()
    assert payload[:64] not in raw
    assert clinic_store.verify_audit().ok


def test_a_failed_transaction_leaves_nothing_and_the_head_unmoved(
    clinic_store: ClinicStore,
) -> None:
    with clinic_store.transaction() as s:
        clinic_store.audit(s, "test.kept")
    with pytest.raises(RuntimeError, match="boom"), clinic_store.transaction() as s:
        s.add(Case(label="never", consent={}))
        clinic_store.audit(s, "test.lost")
        raise RuntimeError("boom")
    with clinic_store.session() as s:
        assert s.scalar(select(func.count()).select_from(Case)) == 0
        head = clinic_store.read_head(s)
    assert head == audit_chain.Head(2, _newest_mac(clinic_store))  # admission + test.kept
    assert clinic_store.verify_audit().ok


def _newest_mac(store: ClinicStore) -> str:
    with store.session() as s:
        newest = audit_chain.newest(s)
    assert newest is not None
    return newest.mac


def test_compare_and_swap_refuses_a_chain_moved_behind_the_heads_back(
    clinic_store: ClinicStore,
) -> None:
    """A writer that appended without the lock and without moving the head (an old client,
    a hand edit) makes the next writer's swap fail: nothing of that change is kept."""
    with clinic_store.transaction() as s:
        clinic_store.audit(s, "test.one")
    from sqlalchemy.orm import Session

    with Session(clinic_store.engine) as s, s.begin():
        audit_chain.append_event(s, secrets.token_bytes(32), actor="intruder", action="x.y")
    with (
        pytest.raises(AuditChainMoved, match="no longer event 3"),
        clinic_store.transaction() as s,
    ):
        s.add(Case(label="after", consent={}))
        clinic_store.audit(s, "case.created")
    with clinic_store.session() as s:
        assert s.scalar(select(func.count()).select_from(Case)) == 0
        assert s.scalar(select(func.count()).select_from(AuditEvent)) == 3
    report = clinic_store.verify_audit()
    assert not report.ok
    assert any("altered" in p["problem"] for p in report.problems)


def test_an_altered_head_row_is_reported(clinic_store: ClinicStore) -> None:
    with clinic_store.transaction() as s:
        clinic_store.audit(s, "test.one")
    with clinic_store.transaction() as s:
        row = s.get(Setting, HEAD_KEY)
        assert row is not None
        row.value = {**row.value, "head_mac": "0" * 64}
    report = clinic_store.verify_audit()
    assert not report.ok
    assert any("head row was altered" in p["problem"] for p in report.problems)


_WRITER = r"""
import sys, json
from ncii_desk.clinic.store import ClinicStore
url, name, count, hold = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4] == "hold"
key_hex = sys.stdin.readline().strip()
store = ClinicStore.open(url, bytes.fromhex(key_hex), actor=name)
for i in range(count):
    with store.transaction() as s:
        store.audit(s, "test.write", f"{name}-{i}", {"writer": name, "i": i})
    print(f"committed {i}", flush=True)
if hold:
    with store.transaction() as s:
        store.audit(s, "test.write", f"{name}-killed", {"writer": name})
        print("holding", flush=True)
        sys.stdin.readline()  # waits here, inside the transaction, until killed
store.close()
print("done", flush=True)
"""


def _writer(url: str, key: bytes, name: str, count: int, hold: bool) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", _WRITER, url, name, str(count), "hold" if hold else "run"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdin is not None
    proc.stdin.write(key.hex() + "\n")  # the key never goes on a command line
    proc.stdin.flush()
    return proc


def _waiting_for_writer_lock(url: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return int(
                conn.execute(
                    text(
                        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
                    )
                ).scalar_one()
            )
    finally:
        engine.dispose()


def test_two_processes_append_to_one_chain_and_a_killed_one_forks_nothing(
    clinic_url: str, tmp_path: Path
) -> None:
    """The victim commits 30 events, then holds the writer lock inside an open transaction
    with one more event; the survivor starts, commits nothing while it waits for the lock,
    the victim is killed with -9 (its transaction is rolled back, the lock released) and the
    survivor commits its 60 events. One chain, 90 events, verifies."""
    init_clinic(clinic_url, tmp_path / "blobs", "Clinic")
    key = secrets.token_bytes(32)
    victim = _writer(clinic_url, key, "victim", 30, hold=True)
    survivor: subprocess.Popen[str] | None = None
    try:
        assert victim.stdout is not None
        seen = [victim.stdout.readline().strip() for _ in range(31)]
        assert seen[-1] == "holding", seen
        survivor = _writer(clinic_url, key, "survivor", 60, hold=False)
        import time

        deadline = time.monotonic() + 120  # a hang guard, not a measured figure
        while _waiting_for_writer_lock(clinic_url) == 0:
            assert survivor.poll() is None, survivor.communicate()
            assert time.monotonic() < deadline, "the survivor never waited for the lock"
            time.sleep(0.05)
        os.kill(victim.pid, signal.SIGKILL)
        victim.wait()
        out, err = survivor.communicate(timeout=300)
    finally:
        for proc in (victim, survivor):
            if proc is not None and proc.poll() is None:
                proc.kill()
                proc.wait()
    assert victim.returncode == -signal.SIGKILL
    assert survivor.returncode == 0, err
    assert out.strip().splitlines()[-1] == "done"
    with ClinicStore.open(clinic_url, key, actor="checker") as store:
        report = store.verify_audit()
        assert report.ok, report.problems
        with store.session() as s:
            rows = s.execute(select(AuditEvent.seq, AuditEvent.object_id)).all()
            head = store.read_head(s)
    ordered = sorted(rows)
    assert [r.seq for r in ordered] == list(range(1, 91))
    assert [r.object_id for r in ordered] == [f"victim-{i}" for i in range(30)] + [
        f"survivor-{i}" for i in range(60)
    ]  # nothing of the killed transaction ("victim-killed") was kept
    assert isinstance(head, audit_chain.Head) and head.seq == 90


def test_clinic_server_init_command(
    cli: Any, clinic_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NCII_DESK_PASSPHRASE", "correct horse battery staple")
    result = cli(
        "clinic-server",
        "init",
        "--db",
        clinic_url.replace("postgresql+psycopg://", "postgresql://"),
        "--blobs",
        str(tmp_path / "shared"),
        "--name",
        "Westside Clinic",
        "--member-name",
        "Ada Advocate",
        "--json",
    )
    assert result.rc == 0, result.err
    doc = json.loads(result.out)
    assert doc["name"] == "Westside Clinic"
    assert doc["schema_revision"] == head_revision()
    assert read_record(clinic_url).clinic_id == doc["clinic_id"]
    again = cli(
        "clinic-server",
        "init",
        "--db",
        clinic_url,
        "--blobs",
        str(tmp_path / "other"),
        "--name",
        "Twice",
        "--member-name",
        "Bo",
    )
    assert again.rc == ClinicError.exit_code
    assert "not empty" in again.err
    assert "createdb" in again.err


def test_without_the_driver_the_command_names_the_missing_part(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clinic_url = "postgresql://ncii@127.0.0.1:1/none"  # never reached: the driver is missing
    monkeypatch.setitem(sys.modules, "psycopg", None)  # as if not installed
    monkeypatch.setenv("NCII_DESK_PASSPHRASE", "correct horse battery staple")
    result = cli(
        "clinic-server",
        "init",
        "--db",
        clinic_url,
        "--blobs",
        str(tmp_path / "b"),
        "--name",
        "X",
        "--member-name",
        "Y",
    )
    assert result.rc == 8
    assert "psycopg" in result.err and "ncii-desk[clinic]" in result.err
    assert not (tmp_path / "b").exists()


_ADDER = r"""
import sys
from pathlib import Path
from ncii_desk.clinic.store import ClinicStore
from ncii_desk.services import intake
from ncii_desk.vault.models import Role
url, name, case_id, folder = sys.argv[1], sys.argv[2], sys.argv[3], Path(sys.argv[4])
store = ClinicStore.open(url, bytes.fromhex(sys.stdin.readline().strip()), actor=name)
for path in sorted(folder.iterdir()):
    result = intake.add_items(store, case_id, Role.SUSPECT, [path])
    assert len(result.added) == 1, result.as_dict()
    print(f"added {path.name}", flush=True)
store.close()
print("done", flush=True)
"""


def test_two_advocates_add_items_to_one_case_and_one_is_killed(
    clinic_url: str, tmp_path: Path
) -> None:
    """Two client processes add pictures to the same case through the intake service, one
    file per transaction; one is killed with -9 after its 8th file. Every committed item's
    file authenticates, the chain verifies, and the killed process left at most the one
    file it was writing (ciphertext without a row, reported by the check)."""
    import numpy as np
    from PIL import Image

    from ncii_desk.services import cases

    init_clinic(clinic_url, tmp_path / "blobs", "Clinic")
    key = secrets.token_bytes(32)
    with ClinicStore.open(clinic_url, key, actor="setup") as store:
        case_id = cases.new_case(store, "Shared case").id
    rng = np.random.default_rng(5)
    for who in ("victim", "survivor"):
        folder = tmp_path / who
        folder.mkdir()
        for i in range(20):
            pixels = rng.integers(0, 256, size=(32, 32, 3), dtype=np.uint8)
            Image.fromarray(pixels).save(folder / f"{who}-{i:02d}.png")
    procs: dict[str, subprocess.Popen[str]] = {}
    try:
        for who in ("victim", "survivor"):
            proc = subprocess.Popen(
                [sys.executable, "-c", _ADDER, clinic_url, who, case_id, str(tmp_path / who)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            assert proc.stdin is not None
            proc.stdin.write(key.hex() + "\n")
            proc.stdin.flush()
            procs[who] = proc
        victim = procs["victim"]
        assert victim.stdout is not None
        for _ in range(8):
            line = victim.stdout.readline()
            assert line.startswith("added "), (line, victim.stderr and victim.stderr.read())
        os.kill(victim.pid, signal.SIGKILL)
        victim.wait()
        out, err = procs["survivor"].communicate(timeout=600)
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    assert procs["survivor"].returncode == 0, err
    assert out.strip().splitlines()[-1] == "done"
    with ClinicStore.open(clinic_url, key, actor="checker") as store:
        with store.session() as s:
            names = list(s.scalars(select(EvidenceItem.original_filename)))
        assert sorted(n for n in names if n.startswith("survivor")) == [
            f"survivor-{i:02d}.png" for i in range(20)
        ]
        victims = sorted(n for n in names if n.startswith("victim"))
        assert victims == [f"victim-{i:02d}.png" for i in range(len(victims))]
        assert 8 <= len(victims) < 20
        report = store.check()
        assert report.audit_events > 0
        assert report.blobs_checked == len(names)
        leftovers = [p for p in report.problems if "without a database record" in p.message]
        assert report.problems == leftovers and len(leftovers) <= 1, report.problems
        assert store.verify_audit().ok


def test_a_drop_list_written_in_the_database_deletes_no_evidence(clinic_store: Any) -> None:
    """The list of blob files to delete is MACed with the audit key: an entry someone with
    database access adds (for a blob that still has its row, or a made-up one) deletes
    nothing; a real drop interrupted before its file went is still finished on open."""
    store = clinic_store
    kept = store.blobs.put_bytes(b"evidence that must stay")
    dropped = store.blobs.put_bytes(b"a file the client dropped")
    with store.transaction() as s:
        store.store_blob(s, kept)
        store.store_blob(s, dropped)
    with store.transaction() as s:
        store.drop_blob(s, dropped.blob_id)
    assert not store.blobs.exists(dropped.blob_id)  # deleted once the drop committed

    # A genuine drop whose file deletion never happened (client died after the commit).
    interrupted = store.blobs.put_bytes(b"dropped, file left behind")
    with store.transaction() as s:
        store.store_blob(s, interrupted)
    with store.transaction() as s:
        store.drop_blob(s, interrupted.blob_id)
        s.info.pop("ncii_clinic_dropped_blobs")  # as if killed before deleting the file
    assert store.blobs.exists(interrupted.blob_id)
    with store.session() as s:
        row = s.get(Setting, DROPPED_KEY)
        assert row is not None
        genuine = dict(row.value)

    # The database administrator lists the kept blob (its row still there) and, with a
    # copied MAC of another id, once more under a forged entry.
    forged = dict(genuine)
    forged["blob_ids"] = sorted({*genuine["blob_ids"], kept.blob_id})
    forged["macs"] = {**genuine["macs"], kept.blob_id: genuine["macs"][interrupted.blob_id]}
    engine = create_engine(engine_url(store.url))
    try:
        with engine.begin() as conn:
            conn.execute(update(Setting).where(Setting.key == DROPPED_KEY).values(value=forged))
    finally:
        engine.dispose()

    again = ClinicStore.open(
        store.url, store._data_key, blobs_dir=store.blobs.root.parent, sealed=False
    )
    try:
        assert again.blobs.exists(kept.blob_id), "an entry without a valid MAC deleted evidence"
        assert not again.blobs.exists(interrupted.blob_id)  # the genuine drop was finished
        with again.session() as s:
            assert s.get(Blob, kept.blob_id) is not None
    finally:
        again.close()
