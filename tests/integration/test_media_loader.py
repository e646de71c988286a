"""The safe media loader against real encoders: every format, orientation, limits, damage.

Only generated benign pictures (gradients, solid colours, quadrants), scikit-image sample data
and the benign face photos in shared/testdata/faces are used. Videos are made here with PyAV:
3.5 s at 10 fps, 64x48, each second a different colour.
"""

from __future__ import annotations

import gc
import io
import os
import struct
import warnings
import zlib
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image, ImageOps

from ncii_desk.errors import DecodeError, InputFileError, MediaTooLarge, UnsupportedMedia
from ncii_desk.media.loader import (
    DEFAULT_LIMITS,
    Limits,
    LoadedImage,
    VideoFrame,
    VideoInfo,
    head_mime,
    iter_video_frames,
    load_image,
    media_kind,
    probe_video,
)

FACES = Path(__file__).resolve().parents[3] / "shared" / "testdata" / "faces"

Pixels = np.ndarray[Any, np.dtype[np.uint8]]

# --- helpers --------------------------------------------------------------------------------


def gradient(h: int, w: int) -> Pixels:
    """Smooth RGB ramps: red across, green down, blue along the diagonal."""
    y, x = np.mgrid[0:h, 0:w]
    rgb = np.stack(
        [x * 255 // max(w - 1, 1), y * 255 // max(h - 1, 1), (x + y) * 255 // max(w + h - 2, 1)],
        axis=-1,
    )
    return rgb.astype(np.uint8)


QUADRANT_COLOURS = ((220, 30, 30), (30, 200, 30), (30, 30, 220), (220, 220, 30))


def quadrants(h: int, w: int) -> Pixels:
    """Four solid quadrants (red, green / blue, yellow): orientation is visible at a glance."""
    out = np.zeros((h, w, 3), np.uint8)
    tl, tr, bl, br = QUADRANT_COLOURS
    out[: h // 2, : w // 2] = tl
    out[: h // 2, w // 2 :] = tr
    out[h // 2 :, : w // 2] = bl
    out[h // 2 :, w // 2 :] = br
    return out


def encode(img: Image.Image, fmt: str, **params: Any) -> bytes:
    buf = io.BytesIO()
    img.save(buf, fmt, **params)
    return buf.getvalue()


def write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.write_bytes(data)
    return path


def mean_abs_diff(a: Pixels, b: Pixels) -> float:
    assert a.shape == b.shape, (a.shape, b.shape)
    return float(np.abs(a.astype(np.int16) - b.astype(np.int16)).mean())


def assert_well_formed(img: LoadedImage) -> None:
    assert isinstance(img, LoadedImage)
    assert img.pixels.dtype == np.uint8
    assert img.pixels.ndim == 3 and img.pixels.shape[2] == 3
    assert img.pixels.flags.c_contiguous


def png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def raw_png(width: int, height: int, bit_depth: int, colour_type: int, rows: bytes) -> bytes:
    """A PNG written by hand (Pillow cannot write 16-bit RGB); rows carry no filter byte."""
    stride = len(rows) // height
    filtered = b"".join(b"\x00" + rows[i * stride : (i + 1) * stride] for i in range(height))
    ihdr = struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", ihdr)
        + png_chunk(b"IDAT", zlib.compress(filtered))
        + png_chunk(b"IEND", b"")
    )


def patch_png_size(data: bytes, width: int, height: int) -> bytes:
    """Rewrite IHDR width/height (and its CRC) of a PNG: a decompression bomb header."""
    assert data[12:16] == b"IHDR"
    body = struct.pack(">II", width, height) + data[24:29]
    return data[:8] + png_chunk(b"IHDR", body) + data[33:]


def heif_encoder_available() -> bool:
    try:
        import pillow_heif
    except ImportError:
        return False
    return bool(pillow_heif.libheif_info().get("encoders"))


# --- every format round-trips -----------------------------------------------------------------

LOSSLESS = [
    ("PNG", "image/png", {}),
    ("BMP", "image/bmp", {}),
    ("TIFF", "image/tiff", {}),
    ("TIFF", "image/tiff", {"compression": "tiff_lzw"}),
    ("WEBP", "image/webp", {"lossless": True}),
]


@pytest.mark.parametrize(("fmt", "mime", "params"), LOSSLESS, ids=lambda v: str(v))
def test_lossless_formats_round_trip_exactly(
    tmp_path: Path, fmt: str, mime: str, params: dict[str, Any]
) -> None:
    src = gradient(48, 64)
    path = write(tmp_path, f"picture.{fmt.lower()}", encode(Image.fromarray(src), fmt, **params))
    img = load_image(path)
    assert_well_formed(img)
    assert (img.mime, img.width, img.height, img.frames, img.reduced_by) == (mime, 64, 48, 1, 1)
    np.testing.assert_array_equal(img.pixels, src)


@pytest.mark.parametrize(
    ("fmt", "mime", "params", "tolerance"),
    [
        ("JPEG", "image/jpeg", {"quality": 95}, 3.0),
        ("WEBP", "image/webp", {"quality": 90}, 4.0),
    ],
)
def test_lossy_formats_round_trip_closely(
    tmp_path: Path, fmt: str, mime: str, params: dict[str, Any], tolerance: float
) -> None:
    src = gradient(48, 64)
    path = write(tmp_path, f"picture.{fmt.lower()}", encode(Image.fromarray(src), fmt, **params))
    img = load_image(path)
    assert_well_formed(img)
    assert (img.mime, img.width, img.height, img.frames) == (mime, 64, 48, 1)
    assert mean_abs_diff(img.pixels, src) < tolerance


def test_heic_round_trips(tmp_path: Path) -> None:
    if not heif_encoder_available():
        pytest.skip("the installed libheif has no HEIC encoder (x265) to write a test file")
    src = quadrants(48, 64)
    data = encode(Image.fromarray(src), "HEIF", quality=90)
    assert data[4:12] == b"ftypheic"
    img = load_image(write(tmp_path, "IMG_0001.HEIC", data))
    assert_well_formed(img)
    assert (img.mime, img.width, img.height) == ("image/heic", 64, 48)
    assert mean_abs_diff(img.pixels, src) < 4.0


def test_avif_round_trips(tmp_path: Path) -> None:
    src = quadrants(48, 64)
    try:
        data = encode(Image.fromarray(src), "AVIF", quality=90)
    except (KeyError, OSError, ValueError) as exc:
        pytest.skip(f"this Pillow cannot write AVIF ({exc})")
    try:
        Image.open(io.BytesIO(data)).load()
    except Exception as exc:  # an encoder without a decoder
        pytest.skip(f"this Pillow cannot read AVIF ({exc})")
    img = load_image(write(tmp_path, "picture.avif", data))
    assert_well_formed(img)
    assert (img.mime, img.width, img.height) == ("image/avif", 64, 48)
    assert mean_abs_diff(img.pixels, src) < 5.0


def test_png_16_bit_grey_keeps_its_tones(tmp_path: Path) -> None:
    ramp = np.linspace(0, 65535, 48 * 64).reshape(48, 64).astype(np.uint16)
    data = raw_png(64, 48, 16, 0, ramp.astype(">u2").tobytes())
    img = load_image(write(tmp_path, "scan16.png", data))
    assert_well_formed(img)
    expected = (ramp >> 8).astype(np.uint8)
    for channel in range(3):
        np.testing.assert_array_equal(img.pixels[..., channel], expected)


def test_png_16_bit_grey_written_by_pillow(tmp_path: Path) -> None:
    ramp = np.linspace(0, 65535, 48 * 64).reshape(48, 64).astype(np.uint16)
    data = encode(Image.fromarray(ramp), "PNG")
    assert data[24] == 16, "Pillow wrote an 8-bit PNG; the test would prove nothing"
    img = load_image(data)
    assert int(img.pixels[-1, -1, 0]) == 255 and int(img.pixels[0, 0, 0]) == 0
    assert np.abs(img.pixels[..., 1].astype(int) - (ramp >> 8)).max() <= 1


def test_png_16_bit_grey_with_colour_key(tmp_path: Path) -> None:
    """tRNS on a 16-bit grey PNG: the keyed value is white, every other tone is kept."""
    ramp = np.linspace(0, 65535, 48 * 64).reshape(48, 64).astype(np.uint16)
    key = int(ramp[10, 10])
    data = encode(Image.fromarray(ramp), "PNG", transparency=key)
    assert data[24] == 16 and b"tRNS" in data
    img = load_image(write(tmp_path, "keyed16.png", data))
    expected = (ramp >> 8).astype(np.uint8)
    expected[ramp == key] = 255
    for channel in range(3):
        np.testing.assert_array_equal(img.pixels[..., channel], expected)


def test_png_16_bit_rgb_keeps_its_colours(tmp_path: Path) -> None:
    src16 = (gradient(48, 64).astype(np.uint16) * 257).astype(">u2")
    data = raw_png(64, 48, 16, 2, src16.tobytes())
    img = load_image(write(tmp_path, "photo16.png", data))
    assert_well_formed(img)
    np.testing.assert_array_equal(img.pixels, gradient(48, 64))


def test_palette_png_with_transparency_is_composited_on_white(tmp_path: Path) -> None:
    pal = Image.new("P", (64, 48), 1)
    pal.putpalette([0, 0, 255, 255, 0, 0] + [0, 0, 0] * 254)  # 0: blue (hidden), 1: red
    pal.paste(0, (0, 0, 32, 48))
    data = encode(pal, "PNG", transparency=0)
    assert Image.open(io.BytesIO(data)).mode == "P" and b"tRNS" in data
    img = load_image(write(tmp_path, "palette.png", data))
    assert_well_formed(img)
    assert (img.pixels[:, :32] == 255).all(), "the transparent colour (blue) must not show"
    assert (img.pixels[:, 32:] == (255, 0, 0)).all()


def test_rgba_png_is_composited_on_white(tmp_path: Path) -> None:
    rgba = np.zeros((48, 64, 4), np.uint8)
    rgba[:, :, :3] = (0, 0, 255)  # hidden blue under alpha 0
    rgba[:, 32:] = (255, 0, 0, 255)
    rgba[:, 48:] = (255, 0, 0, 128)  # half-transparent red: pink on white
    img = load_image(encode(Image.fromarray(rgba, "RGBA"), "PNG"))
    assert (img.pixels[:, :32] == 255).all()
    assert (img.pixels[:, 32:48] == (255, 0, 0)).all()
    pink = img.pixels[:, 48:].reshape(-1, 3)
    assert (pink[:, 0] == 255).all() and (np.abs(pink[:, 1:].astype(int) - 127) <= 1).all()


@pytest.mark.parametrize(
    ("mode", "colour", "key"),
    [("RGB", (0, 0, 255), (0, 0, 255)), ("L", 40, 40)],
    ids=["rgb-trns", "grey-trns"],
)
def test_colour_key_transparency_is_composited_on_white(
    tmp_path: Path, mode: str, colour: Any, key: Any
) -> None:
    """tRNS in an RGB or grey PNG marks one colour transparent; it must not show either."""
    other = (255, 0, 0) if mode == "RGB" else 200
    im = Image.new(mode, (64, 48), other)
    im.paste(colour, (0, 0, 32, 48))
    data = encode(im, "PNG", transparency=key)
    assert b"tRNS" in data
    img = load_image(write(tmp_path, "keyed.png", data))
    assert (img.pixels[:, :32] == 255).all(), "the colour-keyed area must be white"
    assert (img.pixels[:, 32:] == (other if mode == "RGB" else (200, 200, 200))).all()


def test_grey_with_alpha_and_webp_with_alpha_are_composited(tmp_path: Path) -> None:
    la = Image.new("LA", (64, 48), (0, 0))
    la.paste((100, 255), (32, 0, 64, 48))
    img = load_image(encode(la, "PNG"))
    assert (img.pixels[:, :32] == 255).all() and (img.pixels[:, 32:] == 100).all()

    rgba = Image.new("RGBA", (64, 48), (0, 0, 255, 0))
    rgba.paste((0, 160, 0, 255), (32, 0, 64, 48))
    img = load_image(write(tmp_path, "alpha.webp", encode(rgba, "WEBP", lossless=True)))
    assert img.mime == "image/webp"
    assert (img.pixels[:, :32] == 255).all() and (img.pixels[:, 32:] == (0, 160, 0)).all()


def test_gif_first_frame_and_frame_count(tmp_path: Path) -> None:
    colours = [(255, 0, 0), (0, 255, 0), (0, 0, 255)]
    frames = [Image.new("RGB", (64, 48), c) for c in colours]
    data = encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    img = load_image(write(tmp_path, "animated.gif", data))
    assert_well_formed(img)
    assert (img.mime, img.width, img.height, img.frames) == ("image/gif", 64, 48, 3)
    assert (img.pixels == (255, 0, 0)).all(), "the first frame, not a later one"

    single = load_image(encode(Image.new("RGB", (10, 8), (0, 0, 255)), "GIF"))
    assert single.frames == 1 and (single.pixels == (0, 0, 255)).all()


def test_gif_transparency_is_composited_on_white() -> None:
    pal = Image.new("P", (64, 48), 1)
    pal.putpalette([0, 0, 255, 255, 0, 0] + [0, 0, 0] * 254)
    pal.paste(0, (0, 0, 32, 48))
    img = load_image(encode(pal, "GIF", transparency=0))
    assert (img.pixels[:, :32] == 255).all() and (img.pixels[:, 32:] == (255, 0, 0)).all()


def test_sample_photo_and_face_photo_decode_like_pillow(tmp_path: Path) -> None:
    skdata = pytest.importorskip("skimage.data")
    coffee = np.ascontiguousarray(skdata.coffee())
    img = load_image(write(tmp_path, "coffee.png", encode(Image.fromarray(coffee), "PNG")))
    np.testing.assert_array_equal(img.pixels, coffee)

    faces = sorted(FACES.glob("*.jpg")) if FACES.is_dir() else []
    if not faces:
        pytest.skip("shared/testdata/faces is not available")
    face = load_image(faces[0])
    with Image.open(faces[0]) as ref:
        expected = np.asarray(ImageOps.exif_transpose(ref).convert("RGB"))
    assert face.mime == "image/jpeg" and face.reduced_by == 1
    np.testing.assert_array_equal(face.pixels, expected)
    assert (face.width, face.height) == (expected.shape[1], expected.shape[0])


# --- EXIF orientation ------------------------------------------------------------------------

# stored picture = upright picture turned the opposite way of what the tag asks for
STORED_FOR = {
    3: Image.Transpose.ROTATE_180,
    6: Image.Transpose.ROTATE_90,  # tag 6 says: turn 90° clockwise to view
    8: Image.Transpose.ROTATE_270,  # tag 8 says: turn 90° counter-clockwise to view
}


def jpeg_with_orientation(upright: Image.Image, orientation: int, **params: Any) -> bytes:
    exif = Image.Exif()
    exif[0x0112] = orientation
    stored = upright.transpose(STORED_FOR[orientation])
    return encode(stored, "JPEG", exif=exif.tobytes(), quality=95, **params)


@pytest.mark.parametrize("orientation", [3, 6, 8])
def test_exif_orientation_is_applied(tmp_path: Path, orientation: int) -> None:
    upright = quadrants(64, 48)  # portrait
    data = jpeg_with_orientation(Image.fromarray(upright), orientation)
    assert Image.open(io.BytesIO(data)).getexif().get(0x0112) == orientation
    img = load_image(write(tmp_path, f"oriented{orientation}.jpg", data))
    assert_well_formed(img)
    assert (img.width, img.height) == (48, 64)
    assert img.pixels.shape == (64, 48, 3)
    assert mean_abs_diff(img.pixels, upright) < 4.0
    # the red quadrant is top-left again
    assert np.abs(img.pixels[8, 8].astype(int) - QUADRANT_COLOURS[0]).max() < 24


# --- reduced JPEG decoding -------------------------------------------------------------------


@pytest.fixture(scope="module")
def big_jpeg(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Pixels]:
    """A 4000x3000 JPEG of quadrants with a gradient on top (a 12 MP phone photo's size)."""
    src = quadrants(3000, 4000) // 2 + gradient(3000, 4000) // 2
    path = tmp_path_factory.mktemp("big") / "IMG_4000x3000.jpg"
    path.write_bytes(encode(Image.fromarray(src), "JPEG", quality=90))
    return path, src


def test_reduced_decode_is_smaller_and_keeps_min_side(big_jpeg: tuple[Path, Pixels]) -> None:
    path, src = big_jpeg
    full = load_image(path)
    assert full.reduced_by == 1 and full.pixels.shape == (3000, 4000, 3)
    assert mean_abs_diff(full.pixels[::10, ::10], src[::10, ::10]) < 3.0

    small = load_image(path, min_side=512)
    assert_well_formed(small)
    assert small.reduced_by >= 2
    assert min(small.pixels.shape[:2]) >= 512
    assert (small.width, small.height) == (4000, 3000), "width/height stay the full size"
    assert small.pixels.shape[:2] == (3000 // small.reduced_by, 4000 // small.reduced_by)
    # The decoder's output buffer is the reduced one: at least reduced_by² times less memory
    # (a C allocation tracemalloc cannot see, so compare the arrays themselves).
    assert small.pixels.nbytes * small.reduced_by**2 <= full.pixels.nbytes * 1.01
    assert small.pixels.nbytes * 4 <= full.pixels.nbytes
    # Same picture, just smaller.
    shrunk = np.asarray(
        Image.fromarray(full.pixels).resize(small.pixels.shape[1::-1], Image.Resampling.BOX)
    )
    assert mean_abs_diff(small.pixels, shrunk) < 4.0


@pytest.mark.parametrize("min_side", [1, 100, 374, 375, 376, 512, 1000, 1500, 2999, 3000, 5000])
def test_reduced_decode_picks_the_smallest_scale_that_fits(
    big_jpeg: tuple[Path, Pixels], min_side: int
) -> None:
    img = load_image(big_jpeg[0], min_side=min_side)
    assert img.reduced_by in (1, 2, 4, 8)
    short = min(img.pixels.shape[:2])
    assert short == 3000 // img.reduced_by
    if min_side <= 3000:
        assert short >= min_side
    # no smaller DCT scale would still have fitted
    assert img.reduced_by == 8 or short // 2 < min_side


def test_reduced_decode_with_orientation_reports_upright_full_size(tmp_path: Path) -> None:
    upright = Image.fromarray(quadrants(2000, 1500))  # portrait 1500x2000
    data = jpeg_with_orientation(upright, 6)
    img = load_image(write(tmp_path, "portrait.jpg", data), min_side=256)
    assert img.reduced_by == 4
    assert (img.width, img.height) == (1500, 2000)
    assert img.pixels.shape == (500, 375, 3)
    assert np.abs(img.pixels[20, 20].astype(int) - QUADRANT_COLOURS[0]).max() < 24


def test_reduced_decode_of_a_camera_mpo(tmp_path: Path) -> None:
    """Many cameras and phones write MPO (JPEG + extra pictures); it must be reduced too."""
    first = Image.fromarray(quadrants(1500, 2000))
    second = Image.new("RGB", (2000, 1500), (0, 0, 255))
    data = encode(first, "MPO", save_all=True, append_images=[second], quality=90)
    assert Image.open(io.BytesIO(data)).format == "MPO"
    img = load_image(write(tmp_path, "DSC_0001.JPG", data), min_side=256)
    assert img.mime == "image/jpeg"
    assert img.reduced_by == 4 and img.pixels.shape == (375, 500, 3)
    assert (img.width, img.height) == (2000, 1500)
    assert np.abs(img.pixels[20, 20].astype(int) - QUADRANT_COLOURS[0]).max() < 24


def test_min_side_does_not_reduce_other_formats() -> None:
    img = load_image(encode(Image.fromarray(gradient(600, 800)), "PNG"), min_side=100)
    assert img.reduced_by == 1 and img.pixels.shape == (600, 800, 3)


# --- type from content, bytes input ----------------------------------------------------------


def test_type_is_sniffed_from_content_not_name(tmp_path: Path) -> None:
    src = gradient(48, 64)
    png_named_jpg = write(tmp_path, "x.jpg", encode(Image.fromarray(src), "PNG"))
    assert head_mime(png_named_jpg) == "image/png"
    img = load_image(png_named_jpg)
    assert img.mime == "image/png"
    np.testing.assert_array_equal(img.pixels, src)

    jpg_named_gif = write(tmp_path, "y.gif", encode(Image.fromarray(src), "JPEG"))
    assert load_image(jpg_named_gif).mime == "image/jpeg"
    no_extension = write(tmp_path, "download", encode(Image.fromarray(src), "BMP"))
    assert load_image(no_extension).mime == "image/bmp"


def test_bytes_input_matches_path_input(tmp_path: Path) -> None:
    data = encode(Image.fromarray(gradient(48, 64)), "JPEG", quality=90)
    from_bytes = load_image(data)
    from_path = load_image(write(tmp_path, "same.jpg", data))
    np.testing.assert_array_equal(from_bytes.pixels, from_path.pixels)
    assert from_bytes.mime == from_path.mime == "image/jpeg"
    assert head_mime(data) == "image/jpeg"


def test_media_kind() -> None:
    assert media_kind("image/heic") == "image"
    assert media_kind("video/webm") == "video"
    assert media_kind("application/pdf") is None
    assert media_kind("application/octet-stream") is None


# --- errors: one class each, a message naming the file ---------------------------------------


def _png_bytes() -> bytes:
    return encode(Image.fromarray(gradient(120, 160)), "PNG")


def _jpeg_bytes() -> bytes:
    return encode(Image.fromarray(gradient(120, 160)), "JPEG", quality=90)


BAD_FILES: list[tuple[str, str, Callable[[], bytes], type[InputFileError]]] = [
    ("zero-byte", "empty.jpg", lambda: b"", DecodeError),
    ("truncated-jpeg", "cut.jpg", lambda: _jpeg_bytes()[: len(_jpeg_bytes()) // 2], DecodeError),
    ("truncated-png", "cut.png", lambda: _png_bytes()[: len(_png_bytes()) // 2], DecodeError),
    (
        "png-signature-then-garbage",
        "sig.png",
        lambda: b"\x89PNG\r\n\x1a\n" + b"\x00" * 64,
        DecodeError,
    ),
    (
        "random-bytes",
        "random.jpg",
        lambda: bytes(np.random.default_rng(7).integers(0, 256, 4096, dtype=np.uint8)),
        UnsupportedMedia,
    ),
    (
        "text",
        "notes.txt",
        lambda: b"Call back on Monday about the takedown.\n" * 20,
        UnsupportedMedia,
    ),
    ("text-named-jpg", "photo.jpg", lambda: b"just some words, not a picture\n", UnsupportedMedia),
    (
        "text-starting-BM",
        "invoice.bmp",
        lambda: b"BMW service invoice, March, 412 EUR\n",
        UnsupportedMedia,
    ),
    ("garbage-named-png", "photo.png", lambda: b"\x13\x37" * 500, UnsupportedMedia),
    ("html-named-jpg", "page.jpg", lambda: b"<!DOCTYPE html><html></html>", UnsupportedMedia),
    ("pdf", "statement.pdf", lambda: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", UnsupportedMedia),
]


@pytest.mark.parametrize(
    ("label", "name", "make", "error"), BAD_FILES, ids=[b[0] for b in BAD_FILES]
)
def test_bad_file_raises_its_error_naming_the_file(
    tmp_path: Path,
    label: str,
    name: str,
    make: Callable[[], bytes],
    error: type[InputFileError],
) -> None:
    path = write(tmp_path, name, make())
    with pytest.raises(InputFileError) as info:
        load_image(path)
    assert type(info.value) is error, f"{label}: {type(info.value).__name__}: {info.value}"
    assert str(path) in info.value.message
    assert info.value.hint


def test_bad_bytes_raise_the_same_errors() -> None:
    with pytest.raises(DecodeError, match="the file is empty"):
        load_image(b"")
    with pytest.raises(DecodeError):
        load_image(_jpeg_bytes()[:300])
    with pytest.raises(UnsupportedMedia):
        load_image(b"plain text")


def test_missing_path_and_folder_raise_decode_error(tmp_path: Path) -> None:
    missing = tmp_path / "gone" / "IMG_0042.jpg"
    with pytest.raises(DecodeError) as info:
        load_image(missing)
    assert str(missing) in info.value.message and "does not exist" in info.value.message
    with pytest.raises(DecodeError, match="does not exist"):
        head_mime(missing)
    with pytest.raises(DecodeError) as info:
        load_image(tmp_path)
    assert str(tmp_path) in info.value.message


def test_file_over_the_byte_limit(tmp_path: Path) -> None:
    data = _png_bytes()
    path = write(tmp_path, "large.png", data)
    limits = Limits(max_image_bytes=len(data) - 1)
    with pytest.raises(MediaTooLarge) as info:
        load_image(path, limits=limits)
    assert str(path) in info.value.message
    assert "0 MiB" not in info.value.message, "a small limit must still read sensibly"
    assert load_image(path, limits=Limits(max_image_bytes=len(data))).width == 160


@pytest.mark.parametrize(("width", "height"), [(30_000, 30_000), (20_000, 10_000), (1, 10**9)])
def test_decompression_bomb_header_is_refused_before_decoding(
    tmp_path: Path, width: int, height: int
) -> None:
    small = encode(Image.fromarray(gradient(8, 8)), "PNG")
    bomb = patch_png_size(small, width, height)
    assert len(bomb) < 1000
    assert struct.unpack(">II", bomb[16:24]) == (width, height)
    assert zlib.crc32(bomb[12:29]) == struct.unpack(">I", bomb[29:33])[0]
    path = write(tmp_path, "bomb.png", bomb)
    with pytest.raises(MediaTooLarge) as info:
        load_image(path)
    assert str(path) in info.value.message


def test_genuinely_large_but_compressible_image_over_pixel_limit(tmp_path: Path) -> None:
    data = encode(Image.new("L", (4000, 3000), 0), "PNG")
    assert len(data) < 100_000
    path = write(tmp_path, "flat.png", data)
    with pytest.raises(MediaTooLarge) as info:
        load_image(path, limits=Limits(max_pixels=10_000_000))
    assert str(path) in info.value.message and "4000x3000" in info.value.message


def test_pixels_over_the_limit(tmp_path: Path) -> None:
    data = encode(Image.fromarray(gradient(48, 64)), "JPEG")
    path = write(tmp_path, "over.jpg", data)
    with pytest.raises(MediaTooLarge) as info:
        load_image(path, limits=Limits(max_pixels=64 * 48 - 1))
    assert str(path) in info.value.message
    assert load_image(path, limits=Limits(max_pixels=64 * 48)).width == 64  # at the limit: fine
    assert DEFAULT_LIMITS.max_pixels >= 108_000_000  # a 108 MP phone photo still loads


# --- video -----------------------------------------------------------------------------------

COLOURS = ((220, 40, 40), (40, 200, 40), (40, 40, 220), (220, 220, 40))
FPS = 10
SECONDS = 3.5


def _encoder(*names: str) -> str | None:
    import av

    for name in names:
        if name not in av.codecs_available:
            continue
        try:
            av.codec.Codec(name, "w")
        except Exception:
            continue
        return name
    return None


def make_video(
    path: Path,
    container_format: str,
    codec: str,
    *,
    first_pts: int = 0,
    rotation: int | None = None,
    metadata: dict[str, str] | None = None,
    options: dict[str, str] | None = None,
) -> Path:
    import av

    with av.open(str(path), "w", format=container_format, options=options or {}) as out:
        if metadata:
            out.metadata.update(metadata)
        stream = out.add_stream(codec, rate=FPS)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        stream.codec_context.gop_size = FPS
        if rotation is not None:
            stream.set_display_rotation(rotation)
        for i in range(int(SECONDS * FPS)):
            rgb = np.empty((48, 64, 3), np.uint8)
            rgb[:] = COLOURS[i // FPS]
            if rotation is not None:
                rgb[:24, :32] = (255, 255, 255)  # a white marker, top-left as stored
            frame = av.VideoFrame.from_ndarray(rgb, format="rgb24")
            frame.pts, frame.time_base = first_pts + i, Fraction(1, FPS)
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))
    return path


MP4_CODEC = _encoder("libx264", "h264", "mpeg4")
WEBM_CODEC = _encoder("libvpx", "libvpx-vp9")
MKV_CODEC = _encoder("libx264", "h264", "mpeg4", "ffv1")

VIDEO_KINDS = {
    "mp4": ("mp4", MP4_CODEC, "video/mp4"),
    "webm": ("webm", WEBM_CODEC, "video/webm"),
    "mkv": ("matroska", MKV_CODEC, "video/x-matroska"),
}


@pytest.fixture(scope="module")
def videos(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    pytest.importorskip("av")
    folder = tmp_path_factory.mktemp("videos")
    made = {}
    for ext, (fmt, codec, _) in VIDEO_KINDS.items():
        if codec is not None:
            options = {"deadline": "realtime", "cpu-used": "8"} if ext == "webm" else None
            made[ext] = make_video(folder / f"clip.{ext}", fmt, codec, options=options)
    return made


def _video(videos: dict[str, Path], ext: str) -> Path:
    if ext not in videos:
        pytest.skip(f"no PyAV encoder for {ext} in this build")
    return videos[ext]


def assert_colour(pixels: Pixels, colour: tuple[int, int, int], where: str) -> None:
    mean = pixels.reshape(-1, 3).mean(axis=0)
    assert np.abs(mean - colour).max() < 20, f"{where}: {mean.round()} is not {colour}"


@pytest.mark.parametrize("ext", list(VIDEO_KINDS))
def test_probe_video(videos: dict[str, Path], ext: str) -> None:
    path = _video(videos, ext)
    info = probe_video(path)
    assert isinstance(info, VideoInfo)
    assert info.mime == VIDEO_KINDS[ext][2] == head_mime(path)
    assert media_kind(info.mime) == "video"
    assert (info.width, info.height) == (64, 48)
    assert info.duration_s is not None and abs(info.duration_s - SECONDS) < 0.15
    assert info.codec


@pytest.mark.parametrize("ext", list(VIDEO_KINDS))
def test_one_frame_per_second_with_the_right_colours(videos: dict[str, Path], ext: str) -> None:
    path = _video(videos, ext)
    frames = list(iter_video_frames(path))
    assert [round(f.t_ms / 100) * 100 for f in frames] == [0, 1000, 2000, 3000]
    for frame, colour in zip(frames, COLOURS, strict=True):
        assert isinstance(frame, VideoFrame)
        assert abs(frame.t_ms - round(frame.t_ms / 1000) * 1000) <= 60
        assert frame.pixels.dtype == np.uint8 and frame.pixels.shape == (48, 64, 3)
        assert frame.pixels.flags.c_contiguous
        assert_colour(frame.pixels, colour, f"{ext} at {frame.t_ms} ms")


@pytest.mark.parametrize("ext", list(VIDEO_KINDS))
def test_max_side_is_respected(videos: dict[str, Path], ext: str) -> None:
    path = _video(videos, ext)
    frames = list(iter_video_frames(path, max_side=32))
    assert len(frames) == 4
    assert all(f.pixels.shape == (24, 32, 3) for f in frames)
    assert_colour(frames[2].pixels, COLOURS[2], "scaled frame")
    # never enlarged
    assert all(f.pixels.shape == (48, 64, 3) for f in iter_video_frames(path, max_side=4096))


def test_video_from_bytes_and_other_intervals(videos: dict[str, Path]) -> None:
    path = _video(videos, "mp4")
    data = path.read_bytes()
    assert probe_video(data).duration_s == pytest.approx(SECONDS, abs=0.15)
    half = [f.t_ms for f in iter_video_frames(data, every_s=0.5)]
    assert [round(t / 100) * 100 for t in half] == [0, 500, 1000, 1500, 2000, 2500, 3000]
    # A zero or negative interval once looped for ever after the first frame; one next() is
    # enough to see the refusal without hanging when it regresses.
    for bad in (0, -1.0):
        with pytest.raises(ValueError):
            next(iter_video_frames(data, every_s=bad))
    with pytest.raises(ValueError):
        next(iter_video_frames(data, max_side=0))


def test_max_video_seconds_cuts_iteration(videos: dict[str, Path]) -> None:
    path = _video(videos, "mkv")
    times = [f.t_ms for f in iter_video_frames(path, limits=Limits(max_video_seconds=1.5))]
    assert [round(t / 100) * 100 for t in times] == [0, 1000]


def test_video_limits_on_bytes_and_pixels(videos: dict[str, Path]) -> None:
    path = _video(videos, "webm")
    with pytest.raises(MediaTooLarge) as info:
        probe_video(path, limits=Limits(max_video_bytes=100))
    assert str(path) in info.value.message and "0 GiB" not in info.value.message
    with pytest.raises(MediaTooLarge):
        list(iter_video_frames(path, limits=Limits(max_video_pixels=64 * 48 - 1)))


def test_truncated_video_yields_the_frames_before_the_damage(
    tmp_path: Path, videos: dict[str, Path]
) -> None:
    full = _video(videos, "webm").read_bytes()
    cut = write(tmp_path, "partial.webm", full[: int(len(full) * 0.6)])
    frames = list(iter_video_frames(cut))
    times = [round(f.t_ms / 1000) * 1000 for f in frames]
    assert 1 <= len(times) < 4 and times == [0, 1000, 2000, 3000][: len(times)]
    for frame, colour in zip(frames, COLOURS, strict=False):
        assert_colour(frame.pixels, colour, f"truncated at {frame.t_ms} ms")

    header_only = write(tmp_path, "header.webm", full[:120])
    with pytest.raises(DecodeError) as info:
        list(iter_video_frames(header_only))
    assert str(header_only) in info.value.message


def test_truncated_mp4_without_its_index_is_a_decode_error(
    tmp_path: Path, videos: dict[str, Path]
) -> None:
    full = _video(videos, "mp4").read_bytes()
    cut = write(tmp_path, "partial.mp4", full[: len(full) // 2])  # the index (moov) is at the end
    with pytest.raises(DecodeError) as info:
        list(iter_video_frames(cut))
    assert str(cut) in info.value.message
    with pytest.raises(DecodeError):
        probe_video(cut)


def test_damaged_packet_is_skipped_and_later_frames_still_come(tmp_path: Path) -> None:
    """One destroyed keyframe must not throw away the rest of the video."""
    import av

    if MP4_CODEC is None:
        pytest.skip("no MP4 video encoder in this PyAV build")
    path = make_video(tmp_path / "clip.mp4", "mp4", MP4_CODEC, options={"movflags": "faststart"})
    with av.open(str(path)) as container:
        first = next(p for p in container.demux(container.streams.video[0]) if p.size)
        pos, size = first.pos, first.size
    data = bytearray(path.read_bytes())
    data[pos : pos + size] = b"\xff" * size
    damaged = write(tmp_path, "damaged.mp4", bytes(data))
    frames = list(iter_video_frames(damaged))
    seconds = {round(f.t_ms / 1000) for f in frames}
    assert {2, 3} <= seconds, [f.t_ms for f in frames]
    for frame in frames:
        if frame.t_ms >= 1000:
            assert_colour(frame.pixels, COLOURS[round(frame.t_ms / 1000)], f"{frame.t_ms} ms")


def test_times_count_from_the_start_of_the_stream(tmp_path: Path) -> None:
    if MKV_CODEC is None:
        pytest.skip("no Matroska video encoder in this PyAV build")
    path = make_video(tmp_path / "late.mkv", "matroska", MKV_CODEC, first_pts=15)
    frames = list(iter_video_frames(path))
    assert [round(f.t_ms / 100) * 100 for f in frames] == [0, 1000, 2000, 3000]
    assert_colour(frames[1].pixels, COLOURS[1], "second mark")


@pytest.mark.parametrize(("rotation", "turns"), [(-90, -1), (90, 1), (180, 2)])
def test_rotated_phone_video_frames_come_upright(tmp_path: Path, rotation: int, turns: int) -> None:
    import av

    if MP4_CODEC is None or not hasattr(av.video.stream.VideoStream, "set_display_rotation"):
        pytest.skip("this PyAV cannot write a display rotation")
    path = make_video(tmp_path / "portrait.mp4", "mp4", MP4_CODEC, rotation=rotation)
    frames = list(iter_video_frames(path))
    assert len(frames) == 4
    stored = np.zeros((48, 64), bool)
    stored[:24, :32] = True  # where the white marker is, as stored
    marker = np.rot90(stored, turns)  # where a player shows it
    for frame in frames:
        assert frame.pixels.shape[:2] == marker.shape
        white = frame.pixels.min(axis=2) > 200
        assert (white == marker).mean() > 0.95, f"marker in the wrong place at {frame.t_ms} ms"


def test_video_with_non_utf8_metadata_still_opens(tmp_path: Path) -> None:
    if MP4_CODEC is None:
        pytest.skip("no MP4 video encoder in this PyAV build")
    path = make_video(
        tmp_path / "titled.mp4", "mp4", MP4_CODEC, metadata={"title": "Urlaub é 2019"}
    )
    data = path.read_bytes()
    at = data.find("é".encode())
    assert at > 0
    latin1 = write(tmp_path, "latin1.mp4", data[:at] + b"\xe9x" + data[at + 2 :])  # bad UTF-8
    assert probe_video(latin1).duration_s == pytest.approx(SECONDS, abs=0.15)
    assert len(list(iter_video_frames(latin1))) == 4


BAD_VIDEOS: list[tuple[str, str, bytes, type[InputFileError]]] = [
    ("zero-byte", "empty.mp4", b"", DecodeError),
    ("garbage", "clip.mp4", b"\x13\x37" * 2000, UnsupportedMedia),
    ("ftyp-then-garbage", "clip.mp4", b"\x00\x00\x00\x18ftypisom" + b"\xab" * 4000, DecodeError),
    ("matroska-magic-then-garbage", "clip.mkv", b"\x1a\x45\xdf\xa3" + b"\x01" * 4000, DecodeError),
    ("text", "clip.webm", b"not a video at all\n" * 50, UnsupportedMedia),
]


@pytest.mark.parametrize(
    ("label", "name", "data", "error"), BAD_VIDEOS, ids=[b[0] for b in BAD_VIDEOS]
)
def test_bad_video_raises_its_error_naming_the_file(
    tmp_path: Path, label: str, name: str, data: bytes, error: type[InputFileError]
) -> None:
    pytest.importorskip("av")
    path = write(tmp_path, name, data)
    for call in (lambda: probe_video(path), lambda: list(iter_video_frames(path))):
        with pytest.raises(InputFileError) as info:
            call()
        assert type(info.value) is error, f"{label}: {type(info.value).__name__}: {info.value}"
        assert str(path) in info.value.message


def test_image_is_not_a_video_and_video_is_not_an_image(
    tmp_path: Path, videos: dict[str, Path]
) -> None:
    png = write(tmp_path, "still.mp4", _png_bytes())
    with pytest.raises(UnsupportedMedia):
        probe_video(png)
    with pytest.raises(UnsupportedMedia):
        load_image(_video(videos, "mp4"))
    missing = tmp_path / "nowhere.mp4"
    with pytest.raises(DecodeError, match="does not exist"):
        list(iter_video_frames(missing))


def test_video_files_are_closed(videos: dict[str, Path]) -> None:
    """No file handle is left for the garbage collector, also when the caller stops early."""
    path = _video(videos, "mp4")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        probe_video(path)
        list(iter_video_frames(path))
        frames = iter_video_frames(path)
        next(frames)
        frames.close()
        with pytest.raises(DecodeError):
            probe_video(path.with_name("missing.mp4"))
        gc.collect()
    leaks = [w for w in caught if issubclass(w.category, ResourceWarning)]
    assert not leaks, [str(w.message) for w in leaks]
    if os.path.isdir("/proc/self/fd"):
        before = len(os.listdir("/proc/self/fd"))
        for _ in range(5):
            probe_video(path)
        assert len(os.listdir("/proc/self/fd")) <= before
