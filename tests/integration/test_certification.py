"""The packet's FRE 902(13)/(14) certification: only captured records are certified, files
added by hand are listed apart with their intake record, every SHA-256 in full, the clock
source stated; request times shown in the clinic's zone with UTC beside them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from capture_server import LocalServer
from test_letters import squeeze
from test_packet import flat, make_case, pdf_text

from ncii_desk.documents.clock import ClockSource, clock_source
from ncii_desk.services import packets, settings
from ncii_desk.vault.models import Blob, Capture, EvidenceItem, RemovalRequest, RequestStatus
from ncii_desk.vault.store import CaseStore


def _section(text: str, start: str, end: str | None = None) -> str:
    begin = text.index(start)
    return text[begin : text.index(end, begin) if end else len(text)]


def test_certification_covers_captures_only_and_lists_hand_added_files_apart(
    store: CaseStore, tmp_path: Path, web: LocalServer
) -> None:
    built = make_case(store, tmp_path / "in", web)
    with store.session() as s:
        items = {i.id: i for i in s.query(EvidenceItem).filter_by(case_id=built.case_id)}
        captured = items[built.captured]
        capture = s.get(Capture, captured.capture_id)
        assert capture is not None and capture.warc_blob_id is not None
        warc = s.get(Blob, capture.warc_blob_id)
        assert warc is not None
        warc_sha = warc.sha256
        original, unrelated = items[built.original], items[built.unrelated]
        digests = {i.sha256 for i in items.values() if i.id != built.unrelated}
    out = tmp_path / "packet"
    packets.build_packet(store, built.case_id, out)
    pages, _ = pdf_text(out / "packet.pdf")
    text = flat(pages)
    cert = _section(text, "8. Certification draft")
    declaration = _section(cert, "I, ", "Schedule A:")
    assert "covers only the 1 record listed in Schedule A" in declaration
    # The unrelated picture is not an exhibit (nothing matched it), so only the original.
    assert "Schedule B lists 1 file that was added by hand" in declaration
    assert "I do not certify who made them, where they came from" in declaration
    schedule_a = _section(cert, "Schedule A:", "Schedule B:")
    schedule_b = _section(cert, "Schedule B:", "Schedule C:")
    schedule_c = _section(cert, "Schedule C:")
    # A: the web capture, its address, its file and WARC digests in full.
    assert built.page_url in schedule_a
    assert squeeze(captured.sha256) in squeeze(schedule_a)
    assert squeeze(warc_sha) in squeeze(schedule_a)
    assert squeeze(original.sha256) not in squeeze(schedule_a)
    assert squeeze(unrelated.sha256) not in squeeze(schedule_a)
    # B: the files added by hand, with their intake record; never the capture.
    assert original.original_filename in schedule_b
    assert f"Size: {original.size} bytes" in schedule_b
    assert squeeze(original.sha256) in squeeze(schedule_b)
    assert squeeze(unrelated.sha256) not in squeeze(schedule_b + schedule_c)
    assert "file added by hand" in schedule_b and "no web address given with it" in schedule_b
    assert squeeze(captured.sha256) not in squeeze(schedule_b)
    assert built.page_url not in schedule_b
    # C: every exhibit's SHA-256, whole (64 hexadecimal digits), never cut short.
    assert len(digests) == 2
    for digest in digests:
        assert len(digest) == 64 and squeeze(digest) in squeeze(schedule_c)
    assert "…" not in schedule_c
    # The clock source, as far as the computer tells.
    ntp = clock_source().ntp
    assert "Times were taken from the computer's system clock" in declaration
    expected = {
        "synchronised": "reported it synchronised with a network time server",
        "not synchronised": "reported it NOT synchronised",
        "unknown": "whether it was synchronised with a network time server is unknown",
    }[ntp]
    assert expected in declaration
    assert "No RFC 3161 time stamp was obtained" in declaration


def test_clock_source_states_an_rfc3161_time_when_given() -> None:
    source = ClockSource(ntp="synchronised", ntp_method="timedatectl").with_rfc3161(
        "2026-12-06 20:00:00 UTC", "Example TSA"
    )
    words = " ".join(source.sentences())
    assert "synchronised with a network time server (NTP) (read with timedatectl)" in words
    assert "time-stamped by Example TSA under RFC 3161 at 2026-12-06 20:00:00 UTC" in words
    assert "unknown" in " ".join(ClockSource().sentences())


def test_packet_shows_request_times_in_the_clinic_zone_with_utc_across_dst(
    store: CaseStore, tmp_path: Path, web: LocalServer
) -> None:
    built = make_case(store, tmp_path / "in", web)
    settings.set_request_setting(store, "requests.time_zone", "America/New_York")
    sent = dt.datetime(2026, 11, 1, 0, 0, tzinfo=dt.UTC)  # 2026-10-31 20:00 EDT
    with store.transaction() as s:
        s.add(
            RemovalRequest(
                case_id=built.case_id,
                platform="Example Host",
                route="takedown",
                urls=[built.page_url],
                item_ids=[built.captured],
                sent_at=sent,
                deadline_at=sent + dt.timedelta(hours=48),
                status=RequestStatus.SENT,
                history=[],
                letter_inputs={"covered_platform": "yes"},
            )
        )
    out = tmp_path / "packet"
    packets.build_packet(store, built.case_id, out)
    text = flat(pdf_text(out / "packet.pdf")[0])
    requests = _section(text, "4. Removal-request history", "5. Rechecks")
    assert "Sent (America/New_York, UTC)" in requests
    assert "2026-10-31 20:00:00 EDT (2026-11-01 00:00:00 UTC)" in requests
    assert "2026-11-02 19:00:00 EST (2026-11-03 00:00:00 UTC)" in requests
    assert "Covered platform (advocate's answer) yes" in requests
