"""Benchmark: every shipped manipulation classifier measured with ``models evaluate``.

Builds a labelled set from the photos at hand and runs ncii_desk.services.validation.evaluate
(the code behind ``ncii-desk models evaluate``) for each deepfake classifier of the manifest.

The set (written to --work, default a temporary folder, deleted afterwards):

* real: the 5 test photos of ../shared/testdata/faces (4 of Chirac, 1 of Luciano) and
  scikit-image's astronaut, each in 8 versions (as is, mirrored, JPEG quality 60, reduced to
  60 %, brighter, darker, turned 4 degrees, cropped to the middle 80 %): 48 pictures;
* fake: for each ordered pair of photos of two different people (chirac1-4, luciano,
  astronaut: 18 pairs) the source face is aligned on the target face with a similarity
  transform of the five landmarks and put in two ways: cv2.seamlessClone (Poisson blending,
  a face swap) and a plain feathered paste (a splice), 36 pictures, each then given one of the
  same 8 versions in turn (so compression, size and light do not differ by class).

The real and fake pictures are the same six people under the same edits: only the face
swap differs. It is still a small, homemade set: it is NOT the domain of any MesoNet weight
(compressed face-swap video frames of 2018), so the figures say how these models do on still
face swaps made this way, not how they do on their own domain.

Prints one table row per classifier: AUC [95 % CI], counts, FP/FN at 0.5 and time per picture.
Usage::

    python bench/classifier_validation.py [--work DIR] [--resamples 2000] [--out DIR]
"""

from __future__ import annotations

import argparse
import io
import itertools
import shutil
import sys
import tempfile
from pathlib import Path

import cv2
import numpy as np
import skimage.data
from PIL import Image, ImageEnhance

ROOT = Path(__file__).resolve().parents[1]
FACES_DIR = ROOT.parent / "shared" / "testdata" / "faces"
PHOTOS = ("chirac1", "chirac2", "chirac3", "chirac4", "codait_luciano", "astronaut")
PERSON = {n: "chirac" for n in PHOTOS[:4]} | {"codait_luciano": "luciano", "astronaut": "nasa"}
VERSIONS = ("as-is", "mirror", "jpeg60", "small60", "bright", "dark", "turn4", "crop80")


def load(name: str) -> np.ndarray:
    if name == "astronaut":
        return np.asarray(skimage.data.astronaut()[..., :3])
    return np.asarray(Image.open(next(FACES_DIR.glob(f"{name}.*"))).convert("RGB"))


def version(rgb: np.ndarray, how: str) -> Image.Image:
    """One of VERSIONS of a picture (the same edits for both classes)."""
    img = Image.fromarray(rgb)
    if how == "mirror":
        img = img.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    elif how == "jpeg60":
        buf = io.BytesIO()
        img.save(buf, format="JPEG", quality=60)
        img = Image.open(io.BytesIO(buf.getvalue())).convert("RGB")
    elif how == "small60":
        img = img.resize(
            (round(img.width * 0.6), round(img.height * 0.6)), Image.Resampling.LANCZOS
        )
    elif how == "bright":
        img = ImageEnhance.Brightness(img).enhance(1.25)
    elif how == "dark":
        img = ImageEnhance.Brightness(img).enhance(0.75)
    elif how == "turn4":
        img = img.rotate(4, resample=Image.Resampling.BICUBIC, expand=False)
    elif how == "crop80":
        w, h = img.size
        img = img.crop((w // 10, h // 10, w - w // 10, h - h // 10))
    return img


def swap(src: np.ndarray, dst: np.ndarray, blend: str) -> np.ndarray:
    """The largest face of ``src`` put onto the largest face of ``dst``."""
    from ncii_desk.vision import faces as F

    fs, fd = F.detect(src)[0], F.detect(dst)[0]
    matrix, _ = cv2.estimateAffinePartial2D(
        np.asarray(fs.landmarks, np.float32), np.asarray(fd.landmarks, np.float32)
    )
    h, w = dst.shape[:2]
    warped = cv2.warpAffine(src, matrix, (w, h), borderMode=cv2.BORDER_REFLECT_101)
    x, y, bw, bh = (float(v) for v in fd.box)
    centre = (round(x + bw / 2), round(y + bh / 2))
    mask = np.zeros((h, w), np.uint8)
    cv2.ellipse(mask, centre, (round(bw * 0.42), round(bh * 0.5)), 0, 0, 360, 255, -1)
    if blend == "seamless":
        out = cv2.seamlessClone(
            np.ascontiguousarray(warped[..., ::-1]),
            np.ascontiguousarray(dst[..., ::-1]),
            mask,
            centre,
            cv2.NORMAL_CLONE,
        )
        return np.asarray(out[..., ::-1])
    alpha = cv2.GaussianBlur(mask, (0, 0), max(2.0, bw / 20)).astype(np.float32)[..., None] / 255
    return np.asarray(warped * alpha + dst * (1 - alpha), dtype=np.uint8)


def build(root: Path) -> tuple[Path, Path, dict[str, int]]:
    real_dir, fake_dir = root / "real", root / "fake"
    real_dir.mkdir(parents=True)
    fake_dir.mkdir(parents=True)
    photos = {n: load(n) for n in PHOTOS}
    for name, rgb in photos.items():
        for how in VERSIONS:
            version(rgb, how).save(real_dir / f"{name}-{how}.png")
    n = 0
    for src, dst in itertools.permutations(PHOTOS, 2):
        if PERSON[src] == PERSON[dst]:
            continue
        for blend in ("seamless", "splice"):
            how = VERSIONS[n % len(VERSIONS)]
            pixels = swap(photos[src], photos[dst], blend)
            version(pixels, how).save(fake_dir / f"{src}-on-{dst}-{blend}-{how}.png")
            n += 1
    counts = {"real": len(list(real_dir.iterdir())), "fake": len(list(fake_dir.iterdir()))}
    return real_dir, fake_dir, counts


def main() -> int:
    from ncii_desk.services.validation import evaluate
    from ncii_desk.vision.classifier import classifier_names
    from ncii_desk.vision.runtime import shared_runtime

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=None, help="keep the set in this folder")
    parser.add_argument("--resamples", type=int, default=2000)
    parser.add_argument("--out", type=Path, default=None, help="write each model's report here")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="ncii-eval-"))
    try:
        real_dir, fake_dir, counts = build(work)
        rt = shared_runtime()
        print(f"Labelled set: {counts['real']} real, {counts['fake']} fake ({work})")
        print(f"Provider: {rt.describe()['provider'] or '(decided at the first model)'}\n")
        print(
            "| classifier | AUC [95 % CI] | scored real/fake | no face | FP at 0.5 | FN at 0.5 "
            "| ms/picture (median) |"
        )
        print("|---|---|---|---|---|---|---|")
        for name in classifier_names(rt.registry):
            try:
                r = evaluate(
                    name,
                    real_dir,
                    fake_dir,
                    resamples=args.resamples,
                    out=args.out / name if args.out else None,
                )
            except Exception as exc:  # a model that is not installed: say so, go on
                print(f"| {name} | not run: {exc} | | | | | |")
                continue
            c = r.counts()
            print(
                f"| {name} | {r.auc:.3f} [{r.ci[0]:.3f}-{r.ci[1]:.3f}] | {r.n_real}/{r.n_fake} | "
                f"{c['real']['no_face'] + c['fake']['no_face']} | {r.fp_rate:.0%} | "
                f"{r.fn_rate:.0%} | {r.scored_seconds_per_image * 1000:.0f} |"
            )
        print(f"\nBootstrap: stratified, {args.resamples} resamples, seed 20261206.")
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
