"""What an analysis stores and reports: the step kinds and producers, the reports of a run,
and the Analysis rows (one per step) with the test of whether a stored row is current.

Every row records what produced it (producer, version, model sha256, the provider the model
ran on, thresholds, time taken), and its result holds ``signals``: the findings with their
strength and caveat. A step whose stored row has the same producer, version, model sha256
and inputs (the gallery, the originals compared, the frame rate) is current.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Final

from sqlalchemy import select

from ncii_desk.services.faces_gallery import FACES_KIND
from ncii_desk.vault.models import Analysis
from ncii_desk.vault.store import CaseStore
from ncii_desk.vision.summary import manipulation_limits

if TYPE_CHECKING:
    pass


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


def _newest_rows(vault: CaseStore, item_id: str) -> dict[tuple[str, str], Analysis]:
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


def _summary_inputs(keys: Any) -> str:
    return _inputs_hash(sorted(f"{k[0]}/{k[1]}" for k in keys))
