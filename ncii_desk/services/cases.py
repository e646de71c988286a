"""Cases: create, find, list with their counts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ncii_desk.clinic.sealing import sealer_of
from ncii_desk.errors import AmbiguousName, CaseNotFound, NciiDeskError
from ncii_desk.services.unhashed import unhashed_counts
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
        if cases_labelled(s, label):
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


def cases_labelled(session: Session, label: str, *, exact: bool = False) -> list[Case]:
    """Cases with this label (any letter case unless ``exact``). On a clinic store the
    labels are sealed, so they are compared here after opening, not in SQL."""
    if sealer_of(session) is None:
        column = Case.label if exact else func.lower(Case.label)
        wanted = label if exact else label.lower()
        return list(session.scalars(select(Case).where(column == wanted)))
    if exact:
        return [c for c in session.scalars(select(Case)) if c.label == label]
    return [c for c in session.scalars(select(Case)) if (c.label or "").lower() == label.lower()]


def find_case(session: Session, ref: str) -> Case:
    """A case by id, unique id prefix (6+ characters) or exact label (case-insensitive)."""
    ref = ref.strip()
    case = session.get(Case, ref)
    if case is not None:
        return case
    matches = cases_labelled(session, ref)
    if not matches and len(ref) >= 6:
        matches = list(session.scalars(select(Case).where(Case.id.startswith(ref.lower()))))
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise AmbiguousName(f"{len(matches)} cases match '{ref}'.")
    raise CaseNotFound(f"No case matches '{ref}'.")


def _counts(session: Session, case_id: str) -> dict[str, Any]:
    return _counts_many(session, [case_id])[case_id]


def _counts_many(session: Session, case_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """The counts a case view shows, for many cases in a fixed number of queries (one
    round trip each on a clinic server, whatever the number of cases)."""
    ids = list(case_ids)
    by_role: dict[str, dict[Role, int]] = {c: {} for c in ids}
    requests: dict[str, tuple[int, Any]] = dict.fromkeys(ids, (0, None))
    unhashed: dict[str, tuple[int, int]] = {}
    for start in range(0, len(ids), _IN_CHUNK):
        chunk = ids[start : start + _IN_CHUNK]
        unhashed.update(unhashed_counts(session, chunk))
        for case_id, role, n in session.execute(
            select(EvidenceItem.case_id, EvidenceItem.role, func.count())
            .where(EvidenceItem.case_id.in_(chunk))
            .group_by(EvidenceItem.case_id, EvidenceItem.role)
        ):
            by_role[case_id][role] = n
        for case_id, n, nearest in session.execute(
            select(RemovalRequest.case_id, func.count(), func.min(RemovalRequest.deadline_at))
            .where(
                RemovalRequest.case_id.in_(chunk),
                RemovalRequest.status.in_(OPEN_REQUEST_STATES),
            )
            .group_by(RemovalRequest.case_id)
        ):
            requests[case_id] = (n, nearest)
    out: dict[str, dict[str, Any]] = {}
    for case_id in ids:
        roles = by_role[case_id]
        open_count, nearest = requests[case_id]
        stored, hash_only = unhashed[case_id]
        out[case_id] = {
            "originals": roles.get(Role.ORIGINAL, 0),
            "references": roles.get(Role.REFERENCE, 0),
            "suspects": roles.get(Role.SUSPECT, 0),
            "open_requests": open_count,
            "nearest_deadline": iso(nearest) if isinstance(nearest, datetime) else None,
            "unhashed": stored,
            "unhashed_hash_only": hash_only,
        }
    return out


#: Case ids per IN (...) list (SQLite allows 32,766 bound values; PostgreSQL more).
_IN_CHUNK = 500


def list_cases(vault: CaseStore, include_closed: bool = True) -> list[CaseView]:
    with vault.session() as s:
        query = select(Case).order_by(Case.created_at)
        if not include_closed:
            query = query.where(Case.closed_at.is_(None))
        found = list(s.scalars(query))
        counts = _counts_many(s, [c.id for c in found])
        return [CaseView.of(c, **counts[c.id]) for c in found]


def get_case(vault: CaseStore, ref: str) -> CaseView:
    with vault.session() as s:
        case = find_case(s, ref)
        return CaseView.of(case, **_counts(s, case.id))
