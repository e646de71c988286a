"""Benchmark: the two face embedders side by side, and the detection fall-backs.

1. Separation. For each embedder (dlib-resnet-128, the default; mobilefacenet-128): YuNet ->
   the embedder's own alignment -> embedding of the largest face of each test photo
   (../shared/testdata/faces: 4 of Chirac, 1 of "Luciano"; scikit-image's astronaut). Same
   person: the 6 Chirac pairs; different people: the 9 other pairs. Printed on the reported
   similarity scale (cosine for MobileFaceNet, 1 - Euclidean distance for dlib) with the
   manifest threshold, the margin (lowest same minus highest different) and the distance to
   the threshold on each side.
2. Speed per face on the CPU: align + embed of one face (batch of 1), and 6 faces in one
   batch, median of ``--repeats`` runs.
3. Rotated photos: each photo turned 90/180/270 degrees with PIL; found (largest face, with
   the right rotation reported, matching its upright self) and time per image.
4. Small faces: each test face pasted at 40 px into a generated 4000x3000 gradient; found
   with and without the finer pass, and time per image.

Timings are printed, never asserted; the machine is shared, so take the medians as rough.
Usage::

    python bench/face_embedders.py [--repeats 20]
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import skimage.data
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
FACES_DIR = ROOT.parent / "shared" / "testdata" / "faces"
PHOTOS = ("chirac1", "chirac2", "chirac3", "chirac4", "codait_luciano", "astronaut")
PERSON = {n: "chirac" for n in PHOTOS[:4]} | {"codait_luciano": "luciano", "astronaut": "nasa"}


def load(name: str) -> Image.Image:
    if name == "astronaut":
        return Image.fromarray(skimage.data.astronaut())
    return Image.open(next(FACES_DIR.glob(f"{name}.*"))).convert("RGB")


def median_ms(fn: object, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def separation(photos: dict[str, np.ndarray], repeats: int) -> None:
    from ncii_desk.vision import faces as F

    print("## 1-2. Embedders: separation on the test photos, and speed per face (CPU)\n")
    print(
        "| embedder | metric (manifest threshold) | same person (6 pairs) | different (9 pairs) "
        "| margin | same - line | line - different | ms/face (1) | ms/face (batch 6) |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for name in F.EMBEDDERS:
        F.use_embedder(name)
        spec = F.embedder_spec()
        largest = {n: max(F.detect(photos[n]), key=lambda f: f.area) for n in PHOTOS}
        crops = np.stack([F.align(photos[n], largest[n]) for n in PHOTOS])
        vectors = F.embed(crops)
        sims = F.similarity_matrix(vectors, vectors)
        same, different = [], []
        for (i, a), (j, b) in itertools.combinations(enumerate(PHOTOS), 2):
            (same if PERSON[a] == PERSON[b] else different).append(float(sims[i, j]))
        line = spec.similarity_threshold
        one = median_ms(
            lambda largest=largest: F.embed(F.align(photos["chirac2"], largest["chirac2"])[None]),
            repeats,
        )
        batch = median_ms(
            lambda largest=largest: F.embed(
                np.stack([F.align(photos[n], largest[n]) for n in PHOTOS])
            ),
            repeats,
        ) / len(PHOTOS)
        print(
            f"| {name} | {spec.metric} ({spec.threshold}) | {min(same):.3f}-{max(same):.3f} "
            f"(mean {statistics.mean(same):.3f}) | {min(different):.3f}-{max(different):.3f} "
            f"| {min(same) - max(different):.3f} | {min(same) - line:.3f} "
            f"| {line - max(different):.3f} | {one:.1f} | {batch:.1f} |"
        )
    F.use_embedder(None)
    print(
        "\nSimilarity scale: cosine (MobileFaceNet); 1 - Euclidean distance of the raw "
        "descriptors (dlib), so dlib's 0.6 distance is 0.40 here. 'ms/face' includes the "
        "alignment warp.\n"
    )


def rotations(photos: dict[str, np.ndarray], repeats: int) -> None:
    from ncii_desk.vision import faces as F

    print("## 3. Rotated photos (PIL-turned copies of the 6 photos)\n")
    print(
        "| turn | matched before (upright only) | found now, right turn | matches upright self "
        "| ms/image now | ms/image upright photo |"
    )
    print("|---|---|---|---|---|---|")
    upright_ms = statistics.median(
        median_ms(lambda n=n: F.detect(photos[n]), max(3, repeats // 4)) for n in PHOTOS
    )
    vectors = {}
    for n in PHOTOS:
        face = max(F.detect(photos[n]), key=lambda f: f.area)
        vectors[n] = F.embed(F.align(photos[n], face)[None])[0]
    for degrees in (90, 180, 270):
        before = found = matched = 0
        times = []
        for n in PHOTOS:
            turned = np.asarray(load(n).rotate(degrees, expand=True))
            plain = F.detect(turned, rotations=False)  # what the code did before
            if plain:
                old = max(plain, key=lambda f: f.area)
                v = F.embed(F.align(turned, old)[None])[0]
                before += F.compare(vectors[n][None], [old], v[None])[0].match
            started = time.perf_counter()
            faces = F.detect(turned)
            times.append((time.perf_counter() - started) * 1000)
            if not faces:
                continue
            face = max(faces, key=lambda f: f.area)
            found += face.rotation == degrees
            v = F.embed(F.align(turned, face)[None])[0]
            matched += F.compare(vectors[n][None], [face], v[None])[0].match
        print(
            f"| {degrees} | {before}/{len(PHOTOS)} | {found}/{len(PHOTOS)} "
            f"| {matched}/{len(PHOTOS)} | {statistics.median(times):.0f} | {upright_ms:.0f} |"
        )
    print(
        "\n'matched before': the upright-only search (the old code) finds a turned face at "
        "0.6-0.88 with its landmarks in the wrong places, and the embedding of that face "
        "against the photo's upright self (default embedder).\n"
    )


def small_faces(repeats: int) -> None:
    from ncii_desk.vision import faces as F

    print("## 4. A 40 px face pasted into a generated 4000x3000 photo\n")
    print("| face | found at 640 only | found now | box h | ms/image 640 only | ms/image now |")
    print("|---|---|---|---|---|---|")
    yy, xx = np.mgrid[0:3000, 0:4000]
    background = np.stack([xx * 255 // 4000, yy * 255 // 3000, np.full_like(xx, 128)], -1)
    for n in PHOTOS:
        image = load(n)
        x, y, w, h = max(F.detect(np.asarray(image)), key=lambda f: f.area).box
        crop = image.crop((int(x - 0.4 * w), int(y - 0.4 * h), int(x + 1.4 * w), int(y + 1.4 * h)))
        k = 40 / h
        crop = crop.resize(
            (round(crop.width * k), round(crop.height * k)), Image.Resampling.LANCZOS
        )
        canvas = Image.fromarray(background.astype(np.uint8))
        canvas.paste(crop, (2500, 1700))
        photo = np.asarray(canvas)
        old = F.detect(photo, small_faces=False, rotations=False)
        new = F.detect(photo)
        reps = max(3, repeats // 4)
        t_old = median_ms(
            lambda photo=photo: F.detect(photo, small_faces=False, rotations=False), reps
        )
        t_new = median_ms(lambda photo=photo: F.detect(photo), reps)
        box_h = f"{new[0].box[3]:.0f}" if new else "-"
        print(f"| {n} | {len(old)} | {len(new)} | {box_h} | {t_old:.0f} | {t_new:.0f} |")
    print(
        "\n'now' includes the rotation retries, which run when no face scores 0.9 (here the "
        "small face scores 0.8-0.9, so a large photo costs the 640 pass, the 2560 pass and "
        "three turned 640 passes).\n"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args(argv)
    if not FACES_DIR.is_dir():
        print(f"test photos not found in {FACES_DIR}", file=sys.stderr)
        return 1
    from ncii_desk.vision.runtime import shared_runtime

    photos = {n: np.asarray(load(n)) for n in PHOTOS}
    print(
        "# Face embedders and detection fall-backs "
        f"({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())})\n"
    )
    separation(photos, args.repeats)
    rotations(photos, args.repeats)
    small_faces(args.repeats)
    ran_on = sorted(set(shared_runtime().describe()["sessions"].values()))
    print(f"Sessions ran on: {', '.join(ran_on)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
