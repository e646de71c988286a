"""The stored forms of hash indexes: every byte layout of a persisted index is read and
written here, and nowhere else.

Two layouts, one inside the other:

The hash index (:class:`~ncii_desk.hashing.index.HashIndex`)
    A header ``<8sHHIQI4x``: magic ``NCIIHIX\\0``, format version, bits, flags, entry count,
    CRC-32 of the rows; then the rows (count x bits/8 bytes). Version 1 ends there. Version 2
    (flag 1) goes on with the multi-index tables: ``<4sIIId`` (``MIHT``, block count, rows
    in the tables, CRC-32 of the tables, largest bucket skew), then per block the bucket
    offsets and the entry numbers (little-endian uint32). Loading version 2 skips the sorts
    and keeps views of the loaded bytes (no copy).

The packed index of a hash list (one encrypted vault blob per list)
    A list's matchable PDQ hashes as a hash index plus, for each of its rows, the entry's
    position in the list, so that a list of millions loads with one blob read. Version 3 (what
    is written): ``NCDI3\\n``, count (<Q), length of the index (<Q), the index with its tables
    (above; rows only when the list is too small for tables), the positions (count x <i8),
    CRC-32 of the positions (<I). Version 2 (vaults written before the tables were stored):
    ``NCDI2\\n``, count (<Q), the hashes (count x 32 bytes), their positions (count x <i8),
    CRC-32 of hashes and positions (<I). Version 1 (lists imported before streaming):
    ``NCDI1\\n``, body length and count (<QQ), the index (version 1), positions. All three are
    read by one reader, :func:`unpack_list_index`; matching rewrites versions 1 and 2 as
    version 3 the first time it loads them (services/matching.py).

Damaged or foreign bytes are refused with a ``ValueError`` that says what is wrong.
"""

from __future__ import annotations

import math
import struct
import zlib
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from typing import Any, BinaryIO, Final, Protocol, TypeVar

import numpy as np

from ncii_desk.hashing.index_search import (
    _MAX_ENTRIES,
    SUPPORTED_BITS,
    I64Array,
    U8Array,
    U64Array,
)
from ncii_desk.hashing.index_tables import (
    _allowed_block_counts,
    _check_stored_table,
    _layout,
    _Tables,
)
from ncii_desk.hashing.kinds import PDQ


class StoredIndex(Protocol):
    """What the layouts read and set on a hash index (hashing/index.py's HashIndex is one).

    This module never imports the index class: a function that makes an index is given the
    class (``cls``), so hashing/index.py can call these functions without an import cycle."""

    _words: U64Array
    _tables: _Tables | None
    tables_loaded: bool

    @property
    def bits(self) -> int: ...

    @property
    def _lock(self) -> AbstractContextManager[Any]: ...

    def __len__(self) -> int: ...

    def _consolidate(self) -> None: ...

    def build(self, *, complete: bool = False) -> None: ...

    def add(self, hashes: U8Array) -> I64Array: ...

    def to_chunks(self, *, tables: bool = False) -> list[bytes | memoryview]: ...


_I = TypeVar("_I", bound=StoredIndex)
_I_co = TypeVar("_I_co", bound=StoredIndex, covariant=True)


class IndexClass(Protocol[_I_co]):
    """An index class (its constructor): an empty index of ``bits``-bit hashes."""

    def __call__(
        self,
        bits: int,
        *,
        blocks: int | None = None,
        design_radius: int | None = None,
        threads: int | None = None,
    ) -> _I_co: ...


__all__ = [
    "PACK_VERSION",
    "ChunkReader",
    "IndexClass",
    "StoredIndex",
    "index_chunks",
    "index_from_bytes",
    "index_of_blocks",
    "load_index",
    "pack_pdq_entries",
    "pack_rows",
    "packed_chunks",
    "packed_version",
    "save_index",
    "unpack_list_index",
]

# --- the hash index ---------------------------------------------------------------------

_MAGIC: Final = b"NCIIHIX\x00"
_FORMAT_VERSION: Final = 1  # rows only
_FORMAT_VERSION_TABLES: Final = 2  # rows, then the entry tables of the multi-index
_FLAG_TABLES: Final = 1
_HEADER: Final = struct.Struct("<8sHHIQI4x")  # magic, version, bits, flags, count, crc32
#: b"MIHT", block count, rows in the tables, CRC-32 of the tables, largest bucket skew
_TABLES_HEADER: Final = struct.Struct("<4sIIId")
_TABLES_MAGIC: Final = b"MIHT"


def _header(index: StoredIndex, tables: _Tables | None = None) -> bytes:
    rows = index._words.view(np.uint8)
    crc = zlib.crc32(rows.data) if rows.size else 0
    count = index._words.shape[0]
    if tables is None:
        return _HEADER.pack(_MAGIC, _FORMAT_VERSION, index.bits, 0, count, crc)
    return _HEADER.pack(_MAGIC, _FORMAT_VERSION_TABLES, index.bits, _FLAG_TABLES, count, crc)


def index_chunks(index: StoredIndex, *, tables: bool = False) -> list[bytes | memoryview]:
    """An index serialised as a list of buffers (no joined copy): header and rows, and with
    ``tables`` (version 2) the multi-index entry tables, built first if needed. An index
    too small for tables is written as version 1."""
    with index._lock:
        if tables:
            index.build(complete=True)
        else:
            index._consolidate()
        built = index._tables if tables else None
        out: list[bytes | memoryview] = [_header(index, built)]
        if index._words.size:
            out.append(index._words.view(np.uint8).reshape(-1).data)
        if built is not None:
            parts = []
            for offsets, ids in zip(built.offsets, built.ids, strict=True):
                parts += [np.ascontiguousarray(offsets, "<u4"), np.ascontiguousarray(ids, "<u4")]
            crc = 0
            for part in parts:
                crc = zlib.crc32(part.data, crc)
            out.append(
                _TABLES_HEADER.pack(_TABLES_MAGIC, len(built.layout), built.rows, crc, built.skew)
            )
            out += [part.data for part in parts]
        return out


def save_index(index: StoredIndex, fp: BinaryIO) -> None:
    """Write an index's version-1 bytes (header and rows) to a binary file object."""
    with index._lock:
        index._consolidate()
        fp.write(_header(index))
        if index._words.size:
            fp.write(index._words.view(np.uint8).data)


def _parse_header(header: bytes) -> tuple[int, int, int, bool]:
    if len(header) < _HEADER.size:
        raise ValueError("not a hash index: data too short for the header")
    magic, version, bits, flags, count, crc = _HEADER.unpack(header[: _HEADER.size])
    if magic != _MAGIC:
        raise ValueError("not a hash index: wrong magic bytes")
    if version not in (_FORMAT_VERSION, _FORMAT_VERSION_TABLES):
        raise ValueError(f"unsupported hash index format version {version}")
    expected_flags = _FLAG_TABLES if version == _FORMAT_VERSION_TABLES else 0
    if bits not in SUPPORTED_BITS or flags != expected_flags:
        raise ValueError("corrupt hash index header (bits or flags)")
    if count > _MAX_ENTRIES:
        raise ValueError("corrupt hash index header (entry count)")
    return int(bits), int(count), int(crc), version == _FORMAT_VERSION_TABLES


def _from_words(cls: IndexClass[_I], bits: int, rows: U8Array, crc: int, **kwargs: Any) -> _I:
    if (zlib.crc32(rows.data) if rows.size else 0) != crc:
        raise ValueError("corrupt hash index: checksum mismatch")
    index = cls(bits, **kwargs)
    index._words = rows.view(np.uint64).reshape(-1, bits // 64)
    return index


def _attach_tables(index: StoredIndex, view: memoryview) -> None:
    """Take the tables stored after the rows (version 2): per block the bucket offsets and
    the entry numbers, under a CRC-32, checked against the rows (_check_stored_table).
    Views of ``view``, no copy. ValueError if they do not fit."""
    if len(view) < _TABLES_HEADER.size:
        raise ValueError("corrupt hash index: the tables are missing")
    magic, blocks, rows, crc, skew = _TABLES_HEADER.unpack(bytes(view[: _TABLES_HEADER.size]))
    n = int(index._words.shape[0])
    if magic != _TABLES_MAGIC or rows != n or blocks not in _allowed_block_counts(index.bits):
        raise ValueError("corrupt hash index: damaged table header")
    layout = _layout(index.bits, blocks)
    size = sum(4 * ((1 << b.width) + 1 + n) for b in layout)
    body = view[_TABLES_HEADER.size :]
    if len(body) != size:
        raise ValueError("corrupt hash index: the tables have the wrong length")
    if zlib.crc32(body) != crc or not math.isfinite(skew):
        raise ValueError("corrupt hash index: table checksum mismatch")
    offsets, ids = [], []
    at = 0
    for block in layout:
        width = (1 << block.width) + 1
        offs = np.frombuffer(body, dtype="<u4", count=width, offset=at)
        table = np.frombuffer(body, dtype="<u4", count=n, offset=at + 4 * width)
        at += 4 * (width + n)
        _check_stored_table(index._words, block, table, offs)
        offsets.append(offs)
        ids.append(table)
    index._tables = _Tables(layout, n, tuple(offsets), tuple(ids), float(skew))
    index.tables_loaded = True


def index_from_bytes(
    cls: IndexClass[_I],
    data: bytes | bytearray | memoryview,
    *,
    blocks: int | None = None,
    design_radius: int | None = None,
    threads: int | None = None,
    copy: bool = True,
) -> _I:
    """An index from its stored bytes (version 1 or 2); ValueError if they are not one.
    ``copy=False`` keeps views of ``data`` (which must then stay unchanged)."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise ValueError(f"expected bytes, got {type(data).__name__}")
    view = memoryview(data).cast("B")
    bits, count, crc, has_tables = _parse_header(bytes(view[: _HEADER.size]))
    end = _HEADER.size + count * (bits // 8)
    if len(view) < end or (not has_tables and len(view) != end):
        raise ValueError(
            f"corrupt hash index: {len(view)} bytes, expected {end} for {count} hashes"
        )
    rows = np.frombuffer(view[:end], dtype=np.uint8, offset=_HEADER.size)
    if copy:
        rows = rows.copy()
    index = _from_words(
        cls, bits, rows, crc, blocks=blocks, design_radius=design_radius, threads=threads
    )
    if has_tables:
        tables = view[end:]
        _attach_tables(index, memoryview(bytes(tables)) if copy else tables)
    return index


def load_index(
    cls: IndexClass[_I],
    fp: BinaryIO,
    *,
    blocks: int | None = None,
    design_radius: int | None = None,
    threads: int | None = None,
) -> _I:
    """An index read from a binary file holding its stored bytes."""
    header = fp.read(_HEADER.size)
    bits, count, crc, has_tables = _parse_header(header)
    if has_tables:  # the tables follow the rows: read it whole
        return index_from_bytes(
            cls,
            header + fp.read(),
            blocks=blocks,
            design_radius=design_radius,
            threads=threads,
            copy=False,
        )
    rows = np.empty(count * (bits // 8), dtype=np.uint8)
    readinto = getattr(fp, "readinto", None)
    if not rows.size:
        got = 0
    elif callable(readinto):  # straight into the array: no second copy of the hashes
        got = int(readinto(rows.data) or 0)
    else:
        chunk = fp.read(rows.size)
        got = len(chunk)
        rows[:got] = np.frombuffer(chunk, dtype=np.uint8)
    if got != rows.size or fp.read(1):
        raise ValueError("corrupt hash index: wrong length")
    return _from_words(
        cls, bits, rows, crc, blocks=blocks, design_radius=design_radius, threads=threads
    )


# --- the packed index of a hash list ------------------------------------------------------

_PACK_MAGIC_V1: Final = b"NCDI1\n"
_PACK_MAGIC_V2: Final = b"NCDI2\n"
_PACK_MAGIC: Final = b"NCDI3\n"
#: The packed-index version written.
PACK_VERSION: Final = 3
_POSITIONS_SLICE: Final = 1 << 20
_PDQ_BYTES: Final = PDQ.hex_digits // 2


def index_of_blocks(cls: IndexClass[_I], blocks: Iterable[Any]) -> _I:
    """A PDQ hash index (of class ``cls``) of rows given block by block ((n, 32) uint8
    arrays)."""
    index = cls(PDQ.bits)
    for block in blocks:
        data = np.ascontiguousarray(block, dtype=np.uint8)
        if data.ndim != 2 or data.shape[1] != _PDQ_BYTES:
            raise ValueError("PDQ index rows must be an (n, 32) uint8 array")
        index.add(data)
    return index


def _positions_chunks(positions: Any, crc: int = 0) -> Iterator[bytes | memoryview]:
    for at in range(0, len(positions), _POSITIONS_SLICE):
        part = np.ascontiguousarray(positions[at : at + _POSITIONS_SLICE], dtype="<i8")
        crc = zlib.crc32(part.data, crc)
        yield part.data
    yield struct.pack("<I", crc)


def packed_chunks(index: StoredIndex, positions: Any) -> Iterator[bytes | memoryview]:
    """The packed index (version 3) of a list's search index and its rows' positions, as
    buffers: no joined copy of the hashes and tables is made."""
    if len(positions) != len(index):
        raise ValueError(f"PDQ index: {len(index)} rows and {len(positions)} positions")
    parts = index.to_chunks(tables=True)
    length = sum(memoryview(p).nbytes for p in parts)
    yield _PACK_MAGIC + struct.pack("<QQ", len(index), length)
    yield from parts
    yield from _positions_chunks(positions)


def _packed_chunks_v2(
    count: int, blocks: Iterable[Any], positions: Any
) -> Iterator[bytes | memoryview]:
    """The version-2 packed index (rows arrive block by block): what earlier versions
    stored; kept for tests and benchmarks of vaults they wrote."""
    crc = 0
    written = 0
    yield _PACK_MAGIC_V2 + struct.pack("<Q", count)
    for block in blocks:
        data = np.ascontiguousarray(block, dtype=np.uint8)
        if data.ndim != 2 or data.shape[1] != _PDQ_BYTES:
            raise ValueError("PDQ index rows must be an (n, 32) uint8 array")
        written += len(data)
        crc = zlib.crc32(data.data, crc)
        yield data.data.cast("B")
    if written != count or len(positions) != count:
        raise ValueError(f"PDQ index: {written} rows and {len(positions)} positions, not {count}")
    yield from _positions_chunks(positions, crc)


class ChunkReader:
    """read(size) over an iterator of buffers (for a blob store's put_stream)."""

    def __init__(self, chunks: Iterator[Any]) -> None:
        self._chunks = chunks
        self._part: memoryview = memoryview(b"")

    def read(self, size: int = -1) -> bytes:
        out = bytearray()
        while size < 0 or len(out) < size:
            if not self._part:
                nxt = next(self._chunks, None)
                if nxt is None:
                    break
                self._part = memoryview(nxt).cast("B")
                continue
            take = len(self._part) if size < 0 else min(size - len(out), len(self._part))
            out += self._part[:take]
            self._part = self._part[take:]
        return bytes(out)


def pack_pdq_entries(cls: IndexClass[StoredIndex], entries: Sequence[Any]) -> bytes:
    """The packed index of a list's matchable PDQ entries (objects with kind, value and
    quality: quality unknown or >= PDQ's minimum), with each row's position in the list."""
    from ncii_desk.hashing.index_search import hex_to_rows

    positions = [i for i, e in enumerate(entries) if e.kind == PDQ.name and PDQ.usable(e.quality)]
    rows = hex_to_rows([entries[i].value for i in positions], PDQ.bits) if positions else None
    return pack_rows(cls, rows, positions)


def pack_rows(
    cls: IndexClass[StoredIndex],
    rows: Any,
    positions: Sequence[int] | Any,
    *,
    version: int = PACK_VERSION,
) -> bytes:
    """The packed index of PDQ rows (n x 32 uint8) that sit at ``positions`` in their list,
    its search index built with ``cls``; ``version=2`` writes the format earlier versions
    stored (tests and benchmarks)."""
    blocks = [] if rows is None or not len(rows) else [rows]
    where = np.asarray(positions, np.int64)
    if version == 2:
        return b"".join(_packed_chunks_v2(len(positions), blocks, where))
    if version != PACK_VERSION:
        raise ValueError(f"unknown packed index version {version}")
    return b"".join(packed_chunks(index_of_blocks(cls, blocks), where))


def packed_version(data: bytes | memoryview) -> int | None:
    """The packed-index version of a blob's bytes (None: not a packed index)."""
    magics = {_PACK_MAGIC_V1: 1, _PACK_MAGIC_V2: 2, _PACK_MAGIC: 3}
    return magics.get(bytes(data[: len(_PACK_MAGIC)]))


def unpack_list_index(cls: IndexClass[_I], data: bytes) -> tuple[_I, Any]:
    """(index of class ``cls``, positions array) from a packed index of any version;
    ValueError if it is damaged. Version 3 gives an index whose search tables come from the
    blob (no build) and that keeps views of ``data`` rather than copies."""

    view = memoryview(data)
    version = packed_version(data)
    if version == 1:
        head = len(_PACK_MAGIC_V1)
        body_len, count = struct.unpack_from("<QQ", data, head)
        start = head + 16
        index = index_from_bytes(cls, view[start : start + body_len])
        pos_at = start + body_len
    elif version == 2:
        head = len(_PACK_MAGIC_V2)
        (count,) = struct.unpack_from("<Q", data, head)
        start = head + 8
        pos_at = start + _PDQ_BYTES * count
        end = pos_at + 8 * count
        if len(data) != end + 4:
            raise ValueError("damaged hash-list index: wrong length")
        (crc,) = struct.unpack_from("<I", data, end)
        if zlib.crc32(view[start:end]) != crc:
            raise ValueError("damaged hash-list index: checksum mismatch")
        index = cls(PDQ.bits)
        if count:
            # add() copies, so the blob's bytes (hundreds of MB) are not kept alive.
            rows = np.frombuffer(data, np.uint8, _PDQ_BYTES * count, start)
            index.add(rows.reshape(count, _PDQ_BYTES))
    elif version == 3:
        head = len(_PACK_MAGIC)
        if len(data) < head + 16:
            raise ValueError("damaged hash-list index: wrong length")
        count, length = struct.unpack_from("<QQ", data, head)
        start = head + 16
        pos_at = start + length
        end = pos_at + 8 * count
        if len(data) != end + 4:
            raise ValueError("damaged hash-list index: wrong length")
        (crc,) = struct.unpack_from("<I", data, end)
        if zlib.crc32(view[pos_at:end]) != crc:
            raise ValueError("damaged hash-list index: checksum mismatch")
        index = index_from_bytes(cls, view[start:pos_at], copy=False)
        if len(index) != count or index.bits != PDQ.bits:
            raise ValueError("damaged hash-list index: wrong entry count")
        positions = np.frombuffer(data, dtype="<i8", count=count, offset=pos_at)
        return index, positions
    else:
        raise ValueError("not a packed hash-list index")
    positions = np.frombuffer(data, dtype="<i8", count=count, offset=pos_at).astype(np.int64)
    return index, positions
