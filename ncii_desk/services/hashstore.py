"""Storing items' hashes: many items per transaction, in a fixed number of statements.

Split from :mod:`ncii_desk.services.matching` (which hashes items, then matches them and
re-exports these names): a batch of hashing results becomes its ``hashes`` rows, local
features and ``item.hashed`` audit events in one write transaction.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table, select

from ncii_desk.clinic.sealing import insert_rows, note_item_cases
from ncii_desk.errors import NotFound
from ncii_desk.hashing.kinds import DHASH, PDQ, PHASH, VIDEO_MD5
from ncii_desk.services.listindex import list_index_notices as list_index_notices
from ncii_desk.vault.models import (
    Analysis,
    Base,
    EvidenceItem,
    HashRecord,
    Role,
    new_id,
)
from ncii_desk.vault.store import CaseStore

FEATURES_KIND = "local-features"


def _role_for(item: EvidenceItem) -> str:
    if not item.pixels_kept:
        # Hash-only items (possible minor): every hash variant matching needs, computed in
        # memory from the file at hand, but no local-feature keypoints (they can give a
        # rough picture back).
        return {Role.ORIGINAL: "original-hashes", Role.SUSPECT: "scan"}.get(item.role, "plain")
    return {Role.ORIGINAL: "original", Role.SUSPECT: "suspect"}.get(item.role, "plain")


@dataclass
class HashingReport:
    hashed: int = 0
    errors: list[dict[str, str]] = field(default_factory=list)
    new_matches: int = 0
    #: Stored thresholds that were not valid (their defaults were used instead).
    warnings: list[str] = field(default_factory=list)
    #: The job was cancelled before every item was hashed.
    cancelled: bool = False
    #: Items left without hashes (cancelled before their turn); ``matches CASE --rematch``
    #: hashes them from the vault.
    not_hashed: int = 0
    #: Items recorded as hashes only that have no perceptual hashes: their bytes were not
    #: kept, so they cannot be hashed again (``hash_missing`` only).
    hash_only_unhashable: int = 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class _HashStore:
    """Hashed items waiting to be stored: :data:`STORE_BATCH` at a time (or fewer when the
    first has waited :data:`STORE_WAIT_S`), each batch in one transaction. Whoever adds
    calls :meth:`flush` before reporting anything as hashed."""

    def __init__(self, vault: CaseStore, report: HashingReport) -> None:
        self.vault = vault
        self.report = report
        self.cases: set[str] = set()
        self.waiting: list[tuple[str, str, Any]] = []  # item id, file name or path, result
        self.since = time.monotonic()

    def add(self, item_id: str, name: str, result: Any) -> None:
        if not self.waiting:
            self.since = time.monotonic()
        self.waiting.append((item_id, name, result))
        if len(self.waiting) >= STORE_BATCH or time.monotonic() - self.since > STORE_WAIT_S:
            self.flush()

    def flush(self) -> None:
        batch, self.waiting = self.waiting, []  # tried once, whatever happens
        if not batch:
            return
        stored = store_many_hashes(self.vault, [(item_id, r) for item_id, _, r in batch])
        for item_id, name, _ in batch:
            if item_id in stored:
                self.cases.add(stored[item_id])
                self.report.hashed += 1
            else:
                self.report.errors.append(
                    {
                        "item": item_id,
                        "path": name,
                        "error": "The item was removed before its hashes could be stored.",
                        "hint": "Nothing to do; it is no longer in the case.",
                    }
                )


#: Items whose hashes are stored in one transaction by :func:`hash_items` (one audit-head
#: write and a fixed number of statements for all of them, instead of one of each per item).
STORE_BATCH = 32
#: ... or fewer, when the first of them has waited this long (slow files such as videos).
STORE_WAIT_S = 2.0
#: Item ids per query when reading records in bulk.
READ_CHUNK = 500


def _hash_rows(result: Any) -> list[dict[str, Any]]:
    """The ``hashes`` rows of one item's hashing result (without the item id)."""
    from ncii_desk.hashing import perceptual as ph

    singles = [
        (
            PDQ.name,
            result.pdq if result.kind == "image" else None,
            result.pdq_quality,
            ph.PDQ_ALGORITHM,
            ph.PDQ_LIBRARY,
        ),
        (PHASH.name, result.phash, None, ph.PHASH_ALGORITHM, ph.OWN_LIBRARY),
        (DHASH.name, result.dhash, None, ph.DHASH_ALGORITHM, ph.OWN_LIBRARY),
    ]
    rows = [
        _hash_row(kind, value, quality, "full", None, algo, lib)
        for kind, value, quality, algo, lib in singles
        if value is not None
    ]
    rows += [
        _hash_row(
            v.kind, v.value, v.quality, v.variant, v.frame_ms, ph.PDQ_ALGORITHM, ph.PDQ_LIBRARY
        )
        for v in [*result.variants, *result.frames]
    ]
    if result.kind == "video":
        rows.append(
            _hash_row(VIDEO_MD5.name, result.md5, None, "file", None, "MD5 of the file", "hashlib")
        )
    return rows


def _hash_row(
    kind: str,
    value: str,
    quality: int | None,
    variant: str,
    frame_ms: int | None,
    algorithm: str,
    library_version: str,
) -> dict[str, Any]:
    return {
        "kind": kind,
        "value": value,
        "quality": quality,
        "variant": variant,
        "frame_ms": frame_ms,
        "algorithm": algorithm,
        "library_version": library_version,
    }


def store_hashes(vault: CaseStore, item_id: str, result: Any) -> str:
    """Store one item's hashes (and local features); the item's case id."""
    stored = store_many_hashes(vault, [(item_id, result)])
    if item_id not in stored:
        raise NotFound(f"No item has the id '{item_id}'.")
    return stored[item_id]


def store_many_hashes(vault: CaseStore, results: Sequence[tuple[str, Any]]) -> dict[str, str]:
    """Store the hashes (and local features) of several items in one transaction, in a
    fixed number of statements whatever their number: the rows of each table go in one
    executemany (plain rows, no ORM objects) and the ``item.hashed`` events are chained from
    one read of the newest event, in the order given. Items no longer in the vault are left
    out. Returns item id -> case id of the items stored."""
    from ncii_desk.hashing import features as lf
    from ncii_desk.hashing import perceptual as ph

    if not results:
        return {}
    with vault.transaction() as s:
        case_of: dict[str, str] = {}
        ids = sorted({item_id for item_id, _ in results})
        for chunk in range(0, len(ids), READ_CHUNK):
            found = s.execute(
                select(EvidenceItem.id, EvidenceItem.case_id).where(
                    EvidenceItem.id.in_(ids[chunk : chunk + READ_CHUNK])
                )
            )
            case_of.update((item_id, case_id) for item_id, case_id in found)
        hashes: list[dict[str, Any]] = []
        analyses: list[dict[str, Any]] = []
        events: list[tuple[str, str | None, dict[str, Any]]] = []
        now = datetime.now(UTC)
        for item_id, result in results:
            if item_id not in case_of:
                continue
            rows = _hash_rows(result)
            hashes += [row | {"item_id": item_id, "created_at": now} for row in rows]
            if result.features is not None:
                analyses.append(
                    {
                        "id": new_id(),
                        "item_id": item_id,
                        "kind": FEATURES_KIND,
                        "result": result.features,
                        "producer": lf.ALGORITHM,
                        "producer_version": ph.OWN_LIBRARY,
                        "created_at": now,
                    }
                )
            events.append(
                (
                    "item.hashed",
                    item_id,
                    {
                        "hashes": len(rows),
                        "pdq": result.pdq,
                        "pdq_quality": result.pdq_quality,
                        "kind": result.kind,
                    },
                )
            )
        if hashes:
            insert_rows(s, _table(HashRecord), hashes)
        if analyses:
            note_item_cases(s, case_of)
            insert_rows(s, _table(Analysis), analyses)
        vault.audit_many(s, events)
    return {item_id: case_of[item_id] for item_id, _ in results if item_id in case_of}


def _table(model: type[Base]) -> Table:
    """The table a model maps, for Core statements."""
    return Base.metadata.tables[model.__tablename__]
