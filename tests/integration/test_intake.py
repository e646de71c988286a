"""add_items: files and folders into a case, per-file errors, duplicates, progress and cancel.

Only generated, benign bytes are used (random bytes behind a few magic numbers).
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from storekit import is_laptop

from ncii_desk.errors import CaseNotFound
from ncii_desk.services import cases, intake, items
from ncii_desk.services.jobs import Job
from ncii_desk.vault import Vault
from ncii_desk.vault.models import AuditEvent, Blob, EvidenceItem, Role
from ncii_desk.vault.store import CaseStore

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPEG_MAGIC = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00"


def _write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


#: A video's first bytes: random bytes behind them are taken in (as a video that will not
#: decode); without any, intake refuses the file as not an image or video.
MP4_MAGIC = b"\x00\x00\x00\x18ftypmp42"


def _random_file(path: Path, size: int = 3000, magic: bytes = MP4_MAGIC) -> Path:
    return _write(path, magic + os.urandom(size))


def _blob_rows(vault: Vault) -> int:
    with vault.session() as s:
        return int(s.scalar(select(func.count()).select_from(Blob)) or 0)


def _blob_files(store: CaseStore) -> list[Path]:
    """Every file in the store's blob folder, leftovers of interrupted writes included."""
    return sorted(store.blobs.iter_files())  # type: ignore[attr-defined]


def _row(vault: Vault, item_id: str) -> EvidenceItem:
    with vault.session() as s:
        row = s.get(EvidenceItem, item_id)
        assert row is not None
        return row


def _stored_bytes(vault: Vault, item_id: str) -> bytes:
    with vault.session() as s:
        row = s.get(EvidenceItem, item_id)
        assert row is not None and row.blob_id is not None
        blob = s.get(Blob, row.blob_id)
        assert blob is not None
    return vault.read_blob(blob)


@pytest.fixture
def case_id(store: CaseStore) -> str:
    return cases.new_case(store, "Case 2026-001", client_pseudonym="River").id


@pytest.fixture
def src(tmp_path: Path) -> Path:
    folder = tmp_path / "src"
    folder.mkdir()
    return folder


# --- single files: hashes, type, name, times --------------------------------------------------


def test_file_is_stored_with_hashes_type_name_and_mtime(
    store: CaseStore, case_id: str, src: Path
) -> None:
    data = PNG_MAGIC + os.urandom(200_000)
    path = _write(src / "holiday-photo.jpg", data)  # PNG bytes behind a JPEG name
    mtime_ns = 1_600_000_000_123_456_000
    os.utime(path, ns=(mtime_ns, mtime_ns))

    result = intake.add_items(store, case_id, Role.ORIGINAL, [path])

    assert result.errors == [] and result.skipped == [] and result.cancelled is False
    assert len(result.added) == 1
    view = result.added[0]
    assert view.case_id == case_id
    assert view.role == "original"
    assert view.source == "file"
    assert view.size == len(data)
    assert view.sha256 == hashlib.sha256(data).hexdigest()
    assert view.md5 == hashlib.md5(data).hexdigest()
    assert view.mime == "image/png"
    assert view.original_filename == "holiday-photo.jpg"
    assert view.file_mtime == "2020-09-13T12:26:40.123456Z"
    assert view.file_ctime is not None
    assert view.intake_at is not None
    assert view.operator == "test-advocate"
    assert view.pixels_kept is True and view.suspected_minor is False
    assert view.duplicate_of is None

    row = _row(store, view.id)
    assert row.blob_id is not None
    assert row.file_mtime == datetime(2020, 9, 13, 12, 26, 40, 123456, tzinfo=UTC)
    assert _stored_bytes(store, view.id) == data
    with store.session() as s:
        blob = s.get(Blob, row.blob_id)
        assert blob is not None
        assert blob.sha256 == hashlib.sha256(data).hexdigest()
        assert blob.size == len(data)
    # the blob file on disk is ciphertext, not the plaintext
    (blob_file,) = _blob_files(store)
    assert data[1000:1064] not in blob_file.read_bytes()
    assert items.list_items(store, case_id) == [view]


@pytest.mark.parametrize(
    ("name", "head", "mime"),
    [
        ("looks-like.png", JPEG_MAGIC, "image/jpeg"),
        ("picture.jpeg", b"GIF89a", "image/gif"),
        ("clip.png", b"\x00\x00\x00\x18ftypmp42", "video/mp4"),
        ("photo.jpg", b"", "application/octet-stream"),
    ],
)
def test_mime_is_sniffed_from_bytes_not_the_name(
    store: CaseStore, case_id: str, src: Path, name: str, head: bytes, mime: str
) -> None:
    path = _random_file(src / name, 500, magic=head)
    if not head:  # make sure random bytes do not start with some magic number by chance
        path.write_bytes(b"\x00\x01plain" + path.read_bytes())
    # Not a picture or video: refused as evidence, kept only when added as a document.
    document = mime == "application/octet-stream"
    if document:
        refused = intake.add_items(store, case_id, Role.SUSPECT, [path])
        assert refused.added == [] and "not an image or video" in refused.errors[0].message
    (view,) = intake.add_items(store, case_id, Role.SUSPECT, [path], as_document=document).added
    assert view.mime == mime
    assert view.original_filename == name


def test_large_file_spanning_several_chunks_round_trips(
    store: CaseStore, case_id: str, src: Path
) -> None:
    data = JPEG_MAGIC + os.urandom(2 * 1024 * 1024 + 12345)
    path = _write(src / "big.jpg", data)
    (view,) = intake.add_items(store, case_id, Role.ORIGINAL, [path]).added
    assert view.size == len(data)
    assert view.sha256 == hashlib.sha256(data).hexdigest()
    assert view.md5 == hashlib.md5(data).hexdigest()
    assert _stored_bytes(store, view.id) == data
    out = items.export_item(store, view.id, src.parent / "out.jpg")
    assert out.read_bytes() == data


def test_unknown_case_is_an_error(store: CaseStore, src: Path) -> None:
    path = _random_file(src / "a.bin")
    with pytest.raises(CaseNotFound):
        intake.add_items(store, "no such case", Role.SUSPECT, [path])
    assert _blob_rows(store) == 0
    assert _blob_files(store) == []


# --- folders ------------------------------------------------------------------------------------


def test_folder_is_scanned_recursively_and_hidden_or_system_files_are_skipped(
    store: CaseStore, case_id: str, src: Path
) -> None:
    root = src / "phone-dump"
    expected = {
        "a.png": _random_file(root / "a.png", magic=PNG_MAGIC),
        "b.jpg": _random_file(root / "sub" / "b.jpg", magic=JPEG_MAGIC),
        "c.bin": _random_file(root / "sub" / "deeper" / "c.bin"),
    }
    skipped = [
        _random_file(root / ".hidden-note"),
        _random_file(root / "Thumbs.db"),
        _random_file(root / "sub" / "desktop.ini"),
        _random_file(root / "sub" / ".DS_Store"),
        _random_file(root / "sub" / "deeper" / "ehthumbs.db"),
    ]
    _random_file(root / ".git" / "object.bin")  # inside a hidden folder: never taken in
    skipped.append(root / ".git")  # the hidden folder itself is listed as skipped
    single = _random_file(src / "single.png", magic=PNG_MAGIC)

    result = intake.add_items(store, case_id, Role.REFERENCE, [root, single])

    assert result.errors == [] and result.cancelled is False
    by_name = {v.original_filename: v for v in result.added}
    assert set(by_name) == {*expected, "single.png"}
    for name, path in expected.items():
        data = path.read_bytes()
        assert by_name[name].source == "folder-scan"
        assert by_name[name].role == "reference"
        assert by_name[name].sha256 == hashlib.sha256(data).hexdigest()
        assert _stored_bytes(store, by_name[name].id) == data
    assert by_name["single.png"].source == "file"
    assert sorted(result.skipped) == sorted(str(p) for p in skipped)
    assert "object.bin" not in {v.original_filename for v in result.added}
    assert result.as_dict()["skipped"] == result.skipped
    assert _blob_rows(store) == 4 and len(_blob_files(store)) == 4


def test_symlink_loop_inside_a_folder_does_not_hang_or_duplicate(
    store: CaseStore, case_id: str, src: Path
) -> None:
    root = src / "looping"
    inner = _random_file(root / "sub" / "inner.bin")
    (root / "sub" / "back-to-root").symlink_to(root, target_is_directory=True)

    # run on a worker thread so that following the loop fails the test instead of hanging it
    box: list[intake.IntakeResult] = []
    worker = threading.Thread(
        target=lambda: box.append(intake.add_items(store, case_id, Role.SUSPECT, [root])),
        daemon=True,
    )
    worker.start()
    worker.join(30)
    assert not worker.is_alive(), "walking a folder with a symlink loop did not finish"
    (result,) = box

    assert [v.original_filename for v in result.added] == ["inner.bin"]
    assert result.added[0].sha256 == hashlib.sha256(inner.read_bytes()).hexdigest()
    assert result.errors == []


# --- per-file errors ---------------------------------------------------------------------------


def test_bad_files_are_reported_and_the_batch_goes_on(
    store: CaseStore, case_id: str, src: Path
) -> None:
    good1 = _random_file(src / "good1.png", magic=PNG_MAGIC)
    missing = src / "missing.jpg"
    empty = _write(src / "empty.jpg", b"")
    loop_a, loop_b = src / "loop-a", src / "loop-b"
    loop_a.symlink_to(loop_b)
    loop_b.symlink_to(loop_a)
    fifo = src / "pipe"
    os.mkfifo(fifo)
    good2 = _random_file(src / "good2.jpg", magic=JPEG_MAGIC)

    result = intake.add_items(
        store, case_id, Role.SUSPECT, [good1, missing, empty, loop_a, fifo, good2]
    )

    assert [v.original_filename for v in result.added] == ["good1.png", "good2.jpg"]
    errors = {e.path: e for e in result.errors}
    assert list(errors) == [str(missing), str(empty), str(loop_a), str(fifo)]
    assert "does not exist" in errors[str(missing)].message
    assert "empty" in errors[str(empty)].message
    assert "cannot be read" in errors[str(loop_a)].message
    assert "symbolic links" in errors[str(loop_a)].message
    assert "not a regular file" in errors[str(fifo)].message
    for err in result.errors:
        assert err.hint, "every error carries advice"
        assert err.as_dict() == {"path": err.path, "message": err.message, "hint": err.hint}
    assert result.cancelled is False

    # nothing that was stored is lost, and nothing half-stored is left behind
    stored = items.list_items(store, case_id)
    assert [v.id for v in stored] == [v.id for v in result.added]
    assert _stored_bytes(store, result.added[0].id) == good1.read_bytes()
    assert _stored_bytes(store, result.added[1].id) == good2.read_bytes()
    assert _blob_rows(store) == 2 and len(_blob_files(store)) == 2
    report = store.check()
    assert report.ok, report.as_dict()
    assert report.blobs_checked == 2


def test_unreadable_file_is_reported(store: CaseStore, case_id: str, src: Path) -> None:
    locked = _random_file(src / "locked.png", magic=PNG_MAGIC)
    good = _random_file(src / "good.png", magic=PNG_MAGIC)
    locked.chmod(0)
    try:
        if os.access(locked, os.R_OK):  # os.geteuid() == 0: root reads anything
            pytest.skip("running as root: root can read a chmod 000 file")
        result = intake.add_items(store, case_id, Role.SUSPECT, [locked, good])
    finally:
        locked.chmod(0o600)
    assert [v.original_filename for v in result.added] == ["good.png"]
    (err,) = result.errors
    assert err.path == str(locked)
    assert "cannot be opened" in err.message
    assert "ermission" in err.message
    assert store.check().ok


def test_file_that_changes_while_read_is_refused_and_its_blob_removed(
    store: CaseStore, case_id: str, src: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    growing = _random_file(src / "still-copying.mp4", 100_000)
    after = _random_file(src / "after.png", magic=PNG_MAGIC)
    target = store.case_blobs(case_id)  # where the case's files are written
    real_put = target.put_stream
    calls = {"n": 0}

    def put_and_grow(reader, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        info = real_put(reader, *args, **kwargs)
        if calls["n"] == 1:  # another program appends while we were reading
            with open(growing, "ab") as fh:
                fh.write(os.urandom(5000))
        return info

    monkeypatch.setattr(target, "put_stream", put_and_grow)
    result = intake.add_items(store, case_id, Role.SUSPECT, [growing, after])

    assert [v.original_filename for v in result.added] == ["after.png"]
    (err,) = result.errors
    assert err.path == str(growing)
    assert "changed while it was being read" in err.message
    assert _blob_rows(store) == 1 and len(_blob_files(store)) == 1
    assert store.check().ok


def test_file_that_vanishes_while_read_leaves_nothing_behind(
    store: CaseStore, case_id: str, src: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    vanishing = _random_file(src / "moved-away.mp4", 100_000)
    after = _random_file(src / "after.png", magic=PNG_MAGIC)
    target = store.case_blobs(case_id)  # where the case's files are written
    real_put = target.put_stream

    def put_and_vanish(reader, *args, **kwargs):  # type: ignore[no-untyped-def]
        info = real_put(reader, *args, **kwargs)
        if vanishing.exists():  # another program moves the file away while we read it
            vanishing.unlink()
        return info

    monkeypatch.setattr(target, "put_stream", put_and_vanish)
    result = intake.add_items(store, case_id, Role.SUSPECT, [vanishing, after])

    assert [v.original_filename for v in result.added] == ["after.png"]
    (err,) = result.errors
    assert err.path == str(vanishing)
    assert _blob_rows(store) == 1
    assert len(_blob_files(store)) == 1, "a blob without a database row was left behind"
    report = store.check()
    assert report.ok, report.as_dict()


# --- duplicates -------------------------------------------------------------------------------


def test_duplicates_are_linked_and_stored_once(store: CaseStore, case_id: str, src: Path) -> None:
    data = PNG_MAGIC + os.urandom(70_000)
    first = _write(src / "first.png", data)
    copy = _write(src / "copy-of-first.jpg", data)
    other = _random_file(src / "other.png", magic=PNG_MAGIC)
    _write(src / "folder" / "again.png", data)

    # Without again, copies of bytes already in the case (same role) are reported, not added.
    default = intake.add_items(store, case_id, Role.SUSPECT, [first, copy, src / "folder"])
    assert [v.original_filename for v in default.added] == ["first.png"]
    assert [a.item_id for a in default.already_in_case] == [default.added[0].id] * 2
    case_id = cases.new_case(store, "Case 2026-009").id  # again=True, on a fresh case

    result = intake.add_items(
        store, case_id, Role.SUSPECT, [first, other, copy, src / "folder"], again=True
    )

    assert result.errors == []
    v_first, v_other, v_copy, v_again = result.added
    assert v_first.duplicate_of is None and v_other.duplicate_of is None
    assert v_copy.duplicate_of == v_first.id
    assert v_again.duplicate_of == v_first.id
    assert result.duplicates == 2
    assert result.as_dict()["duplicates"] == 2
    assert v_copy.sha256 == v_first.sha256 == hashlib.sha256(data).hexdigest()
    assert v_copy.original_filename == "copy-of-first.jpg"

    rows = [_row(store, v.id) for v in result.added]
    assert rows[0].blob_id == rows[2].blob_id == rows[3].blob_id
    assert rows[1].blob_id != rows[0].blob_id
    # A laptop vault keeps the bytes once; a clinic store once per case (each case's files
    # under its own key), so the first case's copy is a blob of its own there.
    stored = 2 if is_laptop(store) else 3
    assert _blob_rows(store) == stored
    assert len(_blob_files(store)) == stored

    # a later batch still links to the first item of the case
    (later,) = intake.add_items(store, case_id, Role.SUSPECT, [first], again=True).added
    assert later.duplicate_of == v_first.id
    assert _blob_rows(store) == stored and len(_blob_files(store)) == stored

    # another case is not a duplicate within its own case; on a laptop it shares the stored
    # bytes, on a clinic store it gets a blob of its own
    other_case = cases.new_case(store, "Case 2026-002").id
    (in_other,) = intake.add_items(store, other_case, Role.ORIGINAL, [copy]).added
    assert in_other.duplicate_of is None
    assert (_row(store, in_other.id).blob_id == rows[0].blob_id) == is_laptop(store)
    stored += 0 if is_laptop(store) else 1
    assert _blob_rows(store) == stored and len(_blob_files(store)) == stored
    assert _stored_bytes(store, in_other.id) == data
    assert store.check().ok


# --- progress and cancel ----------------------------------------------------------------------


def test_progress_is_reported_up_to_the_total(store: CaseStore, case_id: str, src: Path) -> None:
    paths = [_random_file(src / f"f{i}.bin", 1000) for i in range(4)]
    paths.insert(2, src / "missing.bin")  # an error still counts as done
    calls: list[tuple[int, int]] = []
    job = Job(on_progress=lambda done, total, _msg: calls.append((done, total)))

    result = intake.add_items(store, case_id, Role.SUSPECT, paths, job=job)

    assert len(result.added) == 4 and len(result.errors) == 1
    assert calls == [(i, 5) for i in range(6)]


def test_cancel_from_the_progress_callback_keeps_finished_items(
    store: CaseStore, case_id: str, src: Path
) -> None:
    paths = [_random_file(src / f"f{i}.png", 20_000, magic=PNG_MAGIC) for i in range(6)]
    calls: list[tuple[int, int]] = []
    job = Job()

    def on_progress(done: int, total: int, _msg: str) -> None:
        calls.append((done, total))
        if done == 2:
            job.token.cancel()

    job.on_progress = on_progress
    result = intake.add_items(store, case_id, Role.SUSPECT, paths, job=job)

    assert result.cancelled is True
    assert result.as_dict()["cancelled"] is True
    assert calls == [(0, 6), (1, 6), (2, 6)]
    assert [v.original_filename for v in result.added] == ["f0.png", "f1.png"]
    stored = items.list_items(store, case_id)
    assert [v.id for v in stored] == [v.id for v in result.added]
    for view, path in zip(result.added, paths[:2], strict=True):
        assert _stored_bytes(store, view.id) == path.read_bytes()
    assert _blob_rows(store) == 2 and len(_blob_files(store)) == 2
    assert store.check().ok


def test_cancel_before_start_adds_nothing(store: CaseStore, case_id: str, src: Path) -> None:
    job = Job()
    job.token.cancel()
    result = intake.add_items(store, case_id, Role.SUSPECT, [_random_file(src / "a.bin")], job=job)
    assert result.cancelled is True and result.added == [] and result.errors == []
    assert items.list_items(store, case_id) == []
    assert _blob_files(store) == []


# --- audit ------------------------------------------------------------------------------------


def test_each_added_item_is_an_audit_event(store: CaseStore, case_id: str, src: Path) -> None:
    dup_data = MP4_MAGIC + os.urandom(3000)
    paths = [
        _random_file(src / "a.png", magic=PNG_MAGIC),
        _write(src / "b.bin", dup_data),
        _write(src / "c.bin", dup_data),
        src / "missing.bin",
    ]
    # again: the second copy of the same bytes is added (and linked) instead of reported
    result = intake.add_items(store, case_id, Role.REFERENCE, paths, again=True)
    assert len(result.added) == 3

    with store.session() as s:
        events = list(
            s.scalars(
                select(AuditEvent).where(AuditEvent.action == "item.added").order_by(AuditEvent.seq)
            )
        )
    assert [e.object_id for e in events] == [v.id for v in result.added]
    for event, view in zip(events, result.added, strict=True):
        details = json.loads(event.details)
        assert details["case_id"] == case_id
        assert details["role"] == "reference"
        assert details["sha256"] == view.sha256
        assert details["md5"] == view.md5
        assert details["size"] == view.size
        assert details["pixels_kept"] is True
        assert details["duplicate_of"] == view.duplicate_of
        assert event.actor == "test-advocate"
        assert view.original_filename not in event.details  # names stay in the item row only
    assert json.loads(events[2].details)["duplicate_of"] == result.added[1].id
    chain = store.verify_audit()
    assert chain.ok, chain.problems
