"""Benchmark: in-case matching against many originals, every pair vs feature-index candidates.

A case of ``--originals`` originals (default 1,000): the scikit-image sample photos that are at
least 200 px on a side, the rest generated benign pictures (smooth colour fields with random
discs, polygons, lines and sensor noise). Only their local features are kept (as the vault
does), plus 12 PDQ-like hash records each for the hash part of the comparison.

Suspects: each sample photo under six transforms (off-centre crop 80 %, centre crop 75 %,
rotation 5 deg, 25 % scale + JPEG q30, caption bar, mirror; all JPEG-encoded), and
``--negatives`` generated pictures that are not in the case.

For each suspect, interleaved (old then new, or new then old, alternating):

* old: local-feature verification against every original (what ``match_case`` did);
* new: the hash pre-check against all originals' records (``_OriginalHashes.within``), the
  feature index's candidates and verification of those only (what ``match_case`` does now).

The old path is timed on ``--timed`` suspects (it takes seconds each at 1,000 originals); its
recall is computed on every suspect by verifying the suspect against its own original, which
is what checking every pair finds for that original. Recall counts a sample-photo suspect as
found when its own original is verified; a negative that verifies against any original is a
false match. Timings are printed, never asserted.

Usage::

    python bench/match_scaling.py [--originals 1000] [--timed 8] [--negatives 10]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from datetime import UTC, datetime

import cv2
import numpy as np
from benchmachine import cpu_model, load_average, mem_total
from skimage import data

from ncii_desk.hashing import features as lf
from ncii_desk.hashing.feature_index import DEFAULT_CANDIDATES, FeatureIndex
from ncii_desk.services.matching import _OriginalHashes

SAMPLES = [
    "astronaut",
    "camera",
    "coffee",
    "chelsea",
    "rocket",
    "hubble_deep_field",
    "immunohistochemistry",
    "retina",
    "coins",
    "moon",
    "brick",
    "grass",
    "gravel",
    "cell",
    "colorwheel",
    "logo",
    "cat",
    "horse",
    "clock",
]


def sample_photos() -> list[tuple[str, np.ndarray]]:
    out = []
    for name in SAMPLES:
        try:
            im = getattr(data, name)()
        except Exception:  # a sample that needs a download (pooch) is skipped
            continue
        if im.dtype == bool:
            im = im.astype(np.uint8) * 255
        if im.ndim == 2:
            im = np.stack([im] * 3, -1)
        im = np.ascontiguousarray(im[:, :, :3].astype(np.uint8))
        if min(im.shape[:2]) >= 200:
            out.append((name, im))
    return out


def generated(seed: int, h: int = 600, w: int = 800) -> np.ndarray:
    r = np.random.default_rng(seed)
    img = cv2.resize(r.random((6, 8, 3)).astype(np.float32), (w, h)) * 200
    for _ in range(int(r.integers(15, 40))):
        colour = tuple(float(v) for v in r.integers(0, 255, 3))
        x, y = int(r.integers(0, w)), int(r.integers(0, h))
        kind = int(r.integers(0, 3))
        if kind == 0:
            cv2.circle(img, (x, y), int(r.integers(5, 80)), colour, -1)
        elif kind == 1:
            pts = r.integers(0, [w, h], (int(r.integers(3, 7)), 2)).astype(np.int32)
            cv2.fillPoly(img, [pts], colour)
        else:
            end = (int(r.integers(0, w)), int(r.integers(0, h)))
            cv2.line(img, (x, y), end, colour, int(r.integers(1, 6)))
    img += r.normal(0, 8, img.shape).astype(np.float32)
    return np.clip(img, 0, 255).astype(np.uint8)


def jpeg(x: np.ndarray, quality: int) -> np.ndarray:
    ok, enc = cv2.imencode(".jpg", x[:, :, ::-1].copy(), [cv2.IMWRITE_JPEG_QUALITY, quality])
    assert ok
    return np.ascontiguousarray(cv2.imdecode(enc, cv2.IMREAD_COLOR)[:, :, ::-1])


def transforms(im: np.ndarray) -> dict[str, np.ndarray]:
    h, w = im.shape[:2]
    out = {
        "off-centre crop 80%": jpeg(im[int(h * 0.2) :, : int(w * 0.8)], 70),
        "centre crop 75%": jpeg(im[h // 8 : h - h // 8, w // 8 : w - w // 8], 70),
    }
    turn = cv2.getRotationMatrix2D((w / 2, h / 2), 5, 1.0)
    out["rotate 5 deg"] = jpeg(cv2.warpAffine(im, turn, (w, h)), 70)
    small = cv2.resize(im, (w // 4, h // 4), interpolation=cv2.INTER_AREA)
    out["scale 25% + q30"] = jpeg(small, 30)
    bar = np.full((h + 120, w, 3), 255, np.uint8)
    bar[60 : 60 + h] = im
    cv2.putText(bar, "caption text here", (10, h + 100), 0, 1.0, (0, 0, 0), 2)
    out["caption bar"] = jpeg(bar, 80)
    out["mirror"] = jpeg(np.ascontiguousarray(im[:, ::-1]), 80)
    return out


class FakeRecord:
    """A stand-in for a HashRecord row: only ``value`` is read by the hash pre-check."""

    def __init__(self, value: str) -> None:
        self.value = value


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--originals", type=int, default=1000)
    parser.add_argument("--timed", type=int, default=8)
    parser.add_argument("--negatives", type=int, default=10)
    args = parser.parse_args()
    print(f"# In-case matching at scale ({datetime.now(UTC):%Y-%m-%d %H:%M} UTC)")
    print(f"machine: {cpu_model()}, {os.cpu_count()} cores, {mem_total()}; {platform.platform()}")
    print(f"python {sys.version.split()[0]}; load average at start {load_average()}")

    photos = sample_photos()
    t = time.perf_counter()
    feats: list[lf.Features] = [lf.extract(im) for _, im in photos]
    feats += [lf.extract(generated(10_000 + i)) for i in range(args.originals - len(photos))]
    print(
        f"{len(feats)} originals ({len(photos)} sample photos, {len(feats) - len(photos)} "
        f"generated), features extracted in {time.perf_counter() - t:.1f} s, "
        f"{statistics.mean(len(f.descriptors) for f in feats):.0f} keypoints each"
    )
    keys = [f"o{i}" for i in range(len(feats))]
    rng = np.random.default_rng(7)
    records = {
        k: [FakeRecord(bytes(rng.integers(0, 256, 32, dtype=np.uint8)).hex()) for _ in range(12)]
        for k in keys
    }
    t = time.perf_counter()
    index = FeatureIndex()
    for k, f in zip(keys, feats, strict=True):
        index.add(k, f)
    index.votes(feats[0])  # builds the tables
    hashes = _OriginalHashes(keys, records)  # type: ignore[arg-type]
    build_s = time.perf_counter() - t
    by_key = dict(zip(keys, feats, strict=True))

    suspects: list[tuple[str, str, int | None, lf.Features]] = []
    for i, (name, im) in enumerate(photos):
        for tname, x in transforms(im).items():
            suspects.append((name, tname, i, lf.extract(x)))
    for j in range(args.negatives):
        suspects.append((f"unrelated {j}", "negative", None, lf.extract(generated(90_000 + j))))
    queries = [FakeRecord(bytes(rng.integers(0, 256, 32, dtype=np.uint8)).hex()) for _ in range(8)]

    def new_path(sf: lf.Features) -> tuple[set[int], int]:
        hashes.within(queries, 31)  # type: ignore[arg-type]
        found = set()
        cands = index.candidates(sf, DEFAULT_CANDIDATES)
        for key, _ in cands:
            if lf.verify(sf, by_key[key]).matched:
                found.add(int(key[1:]))
        return found, len(cands)

    def old_path(sf: lf.Features) -> set[int]:
        return {i for i, f in enumerate(feats) if lf.verify(sf, f).matched}

    rows: dict[str, list[int]] = {}
    new_times: list[float] = []
    old_times: list[float] = []
    timed_new: list[float] = []
    verifies: list[int] = []
    false_new = false_old = wrong_new = 0
    timed_every = max(1, len(suspects) // max(1, args.timed))
    for n, (_name, tname, own, sf) in enumerate(suspects):
        timed = n % timed_every == 0 and len(old_times) < args.timed
        old_found: set[int] | None = None
        old_first = timed and len(old_times) % 2 == 1  # alternate which path runs first
        if old_first:
            t = time.perf_counter()
            old_found = old_path(sf)
            old_times.append(time.perf_counter() - t)
        t = time.perf_counter()
        new_found, cands = new_path(sf)
        took = time.perf_counter() - t
        new_times.append(took)
        verifies.append(cands)
        if timed:
            timed_new.append(took)
        if timed and not old_first:
            t = time.perf_counter()
            old_found = old_path(sf)
            old_times.append(time.perf_counter() - t)
        if own is None:
            false_new += bool(new_found)
            false_old += bool(old_path(sf) if old_found is None else old_found)
            continue
        old_hit = lf.verify(sf, feats[own]).matched
        new_hit = own in new_found
        wrong_new += bool(new_found - {own} - set(range(len(photos))))
        r = rows.setdefault(tname, [0, 0, 0])
        r[0] += 1
        r[1] += old_hit
        r[2] += new_hit

    print(f"feature index + hash array built in {build_s:.2f} s (once per case per session)")
    print("\n| transform | suspects | found, every pair (old) | found, candidates (new) |")
    print("|---|---:|---:|---:|")
    tot = [0, 0, 0]
    for tname, (count, old_hit, new_hit) in rows.items():
        print(f"| {tname} | {count} | {old_hit} | {new_hit} |")
        tot = [tot[0] + count, tot[1] + old_hit, tot[2] + new_hit]
    print(f"| all | {tot[0]} | {tot[1]} | {tot[2]} |")
    print(
        f"\nnegatives: {args.negatives}, matched by old {false_old}, by new {false_new}; "
        f"suspects matched to a generated original that is not theirs (new): {wrong_new}"
    )
    print(
        f"new path, all {len(new_times)} suspects: median "
        f"{1000 * statistics.median(new_times):.1f} ms, p90 "
        f"{1000 * float(np.percentile(new_times, 90)):.1f} ms, max "
        f"{1000 * max(new_times):.1f} ms per suspect; "
        f"{statistics.mean(verifies):.1f} verifications per suspect (at most "
        f"{DEFAULT_CANDIDATES})"
    )
    if old_times:
        print(
            f"interleaved on {len(old_times)} suspects: old median "
            f"{1000 * statistics.median(old_times):.0f} ms, new median "
            f"{1000 * statistics.median(timed_new):.1f} ms per suspect "
            f"({statistics.median(old_times) / statistics.median(timed_new):.0f}x)"
        )
    print(f"load average at end {load_average()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
