"""Generator metadata: planted PNG text chunks, EXIF, XMP, JPEG comments, WebP chunks, C2PA.

Files are built in memory with Pillow (and, for the container details Pillow cannot write,
by inserting segments by hand); Content Credentials are signed in the test with a throwaway
certificate authority made with `cryptography`, entirely offline.
"""

from __future__ import annotations

import io
import json
import struct
import zlib
from pathlib import Path
from typing import Any

import certkit
import numpy as np
import pytest
from PIL import Image, PngImagePlugin

from ncii_desk.errors import InvalidSetting
from ncii_desk.vision.metadata import DISPLAY_CHARS, MAX_TEXT_BYTES, read_generator_metadata
from ncii_desk.vision.signals import Strength

A1111 = (
    "portrait photo of a person on a beach, detailed skin\n"
    "Negative prompt: blurry, lowres\n"
    "Steps: 30, Sampler: DPM++ 2M Karras, CFG scale: 7, Seed: 1234567, Size: 512x768, "
    "Model hash: 6ce0161689, Model: realisticVisionV51, Denoising strength: 0.75, Mask blur: 4"
)
COMFY_PROMPT = json.dumps(
    {
        "3": {"class_type": "KSampler", "inputs": {"seed": 5, "steps": 20}},
        "4": {
            "class_type": "CheckpointLoaderSimple",
            "inputs": {"ckpt_name": "juggernaut.safetensors"},
        },
        "10": {"class_type": "LoadImage", "inputs": {"image": "input.png"}},
    }
)
DST = "http://cv.iptc.org/newscodes/digitalsourcetype/"


def _pixels() -> Image.Image:
    rng = np.random.default_rng(0)
    return Image.fromarray(rng.integers(0, 255, (24, 32, 3), dtype=np.uint8))


def _png(**text: str) -> bytes:
    info = PngImagePlugin.PngInfo()
    for key, value in text.items():
        info.add_text(key, value)
    buf = io.BytesIO()
    _pixels().save(buf, "PNG", pnginfo=info)
    return buf.getvalue()


def _xmp(inner: str) -> str:
    return (
        '<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="" '
        'xmlns:Iptc4xmpExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/" '
        'xmlns:xmp="http://ns.adobe.com/xap/1.0/" '
        'xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/" '
        'xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/" '
        'xmlns:stEvt="http://ns.adobe.com/xap/1.0/sType/ResourceEvent#">'
        f"{inner}</rdf:Description></rdf:RDF></x:xmpmeta>"
        '<?xpacket end="w"?>'
    )


def _jpeg(*, exif: bytes | None = None, comment: bytes | None = None) -> bytes:
    buf = io.BytesIO()
    kwargs: dict[str, object] = {"quality": 90}
    if exif is not None:
        kwargs["exif"] = exif
    if comment is not None:
        kwargs["comment"] = comment
    _pixels().save(buf, "JPEG", **kwargs)
    return buf.getvalue()


def _insert_segment(jpeg: bytes, marker: int, body: bytes) -> bytes:
    """A JPEG with one more segment right after the start-of-image marker."""
    segment = bytes([0xFF, marker]) + struct.pack(">H", len(body) + 2) + body
    return jpeg[:2] + segment + jpeg[2:]


def _png_chunk(kind: bytes, body: bytes, *, crc: int | None = None) -> bytes:
    value = zlib.crc32(kind + body) & 0xFFFFFFFF if crc is None else crc
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", value)


def _insert_chunk(png: bytes, chunk: bytes) -> bytes:
    """A PNG with one more chunk right after IHDR (8-byte signature + 25-byte IHDR)."""
    return png[:33] + chunk + png[33:]


def _exif(**tags: str) -> bytes:
    names = {"Software": 0x0131, "Make": 0x010F, "Model": 0x0110, "Artist": 0x013B}
    exif = Image.Exif()
    for key, value in tags.items():
        if key in names:
            exif[names[key]] = value
    if "DateTimeOriginal" in tags:
        exif.get_ifd(0x8769)[0x9003] = tags["DateTimeOriginal"]
    return exif.tobytes()


def _hint(report, tool: str):  # type: ignore[no-untyped-def]
    return next(h for h in report.hints if h.tool == tool)


# --- PNG -------------------------------------------------------------------------------------


def test_stable_diffusion_parameters_in_png_text() -> None:
    report = read_generator_metadata(_png(parameters=A1111), "gen.png")
    assert report.mime == "image/png"
    assert report.values("parameters") == [A1111]
    hint = _hint(report, "Stable Diffusion (web UI)")
    assert hint.kind == "ai" and hint.strength is Strength.STRONG
    assert hint.details["Seed"] == "1234567"
    assert hint.details["Model"] == "realisticVisionV51"
    assert hint.details["from_another_image"] is True  # denoising strength: img2img/inpaint
    strong = [s for s in report.signals() if s.kind == "generator_metadata"]
    assert strong[0].strength is Strength.STRONG
    assert "Stable Diffusion" in strong[0].finding and "realisticVisionV51" in strong[0].finding
    assert "made from another picture" in strong[0].finding
    assert "easy to remove or forge" in strong[0].caveat


def test_comfyui_graph_and_compressed_software_chunk() -> None:
    info = PngImagePlugin.PngInfo()
    info.add_text("prompt", COMFY_PROMPT)
    info.add_text("workflow", json.dumps({"nodes": [{"type": "KSampler"}]}), zip=True)
    info.add_text("Software", "GIMP 2.10.36", zip=True)  # zTXt
    buf = io.BytesIO()
    _pixels().save(buf, "PNG", pnginfo=info)
    report = read_generator_metadata(buf.getvalue())
    sources = {f.key: f.source for f in report.fields}
    assert sources == {"prompt": "PNG tEXt", "workflow": "PNG zTXt", "Software": "PNG zTXt"}
    comfy = [h for h in report.hints if h.tool == "ComfyUI"]
    assert len(comfy) == 2
    assert comfy[0].details["checkpoints"] == ["juggernaut.safetensors"]
    assert comfy[0].details["from_another_image"] is True
    software = _hint(report, "GIMP 2.10.36")
    assert software.kind == "software" and software.strength is Strength.WEAK
    kinds = {s.kind: s.strength for s in report.signals()}
    assert kinds["software_metadata"] is Strength.WEAK


def test_xmp_digital_source_type_in_png_itxt() -> None:
    info = PngImagePlugin.PngInfo()
    info.add_itxt(
        "XML:com.adobe.xmp",
        _xmp(
            f"<Iptc4xmpExt:DigitalSourceType>{DST}trainedAlgorithmicMedia"
            "</Iptc4xmpExt:DigitalSourceType><xmp:CreatorTool>Photo Studio 3</xmp:CreatorTool>"
        ),
        zip=True,
    )
    buf = io.BytesIO()
    _pixels().save(buf, "PNG", pnginfo=info)
    report = read_generator_metadata(buf.getvalue(), "x.png")
    assert report.values("Iptc4xmpExt:DigitalSourceType") == [DST + "trainedAlgorithmicMedia"]
    assert report.values("xmp:CreatorTool") == ["Photo Studio 3"]
    ai = report.ai_hints
    assert len(ai) == 1 and ai[0].strength is Strength.STRONG
    assert "made with generative AI (trainedAlgorithmicMedia)" in ai[0].evidence
    assert not any(s.strength is Strength.NONE for s in report.signals())


def test_long_prompt_is_kept_and_shortened_for_display() -> None:
    prompt = "a very long prompt " * 400 + "\nSteps: 20, Sampler: Euler, Seed: 1"
    report = read_generator_metadata(_png(parameters=prompt))
    assert report.values("parameters") == [prompt]  # kept whole
    shown = report.as_dict()["fields"][0]
    assert shown["length"] == len(prompt) and shown["truncated"] is True
    assert len(shown["value"]) == DISPLAY_CHARS
    assert report.ai_hints[0].tool == "Stable Diffusion (web UI)"


def test_a_plain_png_has_no_generator_tags() -> None:
    report = read_generator_metadata(_png(), "plain.png")
    assert report.fields == [] and report.hints == [] and report.problems == []
    assert report.c2pa.status == "absent"
    (signal,) = report.signals()
    assert signal.kind == "generator_metadata" and signal.strength is Strength.NONE
    assert "no Content Credentials" in signal.finding
    assert "absence proves nothing" in signal.caveat


# --- JPEG and WebP ----------------------------------------------------------------------------


def test_exif_software_camera_and_comment_in_jpeg() -> None:
    data = _jpeg(
        exif=_exif(
            Software="Adobe Photoshop 25.0 (Windows)",
            Make="Canon",
            Model="Canon EOS R5",
            DateTimeOriginal="2021:04:03 12:00:00",
        ),
        comment=b"made for the test",
    )
    report = read_generator_metadata(data, "edited.jpg")
    assert report.values("Software") == ["Adobe Photoshop 25.0 (Windows)"]
    assert report.values("DateTimeOriginal") == ["2021:04:03 12:00:00"]  # from the Exif IFD
    assert report.values("Comment") == ["made for the test"]
    camera = next(h for h in report.hints if h.kind == "camera")
    assert camera.tool == "Canon Canon EOS R5"
    assert camera.details["date_time_original"] == "2021:04:03 12:00:00"
    by_kind = {s.kind: s for s in report.signals()}
    assert {"software_metadata", "camera_metadata", "generator_metadata"} <= set(by_kind)
    software = by_kind["software_metadata"]
    assert software.finding.startswith("The file says it was saved or edited with Adobe Photoshop")
    assert by_kind["camera_metadata"].finding.startswith("The file names a camera or capture: ")
    assert software.caveat != by_kind["camera_metadata"].caveat
    assert report.ai_hints == []


def test_ai_tool_named_in_exif_software() -> None:
    report = read_generator_metadata(_jpeg(exif=_exif(Software="NovelAI Diffusion V3")))
    (hint,) = report.ai_hints
    assert hint.strength is Strength.STRONG and "NovelAI" in hint.evidence
    assert not any(h.kind == "software" for h in report.hints)  # not listed twice


def test_stable_diffusion_parameters_in_exif_user_comment() -> None:
    exif = Image.Exif()
    exif.get_ifd(0x8769)[0x9286] = b"UNICODE\x00" + A1111.encode("utf-16-be")
    report = read_generator_metadata(_jpeg(exif=exif.tobytes()), "gen.jpg")
    assert report.values("UserComment") == [A1111]
    assert report.ai_hints[0].details["Sampler"] == "DPM++ 2M Karras"


def test_xmp_digital_source_type_in_jpeg_app1() -> None:
    packet = _xmp(
        f'<Iptc4xmpExt:DigitalSourceType rdf:resource="{DST}compositeWithTrainedAlgorithmicMedia"/>'
        "<photoshop:History>Generative fill on the torso</photoshop:History>"
        '<xmpMM:History><rdf:Seq><rdf:li stEvt:action="saved" '
        'stEvt:softwareAgent="Adobe Photoshop 25.1"/></rdf:Seq></xmpMM:History>'
    )
    data = _insert_segment(
        _jpeg(), 0xE1, b"http://ns.adobe.com/xap/1.0/\x00" + packet.encode("utf-8")
    )
    report = read_generator_metadata(data, "x.jpg")
    assert report.values("Iptc4xmpExt:DigitalSourceType") == [
        DST + "compositeWithTrainedAlgorithmicMedia"
    ]
    assert report.values("stEvt:softwareAgent") == ["Adobe Photoshop 25.1"]
    (ai,) = report.ai_hints
    assert "generative-AI content" in ai.evidence
    kinds = {h.kind for h in report.hints}
    assert {"ai", "edit", "software"} <= kinds


def test_webp_exif_and_xmp_chunks() -> None:
    buf = io.BytesIO()
    xmp = _xmp(
        f"<Iptc4xmpExt:DigitalSourceType>{DST}digitalCapture</Iptc4xmpExt:DigitalSourceType>"
    )
    _pixels().save(buf, "WEBP", exif=_exif(Software="Snapseed 2.0"), xmp=xmp.encode())
    report = read_generator_metadata(buf.getvalue(), "p.webp")
    assert report.mime == "image/webp"
    sources = {(f.source, f.key) for f in report.fields}
    assert ("WebP EXIF", "Software") in sources
    assert ("WebP XMP", "Iptc4xmpExt:DigitalSourceType") in sources
    assert any(h.kind == "camera" and "camera capture" in h.tool for h in report.hints)
    assert report.ai_hints == []


# --- damaged files ---------------------------------------------------------------------------


def test_truncated_png_keeps_the_chunks_before_the_cut() -> None:
    info = PngImagePlugin.PngInfo()
    info.add_text("parameters", A1111)
    info.add_text("Comment", "x" * 5000)
    buf = io.BytesIO()
    _pixels().save(buf, "PNG", pnginfo=info)
    data = buf.getvalue()
    cut = data.index(b"Comment") + 100  # inside the second text chunk
    report = read_generator_metadata(data[:cut], "cut.png")
    assert report.values("parameters") == [A1111]
    assert report.values("Comment") == []
    assert any(
        "ends inside its PNG 'tEXt' chunk" in p and "truncated" in p for p in report.problems
    )
    assert report.ai_hints  # what was read still counts


def test_bad_checksum_and_bad_compression_are_reported() -> None:
    bad_crc = _png_chunk(b"tEXt", b"Software\x00Midjourney", crc=0)
    bad_zlib = _png_chunk(b"zTXt", b"parameters\x00\x00not zlib at all")
    bomb = _png_chunk(b"zTXt", b"Comment\x00\x00" + zlib.compress(b"\x00" * (MAX_TEXT_BYTES + 1)))
    data = _insert_chunk(_insert_chunk(_insert_chunk(_png(), bomb), bad_zlib), bad_crc)
    report = read_generator_metadata(data, "damaged.png")
    assert any("fails its checksum" in p for p in report.problems)
    assert report.values("Software") == ["Midjourney"]  # reported as found
    assert any("'parameters' cannot be read" in p for p in report.problems)
    assert any("expands to more than" in p for p in report.problems)
    assert report.values("Comment") == []


def test_damaged_exif_and_xmp_are_reported_and_the_rest_read() -> None:
    data = _insert_segment(_jpeg(comment=b"still here"), 0xE1, b"Exif\x00\x00II*\x00\xff\xff\x00")
    data = _insert_segment(data, 0xE1, b"http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta><broken")
    evil = _xmp("").replace("<x:xmpmeta", '<!DOCTYPE x [<!ENTITY a "aaaa">]><x:xmpmeta')
    data = _insert_segment(data, 0xE1, b"http://ns.adobe.com/xap/1.0/\x00" + evil.encode())
    report = read_generator_metadata(data, "d.jpg")
    assert report.values("Comment") == ["still here"]
    assert any("EXIF block" in p and "damaged" in p for p in report.problems)
    assert any("XMP packet is damaged" in p for p in report.problems)
    assert any("DOCTYPE" in p for p in report.problems)


def test_truncated_jpeg_segment_and_empty_and_unknown_data() -> None:
    data = _jpeg(exif=_exif(Software="Editor 1"))
    cut = data.index(b"Exif") + 20
    report = read_generator_metadata(data[:cut], "cut.jpg")
    assert any("ends inside a JPEG segment" in p for p in report.problems)

    empty = read_generator_metadata(b"", "empty.png")
    assert empty.problems == ["empty.png is empty (0 bytes)."]

    noise = read_generator_metadata(np.random.default_rng(1).bytes(4000), "noise.bin")
    assert noise.mime == "application/octet-stream"
    assert noise.fields == [] and noise.c2pa.status == "absent"
    assert noise.signals()[0].strength is Strength.NONE


# --- Content Credentials (C2PA) ---------------------------------------------------------------


def _test_signer():  # type: ignore[no-untyped-def]
    """A signer from a throwaway CA: c2pa refuses self-signed signing certificates, so the
    signing certificate is issued by a test root, both made here and never saved."""
    c2pa = pytest.importorskip("c2pa")
    from cryptography import x509
    from cryptography.x509.oid import ExtendedKeyUsageOID

    lab = "NCII Desk Test Lab"
    root_key = certkit.new_key()
    root = certkit.certificate(
        certkit.name("Test Root", lab),
        root_key,
        extensions=[
            (x509.BasicConstraints(ca=True, path_length=None), True),
            (certkit.key_usage(issues_certificates=True), True),
        ],
        days=7,
    )
    key = certkit.new_key()
    leaf = certkit.certificate(
        certkit.name("Test Generator Signer", lab),
        key,
        issuer=(root, root_key),
        extensions=[
            (x509.BasicConstraints(ca=False, path_length=None), True),
            (certkit.key_usage(), True),
            (x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), False),
            (x509.AuthorityKeyIdentifier.from_issuer_public_key(root_key.public_key()), False),
        ],
        days=7,
    )
    chain = certkit.pem(leaf) + certkit.pem(root)
    private = certkit.pem_key(key)
    info = c2pa.C2paSignerInfo(c2pa.C2paSigningAlg.ES256, chain, private, None)
    return c2pa, c2pa.Signer.from_info(info), certkit.pem(root)


@pytest.fixture(scope="module")
def test_root() -> dict[str, Any]:
    return {}


@pytest.fixture(scope="module")
def signed_jpeg(test_root: dict[str, Any]) -> bytes:
    c2pa, signer, root_pem = _test_signer()
    test_root["pem"] = root_pem
    manifest = {
        "claim_generator_info": [{"name": "TestGen", "version": "2.1"}],
        "title": "generated.jpg",
        "assertions": [
            {
                "label": "c2pa.actions",
                "data": {
                    "actions": [
                        {
                            "action": "c2pa.created",
                            "digitalSourceType": DST + "trainedAlgorithmicMedia",
                        }
                    ]
                },
            }
        ],
    }
    out = io.BytesIO()
    with c2pa.Builder(manifest) as builder:
        builder.sign(signer, "image/jpeg", io.BytesIO(_jpeg()), out)
    return out.getvalue()


def test_signed_c2pa_manifest_is_read(signed_jpeg: bytes) -> None:
    report = read_generator_metadata(signed_jpeg, "signed.jpg")
    c2pa = report.c2pa
    assert c2pa.status == "present" and c2pa.marker_seen
    assert c2pa.claim_generator == "TestGen 2.1"
    assert c2pa.signer == "Test Generator Signer" and c2pa.issuer == "NCII Desk Test Lab"
    assert c2pa.validation_state == "Valid"  # intact; the test root is on no trust list
    assert {
        "action": "c2pa.created",
        "digital_source_type": DST + "trainedAlgorithmicMedia",
        "software_agent": "",
    } in c2pa.actions
    assert c2pa.ai_source_types == [DST + "trainedAlgorithmicMedia"]
    signal = next(s for s in report.signals() if s.kind == "c2pa")
    # a certificate outside any trust list: signed, signer not verified, never strong
    assert signal.strength is Strength.MODERATE
    assert "made with generative AI" in signal.finding and "TestGen 2.1" in signal.finding
    assert "Signed, signer not verified" in signal.finding
    assert "signature is intact" in signal.finding
    assert signal.value["signer_verified"] is False
    assert "trust anchor" in signal.caveat
    # an AI statement from the credentials: no "nothing found" line
    assert not any(s.strength is Strength.NONE for s in report.signals())


def test_c2pa_of_a_changed_file_fails_validation(signed_jpeg: bytes) -> None:
    changed = bytearray(signed_jpeg)
    changed[-50] ^= 0xFF  # a pixel byte, after the manifest was signed
    report = read_generator_metadata(bytes(changed), "changed.jpg")
    assert report.c2pa.status == "present"
    assert report.c2pa.validation_state == "Invalid"
    assert "assertion.dataHash.mismatch" in report.c2pa.validation_problems
    signal = next(s for s in report.signals() if s.kind == "c2pa")
    assert signal.strength is Strength.WEAK
    assert "signature check FAILED" in signal.finding


def test_unreadable_c2pa_manifest_is_reported_not_raised(signed_jpeg: bytes) -> None:
    damaged = bytearray(signed_jpeg)
    start = signed_jpeg.index(b"c2pa")
    for i in range(start, start + 400):
        damaged[i] ^= 0x5A
    report = read_generator_metadata(bytes(damaged), "damaged.jpg")
    assert report.c2pa.status == "unreadable"
    assert report.c2pa.error
    signal = next(s for s in report.signals() if s.kind == "c2pa")
    assert signal.strength is Strength.NONE and "could not be read" in signal.finding


def test_no_c2pa_manifest() -> None:
    report = read_generator_metadata(_jpeg(), "plain.jpg")
    assert report.c2pa.status == "absent" and report.c2pa.error is None
    assert not any(s.kind == "c2pa" for s in report.signals())


def test_c2pa_signer_is_verified_only_against_the_clinics_trust_anchors(
    signed_jpeg: bytes,
    test_root: dict[str, Any],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from ncii_desk.vision.metadata import C2PA_TRUST_ENV

    anchors = tmp_path / "anchors.pem"
    root = test_root["pem"]
    anchors.write_bytes(root if isinstance(root, bytes) else root.encode())
    monkeypatch.setenv(C2PA_TRUST_ENV, str(anchors))
    report = read_generator_metadata(signed_jpeg, "signed.jpg")
    assert report.c2pa.validation_state == "Trusted" and report.c2pa.trust_anchors == 1
    signal = next(s for s in report.signals() if s.kind == "c2pa")
    assert signal.strength is Strength.STRONG
    assert "Signed, signer verified" in signal.finding
    assert signal.value["signer_verified"] is True

    # an unrelated anchor leaves the signer unverified
    other = _test_signer()[2]
    anchors.write_bytes(other if isinstance(other, bytes) else other.encode())
    report = read_generator_metadata(signed_jpeg, "signed.jpg")
    assert report.c2pa.validation_state == "Valid"
    assert next(s for s in report.signals() if s.kind == "c2pa").strength is Strength.MODERATE

    # a file that is not PEM is a clear setting error, not a silent "unverified"
    anchors.write_text("not a certificate", encoding="ascii")
    with pytest.raises(InvalidSetting, match="holds no PEM certificate"):
        read_generator_metadata(signed_jpeg, "signed.jpg")


@pytest.mark.parametrize(
    "text",
    [
        "hello",
        "Steps: many, Sampler: fast, Seed: 1",  # Steps not a number
        "my holiday\nSampler: none, CFG scale: 7",  # no steps, no seed
        "Steps: 20, Seed: 5",  # no sampler
    ],
)
def test_a_parameters_chunk_that_is_not_a_generator_recipe_is_no_evidence(text: str) -> None:
    report = read_generator_metadata(_png(parameters=text), "plain.png")
    assert report.values("parameters") == [text]
    assert [h for h in report.hints if h.kind == "ai"] == []
    assert not any(
        s.kind == "generator_metadata" and s.strength is not Strength.NONE for s in report.signals()
    )


def test_a_parameters_chunk_in_the_web_ui_format_is_evidence() -> None:
    recipe = (
        "a lighthouse at dusk\nSteps: 20, Sampler: Euler a, CFG scale: 7, Seed: 42, Size: 512x512"
    )
    report = read_generator_metadata(_png(parameters=recipe), "gen.png")
    hint = _hint(report, "Stable Diffusion (web UI)")
    assert hint.strength is Strength.STRONG
    assert hint.details["Steps"] == "20" and hint.details["Seed"] == "42"
