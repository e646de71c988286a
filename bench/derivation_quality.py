"""Benchmark: source derivation on generated edits of benign photos.

Each suspect is made from one original the way a "nudified" or face-swapped image is: a
rectangle covering 5-40 % of the picture is replaced (by a patch of another photo, a
tinted texture, or a smooth synthetic fill with noise, its edges feathered), then the image
is cropped (each side keeps 75-100 %, the edit stays mostly inside), resized (scale
0.5-1.0), sometimes colour-shifted, and JPEG-recompressed (quality 60-90), then decoded by
the product's media loader. ``find_source`` gets the suspect and every prepared original
(the true one among decoys), and must name the right original and localise the edit.

Measured: source identification accuracy; IoU of the largest altered box with the true
edited rectangle (in suspect pixels) and IoU of the altered mask with it; the reported
altered share against the true one; time per suspect with N originals; and, on unrelated
suspects (photos that are not among the originals, edited the same way), how often a
source is wrongly claimed and the largest inlier count such a pair reached.

Originals: scikit-image photos and ``../shared/testdata/faces`` (read in place, never
copied; skipped if absent). Timings are printed, never asserted. Usage::

    python bench/derivation_quality.py [--suspects 30] [--seed 7] [--markdown]
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import shlex
import statistics
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import cv2
import numpy as np
import skimage.data
from benchmachine import busy_cpu_seconds, cpu_model, load_average, other_load, own_cpu_seconds
from PIL import Image

from ncii_desk.media.loader import load_image
from ncii_desk.vision import derivation

DEFAULT_FACES = Path(__file__).resolve().parents[2] / "shared" / "testdata" / "faces"
ORIGINAL_SAMPLES = ("astronaut", "coffee", "chelsea", "rocket", "hubble_deep_field", "retina")
FACE_FILES = ("chirac1.jpg", "chirac2.jpg", "chirac3.jpg", "chirac4.jpg")
#: Photos that are never originals: pasted patches and unrelated suspects come from these.
OTHER_SAMPLES = ("immunohistochemistry", "colorwheel", "coins", "moon", "camera")
TEXTURES = ("brick", "grass", "gravel")

Box = tuple[int, int, int, int]


@dataclass
class Suspect:
    original: str | None  # None: an unrelated photo
    pixels: np.ndarray
    true_box: Box | None
    area: float
    scale: float
    quality: int
    fill: str


def rgb(img: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(np.dstack([img] * 3) if img.ndim == 2 else img[..., :3])


def load_originals(faces: Path) -> dict[str, np.ndarray]:
    out = {name: rgb(getattr(skimage.data, name)()) for name in ORIGINAL_SAMPLES}
    for f in FACE_FILES:
        if (faces / f).is_file():
            out[f] = load_image(faces / f).pixels
    return out


def synthetic_decoy(rng: np.random.Generator, side: int = 640) -> np.ndarray:
    """A generated picture (smooth colour field, shapes, lines, grain) that is no one's photo:
    extra originals to measure how the time per suspect grows with the number of originals."""
    h, w = side * 3 // 4, side
    field = cv2.resize(rng.uniform(0, 255, (6, 8, 3)).astype(np.float32), (w, h))
    img = np.ascontiguousarray(field.astype(np.uint8))
    for _ in range(int(rng.integers(15, 40))):
        colour = tuple(int(c) for c in rng.integers(0, 256, 3))
        centre = (int(rng.integers(0, w)), int(rng.integers(0, h)))
        if rng.random() < 0.5:
            axes = (int(rng.integers(5, 80)), int(rng.integers(5, 80)))
            cv2.ellipse(img, centre, axes, float(rng.uniform(0, 180)), 0, 360, colour, -1)
        else:
            end = (int(rng.integers(0, w)), int(rng.integers(0, h)))
            cv2.line(img, centre, end, colour, int(rng.integers(1, 6)))
    grain = rng.normal(0, 6, img.shape)
    return np.clip(img + grain, 0, 255).astype(np.uint8)


def fill_patch(rng: np.random.Generator, w: int, h: int, kind: str) -> np.ndarray:
    if kind == "photo":
        src = rgb(getattr(skimage.data, str(rng.choice(OTHER_SAMPLES)))())
        return cv2.resize(src, (w, h), interpolation=cv2.INTER_AREA)
    if kind == "texture":
        tex = rgb(getattr(skimage.data, str(rng.choice(TEXTURES)))()).astype(np.float32)
        tint = rng.uniform(0.5, 1.3, 3)
        return np.clip(cv2.resize(tex, (w, h)) * tint, 0, 255).astype(np.uint8)
    # smooth synthetic fill (what an inpainting model's skin or cloth often looks like)
    base = rng.uniform(60, 220, 3)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    ramp = (xx / max(w, 1) - 0.5) * rng.uniform(-60, 60) + (yy / max(h, 1) - 0.5) * rng.uniform(
        -60, 60
    )
    noise = cv2.GaussianBlur(rng.normal(0, 12, (h, w)).astype(np.float32), (0, 0), 2)
    return np.clip(base + (ramp + noise)[..., None], 0, 255).astype(np.uint8)


def make_edit(
    rng: np.random.Generator, original: np.ndarray, area: float, edit: bool = True
) -> tuple[np.ndarray, Box | None, float, int, str]:
    h, w = original.shape[:2]
    img = original.copy()
    aspect = rng.uniform(0.6, 1.6)
    bw = int(min(w * 0.9, np.sqrt(area * w * h * aspect)))
    bh = int(min(h * 0.9, area * w * h / max(bw, 1)))
    x = int(rng.integers(0, w - bw + 1))
    y = int(rng.integers(0, h - bh + 1))
    kind = str(rng.choice(["photo", "texture", "smooth"]))
    if edit:
        patch = fill_patch(rng, bw, bh, kind).astype(np.float32)
        feather = np.ones((bh, bw), np.float32)
        r = max(1, min(bw, bh) // 25)
        feather[:r] = feather[-r:] = 0.5
        feather[:, :r] = feather[:, -r:] = 0.5
        region = img[y : y + bh, x : x + bw].astype(np.float32)
        img[y : y + bh, x : x + bw] = (
            region * (1 - feather[..., None]) + patch * feather[..., None]
        ).astype(np.uint8)
    # crop: each side keeps 75-100 %, and at least 80 % of the edit stays inside
    for _ in range(50):
        cw, ch = int(w * rng.uniform(0.75, 1.0)), int(h * rng.uniform(0.75, 1.0))
        cx, cy = int(rng.integers(0, w - cw + 1)), int(rng.integers(0, h - ch + 1))
        ix = max(0, min(x + bw, cx + cw) - max(x, cx))
        iy = max(0, min(y + bh, cy + ch) - max(y, cy))
        if ix * iy >= 0.8 * bw * bh:
            break
    img = img[cy : cy + ch, cx : cx + cw]
    scale = float(rng.uniform(0.5, 1.0))
    size = (max(16, round(cw * scale)), max(16, round(ch * scale)))
    img = cv2.resize(img, size, interpolation=cv2.INTER_AREA)
    if rng.random() < 0.4:  # brightness / contrast / saturation shift
        f = img.astype(np.float32)
        grey = f.mean(axis=2, keepdims=True)
        f = grey + (f - grey) * rng.uniform(0.7, 1.3)
        f = f * rng.uniform(0.85, 1.15) + rng.uniform(-15, 15)
        img = np.clip(f, 0, 255).astype(np.uint8)
    quality = int(rng.integers(60, 91))
    buf = io.BytesIO()
    Image.fromarray(img).save(buf, "JPEG", quality=quality)
    pixels = load_image(buf.getvalue()).pixels
    sx, sy = size[0] / cw, size[1] / ch
    x0, y0 = max(x, cx) - cx, max(y, cy) - cy
    x1, y1 = min(x + bw, cx + cw) - cx, min(y + bh, cy + ch) - cy
    box = (round(x0 * sx), round(y0 * sy), round((x1 - x0) * sx), round((y1 - y0) * sy))
    return pixels, (box if edit else None), scale, quality, kind


def iou(a: Box, b: Box) -> float:
    ix = max(0, min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0]))
    iy = max(0, min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = a[2] * a[3] + b[2] * b[3] - inter
    return inter / union if union else 0.0


def mask_iou(result: derivation.DerivationResult, box: Box) -> float:
    """IoU of the reported altered mask (scaled to suspect pixels) with the true rectangle."""
    w, h = result.suspect_size
    mask = cv2.resize(result.altered_mask.astype(np.uint8), (w, h), interpolation=cv2.INTER_NEAREST)
    truth = np.zeros((h, w), bool)
    truth[box[1] : box[1] + box[3], box[0] : box[0] + box[2]] = True
    union = ((mask > 0) | truth).sum()
    return float(((mask > 0) & truth).sum() / union) if union else 0.0


def build_suspects(
    rng: np.random.Generator,
    originals: dict[str, np.ndarray],
    n: int,
    unrelated: int,
    unedited: int = 0,
) -> list[Suspect]:
    names = sorted(originals)
    out = []
    areas = np.linspace(0.05, 0.40, n)
    for i in range(n):
        name = names[i % len(names)]
        pixels, box, scale, q, kind = make_edit(rng, originals[name], float(areas[i]))
        out.append(Suspect(name, pixels, box, float(areas[i]), scale, q, kind))
    for i in range(unedited):
        name = names[i % len(names)]
        pixels, _, scale, q, _ = make_edit(rng, originals[name], 0.2, edit=False)
        out.append(Suspect(name, pixels, None, 0.0, scale, q, "unedited"))
    for i in range(unrelated):
        src = OTHER_SAMPLES[i % len(OTHER_SAMPLES)]
        pixels, _, scale, q, kind = make_edit(rng, rgb(getattr(skimage.data, src)()), 0.2)
        out.append(Suspect(None, pixels, None, 0.2, scale, q, f"unrelated {src}"))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--suspects", type=int, default=30, help="edited suspects")
    ap.add_argument("--unedited", type=int, default=10, help="re-posted copies without an edit")
    ap.add_argument("--unrelated", type=int, default=10, help="edited photos of no original")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument(
        "--extra-originals",
        type=int,
        default=30,
        help="generated pictures added as further originals for a second timing pass",
    )
    ap.add_argument("--faces", type=Path, default=DEFAULT_FACES)
    ap.add_argument("--markdown", action="store_true", help="print result tables as Markdown")
    ap.add_argument("--verbose", action="store_true", help="one line per suspect")
    args = ap.parse_args()
    start = (busy_cpu_seconds(), own_cpu_seconds(), time.perf_counter())
    load_start = load_average()
    rng = np.random.default_rng(args.seed)
    originals = load_originals(args.faces)
    t0 = time.perf_counter()
    prepared = [(name, derivation.prepare(px)) for name, px in sorted(originals.items())]
    prep_s = (time.perf_counter() - t0) / len(prepared)
    suspects = build_suspects(rng, originals, args.suspects, args.unrelated, args.unedited)

    edited = [s for s in suspects if s.original is not None and s.true_box is not None]
    unedited = [s for s in suspects if s.original is not None and s.true_box is None]
    unrelated = [s for s in suspects if s.original is None]
    correct = unedited_found = false_claims = 0
    box_ious: list[float] = []
    mask_ious: list[float] = []
    share_err: list[float] = []
    unedited_shares: list[float] = []
    times: list[float] = []
    rows = []
    for s in suspects:
        t = time.perf_counter()
        result = derivation.find_source(s.pixels, prepared)
        times.append(time.perf_counter() - t)
        b_iou = m_iou = None
        if s.original is None:
            false_claims += result is not None
        elif s.true_box is None:
            if result is not None and result.original_id == s.original:
                unedited_found += 1
                unedited_shares.append(result.altered_share)
        else:
            ok = result is not None and result.original_id == s.original
            correct += ok
            b_iou = m_iou = 0.0
            if ok and result is not None:
                b_iou = iou(result.altered_boxes[0], s.true_box) if result.altered_boxes else 0.0
                m_iou = mask_iou(result, s.true_box)
                true_share = s.true_box[2] * s.true_box[3] / (s.pixels.shape[0] * s.pixels.shape[1])
                share_err.append(result.altered_share - true_share)
            box_ious.append(b_iou)
            mask_ious.append(m_iou)
        rows.append((s, result, b_iou, m_iou))

    # Time per suspect when the case holds more originals (the edited suspects again).
    decoy_rng = np.random.default_rng(args.seed + 1)
    extra = [
        (f"generated-{i}", derivation.prepare(synthetic_decoy(decoy_rng)))
        for i in range(args.extra_originals)
    ]
    many = prepared + extra
    times_many: list[float] = []
    correct_many = 0
    for s in edited:
        t = time.perf_counter()
        result = derivation.find_source(s.pixels, many)
        times_many.append(time.perf_counter() - t)
        correct_many += result is not None and result.original_id == s.original

    # The highest inlier count any unrelated pair reaches, over every original (not only the
    # best), against the threshold: the margin that keeps unrelated photos from a "source".
    decoy_max = 0
    for s in unrelated:
        feats = derivation.extract_spread(s.pixels)
        for _, p in prepared:
            found = derivation._fit_homography(feats, p.features)
            if found is not None:
                decoy_max = max(decoy_max, found[1])

    print(f"# Source derivation quality ({datetime.now(UTC):%Y-%m-%d %H:%M} UTC)")
    print()
    print(
        f"Machine: {cpu_model()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"OpenCV {cv2.__version__}"
    )
    print(f"Load average at start / end: {load_start} / {load_average()}")
    print(f"Other processes during the run: {other_load(start)}")
    print(f"Command: python {' '.join(shlex.quote(a) for a in sys.argv)}")
    print()
    print(f"Originals: {len(prepared)} ({', '.join(name for name, _ in prepared)})")
    print(
        f"Suspects: {len(edited)} edited, {len(unedited)} unedited re-posts, "
        f"{len(unrelated)} unrelated"
    )
    print()

    def line(label: str, value: str) -> None:
        print(f"| {label} | {value} |" if args.markdown else f"{label:<52} {value}")

    if args.markdown:
        print("| Measurement | Result |\n|---|---|")
    n = max(1, len(edited))
    line(
        "Edited: right original identified", f"{correct}/{len(edited)} ({100 * correct / n:.0f} %)"
    )
    if box_ious:
        line(
            "Edited: IoU largest box / true rectangle, mean / min",
            f"{statistics.mean(box_ious):.2f} / {min(box_ious):.2f}",
        )
        line("Edited: box IoU > 0.5", f"{sum(v > 0.5 for v in box_ious)}/{len(box_ious)}")
        line(
            "Edited: IoU altered mask / true rectangle, mean / min",
            f"{statistics.mean(mask_ious):.2f} / {min(mask_ious):.2f}",
        )
    if share_err:
        line(
            "Edited: altered share minus true share, mean / largest miss",
            f"{statistics.mean(share_err):+.3f} / {max(abs(e) for e in share_err):.3f}",
        )
    line("Unedited: right original identified", f"{unedited_found}/{len(unedited)}")
    if unedited_shares:
        line(
            "Unedited: reported altered share, mean / max",
            f"{statistics.mean(unedited_shares):.3f} / {max(unedited_shares):.3f}",
        )
    line("Unrelated: a source claimed", f"{false_claims}/{len(unrelated)}")
    line(
        "Unrelated: most inliers with any original",
        f"{decoy_max} (threshold {derivation.MIN_INLIERS})",
    )
    line(
        f"Time per suspect, {len(prepared)} originals: median / max",
        f"{1000 * statistics.median(times):.0f} / {1000 * max(times):.0f} ms",
    )
    if times_many:
        line(
            f"Time per edited suspect, {len(many)} originals: median / max",
            f"{1000 * statistics.median(times_many):.0f} / {1000 * max(times_many):.0f} ms "
            f"(right original {correct_many}/{len(edited)})",
        )
    line("Time to prepare one original (mean)", f"{1000 * prep_s:.0f} ms")
    if args.verbose:
        print()
        for s, r, b, m in rows:
            found = r.original_id if r else None
            print(
                f"{s.original!s:<18} {s.fill:<28} area {s.area:.2f} scale {s.scale:.2f} "
                f"q{s.quality:<3} -> {found!s:<18} inliers {r.inliers if r else 0:<5} "
                f"altered {r.altered_share if r else 0:.2f} "
                f"box IoU {'-' if b is None else f'{b:.2f}'} "
                f"mask IoU {'-' if m is None else f'{m:.2f}'} "
                f"boxes {len(r.altered_boxes) if r else 0}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
