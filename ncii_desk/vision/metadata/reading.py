"""Reading a file's metadata: the chunk walk (PNG, JPEG, WebP ...), EXIF tags and XMP values."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator
from typing import Any, Final
from xml.etree import ElementTree

from ncii_desk.media.sniff import SNIFF_BYTES, sniff_mime
from ncii_desk.vision.metadata.c2pa import _read_c2pa
from ncii_desk.vision.metadata.hints import _interpret
from ncii_desk.vision.metadata.report import (
    _EXIF_IFD_POINTER,
    EXIF_TAGS,
    MAX_TEXT_BYTES,
    MetadataField,
    MetadataReport,
)

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
