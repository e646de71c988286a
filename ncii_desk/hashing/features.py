"""Local-feature verification: finds an original inside a suspect when hashes cannot.

Off-centre crops, small rotations and heavy re-framing change every global hash. Binary
ORB descriptors of both images, matched with a ratio test and confirmed by a RANSAC fit of a
similarity transform (scale, rotation, shift), still find them. The inlier count is the
evidence, and the fitted transform says which part of the original the suspect shows.

Only the victim's own originals are compared this way (a case has tens, not millions), so a
brute-force descriptor match per pair is affordable.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np

from ncii_desk.hashing.perceptual import reduce_for_hash

FEATURE_SIDE = 640
MAX_FEATURES = 1000
RATIO = 0.75
MIN_INLIERS = 30
MIN_INLIER_SHARE = 0.35
RANSAC_PIXELS = 6.0
ALGORITHM = "ORB (OpenCV) + ratio test + RANSAC similarity transform"

Pixels = np.ndarray[Any, np.dtype[np.uint8]]


@dataclass(frozen=True)
class Features:
    points: np.ndarray[Any, np.dtype[np.float32]]  # (n, 2) x, y in the reduced image
    descriptors: np.ndarray[Any, np.dtype[np.uint8]]  # (n, 32)
    width: int  # reduced image size the points refer to
    height: int

    def to_json(self) -> dict[str, Any]:
        return {
            "width": self.width,
            "height": self.height,
            "points": base64.b64encode(self.points.astype("<f4").tobytes()).decode(),
            "descriptors": base64.b64encode(self.descriptors.tobytes()).decode(),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Features:
        pts = np.frombuffer(base64.b64decode(data["points"]), dtype="<f4").reshape(-1, 2)
        desc = np.frombuffer(base64.b64decode(data["descriptors"]), dtype=np.uint8)
        return cls(
            pts.astype(np.float32), desc.reshape(-1, 32), int(data["width"]), int(data["height"])
        )


@dataclass(frozen=True)
class Verification:
    matched: bool
    inliers: int
    good_matches: int
    scale: float | None = None
    rotation_deg: float | None = None
    #: The suspect's outline mapped into the original's reduced image: which part it shows.
    region_in_original: list[tuple[float, float]] | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "matched": self.matched,
            "inliers": self.inliers,
            "good_matches": self.good_matches,
            "scale": self.scale,
            "rotation_deg": self.rotation_deg,
            "region_in_original": self.region_in_original,
            "thresholds": {
                "min_inliers": MIN_INLIERS,
                "min_inlier_share": MIN_INLIER_SHARE,
                "ratio": RATIO,
                "ransac_px": RANSAC_PIXELS,
            },
            "algorithm": ALGORITHM,
        }


_ORB: Any = None
#: OpenCV's default ORB edge threshold (pixels left out at every border of every level).
ORB_EDGE_THRESHOLD = 31


def extract(pixels: Pixels) -> Features:
    global _ORB
    if _ORB is None:
        _ORB = cv2.ORB.create(nfeatures=MAX_FEATURES, fastThreshold=12)
    small = reduce_for_hash(pixels, FEATURE_SIDE)
    grey = cv2.cvtColor(small, cv2.COLOR_RGB2GRAY) if small.ndim == 3 else small
    # ORB keeps EDGE_THRESHOLD pixels clear of every border, so a picture narrower than twice
    # that has no keypoints; OpenCV's pyramid even fails an assertion on a 1-pixel side.
    too_small = min(grey.shape[:2]) <= 2 * ORB_EDGE_THRESHOLD
    keypoints, desc = ((), None) if too_small else _ORB.detectAndCompute(grey, None)
    if desc is None or not keypoints:
        return Features(
            np.zeros((0, 2), np.float32), np.zeros((0, 32), np.uint8), grey.shape[1], grey.shape[0]
        )
    pts = np.array([kp.pt for kp in keypoints], dtype=np.float32)
    return Features(pts, desc.astype(np.uint8), grey.shape[1], grey.shape[0])


def verify(suspect: Features, original: Features) -> Verification:
    """Does the suspect show (part of) the original? Geometric proof, not a guess."""
    if len(suspect.descriptors) < 8 or len(original.descriptors) < 8:
        return Verification(False, 0, 0)
    matcher = cv2.BFMatcher(cv2.NORM_HAMMING)
    pairs = matcher.knnMatch(suspect.descriptors, original.descriptors, k=2)
    good = [p[0] for p in pairs if len(p) == 2 and p[0].distance < RATIO * p[1].distance]
    if len(good) < MIN_INLIERS:
        return Verification(False, 0, len(good))
    src = suspect.points[[m.queryIdx for m in good]]
    dst = original.points[[m.trainIdx for m in good]]
    fitted: tuple[Any, Any] = cv2.estimateAffinePartial2D(
        src,
        dst,
        method=cv2.RANSAC,
        ransacReprojThreshold=RANSAC_PIXELS,
        maxIters=2000,
        confidence=0.995,
    )
    transform, mask = fitted
    if transform is None or mask is None:
        return Verification(False, 0, len(good))
    inliers = int(mask.sum())
    scale = float(np.hypot(transform[0, 0], transform[1, 0]))
    rotation = float(np.degrees(np.arctan2(transform[1, 0], transform[0, 0])))
    corners = np.array(
        [[0, 0], [suspect.width, 0], [suspect.width, suspect.height], [0, suspect.height]],
        dtype=np.float32,
    )
    mapped = cv2.transform(corners[None, :, :], transform)[0]
    matched = (
        inliers >= MIN_INLIERS and inliers >= MIN_INLIER_SHARE * len(good) and 0.1 <= scale <= 10.0
    )
    return Verification(
        matched,
        inliers,
        len(good),
        round(scale, 4),
        round(rotation, 2),
        [(round(float(x), 1), round(float(y), 1)) for x, y in mapped],
    )
