"""Analysing a case's suspect items: faces, manipulation, source photos, generator metadata.

:func:`analyze_case` runs as a Job over every suspect item of a case. For each item it runs
these steps and stores one Analysis row per step:

``faces``       every face (a video: one frame per second), compared with the case's
                reference gallery (the embedder's similarity and manifest threshold, the
                face box);
``deepfake``    one row per manipulation classifier: face crops, or the whole picture (each
                sampled frame) for a whole-image classifier (manifest ``domain.input``);
``derivation``  which of the victim's originals the image was made from, and what differs;
``metadata``    generator traces in the file (text chunks, EXIF, XMP, Content Credentials);
``summary``     the item's findings side by side, in plain language.

Every row records what produced it (producer, version, model sha256, the provider the model
ran on, thresholds, time taken), and its result holds ``signals``: the findings with their
strength and caveat. Face matches and source photos found also become Match rows, reviewed
like hash matches (``ncii-desk matches``).

Resumable: a step whose stored row has the same producer, version, model sha256 and inputs
(the gallery, the originals compared, the frame rate) is not run again unless ``again``.
Cancelling stops between items (and between video frames); every stored item is whole.
Items kept as hashes only (suspected minor) have no pixels: they are skipped, with the reason
stored. A file that cannot be decoded is reported for that item; the batch goes on.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Final

import numpy as np
from sqlalchemy import select

from ncii_desk import __version__
from ncii_desk.errors import Cancelled, InvalidSetting, NciiDeskError, NotFound
from ncii_desk.services.cases import find_case
from ncii_desk.services.faces_gallery import (
    FACES_KIND,
    FACES_PRODUCER,
    FaceModels,
    Gallery,
    face_models,
    list_reference_faces,
    load_gallery,
)
from ncii_desk.services.jobs import Job
from ncii_desk.services.settings import uses_vault_embedder
from ncii_desk.vault import Vault
from ncii_desk.vault.models import Analysis, BankEntry, Blob, EvidenceItem, Match, Role
from ncii_desk.vision.registry import ModelCorrupt, ModelMissing
from ncii_desk.vision.signals import Signal, Strength
from ncii_desk.vision.summary import manipulation_limits

if TYPE_CHECKING:
    from ncii_desk.vision.classifier import FaceClassifier
    from ncii_desk.vision.video import FaceResult, FrameResult, MediaAggregate

DEEPFAKE_KIND: Final = "deepfake"
DERIVATION_KIND: Final = "derivation"
METADATA_KIND: Final = "metadata"
SUMMARY_KIND: Final = "summary"
STEP_KINDS: Final = (FACES_KIND, DEEPFAKE_KIND, DERIVATION_KIND, METADATA_KIND, SUMMARY_KIND)

DEEPFAKE_PRODUCER: Final = "ncii_desk.vision.classifier/"  # + the classifier's model name
DERIVATION_PRODUCER: Final = "ncii_desk.vision.derivation"
METADATA_PRODUCER: Final = "ncii_desk.vision.metadata"
SUMMARY_PRODUCER: Final = "ncii_desk.vision.summary"
SKIP_PRODUCER: Final = "ncii_desk.services.analysis"

FACE_MATCH_KIND: Final = "face"
DERIVATION_MATCH_KIND: Final = "derivation"
#: A match this far above the threshold is reported as "moderate"; just above it, "weak".
#: The same-person pairs of the test photos scored 0.56-0.82 with MobileFaceNet, 0.46-0.62
#: with dlib (1 - distance; threshold 0.40 for both), so dlib calls more true matches "weak".
CLEAR_MARGIN: Final = 0.15

FACE_MATCH_CAVEAT: Final = (
    "A face match is a lead for a person to check, not an identification: the threshold was "
    "set on a handful of photos, and look-alikes, age, pose, small faces and filters can "
    "mislead it. In a face-swap fake the victim's face is exactly what was pasted in, so a "
    "match does not show that the picture is genuine."
)
NO_FACE_MATCH_CAVEAT: Final = (
    "Not finding a match does not rule the victim out: turned, small, blurred or heavily "
    "edited faces score lower."
)
NO_GALLERY_CAVEAT: Final = (
    "Pick the victim's face in a reference photo ('ncii-desk faces list CASE', then "
    "'ncii-desk faces pick ITEM FACE'); the next analysis compares the faces."
)
NO_SOURCE_CAVEAT: Final = (
    "Only the originals stored in this case are compared, and only an original whose detail "
    "survived in the image can be found: a heavily edited, very small or fully generated "
    "image may come from a photo without this check finding it."
)


# --- reports ----------------------------------------------------------------------------------


@dataclass
class ItemReport:
    """What happened to one suspect item in this run."""

    item_id: str
    file_name: str
    media: str  # "image", "video" or "" (not analysable)
    status: str  # "analysed", "up-to-date", "skipped", "failed"
    steps_run: list[str] = field(default_factory=list)
    errors: list[dict[str, str]] = field(default_factory=list)
    reason: str = ""
    summary: dict[str, Any] | None = None
    new_matches: int = 0
    faces: dict[str, Any] | None = None  # the face aggregate (frames, best similarity, ...)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class AnalysisReport:
    case_id: str
    provider: str
    runtime: dict[str, Any]
    gallery: dict[str, Any]
    classifiers: list[dict[str, Any]]
    originals: dict[str, Any]
    #: models that could not be loaded (their steps did not run), as error dicts
    problems: list[dict[str, str]] = field(default_factory=list)
    items: list[ItemReport] = field(default_factory=list)
    cancelled: bool = False

    def counts(self) -> dict[str, int]:
        out = {"analysed": 0, "up-to-date": 0, "skipped": 0, "failed": 0, "with_errors": 0}
        for item in self.items:
            out[item.status] += 1
            out["with_errors"] += bool(item.errors)
        return out

    @property
    def new_matches(self) -> int:
        return sum(i.new_matches for i in self.items)

    def as_dict(self) -> dict[str, Any]:
        return {
            "case_id": self.case_id,
            "provider": self.provider,
            "runtime": self.runtime,
            "gallery": self.gallery,
            "classifiers": self.classifiers,
            "originals": self.originals,
            "problems": self.problems,
            "counts": self.counts(),
            "manipulation_limits": manipulation_limits(
                c["name"]
                for c in self.classifiers
                if c.get("validation", {}).get("meets_minimum") is True
            ),
            "new_matches": self.new_matches,
            "cancelled": self.cancelled,
            "items": [i.as_dict() for i in self.items],
        }


# --- signals of the face steps ----------------------------------------------------------------


def _face_signal(agg: MediaAggregate, media: str, gallery: Gallery) -> Signal:
    from ncii_desk.vision.video import clock

    where = "image" if media == "image" else f"{agg.frames} sampled frames"
    value: dict[str, Any] = {
        "faces": agg.faces,
        "frames": agg.frames,
        "frames_matching": agg.frames_matching,
        "share_matching": round(agg.share_matching, 4),
        "best_similarity": None if agg.best_similarity is None else round(agg.best_similarity, 4),
        "best_t_ms": agg.best_t_ms,
        "threshold": agg.threshold,
    }
    if agg.faces == 0:
        finding = f"No face was found in the {where}."
        return Signal("face_match", finding, Strength.NONE, NO_FACE_MATCH_CAVEAT, value)
    if not len(gallery):
        finding = (
            f"{agg.faces} face(s) found, but no reference face of the victim has been picked "
            "for this case, so they were not compared."
        )
        return Signal("face_match", finding, Strength.NONE, NO_GALLERY_CAVEAT, value)
    assert agg.best_similarity is not None
    best, threshold = agg.best_similarity, agg.threshold
    if agg.frames_matching == 0:
        finding = (
            f"{agg.faces} face(s) found in the {where}; none resembles the victim's reference "
            f"photos closely enough (best similarity {best:.2f}; a match starts at "
            f"{threshold:.2f})."
        )
        return Signal("face_match", finding, Strength.NONE, NO_FACE_MATCH_CAVEAT, value)
    if agg.best_reference is not None:
        value["reference_item_id"] = gallery.references[agg.best_reference].item_id
    if media == "image":
        finding = (
            f"A face in this image resembles the victim's reference photo: similarity "
            f"{best:.2f} (a match starts at {threshold:.2f})."
        )
    else:
        finding = (
            f"A face resembling the victim's reference photo appears in {agg.frames_matching} "
            f"of {agg.frames} sampled frames ({agg.share_matching:.0%}); best similarity "
            f"{best:.2f} at {clock(agg.best_t_ms)} (a match starts at {threshold:.2f})."
        )
    strength = Strength.MODERATE if best >= threshold + CLEAR_MARGIN else Strength.WEAK
    return Signal("face_match", finding, strength, FACE_MATCH_CAVEAT, value)


def _deepfake_signal(clf: FaceClassifier, agg: MediaAggregate, media: str) -> Signal:
    from ncii_desk.vision.classifier import SMALL_FACE_PIXELS
    from ncii_desk.vision.video import clock

    label = f"manipulation classifier '{clf.name}'"
    validated = clf.validation.meets_minimum
    cut = clf.threshold
    caveat = (
        f"It learned from: {clf.training_domain} {clf.blind_spots} {clf.meaning()} A low score "
        f"never shows that a picture is authentic. This model is {clf.validation.words()}."
    )
    base: dict[str, Any] = {
        "model": clf.name,
        "applicable": True,
        "validated": validated,
        "whole_image": clf.whole_image,
    }
    summary = agg.deepfake.get(clf.name)
    if clf.whole_image:
        return _whole_image_signal(clf, summary, agg, media, caveat, base)
    if summary is None or summary.faces_scored == 0:
        finding = f"The {label} had no face to score; it looks at faces only."
        return Signal("deepfake_score", finding, Strength.NONE, caveat, base | {"faces_scored": 0})
    value = summary.as_dict() | {"threshold": cut} | base
    if summary.smallest_crop < SMALL_FACE_PIXELS:
        caveat += (
            f" A face here is only {summary.smallest_crop} pixels across, which makes the "
            "score even less dependable."
        )
    if summary.max < cut:
        finding = (
            f"The {label} does not rate any face as looking manipulated (highest "
            f"{summary.max:.2f}; {cut:.2f} or more would)."
        )
        return Signal("deepfake_score", finding, Strength.NONE, caveat, value)
    if media == "image":
        finding = (
            f"The {label} rates face {summary.max_face} as looking manipulated: "
            f"{summary.max:.2f} ({cut:.2f} or more means it looks manipulated to "
            "this model)."
        )
    else:
        finding = (
            f"The {label} rates faces in {summary.frames_flagged} of {agg.frames} sampled "
            f"frames as looking manipulated: highest {summary.max:.2f} at "
            f"{clock(summary.max_t_ms)}, median {summary.median:.2f} "
            f"({cut:.2f} or more means it looks manipulated to this model)."
        )
    strength = Strength.MODERATE if validated else Strength.WEAK
    return Signal("deepfake_score", finding, strength, caveat, value)


def _whole_image_signal(
    clf: FaceClassifier,
    summary: Any,
    agg: MediaAggregate,
    media: str,
    caveat: str,
    base: dict[str, Any],
) -> Signal:
    """A whole-image classifier's score, said with what the number means."""
    from ncii_desk.vision.video import clock

    label = f"manipulation classifier '{clf.name}'"
    cut = clf.threshold
    if summary is None or summary.faces_scored == 0:
        finding = f"The {label} had no picture to score."
        return Signal(
            "deepfake_score", finding, Strength.NONE, caveat, base | {"pictures_scored": 0}
        )
    value = summary.as_dict() | {"threshold": cut, "pictures_scored": summary.faces_scored} | base
    if clf.input_size is not None:
        width, height = clf.input_size
        if summary.smallest_crop < min(width, height):
            caveat += (
                f" The picture is smaller ({summary.smallest_crop} pixels on its shorter side) "
                f"than the {width}x{height} the model takes, so it was enlarged, which makes "
                "the score less dependable."
            )
    scale = (
        "on its scale from 0 (looks like the real pictures it learned from) to 1 (looks like "
        "the manipulated or generated ones)"
    )
    if media == "image":
        verdict = (
            f"at or above its threshold of {cut:.2f}, so to this model the picture looks "
            "manipulated or generated"
            if summary.max >= cut
            else f"below its threshold of {cut:.2f}, so this model does not call the picture "
            "manipulated"
        )
        finding = (
            f"The {label} looked at the whole picture and gives it {summary.max:.2f} {scale}: "
            f"{verdict}."
        )
    else:
        finding = (
            f"The {label} looked at {summary.faces_scored} whole sampled frames: "
            f"{summary.frames_flagged} at or above its threshold of {cut:.2f} {scale}; "
            f"highest {summary.max:.2f} at {clock(summary.max_t_ms)}, median "
            f"{summary.median:.2f}."
        )
    if summary.max < cut:
        return Signal("deepfake_score", finding, Strength.NONE, caveat, value)
    strength = Strength.MODERATE if clf.validation.meets_minimum else Strength.WEAK
    return Signal("deepfake_score", finding, strength, caveat, value)


def _not_applicable_signal(clf: FaceClassifier, media: str) -> Signal:
    """An input outside the classifier's domain: it was not run, and no number exists."""
    what = "a still image" if media == "image" else "a video"
    caveat = (
        f"The model's domain ({', '.join(clf.domain.media)} input) does not include {what}. "
        "Whether this picture was made or changed by AI is better shown by a comparison with "
        "the client's original photos, generator information in the file, or Content "
        "Credentials (C2PA)."
    )
    return Signal(
        "deepfake_score",
        f"Manipulation classifier '{clf.name}': {clf.not_applicable()}",
        Strength.NONE,
        caveat,
        {
            "model": clf.name,
            "applicable": False,
            "validated": clf.validation.meets_minimum,
            "whole_image": clf.whole_image,
        },
    )


# --- one run ----------------------------------------------------------------------------------


def _inputs_hash(parts: Sequence[str]) -> str:
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32] if parts else "none"


@dataclass
class _Step:
    """One step's Analysis row, built before the item's transaction."""

    kind: str
    producer: str
    version: str
    model_sha256: str | None
    provider: str | None
    thresholds: dict[str, Any]
    result: dict[str, Any]
    seconds: float

    def row(self, item_id: str) -> Analysis:
        return Analysis(
            item_id=item_id,
            kind=self.kind,
            producer=self.producer,
            producer_version=self.version,
            model_sha256=self.model_sha256,
            provider=self.provider,
            thresholds=self.thresholds,
            duration_ms=round(self.seconds * 1000, 1),
            result=self.result,
        )


class _Run:
    """Everything one analyze_case call shares between items."""

    def __init__(
        self,
        vault: Vault,
        case_id: str,
        job: Job,
        *,
        again: bool,
        every_s: float,
        threshold: float,
        models: FaceModels | None,
        gallery: Gallery,
        classifiers: Sequence[FaceClassifier],
        reference_sha: dict[str, str],
        original_items: list[EvidenceItem],
    ) -> None:
        self.vault = vault
        self.case_id = case_id
        self.job = job
        self.again = again
        self.every_s = every_s
        self.threshold = threshold
        self.models = models
        self.gallery = gallery
        self.classifiers = list(classifiers)
        self.reference_sha = reference_sha
        self.original_items = original_items
        self._prepared: list[tuple[str, Any]] | None = None
        self.original_errors: list[dict[str, str]] = []
        self.done = 0  # items finished, for progress messages from inside an item
        self.total = 0
        #: findings about this run rather than an item (a model that could not be loaded),
        #: added to every summary written in it
        self.notes: list[Signal] = []

    # -- originals, prepared once per run, only when an item needs them --

    @property
    def originals_key(self) -> str:
        return _inputs_hash(sorted(i.id for i in self.original_items))

    def originals(self) -> list[tuple[str, Any]]:
        from ncii_desk.media.loader import load_image
        from ncii_desk.vision import derivation

        if self._prepared is None:
            self._prepared = []
            for item in self.original_items:
                self.job.raise_if_cancelled()
                try:
                    rgb = load_image(_read(self.vault, item)).pixels
                    self._prepared.append((item.id, derivation.prepare(rgb)))
                except (NciiDeskError, ValueError) as exc:
                    self.original_errors.append(
                        {"item_id": item.id, "error": type(exc).__name__, "message": str(exc)}
                    )
        return self._prepared

    # -- steps --

    def faces_key(self, media: str) -> str:
        parts = [self.gallery.fingerprint, f"threshold={self.threshold}"]
        if media == "video":
            parts.append(f"every_s={self.every_s}")
        return _inputs_hash(parts)

    def clf_key(self, media: str, clf: FaceClassifier | None = None) -> str:
        from ncii_desk.vision.classifier import FAKE_THRESHOLD

        parts = [f"every_s={self.every_s}"] if media == "video" else []
        if clf is not None and clf.threshold != FAKE_THRESHOLD:
            parts.append(f"threshold={clf.threshold}")  # a new threshold rewrites the finding
        if clf is not None and clf.whole_image:
            parts.append("whole-image")
        if clf is not None and not clf.applies_to(media):
            parts = ["not-applicable", media]  # outside the domain: not run, no number
        elif clf is not None and clf.validation.record_sha256:
            # a new clinic validation record changes what the score may count as
            parts.append(f"clinic-validation={clf.validation.record_sha256}")
        return _inputs_hash(parts)

    def current_steps(self, rows: dict[tuple[str, str], Analysis]) -> set[tuple[str, str]]:
        """The (kind, producer) rows an item's summary is made of now: every stored step,
        except classifiers that this run does not use (their rows stay, as history)."""
        keys = {k for k in rows if k[0] != SUMMARY_KIND}
        if self.models is None:  # the classifiers could not be loaded: keep what is stored
            return keys
        chosen = {DEEPFAKE_PRODUCER + c.name for c in self.classifiers}
        keys = {k for k in keys if k[0] != DEEPFAKE_KIND or k[1] in chosen}
        return keys | {(DEEPFAKE_KIND, p) for p in chosen}


def item_label(item: EvidenceItem) -> str:
    """How a finding names an item: its label or file name, and the start of its id."""
    name = " ".join((item.label or item.original_filename).split())
    return f"'{name}' (item {item.id[:12]})" if name else f"item {item.id[:12]}"


def _read(vault: Vault, item: EvidenceItem) -> bytes:
    with vault.session() as s:
        blob = s.get(Blob, item.blob_id) if item.blob_id else None
        if blob is None:
            raise NotFound(f"The stored file of item {item.id[:12]} is missing.")
        return vault.read_blob(blob)


def _newest_rows(vault: Vault, item_id: str) -> dict[tuple[str, str], Analysis]:
    """The newest stored row per (kind, producer) of one item."""
    with vault.session() as s:
        rows = s.scalars(
            select(Analysis)
            .where(Analysis.item_id == item_id, Analysis.kind.in_(STEP_KINDS))
            .order_by(Analysis.created_at)
        )
        return {(r.kind, r.producer): r for r in rows}


def _current(
    rows: dict[tuple[str, str], Analysis],
    kind: str,
    producer: str,
    version: str,
    sha: str | None,
    inputs: str,
) -> bool:
    row = rows.get((kind, producer))
    return (
        row is not None
        and row.producer_version == version
        and row.model_sha256 == sha
        and row.result.get("inputs") == inputs
    )


def _error(step: str, exc: BaseException) -> dict[str, str]:
    if isinstance(exc, NciiDeskError):
        return {"step": step, "error": type(exc).__name__, "message": exc.message, "hint": exc.hint}
    return {"step": step, "error": type(exc).__name__, "message": str(exc), "hint": ""}


def _skip_item(run: _Run, item: EvidenceItem, media: str, reason: str) -> ItemReport:
    rows = _newest_rows(run.vault, item.id)
    report = ItemReport(item.id, item.original_filename, media, "skipped", reason=reason)
    if not _current(rows, SUMMARY_KIND, SKIP_PRODUCER, __version__, None, "skipped") or run.again:
        step = _Step(
            SUMMARY_KIND,
            SKIP_PRODUCER,
            __version__,
            None,
            None,
            {},
            {"skipped": True, "reason": reason, "inputs": "skipped", "signals": []},
            0.0,
        )
        with run.vault.transaction() as s:
            s.add(step.row(item.id))
            run.vault.audit(s, "item.analysis_skipped", item.id, {"reason": reason})
    return report


def _frames_of(
    run: _Run,
    media: str,
    data: bytes,
    rgb: Any,
    compare: bool,
    classifiers: Sequence[FaceClassifier],
    position: str,
) -> list[FrameResult]:
    from ncii_desk.vision.video import analyse_frame, analyse_video, clock

    gallery = run.gallery.embeddings if compare else None
    if media == "image":
        return [
            analyse_frame(
                rgb, None, gallery=gallery, classifiers=classifiers, threshold=run.threshold
            )
        ]

    def on_frame(count: int, t_ms: int | None) -> None:
        run.job.progress(run.done, run.total, f"{position}: video frame {count} ({clock(t_ms)})")

    frames = analyse_video(
        data,
        gallery=gallery,
        classifiers=classifiers,
        threshold=run.threshold,
        every_s=run.every_s,
        on_frame=on_frame,
        should_stop=lambda: run.job.cancelled,
    )
    if frames is None:
        raise Cancelled("The analysis was cancelled.")
    return frames


def _face_matches(
    run: _Run, item: EvidenceItem, frames: Sequence[FrameResult], agg: MediaAggregate
) -> list[Match]:
    """One Match per reference photo that a face of the item matched (its best face)."""
    assert run.models is not None  # faces are compared only with the face models loaded
    best: dict[str, tuple[float, int | None, FaceResult, int]] = {}
    for frame in frames:
        for face in frame.faces:
            if not face.match or face.reference is None or face.similarity is None:
                continue
            ref_item = run.gallery.references[face.reference].item_id
            if ref_item not in best or face.similarity > best[ref_item][0]:
                best[ref_item] = (face.similarity, frame.t_ms, face, face.reference)
    out = []
    for ref_item, (sim, t_ms, face, ref) in best.items():
        details: dict[str, Any] = {
            "box": [round(v, 1) for v in face.box],
            "face_index": face.index,
            "frame_ms": t_ms,
            "detection_score": round(face.detection_score, 4),
            "face_reference_id": run.gallery.references[ref].id,
            "model_sha256": run.models.embedder_sha256,
            "suspect_hash": item.sha256,
            "target_hash": run.reference_sha.get(ref_item, ""),
        }
        if t_ms is not None:
            details |= {
                "frames_sampled": agg.frames,
                "frames_matching": agg.frames_matching,
                "share_matching": round(agg.share_matching, 4),
            }
        out.append(
            Match(
                case_id=run.case_id,
                suspect_item_id=item.id,
                target_item_id=ref_item,
                kind=FACE_MATCH_KIND,
                score=round(sim, 4),
                threshold=run.threshold,
                details=details,
            )
        )
    return out


def _metadata_step(item: EvidenceItem, data: bytes) -> _Step:
    from ncii_desk.vision import metadata

    started = time.perf_counter()
    meta = metadata.read_generator_metadata(data, item.original_filename)
    result = meta.as_dict() | {
        "inputs": "file",
        "signals": [sig.as_dict() for sig in meta.signals()],
    }
    return _Step(
        METADATA_KIND,
        METADATA_PRODUCER,
        __version__,
        None,
        None,
        {},
        result,
        time.perf_counter() - started,
    )


def _faces_step(
    run: _Run, media: str, frames: Sequence[FrameResult], agg: MediaAggregate, key: str
) -> _Step:
    from ncii_desk.vision.video import DETECTOR_SCORE

    assert run.models is not None
    signal = _face_signal(agg, media, run.gallery)
    thresholds: dict[str, Any] = {"face_match": run.threshold, "detector_score": DETECTOR_SCORE}
    if media == "video":
        thresholds["every_s"] = run.every_s
    references = [
        {"id": r.id, "item_id": r.item_id, "face_index": r.face_index}
        for r in run.gallery.references
    ]
    return _Step(
        FACES_KIND,
        FACES_PRODUCER,
        run.models.version,
        run.models.embedder_sha256,
        run.models.provider,
        thresholds,
        {
            "media": media,
            "inputs": key,
            "gallery": {"fingerprint": run.gallery.fingerprint, "references": references},
            "models": run.models.as_dict(),
            "aggregate": agg.as_dict(),
            "frames": [f.as_dict() for f in frames],
            "signals": [signal.as_dict()],
        },
        sum(f.seconds.get("faces", 0.0) for f in frames),
    )


def _deepfake_step(
    clf: FaceClassifier, media: str, frames: Sequence[FrameResult], agg: MediaAggregate, key: str
) -> _Step:
    from ncii_desk.vision.classifier import SMALL_FACE_PIXELS

    signal = _deepfake_signal(clf, agg, media)
    per_face = [
        {
            "t_ms": f.t_ms,
            "face": face.index,
            "box": [round(v, 1) for v in face.box],
            "crop_side": face.crop_side,
            "score": round(face.fake[clf.name], 4),
        }
        for f in frames
        for face in f.faces
        if clf.name in face.fake
    ]
    per_picture = [
        {"t_ms": f.t_ms, "size": [f.width, f.height], "score": round(f.whole[clf.name], 4)}
        for f in frames
        if clf.name in f.whole
    ]
    what = "the whole picture" if clf.whole_image else "the face"
    return _Step(
        DEEPFAKE_KIND,
        DEEPFAKE_PRODUCER + clf.name,
        clf.version,
        clf.model_sha256,
        clf.provider,
        {"fake": clf.threshold, "small_face_px": SMALL_FACE_PIXELS},
        {
            "media": media,
            "inputs": key,
            "classifier": clf.describe(),
            "applicable": True,
            "input": "whole-image" if clf.whole_image else "face-crop",
            "score_meaning": f"probability that {what} is manipulated, as this model sees it",
            "aggregate": signal.value,
            "faces": per_face,
            "pictures": per_picture,
            "signals": [signal.as_dict()],
        },
        sum(f.seconds.get(clf.name, 0.0) for f in frames),
    )


def _not_applicable_step(clf: FaceClassifier, media: str, key: str) -> _Step:
    from ncii_desk.vision.classifier import SMALL_FACE_PIXELS

    signal = _not_applicable_signal(clf, media)
    return _Step(
        DEEPFAKE_KIND,
        DEEPFAKE_PRODUCER + clf.name,
        clf.version,
        clf.model_sha256,
        None,  # nothing ran
        {"fake": clf.threshold, "small_face_px": SMALL_FACE_PIXELS},
        {
            "media": media,
            "inputs": key,
            "applicable": False,
            "classifier": clf.describe(),
            "faces": [],
            "signals": [signal.as_dict()],
        },
        0.0,
    )


def _derivation_step(run: _Run, item: EvidenceItem, rgb: Any) -> tuple[_Step, Match | None]:
    from ncii_desk.vision import derivation

    originals = run.originals()
    started = time.perf_counter()
    found = derivation.find_source(rgb, originals, job=run.job)
    match: Match | None = None
    if found is None:
        signal = Signal(
            "derivation",
            f"None of the case's {len(originals)} original photo(s) was found to be the source "
            "of this image.",
            Strength.NONE,
            NO_SOURCE_CAVEAT,
            {"originals_compared": len(originals)},
        )
        result: dict[str, Any] = {"found": False}
        thresholds: dict[str, Any] = {"min_inliers": derivation.MIN_INLIERS}
    else:
        source = next((o for o in run.original_items if o.id == found.original_id), None)
        signal = found.signal(label=item_label(source) if source is not None else None)
        result = {"found": True} | found.as_dict()
        thresholds = dict(result.get("thresholds", {}))
        target_sha = source.sha256 if source is not None else ""
        match = Match(
            case_id=run.case_id,
            suspect_item_id=item.id,
            target_item_id=found.original_id,
            kind=DERIVATION_MATCH_KIND,
            score=float(found.inliers),
            threshold=float(derivation.MIN_INLIERS),
            details={
                "matched_share": round(found.matched_share, 4),
                "altered_share": round(found.altered_share, 4),
                "overlap_share": round(found.overlap_share, 4),
                "altered_boxes": [list(b) for b in found.altered_boxes],
                "mirrored": found.mirrored,
                "suspect_hash": item.sha256,
                "target_hash": target_sha,
            },
        )
    result |= {
        "inputs": run.originals_key,
        "originals_compared": [o for o, _ in originals],
        "signals": [signal.as_dict()],
    }
    step = _Step(
        DERIVATION_KIND,
        DERIVATION_PRODUCER,
        __version__,
        None,
        None,
        thresholds,
        result,
        time.perf_counter() - started,
    )
    return step, match


def _summary_step(
    rows: dict[tuple[str, str], Analysis],
    steps: Sequence[_Step],
    notes: Sequence[Signal] = (),
    current: set[tuple[str, str]] | None = None,
) -> _Step:
    """The item's findings: the newest row of every current step, with this run's rows in
    place. ``current`` (see :meth:`_Run.current_steps`) leaves out classifiers no longer
    chosen: their rows stay stored, but the summary (and so the packet) no longer cites them.
    """
    from ncii_desk.vision.summary import summarise

    latest: dict[tuple[str, str], dict[str, Any]] = {
        key: row.result
        for key, row in rows.items()
        if key[0] != SUMMARY_KIND and (current is None or key in current)
    }
    for step in steps:
        latest[(step.kind, step.producer)] = step.result
    signals = [
        Signal.from_dict(sig)
        for key in sorted(latest, key=lambda k: (STEP_KINDS.index(k[0]), k[1]))
        for sig in latest[key].get("signals", [])
    ]
    summary = summarise([*signals, *notes])
    return _Step(
        SUMMARY_KIND,
        SUMMARY_PRODUCER,
        __version__,
        None,
        None,
        {},
        {
            "inputs": _summary_inputs(latest),
            "steps": sorted(f"{k[0]}/{k[1]}" for k in latest),
            "summary": summary.as_dict(),
            "signals": [s.as_dict() for s in summary.findings],
        },
        0.0,
    )


def _summary_inputs(keys: Any) -> str:
    return _inputs_hash(sorted(f"{k[0]}/{k[1]}" for k in keys))


def _analyse_item(run: _Run, item: EvidenceItem, position: str) -> ItemReport:
    from ncii_desk.media.loader import load_image, media_kind
    from ncii_desk.vision.video import aggregate

    media = media_kind(item.mime) or ""
    if not item.pixels_kept or item.blob_id is None:
        return _skip_item(
            run,
            item,
            media,
            "Only the hashes of this file were kept (it may show a person under 18), so there "
            "are no pixels to analyse.",
        )
    if not media:
        return _skip_item(run, item, media, f"This file is not an image or a video ({item.mime}).")

    rows = _newest_rows(run.vault, item.id)
    faces_key = run.faces_key(media)

    def stale(kind: str, producer: str, version: str, sha: str | None, inputs: str) -> bool:
        return run.again or not _current(rows, kind, producer, version, sha, inputs)

    models = run.models
    need_faces = models is not None and stale(
        FACES_KIND, FACES_PRODUCER, models.version, models.embedder_sha256, faces_key
    )
    need_clfs = [
        c
        for c in run.classifiers
        if stale(
            DEEPFAKE_KIND,
            DEEPFAKE_PRODUCER + c.name,
            c.version,
            c.model_sha256,
            run.clf_key(media, c),
        )
    ]
    # outside a classifier's domain (MesoNet on a still photo) it is not run at all
    out_of_domain = [c for c in need_clfs if not c.applies_to(media)]
    need_clfs = [c for c in need_clfs if c.applies_to(media)]
    current = run.current_steps(rows)
    need_meta = stale(METADATA_KIND, METADATA_PRODUCER, __version__, None, "file")
    need_deriv = (
        media == "image"
        and bool(run.original_items)
        and stale(DERIVATION_KIND, DERIVATION_PRODUCER, __version__, None, run.originals_key)
    )
    report = ItemReport(item.id, item.original_filename, media, "analysed")
    summary_row = rows.get((SUMMARY_KIND, SUMMARY_PRODUCER))
    summary_current = summary_row is not None and summary_row.result.get(
        "inputs"
    ) == _summary_inputs(current)
    if (
        not (need_faces or need_clfs or out_of_domain or need_meta or need_deriv)
        and summary_current
        and summary_row is not None
    ):
        report.status = "up-to-date"
        report.summary = summary_row.result.get("summary")
        face_row = rows.get((FACES_KIND, FACES_PRODUCER))
        report.faces = face_row.result.get("aggregate") if face_row else None
        return report

    data = _read(run.vault, item)
    steps: list[_Step] = []
    matches: list[Match] = []
    if need_meta:
        try:
            steps.append(_metadata_step(item, data))
        except (NciiDeskError, ValueError) as exc:
            report.errors.append(_error(METADATA_KIND, exc))

    rgb = None
    if media == "image" and (need_faces or need_clfs or out_of_domain or need_deriv):
        try:
            rgb = load_image(data).pixels
        except NciiDeskError as exc:
            report.errors.append(_error("decode", exc))
            need_faces, need_clfs, need_deriv, out_of_domain = False, [], False, []
    # a file that decodes, outside a classifier's domain: recorded as not applicable
    steps += [_not_applicable_step(c, media, run.clf_key(media, c)) for c in out_of_domain]

    if need_faces or need_clfs:
        try:
            frames = _frames_of(run, media, data, rgb, need_faces, need_clfs, position)
        except Cancelled:
            raise
        except NciiDeskError as exc:
            report.errors.append(_error("decode", exc))
        else:
            agg = aggregate(frames, run.threshold, {c.name: c.threshold for c in run.classifiers})
            report.faces = agg.as_dict()
            if need_faces:
                steps.append(_faces_step(run, media, frames, agg, faces_key))
                matches += _face_matches(run, item, frames, agg)
            steps += [
                _deepfake_step(c, media, frames, agg, run.clf_key(media, c)) for c in need_clfs
            ]

    if need_deriv and rgb is not None:
        try:
            step, match = _derivation_step(run, item, rgb)
        except ValueError as exc:
            report.errors.append(_error(DERIVATION_KIND, exc))
        else:
            steps.append(step)
            matches += [match] if match is not None else []

    report.steps_run = [s.kind for s in steps]
    if not steps and report.errors:
        report.status = "failed"
        return report
    steps.append(_summary_step(rows, steps, run.notes, current))
    report.summary = steps[-1].result["summary"]
    report.new_matches = _store(run, item, steps, matches, report)
    return report


def _store(
    run: _Run, item: EvidenceItem, steps: list[_Step], matches: list[Match], report: ItemReport
) -> int:
    """One transaction per item: its rows, its new matches and the audit events."""
    vault = run.vault
    with vault.transaction() as s:
        existing = {
            (m.target_item_id, m.kind)
            for m in s.scalars(select(Match).where(Match.suspect_item_id == item.id))
        }
        negative = {
            (b.suspect_value, b.target_value)
            for b in s.scalars(
                select(BankEntry).where(
                    BankEntry.bank == "negative",
                    BankEntry.kind.in_((FACE_MATCH_KIND, DERIVATION_MATCH_KIND)),
                )
            )
        }
        rows = [step.row(item.id) for step in steps]
        for row in rows:
            s.add(row)
        s.flush()
        by_kind = {row.kind: row.id for row in rows}
        new = [
            m
            for m in matches
            if (m.target_item_id, m.kind) not in existing
            and (m.details.get("suspect_hash"), m.details.get("target_hash")) not in negative
        ]
        for m in new:
            m.analysis_id = by_kind.get(FACES_KIND if m.kind == FACE_MATCH_KIND else m.kind)
            s.add(m)
        s.flush()
        for m in new:
            vault.audit(
                s,
                "match.found",
                m.id,
                {
                    "suspect": m.suspect_item_id,
                    "target": m.target_item_id,
                    "kind": m.kind,
                    "score": m.score,
                    "threshold": m.threshold,
                },
            )
        vault.audit(
            s,
            "item.analyzed",
            item.id,
            {
                "steps": [
                    {
                        "kind": r.kind,
                        "producer": r.producer,
                        "model_sha256": r.model_sha256,
                        "provider": r.provider,
                    }
                    for r in rows
                ],
                "errors": [e["step"] for e in report.errors],
                "new_matches": len(new),
            },
        )
    return len(new)


@uses_vault_embedder
def analyze_case(
    vault: Vault,
    case_ref: str,
    job: Job | None = None,
    *,
    again: bool = False,
    every_s: float | None = None,
    classifiers: Sequence[str | FaceClassifier] | None = None,
    threshold: float | None = None,
) -> AnalysisReport:
    """Analyse every suspect item of a case (see the module docstring).

    ``classifiers``: manifest names or loaded classifiers (default: the manifest's default
    set, :func:`ncii_desk.vision.classifier.default_classifier_names`). Missing or altered
    model files stop the run before any item with ModelMissing / ModelCorrupt.
    The face embedder is the vault's setting (services/settings.py ``set_embedder``) unless
    ``--embedder`` (``faces.use_embedder``) or NCII_DESK_FACE_EMBEDDER chose one.
    ``threshold``: the face similarity for a match; None uses the vault's stored threshold
    (services/settings.py; a stored value that is not valid gives the default and a problem
    in the report).
    """
    from ncii_desk.services.settings import thresholds
    from ncii_desk.services.validation import apply_clinic_validation
    from ncii_desk.vision import faces as F
    from ncii_desk.vision.classifier import default_classifier_names, load_classifier
    from ncii_desk.vision.runtime import shared_runtime
    from ncii_desk.vision.video import DEFAULT_EVERY_S

    job = job or Job()
    setting_problems: list[dict[str, str]] = []
    if threshold is None:
        stored = thresholds(vault)
        threshold = stored.face_similarity
        setting_problems = [InvalidSetting(w, "").as_dict() for w in stored.warnings]
    every = DEFAULT_EVERY_S if every_s is None else float(every_s)
    if not every > 0:
        raise NciiDeskError(
            f"The frame interval must be more than 0 seconds, not {every_s}.",
            "Use for example 1 (one frame per second) or 0.5.",
        )
    with vault.session() as s:
        case = find_case(s, case_ref)
        case_id = case.id
        items = list(
            s.scalars(
                select(EvidenceItem)
                .where(EvidenceItem.case_id == case_id)
                .order_by(EvidenceItem.intake_at, EvidenceItem.id)
            )
        )
    suspects = [i for i in items if i.role == Role.SUSPECT]
    originals = [
        i
        for i in items
        if i.role == Role.ORIGINAL
        and i.pixels_kept
        and i.blob_id is not None
        and i.mime.startswith("image/")
    ]
    # An original added again (same bytes) is compared through its first copy only.
    firsts = {i.id for i in originals}
    originals = [i for i in originals if i.duplicate_of not in firsts]
    runtime = shared_runtime()
    problems: list[dict[str, str]] = setting_problems
    notes: list[Signal] = []
    models: FaceModels | None = None
    try:
        models = face_models()
    except (ModelMissing, ModelCorrupt) as exc:
        problems.append(exc.as_dict())
        notes.append(
            Signal(
                "face_match",
                f"Faces were not looked at in this run: the model '{exc.name}' is "
                f"{'not installed' if isinstance(exc, ModelMissing) else 'damaged'}.",
                Strength.NONE,
                "Until the file is in place ('ncii-desk models verify' says where it goes), face "
                "comparison and the face-crop manipulation classifiers do not run; the other "
                "checks (whole-image classifiers included) do.",
                {"model": exc.name, "error": type(exc).__name__},
            )
        )
    loaded: list[FaceClassifier] = []
    registry = runtime.registry

    def usable(name: str) -> bool:
        # without the face models only whole-image classifiers can run (they need no faces)
        if models is not None:
            return True
        return name in registry and registry.spec(name).domain.input == "whole-image"

    for c in classifiers if classifiers is not None else []:
        if isinstance(c, str):
            if usable(c):
                loaded.append(load_classifier(c, runtime))
        elif models is not None or c.whole_image:
            loaded.append(c)
    for name in default_classifier_names(registry) if classifiers is None else []:
        if not usable(name):
            continue
        try:
            loaded.append(load_classifier(name, runtime))
        except NciiDeskError as exc:  # not installed, damaged, or an entry that does not fit
            problems.append(exc.as_dict() | {"model": name})
    for name, bad in registry.rejected.items() if classifiers is None else []:
        problems.append(bad.as_dict() | {"model": name})  # a clinic entry that is not valid
    apply_clinic_validation(vault, loaded)  # the vault's newest record for the weights
    if models is not None:
        list_reference_faces(vault, case_id)  # searches new reference photos; automatic picks
        gallery = load_gallery(vault, case_id)
    else:
        gallery = Gallery((), np.zeros((0, F.EMBEDDING_DIM), np.float32), 0)
    run = _Run(
        vault,
        case_id,
        job,
        again=again,
        every_s=every,
        threshold=float(threshold),
        models=models,
        gallery=gallery,
        classifiers=loaded,
        reference_sha={i.id: i.sha256 for i in items},
        original_items=originals,
    )
    run.notes = notes
    described = runtime.describe()
    report = AnalysisReport(
        case_id=case_id,
        # the provider a session really ran on; "" when no model could be opened
        provider=(models.provider if models else "") or described["provider"],
        runtime={
            k: described[k]
            for k in ("provider", "fallbacks", "onnxruntime", "device", "onnxruntime_build")
        },
        gallery={
            "embedder": models.embedder if models is not None else "",
            "faces": len(gallery),
            "fingerprint": gallery.fingerprint,
            "other_model": gallery.other_model,
        },
        classifiers=[c.describe() for c in loaded],
        originals={"count": len(originals), "errors": run.original_errors},
        problems=problems,
    )
    run.total = len(suspects)
    for n, item in enumerate(suspects):
        run.done = n
        position = f"item {n + 1} of {len(suspects)}"
        job.progress(n, len(suspects), position)
        if job.cancelled:
            report.cancelled = True
            break
        try:
            report.items.append(_analyse_item(run, item, position))
        except Cancelled:
            report.cancelled = True
            break
    else:
        job.progress(len(suspects), len(suspects), "done")
    with vault.transaction() as s:
        vault.audit(
            s,
            "case.analyzed",
            case_id,
            {
                "counts": report.counts(),
                "new_matches": report.new_matches,
                "cancelled": report.cancelled,
                "again": again,
                "provider": report.provider,
                "classifiers": [c.name for c in loaded],
                "gallery_faces": len(gallery),
            },
        )
    return report
