"""Plain value types and constants the command line and the desktop app use, re-exported from
the domain packages so that callers import them from services only.

Everything here is light to import (enums, tuples, numbers, text): the command line reads
these while it builds its parser, before any vault, image library or model is loaded. The
vault handle is for annotations only (importing it loads SQLCipher and SQLAlchemy).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from ncii_desk.capture.page import DEFAULT_MAX_LINKS as DEFAULT_MAX_LINKS
from ncii_desk.documents import covered as _covered
from ncii_desk.hashing.defaults import PDQ_DEFAULT_THRESHOLD as PDQ_DEFAULT_THRESHOLD
from ncii_desk.vault.kinds import Answer as Answer
from ncii_desk.vault.kinds import Role as Role
from ncii_desk.vault.kinds import TakenBy as TakenBy
from ncii_desk.vision.embedders import EMBEDDERS as EMBEDDERS

if TYPE_CHECKING:
    from ncii_desk.vault import Vault as Vault
    from ncii_desk.vault.store import CaseStore as CaseStore

#: The answers to "is the platform a covered platform?" and the question and definition shown
#: with them (TAKE IT DOWN Act), for the letter commands.
COVERED_ANSWERS: Final = _covered.ANSWERS
COVERED_QUESTION: Final = _covered.QUESTION
COVERED_DEFINITION: Final = _covered.DEFINITION

__all__ = [
    "COVERED_ANSWERS",
    "COVERED_DEFINITION",
    "COVERED_QUESTION",
    "DEFAULT_MAX_LINKS",
    "EMBEDDERS",
    "PDQ_DEFAULT_THRESHOLD",
    "Answer",
    "CaseStore",
    "Role",
    "TakenBy",
    "Vault",
]
