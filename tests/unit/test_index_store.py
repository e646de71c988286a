"""One stored index format (hashing/index_store.py): the bytes written are the bytes the
code before the move wrote, and one reader reads every packed-index version."""

from __future__ import annotations

import hashlib
import struct

import numpy as np
import pytest

from ncii_desk.hashing import index_store
from ncii_desk.hashing.index import HashIndex
from ncii_desk.hashing.lists import parse_hash_list
from ncii_desk.services import hashlists

#: SHA-256 of what commit 890fb7f (before index_store.py existed: the list's packed index
#: written by services/hashlists.py, the index's own bytes by HashIndex) wrote for the
#: inputs below. Equal digests: vaults written before keep opening, and new blobs are the
#: same bytes.
BEFORE = {
    "pack_v3": "2fc0be8d24f4b0491548a12f60584fea388730353d67e1ce7d93798afde8008a",
    "pack_v2": "a4cf391c26dd75bd5ddf3983dcd6a1d3066b4aae343085066b663e2bf06b2b2c",
    "pack_v3_small": "2617f1ead83ae0f14a3c33ed23807968e1cf00582c1c6587c5911856fd819a81",
    "pack_empty": "616d8d6f1d51f9b4010b5938900300d17f3189ac6f013ba17cb6d0d52240e45b",
    "index_v1": "4fa78cee6813ca7912dd5806a996f6251bcecdb382129c9c8937c1bbbd425177",
    "index_v2": "fb0f4da887c12c4af81b61ffc1544634cf6423b6c665d954549ba25a95fda072",
    "index64_v2": "e740b0ed8b955aa86274a75d93ca62606ad0103bc7f8e6d2848c305609ef6bfb",
    "pack_entries": "e800592306e08756f4d89c6803c63e7c28a99c0b3df760aab7c0d4d0aaefec65",
}
ROWS = 24_000  # enough for multi-index tables to be stored


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture(scope="module")
def inputs() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(20261207)
    rows = rng.integers(0, 256, (ROWS, 32), dtype=np.uint8)
    positions = np.arange(ROWS, dtype=np.int64) * 3 + 1
    p64 = rng.integers(0, 256, (30_000, 8), dtype=np.uint8)
    return rows, positions, p64


def test_written_bytes_are_those_written_before_the_move(
    inputs: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> None:
    rows, positions, p64 = inputs
    small = rows[:40]
    index = HashIndex(256)
    index.add(rows)
    index64 = HashIndex(64)
    index64.add(p64)
    csv = "\n".join(
        ["kind,value,quality,label"]
        + [f"pdq,{r.tobytes().hex()},{q},x" for r, q in zip(small, range(30, 70), strict=True)]
        + [f"md5,{small[0, :16].tobytes().hex()},,y"]
    )
    got = {
        "pack_v3": sha(index_store.pack_rows(HashIndex, rows, positions)),
        "pack_v2": sha(index_store.pack_rows(HashIndex, rows, positions, version=2)),
        "pack_v3_small": sha(index_store.pack_rows(HashIndex, small, positions[:40])),
        "pack_empty": sha(index_store.pack_rows(HashIndex, None, [])),
        "index_v1": sha(index.to_bytes()),
        "index_v2": sha(HashIndex.from_bytes(index.to_bytes()).to_bytes(tables=True)),
        "index64_v2": sha(index64.to_bytes(tables=True)),
        "pack_entries": sha(index_store.pack_pdq_entries(HashIndex, parse_hash_list(csv).entries)),
    }
    assert got == BEFORE


def test_one_reader_reads_every_packed_version(
    inputs: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> None:
    rows, positions, _ = inputs
    index = HashIndex(256)
    index.add(rows)
    body = index.to_bytes()
    version1 = (
        b"NCDI1\n" + struct.pack("<QQ", len(body), ROWS) + body + positions.astype("<i8").tobytes()
    )
    blobs = {
        1: version1,
        2: index_store.pack_rows(HashIndex, rows, positions, version=2),
        3: index_store.pack_rows(HashIndex, rows, positions),
    }
    for version, data in blobs.items():
        assert index_store.packed_version(data) == version
        loaded, where = index_store.unpack_list_index(HashIndex, data)
        assert np.array_equal(np.asarray(loaded.rows()), rows)
        assert where.tolist() == positions.tolist()
        assert loaded.tables_loaded == (version == 3)  # 1 and 2 are rebuilt by matching
    assert index_store.packed_version(b"NCIIHIX\x00") is None
    with pytest.raises(ValueError, match="not a packed hash-list index"):
        index_store.unpack_list_index(HashIndex, b"PK\x03\x04" + bytes(40))
    damaged = bytearray(blobs[3])
    damaged[-20] ^= 1  # a position
    with pytest.raises(ValueError, match="checksum mismatch"):
        index_store.unpack_list_index(HashIndex, bytes(damaged))


def test_chunk_reader_gives_the_joined_bytes_in_any_read_size() -> None:
    parts = [b"abc", memoryview(b""), np.arange(10, dtype="<u4").data, b"z"]
    whole = b"".join(bytes(memoryview(p).cast("B")) for p in parts)
    for size in (1, 2, 7, 64, -1):
        reader = index_store.ChunkReader(iter(parts))
        out = b""
        while chunk := reader.read(size):
            out += chunk
        assert out == whole


def test_the_service_names_are_the_store_functions() -> None:
    """services/hashlists.py keeps its names but only stores and loads through the store."""
    rows = np.random.default_rng(1).integers(0, 256, (50, 32), dtype=np.uint8)
    data = hashlists.pack_pdq_rows(rows, range(50))
    assert data == index_store.pack_rows(HashIndex, rows, range(50))
    assert hashlists.packed_version(data) == hashlists.PACK_VERSION == index_store.PACK_VERSION
    index, where = hashlists.unpack_pdq_index(data)
    assert np.array_equal(np.asarray(index.rows()), rows) and where.tolist() == list(range(50))
