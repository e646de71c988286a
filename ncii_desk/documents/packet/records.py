"""The plain data of an evidence packet (exhibits, findings, captures, custody) and what an
exhibit supports."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ncii_desk.documents.clock import ClockSource
from ncii_desk.documents.forms import Law
from ncii_desk.vault import audit as audit_chain
from ncii_desk.vault.models import (
    Role,
)

#: Analyses that are working data of the matcher (keypoints), not findings to report.
WORKING_ANALYSES = frozenset({"local-features"})
#: Response headers an exhibit page states, in words (the raw headers stay in the vault and
#: the WARC): header name -> label.
CAPTURE_HEADERS = {
    "content-type": "Type the server declared",
    "content-length": "Size the server declared (bytes)",
    "last-modified": "Last changed, as the server said",
    "date": "Server's clock at the answer",
}
ROLE_ORDER = {Role.SUSPECT: 0, Role.ORIGINAL: 1, Role.REFERENCE: 2}
ROLE_WORDS = {
    Role.SUSPECT: "copy found (suspect)",
    Role.ORIGINAL: "client's original",
    Role.REFERENCE: "reference photo of the client",
}
DEFAULT_PSEUDONYM = "Jane Doe"


def utc_text(value: datetime | None) -> str:
    if value is None:
        return "-"
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _scalar_text(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return str(value)


def pairs_of(data: dict[str, Any], *, limit: int = 240) -> list[tuple[str, str]]:
    """A JSON object as (key, value) text pairs, long values shortened."""
    out = []
    for key in sorted(data):
        text = _scalar_text(data[key])
        if len(text) > limit:
            text = text[: limit - 1] + "…"
        out.append((str(key), text))
    return out


# --- the plain data of a packet ----------------------------------------------------------------


@dataclass
class HashLine:
    kind: str
    value: str
    quality: int | None
    variant: str
    algorithm: str


@dataclass
class MatchLine:
    other: str  # "Exhibit 4 (client's original)" or "hash list 'X': pdq ..."
    other_number: int | None  # the exhibit compared with, when it is one
    kind: str
    distance: float | None
    score: float | None
    threshold: float | None
    review_state: str
    reviewed_by: str
    reviewed_at: str
    details: list[tuple[str, str]]


@dataclass
class FindingLine:
    kind: str
    overview: str  # a summary row's plain-language overview ("" for other rows)
    producer: str
    producer_version: str
    model_sha256: str
    provider: str
    thresholds: list[tuple[str, str]]
    created_at: str
    signals: list[dict[str, Any]]
    other: list[tuple[str, str]]


@dataclass
class CaptureInfo:
    id: str
    is_web: bool  # fetched from an http(s) address; False for a file's intake record
    url: str
    final_url: str
    redirect_chain: list[str]
    http_status: str
    server_address: str
    tls: list[tuple[str, str]]
    tls_verified: bool
    tool: str
    user_agent: str
    operator: str
    started_at: str
    ended_at: str
    headers: list[tuple[str, str]]
    error: str
    warc_sha256: str
    details: list[tuple[str, str]]
    #: For a picture or video taken from a page: its own address and answer (the rows
    #: above describe the page).
    file_rows: list[tuple[str, str]] = field(default_factory=list)
    #: The page's screenshot drawn from the WARC (services/screenshots): its SHA-256 and a
    #: line on what it shows, or why there is none.
    screenshot_sha256: str = ""
    screenshot_note: str = ""


@dataclass
class RecheckLine:
    checked_at: str
    url: str
    outcome: str
    http_status: str
    content_sha256: str
    operator: str


@dataclass
class CustodyLine:
    seq: int
    at: str
    actor: str
    action: str
    summary: str


@dataclass
class Exhibit:
    number: int
    item_id: str
    role: Role
    role_words: str
    source: str
    label: str
    notes: str
    original_filename: str
    mime: str
    size: int
    sha256: str
    md5: str
    intake_at: str
    file_mtime: str
    operator: str
    pixels_kept: bool
    suspected_minor: bool
    duplicate_of: int | None
    blob_id: str | None
    hashes: list[HashLine] = field(default_factory=list)
    variant_hashes: int = 0
    capture: CaptureInfo | None = None
    matches: list[MatchLine] = field(default_factory=list)
    findings: list[FindingLine] = field(default_factory=list)
    rechecks: list[RecheckLine] = field(default_factory=list)
    custody: list[CustodyLine] = field(default_factory=list)
    requests: list[int] = field(default_factory=list)
    sealed_file: str | None = None
    sealed_warc: str | None = None
    sealed_screenshot: str | None = None
    stored_state: str = "-"  # what the build found when it read the stored copy back
    warc_blob_id: str | None = None
    #: For a file added by hand: the web address recorded with it at intake, if any.
    given_source_url: str = ""

    @property
    def automatic_capture(self) -> bool:
        """Produced by the automatic web capture process (fetched over http(s), with a WARC
        record of the exchange): what the FRE 902(13) certification may cover."""
        return self.capture is not None and self.capture.is_web and bool(self.capture.warc_sha256)

    @property
    def title(self) -> str:
        return f"Exhibit {self.number}"


@dataclass
class RequestLine:
    number: int
    platform: str
    route: str
    urls: list[str]
    exhibits: list[int]
    sent_at: str
    deadline_at: str
    status: str
    ticket_id: str
    history: list[str]
    #: Sent time and deadline in the clinic's time zone, UTC beside them.
    sent_local: str = ""
    deadline_local: str = ""
    #: The advocate's covered-platform answer for a TAKE IT DOWN request ("" if not asked).
    covered_platform: str = ""


@dataclass
class PacketData:
    case_id: str
    case_label: str
    pseudonym: str
    pseudonym_defaulted: bool
    jurisdiction: str
    notes: str
    suspected_minor: bool
    consent: list[tuple[str, str]]
    case_created_at: str
    built_at: datetime
    vault_id: str
    audit_head: audit_chain.Head | None
    tool: str
    operator: str
    exhibits: list[Exhibit]
    requests: list[RequestLine]
    case_custody: list[CustodyLine]
    law: Mapping[str, Law]
    sealed: bool = False
    signed_by: str = ""
    #: The vault's packet-signing key (base64 of the raw Ed25519 public key), its fingerprint,
    #: and the time-stamp authority asked (empty when none).
    signing_key: str = ""
    signing_fingerprint: str = ""
    timestamp_tsa: str = ""
    #: Items of the case that are not exhibits (unmatched copies, other captured files).
    not_exhibits: int = 0
    #: The clinic's time zone local times are shown in (IANA name).
    zone_name: str = "UTC"
    #: Where the recorded times come from (system clock, NTP state, RFC 3161 time if any).
    clock: ClockSource = field(default_factory=ClockSource)

    @property
    def built_at_text(self) -> str:
        return utc_text(self.built_at)


def _face_confirmed(ex: Exhibit) -> bool:
    """A reviewer confirmed a face match of this exhibit to the client's reference photos."""
    return any(
        m.kind == "face" and m.review_state == "confirmed" and m.other_number is not None
        for m in ex.matches
    )


def pending_only(ex: Exhibit) -> bool:
    """A copy whose matches to the client's pictures are all still unreviewed (pending)."""
    states = {m.review_state for m in ex.matches if m.other_number is not None}
    return ex.role == Role.SUSPECT and bool(states) and states <= {"pending", "rejected"}


def unvalidated_signal(sig: Mapping[str, Any]) -> bool:
    """A manipulation classifier's score without a validation record meeting the minimum
    (ncii_desk.vision.summary.is_unvalidated): listed with its caveat as a weak or unvalidated
    signal, never counted as a manipulation finding."""
    value = sig.get("value")
    validated = isinstance(value, Mapping) and value.get("validated") is True
    return str(sig.get("kind", "")) == "deepfake_score" and not validated


def _has_signal(ex: Exhibit, face: bool) -> bool:
    for finding in ex.findings:
        for sig in finding.signals:
            if str(sig.get("strength", "")) == "none" or unvalidated_signal(sig):
                continue
            if (str(sig.get("kind", "")) == "face_match") == face:
                return True
    return False


def supports(ex: Exhibit, word: str) -> bool:
    """Whether exhibit ``ex`` is evidence of kind ``word`` (see forms.EVIDENCE_WORDS)."""
    if word == "suspect":
        return ex.role == Role.SUSPECT
    if word == "original":
        return ex.role == Role.ORIGINAL
    if word == "reference":
        return ex.role == Role.REFERENCE
    if word == "match":
        # Pixel matches count when not rejected (pending ones are labelled pending); a face
        # match is identity evidence only once a reviewer has confirmed it.
        return ex.role == Role.SUSPECT and any(
            m.other_number is not None
            and m.review_state != "rejected"
            and (m.kind != "face" or m.review_state == "confirmed")
            for m in ex.matches
        )
    if word == "face_match":
        return _has_signal(ex, face=True) and _face_confirmed(ex)
    if word == "manipulation":
        return _has_signal(ex, face=False)
    if word == "capture":
        return ex.capture is not None and ex.capture.is_web
    if word == "request":
        return bool(ex.requests)
    if word == "recheck":
        return bool(ex.rechecks)
    raise ValueError(f"unknown evidence word {word!r}")


def exhibits_for(data: PacketData, words: Sequence[str]) -> list[int]:
    return [e.number for e in data.exhibits if any(supports(e, w) for w in words)]
