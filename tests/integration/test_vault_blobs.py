"""The chunked AEAD blob store on its own: real files, a random master key, no vault.

Every damage case must raise :class:`VaultCorrupt` naming the blob file, from ``read``,
``verify`` and ``export`` alike, and the caller must receive zero plaintext bytes: ``read``
returns nothing, ``export`` leaves neither the destination nor a temp file behind.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from collections.abc import Callable
from pathlib import Path

import pytest

from ncii_desk import errors
from ncii_desk.vault.blobs import (
    DEFAULT_CHUNK_SIZE,
    HEADER_BYTES,
    MAGIC,
    MIN_CHUNK_SIZE,
    TAG_BYTES,
    BlobInfo,
    BlobStore,
)

SMALL = MIN_CHUNK_SIZE  # 64 KiB chunks keep the pure tests quick
STRIDE = SMALL + TAG_BYTES


@pytest.fixture
def store(tmp_path: Path) -> BlobStore:
    return BlobStore(tmp_path / "vault", secrets.token_bytes(32), chunk_size=SMALL)


@pytest.fixture
def export_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "export"
    folder.mkdir()
    return folder


def n_chunks(size: int, chunk: int) -> int:
    return max(1, -(-size // chunk))


def cipher_size(size: int, chunk: int) -> int:
    return HEADER_BYTES + size + TAG_BYTES * n_chunks(size, chunk)


def chunk_offset(index: int, chunk: int = SMALL) -> int:
    return HEADER_BYTES + index * (chunk + TAG_BYTES)


def assert_rejected(store: BlobStore, blob_id: str, export_dir: Path, info: BlobInfo | None = None):
    """read, verify and export all refuse with VaultCorrupt; nothing reaches the caller."""
    with pytest.raises(errors.VaultCorrupt) as read_err:
        store.read(blob_id)
    assert read_err.value.file == store.relpath(blob_id)
    assert read_err.value.file == f"blobs/{blob_id[:2]}/{blob_id}"
    assert read_err.value.entry
    if info is not None:
        with pytest.raises(errors.VaultCorrupt) as expected_err:
            store.read(blob_id, info)
        assert expected_err.value.file == store.relpath(blob_id)
    with pytest.raises(errors.VaultCorrupt) as verify_err:
        store.verify(blob_id)
    assert verify_err.value.file == store.relpath(blob_id)
    dest = export_dir / "evidence.bin"
    with pytest.raises(errors.VaultCorrupt) as export_err:
        store.export(blob_id, dest, info)
    assert export_err.value.file == store.relpath(blob_id)
    assert not dest.exists()
    assert sorted(os.listdir(export_dir)) == []  # no temp file with partial plaintext either
    assert read_err.value.entry == export_err.value.entry == verify_err.value.entry
    return read_err.value


# --- round trips ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "size",
    [0, 1, SMALL - 1, SMALL, SMALL + 1, 2 * SMALL, 3 * SMALL + SMALL // 2],
    ids=["empty", "one", "chunk-1", "chunk", "chunk+1", "two-chunks", "3.5-chunks"],
)
def test_round_trip_and_layout(store: BlobStore, export_dir: Path, size: int) -> None:
    data = secrets.token_bytes(size)
    info = store.put_bytes(data)
    path = store.path_for(info.blob_id)
    raw = path.read_bytes()
    assert path == store.root / info.blob_id[:2] / info.blob_id
    assert len(raw) == cipher_size(size, SMALL)
    assert raw[:4] == MAGIC
    assert info.size == size
    assert info.chunk_size == SMALL
    assert info.sha256 == hashlib.sha256(data).hexdigest()
    assert info.cipher_sha256 == hashlib.sha256(raw).hexdigest()
    assert store.read(info.blob_id) == data
    assert store.read(info.blob_id, info) == data
    assert store.verify(info.blob_id, info) == size
    dest = export_dir / "out.bin"
    store.export(info.blob_id, dest, info)
    assert dest.read_bytes() == data
    assert sorted(os.listdir(export_dir)) == ["out.bin"]
    # No temp files left in the store folder either.
    assert [p.name for p in store.iter_files()] == [info.blob_id]


def test_empty_blob_is_one_authenticated_final_chunk(store: BlobStore, export_dir: Path) -> None:
    info = store.put_bytes(b"")
    path = store.path_for(info.blob_id)
    assert path.stat().st_size == HEADER_BYTES + TAG_BYTES
    assert store.read(info.blob_id, info) == b""
    # Dropping its tag (leaving a bare header) is detected, not read as "empty".
    with open(path, "r+b") as fh:
        fh.truncate(HEADER_BYTES)
    err = assert_rejected(store, info.blob_id, export_dir, info)
    assert err.entry == "chunk 0"


def test_exact_multiple_has_no_trailing_empty_chunk_and_truncation_is_detected(
    store: BlobStore, export_dir: Path
) -> None:
    data = secrets.token_bytes(2 * SMALL)
    info = store.put_bytes(data)
    path = store.path_for(info.blob_id)
    assert path.stat().st_size == HEADER_BYTES + 2 * STRIDE
    assert store.read(info.blob_id) == data
    # Cut the last full chunk off: chunk 0 alone is not a valid (final) chunk.
    with open(path, "r+b") as fh:
        fh.truncate(HEADER_BYTES + STRIDE)
    err = assert_rejected(store, info.blob_id, export_dir, info)
    assert err.entry == "last chunk"


def test_put_stream_matches_put_bytes(store: BlobStore) -> None:
    data = secrets.token_bytes(2 * SMALL + 123)

    class Trickle:
        """Returns short reads, like a pipe, to exercise chunk refilling."""

        def __init__(self, payload: bytes) -> None:
            self.payload = payload
            self.pos = 0

        def read(self, size: int = -1) -> bytes:
            size = min(size, 5000)
            block = self.payload[self.pos : self.pos + size]
            self.pos += len(block)
            return block

    extra = hashlib.sha256()
    info = store.put_stream(Trickle(data), extra_hashers=(extra,))
    assert info.size == len(data)
    assert info.sha256 == extra.hexdigest() == hashlib.sha256(data).hexdigest()
    assert store.path_for(info.blob_id).stat().st_size == cipher_size(len(data), SMALL)
    assert store.read(info.blob_id, info) == data


def test_same_bytes_twice_give_different_ids_and_ciphertexts(store: BlobStore) -> None:
    data = b"identical evidence" * 1000
    one, two = store.put_bytes(data), store.put_bytes(data)
    assert one.blob_id != two.blob_id
    assert one.sha256 == two.sha256
    assert one.cipher_sha256 != two.cipher_sha256
    assert data[:64] not in store.path_for(one.blob_id).read_bytes()


def test_chunk_size_limits_and_blob_id_validation(tmp_path: Path) -> None:
    key = secrets.token_bytes(32)
    with pytest.raises(ValueError, match="chunk size"):
        BlobStore(tmp_path, key, chunk_size=MIN_CHUNK_SIZE - 1)
    with pytest.raises(ValueError, match="chunk size"):
        BlobStore(tmp_path, key, chunk_size=DEFAULT_CHUNK_SIZE + 1)
    store = BlobStore(tmp_path, key)
    assert store.chunk_size == DEFAULT_CHUNK_SIZE
    for bad in ("../../etc/passwd", "AB" * 16, "ab" * 15, "zz" * 16):
        with pytest.raises(ValueError, match="invalid blob id"):
            store.path_for(bad)


def test_wrong_master_key_is_an_integrity_error(store: BlobStore, export_dir: Path) -> None:
    info = store.put_bytes(secrets.token_bytes(SMALL + 5))
    other = BlobStore(store.root.parent, secrets.token_bytes(32), chunk_size=SMALL)
    err = assert_rejected(other, info.blob_id, export_dir, info)
    assert err.entry == "chunk 0"


def test_missing_blob_file(store: BlobStore, export_dir: Path) -> None:
    info = store.put_bytes(b"x" * 10)
    store.delete(info.blob_id)
    assert not store.path_for(info.blob_id).exists()
    err = assert_rejected(store, info.blob_id, export_dir, info)
    assert err.entry == info.blob_id
    assert "missing" in err.message


def test_recorded_hash_mismatch_is_detected(store: BlobStore, export_dir: Path) -> None:
    data = secrets.token_bytes(SMALL + 7)
    info = store.put_bytes(data)
    wrong_plain = BlobInfo(info.blob_id, info.size, "0" * 64, info.cipher_sha256, SMALL)
    wrong_cipher = BlobInfo(info.blob_id, info.size, info.sha256, "0" * 64, SMALL)
    for expected in (wrong_plain, wrong_cipher):
        with pytest.raises(errors.VaultCorrupt) as err:
            store.read(info.blob_id, expected)
        assert err.value.entry == "sha256"
        dest = export_dir / "x.bin"
        with pytest.raises(errors.VaultCorrupt):
            store.export(info.blob_id, dest, expected)
        assert os.listdir(export_dir) == []


# --- truncation -----------------------------------------------------------------------------

# A 3.5-chunk blob: chunks 0..2 full, chunk 3 (the last) half full.
SIZE_3_5 = 3 * SMALL + SMALL // 2
TOTAL_3_5 = cipher_size(SIZE_3_5, SMALL)


def _truncation_points() -> list[tuple[str, int]]:
    points = [("empty-file", 0), ("inside-header", HEADER_BYTES // 2)]
    points.append(("header-1", HEADER_BYTES - 1))
    for k in range(4):
        boundary = chunk_offset(k)
        points.append((f"boundary-{k}", boundary))
        if k:
            points.append((f"boundary-{k}-1", boundary - 1))
        points.append((f"boundary-{k}+1", boundary + 1))
        points.append((f"mid-chunk-{k}", boundary + SMALL // 3))
    points.append(("drop-last-tag-byte", TOTAL_3_5 - 1))
    points.append(("drop-last-tag", TOTAL_3_5 - TAG_BYTES))
    return [(name, size) for name, size in points if size < TOTAL_3_5]


@pytest.mark.parametrize(
    "cut", [size for _, size in _truncation_points()], ids=[n for n, _ in _truncation_points()]
)
def test_truncation_anywhere_is_detected(store: BlobStore, export_dir: Path, cut: int) -> None:
    data = secrets.token_bytes(SIZE_3_5)
    info = store.put_bytes(data)
    path = store.path_for(info.blob_id)
    assert path.stat().st_size == TOTAL_3_5
    with open(path, "r+b") as fh:
        fh.truncate(cut)
    err = assert_rejected(store, info.blob_id, export_dir, info)
    if cut < HEADER_BYTES:
        assert err.entry == "header"
    else:
        assert err.entry is not None and err.entry.startswith(("chunk", "last chunk"))


@pytest.mark.parametrize("boundary", [1, 2, 3])
def test_truncation_at_chunk_boundary_names_the_new_last_chunk(
    store: BlobStore, export_dir: Path, boundary: int
) -> None:
    """Cutting exactly after a full chunk: that chunk now has to pose as final, and fails."""
    info = store.put_bytes(secrets.token_bytes(SIZE_3_5))
    with open(store.path_for(info.blob_id), "r+b") as fh:
        fh.truncate(chunk_offset(boundary))
    err = assert_rejected(store, info.blob_id, export_dir, info)
    assert err.entry == "last chunk"


# --- extension, reordering and swapping ---------------------------------------------------


def _append_copy_of_chunk(index: int) -> Callable[[bytes], bytes]:
    def mangle(raw: bytes) -> bytes:
        start = chunk_offset(index)
        return raw + raw[start : start + STRIDE]

    return mangle


@pytest.mark.parametrize(
    "mangle",
    [
        pytest.param(_append_copy_of_chunk(0), id="append-copy-of-first-chunk"),
        pytest.param(_append_copy_of_chunk(1), id="append-copy-of-middle-chunk"),
        pytest.param(lambda raw: raw + raw[chunk_offset(3) :], id="append-copy-of-last-chunk"),
        pytest.param(lambda raw: raw + b"\0", id="append-one-zero-byte"),
        pytest.param(lambda raw: raw + secrets.token_bytes(TAG_BYTES), id="append-16-random"),
        pytest.param(lambda raw: raw + secrets.token_bytes(STRIDE), id="append-random-chunk"),
        pytest.param(
            lambda raw: (
                raw[: chunk_offset(0)]
                + raw[chunk_offset(1) : chunk_offset(2)]
                + raw[chunk_offset(0) : chunk_offset(1)]
                + raw[chunk_offset(2) :]
            ),
            id="swap-chunks-0-1",
        ),
        pytest.param(
            lambda raw: (
                raw[: chunk_offset(1)]
                + raw[chunk_offset(2) : chunk_offset(3)]
                + raw[chunk_offset(1) : chunk_offset(2)]
                + raw[chunk_offset(3) :]
            ),
            id="swap-chunks-1-2",
        ),
        pytest.param(
            lambda raw: raw[: chunk_offset(1)] + raw[chunk_offset(2) :], id="drop-middle-chunk"
        ),
        pytest.param(
            lambda raw: (
                raw[: chunk_offset(2)]
                + raw[chunk_offset(1) : chunk_offset(2)]
                + raw[chunk_offset(2) :]
            ),
            id="duplicate-middle-chunk",
        ),
    ],
)
def test_extension_and_reordering_are_detected(
    store: BlobStore, export_dir: Path, mangle: Callable[[bytes], bytes]
) -> None:
    info = store.put_bytes(secrets.token_bytes(SIZE_3_5))
    path = store.path_for(info.blob_id)
    raw = path.read_bytes()
    changed = mangle(raw)
    assert changed != raw
    path.write_bytes(changed)
    err = assert_rejected(store, info.blob_id, export_dir, info)
    assert err.entry is not None and err.entry.startswith(("chunk", "last chunk"))


def test_swapping_two_blob_files_is_detected(store: BlobStore, export_dir: Path) -> None:
    a = store.put_bytes(secrets.token_bytes(SIZE_3_5))
    b = store.put_bytes(secrets.token_bytes(SIZE_3_5))
    path_a, path_b = store.path_for(a.blob_id), store.path_for(b.blob_id)
    raw_a, raw_b = path_a.read_bytes(), path_b.read_bytes()
    # Same shape, so only the key/associated data binding to the id can catch it.
    assert len(raw_a) == len(raw_b)
    path_a.write_bytes(raw_b)
    path_b.write_bytes(raw_a)
    err_a = assert_rejected(store, a.blob_id, export_dir, a)
    err_b = assert_rejected(store, b.blob_id, export_dir, b)
    assert err_a.entry == err_b.entry == "chunk 0"


def test_renaming_one_blob_over_another_is_detected(store: BlobStore, export_dir: Path) -> None:
    a = store.put_bytes(secrets.token_bytes(SMALL // 2))
    b = store.put_bytes(secrets.token_bytes(SMALL // 2))
    store.path_for(a.blob_id).replace(store.path_for(b.blob_id))
    err = assert_rejected(store, b.blob_id, export_dir, b)
    assert err.entry == "last chunk"
    assert assert_rejected(store, a.blob_id, export_dir, a).entry == a.blob_id  # now missing


def test_chunk_transplanted_between_blobs_is_detected(store: BlobStore, export_dir: Path) -> None:
    a = store.put_bytes(secrets.token_bytes(SIZE_3_5))
    b = store.put_bytes(secrets.token_bytes(SIZE_3_5))
    raw_a = bytearray(store.path_for(a.blob_id).read_bytes())
    raw_b = store.path_for(b.blob_id).read_bytes()
    raw_a[chunk_offset(1) : chunk_offset(2)] = raw_b[chunk_offset(1) : chunk_offset(2)]
    store.path_for(a.blob_id).write_bytes(bytes(raw_a))
    assert assert_rejected(store, a.blob_id, export_dir, a).entry == "chunk 1"


# --- bit flips with the store's default 1 MiB chunks -----------------------------------------

BIG_SIZE = 3 * DEFAULT_CHUNK_SIZE + DEFAULT_CHUNK_SIZE // 2  # 3.5 MiB -> 4 chunks
BIG_STRIDE = DEFAULT_CHUNK_SIZE + TAG_BYTES
BIG_TOTAL = HEADER_BYTES + BIG_SIZE + 4 * TAG_BYTES


@pytest.mark.parametrize(
    ("offset", "entries"),
    [
        pytest.param(0, {"header"}, id="magic"),
        pytest.param(4, {"header"}, id="version"),
        pytest.param(6, {"chunk 0"}, id="reserved"),
        pytest.param(11, {"header", "chunk 0"}, id="chunk-size"),
        pytest.param(12 + 16, {"chunk 0"}, id="salt"),
        pytest.param(HEADER_BYTES - 1, {"chunk 0"}, id="nonce-prefix"),
        pytest.param(HEADER_BYTES + 5, {"chunk 0"}, id="first-chunk"),
        pytest.param(HEADER_BYTES + BIG_STRIDE + 777, {"chunk 1"}, id="middle-chunk-1"),
        pytest.param(HEADER_BYTES + 2 * BIG_STRIDE + 3, {"chunk 2"}, id="middle-chunk-2"),
        pytest.param(HEADER_BYTES + 3 * BIG_STRIDE + 10, {"last chunk"}, id="last-chunk"),
        pytest.param(HEADER_BYTES + BIG_STRIDE - 1, {"chunk 0"}, id="tag-of-first-chunk"),
        pytest.param(HEADER_BYTES + BIG_STRIDE - TAG_BYTES, {"chunk 0"}, id="tag-start-first"),
        pytest.param(HEADER_BYTES + 3 * BIG_STRIDE - 8, {"chunk 2"}, id="tag-of-chunk-2"),
        pytest.param(BIG_TOTAL - 1, {"last chunk"}, id="tag-of-last-chunk"),
    ],
)
def test_one_bit_flip_in_default_size_blob(
    tmp_path: Path, export_dir: Path, offset: int, entries: set[str]
) -> None:
    store = BlobStore(tmp_path / "vault", secrets.token_bytes(32))
    assert store.chunk_size == DEFAULT_CHUNK_SIZE
    data = secrets.token_bytes(BIG_SIZE)
    info = store.put_bytes(data)
    path = store.path_for(info.blob_id)
    raw = bytearray(path.read_bytes())
    assert len(raw) == BIG_TOTAL
    assert store.read(info.blob_id, info) == data
    raw[offset] ^= 0x01
    path.write_bytes(bytes(raw))
    err = assert_rejected(store, info.blob_id, export_dir, info)
    assert err.entry in entries


def test_failed_export_keeps_existing_destination(store: BlobStore, export_dir: Path):
    """A damaged blob never replaces an existing file of the same name."""
    info = store.put_bytes(secrets.token_bytes(2 * SMALL + 1))
    dest = export_dir / "evidence.bin"
    dest.write_bytes(b"previous export")
    path = store.path_for(info.blob_id)
    raw = bytearray(path.read_bytes())
    raw[-1] ^= 0x80
    path.write_bytes(bytes(raw))
    with pytest.raises(errors.VaultCorrupt) as err:
        store.export(info.blob_id, dest, info)
    assert err.value.entry == "last chunk"
    assert dest.read_bytes() == b"previous export"
    assert sorted(os.listdir(export_dir)) == ["evidence.bin"]
