"""Letters after the deadline: the 48-hour follow-up and the FTC complaint summary, with
what they may say about whether the content is online now.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

from ncii_desk.documents.clock import local_and_utc
from ncii_desk.documents.forms import Forms, load_forms
from ncii_desk.documents.letters import Letter, LetterForm, build_letters
from ncii_desk.errors import InvalidSetting
from ncii_desk.services import access
from ncii_desk.services.requests.depictions import _CaseRecords
from ncii_desk.services.requests.drafting import _with_reference
from ncii_desk.services.requests.records import (
    DEADLINE_ROUTES,
    RecheckView,
    RequestStateError,
    RequestView,
    _change,
    _view,
    find_request,
)
from ncii_desk.services.requests.tracker import CONTENT_EVENTS
from ncii_desk.services.settings import request_settings_in
from ncii_desk.vault.models import Case
from ncii_desk.vault.store import CaseStore


def followup_letters(
    vault: CaseStore,
    ref: str,
    form: LetterForm,
    kind: str,
    *,
    now: datetime | None = None,
    forms: Forms | None = None,
) -> Letter:
    """The 48-hour follow-up ("followup") or FTC complaint summary ("escalation")."""
    if kind not in ("followup", "escalation"):
        raise InvalidSetting(f"Unknown follow-up document '{kind}'.")
    forms = forms or load_forms()
    now = now or datetime.now(UTC)
    with vault.session() as s:
        row = find_request(s, ref)
        access.require(vault, row.case_id, access.Action.LETTER_DRAFT)
        view = _view(s, row, now)
        case = s.get(Case, row.case_id)
        assert case is not None
        case_label = case.label
        pseudonym = case.client_pseudonym.strip()
        depictions = _CaseRecords(s, case).request_depictions(row)
    if row.route not in DEADLINE_ROUTES or not view.overdue:
        raise RequestStateError(
            "A follow-up is for a TAKE IT DOWN request whose 48-hour deadline has passed "
            "without removal.",
            f"This request is {view.state}"
            + (f", deadline {view.deadline_at}." if view.deadline_at else "."),
        )
    overdue_by = now - (row.deadline_at or now)
    hours = int(overdue_by.total_seconds() // 3600)
    with vault.session() as s:
        settings = request_settings_in(s)
    zone = settings.zone
    content = _content_claim(view, now, settings.followup_recheck_max_age_hours, zone)
    original = {
        "sent_at": local_and_utc(row.sent_at, zone),
        "deadline_at": local_and_utc(row.deadline_at, zone),
        "ticket_id": row.ticket_id or "",
        "status": view.state,
        "past_deadline": _duration(hours),
    }
    outcomes = {"still_up": "still up", "changed": "changed", "gone": "gone", "error": "error"}
    rechecks = tuple(
        (
            r.checked_at or "",
            r.url,
            outcomes.get(r.outcome, r.outcome)
            + (f" (HTTP {r.http_status})" if r.http_status else ""),
        )
        for r in view.rechecks
    )
    history = tuple((str(e.get("at", "")), _describe_event(e)) for e in view.history)
    form = form if form.reference else _with_reference(form, case_label)
    if not form.pseudonym and pseudonym:
        form = replace(form, pseudonym=pseudonym)
    letters = build_letters(
        kind,
        form,
        depictions,
        forms=forms,
        now=now,
        extra_fixed={"content": content},
        extra_user={"original": original},
        extra_tables={"rechecks": rechecks, "history": history},
        zone=zone,
    )
    if len(letters) != 1:  # the URLs of one request belong to one platform
        raise RequestStateError("The request's addresses span several platforms.")
    _change(vault, row.id, f"{kind}_made", lambda _row: {"document": kind}, now)
    return letters[0]


def _content_claim(
    view: RequestView, now: datetime, max_age_hours: int, zone: tzinfo
) -> dict[str, Any]:
    """What a follow-up may say about whether the content is online now.

    It says the content is still up only when the newest re-check of every re-checked
    address found it up and that re-check is at most ``max_age_hours`` old; it then cites
    that check. Otherwise it says what the last check found "as of" its time and makes no
    claim about now (or that no check was made since the request was sent).
    """
    newest: dict[str, RecheckView] = {}
    for r in view.rechecks:  # oldest first
        if r.outcome != "error" and r.checked_at:
            newest[r.url] = r
    if not newest:
        return {
            "still_up_now": False,
            "checked_at": "",
            "sentence": "We have not checked the addresses again since the request was sent, "
            "so this letter does not say whether the content is still online now.",
        }
    times = [
        datetime.fromisoformat(str(r.checked_at).replace("Z", "+00:00")) for r in newest.values()
    ]
    last, first = max(times), min(times)
    up = all(r.outcome in ("still_up", "changed") for r in newest.values())
    gone = all(r.outcome == "gone" for r in newest.values())
    fresh = now - first <= timedelta(hours=max_age_hours)
    when = local_and_utc(last, zone)
    if up and fresh:
        sentence = f"We checked on {when}: still reachable."
        if len(newest) > 1:
            sentence = (
                f"We checked every address listed below, most recently on {when} (each "
                f"within the last {max_age_hours} hours): still reachable."
            )
        return {"still_up_now": True, "checked_at": when, "sentence": sentence}
    if up:
        found = "the content was still reachable"
    elif gone:
        found = "the content was no longer reachable at the addresses checked"
    else:
        found = "some of the content was still reachable and some was not (see below)"
    return {
        "still_up_now": False,
        "checked_at": when,
        "sentence": f"As of our last check, on {when}, {found}. We have not checked since, so "
        "this letter does not say whether the content is still online now.",
    }


def _duration(hours: int) -> str:
    days, rest = divmod(hours, 24)
    parts = [f"{days} day{'' if days == 1 else 's'}"] if days else []
    return " ".join([*parts, f"{rest} hour{'' if rest == 1 else 's'}"])


def _describe_event(event: dict[str, Any]) -> str:
    name = str(event.get("event", ""))
    if name == "sent":
        return f"Marked as sent; deadline {event.get('deadline_at') or 'none'}"
    if name == "sent_corrected":
        return (
            f"Time sent corrected from {event.get('old_sent_at') or '-'} to "
            f"{event.get('sent_at') or '-'} ({event.get('reason', '')}); deadline "
            f"{event.get('deadline_at') or 'none'}"
        )
    if name == "ticket":
        return f"Platform reference recorded: {event.get('ticket_id', '')}"
    if name == "status":
        note = f" ({event['note']})" if event.get("note") else ""
        return f"Status set to {event.get('status', '')}{note}"
    if name == "drafted":
        return "Request drafted"
    if name == "exported":
        return "Documents exported"
    if name in CONTENT_EVENTS:
        return f"Re-check of {event.get('url', '')}: {event.get('note', '')}"
    if name in ("followup_made", "escalation_made"):
        return "Follow-up letter prepared" if name == "followup_made" else "FTC summary prepared"
    return name
