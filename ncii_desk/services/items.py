"""Listing evidence items and exporting one, as a recorded (audited) action."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from ncii_desk.errors import ExportError, ItemNotFound, PixelsNotKept
from ncii_desk.services.cases import find_case
from ncii_desk.services.lookup import by_id
from ncii_desk.services.views import ItemView
from ncii_desk.vault import Vault
from ncii_desk.vault.models import Blob, EvidenceItem, Role

_UNSAFE_NAME = re.compile(r'[\x00-\x1f<>:"/\\|?*]')


def list_items(vault: Vault, case_ref: str, role: Role | None = None) -> list[ItemView]:
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


def get_item(vault: Vault, ref: str) -> ItemView:
    with vault.session() as s:
        return ItemView.of(find_item(s, ref))


def safe_filename(name: str, fallback: str) -> str:
    cleaned = _UNSAFE_NAME.sub("_", name).strip(" .")
    return cleaned or fallback


def export_item(
    vault: Vault, ref: str, dest: Path, *, reason: str = "", overwrite: bool = False
) -> Path:
    """Write an item's original bytes to ``dest`` (a file, or a folder to put it in).

    The bytes are authenticated in full before the file appears; the export is an audit
    event that records the item, its SHA-256, the file name used and the stated reason.
    """
    with vault.session() as s:
        item = find_item(s, ref)
        if not item.pixels_kept or item.blob_id is None:
            raise PixelsNotKept(
                "This item's file was deliberately not kept, so it cannot be exported."
            )
        blob = s.get(Blob, item.blob_id)
        assert blob is not None
        item_id, sha256 = item.id, item.sha256
        name = safe_filename(item.original_filename, f"item-{item.id[:12]}")
    target = (dest / name if dest.is_dir() else dest).expanduser().resolve()
    if target.exists() and not overwrite:
        raise ExportError(
            f"{target} already exists.", "Choose another name or folder, or allow overwriting."
        )
    vault.blobs.export(blob.id, target, vault.blob_info(blob))
    with vault.transaction() as s:
        vault.audit(
            s,
            "item.exported",
            item_id,
            {"sha256": sha256, "file_name": target.name, "reason": reason},
        )
    return target
