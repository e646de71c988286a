"""HashIndex version 2: the multi-index tables stored after the rows, loaded without a build."""

from __future__ import annotations

import io
import struct

import numpy as np
import pytest

from ncii_desk.hashing.index import HashIndex, SearchResult, brute_force_search

N = 30_000


def _index(seed: int = 1) -> tuple[HashIndex, np.ndarray]:
    rows = np.random.default_rng(seed).integers(0, 256, (N, 32), dtype=np.uint8)
    index = HashIndex(256)
    index.add(rows)
    return index, rows


def _queries(rows: np.ndarray) -> np.ndarray:
    q = rows[::501].copy()
    q[:, 0] ^= 0x07
    return q


def _pairs(result: SearchResult) -> list[tuple[int, int, int]]:
    return list(
        zip(
            result.query_idx.tolist(),
            result.entry_idx.tolist(),
            result.distance.tolist(),
            strict=True,
        )
    )


@pytest.mark.parametrize("copy", [True, False])
def test_stored_tables_load_without_a_build_and_search_the_same(copy: bool) -> None:
    index, rows = _index()
    data = index.to_bytes(tables=True)
    assert index.builds == 1 and len(data) > index.to_bytes().__len__()
    loaded = HashIndex.from_bytes(data, copy=copy)
    assert loaded.tables_loaded and loaded.builds == 0 and loaded.blocks == index.blocks
    got = loaded.search(_queries(rows), 31)
    assert loaded.method == "mih" and loaded.builds == 0
    assert _pairs(got) == _pairs(brute_force_search(rows, _queries(rows), 31))
    # Through a file as well.
    from_file = HashIndex.load(io.BytesIO(data))
    assert from_file.tables_loaded and _pairs(from_file.search(_queries(rows), 31)) == _pairs(got)


def test_version_1_bytes_are_still_read_and_small_indexes_store_no_tables() -> None:
    index, rows = _index()
    plain = HashIndex.from_bytes(index.to_bytes())
    assert not plain.tables_loaded and plain.blocks == 0
    plain.search(_queries(rows), 31)
    assert plain.builds == 1  # built on first use, as before
    small = HashIndex(256)
    small.add(rows[:100])
    assert small.to_bytes(tables=True) == small.to_bytes()  # brute force: no tables to keep


def test_tables_that_were_added_to_are_folded_in_before_saving() -> None:
    index, rows = _index()
    index.build()
    extra = np.random.default_rng(9).integers(0, 256, (50, 32), dtype=np.uint8)
    index.add(extra)  # a small tail: searched by brute force, not in the tables
    loaded = HashIndex.from_bytes(index.to_bytes(tables=True))
    everything = np.concatenate([rows, extra])
    q = _queries(everything[-60:])
    assert _pairs(loaded.search(q, 31)) == _pairs(brute_force_search(everything, q, 31))


def test_damaged_or_foreign_tables_are_refused() -> None:
    index, _ = _index()
    data = index.to_bytes(tables=True)
    rows_end = 32 + N * 32  # the version header is 32 bytes
    for at in (rows_end + 30, len(data) // 2 + rows_end // 2, len(data) - 3):
        damaged = bytearray(data)
        damaged[at] ^= 0x10
        with pytest.raises(ValueError, match="corrupt hash index"):
            HashIndex.from_bytes(bytes(damaged))
    with pytest.raises(ValueError, match="corrupt hash index"):
        HashIndex.from_bytes(data[:-4])
    # Tables of other rows, with a checksum that fits them: refused by the bucket checks.
    other, _ = _index(seed=2)
    foreign_tables = other.to_bytes(tables=True)[rows_end:]
    with pytest.raises(ValueError, match="not sorted by its block"):
        HashIndex.from_bytes(data[:rows_end] + foreign_tables)
    # A table header that claims other rows.
    magic, blocks, count, crc, skew = struct.unpack_from("<4sIIId", data, rows_end)
    bad_header = struct.pack("<4sIIId", magic, blocks, count - 1, crc, skew)
    with pytest.raises(ValueError, match="damaged table header"):
        HashIndex.from_bytes(data[:rows_end] + bad_header + data[rows_end + len(bad_header) :])
