"""Source derivation: which of the victim's own photos a suspect image was made from.

A "nudified" or face-swapped image keeps most of the photo it was made from: the face, the
hair, the room, the light. Only a region is replaced. Hashes of the whole picture differ, but
local image features of the untouched part still line up with the original. This module

1. finds the original: ORB features spread over the suspect (in the form
   :mod:`ncii_desk.hashing.features` uses) against each prepared original, a ratio test, and
   a RANSAC homography (MAGSAC++) with sanity checks on its shape; a mirrored suspect is
   tried when the upright one finds nothing;
2. aligns the original onto the suspect and refines the fit once more on the aligned pair;
3. compares them in a way that ignores what re-posting does (recompression, resizing, colour
   and brightness shifts): the original's colours are first fitted to the suspect's with a
   robust colour transform, both are smoothed, and each spot is scored by the local
   correlation of the two pictures (the "structure" term of SSIM) and by the local colour
   difference. Spots where either is far off count as altered;
4. reports the share of the suspect the original explains, the altered regions as boxes in
   the suspect's pixels, a coarse grid of the altered mask, and a heat-map.

The result shows *that* and *where* a suspect differs from an original it was made from; it
says nothing about who edited it, or whether an edit is sexual: a sticker, a caption or a
filter is a difference too. A region that was replaced by something very similar (a flat wall
by a flat wall of the same colour) cannot be told apart.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Protocol

import cv2
import numpy as np
import numpy.typing as npt

from ncii_desk.hashing import features as local_features
from ncii_desk.hashing.perceptual import reduce_for_hash
from ncii_desk.vision.signals import Signal, Strength


class Job(Protocol):
    """What this module needs of the caller's job (services.jobs.Job is one): services sit
    above vision, so the job is only handed in, and described here by what is used."""

    def raise_if_cancelled(self) -> None: ...


__all__ = [
    "ALGORITHM",
    "ALTERED_THRESHOLD",
    "GRID_SIZE",
    "MIN_INLIERS",
    "DerivationResult",
    "PreparedOriginal",
    "extract_spread",
    "find_source",
    "prepare",
    "render_heatmap",
]

UInt8Array = npt.NDArray[np.uint8]
FloatArray = npt.NDArray[np.float32]

ALGORITHM: Final = (
    "ORB features + ratio test + RANSAC (MAGSAC++) homography, refined on the aligned pair; "
    "robust colour fit; local correlation and colour difference on smoothed images"
)
#: Longest side of the stored copy of an original that suspects are compared with.
ORIGINAL_SIDE: Final = 1024
#: Longest side at which a suspect is compared with its original (the heat-map resolution).
ANALYSIS_SIDE: Final = 512
#: Agreeing feature points needed before a homography counts as evidence. A homography has
#: eight free parameters, so it needs more support than the similarity transform used for
#: matching (:data:`ncii_desk.hashing.features.MIN_INLIERS`); unrelated photos reached at
#: most 16, the true originals of edited suspects at least 40 (bench/results/derivation.md).
MIN_INLIERS: Final = 25
#: ... and that share of the ratio-test matches must agree with it.
MIN_INLIER_RATIO: Final = 0.25
RATIO: Final = 0.8
SPREAD_FEATURES: Final = 2000  # ORB corners per picture, spread over GRID_CELLS x GRID_CELLS
GRID_CELLS: Final = 4
FAST_THRESHOLD: Final = 6  # low, so dark and smooth parts of a photo get corners too
DETECT_LIMIT: Final = 40_000  # corners considered before each cell keeps its strongest
RANSAC_PX: Final = 4.0  # reprojection error allowed, in pixels of the 640 px feature images
#: A spot with a dissimilarity (0 = same, 1 = unrelated) above this counts as altered.
ALTERED_THRESHOLD: Final = 0.5
#: Altered regions smaller than this share of the suspect are ignored (noise, edges).
MIN_REGION_SHARE: Final = 0.004
GRID_SIZE: Final = 32
COLOUR_SAMPLES: Final = 20_000  # pixels the colour fit is computed from
STRUCTURE_FLOOR: Final = 0.04  # SSIM-style stabiliser, as a share of the 0-255 range
COLOUR_TOLERANCE: Final = 10.0  # local colour difference (0-255 units) still counted as same
COLOUR_RANGE: Final = 40.0  # ... and how much more makes a spot fully different
#: Inliers and matched share for a STRONG finding.
STRONG_INLIERS: Final = 60
STRONG_MATCHED_SHARE: Final = 0.5
#: Candidates whose inliers come within this factor of the best are compared in full, so the
#: right one of a burst of near-identical photos is chosen by what matches, not by count.
CANDIDATE_FACTOR: Final = 0.7
MAX_CANDIDATES: Final = 3

CAVEAT: Final = (
    "This shows that the image was made from the original and where the two differ; it does "
    "not show who edited it or why. Any edit counts as a difference, including harmless ones "
    "such as stickers, captions or filters, and a region replaced by something very similar "
    "may not be found."
)


# --- prepared originals ---------------------------------------------------------------------


@dataclass(frozen=True)
class PreparedOriginal:
    """What comparing suspects with one original needs, computed once per original."""

    features: local_features.Features  # ORB at the 640 px feature size
    pixels: UInt8Array  # RGB copy, longest side at most ORIGINAL_SIDE
    width: int  # size of the picture prepare() was given
    height: int


def prepare(rgb: UInt8Array) -> PreparedOriginal:
    """Features and a reduced copy of one original (RGB uint8, as the media loader gives)."""
    _check_rgb(rgb)
    return PreparedOriginal(
        features=extract_spread(rgb),
        pixels=reduce_for_hash(rgb, ORIGINAL_SIDE),
        width=int(rgb.shape[1]),
        height=int(rgb.shape[0]),
    )


def _check_rgb(rgb: UInt8Array) -> None:
    if rgb.dtype != np.uint8 or rgb.ndim != 3 or rgb.shape[2] != 3:
        raise ValueError(f"expected RGB uint8 pixels (H, W, 3), got {rgb.dtype} {rgb.shape}")
    if min(rgb.shape[:2]) < 16:
        raise ValueError(f"the picture is too small to compare ({rgb.shape[1]}x{rgb.shape[0]})")


def extract_spread(pixels: UInt8Array) -> local_features.Features:
    """ORB features spread over the whole picture, in the same form matching uses.

    :func:`ncii_desk.hashing.features.extract` keeps the 1000 strongest corners, which is
    right for recognising a copy. An edit, though, often pastes in busy texture (fabric,
    gravel, hair) whose corners would take most of that budget and leave the untouched part
    of the photo, the evidence, with too few. Here each cell of a 4x4 grid keeps its own
    strongest corners, so every part of the picture is represented.
    """
    side = local_features.FEATURE_SIDE
    h0, w0 = pixels.shape[:2]
    zoom = side / max(h0, w0)
    # Small pictures are enlarged for detection, so both sides are compared at one scale.
    size = (max(1, round(w0 * zoom)), max(1, round(h0 * zoom)))
    small = cv2.resize(pixels, size, interpolation=cv2.INTER_AREA if zoom < 1 else cv2.INTER_CUBIC)
    grey = cv2.cvtColor(small, cv2.COLOR_RGB2GRAY)
    h, w = grey.shape
    orb = cv2.ORB.create(nfeatures=DETECT_LIMIT, fastThreshold=FAST_THRESHOLD)
    keypoints = orb.detect(grey, None)
    cells: dict[tuple[int, int], list[Any]] = {}
    for kp in keypoints:
        cell = (
            min(GRID_CELLS - 1, int(kp.pt[0] * GRID_CELLS / w)),
            min(GRID_CELLS - 1, int(kp.pt[1] * GRID_CELLS / h)),
        )
        cells.setdefault(cell, []).append(kp)
    per_cell = SPREAD_FEATURES // (GRID_CELLS * GRID_CELLS)
    ranked = [
        (rank, kp)
        for group in cells.values()
        for rank, kp in enumerate(sorted(group, key=lambda k: k.response, reverse=True)[:per_cell])
    ]
    # Rank-major order: any prefix is itself spread over the picture (a quick first look).
    ranked.sort(key=lambda item: item[0])
    described, desc = orb.compute(grey, [kp for _, kp in ranked])
    if desc is None or not described:
        return local_features.Features(
            np.zeros((0, 2), np.float32), np.zeros((0, 32), np.uint8), w, h
        )
    pts = np.array([kp.pt for kp in described], dtype=np.float32)
    return local_features.Features(pts, np.asarray(desc, np.uint8), w, h)


# --- the result -----------------------------------------------------------------------------


@dataclass
class DerivationResult:
    """How one suspect relates to the original it was made from.

    Shares are of the suspect's whole area: ``matched_share + altered_share ==
    overlap_share``; the rest (``1 - overlap_share``) is picture the original does not cover
    (for example an extended canvas or another image beside it).
    """

    original_id: str
    inliers: int
    inlier_ratio: float
    homography: list[list[float]]  # 3x3: original pixels -> suspect pixels (full size)
    overlap_share: float
    matched_share: float
    altered_share: float
    altered_boxes: list[tuple[int, int, int, int]]  # x, y, w, h in suspect pixels
    grid: list[list[float]]  # GRID_SIZE x GRID_SIZE altered share per cell, row by row
    mirrored: bool = False
    suspect_size: tuple[int, int] = (0, 0)  # width, height the boxes refer to
    candidates: list[dict[str, Any]] = field(default_factory=list)
    heatmap: FloatArray = field(default_factory=lambda: np.zeros((0, 0), np.float32), repr=False)
    covered: npt.NDArray[np.bool_] = field(
        default_factory=lambda: np.zeros((0, 0), np.bool_), repr=False
    )
    altered_mask: npt.NDArray[np.bool_] = field(
        default_factory=lambda: np.zeros((0, 0), np.bool_), repr=False
    )

    def as_dict(self) -> dict[str, Any]:
        """JSON-safe: every number behind the finding, no pixel arrays but the coarse grid."""
        return {
            "original_id": self.original_id,
            "inliers": self.inliers,
            "inlier_ratio": round(self.inlier_ratio, 4),
            "homography": [[round(v, 6) for v in row] for row in self.homography],
            "mirrored": self.mirrored,
            "suspect_size": list(self.suspect_size),
            "overlap_share": round(self.overlap_share, 4),
            "matched_share": round(self.matched_share, 4),
            "altered_share": round(self.altered_share, 4),
            "altered_boxes": [list(b) for b in self.altered_boxes],
            "grid": self.grid,
            "candidates": self.candidates,
            "thresholds": {
                "min_inliers": MIN_INLIERS,
                "min_inlier_ratio": MIN_INLIER_RATIO,
                "ratio_test": RATIO,
                "ransac_px": RANSAC_PX,
                "altered_threshold": ALTERED_THRESHOLD,
                "min_region_share": MIN_REGION_SHARE,
            },
            "algorithm": ALGORITHM,
        }

    def strength(self) -> Strength:
        if self.inliers >= STRONG_INLIERS and self.matched_share >= STRONG_MATCHED_SHARE:
            return Strength.STRONG
        return Strength.MODERATE

    def signal(self, label: str | None = None) -> Signal:
        """The finding in words; ``label`` names the original (default: its id)."""
        matched = _percent(self.matched_share)
        name = label or self.original_id
        parts = [f"Made from original {name}: {matched} of the image matches it"]
        if self.altered_boxes:
            largest = max(self.altered_boxes, key=lambda b: b[2] * b[3])
            where = _where(largest, self.suspect_size)
            count = len(self.altered_boxes)
            regions = "a region" if count == 1 else f"{count} regions"
            parts.append(
                f"{regions} covering {_percent(self.altered_share)} differ"
                + ("s" if count == 1 else "")
                + f" (the largest {where})"
            )
        else:
            parts.append("no altered region was found")
        outside = 1.0 - self.overlap_share
        if outside >= 0.05:
            parts.append(f"{_percent(outside)} of the image lies outside the original")
        finding = "; ".join(parts) + "."
        if self.mirrored:
            finding += " The image is a mirror image of the original."
        return Signal(
            kind="derivation",
            finding=finding,
            strength=self.strength(),
            caveat=CAVEAT,
            value=self.as_dict(),
        )


def _percent(share: float) -> str:
    value = share * 100
    if 0 < value < 1:
        return "less than 1 %"
    return f"{value:.0f} %"


def _where(box: tuple[int, int, int, int], size: tuple[int, int]) -> str:
    """Plain words for where a box lies: 'in the lower middle', 'at the top left'."""
    w, h = size
    if w <= 0 or h <= 0:
        return "in the image"
    cx = (box[0] + box[2] / 2) / w
    cy = (box[1] + box[3] / 2) / h
    if box[2] * box[3] >= 0.6 * w * h:
        return "over most of the image"
    row = "top" if cy < 1 / 3 else ("bottom" if cy > 2 / 3 else "middle")
    col = "left" if cx < 1 / 3 else ("right" if cx > 2 / 3 else "centre")
    if row == "middle" and col == "centre":
        return "in the centre"
    if row == "middle":
        return f"on the {col}"
    if col == "centre":
        return f"at the {row}"
    return f"at the {row} {col}"


# --- finding the original -------------------------------------------------------------------


@dataclass(frozen=True)
class _Fit:
    original_id: str
    original: PreparedOriginal
    homography: npt.NDArray[np.float64]  # original full pixels -> suspect full pixels
    inliers: int
    good: int
    mirrored: bool


_MATCHER: Final = cv2.BFMatcher(cv2.NORM_HAMMING)


def _scale(sx: float, sy: float) -> npt.NDArray[np.float64]:
    return np.array([[sx, 0.0, 0.0], [0.0, sy, 0.0], [0.0, 0.0, 1.0]])


def _fit_homography(
    suspect: local_features.Features, original: local_features.Features
) -> tuple[npt.NDArray[np.float64], int, int] | None:
    """Homography original feature px -> suspect feature px, with its inliers and matches."""
    if len(suspect.descriptors) < 8 or len(original.descriptors) < 8:
        return None
    pairs = _MATCHER.knnMatch(suspect.descriptors, original.descriptors, k=2)
    good = [p[0] for p in pairs if len(p) == 2 and p[0].distance < RATIO * p[1].distance]
    if len(good) < MIN_INLIERS:
        return None
    dst = suspect.points[[m.queryIdx for m in good]]
    src = original.points[[m.trainIdx for m in good]]
    fitted: tuple[Any, Any] = cv2.findHomography(
        src, dst, cv2.USAC_MAGSAC, RANSAC_PX, maxIters=5000, confidence=0.999
    )
    matrix, mask = fitted
    if matrix is None or mask is None:
        return None
    inliers = int(mask.sum())
    return np.asarray(matrix, np.float64), inliers, len(good)


def _plausible(hom: npt.NDArray[np.float64], orig_size: tuple[int, int]) -> bool:
    """Reject fits no real re-posting produces: folded, collapsed or wildly skewed ones."""
    w, h = orig_size
    corners = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float64)
    ones = np.ones((4, 1))
    mapped = (hom @ np.hstack([corners, ones]).T).T
    if np.any(mapped[:, 2] <= 1e-6):
        return False  # part of the original maps behind the camera
    pts = mapped[:, :2] / mapped[:, 2:3]
    # Convex and consistently oriented: all cross products of consecutive edges share a sign.
    edges = np.roll(pts, -1, axis=0) - pts
    cross = (
        edges[:, 0] * np.roll(edges, -1, axis=0)[:, 1] - edges[:, 1] * np.roll(edges, -1, 0)[:, 0]
    )
    if not (np.all(cross > 0) or np.all(cross < 0)):
        return False
    area = 0.5 * abs(
        float(np.sum(pts[:, 0] * np.roll(pts[:, 1], -1) - pts[:, 1] * np.roll(pts[:, 0], -1)))
    )
    scale = np.sqrt(area / (w * h))
    if not 0.05 <= scale <= 20.0:
        return False
    # Opposite sides of a re-framed photo stay close to equal length; strong perspective does not
    # come from cropping, resizing or screenshots.
    sides = np.linalg.norm(edges, axis=1)
    return bool(sides[0] / sides[2] < 3 and sides[2] / sides[0] < 3) and bool(
        sides[1] / sides[3] < 3 and sides[3] / sides[1] < 3
    )


def _locate(
    suspect_rgb: UInt8Array,
    originals: Sequence[tuple[str, PreparedOriginal]],
    job: Job | None,
) -> list[_Fit]:
    """Every original that explains the suspect geometrically, best first."""
    sh, sw = suspect_rgb.shape[:2]
    fits: list[_Fit] = []
    for mirrored in (False, True):
        pixels = np.ascontiguousarray(suspect_rgb[:, ::-1]) if mirrored else suspect_rgb
        feats = extract_spread(pixels)
        to_suspect = _scale(sw / feats.width, sh / feats.height)
        if mirrored:  # mirrored suspect px -> suspect px
            to_suspect = np.array([[-1.0, 0.0, sw], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]) @ to_suspect
        for original_id, original in originals:
            if job is not None:  # cancel only: progress belongs to the caller's own count
                job.raise_if_cancelled()
            found = _fit_homography(feats, original.features)
            if found is None:
                continue
            h_feat, inliers, good = found
            if inliers < MIN_INLIERS or inliers < MIN_INLIER_RATIO * good:
                continue
            of = original.features
            from_original = _scale(of.width / original.width, of.height / original.height)
            h_full = to_suspect @ h_feat @ from_original
            h_full /= h_full[2, 2]
            if not _plausible(h_full, (original.width, original.height)):
                continue
            fits.append(_Fit(original_id, original, h_full, inliers, good, mirrored))
        if fits:
            break  # the mirror is tried only when the upright suspect matched nothing
    fits.sort(key=lambda f: f.inliers, reverse=True)
    return fits


# --- comparing an aligned pair --------------------------------------------------------------


def _gaussian(img: FloatArray, sigma: float) -> FloatArray:
    return np.asarray(cv2.GaussianBlur(img, (0, 0), sigma), np.float32)


def _warp(
    original: PreparedOriginal, h_full: npt.NDArray[np.float64], size: tuple[int, int], scale: float
) -> tuple[UInt8Array, npt.NDArray[np.bool_]]:
    """The original warped onto the suspect's analysis grid, and where it lands.

    ``scale`` maps suspect full pixels to analysis pixels. The stored copy is first reduced
    to about the size it will have in the suspect, so the warp never samples a much larger
    picture (which would alias).
    """
    px: UInt8Array = original.pixels
    to_stored = _scale(px.shape[1] / original.width, px.shape[0] / original.height)
    h = _scale(scale, scale) @ h_full @ np.linalg.inv(to_stored)  # stored px -> analysis px
    zoom = float(np.sqrt(abs(np.linalg.det(h[:2, :2]))))
    if zoom < 0.8:
        small = np.asarray(
            cv2.resize(
                px,
                (max(8, round(px.shape[1] * zoom)), max(8, round(px.shape[0] * zoom))),
                interpolation=cv2.INTER_AREA,
            ),
            np.uint8,
        )
        h = h @ _scale(px.shape[1] / small.shape[1], px.shape[0] / small.shape[0])
        px = small
    warped = cv2.warpPerspective(
        px, h, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )
    inside = cv2.warpPerspective(
        np.full(px.shape[:2], 255, np.uint8), h, size, flags=cv2.INTER_NEAREST, borderValue=0
    )
    return np.asarray(warped, np.uint8), np.asarray(inside > 0)


def _refine(
    warped: UInt8Array, suspect: UInt8Array, covered: npt.NDArray[np.bool_]
) -> npt.NDArray[np.float64] | None:
    """A small correction homography (aligned original -> suspect) from a second feature pass.

    The first fit came from 640 px features of the whole pictures; matching the aligned pair
    again, where corresponding points must lie within a few pixels, gives many more and more
    precise correspondences, which keeps edges from showing up as differences.
    """
    orb = cv2.ORB.create(nfeatures=3000, fastThreshold=10)
    mask = covered.astype(np.uint8) * 255
    ga = cv2.cvtColor(warped, cv2.COLOR_RGB2GRAY)
    gb = cv2.cvtColor(suspect, cv2.COLOR_RGB2GRAY)
    ka, da = orb.detectAndCompute(ga, mask)
    kb, db = orb.detectAndCompute(gb, mask)
    if da is None or db is None or len(ka) < 20 or len(kb) < 20:
        return None
    pa = np.array([k.pt for k in ka], np.float32)
    pb = np.array([k.pt for k in kb], np.float32)
    pairs = _MATCHER.knnMatch(da, db, k=2)
    good = [p[0] for p in pairs if len(p) == 2 and p[0].distance < RATIO * p[1].distance]
    src = pa[[m.queryIdx for m in good]] if good else np.zeros((0, 2), np.float32)
    dst = pb[[m.trainIdx for m in good]] if good else np.zeros((0, 2), np.float32)
    near = np.linalg.norm(src - dst, axis=1) < 6.0  # already aligned: only small corrections
    if int(near.sum()) < 20:
        return None
    fitted: tuple[Any, Any] = cv2.findHomography(
        src[near], dst[near], cv2.USAC_MAGSAC, 1.5, maxIters=2000, confidence=0.999
    )
    matrix, inl = fitted
    if matrix is None or inl is None or int(inl.sum()) < 20:
        return None
    return np.asarray(matrix, np.float64)


def _colour_fit(src: FloatArray, dst: FloatArray, covered: npt.NDArray[np.bool_]) -> FloatArray:
    """Map the original's colours onto the suspect's (3x3 matrix + offset, fitted robustly).

    Re-posting shifts brightness, contrast and colour balance; an altered region must not
    steer the fit. The first fit uses the half of the pixels that are already closest
    unchanged (an edit is rarely half the picture, a colour shift rarely large), later fits
    the half closest to the previous fit.
    """
    a = src[covered]
    b = dst[covered]
    if len(a) > COLOUR_SAMPLES:
        step = len(a) // COLOUR_SAMPLES
        a, b = a[::step], b[::step]
    design = np.hstack([a, np.ones((len(a), 1), np.float32)]).astype(np.float64)
    target = b.astype(np.float64)
    coef = np.eye(4, 3, dtype=np.float64)  # rows: weights of R, G, B and the offset
    for _ in range(4):
        predicted = np.einsum("ni,ij->nj", design, coef, optimize=False)
        residual = np.sqrt(((predicted - target) ** 2).sum(axis=1))
        keep = residual <= np.quantile(residual, 0.5)
        if keep.sum() < 50:
            break
        x, y = design[keep], target[keep]
        # Normal equations, summed without BLAS (whose thread start-up dominates at this size).
        gram = np.einsum("ni,nj->ij", x, x, optimize=False) + 1e-6 * np.eye(4)
        coef = np.linalg.solve(gram, np.einsum("ni,nj->ij", x, y, optimize=False))
    mapped = cv2.transform(src, np.ascontiguousarray(coef.T, np.float32))
    return np.clip(mapped, 0, 255).astype(np.float32)


def _dissimilarity(
    original: UInt8Array, suspect: UInt8Array, covered: npt.NDArray[np.bool_]
) -> FloatArray:
    """0 (same picture) .. 1 (unrelated) per pixel of the analysis grid."""
    side = max(suspect.shape[:2])
    pre = max(0.8, side / 512)  # removes JPEG blocking and resampling differences
    win = max(2.0, 3.5 * side / 512)  # the neighbourhood each spot is judged by
    o = _gaussian(original.astype(np.float32), pre)
    s = _gaussian(suspect.astype(np.float32), pre)
    o = _colour_fit(o, s, covered)
    lo = _luma(o)
    ls = _luma(s)
    mo, ms = _gaussian(lo, win), _gaussian(ls, win)
    var_o = np.maximum(_gaussian(lo * lo, win) - mo * mo, 0)
    var_s = np.maximum(_gaussian(ls * ls, win) - ms * ms, 0)
    cov = _gaussian(lo * ls, win) - mo * ms
    # SSIM's structure term (correlation, stabilised where both spots are nearly flat, so
    # compression noise on a plain wall does not count as a difference).
    c2 = (STRUCTURE_FLOOR * 255) ** 2
    d_struct = np.clip(1.0 - (2 * cov + c2) / (var_o + var_s + c2), 0.0, 1.0)
    # Local colour difference after the colour fit: catches a plain region recoloured.
    colour = np.sqrt((_gaussian(o - s, win) ** 2).sum(axis=2))
    d_colour = np.clip((colour - COLOUR_TOLERANCE) / COLOUR_RANGE, 0.0, 1.0)
    d: FloatArray = np.maximum(d_struct, d_colour).astype(np.float32)
    d[~covered] = 0.0
    return d


def _luma(rgb: FloatArray) -> FloatArray:
    return np.asarray(0.299 * rgb[..., 0] + 0.587 * rgb[..., 1] + 0.114 * rgb[..., 2], np.float32)


def _altered_mask(d: FloatArray, covered: npt.NDArray[np.bool_]) -> npt.NDArray[np.bool_]:
    side = max(d.shape)
    raw = ((d > ALTERED_THRESHOLD) & covered).astype(np.uint8)
    k = max(3, round(side / 100) | 1)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k))
    cleaned = cv2.morphologyEx(raw, cv2.MORPH_OPEN, kernel)
    big = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * k + 1, 2 * k + 1))
    cleaned = cv2.morphologyEx(cleaned, cv2.MORPH_CLOSE, big)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(cleaned, connectivity=8)
    keep = np.zeros(count, bool)
    min_area = MIN_REGION_SHARE * d.size
    for i in range(1, count):
        keep[i] = stats[i, cv2.CC_STAT_AREA] >= min_area
    return np.asarray(keep[labels] & covered)


def _boxes(
    mask: npt.NDArray[np.bool_], scale: float, size: tuple[int, int]
) -> list[tuple[int, int, int, int]]:
    count, _, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    w, h = size
    boxes = []
    for i in range(1, count):
        x, y, bw, bh = (int(v) for v in stats[i, :4])
        x0, y0 = max(0, int(x / scale)), max(0, int(y / scale))
        x1, y1 = min(w, int(np.ceil((x + bw) / scale))), min(h, int(np.ceil((y + bh) / scale)))
        boxes.append((x0, y0, x1 - x0, y1 - y0))
    boxes.sort(key=lambda b: b[2] * b[3], reverse=True)
    return boxes


def _grid(mask: npt.NDArray[np.bool_]) -> list[list[float]]:
    cells = cv2.resize(
        mask.astype(np.float32), (GRID_SIZE, GRID_SIZE), interpolation=cv2.INTER_AREA
    )
    return [[round(float(v), 3) for v in row] for row in cells]


def _compare(fit: _Fit, suspect_rgb: UInt8Array) -> DerivationResult:
    sh, sw = suspect_rgb.shape[:2]
    scale = min(1.0, ANALYSIS_SIDE / max(sh, sw))
    size = (max(1, round(sw * scale)), max(1, round(sh * scale)))
    small = (
        np.asarray(cv2.resize(suspect_rgb, size, interpolation=cv2.INTER_AREA), np.uint8)
        if scale < 1.0
        else suspect_rgb
    )
    h_full = fit.homography
    warped, covered = _warp(fit.original, h_full, size, scale)
    correction = _refine(warped, small, covered)
    if correction is not None:
        to_analysis = _scale(scale, scale)
        h_full = np.linalg.inv(to_analysis) @ correction @ to_analysis @ h_full
        h_full /= h_full[2, 2]
        warped, covered = _warp(fit.original, h_full, size, scale)
    d = _dissimilarity(warped, small, covered)
    altered = _altered_mask(d, covered)
    total = float(covered.size)
    overlap = float(covered.sum()) / total
    altered_share = float(altered.sum()) / total
    return DerivationResult(
        original_id=fit.original_id,
        inliers=fit.inliers,
        inlier_ratio=fit.inliers / max(1, fit.good),
        homography=[[float(v) for v in row] for row in h_full],
        overlap_share=overlap,
        matched_share=max(0.0, overlap - altered_share),
        altered_share=altered_share,
        altered_boxes=_boxes(altered, scale, (sw, sh)),
        grid=_grid(altered),
        mirrored=fit.mirrored,
        suspect_size=(sw, sh),
        heatmap=d,
        covered=covered,
        altered_mask=altered,
    )


def find_source(
    suspect_rgb: UInt8Array,
    originals: Sequence[tuple[str, PreparedOriginal]],
    *,
    job: Job | None = None,
) -> DerivationResult | None:
    """The original the suspect was made from, or None when no original explains it.

    ``originals`` pairs an id (shown in the finding) with :func:`prepare`'s result. ``job``
    is checked for a cancel between originals; progress stays with the caller, since one
    suspect takes well under a second per ten originals.
    """
    _check_rgb(suspect_rgb)
    fits = _locate(suspect_rgb, originals, job)
    if not fits:
        return None
    best = fits[0].inliers
    contenders = [f for f in fits if f.inliers >= CANDIDATE_FACTOR * best][:MAX_CANDIDATES]
    results = [_compare(f, suspect_rgb) for f in contenders]
    chosen = max(results, key=lambda r: (r.matched_share, r.inliers))
    chosen.candidates = [
        {"original_id": f.original_id, "inliers": f.inliers, "matches": f.good} for f in fits
    ]
    return chosen


# --- picture for people ---------------------------------------------------------------------


def render_heatmap(suspect_rgb: UInt8Array, result: DerivationResult) -> UInt8Array:
    """The suspect in grey, differences from the original in red (the stronger, the redder),
    picture the original does not cover in blue, altered regions outlined in yellow.

    Returned as RGB pixels for the caller to show or save; nothing is written here.
    """
    _check_rgb(suspect_rgb)
    h, w = suspect_rgb.shape[:2]
    grey = cv2.cvtColor(suspect_rgb, cv2.COLOR_RGB2GRAY).astype(np.float32)
    base = np.repeat((grey * 0.6 + 50.0)[..., None], 3, axis=2)
    if result.heatmap.size:
        heat = cv2.resize(result.heatmap, (w, h), interpolation=cv2.INTER_LINEAR)
        covered = cv2.resize(
            result.covered.astype(np.uint8), (w, h), interpolation=cv2.INTER_NEAREST
        ).astype(bool)
    else:
        heat = np.zeros((h, w), np.float32)
        covered = np.ones((h, w), bool)
    alpha = np.clip(heat, 0.0, 1.0)[..., None] * 0.7
    out = base * (1 - alpha) + np.array(_RED, np.float32) * alpha
    out[~covered] = out[~covered] * 0.5 + np.array(_BLUE, np.float32) * 0.5
    canvas = np.ascontiguousarray(np.clip(out, 0, 255).astype(np.uint8))
    thickness = max(2, round(max(h, w) / 300))
    for x, y, bw, bh in result.altered_boxes:
        cv2.rectangle(canvas, (x, y), (x + bw - 1, y + bh - 1), _YELLOW, thickness)
    return canvas


_RED: Final = (230, 20, 20)
_BLUE: Final = (40, 90, 200)
_YELLOW: Final = (255, 220, 0)
