"""The hand-out for the person a case is about: plain steps, who was contacted, support."""

from __future__ import annotations

import io
import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import docx
import pypdf
import pytest
from sqlalchemy import select

from conftest import PASSPHRASE, fast_kdf
from ncii_desk.cli.main import main
from ncii_desk.documents.handout import (
    Contacted,
    handout_docx,
    handout_letter,
    handout_pdf,
    local_time,
)
from ncii_desk.documents.letters import LetterForm, Sender
from ncii_desk.services import cases
from ncii_desk.services import requests as tracker
from ncii_desk.vault import Vault
from ncii_desk.vault.models import AuditEvent, Capture
from ncii_desk.vault.store import CaseStore

T0 = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


def pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def add_capture(vault: Vault, case_id: str, url: str) -> None:
    with vault.transaction() as s:
        s.add(Capture(case_id=case_id, url=url, started_at=T0 - timedelta(days=1)))


def test_adult_handout_lists_contacts_and_stopncii(store: CaseStore) -> None:
    case = cases.new_case(store, "Case H")
    add_capture(store, case.id, "https://www.reddit.com/r/a/1")
    add_capture(store, case.id, "https://x.com/u/status/2")
    tracker.set_clinic(
        store, name="Harbor Legal Clinic", email="help@harbor.example", phone="555-0100"
    )
    form = LetterForm(
        sender=Sender(
            name="Ana", email="help@harbor.example", representative=True, authority="Asked."
        ),
        signature="/s/ Ana",
        good_faith=True,
        covered_platform="yes",
    )
    # The captures hold no matched picture: the pages are listed as-is (--url).
    pages = ["https://www.reddit.com/r/a/1", "https://x.com/u/status/2"]
    drafted = tracker.draft_requests(store, "Case H", "takedown", form, extra_urls=pages, now=T0)
    reddit = next(v for v in drafted.requests if v.platform == "Reddit")
    tracker.mark_sent(store, reddit.id, at=T0 + timedelta(hours=2), now=T0 + timedelta(hours=2))
    pdf = tracker.make_handout(store, "Case H", now=T0 + timedelta(hours=3))
    text = pdf_text(pdf)
    assert "Your next steps" in text
    sent = local_time(T0 + timedelta(hours=2))  # the computer's zone: no clinic zone set
    assert f"Reddit Removal request (TAKE IT DOWN Act) {sent} sent, waiting for an answer" in text
    assert "X (formerly Twitter)" in text and "prepared, not sent yet" in text
    assert "48 hours" in text
    assert "StopNCII.org" in text and "Take It Down" not in text
    assert "own phone or computer" in text
    assert "844-878-2274" in text and "988" in text
    assert "Harbor Legal Clinic" in text and "help@harbor.example" in text
    assert "not legal advice" in text
    # Written for the client: no statute block, amounts or staff-only lines.
    assert "U.S.C." not in text and "§" not in text and "$" not in text
    assert "Last checked" not in text and "Legal basis" not in text
    assert "Prepared with" not in text and "before sending or filing" not in text
    assert "police if and when you want to" in text and "we can help" in text
    assert not re.search(r"\{\{|\}\}|\{%|\[[A-Z _]+\]", text)
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert all(not page["/Resources"].get("/XObject") for page in reader.pages)
    assert reader.metadata is not None and reader.metadata["/Author"] == "Harbor Legal Clinic"
    with store.session() as s:
        assert "handout.made" in list(s.scalars(select(AuditEvent.action)))


def test_minor_handout_points_to_take_it_down() -> None:
    letter = handout_letter(
        reference="Case M",
        minor=True,
        contacted=[Contacted("NCMEC", "ncmec", None, "draft")],
        clinic={"name": "Harbor"},
        now=T0,
    )
    text = pdf_text(handout_pdf(letter))
    assert "Take It Down (takeitdown.ncmec.org)" in text and "under 18" in text
    assert "StopNCII" not in text
    assert "1-800-843-5678" in text
    assert "Report details for NCMEC" in text
    # NCMEC first: before what was done, before the general helplines; no FTC.
    first = min(text.index("CyberTipline"), text.index("Take It Down"))
    assert first < text.index("What has been done so far") < text.index("844-878-2274")
    assert "Federal Trade Commission" not in text and "FTC" not in text
    assert "talk to the police" in text and "We can help you" in text
    assert "U.S.C." not in text and "$" not in text and "Prepared with" not in text


def test_handout_without_requests_and_with_hostile_text() -> None:
    letter = handout_letter(
        reference="<b>Case</b> {{ config }}",
        minor=False,
        contacted=[Contacted("<font size=40>Evil</font>", "takedown", T0, "overdue")],
        clinic={"name": "Clinic & <i>Co</i>", "email": "", "phone": ""},
        now=T0,
    )
    text = pdf_text(handout_pdf(letter))
    assert "<b>Case</b> {{ config }}" in text
    assert "<font size=40>Evil</font>" in text
    assert "deadline passed, we are following up" in text
    assert "Clinic & <i>Co</i>" in text
    empty = pdf_text(
        handout_pdf(handout_letter(reference="R", minor=False, contacted=[], clinic={}, now=T0))
    )
    assert "No requests have been recorded yet." in empty


def test_cli_handout(
    vault_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    vault, _ = Vault.create(vault_dir, PASSPHRASE, kdf=fast_kdf(), actor="test-advocate")
    cases.new_case(vault, "Case K", suspected_minor=True)
    vault.close()
    monkeypatch.setenv("NCII_DESK_VAULT", str(vault_dir))
    monkeypatch.setenv("NCII_DESK_PASSPHRASE", PASSPHRASE)
    out = tmp_path / "handout.pdf"
    assert main(["handout", "Case K", "--out", str(out)]) == 0
    assert "Take It Down" in pdf_text(out.read_bytes())
    capsys.readouterr()
    assert main(["handout", "Case K", "--out", str(out)]) == 1  # exists; not overwritten
    assert "already exists" in capsys.readouterr().err
    assert main(["handout", "Case K", "--out", str(out), "--overwrite"]) == 0


def test_handout_times_are_local_with_the_zone_rule() -> None:
    """Sent times and the date in the clinic's zone, summer and winter offsets alike."""
    new_york = ZoneInfo("America/New_York")
    summer = datetime(2026, 6, 1, 13, 0, tzinfo=UTC)
    winter = datetime(2026, 12, 1, 13, 0, tzinfo=UTC)
    letter = handout_letter(
        reference="R",
        minor=False,
        contacted=[
            Contacted("Reddit", "takedown", summer, "sent"),
            Contacted("Imgur", "takedown", winter, "sent"),
        ],
        clinic={"name": "Harbor"},
        now=datetime(2026, 12, 2, 3, 30, tzinfo=UTC),  # still Dec 1 in New York
        zone=new_york,
    )
    text = pdf_text(handout_pdf(letter))
    assert "2026-06-01 09:00 EDT" in text and "2026-12-01 08:00 EST" in text
    assert "13:00" not in text and "UTC" not in text
    assert "Date 2026-12-01" in text


@pytest.fixture
def chicago_clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The computer's own zone set to America/Chicago for the test."""
    monkeypatch.setenv("TZ", "America/Chicago")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_make_handout_uses_the_computers_zone_without_a_setting(
    store: CaseStore, chicago_clock: None
) -> None:
    case = cases.new_case(store, "Case Z")
    add_capture(store, case.id, "https://www.reddit.com/r/z/1")
    form = LetterForm(
        sender=Sender(name="Ana", email="a@h.example", representative=True, authority="Asked."),
        signature="/s/ Ana",
        good_faith=True,
        covered_platform="yes",
    )
    drafted = tracker.draft_requests(
        store, "Case Z", "takedown", form, extra_urls=["https://www.reddit.com/r/z/1"], now=T0
    )
    tracker.mark_sent(store, drafted.requests[0].id, at=T0, now=T0)
    text = pdf_text(tracker.make_handout(store, "Case Z", now=T0 + timedelta(hours=1)))
    assert "2026-06-01 04:00 CDT" in text and "09:00" not in text


def test_handout_docx_has_the_same_client_text() -> None:
    letter = handout_letter(
        reference="Case D",
        minor=False,
        contacted=[Contacted("Reddit", "takedown", T0, "sent")],
        clinic={"name": "Harbor"},
        now=T0,
        zone=ZoneInfo("Europe/Berlin"),
    )
    document = docx.Document(io.BytesIO(handout_docx(letter)))
    paragraphs = [p.text for p in document.paragraphs]
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    footer = " ".join(p.text for p in document.sections[0].footer.paragraphs)
    body = " ".join(paragraphs + cells)
    assert "Your next steps" in paragraphs
    assert any("police if and when you want to" in p for p in paragraphs)
    assert "2026-06-01 11:00 CEST" in cells
    assert "StopNCII.org" in body and "Take It Down" not in body
    assert "not legal advice" in footer and "Review and adapt" not in footer
    for staff in ("U.S.C.", "§", "$", "Last checked", "Legal basis", "Prepared with"):
        assert staff not in body
