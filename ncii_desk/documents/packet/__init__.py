"""The civil-claim evidence packet: what goes in it, gathered from the vault as plain data.

``gather`` reads one case (items, hashes, captures, matches, analyses, removal requests,
rechecks and the audit events about each of them) into plain dataclasses that hold only
strings and numbers. The PDF layout (``packet_pdf``) and the README are written from that
data alone, so they never touch the database. Exhibits are numbered in a fixed order: the
copies found (suspects), then the client's originals, then reference photos, each in intake
order. A copy found is an exhibit only when it is matched (match not rejected) to one of
the client's originals or reference photos; other files captured from the same page are
never exhibits (``exhibit_order``). Advocate notes (the case's and each item's) are
attorney work product: they are left out unless ticked in one by one (``include_notes``:
"case" and item ids).

The packet folder itself, its manifest, the sealed volume and the ZIP are put together by
``services.packets.build_packet``; the helpers here name and package files.

(Step 1 of 2: the module moved into the package unchanged; the split follows.)
"""

from ncii_desk.documents.packet.records import (
    CAPTURE_HEADERS,
    CASE_NOTE,
    DEFAULT_PSEUDONYM,
    ROLE_ORDER,
    ROLE_WORDS,
    SUMMARY_KIND,
    WORKING_ANALYSES,
    CaptureInfo,
    CustodyLine,
    Exhibit,
    FindingLine,
    HashLine,
    MatchLine,
    PacketData,
    RecheckLine,
    RequestLine,
    exhibit_order,
    exhibits_for,
    extension_for,
    gather,
    not_exhibits,
    pairs_of,
    pending_only,
    readme_text,
    sealed_name,
    supports,
    unvalidated_signal,
    utc_text,
    write_zip,
)

__all__ = [
    "CAPTURE_HEADERS",
    "CASE_NOTE",
    "DEFAULT_PSEUDONYM",
    "ROLE_ORDER",
    "ROLE_WORDS",
    "SUMMARY_KIND",
    "WORKING_ANALYSES",
    "CaptureInfo",
    "CustodyLine",
    "Exhibit",
    "FindingLine",
    "HashLine",
    "MatchLine",
    "PacketData",
    "RecheckLine",
    "RequestLine",
    "exhibit_order",
    "exhibits_for",
    "extension_for",
    "gather",
    "not_exhibits",
    "pairs_of",
    "pending_only",
    "readme_text",
    "sealed_name",
    "supports",
    "unvalidated_signal",
    "utc_text",
    "write_zip",
]
