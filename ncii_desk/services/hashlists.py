"""Hash lists in the vault: import (then match every case against them) and export."""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from sqlalchemy import func, select

from ncii_desk.clinic.hashseal import opened, probes
from ncii_desk.errors import Cancelled, NciiDeskError
from ncii_desk.hashing.index_store import PACK_VERSION as PACK_VERSION
from ncii_desk.hashing.kinds import KINDS, MD5, PDQ, PHASH, SHA256, VIDEO_MD5
from ncii_desk.services import access
from ncii_desk.services.cases import find_case
from ncii_desk.services.jobs import Job
from ncii_desk.services.listindex import store_packed_index as store_packed_index
from ncii_desk.services.views import iso
from ncii_desk.vault.blobs import BlobInfo
from ncii_desk.vault.db import DatabaseError
from ncii_desk.vault.models import Blob, Case, EvidenceItem, HashList, HashRecord, Role
from ncii_desk.vault.store import CaseStore

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


_ENTRY_COLUMNS = ("list_id", "position", "kind", "value", "quality", "label", "variant", "original")


def _checkpoint(vault: CaseStore) -> None:
    """Fold the write-ahead log back into the database after a large import.

    Until then the log holds a second copy of every new page (about 3 GiB for 10 M entries)
    until the vault is closed. Readers still inside a transaction can make the checkpoint
    partial; that only delays the space, so a busy database is not an error here.
    """
    with contextlib.suppress(*DatabaseError):
        vault.checkpoint()


def import_hash_list(
    vault: CaseStore, path: Path, name: str | None = None, job: Job | None = None
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
            total_kib = -(-stream.size // 1024)
            job.progress(0, total_kib, "reading the list")
            with vault.bulk_import_tuning(s):
                for batch in stream.batches():
                    _check_cancel(job, list_name)
                    if len(batch):
                        # A variant entry carries its tag and its picture's PDQ in the same
                        # row (one bulk insert: executemany on SQLite, COPY on PostgreSQL).
                        variants: list[str | None] = [None] * len(batch)
                        originals: list[str | None] = [None] * len(batch)
                        for k, (variant, original) in batch.tags.items():
                            variants[k], originals[k] = variant, original
                        vault.bulk_insert(
                            s,
                            "hash_list_entries",
                            _ENTRY_COLUMNS,
                            zip(
                                itertools.repeat(row.id),
                                range(batch.start, batch.start + len(batch)),
                                batch.kinds,
                                batch.values,
                                batch.qualities,
                                batch.labels,
                                variants,
                                originals,
                                strict=False,
                            ),
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
            clash = s.scalars(
                select(HashList).where(
                    HashList.sha256.in_(probes(s, "hash_lists", "sha256", [digest]))
                )
            ).first()
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


def _drop_unused_blob(vault: CaseStore, blob_id: str) -> None:
    """Remove the index blob of an import that did not commit (a committed one is kept)."""
    try:
        with vault.session() as s:
            if s.get(Blob, blob_id) is not None:
                return
    except Exception:  # the database is unusable: leave the file for the vault check
        return
    vault.blobs.delete(blob_id)


def _store_pdq_index(vault: CaseStore, stream: HashListStream) -> BlobInfo:
    """Encrypt the stream's matchable PDQ hashes as the packed index blob (current version:
    with the search tables built, so the list is ready to match as soon as it is read back).
    The layout is hashing/index_store.py's."""
    from ncii_desk.hashing.index import HashIndex
    from ncii_desk.hashing.index_store import index_of_blocks

    rows = stream.pdq_index()
    return store_packed_index(vault, index_of_blocks(HashIndex, rows.blocks), rows.positions)


def pack_pdq_index(entries: Sequence[Any]) -> bytes:
    """Matchable PDQ entries (quality >= 50 or unknown) as the search index's rows plus each
    row's position in the list (hashing/index_store.pack_pdq_entries)."""
    from ncii_desk.hashing.index import HashIndex
    from ncii_desk.hashing.index_store import pack_pdq_entries

    return pack_pdq_entries(HashIndex, entries)


def pack_pdq_rows(rows: Any, positions: Sequence[int] | Any, *, version: int = 3) -> bytes:
    """The packed index of PDQ rows (n x 32 uint8) that sit at ``positions`` in their list;
    ``version=2`` writes the format earlier versions stored (tests and benchmarks)."""
    from ncii_desk.hashing.index import HashIndex
    from ncii_desk.hashing.index_store import pack_rows

    return pack_rows(HashIndex, rows, positions, version=version)


def packed_version(data: bytes) -> int | None:
    """The packed-index version of a blob's bytes (None: not a packed index)."""
    from ncii_desk.hashing.index_store import packed_version as version_of

    return version_of(data)


def unpack_pdq_index(data: bytes) -> tuple[Any, Any]:
    """(HashIndex, positions array) from a packed index (any version); ValueError if it is
    damaged (hashing/index_store.unpack_list_index)."""
    from ncii_desk.hashing.index import HashIndex
    from ncii_desk.hashing.index_store import unpack_list_index

    return unpack_list_index(HashIndex, data)


def list_hash_lists(vault: CaseStore) -> list[HashListView]:
    with vault.session() as s:
        return [
            HashListView.of(h) for h in s.scalars(select(HashList).order_by(HashList.imported_at))
        ]


def export_case_hashes(
    vault: CaseStore,
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
    from ncii_desk.hashing.kinds import SignalKind
    from ncii_desk.hashing.lists import HashEntry, InvalidHashEntry, write_csv, write_pytx
    from ncii_desk.hashing.video_lists import TaggedRow, write_tagged_csv

    if fmt not in ("pytx", "csv"):
        raise NciiDeskError(f"Unknown export format '{fmt}'.", "Use pytx or csv.")
    with vault.session() as s:
        case = find_case(s, case_ref)
        access.require(vault, case.id, access.Action.CASE_EXPORT)
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
                    HashRecord.kind == PDQ.name,
                    HashRecord.variant == "full",
                )
            )
        }
        video = {
            r.item_id
            for r in s.scalars(
                select(HashRecord).where(
                    HashRecord.item_id.in_([o.id for o in originals]),
                    HashRecord.kind == VIDEO_MD5.name,
                )
            )
        }
        entries: list[HashEntry] = []
        tagged: list[TaggedRow] = []  # the same, with what each hash is of (CSV with video)
        seen: set[tuple[str, str]] = set()  # an original added twice is shared once
        videos_done: set[str] = set()
        for o in originals:
            wanted: list[tuple[SignalKind, str, int | None]] = []
            if o.id in pdq:
                wanted.append((PDQ, pdq[o.id].value, pdq[o.id].quality))
            if o.id in video:
                wanted.append((VIDEO_MD5, o.md5, None))
            if fmt == "csv":
                wanted += [(MD5, o.md5, None), (SHA256, o.sha256, None)]
            for kind, value, quality in wanted:
                if (kind.name, value) in seen:
                    continue
                seen.add((kind.name, value))
                try:
                    entries.append(HashEntry.from_text(kind.name, value, quality, label))
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

    variant = "file" if KINDS[entry.kind].exact else "full"
    return TaggedRow(entry, variant, original_tag(original.sha256))


def _video_frame_rows(s: Any, original: EvidenceItem, label: str) -> list[Any]:
    """A video original's frame hashes as tagged rows, vPDQ-style (hashing/video_lists.py)."""
    from ncii_desk.hashing.video_lists import frame_rows, original_tag

    records = s.execute(
        select(HashRecord.variant, HashRecord.value, HashRecord.quality, HashRecord.frame_ms)
        .where(
            HashRecord.item_id == original.id,
            HashRecord.kind == PDQ.name,
            HashRecord.frame_ms.is_not(None),
        )
        .order_by(HashRecord.frame_ms, HashRecord.id)
    ).all()
    return frame_rows(
        [
            (r.variant, opened(s, "hashes", "value", r.value), r.quality, int(r.frame_ms))
            for r in records
        ],
        original_tag(original.sha256),
        label,
    )


def _pytx_frames(rows: list[Any], seen: set[tuple[str, str]]) -> list[Any]:
    """The frame hashes a pytx list gets: each distinct one of usable quality (a pytx reader
    cannot tell a dark or blank frame's weak hash from a good one)."""
    out = []
    for row in rows:
        key = (PDQ.name, row.entry.value)
        if key in seen or not PDQ.usable(row.entry.quality):
            continue
        seen.add(key)
        out.append(row.entry)
    return out


def _variant_entries(
    vault: CaseStore,
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
                HashRecord.kind.in_((PDQ.name, PHASH.name)),
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
                    HashRecord.kind == PHASH.name,
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
    from ncii_desk.hashing.lists import HashEntry, InvalidHashEntry, variant_tag
    from ncii_desk.hashing.matcher import LOW_TEXTURE_TAG

    seen = set() if seen is None else seen
    wanted: list[tuple[str, str, int | None, str]] = []
    if quality is not None and not PDQ.usable(quality) and phash is not None:
        wanted.append((PHASH.name, phash, None, LOW_TEXTURE_TAG))
    for kind, value, q, name in records:
        if kind == PDQ.name and PDQ.usable(q) and name != "full":
            wanted.append((PDQ.name, value, q, variant_tag(name)))
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
