"""A batch of files is recorded in a fixed number of SQL statements, with the same rows, the
same audit chain and the same duplicate rules as recording each file on its own.

Only generated, benign bytes are used (random bytes behind a PNG signature).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, select
from storekit import blob_files, is_laptop

from ncii_desk.errors import NciiDeskError
from ncii_desk.services import cases, intake
from ncii_desk.vault import Vault
from ncii_desk.vault.models import AuditEvent, Blob, Capture, EvidenceItem, Role
from ncii_desk.vault.store import CaseStore

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _folder(root: Path, count: int, *, first: int = 0) -> Path:
    """``count`` small pictures of distinct sizes (a size seen in the batch splits it)."""
    root.mkdir(parents=True)
    for i in range(count):
        (root / f"p{i:03d}.png").write_bytes(PNG_MAGIC + os.urandom(1000 + 37 * (first + i)))
    return root


@contextmanager
def _statements(vault: Vault) -> Iterator[list[str]]:
    """The SQL statements sent to the database meanwhile (an executemany counts once)."""
    seen: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        seen.append(statement)

    event.listen(vault.engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(vault.engine, "before_cursor_execute", note)


def test_a_batch_is_recorded_in_the_same_number_of_statements_whatever_its_size(
    store: CaseStore, tmp_path: Path
) -> None:
    small = _folder(tmp_path / "small", 4)
    large = _folder(tmp_path / "large", 40, first=4)
    counts = []
    for folder in (small, large):
        case_id = cases.new_case(store, f"case {folder.name}").id
        with _statements(store) as seen:
            result = intake.add_items(store, case_id, Role.SUSPECT, [folder])
        assert not result.errors
        assert len(result.added) == len(list(folder.iterdir()))
        counts.append(len(seen))
    # Old code: about 9 statements per file (savepoint, capture, blob lookup, duplicate
    # lookup, blob, item, newest audit event, audit event, release), so 40 files sent far
    # more than 4 did.
    assert counts[0] == counts[1], counts
    assert counts[1] < 40, counts
    report = store.verify_audit()
    assert report.ok, report.problems
    assert store.check().ok


def test_batches_chain_the_audit_events_in_the_order_of_the_files(
    store: CaseStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(intake, "BATCH_FILES", 4)
    folder = _folder(tmp_path / "f", 10)
    case_id = cases.new_case(store, "chained").id
    result = intake.add_items(store, case_id, Role.SUSPECT, [folder])
    assert [v.original_filename for v in result.added] == sorted(p.name for p in folder.iterdir())
    with store.session() as s:
        events = s.scalars(
            select(AuditEvent).where(AuditEvent.action == "item.added").order_by(AuditEvent.seq)
        ).all()
        seqs = list(s.scalars(select(AuditEvent.seq).order_by(AuditEvent.seq)))
        intake_order = list(
            s.scalars(
                select(EvidenceItem.id)
                .where(EvidenceItem.case_id == case_id)
                .order_by(EvidenceItem.intake_at)
            )
        )
    assert seqs == list(range(1, len(seqs) + 1))
    assert [e.object_id for e in events] == [v.id for v in result.added] == intake_order
    report = store.verify_audit()
    assert report.ok and report.head_behind_by == 0, report.problems


def _normalised(vault: Vault, case_id: str) -> list[dict[str, Any]]:
    """Each item of a case with its capture, blob and ``item.added`` event, ids and clock
    times replaced by what they point at (file names, digests)."""
    with vault.session() as s:
        items = s.scalars(
            select(EvidenceItem)
            .where(EvidenceItem.case_id == case_id)
            .order_by(EvidenceItem.intake_at)
        ).all()
        names = {i.id: i.original_filename for i in items}
        out = []
        for item in items:
            row = {
                c.key: getattr(item, c.key)
                for c in EvidenceItem.__table__.columns
                if c.key not in ("id", "case_id", "intake_at", "blob_id", "capture_id")
            }
            row["duplicate_of"] = names[item.duplicate_of] if item.duplicate_of else None
            blob = s.get(Blob, item.blob_id) if item.blob_id else None
            row["blob"] = None if blob is None else (blob.sha256, blob.size, blob.chunk_size)
            capture = s.get(Capture, item.capture_id)
            assert capture is not None and capture.case_id == case_id
            row["capture"] = {
                c.key: getattr(capture, c.key)
                for c in Capture.__table__.columns
                if c.key not in ("id", "case_id", "started_at", "ended_at", "details")
            }
            # the second intake of a file may find another access time (it read the file)
            row["capture"]["details"] = {
                k: v for k, v in capture.details.items() if k != "accessed_at"
            }
            audit = s.scalars(
                select(AuditEvent).where(
                    AuditEvent.action == "item.added", AuditEvent.object_id == item.id
                )
            ).one()
            details = json.loads(audit.details)
            assert details.pop("case_id") == case_id
            assert details.pop("capture_id") == item.capture_id
            details["duplicate_of"] = (
                names[details["duplicate_of"]] if details["duplicate_of"] else None
            )
            row["audit"] = (audit.actor, details)
            out.append(row)
        return out


def test_rows_are_those_of_recording_file_by_file(
    store: CaseStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Same bytes twice in one batch (``again``), bytes another case already stored (blob
    row reused) and bytes this case already holds (``duplicate_of``): recorded as a batch
    and file by file (the path taken when the batch cannot be recorded at once), the rows
    are the same."""
    earlier = PNG_MAGIC + os.urandom(5000)
    twice = PNG_MAGIC + os.urandom(6000)
    folder = _folder(tmp_path / "batch", 5)
    (folder / "twice-a.png").write_bytes(twice)
    (folder / "twice-b.png").write_bytes(twice)
    (folder / "earlier.png").write_bytes(earlier)
    first = tmp_path / "first"
    first.mkdir()
    (first / "earlier.png").write_bytes(earlier)

    def one_by_one(*_args: Any) -> Any:
        raise NciiDeskError("recorded file by file instead")

    results = {}
    for how in ("batch", "file by file"):
        case_id = cases.new_case(store, how).id
        intake.add_items(store, case_id, Role.SUSPECT, [first / "earlier.png"])
        with monkeypatch.context() as m:
            if how == "file by file":
                m.setattr(intake, "_record_batch", one_by_one)
            result = intake.add_items(store, case_id, Role.SUSPECT, [folder], again=True)
        assert not result.errors
        assert len(result.added) == 8
        views = {v.original_filename: v for v in result.added}
        assert views["twice-b.png"].duplicate_of == views["twice-a.png"].id
        assert views["earlier.png"].duplicate_of is not None
        results[how] = (case_id, result)

    batch = _normalised(store, results["batch"][0])
    single = _normalised(store, results["file by file"][0])
    assert batch == single
    # The views handed back are those of the rows stored.
    for case_id, result in results.values():
        with store.session() as s:
            stored = {
                i.id: i
                for i in s.scalars(select(EvidenceItem).where(EvidenceItem.case_id == case_id))
            }
        for view in result.added:
            row = stored[view.id]
            assert (view.sha256, view.size, view.duplicate_of, view.pixels_kept) == (
                row.sha256,
                row.size,
                row.duplicate_of,
                row.pixels_kept,
            )
    with store.session() as s:
        # Whole rows: a member's clinic store opens sealed hash values on load.
        blob_shas = [b.sha256 for b in s.scalars(select(Blob))]
    # 5 + twice + earlier, each stored once: in all on a laptop vault, once per case on a
    # clinic store (each case's files under its own key)
    copies = 1 if is_laptop(store) else 2
    assert len(set(blob_shas)) == 7 and len(blob_shas) == 7 * copies
    assert len(blob_files(store)) == 7 * copies
    report = store.verify_audit()
    assert report.ok, report.problems
    assert store.check().ok
