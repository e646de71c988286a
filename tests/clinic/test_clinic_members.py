"""Opening a clinic store as a member (issue 19 §2): the first member made at init, joining,
admitting by fingerprint, removal, wrong passphrase, rollback, and no secret or name in clear
in any database row. Real PostgreSQL (tests/clinic/pgkit.py)."""

from __future__ import annotations

import base64
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from memberkit import add_member, join
from sqlalchemy import create_engine, func, select, text

from conftest import PASSPHRASE
from ncii_desk.clinic import members
from ncii_desk.clinic.members import (
    ClinicRolledBack,
    FingerprintMismatch,
    MemberPending,
    MemberRemoved,
    MemberUnknown,
)
from ncii_desk.clinic.store import HEAD_KEY, ClinicStore
from ncii_desk.errors import WrongPassphrase
from ncii_desk.services import clinic as clinic_service
from ncii_desk.services.cases import new_case
from ncii_desk.vault.members import MemberKeys
from ncii_desk.vault.models import AuditEvent, ClinicMember, Setting


def _audit_count(store: ClinicStore) -> int:
    with store.session() as s:
        return int(s.scalar(select(func.count()).select_from(AuditEvent)) or 0)


def test_first_member_made_at_init_opens_the_store(clinic_store: ClinicStore) -> None:
    assert isinstance(clinic_store.member, MemberKeys)
    assert clinic_store.member_id == clinic_store.member.member_id
    with ClinicStore.open_member(
        clinic_store.url, str(clinic_store.member_id), passphrase=PASSPHRASE
    ) as plain:
        assert plain.actor == clinic_store.member_id  # audit names the member id, no name
    listed = members.list_members(clinic_store)
    assert [(m.member_id, m.name, m.status) for m in listed] == [
        (clinic_store.member_id, "First Member", "admitted")
    ]
    assert listed[0].fingerprint == clinic_store.member.public.fingerprint
    view = new_case(clinic_store, "Case A")
    assert view.label == "Case A"
    with clinic_store.session() as s:
        event = s.scalars(select(AuditEvent).order_by(AuditEvent.seq)).first()
    assert event is not None and event.action == members.ACTION_ADMITTED
    assert json.loads(event.details)["fingerprint"] == listed[0].fingerprint
    assert clinic_store.verify_audit().ok


def test_a_joining_member_waits_then_opens_after_a_matching_fingerprint(
    clinic_store: ClinicStore,
) -> None:
    newcomer = join(clinic_store.url, "Second Member")
    with pytest.raises(MemberPending) as pending:
        newcomer.open()
    hint = pending.value.hint
    assert f"ncii-desk clinic admit {newcomer.member_id} --fingerprint" in hint
    assert newcomer.fingerprint in hint
    listed = {m.member_id: m for m in members.list_members(clinic_store)}
    assert listed[newcomer.member_id].status == "pending"
    assert listed[newcomer.member_id].name == "Second Member"  # readable to admitted members

    with clinic_store.session() as s:
        before = s.get(ClinicMember, newcomer.member_id)
        assert before is not None
        sealed_before = before.name_sealed
    events_before = _audit_count(clinic_store)
    wrong = "AAAA-" + newcomer.fingerprint[5:]
    with pytest.raises(FingerprintMismatch, match="does not match"):
        members.admit(clinic_store, newcomer.member_id, wrong)
    with clinic_store.session() as s:
        after = s.get(ClinicMember, newcomer.member_id)
        assert after is not None
        assert after.clinic_key_wrap is None and after.added_by is None
        assert after.name_sealed == sealed_before
    assert _audit_count(clinic_store) == events_before  # nothing written
    with pytest.raises(MemberPending):
        newcomer.open()

    # typed as read out by phone: lower case, spaces instead of dashes, a short id prefix
    admitted = members.admit(
        clinic_store,
        newcomer.member_id[:10],
        newcomer.fingerprint.lower().replace("-", " "),
    )
    assert admitted.status == "admitted" and admitted.name == "Second Member"
    with newcomer.open() as second:
        assert second.member_id == newcomer.member_id
        assert second.clinic_data_key() == clinic_store.clinic_data_key()
        names = {m.member_id: m.name for m in members.list_members(second)}
        assert names == {
            clinic_store.member_id: "First Member",
            newcomer.member_id: "Second Member",
        }
        with pytest.raises(members.ClinicError, match="not waiting to be admitted"):
            members.admit(second, newcomer.member_id, newcomer.fingerprint)
    assert clinic_store.verify_audit().ok


def test_wrong_passphrase_unknown_member_and_the_recovery_key(clinic_store: ClinicStore) -> None:
    member_id = clinic_store.member_id
    assert member_id is not None
    with pytest.raises(WrongPassphrase, match="not correct for this member"):
        ClinicStore.open_member(clinic_store.url, member_id, passphrase="wrong horse battery x")
    with pytest.raises(MemberUnknown, match="no member with the id"):
        ClinicStore.open_member(clinic_store.url, "0" * 32, passphrase=PASSPHRASE)
    recovery = clinic_store.test_recovery_key  # type: ignore[attr-defined]
    with ClinicStore.open_member(clinic_store.url, member_id, recovery_key=recovery) as again:
        assert again.member_id == member_id


def test_a_removed_member_is_refused_and_nobody_removes_themselves(
    clinic_store: ClinicStore,
) -> None:
    second = add_member(clinic_store)
    removed = members.remove(clinic_store, second.member_id)
    assert removed.status == "removed" and removed.removed_at is not None
    with pytest.raises(MemberRemoved, match="was removed"):
        second.open()
    with clinic_store.session() as s:
        row = s.get(ClinicMember, second.member_id)
        assert row is not None and row.clinic_key_wrap is None
        event = s.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
    assert event is not None and event.action == members.ACTION_REMOVED
    assert "Second Member" not in event.details
    with pytest.raises(members.ClinicError, match="cannot remove yourself"):
        members.remove(clinic_store, str(clinic_store.member_id))


def test_member_passphrase_change(clinic_store: ClinicStore) -> None:
    new = "a new member passphrase here"
    with pytest.raises(WrongPassphrase, match="current passphrase is not right"):
        members.change_passphrase(clinic_store, new, current="not the one at all")
    assert members.change_passphrase(clinic_store, new, current=PASSPHRASE) == 2
    member_id = str(clinic_store.member_id)
    with pytest.raises(WrongPassphrase):
        ClinicStore.open_member(clinic_store.url, member_id, passphrase=PASSPHRASE)
    with ClinicStore.open_member(clinic_store.url, member_id, passphrase=new) as again:
        assert again.member_id == member_id


def _as_admin(url: str, *statements: tuple[str, dict[str, Any]]) -> None:
    """Run statements as the database's superuser with triggers off (what someone with the
    server, restoring an old backup or editing rows, can do)."""
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text("SET LOCAL session_replication_role = replica"))
            for sql, params in statements:
                conn.execute(text(sql), params)
    finally:
        engine.dispose()


def test_a_rolled_back_server_is_refused(clinic_store: ClinicStore) -> None:
    url, member_id = clinic_store.url, str(clinic_store.member_id)
    store = clinic_service.open_clinic_store(url, member_id, passphrase=PASSPHRASE)
    with store.session() as s:
        row = s.get(Setting, HEAD_KEY)
        assert row is not None
        old_head = dict(row.value)
    new_case(store, "Case written after the old backup")
    store.close()  # remembers the newer head in this computer's profile
    profile = clinic_service.last_profile()
    assert profile is not None and profile.head_seq > old_head["seq"]
    assert profile.member_id == member_id and "@" in profile.url

    _as_admin(
        url,
        ("DELETE FROM audit_events WHERE seq > :seq", {"seq": old_head["seq"]}),
        (
            "UPDATE settings SET value = CAST(:v AS JSON) WHERE key = :k",
            {"v": json.dumps(old_head), "k": HEAD_KEY},
        ),
    )
    with pytest.raises(ClinicRolledBack, match="rolled back") as refused:
        clinic_service.open_clinic_store(url, member_id, passphrase=PASSPHRASE)
    assert "administrator" in refused.value.hint
    # The old state is self-consistent: only the remembered head shows the rollback.
    with ClinicStore.open_member(url, member_id, passphrase=PASSPHRASE) as bare:
        assert bare.verify_audit().ok


def test_a_replaced_event_at_the_remembered_head_is_refused(clinic_store: ClinicStore) -> None:
    url, member_id = clinic_store.url, str(clinic_store.member_id)
    clinic_service.open_clinic_store(url, member_id, passphrase=PASSPHRASE).close()
    profile = clinic_service.last_profile()
    assert profile is not None
    _as_admin(
        url,
        (
            "UPDATE audit_events SET mac = :m WHERE seq = :seq",
            {"m": "f" * 64, "seq": profile.head_seq},
        ),
    )
    with pytest.raises(ClinicRolledBack, match="not the one this computer saw"):
        ClinicStore.open_member(
            url, member_id, passphrase=PASSPHRASE, seen=(profile.head_seq, profile.head_mac)
        )


def _text_cells(url: str) -> list[tuple[str, str, str]]:
    """(table, column, value) of every text-like cell of every table in the database."""
    engine = create_engine(url)
    out = []
    try:
        with engine.connect() as conn:
            columns = conn.execute(
                text(
                    "SELECT table_name, column_name FROM information_schema.columns "
                    "WHERE table_schema = current_schema() AND data_type IN "
                    "('text', 'character varying', 'json', 'jsonb', 'character')"
                )
            ).all()
            for table, column in columns:
                for (value,) in conn.execute(text(f'SELECT "{column}"::text FROM "{table}"')):
                    if value is not None:
                        out.append((table, column, value))
    finally:
        engine.dispose()
    return out


def test_no_name_passphrase_or_key_is_in_any_row_in_clear(clinic_store: ClinicStore) -> None:
    second_pass = "the second member's own passphrase"
    second = add_member(clinic_store, "Zelda Quartermain", second_pass)
    pending = join(clinic_store.url, "Pending Pemberton", "a pending member passphrase")
    with second.open() as other:
        new_case(other, "x")
        data_key = other.clinic_data_key()
    secrets_ = [
        "First Member",
        "Zelda Quartermain",
        "Pending Pemberton",
        PASSPHRASE,
        second_pass,
        "a pending member passphrase",
        data_key.hex(),
        base64.b64encode(data_key).decode(),
    ]
    for recovery in (clinic_store.test_recovery_key, second.recovery_key, pending.recovery_key):  # type: ignore[attr-defined]
        secrets_ += [recovery, recovery.replace("-", "").replace(" ", "")]
    cells = _text_cells(clinic_store.url)
    assert any(t == "clinic_members" for t, _c, _v in cells)  # the scan sees the table
    found = [
        (t, c, secret[:8])
        for t, c, v in cells
        for secret in secrets_
        if secret.lower() in v.lower()
    ]
    assert found == []


def test_a_blob_folder_mounted_elsewhere_is_given_once_and_remembered(
    clinic_store: ClinicStore, tmp_path: Path
) -> None:
    url, member_id = clinic_store.url, str(clinic_store.member_id)
    info = clinic_store.blobs.put_bytes(b"benign test bytes")
    with clinic_store.transaction() as s:
        clinic_store.store_blob(s, info)
    recorded = Path(clinic_store.record.blobs_dir)
    mounted = tmp_path / "mounted-here"
    shutil.move(recorded, mounted)
    with pytest.raises(members.ClinicError, match="not the one made for this clinic"):
        clinic_service.open_clinic_store(url, member_id, passphrase=PASSPHRASE)
    with clinic_service.open_clinic_store(
        url, member_id, passphrase=PASSPHRASE, blobs_dir=mounted
    ) as store:
        assert store.blobs.read(info.blob_id, info) == b"benign test bytes"
    with clinic_service.open_clinic_store(url, member_id, passphrase=PASSPHRASE) as again:
        assert again.blobs.read(info.blob_id, info) == b"benign test bytes"


def test_the_profile_remembers_each_case_membership_between_runs(
    clinic_store: ClinicStore,
) -> None:
    """The newest signed membership record verified for each case is kept in this
    computer's profile, so a server put back to before a member was added (or removed) is
    refused for that case in the next run too, although the older chain verifies."""
    from ncii_desk.services import case_members
    from ncii_desk.services.cases import get_case
    from ncii_desk.vault.members import MembershipInvalid

    url, member_id = clinic_store.url, str(clinic_store.member_id)
    bob = add_member(clinic_store, "Bob")
    store = clinic_service.open_clinic_store(url, member_id, passphrase=PASSPHRASE)
    case = new_case(store, "Case R", notes="kept")
    case_members.add_member(store, case.id, bob.member_id, "advocate")
    assert get_case(store, case.id).notes == "kept"
    store.close()
    profile = clinic_service.last_profile()
    assert profile is not None and profile.case_heads[case.id][0] == 2

    _as_admin(
        url,
        ("DELETE FROM case_membership WHERE case_id = :c AND seq = 2", {"c": case.id}),
        ("DELETE FROM case_key_wraps WHERE member_id = :b", {"b": bob.member_id}),
    )
    again = clinic_service.open_clinic_store(url, member_id, passphrase=PASSPHRASE)
    try:
        assert get_case(again, case.id).notes is None
        assert any(
            isinstance(p, MembershipInvalid) and "rolled back" in p.message
            for p in again.sealer.problems
        )
    finally:
        again.close()
    # A client that never remembered the newer state cannot tell (documented limit).
    with ClinicStore.open_member(url, member_id, passphrase=PASSPHRASE) as bare:
        assert get_case(bare, case.id).notes == "kept"
