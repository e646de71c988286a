"""Marking a whole case as possibly showing a person under 18 (the case's safety switch).

Switching it on removes every stored byte of the case's pictures and videos in ONE database
transaction (:func:`set_case_minor`): the items' stored files, the web archives (WARC) of the
case's captures, picked reference faces, face embeddings and landmarks, local-feature
keypoints and the coarse grids of derivation results. Every hash stays (SHA-256, MD5,
perceptual hashes and their variants), so matching goes on. The switch and what it removed are
one audit event (``case.suspected_minor_set``), written in the same transaction; only after
the commit does the result say that only hashes are kept. The files themselves are deleted
right after the commit through ``CaseStore.drop_blob``: a crash in between leaves them listed, and
the next open deletes them. So after any crash either the switch has not happened (nothing
changed) or every byte is gone (at the latest when the vault is next opened).

Copies in other cases: the vault stores each distinct file once, and if a picture may show a
minor no copy of its pixels stays anywhere in the vault. Items of other cases that hold the
same bytes (same SHA-256) are switched to hashes only in the same transaction; each gets an
``item.hash_only`` event and its case a ``case.copies_hash_only`` event, and the result names
them. Intake into a suspected-minor case follows the same rule (services/intake.py).

Switching it off only changes the flag: nothing is restored (the bytes are gone), and the
result says so. Copies made earlier OUTSIDE the vault (exported files, evidence packets, saved
web archives) cannot be reached from here; their number is reported so the advocate can delete
them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ncii_desk.services import access
from ncii_desk.services.cases import find_case, get_case
from ncii_desk.services.items import (
    PixelsDropped,
    archived_in,
    drop_pixels,
    leftover_files,
    note_other_cases,
    same_bytes_elsewhere,
)
from ncii_desk.services.views import CaseView
from ncii_desk.vault.models import (
    Analysis,
    AuditEvent,
    Capture,
    Case,
    EvidenceItem,
    FaceReference,
    HashRecord,
)
from ncii_desk.vault.store import CaseStore

CASE_ACTION = "case.suspected_minor_set"
DEFAULT_REASON = "the case was marked as possibly showing a person under 18"
ONLY_HASHES = "Only hashes are kept."


@dataclass(frozen=True)
class OtherCase:
    case_id: str
    label: str
    items: int


@dataclass(frozen=True)
class MinorPlan:
    """What switching the case on would remove, for a confirmation before doing it."""

    case_id: str
    label: str
    suspected_minor: bool
    #: Items of the case that still keep their file (all of them lose it).
    items_with_files: int
    #: Distinct stored files deleted (this case's and the same files in other cases).
    stored_files: int
    #: Web archives (WARC) removed: the case's captures and captures holding the same files.
    archives: int
    face_references: int
    #: Records of face embeddings/landmarks and local-feature keypoints removed.
    pixel_records: int
    hashes_kept: int
    #: Other cases that hold the same files: their copies are switched to hashes only too.
    other_cases: list[OtherCase]
    #: Copies made earlier outside the vault (they cannot be removed from here).
    earlier_exports: int
    earlier_packets: int

    @property
    def nothing_to_remove(self) -> bool:
        return (
            not (
                self.items_with_files or self.stored_files or self.archives or self.face_references
            )
            and not self.pixel_records
        )

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class MinorSwitchResult:
    case: CaseView
    value: bool
    #: The flag changed (False when it already had this value).
    changed: bool
    items_switched: int = 0
    #: Other cases whose items held the same files: case id -> items switched there.
    other_cases: dict[str, list[str]] = field(default_factory=dict)
    files_deleted: int = 0
    archives_removed: int = 0
    face_references_removed: int = 0
    analyses_removed: int = 0
    grids_removed: int = 0
    hashes_kept: int = 0
    #: Items of the case recorded as hashes only (switching off restores none of them).
    hash_only_items: int = 0
    earlier_exports: int = 0
    earlier_packets: int = 0
    message: str = ""
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["case"] = self.case.as_dict()
        return data


def _case_items(s: Session, case_id: str) -> list[EvidenceItem]:
    return list(
        s.scalars(
            select(EvidenceItem)
            .where(EvidenceItem.case_id == case_id)
            .order_by(EvidenceItem.intake_at, EvidenceItem.id)
        )
    )


def _group(s: Session, case_id: str) -> tuple[list[EvidenceItem], list[EvidenceItem]]:
    """(every item of the case, every item anywhere that keeps bytes one of them has)."""
    own = _case_items(s, case_id)
    shas = {i.sha256 for i in own}
    blobs = {i.blob_id for i in own if i.blob_id is not None}
    keeping = [i for i in own if i.pixels_kept or i.blob_id is not None]
    seen = {i.id for i in keeping}
    group = keeping + [i for i in same_bytes_elsewhere(s, shas, blobs) if i.id not in seen]
    return own, group


def _captures(s: Session, case_id: str, group: list[EvidenceItem]) -> list[Capture]:
    own = list(
        s.scalars(
            select(Capture)
            .where(Capture.case_id == case_id, Capture.warc_blob_id.is_not(None))
            .order_by(Capture.id)
        )
    )
    ids = {c.id for c in own}
    return own + [c for c in archived_in(s, group) if c.id not in ids]


def _earlier_copies(s: Session, case_id: str, item_ids: list[str]) -> tuple[int, int]:
    """(files and web archives exported, evidence packets built) for this case so far."""
    capture_ids = list(s.scalars(select(Capture.id).where(Capture.case_id == case_id)))
    exports = int(
        s.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(
                (
                    (AuditEvent.action == "item.exported")
                    & AuditEvent.object_id.in_(item_ids or [""])
                )
                | (
                    (AuditEvent.action == "capture.exported")
                    & AuditEvent.object_id.in_(capture_ids or [""])
                )
            )
        )
        or 0
    )
    packets = int(
        s.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "packet.built", AuditEvent.object_id == case_id)
        )
        or 0
    )
    return exports, packets


def minor_plan(vault: CaseStore, ref: str) -> MinorPlan:
    """What :func:`set_case_minor` with ``value=True`` would remove; changes nothing."""
    from ncii_desk.services.matching import FEATURES_KIND

    with vault.session() as s:
        case = find_case(s, ref)
        own, group = _group(s, case.id)
        own_ids = [i.id for i in own]
        derived = sorted({*own_ids, *(i.id for i in group)})
        faces = int(
            s.scalar(
                select(func.count())
                .select_from(FaceReference)
                .where(FaceReference.item_id.in_(derived))
            )
            or 0
        )
        records = sum(
            1
            for a in s.scalars(select(Analysis).where(Analysis.item_id.in_(derived)))
            if a.kind == FEATURES_KIND or _face_data(a.result)
        )
        hashes = int(
            s.scalar(
                select(func.count()).select_from(HashRecord).where(HashRecord.item_id.in_(derived))
            )
            or 0
        )
        others: dict[str, int] = {}
        for i in group:
            if i.case_id != case.id:
                others[i.case_id] = others.get(i.case_id, 0) + 1
        labels = {c.id: c.label for c in s.scalars(select(Case).where(Case.id.in_(sorted(others))))}
        exports, packets = _earlier_copies(s, case.id, own_ids)
        return MinorPlan(
            case_id=case.id,
            label=case.label,
            suspected_minor=case.suspected_minor,
            items_with_files=sum(1 for i in own if i.pixels_kept or i.blob_id is not None),
            stored_files=len({i.blob_id for i in group if i.blob_id is not None}),
            archives=len(_captures(s, case.id, group)),
            face_references=faces,
            pixel_records=records,
            hashes_kept=hashes,
            other_cases=[OtherCase(c, labels.get(c, ""), n) for c, n in sorted(others.items())],
            earlier_exports=exports,
            earlier_packets=packets,
        )


def _face_data(result: Any) -> bool:
    from ncii_desk.services.items import _holds_face_data

    return _holds_face_data(result)


def set_case_minor(
    vault: CaseStore,
    ref: str,
    value: bool,
    *,
    reason: str = "",
    operator: str | None = None,
) -> MinorSwitchResult:
    """Switch a case's "may be under 18" setting (module docstring). On: one transaction
    removes every stored byte of its pictures and videos (and the same files in other
    cases), keeps every hash and records it; off: only the flag changes, nothing comes back."""
    who = (operator or "").strip() or vault.actor
    why = reason.strip() or DEFAULT_REASON
    dropped = PixelsDropped()
    with vault.transaction() as s:
        case = find_case(s, ref)
        case_id, was = case.id, case.suspected_minor
        access.require(vault, case_id, access.Action.CASE_EDIT)
        own, group = _group(s, case_id)
        own_ids = [i.id for i in own]
        exports, packets = _earlier_copies(s, case_id, own_ids)
        others: dict[str, list[str]] = {}
        if value:
            cause = {"because_case": case_id}
            dropped = drop_pixels(
                vault,
                s,
                group,
                _captures(s, case_id, group),
                reason=why,
                operator=who,
                cause=cause,
                derived_of=own_ids,
            )
            for i in own:
                i.suspected_minor = True
            others = note_other_cases(vault, s, dropped, case_id, cause)
        case.suspected_minor = value
        hash_only = sum(1 for i in own if not i.pixels_kept)
        switched_here = len(dropped.by_case.get(case_id, []))
        removed = {
            "items_switched": switched_here,
            "other_cases": others,
            "files_deleted": len(dropped.item_blobs),
            "archives_removed": len(dropped.archive_blobs),
            "face_references_removed": dropped.face_references_removed,
            "analyses_removed": dropped.analyses_removed,
            "grids_removed": dropped.grids_removed,
        }
        if was != value or dropped.switched or dropped.blobs or dropped.analyses_removed:
            vault.audit(
                s,
                CASE_ACTION,
                case_id,
                {
                    "value": value,
                    "previous": was,
                    "reason": why if value else reason.strip(),
                    "operator": who,
                    "hashes_kept": dropped.perceptual_hashes if value else None,
                    "restored": 0,
                    **(removed if value else {"hash_only_items_stay": hash_only}),
                },
            )
    result = MinorSwitchResult(
        case=get_case(vault, case_id),
        value=value,
        changed=was != value,
        items_switched=switched_here,
        other_cases=others,
        files_deleted=len(dropped.item_blobs),
        archives_removed=len(dropped.archive_blobs),
        face_references_removed=dropped.face_references_removed,
        analyses_removed=dropped.analyses_removed,
        grids_removed=dropped.grids_removed,
        hash_only_items=hash_only,
        earlier_exports=exports,
        earlier_packets=packets,
    )
    with vault.session() as s:
        result.hashes_kept = int(
            s.scalar(
                select(func.count())
                .select_from(HashRecord)
                .join(EvidenceItem, EvidenceItem.id == HashRecord.item_id)
                .where(EvidenceItem.case_id == case_id)
            )
            or 0
        )
    result.warnings.extend(leftover_files(vault, dropped.blobs))
    if value:
        result.message = (
            f"The case is marked as possibly showing a person under 18. {ONLY_HASHES} "
            f"Deleted from the vault: {result.files_deleted} stored file(s) of "
            f"{result.items_switched} item(s), {result.archives_removed} web archive(s), "
            f"{result.face_references_removed} picked face(s) and {result.analyses_removed} "
            f"record(s) of face data or picture keypoints; {result.hashes_kept} perceptual "
            "hash(es) kept for matching."
        )
        if others:
            n = sum(len(v) for v in others.values())
            result.warnings.append(
                f"{n} item(s) in {len(others)} other case(s) held the same file(s) and are "
                "now kept as hashes only too (recorded in those cases' activity)."
            )
    else:
        result.message = (
            "The case is no longer marked as possibly showing a person under 18; files added "
            "from now on are kept in the vault. Nothing is restored: "
            f"{hash_only} item(s) recorded as hashes only stay that way."
        )
    if value and (exports or packets):
        result.warnings.append(
            f"Copies made earlier outside the vault are not touched: {exports} exported "
            f"file(s) or web archive(s) and {packets} evidence packet(s) of this case. Delete "
            "them from where they were saved."
        )
    return result
