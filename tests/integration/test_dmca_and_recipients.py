"""DMCA notices only where copyright holds, and only what each recipient needs.

A DMCA notice lists only copies matched by their pixels, and confirmed by a reviewer, to
originals individually marked as the client's; everything else is named with the reason and
the TAKE IT DOWN route is suggested. The client's legal name goes only to platforms whose
process requires it. Checked on the generated PDF text (pypdf) and DOCX paragraphs.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from clikit import run_cli
from PIL import Image
from sqlalchemy import func, select
from test_letters import docx_text, pdf_text, squeeze
from test_requests import form

from conftest import PASSPHRASE, fast_kdf
from ncii_desk.documents.letters import LetterForm
from ncii_desk.errors import InvalidSetting
from ncii_desk.services import cases, items
from ncii_desk.services import requests as tracker
from ncii_desk.vault import Vault
from ncii_desk.vault.models import (
    Answer,
    AuditEvent,
    Capture,
    EvidenceItem,
    Match,
    RemovalRequest,
    ReviewState,
    Role,
    Source,
    TakenBy,
)
from ncii_desk.vault.store import CaseStore

T0 = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
PAGE = "https://www.reddit.com/r/a/comments/1"
LEGAL_NAME = "Jane Quinn Legalname"


def dmca_form(**changes: Any) -> LetterForm:
    """The tracker tests' letter form with what a DMCA notice needs besides."""
    dmca: dict[str, Any] = {
        "work": "Photographs the client took of herself.",
        "copyright_owner": True,
        "accuracy": True,
    }
    return form(**{**dmca, **changes})


def add_original(
    vault: Vault,
    case_id: str,
    seed: int,
    *,
    role: Role = Role.ORIGINAL,
    taken_by: str | None = None,
    holds: str | None = None,
) -> str:
    """An original (or reference) photo, hashes only, marked through the service."""
    with vault.transaction() as s:
        item = EvidenceItem(
            case_id=case_id,
            role=role,
            source=Source.FILE,
            size=10 + seed,
            mime="image/png",
            sha256=f"{0xE0 + seed:02x}" * 32,
            md5=f"{0xE0 + seed:02x}" * 16,
            original_filename=f"original-{seed}.png",
        )
        s.add(item)
        s.flush()
        item_id = item.id
    if taken_by or holds:
        items.set_copyright(vault, item_id, taken_by=taken_by, client_holds_copyright=holds)
    return item_id


def add_copy(
    vault: Vault,
    case_id: str,
    seed: int,
    target: str,
    *,
    kind: str = "pdq",
    review: ReviewState = ReviewState.CONFIRMED,
    page: str = PAGE,
) -> tuple[str, str]:
    """A picture captured from ``page`` at its own address, matched to ``target``.
    Returns (item id, picture address)."""
    url = f"https://i.redd.it/copy-{seed}.jpg"
    with vault.transaction() as s:
        capture = Capture(case_id=case_id, url=page, final_url=page, http_status=200)
        capture.started_at = T0 - timedelta(days=1) + timedelta(minutes=seed)
        s.add(capture)
        s.flush()
        pic = EvidenceItem(
            case_id=case_id,
            role=Role.SUSPECT,
            source=Source.URL,
            size=100 + seed,
            mime="image/jpeg",
            sha256=f"{seed:02x}" * 32,
            md5=f"{seed:02x}" * 16,
            capture_id=capture.id,
            details={"url": url, "final_url": url, "page_url": page},
        )
        s.add(pic)
        s.flush()
        capture.details = {
            "kind": "web",
            "mode": "page",
            "main_item_id": "",
            "resources": [{"url": url, "item_id": pic.id, "via": "img src"}],
        }
        s.add(
            Match(
                case_id=case_id,
                suspect_item_id=pic.id,
                target_item_id=target,
                kind=kind,
                distance=2.0 if kind == "pdq" else None,
                score=0.8 if kind == "face" else None,
                threshold=31.0,
                review_state=review,
            )
        )
        return pic.id, url


@pytest.fixture
def mixed(store: CaseStore) -> dict[str, Any]:
    """One case with a copy of each kind the DMCA rules tell apart."""
    case = cases.new_case(store, "Case D", client_pseudonym="Client A")
    mine = add_original(store, case.id, 1, taken_by="client", holds="yes")
    assigned = add_original(store, case.id, 2, holds="yes")  # taken by: unknown
    other = add_original(store, case.id, 3, taken_by="other", holds="unknown")
    not_held = add_original(store, case.id, 4, taken_by="client", holds="no")
    unmarked = add_original(store, case.id, 5)
    face = add_original(store, case.id, 6, role=Role.REFERENCE)
    copies = {
        "ok": add_copy(store, case.id, 0x11, mine),
        "ok_held": add_copy(store, case.id, 0x12, assigned, kind="local-features"),
        "pending": add_copy(store, case.id, 0x13, mine, review=ReviewState.PENDING),
        "face_only": add_copy(store, case.id, 0x14, face, kind="face"),
        "face_on_original": add_copy(store, case.id, 0x15, mine, kind="face"),
        "taken_by_other": add_copy(store, case.id, 0x16, other),
        "not_held": add_copy(store, case.id, 0x17, not_held),
        "unmarked": add_copy(store, case.id, 0x18, unmarked),
    }
    return {"case": case.id, "copies": copies, "unmarked": unmarked}


EXPECTED_REASONS = {
    "pending": tracker.DMCA_PENDING,
    "face_only": tracker.DMCA_FACE_ONLY,
    "face_on_original": tracker.DMCA_FACE_ONLY,
    "taken_by_other": tracker.DMCA_TAKEN_BY_OTHER,
    "not_held": tracker.DMCA_NOT_HELD,
    "unmarked": tracker.DMCA_UNMARKED,
}


def test_dmca_lists_only_confirmed_pixel_copies_of_client_owned_originals(
    store: CaseStore, mixed: dict[str, Any]
) -> None:
    copies = mixed["copies"]
    result = tracker.draft_requests(store, "Case D", "dmca", dmca_form(), now=T0)
    assert len(result.letters) == 1
    letter = result.letters[0]
    assert [d.url for d in letter.depictions] == [copies["ok"][1], copies["ok_held"][1]]
    assert all(d.dmca == "ok" for d in letter.depictions)
    # Every other picture is named with its own reason.
    reasons = {x.item_id: x.reason for x in result.not_included}
    for key, reason in EXPECTED_REASONS.items():
        assert reasons[copies[key][0]] == reason, key
    assert "TAKE IT DOWN" in result.suggestion
    assert result.unmarked_originals == [mixed["unmarked"]]
    documents = tracker.request_documents(store, result.requests[0].id)
    for text in (pdf_text(documents["dmca-reddit.pdf"]), docx_text(documents["dmca-reddit.docx"])):
        flat = squeeze(text)
        assert squeeze(copies["ok"][1]) in flat and squeeze(copies["ok_held"][1]) in flat
        for key in EXPECTED_REASONS:
            seed = int(copies[key][1].rsplit("-", 1)[1].split(".")[0], 16)
            assert squeeze(copies[key][1]) not in flat, key
            assert f"{seed:02x}" * 32 not in flat, key
        # To Reddit's designated agent, not to its intimate-imagery report form.
        assert "copyright@reddit.com" in text and "Designated Agent Directory" in text
        assert "reddit.com/report" not in flat
        assert "verify before sending" in text
        # The counter-notice warning, in plain words, with both sections.
        assert "to the person who uploaded the material" in text
        assert "counter-notice" in text and "10 to 14 business days" in text
        assert "§ 512(g)" in text and "§ 411(a)" in text
        assert LEGAL_NAME not in text


def test_no_eligible_copy_refuses_the_dmca_draft_naming_each_picture(store: CaseStore) -> None:
    case = cases.new_case(store, "Case E")
    mine = add_original(store, case.id, 1, taken_by="client")
    other = add_original(store, case.id, 2, taken_by="other", holds="yes")
    face = add_original(store, case.id, 3, role=Role.REFERENCE)
    pending = add_copy(store, case.id, 0x21, mine, review=ReviewState.PENDING)
    face_only = add_copy(store, case.id, 0x22, face, kind="face")
    photographer = add_copy(store, case.id, 0x23, other)
    with pytest.raises(tracker.NoDmcaCopies) as caught:
        tracker.draft_requests(store, "Case E", "dmca", dmca_form(), now=T0)
    message = caught.value.message
    assert f"({pending[1]}): its match to the client's original is not confirmed" in message
    assert f"({face_only[1]}): only a face match" in message
    assert f"({photographer[1]}): the original it copies was taken by someone else" in message
    assert "TAKE IT DOWN" in caught.value.hint
    assert caught.value.exit_code == 2
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(RemovalRequest)) == 0
    # The same pictures can go in a TAKE IT DOWN request (no copyright needed).
    takedown = tracker.draft_requests(
        store, "Case E", "takedown", dmca_form(), now=T0 + timedelta(minutes=1)
    )
    assert len(takedown.letters[0].depictions) == 3


def test_a_case_wide_tick_is_not_a_claim_for_each_original(store: CaseStore) -> None:
    """--copyright-owner (the old tick for the whole case) does not mark any original: an
    unmarked original's copies stay out until that original is marked."""
    case = cases.new_case(store, "Case F")
    original = add_original(store, case.id, 1)
    copy = add_copy(store, case.id, 0x31, original)
    with store.session() as s:
        row = s.get(EvidenceItem, original)
        assert row is not None
        assert (row.taken_by, row.client_holds_copyright) == (TakenBy.UNKNOWN, Answer.UNKNOWN)
    with pytest.raises(tracker.NoDmcaCopies) as caught:
        tracker.draft_requests(store, "Case F", "dmca", dmca_form(copyright_owner=True), now=T0)
    assert "not marked as the client's" in caught.value.message
    assert "1 original(s) are not marked yet" in caught.value.message
    assert "--copyright-owner" in caught.value.message
    items.set_copyright(store, original, taken_by="client")
    result = tracker.draft_requests(store, "Case F", "dmca", dmca_form(), now=T0)
    assert [d.url for d in result.letters[0].depictions] == [copy[1]]
    assert result.suggestion == "" and result.unmarked_originals == []


def test_copyright_is_recorded_only_for_originals_and_audited(store: CaseStore) -> None:
    case = cases.new_case(store, "Case G")
    original = add_original(store, case.id, 1)
    suspect, _ = add_copy(store, case.id, 0x41, original)
    with pytest.raises(InvalidSetting) as caught:
        items.set_copyright(store, suspect, taken_by="client")
    assert "not an original" in caught.value.message
    with pytest.raises(InvalidSetting):
        items.set_copyright(store, original, taken_by="the client's friend")
    view = items.set_copyright(store, original, taken_by="other", client_holds_copyright="no")
    assert (view.taken_by, view.client_holds_copyright) == ("other", "no")
    view = items.set_copyright(store, original, client_holds_copyright="unknown")
    assert (view.taken_by, view.client_holds_copyright) == ("other", "unknown")
    with store.session() as s:
        events = list(
            s.scalars(
                select(AuditEvent)
                .where(AuditEvent.action == items.COPYRIGHT_ACTION)
                .order_by(AuditEvent.seq)
            )
        )
    assert [e.object_id for e in events] == [original, original]
    first = json.loads(events[0].details)
    assert first["before"] == {"taken_by": "unknown", "client_holds_copyright": "unknown"}
    assert first["after"] == {"taken_by": "other", "client_holds_copyright": "no"}


def test_cli_marks_originals_on_add_and_with_item_copyright(
    vault_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    vault, _ = Vault.create(vault_dir, PASSPHRASE, kdf=fast_kdf(), actor="test-advocate")
    cases.new_case(vault, "Case H")
    vault.close()
    monkeypatch.setenv("NCII_DESK_VAULT", str(vault_dir))
    monkeypatch.setenv("NCII_DESK_PASSPHRASE", PASSPHRASE)
    picture = tmp_path / "selfie.png"
    Image.new("RGB", (64, 48), (40, 90, 160)).save(picture)
    other = tmp_path / "by-friend.png"
    Image.new("RGB", (64, 48), (160, 90, 40)).save(other)

    rc, out, err = run_cli(
        capsys, "add", "suspect", "Case H", str(other), "--taken-by", "client", "--no-hash"
    )
    assert rc != 0 and "for originals only" in out + err
    rc, out, _ = run_cli(
        capsys,
        "add",
        "original",
        "Case H",
        str(picture),
        "--taken-by",
        "client",
        "--client-holds-copyright",
        "yes",
        "--no-hash",
    )
    assert rc == 0 and "taken by client" in out
    rc, out, _ = run_cli(capsys, "add", "original", "Case H", str(other), "--no-hash")
    assert rc == 0 and "ncii-desk item copyright" in out  # asks for the marks
    rc, out, _ = run_cli(capsys, "item", "list", "Case H", "--json")
    listed = {v["original_filename"]: v for v in json.loads(out)}
    assert listed["selfie.png"]["taken_by"] == "client"
    assert listed["selfie.png"]["client_holds_copyright"] == "yes"
    assert listed["by-friend.png"]["taken_by"] == "unknown"
    friend = listed["by-friend.png"]["id"]
    rc, out, _ = run_cli(capsys, "item", "copyright", friend[:10], "--taken-by", "other", "--json")
    assert rc == 0 and json.loads(out)["taken_by"] == "other"
    rc, out, err = run_cli(capsys, "item", "copyright", friend[:10])
    assert rc != 0 and "Nothing to record" in out + err


def test_legal_name_only_to_platforms_that_require_it(store: CaseStore) -> None:
    case = cases.new_case(store, "Case L", client_pseudonym="Client B")
    original = add_original(store, case.id, 1, taken_by="client")
    add_copy(store, case.id, 0x51, original)
    add_copy(store, case.id, 0x52, original, page="https://discord.com/channels/1/2/3")
    form = dmca_form(person_name=LEGAL_NAME, statement="Posted without consent.")
    seen: dict[str, list[str]] = {}
    for n, route in enumerate(("takedown", "preservation", "ncii-report")):
        result = tracker.draft_requests(store, "Case L", route, form, now=T0 + timedelta(minutes=n))
        assert {v.platform for v in result.requests} == {"Reddit", "Discord"}
        for view in result.requests:
            for name, data in tracker.request_documents(store, view.id).items():
                text = pdf_text(data) if name.endswith(".pdf") else docx_text(data)
                seen.setdefault(view.platform, []).append(text)
    assert len(seen["Reddit"]) == 6 and len(seen["Discord"]) == 6
    for text in seen["Reddit"]:
        assert LEGAL_NAME not in text and "Legalname" not in text
    assert any("Client B" in text for text in seen["Reddit"])  # the pseudonym instead
    assert any(LEGAL_NAME in text for text in seen["Discord"])


def test_handout_warns_about_the_counter_notice_when_a_dmca_notice_exists(
    store: CaseStore, mixed: dict[str, Any]
) -> None:
    before = pdf_text(tracker.make_handout(store, "Case D", now=T0))
    assert "counter-notice" not in before
    tracker.draft_requests(store, "Case D", "dmca", dmca_form(), now=T0)
    text = pdf_text(tracker.make_handout(store, "Case D", now=T0))
    assert "sends it to the person who uploaded the images" in text
    assert "counter-notice" in text and "10 to 14 working days" in text
    assert "registered with the U.S. Copyright Office" in text
