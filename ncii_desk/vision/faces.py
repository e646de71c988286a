"""Face detection (YuNet), five-point alignment and face embeddings (MobileFaceNet).

The question this module answers for an advocate is narrow and must be explainable: *does the
victim's face appear in this suspect image, and how sure are we?* Every step is plain numpy
around two small ONNX models, so each number in a report can be traced:

1. :func:`detect` runs YuNet (``face_detection_yunet_2023mar_dynamic.onnx``) on onnxruntime and
   decodes its raw outputs here (anchor-free grid decode per stride, our own NMS). Boxes and
   the five landmarks come back in the caller's original pixel coordinates.
2. :func:`align` maps the five landmarks onto the standard ArcFace 112x112 template with an
   exact least-squares similarity transform (Umeyama) and warps the face to 112x112.
3. :func:`embed` turns aligned crops into L2-normalised 128-d MobileFaceNet embeddings
   (``mobilefacenet_foamliu_128d.onnx``), many faces per ``session.run``.
4. :func:`compare` scores suspect faces against the victim's reference embeddings with cosine
   similarity and :data:`FACE_MATCH_THRESHOLD`, keeping every number for the report.

All I/O facts (preprocessing, output layout, decode formulas) follow
``shared/models/MANIFEST.md``. Images are RGB ``uint8`` arrays (as the media loader returns
them); the models' own channel orders are handled here.

A similarity is evidence for a person to review, never a verdict: the threshold was set on a
handful of benign test photos (see :data:`FACE_MATCH_THRESHOLD`), and MobileFaceNet's training
data (MS-Celeb-1M, withdrawn) carries licence questions recorded in the manifest.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Final

import cv2
import numpy as np
import numpy.typing as npt

__all__ = [
    "ALIGNED_SIZE",
    "ARCFACE_TEMPLATE_112",
    "EMBEDDING_DIM",
    "FACE_MATCH_THRESHOLD",
    "Face",
    "FaceMatch",
    "align",
    "alignment_matrix",
    "compare",
    "compare_image",
    "cosine",
    "cosine_matrix",
    "detect",
    "detect_and_embed",
    "detect_and_embed_many",
    "embed",
]

FloatArray = npt.NDArray[np.float32]
UInt8Array = npt.NDArray[np.uint8]

# --- models and sessions ----------------------------------------------------------------------

from ncii_desk.vision.runtime import default_threads  # noqa: E402 - cheap import

YUNET_MODEL: Final = "yunet-dynamic"
MOBILEFACENET_MODEL: Final = "mobilefacenet-128"
YUNET_FILE: Final = "face_detection_yunet_2023mar_dynamic.onnx"
MOBILEFACENET_FILE: Final = "mobilefacenet_foamliu_128d.onnx"


def _model_bytes(name: str) -> tuple[bytes, str]:
    """A manifest model's bytes, sha256-verified by the registry, and that sha256."""
    from ncii_desk.vision.runtime import shared_runtime

    registry = shared_runtime().registry
    _, data = registry.read_verified(name)
    return data, registry.spec(name).sha256


def _session(key: str, model: bytes) -> Any:
    """A session from the shared runtime (GPU provider when one works, else the CPU)."""
    from ncii_desk.vision.runtime import shared_runtime

    return shared_runtime().session_from(key, model)


_lock = threading.Lock()
_sessions: dict[str, Any] = {}


def _cached(key: str, make: Callable[[], Any]) -> Any:
    with _lock:
        if key not in _sessions:
            _sessions[key] = make()
        return _sessions[key]


def _detector() -> Any:
    def make() -> Any:
        data, sha = _model_bytes(YUNET_MODEL)
        return _session(f"{YUNET_MODEL}:{sha}", data)

    return _cached("yunet", make)


@dataclass(frozen=True)
class _Embedder:
    session: Any
    batched: bool  # False: the graph kept its fixed batch of 1, so we loop per face


def _embedder() -> _Embedder:
    def make() -> _Embedder:
        raw, sha = _model_bytes(MOBILEFACENET_MODEL)
        try:
            batched = _dynamic_batch_model(raw)
            return _Embedder(_session(f"{MOBILEFACENET_MODEL}:{sha}:batched", batched), True)
        except ValueError:
            return _Embedder(_session(f"{MOBILEFACENET_MODEL}:{sha}", raw), batched=False)

    result: _Embedder = _cached("mobilefacenet", make)
    return result


# --- MobileFaceNet: make the exported graph's batch dimension dynamic -------------------------
#
# The ONNX export fixes the batch to 1 (input0 [1,3,112,112], a final Reshape to the constant
# [1,-1]), so onnxruntime rejects a batch of 2. Batching faces matters for throughput, so we
# rewrite the model *in memory* (never on disk): the first dimension of the graph input and
# output becomes the symbolic "batch", and the Reshape target becomes [0,-1] (0 = copy N from
# the input). This needs no ``onnx`` package: ONNX files are protobuf, and we only re-encode
# the few messages on the path to those fields. If the graph does not look as expected the
# rewrite raises ValueError and we fall back to one run per face (same numbers, slower).

# Field numbers from onnx.proto: ModelProto.graph=7; GraphProto.node=1, input=11, output=12;
# NodeProto.output=2, op_type=4, attribute=5, input=1; AttributeProto.t=5;
# TensorProto.raw_data=9, int64_data=7; ValueInfoProto.type=2; TypeProto.tensor_type=1;
# TypeProto.Tensor.shape=2; TensorShapeProto.dim=1; Dimension.dim_value=1, dim_param=2.
_Field = tuple[int, int, bytes]  # (field number, wire type, payload)


def _read_varint(buf: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        if pos >= len(buf):
            raise ValueError("truncated protobuf varint")
        byte = buf[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, pos
        shift += 7


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _pb_split(buf: bytes) -> list[_Field]:
    fields: list[_Field] = []
    pos = 0
    while pos < len(buf):
        key, pos = _read_varint(buf, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            start = pos
            _, pos = _read_varint(buf, pos)
            payload = buf[start:pos]
        elif wire == 2:
            size, pos = _read_varint(buf, pos)
            payload = buf[pos : pos + size]
            pos += size
        elif wire in (1, 5):
            size = 8 if wire == 1 else 4
            payload = buf[pos : pos + size]
            pos += size
        else:
            raise ValueError(f"unsupported protobuf wire type {wire}")
        fields.append((number, wire, payload))
    if pos != len(buf):
        raise ValueError("truncated protobuf message")
    return fields


def _pb_join(fields: Sequence[_Field]) -> bytes:
    parts: list[bytes] = []
    for number, wire, payload in fields:
        parts.append(_varint(number << 3 | wire))
        if wire == 2:
            parts.append(_varint(len(payload)))
        parts.append(payload)
    return b"".join(parts)


def _pb_get(buf: bytes, number: int) -> list[bytes]:
    return [p for n, w, p in _pb_split(buf) if n == number and w == 2]


def _pb_edit(
    buf: bytes, number: int, edit: Callable[[bytes], bytes], *, first_only: bool = False
) -> bytes:
    """Re-encode ``buf`` with ``edit`` applied to its length-delimited field ``number``."""
    fields = _pb_split(buf)
    hits = 0
    for i, (n, w, payload) in enumerate(fields):
        if n == number and w == 2 and not (first_only and hits):
            fields[i] = (n, w, edit(payload))
            hits += 1
    if not hits:
        raise ValueError(f"protobuf field {number} not found")
    return _pb_join(fields)


def _batch_dim(dim: bytes) -> bytes:
    if _pb_split(dim) != [(1, 0, _varint(1))]:
        raise ValueError("expected a fixed batch dimension of 1")
    return _pb_join([(2, 2, b"batch")])


def _value_info_dynamic_batch(info: bytes) -> bytes:
    def tensor_type(t: bytes) -> bytes:
        return _pb_edit(t, 2, lambda shape: _pb_edit(shape, 1, _batch_dim, first_only=True))

    return _pb_edit(info, 2, lambda type_: _pb_edit(type_, 1, tensor_type))


_RESHAPE_FIXED: Final = np.array([1, -1], "<i8").tobytes()
_RESHAPE_DYNAMIC: Final = np.array([0, -1], "<i8").tobytes()


def _dynamic_batch_model(model: bytes) -> bytes:
    """Model bytes with a dynamic batch dimension (see the comment block above)."""

    def graph(g: bytes) -> bytes:
        nodes = _pb_get(g, 1)
        reshape_shapes = {
            _pb_get(node, 1)[1]
            for node in nodes
            if _pb_get(node, 4) == [b"Reshape"] and len(_pb_get(node, 1)) == 2
        }
        if len(reshape_shapes) != 1:
            raise ValueError("expected exactly one Reshape node")
        shape_name = reshape_shapes.pop()
        patched = 0

        def node(n: bytes) -> bytes:
            nonlocal patched
            if _pb_get(n, 4) != [b"Constant"] or _pb_get(n, 2) != [shape_name]:
                return n

            def tensor(t: bytes) -> bytes:
                nonlocal patched
                if _pb_get(t, 9) != [_RESHAPE_FIXED]:
                    raise ValueError("unexpected Reshape target")
                patched += 1
                return _pb_edit(t, 9, lambda _raw: _RESHAPE_DYNAMIC)

            return _pb_edit(n, 5, lambda attr: _pb_edit(attr, 5, tensor))

        g = _pb_edit(g, 1, node)
        if patched != 1:
            raise ValueError("Reshape target constant not found")
        g = _pb_edit(g, 11, _value_info_dynamic_batch)
        return _pb_edit(g, 12, _value_info_dynamic_batch)

    return _pb_edit(model, 7, graph)


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
    ``score`` is YuNet's sqrt(cls * obj) in [0, 1].
    """

    box: tuple[float, float, float, float]
    landmarks: FloatArray
    score: float

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


def _resize_for_detection(rgb: UInt8Array) -> UInt8Array:
    """Resize so the long side is DETECT_LONG_SIDE, keeping the aspect ratio.

    Bilinear, after an integer-factor area average when shrinking more than 2x (so a 4000 px
    phone photo does not alias). cv2's INTER_AREA at a fractional factor costs 2-4 ms on a
    1200 px photo, 8x the bilinear resize, which at <= 2x shrink changes little.
    """
    h, w = rgb.shape[:2]
    scale = DETECT_LONG_SIDE / max(h, w)
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


def _letterbox(rgb: UInt8Array) -> tuple[FloatArray, float, float]:
    """YuNet input: long side resized to 640, BGR, raw 0-255 float32, NCHW, zero-padded
    bottom/right to multiples of 32. Returns the tensor and the x/y scale factors."""
    h, w = rgb.shape[:2]
    rgb = _resize_for_detection(rgb)
    nh, nw = rgb.shape[:2]
    ph, pw = -(-nh // 32) * 32, -(-nw // 32) * 32
    tensor = np.zeros((1, 3, ph, pw), dtype=np.float32)
    tensor[0, :, :nh, :nw] = rgb[:, :, ::-1].transpose(2, 0, 1)  # RGB -> BGR, HWC -> CHW
    return tensor, nw / w, nh / h


def detect(
    pixels_rgb: npt.NDArray[Any], score_threshold: float = 0.6, nms_iou: float = 0.3
) -> list[Face]:
    """Faces in an RGB image, best score first.

    YuNet (dynamic-shape ONNX) on onnxruntime, decoded per MANIFEST.md: score =
    sqrt(clip(cls) * clip(obj)); box centre ((c + dx) * s, (r + dy) * s), size
    (exp(dw) * s, exp(dh) * s); landmark n at ((kx_n + c) * s, (ky_n + r) * s); then NMS.
    Raises ValueError for anything that is not an image array (see ``_as_rgb``).
    """
    rgb = _as_rgb(pixels_rgb)
    if not 0.0 <= score_threshold <= 1.0:
        raise ValueError(f"score_threshold must be in [0, 1], got {score_threshold}")
    if not 0.0 < nms_iou <= 1.0:
        raise ValueError(f"nms_iou must be in (0, 1], got {nms_iou}")
    tensor, sx, sy = _letterbox(rgb)
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


def alignment_matrix(face: Face) -> FloatArray:
    """The 2x3 similarity transform from image pixels to the 112x112 aligned crop."""
    src = np.asarray(face.landmarks, dtype=np.float64)
    if src.shape != (5, 2) or not np.all(np.isfinite(src)):
        raise ValueError(f"face.landmarks must be five finite (x, y) points, got {src.shape}")
    return _umeyama(src, ARCFACE_TEMPLATE_112)


def align(pixels_rgb: npt.NDArray[Any], face: Face) -> UInt8Array:
    """The face warped to a (112, 112, 3) RGB uint8 crop, landmarks on the ArcFace template.

    A face much larger than 112 px is first area-averaged down to about the crop's scale
    (only the region the crop covers), then warped bilinearly: a bilinear warp alone samples
    a 1000 px phone-photo face every ~9th pixel and aliases. On the test photos the effect is
    small (same-person lowest 0.581 -> 0.591, mean 0.687 -> 0.700; different-person highest
    0.137 -> 0.161); it is there for high-resolution photos.
    """
    rgb = _as_rgb(pixels_rgb)
    matrix = alignment_matrix(face).astype(np.float64)
    scale = float(np.sqrt(abs(np.linalg.det(matrix[:, :2]))))
    if scale < 1.0:
        rgb, matrix = _downscale_for_warp(rgb, matrix, scale)
    crop = cv2.warpAffine(
        rgb,
        matrix,
        (ALIGNED_SIZE, ALIGNED_SIZE),
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=(0, 0, 0),
    )
    return np.asarray(crop, dtype=np.uint8)


def _downscale_for_warp(
    rgb: UInt8Array, matrix: npt.NDArray[np.float64], scale: float
) -> tuple[UInt8Array, npt.NDArray[np.float64]]:
    """The source region under the crop, INTER_AREA-resized by ``scale``, and the warp matrix
    adjusted to it (pixel centres kept exact: src = (q + 0.5) / f - 0.5 + origin)."""
    h, w = rgb.shape[:2]
    inverse = cv2.invertAffineTransform(matrix)
    s = float(ALIGNED_SIZE)
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
_IMAGENET_MEAN: Final = np.array([0.485, 0.456, 0.406], dtype=np.float32)
_IMAGENET_STD: Final = np.array([0.229, 0.224, 0.225], dtype=np.float32)


def embed(aligned_faces: npt.NDArray[Any]) -> FloatArray:
    """L2-normalised (N, 128) float32 embeddings of (N, 112, 112, 3) RGB uint8 aligned crops.

    Preprocessing per MANIFEST.md: RGB, x / 255, ImageNet mean/std, NCHW float32. Up to
    EMBED_BATCH faces go through one session.run.
    """
    if not isinstance(aligned_faces, np.ndarray):
        raise ValueError(f"aligned_faces must be a numpy array, got {type(aligned_faces).__name__}")
    if aligned_faces.ndim == 3:
        raise ValueError(
            "aligned_faces must be a batch (N, 112, 112, 3); for one face use face[None]"
        )
    shape = (ALIGNED_SIZE, ALIGNED_SIZE, 3)
    if aligned_faces.ndim != 4 or aligned_faces.shape[1:] != shape:
        raise ValueError(
            f"aligned_faces must have shape (N, 112, 112, 3) (RGB crops from align()), "
            f"got {aligned_faces.shape}"
        )
    if aligned_faces.dtype != np.uint8:
        raise ValueError(f"aligned_faces must be uint8 (0-255), got dtype {aligned_faces.dtype}")
    count = aligned_faces.shape[0]
    out = np.empty((count, EMBEDDING_DIM), dtype=np.float32)
    if count == 0:
        return out
    embedder = _embedder()
    step = EMBED_BATCH if embedder.batched else 1
    for start in range(0, count, step):
        x = aligned_faces[start : start + step].astype(np.float32) / 255.0
        x = (x - _IMAGENET_MEAN) / _IMAGENET_STD
        tensor = np.ascontiguousarray(x.transpose(0, 3, 1, 2))
        (raw,) = embedder.session.run(["output0"], {"input0": tensor})
        out[start : start + step] = np.asarray(raw, dtype=np.float32).reshape(-1, EMBEDDING_DIM)
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    result: FloatArray = out / np.maximum(norms, 1e-12)
    return result


def detect_and_embed(
    pixels_rgb: npt.NDArray[Any], score_threshold: float = 0.6
) -> tuple[list[Face], FloatArray]:
    """Every face in an image and its embedding (row i belongs to face i)."""
    rgb = _as_rgb(pixels_rgb)
    faces = detect(rgb, score_threshold=score_threshold)
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
    return np.zeros((0, ALIGNED_SIZE, ALIGNED_SIZE, 3), dtype=np.uint8)


# --- comparison -------------------------------------------------------------------------------

#: Cosine similarity at or above which two faces are reported as "likely the same person".
#:
#: How it was chosen. MANIFEST.md measured this same chain (YuNet -> five-point similarity
#: alignment to the ArcFace template -> MobileFaceNet, RGB + ImageNet normalisation) on 14
#: benign portraits of 7 people: same person 0.564-0.821, different people at most 0.238, and
#: it suggests "near 0.4" while warning that this is not calibrated. Our own measurement on
#: the test photos (4 of Chirac, 1 of "Luciano", scikit-image's astronaut; printed by
#: ``pytest tests/integration/test_faces.py -s``): same person 0.591-0.755 (lowest
#: chirac3~chirac4), different people -0.183-0.161 (highest chirac1~luciano). 0.40 is the
#: middle of the manifest's gap (0.238..0.564) and leaves a margin of at least 0.16 to the
#: nearest same-person and different-person pair in both sets.
#:
#: Caveat: that is 15 pairs from 6 photos of 3 people here (91 pairs in the manifest), far
#: too few to state error rates. Face recognition is known to get worse with age gaps,
#: profile poses, low resolution, occlusion, heavy make-up or filters, and it can differ
#: across demographic groups (the training set, MS-Celeb-1M, is skewed towards Western
#: celebrities). Reports must show the similarity itself, not only the yes/no, a person must
#: review every match, and the threshold must be recalibrated on a larger labelled set.
FACE_MATCH_THRESHOLD: Final = 0.40


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

    ``similarities`` holds the cosine similarity to every reference embedding (in the
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
    threshold: float = FACE_MATCH_THRESHOLD,
) -> list[FaceMatch]:
    """Score each suspect face (with its embedding, same order) against every reference.

    ``match`` is ``best_similarity >= threshold``. With no reference embeddings nothing can
    match, which is a ValueError rather than a silent "no".
    """
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
    sims = cosine_matrix(sus, refs)  # (S, R)
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
    threshold: float = FACE_MATCH_THRESHOLD,
) -> list[FaceMatch]:
    """Detect, align and embed every face of a suspect image, then :func:`compare` them."""
    faces, embeddings = detect_and_embed(suspect_rgb)
    return compare(reference_embeddings, faces, embeddings, threshold)
