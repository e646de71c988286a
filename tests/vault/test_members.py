"""Keys per clinic member and per case: member records, case-key wraps, membership records."""

from __future__ import annotations

import base64
import copy
import json
import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import select

from conftest import PASSPHRASE, fast_kdf
from ncii_desk.errors import (
    NciiDeskError,
    RecoveryKeyInvalid,
    VaultCorrupt,
    WeakPassphrase,
    WrongPassphrase,
)
from ncii_desk.vault import Vault, keys
from ncii_desk.vault import members as m
from ncii_desk.vault.keys import MIN_MEMORY_KIB, b64d, b64e, canonical_json
from ncii_desk.vault.models import AuditEvent
from ncii_desk.vault.roles import MemberRole, NotPermitted

CLINIC = uuid.uuid4().hex
OTHER_CLINIC = uuid.uuid4().hex
NEW_PASSPHRASE = "violet kettle on the moor"


@dataclass(frozen=True)
class Team:
    alice: m.NewMember  # supervising attorney, creates cases
    bob: m.NewMember  # advocate
    carol: m.NewMember  # read-only
    mallory: m.NewMember  # a member of the clinic, not of the case


@pytest.fixture(scope="module")
def team() -> Team:
    return Team(*(m.create_member(CLINIC, PASSPHRASE, kdf=fast_kdf()) for _ in range(4)))


def _case(team: Team) -> tuple[m.CaseKeyring, m.CaseKey, list[m.MembershipRecord]]:
    ring, key, first = m.CaseKeyring.create(
        uuid.uuid4().hex, team.alice.keys, MemberRole.SUPERVISING_ATTORNEY
    )
    records = [first]
    records.append(ring.add_member(team.alice.keys, team.bob.keys.public, MemberRole.ADVOCATE))
    records.append(ring.add_member(team.bob.keys, team.carol.keys.public, MemberRole.READ_ONLY))
    return ring, key, records


def _edit(text: str, change: Any) -> str:
    data = json.loads(text)
    change(data)
    return canonical_json(data).decode()


# --- member identity ----------------------------------------------------------------------


def test_member_record_round_trips_through_text_and_unlocks(team: Team) -> None:
    new = team.alice
    text = new.record.to_text()
    assert text.isascii() and "\n" not in text  # one TEXT column
    record = m.MemberKeyRecord.from_text(text)
    keys = record.unlock(PASSPHRASE)
    assert keys.public == new.keys.public
    assert record.public == new.keys.public
    assert record.kdf.memory_kib >= MIN_MEMORY_KIB
    # the signing key works and is the one the record publishes
    Ed25519PublicKey.from_public_bytes(record.public.ed25519).verify(keys.sign(b"x"), b"x")
    assert len(new.recovery_key.replace("-", "")) == 56


def test_wrong_passphrase_is_refused_as_such(team: Team) -> None:
    with pytest.raises(WrongPassphrase) as caught:
        team.alice.record.unlock("not the right passphrase at all")
    assert "member" in caught.value.message and "recovery key" in caught.value.hint


def test_weak_passphrase_is_refused_for_a_new_member_and_a_change(team: Team) -> None:
    with pytest.raises(WeakPassphrase):
        m.create_member(CLINIC, "password1", kdf=fast_kdf())
    with pytest.raises(WeakPassphrase):
        team.bob.record.with_passphrase(team.bob.keys, "12345678", fast_kdf())


def test_recovery_key_opens_and_a_passphrase_change_keeps_both_ways_in() -> None:
    new = m.create_member(CLINIC, PASSPHRASE, kdf=fast_kdf())
    recovered = new.record.recover(new.recovery_key.lower().replace("-", " "))
    assert recovered.public == new.keys.public

    changed = new.record.with_passphrase(recovered, NEW_PASSPHRASE, fast_kdf())
    changed = m.MemberKeyRecord.from_text(changed.to_text())
    assert changed.generation == 2
    assert changed.unlock(NEW_PASSPHRASE).public == new.keys.public
    with pytest.raises(WrongPassphrase):
        changed.unlock(PASSPHRASE)
    assert changed.recover(new.recovery_key).public == new.keys.public

    # a forgotten passphrase: the recovery key sets a new one
    keys, reset = changed.reset_passphrase(new.recovery_key, "a third passphrase here", fast_kdf())
    assert keys.public == new.keys.public
    assert reset.generation == 3
    assert reset.unlock("a third passphrase here").public == new.keys.public


def test_new_recovery_key_replaces_the_old_and_keeps_the_passphrase() -> None:
    new = m.create_member(CLINIC, PASSPHRASE, kdf=fast_kdf())
    record, recovery = new.record.with_new_recovery_key(new.keys)
    record = m.MemberKeyRecord.from_text(record.to_text())
    assert recovery != new.recovery_key and record.generation == 2
    assert record.recover(recovery).public == new.keys.public
    assert record.unlock(PASSPHRASE).public == new.keys.public
    with pytest.raises(RecoveryKeyInvalid):
        record.recover(new.recovery_key)


@pytest.mark.usefixtures("product_kdf_floor")
def test_passphrase_change_lifts_a_weak_record_to_the_product_floor() -> None:
    new = m.create_member(CLINIC, PASSPHRASE, kdf=fast_kdf())  # 64 MiB, 1 pass
    changed = new.record.with_passphrase(new.keys, NEW_PASSPHRASE)
    floor = keys.PRODUCT_FLOOR
    assert changed.kdf.memory_kib >= floor.memory_kib and changed.kdf.time_cost >= floor.time_cost
    assert changed.kdf.salt != new.record.kdf.salt


def test_another_members_recovery_key_is_refused(team: Team) -> None:
    with pytest.raises(RecoveryKeyInvalid) as caught:
        team.alice.record.recover(team.bob.recovery_key)
    assert "does not belong to this member" in caught.value.message


def _with_body(record: m.MemberKeyRecord, change: Any) -> m.MemberKeyRecord:
    return m.MemberKeyRecord.from_text(_edit(record.to_text(), change))


def test_edited_member_record_is_refused_as_altered_not_as_a_wrong_passphrase(team: Team) -> None:
    alice, bob = team.alice.record, team.bob.record

    def swap_public(d: dict[str, Any]) -> None:
        d["public"] = json.loads(bob.to_text())["public"]

    def bump_generation(d: dict[str, Any]) -> None:
        d["generation"] = 7

    for change in (swap_public, bump_generation):
        with pytest.raises(m.MemberKeyCorrupt) as caught:
            _with_body(alice, change).unlock(PASSPHRASE)
        assert caught.value.entry == "mac"
        assert alice.member_id in caught.value.file


def test_wrap_copied_from_another_member_record_does_not_open(team: Team) -> None:
    """Same passphrase, same KDF settings: only the member id in the associated data differs."""
    bob_body = json.loads(team.bob.record.to_text())

    def take_bobs_wrap(d: dict[str, Any]) -> None:
        d["wrapped"]["passphrase"] = bob_body["wrapped"]["passphrase"]
        d["kdf"] = bob_body["kdf"]

    with pytest.raises(WrongPassphrase):
        _with_body(team.alice.record, take_bobs_wrap).unlock(PASSPHRASE)


def test_member_record_kdf_out_of_bounds_is_refused_before_argon2(team: Team) -> None:
    def huge(d: dict[str, Any]) -> None:
        d["kdf"]["memory_kib"] = 1 << 40

    with pytest.raises(m.MemberKeyCorrupt) as caught:
        _with_body(team.alice.record, huge)
    assert caught.value.entry == "kdf.memory_kib"


@pytest.mark.parametrize("text", ["", "{}", "not json", '{"format":"ncii-desk-member-key"}'])
def test_unreadable_member_record_is_refused(text: str) -> None:
    with pytest.raises(m.MemberKeyCorrupt):
        m.MemberKeyRecord.from_text(text)


# --- case keys ----------------------------------------------------------------------------


def test_case_key_round_trip_for_creator_and_added_members(team: Team) -> None:
    ring, key, _ = _case(team)
    assert len(key.key) == 32 and key.version == 1
    for member in (team.alice, team.bob, team.carol):
        assert ring.open(member.keys) == {1: key}
        assert ring.current_key(member.keys) == key
    # each wrap is different (own ephemeral key) and holds no key bytes in clear
    wraps = [ring.wraps[(1, mem.keys.member_id)] for mem in (team.alice, team.bob, team.carol)]
    assert len(set(wraps)) == 3
    assert all(b64e(key.key) not in w and key.key.hex() not in w for w in wraps)


def test_non_member_and_wrong_member_are_refused(team: Team) -> None:
    ring, _, _ = _case(team)
    with pytest.raises(NotPermitted, match="not a member"):
        ring.open(team.mallory.keys)
    with pytest.raises(NotPermitted, match="not a member"):
        ring.current_key(team.mallory.keys)
    alices = ring.wraps[(1, team.alice.keys.member_id)]
    with pytest.raises(m.CaseKeyRefused, match="another member"):
        m.unwrap_case_key(alices, team.mallory.keys, case_id=ring.case_id, version=1)
    # relabelled for mallory: the key exchange and associated data refuse it
    relabelled = _edit(alices, lambda d: d.update(member_id=team.mallory.keys.member_id))
    with pytest.raises(m.CaseKeyRefused, match="does not open"):
        m.unwrap_case_key(relabelled, team.mallory.keys, case_id=ring.case_id, version=1)


@pytest.mark.parametrize("what", ["case_id", "key_version"])
def test_wrap_moved_to_another_case_or_version_is_refused(team: Team, what: str) -> None:
    ring, _, _ = _case(team)
    wrapped = ring.wraps[(1, team.bob.keys.member_id)]
    case_id, version = ring.case_id, 1
    if what == "case_id":
        case_id = uuid.uuid4().hex
    else:
        version = 2
    # as stored: the stated fields do not match what the reader expects
    with pytest.raises(m.CaseKeyRefused, match="another case"):
        m.unwrap_case_key(wrapped, team.bob.keys, case_id=case_id, version=version)
    # relabelled to match: the binding in the key derivation and associated data refuses it
    moved = _edit(wrapped, lambda d: d.update({what: case_id if what == "case_id" else version}))
    with pytest.raises(m.CaseKeyRefused, match="does not open"):
        m.unwrap_case_key(moved, team.bob.keys, case_id=case_id, version=version)


def test_member_of_another_clinic_cannot_unwrap_a_relabelled_wrap(team: Team) -> None:
    ring, _, _ = _case(team)
    outsider = m.MemberKeys(OTHER_CLINIC, team.bob.keys.member_id, b"\x01" * 32)
    wrapped = ring.wraps[(1, team.bob.keys.member_id)]
    with pytest.raises(m.CaseKeyRefused, match="another case, version or clinic"):
        m.unwrap_case_key(wrapped, outsider, case_id=ring.case_id, version=1)
    relabelled = _edit(wrapped, lambda d: d.update(clinic_id=OTHER_CLINIC))
    with pytest.raises(m.CaseKeyRefused, match="does not open"):
        m.unwrap_case_key(relabelled, outsider, case_id=ring.case_id, version=1)


@pytest.mark.parametrize("name", ["ciphertext", "nonce", "ephemeral"])
def test_tampered_wrap_is_refused(team: Team, name: str) -> None:
    ring, _, _ = _case(team)
    wrapped = ring.wraps[(1, team.bob.keys.member_id)]

    def flip(d: dict[str, Any]) -> None:
        raw = bytearray(b64d(d[name]))
        raw[-1] ^= 0x01
        d[name] = b64e(bytes(raw))

    with pytest.raises(m.CaseKeyRefused) as caught:
        m.unwrap_case_key(_edit(wrapped, flip), team.bob.keys, case_id=ring.case_id, version=1)
    assert isinstance(caught.value, VaultCorrupt) and caught.value.hint


def test_removed_member_cannot_read_keys_of_versions_made_after_removal(team: Team) -> None:
    ring, v1, records = _case(team)
    bob = team.bob.keys
    bobs_v1 = ring.current_key(bob)  # what bob held (and may have kept) before removal
    v2, record = ring.remove_member(team.alice.keys, bob.member_id)
    records.append(record)

    assert v2.version == 2 and ring.current_version == 2 and v2.key != v1.key
    assert not [slot for slot in ring.wraps if slot[1] == bob.member_id]
    with pytest.raises(NotPermitted):
        ring.open(bob)
    with pytest.raises(NotPermitted):
        ring.current_key(bob)
    # no wrap of version 2 opens for bob, even relabelled as his
    for member_id in (team.alice.keys.member_id, team.carol.keys.member_id):
        relabelled = _edit(ring.wraps[(2, member_id)], lambda d: d.update(member_id=bob.member_id))
        with pytest.raises(m.CaseKeyRefused):
            m.unwrap_case_key(relabelled, bob, case_id=ring.case_id, version=2)
    assert bobs_v1 == v1  # only what he already had

    # those who remain read both versions; new writes use version 2
    for member in (team.alice.keys, team.carol.keys):
        assert ring.open(member) == {1: v1, 2: v2}
        assert ring.current_key(member) == v2
    membership = ring.verify(records)
    assert set(membership.members) == {team.alice.keys.member_id, team.carol.keys.member_id}
    assert membership.key_version == 2


def test_adding_a_member_gives_them_every_version(team: Team) -> None:
    ring, v1, _ = _case(team)
    v2, _ = ring.remove_member(team.alice.keys, team.bob.keys.member_id)
    ring.add_member(team.alice.keys, team.mallory.keys.public, MemberRole.ADVOCATE)
    assert ring.open(team.mallory.keys) == {1: v1, 2: v2}


def test_role_rules_for_membership_changes(team: Team) -> None:
    ring, _, _ = _case(team)
    with pytest.raises(NotPermitted, match="read-only"):  # carol is read-only
        ring.add_member(team.carol.keys, team.mallory.keys.public, MemberRole.READ_ONLY)
    with pytest.raises(NotPermitted, match="not a member"):
        ring.add_member(team.mallory.keys, team.mallory.keys.public, MemberRole.ADVOCATE)
    with pytest.raises(NotPermitted, match="yourself"):
        ring.remove_member(team.bob.keys, team.bob.keys.member_id)
    with pytest.raises(NotPermitted, match="already a member"):
        ring.add_member(team.alice.keys, team.bob.keys.public, MemberRole.ADVOCATE)
    assert ring.current_version == 1 and set(ring.members) == {
        team.alice.keys.member_id,
        team.bob.keys.member_id,
        team.carol.keys.member_id,
    }


def test_key_put_in_by_the_database_is_refused(team: Team) -> None:
    """Someone with database access can wrap a key of their own to a member's public key,
    but the signed records commit to the real one."""
    ring, _, records = _case(team)
    theirs = m.CaseKey(CLINIC, ring.case_id, 1, b"\x42" * 32)
    ring.wraps[(1, team.bob.keys.member_id)] = m.wrap_case_key(theirs, team.bob.keys.public)
    with pytest.raises(m.CaseKeyRefused, match="signed membership records"):
        ring.current_key(team.bob.keys)
    with pytest.raises(m.CaseKeyRefused, match="signed membership records"):
        m.check_case_key(theirs, ring.verify(records))

    # a whole new version with a fresh commitment is not in any signed record
    ring.current_version = 2
    ring.commits[2] = m.key_commitment(m.CaseKey(CLINIC, ring.case_id, 2, b"\x43" * 32))
    with pytest.raises(m.MembershipInvalid, match="does not agree"):
        ring.verify(records)


def test_public_key_swapped_in_the_database_is_caught(team: Team) -> None:
    ring, _, records = _case(team)
    ring.publics[team.bob.keys.member_id] = m.MemberPublic(
        CLINIC,
        team.bob.keys.member_id,
        team.mallory.keys.public.x25519,
        team.bob.keys.public.ed25519,
    )
    with pytest.raises(m.MembershipInvalid, match="public key"):
        ring.verify(records)


def test_server_stores_no_secret_and_no_case_data(team: Team) -> None:
    """Everything a clinic server keeps for members and a case (key records, wraps,
    membership records, encrypted fields, a sign-off) holds no passphrase, recovery key,
    private or case key bytes, and no value of a sensitive column, in clear or base64."""
    from ncii_desk.vault.fields import FieldCipher

    ring, v1, records = _case(team)
    v2, last = ring.remove_member(team.alice.keys, team.bob.keys.member_id)
    records.append(last)
    cipher = FieldCipher(ring.open(team.alice.keys).values())
    marker = "Qqzx Pseudonym-Marker 4417"
    tokens = [cipher.encrypt("cases", "client_pseudonym", ring.case_id, marker)]
    signed = m.sign_off(
        team.alice.keys,
        ring.verify(records),
        case_id=ring.case_id,
        document_id="doc-1",
        document_sha256="ab" * 32,
    )
    stored = "\n".join(
        [member.record.to_text() for member in (team.alice, team.bob, team.carol)]
        + list(ring.wraps.values())
        + [r.text for r in records]
        + tokens
        + [signed.text]
    )
    secrets_: list[bytes] = [PASSPHRASE.encode(), marker.encode(), v1.key, v2.key]
    for member in (team.alice, team.bob, team.carol):
        secrets_ += [member.recovery_key.encode(), member.keys._seed]
    for secret in secrets_:
        for form in (secret, secret.hex().encode(), base64.b64encode(secret)[:20]):
            assert form.decode("latin-1") not in stored


# --- membership records -------------------------------------------------------------------


def test_membership_records_verify_and_name_the_members(team: Team) -> None:
    ring, _, records = _case(team)
    records.append(ring.remove_member(team.alice.keys, team.bob.keys.member_id)[1])
    for record in records:
        record.verify_signature()
    membership = m.verify_membership(records, clinic_id=CLINIC, case_id=ring.case_id)
    assert membership.members == {
        team.alice.keys.member_id: m.MemberEntry(
            MemberRole.SUPERVISING_ATTORNEY,
            team.alice.keys.public.fingerprint,
            team.alice.keys.public.signing_fingerprint,
        ),
        team.carol.keys.member_id: m.MemberEntry(
            MemberRole.READ_ONLY,
            team.carol.keys.public.fingerprint,
            team.carol.keys.public.signing_fingerprint,
        ),
    }
    bodies = [r.body for r in records]
    assert [b["action"] for b in bodies] == [
        "case.create",
        "member.add",
        "member.add",
        "member.remove",
    ]
    assert [b["actor"] for b in bodies][2] == team.bob.keys.member_id
    assert all(isinstance(json.loads(r.text), dict) for r in records)  # audit-chain details


def test_membership_record_edit_breaks_its_signature(team: Team) -> None:
    ring, _, records = _case(team)
    bob = team.bob.keys.member_id

    def promote(d: dict[str, Any]) -> None:
        d["body"]["members"][bob]["role"] = "supervising_attorney"

    forged = m.MembershipRecord(_edit(records[1].text, promote))
    with pytest.raises(InvalidSignature):
        forged.verify_signature()
    with pytest.raises(m.MembershipInvalid, match=r"record 2 .*signature"):
        m.verify_membership(
            [records[0], forged, records[2]], clinic_id=CLINIC, case_id=ring.case_id
        )


def test_server_rolled_back_to_before_a_removal_is_caught(team: Team) -> None:
    """After bob's removal the client keeps (seq, head). A server put back to the state
    before it (bob's wraps and version 1 current again) verifies on its own, but not
    against what the client saw."""
    ring, _, records = _case(team)
    before = copy.deepcopy(ring)
    records.append(ring.remove_member(team.alice.keys, team.bob.keys.member_id)[1])
    seen = ring.verify(records)
    assert (seen.seq, seen.head) == (4, records[-1].digest)
    assert ring.verify(records, seen=(seen.seq, seen.head)).key_version == 2

    before.verify(records[:3])  # consistent by itself
    with pytest.raises(m.MembershipInvalid, match="rolled back"):
        before.verify(records[:3], seen=(seen.seq, seen.head))
    # rolled back, then a different change put in record 4's place
    other = before.add_member(team.alice.keys, team.mallory.keys.public, MemberRole.ADVOCATE)
    before.verify([*records[:3], other])
    with pytest.raises(m.MembershipInvalid, match="rolled back"):
        before.verify([*records[:3], other], seen=(seen.seq, seen.head))


def test_two_concurrent_changes_fork_the_chain_and_are_refused(team: Team) -> None:
    """Two clients change the same case from the same state: both records claim the same
    place. The server keeps one (a unique (case, seq) row acts as compare-and-swap on the
    head); if it kept both, verification refuses the fork."""
    ring, _, records = _case(team)
    other = copy.deepcopy(ring)
    first = ring.add_member(team.alice.keys, team.mallory.keys.public, MemberRole.READ_ONLY)
    second = other.remove_member(team.bob.keys, team.carol.keys.member_id)[1]
    assert first.body["seq"] == second.body["seq"] == 4
    m.verify_membership([*records, first], clinic_id=CLINIC, case_id=ring.case_id)
    m.verify_membership([*records, second], clinic_id=CLINIC, case_id=ring.case_id)
    with pytest.raises(m.MembershipInvalid, match=r"record 5 .* out of order"):
        m.verify_membership([*records, first, second], clinic_id=CLINIC, case_id=ring.case_id)


def test_membership_records_dropped_reordered_or_from_another_case_fail(team: Team) -> None:
    ring, _, records = _case(team)
    other, _, _ = _case(team)
    for bad, why in (
        ([records[0], records[2]], "out of order"),
        ([records[0], records[2], records[1]], "out of order"),
        ([records[1], records[2]], "out of order"),
        ([], "no membership records"),
    ):
        with pytest.raises(m.MembershipInvalid, match=why):
            m.verify_membership(bad, clinic_id=CLINIC, case_id=ring.case_id)
    with pytest.raises(m.MembershipInvalid, match="another case"):
        m.verify_membership(records, clinic_id=CLINIC, case_id=other.case_id)


def test_record_signed_by_a_non_member_or_beyond_its_role_fails(team: Team) -> None:
    ring, _, records = _case(team)
    # mallory (not on the case) signs a record adding herself, chained correctly
    ring.publics[team.mallory.keys.member_id] = team.mallory.keys.public
    ring.members[team.mallory.keys.member_id] = m.MemberEntry(
        MemberRole.ADVOCATE,
        team.mallory.keys.public.fingerprint,
        team.mallory.keys.public.signing_fingerprint,
    )
    intruder = ring._record(team.mallory.keys, "member.add", team.mallory.keys.member_id)
    with pytest.raises(m.MembershipInvalid, match="not a member"):
        m.verify_membership([*records, intruder], clinic_id=CLINIC, case_id=ring.case_id)

    # carol (read-only) signs a record adding mallory as an advocate
    ring2, _, records2 = _case(team)
    ring2.publics[team.mallory.keys.member_id] = team.mallory.keys.public
    ring2.members[team.mallory.keys.member_id] = m.MemberEntry(
        MemberRole.ADVOCATE,
        team.mallory.keys.public.fingerprint,
        team.mallory.keys.public.signing_fingerprint,
    )
    escalation = ring2._record(team.carol.keys, "member.add", team.mallory.keys.member_id)
    with pytest.raises(m.MembershipInvalid, match="role does not allow"):
        m.verify_membership([*records2, escalation], clinic_id=CLINIC, case_id=ring2.case_id)


def test_errors_are_plain_and_name_what_failed(team: Team) -> None:
    ring, _, _ = _case(team)
    with pytest.raises(NciiDeskError) as caught:
        ring.open(team.mallory.keys)
    assert isinstance(caught.value, NotPermitted) and caught.value.exit_code == 1
    assert ring.case_id in caught.value.message
    assert caught.value.hint.startswith("Ask a supervising attorney")

    tampered = _edit(
        ring.wraps[(1, team.bob.keys.member_id)], lambda d: d.update(ciphertext=b64e(b"0" * 48))
    )
    with pytest.raises(NciiDeskError) as caught:
        m.unwrap_case_key(tampered, team.bob.keys, case_id=ring.case_id, version=1)
    error = caught.value
    assert isinstance(error, VaultCorrupt) and error.exit_code == 3
    assert error.file == f"case key {ring.case_id} version 1" and error.entry == "wrap"
    assert ring.case_id in error.message and error.hint.startswith("Ask a supervising attorney")


def test_membership_records_survive_the_audit_chain(team: Team, vault: Vault) -> None:
    """The records go into the (real, SQLCipher) audit chain as event details and come back
    byte for byte, still verifying."""
    ring, _, records = _case(team)
    with vault.transaction() as s:
        for record in records:
            vault.audit(s, "case.membership", ring.case_id, record.audit_details())
    with vault.session() as s:
        rows = s.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == "case.membership")
            .order_by(AuditEvent.seq)
        ).all()
        back = [m.MembershipRecord.from_audit_details(json.loads(row.details)) for row in rows]
    assert [r.text for r in back] == [r.text for r in records]
    assert ring.verify(back).members == ring.members
    assert vault.verify_audit().ok


# --- letter sign-off ----------------------------------------------------------------------

DOC_SHA = "ab" * 32


def _signed(team: Team) -> tuple[m.CaseKeyring, list[m.MembershipRecord], m.SignOff]:
    ring, _, records = _case(team)
    membership = ring.verify(records)
    signed = m.sign_off(
        team.alice.keys,
        membership,
        case_id=ring.case_id,
        document_id="doc-1",
        document_sha256=DOC_SHA,
    )
    return ring, records, signed


def test_sign_off_by_a_supervising_attorney_verifies_and_outlives_a_later_change(
    team: Team,
) -> None:
    ring, records, signed = _signed(team)
    check = {"clinic_id": CLINIC, "case_id": ring.case_id, "document_id": "doc-1"}
    assert m.verify_sign_off(signed, records, document_sha256=DOC_SHA, **check) == (
        team.alice.keys.member_id
    )
    records.append(ring.remove_member(team.alice.keys, team.bob.keys.member_id)[1])
    assert m.verify_sign_off(signed, records, document_sha256=DOC_SHA, **check) == (
        team.alice.keys.member_id
    )


def test_advocate_cannot_sign_off(team: Team) -> None:
    ring, _, records = _case(team)
    with pytest.raises(NotPermitted, match="only supervising attorneys may sign off letters"):
        m.sign_off(
            team.bob.keys,
            ring.verify(records),
            case_id=ring.case_id,
            document_id="doc-1",
            document_sha256=DOC_SHA,
        )


def test_sign_off_fails_for_changed_letter_tampering_or_a_forged_role(team: Team) -> None:
    ring, records, signed = _signed(team)
    check = {"clinic_id": CLINIC, "case_id": ring.case_id, "document_id": "doc-1"}
    with pytest.raises(m.SignOffInvalid, match="letter changed after it was signed off"):
        m.verify_sign_off(signed, records, document_sha256="cd" * 32, **check)
    with pytest.raises(m.SignOffInvalid, match="another document"):
        m.verify_sign_off(
            signed, records, **(check | {"document_id": "doc-2"}), document_sha256=DOC_SHA
        )
    moved = m.SignOff(_edit(signed.text, lambda d: d["body"].update(document_id="doc-2")))
    with pytest.raises(m.SignOffInvalid, match="does not verify"):
        m.verify_sign_off(
            moved, records, **(check | {"document_id": "doc-2"}), document_sha256=DOC_SHA
        )

    # bob (an advocate) signs with a membership he made up, where he is an attorney
    made_up = m.Membership(
        {
            team.bob.keys.member_id: m.MemberEntry(
                MemberRole.SUPERVISING_ATTORNEY,
                team.bob.keys.public.fingerprint,
                team.bob.keys.public.signing_fingerprint,
            )
        },
        1,
        {},
        records[-1].digest,
        len(records),
    )
    forged = m.sign_off(
        team.bob.keys, made_up, case_id=ring.case_id, document_id="doc-1", document_sha256=DOC_SHA
    )
    with pytest.raises(m.SignOffInvalid, match="not a supervising attorney"):
        m.verify_sign_off(forged, records, document_sha256=DOC_SHA, **check)
    unknown_head = m.Membership(made_up.members, 1, {}, "00" * 32, 1)
    forged = m.sign_off(
        team.bob.keys,
        unknown_head,
        case_id=ring.case_id,
        document_id="doc-1",
        document_sha256=DOC_SHA,
    )
    with pytest.raises(m.SignOffInvalid, match="records do not hold"):
        m.verify_sign_off(forged, records, document_sha256=DOC_SHA, **check)
