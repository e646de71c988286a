"""Case hand-over (issue 19 section 1): one encrypted, signed file from vault to vault.

Real vaults (SQLCipher, Argon2id at the test minimum), real X25519/Ed25519/AES-GCM, generated
benign pictures and scikit-image sample data. Each tampering test checks that nothing at all
was written to the receiving vault.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import skimage.data
from PIL import Image
from sqlalchemy import func, select
from sqlalchemy import inspect as sa_inspect
from storekit import store_folder

from conftest import PASSPHRASE, fast_kdf
from ncii_desk.errors import (
    Cancelled,
    CaseExists,
    HandoverCorrupt,
    HandoverNotForYou,
    WrongPassphrase,
)
from ncii_desk.services import cases, handover, intake
from ncii_desk.services.handover import importing
from ncii_desk.services.jobs import Job
from ncii_desk.services.matching import hash_items
from ncii_desk.vault import Vault
from ncii_desk.vault import handover_format as fmt
from ncii_desk.vault.models import (
    AuditEvent,
    Base,
    Blob,
    Capture,
    Case,
    EvidenceItem,
    ImportedAuditEvent,
    Match,
    RemovalRequest,
    Role,
)

ROUND = fmt.CHUNK_SIZE + fmt.TAG_BYTES


def _png(rgb: Any, path: Path) -> Path:
    Image.fromarray(rgb).save(path, "PNG")
    return path


def _make_vault(root: Path, actor: str) -> Vault:
    return Vault.create(root, PASSPHRASE, kdf=fast_kdf(), actor=actor)[0]


def _populate(vault: Vault, folder: Path, *, minor: bool = False, label: str = "Case A") -> str:
    folder.mkdir(parents=True, exist_ok=True)
    case = cases.new_case(vault, label, client_pseudonym="R.", notes="note", suspected_minor=minor)
    rng = np.random.default_rng(7)
    noise = rng.integers(0, 256, (420, 420, 3), dtype=np.uint8)  # > 64 KiB: many chunks
    originals = [
        _png(skimage.data.astronaut(), folder / "astronaut.png"),
        _png(noise, folder / "noise.png"),
    ]
    suspects = [_png(skimage.data.astronaut()[::2, ::2], folder / "copy.png")]
    ids: dict[str, list[str]] = {}
    for role, paths in ((Role.ORIGINAL, originals), (Role.SUSPECT, suspects)):
        result = intake.add_items(vault, case.id, role, paths)
        assert not result.errors, result.errors
        hash_items(vault, result.sources, workers=1)
        ids[role.value] = [i.id for i in result.added]
    now = datetime.now(UTC)
    with vault.transaction() as s:
        capture = Capture(case_id=case.id, url="https://example.org/p/1", http_status=200)
        s.add(capture)
        s.flush()
        s.add(
            Match(
                case_id=case.id,
                suspect_item_id=ids["suspect"][0],
                target_item_id=ids["original"][0],
                kind="pdq",
                distance=12.0,
                threshold=31.0,
                details={"note": "generated"},
            )
        )
        s.add(
            RemovalRequest(
                case_id=case.id,
                platform="Example",
                route="web-form",
                urls=["https://example.org/p/1"],
                item_ids=ids["suspect"],
                deadline_at=now + timedelta(days=2),
            )
        )
        vault.audit(s, "test.rows_added", case.id, {"case_id": case.id})
    return case.id


_BLOB_COLUMNS = {"blob_id", "warc_blob_id", "document_blob_id"}


def _entity(table: Any) -> Any:
    """The mapped class of a table."""
    return next(m.class_ for m in Base.registry.mappers if m.local_table is table)


def _snapshot(vault: Vault, case_id: str) -> dict[str, Any]:
    """Every row of every case table (blob ids as the blob's plaintext SHA-256, the local
    integer ids of hashes left out) and the SHA-256 of every blob's decrypted bytes."""
    out: dict[str, Any] = {}
    with vault.session() as s:
        blobs = {b.id: b for b in s.scalars(select(Blob))}
        item_ids = select(EvidenceItem.id).where(EvidenceItem.case_id == case_id)
        for table in handover.CASE_TABLES:
            # Through the ORM, not Core: a clinic store decrypts sealed columns on load.
            entity = _entity(table)
            query = select(entity).where(handover._case_filters(table, case_id, item_ids))
            rows = []
            for obj in s.scalars(query):
                data = {
                    attr.columns[0].name: getattr(obj, attr.key)
                    for attr in sa_inspect(entity).column_attrs
                }
                if table.name in handover.LOCAL_ID_TABLES:
                    data.pop("id")
                for column in _BLOB_COLUMNS & set(data):
                    if data[column] is not None:
                        blob = blobs[data[column]]
                        data[column] = hashlib.sha256(vault.read_blob(blob)).hexdigest()
                        assert data[column] == blob.sha256
                rows.append(json.dumps(data, sort_keys=True, default=str))
            out[table.name] = sorted(rows)
    return out


def _count_rows(vault: Vault) -> dict[str, int]:
    with vault.session() as s:
        return {
            "cases": s.scalar(select(func.count()).select_from(Case)) or 0,
            "items": s.scalar(select(func.count()).select_from(EvidenceItem)) or 0,
            "blobs": s.scalar(select(func.count()).select_from(Blob)) or 0,
            "imported": s.scalar(select(func.count()).select_from(ImportedAuditEvent)) or 0,
        }


def _audit_actions(vault: Vault) -> list[dict[str, Any]]:
    with vault.session() as s:
        return [
            {"action": a} for a in s.scalars(select(AuditEvent.action).order_by(AuditEvent.seq))
        ]


def _blob_files(vault: Vault) -> int:
    return sum(1 for _ in vault.blobs.iter_files())


@pytest.fixture
def laptop_pair(tmp_path: Path) -> Any:
    """Two laptop vaults: for the tests that reopen the receiving vault's folder."""
    sender = _make_vault(tmp_path / "sender", "advocate")
    receiver = _make_vault(tmp_path / "receiver", "attorney")
    try:
        yield sender, receiver
    finally:
        sender.close()
        receiver.close()


@pytest.fixture(params=["sqlcipher", "postgresql-sender", "postgresql-receiver"])
def pair(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    """Sender and receiver: two laptop vaults; a clinic store (PostgreSQL) handing a case
    to a laptop vault (a lawyer's); a laptop vault handing a case to a clinic store."""
    if request.param == "sqlcipher":
        yield request.getfixturevalue("laptop_pair")
        return
    clinic = request.getfixturevalue("clinic_store")
    laptop = _make_vault(tmp_path / "laptop", "attorney")
    try:
        yield (clinic, laptop) if request.param == "postgresql-sender" else (laptop, clinic)
    finally:
        laptop.close()


def _export(pair: Any, tmp_path: Path) -> Any:
    sender, receiver = pair
    case_id = _populate(sender, tmp_path / "media")
    out = tmp_path / "case.ncii"
    handover.export_case(sender, case_id, out, recipient=handover.public_key(receiver))
    return sender, receiver, case_id, out


@pytest.fixture
def exported(pair: Any, tmp_path: Path) -> Any:
    return _export(pair, tmp_path)


@pytest.fixture
def laptop_exported(laptop_pair: Any, tmp_path: Path) -> Any:
    return _export(laptop_pair, tmp_path)


def test_round_trip_is_bit_for_bit_and_audited(exported: Any) -> None:
    sender, receiver, case_id, out = exported
    seen: list[str] = []

    def confirm(info: handover.HandoverInfo) -> bool:
        seen.append(info.sender_fingerprint)
        return True

    result = handover.import_case(receiver, out, confirm=confirm)
    assert seen == [handover.signing_fingerprint(sender)]
    assert result.case_id == case_id
    before, after = _snapshot(sender, case_id), _snapshot(receiver, case_id)
    assert after == before
    assert len(after["items"]) == 3 and len(after["hashes"]) >= 3
    assert len(after["matches"]) >= 1 and len(after["removal_requests"]) == 1
    assert result.info.blobs == 3
    # The receiving chain verifies and records the import with the sender's fingerprint.
    assert receiver.verify_audit().ok
    with receiver.session() as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "case.imported")).one()
        details = json.loads(event.details)
        own_actions = set(s.scalars(select(AuditEvent.action)))
    assert details["sender_fingerprint"] == handover.signing_fingerprint(sender)
    history = handover.imported_history(receiver, case_id)
    actions = [h["action"] for h in history]
    assert "case.created" in actions and "test.rows_added" in actions
    assert all(h["sender_fingerprint"] == details["sender_fingerprint"] for h in history)
    assert "test.rows_added" not in own_actions  # the sender's events stay history
    # The export itself is in the sender's chain.
    with sender.session() as s:
        exported_ev = s.scalars(select(AuditEvent).where(AuditEvent.action == "case.exported"))
        recorded = json.loads(exported_ev.one().details)
    assert recorded["recipient"] == handover.public_key(receiver).fingerprint
    assert recorded["file_sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()
    assert receiver.check().ok


def test_same_case_again_is_refused_unless_as_copy(exported: Any) -> None:
    _sender, receiver, case_id, out = exported
    handover.import_case(receiver, out)
    counts = _count_rows(receiver)
    with pytest.raises(CaseExists):
        handover.import_case(receiver, out)
    assert _count_rows(receiver) == counts
    copy = handover.import_case(receiver, out, as_copy=True)
    assert copy.case_id != case_id and copy.label == "Case A (copy)"
    first, second = _snapshot(receiver, case_id), _snapshot(receiver, copy.case_id)
    assert {k: len(v) for k, v in first.items()} == {k: len(v) for k, v in second.items()}
    assert receiver.check().ok


def test_wrong_recipient_is_refused_with_nothing_written(exported: Any, tmp_path: Path) -> None:
    _sender, _receiver, _case_id, out = exported
    other = _make_vault(tmp_path / "other", "someone")
    try:
        before = _count_rows(other)
        with pytest.raises(HandoverNotForYou) as caught:
            handover.import_case(other, out)
        assert handover.public_key(other).fingerprint in caught.value.message
        assert "another vault" in caught.value.message
        assert _count_rows(other) == before and _blob_files(other) == 0
    finally:
        other.close()


def test_passphrase_file_round_trip_and_wrong_passphrase(pair: Any, tmp_path: Path) -> None:
    sender, receiver = pair
    case_id = _populate(sender, tmp_path / "media")
    out = tmp_path / "case.ncii"
    secret = "lantern orchard violet seventeen"
    handover.export_case(sender, case_id, out, passphrase=secret, kdf=fast_kdf())
    header = fmt.read_header(out.open("rb"))
    assert header.mode == "passphrase" and header.fields["kdf"]["memory_kib"] >= 64 * 1024
    before = _count_rows(receiver)
    with pytest.raises(WrongPassphrase):
        handover.import_case(receiver, out, passphrase="not the right words at all")
    assert _count_rows(receiver) == before
    with pytest.raises(HandoverNotForYou):
        handover.import_case(receiver, out)  # made for a passphrase, not this vault's key
    handover.import_case(receiver, out, passphrase=secret)
    assert _snapshot(receiver, case_id) == _snapshot(sender, case_id)


def _flip(data: bytearray, pos: int) -> None:
    data[pos] ^= 0x01


def _tamper(kind: str, raw: bytes, header_len: int) -> bytes:
    data = bytearray(raw)
    body = len(raw) - header_len
    chunks = -(-body // ROUND)
    assert chunks >= 4, "the test case must span several chunks"
    if kind == "first chunk":
        _flip(data, header_len + 100)
    elif kind == "middle chunk":
        _flip(data, header_len + 2 * ROUND + 5)
    elif kind == "last chunk (manifest)":
        _flip(data, len(raw) - 40)
    elif kind == "header":
        start = raw.index(b'"nonce_prefix":"') + len('"nonce_prefix":"')
        data[start] = ord("A") if data[start] != ord("A") else ord("B")
    elif kind == "truncated mid-chunk":
        del data[len(raw) - 1000 :]
    elif kind == "truncated at a chunk boundary":
        del data[header_len + 3 * ROUND :]
    elif kind == "two chunks swapped":
        a, b = header_len + ROUND, header_len + 2 * ROUND
        data[a : a + ROUND], data[b : b + ROUND] = data[b : b + ROUND], data[a : a + ROUND]
    elif kind == "chunk duplicated":
        a = header_len + ROUND
        data[a + ROUND : a + ROUND] = data[a : a + ROUND]
    elif kind == "extended":
        data += b"\0" * 64
    return bytes(data)


@pytest.mark.parametrize(
    "kind",
    [
        "first chunk",
        "middle chunk",
        "last chunk (manifest)",
        "header",
        "truncated mid-chunk",
        "truncated at a chunk boundary",
        "two chunks swapped",
        "chunk duplicated",
        "extended",
    ],
)
def test_tampered_file_is_refused_with_zero_rows(exported: Any, kind: str, tmp_path: Path) -> None:
    _sender, receiver, _case_id, out = exported
    raw = out.read_bytes()
    header = fmt.read_header(out.open("rb"))
    bad = tmp_path / "bad.ncii"
    bad.write_bytes(_tamper(kind, raw, len(header.raw)))
    before, files = _count_rows(receiver), _blob_files(receiver)
    with pytest.raises(HandoverCorrupt):
        handover.import_case(receiver, bad)
    assert _count_rows(receiver) == before and _blob_files(receiver) == files


def _frames_of(receiver: Vault, path: Path) -> list[tuple[bytes, bytes]]:
    with handover._frames(receiver, path, None) as (_header, frames):
        return list(frames)


def _reencrypt(receiver: Vault, frames: list[tuple[bytes, bytes]], dest: Path) -> None:
    """What someone holding only the recipient's public key can do: write a new file."""
    with dest.open("wb") as fh:
        writer = fmt.Writer.to_recipient(fh, handover.public_key(receiver))
        for kind, payload in frames:
            writer.frame(kind, payload)
        writer.close()


def test_reencrypted_file_with_changed_rows_or_manifest_is_refused(
    exported: Any, tmp_path: Path
) -> None:
    _sender, receiver, _case_id, out = exported
    frames = _frames_of(receiver, out)
    before, files = _count_rows(receiver), _blob_files(receiver)
    # 1. A row changed, the signed manifest kept: its stream digest no longer matches.
    changed = list(frames)
    for i, (kind, payload) in enumerate(changed):
        if kind == b"R" and b'"t":"cases"' in payload:
            changed[i] = (kind, payload.replace(b'"note"', b'"edit"'))
            break
    else:
        raise AssertionError("no case row")
    _reencrypt(receiver, changed, tmp_path / "rows.ncii")
    with pytest.raises(HandoverCorrupt, match="manifest"):
        handover.import_case(receiver, tmp_path / "rows.ncii")
    # 2. The manifest changed too (to the new stream digest): its signature fails.
    manifest = json.loads(frames[-2][1])
    stream = hashlib.sha256()
    for kind, payload in changed[:-2]:
        stream.update(fmt.frame_bytes(kind, payload))
    manifest["stream_sha256"] = stream.hexdigest()
    forged = [*changed[:-2], (b"M", json.dumps(manifest).encode()), frames[-1]]
    _reencrypt(receiver, forged, tmp_path / "manifest.ncii")
    with pytest.raises(HandoverCorrupt, match="signature"):
        handover.import_case(receiver, tmp_path / "manifest.ncii")
    # 3. Even the untouched content re-encrypted is refused: the signed manifest names the
    # header (ephemeral key, salt) of the one file it was made for.
    _reencrypt(receiver, frames, tmp_path / "same.ncii")
    with pytest.raises(HandoverCorrupt, match="manifest"):
        handover.verify_file(receiver, tmp_path / "same.ncii")
    assert _count_rows(receiver) == before and _blob_files(receiver) == files


def test_minor_case_exports_hashes_only(pair: Any, tmp_path: Path) -> None:
    sender, receiver = pair
    case_id = _populate(sender, tmp_path / "media", minor=True)
    out = tmp_path / "minor.ncii"
    result = handover.export_case(sender, case_id, out, recipient=handover.public_key(receiver))
    assert result.hashes_only and result.blobs == 0
    frames = _frames_of(receiver, out)
    kinds = {k for k, _ in frames}
    assert b"B" not in kinds and b"D" not in kinds
    pixels = [(tmp_path / "media" / n).read_bytes() for n in ("noise.png", "astronaut.png")]
    stream = b"".join(p for _, p in frames)
    assert not any(p[100:164] in stream for p in pixels)
    handover.import_case(receiver, out)
    snap = _snapshot(receiver, case_id)
    assert len(snap["hashes"]) >= 3
    with receiver.session() as s:
        items = list(s.scalars(select(EvidenceItem).where(EvidenceItem.case_id == case_id)))
        assert items and all(i.blob_id is None and not i.pixels_kept for i in items)
        assert s.scalar(select(func.count()).select_from(Blob)) == 0
    assert _blob_files(receiver) == 0


def test_recipient_key_file_and_fingerprint(pair: Any) -> None:
    _sender, receiver = pair
    key = handover.public_key(receiver)
    assert key == handover.public_key(receiver)  # derived, stable
    groups = key.fingerprint.split("-")
    assert len(groups) == 8 and all(len(g) == 4 for g in groups)
    assert fmt.RecipientKey.from_text(key.to_text()) == key
    lines = key.to_text().splitlines()
    edited = "\n".join(
        line.replace(line[-4:], "AAAA") if line.startswith("fingerprint") else line
        for line in lines
    )
    with pytest.raises(HandoverCorrupt):
        fmt.RecipientKey.from_text(edited)


_CHILD = """
import os, sys, time
from pathlib import Path
from ncii_desk.services import handover
from ncii_desk.services.handover import importing
from ncii_desk.services.jobs import Job
from ncii_desk.vault import Vault

vault = Vault.open(Path(sys.argv[1]), passphrase=sys.argv[2])
marker = Path(sys.argv[4])
importing.RESUME_BATCH_FILES = 1  # every stored file committed on its own

def progress(done, total, message):
    if message == "storing files" and done == 2:
        marker.write_text("mid-import")
        time.sleep(600)

handover.import_case(vault, Path(sys.argv[3]), job=Job(on_progress=progress))
"""


def _kill_mid_import(root: Path, out: Path, marker: Path) -> None:
    """Run an import in a child process and SIGKILL it once two stored files are committed."""
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(root), PASSPHRASE, str(out), str(marker)],
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
    )
    try:
        while not marker.exists():
            assert child.poll() is None, "the import process ended before the kill"
            time.sleep(0.05)
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
    finally:
        if child.poll() is None:
            child.kill()


def test_kill_during_import_then_rerun_goes_on_and_gives_the_complete_case(
    laptop_exported: Any, tmp_path: Path
) -> None:
    sender, receiver, case_id, out = laptop_exported
    root = receiver.root
    receiver.close()
    _kill_mid_import(root, out, tmp_path / "marker")
    reopened = Vault.open(root, passphrase=PASSPHRASE, actor="attorney")
    try:
        # Nothing of the case is visible; the two stored files committed before the kill
        # are kept for the next run.
        assert _count_rows(reopened) == {"cases": 0, "items": 0, "blobs": 2, "imported": 0}
        result = handover.import_case(reopened, out)
        assert result.resumed_blobs == 2
        assert _snapshot(reopened, case_id) == _snapshot(sender, case_id)
        assert _blob_files(reopened) == _count_rows(reopened)["blobs"]
        assert reopened.check().ok
        actions = [e["action"] for e in _audit_actions(reopened)]
        assert actions.count(handover.IMPORT_STARTED_ACTION) == 1
        assert actions[-1] == handover.IMPORTED_ACTION
    finally:
        reopened.close()


def test_an_unfinished_import_of_another_file_is_deleted_first(
    laptop_exported: Any, tmp_path: Path
) -> None:
    sender, receiver, _case_id, out = laptop_exported
    root = receiver.root
    receiver.close()
    _kill_mid_import(root, out, tmp_path / "marker")
    other_case = _populate(sender, tmp_path / "media2", label="Case B")
    other = tmp_path / "other.ncii"
    reopened = Vault.open(root, passphrase=PASSPHRASE, actor="attorney")
    try:
        handover.export_case(sender, other_case, other, recipient=handover.public_key(reopened))
        result = handover.import_case(reopened, other)
        assert result.resumed_blobs == 0
        assert _snapshot(reopened, other_case) == _snapshot(sender, other_case)
        # The two files of the first, unfinished import are gone, rows and files.
        assert _blob_files(reopened) == _count_rows(reopened)["blobs"]
        assert _count_rows(reopened)["cases"] == 1
        actions = [e["action"] for e in _audit_actions(reopened)]
        assert handover.PARTIAL_DISCARDED_ACTION in actions
        assert reopened.check().ok
    finally:
        reopened.close()


def test_cancel_during_import_keeps_nothing(exported: Any) -> None:
    _sender, receiver, _case_id, out = exported
    before = _count_rows(receiver)
    job = Job()

    def progress(done: int, total: int, message: str) -> None:
        if message == "storing files" and done == 2:
            job.token.cancel()

    job.on_progress = progress
    old = importing.RESUME_BATCH_FILES
    importing.RESUME_BATCH_FILES = 1  # the module that holds it: the import reads it there
    try:
        with pytest.raises(Cancelled):
            handover.import_case(receiver, out, job=job)
    finally:
        importing.RESUME_BATCH_FILES = old
    assert _count_rows(receiver) == before
    assert _blob_files(receiver) == before["blobs"]


def test_cli_pubkey_export_import_with_fingerprint_check(
    tmp_path: Path, cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    sender_root, receiver_root = tmp_path / "sender", tmp_path / "receiver"
    sender = _make_vault(sender_root, "advocate")
    case_id = _populate(sender, tmp_path / "media")
    sender_fp = handover.signing_fingerprint(sender)
    sender.close()
    _make_vault(receiver_root, "attorney").close()
    monkeypatch.setenv("NCII_DESK_PASSPHRASE", PASSPHRASE)
    pub = tmp_path / "receiver.pub"
    made = cli("--vault", str(receiver_root), "vault", "pubkey", "--out", str(pub), "--json")
    assert made.rc == 0, made.err
    fingerprint = made.json()["fingerprint"]
    assert fingerprint in pub.read_text()
    out = tmp_path / "case.ncii"
    # A fingerprint that does not match (a swapped key file) stops the export before any work.
    wrong = cli(
        "--vault", str(sender_root), "case", "export", case_id, "--to", str(pub),
        "--out", str(out), "--fingerprint", "AAAA-" + fingerprint[5:],
    )  # fmt: skip
    assert wrong.rc != 0 and "not the one you gave" in wrong.err and not out.exists()
    # Without a terminal and without --fingerprint/--yes, nothing is exported either.
    unasked = cli(
        "--vault", str(sender_root), "case", "export", case_id, "--to", str(pub),
        "--out", str(out),
    )  # fmt: skip
    assert unasked.rc != 0 and "compared" in unasked.err and not out.exists()
    done = cli(
        "--vault", str(sender_root), "case", "export", case_id, "--to", str(pub),
        "--out", str(out), "--fingerprint", fingerprint.lower().replace("-", " "), "--json",
    )  # fmt: skip
    assert done.rc == 0, done.err
    assert done.json()["blobs"] == 3
    refused = cli(
        "--vault", str(receiver_root), "case", "import", str(out),
        "--fingerprint", "AAAA-" + sender_fp[5:],
    )  # fmt: skip
    assert refused.rc != 0 and "not the one you gave" in refused.err
    imported = cli(
        "--vault", str(receiver_root), "case", "import", str(out), "--fingerprint", sender_fp,
        "--json",
    )  # fmt: skip
    assert imported.rc == 0, imported.err
    assert imported.json()["imported_case_id"] == case_id
    listed = cli("--vault", str(receiver_root), "case", "list", "--json")
    assert [c["id"] for c in listed.json()] == [case_id]


def test_minor_item_in_an_ordinary_case_travels_as_hashes_only(pair: Any, tmp_path: Path) -> None:
    sender, receiver = pair
    case_id = _populate(sender, tmp_path / "media")
    flagged = _png(skimage.data.chelsea(), tmp_path / "flagged.png")
    result = intake.add_items(sender, case_id, Role.SUSPECT, [flagged], suspected_minor=True)
    assert not result.errors
    hash_items(sender, result.sources, workers=1)
    out = tmp_path / "case.ncii"
    exported = handover.export_case(sender, case_id, out, recipient=handover.public_key(receiver))
    assert exported.blobs == 3 and not exported.hashes_only  # the three ordinary files only
    stream = b"".join(p for k, p in _frames_of(receiver, out) if k == b"D")
    assert flagged.read_bytes()[200:264] not in stream
    handover.import_case(receiver, out)
    with receiver.session() as s:
        items = {
            i.original_filename: i
            for i in s.scalars(select(EvidenceItem).where(EvidenceItem.case_id == case_id))
        }
    assert items["flagged.png"].blob_id is None and not items["flagged.png"].pixels_kept
    assert items["noise.png"].blob_id is not None
    assert _snapshot(receiver, case_id) == _snapshot(sender, case_id)


def test_no_case_text_in_clear_in_the_file_or_around_it(
    pair: Any, tmp_path: Path, isolated_user_dirs: Path
) -> None:
    sender, receiver = pair
    marker = "ZQX-" + os.urandom(12).hex()
    view = cases.new_case(sender, f"Label {marker}", client_pseudonym=marker, notes=marker)
    out = tmp_path / "case.ncii"
    handover.export_case(sender, view.id, out, recipient=handover.public_key(receiver))
    handover.import_case(receiver, out)
    needles = [marker.encode(), marker.encode().hex().encode()]
    needles.append(base64.b64encode(marker.encode())[:16])
    scanned: list[Path] = []
    for root in (tmp_path, isolated_user_dirs):
        for path in root.rglob("*"):
            if path.is_file():
                data = path.read_bytes()
                scanned.append(path)
                assert not any(n in data for n in needles), path
    # The scan saw the file and what each side keeps on this machine (a vault's folder, or
    # a clinic store's blob folder; a clinic's database is on its server).
    assert out in scanned
    for side in (sender, receiver):
        assert any(store_folder(side) in p.parents for p in scanned)


def test_signed_file_pointing_into_another_case_is_refused(exported: Any) -> None:
    """Even a sender with a valid signature cannot add rows to one of the receiver's cases."""
    from ncii_desk.documents import packet_seal

    sender, receiver, _case_id, out = exported
    own = cases.new_case(receiver, "Receiver's own case")
    frames = _frames_of(receiver, out)
    hostile: list[tuple[bytes, bytes]] = []
    moved = 0
    for kind, payload in frames[:-2]:
        if kind == b"R" and b'"t":"items"' in payload and not moved:
            doc = json.loads(payload)
            doc["r"]["case_id"] = own.id
            payload = json.dumps(doc).encode()
            moved += 1
        hostile.append((kind, payload))
    assert moved == 1
    dest = out.with_name("hostile.ncii")
    with dest.open("wb") as fh:
        writer = fmt.Writer.to_recipient(fh, handover.public_key(receiver))
        for kind, payload in hostile:
            writer.frame(kind, payload)
        manifest = json.loads(frames[-2][1])
        manifest["stream_sha256"] = writer.plain_hash.hexdigest()
        manifest["header_sha256"] = writer.header.sha256
        body = json.dumps(manifest).encode()
        key = packet_seal.derive_key(sender.export_key, sender.vault_id)
        writer.frame(b"M", body)
        writer.frame(b"S", key.sign(handover.SIGNED_PREFIX + body))
        writer.close()
    before, files = _count_rows(receiver), _blob_files(receiver)
    with pytest.raises(HandoverCorrupt, match="manifest"):
        handover.import_case(receiver, dest)
    assert _count_rows(receiver) == before and _blob_files(receiver) == files
    with receiver.session() as s:
        assert (
            s.scalar(
                select(func.count()).select_from(EvidenceItem).where(EvidenceItem.case_id == own.id)
            )
            == 0
        )
