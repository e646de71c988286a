"""A first slice of the service tests, run on both stores through the `store` fixture
(tests/conftest.py): a laptop vault (SQLCipher) and a clinic store (a real PostgreSQL server).

The services take the store exactly as they take a Vault today; nothing here knows which
backend it runs on. More service tests follow the same way: take `store` instead of `vault`
(and reach files through `store.blobs`, never through a vault folder).
"""

from __future__ import annotations

import hashlib
import io
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image
from sqlalchemy import select

from ncii_desk.clinic.store import ClinicStore
from ncii_desk.errors import CaseNotFound, NciiDeskError
from ncii_desk.services import cases, intake, items, vaults
from ncii_desk.vault.models import AuditEvent, Role


def _png(path: Path, seed: int) -> Path:
    """A generated, benign picture (random blocks), different for each seed."""
    rng = np.random.default_rng(seed)
    blocks = rng.integers(0, 256, size=(8, 8, 3), dtype=np.uint8)
    picture = Image.fromarray(np.kron(blocks, np.ones((16, 16, 1), dtype=np.uint8)))
    buf = io.BytesIO()
    picture.save(buf, format="PNG")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buf.getvalue())
    return path


def _actions(store: Any) -> list[str]:
    with store.session() as s:
        return list(s.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)))


def test_cases_are_created_listed_found_and_refused_twice(store: Any) -> None:
    first = cases.new_case(store, "Case 2026-014", client_pseudonym="R.", jurisdiction="ES")
    second = cases.new_case(store, "Case 2026-015", consent={"contact_platforms": True})
    listed = cases.list_cases(store)
    assert sorted(c.label for c in listed) == ["Case 2026-014", "Case 2026-015"]
    assert cases.get_case(store, "case 2026-014").id == first.id  # label, any letter case
    assert cases.get_case(store, second.id[:8]).label == "Case 2026-015"  # id prefix
    with pytest.raises(NciiDeskError, match="already exists"):
        cases.new_case(store, "CASE 2026-014")
    with pytest.raises(CaseNotFound):
        cases.get_case(store, "no such case")
    # A clinic case also gets its signed first membership record (per-case keys).
    actions = [a for a in _actions(store) if a.startswith("case.") and a != "case.membership"]
    assert actions == ["case.created"] * 2
    memberships = _actions(store).count("case.membership")
    assert memberships == (2 if isinstance(store, ClinicStore) else 0)


def test_items_are_added_with_per_file_errors_and_read_back(store: Any, tmp_path: Path) -> None:
    case = cases.new_case(store, "Case A")
    files = [_png(tmp_path / "in" / f"photo-{i}.png", i) for i in range(3)]
    empty = tmp_path / "in" / "empty.png"
    empty.write_bytes(b"")
    result = intake.add_items(store, case.id, Role.ORIGINAL, [*files, empty])
    assert len(result.added) == 3
    assert [e.path for e in result.errors] == [str(empty)]
    again = intake.add_items(store, case.id, Role.ORIGINAL, [files[0]])
    assert again.added == [] and len(again.already_in_case) == 1

    listed = items.list_items(store, case.id)
    assert sorted(i.original_filename for i in listed) == [f.name for f in files]
    by_name = {i.original_filename: i for i in listed}
    out = tmp_path / "out"
    out.mkdir()
    for f in files:
        item = by_name[f.name]
        assert item.sha256 == hashlib.sha256(f.read_bytes()).hexdigest()
        exported = items.export_item(store, item.id, out, reason="test")
        assert exported.read_bytes() == f.read_bytes()
    actions = _actions(store)
    assert actions.count("item.exported") == 3
    assert sum(1 for a in actions if a.startswith("item.added")) >= 1


def test_audit_verify_after_work_on_either_backend(store: Any, tmp_path: Path) -> None:
    case = cases.new_case(store, "Case V")
    intake.add_items(store, case.id, Role.SUSPECT, [_png(tmp_path / "s.png", 7)])
    report = vaults.verify_audit(store)
    assert report.ok, report.problems
    assert report.events == len(_actions(store))
    assert report.head_seq == report.events


def test_integrity_check_finds_an_altered_blob_and_a_stray_file(store: Any, tmp_path: Path) -> None:
    case = cases.new_case(store, "Case C")
    intake.add_items(store, case.id, Role.SUSPECT, [_png(tmp_path / "s.png", 11)])
    clean = store.check()
    assert clean.ok, clean.problems
    assert clean.blobs_checked == 1
    [blob_id] = list(store.blobs.ids())
    path = store.blobs.path_for(blob_id)
    data = bytearray(path.read_bytes())
    data[-40] ^= 0x01  # one bit of the last chunk's ciphertext
    path.write_bytes(bytes(data))
    stray = store.blobs.put_bytes(b"no row names this")
    report = store.check()
    assert not report.ok
    problems = [p.message for p in report.problems]
    assert len(problems) == 2, problems
    assert any("without a database record" in m for m in problems)
    assert any(p.file.endswith(blob_id) or blob_id in (p.entry or "") for p in report.problems)
    assert stray.blob_id in " ".join(p.file for p in report.problems)


def test_values_longer_than_a_declared_length_are_kept_on_both_backends(store: Any) -> None:
    """SQLite never enforced String(n) lengths, so vaults hold longer values (a 64-character
    matching version in a String(50) column); a clinic store must take them too."""
    from ncii_desk.vault.models import Analysis, EvidenceItem, Source

    label = "Case " + "x" * 295  # cases.label is String(200)
    case = cases.new_case(store, label)
    with store.transaction() as s:
        item = EvidenceItem(
            case_id=case.id,
            role=Role.SUSPECT,
            source=Source.FILE,
            size=0,
            mime="image/png",
            sha256="0" * 64,
            md5="0" * 32,
        )
        s.add(item)
        s.flush()
        s.add(
            Analysis(
                item_id=item.id,
                kind="match-screening",
                result={},
                producer="ncii-desk matching",
                producer_version="v" * 120,  # String(50)
            )
        )
    assert cases.get_case(store, case.id).label == label
    with store.session() as s:
        assert s.scalars(select(Analysis.producer_version)).one() == "v" * 120


def test_a_hash_list_with_variant_rows_is_imported_and_matched(store: Any, tmp_path: Path) -> None:
    from sqlalchemy import func

    from ncii_desk.services import hashlists
    from ncii_desk.services.matching import hash_items
    from ncii_desk.vault.models import HashListEntry

    case = cases.new_case(store, "Case L")
    files = [_png(tmp_path / "in" / f"photo-{i}.png", 40 + i) for i in range(2)]
    added = intake.add_items(store, case.id, Role.ORIGINAL, files)
    hash_items(store, added.sources, workers=1)
    out = tmp_path / "list.csv"
    with out.open("w", encoding="utf-8") as fh:
        written = hashlists.export_case_hashes(store, case.id, "csv", fh)
    assert written > 2  # canonical hashes and the variant rows of two pictures
    other = cases.new_case(store, "Case M")
    suspect = intake.add_items(store, other.id, Role.SUSPECT, [files[0]])
    hash_items(store, suspect.sources, workers=1)
    view, bad, matches = hashlists.import_hash_list(store, out, name="shared list")
    assert bad == [] and view.entry_count == written
    with store.session() as s:
        rows = s.scalar(select(func.count()).select_from(HashListEntry))
        tagged = s.scalar(
            select(func.count())
            .select_from(HashListEntry)
            .where(HashListEntry.variant.is_not(None), HashListEntry.original.is_not(None))
        )
    assert rows == written
    assert tagged and tagged < written  # variants keep their tag and their picture's PDQ
    assert matches >= 1  # the suspect is one of the listed pictures
    assert "hashlist.imported" in _actions(store)


def test_the_case_list_costs_the_same_statements_for_3_or_12_cases(store: Any) -> None:
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    def listed() -> int:
        statements.clear()
        event.listen(Engine, "before_cursor_execute", count)
        try:
            views = cases.list_cases(store)
        finally:
            event.remove(Engine, "before_cursor_execute", count)
        assert all(v.originals == 0 and v.open_requests == 0 for v in views)
        return len(statements)

    for i in range(3):
        cases.new_case(store, f"Case {i}")
    few = listed()
    for i in range(3, 12):
        cases.new_case(store, f"Case {i}")
    assert listed() == few  # no query per case: one round trip each on a clinic server
