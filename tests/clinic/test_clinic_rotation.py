"""Clinic key versions (issue 19): removing a clinic member rotates the clinic data key. The
remaining members get the new version and still read everything old and new; what a removed
member who kept the old key writes afterwards (an audit event, the head row) is reported; a
name or a blob of no case written after the rotation does not open with the old key; a client
that opened before the rotation writes under the new version. Real PostgreSQL."""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest
from memberkit import Member, add_member, join
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from conftest import PASSPHRASE
from ncii_desk.clinic import clinickeys, members
from ncii_desk.clinic.clinickeys import ACTION_KEY_ROTATED, KEYCHAIN_KEY, ClinicKeyring
from ncii_desk.clinic.members import ClinicRolledBack, MemberRemoved
from ncii_desk.clinic.sealing import NO_ACCESS
from ncii_desk.clinic.store import DROPPED_KEY, HEAD_KEY, ClinicStore, _head_mac, make_engine
from ncii_desk.errors import VaultCorrupt
from ncii_desk.services import clinic as clinic_service
from ncii_desk.services.cases import new_case
from ncii_desk.vault import audit as audit_chain
from ncii_desk.vault.blobs import BlobStore as FolderBlobStore
from ncii_desk.vault.keys import derive_subkeys
from ncii_desk.vault.models import AuditEvent, Blob, Case, ClinicMember, Setting


def _wrap_versions(store: ClinicStore) -> dict[str, int | None]:
    """member id -> the clinic key version their stored wrap states (None: no wrap)."""
    with store.session() as s:
        rows = list(s.scalars(select(ClinicMember)))
    return {
        r.member_id: json.loads(r.clinic_key_wrap)["key_version"] if r.clinic_key_wrap else None
        for r in rows
    }


def _as_database_user(url: str) -> Session:
    """A session straight on the database: what someone with database access (a removed
    member who kept the old key, say) can do without NCII Desk's checks."""
    return Session(make_engine(url))


def _forge_event(url: str, audit_key: bytes, action: str = "case.created") -> int:
    """Append an event MACed with ``audit_key`` after the newest one; returns its seq."""
    with _as_database_user(url) as s, s.begin():
        ev = audit_chain.append_event(s, audit_key, actor="intruder", action=action)
        return ev.seq


def _forge_head(url: str, clinic_id: str, audit_key: bytes) -> None:
    """Point the head row at the newest event, MACed with ``audit_key`` (version 1 form)."""
    with _as_database_user(url) as s, s.begin():
        newest = audit_chain.newest(s)
        assert newest is not None
        value = {
            "seq": newest.seq,
            "mac": newest.mac,
            "head_mac": _head_mac(audit_key, clinic_id, newest.seq, newest.mac),
        }
        s.execute(update(Setting).where(Setting.key == HEAD_KEY).values(value=value))


@pytest.fixture
def removed(clinic_store: ClinicStore) -> tuple[Member, bytes]:
    """A second member who opened the store (and kept the version-1 clinic key), then was
    removed by the first member."""
    second = add_member(clinic_store, "Bea Removed")
    with second.open() as theirs:
        kept = theirs.clinic_data_key()
    members.remove(clinic_store, second.member_id)
    return second, kept


def test_removal_rotates_the_clinic_key_for_the_remaining_admitted_members_only(
    clinic_store: ClinicStore,
) -> None:
    first = str(clinic_store.member_id)
    stays = add_member(clinic_store, "Dana Stays")
    leaves = add_member(clinic_store, "Bea Removed")
    waiting = join(clinic_store.url, "Pat Pending")
    version_1 = clinic_store.clinic_data_key()
    export_identity = clinic_store.export_key
    assert set(_wrap_versions(clinic_store).values()) == {1, None}

    members.remove(clinic_store, leaves.member_id)
    # the hand-over address and packet signing identity stay the clinic's version-1 ones
    assert clinic_store.export_key == export_identity

    assert clinic_store.keyring.newest == 2
    version_2 = clinic_store.clinic_data_key()
    assert version_2 != version_1
    assert _wrap_versions(clinic_store) == {
        first: 2,
        stays.member_id: 2,
        leaves.member_id: None,
        waiting.member_id: None,
    }
    with clinic_store.session() as s:
        chain = s.get(Setting, KEYCHAIN_KEY)
        assert chain is not None and chain.value["newest"] == 2
        assert version_1.hex() not in json.dumps(chain.value)
        assert version_2.hex() not in json.dumps(chain.value)
        events = list(s.scalars(select(AuditEvent).order_by(AuditEvent.seq)))
        names = {r.member_id: r.name_sealed for r in s.scalars(select(ClinicMember))}
    assert [e.action for e in events[-2:]] == [ACTION_KEY_ROTATED, members.ACTION_REMOVED]
    assert events[-2].object_id == "clinic-key/2"
    # the names of everyone not pending are re-sealed under version 2
    assert names[first].startswith("nm2.2.") and names[stays.member_id].startswith("nm2.2.")

    with stays.open() as theirs:
        assert theirs.keyring.newest == 2
        assert theirs.clinic_data_key() == version_2
        assert theirs.keyring.key(1) == version_1  # older versions derived on open
        assert theirs.export_key == export_identity
        listed = {m.member_id: m.name for m in members.list_members(theirs)}
        assert listed[first] == "First Member" and listed[stays.member_id] == "Dana Stays"
        assert listed[leaves.member_id] == "Bea Removed"
        assert theirs.verify_audit().ok
    with pytest.raises(MemberRemoved):
        leaves.open()

    # a member pending at the rotation is admitted with the newest version
    members.admit(clinic_store, waiting.member_id, waiting.fingerprint)
    assert _wrap_versions(clinic_store)[waiting.member_id] == 2
    with waiting.open() as theirs:
        assert theirs.clinic_data_key() == version_2
        names_seen = {m.member_id: m.name for m in members.list_members(theirs)}
        assert names_seen[waiting.member_id] == "Pat Pending"


def test_an_event_forged_with_the_old_key_after_the_rotation_is_reported(
    clinic_store: ClinicStore, removed: tuple[Member, bytes]
) -> None:
    _, kept = removed
    new_case(clinic_store, "Case after the rotation")
    assert clinic_store.verify_audit().ok
    old_audit = derive_subkeys(kept, clinic_store.vault_id).audit
    seq = _forge_event(clinic_store.url, old_audit)
    _forge_head(clinic_store.url, clinic_store.vault_id, old_audit)

    report = clinic_store.verify_audit()
    assert not report.ok
    by_seq = {p["seq"]: p["problem"] for p in report.problems}
    assert "clinic key version 1" in by_seq[seq] and "removed member" in by_seq[seq]
    assert any(
        "head row is authenticated with clinic key version 1" in p for p in report.head_problems
    )
    # the integrity check says the same, and a member opening with the head they saw is
    # refused because the head cannot be trusted
    problems = [p.message for p in clinic_store.check().problems]
    assert any("clinic key version 1" in p for p in problems)
    with pytest.raises(ClinicRolledBack, match="cannot be trusted"):
        ClinicStore.open_member(
            clinic_store.url, str(clinic_store.member_id), passphrase=PASSPHRASE, seen=(1, "x")
        )


def test_a_head_row_macd_with_the_old_key_is_refused(
    clinic_store: ClinicStore, removed: tuple[Member, bytes]
) -> None:
    """Only the head row is replaced (pointing at a genuine event): still refused."""
    _, kept = removed
    new_case(clinic_store, "Case after the rotation")
    _forge_head(
        clinic_store.url, clinic_store.vault_id, derive_subkeys(kept, clinic_store.vault_id).audit
    )
    with clinic_store.session() as s:
        head = clinic_store.read_head(s)
    assert isinstance(head, str) and "clinic key version 1" in head
    report = clinic_store.verify_audit()
    assert not report.ok and report.problems[0]["seq"] is None


def test_names_and_blobs_of_no_case_written_after_the_rotation_do_not_open_with_the_old_key(
    clinic_store: ClinicStore, removed: tuple[Member, bytes], tmp_path: Any
) -> None:
    _, kept = removed
    clinic_id = clinic_store.vault_id
    old_ring = ClinicKeyring(clinic_id, {1: kept}, 1)
    newcomer = add_member(clinic_store, "Nadia Newcomer")
    with clinic_store.session() as s:
        sealed = {r.member_id: r.name_sealed for r in s.scalars(select(ClinicMember))}
    assert (
        members.open_name(
            clinic_store.keyring, clinic_id, newcomer.member_id, sealed[newcomer.member_id]
        )
        == "Nadia Newcomer"
    )
    for member_id, token in sealed.items():
        if member_id != removed[0].member_id:  # the removed member's own name stays as it was
            assert members.open_name(old_ring, clinic_id, member_id, token) is None

    # a blob written before the rotation (version 1) and one after (version 2)
    with clinic_store.transaction() as s:
        after = clinic_store.blobs.put_bytes(b"index bytes written after the rotation")
        row = clinic_store.store_blob(s, after)
    assert row.key_version == 2
    old_folder = FolderBlobStore(
        clinic_store.blobs.root.parent, derive_subkeys(kept, clinic_id).blob
    )
    with pytest.raises(VaultCorrupt, match="integrity check"):
        old_folder.read(after.blob_id, after)
    assert clinic_store.read_blob(row) == b"index bytes written after the rotation"
    with newcomer.open() as theirs:
        assert theirs.blobs.read(after.blob_id, after) == b"index bytes written after the rotation"


def test_blobs_written_before_the_rotation_still_read_and_check(
    clinic_store: ClinicStore,
) -> None:
    second = add_member(clinic_store, "Bea Removed")
    with clinic_store.transaction() as s:
        before = clinic_store.blobs.put_bytes(b"written under version 1")
        clinic_store.store_blob(s, before)
    members.remove(clinic_store, second.member_id)
    assert clinic_store.blobs.read(before.blob_id, before) == b"written under version 1"
    with clinic_store.transaction() as s:
        after = clinic_store.blobs.put_bytes(b"written under version 2")
        clinic_store.store_blob(s, after)
    with clinic_store.session() as s:
        versions = {r.id: r.key_version for r in s.scalars(select(Blob))}
    assert versions == {before.blob_id: 1, after.blob_id: 2}
    report = clinic_store.check()
    assert report.problems == [] and report.blobs_checked == 2


def test_the_whole_chain_verifies_across_two_rotations_for_every_remaining_member(
    clinic_store: ClinicStore,
) -> None:
    stays = add_member(clinic_store, "Dana Stays")
    one, two = add_member(clinic_store, "One Leaves"), add_member(clinic_store, "Two Leaves")
    new_case(clinic_store, "Case under version 1")
    members.remove(clinic_store, one.member_id)
    new_case(clinic_store, "Case under version 2")
    with stays.open() as theirs:
        members.remove(theirs, two.member_id)
        new_case(theirs, "Case under version 3")
        assert theirs.keyring.newest == 3
    with stays.open() as theirs:
        assert sorted(theirs.keyring.keys) == [1, 2, 3]
        report = theirs.verify_audit()
        assert report.ok, report.problems
        with theirs.session() as s:
            rotations = list(
                s.scalars(
                    select(AuditEvent.object_id).where(AuditEvent.action == ACTION_KEY_ROTATED)
                )
            )
            labels = {c.label for c in s.scalars(select(Case))}
        assert rotations == ["clinic-key/2", "clinic-key/3"]
        assert labels == {NO_ACCESS, "Case under version 3"}  # case keys, not the clinic key
    # the first member's store, open since before the second rotation, follows it
    assert clinic_store.verify_audit().ok
    assert clinic_store.keyring.newest == 3
    with clinic_store.session() as s:
        labels = {c.label for c in s.scalars(select(Case))}
    assert labels == {"Case under version 1", "Case under version 2", NO_ACCESS}


def test_a_client_opened_before_the_rotation_writes_under_the_new_version(
    clinic_store: ClinicStore,
) -> None:
    stays = add_member(clinic_store, "Dana Stays")
    leaves = add_member(clinic_store, "Bea Removed")
    early = stays.open()  # opened with version 1
    gone = leaves.open()
    kept = gone.clinic_data_key()
    raw = ClinicStore.open(clinic_store.url, kept, sealed=False)  # a tool with the raw key
    try:
        assert early.keyring.newest == 1
        members.remove(clinic_store, leaves.member_id)

        new_case(early, "Written by a client opened before the rotation")
        assert early.keyring.newest == 2
        with early.session() as s:
            head = s.get(Setting, HEAD_KEY)
            assert head is not None and head.value["key_version"] == 2
        with early.transaction() as s:
            info = early.blobs.put_bytes(b"a blob of no case")
            assert early.store_blob(s, info).key_version == 2
        assert clinic_store.verify_audit().ok

        # the removed member's open client and a raw old key write nothing
        with clinic_store.session() as s:
            before = audit_chain.newest(s)
        with pytest.raises(MemberRemoved, match="nothing was written"):
            new_case(gone, "not written")
        with pytest.raises(clinickeys.KeyReplaced, match="replaced"):
            new_case(raw, "not written either")
        with pytest.raises(clinickeys.KeyReplaced):
            raw.blobs.put_bytes(b"not under an old key")
        with clinic_store.session() as s:
            assert audit_chain.newest(s) == before
    finally:
        early.close()
        gone.close()
        raw.close()


def test_a_rotation_racing_another_writer_keeps_one_chain(clinic_store: ClinicStore) -> None:
    stays = add_member(clinic_store, "Dana Stays")
    leaves = add_member(clinic_store, "Bea Removed")
    writer = stays.open()
    failures: list[BaseException] = []

    def write_cases() -> None:
        try:
            for n in range(8):
                new_case(writer, f"Concurrent case {n}")
        except BaseException as exc:  # reported by the assertion below
            failures.append(exc)

    thread = threading.Thread(target=write_cases)
    try:
        thread.start()
        members.remove(clinic_store, leaves.member_id)
        thread.join()
    finally:
        writer.close()
    assert failures == []
    report = clinic_store.verify_audit()
    assert report.ok, report.problems
    with clinic_store.session() as s:
        assert len(list(s.scalars(select(Case.id)))) == 8


def test_an_old_client_profile_still_opens_after_the_rotation(clinic_store: ClinicStore) -> None:
    url, member_id = clinic_store.url, str(clinic_store.member_id)
    leaves = add_member(clinic_store, "Bea Removed")
    clinic_service.open_clinic_store(url, member_id, passphrase=PASSPHRASE).close()
    profile = clinic_service.last_profile()
    assert profile is not None
    members.remove(clinic_store, leaves.member_id)
    new_case(clinic_store, "after the rotation")
    again = clinic_service.open_clinic_store(url, member_id, passphrase=PASSPHRASE)
    try:
        assert again.keyring.newest == 2 and again.verify_audit().ok
    finally:
        again.close()
    newer = clinic_service.last_profile()
    assert newer is not None and newer.head_seq > profile.head_seq


def test_a_drop_pending_at_the_rotation_is_re_authenticated_and_finished(
    clinic_store: ClinicStore,
) -> None:
    """A drop whose file deletion never happened (client died after the commit) stays
    listed across a rotation, MACed with the new version, and the next open deletes the
    file; an entry MACed with the old key after the rotation deletes nothing."""
    stays = add_member(clinic_store, "Dana Stays")
    leaves = add_member(clinic_store, "Bea Removed")
    with leaves.open() as theirs:
        kept = theirs.clinic_data_key()
    interrupted = clinic_store.blobs.put_bytes(b"dropped, file left behind")
    kept_file = clinic_store.blobs.put_bytes(b"evidence a removed member wants gone")
    with clinic_store.transaction() as s:
        clinic_store.store_blob(s, interrupted)
        clinic_store.store_blob(s, kept_file)
    with clinic_store.transaction() as s:
        clinic_store.drop_blob(s, interrupted.blob_id)
        s.info.pop("ncii_clinic_dropped_blobs")  # as if killed before deleting the file
    members.remove(clinic_store, leaves.member_id)
    with clinic_store.session() as s:
        listed = s.get(Setting, DROPPED_KEY)
        assert listed is not None and listed.value["blob_ids"] == [interrupted.blob_id]
        genuine_mac = listed.value["macs"][interrupted.blob_id]
    # version 2's MAC
    assert genuine_mac == clinickeys.drop_mac(clinic_store.keyring, interrupted.blob_id)
    # the removed member lists a blob (its row deleted too) with the version-1 key
    old = ClinicKeyring(clinic_store.vault_id, {1: kept}, 1)
    forged = {
        "blob_ids": [interrupted.blob_id, kept_file.blob_id],
        "macs": {
            interrupted.blob_id: genuine_mac,
            kept_file.blob_id: clinickeys.drop_mac(old, kept_file.blob_id),
        },
    }
    with _as_database_user(clinic_store.url) as s, s.begin():
        s.execute(delete(Blob).where(Blob.id == kept_file.blob_id))
        s.execute(update(Setting).where(Setting.key == DROPPED_KEY).values(value=forged))
    assert clinic_store.blobs.exists(interrupted.blob_id)
    with stays.open() as theirs:
        assert not theirs.blobs.exists(interrupted.blob_id)  # the genuine drop finished
        assert theirs.blobs.exists(kept_file.blob_id)  # the forged entry deleted nothing


def test_cli_remove_member_rotates_and_audit_verify_reports_an_event_forged_with_the_old_key(
    clinic_store: ClinicStore, cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`clinic remove-member` from the command line rotates; `audit verify` and `vault check`
    (as a remaining member) pass, then report an event the removed member forged."""
    url, first = clinic_store.url, str(clinic_store.member_id)
    leaves = add_member(clinic_store, "Bea Removed")
    with leaves.open() as theirs:
        kept = theirs.clinic_data_key()
    monkeypatch.setenv("NCII_DESK_PASSPHRASE", PASSPHRASE)
    as_first = ("--vault", url, "--member", first)
    gone = cli(*as_first, "clinic", "remove-member", leaves.member_id)
    assert gone.rc == 0, gone.err
    assert _wrap_versions(clinic_store)[first] == 2
    verified = cli(*as_first, "audit", "verify", "--json")
    assert verified.rc == 0 and verified.json()["ok"], verified.out

    old_audit = derive_subkeys(kept, clinic_store.vault_id).audit
    _forge_event(url, old_audit)
    _forge_head(url, clinic_store.vault_id, old_audit)
    for argv in (("audit", "verify"), ("vault", "check")):
        refused = cli(*as_first, *argv)
        assert refused.rc != 0, refused.out
        assert "clinic key version 1" in refused.out + refused.err
