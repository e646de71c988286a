"""Benchmark: recall per re-posting transform and false matches: plain PDQ, a case, and scan.

Originals: scikit-image's sample photos (grey ones made RGB; ``cat`` is left out, it is the
same photo as ``chelsea``), the face photos in ``../shared/testdata/faces`` (read in place,
never copied; skipped if absent) and ~10 generated images (smooth shapes, gradients, noise
textures). An original is used if its PDQ quality is at least 50 (lower is never matched).
Unrelated photos (negatives): scikit-image ``logo`` and ``clock`` and generated images from
another seed; each goes through every transform too, and any match of theirs is false.

Every transform is applied to every original and saved as a suspect file in a temp folder
(JPEG quality 90, as platforms re-encode; the JPEG transform at quality 30, re-render at 70;
the phone screenshot as PNG; the identity suspect is the original file itself).

Methods, all at the exchange threshold (PDQ distance <= 31, quality >= 50 on both sides;
never changed here):

1. plain PDQ: PIL full decode + ``pdqhash.compute`` of suspect and original, one hash each;
2. in case: the suspect hashed with role ``suspect`` against every stored PDQ of the original
   (role ``original``), or else local-feature verification (``features.verify``), as
   ``match_case`` does;
3. scan, list with variants: the originals exported as ``hashlist export`` writes them
   (canonical line + tagged variants, ``picture_variants``), written as pytx and parsed
   back; the suspect hashed with role ``scan`` and matched with ``ListMatcher`` as
   ``ncii-desk scan`` does. A match counts for the original its ``original`` field names;
4. scan, canonical-only list: the same with ``--canonical-only`` (one hash per picture).

False matches: every suspect against every *other* original, except known duplicates (none
in this set since ``cat`` is excluded) and the tiles actually placed in a collage; every
match of a negative. The chirac1-4 faces are different photos of one person, so a match
between them is false. Wrong original: a list match whose named original is not the one
whose hashes contain the matched value.

Timings are printed, never asserted. Usage::

    python bench/robustness.py [--generated 10] [--negatives 8] [--faces DIR] [--markdown]
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import shlex
import shutil
import statistics
import sys
import tempfile
import time
import warnings
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pdqhash
from benchmachine import busy_cpu_seconds, cpu_model, load_average, other_load, own_cpu_seconds
from PIL import Image

from ncii_desk.hashing import features as lf
from ncii_desk.hashing import perceptual as ph
from ncii_desk.hashing.defaults import PDQ_DEFAULT_THRESHOLD, PDQ_MIN_QUALITY
from ncii_desk.hashing.lists import HashEntry, parse_hash_list, write_pytx
from ncii_desk.hashing.matcher import ListMatcher, pairwise_distances
from ncii_desk.hashing.pipeline import FileHashes, HashValue, hash_file
from ncii_desk.services.hashlists import picture_variants

THRESHOLD = PDQ_DEFAULT_THRESHOLD
SUSPECT_JPEG_QUALITY = 90
DEFAULT_FACES = Path(__file__).resolve().parents[2] / "shared" / "testdata" / "faces"
#: scikit-image samples used as originals. ``cat`` is not used: it is ``chelsea``.
SAMPLE_NAMES = (
    "astronaut",
    "coffee",
    "chelsea",
    "rocket",
    "camera",
    "hubble_deep_field",
    "immunohistochemistry",
    "retina",
    "horse",
    "coins",
    "moon",
    "brick",
    "grass",
    "gravel",
    "colorwheel",
    "page",
    "text",
)
#: Pairs of originals that show the same picture (excluded from false-match counting).
DUPLICATES = {frozenset({"sk:cat", "sk:chelsea"})}

Pixels = np.ndarray

_quiet = False


def log(msg: str) -> None:
    print(msg, file=sys.stderr if _quiet else sys.stdout, flush=True)


# --- machine -----------------------------------------------------------------------------


def machine_info() -> list[tuple[str, str]]:
    from importlib.metadata import version

    libs = ", ".join(
        f"{n} {version(n)}"
        for n in ("numpy", "Pillow", "opencv-python-headless", "pdqhash", "scikit-image")
    )
    return [
        ("Platform", platform.platform()),
        ("CPU", cpu_model()),
        ("Cores", str(os.cpu_count())),
        ("Python", f"{platform.python_implementation()} {platform.python_version()}"),
        ("Libraries", libs),
        ("OpenCV threads (cv2.getNumThreads, default)", str(cv2.getNumThreads())),
        ("Load average at start (1/5/15 min)", load_average()),
    ]


# --- originals ---------------------------------------------------------------------------


@dataclass
class Original:
    name: str
    path: Path
    pixels: Pixels  # RGB, as our loader sees it (full size)


def to_rgb(img: np.ndarray) -> Pixels:
    if img.dtype == bool:
        img = img.astype(np.uint8) * 255
    if img.dtype != np.uint8:
        img = np.clip(img, 0, 255).astype(np.uint8)
    if img.ndim == 2:
        img = np.dstack([img] * 3)
    return np.ascontiguousarray(img[:, :, :3])


def save_png(pixels: Pixels, path: Path) -> Path:
    Image.fromarray(pixels).save(path, "PNG", compress_level=1)
    return path


def generated_image(kind: int, rng: np.random.Generator) -> Pixels:
    """Benign synthetic pictures: shapes on gradients, smooth noise, fractal noise, waves."""
    h, w = [(480, 640), (600, 800), (800, 600), (512, 512)][int(rng.integers(4))]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    if kind == 0:  # gradient background with random filled shapes, slightly blurred
        c0, c1 = rng.integers(0, 256, 3), rng.integers(0, 256, 3)
        t = ((xx / w) * rng.uniform(0.2, 1) + (yy / h) * rng.uniform(0.2, 1))[..., None]
        img = (c0 + (c1 - c0) * t / t.max()).astype(np.uint8)
        img = np.ascontiguousarray(img)
        for _ in range(int(rng.integers(8, 16))):
            color = tuple(int(c) for c in rng.integers(0, 256, 3))
            cx, cy = int(rng.integers(0, w)), int(rng.integers(0, h))
            shape = int(rng.integers(3))
            if shape == 0:
                axes = (int(rng.integers(20, w // 3)), int(rng.integers(20, h // 3)))
                cv2.ellipse(img, (cx, cy), axes, float(rng.uniform(0, 180)), 0, 360, color, -1)
            elif shape == 1:
                x2, y2 = cx + int(rng.integers(30, w // 2)), cy + int(rng.integers(30, h // 2))
                cv2.rectangle(img, (cx, cy), (x2, y2), color, -1)
            else:
                pts = rng.integers(0, [w, h], (int(rng.integers(3, 7)), 2)).astype(np.int32)
                cv2.fillPoly(img, [pts], color)
        return cv2.GaussianBlur(img, (0, 0), 1.5)
    if kind == 1:  # smooth colour noise: a coarse random grid, upsampled
        g = int(rng.integers(6, 16))
        small = rng.integers(0, 256, (g, g, 3)).astype(np.uint8)
        return cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC)
    if kind == 2:  # fractal noise (octaves of upsampled noise) between a dark and a light tint
        acc = np.zeros((h, w), np.float32)
        for octave in range(5):
            g = 6 * 2**octave
            coarse = rng.random((g, g)).astype(np.float32)
            acc += cv2.resize(coarse, (w, h), interpolation=cv2.INTER_CUBIC) * 0.6**octave
        acc = (acc - acc.min()) / (acc.max() - acc.min())
        dark, light = rng.uniform(0, 80, 3), rng.uniform(175, 255, 3)
        return (dark + (light - dark) * acc[..., None]).astype(np.uint8)
    # waves: sums of oriented sinusoids per channel
    img = np.zeros((h, w, 3), np.float32)
    for ch in range(3):
        for _ in range(3):
            a, f = rng.uniform(0, np.pi), rng.uniform(2, 12) * 2 * np.pi / max(h, w)
            img[..., ch] += np.sin(f * (xx * np.cos(a) + yy * np.sin(a)) + rng.uniform(0, 6))
    img = (img - img.min()) / (img.max() - img.min()) * 255
    return img.astype(np.uint8)


def build_originals(work: Path, faces: Path | None, generated: int, seed: int) -> list[Original]:
    import skimage.data

    out = []
    for name in SAMPLE_NAMES:
        pixels = to_rgb(np.asarray(getattr(skimage.data, name)()))
        out.append(Original(f"sk:{name}", save_png(pixels, work / f"sk-{name}.png"), pixels))
    if faces is not None and faces.is_dir():
        for path in sorted([*faces.glob("*.jpg"), *faces.glob("*.png")]):
            from ncii_desk.media.loader import load_image

            pixels = load_image(path).pixels  # EXIF-upright, transparency on white
            out.append(Original(f"face:{path.stem}", path, pixels))
    else:
        log(f"Face photos not found at {faces}; continuing without them.")
    rng = np.random.default_rng(seed)
    kinds = ("shapes", "smooth", "fractal", "waves")
    for i in range(generated):
        pixels = generated_image(i % 4, rng)
        name = f"gen:{kinds[i % 4]}-{i}"
        out.append(Original(name, save_png(pixels, work / f"gen-{i}.png"), pixels))
    return out


# --- transforms --------------------------------------------------------------------------


@dataclass
class Suspect:
    transform: str
    original: int
    path: Path
    tiles: set[int] = field(default_factory=set)  # other originals placed in a collage


def _fit(img: Pixels, w: int, h: int) -> Pixels:
    """Resize to fit within w x h, keeping the aspect ratio."""
    ih, iw = img.shape[:2]
    s = min(w / iw, h / ih)
    size = (max(1, round(iw * s)), max(1, round(ih * s)))
    return cv2.resize(img, size, interpolation=cv2.INTER_AREA if s < 1 else cv2.INTER_CUBIC)


def _cover(img: Pixels, w: int, h: int) -> Pixels:
    """Resize to cover w x h and crop the centre."""
    ih, iw = img.shape[:2]
    s = max(w / iw, h / ih)
    size = (max(w, round(iw * s)), max(h, round(ih * s)))
    big = cv2.resize(img, size, interpolation=cv2.INTER_AREA if s < 1 else cv2.INTER_CUBIC)
    y, x = (big.shape[0] - h) // 2, (big.shape[1] - w) // 2
    return np.ascontiguousarray(big[y : y + h, x : x + w])


def _crop(img: Pixels, share: float, anchor: str = "centre") -> Pixels:
    h, w = img.shape[:2]
    ch, cw = round(h * share), round(w * share)
    top, left = ((h - ch) // 2, (w - cw) // 2) if anchor == "centre" else (0, 0)
    return np.ascontiguousarray(img[top : top + ch, left : left + cw])


def _text(img: Pixels, text: str, org: tuple[int, int], scale: float, color: Any, th: int = 2):
    cv2.putText(img, text, org, cv2.FONT_HERSHEY_SIMPLEX, scale, color, th, cv2.LINE_AA)


def rotate(img: Pixels, degrees: float) -> Pixels:
    h, w = img.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    return cv2.warpAffine(img, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=(0, 0, 0))


def letterbox(img: Pixels) -> Pixels:
    """Black bars to a square canvas (10 % all round if already square)."""
    h, w = img.shape[:2]
    side = max(h, w) if h != w else round(h * 1.2)
    top, left = (side - h) // 2, (side - w) // 2
    return cv2.copyMakeBorder(
        img, top, side - h - top, left, side - w - left, cv2.BORDER_CONSTANT, value=(0, 0, 0)
    )


def screenshot(img: Pixels, dark: bool) -> Pixels:
    """A phone screenshot (720x1560) of a social-media post showing the image."""
    w, h = 720, 1560
    bg, fg = ((18, 18, 18), (235, 235, 235)) if dark else ((255, 255, 255), (20, 20, 20))
    canvas = np.full((h, w, 3), bg, np.uint8)
    status, header, nav = 56, 110, 96
    _text(canvas, "9:41", (28, 40), 0.9, fg)
    _text(canvas, "5G  87%", (540, 40), 0.8, fg)
    cv2.rectangle(canvas, (660, 20), (700, 40), fg, 2)
    cv2.circle(canvas, (60, status + header // 2), 34, (120, 150, 200), -1)
    _text(canvas, "@someone_posted", (110, status + 50), 0.9, fg)
    _text(canvas, "2h  . Public", (110, status + 88), 0.7, (128, 128, 128))
    top = status + header
    room = h - top - nav - 220
    pic = _fit(img, w, room)  # shown at full width (small pictures are enlarged)
    ph_, pw = pic.shape[:2]
    left = (w - pw) // 2
    canvas[top : top + ph_, left : left + pw] = pic
    y = top + ph_ + 50
    _text(canvas, "<3  1,024    [] 87    -> Share", (28, y), 0.9, fg)
    _text(canvas, "someone_posted look at this one lol", (28, y + 50), 0.8, fg)
    _text(canvas, "View all 87 comments", (28, y + 95), 0.7, (128, 128, 128))
    cv2.rectangle(canvas, (0, h - nav), (w, h), (0, 0, 0), -1)
    for cx in (180, 360, 540):
        cv2.circle(canvas, (cx, h - nav // 2), 16, (200, 200, 200), 2)
    return canvas


def caption_above(img: Pixels) -> Pixels:
    h, w = img.shape[:2]
    bar = max(60, round(h * 0.22))
    canvas = np.full((h + bar, w, 3), 255, np.uint8)
    canvas[bar:] = img
    text = "when the weekend finally arrives"
    scale = max(0.4, w / 900)
    (tw, th), _ = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, 2)
    _text(canvas, text, (max(4, (w - tw) // 2), (bar + th) // 2), scale, (0, 0, 0))
    return canvas


def collage(img: Pixels, others: list[Pixels], position: int) -> Pixels:
    """2x2 grid with white gutters; the original at ``position``, others cover-cropped."""
    ih, iw = img.shape[:2]
    cw = 400
    chh = max(120, min(600, round(cw * ih / iw)))
    gap = 8
    tiles = [_cover(o, cw, chh) for o in others]
    tiles.insert(position, _cover(img, cw, chh))
    canvas = np.full((2 * chh + 3 * gap, 2 * cw + 3 * gap, 3), 255, np.uint8)
    for k, tile in enumerate(tiles):
        r, c = divmod(k, 2)
        y, x = gap + r * (chh + gap), gap + c * (cw + gap)
        canvas[y : y + chh, x : x + cw] = tile
    return canvas


def brightness_contrast(img: Pixels) -> Pixels:
    return cv2.convertScaleAbs(img, alpha=1.2, beta=25)


def tone_gamma(img: Pixels) -> Pixels:
    """A filter look: gamma 0.7, warmer (red up, blue down), contrast 1.1."""
    x = (img.astype(np.float32) / 255.0) ** 0.7
    x = x * np.array([1.08, 1.0, 0.9], np.float32)
    x = (x - 0.5) * 1.1 + 0.5
    return np.clip(x * 255, 0, 255).astype(np.uint8)


def noise(img: Pixels, i: int) -> Pixels:
    rng = np.random.default_rng(1000 + i)
    return np.clip(img.astype(np.float32) + rng.normal(0, 10, img.shape), 0, 255).astype(np.uint8)


def watermark(img: Pixels) -> Pixels:
    """A semi-transparent text mark across the middle and a logo box in a corner."""
    h, w = img.shape[:2]
    layer = img.copy()
    scale = max(0.6, w / 500)
    _text(layer, "@reposter_account", (w // 10, h // 2), scale, (255, 255, 255), max(2, w // 300))
    box = (w - w // 5, h - h // 8, w - w // 40, h - h // 40)
    cv2.rectangle(layer, box[:2], box[2:], (255, 255, 255), -1)
    _text(layer, "XYZ", (box[0] + 4, box[3] - 6), scale * 0.7, (0, 0, 0))
    return cv2.addWeighted(layer, 0.45, img, 0.55, 0)


def rerender(img: Pixels) -> Pixels:
    """Redrawn by an app: down to 60 %, back up (bicubic), sharpened; saved at JPEG 70."""
    h, w = img.shape[:2]
    small = cv2.resize(img, (max(1, w * 3 // 5), max(1, h * 3 // 5)), interpolation=cv2.INTER_AREA)
    up = cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC)
    soft = cv2.GaussianBlur(up, (0, 0), 1.0)
    return cv2.addWeighted(up, 1.6, soft, -0.6, 0)


def scale(img: Pixels, share: float) -> Pixels:
    h, w = img.shape[:2]
    size = (max(1, round(w * share)), max(1, round(h * share)))
    return cv2.resize(img, size, interpolation=cv2.INTER_AREA)


_OFFSETS = [(0.0, 0.0), (1.0, 0.0), (0.0, 1.0), (1.0, 1.0), (0.5, 0.0), (0.0, 0.5)]


def off_centre(img: Pixels, share: float, i: int, random: bool) -> Pixels:
    """A crop of ``share`` of each side, off the centre: at a corner or side (cycling by
    original), or at a random place (seeded by the original's number)."""
    h, w = img.shape[:2]
    ch, cw = round(h * share), round(w * share)
    if random:
        rng = np.random.default_rng(2000 + i)
        fx, fy = rng.uniform(0, 1, 2)
    else:
        fx, fy = _OFFSETS[i % len(_OFFSETS)]
    top, left = round((h - ch) * fy), round((w - cw) * fx)
    return np.ascontiguousarray(img[top : top + ch, left : left + cw])


def random_crop(img: Pixels, i: int) -> Pixels:
    """A crop of 75-85 % of each side (one share for both), at a random place (seeded by
    the original's number)."""
    rng = np.random.default_rng(3000 + i)
    share, fx, fy = rng.uniform(0.75, 0.85), *rng.uniform(0, 1, 2)
    h, w = img.shape[:2]
    ch, cw = round(h * share), round(w * share)
    top, left = round((h - ch) * fy), round((w - cw) * fx)
    return np.ascontiguousarray(img[top : top + ch, left : left + cw])


def grey(img: Pixels) -> Pixels:
    return cv2.cvtColor(cv2.cvtColor(img, cv2.COLOR_RGB2GRAY), cv2.COLOR_GRAY2RGB)


def blur(img: Pixels) -> Pixels:
    sigma = max(1.5, max(img.shape[:2]) / 400)
    return cv2.GaussianBlur(img, (0, 0), sigma)


def half(img: Pixels) -> Pixels:
    h, w = img.shape[:2]
    return cv2.resize(img, (max(1, w // 2), max(1, h // 2)), interpolation=cv2.INTER_AREA)


#: name -> (function of (pixels, index, originals) -> (pixels, placed tiles), file format)
Transform = Callable[[Pixels, int, list[Original]], tuple[Pixels, set[int]]]
TRANSFORMS: dict[str, tuple[Transform, str]] = {
    "JPEG q=30": (lambda p, i, o: (p, set()), "jpeg30"),
    "scale 25 %": (lambda p, i, o: (scale(p, 0.25), set()), "jpeg"),
    "centre crop 90 %": (lambda p, i, o: (_crop(p, 0.9), set()), "jpeg"),
    "centre crop 75 %": (lambda p, i, o: (_crop(p, 0.75), set()), "jpeg"),
    "off-centre crop 80 % (corner/side)": (
        lambda p, i, o: (off_centre(p, 0.8, i, False), set()),
        "jpeg",
    ),
    "off-centre crop 80 % (random place)": (
        lambda p, i, o: (off_centre(p, 0.8, i, True), set()),
        "jpeg",
    ),
    "off-centre crop 75-85 % (random size and place)": (
        lambda p, i, o: (random_crop(p, i), set()),
        "jpeg",
    ),
    "mirror": (lambda p, i, o: (np.ascontiguousarray(p[:, ::-1]), set()), "jpeg"),
    "rotate +5°": (lambda p, i, o: (rotate(p, 5.0), set()), "jpeg"),
    "rotate -5°": (lambda p, i, o: (rotate(p, -5.0), set()), "jpeg"),
    "rotate 90°": (lambda p, i, o: (np.ascontiguousarray(np.rot90(p)), set()), "jpeg"),
    "letterbox (black bars)": (lambda p, i, o: (letterbox(p), set()), "jpeg"),
    "phone screenshot (status bar)": (
        lambda p, i, o: (screenshot(p, dark=i % 2 == 1), set()),
        "png",
    ),
    "caption bar above": (lambda p, i, o: (caption_above(p), set()), "jpeg"),
    "watermark": (lambda p, i, o: (watermark(p), set()), "jpeg"),
    "tone/gamma": (lambda p, i, o: (tone_gamma(p), set()), "jpeg"),
    "grey-scale": (lambda p, i, o: (grey(p), set()), "jpeg"),
    "brightness/contrast": (lambda p, i, o: (brightness_contrast(p), set()), "jpeg"),
    "blur": (lambda p, i, o: (blur(p), set()), "jpeg"),
    "noise": (lambda p, i, o: (noise(p, i), set()), "jpeg"),
    "collage 2x2": (None, "jpeg"),  # type: ignore[dict-item]  # built in make_suspects
    "re-render": (lambda p, i, o: (rerender(p), set()), "jpeg70"),
}
#: Transforms applied to the unrelated photos (negatives): every one, as for originals.
IDENTITY = "identity (the original file)"


def collage_tiles(i: int, originals: list[Original]) -> list[int]:
    """Three other originals, not duplicates of ``i``, chosen deterministically."""
    n = len(originals)
    out: list[int] = []
    step = 1
    while len(out) < 3 and step < n:
        j = (i + step * 5) % n
        pair = frozenset({originals[i].name, originals[j].name})
        if j != i and j not in out and pair not in DUPLICATES:
            out.append(j)
        step += 1
    return out


def make_suspects(
    work: Path, originals: list[Original], negatives: list[Original] | None = None
) -> list[Suspect]:
    """Every transform of every original; with ``negatives``, every transform of those
    unrelated photos instead (suspect.original -1: any match of theirs is false)."""
    out = []
    folder = work / ("negatives" if negatives else "suspects")
    folder.mkdir()
    for i, orig in enumerate(negatives or originals):
        own = -1 if negatives else i
        out.append(Suspect(IDENTITY, own, orig.path))
        for t, (name, (fn, fmt)) in enumerate(TRANSFORMS.items()):
            if name == "collage 2x2" and negatives:
                pixels = collage(orig.pixels, [n.pixels for n in negatives[:3]], i % 4)
                placed: set[int] = set()
            elif name == "collage 2x2":
                tiles = collage_tiles(i, originals)
                pixels = collage(orig.pixels, [originals[j].pixels for j in tiles], i % 4)
                placed = set(tiles)
            else:
                pixels, placed = fn(orig.pixels, i, originals)
            path = folder / f"o{i:02d}-t{t:02d}.{'png' if fmt == 'png' else 'jpg'}"
            image = Image.fromarray(np.ascontiguousarray(pixels))
            if fmt == "png":
                image.save(path, "PNG", compress_level=1)
            else:
                quality = {"jpeg30": 30, "jpeg70": 70}.get(fmt, SUSPECT_JPEG_QUALITY)
                image.save(path, "JPEG", quality=quality)
            out.append(Suspect(name, own, path, placed))
    return out


def build_negatives(work: Path, generated: int, seed: int) -> list[Original]:
    """Unrelated photos: scikit-image samples not used as originals and generated images
    from another seed."""
    import skimage.data

    out = []
    for name in ("logo", "clock"):
        pixels = to_rgb(np.asarray(getattr(skimage.data, name)()))
        out.append(Original(f"neg:{name}", save_png(pixels, work / f"neg-{name}.png"), pixels))
    rng = np.random.default_rng(seed + 1000)
    for i in range(generated):
        pixels = generated_image(i % 4, rng)
        out.append(Original(f"neg:gen-{i}", save_png(pixels, work / f"neg-gen-{i}.png"), pixels))
    return out


# --- hashing and matching ----------------------------------------------------------------


def plain_pdq(path: Path) -> tuple[str, int]:
    vector, quality = pdqhash.compute(np.asarray(Image.open(path).convert("RGB")))
    return ph.bits_to_hex(vector), int(quality)


def usable_pdq(fh: FileHashes) -> list[str]:
    return [v.value for v in fh.all_pdq() if v.quality is None or v.quality >= PDQ_MIN_QUALITY]


def checked(fh: FileHashes) -> FileHashes:
    if fh.error:
        raise RuntimeError(f"{fh.path}: {fh.error}")
    return fh


@dataclass
class Outcome:
    plain: set[int] = field(default_factory=set)  # originals matched
    ours_hash: set[int] = field(default_factory=set)
    ours_case: set[int] = field(default_factory=set)
    scan_full: set[int] = field(default_factory=set)  # named by a list with variants
    scan_canon: set[int] = field(default_factory=set)  # named by a canonical-only list
    wrong_named: int = 0  # list matches whose named original did not make the matched hash
    best_hash: dict[int, int] = field(default_factory=dict)  # original -> min distance
    plain_dist: dict[int, int] = field(default_factory=dict)  # original -> plain distance
    inliers: dict[int, int] = field(default_factory=dict)  # original -> verified inliers
    weak: int = 0  # list matches by the weaker method (pHash of a low-texture picture)
    t_plain: float = 0.0
    t_hash: float = 0.0
    t_case: float = 0.0
    t_scan: float = 0.0
    verify_calls: int = 0


@dataclass
class Lists:
    """The originals exported as hash lists (pytx text, read back), and who made what."""

    full: ListMatcher
    canon: ListMatcher
    picture: dict[str, int]  # canonical PDQ -> original
    makers: dict[str, set[int]]  # any listed value -> originals whose hashes include it
    lines_full: int
    lines_canon: int


def build_lists(hashed: list[FileHashes]) -> Lists:
    """As ``hashlist export`` writes them: canonical line per picture, then its tagged
    variants (``picture_variants``); written as pytx and parsed back, so the format's
    round trip is part of what is measured."""
    canon: list[HashEntry] = []
    variants: list[HashEntry] = []
    seen: set[tuple[str, str]] = set()
    picture: dict[str, int] = {}
    makers: dict[str, set[int]] = defaultdict(set)
    for j, h in enumerate(hashed):
        assert h.pdq is not None
        canon.append(HashEntry("pdq", h.pdq, h.pdq_quality))
        seen.add(("pdq", h.pdq))
        picture[h.pdq] = j
        for v in [HashValue("pdq", h.pdq), *h.variants, HashValue("phash", h.phash or "")]:
            makers[v.value].add(j)
    for h in hashed:
        records = [(v.kind, v.value, v.quality, v.variant) for v in h.variants]
        assert h.pdq is not None
        variants += picture_variants(h.pdq, h.pdq_quality, records, h.phash, "", seen)

    def parsed(entries: list[HashEntry]) -> tuple[ListMatcher, int]:
        buf = io.StringIO()
        lines = write_pytx(entries, buf, keep_low_quality=True)
        result = parse_hash_list(buf.getvalue())
        assert not result.errors and len(result.entries) == lines
        return ListMatcher([("list", result.entries)]), lines

    full, n_full = parsed(canon + variants)
    only, n_canon = parsed(canon)
    return Lists(full, only, picture, makers, n_full, n_canon)


def evaluate(
    sus: Suspect,
    originals: list[Original],
    plain_orig: list[tuple[str, int]],
    ours_orig: list[list[str]],
    feats_orig: list[dict[str, Any] | None],
    lists: Lists,
) -> Outcome:
    out = Outcome()
    n = len(originals)

    t0 = time.perf_counter()
    hx, q = plain_pdq(sus.path)
    if q >= PDQ_MIN_QUALITY:
        for j, (ohx, oq) in enumerate(plain_orig):
            if oq >= PDQ_MIN_QUALITY:
                out.plain_dist[j] = ph.hamming_hex(hx, ohx)
                if out.plain_dist[j] <= THRESHOLD:
                    out.plain.add(j)
    out.t_plain = time.perf_counter() - t0

    # ours-hash: role "scan" against every stored PDQ of each original
    t0 = time.perf_counter()
    scan = checked(hash_file(sus.path, "scan"))
    svals = usable_pdq(scan)
    for j in range(n):
        if svals and ours_orig[j]:
            d = int(pairwise_distances(svals, ours_orig[j]).min())
            out.best_hash[j] = d
            if d <= THRESHOLD:
                out.ours_hash.add(j)
    out.t_hash = time.perf_counter() - t0

    # scan: the same suspect hashes against the exported lists (what `ncii-desk scan` does)
    t0 = time.perf_counter()
    for matcher, found in ((lists.full, out.scan_full), (lists.canon, out.scan_canon)):
        for m in matcher.match(scan):
            named = lists.picture.get(m.original)
            if named is None:
                raise RuntimeError(f"a list match names no exported picture: {m}")
            found.add(named)
            if named not in lists.makers.get(m.matched_value, set()):
                out.wrong_named += 1
            out.weak += m.method == "phash-weak" and matcher is lists.full
    out.t_scan = time.perf_counter() - t0

    # ours-case: role "suspect" (same PDQs plus local features); verify where hashes miss
    t0 = time.perf_counter()
    full = checked(hash_file(sus.path, "suspect"))
    svals = usable_pdq(full)
    sfeat = lf.Features.from_json(full.features) if full.features else None
    for j in range(n):
        if (
            svals
            and ours_orig[j]
            and int(pairwise_distances(svals, ours_orig[j]).min()) <= THRESHOLD
        ):
            out.ours_case.add(j)
            continue
        if sfeat is not None and feats_orig[j] is not None:
            out.verify_calls += 1
            check = lf.verify(sfeat, lf.Features.from_json(feats_orig[j]))
            if check.matched:
                out.ours_case.add(j)
                out.inliers[j] = check.inliers
    out.t_case = time.perf_counter() - t0
    return out


# --- report ------------------------------------------------------------------------------


@dataclass
class Row:
    transform: str
    n: int = 0
    hits: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    false: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    pairs: int = 0
    neg_pairs: int = 0  # pairs of unrelated photos (negatives) with originals
    wrong_named: int = 0
    misses: list[str] = field(default_factory=list)  # originals scan (full list) missed
    own_plain: list[int] = field(default_factory=list)  # distances to the own original
    own_hash: list[int] = field(default_factory=list)
    false_pairs: list[str] = field(default_factory=list)


METHOD_KEYS = ("plain", "ours_case", "scan_full", "scan_canon")
METHOD_NAMES = {
    "plain": "plain PDQ",
    "ours_case": "in case",
    "scan_full": "scan, list with variants",
    "scan_canon": "scan, canonical-only list",
}


def pct(k: int, n: int) -> str:
    return f"{k}/{n} ({100 * k / n:.0f} %)" if n else "-"


def med(values: list[int]) -> str:
    return f"{statistics.median(values):.0f}" if values else "-"


def render(
    rows: list[Row],
    originals: list[Original],
    negatives: list[Original],
    excluded: list[str],
    outcomes: list[Outcome],
    notes: list[str],
    machine: list[tuple[str, str]],
    command: str,
    date: str,
    elapsed: float,
    lists: Lists,
) -> str:
    lines = ["## Robustness: recall per transform and false matches", "", f"Date (UTC): {date}"]
    lines += ["", "Machine:", ""] + [f"- {k}: {v}" for k, v in machine]
    lines += ["", "Command:", "", "```", command, "```", ""]
    kinds: dict[str, int] = defaultdict(int)
    for o in originals:
        kinds[o.name.split(":")[0]] += 1
    lines.append(
        f"Originals: {len(originals)} ({kinds['sk']} scikit-image samples, {kinds['face']} "
        f"face photos, {kinds['gen']} generated); unrelated photos (negatives): "
        f"{len(negatives)}, each put through every transform. Threshold: PDQ distance ≤ "
        f"{THRESHOLD}, quality ≥ {PDQ_MIN_QUALITY} on both sides. Suspects are JPEG "
        f"q={SUSPECT_JPEG_QUALITY} (JPEG transform q=30, re-render q=70; screenshot PNG). "
        f"Exported lists (pytx, read back): {lists.lines_full} lines with variants, "
        f"{lists.lines_canon} canonical-only."
    )
    if excluded:
        lines.append(f"Left out (PDQ quality < {PDQ_MIN_QUALITY}): {', '.join(excluded)}.")
    head = " | ".join(f"{METHOD_NAMES[k]} recall" for k in METHOD_KEYS)
    lines += ["", f"| Transform | {head} | false pairs (plain / case / scan / scan canon.) |"]
    lines[-1] += " median distance to own original, plain / ours-hash |"
    lines.append("|---|" + "---:|" * (len(METHOD_KEYS) + 2))
    total = Row("**pooled (identity excluded)**")
    for row in rows:
        cells = " | ".join(pct(row.hits[k], row.n) for k in METHOD_KEYS)
        false = " / ".join(str(row.false[k]) for k in METHOD_KEYS)
        lines.append(
            f"| {row.transform} | {cells} | {false} | {med(row.own_plain)} / {med(row.own_hash)} |"
        )
        if row.transform != IDENTITY:
            total.n += row.n
            for k in METHOD_KEYS:
                total.hits[k] += row.hits[k]
        total.pairs += row.pairs + row.neg_pairs
        total.wrong_named += row.wrong_named
        for k in METHOD_KEYS:
            total.false[k] += row.false[k]
    cells = " | ".join(pct(total.hits[k], total.n) for k in METHOD_KEYS)
    false = " / ".join(str(total.false[k]) for k in METHOD_KEYS)
    lines.append(f"| {total.transform} | {cells} | {false} of {total.pairs} pairs | |")
    # goals
    per = [r for r in rows if r.transform != IDENTITY and r.n]
    worst = min(per, key=lambda r: r.hits["scan_full"] / r.n)
    rate = total.false["scan_full"] / max(1, total.pairs)
    lines += [
        "",
        "Goals (scan against the list with variants):",
        "",
        "| Goal | measured |",
        "|---|---|",
        f"| pooled recall ≥ 95 % | {pct(total.hits['scan_full'], total.n)} |",
        f"| every transform ≥ 80 % | lowest: {worst.transform} "
        f"{pct(worst.hits['scan_full'], worst.n)} |",
        f"| false-match rate ≤ 0.1 % | {total.false['scan_full']} of {total.pairs} pairs "
        f"({100 * rate:.3f} %) |",
        f"| wrong-original rate 0 | {total.wrong_named} list matches named an original whose "
        "hashes do not include the matched hash |",
    ]
    ms = 1000
    calls = statistics.mean(o.verify_calls for o in outcomes)
    lines += ["", f"Time per suspect, matched against all {len(originals)} originals "]
    lines[-1] += "(hashing the suspect file included; originals hashed once beforehand):"
    lines += ["", "| Method | mean | median | max |", "|---|---:|---:|---:|"]
    for name, ts in (
        ("plain PDQ (PIL full decode + pdqhash)", [o.t_plain for o in outcomes]),
        ("role scan hashing + pairwise_distances", [o.t_hash for o in outcomes]),
        ("scan matching against both lists (hashing not included)", [o.t_scan for o in outcomes]),
        (
            f"in case (role suspect + hashes + {calls:.1f} verify calls on average)",
            [o.t_case for o in outcomes],
        ),
    ):
        lines.append(
            f"| {name} | {statistics.mean(ts) * ms:.1f} ms | "
            f"{statistics.median(ts) * ms:.1f} ms | {max(ts) * ms:.1f} ms |"
        )
    lines += ["", f"Whole run: {elapsed:.0f} s.", ""] + [f"- {n}" for n in notes]
    lines += ["", "Misses of scan (list with variants), by transform:", ""]
    for row in rows:
        if row.misses:
            lines.append(f"- {row.transform}: {', '.join(row.misses)}")
    if not any(row.misses for row in rows):
        lines.append("- none")
    lines += ["", "False matches (suspect ← transform → matched original, method):", ""]
    found = False
    for row in rows:
        for fp in row.false_pairs:
            lines.append(f"- {row.transform}: {fp}")
            found = True
    if not found:
        lines.append("- none")
    return "\n".join(lines) + "\n"


def tally(
    row: Row,
    sus: Suspect,
    out: Outcome,
    originals: list[Original],
    negatives: list[Original],
) -> None:
    is_negative = sus.original < 0
    name = "unrelated photo" if is_negative else originals[sus.original].name
    row.wrong_named += out.wrong_named
    if not is_negative:
        row.n += 1
    for key in METHOD_KEYS:
        matched: set[int] = getattr(out, key)
        if not is_negative:
            row.hits[key] += sus.original in matched
        for j in matched:
            if j == sus.original or j in sus.tiles:
                continue
            if frozenset({name, originals[j].name}) in DUPLICATES:
                continue
            row.false[key] += 1
            row.false_pairs.append(f"{name} ({sus.path.name}) → {originals[j].name} ({key})")
    if is_negative:
        row.neg_pairs += len(originals)
        return
    if sus.original in out.plain_dist:
        row.own_plain.append(out.plain_dist[sus.original])
    if sus.original in out.best_hash:
        row.own_hash.append(out.best_hash[sus.original])
    if sus.original not in out.scan_full:
        row.misses.append(f"{name} (best hash distance {out.best_hash.get(sus.original)})")
    row.pairs += sum(
        1
        for j in range(len(originals))
        if j != sus.original
        and j not in sus.tiles
        and frozenset({name, originals[j].name}) not in DUPLICATES
    )


def main(argv: list[str] | None = None) -> int:
    global _quiet
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--generated", type=int, default=10, help="generated originals")
    parser.add_argument("--negatives", type=int, default=8, help="generated unrelated photos")
    parser.add_argument("--faces", type=Path, default=DEFAULT_FACES, help="face photo folder")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--markdown", action="store_true", help="print only the Markdown section")
    args = parser.parse_args(argv)
    _quiet = args.markdown

    command = shlex.join(["python", sys.argv[0], *(sys.argv[1:] if argv is None else argv)])
    date = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    machine = machine_info()
    cpu_start = (busy_cpu_seconds(), own_cpu_seconds(), time.perf_counter())
    work = Path(tempfile.mkdtemp(prefix="ncii-robust-"))
    overall = time.perf_counter()
    qualities: dict[str, int] = {}
    tile_hits: dict[str, int] = defaultdict(int)
    tiles_placed = 0
    weak = 0
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            candidates = build_originals(work, args.faces, args.generated, args.seed)
            originals, excluded = [], []
            for o in candidates:
                q = checked(hash_file(o.path, "plain")).pdq_quality or 0
                qualities[o.name] = q
                (originals if q >= PDQ_MIN_QUALITY else excluded).append(o)
                if q < PDQ_MIN_QUALITY:
                    log(f"  leaving out {o.name}: PDQ quality {q}")
            excluded_names = [f"{o.name}" for o in excluded]
            log(f"{len(originals)} originals; hashing them (role original) ...")
            plain_orig = [plain_pdq(o.path) for o in originals]
            hashed = [checked(hash_file(o.path, "original")) for o in originals]
            ours_orig = [usable_pdq(h) for h in hashed]
            feats_orig = [h.features for h in hashed]
            lists = build_lists(hashed)
            negatives = build_negatives(work, args.negatives, args.seed)
            suspects = make_suspects(work, originals) + make_suspects(work, originals, negatives)
            log(f"{len(suspects)} suspects; matching ...")
            rows: dict[str, Row] = {}
            outcomes = []
            for k, sus in enumerate(suspects):
                out = evaluate(sus, originals, plain_orig, ours_orig, feats_orig, lists)
                outcomes.append(out)
                weak += out.weak
                row = rows.setdefault(sus.transform, Row(sus.transform))
                tally(row, sus, out, originals, negatives)
                if sus.tiles:
                    tiles_placed += len(sus.tiles)
                    for key in METHOD_KEYS:
                        tile_hits[key] += len(getattr(out, key) & sus.tiles)
                if (k + 1) % 50 == 0:
                    log(f"  {k + 1}/{len(suspects)} suspects")
        finally:
            shutil.rmtree(work, ignore_errors=True)
    elapsed = time.perf_counter() - overall
    log(f"Total benchmark time {elapsed:.0f} s; removed {work}")
    machine.append(("Load average at end (1/5/15 min)", load_average()))
    machine.append(("CPU used by other processes during the run", other_load(cpu_start)))
    order = [IDENTITY, *TRANSFORMS]
    notes = [
        "PDQ quality of the originals below 100: "
        + (", ".join(f"{k} {v}" for k, v in qualities.items() if v < 100) or "none"),
        "Collage tiles other than the original, found as well (correct matches, not "
        "counted above): "
        + ", ".join(f"{METHOD_NAMES[k]} {tile_hits[k]}" for k in METHOD_KEYS)
        + f" of {tiles_placed}.",
        f"List matches by the weaker method (pHash of a low-texture picture): {weak}.",
    ]
    counts: dict[str, int] = defaultdict(int)
    for w in caught:
        counts[f"{w.category.__name__}: {w.message}"] += 1
    notes += [f"Warning raised while hashing, {n} times: {m}" for m, n in counts.items()]
    section = render(
        [rows[t] for t in order if t in rows],
        originals,
        negatives,
        excluded_names,
        outcomes,
        notes,
        machine,
        command,
        date,
        elapsed,
        lists,
    )
    if not args.markdown:
        print()
    print(section, end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
