"""Listing evidence items, exporting one (a recorded, audited action), and switching an
item already stored to hashes only (:func:`mark_hash_only`)."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from ncii_desk import cmdline
from ncii_desk.clinic.hashseal import probes
from ncii_desk.errors import (
    ExportError,
    InvalidSetting,
    ItemNotFound,
    PixelsNotKept,
)
from ncii_desk.services import access
from ncii_desk.services.cases import find_case
from ncii_desk.services.lookup import by_id
from ncii_desk.services.views import ItemView, iso
from ncii_desk.vault.models import (
    Analysis,
    Answer,
    Blob,
    Capture,
    EvidenceItem,
    FaceReference,
    HashRecord,
    Role,
    TakenBy,
)
from ncii_desk.vault.store import CaseStore

_UNSAFE_NAME = re.compile(r'[\x00-\x1f<>:"/\\|?*]')


def list_items(vault: CaseStore, case_ref: str, role: Role | None = None) -> list[ItemView]:
    with vault.session() as s:
        case = find_case(s, case_ref)
        query = select(EvidenceItem).where(EvidenceItem.case_id == case.id)
        if role is not None:
            query = query.where(EvidenceItem.role == role)
        query = query.order_by(EvidenceItem.intake_at, EvidenceItem.id)
        return [ItemView.of(i) for i in s.scalars(query)]


def find_item(session: Session, ref: str) -> EvidenceItem:
    """An item by id or unique id prefix (6+ characters)."""
    missing = ItemNotFound(f"No item has the id '{ref.strip()}'.")
    return by_id(session, EvidenceItem, ref, what="item", missing=missing)


def get_item(vault: CaseStore, ref: str) -> ItemView:
    with vault.session() as s:
        return ItemView.of(find_item(s, ref))


def safe_filename(name: str, fallback: str) -> str:
    cleaned = _UNSAFE_NAME.sub("_", name).strip(" .")
    return cleaned or fallback


def export_item(
    vault: CaseStore, ref: str, dest: Path, *, reason: str = "", overwrite: bool = False
) -> Path:
    """Write an item's original bytes to ``dest`` (a file, or a folder to put it in).

    The bytes are authenticated in full before the file appears; the export is an audit
    event that records the item, its SHA-256, the file name used and the stated reason.
    """
    with vault.session() as s:
        item = find_item(s, ref)
        access.require(vault, item.case_id, access.Action.CASE_EXPORT)
        if not item.pixels_kept or item.blob_id is None:
            raise PixelsNotKept(
                "This item's file was deliberately not kept, so it cannot be exported."
            )
        blob = s.get(Blob, item.blob_id)
        assert blob is not None
        item_id, sha256 = item.id, item.sha256
        name = safe_filename(item.original_filename, f"item-{item.id[:12]}")
    target = (dest / name if dest.is_dir() else dest).expanduser().resolve()
    details = {"sha256": sha256, "reason": reason}
    return export_blob(vault, blob, target, overwrite, ("item.exported", item_id, details))


def export_blob(
    vault: CaseStore,
    blob: Blob,
    target: Path,
    overwrite: bool,
    event: tuple[str, str, dict[str, Any]],
) -> Path:
    """Decrypt ``blob`` to ``target`` (authenticated in full before the file appears) and
    record ``event`` (action, object id, details; the file name is added) in the audit log."""
    if target.exists() and not overwrite:
        raise ExportError(
            f"{target} already exists.", "Choose another name or folder, or allow overwriting."
        )
    vault.blobs_of(blob).export(blob.id, target, vault.blob_info(blob))
    action, object_id, details = event
    with vault.transaction() as s:
        vault.audit(s, action, object_id, details | {"file_name": target.name})
    return target


# --- switching an item already stored to hashes only ------------------------------------------

HASH_ONLY_ACTION = "item.hash_only"


@dataclass(frozen=True)
class HashOnlyPlan:
    """What :func:`mark_hash_only` would change, for a confirmation before doing it."""

    item_id: str
    #: Items holding the same bytes, switched together with it (this case and others).
    copies: list[ItemView]
    #: Cases other than the item's own that have one of those copies.
    other_cases: int
    #: Web captures whose archive (WARC) holds these bytes and is removed with them.
    archives: int
    #: True when nothing of these bytes is kept any more (nothing to do).
    already: bool

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class HashOnlyResult:
    item_id: str
    #: Every item switched: the item and each copy holding the same bytes.
    switched: list[str] = field(default_factory=list)
    already: bool = False
    blobs_deleted: int = 0
    #: Captures whose web archive (WARC) was removed because it held these bytes.
    archives_removed: list[str] = field(default_factory=list)
    face_references_removed: int = 0
    analyses_removed: int = 0
    #: Perceptual hashes kept for the switched items (matching goes on with them).
    perceptual_hashes: int = 0
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _same_bytes(s: Session, item: EvidenceItem) -> list[EvidenceItem]:
    """Items anywhere in the vault that still keep the bytes of ``item`` (same SHA-256, or
    the same blob), the item itself first when it keeps them."""
    same: list[ColumnElement[bool]] = [
        EvidenceItem.sha256.in_(probes(s, "items", "sha256", [item.sha256]))
    ]
    if item.blob_id is not None:
        same.append(EvidenceItem.blob_id == item.blob_id)
    rows = s.scalars(
        select(EvidenceItem)
        .where(or_(*same))
        .where(or_(EvidenceItem.pixels_kept.is_(True), EvidenceItem.blob_id.is_not(None)))
        .order_by(EvidenceItem.intake_at, EvidenceItem.id)
    )
    return sorted(rows, key=lambda i: i.id != item.id)


def archived_in(s: Session, group: list[EvidenceItem]) -> list[Capture]:
    capture_ids = {i.capture_id for i in group if i.capture_id}
    if not capture_ids:
        return []
    return list(
        s.scalars(
            select(Capture)
            .where(Capture.id.in_(capture_ids), Capture.warc_blob_id.is_not(None))
            .order_by(Capture.id)
        )
    )


def hash_only_plan(vault: CaseStore, ref: str) -> HashOnlyPlan:
    with vault.session() as s:
        item = find_item(s, ref)
        group = _same_bytes(s, item)
        copies = [ItemView.of(i) for i in group if i.id != item.id]
        return HashOnlyPlan(
            item_id=item.id,
            copies=copies,
            other_cases=len({c.case_id for c in copies} - {item.case_id}),
            archives=len(archived_in(s, group)),
            already=not group,
        )


def _holds_face_data(result: Any) -> bool:
    """Face embeddings or landmarks (the gallery's face search stores them per face)."""
    faces = result.get("faces") if isinstance(result, dict) else None
    return isinstance(faces, list) and any(
        isinstance(f, dict) and ("embedding" in f or "landmarks" in f) for f in faces
    )


#: Analysis rows of this kind keep a coarse grid (32 x 32) of where a suspect differs from an
#: original: for a picture that may show a minor that outline is removed, the numbers stay.
DERIVATION_KIND = "derivation"


@dataclass
class PixelsDropped:
    """What one switch to hashes only removed, inside the caller's transaction."""

    #: Items switched now (they kept their bytes until now), in the order given.
    switched: list[str] = field(default_factory=list)
    #: Case id -> the switched items of that case.
    by_case: dict[str, list[str]] = field(default_factory=dict)
    #: Stored files of the items (each kept once however many items shared it).
    item_blobs: list[str] = field(default_factory=list)
    #: Captures whose web archive (WARC) was removed, and the archives' blobs.
    archives_removed: list[str] = field(default_factory=list)
    archive_blobs: list[str] = field(default_factory=list)
    #: Screenshots of those pages (drawn from the WARC, so they show the pictures too).
    screenshot_blobs: list[str] = field(default_factory=list)
    face_references_removed: int = 0
    analyses_removed: int = 0
    #: Derivation results whose coarse altered-region grid was removed (numbers kept).
    grids_removed: int = 0
    #: Perceptual hashes kept for the switched items (matching goes on with them).
    perceptual_hashes: int = 0

    @property
    def blobs(self) -> list[str]:
        return [*self.item_blobs, *self.archive_blobs, *self.screenshot_blobs]


def same_bytes_elsewhere(s: Session, sha256s: set[str], blob_ids: set[str]) -> list[EvidenceItem]:
    """Items anywhere in the vault that still keep bytes with one of these SHA-256 digests
    (or one of these blobs)."""
    if not sha256s and not blob_ids:
        return []
    same = []
    if sha256s:
        same.append(EvidenceItem.sha256.in_(probes(s, "items", "sha256", sorted(sha256s))))
    if blob_ids:
        same.append(EvidenceItem.blob_id.in_(sorted(blob_ids)))
    return list(
        s.scalars(
            select(EvidenceItem)
            .where(or_(*same))
            .where(or_(EvidenceItem.pixels_kept.is_(True), EvidenceItem.blob_id.is_not(None)))
            .order_by(EvidenceItem.intake_at, EvidenceItem.id)
        )
    )


def drop_pixels(
    vault: CaseStore,
    s: Session,
    group: list[EvidenceItem],
    captures: list[Capture],
    *,
    reason: str,
    operator: str,
    cause: dict[str, Any] | None = None,
    derived_of: list[str] | None = None,
) -> PixelsDropped:
    """Inside a write transaction: switch ``group`` to hashes only and remove what holds
    their pixels. Every hash stays (SHA-256, MD5, HashRecord rows), so do analyses that hold
    numbers only; the items' blobs and the web archives (WARC) of ``captures`` are dropped
    (``CaseStore.drop_blob``: the rows now, the files right after the commit, crash-safe); the
    picked reference faces, face embeddings and landmarks, local-feature keypoints and
    derivation grids of the items (and of ``derived_of``, items already without bytes) go.
    Each switched item gets an ``item.hash_only`` event with the reason and ``cause``.

    All or nothing: nothing is deleted unless the caller's transaction commits."""
    from ncii_desk.services.matching import FEATURES_KIND

    out = PixelsDropped()
    changed = [i for i in group if i.pixels_kept or i.blob_id is not None]
    ids = [i.id for i in group]
    out.item_blobs = sorted({i.blob_id for i in changed if i.blob_id is not None})
    for i in group:
        i.blob_id = None
        i.pixels_kept = False
        i.suspected_minor = True
    now = datetime.now(UTC)
    for capture in captures:
        if capture.warc_blob_id is None:
            continue
        warc = s.get(Blob, capture.warc_blob_id)
        out.archive_blobs.append(capture.warc_blob_id)
        capture.warc_blob_id = None
        details = dict(capture.details or {})
        details["warc"] = {
            "kept": False,
            "why": "removed: it held a file later switched to hashes only (possible minor)",
            "removed_at": iso(now),
            "sha256": warc.sha256 if warc is not None else None,
            "size": warc.size if warc is not None else None,
        }
        shot = details.get("screenshot") or {}
        if shot.get("blob_id"):
            out.screenshot_blobs.append(str(shot["blob_id"]))
            details["screenshot"] = {
                "made": False,
                "removed": True,
                "note": "removed with the WARC: the page held a file later switched to hashes "
                "only (possible minor)",
                "removed_at": iso(now),
                "sha256": shot.get("sha256"),
            }
        capture.details = details
        out.archives_removed.append(capture.id)
    derived = sorted({*ids, *(derived_of or [])})
    faces = list(s.scalars(select(FaceReference).where(FaceReference.item_id.in_(derived))))
    for ref in faces:
        s.delete(ref)
    analyses: list[Analysis] = []
    for a in s.scalars(select(Analysis).where(Analysis.item_id.in_(derived))):
        # local-feature keypoints and descriptors can give a rough picture back
        if a.kind == FEATURES_KIND or _holds_face_data(a.result):
            analyses.append(a)
            s.delete(a)
        elif a.kind == DERIVATION_KIND and isinstance(a.result, dict) and a.result.get("grid"):
            result = dict(a.result)
            result["grid"] = []
            result["grid_removed"] = "possible minor: the outline of the altered region"
            a.result = result
            out.grids_removed += 1
    out.face_references_removed = len(faces)
    out.analyses_removed = len(analyses)
    out.perceptual_hashes = int(
        s.scalar(select(func.count()).select_from(HashRecord).where(HashRecord.item_id.in_(ids)))
        or 0
    )
    switched = [i.id for i in changed]
    for i in changed:
        out.switched.append(i.id)
        out.by_case.setdefault(i.case_id, []).append(i.id)
        vault.audit(
            s,
            HASH_ONLY_ACTION,
            i.id,
            {
                "reason": reason,
                "operator": operator,
                "case_id": i.case_id,
                "sha256": i.sha256,
                "switched_with": [x for x in switched if x != i.id],
                "stored_file_deleted": bool(out.item_blobs),
                "archives_removed": out.archives_removed,
                "face_references_removed": sum(1 for f in faces if f.item_id == i.id),
                "analyses_removed": sorted({a.kind for a in analyses if a.item_id == i.id}),
                **(cause or {}),
            },
        )
    for blob_id in out.blobs:
        vault.drop_blob(s, blob_id)
    return out


def leftover_files(vault: CaseStore, blob_ids: list[str]) -> list[str]:
    """Warnings for dropped blobs whose file is still there after the commit."""
    left = [b for b in blob_ids if vault.blobs.exists(b)]
    if not left:
        return []
    return [
        f"{len(left)} stored file(s) could not be deleted yet; they are deleted the next "
        "time the vault is opened."
    ]


def mark_hash_only(
    vault: CaseStore, item_ref: str, reason: str, operator: str | None = None
) -> HashOnlyResult:
    """Switch an item already stored to hashes only (it may show a person under 18).

    In one transaction (see :func:`drop_pixels`): every hash stays, the stored bytes go with
    what was derived from the pixels and could show them or the face, and the web archive
    (WARC) of a capture that holds the bytes. The item is marked suspected minor with
    ``pixels_kept`` False, and each switched item gets an ``item.hash_only`` audit event.

    Copies: bytes are stored once for every item that has them, and bytes recorded hash-only
    are never stored again anywhere in the vault. So every item holding the same bytes (the
    same SHA-256, in this case or another) is switched together; :func:`hash_only_plan` says
    beforehand which items that concerns.
    """
    reason = reason.strip()
    if not reason:
        raise InvalidSetting(
            "A reason is needed to keep an item as hashes only.",
            "Say briefly why, e.g. 'the person may be under 18'.",
        )
    who = (operator or "").strip() or vault.actor
    result = HashOnlyResult(item_id="")
    with vault.transaction() as s:
        item = find_item(s, item_ref)
        access.require(vault, item.case_id, access.Action.ITEM_EDIT)
        result.item_id = item.id
        group = _same_bytes(s, item)
        if not group:
            result.already = True
            if not item.suspected_minor:
                item.suspected_minor = True
                vault.audit(
                    s,
                    HASH_ONLY_ACTION,
                    item.id,
                    {"reason": reason, "operator": who, "sha256": item.sha256, "already": True},
                )
            return result
        dropped = drop_pixels(vault, s, group, archived_in(s, group), reason=reason, operator=who)
    result.switched = dropped.switched
    result.archives_removed = dropped.archives_removed
    result.face_references_removed = dropped.face_references_removed
    result.analyses_removed = dropped.analyses_removed
    result.perceptual_hashes = dropped.perceptual_hashes
    result.blobs_deleted = len(dropped.blobs)
    result.warnings.extend(leftover_files(vault, dropped.blobs))
    if result.perceptual_hashes == 0:
        result.warnings.append(
            "This item had no perceptual hashes yet, so only exact copies (same SHA-256 or "
            "MD5) can be found from now on."
        )
    return result


COPIES_ACTION = "case.copies_hash_only"


def note_other_cases(
    vault: CaseStore, s: Session, dropped: PixelsDropped, own_case: str, cause: dict[str, Any]
) -> dict[str, list[str]]:
    """One ``case.copies_hash_only`` event per other case whose items were switched because
    they held the same bytes; returns case id -> its switched items."""
    others = {c: ids for c, ids in dropped.by_case.items() if c != own_case}
    for case_id, ids in sorted(others.items()):
        vault.audit(
            s,
            COPIES_ACTION,
            case_id,
            {
                "case_id": case_id,
                "items": ids,
                "because_case": own_case,
                "why": "the same file is in a case marked as possibly showing a person under "
                "18; no copy of its pixels is kept anywhere in the vault",
                **cause,
            },
        )
    return others


# --- copyright of an original (what a DMCA notice may rely on) --------------------------------

COPYRIGHT_ACTION = "item.copyright"


def set_copyright(
    vault: CaseStore,
    ref: str,
    *,
    taken_by: TakenBy | str | None = None,
    client_holds_copyright: Answer | str | None = None,
) -> ItemView:
    """Record who took an original and whether the client holds its copyright.

    Only originals carry these facts: a DMCA notice lists a copy only when the original it
    was matched to is marked as the client's (taken by the client, or copyright held = yes)
    and was not taken by someone else. Only the values given change; each change is an
    audit event with the old and new values.
    """
    try:
        who = None if taken_by is None else TakenBy(str(taken_by).strip().lower())
        holds = (
            None
            if client_holds_copyright is None
            else Answer(str(client_holds_copyright).strip().lower())
        )
    except ValueError as exc:
        raise InvalidSetting(
            "Who took the picture must be client, other or unknown, and whether the "
            "client holds the copyright yes, no or unknown.",
            "For example: --taken-by client --client-holds-copyright yes.",
        ) from exc
    with vault.transaction() as s:
        item = find_item(s, ref)
        access.require(vault, item.case_id, access.Action.ITEM_EDIT)
        if item.role != Role.ORIGINAL:
            raise InvalidSetting(
                f"Item {item.id[:12]} is a {item.role.value}, not an original: copyright is "
                "recorded only for the client's originals.",
                "List the case's originals with "
                f"{cmdline.command('item', 'list', item.case.label, '--role', 'original')}.",
            )
        before = {
            "taken_by": str(item.taken_by or TakenBy.UNKNOWN),
            "client_holds_copyright": str(item.client_holds_copyright or Answer.UNKNOWN),
        }
        if who is not None:
            item.taken_by = who
        if holds is not None:
            item.client_holds_copyright = holds
        after = {
            "taken_by": str(item.taken_by or TakenBy.UNKNOWN),
            "client_holds_copyright": str(item.client_holds_copyright or Answer.UNKNOWN),
        }
        if after != before:
            vault.audit(s, COPYRIGHT_ACTION, item.id, {"before": before, "after": after})
        s.flush()
        return ItemView.of(item)
