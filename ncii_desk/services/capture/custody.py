"""An item's chain of custody: how it came in, and every recorded event since."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import or_, select

from ncii_desk.services.capture.records import _view
from ncii_desk.services.items import find_item
from ncii_desk.services.views import ItemView, event_view
from ncii_desk.vault.models import AuditEvent, Capture, Match
from ncii_desk.vault.store import CaseStore


@dataclass(frozen=True)
class CustodyView:
    item: dict[str, Any]
    capture: dict[str, Any] | None
    #: Every audit event about the item, its capture and its matches, oldest first.
    events: list[dict[str, Any]]
    audit_chain_ok: bool
    audit_events_total: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def custody(vault: CaseStore, item_ref: str) -> CustodyView:
    """An item's chain of custody: how it came in (capture or file intake record), and every
    recorded event since (hashing, matches and their review, exports, re-checks), with the
    audit chain verified."""
    with vault.session() as s:
        item = find_item(s, item_ref)
        capture = s.get(Capture, item.capture_id) if item.capture_id else None
        match_ids = list(
            s.scalars(
                select(Match.id).where(
                    or_(Match.suspect_item_id == item.id, Match.target_item_id == item.id)
                )
            )
        )
        objects = [item.id, *([capture.id] if capture else []), *match_ids]
        events = [
            event_view(e)
            for e in s.scalars(
                select(AuditEvent).where(AuditEvent.object_id.in_(objects)).order_by(AuditEvent.seq)
            )
        ]
        item_data = ItemView.of(item).as_dict() | {
            "capture_id": item.capture_id,
            "details": item.details,
        }
        capture_data = _view(s, capture).as_dict() if capture else None
    chain = vault.verify_audit()
    return CustodyView(item_data, capture_data, events, chain.ok, chain.events)
