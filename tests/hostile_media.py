"""Damaged and hostile videos and HEIC/AVIF pictures, made here from a seed.

Every file starts as a small valid clip or picture written with PyAV, pillow-heif or Pillow
(64x48 pixels, a few colours and some noise, 2 s at 10 fps) and is then damaged the way
broken downloads, odd phones and deliberate attacks damage files: cut at many offsets, bytes
flipped in the header and in the moov/mdat boxes, boxes removed, declared sizes and durations
edited to huge or zero values, display matrices with odd values, audio only, 50 streams,
endless-looking streams, a video under a picture's name, and so on.

The same seed gives the same files (the encoders used are deterministic for one build).
:func:`generate` writes them to a folder and returns one :class:`Hostile` per file, with the
kind of damage, so a harness can group its rows. No file is larger than a few MiB and the
whole set takes seconds to make.

Used by ``tests/integration/test_hostile_media.py`` and ``bench/hostile_media.py``.
"""

from __future__ import annotations

import contextlib
import io
import random
import struct
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

SEED = 12
W, H, FPS, FRAMES = 64, 48, 10, 20
COLOURS = ((220, 40, 40), (40, 200, 40), (40, 40, 220), (220, 220, 40))


@dataclass(frozen=True)
class Hostile:
    path: Path
    family: str  # "video" or "heif"
    kind: str  # the damage, e.g. "truncated", "huge-dimensions"
    base: str  # the valid file it was made from


# --- valid bases -------------------------------------------------------------------------------


def _encoder(name: str) -> bool:
    import av

    if name not in av.codecs_available:
        return False
    try:
        av.codec.Codec(name, "w")
    except Exception:
        return False
    return True


def _pixels(i: int, rng: np.random.Generator, w: int = W, h: int = H) -> np.ndarray[Any, Any]:
    rgb = np.empty((h, w, 3), np.uint8)
    rgb[:] = COLOURS[(i // FPS) % len(COLOURS)]
    noise = rng.integers(-12, 13, size=(h, w, 3))
    return np.clip(rgb.astype(np.int16) + noise, 0, 255).astype(np.uint8)


def encode_video(
    fmt: str,
    codec: str,
    *,
    frames: int = FRAMES,
    rate: int = FPS,
    size: tuple[int, int] = (W, H),
    pix_fmt: str = "yuv420p",
    options: dict[str, str] | None = None,
    codec_options: dict[str, str] | None = None,
    rotation: float | None = None,
    streams: int = 1,
    audio: str | None = None,
    video: bool = True,
    seed: int = SEED,
    gop: int = 5,
    bframes: int | None = None,
) -> bytes:
    """A small clip in memory: ``frames`` frames at ``rate`` fps in each of ``streams``."""
    import av

    rng = np.random.default_rng(seed)
    with tempfile.TemporaryDirectory() as tmp:  # faststart rewrites the file: not in memory
        target = Path(tmp) / "clip"
        _write_clip(
            av,
            target,
            fmt,
            codec,
            rng,
            frames,
            rate,
            size,
            pix_fmt,
            options,
            codec_options,
            rotation,
            streams,
            audio,
            video,
            gop,
            bframes,
        )
        return target.read_bytes()


def _write_clip(
    av: Any,
    target: Path,
    fmt: str,
    codec: str,
    rng: np.random.Generator,
    frames: int,
    rate: int,
    size: tuple[int, int],
    pix_fmt: str,
    options: dict[str, str] | None,
    codec_options: dict[str, str] | None,
    rotation: float | None,
    streams: int,
    audio: str | None,
    video: bool,
    gop: int,
    bframes: int | None,
) -> None:
    # bitexact: no random segment id or encoder version in the file (same seed, same bytes)
    muxer = {"fflags": "+bitexact", **(options or {})}
    with av.open(str(target), "w", format=fmt, options=muxer) as out:
        vstreams = []
        if video:
            for _ in range(streams):
                s = out.add_stream(codec, rate=rate, options=dict(codec_options or {}))
                s.width, s.height = size
                s.pix_fmt = pix_fmt
                s.codec_context.gop_size = gop
                if bframes is not None:
                    s.codec_context.max_b_frames = bframes
                if rotation is not None:
                    s.set_display_rotation(rotation)
                vstreams.append(s)
        astream = None
        if audio is not None:
            astream = out.add_stream(audio, rate=48000)
        out.start_encoding()  # the header, also when no frame follows
        w, h = size
        cache: dict[int, Any] = {}
        for i in range(frames):
            for s in vstreams:
                key = (i // FPS) % len(COLOURS)
                if w * h > 1 << 20:  # a big frame: one solid picture, made once
                    if key not in cache:
                        rgb = np.empty((h, w, 3), np.uint8)
                        rgb[:] = COLOURS[key]
                        cache[key] = rgb
                    rgb = cache[key]
                else:
                    rgb = _pixels(i, rng, w, h)
                frame = av.VideoFrame.from_ndarray(rgb, format="rgb24")
                frame.pts, frame.time_base = i, Fraction(1, rate)
                out.mux(s.encode(frame))
        for s in vstreams:
            out.mux(s.encode(None))
        if astream is not None:
            samples = int(48000 * frames / rate)
            step = astream.codec_context.frame_size or 1024
            layout = "stereo"
            t = 0
            while t < samples:
                n = min(step, samples - t)
                wave = np.sin(np.arange(t, t + n) * 2 * np.pi * 440 / 48000) * 8000
                fmt_name = astream.codec_context.format.name
                kinds = {"s16": np.int16, "s32": np.int32, "flt": np.float32, "dbl": np.float64}
                dtype = kinds[fmt_name.rstrip("p")]
                scale = 1 / 32768 if fmt_name.startswith(("flt", "dbl")) else 1
                x = (wave * (65536 if dtype is np.int32 else scale)).astype(dtype)
                both = np.stack([x, x])
                arr = both if fmt_name.endswith("p") else both.T.reshape(1, -1)
                frame = av.AudioFrame.from_ndarray(
                    np.ascontiguousarray(arr), format=fmt_name, layout=layout
                )
                frame.sample_rate = 48000
                frame.pts = t
                out.mux(astream.encode(frame))
                t += n
            out.mux(astream.encode(None))


#: name -> (container, extension, codec, encoder options)
BASES: dict[str, tuple[str, str, str, dict[str, str]]] = {
    "mp4-h264": ("mp4", "mp4", "libx264", {"preset": "ultrafast"}),
    "mp4-h264-faststart": ("mp4", "mp4", "libx264", {"preset": "ultrafast"}),
    "mp4-mpeg4": ("mp4", "mp4", "mpeg4", {}),
    "mp4-hevc": ("mp4", "mp4", "libx265", {"preset": "ultrafast", "x265-params": "log-level=0"}),
    "mov-h264": ("mov", "mov", "libx264", {"preset": "ultrafast"}),
    "mov-mjpeg": ("mov", "mov", "mjpeg", {}),
    "webm-vp8": ("webm", "webm", "libvpx", {"deadline": "realtime", "cpu-used": "8"}),
    "webm-vp9": ("webm", "webm", "libvpx-vp9", {"deadline": "realtime", "cpu-used": "8"}),
    "mkv-h264": ("matroska", "mkv", "libx264", {"preset": "ultrafast"}),
    "mkv-ffv1": ("matroska", "mkv", "ffv1", {}),
    "avi-mjpeg": ("avi", "avi", "mjpeg", {}),
    "avi-mpeg4": ("avi", "avi", "mpeg4", {}),
}


def _base(name: str) -> bytes | None:
    fmt, _, codec, copts = BASES[name]
    if not _encoder(codec):
        return None
    options = {"movflags": "faststart"} if name.endswith("faststart") else None
    pix = "yuvj420p" if codec == "mjpeg" else "yuv420p"
    return encode_video(fmt, codec, codec_options=copts, options=options, pix_fmt=pix)


# --- ISO BMFF (MP4, MOV, HEIF) boxes -----------------------------------------------------------

_CONTAINERS = {b"moov", b"trak", b"mdia", b"minf", b"stbl", b"edts", b"udta", b"dinf"}
_CONTAINERS_FULL = {b"meta", b"iprp", b"ipco"}  # meta is a full box (4 bytes more)


@dataclass(frozen=True)
class Box:
    kind: bytes
    start: int  # offset of the size field
    body: int  # offset of the body (after size, type and any large size)
    end: int


def boxes(data: bytes, start: int = 0, end: int | None = None) -> Iterator[Box]:
    """Every box, depth first, of the container boxes NCII's files use."""
    end = len(data) if end is None else end
    pos = start
    while pos + 8 <= end:
        size, kind = struct.unpack(">I4s", data[pos : pos + 8])
        body = pos + 8
        if size == 1:
            size = struct.unpack(">Q", data[pos + 8 : pos + 16])[0]
            body += 8
        elif size == 0:
            size = end - pos
        if size < 8 or pos + size > end:
            return
        box = Box(kind, pos, body, pos + size)
        yield box
        if kind in _CONTAINERS:
            yield from boxes(data, body, pos + size)
        elif kind == b"meta":
            yield from boxes(data, body + 4, pos + size)
        elif kind in (b"iprp", b"ipco"):
            yield from boxes(data, body, pos + size)
        pos += size


def find(data: bytes, kind: bytes) -> list[Box]:
    return [b for b in boxes(data) if b.kind == kind]


def _put(data: bytes, at: int, fmt: str, *values: Any) -> bytes:
    patch = struct.pack(fmt, *values)
    return data[:at] + patch + data[at + len(patch) :]


def tkhd_size(data: bytes, width: int, height: int) -> bytes:
    for box in find(data, b"tkhd"):
        v1 = data[box.body] == 1
        at = box.body + (88 if v1 else 76)
        data = _put(data, at, ">II", width << 16 & 0xFFFFFFFF, height << 16 & 0xFFFFFFFF)
    return data


def tkhd_matrix(data: bytes, matrix: tuple[int, ...]) -> bytes:
    """The 3x3 display matrix of every track (a, b, u, c, d, v, x, y, w as stored)."""
    for box in find(data, b"tkhd"):
        v1 = data[box.body] == 1
        at = box.body + (52 if v1 else 40)
        data = _put(data, at, ">9I", *(v & 0xFFFFFFFF for v in matrix))
    return data


def stsd_size(data: bytes, width: int, height: int) -> bytes:
    for box in find(data, b"stsd"):
        entry = box.body + 8  # version/flags, entry count
        data = _put(data, entry + 32, ">HH", width, height)
    return data


def header_duration(data: bytes, which: bytes, timescale: int | None, duration: int) -> bytes:
    """Edit the timescale and duration of every ``mvhd`` or ``mdhd``."""
    for box in find(data, which):
        v1 = data[box.body] == 1
        ts_at = box.body + (20 if v1 else 12)
        if timescale is not None:
            data = _put(data, ts_at, ">I", timescale)
        if v1:
            data = _put(data, ts_at + 4, ">Q", duration & (2**64 - 1))
        else:
            data = _put(data, ts_at + 4, ">I", duration & 0xFFFFFFFF)
    return data


def stts_delta(data: bytes, delta: int) -> bytes:
    for box in find(data, b"stts"):
        count = struct.unpack(">I", data[box.body + 4 : box.body + 8])[0]
        for i in range(count):
            data = _put(data, box.body + 8 + 8 * i + 4, ">I", delta)
    return data


def drop_box(data: bytes, kind: bytes) -> bytes:
    for box in reversed([b for b in find(data, kind)]):
        data = data[: box.start] + data[box.end :]
    return data


def rename_box(data: bytes, kind: bytes, new: bytes) -> bytes:
    for box in find(data, kind):
        data = data[: box.start + 4] + new + data[box.start + 8 :]
    return data


def box_size(data: bytes, kind: bytes, size: int) -> bytes:
    for box in find(data, kind)[:1]:
        data = _put(data, box.start, ">I", size)
    return data


def flip(data: bytes, rng: random.Random, lo: int, hi: int, count: int) -> bytes:
    out = bytearray(data)
    hi = max(lo + 1, min(hi, len(out)))
    for _ in range(count):
        at = rng.randrange(lo, hi)
        out[at] ^= 1 << rng.randrange(8) if rng.random() < 0.5 else 0xFF
    return bytes(out)


def _jpeg_sof(data: bytes, width: int, height: int) -> bytes:
    """Every baseline SOF0 marker in an MJPEG stream declares ``width`` x ``height``."""
    out = bytearray(data)
    pos = out.find(b"\xff\xc0")
    while pos >= 0:
        out[pos + 5 : pos + 9] = struct.pack(">HH", height, width)
        pos = out.find(b"\xff\xc0", pos + 9)
    return bytes(out)


# --- the set -----------------------------------------------------------------------------------


class _Writer:
    def __init__(self, folder: Path, select: Callable[[Hostile], bool] | None) -> None:
        self.folder = folder
        self.select = select
        self.made: list[Hostile] = []
        self.count = 0

    def wants(self, family: str, kind: str) -> bool:
        """Whether any file of this kind may be kept (the slow encodes are skipped if not)."""
        return self.select is None or self.select(Hostile(self.folder, family, kind, ""))

    def add(self, family: str, kind: str, base: str, ext: str, data: bytes) -> None:
        # Numbered over the whole set, so a file has the same name in any selection.
        name = f"{self.count:03d}-{kind}-{base}.{ext}"
        self.count += 1
        hostile = Hostile(self.folder / name, family, kind, base)
        if self.select is not None and not self.select(hostile):
            return
        hostile.path.write_bytes(data)
        self.made.append(hostile)


def _mp4_like(name: str) -> bool:
    return name.startswith(("mp4", "mov"))


def _videos(w: _Writer, rng: random.Random) -> None:
    bases: dict[str, bytes] = {}
    for name in BASES:
        data = _base(name)
        if data is not None:
            bases[name] = data
    for name, data in bases.items():
        w.add("video", "valid", name, BASES[name][1], data)

    # Truncated at many offsets: the first bytes only, inside the header, and through the body.
    for name, data in bases.items():
        ext = BASES[name][1]
        cuts = {1, 7, 12, 33, 100, 300, len(data) // 4, len(data) // 2, len(data) - 1}
        cuts |= {rng.randrange(16, len(data) - 1) for _ in range(3)}
        for cut in sorted(cuts):
            w.add("video", "truncated", f"{name}-at{cut}", ext, data[:cut])

    # Bytes flipped: in the first KiB, anywhere, and inside moov and mdat.
    for name, data in bases.items():
        ext = BASES[name][1]
        for i in range(2):
            w.add("video", "flipped-header", f"{name}-{i}", ext, flip(data, rng, 0, 1024, 8))
        w.add("video", "flipped-body", name, ext, flip(data, rng, 0, len(data), 64))
        if _mp4_like(name):
            for atom in (b"moov", b"mdat", b"stsd", b"stco", b"stsz", b"avcC"):
                found = find(data, atom)
                if found:
                    b = found[0]
                    out = flip(data, rng, b.body, b.end, 6)
                    w.add("video", f"flipped-{atom.decode()}", name, ext, out)

    # Boxes removed, renamed or with sizes that lie.
    for name, data in bases.items():
        if not _mp4_like(name):
            continue
        ext = BASES[name][1]
        w.add("video", "moov-missing", name, ext, drop_box(data, b"moov"))
        w.add("video", "mdat-missing", name, ext, drop_box(data, b"mdat"))
        w.add("video", "stsz-missing", name, ext, drop_box(data, b"stsz"))
        w.add("video", "moov-renamed", name, ext, rename_box(data, b"moov", b"free"))
        w.add("video", "box-size-0", name, ext, box_size(data, b"moov", 0))
        w.add("video", "box-size-1", name, ext, box_size(data, b"moov", 1))
        w.add("video", "box-size-7", name, ext, box_size(data, b"trak", 7))
        w.add("video", "box-size-huge", name, ext, box_size(data, b"mdat", 0xFFFFFFF0))

    # Declared sizes: huge, zero, odd (tkhd, stsd sample entry).
    for name, data in bases.items():
        if not _mp4_like(name):
            continue
        ext = BASES[name][1]
        for wd, ht in ((30000, 30000), (65535, 65535), (0, 0)):
            w.add("video", "huge-dimensions", f"{name}-tkhd{wd}", ext, tkhd_size(data, wd, ht))
            w.add("video", "huge-dimensions", f"{name}-stsd{wd}", ext, stsd_size(data, wd, ht))
        w.add(
            "video",
            "huge-dimensions",
            f"{name}-both",
            ext,
            stsd_size(tkhd_size(data, 30000, 30000), 30000, 30000),
        )

    # MJPEG frames declaring huge pictures (the decoder sizes its buffers from each frame).
    for name in ("avi-mjpeg", "mov-mjpeg"):
        if name in bases:
            for wd, ht in ((16000, 16000), (12000, 12000), (8192, 8192), (65535, 65535), (0, 0)):
                w.add(
                    "video",
                    "huge-dimensions",
                    f"{name}-sof{wd}",
                    BASES[name][1],
                    _jpeg_sof(bases[name], wd, ht),
                )

    # Really large frames, encoded for real (one solid frame each, a few KiB).
    if _encoder("libx264") and w.wants("video", "large-frames"):
        for wd, ht in ((7680, 4320), (8192, 8192)):
            data = encode_video(
                "mp4",
                "libx264",
                frames=2,
                size=(wd, ht),
                codec_options={"preset": "ultrafast"},
            )
            w.add("video", "large-frames", f"h264-{wd}x{ht}", "mp4", data)

    # Durations and time bases: enormous, zero.
    for name in ("mp4-h264", "mov-h264", "mp4-mpeg4"):
        if name not in bases:
            continue
        data = bases[name]
        ext = BASES[name][1]
        for which in (b"mvhd", b"mdhd"):
            tag = which.decode()
            w.add(
                "video",
                "huge-duration",
                f"{name}-{tag}",
                ext,
                header_duration(data, which, None, 0xFFFFFFFF),
            )
            w.add(
                "video",
                "huge-duration",
                f"{name}-{tag}-ts1",
                ext,
                header_duration(data, which, 1, 0xFFFFFFFF),
            )
            w.add(
                "video",
                "zero-timebase",
                f"{name}-{tag}",
                ext,
                header_duration(data, which, 0, 0),
            )
        w.add("video", "zero-timebase", f"{name}-stts0", ext, stts_delta(data, 0))
        w.add("video", "huge-duration", f"{name}-stts", ext, stts_delta(data, 0x7FFFFFFF))

    # Display matrices: rotations by odd angles, zero, mirrored, huge scale.
    one = 0x00010000
    matrices = {
        "zero": (0, 0, 0, 0, 0, 0, 0, 0, 0),
        "45deg": (46341, 46341, 0, -46341, 46341, 0, 0, 0, 0x40000000),
        "mirror": (-one, 0, 0, 0, one, 0, 0, 0, 0x40000000),
        "scale": (0x7FFF0000, 0, 0, 0, 0x7FFF0000, 0, 0, 0, 0x40000000),
        "shear": (one, one, 0, one, one, 0, 0, 0, 0x40000000),
        "negative": (-one, 0, 0, 0, -one, 0, 0, 0, -0x40000000),
    }
    for name in ("mp4-h264", "mov-h264"):
        if name in bases:
            for label, m in matrices.items():
                w.add(
                    "video",
                    "rotation",
                    f"{name}-{label}",
                    BASES[name][1],
                    tkhd_matrix(bases[name], m),
                )
    if _encoder("libx264"):
        for angle in (45.0, -270.0, 1e9, 360.0 * 7 + 90, 0.001):
            data = encode_video(
                "mp4", "libx264", rotation=angle, codec_options={"preset": "ultrafast"}
            )
            w.add("video", "rotation", f"display-{angle:g}", "mp4", data)

    # Audio only, and no stream at all.
    for fmt, ext, codec in (
        ("mp4", "mp4", "aac"),
        ("webm", "webm", "libopus"),
        ("matroska", "mkv", "mp3"),
        ("avi", "avi", "pcm_s16le"),
        ("mov", "mov", "pcm_s16le"),
    ):
        if _encoder(codec):
            data = encode_video(fmt, "", audio=codec, video=False)
            w.add("video", "audio-only", f"{fmt}-{codec}", ext, data)
    for fmt, ext, codec, copts in (
        ("mp4", "mp4", "libx264", {"preset": "ultrafast"}),
        ("matroska", "mkv", "libx264", {"preset": "ultrafast"}),
        ("webm", "webm", "libvpx", {"deadline": "realtime"}),
        ("avi", "avi", "mpeg4", {}),
    ):
        if _encoder(codec):
            data = encode_video(fmt, codec, frames=0, codec_options=copts)
            w.add("video", "zero-frames", f"{fmt}-{codec}", ext, data)

    # Many streams.
    for fmt, ext in (("matroska", "mkv"), ("mp4", "mp4")):
        if _encoder("mpeg4") and w.wants("video", "many-streams"):
            data = encode_video(fmt, "mpeg4", frames=3, streams=50, size=(32, 24))
            w.add("video", "many-streams", f"{fmt}-50", ext, data)
    if _encoder("mpeg4") and w.wants("video", "many-streams"):
        data = encode_video("matroska", "mpeg4", frames=1, streams=300, size=(16, 16))
        w.add("video", "many-streams", "matroska-300", "mkv", data)

    # Endless-looking streams: long videos of tiny frames that cost little to store.
    if _encoder("libx264") and w.wants("video", "endless"):
        tiny = {"preset": "ultrafast", "crf": "51"}
        data = encode_video(
            "matroska", "libx264", frames=30000, rate=1, size=(16, 16), codec_options=tiny, gop=600
        )
        w.add("video", "endless", "mkv-8h-1fps", "mkv", data)
        data = encode_video(
            "mp4", "libx264", frames=30000, rate=1000, size=(16, 16), codec_options=tiny, gop=600
        )
        w.add("video", "endless", "mp4-1000fps", "mp4", data)
    if "mp4-h264" in bases:  # one short clip claiming to run for days
        data = header_duration(bases["mp4-h264"], b"mdhd", 1, 0xFFFFFFFF)
        w.add("video", "endless", "mp4-days", "mp4", stts_delta(data, 0x7FFFFFFF))
    if "avi-mjpeg" in bases:  # an MJPEG elementary stream, no container and no end marker
        with _av_input(bases["avi-mjpeg"]) as src:
            jpegs = b"".join(bytes(p) for p in src.demux(src.streams.video[0]) if p.size)
        w.add("video", "endless", "mjpeg-raw", "mjpeg", jpegs * 20)
        w.add("video", "disguised", "mjpeg-as-jpeg", "jpg", jpegs * 20)

    # B-frames and time stamps out of order. Their own random numbers, drawn whether they are
    # made or not, so the files after them are the same in any selection.
    bf_rng = random.Random(rng.random())
    if _encoder("libx264") and w.wants("video", "b-frames"):
        for bf in (3, 16):
            data = encode_video(
                "mp4",
                "libx264",
                bframes=bf,
                codec_options={"preset": "medium", "bframes": str(bf), "b-pyramid": "normal"},
                gop=30,
                frames=40,
            )
            w.add("video", "b-frames", f"mp4-bf{bf}", "mp4", data)
            found = find(data, b"ctts")
            if found:
                b = found[0]
                w.add(
                    "video",
                    "b-frames",
                    f"mp4-bf{bf}-ctts",
                    "mp4",
                    flip(data, bf_rng, b.body, b.end, 8),
                )
                w.add("video", "b-frames", f"mp4-bf{bf}-noctts", "mp4", drop_box(data, b"ctts"))

    # Wrong names: content of one container under another's extension, or a picture's.
    for name, data in bases.items():
        wrong = {"mp4": "webm", "mov": "mkv", "webm": "mp4", "mkv": "avi", "avi": "mov"}
        ext = BASES[name][1]
        w.add("video", "wrong-extension", name, wrong[ext], data)
    for name in ("mp4-h264", "webm-vp8"):
        if name in bases:
            w.add("video", "disguised", f"{name}-as-jpg", "jpg", bases[name])
    if "mp4-h264" in bases:
        data = bases["mp4-h264"]
        w.add("video", "disguised", "mp4-brand-heic", "heic", data[:8] + b"heic" + data[12:])
        w.add("video", "disguised", "mp4-brand-avif", "avif", data[:8] + b"avif" + data[12:])
        w.add("video", "disguised", "jpeg-magic-mp4", "mp4", b"\xff\xd8\xff\xe0" + data)


class _av_input:
    def __init__(self, data: bytes) -> None:
        self.data = data

    def __enter__(self) -> Any:
        import av

        self.container = av.open(io.BytesIO(self.data))
        return self.container

    def __exit__(self, *exc: object) -> None:
        self.container.close()


# --- HEIC / AVIF -------------------------------------------------------------------------------


def _heif_bases() -> dict[str, tuple[str, bytes]]:
    from PIL import Image

    rng = np.random.default_rng(SEED)
    picture = Image.fromarray(_pixels(0, rng, 128, 96))
    out: dict[str, tuple[str, bytes]] = {}
    try:
        import pillow_heif

        pillow_heif.register_heif_opener()
        if pillow_heif.libheif_info().get("encoders"):
            buf = io.BytesIO()
            picture.save(buf, "HEIF", quality=80)
            out["heic"] = ("heic", buf.getvalue())
    except ImportError:
        pass
    try:
        buf = io.BytesIO()
        picture.save(buf, "AVIF", quality=80)
        out["avif"] = ("avif", buf.getvalue())
        frames = [Image.fromarray(_pixels(i * FPS, rng, 128, 96)) for i in range(1, 4)]
        buf = io.BytesIO()
        picture.save(buf, "AVIF", save_all=True, append_images=frames, duration=100)
        out["avif-animated"] = ("avif", zero_times(buf.getvalue()))
        many = [Image.fromarray(_pixels(i, rng, 32, 24)) for i in range(60)]
        buf = io.BytesIO()
        many[0].save(buf, "AVIF", save_all=True, append_images=many[1:], duration=10)
        out["avif-animated-60"] = ("avif", zero_times(buf.getvalue()))
    except (KeyError, OSError, ValueError):
        pass
    return out


def zero_times(data: bytes) -> bytes:
    """Creation and modification times of the movie and its tracks set to 0 (libavif writes
    the time of encoding into animated AVIF)."""
    for box in boxes(data):
        if box.kind in (b"mvhd", b"tkhd", b"mdhd"):
            v1 = data[box.body] == 1
            data = _put(data, box.body + 4, ">QQ" if v1 else ">II", 0, 0)
    return data


def ispe(data: bytes, width: int, height: int) -> bytes:
    for box in find(data, b"ispe"):
        data = _put(data, box.body + 4, ">II", width, height)
    return data


def _heif(w: _Writer, rng: random.Random) -> None:
    bases = _heif_bases()
    for name, (ext, data) in bases.items():
        w.add("heif", "valid", name, ext, data)
    for name, (ext, data) in bases.items():
        cuts = {5, 20, 64, len(data) // 3, len(data) // 2, len(data) - 1}
        for cut in sorted(cuts):
            w.add("heif", "truncated", f"{name}-at{cut}", ext, data[:cut])
        for i in range(2):
            w.add("heif", "flipped-header", f"{name}-{i}", ext, flip(data, rng, 0, 400, 6))
        meta = find(data, b"meta")
        if meta:
            w.add("heif", "flipped-meta", name, ext, flip(data, rng, meta[0].body, meta[0].end, 6))
        mdat = find(data, b"mdat")
        if mdat:
            w.add("heif", "flipped-mdat", name, ext, flip(data, rng, mdat[0].body, mdat[0].end, 16))
        for wd, ht in ((30000, 30000), (65535, 65535), (0, 0), (1, 1), (0xFFFFFFFF, 2)):
            w.add("heif", "ispe", f"{name}-{wd}x{ht}", ext, ispe(data, wd, ht))
        w.add("heif", "box-size-huge", name, ext, box_size(data, b"meta", 0xFFFFFFF0))
        w.add("heif", "iloc-missing", name, ext, drop_box(data, b"iloc"))
        w.add("heif", "mdat-missing", name, ext, drop_box(data, b"mdat"))
    if "heic" in bases and "avif" in bases:
        heic, avif = bases["heic"][1], bases["avif"][1]
        w.add("heif", "wrong-brand", "heic-as-avif", "avif", heic[:8] + b"avif" + heic[12:])
        w.add("heif", "wrong-brand", "avif-as-heic", "heic", avif[:8] + b"heic" + avif[12:])
    grid = _heif_grid(bases)
    for label, data in grid:
        w.add("heif", "grid", label, "heic" if "heic" in label else "avif", data)


def _heif_grid(bases: dict[str, tuple[str, bytes]]) -> list[tuple[str, bytes]]:
    """HEIF images made of a grid of tiles, all tiles pointing at the one coded picture of a
    valid file: a tiny file that declares a large picture (and one with thousands of tiles)."""
    out: list[tuple[str, bytes]] = []
    for name, (_, data) in bases.items():
        if name not in ("heic", "avif"):
            continue
        made = _grid_from(data, name)
        if made is not None:
            out.extend(made)
    return out


def _full(kind: bytes, version: int, flags: int, body: bytes) -> bytes:
    return struct.pack(">I4sI", 12 + len(body), kind, version << 24 | flags) + body


def _plain(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I4s", 8 + len(body), kind) + body


def _grid_from(data: bytes, name: str) -> list[tuple[str, bytes]] | None:
    """Rebuild ``data`` as grids: the coded tile is the primary item's bytes, its coding
    property (hvcC or av1C) is kept, and a grid item references it rows x cols times."""
    codec_box = next((b for b in boxes(data) if b.kind in (b"hvcC", b"av1C")), None)
    iloc = find(data, b"iloc")
    if codec_box is None or not iloc:
        return None
    coding = data[codec_box.start : codec_box.end]
    item_type = b"hvc1" if codec_box.kind == b"hvcC" else b"av01"
    # The first item's extent (version 0/1 iloc written by libheif and libavif).
    body = iloc[0].body
    version = data[body]
    sizes = data[body + 4]
    offset_size, length_size, base_size = sizes >> 4, sizes & 15, data[body + 5] >> 4
    pos = body + 6
    count = struct.unpack(">H", data[pos : pos + 2])[0] if version < 2 else 0
    pos += 2
    tile: bytes | None = None
    for _ in range(count):
        pos += 2  # item id
        if version in (1, 2):
            pos += 2
        pos += 2  # data reference index
        base = int.from_bytes(data[pos : pos + base_size], "big") if base_size else 0
        pos += base_size
        extents = struct.unpack(">H", data[pos : pos + 2])[0]
        pos += 2
        for _ in range(extents):
            off = int.from_bytes(data[pos : pos + offset_size], "big")
            pos += offset_size
            length = int.from_bytes(data[pos : pos + length_size], "big")
            pos += length_size
            if tile is None and length > 0:
                tile = data[base + off : base + off + length]
    ispes = find(data, b"ispe")
    if tile is None or not ispes:
        return None
    tw, th = struct.unpack(">II", data[ispes[0].body + 4 : ispes[0].body + 12])
    made = []
    for rows, cols in ((2, 2), (16, 16), (64, 64), (200, 200)):
        made.append(
            (f"{name}-{rows}x{cols}", _grid_file(item_type, coding, tile, tw, th, rows, cols))
        )
    return made


def _grid_file(
    item_type: bytes, coding: bytes, tile: bytes, tw: int, th: int, rows: int, cols: int
) -> bytes:
    n = rows * cols
    grid_id = n + 1
    brand = b"heic" if item_type == b"hvc1" else b"avif"
    ftyp = _plain(b"ftyp", brand + b"\x00\x00\x00\x00" + b"mif1" + brand)
    hdlr = _full(b"hdlr", 0, 0, b"\x00" * 4 + b"pict" + b"\x00" * 12 + b"\x00")
    pitm = _full(b"pitm", 0, 0, struct.pack(">H", grid_id))
    infe = [
        _full(b"infe", 2, 1, struct.pack(">HH", i + 1, 0) + item_type + b"\x00")  # hidden tiles
        for i in range(n)
    ]
    infe.append(_full(b"infe", 2, 0, struct.pack(">HH", grid_id, 0) + b"grid" + b"\x00"))
    iinf = _full(b"iinf", 0, 0, struct.pack(">H", len(infe)) + b"".join(infe))
    dimg = _plain(
        b"dimg",
        struct.pack(">HH", grid_id, n) + b"".join(struct.pack(">H", i + 1) for i in range(n)),
    )
    iref = _full(b"iref", 0, 0, dimg)
    full_w, full_h = tw * cols, th * rows
    big = full_w > 0xFFFF or full_h > 0xFFFF
    grid_body = bytes([0, 1 if big else 0, rows - 1, cols - 1]) + (
        struct.pack(">II", full_w, full_h) if big else struct.pack(">HH", full_w, full_h)
    )
    ispe_tile = _full(b"ispe", 0, 0, struct.pack(">II", tw, th))
    ispe_grid = _full(b"ispe", 0, 0, struct.pack(">II", full_w, full_h))
    ipco = _plain(b"ipco", coding + ispe_tile + ispe_grid)
    assoc = [struct.pack(">HB", i + 1, 2) + bytes([0x81, 0x02]) for i in range(n)]
    assoc.append(struct.pack(">HB", grid_id, 1) + bytes([0x03]))
    ipma = _full(b"ipma", 0, 0, struct.pack(">I", len(assoc)) + b"".join(assoc))
    iprp = _plain(b"iprp", ipco + ipma)

    def build(mdat_start: int) -> bytes:
        # iloc version 1: offset 4, length 4, base 0; tiles all point at the one coded tile,
        # the grid item at its 8-byte ImageGrid description.
        entries = []
        tile_at = mdat_start + 8
        grid_at = tile_at + len(tile)
        for i in range(n):
            entries.append(struct.pack(">HHHHII", i + 1, 0, 0, 1, tile_at, len(tile)))
        entries.append(struct.pack(">HHHHII", grid_id, 0, 0, 1, grid_at, len(grid_body)))
        iloc = _full(b"iloc", 1, 0, bytes([0x44, 0x00]) + struct.pack(">H", len(entries)))
        iloc = _full(
            b"iloc", 1, 0, bytes([0x44, 0x00]) + struct.pack(">H", len(entries)) + b"".join(entries)
        )
        meta = _full(b"meta", 0, 0, hdlr + pitm + iloc + iinf + iref + iprp)
        return ftyp + meta

    head = build(0)
    head = build(len(head))
    return head + _plain(b"mdat", tile + grid_body)


# --- entry point --------------------------------------------------------------------------------


def generate(
    folder: Path,
    seed: int = SEED,
    *,
    select: Callable[[Hostile], bool] | None = None,
) -> list[Hostile]:
    """Write the whole hostile set to ``folder``; with ``select``, keep only those files."""
    folder.mkdir(parents=True, exist_ok=True)
    w = _Writer(folder, select)
    rng = random.Random(seed)
    _videos(w, rng)
    _heif(w, rng)
    return w.made


# --- the intake run, measured ------------------------------------------------------------------
#
# ``python tests/hostile_media.py --probe LIST --workers N`` runs the listed files through the
# product's intake path in a fresh process tree and prints one JSON object: a row per file,
# crashes, times and the memory of the whole tree (this process, the forkserver and every
# worker). A fresh process, so that nothing the caller loaded counts.

PAGE_KIB = 4


def _children(pid: int) -> list[int]:
    out: list[int] = []
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except OSError:
        return out
    for task in tasks:
        try:
            out.extend(int(c) for c in (task / "children").read_text().split())
        except (OSError, ValueError):
            continue
    return out


def tree(root: int) -> list[int]:
    """``root`` and every process below it (forkserver, workers, their helpers)."""
    seen, todo = [], [root]
    while todo:
        pid = todo.pop()
        if pid in seen:
            continue
        seen.append(pid)
        todo.extend(_children(pid))
    return seen


def _status_kib(pid: int) -> dict[str, int]:
    out = {}
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return out
    for line in text.splitlines():
        if line.startswith(("VmRSS:", "VmHWM:")):
            key, value = line.split(":", 1)
            out[key] = int(value.split()[0])
    return out


def _pss_kib(pid: int) -> int:
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return 0
    for line in text.splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1])
    return 0


class TreeMemory:
    """Samples the summed resident memory of a process tree every ``every_s`` seconds, and
    keeps each process's own high-water mark (VmHWM, which the kernel keeps exactly): their
    sum bounds the tree's peak from above, whatever happened between two samples."""

    def __init__(self, root: int, every_s: float = 0.005) -> None:
        import threading

        self.root = root
        self.every_s = every_s
        self.peak_kib = 0
        self.peak_pss_kib = 0  # proportional: shared library pages counted once in the tree
        self.hwm_kib: dict[int, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.sample()
        self._stop.set()
        self._thread.join()

    def sample(self) -> None:
        total = pss = 0
        for pid in tree(self.root):
            st = _status_kib(pid)
            total += st.get("VmRSS", 0)
            pss += _pss_kib(pid)
            if "VmHWM" in st:
                self.hwm_kib[pid] = max(self.hwm_kib.get(pid, 0), st["VmHWM"])
        self.peak_kib = max(self.peak_kib, total)
        self.peak_pss_kib = max(self.peak_pss_kib, pss)

    def _run(self) -> None:
        while not self._stop.wait(self.every_s):
            self.sample()

    @property
    def hwm_sum_kib(self) -> int:
        return sum(self.hwm_kib.values())


def _timed_one(path: str, role: str) -> dict[str, Any]:
    """In a worker: the hash of one file and, for a video, the frame sampling that analysis
    runs (one frame a second at the analysis size), each timed; any exception that escapes
    is reported, as it would break the caller's batch."""
    import os
    import time

    from ncii_desk.errors import NciiDeskError
    from ncii_desk.hashing.pipeline import hash_file
    from ncii_desk.media.loader import iter_video_frames
    from ncii_desk.vision.video import DEFAULT_EVERY_S, VIDEO_MAX_SIDE

    row: dict[str, Any] = {"path": path}
    with contextlib.suppress(OSError):  # the worker's peak from here on: this file's cost
        Path("/proc/self/clear_refs").write_text("5")
    started = time.perf_counter()
    try:
        result = hash_file(Path(path), role)  # type: ignore[arg-type]
        row["hash_error"] = result.error
        row["hash_hint"] = result.hint
        row["kind"] = result.kind
    except BaseException as exc:
        row["escaped"] = f"hash_file: {type(exc).__name__}: {exc}"
        row["kind"] = "?"
    row["hash_s"] = time.perf_counter() - started
    if row.get("kind") == "video":
        started = time.perf_counter()
        frames = 0
        try:
            for _ in iter_video_frames(
                Path(path), every_s=DEFAULT_EVERY_S, max_side=VIDEO_MAX_SIDE
            ):
                frames += 1
            row["vision_frames"] = frames
        except NciiDeskError as exc:
            row["vision_error"], row["vision_hint"] = exc.message, exc.hint
        except BaseException as exc:
            row["escaped"] = f"iter_video_frames: {type(exc).__name__}: {exc}"
        row["vision_s"] = time.perf_counter() - started
    row["worker_peak_mib"] = _status_kib(os.getpid()).get("VmHWM", 0) / 1024
    return row


def probe(
    paths: list[Path], workers: int, role: str, per_file_s: float, timed: list[Path] | None = None
) -> dict[str, Any]:
    """Pass 1: ``hash_many`` with a worker pool, as intake runs it. Pass 2: each file alone in
    a one-worker forkserver pool, timed, with the analysis frame sampling for videos; a worker
    that dies is a crash of that file, one that runs past ``per_file_s`` a hang."""
    import multiprocessing as mp
    import os
    import time
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures import TimeoutError as FutureTimeout
    from concurrent.futures.process import BrokenProcessPool

    from ncii_desk.hashing.pipeline import hash_many, shutdown_pools

    out: dict[str, Any] = {"files": len(paths), "workers": workers, "role": role}
    rows: dict[str, dict[str, Any]] = {str(p): {"path": str(p)} for p in paths}
    crashes: list[str] = []
    with TreeMemory(os.getpid()) as mem:
        started = time.perf_counter()
        try:
            for r in hash_many(paths, role, workers=workers):  # type: ignore[arg-type]
                rows[r.path].update(
                    kind=r.kind,
                    mime=r.mime,
                    error=r.error,
                    hint=r.hint,
                    frames=sum(f.variant == "frame" for f in r.frames),  # not variants
                    pdq=r.pdq,
                )
        except BrokenProcessPool as exc:
            crashes.append(f"hash_many: worker died ({exc})")
        except Exception as exc:
            crashes.append(f"hash_many: {type(exc).__name__}: {exc}")
        out["pool_s"] = time.perf_counter() - started
        mem.sample()
        out["pool_tree_peak_mib"] = mem.peak_kib / 1024
        out["pool_tree_hwm_sum_mib"] = mem.hwm_sum_kib / 1024
        out["pool_tree_peak_pss_mib"] = mem.peak_pss_kib / 1024
        out["pool_processes"] = len(mem.hwm_kib)
        out["pool_process_hwm_mib"] = sorted(v / 1024 for v in mem.hwm_kib.values())
        shutdown_pools()

    ctx = mp.get_context("forkserver")
    pool = ProcessPoolExecutor(max_workers=1, mp_context=ctx)
    try:
        for p in paths if timed is None else timed:
            row = rows[str(p)]
            fut = pool.submit(_timed_one, str(p), role)
            try:
                row.update(fut.result(timeout=per_file_s))
            except FutureTimeout:
                row["hang"] = True
                crashes.append(f"{p.name}: still running after {per_file_s:.0f} s")
            except BrokenProcessPool:
                row["crash"] = True
                crashes.append(f"{p.name}: the worker died")
            if row.get("hang") or row.get("crash"):
                for pid in tree(os.getpid())[1:]:
                    with contextlib.suppress(OSError):
                        os.kill(pid, 9)
                pool.shutdown(wait=False, cancel_futures=True)
                pool = ProcessPoolExecutor(max_workers=1, mp_context=ctx)
            if "escaped" in row:
                crashes.append(f"{p.name}: {row['escaped']}")
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    out["crashes"] = crashes
    out["rows"] = list(rows.values())
    return out


def _main(argv: list[str]) -> int:
    import argparse
    import json

    parser = argparse.ArgumentParser()
    parser.add_argument("--probe", type=Path, required=True, help="file with one path a line")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--role", default="suspect")
    parser.add_argument("--per-file-s", type=float, default=120.0)
    parser.add_argument("--timed", type=Path, help="only these files in the timed pass")
    args = parser.parse_args(argv)
    paths = [Path(line) for line in args.probe.read_text().splitlines() if line]
    timed = None
    if args.timed is not None:
        timed = [Path(line) for line in args.timed.read_text().splitlines() if line]
    print(json.dumps(probe(paths, args.workers, args.role, args.per_file_s, timed)))
    return 0


if __name__ == "__main__":
    import sys

    sys.exit(_main(sys.argv[1:]))
