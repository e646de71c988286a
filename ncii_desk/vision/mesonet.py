"""MesoNet deepfake classifiers (Meso-4, MesoInception-4) rebuilt as ONNX graphs.

The published MesoNet weights (Afchar et al., WIFS 2018; ``DariusAf/MesoNet``, Apache-2.0)
are Keras 2.1.5 *weights-only* HDF5 files: no architecture inside. This module rebuilds the
two networks from the layer list in ``shared/models/MANIFEST.md`` section 4 with
``onnx.helper`` and the weights read with h5py, and runs them with onnxruntime. No
TensorFlow, Keras or PyTorch is involved. A second, independent implementation of the same
networks in plain numpy (:func:`numpy_reference`) exists only to check the ONNX graphs.

Graph contract (both architectures)
-----------------------------------
* input ``input``: float32 **NHWC** ``[N, 256, 256, 3]``, RGB, values in [0, 1]
  (uint8 pixels times 1/255, as the authors' ``ImageDataGenerator(rescale=1/255)``).
  The graph transposes to NCHW itself, so callers keep the Keras/PIL/OpenCV layout.
* outputs, each float32 ``[N, 1]``:
  ``logit`` (the pre-sigmoid value), ``real_probability`` = sigmoid(logit) and
  ``fake_probability`` = sigmoid(-logit). The network's single sigmoid is **P(real)**:
  the authors' training put the forged class ("df") at label 0.

Padding follows Keras ``padding='same'``: total padding ``max((ceil(n/s)-1)*s + k_eff - n, 0)``
with ``k_eff = (k-1)*dilation + 1``, split ``total // 2`` before and the rest after (so an odd
remainder goes to the bottom/right). For MesoNet at 256x256 every conv pads symmetrically and
no max pool pads at all, but the rule is implemented in general. Before the dense layers the
graph transposes back to NHWC, because Keras flattens in (h, w, c) order.

What the score means: a weak, crop-sensitive signal trained on 2018-era face-swap
(Deepfake) or Face2Face videos. It does not detect fully GAN-generated faces and must never
be shown as a verdict (see the MANIFEST's sanity section).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal, TypeAlias

import h5py
import numpy as np
import onnx
from numpy.lib.stride_tricks import sliding_window_view
from numpy.typing import NDArray
from onnx import TensorProto, helper, numpy_helper

from ncii_desk.errors import NciiDeskError

Arch: TypeAlias = Literal["meso4", "mesoinception4"]
ARCHES: Final[tuple[Arch, ...]] = ("meso4", "mesoinception4")

INPUT_SIZE: Final = 256
INPUT_NAME: Final = "input"
OUTPUT_LOGIT: Final = "logit"
OUTPUT_REAL: Final = "real_probability"
OUTPUT_FAKE: Final = "fake_probability"

#: Bumped whenever the graph this module emits changes; cached models of another version
#: are rebuilt.
BUILDER_VERSION: Final = 1
OPSET: Final = 17
IR_VERSION: Final = 8  # readable by any onnxruntime >= 1.11
KERAS_BN_EPSILON: Final = 1e-3  # Keras BatchNormalization default
LEAKY_ALPHA: Final = 0.1  # LeakyReLU(alpha=0.1) in the authors' classifiers.py
RESCALE: Final = np.float32(1.0 / 255.0)

F32: TypeAlias = NDArray[np.float32]
F64: TypeAlias = NDArray[np.float64]


class MesoNetWeightsError(NciiDeskError):
    """The weight file is not the MesoNet file it is said to be."""

    default_hint = (
        "Check that the MesoNet weight file is one of the four published .h5 files and that "
        "the architecture (meso4 / mesoinception4) matches its name."
    )


# --- architecture (MANIFEST.md section 4) ------------------------------------------------


@dataclass(frozen=True)
class _Conv:
    layer: str  # h5 group name
    kernel: int
    filters: int
    dilation: int = 1


@dataclass(frozen=True)
class _Inception:
    """Channel concat of [1x1(a), 1x1(b)->3x3(b), 1x1(c)->3x3 dil 2(c), 1x1(d)->3x3 dil 3(d)]."""

    branches: tuple[tuple[_Conv, ...], ...]


@dataclass(frozen=True)
class _Block:
    body: _Conv | _Inception  # every conv: 'same', bias, ReLU
    batch_norm: str
    pool: int  # MaxPool pool x pool, stride pool, 'same'


@dataclass(frozen=True)
class _Network:
    blocks: tuple[_Block, ...]
    dense_hidden: str  # Dense(16) + LeakyReLU(0.1); dropout is identity at inference
    dense_out: str  # Dense(1) + sigmoid
    hidden_units: int = 16


def _inception(first: int, a: int, b: int, c: int, d: int) -> _Inception:
    """Keras numbers convs in creation order: a, b 1x1, b 3x3, c 1x1, c dil 2, d 1x1, d dil 3."""
    n = [f"conv2d_{first + i}" for i in range(7)]
    return _Inception(
        branches=(
            (_Conv(n[0], 1, a),),
            (_Conv(n[1], 1, b), _Conv(n[2], 3, b)),
            (_Conv(n[3], 1, c), _Conv(n[4], 3, c, dilation=2)),
            (_Conv(n[5], 1, d), _Conv(n[6], 3, d, dilation=3)),
        )
    )


_NETWORKS: Final[dict[Arch, _Network]] = {
    "meso4": _Network(
        blocks=(
            _Block(_Conv("conv2d_5", 3, 8), "batch_normalization_5", 2),
            _Block(_Conv("conv2d_6", 5, 8), "batch_normalization_6", 2),
            _Block(_Conv("conv2d_7", 5, 16), "batch_normalization_7", 2),
            _Block(_Conv("conv2d_8", 5, 16), "batch_normalization_8", 4),
        ),
        dense_hidden="dense_3",
        dense_out="dense_4",
    ),
    "mesoinception4": _Network(
        blocks=(
            _Block(_inception(1, 1, 4, 4, 2), "batch_normalization_1", 2),
            _Block(_inception(8, 2, 4, 4, 2), "batch_normalization_2", 2),
            _Block(_Conv("conv2d_15", 5, 16), "batch_normalization_3", 2),
            _Block(_Conv("conv2d_16", 5, 16), "batch_normalization_4", 4),
        ),
        dense_hidden="dense_1",
        dense_out="dense_2",
    ),
}


def keras_same_padding(
    size: int, kernel: int, stride: int = 1, dilation: int = 1
) -> tuple[int, int]:
    """(before, after) padding of Keras/TensorFlow ``padding='same'`` along one axis."""
    effective = (kernel - 1) * dilation + 1
    out = -(-size // stride)
    total = max((out - 1) * stride + effective - size, 0)
    return total // 2, total - total // 2


def guess_arch(h5_path: Path) -> Arch:
    """Which MesoNet a weight file holds, from its layer names (inception files have 16 convs)."""
    with h5py.File(h5_path, "r") as f:
        return "mesoinception4" if "conv2d_16" in f else "meso4"


# --- weights -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Weights:
    params: dict[str, dict[str, F32]]  # layer -> {"kernel", "bias", "gamma", ...}
    epsilons: dict[str, float]  # BN layer -> epsilon, where the file has a model config

    def get(self, layer: str, param: str) -> F32:
        try:
            return self.params[layer][param]
        except KeyError:
            raise MesoNetWeightsError(
                f"The weight file has no '{param}' for layer '{layer}'."
            ) from None

    def epsilon(self, layer: str) -> float:
        return self.epsilons.get(layer, KERAS_BN_EPSILON)


def _bn_epsilons_from_config(f: Any) -> dict[str, float]:
    """BN epsilons from a full-model file's ``model_config``; weights-only files have none."""
    raw = f.attrs.get("model_config")
    if raw is None:
        return {}
    text = raw.decode("utf-8") if isinstance(raw, bytes) else str(raw)
    try:
        config = json.loads(text)
    except ValueError:
        return {}
    layers = config.get("config", {}).get("layers", []) if isinstance(config, dict) else []
    out: dict[str, float] = {}
    for layer in layers:
        if isinstance(layer, dict) and layer.get("class_name") == "BatchNormalization":
            cfg = layer.get("config", {})
            if "name" in cfg and "epsilon" in cfg:
                out[str(cfg["name"])] = float(cfg["epsilon"])
    return out


def _read_weights(source: Path | io.BytesIO) -> _Weights:
    params: dict[str, dict[str, F32]] = {}
    try:
        with h5py.File(source, "r") as f:
            root = f.get("model_weights", f)  # full-model files keep weights in a subgroup
            for layer in root:
                group = root[layer]
                names = group.attrs.get("weight_names", [])
                layer_params: dict[str, F32] = {}
                for raw_name in names:
                    name = (
                        raw_name.decode("utf-8") if isinstance(raw_name, bytes) else str(raw_name)
                    )
                    key = name.rsplit("/", 1)[-1].split(":", 1)[0]
                    layer_params[key] = np.asarray(group[name], dtype=np.float32)
                if layer_params:
                    params[str(layer)] = layer_params
            epsilons = _bn_epsilons_from_config(f)
    except OSError as exc:
        raise MesoNetWeightsError("The MesoNet weight file could not be read as HDF5.") from exc
    return _Weights(params=params, epsilons=epsilons)


def _checked_conv(w: _Weights, conv: _Conv, in_channels: int) -> tuple[F32, F32]:
    kernel, bias = w.get(conv.layer, "kernel"), w.get(conv.layer, "bias")
    expected = (conv.kernel, conv.kernel, in_channels, conv.filters)
    if kernel.shape != expected or bias.shape != (conv.filters,):
        raise MesoNetWeightsError(
            f"Layer '{conv.layer}' has kernel {kernel.shape} / bias {bias.shape}, "
            f"expected {expected} / ({conv.filters},)."
        )
    return kernel, bias


def _checked_bn(w: _Weights, layer: str, channels: int) -> tuple[F32, F32, F32, F32, float]:
    parts = [w.get(layer, p) for p in ("gamma", "beta", "moving_mean", "moving_variance")]
    if any(p.shape != (channels,) for p in parts):
        raise MesoNetWeightsError(f"Layer '{layer}' does not have {channels} channels.")
    return parts[0], parts[1], parts[2], parts[3], w.epsilon(layer)


def _checked_dense(w: _Weights, layer: str, n_in: int, n_out: int) -> tuple[F32, F32]:
    kernel, bias = w.get(layer, "kernel"), w.get(layer, "bias")
    if kernel.shape != (n_in, n_out) or bias.shape != (n_out,):
        raise MesoNetWeightsError(
            f"Layer '{layer}' has kernel {kernel.shape}, expected {(n_in, n_out)}."
        )
    return kernel, bias


def _block_channels(body: _Conv | _Inception) -> int:
    if isinstance(body, _Conv):
        return body.filters
    return sum(branch[-1].filters for branch in body.branches)


# --- ONNX graph ----------------------------------------------------------------------------


class _GraphBuilder:
    def __init__(self, weights: _Weights) -> None:
        self.w = weights
        self.nodes: list[Any] = []
        self.initializers: list[Any] = []

    def const(self, name: str, value: NDArray[Any]) -> str:
        self.initializers.append(numpy_helper.from_array(np.ascontiguousarray(value), name))
        return name

    def node(self, op: str, inputs: list[str], name: str, **attrs: Any) -> str:
        self.nodes.append(helper.make_node(op, inputs, [name], name=name, **attrs))
        return name

    def conv_relu(self, x: str, conv: _Conv, in_channels: int, size: int) -> str:
        kernel, bias = _checked_conv(self.w, conv, in_channels)
        top, bottom = keras_same_padding(size, conv.kernel, 1, conv.dilation)
        # Keras (kh, kw, cin, cout) -> ONNX (cout, cin, kh, kw)
        w_name = self.const(f"{conv.layer}/kernel", kernel.transpose(3, 2, 0, 1))
        b_name = self.const(f"{conv.layer}/bias", bias)
        y = self.node(
            "Conv",
            [x, w_name, b_name],
            conv.layer,
            kernel_shape=[conv.kernel, conv.kernel],
            strides=[1, 1],
            dilations=[conv.dilation, conv.dilation],
            pads=[top, top, bottom, bottom],  # [h_begin, w_begin, h_end, w_end]; square input
        )
        return self.node("Relu", [y], f"{conv.layer}/relu")

    def block(self, x: str, block: _Block, in_channels: int, size: int) -> tuple[str, int, int]:
        body = block.body
        if isinstance(body, _Conv):
            y = self.conv_relu(x, body, in_channels, size)
        else:
            outs = []
            for branch in body.branches:
                h, ch = x, in_channels
                for conv in branch:
                    h, ch = self.conv_relu(h, conv, ch, size), conv.filters
                outs.append(h)
            y = self.node("Concat", outs, f"{block.batch_norm}/concat", axis=1)
        channels = _block_channels(body)
        gamma, beta, mean, var, eps = _checked_bn(self.w, block.batch_norm, channels)
        bn = block.batch_norm
        y = self.node(
            "BatchNormalization",
            [
                y,
                self.const(f"{bn}/gamma", gamma),
                self.const(f"{bn}/beta", beta),
                self.const(f"{bn}/moving_mean", mean),
                self.const(f"{bn}/moving_variance", var),
            ],
            bn,
            epsilon=eps,
        )
        top, bottom = keras_same_padding(size, block.pool, block.pool)
        y = self.node(
            "MaxPool",
            [y],
            f"{bn}/maxpool",
            kernel_shape=[block.pool, block.pool],
            strides=[block.pool, block.pool],
            pads=[top, top, bottom, bottom],
        )
        return y, channels, -(-size // block.pool)

    def dense(self, x: str, layer: str, n_in: int, n_out: int) -> str:
        kernel, bias = _checked_dense(self.w, layer, n_in, n_out)
        k = self.const(f"{layer}/kernel", kernel)
        b = self.const(f"{layer}/bias", bias)
        return self.node("Gemm", [x, k, b], layer)  # x @ kernel + bias (transB = 0)


def _build_model(weights: _Weights, arch: Arch) -> Any:
    net = _NETWORKS[arch]
    g = _GraphBuilder(weights)
    x = g.node("Transpose", [INPUT_NAME], "to_nchw", perm=[0, 3, 1, 2])
    channels, size = 3, INPUT_SIZE
    for block in net.blocks:
        x, channels, size = g.block(x, block, channels, size)
    x = g.node("Transpose", [x], "to_nhwc", perm=[0, 2, 3, 1])  # Keras flattens (h, w, c)
    x = g.node("Flatten", [x], "flatten", axis=1)
    x = g.dense(x, net.dense_hidden, size * size * channels, net.hidden_units)
    x = g.node("LeakyRelu", [x], f"{net.dense_hidden}/leaky_relu", alpha=LEAKY_ALPHA)
    logit = g.node("Identity", [g.dense(x, net.dense_out, net.hidden_units, 1)], OUTPUT_LOGIT)
    g.node("Sigmoid", [logit], OUTPUT_REAL)
    g.node("Sigmoid", [g.node("Neg", [logit], "neg_logit")], OUTPUT_FAKE)

    def out(name: str) -> Any:
        return helper.make_tensor_value_info(name, TensorProto.FLOAT, ["N", 1])

    graph = helper.make_graph(
        g.nodes,
        f"mesonet_{arch}",
        [
            helper.make_tensor_value_info(
                INPUT_NAME, TensorProto.FLOAT, ["N", INPUT_SIZE, INPUT_SIZE, 3]
            )
        ],
        [out(OUTPUT_LOGIT), out(OUTPUT_REAL), out(OUTPUT_FAKE)],
        initializer=g.initializers,
    )
    model = helper.make_model(
        graph,
        producer_name="ncii_desk.vision.mesonet",
        producer_version=str(BUILDER_VERSION),
        opset_imports=[helper.make_opsetid("", OPSET)],
        ir_version=IR_VERSION,
        doc_string=(
            f"MesoNet {arch} (Afchar et al. 2018, DariusAf/MesoNet weights, Apache-2.0). "
            "Input NHWC float32 RGB in [0,1], 256x256. real_probability = P(real face); "
            "fake_probability = 1 - P(real). Weak signal, not a verdict."
        ),
    )
    onnx.checker.check_model(model, full_check=True)
    return model


def _build_from_bytes(h5_bytes: bytes, arch: Arch) -> bytes:
    if arch not in _NETWORKS:
        raise ValueError(f"unknown MesoNet architecture {arch!r}; expected one of {ARCHES}")
    model = _build_model(_read_weights(io.BytesIO(h5_bytes)), arch)
    data: bytes = model.SerializeToString(deterministic=True)
    return data


def build_onnx(h5_path: Path, arch: Arch) -> bytes:
    """Serialized ONNX model (opset 17, checker-clean) of ``arch`` with ``h5_path``'s weights."""
    return _build_from_bytes(Path(h5_path).read_bytes(), arch)


# --- model cache ---------------------------------------------------------------------------


def default_cache_dir() -> Path:
    from ncii_desk.paths import user_data_dir

    return user_data_dir() / "model-cache"


def _sidecar(model_path: Path) -> Path:
    return model_path.with_name(model_path.name + ".json")


def _atomic_write(target: Path, data: bytes) -> None:
    tmp = target.with_name(f".tmp-{target.name}.{secrets.token_hex(6)}")
    try:
        with open(tmp, "xb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise


def _cache_entry(arch: Arch, h5_sha: str, onnx_sha: str) -> dict[str, object]:
    return {
        "arch": arch,
        "h5_sha256": h5_sha,
        "onnx_sha256": onnx_sha,
        "builder_version": BUILDER_VERSION,
    }


def _cached_is_valid(model_path: Path, arch: Arch, h5_sha: str) -> bool:
    try:
        meta = json.loads(_sidecar(model_path).read_text(encoding="utf-8"))
        data = model_path.read_bytes()
    except (OSError, ValueError):
        return False
    onnx_sha = hashlib.sha256(data).hexdigest()
    return bool(meta == _cache_entry(arch, h5_sha, onnx_sha))


def cached_onnx(h5_path: Path, arch: Arch, cache_dir: Path | None = None) -> Path:
    """Path of the built model in ``cache_dir``, building (atomically) only when needed.

    The file is ``{arch}-{sha256(h5)[:16]}.onnx`` with a ``.onnx.json`` sidecar recording the
    model's own sha256, the weight file's sha256, the architecture and the builder version.
    A cached model is reused only when all of these match; otherwise (missing, tampered,
    half-written, older builder) it is rebuilt and replaced with temp file + ``os.replace``.
    """
    folder = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    h5_bytes = Path(h5_path).read_bytes()  # hash and build from the same bytes
    h5_sha = hashlib.sha256(h5_bytes).hexdigest()
    target = folder / f"{arch}-{h5_sha[:16]}.onnx"
    if _cached_is_valid(target, arch, h5_sha):
        return target
    data = _build_from_bytes(h5_bytes, arch)
    folder.mkdir(parents=True, exist_ok=True)
    _atomic_write(target, data)
    entry = _cache_entry(arch, h5_sha, hashlib.sha256(data).hexdigest())
    _atomic_write(_sidecar(target), json.dumps(entry, indent=2).encode("utf-8"))
    return target


# --- numpy reference (verification only) --------------------------------------------------


def _np_conv_same(x: F64, kernel: F64, bias: F64, dilation: int) -> F64:
    """Keras Conv2D(padding='same', stride 1) on NHWC by explicit sliding windows + einsum."""
    kh, kw = kernel.shape[:2]
    (t, b), (left, r) = (
        keras_same_padding(x.shape[1], kh, 1, dilation),
        keras_same_padding(x.shape[2], kw, 1, dilation),
    )
    padded = np.pad(x, ((0, 0), (t, b), (left, r), (0, 0)))
    span_h, span_w = (kh - 1) * dilation + 1, (kw - 1) * dilation + 1
    # windows: (N, H, W, C, span_h, span_w) -> taps every `dilation` pixels: (N, H, W, C, kh, kw)
    windows = sliding_window_view(padded, (span_h, span_w), axis=(1, 2))[
        ..., ::dilation, ::dilation
    ]
    out: F64 = np.einsum("nhwcij,ijco->nhwo", windows, kernel, optimize=True) + bias
    return out


def _np_maxpool_same(x: F64, pool: int) -> F64:
    """Keras MaxPooling2D(pool, strides=pool, padding='same'): padding never wins the max."""
    (t, b), (left, r) = (
        keras_same_padding(x.shape[1], pool, pool),
        keras_same_padding(x.shape[2], pool, pool),
    )
    padded = np.pad(x, ((0, 0), (t, b), (left, r), (0, 0)), constant_values=-np.inf)
    windows = sliding_window_view(padded, (pool, pool), axis=(1, 2))[:, ::pool, ::pool]
    out: F64 = windows.max(axis=(-2, -1))
    return out


def _np_logits(weights: _Weights, arch: Arch, batch: F64) -> F64:
    net = _NETWORKS[arch]

    def conv_relu(h: F64, conv: _Conv) -> F64:
        kernel, bias = _checked_conv(weights, conv, h.shape[-1])
        y = _np_conv_same(h, kernel.astype(np.float64), bias.astype(np.float64), conv.dilation)
        return np.maximum(y, 0.0)

    x = batch
    for block in net.blocks:
        body = block.body
        if isinstance(body, _Conv):
            y = conv_relu(x, body)
        else:
            outs = []
            for branch in body.branches:
                h = x
                for conv in branch:
                    h = conv_relu(h, conv)
                outs.append(h)
            y = np.concatenate(outs, axis=-1)
        gamma, beta, mean, var, eps = _checked_bn(weights, block.batch_norm, y.shape[-1])
        y = (y - mean) / np.sqrt(var.astype(np.float64) + eps) * gamma + beta
        x = _np_maxpool_same(y, block.pool)
    flat = x.reshape(x.shape[0], -1)  # NHWC row-major == Keras Flatten
    k1, b1 = _checked_dense(weights, net.dense_hidden, flat.shape[1], net.hidden_units)
    hidden = flat @ k1.astype(np.float64) + b1
    hidden = np.where(hidden > 0, hidden, LEAKY_ALPHA * hidden)
    k2, b2 = _checked_dense(weights, net.dense_out, net.hidden_units, 1)
    logits: F64 = (hidden @ k2.astype(np.float64) + b2)[:, 0]
    return logits


def numpy_reference_logits(h5_path: Path, arch: Arch, batch: NDArray[Any]) -> F64:
    """Pre-sigmoid outputs, shape (N,), of the numpy implementation (float64 throughout)."""
    x = np.asarray(batch, dtype=np.float64)
    if x.ndim != 4 or x.shape[1:] != (INPUT_SIZE, INPUT_SIZE, 3):
        raise ValueError(f"expected a (N, {INPUT_SIZE}, {INPUT_SIZE}, 3) batch, got {x.shape}")
    weights = _read_weights(Path(h5_path))
    # one image at a time keeps the window tensors small (~30 MB)
    parts = [_np_logits(weights, arch, x[i : i + 1]) for i in range(x.shape[0])]
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.float64)


def numpy_reference(h5_path: Path, arch: Arch, batch: NDArray[Any]) -> F64:
    """P(real), shape (N,), from a plain-numpy MesoNet: for verifying the ONNX graph only.

    ``batch`` is the graph's input: NHWC (N, 256, 256, 3) RGB floats in [0, 1]. Slow
    (~0.1 s per image); never used by the application.
    """
    logits = numpy_reference_logits(h5_path, arch, batch)
    real: F64 = 0.5 * (1.0 + np.tanh(0.5 * logits))  # overflow-free sigmoid
    return real


# --- inference -------------------------------------------------------------------------------


def create_session(model_path: Path) -> Any:
    """The one place an onnxruntime session is made (to be routed through a shared runtime)."""
    from ncii_desk.vision.runtime import onnxruntime_module

    ort = onnxruntime_module()  # telemetry off before the first import
    options = ort.SessionOptions()
    options.log_severity_level = 3
    return ort.InferenceSession(
        str(model_path), sess_options=options, providers=["CPUExecutionProvider"]
    )


def resize_to_input(face_rgb: NDArray[np.uint8]) -> NDArray[np.uint8]:
    """A face crop (H, W, 3) uint8 RGB resized to 256x256 as the authors' Keras loader did.

    ``flow_from_directory`` resizes with PIL nearest-neighbour and no aspect preservation.
    The model is sensitive even to the resize method, so use this one.
    """
    from PIL import Image

    image = Image.fromarray(np.ascontiguousarray(face_rgb), mode="RGB")
    resized = image.resize((INPUT_SIZE, INPUT_SIZE), Image.Resampling.NEAREST)
    return np.asarray(resized, dtype=np.uint8)


def to_model_input(face_crops_rgb_uint8: NDArray[np.uint8]) -> F32:
    """uint8 (N, 256, 256, 3) RGB -> float32 in [0, 1] (times 1/255, as Keras' rescale)."""
    crops = np.asarray(face_crops_rgb_uint8)
    if crops.dtype != np.uint8 or crops.ndim != 4 or crops.shape[1:] != (INPUT_SIZE, INPUT_SIZE, 3):
        raise ValueError(
            f"expected uint8 face crops of shape (N, {INPUT_SIZE}, {INPUT_SIZE}, 3), "
            f"got {crops.dtype} {crops.shape}"
        )
    scaled: F32 = crops.astype(np.float32) * RESCALE
    return scaled


@dataclass(frozen=True)
class MesoNetOutput:
    """Per-crop outputs, each shape (N,), float32."""

    logit: F32
    real_probability: F32  # the network's sigmoid: P(real face)
    fake_probability: F32  # sigmoid(-logit) = 1 - P(real): the deepfake-likelihood signal


class MesoNetClassifier:
    """One MesoNet weight file, run through onnxruntime on 256x256 RGB face crops.

    ``score`` is the **fake** probability (higher = more likely manipulated); the network
    itself outputs P(real). Treat either as a weak, crop-sensitive signal, never a verdict.
    """

    batch_size: Final = 32

    def __init__(
        self,
        h5_path: Path,
        arch: Arch | None = None,
        cache_dir: Path | None = None,
        session_factory: Callable[[Path], Any] = create_session,
    ) -> None:
        self.arch: Arch = arch if arch is not None else guess_arch(h5_path)
        self.model_path = cached_onnx(h5_path, self.arch, cache_dir)
        self._session = session_factory(self.model_path)

    def predict(self, face_crops_rgb_uint8: NDArray[np.uint8]) -> MesoNetOutput:
        x = to_model_input(face_crops_rgb_uint8)
        names = [OUTPUT_LOGIT, OUTPUT_REAL, OUTPUT_FAKE]
        parts: list[list[F32]] = [[], [], []]
        for start in range(0, x.shape[0], self.batch_size):
            results = self._session.run(names, {INPUT_NAME: x[start : start + self.batch_size]})
            for acc, res in zip(parts, results, strict=True):
                acc.append(np.asarray(res, dtype=np.float32).reshape(-1))

        def joined(chunks: list[F32]) -> F32:
            return np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.float32)

        return MesoNetOutput(*(joined(p) for p in parts))

    def score(self, face_crops_rgb_uint8: NDArray[np.uint8]) -> F32:
        """fake_probability per crop, shape (N,), in [0, 1]: 1 - P(real) of the network."""
        return self.predict(face_crops_rgb_uint8).fake_probability

    def real_probability(self, face_crops_rgb_uint8: NDArray[np.uint8]) -> F32:
        """The network's own output, P(real), shape (N,)."""
        return self.predict(face_crops_rgb_uint8).real_probability
