"""What a person fills in for a letter: who sends it (:class:`Sender`), each depiction and
where it is (:class:`Depiction`), and the facts beyond the addresses (:class:`LetterForm`).

Plain values, shared by ``letters`` (which renders them) and ``validators`` (which checks
them per route), so that neither of those two modules imports the other's caller.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

__all__ = ["Depiction", "LetterForm", "Sender"]


@dataclass(frozen=True)
class Sender:
    """Who signs and who the platform contacts: the person depicted or their representative."""

    name: str
    email: str = ""
    phone: str = ""
    address: str = ""
    organisation: str = ""
    representative: bool = False
    authority: str = ""


@dataclass(frozen=True)
class Depiction:
    """One depiction of the person and where it is: the direct address of the picture or
    video (``url``) and the page where it appeared (``page_url``), or a platform's content
    ID. A page address given as-is has no ``page_url``."""

    url: str
    final_url: str = ""
    content_id: str = ""
    captured_at: datetime | None = None
    #: (name, value) pairs such as ("SHA-256", "ab12..."), ("MD5", ...), ("PDQ", ...).
    hashes: tuple[tuple[str, str], ...] = ()
    item_ids: tuple[str, ...] = ()
    page_url: str = ""
    page_final_url: str = ""
    #: Why it is listed: "confirmed" (a reviewer confirmed its match), "pending" (matched,
    #: not reviewed yet), "named" (the advocate named it) or "" (an address given as-is).
    #: Letter data for the advocate; never printed for the platform.
    review: str = ""
    #: How messages to the advocate name it (e.g. "item 1a2b3c4d5e6f"); never printed.
    label: str = ""
    #: "ok" when a DMCA notice may list it (a reviewer-confirmed, pixel-derived match to an
    #: original marked as the client's); otherwise why not ("" = never checked). The DMCA
    #: validator refuses any depiction that is not "ok".
    dmca: str = ""

    @property
    def location(self) -> tuple[str, str]:
        """Where it is: its own address and the page it appeared on."""
        return (self.url, self.page_url)


@dataclass(frozen=True)
class LetterForm:
    """The facts a letter needs beyond the web addresses (validated per route)."""

    sender: Sender
    signature: str = ""
    #: The person's legal name: printed only for platforms whose process requires it
    #: (platforms.toml required_fields = ["legal_name"]); every other letter uses
    #: ``pseudonym`` or "the person depicted".
    person_name: str = ""
    pseudonym: str = ""
    good_faith: bool = False
    statement: str = ""
    forgery: bool = False
    work: str = ""
    copyright_owner: bool = False
    accuracy: bool = False
    reference: str = ""
    #: The advocate's answer to "is this site a covered platform under 47 U.S.C. § 223a?":
    #: "yes", "no", "unsure" or "" (not answered; a TAKE IT DOWN request needs an answer).
    covered_platform: str = ""
