"""The face models: loading them, one onnxruntime session each, the embedder's manifest entry,
and the in-memory rewrite that gives MobileFaceNet a dynamic batch dimension."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float32]
UInt8Array = npt.NDArray[np.uint8]

# --- models and sessions ----------------------------------------------------------------------


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
