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

The work is split by what it does: ``records`` holds the plain data of a packet and what an
exhibit supports; ``facts`` turns stored rows (events, captures, analyses) into lines;
``gather`` reads one case into a PacketData; ``files`` names and zips the packet's files and
writes its README. Every public name is importable from this package, as it was from the one
module before.
"""

from ncii_desk.documents.packet.facts import (
    CASE_NOTE,
    SUMMARY_KIND,
    exhibit_order,
    not_exhibits,
)
from ncii_desk.documents.packet.files import (
    extension_for,
    readme_text,
    sealed_name,
    write_zip,
)
from ncii_desk.documents.packet.gather import (
    gather,
)
from ncii_desk.documents.packet.records import (
    CAPTURE_HEADERS,
    DEFAULT_PSEUDONYM,
    ROLE_ORDER,
    ROLE_WORDS,
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
    exhibits_for,
    pairs_of,
    pending_only,
    supports,
    unvalidated_signal,
    utc_text,
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
