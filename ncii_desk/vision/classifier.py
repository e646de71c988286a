"""Face manipulation classifiers behind one small interface.

A classifier answers one narrow question about a *face crop*: does it look like the kind of
manipulated face the model was trained on? It never looks at a whole image, and its answer is
reported together with what it was trained on and what it is known to miss, so a report can
say how much (or how little) the number means.

Two implementations:

* :class:`MesoNetFaceClassifier`: the published MesoNet weights (Keras ``.h5``), rebuilt as
  ONNX by :mod:`ncii_desk.vision.mesonet`;
* :class:`OnnxFaceClassifier`: any single-file ONNX model described by a manifest entry with
  ``task = "deepfake-classifier"`` (input size, channel order, layout, scale/mean/std, and
  which output value is the "fake" or "real" probability). A clinic adds a stronger model by
  adding a manifest entry and the file; no code changes (docs/models.md).

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
    """A manipulation classifier for face crops, with what a report must say about it."""

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


class OnnxFaceClassifier(FaceClassifier):
    """Any ONNX manipulation classifier described by its manifest entry (docs/models.md)."""

    def __init__(self, spec: ModelSpec, runtime: Runtime) -> None:
        if spec.input.size is None:
            raise ClassifierError(
                f"The manifest entry '{spec.name}' has no input size; a face classifier "
                "needs input.size = [width, height]."
            )
        if spec.output.score not in ("p-fake", "p-real"):
            raise ClassifierError(
                f"The manifest entry '{spec.name}' does not say what its output means; set "
                'output.score to "p-fake" or "p-real".'
            )
        if spec.input.dtype != "float32":
            raise ClassifierError(
                f"The manifest entry '{spec.name}' asks for {spec.input.dtype} input; face "
                "classifiers take float32."
            )
        if spec.input.resize == "align-5pt" and len(spec.input.align_template) != 5:
            raise ClassifierError(
                f"The manifest entry '{spec.name}' uses resize = \"align-5pt\" without five "
                "align_template points."
            )
        self._session = runtime.session(spec.name)
        self._spec = spec
        inputs = self._session.get_inputs()
        self._input = spec.input.tensor or inputs[0].name
        if self._input not in {i.name for i in inputs}:
            raise ClassifierError(
                f"The model '{spec.name}' has no input called '{self._input}' "
                f"(it has {', '.join(i.name for i in inputs)})."
            )
        outputs = [o.name for o in self._session.get_outputs()]
        self._output = spec.output.names[0] if spec.output.names else outputs[0]
        if self._output not in outputs:
            raise ClassifierError(
                f"The model '{spec.name}' has no output called '{self._output}' "
                f"(it has {', '.join(outputs)})."
            )
        _describe_from_manifest(self, spec)
        self.provider = runtime.session_info(spec.name).provider
        self.version = spec.version

    def crop(self, pixels_rgb: UInt8Array, face: Face) -> UInt8Array:
        if self._spec.input.resize == "align-5pt":
            return _aligned_crop(pixels_rgb, face, self._spec)
        return face_crop(pixels_rgb, face)

    def _tensor(self, crops: Sequence[UInt8Array]) -> FloatArray:
        spec = self._spec.input
        assert spec.size is not None
        nearest = spec.resize == "stretch-nearest"
        sized = [
            c
            if c.shape[1::-1] == spec.size
            else cv2.resize(
                c, spec.size, interpolation=cv2.INTER_NEAREST if nearest else cv2.INTER_LINEAR
            )
            for c in crops
        ]
        x = np.stack(sized).astype(np.float32)
        if spec.channels == "BGR":
            x = x[..., ::-1]
        mean = np.asarray(spec.mean, dtype=np.float32)
        std = np.asarray(spec.std, dtype=np.float32)
        x = (x * np.float32(spec.scale) - mean) / std
        if spec.layout == "NCHW":
            x = x.transpose(0, 3, 1, 2)
        return np.ascontiguousarray(x, dtype=np.float32)

    def score(self, face_crops: Sequence[UInt8Array]) -> FloatArray:
        if not face_crops:
            return np.zeros(0, dtype=np.float32)
        step = self._spec.input.batch or _BATCH
        parts: list[FloatArray] = []
        for start in range(0, len(face_crops), step):
            chunk = face_crops[start : start + step]
            (raw,) = self._session.run([self._output], {self._input: self._tensor(chunk)})
            parts.append(self._probabilities(np.asarray(raw, dtype=np.float32), len(chunk)))
        return np.concatenate(parts)

    def _probabilities(self, raw: FloatArray, count: int) -> FloatArray:
        out = self._spec.output
        rows = raw.reshape(count, -1)
        if out.score_index >= rows.shape[1]:
            raise ClassifierError(
                f"The model '{self.name}' gives {rows.shape[1]} value(s) per face, so "
                f"output.score_index = {out.score_index} does not exist."
            )
        values = rows[:, out.score_index]
        if not np.all(np.isfinite(values)) or values.min() < -1e-4 or values.max() > 1 + 1e-4:
            raise ClassifierError(
                f"The model '{self.name}' gave values outside 0..1 "
                f"({float(values.min()):.3g} to {float(values.max()):.3g}), so they are not "
                "probabilities.",
                "Use a model whose graph ends in a softmax or sigmoid, and point "
                "output.score_index at the probability.",
            )
        values = np.clip(values, 0.0, 1.0)
        fake = values if out.score == "p-fake" else 1.0 - values
        return np.asarray(fake, dtype=np.float32)


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
    absent or altered; ClassifierError if the entry cannot describe a face classifier)."""
    rt = runtime or shared_runtime()
    spec = rt.registry.spec(name)
    if spec.task != _TASK:
        raise ClassifierError(
            f"The model '{name}' is a {spec.task} model, not a deepfake classifier.",
            f"Deepfake classifiers in the manifest: {', '.join(classifier_names(rt.registry))}.",
        )
    if spec.format == "keras-h5":
        return MesoNetFaceClassifier(spec, rt)
    return OnnxFaceClassifier(spec, rt)
