"""``clinic-server upgrade`` and ``clinic-server check`` on a real PostgreSQL server: a clinic
made at revision 0009 upgrades and opens, an upgrade is refused while a client holds the
writer lock, and the strays of clients killed mid-write are listed and swept to quarantine
(never deleted), with missing files, foreign files, modes and owners reported."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.orm import Session

from ncii_desk.clinic import ops
from ncii_desk.clinic.ops import WriterBusy, check_blob_folder, ops_log, upgrade_clinic
from ncii_desk.clinic.store import (
    CLINIC_ID_FILE,
    CLINIC_KEY,
    DROPPED_KEY,
    HEAD_KEY,
    WRITER_LOCK,
    ClinicStore,
    init_clinic,
    read_record,
)
from ncii_desk.errors import MigrationError
from ncii_desk.vault import audit as audit_chain
from ncii_desk.vault.models import Setting
from ncii_desk.vault.schema import alembic_config, head_revision

OLD_REVISION = "0009"


def _clinic_at(url: str, blobs: Path, revision: str) -> str:
    """A clinic store as ``clinic-server init`` of the version whose newest migration was
    ``revision`` made it: schema at that revision, clinic record, head row, blob folder."""
    from alembic import command

    clinic_id = str(uuid_hex())
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            command.upgrade(alembic_config(conn), revision)
            with Session(bind=conn) as s:
                s.add(
                    Setting(
                        key=CLINIC_KEY,
                        value={
                            "clinic_id": clinic_id,
                            "name": "Old Clinic",
                            "created_at": "2026-01-01T00:00:00Z",
                            "blobs_dir": str(blobs),
                            "format": 1,
                        },
                    )
                )
                s.add(Setting(key=HEAD_KEY, value={"seq": 0, "mac": audit_chain.GENESIS_MAC}))
                s.add(Setting(key=DROPPED_KEY, value={"blob_ids": []}))
                s.flush()
    finally:
        engine.dispose()
    (blobs / "blobs").mkdir(parents=True, mode=0o700)
    blobs.chmod(0o700)
    (blobs / CLINIC_ID_FILE).write_text(clinic_id + "\n")
    (blobs / CLINIC_ID_FILE).chmod(0o600)
    return clinic_id


def uuid_hex() -> str:
    import uuid

    return str(uuid.uuid4())


class WriterLock:
    """Another client in the middle of a save: a connection that holds the writer lock
    inside an open transaction from :meth:`hold` to :meth:`release` (or the test's end)."""

    def __init__(self, url: str) -> None:
        self.engine = create_engine(url)
        self.conn: Any = None

    def hold(self) -> None:
        self.conn = self.engine.connect()
        self.conn.begin()
        self.conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": WRITER_LOCK})

    def release(self) -> None:
        if self.conn is not None:
            self.conn.rollback()
            self.conn.close()
            self.conn = None


@pytest.fixture
def writer_lock(clinic_url: str) -> Iterator[WriterLock]:
    lock = WriterLock(clinic_url)
    try:
        yield lock
    finally:
        lock.release()
        lock.engine.dispose()


# upgrade ----------------------------------------------------------------------------------


def test_a_clinic_made_at_0009_is_refused_then_upgrades_to_head_and_opens(
    cli: Any, clinic_url: str, tmp_path: Path
) -> None:
    assert head_revision() != OLD_REVISION
    clinic_id = _clinic_at(clinic_url, tmp_path / "blobs", OLD_REVISION)
    key = secrets.token_bytes(32)
    with pytest.raises(MigrationError) as refused:
        ClinicStore.open(clinic_url, key)
    assert "'ncii-desk clinic-server upgrade --db ADDRESS'" in refused.value.hint
    assert OLD_REVISION in refused.value.message

    result = cli("clinic-server", "upgrade", "--db", clinic_url)
    assert result.rc == 0, result.err
    assert f"from schema revision {OLD_REVISION} to {head_revision()}" in result.out
    assert read_record(clinic_url).schema_revision == head_revision()
    engine = create_engine(clinic_url)
    try:
        tables = set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert {"clinic_members", "case_key_wraps", "case_membership", "sign_offs"} <= tables
    with ClinicStore.open(clinic_url, key, actor="after") as store:
        assert store.vault_id == clinic_id
        with store.transaction() as s:
            store.audit(s, "test.after_upgrade")
        assert store.verify_audit().ok
    log = ops_log(clinic_url)
    assert [(e["action"], e["from_revision"], e["to_revision"]) for e in log] == [
        ("upgrade", OLD_REVISION, head_revision())
    ]

    again = cli("clinic-server", "upgrade", "--db", clinic_url, "--json")
    assert again.rc == 0, again.err
    doc = again.json()
    assert doc["changed"] is False
    assert doc["from_revision"] == doc["to_revision"] == head_revision()
    assert len(ops_log(clinic_url)) == 1  # nothing done, nothing logged


def test_upgrade_is_refused_while_a_client_holds_the_writer_lock(
    cli: Any, clinic_url: str, tmp_path: Path, writer_lock: WriterLock
) -> None:
    _clinic_at(clinic_url, tmp_path / "blobs", OLD_REVISION)
    writer_lock.hold()
    with pytest.raises(WriterBusy) as busy:
        upgrade_clinic(clinic_url)
    assert "holds the writer lock" in busy.value.message
    assert "Nothing was changed" in busy.value.hint
    result = cli("clinic-server", "upgrade", "--db", clinic_url)
    assert result.rc == WriterBusy.exit_code
    assert "saving to the clinic store" in result.err
    assert read_record(clinic_url).schema_revision == OLD_REVISION
    assert ops_log(clinic_url) == []

    writer_lock.release()  # the client's save ends
    done = upgrade_clinic(clinic_url)
    assert (done.from_revision, done.to_revision) == (OLD_REVISION, head_revision())
    assert read_record(clinic_url).schema_revision == head_revision()


def test_upgrade_refuses_a_store_of_a_newer_version(clinic_url: str, tmp_path: Path) -> None:
    init_clinic(clinic_url, tmp_path / "blobs", "Clinic")
    engine = create_engine(clinic_url)
    try:
        with engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    finally:
        engine.dispose()
    with pytest.raises(MigrationError) as refused:
        upgrade_clinic(clinic_url)
    assert "9999" in refused.value.message and "never downgrade" in refused.value.hint


# check and sweep --------------------------------------------------------------------------

_KILLED_CLIENT = r"""
import sys
from ncii_desk.clinic.store import ClinicStore
url, mode = sys.argv[1], sys.argv[2]
store = ClinicStore.open(url, bytes.fromhex(sys.stdin.readline().strip()), actor=mode)
if mode == "unclaimed":
    # A whole ciphertext file written, its row added, the transaction never committed.
    with store.transaction() as s:
        store.store_blob(s, store.blobs.put_bytes(b"benign test bytes " * 1000))
        print("holding", flush=True)
        sys.stdin.readline()  # killed here
else:
    # Killed in the middle of writing a file of three 1 MiB chunks.
    class Slow:
        given = 0
        def read(self, n=-1):
            if self.given >= 2 * 1024 * 1024:
                print("holding", flush=True)
                sys.stdin.readline()  # killed here
            self.given += n
            return b"\x5a" * n
    store.blobs.put_stream(Slow())
"""


def _kill_mid_write(url: str, key: bytes, mode: str) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-c", _KILLED_CLIENT, url, mode],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write(key.hex() + "\n")
        proc.stdin.flush()
        line = proc.stdout.readline().strip()
        assert line == "holding", (line, proc.stderr and proc.stderr.read())
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == -signal.SIGKILL


def _backdate(folder: Path, minutes: float) -> None:
    then = time.time() - minutes * 60
    for path in (folder / "blobs").rglob("*"):
        if path.is_file():
            os.utime(path, (then, then))


def test_strays_of_clients_killed_mid_write_are_listed_then_swept_to_quarantine(
    cli: Any, clinic_url: str, tmp_path: Path
) -> None:
    folder = tmp_path / "blobs"
    init_clinic(clinic_url, folder, "Clinic")
    key = secrets.token_bytes(32)
    with ClinicStore.open(clinic_url, key, actor="kept") as store:
        with store.transaction() as s:
            kept = store.store_blob(s, store.blobs.put_bytes(b"kept evidence " * 100))
        kept_id = kept.id
    _kill_mid_write(clinic_url, key, "unclaimed")
    _kill_mid_write(clinic_url, key, "partial")
    files = sorted(p for p in (folder / "blobs").rglob("*") if p.is_file())
    assert len(files) == 3
    stray_files = {p.name: p.read_bytes() for p in files if kept_id not in p.name}
    assert sum(n.startswith(".tmp-") for n in stray_files) == 1

    # Fresh strays may be saves in progress: listed as recent, not moved, not a problem.
    fresh = check_blob_folder(clinic_url, grace_minutes=60, sweep=True)
    assert fresh.ok and fresh.strays == [] and fresh.rows == 1 and fresh.files == 3
    assert sorted(s.kind for s in fresh.recent) == ["partial", "unclaimed"]
    assert not (folder / "quarantine").exists() and ops_log(clinic_url) == []

    _backdate(folder, 61)
    listed = cli("clinic-server", "check", "--db", clinic_url)
    assert listed.rc == 3, listed.err
    assert "older than the grace period (2)" in listed.out and "--sweep" in listed.out
    assert len([p for p in (folder / "blobs").rglob("*") if p.is_file()]) == 3  # no sweep

    swept = cli("clinic-server", "check", "--db", clinic_url, "--sweep", "--json")
    assert swept.rc == 0, swept.out + swept.err
    doc = swept.json()
    assert doc["ok"] and doc["swept"] and doc["missing"] == []
    assert sorted(s["kind"] for s in doc["strays"]) == ["partial", "unclaimed"]
    assert all(s["moved_to"].startswith("quarantine/") for s in doc["strays"])
    left = [p for p in (folder / "blobs").rglob("*") if p.is_file()]
    assert [p.name for p in left] == [kept_id]
    quarantined = {p.name: p.read_bytes() for p in (folder / "quarantine").iterdir()}
    assert len(quarantined) == 2
    for name, data in stray_files.items():  # moved byte for byte, nothing deleted
        blob_id = name.removeprefix(".tmp-")
        (moved,) = [n for n in quarantined if n.endswith(blob_id)]
        assert quarantined[moved] == data
        assert ("-partial-" in moved) == name.startswith(".tmp-")
    (entry,) = ops_log(clinic_url)
    assert entry["action"] == "sweep" and sorted(entry["moved"]) == sorted(
        s["moved_to"] for s in doc["strays"]
    )

    with ClinicStore.open(clinic_url, key, actor="after") as store:
        report = store.check()
        assert report.ok, report.problems  # no file without a record any more
        assert report.blobs_checked == 1
    assert check_blob_folder(clinic_url, grace_minutes=0).ok


def test_check_reports_missing_files_foreign_files_modes_and_pending_drops(
    clinic_url: str, tmp_path: Path
) -> None:
    folder = tmp_path / "blobs"
    init_clinic(clinic_url, folder, "Clinic")
    with ClinicStore.open(clinic_url, secrets.token_bytes(32)) as store:
        with store.transaction() as s:
            gone = store.store_blob(s, store.blobs.put_bytes(b"a" * 500))
            loose = store.store_blob(s, store.blobs.put_bytes(b"b" * 500))
        blob_store = store.blobs
        gone_path, loose_path = blob_store.path_for(gone.id), blob_store.path_for(loose.id)
        dropped = blob_store.put_bytes(b"c" * 500)  # a file whose row was dropped
    engine = create_engine(clinic_url)
    try:
        with engine.begin() as conn, Session(bind=conn) as s:
            row = s.get(Setting, DROPPED_KEY)
            assert row is not None
            row.value = {"blob_ids": [dropped.blob_id]}
            s.flush()
    finally:
        engine.dispose()
    gone_path.unlink()
    loose_path.chmod(0o644)
    (folder / "notes.txt").write_text("someone's file")
    (folder / "notes.txt").chmod(0o600)
    _backdate(folder, 120)

    report = check_blob_folder(clinic_url, grace_minutes=60, sweep=True)
    assert not report.ok
    assert report.missing == [gone.id]
    assert report.unknown == ["notes.txt"]
    assert report.dropped_pending == [blob_store.relpath(dropped.blob_id)]
    assert report.strays == []  # a dropped blob's file is never quarantined
    assert blob_store.path_for(dropped.blob_id).exists()
    assert report.permissions == [
        f"{blob_store.relpath(loose.id)}: group or others have access (mode 0644); the blob "
        "folder is meant for its one owning account only"
    ]
    assert (folder / "notes.txt").exists()


@pytest.mark.skipif(os.geteuid() != 0, reason="changing a file's owner needs root")
def test_check_reports_a_file_owned_by_another_account(clinic_url: str, tmp_path: Path) -> None:
    import pwd

    folder = tmp_path / "blobs"
    init_clinic(clinic_url, folder, "Clinic")
    with ClinicStore.open(clinic_url, secrets.token_bytes(32)) as store:
        with store.transaction() as s:
            row = store.store_blob(s, store.blobs.put_bytes(b"d" * 500))
        path = store.blobs.path_for(row.id)
    other = pwd.getpwnam("nobody").pw_uid
    os.chown(path, other, -1)
    report = check_blob_folder(clinic_url)
    assert not report.ok
    assert report.permissions == [
        f"{store.blobs.relpath(row.id)}: owned by user id {other}, not by the blob folder's "
        f"owner ({folder.stat().st_uid}); other clients may not be able to read it"
    ]


def test_a_sweep_waits_for_the_writer_lock_and_gives_up_with_nothing_moved(
    clinic_url: str, tmp_path: Path, writer_lock: WriterLock, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "blobs"
    init_clinic(clinic_url, folder, "Clinic")
    with ClinicStore.open(clinic_url, secrets.token_bytes(32)) as store:
        stray = store.blobs.put_bytes(b"e" * 500)  # never given a row
    _backdate(folder, 120)
    monkeypatch.setattr(ops, "SWEEP_LOCK_WAIT", "200ms")
    writer_lock.hold()
    with pytest.raises(WriterBusy) as busy:
        check_blob_folder(clinic_url, sweep=True)
    assert "nothing was swept" in busy.value.message
    assert (folder / "blobs" / stray.blob_id[:2] / stray.blob_id).exists()
    assert not (folder / "quarantine").exists()
    # A check without --sweep takes no lock and still lists it.
    listed = check_blob_folder(clinic_url)
    assert [s.path for s in listed.strays] == [f"blobs/{stray.blob_id[:2]}/{stray.blob_id}"]


def test_check_refuses_a_blob_folder_of_another_clinic_and_a_negative_grace(
    cli: Any, clinic_url: str, tmp_path: Path
) -> None:
    init_clinic(clinic_url, tmp_path / "blobs", "Clinic")
    other = tmp_path / "other"
    other.mkdir()
    (other / CLINIC_ID_FILE).write_text(uuid_hex() + "\n")
    result = cli("clinic-server", "check", "--db", clinic_url, "--blobs", str(other))
    assert result.rc == 6
    assert "not the one made for this clinic" in result.err
    bad = cli("clinic-server", "check", "--db", clinic_url, "--grace-minutes", "-5")
    assert bad.rc == 2 and "must be 0 or more" in bad.err


def test_check_with_hashes_finds_a_damaged_file_without_the_key(
    cli: Any, clinic_url: str, tmp_path: Path
) -> None:
    folder = tmp_path / "blobs"
    init_clinic(clinic_url, folder, "Clinic")
    with ClinicStore.open(clinic_url, secrets.token_bytes(32)) as store:
        with store.transaction() as s:
            intact = store.store_blob(s, store.blobs.put_bytes(b"f" * 5000))
            hit = store.store_blob(s, store.blobs.put_bytes(b"g" * 5000))
        hit_rel, hit_path = store.blobs.relpath(hit.id), store.blobs.path_for(hit.id)
        intact_id = intact.id
    data = bytearray(hit_path.read_bytes())
    data[200] ^= 0x01  # one bit of one chunk flipped on the share
    hit_path.write_bytes(bytes(data))

    assert check_blob_folder(clinic_url).ok  # without --hashes no file is read
    report = check_blob_folder(clinic_url, hashes=True)
    assert not report.ok
    assert report.hashed == 2
    assert report.damaged == [hit_rel]
    assert intact_id not in " ".join(report.damaged)
    result = cli("clinic-server", "check", "--db", clinic_url, "--hashes")
    assert result.rc == 3
    assert "differ from what was saved (1 of 2 hashed)" in result.out and hit_rel in result.out
