"""What each kind of letter must contain before NCII Desk will produce it.

A TAKE IT DOWN Act request needs its four required elements (signature; identification and
location of each depiction; good-faith statement of non-consent; contact information) and the
advocate's answer to whether the site is a covered platform (``documents.covered``), a DMCA
notice its six (17 U.S.C. § 512(c)(3)(A)), and a representative must state their authority
to act. Location holds only when every depiction has a web address or content ID; the error
names those that have none. A DMCA notice also lists only depictions the tracker marked as
reviewer-confirmed, pixel-derived copies of originals the client owns (``Depiction.dmca ==
"ok"``); every other one is named with its reason (element ``copyright_copies``).
``check(validator, form, platform)`` raises ``MissingElements`` naming every missing
element at once, so the advocate can fix them in one go.

API: ``Element`` (key, label, hint), ``MissingElements`` (``.missing``: element keys),
``check(...)``, ``REQUIRED`` (validator name -> the element keys it enforces).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from ncii_desk.documents.covered import clean_answer
from ncii_desk.errors import NciiDeskError

if TYPE_CHECKING:
    from ncii_desk.documents.forms import Platform
    from ncii_desk.documents.letterform import Depiction, LetterForm


@dataclass(frozen=True)
class Element:
    key: str
    label: str
    hint: str


ELEMENTS = {
    e.key: e
    for e in (
        Element(
            "signature",
            "signature",
            "Sign with --signature '/s/ Full Name' (a typed electronic signature) of the person "
            "depicted or of the person acting for them.",
        ),
        Element(
            "location",
            "identification and location of each depiction",
            "Capture the web address first ('ncii-desk capture') or give it with --url.",
        ),
        Element(
            "good_faith",
            "good-faith statement that the depiction is not consensual",
            "Confirm the statement with --good-faith once the person depicted has agreed to it.",
        ),
        Element(
            "contact",
            "contact information",
            "Give an e-mail address, phone number or postal address (--email, --phone, "
            "--address), or store the clinic's with 'ncii-desk clinic set'.",
        ),
        Element(
            "authority",
            "statement of authority to act for the person depicted",
            "A representative must say why they may act, with --authority (for example 'I am "
            "an advocate at X and the person depicted asked me in writing to act for them').",
        ),
        Element(
            "legal_name",
            "legal name of the person depicted (this platform requires it)",
            "Give the person's legal name with --person-name.",
        ),
        Element(
            "work",
            "identification of the copyrighted work",
            "Describe the original work with --work (for example 'a photograph I took of "
            "myself on 2024-03-02').",
        ),
        Element(
            "dmca_good_faith",
            "good-faith statement that the use is not authorised",
            "Confirm the statement with --good-faith.",
        ),
        Element(
            "accuracy",
            "statement of accuracy and, under penalty of perjury, of authority",
            "Confirm it with --accuracy-statement once the sender has read it.",
        ),
        Element(
            "covered_platform",
            "answer to whether the site is a covered platform under 47 U.S.C. § 223a (yes, no "
            "or unsure)",
            "Decide whether the site is a covered platform (a public site or app that mainly "
            "hosts what its users post; not broadband providers, e-mail, or sites of mainly "
            "the provider's own preselected content) and answer with --covered-platform "
            "yes|no|unsure. With no or unsure the letter asks for removal under the site's own "
            "policies and does not claim the 48-hour duty.",
        ),
        Element(
            "copyright_owner",
            "confirmation that the client owns the copyright of the originals copied (for "
            "example a selfie)",
            "Use a DMCA notice only for copies of originals the client owns: mark each original "
            "('ncii-desk item copyright ITEM --taken-by client --client-holds-copyright yes') "
            "and confirm with --copyright-owner. Otherwise use the takedown route.",
        ),
    )
}

REQUIRED: dict[str, tuple[str, ...]] = {
    "takedown": ("signature", "location", "good_faith", "contact", "covered_platform"),
    "dmca": ("signature", "work", "location", "contact", "dmca_good_faith", "accuracy"),
    "deindex": ("location", "good_faith", "contact"),
    "ncii-report": ("location", "contact"),
    "preservation": ("signature", "location", "contact"),
    "ncmec": ("location", "contact"),
    "none": (),
}

_DOCUMENT_NAMES = {
    "takedown": "TAKE IT DOWN Act removal request",
    "dmca": "DMCA notice",
    "deindex": "search de-indexing request",
    "ncii-report": "platform report",
    "preservation": "preservation letter",
    "ncmec": "NCMEC report sheet",
    "none": "document",
}

_SIGNATURE_PREFIX = re.compile(r"^\s*/s/\s*", re.IGNORECASE)


class MissingElements(NciiDeskError):
    """A letter lacks elements the law (or the platform) requires; all are named."""

    exit_code = 2

    def __init__(self, document: str, missing: Sequence[Element]) -> None:
        labels = "; ".join(e.label for e in missing)
        super().__init__(
            f"The {document} cannot be produced. Missing: {labels}.",
            " ".join(e.hint for e in missing),
        )
        self.document = document
        self.missing = [e.key for e in missing]

    def as_dict(self) -> dict[str, str]:
        data = super().as_dict()
        data["missing"] = ", ".join(self.missing)
        return data


def _signed(signature: str) -> bool:
    return bool(_SIGNATURE_PREFIX.sub("", signature).strip())


def _unlocated(depictions: Sequence[Depiction]) -> list[str]:
    """How to name each depiction that has neither a web address nor a content ID."""
    return [
        d.label or f"depiction {number}"
        for number, d in enumerate(depictions, start=1)
        if not (d.url.strip() or d.content_id.strip())
    ]


def _location_element(unlocated: Sequence[str]) -> Element:
    """The location element, naming the depictions that cannot be located."""
    shown = ", ".join(unlocated[:5]) + (
        f" and {len(unlocated) - 5} more" if len(unlocated) > 5 else ""
    )
    return replace(
        ELEMENTS["location"],
        label=f"{ELEMENTS['location'].label} (no web address for {shown})",
        hint="Each picture or video in a request needs the web address where it is online: "
        "capture the page it is on ('ncii-desk capture CASE URL'), or leave it out.",
    )


def _copies_element(refused: Sequence[tuple[str, str]]) -> Element:
    """The DMCA element "only copies of a work the client owns", naming each picture that
    is not one and why."""
    shown = "; ".join(f"{name}: {why}" for name, why in refused)
    return Element(
        "copyright_copies",
        "only copies of originals the client owns, matched by their pixels and confirmed by a "
        f"reviewer (left out: {shown})",
        "A DMCA notice may list only such copies (17 U.S.C. § 512(c)(3)(A)(ii)-(iii); a wrong "
        "notice exposes the sender under § 512(f)). Leave the others out of the notice and ask "
        "for them with a TAKE IT DOWN Act request, which needs no copyright.",
    )


def _not_dmca_copies(depictions: Sequence[Depiction]) -> list[tuple[str, str]]:
    refused = []
    for number, d in enumerate(depictions, start=1):
        if d.dmca != "ok":
            why = (
                d.dmca.removeprefix("DMCA: ") or "no confirmed copy of an original the client owns"
            )
            refused.append((d.label or d.url or f"depiction {number}", why))
    return refused


def check(
    validator: str,
    form: LetterForm,
    depictions: Sequence[Depiction],
    platform: Platform | None = None,
) -> None:
    """Raise MissingElements if ``form`` lacks anything ``validator`` requires."""
    if validator not in REQUIRED:
        raise ValueError(f"unknown validator {validator!r}")
    sender = form.sender
    unlocated = _unlocated(depictions)
    present = {
        "signature": _signed(form.signature),
        "location": bool(depictions) and not unlocated,
        "good_faith": form.good_faith,
        "dmca_good_faith": form.good_faith,
        "contact": any(v.strip() for v in (sender.email, sender.phone, sender.address)),
        "work": bool(form.work.strip()),
        "accuracy": form.accuracy,
        "covered_platform": clean_answer(form.covered_platform) != "",
    }
    wanted = list(REQUIRED[validator])
    if validator == "dmca":
        wanted.insert(0, "copyright_owner")
        present["copyright_owner"] = form.copyright_owner
        refused = _not_dmca_copies(depictions)
        wanted.append("copyright_copies")
        present["copyright_copies"] = not refused
    if validator != "none" and sender.representative:
        wanted.append("authority")
        present["authority"] = bool(sender.authority.strip())
    if platform is not None and "legal_name" in platform.required_fields and validator != "none":
        wanted.append("legal_name")
        present["legal_name"] = bool(form.person_name.strip())
    elements = {**ELEMENTS, "location": _location_element(unlocated)} if unlocated else ELEMENTS
    if validator == "dmca":
        elements = {**elements, "copyright_copies": _copies_element(refused)}
    missing = [elements[key] for key in wanted if not present[key]]
    if missing:
        raise MissingElements(_DOCUMENT_NAMES[validator], missing)
