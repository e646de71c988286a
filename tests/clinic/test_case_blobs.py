"""Each clinic case's stored files under a key of that case (issue 19: "each case has its own
data key ... removing one rotates the case key for new writes"), on a real PostgreSQL
clinic store opened by members."""

from __future__ import annotations

import io
import os
import time
from pathlib import Path
from typing import Any

import pytest
import sealkit
from PIL import Image
from sqlalchemy import select

from conftest import PASSPHRASE, fast_kdf
from ncii_desk.clinic.caseblobs import BLOB_KEY_LABEL, case_blob_key
from ncii_desk.clinic.errors import NotCaseMember
from ncii_desk.clinic.ops import check_blob_folder
from ncii_desk.clinic.store import ClinicStore
from ncii_desk.errors import VaultCorrupt, VaultLocked
from ncii_desk.services import case_members, cases, handover, intake, items
from ncii_desk.vault.blobs import BlobStore as FolderBlobStore
from ncii_desk.vault.keys import derive_subkeys
from ncii_desk.vault.members import CaseKey, key_commitment
from ncii_desk.vault.models import Blob, EvidenceItem, Role
from ncii_desk.vault.vault import Vault


@pytest.fixture
def clinic(clinic_url: str, tmp_path: Path) -> Any:
    made = sealkit.make_clinic(clinic_url, tmp_path)
    yield made
    made.close()


def _png(path: Path, shade: int) -> Path:
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (shade, 255 - shade, 90)).save(buf, format="PNG")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buf.getvalue())
    return path


def _id(clinic: sealkit.Clinic, name: str) -> str:
    return clinic.person(name).keys.member_id


def _add(store: ClinicStore, case_id: str, path: Path) -> Blob:
    """Add one file to the case; the blob row of its item."""
    result = intake.add_items(store, case_id, Role.SUSPECT, [path], again=True)
    assert not result.errors, result.errors
    (view,) = result.added
    with store.session() as s:
        item = s.get(EvidenceItem, view.id)
        assert item is not None and item.blob_id is not None
        blob = s.get(Blob, item.blob_id)
        assert blob is not None
        s.expunge(blob)
    return blob


def _clinic_key_blobs(clinic: sealkit.Clinic) -> FolderBlobStore:
    """The blob store under the clinic key's blob sub-key (what every member holds)."""
    return FolderBlobStore(clinic.blobs, derive_subkeys(clinic.data_key, clinic.clinic_id).blob)


def _case_keys(store: ClinicStore, case_id: str) -> dict[int, CaseKey]:
    """The versions of the case key ``store``'s member holds now."""
    with store.session() as s:
        opened = store.sealer.keys.open_case(s, case_id)
    assert store.member is not None
    return opened.ring.open(store.member)


def test_a_case_file_is_under_the_case_key_not_the_clinic_key(
    clinic: sealkit.Clinic, tmp_path: Path
) -> None:
    alice = clinic.open_as("alice")
    case = cases.new_case(alice, "Case K")
    original = _png(tmp_path / "a.png", 10).read_bytes()
    blob = _add(alice, case.id, tmp_path / "a.png")
    assert (blob.case_id, blob.key_version) == (case.id, 1)
    assert alice.read_blob(blob) == original
    # The clinic key (every clinic member's, and on main the key of every blob) opens nothing.
    with pytest.raises(VaultCorrupt, match="integrity check"):
        _clinic_key_blobs(clinic).read(blob.id)
    # The blob key is derived from the case key, labelled apart from field sealing (which
    # keys AES-GCM with the case key itself) and from the public key commitment.
    key = _case_keys(alice, case.id)[1]
    blob_key = case_blob_key(key)
    assert blob_key not in (key.key, bytes.fromhex(key_commitment(key)))
    assert BLOB_KEY_LABEL != b"ncii-desk/v1/field|"
    assert FolderBlobStore(clinic.blobs, blob_key).read(blob.id) == original
    # Bound to the case id and version: the same key under another case or version fails.
    for other in (
        CaseKey(key.clinic_id, "0" * 32, 1, key.key),
        CaseKey(key.clinic_id, key.case_id, 2, key.key),
    ):
        with pytest.raises(VaultCorrupt):
            FolderBlobStore(clinic.blobs, case_blob_key(other)).read(blob.id)
    # A file of no case (a hash list's index, the signing key) stays under the clinic key.
    assert alice.case_blobs(None) is alice.blobs
    with alice.transaction() as s:
        info = alice.store_blob(s, alice.case_blobs(None).put_bytes(b"no case"))
    assert (info.case_id, info.key_version) == (None, alice.keyring.newest)  # clinic key
    assert _clinic_key_blobs(clinic).read(info.id) == b"no case"
    # The blob keys are cached per (case, version) while the store is open, gone on close.
    assert list(alice._case_blobs._stores) == [(case.id, 1)]
    alice.close()
    assert alice._case_blobs._stores == {}
    with pytest.raises(VaultLocked):
        alice.read_blob(blob)


def test_a_clinic_member_not_on_the_case_gets_a_clear_error(
    clinic: sealkit.Clinic, tmp_path: Path
) -> None:
    alice = clinic.open_as("alice")
    case = cases.new_case(alice, "Case N")
    blob = _add(alice, case.id, _png(tmp_path / "n.png", 30))
    bob = clinic.open_as("bob")  # a clinic member, not on the case
    with pytest.raises(NotCaseMember, match=f"not a member of case {case.id}") as err:
        bob.read_blob(blob)
    assert "add you to it" in (err.value.hint or "")
    with pytest.raises(NotCaseMember):
        bob.blobs_of(blob).read(blob.id)
    with pytest.raises(NotCaseMember):  # nor may he add files to it
        bob.case_blobs(case.id)
    # The clinic's tools, opened with the raw clinic key, hold no case key either.
    tools = ClinicStore.open(clinic.url, clinic.data_key, sealed=False)
    with tools, pytest.raises(NotCaseMember, match="without a member's keys"):
        tools.read_blob(blob)
    # Once on the case, Bob reads it (every version is wrapped to him).
    case_members.add_member(alice, case.id, _id(clinic, "bob"), "advocate")
    assert clinic.open_as("bob").read_blob(blob) == (tmp_path / "n.png").read_bytes()
    out = tmp_path / "out"
    out.mkdir()
    exported = items.export_item(clinic.open_as("bob"), blob_item(alice, blob), out)
    assert exported.read_bytes() == (tmp_path / "n.png").read_bytes()


def blob_item(store: ClinicStore, blob: Blob) -> str:
    with store.session() as s:
        item_id = s.scalars(select(EvidenceItem.id).where(EvidenceItem.blob_id == blob.id)).one()
    return str(item_id)


def test_a_removed_member_cannot_open_files_added_after_the_removal(
    clinic: sealkit.Clinic, tmp_path: Path
) -> None:
    alice = clinic.open_as("alice")
    case = cases.new_case(alice, "Case R")
    case_members.add_member(alice, case.id, _id(clinic, "bob"), "advocate")
    case_members.add_member(alice, case.id, _id(clinic, "carol"), "advocate")
    before = _add(alice, case.id, _png(tmp_path / "before.png", 40))
    bob = clinic.open_as("bob")
    assert bob.read_blob(before) == (tmp_path / "before.png").read_bytes()
    bob_keys = _case_keys(bob, case.id)  # what Bob held (and could have kept)
    assert sorted(bob_keys) == [1]

    case_members.remove_member(alice, case.id, _id(clinic, "bob"))
    after = _add(alice, case.id, _png(tmp_path / "after.png", 50))
    assert (after.case_id, after.key_version) == (case.id, 2)  # the rotated key
    # Bob's kept key of version 1 does not open it ...
    with pytest.raises(VaultCorrupt):
        FolderBlobStore(clinic.blobs, case_blob_key(bob_keys[1])).read(after.id)
    # ... and his client refuses it with a clear message (also the one open before).
    for client in (bob, clinic.open_as("bob")):
        with pytest.raises(NotCaseMember, match=f"case {case.id}"):
            client.read_blob(after)
    # The members who remain read both files; so does Alice's fresh client.
    for client in (alice, clinic.open_as("carol"), clinic.open_as("alice")):
        assert client.read_blob(after) == (tmp_path / "after.png").read_bytes()
        assert client.read_blob(before) == (tmp_path / "before.png").read_bytes()


def test_the_same_bytes_in_two_cases_are_two_blobs(clinic: sealkit.Clinic, tmp_path: Path) -> None:
    alice = clinic.open_as("alice")
    case_a = cases.new_case(alice, "Case A")
    case_b = cases.new_case(alice, "Case B")
    path = _png(tmp_path / "same.png", 60)
    in_a, in_b = _add(alice, case_a.id, path), _add(alice, case_b.id, path)
    assert in_a.id != in_b.id and in_a.sha256 == in_b.sha256
    assert (in_a.case_id, in_b.case_id) == (case_a.id, case_b.id)
    # Each opens only with its own case's key.
    with pytest.raises(VaultCorrupt):
        alice._blob_store_for(case_b.id, 1).read(in_a.id)
    with pytest.raises(VaultCorrupt):
        alice._blob_store_for(case_a.id, 1).read(in_b.id)
    # A member of case B only reads case B's copy.
    case_members.add_member(alice, case_b.id, _id(clinic, "bob"), "read_only")
    bob = clinic.open_as("bob")
    assert bob.read_blob(in_b) == path.read_bytes()
    with pytest.raises(NotCaseMember):
        bob.read_blob(in_a)
    # Within one case the bytes are stored once (one by one and in a batch).
    again = _add(alice, case_a.id, path)
    assert again.id == in_a.id
    batch = intake.add_items(alice, case_a.id, Role.SUSPECT, [path, _png(tmp_path / "o.png", 70)])
    assert not batch.errors
    with alice.session() as s:
        per_case = {
            c: len(list(s.scalars(select(Blob.id).where(Blob.case_id == c))))
            for c in (case_a.id, case_b.id)
        }
    assert per_case == {case_a.id: 2, case_b.id: 1}


def test_check_and_sweep_find_a_flipped_bit_and_a_stray_among_case_files(
    clinic: sealkit.Clinic, tmp_path: Path
) -> None:
    alice = clinic.open_as("alice")
    case = cases.new_case(alice, "Case C")
    intact = _add(alice, case.id, _png(tmp_path / "i.png", 80))
    hit = _add(alice, case.id, _png(tmp_path / "h.png", 90))
    bob = clinic.open_as("bob")  # not on the case: checks its files by their ciphertext
    assert alice.check().ok and alice.check().warnings == []
    report = bob.check()
    assert report.ok and report.blobs_checked == 2 and report.bytes_checked == 0
    assert any("2 stored file(s) of cases you are not a member of" in w for w in report.warnings)

    path = alice.blobs.path_for(hit.id)
    data = bytearray(path.read_bytes())
    data[-20] ^= 0x01  # one bit of the (only) chunk
    path.write_bytes(bytes(data))
    stray = alice.blobs.path_for("ab" * 16)
    stray.parent.mkdir(parents=True, exist_ok=True)
    stray.write_bytes(b"not a blob of this clinic")
    old = time.time() - 2 * 3600
    os.utime(stray, (old, old))

    for client in (alice, bob):  # the member with the key and the one without
        found = client.check()
        files = sorted({p.file for p in found.problems})
        assert files == sorted([alice.blobs.relpath(hit.id), alice.blobs.relpath("ab" * 16)])
        assert intact.id not in " ".join(str(p.file) for p in found.problems)
    server = check_blob_folder(clinic.url, hashes=True)
    assert server.damaged == [alice.blobs.relpath(hit.id)] and server.hashed == 2
    assert [s.path for s in server.strays] == [alice.blobs.relpath("ab" * 16)]
    swept = check_blob_folder(clinic.url, sweep=True)
    assert swept.swept and [s.moved_to is not None for s in swept.strays] == [True]
    assert not stray.exists()
    assert [p.file for p in alice.check().problems] == [alice.blobs.relpath(hit.id)]


def test_a_clinic_case_goes_to_a_laptop_and_back_bit_for_bit(
    clinic: sealkit.Clinic, tmp_path: Path
) -> None:
    alice = clinic.open_as("alice")
    case = cases.new_case(alice, "Case H")
    paths = [_png(tmp_path / "m" / f"{n}.png", 100 + n) for n in range(3)]
    result = intake.add_items(alice, case.id, Role.SUSPECT, paths)
    assert not result.errors and len(result.added) == 3
    laptop = Vault.create(tmp_path / "laptop", PASSPHRASE, kdf=fast_kdf(), actor="attorney")[0]
    try:
        out = tmp_path / "case.ncii"
        handover.export_case(alice, case.id, out, recipient=handover.public_key(laptop))
        handover.import_case(laptop, out)
        got = _bytes_by_name(laptop, case.id)
        assert got == {p.name: p.read_bytes() for p in paths}
        with laptop.session() as s:  # a laptop vault's rows name no case key
            assert {(b.case_id, b.key_version) for b in s.scalars(select(Blob))} == {(None, None)}
        assert laptop.check().ok

        back = tmp_path / "back.ncii"
        handover.export_case(laptop, case.id, back, recipient=handover.public_key(alice))
        imported = handover.import_case(alice, back, as_copy=True)
    finally:
        laptop.close()
    new_case = imported.case_id
    assert new_case != case.id
    assert _bytes_by_name(alice, new_case) == {p.name: p.read_bytes() for p in paths}
    with alice.session() as s:
        rows = list(s.scalars(select(Blob).where(Blob.case_id == new_case)))
        of_no_case = list(s.scalars(select(Blob.id).where(Blob.case_id.is_(None))))
    assert len(rows) == 3 and {r.key_version for r in rows} == {1}
    assert of_no_case == []  # the first pass's copies under the clinic key were dropped
    files = [p for p in (clinic.blobs / "blobs").rglob("*") if p.is_file()]
    assert len(files) == 6  # three of each case, nothing left over
    for row in rows:
        with pytest.raises(VaultCorrupt):
            _clinic_key_blobs(clinic).read(row.id)
    assert alice.check().ok


def _bytes_by_name(store: Any, case_id: str) -> dict[str, bytes]:
    with store.session() as s:
        found = list(s.scalars(select(EvidenceItem).where(EvidenceItem.case_id == case_id)))
        out = {}
        for item in found:
            blob = s.get(Blob, item.blob_id)
            out[item.original_filename] = store.read_blob(blob)
    return out
