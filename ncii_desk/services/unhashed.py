"""Picture and video items of a case that have no hash yet.

Kept apart from :mod:`ncii_desk.services.matching` (which hashes them) so the case summary in
:mod:`ncii_desk.services.cases` can count them without importing matching, which imports
cases.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from ncii_desk.clinic.sealing import open_rows
from ncii_desk.media.sniff import IMAGE_MIMES, VIDEO_MIMES
from ncii_desk.vault.models import EvidenceItem, HashRecord


@dataclass(frozen=True)
class Unhashed:
    """Picture and video items of a case with no hash at all (stored after a cancel, a crash
    or ``add --no-hash``): matching never sees them until they are hashed."""

    #: Items whose bytes are in the vault: ``hash_missing`` hashes them.
    stored: list[str]
    #: Items recorded as hashes only (no bytes kept): they can never be hashed again.
    hash_only: list[str]

    @property
    def total(self) -> int:
        return len(self.stored) + len(self.hash_only)


def unhashed_items(s: Session, case_id: str) -> Unhashed:
    """The case's picture and video items that have no hash record."""
    has_hash = exists().where(HashRecord.item_id == EvidenceItem.id)
    found = s.execute(
        select(
            EvidenceItem.id,
            EvidenceItem.case_id,
            EvidenceItem.pixels_kept,
            EvidenceItem.blob_id,
            EvidenceItem.details,
        )
        .where(
            EvidenceItem.case_id == case_id,
            EvidenceItem.mime.in_(IMAGE_MIMES | VIDEO_MIMES),
            ~has_hash,
        )
        .order_by(EvidenceItem.intake_at, EvidenceItem.id)
    )
    rows = [
        r
        for r in open_rows(s, "items", (f._mapping for f in found))
        if not (r["details"] or {}).get("document")  # documents are never hashed
    ]
    kept = [r["pixels_kept"] and r["blob_id"] is not None for r in rows]
    return Unhashed(
        [r["id"] for r, k in zip(rows, kept, strict=True) if k],
        [r["id"] for r, k in zip(rows, kept, strict=True) if not k],
    )


def unhashed_counts(s: Session, case_ids: Sequence[str]) -> dict[str, tuple[int, int]]:
    """For each case: how many of its items :func:`unhashed_items` would list as stored and
    as hashes only, in one query for all the cases (the case list)."""
    out = dict.fromkeys(case_ids, (0, 0))
    if not case_ids:
        return out
    has_hash = exists().where(HashRecord.item_id == EvidenceItem.id)
    found = s.execute(
        select(
            EvidenceItem.id,
            EvidenceItem.case_id,
            EvidenceItem.pixels_kept,
            EvidenceItem.blob_id,
            EvidenceItem.details,
        ).where(
            EvidenceItem.case_id.in_(case_ids),
            EvidenceItem.mime.in_(IMAGE_MIMES | VIDEO_MIMES),
            ~has_hash,
        )
    )
    for r in open_rows(s, "items", (f._mapping for f in found)):
        if (r["details"] or {}).get("document"):
            continue
        stored, hash_only = out[r["case_id"]]
        if r["pixels_kept"] and r["blob_id"] is not None:
            out[r["case_id"]] = (stored + 1, hash_only)
        else:
            out[r["case_id"]] = (stored, hash_only + 1)
    return out
