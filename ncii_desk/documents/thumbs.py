"""Safe thumbnails for the public volume of an evidence packet.

A packet's PDF may be filed publicly, so it never shows an exhibit as it is. Each thumbnail is
either

* **blurred**: the picture is first shrunk so its longer side is ``BLUR_SOURCE_SIDE`` pixels
  (about a dozen: enough to tell a photo from a screenshot, far too little to show a body or
  recognise a face), then enlarged and smoothed to ``THUMB_SIDE`` pixels for display. Nothing
  the small picture lost can be recovered from the thumbnail; or
* **face crop**: only the most confident face found by the face detector, cropped tight and
  shrunk to at most ``THUMB_SIDE`` pixels. Offered for showing that the client is the person
  depicted; when no face is found (or the face model is missing) it falls back to a blur.

Pixels come from the vault's decrypted bytes through ``media.loader`` (the one safe decoder)
and the thumbnail is a JPEG in memory, embedded straight into the PDF: nothing is written to
disk. Items without kept pixels (suspected-minor items) never reach this module; the caller
decides that, and :func:`make_thumbnail` refuses them again to be sure.
"""

from __future__ import annotations

import enum
import io
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt
from PIL import Image

from ncii_desk.errors import NciiDeskError
from ncii_desk.media.loader import IMAGE_MIMES, VIDEO_MIMES, iter_video_frames, load_image

#: Longer side of the picture everything of a blurred thumbnail comes from.
BLUR_SOURCE_SIDE = 12
#: Longer side of the thumbnail as embedded in the PDF.
THUMB_SIDE = 96
#: Decoding cost cap: larger files get no thumbnail (they are still exhibits with hashes).
MAX_THUMB_SOURCE_BYTES = 512 * 1024 * 1024
JPEG_QUALITY = 85
#: Margin around a detected face box, as a share of the box size.
FACE_MARGIN = 0.12

UInt8Array = npt.NDArray[np.uint8]


class ThumbMode(enum.StrEnum):
    BLUR = "blur"
    FACE = "face"
    NONE = "none"


@dataclass(frozen=True)
class Thumbnail:
    jpeg: bytes
    width: int
    height: int
    method: str  # "blurred" or "face crop"
    note: str  # one line for the exhibit page


@dataclass(frozen=True)
class NoThumbnail:
    reason: str  # one line for the exhibit page


def _first_frame(data: bytes) -> UInt8Array:
    for frame in iter_video_frames(data, every_s=1.0, max_side=256):
        return np.ascontiguousarray(frame.pixels)
    raise ValueError("no frame")


def _pixels(data: bytes, mime: str, min_side: int) -> UInt8Array:
    if mime in VIDEO_MIMES:
        return _first_frame(data)
    return load_image(data, min_side=min_side).pixels


def _fit(shape: tuple[int, ...], side: int) -> tuple[int, int]:
    h, w = shape[:2]
    scale = side / max(h, w)
    return max(1, round(w * scale)), max(1, round(h * scale))


def blurred(pixels: UInt8Array) -> UInt8Array:
    """The blurred thumbnail of an RGB picture (see the module docstring)."""
    tiny = cv2.resize(pixels, _fit(pixels.shape, BLUR_SOURCE_SIDE), interpolation=cv2.INTER_AREA)
    big = cv2.resize(tiny, _fit(pixels.shape, THUMB_SIDE), interpolation=cv2.INTER_LINEAR)
    sigma = THUMB_SIDE / BLUR_SOURCE_SIDE / 2
    return np.asarray(cv2.GaussianBlur(big, (0, 0), sigmaX=sigma), dtype=np.uint8)


def face_crop(pixels: UInt8Array) -> UInt8Array | None:
    """The best face, cropped tight and shrunk; None when no face is found."""
    from ncii_desk.vision import faces

    found = faces.detect(pixels)
    if not found:
        return None
    best = max(found, key=lambda f: f.score)
    x, y, w, h = best.box
    mx, my = w * FACE_MARGIN, h * FACE_MARGIN
    height, width = pixels.shape[:2]
    x0, y0 = max(0, int(x - mx)), max(0, int(y - my))
    x1, y1 = min(width, int(x + w + mx)), min(height, int(y + h + my))
    if x1 - x0 < 2 or y1 - y0 < 2:
        return None
    crop = np.ascontiguousarray(pixels[y0:y1, x0:x1])
    if max(crop.shape[:2]) <= THUMB_SIDE:
        return crop
    small = cv2.resize(crop, _fit(crop.shape, THUMB_SIDE), interpolation=cv2.INTER_AREA)
    return np.asarray(small, dtype=np.uint8)


def _jpeg(pixels: UInt8Array) -> bytes:
    """JPEG in memory: the PDF embeds it as is, a few KiB per exhibit."""
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="JPEG", quality=JPEG_QUALITY)
    return buffer.getvalue()


def make_thumbnail(
    data: bytes, mime: str, mode: ThumbMode, *, pixels_kept: bool = True
) -> Thumbnail | NoThumbnail:
    """A safe thumbnail of an exhibit's bytes, or the reason there is none."""
    if not pixels_kept:
        return NoThumbnail("No picture: this item's file was deliberately not kept.")
    if mode == ThumbMode.NONE:
        return NoThumbnail("No picture: thumbnails were switched off for this packet.")
    if mime not in IMAGE_MIMES and mime not in VIDEO_MIMES:
        return NoThumbnail(f"No picture: the file is not an image or video ({mime}).")
    if len(data) > MAX_THUMB_SOURCE_BYTES:
        return NoThumbnail("No picture: the file is too large to make a thumbnail from.")
    min_side = 640 if mode == ThumbMode.FACE else 64
    try:
        pixels = _pixels(data, mime, min_side)
    except (NciiDeskError, ValueError) as exc:
        message = exc.message if isinstance(exc, NciiDeskError) else "no frame could be read"
        return NoThumbnail(f"No picture: the file could not be decoded ({message})")
    what = "first frame of the video, " if mime in VIDEO_MIMES else ""
    note_blur = (
        f"Heavily blurred ({what}reduced to {BLUR_SOURCE_SIDE} pixels across). The full "
        "picture is not in this volume."
    )
    if mode == ThumbMode.FACE:
        crop, problem = _try_face(pixels)
        if crop is not None:
            h, w = crop.shape[:2]
            return Thumbnail(
                _jpeg(crop),
                w,
                h,
                "face crop",
                f"Face only ({what}the most confident face found). The full picture is not "
                "in this volume.",
            )
        note_blur = f"{problem} {note_blur}"
    thumb = blurred(pixels)
    h, w = thumb.shape[:2]
    return Thumbnail(_jpeg(thumb), w, h, "blurred", note_blur)


def _try_face(pixels: UInt8Array) -> tuple[UInt8Array | None, str]:
    try:
        crop = face_crop(pixels)
    except NciiDeskError as exc:  # a missing or damaged face model
        return None, f"No face crop ({exc.message})."
    if crop is None:
        return None, "No face was found, so the picture is blurred instead."
    return crop, ""
