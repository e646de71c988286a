"""Dates and the 48-hour clock: letters dated when sent, refused and corrected sent times,
deadlines in the clinic's zone with its DST rule, follow-ups that cite a fresh re-check, and
the covered-platform question of a TAKE IT DOWN request."""

from __future__ import annotations

import hashlib
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import docx
import pytest
from clikit import run_cli
from sqlalchemy import select
from test_requests import (
    REDDIT_MEDIA,
    REDDIT_PAGE,
    T0,
    add_capture,
    add_recheck,
    form,
    pdf_text,
    stocked,
)

from conftest import PASSPHRASE, fast_kdf
from ncii_desk.documents.clock import local_and_utc, parse_local
from ncii_desk.documents.validators import MissingElements
from ncii_desk.errors import InvalidSetting
from ncii_desk.services import cases, settings
from ncii_desk.services import requests as tracker
from ncii_desk.vault import Vault
from ncii_desk.vault.models import AuditEvent, RecheckOutcome, RemovalRequest
from ncii_desk.vault.store import CaseStore

__all__ = ["stocked"]  # the fixture, used by name

NEW_YORK = ZoneInfo("America/New_York")
CASE = "Case 2026-014"
HOUR = timedelta(hours=1)


def reddit_draft(vault: Vault, now: datetime = T0, **changes: Any) -> str:
    drafted = tracker.draft_requests(vault, CASE, "takedown", form(**changes), now=now)
    return next(v.id for v in drafted.requests if v.platform == "Reddit")


def documents(vault: Vault, ref: str) -> dict[str, bytes]:
    return tracker.request_documents(vault, ref)


def docx_text(data: bytes) -> str:
    word = docx.Document(io.BytesIO(data))
    parts = [p.text for p in word.paragraphs]
    parts += [c.text for t in word.tables for r in t.rows for c in r.cells]
    return "\n".join(parts)


# --- 10: deadlines in the clinic's zone, with its DST rule ---------------------------------


def test_new_york_deadline_across_the_november_change_is_shown_in_est(
    store: CaseStore, stocked: dict[str, Any]
) -> None:
    settings.set_request_setting(store, "requests.time_zone", "America/New_York")
    sent = parse_local("2026-10-31 20:00", NEW_YORK)  # EDT, UTC-4
    assert sent == datetime(2026, 11, 1, 0, 0, tzinfo=UTC)
    ref = reddit_draft(store, now=sent - timedelta(hours=3))
    view = tracker.mark_sent(store, ref, at=sent, now=sent)
    # The clocks go back on 1 November: 48 hours later is 19:00 EST, not 20:00.
    assert view.deadline_at == "2026-11-03T00:00:00Z"
    assert view.sent_local == "2026-10-31 20:00 EDT (2026-11-01 00:00 UTC)"
    assert view.deadline_local == "2026-11-02 19:00 EST (2026-11-03 00:00 UTC)"
    assert view.zone == "America/New_York"
    # The letter is dated in New York time too, with UTC beside it.
    text = pdf_text(documents(store, ref)["takedown-reddit.pdf"])
    assert "2026-10-31 20:00 EDT (2026-11-01 00:00 UTC)" in text
    assert "2026-10-31" in text.split("Signature")[-1]  # the local date, not UTC's 11-01


def test_wall_clock_times_that_do_not_exist_or_repeat_are_refused() -> None:
    with pytest.raises(InvalidSetting, match="does not exist"):
        parse_local("2026-03-08 02:30", NEW_YORK)  # skipped by the spring change
    with pytest.raises(InvalidSetting, match="happened twice"):
        parse_local("2026-11-01 01:30", NEW_YORK)  # the hour repeated in November
    assert parse_local("2026-11-01 01:30-05:00", NEW_YORK).hour == 1
    assert local_and_utc(datetime(2026, 7, 1, 12, tzinfo=UTC), ZoneInfo("UTC")) == (
        "2026-07-01 12:00 UTC"
    )


def test_time_zone_setting_is_validated(store: CaseStore) -> None:
    with pytest.raises(InvalidSetting, match="not a known time zone"):
        settings.set_request_setting(store, "requests.time_zone", "Mars/Olympus")
    with pytest.raises(InvalidSetting, match="not a valid age"):
        settings.set_request_setting(store, "requests.followup_recheck_max_age_hours", "0")
    chosen = settings.set_request_setting(store, "requests.time_zone", "America/Chicago")
    assert chosen.zone_name == "America/Chicago"
    assert settings.request_settings(store).time_zone == "America/Chicago"


# --- 9: sent times that cannot be, and corrections ----------------------------------------


def test_sent_before_the_draft_is_refused(store: CaseStore, stocked: dict[str, Any]) -> None:
    ref = reddit_draft(store, now=T0)
    with pytest.raises(InvalidSetting, match="before the request was drafted"):
        tracker.mark_sent(store, ref, at=T0 - timedelta(minutes=1), now=T0 + timedelta(hours=1))
    assert tracker.get_request(store, ref).status == "draft"
    # The same minute as the draft is accepted (times are typed to the minute).
    ok = tracker.mark_sent(store, ref, at=T0, now=T0 + timedelta(hours=1))
    assert ok.sent_at == "2026-06-01T09:00:00Z"


def test_sent_in_the_future_is_refused_beyond_the_clock_skew(
    store: CaseStore, stocked: dict[str, Any]
) -> None:
    ref = reddit_draft(store, now=T0)
    now = T0 + timedelta(hours=2)
    with pytest.raises(InvalidSetting, match="in the future"):
        tracker.mark_sent(store, ref, at=now + timedelta(minutes=6), now=now)
    assert tracker.get_request(store, ref).status == "draft"
    view = tracker.mark_sent(store, ref, at=now + timedelta(minutes=4), now=now)
    assert view.status == "sent"


def test_correcting_the_sent_time_is_audited_and_moves_the_deadline(
    store: CaseStore, stocked: dict[str, Any]
) -> None:
    ref = reddit_draft(store, now=T0)
    later = T0 + timedelta(hours=6)
    with pytest.raises(Exception, match="has not been marked as sent"):
        tracker.correct_sent(store, ref, T0 + HOUR, "typo", now=later)
    tracker.mark_sent(store, ref, at=T0 + 3 * HOUR, now=later)
    with pytest.raises(InvalidSetting, match="needs a reason"):
        tracker.correct_sent(store, ref, T0 + HOUR, "  ", now=later)
    with pytest.raises(InvalidSetting, match="before the request was drafted"):
        tracker.correct_sent(store, ref, T0 - HOUR, "earlier", now=later)
    with pytest.raises(InvalidSetting, match="in the future"):
        tracker.correct_sent(store, ref, later + HOUR, "later", now=later)
    view = tracker.correct_sent(store, ref, T0 + HOUR, "e-mail sent at 10:00 UTC", now=later)
    assert view.sent_at == "2026-06-01T10:00:00Z"
    assert view.deadline_at == "2026-06-03T10:00:00Z"  # was 12:00, moved with the sent time
    event = view.history[-1]
    assert event["event"] == "sent_corrected"
    assert event["old_sent_at"] == "2026-06-01T12:00:00Z"
    assert event["old_deadline_at"] == "2026-06-03T12:00:00Z"
    assert event["reason"] == "e-mail sent at 10:00 UTC" and event["by"] == "test-advocate"
    with store.session() as s:
        audit = s.scalars(
            select(AuditEvent).where(AuditEvent.action == "request.sent_corrected")
        ).one()
    assert "2026-06-01T12:00:00Z" in audit.details and "e-mail sent at 10:00" in audit.details
    assert audit.actor == "test-advocate"
    # The stored letter now carries the corrected date.
    text = pdf_text(documents(store, ref)["takedown-reddit.pdf"])
    assert "2026-06-01 10:00 UTC" in text and "2026-06-01 12:00 UTC" not in text


# --- 8: a letter is dated when it is sent ---------------------------------------------------


def test_letter_is_dated_with_the_sent_time_and_the_draft_hash_stays_in_history(
    store: CaseStore, stocked: dict[str, Any]
) -> None:
    settings.set_request_setting(store, "requests.time_zone", "America/New_York")
    ref = reddit_draft(store, now=T0)  # 2026-06-01 05:00 EDT
    draft = documents(store, ref)
    draft_text = pdf_text(draft["takedown-reddit.pdf"])
    assert "2026-06-01 05:00 EDT (2026-06-01 09:00 UTC)" in draft_text
    sent = parse_local("2026-06-03 14:05", NEW_YORK)
    view = tracker.mark_sent(store, ref, at=sent, now=sent + HOUR)
    dated = documents(store, ref)
    text = pdf_text(dated["takedown-reddit.pdf"])
    assert "2026-06-03 14:05 EDT (2026-06-03 18:05 UTC)" in text
    assert "2026-06-01 05:00 EDT" not in text
    assert "Date 2026-06-03" in text  # the signature date
    word = docx_text(dated["takedown-reddit.docx"])
    assert "2026-06-03 14:05 EDT (2026-06-03 18:05 UTC)" in word and "2026-06-03" in word
    assert REDDIT_MEDIA in text and REDDIT_PAGE in text  # the same depictions
    drafted, sent_event = view.history[0], view.history[-1]
    draft_hashes = {n: hashlib.sha256(b).hexdigest() for n, b in draft.items()}
    assert drafted["documents"] == draft_hashes
    assert sent_event["letter_redated"] is True
    assert sent_event["replaced_documents"] == draft_hashes
    assert sent_event["documents"] == {n: hashlib.sha256(b).hexdigest() for n, b in dated.items()}
    assert sent_event["documents"] != draft_hashes


# --- 11: follow-ups say "still up" only after a fresh re-check -----------------------------


def _overdue_request(vault: Vault, stocked: dict[str, Any]) -> str:
    ref = reddit_draft(vault, now=T0)
    tracker.mark_sent(vault, ref, at=T0, now=T0)
    return ref


def test_followup_with_a_stale_recheck_says_as_of(
    store: CaseStore, stocked: dict[str, Any]
) -> None:
    ref = _overdue_request(store, stocked)
    capture_id = stocked["ids"]["reddit1"][0]
    checked = T0 + timedelta(hours=49)
    add_recheck(store, stocked["case"], capture_id, REDDIT_PAGE, RecheckOutcome.STILL_UP, checked)
    late = checked + timedelta(hours=30)  # older than the 24-hour default
    text = pdf_text(tracker.followup_letters(store, ref, form(), "followup", now=late).pdf())
    assert "As of our last check, on 2026-06-03 10:00 UTC, the content was still reachable" in text
    assert "does not say whether the content is still online now" in text
    assert "Content still online" not in text and ": still reachable" not in text
    assert "If any of the content listed above is still online" in text
    # A longer allowed age makes the same check recent enough.
    settings.set_request_setting(store, "requests.followup_recheck_max_age_hours", "48")
    text = pdf_text(tracker.followup_letters(store, ref, form(), "followup", now=late).pdf())
    assert "We checked on 2026-06-03 10:00 UTC: still reachable." in text


def test_followup_with_a_fresh_recheck_cites_it(store: CaseStore, stocked: dict[str, Any]) -> None:
    settings.set_request_setting(store, "requests.time_zone", "America/New_York")
    ref = _overdue_request(store, stocked)
    capture_id = stocked["ids"]["reddit1"][0]
    checked = T0 + timedelta(hours=70)
    add_recheck(store, stocked["case"], capture_id, REDDIT_PAGE, RecheckOutcome.STILL_UP, checked)
    now = checked + timedelta(hours=2)
    text = pdf_text(tracker.followup_letters(store, ref, form(), "followup", now=now).pdf())
    assert "Content still online" in text
    assert "We checked on 2026-06-04 03:00 EDT (2026-06-04 07:00 UTC): still reachable." in text
    assert "Please remove the content now" in text


def test_followup_without_any_recheck_makes_no_claim(
    store: CaseStore, stocked: dict[str, Any]
) -> None:
    ref = _overdue_request(store, stocked)
    text = pdf_text(
        tracker.followup_letters(store, ref, form(), "followup", now=T0 + timedelta(hours=60)).pdf()
    )
    assert "We have not checked the addresses again since the request was sent" in text
    assert "Content listed in our request" in text and "Content still online" not in text


# --- 12: the covered-platform question ----------------------------------------------------


def test_takedown_needs_the_covered_platform_answer(
    store: CaseStore, stocked: dict[str, Any]
) -> None:
    with pytest.raises(MissingElements) as caught:
        reddit_draft(store, covered_platform="")
    assert caught.value.missing == ["covered_platform"]
    assert "--covered-platform" in (caught.value.hint or "")


def test_covered_platform_answer_changes_the_wording(
    store: CaseStore, stocked: dict[str, Any]
) -> None:
    texts = {}
    for answer in ("yes", "no", "unsure"):
        drafted = tracker.draft_requests(
            store, CASE, "takedown", form(covered_platform=answer), platform="reddit", again=True
        )
        ref = drafted.requests[0].id
        assert drafted.requests[0].covered_platform == answer
        texts[answer] = pdf_text(documents(store, ref)["takedown-reddit.pdf"])
        view = tracker.mark_sent(store, ref)
        # Only a covered platform owes removal within 48 hours: only then is it tracked.
        assert (view.deadline_at is not None) == (answer == "yes")
    yes, no, unsure = texts["yes"], texts["no"], texts["unsure"]
    assert "requires of covered platforms" in yes and "within 48 hours of receiving" in yes
    for text in (no, unsure):
        assert "requires of covered platforms" not in text
        assert "within 48 hours of receiving" not in text
        assert "under its own policies" in text
        assert "Removal request under the TAKE IT DOWN Act" not in text
    assert 'If Reddit is a "covered platform" under the TAKE IT DOWN Act' in unsure
    assert "covered platform" not in no.split("Legal basis")[0]
    assert "notice-and-removal duty" not in no  # the Act's duty is not cited as the basis


# --- the command line -------------------------------------------------------------------


def test_cli_sent_takes_a_local_time_with_a_zone_and_corrects_it_with_a_reason(
    vault_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    vault, _ = Vault.create(vault_dir, PASSPHRASE, kdf=fast_kdf(), actor="test-advocate")
    case = cases.new_case(vault, "Case Z")
    add_capture(vault, case.id, "https://www.reddit.com/r/z/1", seed=30)
    drafted = tracker.draft_requests(
        vault, "Case Z", "takedown", form(), now=datetime(2026, 10, 31, 12, tzinfo=UTC)
    )
    ref = drafted.requests[0].id
    vault.close()
    monkeypatch.setenv("NCII_DESK_VAULT", str(vault_dir))
    monkeypatch.setenv("NCII_DESK_PASSPHRASE", PASSPHRASE)

    rc, out, err = run_cli(capsys, "requests", "sent", ref, "--correct", "--at", "2026-10-31")
    assert rc == 2 and "--correct needs" in err
    at = ("--at", "2026-10-31 20:00", "--zone", "America/New_York")
    rc, out, err = run_cli(capsys, "requests", "sent", ref, *at, "--json")
    assert rc == 0, err
    shown = json.loads(out)
    assert shown["sent_at"] == "2026-11-01T00:00:00Z"
    assert shown["deadline_at"] == "2026-11-03T00:00:00Z"
    rc, out, err = run_cli(
        capsys, "requests", "sent", ref, "--at", "2026-10-31 20:00", "--zone", "Mars/Base"
    )
    assert rc == 2 and "not a known time zone" in err
    rc, out, err = run_cli(
        capsys,
        "requests",
        "sent",
        ref,
        "--correct",
        "--at",
        "2026-10-31 21:30",
        "--zone",
        "America/New_York",
        "--reason",
        "the web form confirmation says 21:30",
        "--json",
    )
    assert rc == 0, err
    assert json.loads(out)["deadline_at"] == "2026-11-03T01:30:00Z"  # 20:30 EST
    rc, out, err = run_cli(capsys, "requests", "show", ref, "--json")
    history = json.loads(out)["history"]
    assert history[-1]["event"] == "sent_corrected"
    assert history[-1]["old_sent_at"] == "2026-11-01T00:00:00Z"
    assert history[-1]["reason"] == "the web form confirmation says 21:30"


def test_a_request_drafted_before_letter_inputs_keeps_its_letter_and_deadline(
    store: CaseStore, stocked: dict[str, Any]
) -> None:
    ref = reddit_draft(store, now=T0)
    with store.transaction() as s:
        row = s.get(RemovalRequest, ref)
        assert row is not None
        row.letter_inputs = None  # as stored by an earlier version
    before = documents(store, ref)
    view = tracker.mark_sent(store, ref, at=T0 + HOUR, now=T0 + HOUR)
    assert documents(store, ref) == before
    event = view.history[-1]
    assert event["letter_redated"] is False and "earlier version" in event["note"]
    assert event["documents"] == {n: hashlib.sha256(b).hexdigest() for n, b in before.items()}
    assert view.deadline_at == "2026-06-03T10:00:00Z"  # the 48 hours as before


def test_a_letter_that_cannot_be_rendered_again_is_kept_and_the_send_still_recorded(
    store: CaseStore, stocked: dict[str, Any]
) -> None:
    ref = reddit_draft(store, now=T0)
    with store.transaction() as s:
        row = s.get(RemovalRequest, ref)
        assert row is not None and row.letter_inputs is not None
        inputs = dict(row.letter_inputs)
        inputs["form"] = {**inputs["form"], "signature": ""}  # no longer a valid request
        row.letter_inputs = inputs
    before = documents(store, ref)
    view = tracker.mark_sent(store, ref, at=T0 + HOUR, now=T0 + HOUR)
    assert view.status == "sent" and documents(store, ref) == before
    event = view.history[-1]
    assert event["letter_redated"] is False
    assert "could not be dated again" in event["note"] and "signature" in event["note"]
