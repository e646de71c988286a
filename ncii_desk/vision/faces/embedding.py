"""Alignment to the five-point template, embeddings, and comparing faces by similarity."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Final

import cv2
import numpy as np
import numpy.typing as npt

from ncii_desk.vision.faces.detection import Face, _as_rgb, detect
from ncii_desk.vision.faces.models import (
    FloatArray,
    UInt8Array,
    _embedder,
    embedder_spec,
    match_threshold,
)
from ncii_desk.vision.runtime import default_threads

# --- alignment --------------------------------------------------------------------------------

ALIGNED_SIZE: Final = 112

#: The standard ArcFace / insightface 112x112 five-point template ("arcface_dst"), in YuNet's
#: landmark order (image-left eye, image-right eye, nose tip, image-left mouth corner,
#: image-right mouth corner). It is the classic 96x112 face template of SphereFace/CosFace
#: (``get_reference_facial_points`` with default_square=False) shifted right by 8 px so the
#: face is centred in a 112x112 square; MobileFaceNet was trained on crops aligned this way.
_TEMPLATE_96X112: Final = np.array(
    [
        [30.2946, 51.6963],
        [65.5318, 51.5014],
        [48.0252, 71.7366],
        [33.5493, 92.3655],
        [62.7299, 92.2041],
    ],
    dtype=np.float64,
)
ARCFACE_TEMPLATE_112: Final = _TEMPLATE_96X112 + np.array([8.0, 0.0])


def _umeyama(src: npt.NDArray[np.float64], dst: npt.NDArray[np.float64]) -> FloatArray:
    """Least-squares similarity transform (rotation, uniform scale, translation) src -> dst.

    Umeyama (1991), as ``skimage.transform.SimilarityTransform`` estimates it; returns 2x3.
    """
    if len(src) == 2:
        # Two points fix a similarity exactly. (Umeyama's SVD is rank-deficient here, and
        # its reflection test then depends on rounding: it turned faces upside down.)
        s0, s1 = complex(*src[0]), complex(*src[1])
        d0, d1 = complex(*dst[0]), complex(*dst[1])
        if abs(s1 - s0) < 1e-9:
            raise ValueError("face landmarks are degenerate (all at one point)")
        z = (d1 - d0) / (s1 - s0)  # rotation and scale as one complex factor
        t = d0 - z * s0
        return np.array([[z.real, -z.imag, t.real], [z.imag, z.real, t.imag]], dtype=np.float32)
    mu_s, mu_d = src.mean(axis=0), dst.mean(axis=0)
    sc, dc = src - mu_s, dst - mu_d
    var_s = float((sc**2).sum()) / len(src)
    if var_s < 1e-9:
        raise ValueError("face landmarks are degenerate (all at one point)")
    cov = dc.T @ sc / len(src)
    u, sing, vt = np.linalg.svd(cov)
    d = np.ones(2)
    if np.linalg.det(cov) < 0:
        d[1] = -1.0
    rot = u @ np.diag(d) @ vt
    scale = float((sing * d).sum()) / var_s
    shift = mu_d - scale * rot @ mu_s
    return np.hstack([scale * rot, shift[:, None]]).astype(np.float32)


def alignment_matrix(face: Face, embedder: str | None = None) -> FloatArray:
    """The 2x3 similarity transform from image pixels to the embedder's aligned crop.

    MobileFaceNet: all five landmarks onto the 112 px ArcFace template (least squares).
    dlib: the two eye centres onto dlib's 150 px chip template (exact for two points).
    """
    src = np.asarray(face.landmarks, dtype=np.float64)
    if src.shape != (5, 2) or not np.all(np.isfinite(src)):
        raise ValueError(f"face.landmarks must be five finite (x, y) points, got {src.shape}")
    template = embedder_spec(embedder).template
    return _umeyama(src[: len(template)], template)


def align(pixels_rgb: npt.NDArray[Any], face: Face, embedder: str | None = None) -> UInt8Array:
    """The face warped to the embedder's square RGB uint8 crop (112 px MobileFaceNet, 150 px
    dlib), landmarks on its template.

    A face much larger than the crop is first area-averaged down to about the crop's scale
    (only the region the crop covers), then warped bilinearly: a bilinear warp alone samples
    a 1000 px phone-photo face every ~9th pixel and aliases. On the test photos the effect is
    small (MobileFaceNet: same-person lowest 0.581 -> 0.591, mean 0.687 -> 0.700;
    different-person highest 0.137 -> 0.161); it is there for high-resolution photos.
    """
    rgb = _as_rgb(pixels_rgb)
    size = embedder_spec(embedder).size
    matrix = alignment_matrix(face, embedder).astype(np.float64)
    scale = float(np.sqrt(abs(np.linalg.det(matrix[:, :2]))))
    if scale < 1.0:
        rgb, matrix = _downscale_for_warp(rgb, matrix, scale, size)
    crop = cv2.warpAffine(
        rgb,
        matrix,
        (size, size),
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=(0, 0, 0),
    )
    return np.asarray(crop, dtype=np.uint8)


def _downscale_for_warp(
    rgb: UInt8Array, matrix: npt.NDArray[np.float64], scale: float, size: int
) -> tuple[UInt8Array, npt.NDArray[np.float64]]:
    """The source region under the crop, INTER_AREA-resized by ``scale``, and the warp matrix
    adjusted to it (pixel centres kept exact: src = (q + 0.5) / f - 0.5 + origin)."""
    h, w = rgb.shape[:2]
    inverse = cv2.invertAffineTransform(matrix)
    s = float(size)
    corners = np.array([[0, 0], [s, 0], [0, s], [s, s]]) @ inverse[:, :2].T + inverse[:, 2]
    x0, y0 = (max(0, int(np.floor(v)) - 2) for v in corners.min(axis=0))
    x1, y1 = (int(np.ceil(v)) + 2 for v in corners.max(axis=0))
    x1, y1 = min(w, x1), min(h, y1)
    if x1 - x0 < 2 or y1 - y0 < 2:  # the crop lies outside the image: plain warp (black)
        return rgb, matrix
    roi = rgb[y0:y1, x0:x1]
    tw, th = max(1, round((x1 - x0) * scale)), max(1, round((y1 - y0) * scale))
    small = np.asarray(cv2.resize(roi, (tw, th), interpolation=cv2.INTER_AREA), dtype=np.uint8)
    fx, fy = tw / (x1 - x0), th / (y1 - y0)
    to_source = np.array(
        [[1 / fx, 0, x0 + 0.5 / fx - 0.5], [0, 1 / fy, y0 + 0.5 / fy - 0.5], [0, 0, 1]]
    )
    return small, matrix @ to_source


# --- embedding (MobileFaceNet) ----------------------------------------------------------------

EMBEDDING_DIM: Final = 128
#: Faces per session.run. Batches past about 8 got slower on the 2-core test machine (the
#: activations leave the cache: 170 faces took 371 ms one by one, 385 ms in 8s, 552 ms in
#: 64s, 1 thread), so larger sets go through in chunks of 8.
EMBED_BATCH: Final = 8


def aligned_size(embedder: str | None = None) -> int:
    """Side in pixels of the aligned crops the embedder takes."""
    return embedder_spec(embedder).size


def embed(aligned_faces: npt.NDArray[Any], embedder: str | None = None) -> FloatArray:
    """(N, 128) float32 embeddings of (N, S, S, 3) RGB uint8 crops from :func:`align`.

    Preprocessing per the manifest: RGB, ``(x * scale - mean) / std``, NCHW float32 (for
    MobileFaceNet x / 255 and ImageNet mean/std; for dlib (x - [122.782, 117.001, 104.298])
    / 255). "cosine" embedders come back L2-normalised, "euclidean" ones (dlib) raw, as the
    model's distance threshold is defined on the raw descriptors. Up to EMBED_BATCH faces go
    through one session.run.
    """
    spec = embedder_spec(embedder)
    side = spec.size
    if not isinstance(aligned_faces, np.ndarray):
        raise ValueError(f"aligned_faces must be a numpy array, got {type(aligned_faces).__name__}")
    if aligned_faces.ndim == 3:
        raise ValueError(
            f"aligned_faces must be a batch (N, {side}, {side}, 3); for one face use face[None]"
        )
    shape = (side, side, 3)
    if aligned_faces.ndim != 4 or aligned_faces.shape[1:] != shape:
        raise ValueError(
            f"aligned_faces must have shape (N, {side}, {side}, 3) (RGB crops from align()), "
            f"got {aligned_faces.shape}"
        )
    if aligned_faces.dtype != np.uint8:
        raise ValueError(f"aligned_faces must be uint8 (0-255), got dtype {aligned_faces.dtype}")
    count = aligned_faces.shape[0]
    out = np.empty((count, EMBEDDING_DIM), dtype=np.float32)
    if count == 0:
        return out
    model = _embedder(spec.name)
    step = EMBED_BATCH if model.batched else 1
    for start in range(0, count, step):
        x = aligned_faces[start : start + step].astype(np.float32) * np.float32(spec.scale)
        x = (x - spec.mean) / spec.std
        tensor = np.ascontiguousarray(x.transpose(0, 3, 1, 2))
        (raw,) = model.session.run([spec.output], {spec.tensor: tensor})
        out[start : start + step] = np.asarray(raw, dtype=np.float32).reshape(-1, EMBEDDING_DIM)
    if spec.metric == "euclidean":
        return out
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    result: FloatArray = out / np.maximum(norms, 1e-12)
    return result


def detect_and_embed(
    pixels_rgb: npt.NDArray[Any],
    score_threshold: float = 0.6,
    *,
    rotations: bool = True,
    small_faces: bool = True,
) -> tuple[list[Face], FloatArray]:
    """Every face in an image and its embedding (row i belongs to face i); ``rotations`` and
    ``small_faces`` as for :func:`detect`."""
    rgb = _as_rgb(pixels_rgb)
    faces = detect(
        rgb, score_threshold=score_threshold, rotations=rotations, small_faces=small_faces
    )
    crops = np.stack([align(rgb, f) for f in faces]) if faces else _no_crops()
    return faces, embed(crops)


def detect_and_embed_many(
    images: Sequence[npt.NDArray[Any]],
    score_threshold: float = 0.6,
    workers: int | None = None,
) -> list[tuple[list[Face], FloatArray]]:
    """:func:`detect_and_embed` for many images, in input order, with higher throughput.

    Detection and alignment run on ``workers`` threads (default: one per core; onnxruntime
    and OpenCV release the GIL), then every crop goes through one :func:`embed` call. On the
    2-core test machine this was about 15 % faster than the one-image-at-a-time loop while
    both cores were free, and no faster when other work already held a core
    (bench/vision_throughput.py). A bad image raises its ValueError here, as detect() would.
    """
    rgbs = [_as_rgb(im, f"images[{i}]") for i, im in enumerate(images)]

    def one(rgb: UInt8Array) -> tuple[list[Face], list[UInt8Array]]:
        found = detect(rgb, score_threshold=score_threshold)
        return found, [align(rgb, f) for f in found]

    count = max(1, min(workers or default_threads(), len(rgbs)))
    if count == 1:
        parts = [one(rgb) for rgb in rgbs]
    else:
        with ThreadPoolExecutor(max_workers=count, thread_name_prefix="faces") as pool:
            parts = list(pool.map(one, rgbs))
    crops = [c for _, image_crops in parts for c in image_crops]
    vectors = embed(np.stack(crops) if crops else _no_crops())
    results: list[tuple[list[Face], FloatArray]] = []
    start = 0
    for found, _ in parts:
        results.append((found, vectors[start : start + len(found)]))
        start += len(found)
    return results


def _no_crops() -> UInt8Array:
    side = aligned_size()
    return np.zeros((0, side, side, 3), dtype=np.uint8)


# --- comparison -------------------------------------------------------------------------------

# Match thresholds live per embedder in models/manifest.toml ([models.NAME.match]), with how
# each was chosen; :func:`match_threshold` reads them. Both embedders' lines sit at 0.40 on
# the reported similarity scale (MobileFaceNet: cosine 0.40; dlib: Euclidean distance 0.6,
# reported as similarity 1 - 0.6). Measured on the test photos (bench/face_embedders.py):
# MobileFaceNet same person 0.591-0.755, different people at most 0.161; dlib (1 - distance)
# figures in the manifest notes and the bench output.
#
# Caveat: that is a handful of pairs from 6 photos of 3 people, far too few to state error
# rates. Face recognition is known to get worse with age gaps, profile poses, low resolution,
# occlusion, heavy make-up or filters, and it can differ across demographic groups (both
# models were trained on web-scraped celebrity photos). Reports must show the similarity
# itself, not only the yes/no, a person must review every match, and the threshold must be
# recalibrated on a larger labelled set.


def similarity_matrix(a: npt.ArrayLike, b: npt.ArrayLike, metric: str | None = None) -> FloatArray:
    """(len(a), len(b)) similarities, higher = more alike: cosine for "cosine" embedders,
    1 - Euclidean distance for "euclidean" ones (dlib). ``metric`` None: the current
    embedder's."""
    metric = metric or embedder_spec().metric
    if metric == "cosine":
        return cosine_matrix(a, b)
    x = np.atleast_2d(np.asarray(a, dtype=np.float32))
    y = np.atleast_2d(np.asarray(b, dtype=np.float32))
    if x.ndim != 2 or y.ndim != 2 or x.shape[1] != y.shape[1]:
        raise ValueError(f"cannot compare embeddings of shapes {x.shape} and {y.shape}")
    squared = (x * x).sum(1)[:, None] + (y * y).sum(1)[None, :] - 2.0 * (x @ y.T)
    result: FloatArray = (1.0 - np.sqrt(np.clip(squared, 0.0, None))).astype(np.float32)
    return result


def cosine_matrix(a: npt.ArrayLike, b: npt.ArrayLike) -> FloatArray:
    """(len(a), len(b)) cosine similarities between rows of ``a`` and rows of ``b``."""
    x = np.atleast_2d(np.asarray(a, dtype=np.float32))
    y = np.atleast_2d(np.asarray(b, dtype=np.float32))
    if x.ndim != 2 or y.ndim != 2 or x.shape[1] != y.shape[1]:
        raise ValueError(f"cannot compare embeddings of shapes {x.shape} and {y.shape}")
    x = x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)
    y = y / np.maximum(np.linalg.norm(y, axis=1, keepdims=True), 1e-12)
    result: FloatArray = x @ y.T
    return result


def cosine(a: npt.ArrayLike, b: npt.ArrayLike) -> float:
    """Cosine similarity of two single embeddings, in [-1, 1]."""
    x, y = np.asarray(a), np.asarray(b)
    if x.ndim != 1 or y.ndim != 1:
        raise ValueError(f"cosine() takes two 1-D embeddings, got {x.shape} and {y.shape}")
    return float(cosine_matrix(x, y)[0, 0])


@dataclass(frozen=True)
class FaceMatch:
    """How one face of a suspect image compares with the victim's reference faces.

    ``similarities`` holds the similarity (see :func:`similarity_matrix`) to every reference
    embedding (in the
    reference order) so a report can show the whole picture, not only the best one.
    """

    box: tuple[float, float, float, float]
    detection_score: float
    best_similarity: float
    best_reference_index: int
    match: bool
    threshold: float
    similarities: tuple[float, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "box": [round(v, 1) for v in self.box],
            "detection_score": round(self.detection_score, 4),
            "best_similarity": round(self.best_similarity, 4),
            "best_reference_index": self.best_reference_index,
            "match": self.match,
            "threshold": self.threshold,
            "similarities": [round(s, 4) for s in self.similarities],
        }


def compare(
    reference_embeddings: npt.ArrayLike,
    suspect_faces: Sequence[Face],
    suspect_embeddings: npt.ArrayLike,
    threshold: float | None = None,
) -> list[FaceMatch]:
    """Score each suspect face (with its embedding, same order) against every reference.

    ``match`` is ``best_similarity >= threshold``. With no reference embeddings nothing can
    match, which is a ValueError rather than a silent "no". ``threshold`` None: the current
    embedder's manifest threshold (:func:`match_threshold`).
    """
    if threshold is None:
        threshold = match_threshold()
    refs = np.asarray(reference_embeddings, dtype=np.float32)
    if refs.ndim == 1:
        refs = refs[None, :]
    if refs.ndim != 2 or refs.shape[0] == 0 or refs.shape[1] != EMBEDDING_DIM:
        raise ValueError(f"reference_embeddings must be (R >= 1, 128), got {refs.shape}")
    sus = np.asarray(suspect_embeddings, dtype=np.float32).reshape(-1, EMBEDDING_DIM)
    if sus.shape[0] != len(suspect_faces):
        raise ValueError(
            f"{len(suspect_faces)} suspect faces but {sus.shape[0]} suspect embeddings"
        )
    if not suspect_faces:
        return []
    sims = similarity_matrix(sus, refs)  # (S, R)
    matches: list[FaceMatch] = []
    for face, row in zip(suspect_faces, sims, strict=True):
        best = int(np.argmax(row))
        matches.append(
            FaceMatch(
                box=face.box,
                detection_score=face.score,
                best_similarity=float(row[best]),
                best_reference_index=best,
                match=bool(row[best] >= threshold),
                threshold=threshold,
                similarities=tuple(float(s) for s in row),
            )
        )
    return matches


def compare_image(
    reference_embeddings: npt.ArrayLike,
    suspect_rgb: npt.NDArray[Any],
    threshold: float | None = None,
) -> list[FaceMatch]:
    """Detect, align and embed every face of a suspect image, then :func:`compare` them."""
    faces, embeddings = detect_and_embed(suspect_rgb)
    return compare(reference_embeddings, faces, embeddings, threshold)
