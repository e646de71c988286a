"""One finding of the analysis, in words a court and a client can follow.

Every analysis step (face match, deepfake classifier, source derivation, generator metadata,
Content Credentials) reports Signals. A summary lists them side by side, each with its own
strength and caveat: there is deliberately no single combined score.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any


class Strength(enum.StrEnum):
    """How much weight a finding can bear on its own."""

    STRONG = "strong"  # e.g. a signed C2PA manifest, a source photo aligned with most area matching
    MODERATE = "moderate"  # e.g. a face match well above the threshold
    WEAK = "weak"  # e.g. a classifier score outside its training domain
    NONE = "none"  # looked, found nothing (still worth stating)


@dataclass(frozen=True)
class Signal:
    kind: str  # face_match, deepfake_score, derivation, generator_metadata, c2pa, ...
    finding: str  # one plain sentence: what was found
    strength: Strength
    caveat: str  # what this finding cannot show, in one or two sentences
    value: dict[str, Any] = field(default_factory=dict)  # the numbers behind the finding

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "finding": self.finding,
            "strength": self.strength.value,
            "caveat": self.caveat,
            "value": self.value,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Signal:
        return cls(
            kind=str(data["kind"]),
            finding=str(data["finding"]),
            strength=Strength(data["strength"]),
            caveat=str(data.get("caveat", "")),
            value=dict(data.get("value", {})),
        )
