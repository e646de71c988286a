"""Letters and the PDF/DOCX kits: content, platform grouping, law, escaping, fonts, metadata."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import docx
import pypdf
import pytest

from ncii_desk import __version__
from ncii_desk.documents.common import DocMeta, clean_text
from ncii_desk.documents.docxkit import DocxDocument
from ncii_desk.documents.forms import FormsDataError, load_forms
from ncii_desk.documents.letters import (
    Depiction,
    LetterForm,
    PlaceholderLeft,
    Sender,
    build_letters,
    group_by_platform,
)
from ncii_desk.documents.pdfkit import PdfDocument, esc
from ncii_desk.resources import data_dir

NOW = datetime(2026, 6, 1, 15, 30, tzinfo=UTC)
INJECTIONS = [
    "<b>x</b>",
    "<font size=40>big</font>",
    "&amp;",
    '<a href="javascript:alert(1)">click</a>',
    "{{ config }}",
    "{% for x in range(3) %}loop{% endfor %}",
]


def pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def docx_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return " ".join(" ".join(parts).split())


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def sender(**changes: object) -> Sender:
    values: dict[str, object] = {
        "name": "Ana Advocate",
        "email": "ana@clinic.example",
        "phone": "+1 555 0100",
        "organisation": "Harbor Legal Clinic",
        "representative": True,
        "authority": "The person depicted asked the clinic in writing to act for her.",
    }
    values.update(changes)
    return Sender(**values)  # type: ignore[arg-type]


def full_form(**changes: object) -> LetterForm:
    values: dict[str, object] = {
        "sender": sender(),
        "signature": "/s/ Ana Advocate",
        "person_name": "Jane Roe",
        "good_faith": True,
        "statement": "Posted by a former partner after the relationship ended.",
        "forgery": True,
        "work": "A photograph Jane Roe took of herself in 2024.",
        "copyright_owner": True,
        "accuracy": True,
        "reference": "Case 2026-014",
        "covered_platform": "yes",
    }
    values.update(changes)
    return LetterForm(**values)  # type: ignore[arg-type]


DEPICTIONS = [
    Depiction(
        "https://www.reddit.com/r/a/comments/1",
        captured_at=datetime(2026, 5, 30, 8, 0, tzinfo=UTC),
        hashes=(("SHA-256", "ab" * 32),),
    ),
    Depiction("https://i.redd.it/abc123.jpg"),
    Depiction("https://x.com/someone/status/42"),
    Depiction("https://mirror.example.net/p/77"),
    Depiction("https://cdn.other-site.example/img/9"),
]


# --- kits ----------------------------------------------------------------------------------


def _fonts(pdf: bytes) -> list[dict[str, object]]:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    found = []
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font.get("/FontDescriptor")
            found.append(
                {
                    "name": str(font["/BaseFont"]),
                    "embedded": descriptor is not None and "/FontFile2" in descriptor.get_object(),
                }
            )
    return found


def test_pdf_fonts_are_embedded_truetype_and_metadata_is_set() -> None:
    meta = DocMeta(
        title="Removal request", author="Harbor Legal Clinic", subject="Test", created=NOW
    )
    doc = PdfDocument(meta)
    doc.title("Title")
    doc.heading("Heading")
    doc.para("Body text with ünïcödé — and “quotes”.")
    doc.kv_table([("Label", "Value")])
    doc.table(["A", "B"], [["1", "2"]])
    doc.bullets(["one", "two"])
    pdf = doc.build()
    fonts = _fonts(pdf)
    assert fonts and all(f["embedded"] for f in fonts), fonts
    assert not any("Helvetica" in str(f["name"]) or "Times" in str(f["name"]) for f in fonts)
    info = pypdf.PdfReader(io.BytesIO(pdf)).metadata
    assert info is not None
    assert info["/Title"] == "Removal request"
    assert info["/Author"] == "Harbor Legal Clinic"
    assert info["/Creator"] == f"NCII Desk {__version__}"
    assert info["/CreationDate"].startswith("D:20260601153000+00'00'")
    text = pdf_text(pdf)
    assert "ünïcödé" in text
    assert "Draft — not legal advice" in text and "Page 1 of 1" in text


def test_pdf_footer_counts_all_pages() -> None:
    doc = PdfDocument(DocMeta(title="Long", author="A", created=NOW))
    for number in range(120):
        doc.para(f"Line {number}")
    reader = pypdf.PdfReader(io.BytesIO(doc.build()))
    total = len(reader.pages)
    assert total >= 3
    for number, page in enumerate(reader.pages, start=1):
        assert f"Page {number} of {total}" in page.extract_text()


def test_docx_properties_and_literal_runs() -> None:
    meta = DocMeta(title="T <b>", author="Clinic & Co", subject="S", keywords=["k1"], created=NOW)
    doc = DocxDocument(meta)
    for value in INJECTIONS:
        doc.para(value)
    doc.labelled("<i>Label</i>", "\x07bell")
    data = doc.build()
    document = docx.Document(io.BytesIO(data))
    texts = [p.text for p in document.paragraphs]
    for value in INJECTIONS:
        assert value in texts
    assert "<i>Label</i>: <U+0007>bell" in texts  # a control character is shown as its code
    props = document.core_properties
    assert props.title == "T <b>" and props.author == "Clinic & Co"
    assert props.created == NOW
    assert f"NCII Desk {__version__}" in props.comments
    footer = document.sections[0].footer.paragraphs[0]._p.xml
    assert "NUMPAGES" in footer and "not legal advice" in footer


def test_esc_makes_markup_literal() -> None:
    assert esc("<b>x</b> & y") == "&lt;b&gt;x&lt;/b&gt; &amp; y"
    assert esc("&amp;") == "&amp;amp;"
    assert esc("a\nb") == "a<br/>b"
    assert esc("nul\x00 del\x7f") == "nul&lt;U+0000&gt; del&lt;U+007F&gt;"
    assert clean_text("a\r\nb\tc") == "a\nb    c"


def test_pdf_markup_injection_is_literal() -> None:
    doc = PdfDocument(DocMeta(title="x", author="y", created=NOW))
    for value in INJECTIONS:
        doc.para(value)
        doc.kv_table([(value, value)])
        doc.bullets([value])
    pdf = doc.build()
    text = pdf_text(pdf)
    for value in INJECTIONS:
        assert text.count(value) >= 3, value
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert all("/Annots" not in page for page in reader.pages)  # no link was made


# --- forms data ---------------------------------------------------------------------------


def test_forms_data_loads_with_required_content() -> None:
    forms = load_forms()
    assert {
        "takedown",
        "ncii_report",
        "dmca",
        "preservation",
        "deindex",
        "followup",
        "escalation",
        "ncmec",
        "handout",
    } <= set(forms.templates)
    assert len(forms.platforms) >= 12
    assert "unknown" in forms.platforms
    kinds = {p.kind for p in forms.platforms.values()}
    assert {"social network", "search engine", "image host", "adult site"} <= kinds
    law = forms.law
    assert law["civil_6851"].citation == "15 U.S.C. § 6851"
    assert law["take_it_down_223h"].citation == "47 U.S.C. § 223(h)"
    assert law["dmca_512c3"].citation.startswith("17 U.S.C. § 512(c)(3)")
    assert law["defiance"].enabled is False and law["defiance"].status == "pending legislation"
    for platform in forms.platforms.values():
        assert platform.last_checked.year >= 2025
        assert platform.channels


@pytest.mark.parametrize(
    ("url", "platform"),
    [
        ("https://www.instagram.com/p/abc/", "meta"),
        ("https://scontent.cdninstagram.com/v/x.jpg", "meta"),
        ("https://old.reddit.com/r/x/1", "reddit"),
        ("https://i.redd.it/x.jpg", "reddit"),
        ("https://pbs.twimg.com/media/x.jpg", "x"),
        ("https://www.google.com/search?q=x", "google_search"),
        ("https://drive.google.com/file/d/1", "google_hosting"),
        ("https://cdn.discordapp.com/attachments/1/2/x.png", "discord"),
        ("https://t.me/channel/5", "telegram"),
        ("https://www.pornhub.com/view_video.php?x=1", "aylo"),
        ("HTTPS://I.IMGUR.COM/x.png", "imgur"),
        ("https://notreddit.com/x", "unknown"),
        ("https://reddit.com.evil.example/x", "unknown"),
        ("not a url at all", "unknown"),
    ],
)
def test_platform_recognised_from_url(url: str, platform: str) -> None:
    found, _host = load_forms().platform_for_url(url)
    assert found.id == platform


def _forms_copy(tmp_path: Path) -> Path:
    target = tmp_path / "forms"
    shutil.copytree(data_dir("forms"), target)
    return target


def test_pending_defiance_cannot_be_switched_on(tmp_path: Path) -> None:
    folder = _forms_copy(tmp_path)
    law = folder / "law.toml"
    text = law.read_text("utf-8")
    section = text.index("[law.defiance]")
    law.write_text(
        text[:section] + text[section:].replace("enabled = false", "enabled = true", 1), "utf-8"
    )
    with pytest.raises(FormsDataError, match="pending legislation cannot be switched on"):
        load_forms(folder)


@pytest.mark.parametrize(
    ("file", "old", "new", "message"),
    [
        ("platforms.toml", 'routes = ["deindex"', 'routes = ["fax"', "unknown route 'fax'"),
        ("platforms.toml", '"imgur.com"', '"reddit.com"', "also listed"),
        ("templates/takedown.toml", 'kind = "contact"', 'kind = "script"', "unknown kind"),
        ("templates/takedown.toml", '["take_it_down_removal", ', '["nope", ', "law 'nope'"),
        ("templates/dmca.toml", "{{ work }}", "{{ work ", "not valid"),
        (
            "law.toml",
            'status = "pending legislation"\nenabled = false',
            'status = "passed the Senate, pending in the House"\nenabled = true',
            "cannot be switched on",
        ),
        ("packet_elements.toml", 'statute = "civil_6851"', 'statute = "nope"', "statute 'nope'"),
        ("packet_elements.toml", '["capture"]', '["rumour"]', "unknown evidence word 'rumour'"),
    ],
)
def test_bad_forms_data_is_reported(
    tmp_path: Path, file: str, old: str, new: str, message: str
) -> None:
    folder = _forms_copy(tmp_path)
    path = folder / file
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")
    with pytest.raises(FormsDataError, match=message):
        load_forms(folder)


def test_leftover_placeholder_in_a_template_is_refused(tmp_path: Path) -> None:
    folder = _forms_copy(tmp_path)
    path = folder / "templates" / "ncii_report.toml"
    text = path.read_text("utf-8")
    path.write_text(text.replace("Content reported", "Content reported [INSERT DATE]"), "utf-8")
    with pytest.raises(PlaceholderLeft, match=r"\[INSERT DATE\]"):
        build_letters("ncii_report", full_form(), DEPICTIONS, forms=load_forms(folder), now=NOW)


def test_missing_template_variable_is_an_error_not_a_blank(tmp_path: Path) -> None:
    folder = _forms_copy(tmp_path)
    path = folder / "templates" / "ncii_report.toml"
    text = path.read_text("utf-8")
    path.write_text(text.replace("{{ recipient }}", "{{ recipient_nam }}", 1), "utf-8")
    with pytest.raises(Exception, match="recipient_nam"):
        build_letters("ncii_report", full_form(), DEPICTIONS, forms=load_forms(folder), now=NOW)


# --- letters ------------------------------------------------------------------------------


def test_one_letter_per_platform_groups_its_urls() -> None:
    forms = load_forms()
    groups = group_by_platform(DEPICTIONS, forms)
    assert [g.key for g in groups] == [
        "reddit",
        "x",
        "unknown:mirror.example.net",
        "unknown:cdn.other-site.example",
    ]
    letters = build_letters("takedown", full_form(), DEPICTIONS, forms=forms, now=NOW)
    by_recipient = {letter.recipient: letter for letter in letters}
    assert set(by_recipient) == {
        "Reddit",
        "X (formerly Twitter)",
        "mirror.example.net",
        "cdn.other-site.example",
    }
    reddit = pdf_text(by_recipient["Reddit"].pdf())
    assert "https://www.reddit.com/r/a/comments/1" in reddit
    assert "https://i.redd.it/abc123.jpg" in reddit
    assert "x.com" not in reddit and "mirror.example.net" not in reddit
    other = pdf_text(by_recipient["X (formerly Twitter)"].pdf())
    assert "https://x.com/someone/status/42" in other and "redd" not in other


def test_depiction_goes_to_its_page_platform_else_its_own_address_platform() -> None:
    forms = load_forms()
    on_forum = Depiction("https://pbs.twimg.com/media/a.jpg", page_url="https://forum.example/t/1")
    on_reddit = Depiction("https://cdn.example.org/b.jpg", page_url="https://old.reddit.com/r/c/2")
    media_only = Depiction("https://scontent.cdninstagram.com/v/c.jpg")
    nowhere = Depiction("https://cdn.example.org/d.jpg", page_url="https://forum.example/t/3")
    groups = group_by_platform([on_forum, on_reddit, media_only, nowhere], forms)
    assert [(g.key, [d.url for d in g.depictions]) for g in groups] == [
        ("x", [on_forum.url]),
        ("reddit", [on_reddit.url]),
        ("meta", [media_only.url]),
        ("unknown:forum.example", [nowhere.url]),  # named after the page's site
    ]
    # The same picture on two pages is two locations; the same one twice is one.
    twice = [on_reddit, replace(on_reddit, page_url="https://old.reddit.com/r/c/9"), on_reddit]
    assert len(group_by_platform(twice, forms)[0].depictions) == 2
    [letter] = build_letters("takedown", full_form(), [on_forum], forms=forms, now=NOW)
    text = docx_text(letter.docx())
    assert "https://pbs.twimg.com/media/a.jpg Shown on the page: https://forum.example/t/1" in text


def _assert_common(text: str, citations: list[str]) -> None:
    assert "DRAFT — NOT LEGAL ADVICE" in text
    assert "Draft — not legal advice" in text
    assert "Last checked: 2026-06-30" in text
    for citation in citations:
        assert citation in text, citation
    assert not re.search(r"\{\{|\}\}|\{%|%\}|\[[A-Z _]+\]|_{4,}", text), text
    assert "DEFIANCE" not in text


ROUTE_CASES = {
    "takedown": (
        ["47 U.S.C. § 223a", "47 U.S.C. § 223(h)"],
        [
            "1. Identification and location of each depiction",
            "2. Statement of good faith",
            "good-faith belief",
            "3. Contact information",
            "ana@clinic.example",
            "4. Signature",
            "/s/ Ana Advocate",
            "Authority to act",
            "asked the clinic in writing",
            "within 48 hours",
            "known identical copies",
            "request or ticket number",
            "digitally created or altered",
            "Date and time of this request 2026-06-01 15:30 UTC",
        ],
    ),
    "ncii_report": (["47 U.S.C. § 223a", "15 U.S.C. § 6851"], ["Content reported"]),
    "dmca": (
        ["17 U.S.C. § 512(c)(3)(A)"],
        [
            "1. The copyrighted work",
            "A photograph Jane Roe took of herself in 2024.",
            "2. The infringing material and where it is",
            "3. Contact information",
            "4. Statement of good faith",
            "not authorised by the copyright owner, its agent, or the law",
            "5. Accuracy and authority",
            "under penalty of perjury",
            "6. Signature",
            "to the person who uploaded the material",
            "counter-notice",
            "10 to 14 business days",
            "17 U.S.C. § 512(g)",
            "17 U.S.C. § 411(a)",
            "registered with the U.S. Copyright Office",
        ],
    ),
    "preservation": (["15 U.S.C. § 6851"], ["Records to preserve", "Upload details"]),
    "ncmec": (
        ["47 U.S.C. § 223(h)"],
        ["CyberTipline", "https://report.cybertip.org", "Take It Down", "hashes"],
    ),
}


@pytest.mark.parametrize("template", sorted(ROUTE_CASES))
def test_every_route_template_renders_same_content_in_pdf_and_docx(template: str) -> None:
    citations, phrases = ROUTE_CASES[template]
    depictions = DEPICTIONS[:2]
    if template == "dmca":  # only copies of the client's own originals go in a DMCA notice
        depictions = [replace(d, dmca="ok") for d in depictions]
    letters = build_letters(template, full_form(), depictions, forms=load_forms(), now=NOW)
    assert len(letters) == 1
    letter = letters[0]
    pdf = letter.pdf()
    word = letter.docx()
    for text in (pdf_text(pdf), docx_text(word)):
        _assert_common(text, citations)
        for phrase in phrases:
            assert phrase in text, phrase
        assert "https://www.reddit.com/r/a/comments/1" in text
        assert squeeze("ab" * 32) in squeeze(text)
    # Letters never carry images.
    for page in pypdf.PdfReader(io.BytesIO(pdf)).pages:
        xobjects = page["/Resources"].get("/XObject", {})
        assert not xobjects
    assert not docx.Document(io.BytesIO(word)).inline_shapes


def test_deindex_goes_to_search_engines_only() -> None:
    depictions = [*DEPICTIONS, Depiction("https://www.google.com/search?q=jane")]
    letters = build_letters("deindex", full_form(), depictions, forms=load_forms(), now=NOW)
    assert [letter.recipient for letter in letters] == ["Google Search"]
    text = pdf_text(letters[0].pdf())
    assert "support.google.com/websearch" in text and "verify before sending" in text
    assert "fake" in text  # forgery: points to the fake-imagery process


def test_discord_letter_notes_one_report_per_item_and_needs_legal_name() -> None:
    depictions = [
        Depiction("https://discord.com/channels/1/2/3"),
        Depiction("https://cdn.discordapp.com/a/1.png"),
    ]
    letters = build_letters("takedown", full_form(), depictions, forms=load_forms(), now=NOW)
    text = pdf_text(letters[0].pdf())
    assert "one report per item" in text
    assert "Jane Roe" in text


def test_defiance_shown_only_when_enacted_in_the_data(tmp_path: Path) -> None:
    off = build_letters("preservation", full_form(), DEPICTIONS[:1], forms=load_forms(), now=NOW)
    assert "DEFIANCE" not in pdf_text(off[0].pdf())
    folder = _forms_copy(tmp_path)
    law = folder / "law.toml"
    text = law.read_text("utf-8")
    start = text.index("[law.defiance]")
    end = text.index("[law.fre_902_13_14]")
    section = (
        text[start:end]
        .replace('public_law = ""', 'public_law = "Pub. L. 119-99"')
        .replace('status = "pending legislation"', 'status = "enacted"')
        .replace("enabled = false", "enabled = true")
    )
    law.write_text(text[:start] + section + text[end:], "utf-8")
    on = build_letters(
        "preservation", full_form(), DEPICTIONS[:1], forms=load_forms(folder), now=NOW
    )
    text_on = pdf_text(on[0].pdf())
    assert "DEFIANCE Act (Pub. L. 119-99)" in text_on
    assert "DEFIANCE Act — intimate digital forgeries" in text_on


def test_self_sender_wording_has_no_authority_section() -> None:
    form = full_form(sender=sender(representative=False, authority="", organisation=""))
    letters = build_letters("takedown", form, DEPICTIONS[:1], forms=load_forms(), now=NOW)
    text = pdf_text(letters[0].pdf())
    assert "I am the person shown in the depiction listed below" in text
    assert "Authority to act" not in text
    assert "The person depicted" in text  # "Acting as"


@pytest.mark.parametrize("value", INJECTIONS)
def test_user_text_and_urls_come_out_literally(value: str) -> None:
    form = full_form(
        sender=sender(name=f"Ana {value}", authority=f"Authority {value}"),
        signature=f"/s/ Ana {value}",
        person_name=f"Roelegal {value}",  # not printed: evil.example does not require it
        pseudonym=f"Jane {value}",
        statement=f"Note {value}",
        reference=f"Ref {value}",
    )
    depictions = [Depiction(f"https://evil.example/p?q={value}")]
    letters = build_letters("takedown", form, depictions, forms=load_forms(), now=NOW)
    assert len(letters) == 1
    pdf = letters[0].pdf()
    for text in (pdf_text(pdf), docx_text(letters[0].docx())):
        for expected in (
            f"Ana {value}",
            f"Authority {value}",
            f"Jane {value}",
            f"Note {value}",
            f"Ref {value}",
        ):
            assert expected in text, expected
        assert squeeze(f"https://evil.example/p?q={value}") in squeeze(text)
        assert "looplooploop" not in text  # template syntax in a value is never run
        assert "Roelegal" not in text
    info = pypdf.PdfReader(io.BytesIO(pdf)).metadata
    assert info is not None and info["/Title"] == "Removal request under the TAKE IT DOWN Act"


def test_bundled_vera_fonts_are_used_when_dejavu_is_missing() -> None:
    """A fresh process that finds no DejaVu still embeds its fonts (reportlab's own Vera)."""
    script = (
        "import io, pypdf\n"
        "from ncii_desk.documents import pdfkit\n"
        "from ncii_desk.documents.common import DocMeta\n"
        "pdfkit._DEJAVU_DIRS = ()\n"
        "doc = pdfkit.PdfDocument(DocMeta(title='t', author='a'))\n"
        "doc.heading('Heading'); doc.para('Body'); doc.table(['h'], [['c']])\n"
        "reader = pypdf.PdfReader(io.BytesIO(doc.build()))\n"
        "for font in reader.pages[0]['/Resources']['/Font'].values():\n"
        "    font = font.get_object()\n"
        "    print(font['/BaseFont'], '/FontFile2' in font['/FontDescriptor'].get_object())\n"
        "print(pdfkit.register_fonts().source)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True
    )
    lines = result.stdout.split("\n")
    assert "Bitstream Vera" in lines
    fonts = [line for line in lines if line.startswith("/")]
    assert fonts and all(line.endswith(" True") and "Vera" in line for line in fonts), fonts


def test_dmca_goes_to_the_designated_agent_channel_only() -> None:
    forms = load_forms()
    for platform in forms.platforms.values():
        if "dmca" not in platform.routes:
            continue
        channels = platform.channels_for("dmca")
        assert channels and all(c.route == "dmca" for c in channels), platform.id
        for channel in channels:
            assert channel.verify and channel.last_checked is not None
            assert "dmca.copyright.gov" in channel.source
            assert channel.describe().endswith("verify before sending")
    # Other routes never get the DMCA agent.
    assert all(c.route != "dmca" for c in forms.platforms["x"].channels_for("takedown"))
    depiction = replace(DEPICTIONS[2], dmca="ok")  # an X post
    letter = build_letters("dmca", full_form(), [depiction], forms=forms, now=NOW)[0]
    text = pdf_text(letter.pdf())
    assert "Designated agent of X" in text and "help.x.com/forms/ipi" in text
    assert "private or intimate media" not in text  # the NCII report channel


def test_a_dmca_platform_without_an_agent_channel_is_refused(tmp_path: Path) -> None:
    folder = _forms_copy(tmp_path)
    path = folder / "platforms.toml"
    text = path.read_text("utf-8")
    start = text.index('[[platform.x.channels]]\nroute = "dmca"')
    end = text.index("[[platform.x.channels]]", start + 10)
    path.write_text(text[:start] + text[end:], "utf-8")
    with pytest.raises(FormsDataError) as caught:
        load_forms(folder)
    assert "platform 'x'" in caught.value.message and "designated-agent" in caught.value.message
    unverified = text.replace(
        'web_form = "https://help.x.com/forms/ipi"\nverify = true',
        'web_form = "https://help.x.com/forms/ipi"\nverify = false',
    )
    assert unverified != text
    path.write_text(unverified, "utf-8")
    with pytest.raises(FormsDataError) as caught:
        load_forms(folder)
    assert "verify = true" in caught.value.message
