"""The hand-out for the person the case is about: which platforms were contacted, when,
and what happens next.
"""

from __future__ import annotations

from datetime import UTC, datetime

from ncii_desk.documents.forms import Forms
from ncii_desk.documents.handout import Contacted, handout_docx, handout_letter, handout_pdf
from ncii_desk.services import access
from ncii_desk.services.cases import find_case
from ncii_desk.services.requests.clinic import clinic_zone, get_clinic
from ncii_desk.services.requests.tracker import list_requests
from ncii_desk.vault.store import CaseStore


def make_handout(
    vault: CaseStore,
    case_ref: str,
    *,
    now: datetime | None = None,
    forms: Forms | None = None,
    fmt: str = "pdf",
    language: str = "en",
) -> bytes:
    """The hand-out for the person the case is about, as PDF (``fmt`` "pdf") or DOCX
    ("docx"), with times in the clinic's zone, in ``language`` ("en" or "es") (recorded in
    the audit trail)."""
    now = now or datetime.now(UTC)
    views = list_requests(vault, case_ref, now=now)
    with vault.session() as s:
        case = find_case(s, case_ref)
        case_id, label, minor = case.id, case.label, case.suspected_minor
    access.require(vault, case_id, access.Action.CASE_EXPORT)
    contacted = [
        Contacted(
            platform=v.platform,
            route=v.route,
            sent_at=datetime.fromisoformat(v.sent_at) if v.sent_at else None,
            state=v.state,
        )
        for v in views
    ]
    letter = handout_letter(
        reference=label,
        minor=minor,
        contacted=contacted,
        clinic=get_clinic(vault),
        now=now,
        forms=forms,
        zone=clinic_zone(vault),
        language=language,
    )
    data = handout_docx(letter) if fmt == "docx" else handout_pdf(letter)
    with vault.transaction() as s:
        vault.audit(
            s,
            "handout.made",
            case_id,
            {"requests": len(views), "minor": minor, "language": language},
        )
    return data
