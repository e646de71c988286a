"""Choices stored in the vault that the command line offers before any vault is open.

Kept apart from :mod:`ncii_desk.vault.models` (which re-exports them) so that building the
command line's options does not load SQLAlchemy.
"""

from __future__ import annotations

import enum


class Role(enum.StrEnum):
    ORIGINAL = "original"
    REFERENCE = "reference"
    SUSPECT = "suspect"


class TakenBy(enum.StrEnum):
    """Who took an original photo or video (per original, for DMCA notices)."""

    CLIENT = "client"
    OTHER = "other"
    UNKNOWN = "unknown"


class Answer(enum.StrEnum):
    """Yes, no, or not known (whether the client holds an original's copyright)."""

    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"
