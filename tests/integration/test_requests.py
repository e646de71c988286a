"""Removal-request tracker: drafts per platform, deadlines, status, history, rechecks, routing."""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import docx
import numpy as np
import pypdf
import pytest
from capture_server import LocalServer, Route, image_bytes, photo_bytes
from capture_server import page as html_page
from clikit import run_cli
from PIL import Image
from sqlalchemy import func, select

from conftest import PASSPHRASE, fast_kdf
from ncii_desk.capture.web import FetchOptions
from ncii_desk.documents.letters import LetterForm, Sender
from ncii_desk.documents.validators import MissingElements
from ncii_desk.errors import InvalidSetting, NciiDeskError
from ncii_desk.services import capture, cases, intake, matching
from ncii_desk.services import requests as tracker
from ncii_desk.vault import Vault
from ncii_desk.vault.models import (
    AuditEvent,
    Blob,
    Capture,
    EvidenceItem,
    HashRecord,
    Match,
    Recheck,
    RecheckOutcome,
    RemovalRequest,
    ReviewState,
    Role,
    Source,
)
from ncii_desk.vault.store import CaseStore

T0 = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)
GONE, STILL_UP = RecheckOutcome.GONE, RecheckOutcome.STILL_UP


def pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def form(**changes: Any) -> LetterForm:
    values: dict[str, Any] = {
        "sender": Sender(
            name="Ana Advocate",
            email="ana@clinic.example",
            organisation="Harbor Legal Clinic",
            representative=True,
            authority="Written authorisation from the person depicted.",
        ),
        "signature": "/s/ Ana Advocate",
        "good_faith": True,
        "covered_platform": "yes",
    }
    values.update(changes)
    return LetterForm(**values)


def original_id(vault: Vault, case_id: str) -> str:
    """The case's original photo (hashes only), made on first use."""
    with vault.transaction() as s:
        found = s.scalars(
            select(EvidenceItem.id).where(
                EvidenceItem.case_id == case_id, EvidenceItem.role == Role.ORIGINAL
            )
        ).first()
        if found is not None:
            return found
        item = EvidenceItem(
            case_id=case_id,
            role=Role.ORIGINAL,
            source=Source.FILE,
            size=10,
            mime="image/png",
            sha256="ee" * 32,
            md5="ee" * 16,
        )
        s.add(item)
        s.flush()
        return item.id


def add_capture(
    vault: Vault,
    case_id: str,
    url: str,
    *,
    seed: int,
    minor: bool = False,
    at: datetime = T0 - timedelta(days=1),
    picture: str | None = None,
    review: str | None = "pending",
) -> tuple[str, str]:
    """A captured page as capture stores it (hashes only; no pixels are needed here): the
    page's HTML item and one picture at ``picture`` (default: under the page's address), or,
    for an address ending in .jpg, the picture itself. The picture is matched to the case's
    original with ``review`` (pending, confirmed, rejected; None: no match).
    Returns (capture id, picture item id)."""
    target = original_id(vault, case_id)
    media = picture is None and url.endswith(".jpg")
    picture = url if media else (picture or f"{url.rstrip('/')}/media-{seed}.jpg")
    with vault.transaction() as s:
        capture = Capture(case_id=case_id, url=url, final_url=url, http_status=200, started_at=at)
        s.add(capture)
        s.flush()

        def item(number: int, mime: str, address: str, page: str | None) -> EvidenceItem:
            row = EvidenceItem(
                case_id=case_id,
                role=Role.SUSPECT,
                source=Source.URL,
                size=100 + number,
                mime=mime,
                sha256=f"{number:02x}" * 32,
                md5=f"{number:02x}" * 16,
                capture_id=capture.id,
                suspected_minor=minor,
                pixels_kept=not minor,
                details={"url": address, "final_url": address, "page_url": page},
            )
            s.add(row)
            s.flush()
            return row

        main = None if media else item(0x80 + seed, "text/html", url, None)
        pic = item(seed, "image/jpeg", picture, None if media else url)
        resources = [] if media else [{"url": picture, "item_id": pic.id, "via": "img src"}]
        capture.details = {
            "kind": "web",
            "mode": "media" if media else "page",
            "main_item_id": (pic if main is None else main).id,
            "resources": resources,
        }
        s.add(HashRecord(item_id=pic.id, kind="pdq", value=f"{seed + 1:02x}" * 32, variant="full"))
        if review is not None:
            s.add(
                Match(
                    case_id=case_id,
                    suspect_item_id=pic.id,
                    target_item_id=target,
                    kind="pdq",
                    distance=4.0,
                    threshold=31.0,
                    review_state=ReviewState(review),
                )
            )
        return capture.id, pic.id


def add_recheck(
    vault: Vault,
    case_id: str,
    capture_id: str,
    url: str,
    outcome: RecheckOutcome,
    at: datetime,
    *,
    note: bool = False,
    details: dict[str, Any] | None = None,
) -> list[str]:
    """A Recheck row as the capture service stores it; ``note``: also let the tracker note
    it in the requests' history, as ``capture.recheck_case`` does."""
    with vault.transaction() as s:
        row = Recheck(
            case_id=case_id,
            capture_id=capture_id,
            url=url,
            checked_at=at,
            outcome=outcome,
            http_status=404 if outcome == RecheckOutcome.GONE else 200,
            details=details or {},
        )
        s.add(row)
        s.flush()
        return tracker.note_recheck(s, vault, row) if note else []


REDDIT_PAGE = "https://www.reddit.com/r/a/comments/1"
REDDIT_PICTURE = "https://i.redd.it/one.jpg"
REDDIT_MEDIA = "https://i.redd.it/abc.jpg"  # captured as a picture's own address
X_PAGE = "https://x.com/u/status/9"
X_PICTURE = "https://pbs.twimg.com/media/nine.jpg"


@pytest.fixture
def stocked(store: CaseStore) -> dict[str, Any]:
    case = cases.new_case(store, "Case 2026-014")
    ids = {
        "reddit1": add_capture(store, case.id, REDDIT_PAGE, seed=1, picture=REDDIT_PICTURE),
        "reddit2": add_capture(store, case.id, REDDIT_MEDIA, seed=2, review="confirmed"),
        "x": add_capture(store, case.id, X_PAGE, seed=3, picture=X_PICTURE),
    }
    return {"case": case.id, "ids": ids}


def audit_actions(vault: Vault) -> list[str]:
    with vault.session() as s:
        return list(s.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)))


def test_draft_makes_one_request_per_platform_with_both_documents(
    store: CaseStore, stocked: dict[str, Any]
) -> None:
    result = tracker.draft_requests(store, "Case 2026-014", "takedown", form(), now=T0)
    by_platform = {v.platform: v for v in result.requests}
    assert set(by_platform) == {"Reddit", "X (formerly Twitter)"}
    reddit = by_platform["Reddit"]
    # Each picture's own address, then the page it was on (a picture's own address has none).
    assert reddit.urls == [REDDIT_PICTURE, REDDIT_PAGE, REDDIT_MEDIA]
    ids = stocked["ids"]
    assert reddit.item_ids == [ids["reddit1"][1], ids["reddit2"][1]]  # not the page's HTML
    letter = next(x for x in result.letters if x.recipient == "Reddit")
    assert [(d.url, d.page_url, d.review) for d in letter.depictions] == [
        (REDDIT_PICTURE, REDDIT_PAGE, "pending"),
        (REDDIT_MEDIA, "", "confirmed"),
    ]
    assert result.as_dict()["requests"][0]["depictions"][1]["review"] == "confirmed"
    assert result.not_included == []
    assert reddit.status == "draft" and reddit.sent_at is None and reddit.deadline_at is None
    assert reddit.history[0]["event"] == "drafted"
    assert result.routed_to_ncmec is False
    documents = tracker.request_documents(store, reddit.id)
    assert sorted(documents) == ["takedown-reddit.docx", "takedown-reddit.pdf"]
    text = pdf_text(documents["takedown-reddit.pdf"])
    assert REDDIT_MEDIA in text and "x.com" not in text and "twimg" not in text
    assert "Shown on the page: " + REDDIT_PAGE in text
    assert "Case 2026-014" in text  # the case label is the default reference
    assert squeeze("01" * 32) in squeeze(text)  # SHA-256 of each picture
    assert squeeze("02" * 32) in squeeze(text)
    assert squeeze("81" * 32) not in squeeze(text)  # never the page's HTML
    word = docx.Document(io.BytesIO(documents["takedown-reddit.docx"]))
    cells = [c.text for t in word.tables for r in t.rows for c in r.cells]
    assert REDDIT_PICTURE in cells and REDDIT_MEDIA in cells
    # Stored encrypted: the ZIP's bytes are not on disk in the clear.
    with store.session() as s:
        row = s.get(RemovalRequest, reddit.id)
        assert row is not None and row.document_blob_id is not None
        blob = s.get(Blob, row.document_blob_id)
        assert blob is not None
    raw = store.blobs.path_for(blob.id).read_bytes()  # type: ignore[attr-defined]
    assert b"%PDF" not in raw and b"takedown-reddit" not in raw
    assert audit_actions(store).count("request.drafted") == 2


def test_missing_elements_store_nothing(store: CaseStore, stocked: dict[str, Any]) -> None:
    with store.session() as s:
        blobs_before = s.scalar(select(func.count()).select_from(Blob))
    with pytest.raises(MissingElements) as caught:
        tracker.draft_requests(store, "Case 2026-014", "takedown", form(signature=""), now=T0)
    assert caught.value.missing == ["signature"]
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(RemovalRequest)) == 0
        assert s.scalar(select(func.count()).select_from(Blob)) == blobs_before


def test_platform_filter_and_route_not_applicable(
    store: CaseStore, stocked: dict[str, Any]
) -> None:
    only_x = tracker.draft_requests(
        store, "Case 2026-014", "takedown", form(), platform="x.com", now=T0
    )
    assert [v.platform for v in only_x.requests] == ["X (formerly Twitter)"]
    with pytest.raises(NciiDeskError, match="None of the case's web addresses belong to Imgur"):
        tracker.draft_requests(store, "Case 2026-014", "takedown", form(), platform="imgur.com")
    with pytest.raises(Exception, match="No platform in this case takes a 'deindex' request"):
        tracker.draft_requests(store, "Case 2026-014", "deindex", form(), now=T0)
    mixed = tracker.draft_requests(
        store,
        "Case 2026-014",
        "deindex",
        form(),
        extra_urls=["https://www.google.com/search?q=jane"],
        now=T0,
    )
    assert [v.platform for v in mixed.requests] == ["Google Search"]
    assert sorted(mixed.not_applicable) == ["Reddit", "X (formerly Twitter)"]


def test_deadline_overdue_and_status_with_explicit_times(
    store: CaseStore, stocked: dict[str, Any]
) -> None:
    drafted = tracker.draft_requests(store, "Case 2026-014", "takedown", form(), now=T0)
    req = next(v for v in drafted.requests if v.platform == "Reddit")
    sent_at = T0 + timedelta(hours=1)
    view = tracker.mark_sent(store, req.id, at=sent_at, now=T0 + timedelta(hours=2))
    assert view.status == "sent" and view.sent_at == "2026-06-01T10:00:00Z"
    assert view.deadline_at == "2026-06-03T10:00:00Z"

    before = tracker.get_request(store, req.id, now=sent_at + timedelta(hours=47))
    assert before.state == "sent" and not before.overdue and before.seconds_left == 3600
    at_deadline = tracker.get_request(store, req.id, now=sent_at + timedelta(hours=48))
    assert not at_deadline.overdue and at_deadline.seconds_left == 0
    after = tracker.get_request(store, req.id, now=sent_at + timedelta(hours=49))
    assert after.state == "overdue" and after.overdue and after.seconds_left == -3600
    assert after.status == "sent"  # overdue is worked out, never stored

    tracker.set_ticket(store, req.id, "RD-12345", now=sent_at + timedelta(hours=3))
    tracker.set_status(store, req.id, "acknowledged", now=sent_at + timedelta(hours=5))
    still = tracker.get_request(store, req.id, now=sent_at + timedelta(hours=60))
    assert still.state == "overdue" and still.ticket_id == "RD-12345"
    tracker.set_status(
        store, req.id, "removed", note="Gone on recheck", now=sent_at + timedelta(hours=61)
    )
    done = tracker.get_request(store, req.id, now=sent_at + timedelta(hours=70))
    assert done.state == "removed" and not done.overdue and done.seconds_left is None
    assert [e["event"] for e in done.history] == ["drafted", "sent", "ticket", "status", "status"]
    assert done.history[-1]["note"] == "Gone on recheck"
    assert done.history[-1]["at"] == "2026-06-03T23:00:00Z"
    actions = audit_actions(store)
    for action in ("request.sent", "request.ticket", "request.status"):
        assert action in actions

    listed = tracker.list_requests(store, "Case 2026-014", now=sent_at + timedelta(hours=70))
    assert {v.state for v in listed} == {"removed", "draft"}


def test_state_rules(store: CaseStore, stocked: dict[str, Any]) -> None:
    drafted = tracker.draft_requests(store, "Case 2026-014", "takedown", form(), now=T0)
    req = drafted.requests[0].id
    with pytest.raises(Exception, match="still a draft"):
        tracker.set_status(store, req, "removed", now=T0)
    with pytest.raises(InvalidSetting, match="cannot be set by hand"):
        tracker.set_status(store, req, "overdue", now=T0)
    with pytest.raises(InvalidSetting, match="in the future"):
        tracker.mark_sent(store, req, at=T0 + timedelta(days=1), now=T0)
    tracker.mark_sent(store, req, at=T0, now=T0)
    with pytest.raises(Exception, match="already marked as sent"):
        tracker.mark_sent(store, req, at=T0, now=T0)


def test_other_routes_have_no_48_hour_deadline(store: CaseStore, stocked: dict[str, Any]) -> None:
    drafted = tracker.draft_requests(store, "Case 2026-014", "preservation", form(), now=T0)
    view = tracker.mark_sent(store, drafted.requests[0].id, at=T0, now=T0)
    assert view.deadline_at is None
    later = tracker.get_request(store, view.id, now=T0 + timedelta(days=30))
    assert not later.overdue and later.state == "sent"


def test_rechecks_show_content_gone_or_still_up(store: CaseStore, stocked: dict[str, Any]) -> None:
    case_id = stocked["case"]
    ids = stocked["ids"]
    drafted = tracker.draft_requests(store, "Case 2026-014", "takedown", form(), now=T0)
    reddit = next(v for v in drafted.requests if v.platform == "Reddit")
    x_req = next(v for v in drafted.requests if v.platform != "Reddit")
    url1, url2 = REDDIT_PAGE, REDDIT_MEDIA  # rechecks visit the captured addresses
    add_recheck(
        store, case_id, ids["reddit1"][0], url1, RecheckOutcome.STILL_UP, T0 + timedelta(hours=3)
    )
    add_recheck(
        store, case_id, ids["reddit2"][0], url2, RecheckOutcome.STILL_UP, T0 + timedelta(hours=3)
    )
    view = tracker.get_request(store, reddit.id, now=T0 + timedelta(hours=4))
    assert [r.outcome for r in view.rechecks] == ["still_up", "still_up"]
    assert view.content == "still up"
    add_recheck(
        store, case_id, ids["reddit1"][0], url1, RecheckOutcome.GONE, T0 + timedelta(hours=50)
    )
    assert tracker.get_request(store, reddit.id, now=T0).content == "mixed"
    add_recheck(
        store, case_id, ids["reddit2"][0], url2, RecheckOutcome.GONE, T0 + timedelta(hours=51)
    )
    gone = tracker.get_request(store, reddit.id, now=T0)
    assert gone.content == "gone" and gone.gone_since == "2026-06-03T12:00:00Z"  # T0 + 51 h
    assert tracker.get_request(store, x_req.id, now=T0).rechecks == []


def test_a_recheck_notes_content_gone_in_sent_requests_only(
    store: CaseStore, stocked: dict[str, Any]
) -> None:
    case_id, ids = stocked["case"], stocked["ids"]
    drafted = tracker.draft_requests(store, "Case 2026-014", "takedown", form(), now=T0)
    reddit = next(v for v in drafted.requests if v.platform == "Reddit")
    x_req = next(v for v in drafted.requests if v.platform != "Reddit")
    url1 = reddit.urls[0]
    capture1 = ids["reddit1"][0]
    # Not sent yet: nothing to note.
    assert add_recheck(store, case_id, capture1, url1, GONE, T0, note=True) == []
    tracker.mark_sent(store, reddit.id, at=T0, now=T0)
    tracker.mark_sent(store, x_req.id, at=T0, now=T0)
    assert add_recheck(store, case_id, capture1, url1, STILL_UP, T0 + HOUR, note=True) == []
    later = T0 + 20 * HOUR
    assert add_recheck(store, case_id, capture1, url1, GONE, later, note=True) == [reddit.id]
    # Found gone again: no second line. The other platform's request is untouched.
    assert add_recheck(store, case_id, capture1, url1, GONE, later + HOUR, note=True) == []
    view = tracker.get_request(store, reddit.id, now=later + 2 * HOUR)
    (line,) = [e for e in view.history if e["event"] == "content_gone"]
    assert line["url"] == url1 and line["note"] == "content gone since 2026-06-02 05:00 UTC"
    assert line["at"] == "2026-06-02T05:00:00Z" and line["http_status"] == 404
    assert view.status == "sent" and view.state == "sent"  # the advocate sets 'removed'
    assert [e["event"] for e in tracker.get_request(store, x_req.id).history] == [
        "drafted",
        "sent",
    ]
    # Back up later: noted once more.
    back = T0 + 30 * HOUR
    assert add_recheck(store, case_id, capture1, url1, STILL_UP, back, note=True) == [reddit.id]
    events = [e["event"] for e in tracker.get_request(store, reddit.id).history]
    assert events == ["drafted", "sent", "content_gone", "content_back"]
    assert audit_actions(store).count("request.content_gone") == 1
    # A page re-check that found a picture captured from it gone notes that picture's address.
    url2 = reddit.urls[1]
    page = add_recheck(
        store,
        case_id,
        capture1,
        "https://www.reddit.com/r/a/comments/1/other",
        RecheckOutcome.CHANGED,
        back + HOUR,
        note=True,
        details={"media": {url2: "gone", url1: "error"}},
    )
    assert page == [reddit.id]
    last = tracker.get_request(store, reddit.id).history[-1]
    assert (last["event"], last["url"]) == ("content_gone", url2) and "http_status" not in last
    # Once the advocate records the removal, re-checks no longer write to it.
    tracker.set_status(store, reddit.id, "removed", now=back)
    assert add_recheck(store, case_id, capture1, url1, GONE, back + 2 * HOUR, note=True) == []


def test_followup_and_escalation_only_after_the_deadline(
    store: CaseStore, stocked: dict[str, Any]
) -> None:
    case_id, ids = stocked["case"], stocked["ids"]
    drafted = tracker.draft_requests(store, "Case 2026-014", "takedown", form(), now=T0)
    req = next(v for v in drafted.requests if v.platform == "Reddit")
    tracker.mark_sent(store, req.id, at=T0, now=T0)
    tracker.set_ticket(store, req.id, "RD-777", now=T0 + timedelta(hours=1))
    with pytest.raises(Exception, match="48-hour deadline has passed"):
        tracker.followup_letters(store, req.id, form(), "followup", now=T0 + timedelta(hours=47))
    add_recheck(
        store,
        case_id,
        ids["reddit1"][0],
        REDDIT_PAGE,
        RecheckOutcome.STILL_UP,
        T0 + timedelta(hours=49),
    )
    late = T0 + timedelta(hours=74)
    follow = tracker.followup_letters(store, req.id, form(), "followup", now=late)
    text = pdf_text(follow.pdf())
    assert follow.recipient == "Reddit"
    assert "2026-06-01 09:00 UTC" in text and "2026-06-03 09:00 UTC" in text
    assert "RD-777" in text and "still up (HTTP 200)" in text
    # The same pictures as the request: own address, page, SHA-256; not the page's HTML.
    assert REDDIT_PICTURE in text and REDDIT_MEDIA in text and REDDIT_PAGE in text
    assert squeeze("01" * 32) in squeeze(text) and squeeze("81" * 32) not in squeeze(text)
    assert "47 U.S.C. § 223a" in text and "Federal Trade Commission" in text
    summary = tracker.followup_letters(store, req.id, form(), "escalation", now=late)
    text = pdf_text(summary.pdf())
    assert "1 day 2 hours" in text
    assert "Marked as sent" in text and "Platform reference recorded: RD-777" in text
    assert "verify the channel" in text
    history = tracker.get_request(store, req.id, now=late).history
    assert [e["event"] for e in history][-2:] == ["followup_made", "escalation_made"]
    tracker.set_status(store, req.id, "removed", now=late)
    with pytest.raises(Exception, match="This request is removed"):
        tracker.followup_letters(store, req.id, form(), "followup", now=late)


def test_suspected_minor_case_routes_to_ncmec_with_hashes_only(store: CaseStore) -> None:
    case = cases.new_case(store, "Case M", suspected_minor=True)
    _, first = add_capture(store, case.id, "https://www.reddit.com/r/b/2", seed=7, minor=True)
    _, second = add_capture(store, case.id, "https://x.com/v/status/3", seed=8, minor=True)
    add_capture(store, case.id, "https://imgur.com/a/4", seed=12, minor=True, review=None)
    result = tracker.draft_requests(store, "Case M", "takedown", form(), now=T0)
    assert result.routed_to_ncmec
    # The NCMEC sheet, and beside it one text-only removal notice per platform (test below).
    assert [(v.route, v.platform) for v in result.requests] == [
        ("ncmec", "National Center for Missing & Exploited Children (NCMEC)"),
        ("takedown", "Reddit"),
        ("takedown", "X (formerly Twitter)"),
    ]
    view = result.requests[0]
    assert view.route == "ncmec" and view.platform.startswith("National Center for Missing")
    # The same rule as every letter: matched pictures (own address and page) only.
    assert view.urls == [
        "https://www.reddit.com/r/b/2/media-7.jpg",
        "https://www.reddit.com/r/b/2",
        "https://x.com/v/status/3/media-8.jpg",
        "https://x.com/v/status/3",
    ]
    assert view.item_ids == [first, second]
    assert [(x.url, x.reason) for x in result.not_included] == [
        ("https://imgur.com/a/4", "no matched picture")
    ]
    documents = tracker.request_documents(store, view.id)
    pdf = documents["ncmec-ncmec.pdf"]
    text = squeeze(pdf_text(pdf))
    # SHA-256 and MD5 of both pictures, PDQ of the second ("08" * 32 is also the first PDQ).
    for value in ("07" * 32, "07" * 16, "08" * 32, "08" * 16, "09" * 32):
        assert value in text
    # Not the pages' HTML, not the unmatched picture.
    for value in ("87" * 32, "88" * 32, "0c" * 32, "imgur"):
        assert value not in text
    assert squeeze("https://report.cybertip.org") in text and "TakeItDown" in text
    for page in pypdf.PdfReader(io.BytesIO(pdf)).pages:
        assert not page["/Resources"].get("/XObject")
    assert not docx.Document(io.BytesIO(documents["ncmec-ncmec.docx"])).inline_shapes


def test_minor_items_in_an_adult_case_are_split_out(store: CaseStore) -> None:
    case = cases.new_case(store, "Case A")
    REDDIT, IMGUR = "https://www.reddit.com/r/c/4", "https://imgur.com/gallery/5"
    add_capture(store, case.id, REDDIT, seed=10)
    add_capture(store, case.id, IMGUR, seed=11, minor=True)
    result = tracker.draft_requests(store, "Case A", "takedown", form(), now=T0)
    routes = {(v.route, v.platform): v for v in result.requests}
    assert set(routes) == {("ncmec", NCMEC), ("takedown", "Reddit"), ("takedown", "Imgur")}
    assert routes[("ncmec", NCMEC)].urls == ["https://imgur.com/gallery/5/media-11.jpg", IMGUR]
    reddit = ["https://www.reddit.com/r/c/4/media-10.jpg", REDDIT]
    assert routes[("takedown", "Reddit")].urls == reddit
    # The minor picture's own notice to Imgur is the text-only one; the adult letter is not.
    assert routes[("takedown", "Imgur")].urls == routes[("ncmec", NCMEC)].urls
    names = {letter.recipient: letter.template_id for letter in result.letters}
    assert names["Imgur"] == "takedown_minor" and names["Reddit"] == "takedown"


NCMEC = "National Center for Missing & Exploited Children (NCMEC)"


def test_suspected_minor_case_gets_a_text_only_removal_notice(store: CaseStore) -> None:
    """Beside the NCMEC sheet: a § 223a notice per platform with each address and SHA-256,
    no image XObject, no name of the person (nor the case label)."""
    case = cases.new_case(store, "Jane Roe case", suspected_minor=True)
    _, first = add_capture(store, case.id, "https://www.reddit.com/r/b/2", seed=7, minor=True)
    add_capture(store, case.id, "https://www.reddit.com/r/b/9", seed=9, minor=True)
    named = form(person_name="Jane Roe")
    result = tracker.draft_requests(store, case.id, "takedown", named, now=T0)
    notice = next(v for v in result.requests if v.route == "takedown")
    assert notice.platform == "Reddit"
    documents = tracker.request_documents(store, notice.id)
    assert set(documents) == {"takedown_minor-reddit.pdf", "takedown_minor-reddit.docx"}
    pdf = documents["takedown_minor-reddit.pdf"]
    text = pdf_text(pdf)
    flat = squeeze(text)
    assert "47 U.S.C. § 223a" in text and "may be under 18" in text
    assert "48 hours" in text and "CyberTipline" in text
    for url in (
        "https://www.reddit.com/r/b/2/media-7.jpg",
        "https://www.reddit.com/r/b/9/media-9.jpg",
    ):
        assert squeeze(url) in flat
    for sha in ("07" * 32, "09" * 32):
        assert f"SHA-256{sha}" in flat  # listed in full under its name
    assert "Jane" not in text and "Roe" not in text
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    for page in reader.pages:
        xobjects = page["/Resources"].get("/XObject") or {}
        kinds = [xobjects[name].get_object().get("/Subtype") for name in xobjects]
        assert "/Image" not in kinds
    word = docx.Document(io.BytesIO(documents["takedown_minor-reddit.docx"]))
    assert not word.inline_shapes
    body = " ".join(p.text for p in word.paragraphs) + " ".join(
        c.text for t in word.tables for row in t.rows for c in row.cells
    )
    assert "07" * 32 in body and "Jane" not in body and "Roe" not in body
    assert first in notice.item_ids
    # Sent by the person themselves, the notice would carry their name: not made.
    own = form(sender=Sender(name="Jane Roe", email="j@example.org"), person_name="Jane Roe")
    again = tracker.draft_requests(store, case.id, "takedown", own, again=True, now=T0)
    assert [v.route for v in again.requests] == ["ncmec"]
    assert {x.reason for x in again.not_included} == {tracker.MINOR_NEEDS_REPRESENTATIVE}


def test_export_writes_the_stored_documents(
    store: CaseStore, stocked: dict[str, Any], tmp_path: Path
) -> None:
    drafted = tracker.draft_requests(store, "Case 2026-014", "takedown", form(), now=T0)
    req = next(v for v in drafted.requests if v.platform == "Reddit")
    out = tmp_path / "out"
    written = tracker.export_documents(store, req.id, out, formats=("pdf",))
    assert [p.name for p in written] == ["takedown-reddit.pdf"]
    assert (
        written[0].read_bytes() == tracker.request_documents(store, req.id)["takedown-reddit.pdf"]
    )
    with pytest.raises(Exception, match="already exist"):
        tracker.export_documents(store, req.id, out)
    assert "request.exported" in audit_actions(store)


def test_zip_package_holds_pdf_and_docx(store: CaseStore, stocked: dict[str, Any]) -> None:
    drafted = tracker.draft_requests(store, "Case 2026-014", "ncii-report", form(), now=T0)
    with store.session() as s:
        row = s.get(RemovalRequest, drafted.requests[0].id)
        assert row is not None
        blob = s.get(Blob, row.document_blob_id)
        assert blob is not None
        package = store.read_blob(blob)
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        names = archive.namelist()
    assert len(names) == 2 and {n.rsplit(".", 1)[1] for n in names} == {"pdf", "docx"}


# --- which pictures a letter lists ----------------------------------------------------------


def _small(pixels: Any, side: int) -> Any:
    image = Image.fromarray(np.ascontiguousarray(pixels)[..., :3])
    image.thumbnail((side, side))
    return np.asarray(image)


def docx_lines(data: bytes) -> str:
    """Every paragraph of a DOCX, those inside table cells included."""
    document = docx.Document(io.BytesIO(data))
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                lines += [p.text for p in cell.paragraphs]
    return "\n".join(lines)


@pytest.fixture
def page_with_three(store: CaseStore, web: LocalServer, tmp_path: Path) -> dict[str, Any]:
    """A case with one original photo, and a captured page (real 127.0.0.1 server) showing a
    resized copy of it, an unrelated photo and a site logo."""
    skdata = pytest.importorskip("skimage.data")
    case = cases.new_case(store, "Case W")
    astronaut = _small(skdata.astronaut(), 256)
    (tmp_path / "orig").mkdir()
    (tmp_path / "orig" / "astronaut.png").write_bytes(photo_bytes(astronaut, "PNG"))
    added = intake.add_items(store, case.id, Role.ORIGINAL, [tmp_path / "orig"])
    matching.hash_items(store, added.sources, workers=1)
    web.routes["/post/1"] = Route(
        html_page(
            '<img src="/static/logo.png"><p>post</p>'
            '<img src="/media/copy.jpg"><img src="/media/other.jpg">'
        )
    )
    served = {
        "/media/copy.jpg": photo_bytes(_small(astronaut, 160), quality=80),
        "/media/other.jpg": photo_bytes(_small(skdata.coffee(), 200)),
        "/static/logo.png": image_bytes(5, (64, 32)),
    }
    for path, body in served.items():
        kind = "image/png" if path.endswith(".png") else "image/jpeg"
        web.routes[path] = Route(body, content_type=kind)
    options = capture.CaptureOptions(fetch=FetchOptions(trust_env=False))
    batch = capture.capture_urls(store, case.id, [web.url("/post/1")], options=options)
    [result] = batch.results
    assert result.ok and result.main is not None
    by_path = {urlsplit(r.url).path: r for r in result.resources}
    assert set(by_path) == set(served)
    assert [m["item_id"] for m in result.matches] == [by_path["/media/copy.jpg"].item_id]
    return {
        "case": case.id,
        "page": web.url("/post/1"),
        "html_sha256": result.main.sha256,
        "match_id": result.matches[0]["match_id"],
        "copy": by_path["/media/copy.jpg"],
        "other": by_path["/media/other.jpg"],
        "logo": by_path["/static/logo.png"],
    }


def test_letter_lists_the_matched_picture_not_the_page_html_or_unrelated_pictures(
    store: CaseStore, page_with_three: dict[str, Any]
) -> None:
    got = page_with_three
    copy, other, logo = got["copy"], got["other"], got["logo"]
    result = tracker.draft_requests(store, got["case"], "takedown", form(), now=T0)
    [view] = result.requests
    assert view.platform == "127.0.0.1"
    assert view.urls == [copy.url, got["page"]] and view.item_ids == [copy.item_id]
    assert result.not_included == []
    [depiction] = result.letters[0].depictions
    assert (depiction.url, depiction.page_url, depiction.review) == (
        copy.url,
        got["page"],
        "pending",
    )
    documents = tracker.request_documents(store, view.id)
    pdf = squeeze(pdf_text(documents["takedown-unknown-127-0-0-1.pdf"]))
    word = docx_lines(documents["takedown-unknown-127-0-0-1.docx"])
    for text in (pdf, squeeze(word)):
        for wanted in (copy.url, got["page"], copy.sha256):
            assert squeeze(wanted) in text
        for unwanted in (other.url, logo.url, other.sha256, logo.sha256, got["html_sha256"]):
            assert squeeze(unwanted) not in text
    assert f"Shown on the page: {got['page']}" in word.splitlines()
    assert f"SHA-256 of the captured file: {copy.sha256}" in word.splitlines()
    assert copy.url in word.splitlines()  # the picture's own address is the location


def test_rejected_match_is_left_out_and_item_adds_an_unmatched_picture(
    store: CaseStore, page_with_three: dict[str, Any]
) -> None:
    got = page_with_three
    matching.review_match(store, got["match_id"], confirm=False)
    with pytest.raises(NciiDeskError, match=r"1 captured page\(s\) without a matched picture"):
        tracker.draft_requests(store, got["case"], "takedown", form(), now=T0)
    logo = got["logo"]
    result = tracker.draft_requests(
        store, got["case"], "takedown", form(), items=[logo.item_id[:10]], now=T0
    )
    [view] = result.requests
    assert view.item_ids == [logo.item_id] and view.urls == [logo.url, got["page"]]
    assert [d.review for d in result.letters[0].depictions] == ["named"]
    text = squeeze(pdf_text(result.letters[0].pdf()))
    assert squeeze(logo.sha256) in text and squeeze(got["copy"].url) not in text
    assert squeeze(got["copy"].sha256) not in text


def test_confirmed_matches_are_marked_in_the_letter_data(
    store: CaseStore, page_with_three: dict[str, Any]
) -> None:
    got = page_with_three
    matching.review_match(store, got["match_id"], confirm=True)
    result = tracker.draft_requests(store, got["case"], "ncii-report", form(), now=T0)
    [entry] = result.as_dict()["requests"][0]["depictions"]
    assert entry == {
        "url": got["copy"].url,
        "page_url": got["page"],
        "item_ids": [got["copy"].item_id],
        "sha256": got["copy"].sha256,
        "review": "confirmed",
    }


def test_second_draft_is_refused_or_lists_only_new_pictures(
    store: CaseStore, stocked: dict[str, Any]
) -> None:
    case, ids = stocked["case"], stocked["ids"]
    first = tracker.draft_requests(store, case, "takedown", form(), now=T0)
    reddit = next(v for v in first.requests if v.platform == "Reddit")
    x_req = next(v for v in first.requests if v.platform != "Reddit")
    with pytest.raises(tracker.AlreadyRequested) as caught:
        tracker.draft_requests(store, case, "takedown", form(), now=T0 + HOUR)
    assert f"Reddit: request {reddit.id[:12]} (draft)" in caught.value.message
    assert f"request {x_req.id[:12]} (draft)" in caught.value.message
    assert "--again" in caught.value.hint
    assert sorted(caught.value.request_ids) == sorted([reddit.id, x_req.id])
    assert len(tracker.list_requests(store, case)) == 2  # nothing stored
    # Another kind of request is not held back by the takedown ones.
    kept = tracker.draft_requests(store, case, "preservation", form(), now=T0)
    assert {v.platform for v in kept.requests} == {"Reddit", "X (formerly Twitter)"}

    tracker.mark_sent(store, reddit.id, at=T0, now=T0)
    # The same page captured again is no new find; a new page on Reddit is.
    add_capture(store, case, REDDIT_PAGE, seed=1, picture=REDDIT_PICTURE, at=T0)
    _, new_item = add_capture(store, case, "https://www.reddit.com/r/a/comments/2", seed=4)
    second = tracker.draft_requests(store, case, "takedown", form(), now=T0 + 2 * HOUR)
    [view] = second.requests
    assert view.platform == "Reddit" and view.item_ids == [new_item]
    covered = {(x.url, x.reason, x.request_id, x.status) for x in second.not_included}
    assert covered == {
        (REDDIT_PICTURE, "already in an open request", reddit.id, "sent"),
        (REDDIT_MEDIA, "already in an open request", reddit.id, "sent"),
        (X_PICTURE, "already in an open request", x_req.id, "draft"),
    }
    text = pdf_text(second.letters[0].pdf())
    assert "comments/2" in text and REDDIT_PICTURE not in text and REDDIT_MEDIA not in text

    # Past its deadline the first request is still open: named as overdue.
    late = T0 + 50 * HOUR
    with pytest.raises(tracker.AlreadyRequested, match=rf"{reddit.id[:12]} \(overdue\)"):
        tracker.draft_requests(store, case, "takedown", form(), platform="reddit", now=late)
    # A request the platform answered (removed or refused) no longer holds its pictures.
    tracker.set_status(store, reddit.id, "refused", now=late)
    third = tracker.draft_requests(store, case, "takedown", form(), platform="reddit", now=late)
    assert third.requests[0].urls == [REDDIT_PICTURE, REDDIT_PAGE, REDDIT_MEDIA]
    assert {ids["reddit1"][1], ids["reddit2"][1]} <= set(third.requests[0].item_ids)
    assert new_item not in third.requests[0].item_ids
    # --again drafts everything anyway.
    again = tracker.draft_requests(
        store, case, "takedown", form(), platform="reddit", again=True, now=late
    )
    assert set(again.requests[0].item_ids) >= {ids["reddit1"][1], ids["reddit2"][1], new_item}
    assert again.not_included == []


def test_grouped_by_the_page_else_by_a_platform_cdn_domain(store: CaseStore) -> None:
    case = cases.new_case(store, "Case G").id
    forum, blog = "https://forum.example.net/t/1", "https://blog.example.org/p/2"
    add_capture(store, case, forum, seed=30, picture="https://pbs.twimg.com/media/a.jpg")
    add_capture(store, case, "https://preview.redd.it/b.jpg", seed=31)
    add_capture(store, case, blog, seed=32, picture="https://cdn.example.org/c.jpg")
    add_capture(store, case, "https://www.reddit.com/r/x/3", seed=33, picture=blog + "/d.jpg")
    result = tracker.draft_requests(store, case, "takedown", form(), now=T0)
    assert {v.platform: v.urls for v in result.requests} == {
        "X (formerly Twitter)": ["https://pbs.twimg.com/media/a.jpg", forum],
        "Reddit": [
            "https://preview.redd.it/b.jpg",
            blog + "/d.jpg",  # on a Reddit page: the page decides
            "https://www.reddit.com/r/x/3",
        ],
        "blog.example.org": ["https://cdn.example.org/c.jpg", blog],
    }
    x_letter = next(x for x in result.letters if x.platform_id == "x")
    text = pdf_text(x_letter.pdf())
    assert "pbs.twimg.com/media/a.jpg" in text and f"Shown on the page: {forum}" in text


def test_pages_without_a_matched_picture_are_named_and_url_adds_a_page_as_is(
    store: CaseStore, stocked: dict[str, Any]
) -> None:
    case = stocked["case"]
    unmatched, rejected = "https://x.com/u/status/10", "https://x.com/u/status/11"
    add_capture(store, case, unmatched, seed=5, review=None)
    add_capture(store, case, rejected, seed=6, review="rejected")
    result = tracker.draft_requests(store, case, "takedown", form(), now=T0)
    assert [(x.url, x.reason) for x in result.not_included] == [
        (unmatched, "no matched picture"),
        (rejected, "no matched picture"),
    ]
    x_req = next(v for v in result.requests if v.platform != "Reddit")
    assert x_req.urls == [X_PICTURE, X_PAGE]
    # Given with --url, a page goes in as it is (the earlier pictures stay with their draft).
    again = tracker.draft_requests(store, case, "takedown", form(), extra_urls=[unmatched], now=T0)
    [view] = again.requests
    assert view.urls == [unmatched] and view.item_ids == []
    assert [x.url for x in again.not_included if x.reason == "no matched picture"] == [rejected]
    text = squeeze(pdf_text(again.letters[0].pdf()))
    assert squeeze(unmatched) in text and squeeze("05" * 32) not in text


def test_matched_file_without_an_address_is_named_not_guessed(
    store: CaseStore, stocked: dict[str, Any]
) -> None:
    case = stocked["case"]
    target = original_id(store, case)
    with store.transaction() as s:
        item = EvidenceItem(
            case_id=case,
            role=Role.SUSPECT,
            source=Source.FILE,
            size=5,
            mime="image/jpeg",
            sha256="0d" * 32,
            md5="0d" * 16,
        )
        s.add(item)
        s.flush()
        s.add(
            Match(
                case_id=case,
                suspect_item_id=item.id,
                target_item_id=target,
                kind="pdq",
                distance=2.0,
            )
        )
        file_item = item.id
    result = tracker.draft_requests(store, case, "ncii-report", form(), now=T0)
    assert [(x.item_id, x.reason) for x in result.not_included] == [
        (file_item, "matched, but no web address is known")
    ]
    assert all(file_item not in v.item_ids for v in result.requests)
    with pytest.raises(MissingElements) as caught:
        tracker.draft_requests(
            store, case, "takedown", form(), items=[file_item], again=True, now=T0
        )
    assert caught.value.missing == ["location"]
    assert f"no web address for item {file_item[:12]}" in caught.value.message
    with pytest.raises(NciiDeskError, match="belongs to another case"):
        other = cases.new_case(store, "Case other").id
        tracker.draft_requests(store, other, "takedown", form(), items=[file_item], now=T0)


# --- command line ------------------------------------------------------------------------


def test_cli_requests_flow(
    vault_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    vault, _ = Vault.create(vault_dir, PASSPHRASE, kdf=fast_kdf(), actor="test-advocate")
    case = cases.new_case(vault, "Case C")
    add_capture(vault, case.id, "https://www.reddit.com/r/d/6", seed=20)
    vault.close()
    monkeypatch.setenv("NCII_DESK_VAULT", str(vault_dir))
    monkeypatch.setenv("NCII_DESK_PASSPHRASE", PASSPHRASE)

    rc, out, _ = run_cli(
        capsys,
        "clinic",
        "set",
        "--name",
        "Harbor <b>Clinic</b>",
        "--signer",
        "Ana Advocate",
        "--email",
        "ana@clinic.example",
        "--authority",
        "Written authorisation on file.",
        "--json",
    )
    assert rc == 0 and json.loads(out)["name"] == "Harbor <b>Clinic</b>"

    rc, out, err = run_cli(capsys, "requests", "draft", "Case C", "--route", "takedown", "--json")
    assert rc == 2
    error = json.loads(out)
    assert error["error"] == "MissingElements"
    assert error["missing"] == "signature, good_faith, covered_platform"

    out_dir = tmp_path / "letters"
    rc, out, err = run_cli(
        capsys,
        "requests",
        "draft",
        "Case C",
        "--route",
        "takedown",
        "--sign",
        "--good-faith",
        "--covered-platform",
        "yes",
        "--url",
        "https://www.example.org/page",
        "--out",
        str(out_dir),
        "--format",
        "pdf",
        "--json",
    )
    assert rc == 0, err
    data = json.loads(out)
    assert len(data["requests"]) == 2
    assert sorted(Path(f).name for f in data["files"]) == [
        "takedown-reddit.pdf",
        "takedown-unknown-example-org.pdf",
    ]
    text = pdf_text((out_dir / "takedown-reddit.pdf").read_bytes())
    assert "Harbor <b>Clinic</b>" in text and "/s/ Ana Advocate" in text

    reddit = next(r for r in data["requests"] if r["platform"] == "Reddit")
    # The drafts were written in May (a request cannot be sent before it was drafted).
    vault = Vault.open(vault_dir, passphrase=PASSPHRASE)
    with vault.transaction() as s:
        for row in s.scalars(select(RemovalRequest)):
            row.created_at = datetime(2026, 5, 31, 12, 0, tzinfo=UTC)
    vault.close()
    rc, out, err = run_cli(
        capsys, "requests", "sent", reddit["id"][:10], "--at", "2026-06-01T09:00Z", "--json"
    )
    assert rc == 0, err
    assert json.loads(out)["deadline_at"] == "2026-06-03T09:00:00Z"
    rc, out, _ = run_cli(capsys, "requests", "ticket", reddit["id"][:10], "T-1")
    assert rc == 0 and "T-1" in out
    rc, out, _ = run_cli(capsys, "requests", "status", reddit["id"][:10], "acknowledged")
    assert rc == 0 and "overdue" in out  # acknowledged, but past the deadline

    # Both shapes list the requests.
    rc, out, _ = run_cli(capsys, "requests", "Case C", "--json")
    assert rc == 0
    listed = json.loads(out)
    assert {r["platform"] for r in listed} == {"Reddit", "example.org"}
    rc, out, _ = run_cli(capsys, "requests", "list", "Case C")
    assert rc == 0 and "PLATFORM" in out and "TIME LEFT" in out and "OVERDUE by" in out

    rc, out, _ = run_cli(capsys, "requests", "export", reddit["id"], "--out", str(tmp_path / "ex"))
    assert rc == 0 and (tmp_path / "ex" / "takedown-reddit.docx").is_file()

    rc, out, err = run_cli(capsys, "requests", "status", reddit["id"], "overdue")
    assert rc == 2  # argparse refuses: overdue is never set by hand
    rc, out, err = run_cli(capsys, "requests", "sent", reddit["id"], "--at", "2026-06-01 09:00")
    assert rc != 0 and "already marked as sent" in err and "--correct" in err

    rc, out, err = run_cli(
        capsys,
        "requests",
        "followup",
        reddit["id"],
        "--out",
        str(tmp_path / "fu"),
        "--format",
        "pdf",
    )
    assert rc == 0, err
    assert (tmp_path / "fu" / "followup-reddit.pdf").is_file()


def test_cli_draft_names_what_is_left_out_takes_items_and_refuses_a_repeat(
    vault_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    vault, _ = Vault.create(vault_dir, PASSPHRASE, kdf=fast_kdf(), actor="test-advocate")
    case = cases.new_case(vault, "Case D")
    add_capture(vault, case.id, "https://www.reddit.com/r/e/7", seed=21)
    _, unmatched = add_capture(vault, case.id, "https://x.com/e/status/8", seed=22, review=None)
    tracker.set_clinic(vault, signer="Ana Advocate", email="ana@clinic.example", authority="Yes.")
    vault.close()
    monkeypatch.setenv("NCII_DESK_VAULT", str(vault_dir))
    monkeypatch.setenv("NCII_DESK_PASSPHRASE", PASSPHRASE)
    draft = ("requests", "draft", "Case D", "--route", "takedown", "--sign", "--good-faith")
    draft = (*draft, "--covered-platform", "yes")

    rc, out, err = run_cli(capsys, *draft)
    assert rc == 0, err
    assert "Draft " in out and "to Reddit (1 picture(s) or address(es), 0 confirmed" in out
    assert "Not included: https://x.com/e/status/8: no matched picture" in err
    assert "not yet confirmed by a reviewer" in err

    rc, out, err = run_cli(capsys, *draft, "--json")
    assert rc == 1
    refused = json.loads(out)
    assert refused["error"] == "AlreadyRequested" and "(draft)" in refused["message"]
    assert "--again" in refused["hint"]

    rc, out, err = run_cli(capsys, *draft, "--item", unmatched[:8], "--json")
    assert rc == 0, err
    data = json.loads(out)
    [request] = data["requests"]
    assert request["platform"] == "X (formerly Twitter)" and request["item_ids"] == [unmatched]
    assert request["depictions"][0]["review"] == "named"
    assert [(x["reason"], x["status"]) for x in data["not_included"]] == [
        ("already in an open request", "draft")
    ]

    rc, out, err = run_cli(capsys, *draft, "--again", "--json")
    assert rc == 0, err
    assert {r["platform"] for r in json.loads(out)["requests"]} == {"Reddit"}
