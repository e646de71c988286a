"""The single safe loader for untrusted images and video.

Everything that decodes pixels goes through here, under limits: a file-size cap, a pixel cap
checked from the header before any pixel is decoded (decompression bombs), reduced decoding
where the format allows it (JPEG DCT scaling), EXIF orientation applied, and one specific
error per bad file. Nothing is written to disk: input is a path or bytes already in memory.
"""

from __future__ import annotations

import contextlib
import io
import math
import struct
import warnings
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

from ncii_desk.errors import DecodeError, MediaTooLarge, UnsupportedMedia

# Kept in media/sniff.py (no decoders needed to tell a file's kind); named here as before.
from ncii_desk.media.sniff import IMAGE_MIMES as IMAGE_MIMES
from ncii_desk.media.sniff import SNIFF_BYTES, sniff_mime
from ncii_desk.media.sniff import VIDEO_MIMES as VIDEO_MIMES
from ncii_desk.media.sniff import media_kind as media_kind

try:  # HEIC/HEIF from phones; optional at import time so a broken wheel names itself
    import pillow_heif

    pillow_heif.register_heif_opener()
    HEIF_AVAILABLE = True
except ImportError:  # pragma: no cover - pillow-heif is a declared dependency
    HEIF_AVAILABLE = False

ImageFile.LOAD_TRUNCATED_IMAGES = False
# Our own pixel check runs first with a clear message; Pillow's guard stays as a backstop.
Image.MAX_IMAGE_PIXELS = 400_000_000


@dataclass(frozen=True)
class Limits:
    """Caps on what one file may cost to decode."""

    max_image_bytes: int = 256 * 1024 * 1024
    max_pixels: int = 150_000_000  # a 108 MP phone photo fits; bombs claim far more
    max_video_bytes: int = 16 * 1024**3
    max_video_seconds: float = 6 * 3600.0
    #: 8K UHD. One frame of 8192x8192 took 360 MiB to decode (frame threads each hold one).
    max_video_pixels: int = 7680 * 4320
    #: Frames decoded per video, sampled or not: a six-hour video at 120 fps. Stops a file
    #: whose time stamps never advance (so the duration cap never comes) and streams of
    #: tiny frames from decoding for hours.
    max_video_frames: int = 6 * 3600 * 120
    #: Pictures inside one HEIF/AVIF file (grid tiles, thumbnails, layers). A 12 MP iPhone
    #: photo has 48 tiles and a 200 MP one about 800; a tiny file with 40,000 tiles that all
    #: point at the same bytes took 48 s just to open.
    max_heif_items: int = 4096


#: Seconds one FFmpeg step (opening, probing, reading one packet) may take before it is
#: interrupted: a demuxer caught in a loop inside a damaged file ends with an error.
FFMPEG_STEP_TIMEOUT_S = 60.0
#: Frames larger than 4K UHD are decoded on one thread: each frame thread holds a frame of
#: its own, which at 8K is 50-100 MiB each.
THREADED_DECODE_MAX_PIXELS = 3840 * 2160


DEFAULT_LIMITS = Limits()


#: Bytes handed to Pillow's JPEG decoder per call: the whole file of a phone photo at once
#: (its default, 64 KiB, made the decoder stop, copy the rest and resume about 50 times for a
#: 3 MiB file; about 1 ms of a 26 ms reduced decode of a 12 MP JPEG).
DECODER_BLOCK = 16 * 1024 * 1024


@dataclass(frozen=True)
class LoadedImage:
    """RGB pixels (H, W, 3) uint8, oriented upright, possibly reduced in size; with
    ``load_image(..., grey=True)`` a JPEG comes as its luma channel alone, (H, W) uint8."""

    pixels: np.ndarray[Any, np.dtype[np.uint8]]
    width: int  # upright size of the full image, before any reduction
    height: int
    mime: str
    frames: int
    #: 1 = full decode, 2/4/8 = JPEG DCT scaling: each pixel is the mean of a block of
    #: ``reduced_by`` x ``reduced_by`` pixels of the full image (the last row and column of
    #: blocks may be cut short), so the pixels are ceil(height / reduced_by) x
    #: ceil(width / reduced_by).
    reduced_by: int


def _size_text(n: int) -> str:
    """A byte count people can read; small custom limits must not print as "0 MiB"."""
    if n >= 1024**3:
        return f"{n / 1024**3:.1f} GiB"
    if n >= 1024**2:
        return f"{n / 1024**2:.1f} MiB"
    if n >= 1024:
        return f"{n / 1024:.1f} KiB"
    return f"{n} bytes"


def _source(data: bytes | Path) -> tuple[BinaryIO, str, int]:
    if isinstance(data, Path):
        try:
            size = data.stat().st_size
            fh: BinaryIO = open(data, "rb")  # noqa: SIM115 - closed by the caller
        except FileNotFoundError:
            raise DecodeError(f"The file {data} does not exist.") from None
        except OSError as exc:
            raise DecodeError(f"The file {data} cannot be read: {exc.strerror}.") from None
        return fh, str(data), size
    return io.BytesIO(data), "the file", len(data)


def head_mime(data: bytes | Path) -> str:
    fh, _, _ = _source(data)
    with fh:
        return sniff_mime(fh.read(SNIFF_BYTES))


def load_image(
    data: bytes | Path,
    *,
    min_side: int | None = None,
    limits: Limits = DEFAULT_LIMITS,
    grey: bool = False,
) -> LoadedImage:
    """Decode an image; with ``min_side`` a JPEG is decoded at the smallest DCT scale whose
    shorter side is still at least ``min_side`` (what perceptual hashes need, at a fraction
    of the cost and memory of a full decode). With ``grey`` a colour JPEG is decoded to its
    luma (Y) channel only, which is what every perceptual hash reads: no chroma upsampling
    or colour conversion; other formats still come as RGB."""
    fh, name, size = _source(data)
    with fh:
        if size == 0:
            raise DecodeError(f"{name} is empty (0 bytes).")
        head = fh.read(SNIFF_BYTES)
        mime = sniff_mime(head)
        if mime not in IMAGE_MIMES:
            raise UnsupportedMedia(
                f"{name} is not an image NCII Desk can read (its content looks like {mime})."
            )
        if size > limits.max_image_bytes:
            raise MediaTooLarge(
                f"{name} is {_size_text(size)}, above the "
                f"{_size_text(limits.max_image_bytes)} limit for one image."
            )
        if mime in HEIF_MIMES:
            _check_heif_structure(fh, size, name, limits)
        fh.seek(0)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                img = Image.open(fh)
                w, h = img.size
                if w <= 0 or h <= 0:
                    raise DecodeError(f"{name} declares an empty picture ({w}x{h}).")
                if w * h > limits.max_pixels:
                    raise MediaTooLarge(
                        f"{name} declares {w}x{h} pixels ({w * h / 1e6:.0f} million), above "
                        f"the {limits.max_pixels / 1e6:.0f} million limit; it may be a "
                        "decompression bomb."
                    )
                frames = int(getattr(img, "n_frames", 1) or 1)
                img.seek(0)  # before draft(): a multi-frame seek would undo the DCT scaling
                reduced = 1
                # MPO is what many cameras and phones write: a JPEG with extra pictures.
                if img.format in ("JPEG", "MPO"):
                    img.decodermaxblock = DECODER_BLOCK
                    if min_side or grey:
                        side = max(min_side or 1, 1)
                        img.draft("L" if grey else "RGB", (side, side) if min_side else None)
                        config = getattr(img, "decoderconfig", None) or (1,)
                        reduced = max(1, int(config[0]))
                img.load()
                upright = ImageOps.exif_transpose(img) or img
                keep_luma = grey and upright.mode == "L" and "transparency" not in upright.info
                rgb = upright if keep_luma else _to_rgb(upright)
                pixels = np.asarray(rgb, dtype=np.uint8)
        except (DecodeError, MediaTooLarge):
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise MediaTooLarge(f"{name} is too large to decode safely ({exc}).") from None
        except UnidentifiedImageError:
            raise DecodeError(f"{name} looks like {mime} but cannot be decoded.") from None
        except (OSError, ValueError, SyntaxError, EOFError, RuntimeError) as exc:
            # RuntimeError: what pillow-heif and Pillow's AVIF plugin raise for damaged files
            raise DecodeError(
                f"{name} is damaged or truncated and cannot be decoded ({exc})."
            ) from None
        swapped = _orientation_swaps(img)
        full_w, full_h = (h, w) if swapped else (w, h)
        if not (pixels.ndim == 3 and pixels.shape[2] == 3) and not (keep_luma and pixels.ndim == 2):
            raise DecodeError(f"{name} decoded to an unexpected pixel layout.")
        return LoadedImage(np.ascontiguousarray(pixels), full_w, full_h, mime, frames, reduced)


HEIF_MIMES = {"image/heic", "image/heif", "image/avif"}
#: The metadata box of a HEIF/AVIF file is read whole to count its pictures; phones write a
#: few KiB, 4,096 tiles need well under 1 MiB.
_HEIF_META_MAX_BYTES = 8 * 1024 * 1024


def _boxes(buf: bytes, start: int, end: int) -> Iterator[tuple[bytes, int, int]]:
    """(type, body start, end) of each ISO BMFF box in ``buf[start:end]``; stops at the
    first box whose size does not fit."""
    pos = start
    while pos + 8 <= end:
        size, kind = struct.unpack(">I4s", buf[pos : pos + 8])
        body = pos + 8
        if size == 1 and pos + 16 <= end:
            size = struct.unpack(">Q", buf[pos + 8 : pos + 16])[0]
            body += 8
        elif size == 0:
            size = end - pos
        if size < body - pos or pos + size > end:
            return
        yield kind, body, pos + size
        pos += size


def _check_heif_structure(fh: BinaryIO, size: int, name: str, limits: Limits) -> None:
    """Refuse a HEIF/AVIF file by its metadata before a decoder parses it: more pictures
    inside than :attr:`Limits.max_heif_items`, or any picture declaring more pixels than
    :attr:`Limits.max_pixels` (the ``ispe`` boxes, which grids and tiles carry). What cannot
    be parsed here is left to the decoder, which reports it as damaged."""
    fh.seek(0)
    pos = 0
    meta: bytes | None = None
    while pos + 16 <= size and meta is None:
        fh.seek(pos)
        header = fh.read(16)
        if len(header) < 8:
            return
        box_size, kind = struct.unpack(">I4s", header[:8])
        head_len = 8
        if box_size == 1 and len(header) == 16:
            box_size, head_len = struct.unpack(">Q", header[8:16])[0], 16
        elif box_size == 0:
            box_size = size - pos
        if box_size < head_len:
            return
        if kind == b"meta":
            if pos + box_size > size:
                raise DecodeError(
                    f"{name} is damaged: its picture descriptions claim "
                    f"{_size_text(box_size)}, more than the file holds."
                )
            if box_size > _HEIF_META_MAX_BYTES:
                raise MediaTooLarge(
                    f"{name} has {_size_text(box_size)} of picture descriptions, more than "
                    f"a photo needs ({_size_text(_HEIF_META_MAX_BYTES)} at most)."
                )
            fh.seek(pos + head_len)
            meta = fh.read(box_size - head_len)
        pos += box_size
    if meta is None:
        return
    items = 0
    declared = 0
    todo = [(4, len(meta))]  # meta is a full box: version and flags first
    while todo:
        start, end = todo.pop()
        for kind, body, box_end in _boxes(meta, start, end):
            if kind == b"iinf" and body + 6 <= box_end:
                version = meta[body]
                fmt = ">H" if version == 0 else ">I"
                items = max(items, struct.unpack_from(fmt, meta, body + 4)[0])
            elif kind == b"ispe" and body + 12 <= box_end:
                w, h = struct.unpack_from(">II", meta, body + 4)
                declared = max(declared, w * h)
            elif kind in (b"iprp", b"ipco"):
                todo.append((body, box_end))
    if items > limits.max_heif_items:
        raise MediaTooLarge(
            f"{name} holds {items} pictures (tiles, layers or thumbnails), more than the "
            f"{limits.max_heif_items} a photo has; it may be built to exhaust the computer."
        )
    if declared > limits.max_pixels:
        raise MediaTooLarge(
            f"{name} declares a picture of {declared / 1e6:.0f} million pixels, above the "
            f"{limits.max_pixels / 1e6:.0f} million limit; it may be a decompression bomb."
        )


def _orientation_swaps(img: Image.Image) -> bool:
    try:
        orientation = img.getexif().get(0x0112, 1)
    except (OSError, ValueError, SyntaxError):
        return False
    return orientation in (5, 6, 7, 8)


def _to_rgb(img: Image.Image) -> Image.Image:
    """RGB; transparent areas are composited on white so hashes do not see hidden colours."""
    if img.mode.startswith("I;16"):  # 16-bit grey: keep the top 8 bits, not a clipped white
        wide = np.asarray(img, dtype=np.uint16)
        grey = (wide >> 8).astype(np.uint8)
        key = img.info.get("transparency")
        if isinstance(key, int):  # tRNS colour key of a 16-bit grey PNG
            grey[wide == key] = 255
        return Image.fromarray(grey).convert("RGB")
    # Any mode with an alpha band, and any mode with a transparent colour key (tRNS in
    # palette, grey and RGB PNGs, GIF transparency).
    if img.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in img.info:
        rgba = img.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, rgba).convert("RGB")
    return img.convert("RGB")


# --- video ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class VideoFrame:
    t_ms: int
    pixels: np.ndarray[Any, np.dtype[np.uint8]]


@dataclass(frozen=True)
class VideoInfo:
    mime: str
    width: int
    height: int
    duration_s: float | None
    codec: str


def _open_container(data: bytes | Path, limits: Limits) -> tuple[Any, BinaryIO, str, str]:
    """The open container and the file under it; the caller closes both (container first)."""
    import av  # imported here: video support should not slow down start-up

    fh, name, size = _source(data)
    head = fh.read(SNIFF_BYTES)
    fh.seek(0)
    mime = sniff_mime(head)
    if size == 0:
        fh.close()
        raise DecodeError(f"{name} is empty (0 bytes).")
    if mime not in VIDEO_MIMES:
        fh.close()
        raise UnsupportedMedia(f"{name} is not a video NCII Desk can read (it looks like {mime}).")
    if size > limits.max_video_bytes:
        fh.close()
        raise MediaTooLarge(
            f"{name} is {_size_text(size)}, larger than the "
            f"{_size_text(limits.max_video_bytes)} limit for one video."
        )
    try:
        # Titles and comments in other encodings than UTF-8 must not make a video unreadable.
        # Decoders that run while the file is probed refuse frames above the pixel limit, as
        # the decoder used later does: a frame's own header may claim more than the container.
        container = av.open(
            fh,
            mode="r",
            metadata_errors="replace",
            timeout=FFMPEG_STEP_TIMEOUT_S,
            options={"max_pixels": str(limits.max_video_pixels)},
        )
    except (av.error.FFmpegError, OSError, ValueError) as exc:
        fh.close()
        raise DecodeError(f"{name} cannot be opened as a video ({exc}).") from None
    return container, fh, name, mime


def probe_video(data: bytes | Path, limits: Limits = DEFAULT_LIMITS) -> VideoInfo:
    container, fh, name, mime = _open_container(data, limits)
    with fh, container:
        if not container.streams.video:
            raise DecodeError(f"{name} has no video stream.")
        stream = container.streams.video[0]
        ctx = _codec_context(stream, name)
        duration = None
        if stream.duration is not None and stream.time_base is not None:
            duration = float(stream.duration * stream.time_base)
        elif container.duration is not None:
            duration = container.duration / 1_000_000
        return VideoInfo(mime, int(ctx.width or 0), int(ctx.height or 0), duration, str(ctx.name))


def _codec_context(stream: Any, name: str) -> Any:
    """The decoder of a video stream; a stream of a codec this FFmpeg cannot decode (or
    whose codec tag is damaged) has none."""
    ctx = stream.codec_context
    if ctx is None:
        raise UnsupportedMedia(
            f"{name} uses a video format NCII Desk cannot decode (or its header is damaged)."
        )
    return ctx


def _frames_too_large(name: str, width: int, height: int, limits: Limits) -> str:
    cap = limits.max_video_pixels
    cap_text = f"{cap / 1e6:.0f} million" if cap >= 1_000_000 else f"{cap:,}"
    return (
        f"{name} has frames of {width}x{height} pixels, above the {cap_text} pixel limit for video."
    )


def _quarter_turns(frame: Any) -> int:
    """Counter-clockwise quarter turns from the frame's display matrix; a matrix that is not
    a rotation (all zeros, a shear: the angle is not a number) turns nothing."""
    try:
        angle = float(getattr(frame, "rotation", 0) or 0)
    except (TypeError, ValueError):
        return 0
    if not math.isfinite(angle):
        return 0
    return round(angle / 90) % 4


def iter_video_frames(
    data: bytes | Path,
    *,
    every_s: float = 1.0,
    max_side: int = 512,
    limits: Limits = DEFAULT_LIMITS,
    threads: int = 0,
) -> Iterator[VideoFrame]:
    """One RGB frame per ``every_s`` seconds (the first frame at or after each mark).

    Times are counted from the start of the video stream. Frames are turned upright when
    the file says so (phones store portrait video sideways with a rotation). A damaged
    packet is skipped and decoding goes on; a truncated file yields the frames before the
    damage. :class:`DecodeError` only when no frame at all can be decoded.

    ``threads``: decoder threads, 0 = as many as FFmpeg likes (one process per core already
    runs in a worker pool, so workers pass 1: each frame thread holds frames of its own).
    At most :attr:`Limits.max_video_frames` frames are decoded; an FFmpeg step that runs
    longer than :data:`FFMPEG_STEP_TIMEOUT_S` ends in :class:`DecodeError`.
    """
    import av

    if not every_s > 0:
        raise ValueError(f"every_s must be positive, not {every_s!r}")
    if max_side < 1:
        raise ValueError(f"max_side must be at least 1, not {max_side!r}")
    container, fh, name, _ = _open_container(data, limits)
    with fh, container:
        if not container.streams.video:
            raise DecodeError(f"{name} has no video stream.")
        stream = container.streams.video[0]
        ctx = _codec_context(stream, name)
        declared = (ctx.width or 0) * (ctx.height or 0)
        if declared > limits.max_video_pixels:
            raise MediaTooLarge(_frames_too_large(name, ctx.width, ctx.height, limits))
        ctx.options = {"max_pixels": str(limits.max_video_pixels)}
        if threads == 1 or declared > THREADED_DECODE_MAX_PIXELS:
            ctx.thread_count = 1
        else:
            stream.thread_type = "AUTO"
            ctx.thread_count = threads
        time_base = stream.time_base or Fraction(1, 1000)
        start = stream.start_time or 0
        next_mark = 0.0
        produced = 0
        last_error: Exception | None = None
        cap = limits.max_video_frames

        def decoded() -> Generator[Any, None, None]:
            nonlocal last_error
            packets = frames = 0
            try:
                for packet in container.demux(stream):
                    packets += 1  # counted too: packets that never give a frame
                    if packets > cap:
                        return
                    try:
                        for frame in packet.decode():
                            frames += 1
                            if frames > cap:
                                return
                            yield frame
                    except av.error.FFmpegError as exc:  # one damaged packet: skip it
                        last_error = exc
            except av.error.FFmpegError as exc:  # the demuxer gave up (damaged container)
                last_error = exc
                with contextlib.suppress(av.error.FFmpegError):  # frames it holds are good
                    yield from stream.decode(None)

        # Closed before the container is, also when the caller stops early.
        with contextlib.closing(decoded()) as frames:
            for frame in frames:
                if frame.pts is None:
                    continue
                t = float((frame.pts - start) * time_base)
                if t > limits.max_video_seconds:
                    break
                if t + 1e-6 < next_mark:
                    continue
                w, h = frame.width, frame.height
                if w <= 0 or h <= 0:
                    continue
                if w * h > limits.max_video_pixels:
                    raise MediaTooLarge(_frames_too_large(name, w, h, limits))
                scale = min(1.0, max_side / max(w, h))
                out_w, out_h = max(1, round(w * scale)), max(1, round(h * scale))
                try:
                    rgb = frame.to_ndarray(format="rgb24", width=out_w, height=out_h)
                except (av.error.FFmpegError, ValueError) as exc:  # a frame it cannot convert
                    last_error = exc
                    continue
                turns = _quarter_turns(frame)
                if turns:  # counter-clockwise quarter turns, as the display matrix says
                    rgb = np.rot90(rgb, turns)
                yield VideoFrame(round(t * 1000), np.ascontiguousarray(rgb))
                produced += 1
                while next_mark <= t + 1e-6:
                    next_mark += every_s
        if produced == 0:
            if last_error is not None:
                raise DecodeError(
                    f"{name} is damaged and no frame could be decoded ({last_error})."
                )
            raise DecodeError(f"{name} contains no decodable video frames.")
