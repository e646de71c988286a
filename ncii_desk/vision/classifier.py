"""Manipulation classifiers behind one small interface.

A classifier answers one narrow question about either a *face crop* (``domain.input =
"face-crop"``: does this face look like the manipulated faces the model was trained on?) or
a *whole picture* (``domain.input = "whole-image"``: does the picture look like the made or
changed pictures it was trained on?). Its answer is reported together with what it was
trained on and what it is known to miss, so a report can say how much (or how little) the
number means.

Two implementations:

* :class:`MesoNetFaceClassifier`: the published MesoNet weights (Keras ``.h5``), rebuilt as
  ONNX by :mod:`ncii_desk.vision.mesonet`;
* :class:`OnnxClassifier`: any single-file ONNX model described by a manifest entry with
  ``task = "deepfake-classifier"``: input size and resize rule (stretch, centre-crop,
  letterbox, five-point face alignment), channel order and layout, scale/mean/std, batch of
  one or any, which output value is the "fake" or "real" probability and whether a sigmoid or
  softmax makes it one, and the threshold. The entry is checked against the graph when the
  model is loaded. A clinic adds a model by a manifest entry and the file; no code changes
  (docs/models.md, "Adding your own detector").

:func:`load_classifier` picks the implementation from the entry's ``format``. Every session is
made by the runtime (GPU when one works), and :attr:`FaceClassifier.provider` says where the
numbers came from.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any, Final

import cv2
import numpy as np
import numpy.typing as npt

from ncii_desk.errors import NciiDeskError
from ncii_desk.vision.faces import Face
from ncii_desk.vision.registry import (
    Domain,
    InputSpec,
    ModelCorrupt,
    ModelRegistry,
    ModelSpec,
    PublishedFigure,
    Validation,
)
from ncii_desk.vision.runtime import Runtime, shared_runtime

__all__ = [
    "FAKE_THRESHOLD",
    "ClassifierError",
    "FaceClassifier",
    "MesoNetFaceClassifier",
    "OnnxClassifier",
    "OnnxFaceClassifier",
    "classifier_names",
    "default_classifier_names",
    "face_crop",
    "load_classifier",
]

UInt8Array = npt.NDArray[np.uint8]
FloatArray = npt.NDArray[np.float32]

#: A probability of manipulation at or above this is reported as "looks manipulated". It is
#: the models' own decision point (a sigmoid or softmax at 0.5), not a calibrated threshold.
FAKE_THRESHOLD: Final = 0.5

#: The authors' MesoNet crop (their pipeline.py): a square around the nose whose side is
#: 1.3 * 2.2 * max(eye distance, eyes-to-mouth distance), turned so eyes-to-mouth is vertical.
CROP_FACTOR: Final = 1.3 * 2.2
#: Faces whose crop is smaller than this many pixels are flagged as too small to judge.
SMALL_FACE_PIXELS: Final = 96
_BATCH: Final = 32
_TASK: Final = "deepfake-classifier"


class ClassifierError(NciiDeskError):
    """A classifier model cannot be used as described by its manifest entry."""

    default_hint = (
        "Check the model's manifest entry against docs/models.md (input size, layout, "
        "channels, score and score_index), or remove the entry."
    )


# --- crops ---------------------------------------------------------------------------------


def face_crop(pixels_rgb: UInt8Array, face: Face) -> UInt8Array:
    """The square face crop MesoNet's authors fed their networks, at the image's resolution.

    Centre at the nose tip; side :data:`CROP_FACTOR` x the larger of the eye distance and
    the eyes-centre-to-mouth-centre distance; rotated so the eyes-to-mouth axis points
    straight down; pixels outside the image mirrored in (reflect padding), as theirs were.
    """
    marks = np.asarray(face.landmarks, dtype=np.float64)
    eye_r, eye_l, nose, mouth_r, mouth_l = marks
    eyes, mouth = (eye_r + eye_l) / 2, (mouth_r + mouth_l) / 2
    down = mouth - eyes
    length = float(np.hypot(*down))
    if length < 1e-6:
        raise ValueError("face landmarks are degenerate (eyes and mouth at one point)")
    side = max(2, round(CROP_FACTOR * max(float(np.hypot(*(eye_l - eye_r))), length)))
    dx, dy = down / length
    right = np.array([dy, -dx])  # (1, 0) for an upright face
    half = side / 2
    # output (u, v) -> source nose + (u - half) * right + (v - half) * down
    matrix = np.array(
        [
            [right[0], dx, nose[0] - half * (right[0] + dx)],
            [right[1], dy, nose[1] - half * (right[1] + dy)],
        ]
    )
    crop = cv2.warpAffine(
        np.ascontiguousarray(pixels_rgb),
        matrix,
        (side, side),
        flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
        borderMode=cv2.BORDER_REFLECT_101,
    )
    return np.asarray(crop, dtype=np.uint8)


def _aligned_crop(pixels_rgb: UInt8Array, face: Face, spec: ModelSpec) -> UInt8Array:
    """Five-point alignment onto the manifest's ``align_template`` at the model's size."""
    assert spec.input.size is not None
    template = np.asarray(spec.input.align_template, dtype=np.float32)
    matrix, _ = cv2.estimateAffinePartial2D(
        np.asarray(face.landmarks, dtype=np.float32), template, method=cv2.LMEDS
    )
    if matrix is None:
        raise ValueError("face landmarks are degenerate; the face cannot be aligned")
    crop = cv2.warpAffine(np.ascontiguousarray(pixels_rgb), matrix, spec.input.size)
    return np.asarray(crop, dtype=np.uint8)


# --- the interface -------------------------------------------------------------------------


class FaceClassifier(ABC):
    """A manipulation classifier (face crops or whole pictures, see :attr:`whole_image`), with
    what a report must say about it."""

    #: manifest name, e.g. "mesoinception-df"
    name: str
    #: sha256 of the weight file the manifest names (what produced the number)
    model_sha256: str
    #: what the model learned from, in a sentence a lawyer can read
    training_domain: str
    #: what it is known to miss, in plain language (the manifest's blind_spots, else caveats)
    blind_spots: str
    #: the manifest's full caveats (licence, format and validation notes included)
    caveats: str
    #: the onnxruntime execution provider its session runs on
    provider: str
    #: how the producing code and weights are labelled in records
    version: str
    #: which inputs the score fits (manifest [domain]); outside it no score is shown
    domain: Domain = Domain()
    #: the authors' published figures, and our own validation record
    published: tuple[PublishedFigure, ...] = ()
    validation: Validation = Validation()
    #: the probability of manipulation at or above which the model calls an input manipulated
    threshold: float = FAKE_THRESHOLD
    #: what the model's own output is: "p-fake" or "p-real" (reports turn both into P(fake))
    score_meaning: str = "p-fake"
    #: the model's input (width, height), when the manifest fixes it
    input_size: tuple[int, int] | None = None

    @property
    def whole_image(self) -> bool:
        """True when the model looks at the whole picture, not at face crops."""
        return self.domain.input == "whole-image"

    def meaning(self) -> str:
        """What the number is, in one sentence a lawyer can read."""
        what = "the whole picture" if self.whole_image else "a face"
        text = (
            f"The score is this model's estimate, from 0 to 1, of how much {what} looks like "
            "the manipulated or generated pictures it learned from (1) rather than the real "
            f"ones (0); at {self.threshold:.2f} or more the model calls it manipulated"
        )
        if self.score_meaning == "p-real":
            text += (
                "; the model itself gives the probability that the input is real, and the "
                "score shown is 1 minus that"
            )
        return text + ". It is not a probability that the picture is fake in fact."

    def applies_to(self, media: str) -> bool:
        """Whether ``media`` ("image" or "video") lies inside the model's domain."""
        return self.domain.covers(media)

    def not_applicable(self) -> str:
        """Why the model is not run on input outside its domain, in one sentence."""
        made_for = (self.domain.description or self.training_domain).split(". ")[0]
        return (
            f"Not applicable: this model was made for {_lower_first(made_for).rstrip('.')}, "
            "so its score would mean nothing for this input and none is shown."
        )

    def crop(self, pixels_rgb: UInt8Array, face: Face) -> UInt8Array:
        """The face crop this model expects (default: the MesoNet authors' crop)."""
        return face_crop(pixels_rgb, face)

    @abstractmethod
    def score(self, face_crops: Sequence[UInt8Array]) -> FloatArray:
        """Probability of manipulation per crop, shape (N,), in [0, 1]."""

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "model_sha256": self.model_sha256,
            "version": self.version,
            "training_domain": self.training_domain,
            "blind_spots": self.blind_spots,
            "caveats": self.caveats,
            "provider": self.provider,
            "domain": {
                "media": list(self.domain.media),
                "input": self.domain.input,
                "description": self.domain.description,
            },
            "published": [{"figure": p.figure, "source": p.source} for p in self.published],
            "validation": self.validation.as_dict(),
            "threshold": self.threshold,
            "score_meaning": self.score_meaning,
            "meaning": self.meaning(),
        }


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[:2] != text[:2].upper() else text


def _describe_from_manifest(target: FaceClassifier, spec: ModelSpec) -> None:
    target.name = spec.name
    target.model_sha256 = spec.sha256
    target.caveats = " ".join(spec.caveats.split())
    target.training_domain = spec.training_domain or "Not stated in the model manifest."
    target.blind_spots = spec.blind_spots or target.caveats or "Not stated in the model manifest."
    target.domain = spec.domain
    target.published = spec.published
    target.validation = spec.validation
    if spec.output.threshold is not None:
        target.threshold = spec.output.threshold
    target.score_meaning = spec.output.score or "p-fake"
    target.input_size = spec.input.size


class MesoNetFaceClassifier(FaceClassifier):
    """MesoNet (Meso-4 or MesoInception-4) from a manifest ``keras-h5`` entry."""

    def __init__(self, spec: ModelSpec, runtime: Runtime) -> None:
        from ncii_desk.vision import mesonet

        registry = runtime.registry
        path = registry.locate(spec.name)  # sha256 checked against the manifest
        arch = mesonet.guess_arch(path)
        key = f"{spec.name}:{spec.sha256}:mesonet-onnx-v{mesonet.BUILDER_VERSION}"
        self._net = mesonet.MesoNetClassifier(
            path, arch, session_factory=lambda model: runtime.session_from(key, model)
        )
        if self._net.model_path.name != f"{arch}-{spec.sha256[:16]}.onnx":
            # the file changed between the check and the build: refuse the result
            raise ModelCorrupt(
                f"The model file for '{spec.name}' changed while it was being loaded.",
                "Run 'ncii-desk models verify', then try again.",
                name=spec.name,
                file=str(path),
                expected=spec.sha256,
                actual=self._net.model_path.name,
            )
        _describe_from_manifest(self, spec)
        self.provider = runtime.session_info(key).provider
        self.version = f"{arch}/{spec.version}/builder-{mesonet.BUILDER_VERSION}"
        self._resize = mesonet.resize_to_input

    def score(self, face_crops: Sequence[UInt8Array]) -> FloatArray:
        if not face_crops:
            return np.zeros(0, dtype=np.float32)
        batch = np.stack([self._resize(c) for c in face_crops])
        return np.asarray(self._net.score(batch), dtype=np.float32)


def fit_to_input(pixels_rgb: UInt8Array, spec: InputSpec) -> UInt8Array:
    """A picture or face crop brought to the model's input size by the manifest's rule.

    ``stretch`` (also for an ``align-5pt`` crop that is not yet at size): plain resize;
    ``stretch-nearest``: the same with nearest-neighbour sampling; ``centre-crop``: the
    shorter side scaled to the size, then the centre cut out; ``letterbox``: the longer side
    scaled to the size and the picture centred on a canvas of ``spec.pad``. Shrinking uses
    area averaging, enlarging bilinear sampling.
    """
    assert spec.size is not None
    width, height = spec.size
    h, w = pixels_rgb.shape[:2]
    rule = spec.resize or "stretch"
    img = np.ascontiguousarray(pixels_rgb)

    def resized(new_w: int, new_h: int) -> UInt8Array:
        if (new_w, new_h) == (w, h):
            return img
        if rule == "stretch-nearest":
            how = cv2.INTER_NEAREST
        else:
            how = cv2.INTER_AREA if new_w <= w and new_h <= h else cv2.INTER_LINEAR
        return np.asarray(cv2.resize(img, (new_w, new_h), interpolation=how), dtype=np.uint8)

    if rule == "centre-crop":
        factor = max(width / w, height / h)
        new_w, new_h = max(width, round(w * factor)), max(height, round(h * factor))
        big = resized(new_w, new_h)
        x0, y0 = (new_w - width) // 2, (new_h - height) // 2
        return np.ascontiguousarray(big[y0 : y0 + height, x0 : x0 + width])
    if rule == "letterbox":
        factor = min(width / w, height / h)
        new_w = min(width, max(1, round(w * factor)))
        new_h = min(height, max(1, round(h * factor)))
        canvas = np.full((height, width, 3), round(spec.pad), dtype=np.uint8)
        x0, y0 = (width - new_w) // 2, (height - new_h) // 2
        canvas[y0 : y0 + new_h, x0 : x0 + new_w] = resized(new_w, new_h)
        return canvas
    return resized(width, height)


def to_tensor(pictures: Sequence[UInt8Array], spec: InputSpec) -> FloatArray:
    """Pictures already at the input size -> the model's float32 tensor: channel order,
    ``(x * scale - mean) / std`` per channel, then NCHW or NHWC."""
    x = np.stack(pictures).astype(np.float32)
    if spec.channels == "BGR":
        x = x[..., ::-1]
    mean = np.asarray(spec.mean, dtype=np.float32)
    std = np.asarray(spec.std, dtype=np.float32)
    x = (x * np.float32(spec.scale) - mean) / std
    if spec.layout == "NCHW":
        x = x.transpose(0, 3, 1, 2)
    return np.ascontiguousarray(x, dtype=np.float32)


def _check_graph(spec: ModelSpec, session: Any, input_name: str) -> None:
    """The graph's input must be what the entry declares: a float tensor of rank 4 with three
    channels where ``input.layout`` puts them, ``input.size`` where the graph fixes a size, and
    ``input.batch`` = N where the graph fixes its batch at N."""
    assert spec.input.size is not None
    node = next(i for i in session.get_inputs() if i.name == input_name)
    shape = list(node.shape)
    where = f"The manifest entry '{spec.name}' (models.{spec.name}.input)"
    if node.type != "tensor(float)":
        raise ClassifierError(
            f"{where} says dtype = \"float32\", but the graph's input '{input_name}' is "
            f"{node.type}."
        )
    if len(shape) != 4:
        raise ClassifierError(
            f"{where}: the graph's input '{input_name}' has shape {shape}, not a batch of "
            "pictures (4 dimensions); 'layout' cannot describe it."
        )
    layout = spec.input.layout
    channels_at, height_at, width_at = (1, 2, 3) if layout == "NCHW" else (3, 1, 2)
    if isinstance(shape[channels_at], int) and shape[channels_at] != 3:
        raise ClassifierError(
            f'{where} says layout = "{layout}", but the graph\'s input shape is {shape}: '
            f"position {channels_at} holds {shape[channels_at]}, not the 3 colour channels.",
            "Set input.layout to match the graph (NCHW: [N, 3, H, W]; NHWC: [N, H, W, 3]).",
        )
    width, height = spec.input.size
    for axis, want, label in ((width_at, width, "width"), (height_at, height, "height")):
        have = shape[axis]
        if isinstance(have, int) and have > 0 and have != want:
            raise ClassifierError(
                f"{where} says size = [{width}, {height}], but the graph's input shape is "
                f"{shape}: its {label} is {have}.",
                "Set input.size = [width, height] to what the graph takes.",
            )
    batch = shape[0]
    if isinstance(batch, int) and batch > 0 and spec.input.batch != batch:
        declared = "no batch" if spec.input.batch is None else f"batch = {spec.input.batch}"
        raise ClassifierError(
            f"{where} says {declared}, but the graph takes exactly {batch} picture(s) at a "
            f"time (input shape {shape}).",
            f"Set input.batch = {batch} so the pictures are given to it {batch} at a time.",
        )


class OnnxClassifier(FaceClassifier):
    """Any ONNX manipulation classifier described by its manifest entry (docs/models.md):
    face crops or, with ``domain.input = "whole-image"``, the whole picture."""

    def __init__(self, spec: ModelSpec, runtime: Runtime) -> None:
        if spec.input.size is None or spec.output.score not in ("p-fake", "p-real"):
            # entries are checked when the manifest is read; this guards hand-made specs
            raise ClassifierError(
                f"The manifest entry '{spec.name}' needs input.size = [width, height] and "
                'output.score = "p-fake" or "p-real".'
            )
        self._session = runtime.session(spec.name)
        self._spec = spec
        inputs = self._session.get_inputs()
        self._input = spec.input.tensor or inputs[0].name
        if self._input not in {i.name for i in inputs}:
            raise ClassifierError(
                f"The model '{spec.name}' has no input called '{self._input}' "
                f"(it has {', '.join(i.name for i in inputs)}); fix input.tensor."
            )
        _check_graph(spec, self._session, self._input)
        outputs = [o.name for o in self._session.get_outputs()]
        self._output = spec.output.names[0] if spec.output.names else outputs[0]
        if self._output not in outputs:
            raise ClassifierError(
                f"The model '{spec.name}' has no output called '{self._output}' "
                f"(it has {', '.join(outputs)}); fix output.names."
            )
        _describe_from_manifest(self, spec)
        self.provider = runtime.session_info(spec.name).provider
        self.version = spec.version
        #: how many session runs scored pictures (one per batch): for tests and benchmarks
        self.runs = 0

    def crop(self, pixels_rgb: UInt8Array, face: Face) -> UInt8Array:
        if self._spec.input.resize == "align-5pt":
            return _aligned_crop(pixels_rgb, face, self._spec)
        return face_crop(pixels_rgb, face)

    def prepare(self, pictures: Sequence[UInt8Array]) -> FloatArray:
        """The exact tensor the model is given for ``pictures`` (crops or whole pictures)."""
        return to_tensor([fit_to_input(p, self._spec.input) for p in pictures], self._spec.input)

    def score(self, face_crops: Sequence[UInt8Array]) -> FloatArray:
        """Probability of manipulation per crop (or whole picture), shape (N,), in [0, 1];
        with ``input.batch`` the pictures go to the model that many at a time."""
        if not face_crops:
            return np.zeros(0, dtype=np.float32)
        step = self._spec.input.batch or _BATCH
        parts: list[FloatArray] = []
        for start in range(0, len(face_crops), step):
            chunk = face_crops[start : start + step]
            (raw,) = self._session.run([self._output], {self._input: self.prepare(chunk)})
            self.runs += 1
            parts.append(self._probabilities(np.asarray(raw, dtype=np.float32), len(chunk)))
        return np.concatenate(parts)

    def _probabilities(self, raw: FloatArray, count: int) -> FloatArray:
        out = self._spec.output
        rows = raw.reshape(count, -1).astype(np.float64)
        if out.score_index >= rows.shape[1]:
            raise ClassifierError(
                f"The model '{self.name}' gives {rows.shape[1]} value(s) per input, so "
                f"output.score_index = {out.score_index} does not exist."
            )
        if out.activation == "softmax":
            shifted = np.exp(rows - rows.max(axis=1, keepdims=True))
            rows = shifted / shifted.sum(axis=1, keepdims=True)
        elif out.activation == "sigmoid":
            rows = 1.0 / (1.0 + np.exp(-rows))
        values = rows[:, out.score_index]
        if not np.all(np.isfinite(values)) or values.min() < -1e-4 or values.max() > 1 + 1e-4:
            raise ClassifierError(
                f"The model '{self.name}' gave values outside 0..1 "
                f"({float(values.min()):.3g} to {float(values.max()):.3g}), so they are not "
                "probabilities.",
                'Set output.activation = "sigmoid" or "softmax" when the graph ends in raw '
                "scores (logits), and point output.score_index at the probability.",
            )
        values = np.clip(values, 0.0, 1.0)
        fake = values if out.score == "p-fake" else 1.0 - values
        return np.asarray(fake, dtype=np.float32)


#: The name earlier versions used (face crops only).
OnnxFaceClassifier = OnnxClassifier


# --- choosing and loading ------------------------------------------------------------------


def classifier_names(registry: ModelRegistry) -> list[str]:
    """Every deepfake classifier of the manifest, in manifest order."""
    return [spec.name for spec in registry if spec.task == _TASK]


def default_classifier_names(registry: ModelRegistry) -> list[str]:
    """What an analysis runs when nobody names classifiers.

    The bundled MesoNet weights (the face-swap "DF" variants) and every ONNX classifier a
    clinic has listed. The Face2Face MesoNet weights are listed in the manifest but not run
    by default: they gave real faces near-zero "real" scores in testing (see the manifest).
    """
    return [
        spec.name
        for spec in registry
        if spec.task == _TASK and (spec.format == "onnx" or spec.bundled)
    ]


def load_classifier(name: str, runtime: Runtime | None = None) -> FaceClassifier:
    """The classifier for manifest model ``name`` (ModelMissing / ModelCorrupt if its file is
    absent or altered; InvalidSetting for a clinic entry that is not valid; ClassifierError
    if the entry does not fit the graph)."""
    rt = runtime or shared_runtime()
    spec = rt.registry.spec(name)
    if spec.task != _TASK:
        raise ClassifierError(
            f"The model '{name}' is a {spec.task} model, not a deepfake classifier.",
            f"Deepfake classifiers in the manifest: {', '.join(classifier_names(rt.registry))}.",
        )
    if spec.format == "keras-h5":
        return MesoNetFaceClassifier(spec, rt)
    return OnnxClassifier(spec, rt)
