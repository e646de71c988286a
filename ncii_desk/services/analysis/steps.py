"""Running the models on one item: what one run shares between items (the gallery, the
classifiers, the originals prepared once), and one function per step that runs it and
builds its Analysis row (and the Match rows for faces and source photos found).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ncii_desk import __version__
from ncii_desk.errors import Cancelled, NciiDeskError, NotFound
from ncii_desk.services.analysis.findings import (
    NO_SOURCE_CAVEAT,
    _deepfake_signal,
    _face_signal,
    _not_applicable_signal,
    item_label,
)
from ncii_desk.services.analysis.results import (
    DEEPFAKE_KIND,
    DEEPFAKE_PRODUCER,
    DERIVATION_KIND,
    DERIVATION_MATCH_KIND,
    DERIVATION_PRODUCER,
    FACE_MATCH_KIND,
    METADATA_KIND,
    METADATA_PRODUCER,
    SUMMARY_KIND,
    _inputs_hash,
    _Step,
)
from ncii_desk.services.faces_gallery import FACES_KIND, FACES_PRODUCER, FaceModels, Gallery
from ncii_desk.services.jobs import Job
from ncii_desk.vault.models import Analysis, Blob, EvidenceItem, Match
from ncii_desk.vault.store import CaseStore
from ncii_desk.vision.signals import Signal, Strength

if TYPE_CHECKING:
    from ncii_desk.vision.classifier import FaceClassifier
    from ncii_desk.vision.video import FaceResult, FrameResult, MediaAggregate


# --- one run ----------------------------------------------------------------------------------


class _Run:
    """Everything one analyze_case call shares between items."""

    def __init__(
        self,
        vault: CaseStore,
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


def _read(vault: CaseStore, item: EvidenceItem) -> bytes:
    with vault.session() as s:
        blob = s.get(Blob, item.blob_id) if item.blob_id else None
        if blob is None:
            raise NotFound(f"The stored file of item {item.id[:12]} is missing.")
        return vault.read_blob(blob)


def _error(step: str, exc: BaseException) -> dict[str, str]:
    if isinstance(exc, NciiDeskError):
        return {"step": step, "error": type(exc).__name__, "message": exc.message, "hint": exc.hint}
    return {"step": step, "error": type(exc).__name__, "message": str(exc), "hint": ""}


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
