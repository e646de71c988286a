"""Recognise a file's type from its first bytes, never from its name (names lie)."""

from __future__ import annotations

SNIFF_BYTES = 64

# The picture and video types the decoders take (media/loader.py); here so that recognising
# a file's kind does not load the decoders.
IMAGE_MIMES = {
    "image/jpeg",
    "image/png",
    "image/gif",
    "image/webp",
    "image/bmp",
    "image/tiff",
    "image/heic",
    "image/heif",
    "image/avif",
}
VIDEO_MIMES = {
    "video/mp4",
    "video/quicktime",
    "video/x-m4v",
    "video/3gpp",
    "video/webm",
    "video/x-matroska",
    "video/x-msvideo",
}

_ISO_BMFF_BRANDS = {
    b"heic": "image/heic",
    b"heix": "image/heic",
    b"heim": "image/heic",
    b"heis": "image/heic",
    b"hevc": "image/heic",
    b"hevx": "image/heic",
    b"hevm": "image/heic",
    b"hevs": "image/heic",
    b"mif1": "image/heif",
    b"msf1": "image/heif",
    b"avif": "image/avif",
    b"avis": "image/avif",
    b"qt  ": "video/quicktime",
    b"M4V ": "video/x-m4v",
    b"3gp4": "video/3gpp",
    b"3gp5": "video/3gpp",
}
# DIB header sizes of the BMP variants (core, OS/2 2, Windows 3 to 5): a text that merely
# starts with "BM" is not a bitmap.
_BMP_DIB_SIZES = {12, 16, 40, 52, 56, 64, 108, 124}


def _iso_bmff(head: bytes) -> str:
    """ISO base media file (MP4, MOV, HEIC, AVIF): by major brand, and for the generic
    HEIF brands by the compatible brands that follow it."""
    major = head[8:12]
    if major in (b"mif1", b"msf1"):
        box_end = min(len(head), int.from_bytes(head[0:4], "big"))
        compatible = {head[i : i + 4] for i in range(16, box_end - 3, 4)}
        if compatible & {b"avif", b"avis"}:
            return "image/avif"
        if compatible & {b"heic", b"heix", b"heim", b"heis"}:
            return "image/heic"
    return _ISO_BMFF_BRANDS.get(major, "video/mp4")


def sniff_mime(head: bytes) -> str:
    """MIME type from magic bytes; ``application/octet-stream`` when unknown."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        return "video/x-msvideo"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "audio/wav"
    if (
        head.startswith(b"BM")
        and len(head) >= 18
        and int.from_bytes(head[14:18], "little") in _BMP_DIB_SIZES
    ):
        return "image/bmp"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "image/tiff"
    if head[4:8] == b"ftyp":
        return _iso_bmff(head)
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "video/webm" if b"webm" in head else "video/x-matroska"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"PK\x03\x04"):
        return "application/zip"
    if head[:4] == b"\x00\x00\x01\x00":
        return "image/x-icon"
    if head.lstrip()[:5].lower() in (b"<!doc", b"<html"):
        return "text/html"
    return "application/octet-stream"


def media_kind(mime: str) -> str | None:
    if mime in IMAGE_MIMES:
        return "image"
    if mime in VIDEO_MIMES:
        return "video"
    return None
