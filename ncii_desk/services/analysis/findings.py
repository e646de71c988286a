"""How the analysis words its findings: the face-match and manipulation-classifier signals
with their caveats, how a finding names an item, and an item's summary of every step.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Final

from ncii_desk import __version__
from ncii_desk.services.analysis.results import (
    STEP_KINDS,
    SUMMARY_KIND,
    SUMMARY_PRODUCER,
    _Step,
    _summary_inputs,
)
from ncii_desk.services.faces_gallery import Gallery
from ncii_desk.vault.models import Analysis, EvidenceItem
from ncii_desk.vision.signals import Signal, Strength

if TYPE_CHECKING:
    from ncii_desk.vision.classifier import FaceClassifier
    from ncii_desk.vision.video import MediaAggregate


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


def item_label(item: EvidenceItem) -> str:
    """How a finding names an item: its label or file name, and the start of its id."""
    name = " ".join((item.label or item.original_filename).split())
    return f"'{name}' (item {item.id[:12]})" if name else f"item {item.id[:12]}"


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
