"""Hash-list import through the vault: streamed, all or nothing, same results as parsing.

Every hash here is generated (seeded); no real list is used. Lists stay small (at most
200,000 lines); batch sizes are made small where a test needs several batches.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy import func, select
from storekit import is_laptop

from ncii_desk import errors
from ncii_desk.hashing import list_stream, lists
from ncii_desk.hashing.lists import parse_hash_list
from ncii_desk.hashing.perceptual import PDQ_MIN_QUALITY, is_degenerate_pdq
from ncii_desk.services import matching
from ncii_desk.services.hashlists import (
    import_hash_list,
    pack_pdq_index,
    pack_pdq_rows,
    unpack_pdq_index,
)
from ncii_desk.services.jobs import Job
from ncii_desk.vault import Vault
from ncii_desk.vault.models import AuditEvent, Blob, HashList, HashListEntry
from ncii_desk.vault.store import CaseStore


def pdq_hex(rng: random.Random) -> str:
    while True:
        value = f"{rng.getrandbits(256):064x}"
        if not is_degenerate_pdq(value):
            return value


def stored_rows(vault: Vault, list_id: str) -> list[tuple[int, str, str, int | None, str]]:
    with vault.session() as s:
        return [
            (r.position, r.kind, r.value, r.quality, r.label)
            for r in s.scalars(
                select(HashListEntry)
                .where(HashListEntry.list_id == list_id)
                .order_by(HashListEntry.position)
            )
        ]


def counts(vault: Vault) -> tuple[int, int, int, int]:
    """Lists, entries, blobs in the database, and blob files on disk."""
    with vault.session() as s:
        tables = tuple(
            s.scalar(select(func.count()).select_from(t)) or 0
            for t in (HashList, HashListEntry, Blob)
        )
    return (*tables, sum(1 for _ in vault.blobs.iter_files()))  # type: ignore[return-value]


def mixed_csv(rng: random.Random, rows: int) -> str:
    """A CSV list with labels, qualities (some low), other kinds, duplicates and bad rows."""
    lines = ["kind,value,quality,label"]
    for i in range(rows):
        pick = rng.random()
        if pick < 0.05 and i > 10:
            lines.append(lines[rng.randrange(1, len(lines))].upper())  # a duplicate
        elif pick < 0.08:
            lines.append(rng.choice(["pdq,zz,90,x", "pdq," + "0" * 64 + ",,", "md5,12,,"]))
        elif pick < 0.2:
            kind = rng.choice(["md5", "video_md5", "sha256"])
            digits = lists.HEX_LENGTHS[kind]  # type: ignore[index]
            lines.append(f"{kind},{rng.getrandbits(digits * 4):0{digits}x},,file {i}")
        else:
            quality = rng.choice(["", "20", "49", "50", "77", "100"])
            label = rng.choice(["", f"case {i % 7}", '"a, quoted"', "=cell"])
            lines.append(f"pdq,{pdq_hex(rng)},{quality},{label}")
    return "\r\n".join(lines) + "\r\n"


def test_import_stores_what_the_parser_reads(
    store: CaseStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Same entries at the same positions, same bad lines and counts as parse_hash_list,
    and the same packed index as packing the parsed entries; several batches."""
    monkeypatch.setattr(list_stream, "STREAM_BATCH_LINES", 97)
    text = mixed_csv(random.Random(1), 1500)
    path = tmp_path / "clinic.csv"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())
    parsed = parse_hash_list(text)
    assert parsed.duplicates and parsed.low_quality and parsed.errors  # the list has them all

    seen: list[tuple[int, int]] = []
    job = Job(on_progress=lambda done, total, _msg: seen.append((done, total)))
    view, bad, new = import_hash_list(store, path, None, job)
    assert view.name == "clinic" and view.format == "csv" and new == 0
    assert view.entry_count == len(parsed.entries)
    assert view.bad_lines == parsed.bad_lines
    assert bad == [e.as_dict() for e in parsed.errors]
    assert stored_rows(store, view.id) == [
        (i, e.kind, e.value, e.quality, e.label) for i, e in enumerate(parsed.entries)
    ]
    with store.session() as s:
        row = s.get(HashList, view.id)
        assert row is not None and row.pdq_index_blob_id is not None
        blob = s.get(Blob, row.pdq_index_blob_id)
        assert blob is not None
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "hashlist.imported")).one()
    assert store.read_blob(blob) == pack_pdq_index(parsed.entries)
    details = json.loads(event.details)
    assert details["duplicates"] == parsed.duplicates
    assert details["low_quality"] == parsed.low_quality
    assert details["sha256"] == view.sha256
    assert len(seen) > 10 and seen[-1][0] == seen[-1][1] == -(-path.stat().st_size // 1024)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_bad_line_deep_in_a_long_list_is_reported_by_number(
    store: CaseStore, tmp_path: Path
) -> None:
    rng = random.Random(2)
    values = [pdq_hex(rng) for _ in range(200_000)]
    lines = [f"pdq {v}" for v in values]
    lines[150_000] = f"pdq {values[150_000][:-1]}"  # line 150,001: one digit short
    path = tmp_path / "big.txt"
    path.write_text("\n".join(lines) + "\n")
    view, bad, _ = import_hash_list(store, path, "big")
    assert [b["line"] for b in bad] == [150_001]
    assert "63" in bad[0]["message"]
    assert view.entry_count == 199_999
    with store.session() as s:
        last = s.scalars(
            select(HashListEntry).where(
                HashListEntry.list_id == view.id, HashListEntry.position == 150_000
            )
        ).one()
        assert last.value == values[150_001]  # the next line, with no gap in positions
        total = s.scalar(
            select(func.count()).where(HashListEntry.list_id == view.id).select_from(HashListEntry)
        )
    assert total == 199_999
    # The write-ahead log was folded back after the import (it held a copy of every new page).
    if is_laptop(store):
        wal = store.root / "meta.db-wal"  # type: ignore[attr-defined]
        assert not wal.exists() or wal.stat().st_size < 1024 * 1024


@pytest.mark.parametrize("when", ["reading", "indexing"])
def test_cancelled_import_leaves_nothing(
    store: CaseStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, when: str
) -> None:
    monkeypatch.setattr(list_stream, "STREAM_BATCH_LINES", 500)
    rng = random.Random(3)
    path = tmp_path / "list.txt"
    path.write_text("".join(f"pdq {pdq_hex(rng)}\n" for _ in range(5000)))
    before = counts(store)
    job = Job()
    steps: list[str] = []

    def progress(_done: int, _total: int, message: str) -> None:
        steps.append(message)
        if (when == "reading" and len(steps) == 4) or message.startswith("building"):
            job.token.cancel()

    job.on_progress = progress
    with pytest.raises(errors.Cancelled) as info:
        import_hash_list(store, path, "to cancel", job)
    assert "Nothing was added" in info.value.hint
    assert counts(store) == before  # no list, no row, no index blob (file included)
    if when == "reading":
        assert not any(m.startswith("building") for m in steps)
    view, _, _ = import_hash_list(store, path, "again")  # and it imports cleanly afterwards
    assert view.entry_count == 5000


def test_failed_imports_leave_nothing(store: CaseStore, tmp_path: Path) -> None:
    rng = random.Random(4)
    good = tmp_path / "good.txt"
    good.write_text("".join(f"pdq {pdq_hex(rng)}\n" for _ in range(300)))
    import_hash_list(store, good, "first")
    before = counts(store)
    with pytest.raises(errors.NciiDeskError, match="already imported as 'first'"):
        import_hash_list(store, good, "twice")
    utf16 = tmp_path / "utf16.csv"
    utf16.write_text(f"kind,value\npdq,{pdq_hex(rng)}\n", encoding="utf-16")
    with pytest.raises(errors.InputFileError, match="UTF-16"):
        import_hash_list(store, utf16, None, Job())
    with pytest.raises(errors.InputFileError, match="not a file"):
        import_hash_list(store, tmp_path)
    nothing = tmp_path / "nothing.txt"
    nothing.write_text(f"pdq zz\npdq,{pdq_hex(rng)},90,no header\n")
    with pytest.raises(errors.NciiDeskError, match=r"no valid hashes \(2 bad line"):
        import_hash_list(store, nothing)
    assert counts(store) == before


def test_crlf_bom_and_trailing_spaces_import(store: CaseStore, tmp_path: Path) -> None:
    rng = random.Random(5)
    values = [pdq_hex(rng) for _ in range(4)]
    data = b"\xef\xbb\xbf" + b"".join(
        f"pdq {v.upper() if i % 2 else v}{' ' * i}\r\n".encode() for i, v in enumerate(values)
    )
    path = tmp_path / "windows.txt"
    path.write_bytes(data)
    view, bad, _ = import_hash_list(store, path)
    assert bad == [] and view.format == "pytx"
    assert [r[2] for r in stored_rows(store, view.id)] == values


def test_packed_index_finds_exactly_what_brute_force_finds(
    store: CaseStore, tmp_path: Path
) -> None:
    rng = random.Random(6)
    text = mixed_csv(rng, 3000)
    path = tmp_path / "list.csv"
    path.write_text(text)
    view, _, _ = import_hash_list(store, path, "searchable")
    parsed = parse_hash_list(text)
    matchable = [
        (i, e.value)
        for i, e in enumerate(parsed.entries)
        if e.kind == "pdq" and (e.quality is None or e.quality >= PDQ_MIN_QUALITY)
    ]
    stored = np.array([list(bytes.fromhex(v)) for _, v in matchable], np.uint8)
    gen = np.random.default_rng(6)
    near = stored[gen.choice(len(stored), 40)]
    flips = np.packbits(gen.random((40, 256)) < 0.1, axis=1)  # about 26 of 256 bits
    low = [bytes.fromhex(e.value) for e in parsed.entries if e.is_low_quality][:10]
    queries = np.vstack([near ^ flips, np.array([list(b) for b in low], np.uint8)])

    hl, index, positions = next(t for t in matching._list_indexes(store) if t[0].id == view.id)
    found = index.search(queries, 31)
    got = {
        (int(q), int(positions[e]), int(d))
        for q, e, d in zip(found.query_idx, found.entry_idx, found.distance, strict=True)
    }
    dist = np.bitwise_count(queries[:, None, :] ^ stored[None, :, :]).sum(axis=2)
    hits_q, hits_e = np.nonzero(dist <= 31)
    want = {
        (int(q), matchable[int(e)][0], int(dist[q, e])) for q, e in zip(hits_q, hits_e, strict=True)
    }
    assert got == want and len(want) >= 30  # low-quality hashes are not in the index
    assert hl.entry_count == len(parsed.entries)


def test_packed_index_round_trip_and_damage() -> None:
    gen = np.random.default_rng(8)
    rows = gen.integers(0, 256, size=(1000, 32), dtype=np.uint8)
    positions = np.arange(0, 3000, 3)
    data = pack_pdq_rows(rows, positions)
    index, got = unpack_pdq_index(data)
    assert got.tolist() == positions.tolist()
    assert np.array_equal(index.rows(), rows)
    damaged = bytearray(data)
    damaged[100] ^= 1
    with pytest.raises(ValueError, match="checksum"):
        unpack_pdq_index(bytes(damaged))
    empty_index, empty_positions = unpack_pdq_index(pack_pdq_rows(None, []))
    assert len(empty_index) == 0 and len(empty_positions) == 0


def test_cli_import_reports_json_and_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli: Any
) -> None:
    from conftest import PASSPHRASE, fast_kdf

    root = tmp_path / "desk"
    Vault.create(root, PASSPHRASE, kdf=fast_kdf(), actor="cli")[0].close()
    monkeypatch.setenv("NCII_DESK_VAULT", str(root))
    monkeypatch.setenv("NCII_DESK_PASSPHRASE", PASSPHRASE)
    rng = random.Random(9)
    path = tmp_path / "list.txt"
    path.write_text("".join(f"pdq {pdq_hex(rng)}\n" for _ in range(50)) + "pdq nope\n")
    r = cli("hashlist", "import", str(path), "--name", "shared", "--json")
    assert r.rc == 0, r.err
    out = r.json()
    assert out["list"]["entry_count"] == 50 and out["list"]["name"] == "shared"
    assert out["bad_lines"][0]["line"] == 51 and out["new_matches"] == 0
    other = tmp_path / "other.txt"
    other.write_text(f"pdq {pdq_hex(rng)}\n")
    r = cli("hashlist", "import", str(other))
    assert r.rc == 0 and "Imported 'other': 1 hash(es)" in r.out
