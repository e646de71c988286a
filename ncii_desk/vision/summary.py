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

from ncii_desk.vision.signals import Signal, Strength

__all__ = ["KIND_LABELS", "ItemSummary", "kind_label", "summarise"]

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


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind.replace("_", " "))


@dataclass(frozen=True)
class ItemSummary:
    """Findings strongest first, and an overview paragraph that names but never merges them."""

    overview: str
    findings: tuple[Signal, ...]

    def counts(self) -> dict[str, int]:
        out = {s.value: 0 for s in Strength}
        for f in self.findings:
            out[f.strength.value] += 1
        return out

    def as_dict(self) -> dict[str, Any]:
        return {
            "overview": self.overview,
            "findings": [{"label": kind_label(f.kind), **f.as_dict()} for f in self.findings],
            "counts": self.counts(),
        }


def _sort_key(item: tuple[int, Signal]) -> tuple[int, int, int]:
    position, signal = item
    return (_RANK[signal.strength], _KIND_ORDER.get(signal.kind, len(_KIND_ORDER)), position)


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
            "No check has reported anything about this item yet. Run the analysis first.", ()
        )
    found = [s for s in ordered if s.strength != Strength.NONE]
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
    if nothing:
        parts.append(
            f"No finding from the {_names(nothing)}; each one's note says what it looked at."
        )
    parts.append(CLOSING)
    return ItemSummary(" ".join(parts), ordered)
