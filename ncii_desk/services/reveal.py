"""Safe viewing for the screens: blurred (or face-only) previews, timed reveals, face crops.

The GUI draws; this module decides what may be shown and makes the pixels:

* Pictures are made in memory from the vault's encrypted bytes, through the one safe media
  loader, blurred or cropped to the face the same way as the packet's thumbnails
  (documents/thumbs.py). Nothing is written to disk: no cache, no temp file.
* Items that may show a person under 18 (the item or its case marked so) never get a
  preview, not even a blurred one; their pixels were not kept in the first place.
* A reveal is recorded as an ``item.reveal`` audit event before its pixels are made
  (:func:`reveal`), so no picture is shown in full without its trace in the activity log.

Results are plain data (:class:`Preview`: an RGB array or the reason there is none, as a
:class:`NoPreview` code the screen words in its own language), never database rows.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ncii_desk.errors import NciiDeskError, NotFound
from ncii_desk.services import access
from ncii_desk.services.jobs import Job
from ncii_desk.vault.models import Blob, Case, EvidenceItem
from ncii_desk.vault.store import CaseStore

if TYPE_CHECKING:
    import numpy as np

    #: Pixels as rows x columns x 3 bytes (numpy loads with the first picture, not at
    #: start-up).
    RGB = np.ndarray[Any, Any]

#: Longest side of a preview picture.
PREVIEW_SIDE = 320
#: Longest side of a revealed picture.
REVEAL_SIDE = 1600
#: Videos larger than this get no preview (their bytes would have to be read whole).
MAX_VIDEO_PREVIEW_BYTES = 256 * 1024 * 1024
#: Longest side of a face crop in the face picker.
FACE_CROP_SIDE = 128
REVEAL_ACTION = "item.reveal"


class NoPreview(enum.StrEnum):
    """Why an item has no picture to show."""

    GONE = "gone"  # the item was deleted meanwhile
    MINOR = "minor"  # may show a person under 18: hashes and details only
    NOT_KEPT = "not-kept"  # the file itself was not kept
    VIDEO_TOO_LARGE = "video-too-large"
    KIND = "kind"  # neither a picture nor a video (``detail`` is its type)
    NO_FRAME = "no-frame"  # a video without a frame to show
    UNREADABLE = "unreadable"  # the loader refused it (``detail`` says why)


class Shown(enum.StrEnum):
    """What the pixels of a preview are."""

    BLURRED = "blurred"
    FACE = "face"  # the face only (face mode)
    BLURRED_NO_FACE = "blurred-no-face"  # face mode, but no face was found
    FULL = "full"  # revealed


@dataclass(frozen=True)
class Preview:
    """A picture to show (RGB bytes, rows x columns x 3), or why there is none."""

    item_id: str
    pixels: RGB | None
    shown: Shown | None = None
    reason: NoPreview | None = None
    #: The file type for ``KIND``, the loader's message for ``UNREADABLE``.
    detail: str = ""

    @property
    def revealed(self) -> bool:
        return self.shown is Shown.FULL


def _no_preview_reason(item: EvidenceItem, case: Case) -> tuple[NoPreview, str] | None:
    if item.suspected_minor or case.suspected_minor or not item.pixels_kept:
        return NoPreview.MINOR, ""
    if item.blob_id is None:
        return NoPreview.NOT_KEPT, ""
    if item.mime.startswith("video/") and item.size > MAX_VIDEO_PREVIEW_BYTES:
        return NoPreview.VIDEO_TOO_LARGE, ""
    if not (item.mime.startswith("image/") or item.mime.startswith("video/")):
        return NoPreview.KIND, item.mime
    return None


def why_no_preview(vault: CaseStore, item_id: str) -> Preview | None:
    """The reason this item may not be shown (a pixel-less :class:`Preview`), or None."""
    with vault.session() as s:
        item = s.get(EvidenceItem, item_id)
        case = s.get(Case, item.case_id) if item is not None else None
        if item is None or case is None:
            return Preview(item_id, None, reason=NoPreview.GONE)
        reason = _no_preview_reason(item, case)
    return None if reason is None else Preview(item_id, None, reason=reason[0], detail=reason[1])


def _stored_bytes(vault: CaseStore, item_id: str) -> tuple[bytes, str] | Preview:
    with vault.session() as s:
        item = s.get(EvidenceItem, item_id)
        case = s.get(Case, item.case_id) if item is not None else None
        if item is None or case is None:
            return Preview(item_id, None, reason=NoPreview.GONE)
        reason = _no_preview_reason(item, case)
        if reason is not None:
            return Preview(item_id, None, reason=reason[0], detail=reason[1])
        blob = s.get(Blob, item.blob_id)
        if blob is None:
            return Preview(item_id, None, reason=NoPreview.NOT_KEPT)
        mime = item.mime
    return vault.read_blob(blob), mime


class _NoFrame(Exception):
    pass


def _pixels(data: bytes, mime: str, min_side: int) -> RGB:
    from ncii_desk.media.loader import iter_video_frames, load_image

    if mime.startswith("video/"):
        for frame in iter_video_frames(data, max_side=640):
            return frame.pixels
        raise _NoFrame
    return load_image(data, min_side=min_side).pixels


def fit(rgb: RGB, side: int) -> RGB:
    """Shrink (never enlarge) so the longest side is at most ``side``."""
    import cv2

    h, w = rgb.shape[:2]
    scale = min(1.0, side / max(h, w))
    if scale < 1.0:
        rgb = cv2.resize(
            rgb, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA
        )
    return rgb


def greyscale(rgb: RGB) -> RGB:
    import numpy as np

    grey = (rgb[..., 0] * 0.299 + rgb[..., 1] * 0.587 + rgb[..., 2] * 0.114).astype(np.uint8)
    return np.ascontiguousarray(np.repeat(grey[..., None], 3, axis=2))


def crop_box(rgb: RGB, box: Sequence[float]) -> RGB:
    """The box (x, y, width, height) with a quarter of its size around it."""
    import numpy as np

    x, y, w, h = (float(v) for v in box)
    margin = 0.25
    h_img, w_img = rgb.shape[:2]
    x0 = int(max(0, x - w * margin))
    y0 = int(max(0, y - h * margin))
    x1 = int(min(w_img, x + w * (1 + margin)))
    y1 = int(min(h_img, y + h * (1 + margin)))
    if x1 <= x0 or y1 <= y0:
        return rgb
    return np.ascontiguousarray(rgb[y0:y1, x0:x1])


def preview(
    vault: CaseStore,
    item_id: str,
    *,
    mode: str = "blur",
    grey: bool = False,
    reveal: bool = False,
    side: int = PREVIEW_SIDE,
) -> Preview:
    """Decode an item's stored bytes in memory and make its preview.

    ``mode`` is "blur" (the whole picture, blurred) or "face" (the face only, blurred when
    none is found). ``reveal=True`` gives the picture unblurred, at most ``side`` pixels
    long: only :func:`reveal` should ask for that, after recording it.
    """
    stored = _stored_bytes(vault, item_id)
    if isinstance(stored, Preview):
        return stored
    data, mime = stored
    try:
        rgb = _pixels(data, mime, side if reveal else PREVIEW_SIDE)
    except _NoFrame:
        return Preview(item_id, None, reason=NoPreview.NO_FRAME)
    except NciiDeskError as exc:
        return Preview(item_id, None, reason=NoPreview.UNREADABLE, detail=exc.message)
    finally:
        del data
    from ncii_desk.documents import thumbs

    if reveal:
        out, shown = fit(rgb, side), Shown.FULL
    elif mode == "face":
        try:
            crop = thumbs.face_crop(rgb)
        except NciiDeskError:  # the face model is missing or damaged
            crop = None
        if crop is not None:
            out, shown = crop, Shown.FACE
        else:
            out, shown = thumbs.blurred(rgb), Shown.BLURRED_NO_FACE
    else:
        out, shown = thumbs.blurred(rgb), Shown.BLURRED
    if grey:
        out = greyscale(out)
    return Preview(item_id, out, shown)


def record_reveal(vault: CaseStore, item_id: str, seconds: int, where: str) -> None:
    """The audit event written before a picture is shown in full (who, which item, for how
    long, on which screen)."""
    with vault.transaction() as s:
        item = s.get(EvidenceItem, item_id)
        if item is None:
            raise NotFound(
                f"Item {item_id[:12]} no longer exists.",
                "Refresh the case; the item was deleted meanwhile.",
            )
        access.require(vault, item.case_id, access.Action.CASE_READ)
        vault.audit(
            s, REVEAL_ACTION, item_id, {"case_id": item.case_id, "seconds": seconds, "view": where}
        )


def reveal(
    vault: CaseStore,
    item_id: str,
    *,
    seconds: int,
    where: str,
    grey: bool = False,
    side: int = REVEAL_SIDE,
) -> Preview:
    """Show an item in full: refused (with the reason) where a preview would be; otherwise
    the ``item.reveal`` event is recorded first, then the picture is made."""
    refused = why_no_preview(vault, item_id)
    if refused is not None:
        return refused
    record_reveal(vault, item_id, seconds, where)
    return preview(vault, item_id, grey=grey, reveal=True, side=side)


@dataclass(frozen=True)
class FaceCrop:
    index: int
    score: float
    picked: bool
    pixels: RGB


@dataclass(frozen=True)
class ReferenceFaces:
    """A reference photo's faces as small crops (the photo itself is never returned)."""

    status: str
    message: str
    crops: tuple[FaceCrop, ...]


def reference_face_crops(
    vault: CaseStore,
    case_id: str,
    item_id: str,
    *,
    grey: bool = False,
    side: int = FACE_CROP_SIDE,
    job: Job | None = None,
) -> ReferenceFaces:
    """Find the faces of a reference photo (the gallery stores them) and cut a small crop of
    each, in memory, for the face picker."""
    import cv2

    from ncii_desk.media.loader import load_image
    from ncii_desk.services import faces_gallery

    photos = faces_gallery.list_reference_faces(vault, case_id, job=job)
    photo = next((p for p in photos if p.item_id == item_id), None)
    if photo is None:
        raise NciiDeskError(
            "This photo is not a reference photo of the case.",
            "Add it as a reference photo of the case first.",
        )
    if photo.status != "faces" or not photo.faces:
        return ReferenceFaces(photo.status, photo.message, ())
    stored = _stored_bytes(vault, item_id)
    if isinstance(stored, Preview):
        return ReferenceFaces(photo.status, photo.message, ())
    loaded = load_image(stored[0], min_side=640)
    scale = loaded.pixels.shape[1] / max(1, loaded.width)
    crops = []
    for face in photo.faces:
        box = [float(v) * scale for v in face.box]
        crop = crop_box(loaded.pixels, box)
        h, w = crop.shape[:2]
        f = side / max(h, w)
        crop = cv2.resize(crop, (max(1, round(w * f)), max(1, round(h * f))))
        if grey:
            crop = greyscale(crop)
        crops.append(FaceCrop(face.index, float(face.detection_score), bool(face.picked), crop))
    return ReferenceFaces(photo.status, photo.message, tuple(crops))
