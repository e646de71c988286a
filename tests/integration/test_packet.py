"""The civil-claim evidence packet, built from a case made through the real services.

The case: the client's original (a scikit-image sample photo, benign), a reposted copy of it
captured over HTTP from a real server on 127.0.0.1 (with a redirect), a file copy, an
unrelated picture, a removal request and a re-check. Assertions are on the PDF's text
(pypdf), its embedded images, the files written and the vault's audit trail.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import certkit
import cv2
import numpy as np
import pypdf
import pytest
from capture_server import LocalServer, Route
from PIL import Image
from sqlalchemy import select
from storekit import left_in

from conftest import PASSPHRASE, SHARED
from ncii_desk.capture.web import FetchOptions
from ncii_desk.documents import packet as pk
from ncii_desk.documents.forms import load_forms
from ncii_desk.documents.packet_pdf import render
from ncii_desk.documents.thumbs import BLUR_SOURCE_SIDE, THUMB_SIDE, ThumbMode, face_crop
from ncii_desk.errors import Cancelled, ExportError
from ncii_desk.media.loader import load_image
from ncii_desk.resources import data_dir
from ncii_desk.services import capture, cases, intake, matching, packets
from ncii_desk.services.jobs import Job
from ncii_desk.vault import Vault
from ncii_desk.vault.models import (
    AuditEvent,
    Case,
    EvidenceItem,
    Match,
    RemovalRequest,
    RequestStatus,
    Role,
)
from ncii_desk.vault.store import CaseStore

skdata = pytest.importorskip("skimage.data")

FOOTER = "Draft prepared with NCII Desk — not legal advice"


# --- the case -----------------------------------------------------------------------------------


def _photo(name: str, side: int = 320) -> np.ndarray[Any, Any]:
    x = np.ascontiguousarray(getattr(skdata, name)()[..., :3])
    h, w = x.shape[:2]
    scale = side / max(h, w)
    return np.asarray(cv2.resize(x, (round(w * scale), round(h * scale)), cv2.INTER_AREA))


def _jpeg(pixels: np.ndarray[Any, Any], quality: int = 85) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(pixels).save(buf, format="JPEG", quality=quality)
    return buf.getvalue()


@dataclass
class Built:
    case_id: str
    original: str  # item ids
    captured: str
    unrelated: str
    page_url: str
    image_url: str
    originals_bytes: bytes


def make_case(
    vault: Vault,
    folder: Path,
    web: LocalServer,
    *,
    label: str = "Case 2026-014",
    pseudonym: str = "Client A",
    notes: str = "",
    minor: bool = False,
) -> Built:
    """A small case through the real services: intake, hashing, capture over HTTP, matching."""
    folder.mkdir(parents=True, exist_ok=True)
    case = cases.new_case(
        vault, label, client_pseudonym=pseudonym, notes=notes, suspected_minor=minor
    )
    original = _photo("astronaut")
    (folder / "original.png").write_bytes(_png(original))
    reposted = cv2.resize(original[16:-16, 16:-16], (300, 300), interpolation=cv2.INTER_AREA)
    (folder / "unrelated.jpg").write_bytes(_jpeg(_photo("coffee")))
    added_o = intake.add_items(vault, case.id, Role.ORIGINAL, [folder / "original.png"])
    added_u = intake.add_items(vault, case.id, Role.SUSPECT, [folder / "unrelated.jpg"])
    matching.hash_items(vault, added_o.sources + added_u.sources)
    web.routes["/post/1"] = Route(status=302, headers=[("Location", "/media/1.jpg")])
    web.routes["/media/1.jpg"] = Route(_jpeg(reposted), content_type="image/jpeg")
    options = capture.CaptureOptions(
        fetch=FetchOptions(connect_timeout=5, read_timeout=5, total_timeout=10, trust_env=False)
    )
    batch = capture.capture_urls(vault, case.id, [web.url("/post/1")], options=options)
    result = batch.results[0]
    assert result.error is None, result.error
    captured = result.item_ids[0]
    return Built(
        case.id,
        added_o.added[0].id,
        captured,
        added_u.added[0].id,
        web.url("/post/1"),
        web.url("/media/1.jpg"),
        (folder / "original.png").read_bytes(),
    )


def _png(pixels: np.ndarray[Any, Any]) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(pixels).save(buf, format="PNG")
    return buf.getvalue()


def add_request_and_recheck(vault: Vault, built: Built, *, platform: str = "Example Host") -> str:
    """A sent removal request naming the captured copy (rows as the tracker stores them)."""
    sent = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)
    with vault.transaction() as s:
        req = RemovalRequest(
            case_id=built.case_id,
            platform=platform,
            route="take_it_down",
            urls=[built.page_url],
            item_ids=[built.captured],
            sent_at=sent,
            deadline_at=sent + dt.timedelta(hours=48),
            ticket_id="TKT-48213",
            status=RequestStatus.SENT,
            history=[{"at": "2026-06-01T12:00:00Z", "status": "sent", "note": "web form"}],
        )
        s.add(req)
        s.flush()
        vault.audit(s, "request.sent", req.id, {"platform": platform})
        return req.id


def pdf_text(path: Path) -> tuple[list[str], pypdf.PdfReader]:
    reader = pypdf.PdfReader(str(path))
    return [page.extract_text() for page in reader.pages], reader


def flat(pages: list[str]) -> str:
    return " ".join(" ".join(pages).split())


# --- tests --------------------------------------------------------------------------------------


def test_packet_states_capture_hashes_matches_elements_and_custody(
    store: CaseStore, tmp_path: Path, web: LocalServer
) -> None:
    built = make_case(store, tmp_path / "in", web)
    add_request_and_recheck(store, built)
    web.routes.pop("/media/1.jpg")  # the copy is gone when the address is checked again
    capture.recheck_case(
        store,
        built.case_id,
        options=capture.CaptureOptions(fetch=FetchOptions(trust_env=False, total_timeout=10)),
    )
    out = tmp_path / "packet"
    result = packets.build_packet(store, built.case_id, out, make_zip=True)

    assert sorted(p.name for p in out.iterdir()) == [
        "README.txt",
        "SIGNING-KEY.txt",
        "manifest.csv",
        "manifest.json",
        "manifest.sig",
        "packet.pdf",
        "verify_packet.py",
    ]
    assert result.zip_path == tmp_path / "packet.zip" and result.zip_path.is_file()
    pages, reader = pdf_text(out / "packet.pdf")
    # Exhibits: the matched copy and the original; the unrelated suspect file is not one.
    assert result.pdf_pages == len(pages) and result.exhibits == 2
    text = flat(pages)
    for page in pages:
        assert FOOTER in page
    with store.session() as s:
        item = s.get(EvidenceItem, built.captured)
        assert item is not None
        sha256, md5 = item.sha256, item.md5
        match = next(
            m for m in matching.list_matches(store, built.case_id) if m.suspect_item_id == item.id
        )
        pdq = next(h.value for h in item.hashes if h.kind == "pdq" and h.variant == "full")
    # Exhibit 1 is the captured copy (matched copies first); the unrelated file that came in
    # before it is not an exhibit at all.
    assert "Exhibit 1: copy found (suspect)" in text and "Exhibit 3" not in text
    assert "1 other item(s) of the case are not exhibits" in text
    start = text.index("Exhibit 1: copy found (suspect) ")
    page_text = text[start : text.index("Exhibit 2: client's original ")]
    assert built.page_url in page_text and built.image_url in page_text
    assert "302 " + built.page_url in page_text  # the redirect hop
    assert "127.0.0.1" in page_text and "HTTP status 200" in page_text
    for digest in (sha256, md5, pdq):
        assert digest in page_text
    assert match.distance is not None
    assert f"distance {match.distance:g} (a match at or below 31)" in page_text
    assert "Exhibit 2 (client's original)" in page_text
    assert "pending" in page_text
    assert "item.added" in page_text and "match.found" in page_text
    # Elements index and cross-references.
    assert "Elements index: 15 U.S.C. § 6851" in text
    index = load_forms().elements
    for element in index.elements:
        assert element.title.split(",")[0] in text
    assert "DEFIANCE" not in text and "digital forgery" not in text.lower()
    # Removal request and re-check.
    assert "Request 1: Example Host" in text and "TKT-48213" in text
    assert "gone" in text and "5. Rechecks" in text
    # The re-check that found the copy gone was written into the sent request's history.
    with store.session() as s:
        (request,) = s.scalars(select(RemovalRequest))
        (gone,) = [h for h in request.history if h.get("event") == "content_gone"]
    assert gone["url"] == built.page_url and gone["note"].startswith("content gone since ")
    assert gone["note"] in text
    # Certification draft, with blank signature lines and the hash process in words.
    assert "Certification draft: Fed. R. Evid. 902(13), 902(14)" in text
    assert "penalty of perjury" in text and "28 U.S.C. § 1746" in text
    assert "64-character fingerprint" in text and "Signature" in text
    # The audit head in the PDF, README and manifests is a real event of the vault's chain.
    manifest = json.loads((out / "manifest.json").read_text())
    head = manifest["audit_head"]
    assert head["mac"] in text and f"event {head['seq']}" in text
    assert head["mac"] in (out / "README.txt").read_text()
    with store.session() as s:
        event = s.get(AuditEvent, head["seq"])
        assert event is not None and event.mac == head["mac"]
        built_events = list(
            s.scalars(select(AuditEvent).where(AuditEvent.action == "packet.built"))
        )
    assert len(built_events) == 1 and built_events[0].seq > head["seq"]
    recorded = json.loads(built_events[0].details)
    digest = hashlib.sha256((out / "manifest.json").read_bytes()).hexdigest()
    assert recorded["manifest_sha256"] == digest == result.manifest_sha256
    # Every file is listed with its hash and size; the manifests are not.
    listed = {f["path"]: f for f in manifest["files"]}
    assert set(listed) == {"README.txt", "packet.pdf", "SIGNING-KEY.txt", "verify_packet.py"}
    for name, entry in listed.items():
        data = (out / name).read_bytes()
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
        assert entry["size"] == len(data)
    assert manifest["vault_id"] == store.vault_id and manifest["tool"].startswith("NCII Desk")
    assert manifest["built_at_utc"].endswith("Z")
    meta = reader.metadata
    assert meta is not None and meta.title == "Evidence packet: Client A"
    assert "NCII Desk" in (meta.creator or "")
    readme = (out / "README.txt").read_text()
    assert "ncii-desk verify" in readme and "sha256sum -c" in readme
    assert packets.verify_packet(out, vault=store).ok
    assert packets.verify_packet(result.zip_path, vault=store).ok


def _hf_energy(pixels: np.ndarray[Any, Any]) -> float:
    grey = cv2.cvtColor(np.ascontiguousarray(pixels[..., :3], dtype=np.uint8), cv2.COLOR_RGB2GRAY)
    return float(np.abs(cv2.Laplacian(grey.astype(np.float32), cv2.CV_32F)).mean())


def _embedded_images(reader: pypdf.PdfReader) -> list[np.ndarray[Any, Any]]:
    found = []
    for page in reader.pages:
        for image in page.images:
            found.append(np.asarray(image.image.convert("RGB")))
    return found


def test_public_pdf_holds_only_small_heavily_blurred_pictures(
    store: CaseStore, tmp_path: Path, web: LocalServer
) -> None:
    built = make_case(store, tmp_path / "in", web)
    out = tmp_path / "packet"
    packets.build_packet(store, built.case_id, out)
    _, reader = pdf_text(out / "packet.pdf")
    images = _embedded_images(reader)
    assert len(images) == 2  # one per exhibit with pixels (copy and original), nothing else
    original = np.asarray(Image.open(io.BytesIO(built.originals_bytes)).convert("RGB"))
    for img in images:
        h, w = img.shape[:2]
        assert max(h, w) <= THUMB_SIDE
        same_size = cv2.resize(original, (w, h), interpolation=cv2.INTER_AREA)
        # A plain downscale of the real picture keeps its edges; the thumbnail has almost none.
        assert _hf_energy(img) < 0.2 * _hf_energy(same_size)
        # Nothing finer than the 12-pixel source survives: shrinking to it and back changes
        # the thumbnail only a little.
        tiny = cv2.resize(img, (BLUR_SOURCE_SIDE, BLUR_SOURCE_SIDE), interpolation=cv2.INTER_AREA)
        back = cv2.resize(tiny, (w, h), interpolation=cv2.INTER_LINEAR)
        assert np.abs(back.astype(int) - img.astype(int)).mean() < 12
    # The PDF is small: no full-size picture hides in it, and the thumbnails are stored as
    # binary JPEG streams (not ASCII85 text, a quarter larger).
    assert (out / "packet.pdf").stat().st_size < 400_000
    filters = {
        str(image.indirect_reference.get_object().get("/Filter"))
        for page in reader.pages
        for image in page.images
        if image.indirect_reference is not None
    }
    assert filters == {"['/DCTDecode']"}


def test_face_crop_thumbnail_shows_only_the_face(store: CaseStore, tmp_path: Path) -> None:
    cases.new_case(store, "Faces", client_pseudonym="Client F")
    photo = SHARED / "testdata" / "faces" / "chirac1.jpg"
    landscape = tmp_path / "coffee.png"
    landscape.write_bytes(_png(_photo("coffee")))
    intake.add_items(store, "Faces", Role.REFERENCE, [photo, landscape])
    out = tmp_path / "packet"
    packets.build_packet(store, "Faces", out, thumbnails=ThumbMode.FACE)
    pages, reader = pdf_text(out / "packet.pdf")
    text = flat(pages)
    images = _embedded_images(reader)
    assert len(images) == 2
    from ncii_desk.vision import faces

    pixels = load_image(photo.read_bytes(), min_side=640).pixels
    expected = face_crop(pixels)
    assert expected is not None and max(expected.shape[:2]) <= THUMB_SIDE
    # The embedded picture is the face crop (up to JPEG rounding)...
    assert any(
        img.shape == expected.shape and np.abs(img.astype(int) - expected.astype(int)).mean() < 4
        for img in images
    )
    # ...and the face box is a small part of the photo, so no body or background is shown.
    box = max(faces.detect(pixels), key=lambda f: f.score).box
    assert box[2] * box[3] < 0.35 * pixels.shape[0] * pixels.shape[1]
    assert "Face only" in text
    # ...and the picture without a face is blurred instead, saying so.
    assert "No face was found, so the picture is blurred instead." in text


def test_suspected_minor_case_has_no_pictures_and_no_sealed_volume(
    store: CaseStore, tmp_path: Path, web: LocalServer
) -> None:
    built = make_case(store, tmp_path / "in", web, label="Minor case", minor=True)
    out = tmp_path / "packet"
    result = packets.build_packet(store, built.case_id, out, sealed=True, make_zip=True)
    assert any("No sealed volume was made" in w and "under 18" in w for w in result.warnings)
    assert result.sealed_files == 0 and not (out / "sealed").exists()
    pages, reader = pdf_text(out / "packet.pdf")
    assert _embedded_images(reader) == []
    text = flat(pages)
    assert "possibly involving a person under 18" in text and "CyberTipline" in text
    assert "deliberately not kept" in text
    with store.session() as s:
        exhibits = pk.exhibit_order(s, built.case_id)
        digests = [i.sha256 for i in exhibits]
    assert built.original in [i.id for i in exhibits]
    assert built.unrelated not in [i.id for i in exhibits]
    for digest in digests:
        assert digest in text  # the exhibits' hashes are still stated
    assert "No sealed volume:" in (out / "README.txt").read_text()
    import zipfile

    with zipfile.ZipFile(result.zip_path or "") as zf:
        assert not [n for n in zf.namelist() if "/sealed/" in n]


def test_sealed_volume_holds_the_originals_with_their_own_manifest(
    store: CaseStore, tmp_path: Path, web: LocalServer
) -> None:
    built = make_case(store, tmp_path / "in", web)
    out = tmp_path / "packet"
    result = packets.build_packet(store, built.case_id, out, sealed=True)
    sealed = out / "sealed"
    files = sorted(p.name for p in sealed.iterdir())
    assert result.sealed_files == 2  # the copy and the original; never the unrelated file
    assert "manifest.csv" in files and any(f.endswith(".warc") for f in files)
    with store.session() as s:
        items = {i.sha256: i for i in s.scalars(select(EvidenceItem))}
    exhibit_files = [f for f in files if f.startswith("exhibit-") and not f.endswith(".warc")]
    assert len(exhibit_files) == 2
    for name in exhibit_files:
        digest = hashlib.sha256((sealed / name).read_bytes()).hexdigest()
        assert digest in items and name.startswith("exhibit-") and digest[:12] in name
    original_name = next(n for n in exhibit_files if n.endswith(".png"))
    assert (sealed / original_name).read_bytes() == built.originals_bytes
    readme = (out / "README.txt").read_text()
    assert "MUST BE FILED UNDER SEAL" in readme
    text = flat(pdf_text(out / "packet.pdf")[0])
    assert "included in sealed/ (file under seal)" in text and "item.exported" in text
    with store.session() as s:
        exports = list(s.scalars(select(AuditEvent).where(AuditEvent.action == "item.exported")))
    assert len(exports) == 2
    # The sealed volume verifies on its own, and the public part verifies once it is removed
    # on purpose (but not by accident).
    assert packets.verify_packet(sealed).ok
    shutil.rmtree(sealed)
    assert packets.verify_packet(out, without_sealed=True).ok
    report = packets.verify_packet(out)
    assert not report.ok and all("missing" in f.problem for f in report.failures)


def test_markup_in_names_notes_urls_and_headers_comes_out_literally(
    store: CaseStore, tmp_path: Path, web: LocalServer
) -> None:
    pseudonym = "Jane <b>Doe</b> & <font size=40>Co</font>"
    notes = "Seen at <a href='x'>link</a> &amp; <para>ends</para> <br/>"
    built = make_case(
        store, tmp_path / "in", web, label="Case <i>7</i>", pseudonym=pseudonym, notes=notes
    )
    picture = Route(_jpeg(_photo("rocket")), content_type="image/jpeg")
    web.routes["/p/<script>"] = web.routes["/p/%3Cscript%3E"] = picture
    batch = capture.capture_urls(
        store,
        built.case_id,
        [web.url("/p/<script>")],
        options=capture.CaptureOptions(fetch=FetchOptions(trust_env=False, total_timeout=10)),
    )
    with store.transaction() as s:  # an exhibit only once matched to the client's original
        s.add(
            Match(
                case_id=built.case_id,
                suspect_item_id=batch.results[0].item_ids[0],
                target_item_id=built.original,
                kind="local-features",
                score=40.0,
            )
        )
    add_request_and_recheck(store, built, platform="Evil <u>Host</u> &lt;")
    out = tmp_path / "packet"
    packets.build_packet(store, built.case_id, out, include_notes=["case"])
    text = flat(pdf_text(out / "packet.pdf")[0])
    for literal in (
        "Jane <b>Doe</b> & <font size=40>Co</font>",
        "Seen at <a href='x'>link</a> &amp; <para>ends</para> <br/>",
        "Case <i>7</i>",
        "Evil <u>Host</u> &lt;",
    ):
        assert literal in text, literal
    assert "/p/%3Cscript%3E" in text or "/p/<script>" in text


def test_defiance_counts_appear_only_when_the_law_data_says_enacted(
    store: CaseStore, tmp_path: Path, web: LocalServer
) -> None:
    """The packet reads the law through the same loader as the letters (forms.load_forms),
    so the pending/enacted rule is the one tested in test_letters."""
    built = make_case(store, tmp_path / "in", web)
    folder = tmp_path / "forms"
    shutil.copytree(data_dir("forms"), folder)
    law_text = (folder / "law.toml").read_text("utf-8")
    enacted = law_text.replace("enabled = false", "enabled = true").replace(
        'status = "pending legislation"', 'status = "enacted"'
    )
    enacted = enacted.replace('public_law = ""\nbills', 'public_law = "Pub. L. 119-99"\nbills')
    (folder / "law.toml").write_text(enacted)
    forms = load_forms(folder)
    law = forms.law
    assert law["defiance"].enabled
    with store.session() as s:
        case = s.get(Case, built.case_id)
        assert case is not None
        data = pk.gather(
            s,
            case,
            vault_id=store.vault_id,
            operator="tester",
            built_at=dt.datetime.now(dt.UTC),
            law=law,
        )
    pdf = render(data, forms.elements, {})
    text = flat([p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages])
    assert "DEFIANCE Act counts" in text
    for count in law["defiance"].counts:
        assert count in text


def test_target_folder_must_be_new_and_a_failed_build_leaves_nothing(
    store: CaseStore, tmp_path: Path, web: LocalServer
) -> None:
    built = make_case(store, tmp_path / "in", web)
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "other.txt").write_text("x")
    with pytest.raises(ExportError, match="not an empty folder"):
        packets.build_packet(store, built.case_id, busy)
    (tmp_path / "taken.zip").write_text("x")
    with pytest.raises(ExportError, match="will not overwrite"):
        packets.build_packet(store, built.case_id, tmp_path / "taken", make_zip=True)
    # Cancelled after the first sealed file was written: the half-built packet is removed.
    job = Job()

    def cancel_after_first(done: int, total: int, message: str) -> None:
        if done >= 1:
            job.token.cancel()

    job.on_progress = cancel_after_first
    with pytest.raises(Cancelled):
        packets.build_packet(store, built.case_id, tmp_path / "cancelled", job=job, sealed=True)
    assert left_in(tmp_path) == ["busy", "in", "taken.zip"]
    with store.session() as s:
        assert not list(s.scalars(select(AuditEvent).where(AuditEvent.action == "packet.built")))
    empty = tmp_path / "empty"
    empty.mkdir()
    assert packets.build_packet(store, built.case_id, empty).folder == empty.resolve()


def _self_signed_p12(password: bytes) -> tuple[bytes, Any]:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs12

    key = certkit.new_key()
    usage = certkit.key_usage(commitment=True)
    cert = certkit.certificate(
        certkit.name("Test Legal Clinic", "Test Clinic"), key, extensions=[(usage, True)], days=30
    )
    p12 = pkcs12.serialize_key_and_certificates(
        b"clinic", key, cert, None, serialization.BestAvailableEncryption(password)
    )
    return p12, cert


def test_packet_pdf_is_signed_with_the_clinic_certificate(
    store: CaseStore, tmp_path: Path, web: LocalServer
) -> None:
    from asn1crypto import x509 as asn1_x509
    from cryptography.hazmat.primitives import serialization
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    from ncii_desk.errors import SigningError

    built = make_case(store, tmp_path / "in", web)
    p12, cert = _self_signed_p12(b"clinic-pass")
    with pytest.raises(SigningError, match="password is wrong"):
        packets.configure_signing(store, p12, "not the password")
    info = packets.configure_signing(store, p12, "clinic-pass", location="Springfield")
    assert "Test Legal Clinic" in info.subject
    status = packets.signing_status(store)
    assert status is not None and "passphrase" not in status
    out = tmp_path / "packet"
    result = packets.build_packet(store, built.case_id, out)
    assert "Test Legal Clinic" in result.signed_by
    data = (out / "packet.pdf").read_bytes()
    reader = PdfFileReader(io.BytesIO(data))
    assert len(reader.embedded_signatures) == 1
    root = asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))
    check = validate_pdf_signature(
        reader.embedded_signatures[0], ValidationContext(trust_roots=[root])
    )
    assert check.intact and check.valid and check.trusted
    assert "Test Legal Clinic" in flat(pdf_text(out / "packet.pdf")[0])
    assert packets.verify_packet(out, vault=store).ok
    # One changed byte after signing breaks the signature and the manifest check.
    tampered = bytearray(data)
    tampered[len(data) // 2] ^= 0x01
    (out / "packet.pdf").write_bytes(bytes(tampered))
    assert not packets.verify_packet(out).ok
    assert packets.clear_signing(store)
    assert packets.signing_status(store) is None


def test_cli_sets_shows_and_clears_the_signing_certificate(
    vault: Vault,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from ncii_desk.cli.main import main as cli

    p12, _ = _self_signed_p12(b"pw-123")
    (tmp_path / "clinic.p12").write_bytes(p12)
    (tmp_path / "pw.txt").write_text("pw-123\n")
    vault.close()
    monkeypatch.setenv("NCII_DESK_PASSPHRASE", PASSPHRASE)
    base = ["--vault", str(tmp_path / "vault")]
    cert = str(tmp_path / "clinic.p12")
    assert cli([*base, "packet-signing", "set", cert, "--no-password"]) == 1
    assert "password is wrong" in capsys.readouterr().err
    args = [*base, "packet-signing", "set", cert, "--password-file", str(tmp_path / "pw.txt")]
    assert cli([*args, "--location", "Springfield", "--json"]) == 0
    assert "Test Legal Clinic" in json.loads(capsys.readouterr().out)["subject"]
    assert cli([*base, "packet-signing", "show", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["location"] == "Springfield" and "passphrase" not in shown
    assert cli([*base, "packet-signing", "clear"]) == 0
    assert "removed" in capsys.readouterr().out
    assert cli([*base, "packet-signing", "show"]) == 0
    assert "not signed" in capsys.readouterr().out
