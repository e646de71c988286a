"""Read-only questions the screens ask about one case, answered in SQL filtered to that case
(or item) and returned as plain dataclasses: no database row leaves this module."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from ncii_desk.clinic.sealing import open_rows
from ncii_desk.services.cases import find_case
from ncii_desk.services.matching import MatchView, list_matches
from ncii_desk.vault.models import Analysis, EvidenceItem
from ncii_desk.vault.store import CaseStore


@dataclass(frozen=True)
class MatchRow:
    """A match with the names the screen shows for its two sides."""

    match: MatchView
    suspect_name: str
    target_name: str


def item_names(vault: CaseStore, case_ref: str) -> dict[str, str]:
    """Item id -> the name a screen shows (the original file name, else the id's start), for
    the items of this case only."""
    with vault.session() as s:
        case = find_case(s, case_ref)
        found = s.execute(
            select(EvidenceItem.id, EvidenceItem.case_id, EvidenceItem.original_filename).where(
                EvidenceItem.case_id == case.id
            )
        )
        rows = open_rows(s, "items", (r._mapping for r in found))
        return {r["id"]: r["original_filename"] or r["id"][:12] for r in rows}


def matches_with_names(vault: CaseStore, case_ref: str) -> list[MatchRow]:
    """The case's matches, each with its suspect's and target's names (an outside list's
    name for a hash-list match)."""
    views = list_matches(vault, case_ref)
    names = item_names(vault, case_ref)
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


def latest_findings(vault: CaseStore, item_id: str) -> list[dict[str, Any]]:
    """The analysis findings (signals) of an item's newest summary; [] if never analysed."""
    with vault.session() as s:
        row = s.scalars(
            select(Analysis)
            .where(Analysis.item_id == item_id, Analysis.kind == "summary")
            .order_by(Analysis.created_at.desc())
            .limit(1)
        ).first()
        if row is None:
            return []
        signals = row.result.get("signals", [])
        return [sig for sig in signals if isinstance(sig, dict)]


def manipulation_limits(validated: Sequence[str] = ()) -> str:
    """What the manipulation models can and cannot show, for findings whose scores came
    from the validated classifiers named in ``validated`` (the analysis summary's words)."""
    from ncii_desk.vision.summary import manipulation_limits as limits

    return limits(validated)
