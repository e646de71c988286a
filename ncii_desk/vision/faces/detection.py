"""Face detection with YuNet: input checks, the grid decode, NMS, small faces and rotations."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

import cv2
import numpy as np
import numpy.typing as npt

from ncii_desk.vision.faces.models import FloatArray, UInt8Array, _detector

# --- input checks -----------------------------------------------------------------------------


def _as_rgb(pixels: object, what: str = "pixels_rgb") -> UInt8Array:
    """A C-contiguous (H, W, 3) uint8 RGB view/copy of ``pixels``, or ValueError saying why not.

    Accepted: (H, W, 3) RGB; (H, W, 4) RGBA (alpha dropped); (H, W) or (H, W, 1) grey.
    """
    if not isinstance(pixels, np.ndarray):
        raise ValueError(f"{what} must be a numpy array, got {type(pixels).__name__}")
    if pixels.dtype != np.uint8:
        raise ValueError(f"{what} must be uint8 (0-255), got dtype {pixels.dtype}")
    arr: UInt8Array = pixels
    if arr.ndim == 3 and arr.shape[2] == 1:
        arr = arr[:, :, 0]
    if arr.ndim == 2:
        arr = np.repeat(arr[:, :, None], 3, axis=2)
    elif arr.ndim == 3 and arr.shape[2] == 4:
        arr = arr[:, :, :3]
    if arr.ndim != 3 or arr.shape[2] != 3:
        raise ValueError(
            f"{what} must be an image array of shape (height, width, 3) RGB "
            f"(or (h, w, 4) RGBA, or (h, w) grey), got shape {pixels.shape}"
        )
    if arr.shape[0] < 1 or arr.shape[1] < 1:
        raise ValueError(f"{what} is empty: shape {pixels.shape}")
    return np.ascontiguousarray(arr)


# --- detection (YuNet) ------------------------------------------------------------------------

#: Long side the image is resized to before detection (YuNet is trained for faces <= ~300 px;
#: MANIFEST.md: a 450 px face scores 0.72 at full size, 0.93 at 640).
DETECT_LONG_SIDE: Final = 640
_STRIDES: Final = (8, 16, 32)
_TOP_K: Final = 5000


@dataclass(frozen=True, eq=False)
class Face:
    """One detected face, in the original image's pixel coordinates.

    ``box`` is (x, y, w, h) as floats; it is not clipped to the image (YuNet can place a box
    edge a little outside it). ``landmarks`` is a (5, 2) float32 array of (x, y) in YuNet's
    order: right eye, left eye, nose tip, right mouth corner, left mouth corner, where "right"
    is the subject's right, i.e. the point on the image-left side for a frontal face.
    ``score`` is YuNet's sqrt(cls * obj) in [0, 1]. ``rotation`` is how far (degrees
    clockwise: 0, 90, 180 or 270) the image had to be turned for the detector to find the
    face; box and landmarks are still in the unturned image's pixels.
    """

    box: tuple[float, float, float, float]
    landmarks: FloatArray
    score: float
    rotation: int = 0

    @property
    def area(self) -> float:
        return self.box[2] * self.box[3]

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form for reports."""
        names = ("right_eye", "left_eye", "nose", "right_mouth", "left_mouth")
        return {
            "box": [round(v, 1) for v in self.box],
            "landmarks": {
                n: [round(float(x), 1), round(float(y), 1)]
                for n, (x, y) in zip(names, self.landmarks, strict=True)
            },
            "score": round(self.score, 4),
            "rotation": self.rotation,
        }


_grid_cache: dict[tuple[int, int], tuple[FloatArray, FloatArray, FloatArray]] = {}


def _grid(height: int, width: int) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Column, row and stride of every anchor, strides 8/16/32 concatenated (cached)."""
    key = (height, width)
    cached = _grid_cache.get(key)
    if cached is None:
        cols_l, rows_l, strides_l = [], [], []
        for s in _STRIDES:
            rows, cols = height // s, width // s
            cols_l.append(np.tile(np.arange(cols, dtype=np.float32), rows))
            rows_l.append(np.repeat(np.arange(rows, dtype=np.float32), cols))
            strides_l.append(np.full(rows * cols, s, dtype=np.float32))
        cached = (np.concatenate(cols_l), np.concatenate(rows_l), np.concatenate(strides_l))
        if len(_grid_cache) < 64:
            _grid_cache[key] = cached
    return cached


def _nms(boxes: FloatArray, scores: FloatArray, iou_threshold: float) -> list[int]:
    """Greedy non-maximum suppression on (x, y, w, h) boxes; indices kept, best first."""
    order = np.argsort(-scores, kind="stable")[:_TOP_K]
    x1, y1 = boxes[:, 0], boxes[:, 1]
    x2, y2 = x1 + boxes[:, 2], y1 + boxes[:, 3]
    areas = boxes[:, 2] * boxes[:, 3]
    keep: list[int] = []
    while order.size:
        i = int(order[0])
        keep.append(i)
        rest = order[1:]
        iw = np.clip(np.minimum(x2[i], x2[rest]) - np.maximum(x1[i], x1[rest]), 0, None)
        ih = np.clip(np.minimum(y2[i], y2[rest]) - np.maximum(y1[i], y1[rest]), 0, None)
        inter = iw * ih
        union = areas[i] + areas[rest] - inter
        iou = np.where(union > 0, inter / np.maximum(union, 1e-12), 0.0)
        order = rest[iou <= iou_threshold]
    return keep


def _resize_for_detection(rgb: UInt8Array, long_side: int = DETECT_LONG_SIDE) -> UInt8Array:
    """Resize so the long side is DETECT_LONG_SIDE, keeping the aspect ratio.

    Bilinear, after an integer-factor area average when shrinking more than 2x (so a 4000 px
    phone photo does not alias). cv2's INTER_AREA at a fractional factor costs 2-4 ms on a
    1200 px photo, 8x the bilinear resize, which at <= 2x shrink changes little.
    """
    h, w = rgb.shape[:2]
    scale = long_side / max(h, w)
    nw, nh = max(1, round(w * scale)), max(1, round(h * scale))
    if (nw, nh) == (w, h):
        return rgb
    factor = int(1 / scale)
    if factor >= 2:  # fx = fy = 1/factor takes OpenCV's fast integer area path
        inv = 1.0 / factor
        small = cv2.resize(rgb, None, fx=inv, fy=inv, interpolation=cv2.INTER_AREA)
        rgb = np.asarray(small, dtype=np.uint8)
    if (nw, nh) != rgb.shape[1::-1]:
        rgb = np.asarray(cv2.resize(rgb, (nw, nh), interpolation=cv2.INTER_LINEAR), np.uint8)
    return rgb


def _letterbox(
    rgb: UInt8Array, long_side: int = DETECT_LONG_SIDE
) -> tuple[FloatArray, float, float]:
    """YuNet input: long side resized to ``long_side``, BGR, raw 0-255 float32, NCHW, zero-padded
    bottom/right to multiples of 32. Returns the tensor and the x/y scale factors."""
    h, w = rgb.shape[:2]
    rgb = _resize_for_detection(rgb, long_side)
    nh, nw = rgb.shape[:2]
    ph, pw = -(-nh // 32) * 32, -(-nw // 32) * 32
    tensor = np.zeros((1, 3, ph, pw), dtype=np.float32)
    tensor[0, :, :nh, :nw] = rgb[:, :, ::-1].transpose(2, 0, 1)  # RGB -> BGR, HWC -> CHW
    return tensor, nw / w, nh / h


#: Photos larger than this on their long side get a second, finer detection pass, so small
#: faces are not lost in the shrink to 640 px (a 40 px face of a 4000 px photo is 6 px there).
SMALL_FACE_MIN_SIDE: Final = 1280
#: Long side of that finer pass: a 40 px face of a 4000 px photo is about 26 px there. At
#: 2048 (20 px) YuNet missed one of three pasted test faces; at 2560 it found all three
#: (scores 0.82-0.92), for about 0.25-0.4 s more per large photo on the 2-core test machine
#: (bench/face_embedders.py --small).
SMALL_FACE_LONG_SIDE: Final = 2560
#: From the finer pass only faces smaller than this (pixels, in that pass) are kept: larger
#: ones the 640 px pass sees well, and YuNet's boxes for large faces are poor at fine scale.
SMALL_FACE_MAX_BOX: Final = 64.0
#: When no face scores at least this, the image is also searched turned by 90, 180 and 270
#: degrees (sideways or upside-down photos), and the turn with the best face is used. YuNet
#: does "find" sideways and upside-down faces, only with lower scores: on the 5 test photos
#: turned 4 ways the right turn scored 0.93-0.96 and the wrong turns at most 0.88, and an
#: upside-down chirac1 scored 0.83 upright. So the retry starts below 0.9, not at "no face".
ROTATION_RETRY_BELOW: Final = 0.9
#: A turned copy is used only when its best face scores at least this: four searches find
#: more look-alikes than one (scikit-image's coffee cup gave a 0.60 "face" upside down).
ROTATED_MIN_SCORE: Final = 0.8
ROTATIONS: Final = (90, 180, 270)


def detect(
    pixels_rgb: npt.NDArray[Any],
    score_threshold: float = 0.6,
    nms_iou: float = 0.3,
    *,
    rotations: bool = True,
    small_faces: bool = True,
) -> list[Face]:
    """Faces in an RGB image, best score first, in the image's own pixel coordinates.

    The image is searched at 640 px on its long side; a photo over SMALL_FACE_MIN_SIDE also
    at SMALL_FACE_LONG_SIDE for faces too small for the first pass (``small_faces``). When
    no face scores ROTATION_RETRY_BELOW or more (``rotations``), the image is searched again
    turned 90, 180 and 270 degrees clockwise (640 px pass only, to bound the cost); the
    turn whose best face scores highest is used, and each face says which turn found it
    (``Face.rotation``).
    """
    rgb = _as_rgb(pixels_rgb)
    if not 0.0 <= score_threshold <= 1.0:
        raise ValueError(f"score_threshold must be in [0, 1], got {score_threshold}")
    if not 0.0 < nms_iou <= 1.0:
        raise ValueError(f"nms_iou must be in (0, 1], got {nms_iou}")
    found = _detect_upright(rgb, score_threshold, nms_iou, small_faces)
    best = found[0].score if found else 0.0
    if not rotations or best >= ROTATION_RETRY_BELOW:
        return found
    height, width = rgb.shape[:2]
    for degrees in ROTATIONS:
        turned = np.ascontiguousarray(np.rot90(rgb, -degrees // 90))  # clockwise
        faces = _detect_upright(turned, score_threshold, nms_iou, small_faces=False)
        if faces and faces[0].score > max(best, ROTATED_MIN_SCORE):
            best = faces[0].score
            found = [_unturn(f, degrees, width, height) for f in faces]
    return found


def _unturn(face: Face, degrees: int, width: int, height: int) -> Face:
    """A face found in the image turned ``degrees`` clockwise, in the unturned image's
    pixels (``width`` x ``height``: the unturned size)."""

    def back(points: FloatArray) -> FloatArray:
        x, y = points[:, 0], points[:, 1]
        if degrees == 90:  # turned (x, y) -> (height - y, x)
            out = np.stack([y, height - x], axis=1)
        elif degrees == 180:
            out = np.stack([width - x, height - y], axis=1)
        else:  # 270: turned (x, y) -> (y, width - x)
            out = np.stack([width - y, x], axis=1)
        return out.astype(np.float32)

    x, y, w, h = face.box
    corners = back(np.array([[x, y], [x + w, y + h]], dtype=np.float32))
    lo, hi = corners.min(axis=0), corners.max(axis=0)
    return Face(
        box=(float(lo[0]), float(lo[1]), float(hi[0] - lo[0]), float(hi[1] - lo[1])),
        landmarks=back(np.asarray(face.landmarks, dtype=np.float32)),
        score=face.score,
        rotation=degrees,
    )


def _detect_upright(
    rgb: UInt8Array, score_threshold: float, nms_iou: float, small_faces: bool
) -> list[Face]:
    """The 640 px pass, plus the finer pass for small faces in large photos, merged."""
    found = _detect_at(rgb, score_threshold, nms_iou, DETECT_LONG_SIDE)
    if not small_faces or max(rgb.shape[:2]) <= SMALL_FACE_MIN_SIDE:
        return found
    side = min(SMALL_FACE_LONG_SIDE, max(rgb.shape[:2]))
    factor = side / max(rgb.shape[:2])
    fine = [
        f
        for f in _detect_at(rgb, score_threshold, nms_iou, side)
        if max(f.box[2], f.box[3]) * factor < SMALL_FACE_MAX_BOX
    ]
    if not fine:
        return found
    merged = found + fine
    boxes = np.array([f.box for f in merged], dtype=np.float32)
    scores = np.array([f.score for f in merged], dtype=np.float32)
    return [merged[i] for i in _nms(boxes, scores, nms_iou)]


def _detect_at(
    rgb: UInt8Array, score_threshold: float, nms_iou: float, long_side: int
) -> list[Face]:
    """One YuNet pass with the image's long side at ``long_side`` (decode per MANIFEST.md:
    score = sqrt(clip(cls) * clip(obj)); box centre ((c + dx) * s, (r + dy) * s), size
    (exp(dw) * s, exp(dh) * s); landmark n at ((kx_n + c) * s, (ky_n + r) * s); then NMS)."""
    tensor, sx, sy = _letterbox(rgb, long_side)
    session = _detector()
    names = [f"{kind}_{s}" for kind in ("cls", "obj", "bbox", "kps") for s in _STRIDES]
    outputs: list[FloatArray] = session.run(names, {"input": tensor})
    n = len(_STRIDES)

    def cat(i: int, width: int) -> FloatArray:
        return np.concatenate([o[0].reshape(-1, width) for o in outputs[i * n : (i + 1) * n]])

    cls, obj, bbox, kps = cat(0, 1)[:, 0], cat(1, 1)[:, 0], cat(2, 4), cat(3, 10)
    scores = np.sqrt(np.clip(cls, 0, 1) * np.clip(obj, 0, 1))
    keep = np.flatnonzero(scores >= score_threshold)
    if keep.size == 0:
        return []
    cols, rows, strides = (g[keep] for g in _grid(tensor.shape[2], tensor.shape[3]))
    scores, bbox, kps = scores[keep], bbox[keep], kps[keep]
    st = strides[:, None]
    wh = np.exp(bbox[:, 2:4]) * st
    centre = (np.stack([cols, rows], axis=1) + bbox[:, 0:2]) * st
    boxes = np.concatenate([centre - wh / 2, wh], axis=1).astype(np.float32)
    marks = (kps.reshape(-1, 5, 2) + np.stack([cols, rows], axis=1)[:, None, :]) * st[:, None]
    kept = _nms(boxes, scores.astype(np.float32), nms_iou)
    # Back to original pixels (x and y scale can differ by the rounding of the resize).
    scale_xy = np.array([sx, sy], dtype=np.float32)
    boxes /= np.concatenate([scale_xy, scale_xy])
    marks = (marks / scale_xy).astype(np.float32)
    return [
        Face(
            box=(float(boxes[i, 0]), float(boxes[i, 1]), float(boxes[i, 2]), float(boxes[i, 3])),
            landmarks=marks[i],
            score=float(scores[i]),
        )
        for i in kept
    ]
