"""Benchmark: face detect + align + embed throughput on CPU, ours against a naive baseline.

Input: the benign test photos in ../shared/testdata/faces (5 files: 1200x1200, 870x1200,
463x623 with 5 faces, 554x847, 400x400) plus scikit-image's astronaut (512x512), repeated to
``--images`` images (default 102 = 17 rounds of 6; 170 faces). Pixels are decoded once before
timing (RGB for ours, BGR for the baseline, as each would receive them), so only the vision
work is measured. Sessions/detectors are created once and warmed up, for every method.

Methods (each round runs all of them in a rotated order, so machine noise hits all alike):

* ``ours``: ``faces.detect_and_embed_many(images)``: ``faces.detect`` (dynamic YuNet on
  onnxruntime, long side 640, numpy decode and NMS) + ``faces.align`` (Umeyama) per image on
  a thread per core, then every crop through one ``faces.embed`` call
  (``faces.EMBED_BATCH`` = 8 faces per session.run); sessions as ``faces._session`` makes
  them (intra-op threads = cores, no spinning, sequential executor, all graph optimisations).
* ``ours, sequential``: the same steps one image after another in the caller's thread
  (what ``detect`` + ``align`` in a loop, then one ``embed``, gives).
* ``ours, 1 thread``, ``ours, spinning``, ``ours, 64 per run``: ``ours`` with intra-op
  threads = 1, or with onnxruntime's default busy-wait spinning back on, or with 64 faces
  per session.run (the tuning evidence).
* ``baseline, native size``: naive per-image code: ``cv2.FaceDetectorYN`` on the fixed 640
  model with ``setInputSize`` to the image's own size, then per face
  ``cv2.estimateAffinePartial2D(LMEDS)`` + ``warpAffine`` and one ``session.run`` on a
  ``InferenceSession`` made with default options.
* ``baseline, 640``: the same, but the image first resized (``cv2.resize``, bilinear) to long
  side 640, as ours does: the like-for-like comparison, since that resize is also what the
  model needs for big faces.

Also reported: faces found per method, and the lowest cosine similarity between our embedding
of each image's largest face and the baseline's (should be near 1).

Timings are printed, never asserted. Usage::

    python bench/vision_throughput.py [--images 102] [--rounds 5]
        [--out bench/results/vision.md] [--append]
"""

from __future__ import annotations

import argparse
import os
import platform
import shlex
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import onnxruntime as ort
import skimage.data
from benchmachine import busy_cpu_seconds, other_load, own_cpu_seconds

from ncii_desk.vision import faces
from ncii_desk.vision.faces import embedding as face_embedding
from ncii_desk.vision.faces import models as face_models
from ncii_desk.vision.registry import ModelRegistry
from ncii_desk.vision.runtime import default_threads, shared_runtime

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
FACES_DIR = SHARED / "testdata" / "faces"
FIXED_YUNET = "face_detection_yunet_2023mar.onnx"

Result = list[tuple[int, np.ndarray]]  # per image: (faces found, largest face's embedding)


def load_images(count: int) -> tuple[list[np.ndarray], list[np.ndarray]]:
    rgbs = []
    for path in sorted(FACES_DIR.glob("*.jpg")) + sorted(FACES_DIR.glob("*.png")):
        bgr = cv2.imread(str(path), cv2.IMREAD_COLOR)
        rgbs.append(np.ascontiguousarray(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)))
    rgbs.append(np.ascontiguousarray(skimage.data.astronaut()))
    rgb = [rgbs[i % len(rgbs)] for i in range(count)]
    bgr = [np.ascontiguousarray(cv2.cvtColor(im, cv2.COLOR_RGB2BGR)) for im in rgb]
    return rgb, bgr


# --- ours -----------------------------------------------------------------------------------


def configure_ours(threads: int | None, spinning: bool, batch: int) -> None:
    """Fresh module sessions with the given intra-op threads (None = the runtime's choice) /
    spinning, and ``batch`` faces per embedding run."""
    face_embedding.EMBED_BATCH = batch  # read by embed() in the module that holds it
    make = faces._session  # the shared runtime's sessions (what the application uses)

    def session(key: str, model: Path | bytes) -> Any:
        if threads is None and not spinning:
            return make(key, model)
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads or default_threads()
        opts.inter_op_num_threads = 1
        opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        opts.log_severity_level = 3
        opts.add_session_config_entry("session.intra_op.allow_spinning", "1" if spinning else "0")
        source = str(model) if isinstance(model, Path) else model
        return ort.InferenceSession(source, sess_options=opts, providers=["CPUExecutionProvider"])

    faces._sessions.clear()
    face_models._session = session  # the factory _detector() and _embedder() call
    faces._detector()
    faces._embedder()
    face_models._session = make  # sessions are cached now; restore the factory


def run_ours(images: list[np.ndarray]) -> Result:
    result: Result = []
    for found, vectors in faces.detect_and_embed_many(images):
        if found:
            result.append((len(found), vectors[int(np.argmax([f.area for f in found]))]))
        else:
            result.append((0, np.zeros(128, np.float32)))
    return result


def run_ours_sequential(images: list[np.ndarray]) -> Result:
    crops: list[np.ndarray] = []
    owner: list[tuple[int, float]] = []  # (image index, face area) per crop
    for i, rgb in enumerate(images):
        for face in faces.detect(rgb):
            crops.append(faces.align(rgb, face))
            owner.append((i, face.area))
    vectors = faces.embed(np.stack(crops)) if crops else np.zeros((0, 128), np.float32)
    return _per_image(len(images), owner, vectors)


# --- naive baseline -------------------------------------------------------------------------


class Baseline:
    def __init__(self, models: Path, resize: bool) -> None:
        self.detector = cv2.FaceDetectorYN.create(
            str(models / FIXED_YUNET), "", (320, 320), 0.6, 0.3, 5000
        )
        self.session = ort.InferenceSession(
            str(models / faces.MOBILEFACENET_FILE), providers=["CPUExecutionProvider"]
        )
        self.resize = resize
        self.template = faces.ARCFACE_TEMPLATE_112.astype(np.float32)
        self.mean = np.array([0.485, 0.456, 0.406], np.float32)
        self.std = np.array([0.229, 0.224, 0.225], np.float32)

    def __call__(self, images: list[np.ndarray]) -> Result:
        owner: list[tuple[int, float]] = []
        vectors: list[np.ndarray] = []
        for i, bgr in enumerate(images):
            scale = 1.0
            if self.resize:
                h, w = bgr.shape[:2]
                scale = 640 / max(h, w)
                bgr = cv2.resize(bgr, (round(w * scale), round(h * scale)))  # bilinear
            self.detector.setInputSize((bgr.shape[1], bgr.shape[0]))
            _, found = self.detector.detect(bgr)
            for row in [] if found is None else found:
                matrix, _ = cv2.estimateAffinePartial2D(
                    row[4:14].reshape(5, 2), self.template, method=cv2.LMEDS
                )
                crop = cv2.warpAffine(bgr, matrix, (112, 112))
                x = (crop[:, :, ::-1].astype(np.float32) / 255.0 - self.mean) / self.std
                x = np.ascontiguousarray(x.transpose(2, 0, 1)[None])
                out = self.session.run(None, {"input0": x})[0][0]
                vectors.append(out / np.linalg.norm(out))
                owner.append((i, float(row[2] * row[3]) / scale**2))
        stacked = np.stack(vectors) if vectors else np.zeros((0, 128), np.float32)
        return _per_image(len(images), owner, stacked)


def _per_image(count: int, owner: list[tuple[int, float]], vectors: np.ndarray) -> Result:
    result: Result = [(0, np.zeros(128, np.float32)) for _ in range(count)]
    best = [-1.0] * count
    for (i, area), vector in zip(owner, vectors, strict=True):
        n = result[i][0] + 1
        if area > best[i]:
            best[i] = area
            result[i] = (n, vector)
        else:
            result[i] = (n, result[i][1])
    return result


# --- quality figures --------------------------------------------------------------------------


PERSON = {"chirac1": "chirac", "chirac2": "chirac", "chirac3": "chirac", "chirac4": "chirac"}
PERSON |= {"codait_luciano": "luciano", "astronaut": "astronaut"}


def _photos() -> dict[str, np.ndarray]:
    photos = {}
    for name in PERSON:
        if name == "astronaut":
            photos[name] = np.ascontiguousarray(skimage.data.astronaut())
            continue
        path = next(FACES_DIR.glob(f"{name}.*"))
        bgr = cv2.imread(str(path), cv2.IMREAD_COLOR)
        photos[name] = np.ascontiguousarray(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
    return photos


def separation(photos: dict[str, np.ndarray]) -> dict[str, Any]:
    """Cosine similarity of the largest face of every photo with every other one."""
    vectors = {}
    for name, rgb in photos.items():
        found, embedded = faces.detect_and_embed(rgb)
        vectors[name] = embedded[int(np.argmax([f.area for f in found]))]
    same, different = [], []
    names = list(vectors)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            pair = (float(vectors[a] @ vectors[b]), f"{a}~{b}")
            (same if PERSON[a] == PERSON[b] else different).append(pair)
    return {
        "same_min": min(same),
        "same_max": max(same),
        "different_max": max(different),
        "pairs": (len(same), len(different)),
        "threshold": faces.match_threshold(),
    }


def mesonet_agreement(photos: dict[str, np.ndarray]) -> dict[str, float]:
    """Largest |P(fake) ONNX - P(fake) numpy| per weight file, on the face crops the analysis
    cuts (classifier.face_crop of each photo's largest face, resized the authors' way)."""
    from ncii_desk.vision import mesonet
    from ncii_desk.vision.classifier import classifier_names, face_crop, load_classifier

    crops = []
    for rgb in photos.values():
        found = faces.detect(rgb)
        crops.append(face_crop(rgb, max(found, key=lambda f: f.area)))
    batch = np.stack([mesonet.resize_to_input(c) for c in crops])
    registry = shared_runtime().registry
    out = {}
    for name in classifier_names(registry):
        if registry.spec(name).format != "keras-h5":
            continue
        onnx_fake = load_classifier(name).score(crops)
        h5 = registry.locate(name)
        reference = 1.0 - mesonet.numpy_reference(
            h5, mesonet.guess_arch(h5), mesonet.to_model_input(batch)
        )
        out[name] = float(np.max(np.abs(onnx_fake.astype(np.float64) - reference)))
    return out


# --- harness --------------------------------------------------------------------------------


def machine() -> dict[str, str]:
    cpu = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {
        "cpu": f"{cpu}, {cores} cores usable",
        "os": platform.platform(),
        "python": platform.python_version(),
        "onnxruntime": ort.__version__,
        "opencv": cv2.__version__,
        "numpy": np.__version__,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=102)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "vision.md")
    parser.add_argument("--append", action="store_true", help="add this run to --out")
    args = parser.parse_args(argv)
    # The baseline is MobileFaceNet; dlib's ResNet is compared in bench/face_embedders.py.
    faces.use_embedder(faces.MOBILEFACENET_MODEL)
    if not FACES_DIR.is_dir():
        print(f"test photos not found in {FACES_DIR}", file=sys.stderr)
        return 2
    models = ModelRegistry().locate("yunet-dynamic").parent
    rgb, bgr = load_images(args.images)
    load_before = os.getloadavg()
    started = (busy_cpu_seconds(), own_cpu_seconds(), time.perf_counter())

    base_native, base_640 = Baseline(models, resize=False), Baseline(models, resize=True)
    batch = face_embedding.EMBED_BATCH
    ours_configs: dict[str, tuple[Callable[[list[np.ndarray]], Result], int | None, bool, int]]
    ours_configs = {
        "ours": (run_ours, None, False, batch),
        "ours, sequential": (run_ours_sequential, None, False, batch),
        "ours, 1 thread": (run_ours, 1, False, batch),
        "ours, spinning": (run_ours, None, True, batch),
        "ours, 64 per run": (run_ours, None, False, 64),
    }
    methods: dict[str, Callable[[], Result]] = {}
    for name, (fn, *config) in ours_configs.items():

        def run(fn: Callable[[list[np.ndarray]], Result] = fn, config: Any = config) -> Result:
            configure_ours(*config)  # cached sessions: re-made per run, not timed
            return fn(rgb)

        methods[name] = run
    methods["baseline, 640"] = lambda: base_640(bgr)
    methods["baseline, native size"] = lambda: base_native(bgr)

    # Warm-up (also collects results for the agreement check).
    results = {name: fn() for name, fn in methods.items()}
    seconds: dict[str, list[float]] = {name: [] for name in methods}
    names = list(methods)
    for r in range(args.rounds):
        for name in names[r % len(names) :] + names[: r % len(names)]:
            if name in ours_configs:
                fn, *config = ours_configs[name]
                configure_ours(*config)
                t0 = time.perf_counter()
                fn(rgb)
            else:
                t0 = time.perf_counter()
                methods[name]()
            seconds[name].append(time.perf_counter() - t0)
    configure_ours(None, False, batch)
    load_after = os.getloadavg()
    others = other_load(started)
    provider = shared_runtime().provider
    photos = _photos()
    sep = separation(photos)
    agreement_meso = mesonet_agreement(photos)

    n = args.images
    med = {name: statistics.median(s) for name, s in seconds.items()}
    face_count = {name: sum(c for c, _ in res) for name, res in results.items()}
    ours_vec = np.stack([v for _, v in results["ours"]])

    def agreement(name: str) -> str:
        if name == "ours":
            return "-"
        other = np.stack([v for _, v in results[name]])
        return f"{float(np.min(np.sum(ours_vec * other, axis=1))):.3f}"

    def ratio(baseline: str, name: str) -> float:
        """Median over rounds of baseline time / method time in the same round (paired)."""
        return statistics.median(
            b / m for b, m in zip(seconds[baseline], seconds[name], strict=True)
        )

    header = (
        "| method | images/s (median) | range over rounds | faces/s | faces found "
        "| x baseline 640 | x baseline native | min cos vs ours |\n"
        "|---|---:|---:|---:|---:|---:|---:|---:|"
    )
    rows = []
    for name in methods:
        rates = sorted(n / s for s in seconds[name])
        rows.append(
            f"| {name} | {n / med[name]:.1f} | {rates[0]:.1f}-{rates[-1]:.1f} "
            f"| {face_count[name] / med[name]:.1f} | {face_count[name]} "
            f"| {ratio('baseline, 640', name):.2f} "
            f"| {ratio('baseline, native size', name):.2f} | {agreement(name)} |"
        )
    table = "\n".join([header, *rows])
    info = machine()
    command = "python " + " ".join(shlex.quote(a) for a in [sys.argv[0], *(argv or sys.argv[1:])])
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    load = f"{load_before[0]:.2f} before, {load_after[0]:.2f} after"
    (same_min, same_min_pair), (diff_max, diff_max_pair) = sep["same_min"], sep["different_max"]
    quality = [
        f"- Face-match separation (largest face of each of the 6 photos, "
        f"{sep['pairs'][0]} same-person and {sep['pairs'][1]} different-person pairs): "
        f"same person lowest {same_min:.3f} ({same_min_pair}), highest "
        f"{sep['same_max'][0]:.3f}; different people highest {diff_max:.3f} "
        f"({diff_max_pair}); threshold {sep['threshold']:.2f}, margins "
        f"{same_min - sep['threshold']:.3f} / {sep['threshold'] - diff_max:.3f}",
        "- MesoNet rebuilt as ONNX against the numpy implementation, largest "
        "|P(manipulated) difference| on the 6 face crops the analysis cuts: "
        + ", ".join(f"{k} {v:.1e}" for k, v in agreement_meso.items()),
    ]
    print(table)
    print(f"\n{n} images, {face_count['ours']} faces, {args.rounds} rounds; load average {load}")
    print(f"other processes: {others}; provider of ours: {provider}")
    print("\n".join(quality))

    title = "# Face detect + align + embed throughput (CPU)"
    legend = [
        '"x baseline" is the median over rounds of (baseline time / method time) within the',
        'same round. "min cos vs ours" is the lowest cosine similarity, over all images,',
        "between that method's embedding of the image's largest face and ours (1 = same).",
        "The docstring of `bench/vision_throughput.py` says exactly what each method does.",
        "This machine is shared: other jobs ran during some runs (see each run's load",
        "average; 2 = both cores busy). Each round runs every method, in rotated order, so",
        "the noise hits all methods alike, but absolute rates vary a lot from run to run.",
    ]
    section = [
        f"## Run of {when}",
        "",
        f"- Command (repository root): `{command}`",
        f"- CPU: {info['cpu']}",
        f"- OS: {info['os']}",
        f"- Software: Python {info['python']}, onnxruntime {info['onnxruntime']}, "
        f"OpenCV {info['opencv']}, numpy {info['numpy']}",
        f"- 1-minute load average: {load}; other processes during the timed rounds: {others}",
        f"- Provider of ours: {provider} (the baselines use the CPU)",
        f"- Workload: {n} images (the 5 benign test photos + scikit-image's astronaut, "
        f"repeated), {face_count['ours']} faces; pixels decoded before timing; sessions "
        f"created once and warmed up; {args.rounds} rounds",
        "",
        table,
        "",
        *quality,
        "",
    ]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    if args.append and args.out.is_file():
        text = args.out.read_text().rstrip("\n") + "\n\n" + "\n".join(section)
    else:
        text = "\n".join([title, "", *legend, "", *section])
    args.out.write_text(text)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
