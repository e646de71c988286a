"""The hand-out for the person a case is about: plain steps, who was contacted, support."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pypdf
import pytest
from sqlalchemy import select

from conftest import PASSPHRASE, fast_kdf
from ncii_desk.cli.main import main
from ncii_desk.documents.handout import Contacted, handout_letter, handout_pdf
from ncii_desk.documents.letters import LetterForm, Sender
from ncii_desk.services import cases
from ncii_desk.services import requests as tracker
from ncii_desk.vault import Vault
from ncii_desk.vault.models import AuditEvent, Capture

T0 = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


def pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def add_capture(vault: Vault, case_id: str, url: str) -> None:
    with vault.transaction() as s:
        s.add(Capture(case_id=case_id, url=url, started_at=T0 - timedelta(days=1)))


def test_adult_handout_lists_contacts_and_stopncii(vault: Vault) -> None:
    case = cases.new_case(vault, "Case H")
    add_capture(vault, case.id, "https://www.reddit.com/r/a/1")
    add_capture(vault, case.id, "https://x.com/u/status/2")
    tracker.set_clinic(
        vault, name="Harbor Legal Clinic", email="help@harbor.example", phone="555-0100"
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
    drafted = tracker.draft_requests(vault, "Case H", "takedown", form, extra_urls=pages, now=T0)
    reddit = next(v for v in drafted.requests if v.platform == "Reddit")
    tracker.mark_sent(vault, reddit.id, at=T0 + timedelta(hours=2), now=T0 + timedelta(hours=2))
    pdf = tracker.make_handout(vault, "Case H", now=T0 + timedelta(hours=3))
    text = pdf_text(pdf)
    assert "Your next steps" in text
    assert (
        "Reddit Removal request (TAKE IT DOWN Act) 2026-06-01 11:00 sent, waiting for an answer"
        in text
    )
    assert "X (formerly Twitter)" in text and "prepared, not sent yet" in text
    assert "48 hours" in text
    assert "StopNCII.org" in text and "Take It Down" not in text
    assert "own phone or computer" in text
    assert "844-878-2274" in text and "988" in text
    assert "Harbor Legal Clinic" in text and "help@harbor.example" in text
    assert "not legal advice" in text
    assert "15 U.S.C. § 6851" in text and "Last checked: 2026-06-30" in text
    assert not re.search(r"\{\{|\}\}|\{%|\[[A-Z _]+\]", text)
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert all(not page["/Resources"].get("/XObject") for page in reader.pages)
    assert reader.metadata is not None and reader.metadata["/Author"] == "Harbor Legal Clinic"
    with vault.session() as s:
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
