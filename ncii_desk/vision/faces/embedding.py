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
    "embedder_name",
    "embedder_spec",
    "match_threshold",
    "similarity_matrix",
    "use_embedder",
]

FloatArray = npt.NDArray[np.float32]
UInt8Array = npt.NDArray[np.uint8]

# --- models and sessions ----------------------------------------------------------------------

from ncii_desk.vision.runtime import default_threads  # noqa: E402 - cheap import

YUNET_MODEL: Final = "yunet-dynamic"
from ncii_desk.vision.embedders import MOBILEFACENET_MODEL as MOBILEFACENET_MODEL  # noqa: E402

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


# The embedder choice lives in a module without OpenCV or numpy, so settings can read the
# default threshold at start-up without loading them; the names stay importable from here.
from ncii_desk.vision.embedders import (  # noqa: E402
    DEFAULT_EMBEDDER as DEFAULT_EMBEDDER,
)
from ncii_desk.vision.embedders import (  # noqa: E402
    DLIB_FILE as DLIB_FILE,
)
from ncii_desk.vision.embedders import (  # noqa: E402
    DLIB_MODEL as DLIB_MODEL,
)
from ncii_desk.vision.embedders import (  # noqa: E402
    EMBEDDER_ENV as EMBEDDER_ENV,
)
from ncii_desk.vision.embedders import (  # noqa: E402
    EMBEDDERS as EMBEDDERS,
)
from ncii_desk.vision.embedders import (  # noqa: E402
    chosen_embedder as chosen_embedder,
)
from ncii_desk.vision.embedders import (  # noqa: E402
    embedder_name as embedder_name,
)
from ncii_desk.vision.embedders import (  # noqa: E402
    use_embedder as use_embedder,
)


@dataclass(frozen=True)
class EmbedderSpec:
    """What the manifest says about one face embedder, in the form this module uses."""

    name: str
    size: int  # aligned crop side in pixels
    template: npt.NDArray[np.float64]  # landmark targets in the crop (first len() landmarks)
    scale: float
    mean: FloatArray
    std: FloatArray
    tensor: str
    output: str
    metric: str  # "cosine" or "euclidean"
    threshold: float  # the manifest's own threshold (a distance for "euclidean")
    similarity_threshold: float  # the same on the reported scale, higher = more alike


_spec_cache: dict[str, EmbedderSpec] = {}


def embedder_spec(name: str | None = None) -> EmbedderSpec:
    """The manifest's alignment, preprocessing and match rule for an embedder."""
    from ncii_desk.vision.runtime import shared_runtime

    name = name or embedder_name()
    cached = _spec_cache.get(name)
    if cached is not None:
        return cached
    spec = shared_runtime().registry.spec(name)
    if spec.task != "face-embedding" or spec.match is None or spec.input.size is None:
        raise ValueError(f"model {name!r} is not a face embedder with a [match] table")
    result = EmbedderSpec(
        name=name,
        size=spec.input.size[0],
        template=np.asarray(spec.input.align_template, dtype=np.float64),
        scale=spec.input.scale,
        mean=np.asarray(spec.input.mean, dtype=np.float32),
        std=np.asarray(spec.input.std, dtype=np.float32),
        tensor=spec.input.tensor,
        output=spec.output.names[0],
        metric=spec.match.metric,
        threshold=spec.match.threshold,
        similarity_threshold=spec.match.similarity_threshold,
    )
    _spec_cache[name] = result
    return result


def match_threshold(name: str | None = None) -> float:
    """The manifest's match threshold of an embedder, on the reported similarity scale."""
    return embedder_spec(name).similarity_threshold


@dataclass(frozen=True)
class _Embedder:
    session: Any
    batched: bool  # False: the graph kept its fixed batch of 1, so we loop per face


def _embedder(name: str | None = None) -> _Embedder:
    name = name or embedder_name()

    def make() -> _Embedder:
        raw, sha = _model_bytes(name)
        if name != MOBILEFACENET_MODEL:  # dlib's graph has a dynamic batch already
            return _Embedder(_session(f"{name}:{sha}", raw), True)
        try:
            batched = _dynamic_batch_model(raw)
            return _Embedder(_session(f"{name}:{sha}:batched", batched), True)
        except ValueError:
            return _Embedder(_session(f"{name}:{sha}", raw), batched=False)

    result: _Embedder = _cached(f"embedder:{name}", make)
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
