"""What opening and checking a vault report: repaired header copies and integrity problems.

Kept apart from :mod:`ncii_desk.vault.vault` so the storage interfaces
(:mod:`ncii_desk.vault.store`) can name these reports without importing the laptop vault.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class HeaderRepair:
    """One header copy found damaged (or stale) while opening, and what was done."""

    file: str
    entry: str | None
    damage: str
    action: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "entry": self.entry,
            "damage": self.damage,
            "action": self.action,
        }


@dataclass
class Problem:
    file: str
    entry: str | None
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.file, "entry": self.entry, "message": self.message}


@dataclass
class IntegrityReport:
    problems: list[Problem] = field(default_factory=list)
    blobs_checked: int = 0
    bytes_checked: int = 0
    audit_events: int = 0
    quarantined_files: int = 0
    #: What opening the vault noticed and repaired (not failures of the check itself).
    warnings: list[str] = field(default_factory=list)
    #: Header copies repaired while opening for this check (each also in the audit chain).
    repairs: list[HeaderRepair] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "blobs_checked": self.blobs_checked,
            "bytes_checked": self.bytes_checked,
            "audit_events": self.audit_events,
            "quarantined_files": self.quarantined_files,
            "problems": [p.as_dict() for p in self.problems],
            "warnings": self.warnings,
            "repairs": [r.as_dict() for r in self.repairs],
        }
