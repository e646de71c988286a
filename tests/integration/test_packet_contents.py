"""What the packet's public volume may hold: advocate notes only when ticked in one by one,
exhibits only for pictures matched to the client's originals or reference photos, pending
matches labelled pending, and unreviewed face matches not counted as identity evidence.

Checked on every file of the public volume (PDF text via pypdf, manifest.json, manifest.csv,
README.txt) of packets built through the real services, with a real HTTP server on
127.0.0.1.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from capture_server import LocalServer, Route, page
from storekit import is_laptop
from test_packet import _jpeg, _photo, add_request_and_recheck, flat, make_case, pdf_text

from conftest import PASSPHRASE
from ncii_desk.capture.web import FetchOptions
from ncii_desk.documents import packet as pk
from ncii_desk.documents.forms import load_forms
from ncii_desk.errors import InvalidSetting
from ncii_desk.services import capture, cases, intake, packets
from ncii_desk.vault import Vault
from ncii_desk.vault.models import Case, EvidenceItem, Match, ReviewState, Role
from ncii_desk.vault.store import CaseStore

CASE_NOTE = "Privileged: client may testify on 2026-09-14"
ITEM_NOTE = "Work product: uploader is probably the ex-partner"


def public_texts(folder: Path) -> dict[str, str]:
    """Every file of the public volume as text: the PDF's extracted text, the others as-is."""
    texts = {}
    for path in sorted(p for p in folder.iterdir() if p.is_file()):
        if path.suffix == ".pdf":
            texts[path.name] = flat(pdf_text(path)[0])
        else:
            texts[path.name] = path.read_text("utf-8")
    return texts


def test_advocate_notes_stay_out_of_the_public_volume_unless_ticked(
    store: CaseStore, tmp_path: Path, web: LocalServer
) -> None:
    built = make_case(store, tmp_path / "in", web, notes=CASE_NOTE)
    with store.transaction() as s:
        item = s.get(EvidenceItem, built.captured)
        assert item is not None
        item.notes = ITEM_NOTE
    notes = packets.case_notes(store, built.case_id)
    assert [(n.id, n.text) for n in notes] == [("case", CASE_NOTE), (built.captured, ITEM_NOTE)]

    default = packets.build_packet(store, built.case_id, tmp_path / "default")
    assert default.notes_included == []
    texts = public_texts(tmp_path / "default")
    assert set(texts) == {
        "packet.pdf",
        "README.txt",
        "manifest.json",
        "manifest.csv",
        "manifest.sig",
        "SIGNING-KEY.txt",
        "verify_packet.py",
    }
    for name, text in texts.items():
        assert CASE_NOTE not in text and ITEM_NOTE not in text, name
        assert "Privileged" not in text and "ex-partner" not in text, name
    assert "Advocate's notes" not in texts["packet.pdf"]

    case_only = packets.build_packet(
        store, built.case_id, tmp_path / "case-note", include_notes=["case"]
    )
    assert case_only.notes_included == ["case"]
    pdf = public_texts(tmp_path / "case-note")["packet.pdf"]
    assert CASE_NOTE in pdf and ITEM_NOTE not in pdf
    assert "may be privileged work product" in pdf

    packets.build_packet(
        store, built.case_id, tmp_path / "item-note", include_notes=[built.captured[:10]]
    )
    pdf = public_texts(tmp_path / "item-note")["packet.pdf"]
    assert ITEM_NOTE in pdf and CASE_NOTE not in pdf

    with pytest.raises(InvalidSetting) as caught:
        packets.build_packet(store, built.case_id, tmp_path / "bad", include_notes=["nope"])
    assert "'nope' is not a note" in caught.value.message
    assert not (tmp_path / "bad").exists()


def test_cli_packet_includes_only_the_notes_named(
    vault_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from clikit import run_cli

    from conftest import fast_kdf

    vault, _ = Vault.create(vault_dir, PASSPHRASE, kdf=fast_kdf(), actor="test-advocate")
    cases.new_case(vault, "Case N", notes=CASE_NOTE)
    picture = tmp_path / "selfie.jpg"
    picture.write_bytes(_jpeg(_photo("astronaut")))
    intake.add_items(vault, "Case N", Role.ORIGINAL, [picture])
    vault.close()
    monkeypatch.setenv("NCII_DESK_VAULT", str(vault_dir))
    monkeypatch.setenv("NCII_DESK_PASSPHRASE", PASSPHRASE)
    rc, _, _ = run_cli(capsys, "packet", "Case N", "--out", str(tmp_path / "plain"))
    assert rc == 0
    assert CASE_NOTE not in flat(pdf_text(tmp_path / "plain" / "packet.pdf")[0])
    rc, _, err = run_cli(
        capsys, "packet", "Case N", "--out", str(tmp_path / "ticked"), "--include-note", "case"
    )
    assert rc == 0 and "may be privileged" in err
    assert CASE_NOTE in flat(pdf_text(tmp_path / "ticked" / "packet.pdf")[0])


def test_an_unrelated_picture_from_the_same_page_is_never_an_exhibit(
    store: CaseStore, tmp_path: Path, web: LocalServer
) -> None:
    built = make_case(store, tmp_path / "in", web)
    original = _photo("astronaut")
    import cv2

    copy = cv2.resize(original[8:-8, 8:-8], (280, 280), interpolation=cv2.INTER_AREA)
    web.routes["/thread"] = Route(page('<img src="/m/copy.jpg"><img src="/m/other.jpg">'))
    web.routes["/m/copy.jpg"] = Route(_jpeg(copy), content_type="image/jpeg")
    web.routes["/m/other.jpg"] = Route(_jpeg(_photo("chelsea")), content_type="image/jpeg")
    batch = capture.capture_urls(
        store,
        built.case_id,
        [web.url("/thread")],
        options=capture.CaptureOptions(fetch=FetchOptions(trust_env=False, total_timeout=10)),
    )
    assert batch.results[0].error is None
    with store.session() as s:
        captured = {
            str((i.details or {}).get("url")): i
            for i in s.query(EvidenceItem).filter(EvidenceItem.capture_id.is_not(None))
        }
        other = captured[web.url("/m/other.jpg")]
        html = captured[web.url("/thread")]
        copy_item = captured[web.url("/m/copy.jpg")]
        exhibits = [i.id for i in pk.exhibit_order(s, built.case_id)]
        case = s.get(Case, built.case_id)
        assert case is not None
        data = pk.gather(s, case, vault_id=store.vault_id, operator="t", built_at=datetime.now(UTC))
    assert copy_item.id in exhibits and built.captured in exhibits
    for not_one in (other.id, html.id, built.unrelated):
        assert not_one not in exhibits
    assert data.not_exhibits == 3
    index = {el.id: el for el in load_forms().elements.elements}
    numbers = {e.item_id: e.number for e in data.exhibits}
    for element in ("intimate_depiction", "disclosure"):
        listed = pk.exhibits_for(data, index[element].evidence)
        assert numbers[copy_item.id] in listed
        assert set(listed) <= set(numbers.values())
    out = tmp_path / "packet"
    packets.build_packet(store, built.case_id, out, sealed=True)
    texts = public_texts(out)
    for name, text in texts.items():
        assert other.sha256 not in text, name
        assert web.url("/m/other.jpg") not in text, name
    sealed = json.dumps(sorted(p.name for p in (out / "sealed").iterdir()))
    assert other.sha256[:12] not in sealed


def test_pending_matches_are_labelled_and_unreviewed_face_matches_are_not_identity(
    store: CaseStore, tmp_path: Path, web: LocalServer
) -> None:
    built = make_case(store, tmp_path / "in", web)
    face_photo = tmp_path / "face.jpg"
    face_photo.write_bytes(_jpeg(_photo("chelsea")))
    reference = intake.add_items(store, built.case_id, Role.REFERENCE, [face_photo]).added[0].id
    with store.transaction() as s:
        face = Match(
            case_id=built.case_id,
            suspect_item_id=built.unrelated,
            target_item_id=reference,
            kind="face",
            score=0.71,
            threshold=0.5,
        )
        s.add(face)
        s.flush()
        face_id = face.id

    def gathered() -> pk.PacketData:
        with store.session() as s:
            case = s.get(Case, built.case_id)
            assert case is not None
            return pk.gather(
                s, case, vault_id=store.vault_id, operator="t", built_at=datetime.now(UTC)
            )

    identifiable = next(e for e in load_forms().elements.elements if e.id == "identifiable")
    data = gathered()
    numbers = {e.item_id: e.number for e in data.exhibits}
    face_only = numbers[built.unrelated]  # an exhibit: matched (pending) to a reference
    assert face_only not in pk.exhibits_for(data, identifiable.evidence)
    assert numbers[built.captured] in pk.exhibits_for(data, identifiable.evidence)
    add_request_and_recheck(store, built)  # a request that names the pending copy
    out = tmp_path / "pending"
    packets.build_packet(store, built.case_id, out)
    text = public_texts(out)["packet.pdf"]
    assert "match pending review" in text
    requests = text[text.index("4. Removal-request history") :]
    assert f"Exhibits {numbers[built.captured]} (pending review)" in requests
    assert f"{numbers[built.captured]} (pending review)" in text  # in the elements index
    assert f"{numbers[built.original]} (pending)" in text  # in the exhibit list
    with store.transaction() as s:
        row = s.get(Match, face_id)
        assert row is not None
        row.review_state = ReviewState.CONFIRMED
    assert face_only in pk.exhibits_for(gathered(), identifiable.evidence)


def test_exhibit_pages_state_capture_facts_in_words_with_full_hashes(
    store: CaseStore, tmp_path: Path, web: LocalServer
) -> None:
    """No raw headers or JSON on exhibit pages, every SHA-256 in full, and "certificate
    verified" only for an https capture (a plain-http capture never claims TLS)."""
    import re

    from sqlalchemy import select

    from ncii_desk.vault.models import AuditEvent, Capture, Source

    built = make_case(store, tmp_path / "in", web)
    with store.transaction() as s:  # an https capture as the capture service records one
        secure = Capture(
            case_id=built.case_id,
            url="https://secure.example/p/1.jpg",
            final_url="https://secure.example/p/1.jpg",
            http_status=200,
            tls_verified=True,
            details={"kind": "web", "mode": "media", "options": {"verify_tls": True}},
        )
        s.add(secure)
        s.flush()
        item = EvidenceItem(
            case_id=built.case_id,
            role=Role.SUSPECT,
            source=Source.URL,
            size=5,
            mime="image/jpeg",
            sha256="5e" * 32,
            md5="5e" * 16,
            capture_id=secure.id,
            details={"url": secure.url},
        )
        s.add(item)
        s.flush()
        s.add(
            Match(
                case_id=built.case_id,
                suspect_item_id=item.id,
                target_item_id=built.original,
                kind="pdq",
                distance=3.0,
                threshold=31.0,
            )
        )
        # compared after loading: a clinic store seals the URL column
        (http_capture,) = [
            c
            for c in s.scalars(select(Capture).where(Capture.case_id == built.case_id))
            if c.url == built.page_url
        ]
        assert http_capture.tls_verified  # the column says so even for plain http
        created = s.scalars(
            select(AuditEvent).where(
                AuditEvent.action == "capture.created", AuditEvent.object_id == http_capture.id
            )
        ).one()
        assert '"tls_verified":true' in created.details
    out = tmp_path / "packet"
    packets.build_packet(store, built.case_id, out)
    text = public_texts(out)["packet.pdf"]
    squeezed = re.sub(r"\s+", "", text)
    with store.session() as s:
        exhibits = pk.exhibit_order(s, built.case_id)
        digests = [i.sha256 for i in exhibits]
    assert len(exhibits) == 3
    for digest in digests:  # in the exhibit list and on the exhibit page, never cut short
        assert squeezed.count(digest) >= 2, digest
    assert "…" not in text.split("3. Exhibit list")[1].split("Exhibit 1:")[0]
    ids = [i.id for i in exhibits]

    def page_of(item_id: str) -> str:
        number = ids.index(item_id) + 1
        start = text.index(f"Exhibit {number}: ")
        following = [text.find(f"Exhibit {number + 1}: "), text.find("4. Removal-request history")]
        return text[start : min(i for i in following if i > start)]

    http_page = page_of(built.captured)
    assert "not used (plain http)" in http_page
    assert "certificate verified" not in http_page
    assert "tls_verified" not in text
    assert "Type the server declared image/jpeg" in http_page
    for raw in ("content-type:", "main_item_id", "main_sha256", '{"', "options"):
        assert raw not in text, raw
    if not is_laptop(store):  # a clinic case's signed membership record, in words
        assert "membership record 1: case opened by member" in " ".join(text.split())
    assert "certificate verified" in page_of(item.id)
