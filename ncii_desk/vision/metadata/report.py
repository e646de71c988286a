"""Generator metadata: what a file says about the software that made or edited it.

Image generators and editors often write their name, and sometimes their whole recipe, into
the file: Stable Diffusion web UIs put the prompt and settings in a PNG text chunk called
``parameters`` (or, for JPEG and WebP, in the EXIF user comment), ComfyUI stores its
``prompt`` and ``workflow`` graphs, editors write EXIF ``Software`` and XMP ``CreatorTool``,
and the IPTC "digital source type" in XMP (``trainedAlgorithmicMedia``) or a C2PA manifest
(Content Credentials) can state outright that a picture was made by generative AI.

Everything here reads bytes already in memory; nothing decodes pixels, nothing is written,
nothing goes on the network (C2PA reading has remote manifests and certificate revocation
checks switched off). The containers are walked by our own small parsers so that one damaged
chunk or segment is reported and the rest is still read.

What this cannot show: metadata is easy to remove (most platforms strip it on upload) and
easy to forge, so its absence proves nothing and its presence is a statement by the file, not
a fact about how the picture was made.
"""

from __future__ import annotations

import io
import json
import os
import re
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final
from xml.etree import ElementTree

from ncii_desk.errors import InvalidSetting
from ncii_desk.media.sniff import SNIFF_BYTES, sniff_mime
from ncii_desk.nativelibs import import_c2pa
from ncii_desk.vision.signals import Signal, Strength

__all__ = [
    "C2paReport",
    "GeneratorHint",
    "MetadataField",
    "MetadataReport",
    "read_generator_metadata",
]

#: Largest text a compressed chunk may expand to (ComfyUI workflows reach a few hundred KiB).
MAX_TEXT_BYTES: Final = 8 * 1024 * 1024
#: Characters of one value shown in as_dict(); the full length is always given beside it.
DISPLAY_CHARS: Final = 500

METADATA_CAVEAT: Final = (
    "Metadata is easy to remove or forge: its absence proves nothing, and most sites strip it "
    "when a picture is uploaded."
)
SOFTWARE_CAVEAT: Final = (
    "This names software that saved or handled the file; it does not show what was changed. "
    "Phones, apps and web sites write such names too. " + METADATA_CAVEAT
)
CAMERA_CAVEAT: Final = (
    "Camera details can be copied from another photo or typed in, and generated pictures can "
    "carry them too. " + METADATA_CAVEAT
)
C2PA_CAVEAT: Final = (
    "Content Credentials state what the signer declared. NCII Desk checks the signature "
    "offline; the signer counts as verified only when its certificate leads to a trust anchor "
    "the clinic has added (NCII_DESK_C2PA_TRUST_ANCHORS, docs/models.md), otherwise the "
    "signer's name is as it describes itself. Credentials are easily removed, so their "
    "absence proves nothing."
)
#: A PEM file of the clinic's C2PA trust anchors (root certificates it trusts as signers).
C2PA_TRUST_ENV: Final = "NCII_DESK_C2PA_TRUST_ANCHORS"

_IPTC_DST: Final = "http://cv.iptc.org/newscodes/digitalsourcetype/"
#: IPTC digital source types: plain words, and how much they say about AI or editing.
DIGITAL_SOURCE_TYPES: Final[dict[str, tuple[str, str]]] = {
    "trainedAlgorithmicMedia": ("made with generative AI", "ai"),
    "compositeWithTrainedAlgorithmicMedia": (
        "a composite that includes generative-AI content",
        "ai",
    ),
    "algorithmicMedia": ("made by a computer algorithm, not a camera", "ai"),
    "compositeSynthetic": ("a composite that includes synthetic (computer-made) parts", "ai"),
    "algorithmicallyEnhanced": ("a capture changed by algorithmic enhancement", "edit"),
    "humanEdits": ("edited by a person", "edit"),
    "composite": ("a composite of several elements", "edit"),
    "compositeCapture": ("a composite of several captures", "edit"),
    "digitalCreation": ("made by a person with digital tools, not a camera", "edit"),
    "dataDrivenMedia": ("made from data (for example a visualisation)", "edit"),
    "virtualRecording": ("a recording of a virtual scene", "edit"),
    "digitalCapture": ("a digital camera capture", "capture"),
    "computationalCapture": ("a camera capture with computational processing", "capture"),
    "screenCapture": ("a screen capture", "capture"),
    "negativeFilm": ("a scan of a film negative", "capture"),
    "positiveFilm": ("a scan of a slide", "capture"),
    "print": ("a scan of a print", "capture"),
}

#: Names of image generators and face-swap tools, matched as whole words in software fields.
AI_TOOL_NAMES: Final = (
    "stable diffusion",
    "stablediffusion",
    "sdxl",
    "automatic1111",
    "comfyui",
    "invokeai",
    "novelai",
    "midjourney",
    "dall-e",
    "dall·e",
    "dalle",
    "adobe firefly",
    "firefly",
    "imagen",
    "gemini",
    "chatgpt",
    "openai",
    "leonardo.ai",
    "fooocus",
    "draw things",
    "diffusionbee",
    "dreamstudio",
    "nightcafe",
    "ideogram",
    "flux",
    "craiyon",
    "deepfacelab",
    "faceswap",
    "facefusion",
    "roop",
    "reface",
)
_AI_NAME_RE: Final = re.compile(
    r"(?<![\w])(" + "|".join(re.escape(n) for n in AI_TOOL_NAMES) + r")(?![\w])", re.IGNORECASE
)
#: "Steps: 20, Sampler: Euler a, CFG scale: 7, Seed: 1234, ..." as Stable Diffusion UIs write.
_SD_SETTING_RE: Final = re.compile(r"(?:^|, )([A-Za-z][A-Za-z0-9 _-]{0,40}): ([^,\n]*)")

EXIF_TAGS: Final = {
    0x010E: "ImageDescription",
    0x010F: "Make",
    0x0110: "Model",
    0x0131: "Software",
    0x013B: "Artist",
    0x8298: "Copyright",
    0x9003: "DateTimeOriginal",
    0x9286: "UserComment",
    0xA433: "LensMake",
    0xA434: "LensModel",
}
_EXIF_IFD_POINTER: Final = 0x8769


# --- the report -----------------------------------------------------------------------------


@dataclass(frozen=True)
class MetadataField:
    """One text value found in the file, and where."""

    source: str  # e.g. "PNG tEXt", "PNG iTXt", "EXIF", "XMP", "JPEG comment", "WebP XMP"
    key: str
    value: str

    def as_dict(self) -> dict[str, Any]:
        shown = self.value if len(self.value) <= DISPLAY_CHARS else self.value[:DISPLAY_CHARS]
        return {
            "source": self.source,
            "key": self.key,
            "value": shown,
            "length": len(self.value),
            "truncated": len(self.value) > DISPLAY_CHARS,
        }


@dataclass(frozen=True)
class GeneratorHint:
    """A reading of one or more fields: which tool, and what kind of evidence it is."""

    kind: str  # "ai" (generator or face-swap tool), "edit", "software", "camera"
    tool: str  # e.g. "Stable Diffusion web UI", "ComfyUI", "Adobe Photoshop 25.0"
    evidence: str  # plain words: what in the file says so
    strength: Strength
    details: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "tool": self.tool,
            "evidence": self.evidence,
            "strength": self.strength.value,
            "details": self.details,
        }


@dataclass
class C2paReport:
    """Content Credentials (C2PA), as c2pa-python reads them offline."""

    status: str = "absent"  # "absent", "present" or "unreadable"
    claim_generator: str | None = None
    title: str | None = None
    actions: list[dict[str, str]] = field(default_factory=list)
    ai_source_types: list[str] = field(default_factory=list)
    issuer: str | None = None
    signer: str | None = None
    signed_at: str | None = None
    validation_state: str | None = None  # "Trusted", "Valid" or "Invalid"
    validation_problems: list[str] = field(default_factory=list)
    trust_anchors: int = 0  # how many clinic trust anchors the signer was checked against
    manifests: int = 0
    error: str | None = None
    marker_seen: bool = False  # our parser saw a C2PA/JUMBF block in the file

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "claim_generator": self.claim_generator,
            "title": self.title,
            "actions": self.actions,
            "ai_source_types": self.ai_source_types,
            "issuer": self.issuer,
            "signer": self.signer,
            "signed_at": self.signed_at,
            "validation_state": self.validation_state,
            "validation_problems": self.validation_problems,
            "trust_anchors": self.trust_anchors,
            "signer_verified": self.validation_state == "Trusted",
            "manifests": self.manifests,
            "error": self.error,
            "marker_seen": self.marker_seen,
        }

    def signal(self) -> Signal | None:
        if self.status == "absent":
            return None
        if self.status == "unreadable":
            return Signal(
                kind="c2pa",
                finding="The file seems to carry Content Credentials (C2PA), but they could "
                f"not be read: {self.error or 'unknown reason'}.",
                strength=Strength.NONE,
                caveat=C2PA_CAVEAT,
                value=self.as_dict(),
            )
        who = self.claim_generator or "an unnamed tool"
        parts = [f"The file carries Content Credentials (C2PA) written by {who}"]
        if self.signer or self.issuer:
            parts.append(f"signed by {self.signer or self.issuer}")
        finding = ", ".join(parts) + "."
        if self.ai_source_types:
            words = "; ".join(_dst_words(t) for t in self.ai_source_types)
            finding += f" They state that the picture is {words}."
        elif self.actions:
            listed = ", ".join(sorted({a["action"].removeprefix("c2pa.") for a in self.actions}))
            finding += f" Recorded actions: {listed}."
        finding += " " + _validation_words(self.validation_state, self.validation_problems)
        # Only a signer verified against a trust anchor makes the credentials strong; an
        # intact signature by an unknown certificate is "signed, signer not verified": anyone
        # can make such a certificate.
        strength = Strength.WEAK
        if self.validation_state == "Trusted":
            strength = Strength.STRONG if self.ai_source_types else Strength.MODERATE
        elif self.validation_state == "Valid" and self.ai_source_types:
            strength = Strength.MODERATE
        return Signal(
            kind="c2pa",
            finding=finding,
            strength=strength,
            caveat=C2PA_CAVEAT,
            value=self.as_dict(),
        )


def _validation_words(state: str | None, problems: list[str]) -> str:
    if state == "Trusted":
        return (
            "Signed, signer verified: the signature is intact and the signer's certificate "
            "leads to a trust anchor the clinic added."
        )
    if state == "Valid":
        return (
            "Signed, signer not verified: the signature is intact (the file has not changed "
            "since it was signed), but the signer's certificate is not on a trust list NCII "
            "Desk has, so who signed is only what the certificate claims."
        )
    if state == "Invalid":
        listed = ", ".join(problems[:5]) or "no details given"
        return (
            "The signature check FAILED: the file was changed after signing, or the "
            f"credentials are damaged ({listed})."
        )
    return "The signature could not be checked."


def _dst_words(uri: str) -> str:
    term = uri.rsplit("/", 1)[-1]
    words = DIGITAL_SOURCE_TYPES.get(term, (term, "edit"))[0]
    return f"{words} ({term})"


#: Hint kind -> (signal kind, finding with {tool} and {evidence}, caveat).
_HINT_SIGNALS = {
    "ai": (
        "generator_metadata",
        "The file's metadata points to {tool}: {evidence}.",
        METADATA_CAVEAT,
    ),
    "edit": (
        "edit_metadata",
        "The file's metadata says it was edited: {evidence}.",
        METADATA_CAVEAT,
    ),
    "software": (
        "software_metadata",
        "The file says it was saved or edited with {tool} ({evidence}).",
        SOFTWARE_CAVEAT,
    ),
    "camera": ("camera_metadata", "The file names a camera or capture: {evidence}.", CAMERA_CAVEAT),
}


@dataclass
class MetadataReport:
    """Everything found in one file's metadata, and what it suggests."""

    name: str
    mime: str
    size: int
    fields: list[MetadataField] = field(default_factory=list)
    hints: list[GeneratorHint] = field(default_factory=list)
    c2pa: C2paReport = field(default_factory=C2paReport)
    problems: list[str] = field(default_factory=list)

    def values(self, key: str) -> list[str]:
        """Every value stored under ``key`` (any source), e.g. values("Software")."""
        return [f.value for f in self.fields if f.key == key]

    @property
    def ai_hints(self) -> list[GeneratorHint]:
        return [h for h in self.hints if h.kind == "ai"]

    def signals(self) -> list[Signal]:
        out: list[Signal] = []
        for hint in self.hints:
            wording = _HINT_SIGNALS.get(hint.kind)
            if wording is None:
                continue
            kind, finding, caveat = wording
            out.append(
                Signal(
                    kind=kind,
                    finding=finding.format(tool=hint.tool, evidence=hint.evidence),
                    strength=hint.strength,
                    caveat=caveat,
                    value=hint.as_dict(),
                )
            )
        c2pa_signal = self.c2pa.signal()
        if c2pa_signal is not None:
            out.append(c2pa_signal)
        if not self.ai_hints and not self.c2pa.ai_source_types:
            found = "no Content Credentials" if self.c2pa.status == "absent" else None
            finding = "No AI generator tags were found in the file's metadata"
            finding += f", and {found}." if found else "."
            out.append(
                Signal(
                    kind="generator_metadata",
                    finding=finding,
                    strength=Strength.NONE,
                    caveat=METADATA_CAVEAT,
                    value={"fields": len(self.fields), "problems": self.problems},
                )
            )
        return out

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "mime": self.mime,
            "size": self.size,
            "fields": [f.as_dict() for f in self.fields],
            "hints": [h.as_dict() for h in self.hints],
            "c2pa": self.c2pa.as_dict(),
            "problems": self.problems,
            "display_chars": DISPLAY_CHARS,
        }


# --- reading ---------------------------------------------------------------------------------


def read_generator_metadata(data: bytes, name: str = "") -> MetadataReport:
    """Read every generator-related field of one file held in memory; never raises for bad
    content (damage is listed in ``problems``)."""
    label = name or "the file"
    mime = sniff_mime(data[:SNIFF_BYTES])
    report = MetadataReport(name=name, mime=mime, size=len(data))
    if not data:
        report.problems.append(f"{label} is empty (0 bytes).")
        return report
    reader = _Reader(report, label)
    if mime == "image/png":
        reader.png(data)
    elif mime == "image/jpeg":
        reader.jpeg(data)
    elif mime == "image/webp":
        reader.webp(data)
    if not any(f.source.endswith("XMP") for f in report.fields):
        reader.xmp_scan(data)  # other formats (TIFF, HEIC, GIF...) and XMP outside its place
    report.c2pa = _read_c2pa(data, mime, reader.c2pa_marker)
    report.hints = _interpret(report)
    return report


class _Reader:
    """Fills a report from one container; each part is read on its own."""

    def __init__(self, report: MetadataReport, label: str) -> None:
        self.report = report
        self.label = label
        self.c2pa_marker = False

    def add(self, source: str, key: str, value: str) -> None:
        value = value.replace("\x00", "").strip()
        if value:
            self.report.fields.append(MetadataField(source, key, value))

    def problem(self, text: str) -> None:
        self.report.problems.append(text)

    # PNG: signature, then length / type / data / CRC chunks.
    def png(self, data: bytes) -> None:
        pos = 8
        while pos < len(data):
            if pos + 8 > len(data):
                self.problem(f"{self.label} ends in the middle of a PNG chunk header (truncated).")
                return
            length, ctype = struct.unpack(">I4s", data[pos : pos + 8])
            kind = ctype.decode("latin-1")
            end = pos + 8 + length
            if end + 4 > len(data):
                self.problem(
                    f"{self.label} ends inside its PNG '{_printable(kind)}' chunk at byte {pos} "
                    "(the file is truncated); the chunks before it were read."
                )
                if kind in ("tEXt", "zTXt", "iTXt"):
                    self.problem("The cut-off text chunk was not read.")
                return
            body = data[pos + 8 : end]
            crc = struct.unpack(">I", data[end : end + 4])[0]
            crc_ok = zlib.crc32(ctype + body) & 0xFFFFFFFF == crc
            if not crc_ok:
                self.problem(
                    f"The PNG '{_printable(kind)}' chunk at byte {pos} fails its checksum "
                    "(damaged); its content is reported as found."
                )
            if kind in ("tEXt", "zTXt", "iTXt"):
                self._png_text(kind, body, pos)
            elif kind == "eXIf":
                self.exif(body, "PNG eXIf")
            elif kind == "caBX":
                self.c2pa_marker = True
            elif kind == "IEND":
                return
            pos = end + 4

    def _png_text(self, kind: str, body: bytes, pos: int) -> None:
        keyword, sep, rest = body.partition(b"\x00")
        key = keyword.decode("latin-1")
        if not sep or not 1 <= len(keyword) <= 79:
            self.problem(f"The PNG '{kind}' chunk at byte {pos} has no valid keyword; skipped.")
            return
        try:
            if kind == "tEXt":
                text = rest.decode("latin-1")
            elif kind == "zTXt":
                text = _inflate(rest[1:]).decode("latin-1")
            else:  # iTXt: flag, method, language\0, translated keyword\0, UTF-8 text
                if len(rest) < 2:
                    raise ValueError("too short")
                compressed = rest[0] == 1
                _lang, _, tail = rest[2:].partition(b"\x00")
                _translated, _, raw = tail.partition(b"\x00")
                text = (_inflate(raw) if compressed else raw).decode("utf-8", errors="replace")
        except (ValueError, zlib.error) as exc:
            self.problem(f"The PNG text chunk '{_printable(key)}' cannot be read ({exc}).")
            return
        if kind == "iTXt" and key == "XML:com.adobe.xmp":
            self.xmp(text, "PNG iTXt XMP")
            return
        self.add(f"PNG {kind}", key, text)

    # JPEG: segments up to the start of the picture data.
    def jpeg(self, data: bytes) -> None:
        pos = 2
        extended: dict[bytes, dict[int, bytes]] = {}
        while pos + 4 <= len(data):
            if data[pos] != 0xFF:
                self.problem(
                    f"{self.label} has unexpected bytes at {pos} between JPEG segments; the "
                    "rest of its metadata was not read."
                )
                return
            marker = data[pos + 1]
            if marker == 0xFF:  # fill byte
                pos += 1
                continue
            if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
                pos += 2
                continue
            if marker in (0xDA, 0xD9):  # picture data starts: no metadata after it
                break
            length = int.from_bytes(data[pos + 2 : pos + 4], "big")
            end = pos + 2 + length
            if length < 2 or end > len(data):
                self.problem(
                    f"{self.label} ends inside a JPEG segment (marker 0x{marker:02X} at byte "
                    f"{pos}); the file is truncated or damaged. Segments before it were read."
                )
                return
            body = data[pos + 4 : end]
            if marker == 0xE1 and body.startswith(b"Exif\x00"):
                self.exif(body[6:], "EXIF")
            elif marker == 0xE1 and body.startswith(b"http://ns.adobe.com/xap/1.0/\x00"):
                self.xmp(body[29:].decode("utf-8", errors="replace"), "XMP")
            elif marker == 0xE1 and body.startswith(b"http://ns.adobe.com/xmp/extension/\x00"):
                part = body[35:]
                if len(part) >= 40:
                    guid, offset = part[:32], int.from_bytes(part[36:40], "big")
                    extended.setdefault(guid, {})[offset] = part[40:]
            elif marker == 0xEB and b"jumb" in body[:64]:
                self.c2pa_marker = True
            elif marker == 0xFE:
                self.add("JPEG comment", "Comment", _decode_text(body))
            pos = end
        for guid, parts in extended.items():
            joined = b"".join(parts[k] for k in sorted(parts))
            self.xmp(joined.decode("utf-8", errors="replace"), f"XMP (extended {guid[:8]!r})")

    # WebP: RIFF chunks.
    def webp(self, data: bytes) -> None:
        pos = 12
        while pos + 8 <= len(data):
            fourcc = data[pos : pos + 4]
            size = int.from_bytes(data[pos + 4 : pos + 8], "little")
            end = pos + 8 + size
            if end > len(data):
                self.problem(
                    f"{self.label} ends inside its WebP '{_printable(fourcc.decode('latin-1'))}' "
                    f"chunk at byte {pos} (truncated); the chunks before it were read."
                )
                return
            body = data[pos + 8 : end]
            if fourcc == b"EXIF":
                self.exif(body[6:] if body.startswith(b"Exif\x00") else body, "WebP EXIF")
            elif fourcc == b"XMP ":
                self.xmp(body.decode("utf-8", errors="replace"), "WebP XMP")
            elif fourcc == b"C2PA":
                self.c2pa_marker = True
            pos = end + (size & 1)

    # EXIF: a little TIFF file of tags.
    def exif(self, tiff: bytes, source: str) -> None:
        try:
            for key, value in _exif_tags(tiff):
                self.add(source, key, value)
        except (ValueError, struct.error, IndexError) as exc:
            self.problem(f"The EXIF block ({source}) is damaged and was not fully read ({exc}).")

    # XMP: an RDF/XML packet.
    def xmp(self, packet: str, source: str) -> None:
        for key, value in _xmp_values(packet, self.problem):
            self.add(source, key, value)

    def xmp_scan(self, data: bytes) -> None:
        start = data.find(b"<x:xmpmeta")
        if start < 0:
            return
        end = data.find(b"</x:xmpmeta>", start)
        if end < 0:
            self.problem("An XMP packet starts in the file but never ends; it was not read.")
            return
        self.xmp(data[start : end + 12].decode("utf-8", errors="replace"), "XMP")


def _printable(text: str) -> str:
    return "".join(c if c.isprintable() else "?" for c in text)


def _inflate(raw: bytes) -> bytes:
    inflater = zlib.decompressobj()
    out = inflater.decompress(raw, MAX_TEXT_BYTES)
    if inflater.unconsumed_tail:
        raise ValueError(f"it expands to more than {MAX_TEXT_BYTES // (1024 * 1024)} MiB")
    return out


def _decode_text(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _user_comment(raw: bytes) -> str:
    """EXIF UserComment: an 8-byte character-set code, then the text."""
    code, body = raw[:8], raw[8:]
    if code.startswith(b"UNICODE"):
        # Stable Diffusion web UIs write UTF-16 big-endian; some writers little-endian.
        big = body.decode("utf-16-be", errors="replace")
        little = body.decode("utf-16-le", errors="replace")
        return big if _readable(big) >= _readable(little) else little
    if code.startswith(b"ASCII") or code == b"\x00" * 8:
        return _decode_text(body)
    return _decode_text(raw)


def _readable(text: str) -> int:
    return sum(c.isascii() and (c.isprintable() or c in "\n\t") for c in text)


def _exif_tags(tiff: bytes) -> Iterator[tuple[str, str]]:
    """The EXIF_TAGS found in IFD0 and the Exif sub-IFD, as text."""
    if tiff[:2] == b"II":
        order = "<"
    elif tiff[:2] == b"MM":
        order = ">"
    else:
        raise ValueError("no TIFF byte-order mark")
    if struct.unpack(order + "H", tiff[2:4])[0] != 42:
        raise ValueError("not a TIFF header")
    ifd0 = struct.unpack(order + "I", tiff[4:8])[0]
    seen: set[int] = set()
    queue = [ifd0]
    while queue:
        offset = queue.pop()
        if offset in seen or not 8 <= offset < len(tiff):
            continue
        seen.add(offset)
        count = struct.unpack(order + "H", tiff[offset : offset + 2])[0]
        for i in range(min(count, 1000)):
            entry = tiff[offset + 2 + 12 * i : offset + 14 + 12 * i]
            if len(entry) < 12:
                raise ValueError("an EXIF directory runs past the end of the block")
            tag, typ, n = struct.unpack(order + "HHI", entry[:8])
            if tag == _EXIF_IFD_POINTER:
                queue.append(struct.unpack(order + "I", entry[8:12])[0])
                continue
            name = EXIF_TAGS.get(tag)
            if name is None or typ not in (1, 2, 7) or n > MAX_TEXT_BYTES:  # BYTE, ASCII, UNDEF.
                continue
            if n <= 4:
                raw = entry[8 : 8 + n]
            else:
                at = struct.unpack(order + "I", entry[8:12])[0]
                if at + n > len(tiff):
                    raise ValueError(f"the {name} value points past the end of the block")
                raw = tiff[at : at + n]
            yield name, (_user_comment(raw) if tag == 0x9286 else _decode_text(raw))


_XMP_KEYS: Final = {
    "DigitalSourceType",  # Iptc4xmpExt
    "CreatorTool",  # xmp
    "History",  # photoshop:History (free text)
    "softwareAgent",  # xmpMM:History events
    "action",  # xmpMM:History events
    "Credit",  # photoshop:Credit (some generators put their name here)
    "description",  # dc:description (often the prompt)
    "creator",  # dc:creator
}


def _xmp_values(packet: str, problem: Any) -> Iterator[tuple[str, str]]:
    """(prefixed key, text) pairs of the XMP properties that matter here."""
    if "<!DOCTYPE" in packet or "<!ENTITY" in packet:
        problem("An XMP packet declares a DOCTYPE or entities (never needed); it was not read.")
        return
    begin = packet.find("<x:xmpmeta")
    stop = packet.rfind("</x:xmpmeta>")
    if begin >= 0 and stop > begin:
        packet = packet[begin : stop + 12]
    try:
        root = ElementTree.fromstring(packet)
    except ElementTree.ParseError as exc:
        problem(f"An XMP packet is damaged and was not read ({exc}).")
        return
    prefixes = {
        "http://iptc.org/std/Iptc4xmpExt/2008-02-29/": "Iptc4xmpExt",
        "http://ns.adobe.com/xap/1.0/": "xmp",
        "http://ns.adobe.com/photoshop/1.0/": "photoshop",
        "http://ns.adobe.com/xap/1.0/sType/ResourceEvent#": "stEvt",
        "http://purl.org/dc/elements/1.1/": "dc",
    }

    def short(tag: str) -> tuple[str, str]:
        if tag.startswith("{"):
            ns, local = tag[1:].split("}", 1)
            return prefixes.get(ns, ns), local
        return "", tag

    for element in root.iter():
        for attr, value in element.attrib.items():
            prefix, local = short(attr)
            if local in _XMP_KEYS and prefix in prefixes.values():
                yield f"{prefix}:{local}", value
        prefix, local = short(element.tag)
        if local in _XMP_KEYS and prefix in prefixes.values():
            # Simple value, or the texts inside rdf:Alt / rdf:Seq / rdf:Bag items; a
            # resource value (Iptc4xmpExt:DigitalSourceType as rdf:resource) is an attribute.
            texts = [t.strip() for t in element.itertext() if t.strip()]
            resource = next(
                (v for a, v in element.attrib.items() if short(a)[1] == "resource"), None
            )
            if resource:
                texts.append(resource)
            for text in texts:
                yield f"{prefix}:{local}", text


# --- Content Credentials ----------------------------------------------------------------------


def _trust_anchors() -> str:
    """The clinic's C2PA trust anchors (PEM text) from the file named in
    NCII_DESK_C2PA_TRUST_ANCHORS; "" when none is set. Read offline, never fetched."""
    path = os.environ.get(C2PA_TRUST_ENV, "").strip()
    if not path:
        return ""
    try:
        text = Path(path).expanduser().read_text("ascii")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidSetting(
            f"The C2PA trust anchors file {path} (named in {C2PA_TRUST_ENV}) cannot be read: "
            f"{exc}.",
            f"Point {C2PA_TRUST_ENV} at a PEM file of root certificates, or unset it.",
        ) from None
    if "-----BEGIN CERTIFICATE-----" not in text:
        raise InvalidSetting(
            f"The C2PA trust anchors file {path} holds no PEM certificate.",
            f"Point {C2PA_TRUST_ENV} at a PEM file of root certificates, or unset it.",
        )
    return text


def _read_c2pa(data: bytes, mime: str, marker_seen: bool) -> C2paReport:
    report = C2paReport(marker_seen=marker_seen)
    try:
        c2pa = import_c2pa()
    except ImportError:  # pragma: no cover - c2pa-python is a declared dependency
        report.status = "unreadable" if marker_seen else "absent"
        report.error = "the Content Credentials reader (c2pa-python) is not installed"
        return report
    settings: dict[str, Any] = {"verify": {"remote_manifest_fetch": False, "ocsp_fetch": False}}
    anchors = _trust_anchors()
    if anchors:
        settings["verify"]["verify_trust"] = True
        settings["trust"] = {"user_anchors": anchors}
        report.trust_anchors = anchors.count("-----BEGIN CERTIFICATE-----")
    fmt = mime if mime != "application/octet-stream" else None
    # c2pa-python wraps a native library: whatever it raises for a hostile file must stay a
    # report line, never a crash of the analysis.
    try:
        with c2pa.Context(c2pa.Settings.from_dict(settings)) as context:
            reader = c2pa.Reader.try_create(fmt, io.BytesIO(data), context=context)
            if reader is None:
                if marker_seen:
                    report.status = "unreadable"
                    report.error = "a C2PA block is present but holds no readable manifest"
                return report
            with reader:
                store = json.loads(reader.json())
                state = reader.get_validation_state()
    except Exception as exc:  # the native reader: see above
        kind = type(exc).__name__
        if not marker_seen and kind in ("NotSupported", "ManifestNotFound"):
            return report  # a format without Content Credentials support, or none found
        report.status = "unreadable"
        report.error = (str(exc).strip() or kind)[:300]
        return report
    report.status = "present"
    report.validation_state = str(state) if state else None
    _fill_c2pa(report, store)
    return report


def _fill_c2pa(report: C2paReport, store: dict[str, Any]) -> None:
    manifests = store.get("manifests") or {}
    report.manifests = len(manifests)
    active = manifests.get(store.get("active_manifest") or "", {})
    report.title = active.get("title")
    info = active.get("claim_generator_info") or []
    if info and isinstance(info, list) and isinstance(info[0], dict):
        first = info[0]
        report.claim_generator = " ".join(
            str(first[k]) for k in ("name", "version") if first.get(k)
        )
    else:
        report.claim_generator = active.get("claim_generator")
    sig = active.get("signature_info") or {}
    report.issuer = sig.get("issuer")
    report.signer = sig.get("common_name")
    report.signed_at = sig.get("time")
    for manifest in manifests.values():
        for assertion in manifest.get("assertions") or []:
            if not str(assertion.get("label", "")).startswith("c2pa.actions"):
                continue
            for action in (assertion.get("data") or {}).get("actions") or []:
                agent = action.get("softwareAgent")
                if isinstance(agent, dict):
                    agent = agent.get("name")
                entry = {
                    "action": str(action.get("action", "")),
                    "digital_source_type": str(action.get("digitalSourceType", "")),
                    "software_agent": str(agent or ""),
                }
                report.actions.append(entry)
                term = entry["digital_source_type"].rsplit("/", 1)[-1]
                if DIGITAL_SOURCE_TYPES.get(term, ("", ""))[1] == "ai":
                    uri = entry["digital_source_type"]
                    if uri not in report.ai_source_types:
                        report.ai_source_types.append(uri)
    statuses = store.get("validation_status") or []
    report.validation_problems = [
        str(s.get("code")) for s in statuses if isinstance(s, dict) and s.get("code")
    ]


# --- interpretation ---------------------------------------------------------------------------


def _interpret(report: MetadataReport) -> list[GeneratorHint]:
    hints: list[GeneratorHint] = []
    for f in report.fields:
        hint = _ai_text_hint(f) or _dst_hint(f) or _ai_name_hint(f)
        if hint is not None and not any(
            h.tool == hint.tool and h.evidence == hint.evidence for h in hints
        ):
            hints.append(hint)
    flagged = {h.details.get("value") for h in hints}
    for key in ("Software", "xmp:CreatorTool", "stEvt:softwareAgent"):
        for value in dict.fromkeys(report.values(key)):
            if value not in flagged:
                hints.append(
                    GeneratorHint(
                        "software", value, f"its {key} field", Strength.WEAK, {"value": value}
                    )
                )
    history = report.values("photoshop:History")
    if history:
        hints.append(
            GeneratorHint(
                "edit",
                "an editor",
                "an editing history is recorded (photoshop:History)",
                Strength.WEAK,
                {"value": history[0][:DISPLAY_CHARS]},
            )
        )
    camera = [report.values(k)[:1] for k in ("Make", "Model", "DateTimeOriginal")]
    make, model, taken = (v[0] if v else "" for v in camera)
    if make or model:
        words = " ".join(dict.fromkeys(w for w in (make, model) if w))
        hints.append(
            GeneratorHint(
                "camera",
                words,
                words + (f", taken {taken}" if taken else ""),
                Strength.WEAK,
                {"make": make, "model": model, "date_time_original": taken},
            )
        )
    return hints


def _sd_settings(text: str) -> dict[str, str]:
    last = text.strip().splitlines()[-1] if text.strip() else ""
    return {k.strip(): v.strip() for k, v in _SD_SETTING_RE.findall(last)}


def _is_sd_recipe(settings: dict[str, str]) -> bool:
    """The last line is a Stable Diffusion web UI settings line: "Steps: N, Sampler: X, ...,
    Seed: N" (whole numbers where they must be). Any other text is not a recipe."""
    return (
        settings.get("Steps", "").isdigit()
        and bool(settings.get("Sampler"))
        and settings.get("Seed", "").lstrip("-").isdigit()
    )


def _json_object(text: str) -> bool:
    try:
        return isinstance(json.loads(text), dict)
    except ValueError:
        return False


def _ai_text_hint(f: MetadataField) -> GeneratorHint | None:
    """Generation recipes: Stable Diffusion UIs, ComfyUI, InvokeAI, Fooocus."""
    key = f.key.lower()
    where = f"{f.source} '{f.key}'"
    settings = _sd_settings(f.value)
    if _is_sd_recipe(settings):
        details: dict[str, Any] = {
            k: settings[k]
            for k in ("Steps", "Sampler", "CFG scale", "Seed", "Size", "Model", "Model hash")
            if k in settings
        }
        evidence = f"generation settings in {where}"
        if "Model" in settings:
            evidence += f" (model '{settings['Model']}')"
        if "Denoising strength" in settings or "Mask blur" in settings:
            details["from_another_image"] = True
            evidence += (
                "; the settings show it was made from another picture (image-to-image or "
                "inpainting)"
            )
        return GeneratorHint("ai", "Stable Diffusion (web UI)", evidence, Strength.STRONG, details)
    if key in ("prompt", "workflow") and ("class_type" in f.value or '"nodes"' in f.value):
        details = _comfy_details(f.value)
        evidence = f"a ComfyUI {key} graph in {where}"
        if details.get("checkpoints"):
            evidence += f" (model {', '.join(details['checkpoints'][:3])})"
        if details.get("from_another_image"):
            evidence += "; the graph loads an input picture"
        return GeneratorHint("ai", "ComfyUI", evidence, Strength.STRONG, details)
    if key in ("invokeai_metadata", "invokeai_graph", "sd-metadata", "dream"):
        return GeneratorHint("ai", "InvokeAI", f"generation data in {where}", Strength.STRONG)
    if key == "fooocus_scheme" or (
        key == "parameters" and "fooocus" in f.value.lower() and _json_object(f.value)
    ):
        return GeneratorHint("ai", "Fooocus", f"generation data in {where}", Strength.STRONG)
    # a "parameters" field that is not a generator's recipe (any text at all) is no evidence
    if key in ("prompt", "negative_prompt"):
        return GeneratorHint(
            "ai",
            "an image generator",
            f"a text field named '{f.key}' ({f.source}), as image generators write",
            Strength.MODERATE,
        )
    return None


def _comfy_details(text: str) -> dict[str, Any]:
    try:
        graph = json.loads(text)
    except ValueError:
        return {}
    nodes: list[Any] = []
    if isinstance(graph, dict) and isinstance(graph.get("nodes"), list):
        nodes = graph["nodes"]  # workflow form
    elif isinstance(graph, dict):
        nodes = list(graph.values())  # prompt form: {"3": {"class_type": ..., "inputs": ...}}
    types = []
    checkpoints = []
    for node in nodes:
        if not isinstance(node, dict):
            continue
        kind = str(node.get("class_type") or node.get("type") or "")
        types.append(kind)
        inputs = node.get("inputs")
        if isinstance(inputs, dict) and isinstance(inputs.get("ckpt_name"), str):
            checkpoints.append(inputs["ckpt_name"])
        values = node.get("widgets_values")
        if "Checkpoint" in kind and isinstance(values, list) and values:
            checkpoints.append(str(values[0]))
    details: dict[str, Any] = {"nodes": len(types)}
    if checkpoints:
        details["checkpoints"] = list(dict.fromkeys(checkpoints))
    if any(t in ("LoadImage", "VAEEncodeForInpaint", "InpaintModelConditioning") for t in types):
        details["from_another_image"] = True
    return details


def _dst_hint(f: MetadataField) -> GeneratorHint | None:
    if not f.key.endswith("DigitalSourceType"):
        return None
    term = f.value.strip().rsplit("/", 1)[-1]
    words, kind = DIGITAL_SOURCE_TYPES.get(term, (term, "edit"))
    evidence = f"the IPTC digital source type in {f.source} says the picture is {words} ({term})"
    if kind == "ai":
        return GeneratorHint("ai", "generative AI", evidence, Strength.STRONG, {"value": f.value})
    if kind == "capture":
        return GeneratorHint("camera", words, evidence, Strength.WEAK, {"value": f.value})
    return GeneratorHint("edit", words, evidence, Strength.MODERATE, {"value": f.value})


#: Fields that name software (or, for NovelAI's "Source", the model); free text such as a
#: description is not searched, a caption that mentions a tool is not a tag.
_TOOL_KEYS: Final = (
    "Software",
    "xmp:CreatorTool",
    "stEvt:softwareAgent",
    "photoshop:Credit",
    "Source",
)


def _ai_name_hint(f: MetadataField) -> GeneratorHint | None:
    if f.key not in _TOOL_KEYS:
        return None
    found = _AI_NAME_RE.search(f.value)
    if found is None:
        return None
    return GeneratorHint(
        "ai",
        f.value if len(f.value) <= 80 else found.group(1),
        f"{f.source} '{f.key}' names '{found.group(1)}'",
        Strength.STRONG,
        {"value": f.value},
    )
