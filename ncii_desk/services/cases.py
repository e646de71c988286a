"""Cases: create, find, list with their counts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ncii_desk.errors import AmbiguousName, CaseNotFound, NciiDeskError
from ncii_desk.services.unhashed import unhashed_items
from ncii_desk.services.views import CaseView, iso
from ncii_desk.vault.models import Case, EvidenceItem, RemovalRequest, RequestStatus, Role
from ncii_desk.vault.store import CaseStore

OPEN_REQUEST_STATES = (RequestStatus.SENT, RequestStatus.ACKNOWLEDGED, RequestStatus.OVERDUE)


def new_case(
    vault: CaseStore,
    label: str,
    *,
    client_pseudonym: str = "",
    jurisdiction: str = "",
    notes: str = "",
    suspected_minor: bool = False,
    consent: dict[str, Any] | None = None,
) -> CaseView:
    label = label.strip()
    if not label:
        raise NciiDeskError("A case needs a label.", "Give a short label such as 'Case 2026-014'.")
    with vault.transaction() as s:
        clash = s.scalars(select(Case.id).where(func.lower(Case.label) == label.lower())).first()
        if clash is not None:
            raise NciiDeskError(
                f"A case labelled '{label}' already exists.",
                "Choose a different label, for example with a number or date added.",
            )
        case = Case(
            label=label,
            client_pseudonym=client_pseudonym.strip(),
            jurisdiction=jurisdiction.strip(),
            notes=notes,
            suspected_minor=suspected_minor,
            consent=consent or {},
        )
        s.add(case)
        s.flush()
        vault.audit(
            s,
            "case.created",
            case.id,
            {"suspected_minor": suspected_minor, "consent": sorted((consent or {}).keys())},
        )
        return CaseView.of(case)


def find_case(session: Session, ref: str) -> Case:
    """A case by id, unique id prefix (6+ characters) or exact label (case-insensitive)."""
    ref = ref.strip()
    case = session.get(Case, ref)
    if case is not None:
        return case
    matches = list(session.scalars(select(Case).where(func.lower(Case.label) == ref.lower())))
    if not matches and len(ref) >= 6:
        matches = list(session.scalars(select(Case).where(Case.id.startswith(ref.lower()))))
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise AmbiguousName(f"{len(matches)} cases match '{ref}'.")
    raise CaseNotFound(f"No case matches '{ref}'.")


def _counts(session: Session, case_id: str) -> dict[str, Any]:
    rows = session.execute(
        select(EvidenceItem.role, func.count())
        .where(EvidenceItem.case_id == case_id)
        .group_by(EvidenceItem.role)
    ).all()
    by_role = {role: n for role, n in rows}
    open_q = select(func.count(), func.min(RemovalRequest.deadline_at)).where(
        RemovalRequest.case_id == case_id, RemovalRequest.status.in_(OPEN_REQUEST_STATES)
    )
    open_count, nearest = session.execute(open_q).one()
    unhashed = unhashed_items(session, case_id)
    return {
        "originals": by_role.get(Role.ORIGINAL, 0),
        "references": by_role.get(Role.REFERENCE, 0),
        "suspects": by_role.get(Role.SUSPECT, 0),
        "open_requests": open_count,
        "nearest_deadline": iso(nearest) if isinstance(nearest, datetime) else None,
        "unhashed": len(unhashed.stored),
        "unhashed_hash_only": len(unhashed.hash_only),
    }


def list_cases(vault: CaseStore, include_closed: bool = True) -> list[CaseView]:
    with vault.session() as s:
        query = select(Case).order_by(Case.created_at)
        if not include_closed:
            query = query.where(Case.closed_at.is_(None))
        return [CaseView.of(c, **_counts(s, c.id)) for c in s.scalars(query)]


def get_case(vault: CaseStore, ref: str) -> CaseView:
    with vault.session() as s:
        case = find_case(s, ref)
        return CaseView.of(case, **_counts(s, case.id))
