"""Read-only questions the screens ask that no service answers in one call yet.

They run on worker threads like every vault call, and return plain dataclasses so no
database object ever reaches the GUI thread.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from ncii_desk.services.cases import find_case
from ncii_desk.services.matching import MatchView, list_matches
from ncii_desk.vault import Vault
from ncii_desk.vault.models import (
    AuditEvent,
    Capture,
    EvidenceItem,
    Match,
    RemovalRequest,
)


@dataclass(frozen=True)
class MatchRow:
    match: MatchView
    suspect_name: str
    target_name: str


def matches_with_names(vault: Vault, case_ref: str) -> list[MatchRow]:
    views = list_matches(vault, case_ref)
    with vault.session() as s:
        case = find_case(s, case_ref)
        names = {
            i.id: i.original_filename or i.id[:12]
            for i in s.scalars(select(EvidenceItem).where(EvidenceItem.case_id == case.id))
        }
    return [
        MatchRow(
            m,
            names.get(m.suspect_item_id, m.suspect_item_id[:12]),
            names.get(m.target_item_id, m.target_item_id[:12])
            if m.target_item_id
            else (m.target_external or ""),
        )
        for m in views
    ]


@dataclass(frozen=True)
class AuditRow:
    seq: int
    at: str
    actor: str
    action: str
    object_id: str | None
    details: dict[str, Any] = field(default_factory=dict)


def activity_for_case(vault: Vault, case_id: str, limit: int = 5000) -> list[AuditRow]:
    """The audit events about this case, its items, matches and requests, newest first."""
    with vault.session() as s:
        ids = {case_id}
        ids.update(s.scalars(select(EvidenceItem.id).where(EvidenceItem.case_id == case_id)))
        ids.update(s.scalars(select(Match.id).where(Match.case_id == case_id)))
        ids.update(s.scalars(select(RemovalRequest.id).where(RemovalRequest.case_id == case_id)))
        ids.update(s.scalars(select(Capture.id).where(Capture.case_id == case_id)))
        out: list[AuditRow] = []
        for ev in s.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())):
            try:
                details = json.loads(ev.details)
            except ValueError:
                details = {}
            if not isinstance(details, dict):
                details = {}
            if ev.object_id in ids or details.get("case_id") == case_id:
                out.append(AuditRow(ev.seq, ev.at, ev.actor, ev.action, ev.object_id, details))
                if len(out) >= limit:
                    break
        return out
