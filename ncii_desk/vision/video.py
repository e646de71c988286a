"""Faces and manipulation scores for one picture, and for a video frame by frame.

An image is analysed as one frame; a video as frames sampled at a fixed rate (one per second
by default) through the media loader, each analysed like an image. Per video the frames are
then summed up: what share of the sampled frames shows a face that matches the victim's
reference gallery, the best similarity and where it was, the highest and the median
manipulation score per classifier, and the frame times that drove each of those numbers, so a
person can go to exactly those moments.

Only numbers leave this module: boxes, similarities, scores and frame times. No pixels, crops
or thumbnails are kept.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from ncii_desk.vision import faces as F
from ncii_desk.vision.classifier import FAKE_THRESHOLD, FaceClassifier

__all__ = [
    "DEFAULT_EVERY_S",
    "DETECTOR_SCORE",
    "VIDEO_MAX_SIDE",
    "FaceResult",
    "FrameResult",
    "MediaAggregate",
    "aggregate",
    "analyse_frame",
    "analyse_video",
    "clock",
]

#: Seconds between sampled video frames.
DEFAULT_EVERY_S: Final = 1.0
#: Long side video frames are decoded at: detection works at 640, but the face crops for the
#: embedding and the classifiers are cut from these pixels, so keep more detail than that.
VIDEO_MAX_SIDE: Final = 1280
#: YuNet score at or above which a detection counts as a face (OpenCV's demos use 0.9; the
#: model notes used 0.6, which found every face in the test photos and nothing else).
DETECTOR_SCORE: Final = 0.6
#: Frame times listed as "frames that drove the result", at most.
MAX_DRIVING_FRAMES: Final = 10

UInt8Array = npt.NDArray[np.uint8]
FloatArray = npt.NDArray[np.float32]


def clock(t_ms: int | None) -> str:
    """A frame time as people read it: 0:07, 1:02:03; "" for a still image."""
    if t_ms is None:
        return ""
    seconds = int(t_ms // 1000)
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


@dataclass(frozen=True)
class FaceResult:
    """One face in one picture or frame."""

    index: int  # 1-based, largest face first
    box: tuple[float, float, float, float]  # x, y, w, h in the picture's pixels
    detection_score: float
    crop_side: int  # pixels across the face crop the classifiers saw
    similarity: float | None = None  # to the best gallery face; None when not compared
    reference: int | None = None  # index into the gallery of that best face
    match: bool = False
    fake: dict[str, float] = field(default_factory=dict)  # classifier name -> P(manipulated)
    #: Degrees clockwise the picture was turned for the detector to find this face (0, 90,
    #: 180, 270): a sideways or upside-down photo. The box is in the picture's own pixels.
    rotation: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "box": [round(v, 1) for v in self.box],
            "detection_score": round(self.detection_score, 4),
            "crop_side": self.crop_side,
            "similarity": None if self.similarity is None else round(self.similarity, 4),
            "reference": self.reference,
            "match": self.match,
            "fake": {k: round(v, 4) for k, v in self.fake.items()},
            "rotation": self.rotation,
        }


@dataclass(frozen=True)
class FrameResult:
    """Every face of one picture (t_ms None) or one video frame (t_ms from the start)."""

    t_ms: int | None
    width: int
    height: int
    faces: tuple[FaceResult, ...]
    #: time spent per step: "faces" (detect, embed, compare) and each classifier's name
    seconds: dict[str, float] = field(default_factory=dict, compare=False)
    #: whole-image classifiers: name -> P(manipulated) of the whole picture or frame
    whole: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "t_ms": self.t_ms,
            "size": [self.width, self.height],
            "faces": [f.as_dict() for f in self.faces],
            "whole": {k: round(v, 4) for k, v in self.whole.items()},
        }


def analyse_frame(
    pixels_rgb: UInt8Array,
    t_ms: int | None = None,
    *,
    gallery: npt.ArrayLike | None = None,
    classifiers: Sequence[FaceClassifier] = (),
    threshold: float | None = None,
) -> FrameResult:
    """Detect every face; compare each with ``gallery`` ((R, 128) embeddings; None = do not
    compare) and score its crop with each face-crop classifier. Whole-image classifiers
    (``domain.input = "whole-image"``) score the whole picture once, never a crop. Faces are
    looked for only when something needs them (a gallery or a face-crop classifier)."""
    rgb = np.ascontiguousarray(pixels_rgb)
    started = time.perf_counter()
    whole_clfs = [c for c in classifiers if c.whole_image]
    face_clfs = [c for c in classifiers if not c.whole_image]
    # Video frames get the 640 px pass only: the turned and finer passes cost up to 4 passes
    # or 0.2-0.5 s per frame, and a video's own rotation is applied when it is decoded.
    still = t_ms is None
    found: list[F.Face]
    vectors: Any = None
    if gallery is not None:
        found, vectors = F.detect_and_embed(
            rgb, score_threshold=DETECTOR_SCORE, rotations=still, small_faces=still
        )
    elif face_clfs:
        found = F.detect(rgb, score_threshold=DETECTOR_SCORE, rotations=still, small_faces=still)
    else:
        found = []
    order = sorted(range(len(found)), key=lambda i: -found[i].area)
    found = [found[i] for i in order]
    matches: list[F.FaceMatch] | None = None
    if gallery is not None and vectors is not None:
        refs = np.asarray(gallery, dtype=np.float32).reshape(-1, F.EMBEDDING_DIM)
        if refs.shape[0]:
            matches = F.compare(refs, found, vectors[order], threshold)
    seconds = {"faces": time.perf_counter() - started}
    whole: dict[str, float] = {}
    for clf in whole_clfs:
        started = time.perf_counter()
        whole[clf.name] = float(clf.score([rgb])[0])
        seconds[clf.name] = time.perf_counter() - started
    scores: dict[str, FloatArray] = {}
    sides = [0] * len(found)
    for clf in face_clfs:
        started = time.perf_counter()
        crops = [clf.crop(rgb, face) for face in found]
        sides = [max(s, int(c.shape[0])) for s, c in zip(sides, crops, strict=True)]
        scores[clf.name] = clf.score(crops)
        seconds[clf.name] = time.perf_counter() - started
    results = []
    for i, face in enumerate(found):
        m = matches[i] if matches is not None else None
        results.append(
            FaceResult(
                index=i + 1,
                box=face.box,
                detection_score=face.score,
                crop_side=sides[i],
                similarity=m.best_similarity if m else None,
                reference=m.best_reference_index if m else None,
                match=bool(m and m.match),
                fake={name: float(v[i]) for name, v in scores.items()},
                rotation=face.rotation,
            )
        )
    return FrameResult(t_ms, int(rgb.shape[1]), int(rgb.shape[0]), tuple(results), seconds, whole)


def analyse_video(
    data: bytes,
    *,
    gallery: npt.ArrayLike | None = None,
    classifiers: Sequence[FaceClassifier] = (),
    threshold: float | None = None,
    every_s: float = DEFAULT_EVERY_S,
    on_frame: Callable[[int, int | None], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> list[FrameResult] | None:
    """:func:`analyse_frame` on one frame per ``every_s`` seconds (media loader, in memory).

    ``on_frame(count, t_ms)`` after each frame; returns None when ``should_stop()`` turned
    true (the partial result is dropped so nothing half-done is reported). DecodeError and
    the other media errors come from the loader.
    """
    from ncii_desk.media.loader import iter_video_frames

    results: list[FrameResult] = []
    frames: Iterator[Any] = iter_video_frames(data, every_s=every_s, max_side=VIDEO_MAX_SIDE)
    for frame in frames:
        if should_stop is not None and should_stop():
            return None
        results.append(
            analyse_frame(
                frame.pixels,
                frame.t_ms,
                gallery=gallery,
                classifiers=classifiers,
                threshold=threshold,
            )
        )
        if on_frame is not None:
            on_frame(len(results), frame.t_ms)
    return results


# --- per item / per video ------------------------------------------------------------------


@dataclass(frozen=True)
class ScoreSummary:
    """One classifier's scores over every face of every frame."""

    faces_scored: int
    max: float
    median: float
    max_t_ms: int | None  # the frame of the highest score (None for a still image)
    max_face: int  # index of that face in its frame
    frames_flagged: int  # frames with a face (or, whole-image, the picture) at the threshold
    smallest_crop: int  # pixels across the smallest face crop scored (whole-image: shorter side)
    whole_image: bool = False  # scores of whole pictures, not of faces

    def as_dict(self) -> dict[str, Any]:
        return {
            "faces_scored": self.faces_scored,
            "max": round(self.max, 4),
            "median": round(self.median, 4),
            "max_t_ms": self.max_t_ms,
            "max_face": self.max_face,
            "frames_flagged": self.frames_flagged,
            "smallest_crop": self.smallest_crop,
            "whole_image": self.whole_image,
        }


@dataclass(frozen=True)
class MediaAggregate:
    """The frames of one item summed up (an image is one frame)."""

    frames: int  # frames analysed
    frames_with_faces: int
    faces: int
    frames_matching: int  # frames with at least one face at or above the threshold
    share_matching: float  # frames_matching / frames (0 when no frames)
    best_similarity: float | None
    best_t_ms: int | None
    best_face: int | None
    best_reference: int | None
    threshold: float
    deepfake: dict[str, ScoreSummary]
    driving_frames: tuple[dict[str, Any], ...]  # {"t_ms", "why"}: where to look

    def as_dict(self) -> dict[str, Any]:
        return {
            "frames": self.frames,
            "frames_with_faces": self.frames_with_faces,
            "faces": self.faces,
            "frames_matching": self.frames_matching,
            "share_matching": round(self.share_matching, 4),
            "best_similarity": None
            if self.best_similarity is None
            else round(self.best_similarity, 4),
            "best_t_ms": self.best_t_ms,
            "best_face": self.best_face,
            "best_reference": self.best_reference,
            "threshold": self.threshold,
            "deepfake": {k: v.as_dict() for k, v in self.deepfake.items()},
            "driving_frames": list(self.driving_frames),
        }


def aggregate(
    frames: Sequence[FrameResult],
    threshold: float | None = None,
    fake_thresholds: dict[str, float] | None = None,
) -> MediaAggregate:
    """Share of frames with a matching face, best similarity, max/median scores, and the
    frame times behind each (matching frames best first, then each classifier's peak).
    ``fake_thresholds``: a classifier's own threshold by name (default FAKE_THRESHOLD)."""
    cuts = fake_thresholds or {}
    if threshold is None:
        threshold = F.match_threshold()
    best: tuple[float, int | None, int, int | None] | None = None
    matching: list[tuple[float, int | None]] = []
    per_clf: dict[str, list[tuple[float, int | None, int, int]]] = {}
    per_whole: dict[str, list[tuple[float, int | None, int, int]]] = {}
    flagged: dict[str, set[int]] = {}
    for n, frame in enumerate(frames):
        top: float | None = None
        for face in frame.faces:
            if face.similarity is not None:
                if best is None or face.similarity > best[0]:
                    best = (face.similarity, frame.t_ms, face.index, face.reference)
                top = face.similarity if top is None else max(top, face.similarity)
            for name, p in face.fake.items():
                per_clf.setdefault(name, []).append((p, frame.t_ms, face.index, face.crop_side))
                if p >= cuts.get(name, FAKE_THRESHOLD):
                    flagged.setdefault(name, set()).add(n)
        for name, p in frame.whole.items():
            per_whole.setdefault(name, []).append(
                (p, frame.t_ms, 0, min(frame.width, frame.height))
            )
            if p >= cuts.get(name, FAKE_THRESHOLD):
                flagged.setdefault(name, set()).add(n)
        if top is not None and top >= threshold:
            matching.append((top, frame.t_ms))
    deepfake: dict[str, ScoreSummary] = {}
    for is_whole, table in ((False, per_clf), (True, per_whole)):
        for name, rows in table.items():
            peak = max(rows, key=lambda r: r[0])
            deepfake[name] = ScoreSummary(
                faces_scored=len(rows),
                max=peak[0],
                median=float(statistics.median(r[0] for r in rows)),
                max_t_ms=peak[1],
                max_face=peak[2],
                frames_flagged=len(flagged.get(name, ())),
                smallest_crop=min(r[3] for r in rows),
                whole_image=is_whole,
            )
    driving: list[dict[str, Any]] = []
    for sim, t_ms in sorted(matching, key=lambda m: -m[0])[:MAX_DRIVING_FRAMES]:
        driving.append({"t_ms": t_ms, "why": f"face match, similarity {sim:.2f}"})
    for name, summary in deepfake.items():
        driving.append({"t_ms": summary.max_t_ms, "why": f"highest {name} score {summary.max:.2f}"})
    count = len(frames)
    return MediaAggregate(
        frames=count,
        frames_with_faces=sum(1 for f in frames if f.faces),
        faces=sum(len(f.faces) for f in frames),
        frames_matching=len(matching),
        share_matching=len(matching) / count if count else 0.0,
        best_similarity=best[0] if best else None,
        best_t_ms=best[1] if best else None,
        best_face=best[2] if best else None,
        best_reference=best[3] if best else None,
        threshold=threshold,
        deepfake=deepfake,
        driving_frames=tuple(driving),
    )
