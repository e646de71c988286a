"""One item's findings, side by side, in plain language.

The analysis steps (face match, manipulation classifiers, source-photo comparison, generator
metadata, Content Credentials) each report :class:`~ncii_desk.vision.signals.Signal`s. This
module lists them, strongest first, each with its own strength and caveat, and writes a short
overview paragraph. It deliberately never adds them up into one number: the findings answer
different questions (is this the victim's face? was this made from her photo? does a model
think the face was swapped?) and each has its own limits, which a single score would hide.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final

from ncii_desk.vision.registry import MIN_VALIDATED_AUC, MIN_VALIDATED_IMAGES
from ncii_desk.vision.signals import Signal, Strength

__all__ = [
    "KIND_LABELS",
    "MANIPULATION_LIMITS",
    "ItemSummary",
    "is_unvalidated",
    "kind_label",
    "manipulation_limits",
    "summarise",
    "validated_models",
]

_RANK: Final = {Strength.STRONG: 0, Strength.MODERATE: 1, Strength.WEAK: 2, Strength.NONE: 3}

#: How each kind of finding is named to a person, and the order of kinds at equal strength
#: (evidence about where the picture came from first, model opinions last).
KIND_LABELS: Final = {
    "derivation": "comparison with the victim's original photos",
    "c2pa": "Content Credentials (C2PA)",
    "generator_metadata": "generator information in the file",
    "edit_metadata": "editing information in the file",
    "software_metadata": "software information in the file",
    "camera_metadata": "camera information in the file",
    "face_match": "face comparison with the victim's reference photos",
    "deepfake_score": "manipulation classifier",
}
_KIND_ORDER: Final = {kind: i for i, kind in enumerate(KIND_LABELS)}

CLOSING: Final = (
    "The findings are listed side by side and are not combined into one score: each answers "
    "a different question and has its own limits, stated with it. A person should review "
    "them before they are relied on."
)


#: Said with every item summary (and so in the CLI and the packet) until a validated detector
#: is installed: what the manipulation models cannot do, and which evidence can.
MANIPULATION_LIMITS: Final = (
    "The app's manipulation models cannot tell AI-generated images apart in general: the "
    "built-in ones were made for face crops from one kind of face-swap video, and none is "
    "validated on photos like these, so their scores are never counted as findings. What can "
    "show that a picture was made or changed: the comparison with the client's original "
    "photos (source derivation), generator information in the file, and Content Credentials "
    "(C2PA)."
)


def manipulation_limits(validated: Iterable[str] = ()) -> str:
    """What the manipulation models can and cannot do, for an output whose scores came from
    the classifiers named in ``validated`` with a validation record meeting the minimum.

    With none (no validated detector installed, or none that applied), it is exactly
    :data:`MANIPULATION_LIMITS`; it changes only when a validated detector's score is there.
    """
    names = list(dict.fromkeys(n for n in validated if n))
    if not names:
        return MANIPULATION_LIMITS
    several = len(names) > 1
    listed = ", ".join(f"'{n}'" for n in names)
    return (
        f"Only the manipulation classifier{'s' if several else ''} {listed} "
        f"{'have' if several else 'has'} a validation record that meets the minimum (ROC AUC "
        f"{MIN_VALIDATED_AUC} or more on at least {MIN_VALIDATED_IMAGES} labelled images of "
        f"{'their' if several else 'its'} own domain), so only "
        f"{'their scores count' if several else 'its score counts'} as a finding, and only "
        "for pictures of that domain; a low score never shows that a picture is authentic. "
        "The app's other manipulation models cannot tell AI-generated images apart in "
        "general. What can also show that a picture was made or changed: the comparison with "
        "the client's original photos (source derivation), generator information in the "
        "file, and Content Credentials (C2PA)."
    )


def validated_models(signals: Iterable[Signal]) -> list[str]:
    """The classifiers whose applicable, validated scores are among ``signals``."""
    return [
        str(s.value.get("model", ""))
        for s in signals
        if s.kind in MODEL_OPINION_KINDS
        and s.value.get("validated") is True
        and s.value.get("applicable") is not False
    ]


#: Signal kinds that are a model's opinion and count only with a validation record.
MODEL_OPINION_KINDS: Final = frozenset({"deepfake_score"})


def is_unvalidated(signal: Signal) -> bool:
    """A model's score without a validation record that meets the minimum
    (ncii_desk.vision.registry.MIN_VALIDATED_AUC / MIN_VALIDATED_IMAGES): never a headline,
    never a manipulation finding. Rows stored before the record existed count as unvalidated."""
    return signal.kind in MODEL_OPINION_KINDS and signal.value.get("validated") is not True


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind.replace("_", " "))


@dataclass(frozen=True)
class ItemSummary:
    """Findings strongest first, and an overview paragraph that names but never merges them."""

    overview: str
    findings: tuple[Signal, ...]

    def counts(self) -> dict[str, int]:
        out = {s.value: 0 for s in Strength} | {"unvalidated": 0}
        for f in self.findings:
            if is_unvalidated(f) and f.strength != Strength.NONE:
                out["unvalidated"] += 1
            else:
                out[f.strength.value] += 1
        return out

    def as_dict(self) -> dict[str, Any]:
        return {
            "overview": self.overview,
            "findings": [
                {
                    "label": kind_label(f.kind),
                    **f.as_dict(),
                    "unvalidated": is_unvalidated(f),
                }
                for f in self.findings
            ],
            "counts": self.counts(),
        }


def _sort_key(item: tuple[int, Signal]) -> tuple[int, int, int, int]:
    position, signal = item
    return (
        int(is_unvalidated(signal)),
        _RANK[signal.strength],
        _KIND_ORDER.get(signal.kind, len(_KIND_ORDER)),
        position,
    )


def _names(signals: Iterable[Signal]) -> str:
    labels = list(dict.fromkeys(kind_label(s.kind) for s in signals))
    if len(labels) <= 1:
        return "".join(labels)
    return ", ".join(labels[:-1]) + " and " + labels[-1]


def summarise(signals: Iterable[Signal]) -> ItemSummary:
    """Order the signals (strength, then kind, then as given) and write the overview."""
    ordered = tuple(s for _, s in sorted(enumerate(signals), key=_sort_key))
    if not ordered:
        return ItemSummary(
            "No check has reported anything about this item yet. Run the analysis first. "
            + MANIPULATION_LIMITS,
            (),
        )
    limits = manipulation_limits(validated_models(ordered))
    found = [s for s in ordered if s.strength != Strength.NONE and not is_unvalidated(s)]
    unvalidated = [s for s in ordered if s.strength != Strength.NONE and is_unvalidated(s)]
    nothing = [s for s in ordered if s.strength == Strength.NONE]
    parts: list[str] = []
    if found:
        top = found[0]
        count = f"{len(found)} check{'s' if len(found) != 1 else ''}"
        parts.append(
            f"{count} reported a finding. The strongest ({top.strength.value}, from the "
            f"{kind_label(top.kind)}): {top.finding.rstrip('.')}."
        )
        rest = found[1:]
        if rest:
            listed = "; ".join(f"{kind_label(s.kind)} ({s.strength.value})" for s in rest)
            parts.append(f"Also reported: {listed}.")
    else:
        parts.append("No check reported a finding about this item.")
    if unvalidated:
        names = ", ".join(f"'{s.value.get('model', s.kind)}'" for s in unvalidated)
        parts.append(
            f"Weak or unvalidated signals, not counted as findings: the manipulation "
            f"classifier{'s' if len(unvalidated) != 1 else ''} {names} reacted, but "
            f"{'they are' if len(unvalidated) != 1 else 'it is'} not validated on pictures "
            "like this one; see the caveat listed with each."
        )
    if nothing:
        parts.append(
            f"No finding from the {_names(nothing)}; each one's note says what it looked at."
        )
    parts.append(limits)
    parts.append(CLOSING)
    return ItemSummary(" ".join(parts), ordered)
