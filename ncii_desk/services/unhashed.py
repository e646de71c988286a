"""Picture and video items of a case that have no hash yet.

Kept apart from :mod:`ncii_desk.services.matching` (which hashes them) so the case summary in
:mod:`ncii_desk.services.cases` can count them without importing matching, which imports
cases.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

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
    rows = [
        r
        for r in s.execute(
            select(
                EvidenceItem.id,
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
        if not (r.details or {}).get("document")  # documents are never hashed
    ]
    kept = [r.pixels_kept and r.blob_id is not None for r in rows]
    return Unhashed(
        [r.id for r, k in zip(rows, kept, strict=True) if k],
        [r.id for r, k in zip(rows, kept, strict=True) if not k],
    )
