"""The model registry: model names → verified weight files.

Models are data. ``models/manifest.toml`` lists each model by a stable name with the exact
bytes the application accepts (sha256 and size), its source, licence, caveats and input
preparation. The files themselves are searched, in this order, in:

1. every folder in ``NCII_DESK_MODELS`` (separated by ``os.pathsep``),
2. the user data folder's ``models`` subfolder (where a clinic puts downloaded files),
3. the packaged ``models/`` folder (the installer's copy, or the checkout's ``models/``),
4. ``../shared/models`` next to a development checkout.

In each folder a file may sit at its manifest path (``mesonet/Meso4_DF.h5``), directly in the
folder, or one subfolder down. The first file found is the one used, and it must match the
manifest's sha256: a damaged or different file is reported as :class:`ModelCorrupt`, never
skipped in favour of a later copy, so what the person placed is what gets checked. A model
that is nowhere is :class:`ModelMissing`, naming the file, its sha256 and where to get it.
"""

from __future__ import annotations

import hashlib
import os
import sys
import threading
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import ncii_desk
from ncii_desk.errors import InvalidSetting, NciiDeskError
from ncii_desk.paths import user_data_dir
from ncii_desk.resources import find_data_dir

MODELS_ENV = "NCII_DESK_MODELS"
MANIFEST_NAME = "manifest.toml"
TASKS = ("face-detection", "face-embedding", "deepfake-classifier")
FORMATS = ("onnx", "keras-h5")
LAYOUTS = ("NCHW", "NHWC")
CHANNEL_ORDERS = ("RGB", "BGR")
SCORE_MEANINGS = ("", "p-real", "p-fake")
#: What turns a classifier's raw output into a probability: nothing (the graph ends in a
#: softmax or sigmoid), a sigmoid of the value, or a softmax over the last axis.
ACTIVATIONS = ("none", "sigmoid", "softmax")
#: How a picture (whole-image classifiers) or a face crop is brought to a classifier's
#: input size: ``stretch`` (plain resize), ``stretch-nearest``, ``centre-crop`` (shorter side to
#: the size, then the centre cut out), ``letterbox`` (longer side to the size, centred on a
#: canvas of ``input.pad``), and for face crops ``align-5pt`` (five landmarks onto
#: ``input.align_template``).
CLASSIFIER_RESIZES = ("stretch", "stretch-nearest", "centre-crop", "letterbox", "align-5pt")
#: The file a clinic puts in its models folder to add its own models (same format).
CLINIC_MANIFEST_NAME = "manifest.toml"
#: What a classifier's domain may name as its input media: frames of a video, still images.
DOMAIN_MEDIA = ("video", "image")
VALIDATION_STATUSES = ("unvalidated", "validated")
#: The one place that says when a manipulation classifier's score may headline a summary or
#: count as a manipulation finding in a packet: ROC AUC at least this high, measured on at
#: least this many labelled images of the classifier's own domain.
MIN_VALIDATED_AUC = 0.85
MIN_VALIDATED_IMAGES = 200
MATCH_METRICS = ("cosine", "euclidean")
_HEX = frozenset("0123456789abcdef")
_CHUNK = 1 << 20


# --- errors (to move into ncii_desk.errors) -------------------------------------------------


class ModelMissing(NciiDeskError):
    """A model is not installed: its name is unknown, or its file is in none of the searched
    folders. Distinct from :class:`ModelCorrupt` (a file is there with other bytes), with its
    own exit code, 8."""

    exit_code = 8
    default_hint = "Run 'ncii-desk models verify' to see which model files are missing."

    def __init__(
        self,
        message: str,
        hint: str | None = None,
        *,
        name: str,
        file: str = "",
        sha256: str = "",
        searched: tuple[str, ...] = (),
    ) -> None:
        super().__init__(message, hint)
        self.name = name
        self.file = file
        self.sha256 = sha256
        self.searched = searched

    def as_dict(self) -> dict[str, str]:
        data = super().as_dict()
        data.update(model=self.name, file=self.file, sha256=self.sha256)
        data["searched"] = os.pathsep.join(self.searched)
        return data


class ModelCorrupt(NciiDeskError):
    """A model file was found, but its bytes are not the ones the manifest names."""

    exit_code = 3
    default_hint = "Replace the file with a fresh copy from its source."

    def __init__(
        self,
        message: str,
        hint: str | None = None,
        *,
        name: str,
        file: str,
        expected: str,
        actual: str,
    ) -> None:
        super().__init__(message, hint)
        self.name = name
        self.file = file
        self.expected = expected
        self.actual = actual

    def as_dict(self) -> dict[str, str]:
        data = super().as_dict()
        data.update(model=self.name, file=self.file, expected=self.expected, actual=self.actual)
        return data


# --- the manifest ---------------------------------------------------------------------------


@dataclass(frozen=True)
class InputSpec:
    """How an image becomes this model's input tensor.

    Pixel values are scaled per channel, after the channel order is set, as
    ``(x * scale - mean) / std`` where ``x`` is the 0-255 value.
    """

    layout: str
    channels: str
    dtype: str = "float32"
    tensor: str = ""
    size: tuple[int, int] | None = None  # (width, height); None = free size
    batch: int | None = None  # None = any batch size
    multiple_of: int = 1
    max_side: int | None = None
    resize: str = ""
    #: letterbox canvas value (0-255, before scaling), classifiers only
    pad: float = 0.0
    scale: float = 1.0
    mean: tuple[float, float, float] = (0.0, 0.0, 0.0)
    std: tuple[float, float, float] = (1.0, 1.0, 1.0)
    align_template: tuple[tuple[float, float], ...] = ()
    notes: str = ""

    def tensor_shape(
        self, width: int | None = None, height: int | None = None, batch: int = 1
    ) -> tuple[int, ...]:
        """The input tensor's shape for an image of ``width`` x ``height`` (fixed sizes win)."""
        if self.size is not None:
            width, height = self.size
        if width is None or height is None:
            raise ValueError("this model takes any size: give width and height")
        if width % self.multiple_of or height % self.multiple_of:
            raise ValueError(f"width and height must be multiples of {self.multiple_of}")
        n = self.batch if self.batch is not None else batch
        if self.layout == "NCHW":
            return (n, 3, height, width)
        return (n, height, width, 3)


@dataclass(frozen=True)
class OutputSpec:
    """What the model's outputs are (names; for classifiers, what the score means)."""

    names: tuple[str, ...] = ()
    score: str = ""  # classifiers: "p-real" or "p-fake"
    score_index: int = 0  # position of that score along the last axis of the first output
    #: classifiers: "none" (already a probability), "sigmoid" or "softmax" (last axis)
    activation: str = "none"
    #: classifiers: the probability of manipulation at or above which the model calls an
    #: input manipulated (None: the models' common 0.5)
    threshold: float | None = None
    notes: str = ""


@dataclass(frozen=True)
class Domain:
    """What a classifier was trained and validated on, and so which inputs its score fits."""

    description: str = ""
    #: which analysed media lie inside the domain ("video" frames, "image" stills)
    media: tuple[str, ...] = DOMAIN_MEDIA
    #: what the model looks at: "face-crop" or "whole-image"
    input: str = "face-crop"

    def covers(self, media: str) -> bool:
        return media in self.media


@dataclass(frozen=True)
class PublishedFigure:
    """A figure the model's authors published, with where it was published."""

    figure: str
    source: str


@dataclass(frozen=True)
class Validation:
    """Our own (or the clinic's) measurement of the classifier on labelled images."""

    status: str = "unvalidated"
    auc: float | None = None
    images: int = 0
    domain: str = ""  # what the labelled images were
    date: str = ""
    by: str = ""
    notes: str = ""
    #: bootstrap 95 % confidence interval of ``auc`` (low, high), when one was computed
    ci: tuple[float, float] | None = None
    #: sha256 of the clinic's validation record in the vault this came from ("" = manifest)
    record_sha256: str = ""

    @property
    def meets_minimum(self) -> bool:
        """AUC >= MIN_VALIDATED_AUC on >= MIN_VALIDATED_IMAGES images of the same domain."""
        return (
            self.status == "validated"
            and self.auc is not None
            and self.auc >= MIN_VALIDATED_AUC
            and self.images >= MIN_VALIDATED_IMAGES
        )

    def _ci_words(self) -> str:
        return f" [{self.ci[0]:.2f}\u2013{self.ci[1]:.2f}]" if self.ci is not None else ""

    def words(self) -> str:
        if self.meets_minimum:
            return (
                f"validated by {self.by or 'the clinic'} on {self.images} labelled images "
                f"({self.domain or 'its domain'}) on {self.date or 'an unrecorded date'}: "
                f"ROC AUC {self.auc:.2f}{self._ci_words()}"
            )
        if self.status == "validated" and self.auc is not None:
            return (
                f"measured at ROC AUC {self.auc:.2f}{self._ci_words()} on {self.images} "
                "labelled images, below the "
                f"minimum (AUC {MIN_VALIDATED_AUC} on {MIN_VALIDATED_IMAGES} images) for its "
                "score to count as a finding"
            )
        return "not validated by NCII Desk or the clinic on labelled images"

    def as_dict(self) -> dict[str, object]:
        return {
            "status": self.status,
            "auc": self.auc,
            "images": self.images,
            "domain": self.domain,
            "date": self.date,
            "by": self.by,
            "ci": list(self.ci) if self.ci is not None else None,
            "record_sha256": self.record_sha256,
            "meets_minimum": self.meets_minimum,
        }


@dataclass(frozen=True)
class MatchSpec:
    """Face embedders: how two embeddings are compared, and where "same person" starts.

    ``metric`` "cosine": embeddings are L2-normalised, the score is the cosine similarity and
    a match is ``similarity >= threshold``. ``metric`` "euclidean": embeddings stay raw, the
    model's own cut is a distance (``threshold``), and a match is ``distance <= threshold``.
    Reports show one scale for both, higher = more alike: :attr:`similarity_threshold`.
    """

    metric: str
    threshold: float
    notes: str = ""

    @property
    def similarity_threshold(self) -> float:
        """The threshold on the reported similarity scale (1 - distance for "euclidean")."""
        return self.threshold if self.metric == "cosine" else 1.0 - self.threshold


@dataclass(frozen=True)
class ModelSpec:
    """One model of the manifest."""

    name: str
    task: str
    file: str  # relative POSIX path, e.g. "mesonet/Meso4_DF.h5"
    sha256: str
    size: int
    format: str
    source: str
    licence: str
    caveats: str
    bundled: bool
    input: InputSpec
    output: OutputSpec = field(default_factory=OutputSpec)
    version: str = ""
    licence_files: tuple[str, ...] = ()
    #: Classifiers: what the model learned from, and what it is known to miss (plain words,
    #: quoted with every score). Empty when the manifest does not say.
    training_domain: str = ""
    blind_spots: str = ""
    #: Classifiers: the inputs the score fits, the authors' figures, and our validation.
    domain: Domain = field(default_factory=Domain)
    published: tuple[PublishedFigure, ...] = ()
    validation: Validation = field(default_factory=Validation)
    #: Face embedders: the comparison metric and threshold ([models.NAME.match]).
    match: MatchSpec | None = None

    @property
    def filename(self) -> str:
        return PurePosixPath(self.file).name


def _bad(manifest: Path, where: str, problem: str) -> InvalidSetting:
    return InvalidSetting(
        f"The model manifest {manifest} is not valid: {where}: {problem}.",
        "Compare the entry with the field list in docs/models.md, fix it and try again.",
    )


class _Table:
    """Typed access to one TOML table, with errors that name the manifest and the entry."""

    def __init__(self, manifest: Path, where: str, data: Mapping[str, Any]) -> None:
        self.manifest = manifest
        self.where = where
        self.data = data

    def error(self, problem: str) -> InvalidSetting:
        return _bad(self.manifest, self.where, problem)

    def has(self, key: str) -> bool:
        return key in self.data

    def text(self, key: str, default: str | None = None, *, choices: tuple[str, ...] = ()) -> str:
        value = self.data.get(key, default)
        if not isinstance(value, str):
            raise self.error(f"'{key}' must be text" if key in self.data else f"'{key}' is missing")
        value = value.strip()
        if choices and value not in choices:
            raise self.error(f"'{key}' must be one of {', '.join(repr(c) for c in choices)}")
        return value

    def whole(self, key: str, default: int | None = None, *, minimum: int = 0) -> int | None:
        value = self.data.get(key, default)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise self.error(f"'{key}' must be a whole number of at least {minimum}")
        return value

    def number(self, key: str, default: float) -> float:
        value = self.data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.error(f"'{key}' must be a number")
        return float(value)

    def numbers(self, key: str, count: int, default: tuple[float, ...]) -> tuple[float, ...]:
        value = self.data.get(key, default)
        if (
            not isinstance(value, list | tuple)
            or len(value) != count
            or any(isinstance(v, bool) or not isinstance(v, int | float) for v in value)
        ):
            raise self.error(f"'{key}' must be a list of {count} numbers")
        return tuple(float(v) for v in value)

    def texts(self, key: str) -> tuple[str, ...]:
        value = self.data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.error(f"'{key}' must be a list of text values")
        return tuple(value)

    def flag(self, key: str, default: bool) -> bool:
        value = self.data.get(key, default)
        if not isinstance(value, bool):
            raise self.error(f"'{key}' must be true or false")
        return value

    def sub(self, key: str) -> _Table:
        value = self.data.get(key, {})
        if not isinstance(value, dict):
            raise self.error(f"'{key}' must be a table ([...{key}])")
        return _Table(self.manifest, f"{self.where}.{key}", value)


def _parse_input(t: _Table) -> InputSpec:
    size: tuple[int, int] | None = None
    if t.has("size"):
        w, h = t.numbers("size", 2, (0.0, 0.0))
        if w != int(w) or h != int(h) or w < 1 or h < 1:
            raise t.error("'size' must be [width, height] in whole pixels")
        size = (int(w), int(h))
    template = t.data.get("align_template", [])
    if not isinstance(template, list) or not all(
        isinstance(p, list) and len(p) == 2 and all(isinstance(v, int | float) for v in p)
        for p in template
    ):
        raise t.error("'align_template' must be a list of [x, y] points")
    mean = t.numbers("mean", 3, (0.0, 0.0, 0.0))
    std = t.numbers("std", 3, (1.0, 1.0, 1.0))
    if any(s == 0 for s in std):
        raise t.error("'std' values must not be zero")
    return InputSpec(
        layout=t.text("layout", choices=LAYOUTS),
        channels=t.text("channels", choices=CHANNEL_ORDERS),
        dtype=t.text("dtype", "float32"),
        tensor=t.text("tensor", ""),
        size=size,
        batch=t.whole("batch", None, minimum=1),
        multiple_of=t.whole("multiple_of", 1, minimum=1) or 1,
        max_side=t.whole("max_side", None, minimum=1),
        resize=t.text("resize", ""),
        pad=t.number("pad", 0.0),
        scale=t.number("scale", 1.0),
        mean=(mean[0], mean[1], mean[2]),
        std=(std[0], std[1], std[2]),
        align_template=tuple((float(p[0]), float(p[1])) for p in template),
        notes=t.text("notes", ""),
    )


def _parse_output(t: _Table) -> OutputSpec:
    threshold: float | None = None
    if t.has("threshold"):
        threshold = t.number("threshold", 0.5)
        if not 0.0 < threshold < 1.0:
            raise t.error("'threshold' must be a probability between 0 and 1 (e.g. 0.5)")
    return OutputSpec(
        names=t.texts("names"),
        score=t.text("score", "", choices=SCORE_MEANINGS),
        score_index=t.whole("score_index", 0) or 0,
        activation=t.text("activation", "none", choices=ACTIVATIONS),
        threshold=threshold,
        notes=t.text("notes", ""),
    )


def _check_classifier(t: _Table, spec: ModelSpec) -> None:
    """An ONNX manipulation classifier's entry must say everything its preprocessing and the
    meaning of its output need; each gap is named by its key."""
    inp, out = t.sub("input"), t.sub("output")
    if spec.input.size is None:
        raise inp.error("'size' is missing: a classifier needs size = [width, height]")
    if spec.output.score not in ("p-fake", "p-real"):
        raise out.error(
            "'score' is missing: say what the output means, \"p-fake\" (probability that the "
            'input is manipulated) or "p-real" (probability that it is real)'
        )
    if spec.input.dtype != "float32":
        raise inp.error("'dtype' must be \"float32\" for a classifier")
    resize = spec.input.resize or "stretch"
    if resize not in CLASSIFIER_RESIZES:
        raise inp.error(f"'resize' must be one of {', '.join(repr(r) for r in CLASSIFIER_RESIZES)}")
    if resize == "align-5pt":
        if spec.domain.input == "whole-image":
            raise inp.error("'resize' = \"align-5pt\" aligns faces; a whole-image model cannot")
        if len(spec.input.align_template) != 5:
            raise inp.error("'align_template' needs five [x, y] points for \"align-5pt\"")
    if not 0.0 <= spec.input.pad <= 255.0:
        raise inp.error("'pad' must be a pixel value from 0 to 255")


def _parse_domain(t: _Table) -> Domain:
    media = t.texts("media") if t.has("media") else DOMAIN_MEDIA
    if not media or any(m not in DOMAIN_MEDIA for m in media):
        raise t.error(f"'media' must list one or more of {', '.join(DOMAIN_MEDIA)}")
    return Domain(
        description=" ".join(t.text("description", "").split()),
        media=tuple(dict.fromkeys(media)),
        input=t.text("input", "face-crop", choices=("face-crop", "whole-image")),
    )


def _parse_published(manifest: Path, where: str, data: Any) -> tuple[PublishedFigure, ...]:
    if not isinstance(data, list):
        raise _bad(manifest, where, "'published' must be a list of tables ([[...published]])")
    out = []
    for n, entry in enumerate(data):
        if not isinstance(entry, dict):
            raise _bad(manifest, f"{where}[{n}]", "each published figure must be a table")
        t = _Table(manifest, f"{where}[{n}]", entry)
        out.append(
            PublishedFigure(" ".join(t.text("figure").split()), " ".join(t.text("source").split()))
        )
    return tuple(out)


def _parse_validation(t: _Table) -> Validation:
    status = t.text("status", "unvalidated", choices=VALIDATION_STATUSES)
    auc: float | None = None
    if t.has("auc"):
        auc = t.number("auc", 0.0)
        if not 0.0 <= auc <= 1.0:
            raise t.error("'auc' must be between 0 and 1")
    if status == "validated" and auc is None:
        raise t.error("a 'validated' record needs 'auc' and 'images'")
    return Validation(
        status=status,
        auc=auc,
        images=t.whole("images", 0) or 0,
        domain=" ".join(t.text("domain", "").split()),
        date=t.text("date", ""),
        by=t.text("by", ""),
        notes=" ".join(t.text("notes", "").split()),
    )


def _parse_match(t: _Table) -> MatchSpec:
    metric = t.text("metric", choices=MATCH_METRICS)
    if not t.has("threshold"):
        raise t.error("'threshold' is missing")
    threshold = t.number("threshold", 0.0)
    if metric == "cosine" and not -1.0 <= threshold <= 1.0:
        raise t.error("a cosine 'threshold' must lie between -1 and 1")
    if metric == "euclidean" and threshold <= 0:
        raise t.error("a euclidean 'threshold' must be a distance above 0")
    return MatchSpec(metric=metric, threshold=threshold, notes=t.text("notes", ""))


def _parse_model(manifest: Path, name: str, data: Any) -> ModelSpec:
    if not isinstance(data, dict):
        raise _bad(manifest, f"models.{name}", "each model must be a table")
    t = _Table(manifest, f"models.{name}", data)
    file = t.text("file")
    rel = PurePosixPath(file)
    if not file or rel.is_absolute() or ".." in rel.parts or "\\" in file or ":" in file:
        raise t.error("'file' must be a relative path with '/' separators inside the folder")
    sha = t.text("sha256").lower()
    if len(sha) != 64 or not set(sha) <= _HEX:
        raise t.error("'sha256' must be 64 hexadecimal digits")
    size = t.whole("size", minimum=1)
    assert size is not None
    spec = ModelSpec(
        name=name,
        task=t.text("task", choices=TASKS),
        file=str(rel),
        sha256=sha,
        size=size,
        format=t.text("format", choices=FORMATS),
        source=t.text("source"),
        licence=t.text("licence"),
        caveats=t.text("caveats", ""),
        bundled=t.flag("bundled", False),
        input=_parse_input(t.sub("input")),
        output=_parse_output(t.sub("output")),
        version=t.text("version", ""),
        licence_files=t.texts("licence_files"),
        training_domain=" ".join(t.text("training_domain", "").split()),
        blind_spots=" ".join(t.text("blind_spots", "").split()),
        domain=_parse_domain(t.sub("domain")),
        published=_parse_published(manifest, f"models.{name}.published", data.get("published", [])),
        validation=_parse_validation(t.sub("validation")),
        match=_parse_match(t.sub("match")) if t.has("match") else None,
    )
    if spec.task == "deepfake-classifier" and spec.format == "onnx":
        _check_classifier(t, spec)
    return spec


def _manifest_tables(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise InvalidSetting(
            f"The model manifest {path} does not exist.",
            "Reinstall NCII Desk, or point to an existing manifest file.",
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise _bad(path, "TOML syntax", str(exc)) from None
    models = data.get("models")
    if not isinstance(models, dict) or not models:
        raise _bad(path, "models", "no [models.NAME] tables found")
    return models


def load_manifest(path: Path) -> dict[str, ModelSpec]:
    """Read and check a manifest file; models keep the order they have in the file."""
    return {name: _parse_model(path, name, entry) for name, entry in _manifest_tables(path).items()}


def load_clinic_manifest(
    path: Path, taken: Mapping[str, ModelSpec] | None = None
) -> tuple[dict[str, ModelSpec], dict[str, InvalidSetting]]:
    """A clinic's own manifest, entry by entry: the entries that are valid, and for each one
    that is not, the error naming its bad key. A bad entry never costs the clinic the other
    models (the shipped manifest, in contrast, is refused as a whole). A name the shipped
    manifest (``taken``) already uses is refused: a name always stands for one file."""
    good: dict[str, ModelSpec] = {}
    bad: dict[str, InvalidSetting] = {}
    for name, entry in _manifest_tables(path).items():
        if taken is not None and name in taken:
            bad[name] = _bad(
                path,
                f"models.{name}",
                "this name is already used by a model NCII Desk ships; give your model a name "
                "of its own (for example 'clinic-" + name + "')",
            )
            continue
        try:
            good[name] = _parse_model(path, name, entry)
        except InvalidSetting as exc:
            bad[name] = exc
    return good, bad


# --- where files are searched ---------------------------------------------------------------


def _package_root() -> Path:
    return Path(ncii_desk.__file__).resolve().parent


def packaged_models_dir() -> Path | None:
    """The models/ folder shipped with this copy of NCII Desk, if there is one (see resources)."""
    return find_data_dir("models")


def shared_models_dir() -> Path | None:
    """``../shared/models`` beside a development checkout, if it exists (never when frozen)."""
    if getattr(sys, "frozen", False) or getattr(sys, "_MEIPASS", None):
        return None
    folder = _package_root().parents[1] / "shared" / "models"
    return folder if folder.is_dir() else None


def user_models_dir() -> Path:
    """Where a person puts model files they downloaded themselves."""
    return user_data_dir() / "models"


def clinic_folders() -> list[Path]:
    """The folders whose ``manifest.toml`` is a clinic manifest: NCII_DESK_MODELS, then the
    user models folder."""
    env = os.environ.get(MODELS_ENV, "")
    folders = [Path(p).expanduser() for p in env.split(os.pathsep) if p.strip()]
    folders.append(user_models_dir())
    return list(dict.fromkeys(folders))


def clinic_manifests_seen() -> tuple[tuple[str, int, int], ...]:
    """(path, size, mtime) of each clinic manifest there is now: a registry built earlier is
    out of date when this changes."""
    seen = []
    for folder in clinic_folders():
        path = folder / CLINIC_MANIFEST_NAME
        try:
            st = path.stat()
        except OSError:
            continue
        seen.append((str(path), st.st_size, st.st_mtime_ns))
    return tuple(seen)


def default_manifest_path() -> Path:
    folder = packaged_models_dir()
    if folder is not None and (folder / MANIFEST_NAME).is_file():
        return folder / MANIFEST_NAME
    raise InvalidSetting(
        "The model manifest (models/manifest.toml) is missing from this installation.",
        "Reinstall NCII Desk; the manifest comes with the application.",
    )


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass(frozen=True)
class ModelStatus:
    """One line of :meth:`ModelRegistry.verify_all`."""

    name: str
    file: str
    sha256: str
    bundled: bool
    path: Path | None  # the file found (also when it is corrupt); None when missing
    ok: bool
    reason: str  # "" when ok
    error: str = ""  # "ModelMissing" / "ModelCorrupt" when not ok

    @property
    def state(self) -> str:
        """ "ok", "not-installed" (no file anywhere), "corrupt" (a file with other bytes) or
        "invalid" (a clinic manifest entry that cannot be used as written)."""
        if self.ok:
            return "ok"
        if self.error == "InvalidSetting":
            return "invalid"
        return "corrupt" if self.error == "ModelCorrupt" else "not-installed"

    def as_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "file": self.file,
            "sha256": self.sha256,
            "bundled": self.bundled,
            "path": str(self.path) if self.path is not None else None,
            "ok": self.ok,
            "reason": self.reason,
            "error": self.error,
            "state": self.state,
        }


class ModelRegistry:
    """Model names → verified files, from one manifest. Safe to share between threads."""

    def __init__(self, manifest: Path | None = None, *, clinic: bool | None = None) -> None:
        """``manifest``: the shipped manifest (default: the installation's). ``clinic``: also
        read the clinic manifests (``manifest.toml`` in each folder of NCII_DESK_MODELS and
        in the user models folder); default: only with the installation's manifest."""
        self.manifest_path = manifest if manifest is not None else default_manifest_path()
        self._specs = load_manifest(self.manifest_path)
        self._shipped = frozenset(self._specs)
        #: entries of clinic manifests that are not valid: name -> the error naming the key
        self.rejected: dict[str, InvalidSetting] = {}
        #: clinic manifests that could not be read at all (TOML syntax, no [models] table)
        self.problems: list[InvalidSetting] = []
        #: the clinic manifests read, in order
        self.clinic_manifests: list[Path] = []
        if clinic if clinic is not None else manifest is None:
            self._read_clinic_manifests()
        self._lock = threading.Lock()
        # (resolved path, size, mtime_ns) -> sha256 of the bytes seen then
        self._digests: dict[tuple[str, int, int], str] = {}

    # -- the manifest --

    @property
    def specs(self) -> Mapping[str, ModelSpec]:
        return dict(self._specs)

    def names(self) -> list[str]:
        return list(self._specs)

    def __contains__(self, name: object) -> bool:
        return name in self._specs

    def __iter__(self) -> Iterator[ModelSpec]:
        return iter(self._specs.values())

    def _read_clinic_manifests(self) -> None:
        shipped = self.manifest_path.resolve()
        for folder in self._clinic_folders():
            path = folder / CLINIC_MANIFEST_NAME
            if not path.is_file() or path.resolve() == shipped:
                continue
            self.clinic_manifests.append(path)
            try:
                good, bad = load_clinic_manifest(path, self._specs)
            except InvalidSetting as exc:
                self.problems.append(exc)
                continue
            for name, spec in good.items():
                if name in self._specs or name in self.rejected:
                    continue  # an earlier folder listed it first, as with files
                self._specs[name] = spec
            for name, error in bad.items():
                self.rejected.setdefault(name, error)

    def _clinic_folders(self) -> list[Path]:
        return clinic_folders()

    def is_clinic(self, name: str) -> bool:
        """Whether ``name`` comes from a clinic manifest rather than the shipped one."""
        return name in self._specs and name not in self._shipped

    def spec(self, name: str) -> ModelSpec:
        if name in self.rejected and name not in self._specs:
            raise self.rejected[name]
        try:
            return self._specs[name]
        except KeyError:
            raise ModelMissing(
                f"No model called '{name}' is listed in the model manifest.",
                f"Known models: {', '.join(self._specs)}.",
                name=name,
            ) from None

    # -- files --

    def search_path(self) -> list[Path]:
        """The folders searched, in order (read fresh each call: the environment may change).

        NCII_DESK_MODELS and the user folder are listed even when they do not exist (the user
        folder is where missing files should go); the packaged and shared folders only when
        they exist.
        """
        folders: list[Path] = []
        env = os.environ.get(MODELS_ENV, "")
        folders += [Path(p).expanduser() for p in env.split(os.pathsep) if p.strip()]
        folders.append(user_models_dir())
        for extra in (packaged_models_dir(), shared_models_dir()):
            if extra is not None:
                folders.append(extra)
        seen: set[Path] = set()
        unique: list[Path] = []
        for folder in folders:
            key = folder.resolve()
            if key not in seen:
                seen.add(key)
                unique.append(folder)
        return unique

    @staticmethod
    def _candidates(folder: Path, spec: ModelSpec) -> Iterator[Path]:
        yield folder / spec.file
        yield folder / spec.filename
        try:
            subfolders = sorted(p for p in folder.iterdir() if p.is_dir())
        except OSError:
            return
        for sub in subfolders:
            yield sub / spec.filename

    def find(self, name: str) -> Path | None:
        """The first file for ``name`` along the search path, without checking its bytes."""
        spec = self.spec(name)
        for folder in self.search_path():
            if not folder.is_dir():
                continue
            for candidate in self._candidates(folder, spec):
                if candidate.is_file():
                    return candidate
        return None

    def _digest(self, path: Path, use_cache: bool) -> str:
        st = path.stat()
        key = (str(path.resolve()), st.st_size, st.st_mtime_ns)
        if use_cache:
            with self._lock:
                cached = self._digests.get(key)
            if cached is not None:
                return cached
        digest = sha256_file(path)
        with self._lock:
            self._digests[key] = digest
        return digest

    def _missing(self, spec: ModelSpec) -> ModelMissing:
        searched = tuple(str(p) for p in self.search_path())
        return ModelMissing(
            f"The model '{spec.name}' is not installed: its file '{spec.filename}' (sha256 "
            f"{spec.sha256}) was not found. Looked in: {'; '.join(searched)}.",
            f"Get the file from {spec.source} and copy it into {user_models_dir()} (or into a "
            f"folder named in {MODELS_ENV}), then run 'ncii-desk models verify'.",
            name=spec.name,
            file=spec.file,
            sha256=spec.sha256,
            searched=searched,
        )

    def _corrupt(self, spec: ModelSpec, path: Path, actual: str) -> ModelCorrupt:
        return ModelCorrupt(
            f"The model file '{spec.filename}' for '{spec.name}' at {path} is not the "
            f"expected file: its sha256 is {actual}, the manifest expects {spec.sha256}.",
            f"The file is damaged or a different version. NCII Desk uses only the exact file "
            f"the manifest names, so results can be reproduced. Delete it or replace it with "
            f"a fresh copy from {spec.source}.",
            name=spec.name,
            file=str(path),
            expected=spec.sha256,
            actual=actual,
        )

    def locate(self, name: str, *, use_cache: bool = True) -> Path:
        """The verified file for ``name``.

        Raises ModelMissing when no folder has it, ModelCorrupt when the first file found has
        other bytes (a later, intact copy is deliberately not used instead). Verification is
        remembered per (path, size, mtime), so a changed file is checked again.
        """
        spec = self.spec(name)
        path = self.find(name)
        if path is None:
            raise self._missing(spec)
        actual = self._digest(path, use_cache)
        if actual != spec.sha256:
            raise self._corrupt(spec, path, actual)
        return path

    def read_verified(self, name: str) -> tuple[Path, bytes]:
        """The file's bytes, hashed as read: what is checked is exactly what gets used."""
        spec = self.spec(name)
        path = self.find(name)
        if path is None:
            raise self._missing(spec)
        data = path.read_bytes()
        actual = hashlib.sha256(data).hexdigest()
        if actual != spec.sha256:
            raise self._corrupt(spec, path, actual)
        return path, data

    def verify_all(self, *, use_cache: bool = False) -> list[ModelStatus]:
        """Check every model of the manifest; never raises for a missing or damaged file."""
        report: list[ModelStatus] = []
        for spec in self._specs.values():
            common = {"name": spec.name, "file": spec.file, "sha256": spec.sha256}
            try:
                path = self.locate(spec.name, use_cache=use_cache)
            except ModelMissing as exc:
                report.append(
                    ModelStatus(
                        **common,
                        bundled=spec.bundled,
                        path=None,
                        ok=False,
                        reason=exc.message,
                        error="ModelMissing",
                    )
                )
            except ModelCorrupt as exc:
                report.append(
                    ModelStatus(
                        **common,
                        bundled=spec.bundled,
                        path=Path(exc.file),
                        ok=False,
                        reason=exc.message,
                        error="ModelCorrupt",
                    )
                )
            else:
                report.append(
                    ModelStatus(**common, bundled=spec.bundled, path=path, ok=True, reason="")
                )
        for name, error in self.rejected.items():
            report.append(_invalid_status(name, error))
        for error in self.problems:
            report.append(_invalid_status("(clinic manifest)", error))
        return report


def _invalid_status(name: str, exc: InvalidSetting) -> ModelStatus:
    return ModelStatus(
        name=name,
        file="",
        sha256="",
        bundled=False,
        path=None,
        ok=False,
        reason=f"{exc.message} {exc.hint}",
        error="InvalidSetting",
    )
