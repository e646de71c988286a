"""Hashes are stored and read in bulk: adding many files keeps the window's thread free.

A task thread that builds thousands of ORM objects (one per stored hash, one per hash read
back for matching) set off full garbage collections that held the interpreter for hundreds
of milliseconds while the window waited (issue 17, bench/gui_stalls.py). The hashes of a
batch of items now go in a fixed number of statements, matching reads plain column values,
and the stored rows and the audit chain are the same as before.

Only generated, benign pictures are used (smooth random colour fields).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image
from sqlalchemy import event, select
from storekit import write_transactions

from ncii_desk.hashing.pipeline import hash_file
from ncii_desk.services import cases, hashstore, intake, matching
from ncii_desk.vault import Vault
from ncii_desk.vault.models import Analysis, AuditEvent, HashRecord, Role
from ncii_desk.vault.store import CaseStore


def _pictures(folder: Path, count: int, seed: int) -> Path:
    folder.mkdir(parents=True)
    rng = np.random.default_rng(seed)
    for i in range(count):
        small = rng.integers(0, 256, size=(5, 5, 3), dtype=np.uint8)
        img = np.asarray(Image.fromarray(small).resize((96, 96), Image.Resampling.BICUBIC))
        Image.fromarray(img).save(folder / f"p{i:03d}.png")
    return folder


@contextmanager
def _statements(vault: Vault) -> Iterator[list[str]]:
    """The SQL statements sent meanwhile (an executemany counts once)."""
    seen: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        seen.append(statement)

    event.listen(vault.engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(vault.engine, "before_cursor_execute", note)


def test_hashing_and_matching_send_as_many_statements_for_30_files_as_for_3(
    store: CaseStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # One store batch for either (a slow machine would otherwise store the 30 in two).
    monkeypatch.setattr(hashstore, "STORE_WAIT_S", 3600.0)
    counts = []
    for count in (3, 30):
        folder = _pictures(tmp_path / f"f{count}", count, seed=count)
        case_id = cases.new_case(store, f"case {count}").id
        added = intake.add_items(store, case_id, Role.SUSPECT, [folder])
        assert len(added.sources) == count
        with _statements(store) as seen:
            report = matching.hash_items(store, added.sources, workers=1)
        assert report.hashed == count and not report.errors
        counts.append(len(seen))
    # Old code: per file a read of the item, a transaction with an ORM flush of each hash,
    # a read of the newest audit event and the event; then two sessions per suspect to
    # search the hash lists. 30 files sent far more statements than 3.
    assert counts[0] == counts[1], counts
    assert store.verify_audit().ok


def test_a_batch_stores_each_items_hashes_features_and_event_in_order(
    store: CaseStore, tmp_path: Path
) -> None:
    folder = _pictures(tmp_path / "f", 5, seed=7)
    case_id = cases.new_case(store, "rows").id
    added = intake.add_items(store, case_id, Role.SUSPECT, [folder])
    results = [(item_id, hash_file(path, "suspect")) for item_id, path in added.sources]
    stored = matching.store_many_hashes(store, [*results[:2], ("0" * 32, results[2][1])])
    # An item no longer in the vault is left out; the others are stored.
    assert stored == {item_id: case_id for item_id, _ in results[:2]}
    matching.store_many_hashes(store, results[2:])
    with store.session() as s:
        for item_id, result in results:
            # Whole rows: a clinic store opened by a member opens sealed hash values on load.
            rows = [
                (h.kind, h.value, h.quality, h.variant, h.frame_ms)
                for h in s.scalars(
                    select(HashRecord).where(HashRecord.item_id == item_id).order_by(HashRecord.id)
                )
            ]
            expected = [("pdq", result.pdq, result.pdq_quality, "full", None)]
            expected += [("phash", result.phash, None, "full", None)]
            expected += [("dhash", result.dhash, None, "full", None)]
            expected += [
                (v.kind, v.value, v.quality, v.variant, v.frame_ms) for v in result.variants
            ]
            assert [tuple(r) for r in rows] == expected
            features = s.scalars(
                select(Analysis).where(
                    Analysis.item_id == item_id, Analysis.kind == matching.FEATURES_KIND
                )
            ).all()
            assert len(features) == 1 and features[0].result == result.features
        events = s.scalars(
            select(AuditEvent).where(AuditEvent.action == "item.hashed").order_by(AuditEvent.seq)
        ).all()
    assert [e.object_id for e in events] == [item_id for item_id, _ in results]
    report = store.verify_audit()
    assert report.ok and report.head_behind_by == 0, report.problems


def test_matching_reads_hashes_as_values_not_orm_objects(store: CaseStore, tmp_path: Path) -> None:
    case_id = cases.new_case(store, "values").id
    for role, seed in ((Role.ORIGINAL, 1), (Role.SUSPECT, 2)):
        folder = _pictures(tmp_path / role.value, 4, seed=seed)
        added = intake.add_items(store, case_id, role, [folder])
        matching.hash_items(store, added.sources, workers=1)
    # A suspect that is an original saved again: matching must still find it.
    again = tmp_path / "again"
    again.mkdir()
    Image.open(tmp_path / Role.ORIGINAL.value / "p000.png").convert("RGB").save(
        again / "copy.jpg", quality=90
    )
    added = intake.add_items(store, case_id, Role.SUSPECT, [again])
    loaded: list[object] = []

    def note(target: object, _context: Any) -> None:
        loaded.append(target)

    event.listen(HashRecord, "load", note)
    try:
        report = matching.hash_items(store, added.sources, workers=1)
    finally:
        event.remove(HashRecord, "load", note)
    assert report.new_matches == 1
    assert loaded == []  # old code: one HashRecord object per stored PDQ hash of the case


def test_hashing_items_from_the_vault_stores_them_in_one_transaction_per_batch(
    store: CaseStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(hashstore, "STORE_WAIT_S", 3600.0)
    folder = _pictures(tmp_path / "f", 12, seed=3)
    case_id = cases.new_case(store, "from the vault").id
    intake.add_items(store, case_id, Role.SUSPECT, [folder])  # stored, never hashed
    with _statements(store) as seen:
        report = matching.hash_missing(store, case_id)
    assert report.hashed == 12 and report.not_hashed == 0 and not report.errors
    # Old code: one write transaction per item.
    assert write_transactions(seen, store) == 1, write_transactions(seen, store)
    assert cases.get_case(store, case_id).unhashed == 0
    assert store.verify_audit().ok
