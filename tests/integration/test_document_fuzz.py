"""Untrusted strings cannot break documents: every letter, the hand-out, the NCMEC sheet and the
evidence packet (with its Fed. R. Evid. 902(13)/(14) certification) built with hostile values
in every field a user or a web page supplies.

The values: long (2,000 / 5,000 / 20,000 characters, web addresses and names), multi-line,
markup-like (``<b>``, ``</para>``, ``&amp;``, ``{{ x }}``, ``%s``), right-to-left (Arabic,
Hebrew), NUL and other control characters, and the bidi override / isolate / mark characters
(U+202A-U+202E, U+2066-U+2069, U+200E, U+200F, U+061C).

Each document must build; its PDF must parse (pypdf) and hold no raw bidi control and no NUL
but the escaped forms (``<U+202E>``, ``<U+0000>``); markup shows literally; the full value of
every shortened field stays in the JSON (request records) or manifest.json (packet).
Every document is built a handful of times, not hundreds (a wider fuzz: bench/).
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import docx
import pypdf
import pytest
from capture_server import LocalServer
from sqlalchemy import func, select
from storekit import is_laptop
from test_packet import make_case
from test_requests import T0, add_capture

from ncii_desk.capture.web import FetchOptions
from ncii_desk.clinic.store import ValueRefused
from ncii_desk.documents.common import BIDI_CONTROLS, clean_text, one_line, shorten
from ncii_desk.documents.forms import load_forms
from ncii_desk.documents.letters import Depiction, LetterForm, Sender, build_letters
from ncii_desk.services import capture, cases, packets
from ncii_desk.services import requests as tracker
from ncii_desk.vault import Vault
from ncii_desk.vault.models import RemovalRequest
from ncii_desk.vault.store import CaseStore

NOW = datetime(2026, 6, 1, 15, 30, tzinfo=UTC)
BIDI = "".join(sorted(BIDI_CONTROLS))
MARKUP = "<b>bold</b> </para> <para> &amp; &lt; {{ x }} {% if y %} %s %(name)s <br/> ]]>"
RTL = "مرحبا بالعالم שלום עולם"
CJK = "你好"  # no embedded font has these glyphs: PDFs show their codes, not empty boxes
CONTROLS = "nul\x00here bell\x07 esc\x1b del\x7f c1\x85"
SPOOF = "evil\u202egpj.exe \u2066isolated\u2069 \u200fmark\u200e \u061c"
MULTI = "first line\nsecond line\r\nthird\rfourth\tend"


def hostile(tag: str) -> str:
    """One value with every kind of trouble, different per field (``tag``)."""
    return f"{tag} {MARKUP} {RTL} {CJK} {CONTROLS} {SPOOF} {MULTI}"


def long_url(host: str, length: int) -> str:
    """A web address of exactly ``length`` characters with many break points."""
    start = f"https://{host}/r/a/comments/"
    body = "".join(f"seg{n}/file?id={n}&x=y{n}=" for n in range(length))
    return (start + body)[:length]


def long_word(length: int, tag: str = "W") -> str:
    return (tag + "x" * length)[:length]


def pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    assert len(reader.pages) >= 1
    return "\n".join(page.extract_text() for page in reader.pages)


def docx_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    parts += [c.text for t in document.tables for r in t.rows for c in r.cells]
    return "\n".join(parts)


def squeeze(text: str) -> str:
    return "".join(text.split())


def assert_safe(text: str, *, spoofed: bool = True) -> None:
    """No raw bidi control, no NUL or other control character; the escaped forms instead."""
    for ch in BIDI_CONTROLS:
        assert ch not in text, f"raw U+{ord(ch):04X} in the document"
    bad = [c for c in text if (ord(c) < 32 and c not in "\n\t") or 0x7F <= ord(c) <= 0x9F]
    assert not bad, f"control characters in the document: {sorted(set(bad))!r}"
    if spoofed:
        assert "<U+202E>" in text and "<U+2066>" in text and "<U+200F>" in text
        assert "<U+0000>" in text and "<U+0007>" in text


def assert_literal(text: str) -> None:
    """Markup-like values come out as written (allowing for line wrapping)."""
    flat = squeeze(text)
    for piece in ("<b>bold</b>", "</para>", "&amp;", "{{x}}", "%s", "<br/>"):
        assert piece in flat, piece
    # Right-to-left words are there (pypdf gives them in visual order, reversed).
    for word in ("مرحبا", "שלום"):
        assert word in flat or word[::-1] in flat, word


# --- the sanitising step itself ----------------------------------------------------------------


def _platform(store: CaseStore, tag: str) -> str:
    """A hostile platform name. A clinic store's PostgreSQL refuses the NUL character in the
    text columns it does not seal; a member's store seals the platform name (the NUL goes
    inside the token), a store opened without a member does not: there the name loses its
    NUL (that keeping NUL in an unsealed column is refused is checked with the route)."""
    name = hostile(tag)
    if is_laptop(store) or getattr(store, "sealing", False):
        return name
    return name.replace("\x00", "")


def test_clean_text_shows_controls_and_bidi_as_codes_and_one_line_folds_breaks() -> None:
    assert clean_text("evil\u202egpj.exe") == "evil<U+202E>gpj.exe"
    assert clean_text("a\x00b\x7fc") == "a<U+0000>b<U+007F>c"
    assert clean_text("x\u2066y\u2069\u200e\u200f\u061c") == (
        "x<U+2066>y<U+2069><U+200E><U+200F><U+061C>"
    )
    assert clean_text("a\r\nb\rc\td") == "a\nb\nc    d"
    assert one_line("name\nsecond\r\nthird") == "name<U+000A>second<U+000A>third"
    assert clean_text("\ud800 lone") == "\ufffd lone"
    assert clean_text(one_line("x\ny")) == one_line("x\ny")  # idempotent
    short = shorten("ab<U+202E>cd", 4, full_length=5000, where="in manifest.json")
    assert short == "ab… (shortened: full value in manifest.json, 5,000 characters)"


# --- letters for every route, built directly ------------------------------------------------------


def _form(size: int) -> LetterForm:
    def v(tag: str) -> str:
        return hostile(tag) + " " + long_word(size, tag)

    return LetterForm(
        sender=Sender(
            name=v("Sender"),
            email=v("mail"),
            phone=v("phone"),
            address=v("address"),
            organisation=v("Org"),
            representative=True,
            authority=v("authority"),
        ),
        signature=v("/s/"),
        person_name=v("Person"),
        pseudonym=v("Pseudonym"),
        good_faith=True,
        statement=v("statement"),
        forgery=True,
        work=v("work"),
        copyright_owner=True,
        accuracy=True,
        reference=v("Ref"),
        covered_platform="yes",
    )


def _depictions(size: int) -> list[Depiction]:
    captured = datetime(2026, 5, 30, 8, 0, tzinfo=UTC)
    return [
        Depiction(
            long_url("www.reddit.com", size) + SPOOF,
            final_url=long_url("i.redd.it", size) + "\x00" + MARKUP,
            page_url=long_url("www.reddit.com", size * 2) + "\n" + RTL,
            content_id=hostile("content") + long_word(size),
            captured_at=captured,
            hashes=(("SHA-256", "ab" * 32), ("PDQ", "cd" * 32)),
        ),
        Depiction("https://www.google.com/search?q=" + long_word(size) + SPOOF),
        Depiction(long_url("x.com", 20_000)),
    ]


TEMPLATES = ["takedown", "ncii_report", "dmca", "preservation", "deindex", "ncmec"]


@pytest.mark.parametrize("size", [2_000, 5_000, 20_000])
def test_every_letter_template_builds_pdf_and_docx_with_hostile_values(size: int) -> None:
    forms = load_forms()
    form, depictions = _form(size), _depictions(size)
    for template in TEMPLATES:
        # A DMCA notice lists only copies of client-owned originals (confirmed pixel matches).
        listed = [replace(d, dmca="ok") for d in depictions] if template == "dmca" else depictions
        letters = build_letters(template, form, listed, forms=forms, now=NOW)
        assert letters, template
        for letter in letters:
            pdf_t = pdf_text(letter.pdf())
            word_t = docx_text(letter.docx())
            for text in (pdf_t, word_t):
                assert_safe(text)
                assert_literal(text)
            # (pypdf may move the "<" next to right-to-left text in visual order)
            assert "U+4F60><U+597D>" in pdf_t and CJK in word_t
            # Single-line fields keep no line break; the break is shown as its code.
            assert "<U+000A>" in pdf_t and "<U+000A>" in word_t
            # The DOCX has room for everything: the longest address is in it in full.
            if letter.recipient == "Reddit":
                assert squeeze(clean_text(depictions[0].url)) in squeeze(word_t)


# --- through the services: drafts (JSON), hand-out, NCMEC sheet ---------------------------------


def _service_form() -> LetterForm:
    return LetterForm(
        sender=Sender(
            name=hostile("Sender"),
            email="ana@clinic.example",
            organisation=hostile("Org") + long_word(5_000),
            representative=True,
            authority=hostile("authority"),
        ),
        signature=hostile("/s/"),
        good_faith=True,
        work=hostile("work"),
        accuracy=True,
        copyright_owner=True,
        covered_platform="yes",
    )


@pytest.mark.parametrize("length", [2_000, 4_000, 20_000])
def test_draft_requests_and_handout_with_long_and_hostile_addresses(
    store: CaseStore, length: int
) -> None:
    label = hostile("Case") + long_word(length)
    case = cases.new_case(store, label, client_pseudonym=hostile("P") + long_word(5_000))
    page = long_url("www.reddit.com", length) + SPOOF
    picture = long_url("i.redd.it", length) + ".jpg"
    add_capture(store, case.id, page, seed=1, picture=picture)
    tracker.set_clinic(store, name=hostile("Clinic"), email=hostile("e"), phone=hostile("ph"))
    form = _service_form()
    result = tracker.draft_requests(store, case.id, "takedown", form, now=T0)
    view = result.requests[0]
    # The request record and its JSON keep the full, untouched addresses.
    assert page in view.urls and picture in view.urls
    dumped = json.dumps(result.as_dict(), ensure_ascii=False)
    assert json.dumps(page, ensure_ascii=False)[1:-1] in dumped
    documents = tracker.request_documents(store, view.id)
    pdf = next(data for name, data in documents.items() if name.endswith(".pdf"))
    word = next(data for name, data in documents.items() if name.endswith(".docx"))
    for text in (pdf_text(pdf), docx_text(word)):
        assert_safe(text)
        assert_literal(text)
    tracker.set_ticket(store, view.id, hostile("TKT") + long_word(length), now=T0)
    tracker.mark_sent(store, view.id, at=T0, now=T0)
    handout = pdf_text(tracker.make_handout(store, case.id, now=T0))
    assert_safe(handout)
    assert "<U+000A>" in handout  # the clinic's name is one line
    with store.session() as s:
        row = s.get(RemovalRequest, view.id)
        assert row is not None and page in row.urls and row.ticket_id.startswith("TKT")


def test_ncmec_sheet_for_a_minor_case_with_hostile_values(store: CaseStore) -> None:
    case = cases.new_case(store, hostile("Case M"), suspected_minor=True)
    page = long_url("www.reddit.com", 5_000) + SPOOF + "\x00"
    add_capture(store, case.id, page, seed=7, minor=True)
    result = tracker.draft_requests(store, case.id, "takedown", _service_form(), now=T0)
    assert result.routed_to_ncmec
    view = result.requests[0]
    assert page in view.urls
    documents = tracker.request_documents(store, view.id)
    pdf = documents["ncmec-ncmec.pdf"]
    text = pdf_text(pdf)
    assert_safe(text)
    for page_obj in pypdf.PdfReader(io.BytesIO(pdf)).pages:
        assert not page_obj["/Resources"].get("/XObject")
    assert_safe(docx_text(documents["ncmec-ncmec.docx"]))


# --- the evidence packet and its certification ---------------------------------------------


def _capture(vault: Vault, case_id: str, web: LocalServer, paths: Iterable[str]) -> None:
    # The re-posted copy of the case's original: only matched pictures become exhibits.
    picture = web.routes["/media/1.jpg"]
    web.set_fallback(lambda path: picture)
    options = capture.CaptureOptions(
        fetch=FetchOptions(trust_env=False, total_timeout=20, allow_private_addresses=True)
    )
    batch = capture.capture_urls(vault, case_id, [web.url(p) for p in paths], options=options)
    for r in batch.results:
        assert r.error is None, r.error


@pytest.mark.parametrize("size", [2_000, 20_000])
def test_packet_and_certification_with_long_and_hostile_values(
    store: CaseStore,
    tmp_path: Path,
    web: LocalServer,
    size: int,
) -> None:
    pseudonym = hostile("Pseudo") + long_word(size)
    built = make_case(
        store,
        tmp_path / "in",
        web,
        label=hostile("Label") + long_word(size),
        pseudonym=pseudonym,
        notes=hostile("notes") + long_word(size),
    )
    long_path = "/" + "/".join(f"seg{n}?a={n}&b=" for n in range(size))[: size - 1]
    _capture(store, built.case_id, web, [long_path])
    if not is_laptop(store):
        with pytest.raises(ValueRefused, match="NUL character"), store.transaction() as s:
            s.add(RemovalRequest(case_id=built.case_id, platform="Host", route=hostile("Route")))
        with store.session() as s:
            assert s.scalar(select(func.count()).select_from(RemovalRequest)) == 0
    with store.transaction() as s:
        s.add(
            RemovalRequest(
                case_id=built.case_id,
                platform=_platform(store, "Host"),
                route="take_it_down",
                urls=[built.page_url],
                item_ids=[built.captured],
                ticket_id=hostile("TKT") + long_word(size),
                history=[{"at": "2026-06-01T12:00:00Z", "status": "sent", "note": hostile("n")}],
            )
        )
    out = tmp_path / "packet"
    packets.build_packet(store, built.case_id, out)
    text = pdf_text((out / "packet.pdf").read_bytes())
    assert_safe(text)
    assert_literal(text)
    assert "Certification draft: Fed. R. Evid. 902(13), 902(14)" in " ".join(text.split())
    assert "penalty of perjury" in text
    assert "shortened: full value in manifest.json" in " ".join(text.split())
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    full = [entry["value"] for entry in manifest["info"]["full_values"]]
    long_address = web.url(long_path)
    assert any(long_address in value for value in full), "the long address is not kept in full"
    assert all(
        entry["characters"] == len(entry["value"]) for entry in manifest["info"]["full_values"]
    )
    readme = (out / "README.txt").read_text("utf-8")
    assert_safe(readme, spoofed=False)
    assert "Client (pseudonym): Pseudo" in readme and "<U+202E>" in readme
    assert packets.verify_packet(out, vault=store).ok
