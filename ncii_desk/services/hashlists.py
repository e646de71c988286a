"""Hash lists in the vault: import (then match every case against them) and export."""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, TextIO, cast

import numpy as np
from sqlalchemy import Table, func, insert, select

from ncii_desk.errors import InputFileError, NciiDeskError
from ncii_desk.services.cases import find_case
from ncii_desk.services.views import iso
from ncii_desk.vault import Vault
from ncii_desk.vault.models import Case, EvidenceItem, HashList, HashListEntry, HashRecord, Role


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


_INSERT_SLICE = 50_000


def import_hash_list(
    vault: Vault, path: Path, name: str | None = None
) -> tuple[HashListView, list[dict[str, Any]], int]:
    """Store a list's valid entries; returns the list, its bad lines and new matches."""
    from ncii_desk.hashing.lists import load_hash_list
    from ncii_desk.services.matching import match_case

    parsed = load_hash_list(path)
    try:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as exc:
        raise InputFileError(f"The file {path} cannot be read: {exc.strerror}.") from None
    if not parsed.entries:
        raise NciiDeskError(
            f"{path.name} holds no valid hashes ({len(parsed.errors)} bad line(s)).",
            "Check that it is a 'pdq <hex>' list or a CSV with a kind,value header.",
        )
    list_name = (name or path.stem).strip() or path.stem
    with vault.transaction() as s:
        clash = s.scalars(select(HashList).where(HashList.sha256 == digest)).first()
        if clash is not None:
            raise NciiDeskError(
                f"This list was already imported as '{clash.name}'.",
                "Nothing was added: the list imported earlier is still used for matching.",
            )
        row = HashList(
            name=list_name,
            format=parsed.format,
            entry_count=len(parsed.entries),
            bad_lines=parsed.bad_lines,
            sha256=digest,
            operator=vault.actor,
        )
        blob = vault.blobs.put_bytes(pack_pdq_index(parsed.entries))
        vault.store_blob(s, blob)
        row.pdq_index_blob_id = blob.blob_id
        s.add(row)
        s.flush()
        # Core inserts in slices: the ORM's per-row bookkeeping tripled the time of a
        # million-line list, and one slice at a time keeps the parameter lists small.
        table = cast(Table, HashListEntry.__table__)
        conn = s.connection()
        for start in range(0, len(parsed.entries), _INSERT_SLICE):
            conn.execute(
                insert(table),
                [
                    {
                        "list_id": row.id,
                        "position": i,
                        "kind": e.kind,
                        "value": e.value,
                        "quality": e.quality,
                        "label": e.label,
                    }
                    for i, e in enumerate(
                        parsed.entries[start : start + _INSERT_SLICE], start=start
                    )
                ],
            )
        vault.audit(
            s,
            "hashlist.imported",
            row.id,
            {
                "name": list_name,
                "entries": len(parsed.entries),
                "bad_lines": parsed.bad_lines,
                "duplicates": parsed.duplicates,
                "low_quality": parsed.low_quality,
                "sha256": digest,
            },
        )
        view = HashListView.of(row)
    with vault.session() as s:
        case_ids = list(s.scalars(select(Case.id)))
    new_matches = sum(len(match_case(vault, cid)) for cid in case_ids)
    bad = [{"line": e.line, "text": e.text, "message": e.message} for e in parsed.errors]
    if parsed.errors_not_listed:
        bad.append(
            {
                "line": None,
                "text": "",
                "message": f"{parsed.errors_not_listed} more bad line(s) not listed",
            }
        )
    return view, bad, new_matches


_PACK_MAGIC = b"NCDI1\n"


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


def pack_pdq_rows(rows: Any, positions: Sequence[int] | Any) -> bytes:
    """The packed index of PDQ rows (n x 32 uint8) that sit at ``positions`` in their list."""
    from ncii_desk.hashing.index import HashIndex

    index = HashIndex(256)
    if rows is not None and len(rows):
        index.add(rows)
    body = index.to_bytes()
    pos = np.asarray(positions, dtype="<i8").tobytes()
    return _PACK_MAGIC + struct.pack("<QQ", len(body), len(positions)) + body + pos


def unpack_pdq_index(data: bytes) -> tuple[Any, Any]:
    """(HashIndex, positions array) from :func:`pack_pdq_index`'s bytes."""
    from ncii_desk.hashing.index import HashIndex

    if not data.startswith(_PACK_MAGIC):
        raise ValueError("not a packed hash-list index")
    head = len(_PACK_MAGIC)
    body_len, count = struct.unpack_from("<QQ", data, head)
    start = head + 16
    index = HashIndex.from_bytes(data[start : start + body_len])
    # A copy, so the blob's bytes (hundreds of MB for a large list) are not kept alive by it.
    positions = np.frombuffer(data, dtype="<i8", count=count, offset=start + body_len).copy()
    return index, positions


def list_hash_lists(vault: Vault) -> list[HashListView]:
    with vault.session() as s:
        return [
            HashListView.of(h) for h in s.scalars(select(HashList).order_by(HashList.imported_at))
        ]


def export_case_hashes(vault: Vault, case_ref: str, fmt: str, out: TextIO, label: str = "") -> int:
    """Write the hashes of a case's originals (never pixels, never file names).

    pytx: `pdq <hex>` for images and `video_md5 <hex>` for videos. csv: kind, value,
    quality, label with PDQ, MD5 and SHA-256 of every original.
    """
    from ncii_desk.hashing.lists import (
        HashEntry,
        HashKind,
        InvalidHashEntry,
        write_csv,
        write_pytx,
    )

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
        seen: set[tuple[str, str]] = set()  # an original added twice is shared once
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
        count = s.scalar(
            select(func.count()).select_from(EvidenceItem).where(EvidenceItem.case_id == case.id)
        )
    # Low-quality PDQ are kept: the receiver filters them as we do; pytx has no quality field.
    written = (
        write_pytx(entries, out, keep_low_quality=True)
        if fmt == "pytx"
        else write_csv(entries, out)
    )
    with vault.transaction() as s:
        vault.audit(
            s,
            "hashlist.exported",
            case.id,
            {"format": fmt, "entries": written, "items_in_case": count},
        )
    return written
