"""Hash lists in the vault: import (then match every case against them) and export."""

from __future__ import annotations

import contextlib
import itertools
import struct
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import numpy as np
from sqlalchemy import func, select

from ncii_desk.errors import Cancelled, NciiDeskError
from ncii_desk.services.cases import find_case
from ncii_desk.services.jobs import Job
from ncii_desk.services.views import iso
from ncii_desk.vault import Vault
from ncii_desk.vault.blobs import BlobInfo
from ncii_desk.vault.db import DatabaseError
from ncii_desk.vault.models import Blob, Case, EvidenceItem, HashList, HashRecord, Role

if TYPE_CHECKING:
    from ncii_desk.hashing.lists import HashListStream


@dataclass(frozen=True)
class HashListView:
    id: str
    name: str
    format: str
    entry_count: int
    bad_lines: int
    sha256: str
    imported_at: str | None
    operator: str

    @classmethod
    def of(cls, h: HashList) -> HashListView:
        return cls(
            h.id,
            h.name,
            h.format,
            h.entry_count,
            h.bad_lines,
            h.sha256,
            iso(h.imported_at),
            h.operator,
        )

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


_INSERT_SQL = (
    "INSERT INTO hash_list_entries (list_id, position, kind, value, quality, label) "
    "VALUES (?, ?, ?, ?, ?, ?)"
)
_TAG_SQL = (
    "UPDATE hash_list_entries SET variant = ?, original = ? WHERE list_id = ? AND position = ?"
)


def _checkpoint(vault: Vault) -> None:
    """Fold the write-ahead log back into the database after a large import.

    Until then the log holds a second copy of every new page (about 3 GiB for 10 M entries)
    until the vault is closed. Readers still inside a transaction can make the checkpoint
    partial; that only delays the space, so a busy database is not an error here.
    """
    with contextlib.suppress(*DatabaseError):
        vault.checkpoint()


def import_hash_list(
    vault: Vault, path: Path, name: str | None = None, job: Job | None = None
) -> tuple[HashListView, list[dict[str, Any]], int]:
    """Store a list's valid entries; returns the list, its bad lines and new matches.

    The file is read as a stream (HashListStream: batches of lines, each checked as in
    load_hash_list) and its rows are written batch by batch, all in one transaction: a
    list whose import fails or is cancelled (``job``) leaves nothing behind. Memory stays
    bounded by the distinct hash values (32 bytes per PDQ hash), whatever the list's size.
    ``job`` also gets progress: KiB read of the file's size in KiB, with the lines read.
    """
    from ncii_desk.hashing.lists import HashListStream
    from ncii_desk.services.matching import match_case

    job = job or Job()
    list_name = (name or path.stem).strip() or path.stem
    blob_id: str | None = None
    try:
        with HashListStream(path) as stream, vault.transaction() as s:
            row = HashList(
                name=list_name,
                format=stream.format,
                entry_count=0,
                bad_lines=0,
                sha256="",
                operator=vault.actor,
            )
            s.add(row)
            s.flush()
            conn = s.connection()
            total_kib = -(-stream.size // 1024)
            job.progress(0, total_kib, "reading the list")
            with vault.bulk_import_tuning(s):
                for batch in stream.batches():
                    _check_cancel(job, list_name)
                    if len(batch):
                        conn.exec_driver_sql(
                            _INSERT_SQL,
                            list(
                                zip(
                                    itertools.repeat(row.id),
                                    range(batch.start, batch.start + len(batch)),
                                    batch.kinds,
                                    batch.values,
                                    batch.qualities,
                                    batch.labels,
                                    strict=False,
                                )
                            ),
                        )
                    if batch.tags:  # variant entries: their tag and their picture
                        conn.exec_driver_sql(
                            _TAG_SQL,
                            [
                                (variant, original, row.id, batch.start + k)
                                for k, (variant, original) in batch.tags.items()
                            ],
                        )
                    job.progress(
                        min(total_kib, stream.bytes_read // 1024),
                        total_kib,
                        f"{stream.lines_read:,} lines read",
                    )
            _check_cancel(job, list_name)
            digest = stream.sha256
            if not stream.entry_count:
                raise NciiDeskError(
                    f"{path.name} holds no valid hashes ({stream.bad_lines} bad line(s)).",
                    "Check that it is a 'pdq <hex>' list or a CSV with a kind,value header.",
                )
            clash = s.scalars(select(HashList).where(HashList.sha256 == digest)).first()
            if clash is not None:
                raise NciiDeskError(
                    f"This list was already imported as '{clash.name}'.",
                    "Nothing was added: the list imported earlier is still used for matching.",
                )
            job.progress(total_kib, total_kib, "building the search index")
            blob = _store_pdq_index(vault, stream)
            blob_id = blob.blob_id
            vault.store_blob(s, blob)
            _check_cancel(job, list_name)
            row.format = stream.format
            row.entry_count = stream.entry_count
            row.bad_lines = stream.bad_lines
            row.sha256 = digest
            row.pdq_index_blob_id = blob_id
            vault.audit(
                s,
                "hashlist.imported",
                row.id,
                {
                    "name": list_name,
                    "entries": stream.entry_count,
                    "bad_lines": stream.bad_lines,
                    "duplicates": stream.duplicates,
                    "low_quality": stream.low_quality,
                    "sha256": digest,
                },
            )
            view = HashListView.of(row)
            errors = list(stream.errors)
            not_listed = stream.errors_not_listed
    except BaseException:
        if blob_id is not None:
            _drop_unused_blob(vault, blob_id)
        raise
    _checkpoint(vault)
    with vault.session() as s:
        case_ids = list(s.scalars(select(Case.id)))
    new_matches = sum(len(match_case(vault, cid)) for cid in case_ids)
    bad = [{"line": e.line, "text": e.text, "message": e.message} for e in errors]
    if not_listed:
        bad.append(
            {
                "line": None,
                "text": "",
                "message": f"{not_listed} more bad line(s) not listed",
            }
        )
    return view, bad, new_matches


def _check_cancel(job: Job, list_name: str) -> None:
    if job.cancelled:
        raise Cancelled(
            f"The import of '{list_name}' was cancelled.",
            "Nothing was added: no hash of this list is in the vault. Import it again to use it.",
        )


def _drop_unused_blob(vault: Vault, blob_id: str) -> None:
    """Remove the index blob of an import that did not commit (a committed one is kept)."""
    try:
        with vault.session() as s:
            if s.get(Blob, blob_id) is not None:
                return
    except Exception:  # the database is unusable: leave the file for the vault check
        return
    vault.blobs.delete(blob_id)


def _store_pdq_index(vault: Vault, stream: HashListStream) -> BlobInfo:
    """Encrypt the stream's matchable PDQ hashes as the packed index blob (version 3: with
    the search tables built, so the list is ready to match as soon as it is read back)."""
    rows = stream.pdq_index()
    return store_packed_index(vault, _index_of(rows.blocks), rows.positions)


def store_packed_index(vault: Vault, index: Any, positions: Any) -> BlobInfo:
    """Encrypt a list's search index and its positions as a packed index blob (version 3),
    buffer by buffer: no joined copy of the hashes and tables is made."""
    return vault.blobs.put_stream(_ChunkReader(_packed_chunks_v3(index, positions)))


# The packed index of a list's matchable PDQ hashes, one blob per list. Version 3:
#   b"NCDI3\n", count (<Q), length of the index (<Q), the HashIndex serialised with its
#   multi-index tables (HashIndex.to_chunks(tables=True): its own header, rows and CRC-32s;
#   rows only when the list is too small for tables), the positions in the list of its rows
#   (count x <i8), CRC-32 of the positions (<I).
# Version 2 (before the tables were stored): b"NCDI2\n", count (<Q), the hashes (count x 32
# bytes), their positions (count x <i8), CRC-32 of hashes and positions (<I).
# Version 1 (lists imported before streaming): b"NCDI1\n", body length and count (<QQ),
# HashIndex.to_bytes(), positions. All three are read; matching rewrites versions 1 and 2
# as version 3 the first time it loads them (services/matching.py).
_PACK_MAGIC_V1 = b"NCDI1\n"
_PACK_MAGIC_V2 = b"NCDI2\n"
_PACK_MAGIC = b"NCDI3\n"
PACK_VERSION = 3
_POSITIONS_SLICE = 1 << 20


def _index_of(blocks: Iterable[Any]) -> Any:
    from ncii_desk.hashing.index import HashIndex

    index = HashIndex(256)
    for block in blocks:
        data = np.ascontiguousarray(block, dtype=np.uint8)
        if data.ndim != 2 or data.shape[1] != 32:
            raise ValueError("PDQ index rows must be an (n, 32) uint8 array")
        index.add(data)
    return index


def _positions_chunks(positions: Any, crc: int = 0) -> Iterator[bytes | memoryview]:
    for at in range(0, len(positions), _POSITIONS_SLICE):
        part = np.ascontiguousarray(positions[at : at + _POSITIONS_SLICE], dtype="<i8")
        crc = zlib.crc32(part.data, crc)
        yield part.data
    yield struct.pack("<I", crc)


def _packed_chunks_v3(index: Any, positions: Any) -> Iterator[bytes | memoryview]:
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
        if data.ndim != 2 or data.shape[1] != 32:
            raise ValueError("PDQ index rows must be an (n, 32) uint8 array")
        written += len(data)
        crc = zlib.crc32(data.data, crc)
        yield data.data.cast("B")
    if written != count or len(positions) != count:
        raise ValueError(f"PDQ index: {written} rows and {len(positions)} positions, not {count}")
    yield from _positions_chunks(positions, crc)


class _ChunkReader:
    """read(size) over an iterator of buffers, for BlobStore.put_stream."""

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


def pack_pdq_index(entries: Sequence[Any]) -> bytes:
    """Matchable PDQ entries (quality >= 50 or unknown) as the search index's rows plus each
    row's position in the list, so a list of millions loads with one blob read."""
    from ncii_desk.hashing.defaults import PDQ_MIN_QUALITY
    from ncii_desk.hashing.index import hex_to_rows

    positions = [
        i
        for i, e in enumerate(entries)
        if e.kind == "pdq" and (e.quality is None or e.quality >= PDQ_MIN_QUALITY)
    ]
    rows = hex_to_rows([entries[i].value for i in positions], 256) if positions else None
    return pack_pdq_rows(rows, positions)


def pack_pdq_rows(rows: Any, positions: Sequence[int] | Any, *, version: int = 3) -> bytes:
    """The packed index of PDQ rows (n x 32 uint8) that sit at ``positions`` in their list;
    ``version=2`` writes the format earlier versions stored (tests and benchmarks)."""
    blocks = [] if rows is None or not len(rows) else [rows]
    where = np.asarray(positions, np.int64)
    if version == 2:
        return b"".join(_packed_chunks_v2(len(positions), blocks, where))
    if version != PACK_VERSION:
        raise ValueError(f"unknown packed index version {version}")
    return b"".join(_packed_chunks_v3(_index_of(blocks), where))


def packed_version(data: bytes) -> int | None:
    """The packed-index version of a blob's bytes (None: not a packed index)."""
    magics = {_PACK_MAGIC_V1: 1, _PACK_MAGIC_V2: 2, _PACK_MAGIC: 3}
    return magics.get(bytes(data[: len(_PACK_MAGIC)]))


def unpack_pdq_index(data: bytes) -> tuple[Any, Any]:
    """(HashIndex, positions array) from a packed index (any version); ValueError if it is
    damaged. Version 3 gives an index whose search tables come from the blob (no build)
    and that keeps views of ``data`` rather than copies."""
    from ncii_desk.hashing.index import HashIndex

    view = memoryview(data)
    version = packed_version(data)
    if version == 1:
        head = len(_PACK_MAGIC_V1)
        body_len, count = struct.unpack_from("<QQ", data, head)
        start = head + 16
        index = HashIndex.from_bytes(view[start : start + body_len])
        pos_at = start + body_len
    elif version == 2:
        head = len(_PACK_MAGIC_V2)
        (count,) = struct.unpack_from("<Q", data, head)
        start = head + 8
        pos_at = start + 32 * count
        end = pos_at + 8 * count
        if len(data) != end + 4:
            raise ValueError("damaged hash-list index: wrong length")
        (crc,) = struct.unpack_from("<I", data, end)
        if zlib.crc32(view[start:end]) != crc:
            raise ValueError("damaged hash-list index: checksum mismatch")
        index = HashIndex(256)
        if count:
            # add() copies, so the blob's bytes (hundreds of MB) are not kept alive.
            index.add(np.frombuffer(data, np.uint8, 32 * count, start).reshape(count, 32))
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
        index = HashIndex.from_bytes(view[start:pos_at], copy=False)
        if len(index) != count or index.bits != 256:
            raise ValueError("damaged hash-list index: wrong entry count")
        positions = np.frombuffer(data, dtype="<i8", count=count, offset=pos_at)
        return index, positions
    else:
        raise ValueError("not a packed hash-list index")
    positions = np.frombuffer(data, dtype="<i8", count=count, offset=pos_at).astype(np.int64)
    return index, positions


def list_hash_lists(vault: Vault) -> list[HashListView]:
    with vault.session() as s:
        return [
            HashListView.of(h) for h in s.scalars(select(HashList).order_by(HashList.imported_at))
        ]


def export_case_hashes(
    vault: Vault,
    case_ref: str,
    fmt: str,
    out: TextIO,
    label: str = "",
    *,
    canonical_only: bool = False,
) -> int:
    """Write the hashes of a case's originals (never pixels, never file names).

    pytx: `pdq <hex>` for images and `video_md5 <hex>` for videos. csv: kind, value,
    quality, label with PDQ, MD5 and SHA-256 of every original.

    Unless ``canonical_only``, each picture's variant hashes that the case holds follow
    (mirror and turns, centred and off-centre crops, the border-trimmed picture; a
    low-texture picture's pHash), each tagged with its variant and its picture's canonical
    PDQ (docs/hashlists.md): a scan against the list then finds what the case finds by
    hashes. Canonical lines come first, so a pytx reader sees one PDQ line per picture.

    A video original adds its frame hashes (one per distinct sampled frame, and the frame
    variants: mirrored, centre crops, without letterbox bars): in pytx as ordinary `pdq`
    lines (usable quality only: pytx has no quality field), in CSV as rows tagged with the
    variant, the original, the frame number and its time (hashing/video_lists.py).
    """
    from ncii_desk.hashing.lists import (
        HashEntry,
        HashKind,
        InvalidHashEntry,
        write_csv,
        write_pytx,
    )
    from ncii_desk.hashing.video_lists import TaggedRow, write_tagged_csv

    if fmt not in ("pytx", "csv"):
        raise NciiDeskError(f"Unknown export format '{fmt}'.", "Use pytx or csv.")
    with vault.session() as s:
        case = find_case(s, case_ref)
        originals = list(
            s.scalars(
                select(EvidenceItem)
                .where(EvidenceItem.case_id == case.id, EvidenceItem.role == Role.ORIGINAL)
                .order_by(EvidenceItem.intake_at)
            )
        )
        pdq = {
            r.item_id: r
            for r in s.scalars(
                select(HashRecord).where(
                    HashRecord.item_id.in_([o.id for o in originals]),
                    HashRecord.kind == "pdq",
                    HashRecord.variant == "full",
                )
            )
        }
        video = {
            r.item_id
            for r in s.scalars(
                select(HashRecord).where(
                    HashRecord.item_id.in_([o.id for o in originals]),
                    HashRecord.kind == "video_md5",
                )
            )
        }
        entries: list[HashEntry] = []
        tagged: list[TaggedRow] = []  # the same, with what each hash is of (CSV with video)
        seen: set[tuple[str, str]] = set()  # an original added twice is shared once
        videos_done: set[str] = set()
        for o in originals:
            wanted: list[tuple[HashKind, str, int | None]] = []
            if o.id in pdq:
                wanted.append(("pdq", pdq[o.id].value, pdq[o.id].quality))
            if o.id in video:
                wanted.append(("video_md5", o.md5, None))
            if fmt == "csv":
                wanted += [("md5", o.md5, None), ("sha256", o.sha256, None)]
            for kind, value, quality in wanted:
                if (kind, value) in seen:
                    continue
                seen.add((kind, value))
                try:
                    entries.append(HashEntry(kind, value, quality, label))
                except InvalidHashEntry:
                    continue  # a blank image's PDQ or an empty file's digest matches anything
                tagged.append(_tagged(entries[-1], o))
            if o.id in video and o.sha256 not in videos_done:
                videos_done.add(o.sha256)
                frames = _video_frame_rows(s, o, label)
                tagged += frames
                entries += _pytx_frames(frames, seen) if fmt == "pytx" else []
        count = s.scalar(
            select(func.count()).select_from(EvidenceItem).where(EvidenceItem.case_id == case.id)
        )
        originals_ids = [o.id for o in originals]
    if not canonical_only:
        variants = _variant_entries(vault, originals_ids, pdq, video, label, seen)
        entries += variants
        # With video frame rows the CSV has the frame columns too; a picture's variant keeps
        # its tag and its picture's canonical PDQ in the same variant/original columns.
        tagged += [TaggedRow(e, e.variant, e.original) for e in variants]
    # Low-quality PDQ are kept: the receiver filters them as we do; pytx has no quality field.
    if fmt == "pytx":
        written = write_pytx(entries, out, keep_low_quality=True)
    elif any(row.time_ms is not None for row in tagged):
        written = write_tagged_csv(tagged, out)
    else:
        written = write_csv(entries, out)
    with vault.transaction() as s:
        vault.audit(
            s,
            "hashlist.exported",
            case.id,
            {
                "format": fmt,
                "entries": written,
                "items_in_case": count,
                "variants": not canonical_only,
            },
        )
    return written


def _tagged(entry: Any, original: EvidenceItem) -> Any:
    """An exported hash of an original with its tag (the canonical picture hash, or the
    digests of the file)."""
    from ncii_desk.hashing.video_lists import TaggedRow, original_tag

    variant = "full" if entry.kind == "pdq" else "file"
    return TaggedRow(entry, variant, original_tag(original.sha256))


def _video_frame_rows(s: Any, original: EvidenceItem, label: str) -> list[Any]:
    """A video original's frame hashes as tagged rows, vPDQ-style (hashing/video_lists.py)."""
    from ncii_desk.hashing.video_lists import frame_rows, original_tag

    records = s.execute(
        select(HashRecord.variant, HashRecord.value, HashRecord.quality, HashRecord.frame_ms)
        .where(
            HashRecord.item_id == original.id,
            HashRecord.kind == "pdq",
            HashRecord.frame_ms.is_not(None),
        )
        .order_by(HashRecord.frame_ms, HashRecord.id)
    ).all()
    return frame_rows(
        [(r.variant, r.value, r.quality, int(r.frame_ms)) for r in records],
        original_tag(original.sha256),
        label,
    )


def _pytx_frames(rows: list[Any], seen: set[tuple[str, str]]) -> list[Any]:
    """The frame hashes a pytx list gets: each distinct one of usable quality (a pytx reader
    cannot tell a dark or blank frame's weak hash from a good one)."""
    from ncii_desk.hashing.defaults import PDQ_MIN_QUALITY

    out = []
    for row in rows:
        key = ("pdq", row.entry.value)
        quality = row.entry.quality
        if key in seen or (quality is not None and quality < PDQ_MIN_QUALITY):
            continue
        seen.add(key)
        out.append(row.entry)
    return out


def _variant_entries(
    vault: Vault,
    item_ids: list[str],
    canonical: dict[str, HashRecord],
    videos: set[str],
    label: str,
    seen: set[tuple[str, str]],
) -> list[Any]:
    """The tagged variant hashes of the still pictures among ``item_ids`` (in that order):
    every matchable PDQ variant the case stores, and the pHash of a low-texture picture
    (PDQ quality below the cut-off), which matchers use as a weaker method."""
    pictures = [i for i in item_ids if i in canonical and i not in videos]
    by_item: dict[str, list[HashRecord]] = {i: [] for i in pictures}
    with vault.session() as s:
        for r in s.scalars(
            select(HashRecord)
            .where(
                HashRecord.item_id.in_(pictures),
                HashRecord.kind.in_(("pdq", "phash")),
                HashRecord.frame_ms.is_(None),
                HashRecord.variant != "full",
            )
            .order_by(HashRecord.id)
        ):
            by_item[r.item_id].append(r)
        phashes = {
            r.item_id: r.value
            for r in s.scalars(
                select(HashRecord).where(
                    HashRecord.item_id.in_(pictures),
                    HashRecord.kind == "phash",
                    HashRecord.variant == "full",
                )
            )
        }
    out: list[Any] = []
    for item in pictures:
        main = canonical[item]
        records = [(r.kind, r.value, r.quality, r.variant) for r in by_item[item]]
        out += picture_variants(main.value, main.quality, records, phashes.get(item), label, seen)
    return out


def picture_variants(
    canonical: str,
    quality: int | None,
    records: Iterable[tuple[str, str, int | None, str]],
    phash: str | None,
    label: str = "",
    seen: set[tuple[str, str]] | None = None,
) -> list[Any]:
    """The tagged variant entries of one picture whose canonical PDQ is ``canonical``.

    ``records`` are (kind, value, quality, variant name) of its stored hashes: the PDQ
    variants of matchable quality are kept, each tagged (``variant_tag``) and tied to the
    canonical hash; a low-texture picture (PDQ quality below the cut-off) also gets its
    pHash, tagged LOW_TEXTURE_TAG (matchers use it as a weaker method). Values already in
    ``seen`` (kind, value) are left out, and the new ones are added to it.
    """
    from ncii_desk.hashing.defaults import PDQ_MIN_QUALITY
    from ncii_desk.hashing.lists import HashEntry, InvalidHashEntry, variant_tag
    from ncii_desk.hashing.matcher import LOW_TEXTURE_TAG

    seen = set() if seen is None else seen
    wanted: list[tuple[str, str, int | None, str]] = []
    if quality is not None and quality < PDQ_MIN_QUALITY and phash is not None:
        wanted.append(("phash", phash, None, LOW_TEXTURE_TAG))
    for kind, value, q, name in records:
        if kind == "pdq" and (q is None or q >= PDQ_MIN_QUALITY) and name != "full":
            wanted.append(("pdq", value, q, variant_tag(name)))
    out: list[Any] = []
    for kind, value, q, tag in wanted:
        if (kind, value) in seen or value == canonical:
            continue
        try:
            entry = HashEntry.from_text(kind, value, q, label, tag, canonical)
        except InvalidHashEntry:
            continue  # a blank crop's hash, or a picture without a usable PDQ
        seen.add((kind, value))
        out.append(entry)
    return out
