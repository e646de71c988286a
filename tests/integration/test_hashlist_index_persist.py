"""A hash list's search tables are stored in its encrypted index blob: after an unlock the
list is ready to match without building them; an index in the older format, or a damaged
one, is rebuilt once (from what is stored) with a message, never giving wrong matches."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import select

from conftest import PASSPHRASE
from ncii_desk.hashing.index import HashIndex, brute_force_search, rows_to_hex
from ncii_desk.services import matching
from ncii_desk.services.hashlists import (
    import_hash_list,
    pack_pdq_rows,
    packed_version,
    unpack_pdq_index,
)
from ncii_desk.vault import Vault
from ncii_desk.vault.models import AuditEvent, Blob, HashList

ENTRIES = 24_000  # enough for multi-index tables (brute force is chosen below ~20,000)


@pytest.fixture
def listed(vault: Vault, tmp_path: Path) -> tuple[Vault, np.ndarray, np.ndarray]:
    rows = np.random.default_rng(5).integers(0, 256, (ENTRIES, 32), dtype=np.uint8)
    path = tmp_path / "clinic.txt"
    path.write_text("".join(f"pdq {h}\n" for h in rows_to_hex(rows)))
    import_hash_list(vault, path, "clinic")
    queries = rows[::997].copy()
    queries[:, 3] ^= 0x0F  # 4 bits away from a listed hash
    queries[::2, 10] ^= 0xFF  # 12 bits away
    return vault, rows, queries


def _reopen(vault: Vault) -> Vault:
    root = vault.root
    vault.close()
    return Vault.open(root, passphrase=PASSPHRASE, actor="test-advocate")


def _blob(vault: Vault) -> tuple[HashList, Blob]:
    with vault.session() as s:
        hl = s.scalars(select(HashList)).one()
        blob = s.get(Blob, hl.pdq_index_blob_id)
        assert blob is not None
        return hl, blob


def _replace_blob(vault: Vault, data: bytes) -> str:
    """Store ``data`` as the list's index blob in place of the one it has; its id."""
    with vault.transaction() as s:
        hl = s.scalars(select(HashList)).one()
        old = hl.pdq_index_blob_id
        info = vault.blobs.put_bytes(data)
        vault.store_blob(s, info)
        hl.pdq_index_blob_id = info.blob_id
        assert old is not None
        vault.drop_blob(s, old)
        return info.blob_id


def _search_pairs(index: HashIndex, positions: np.ndarray, queries: np.ndarray) -> set[tuple]:
    found = index.search(queries, 31)
    return {
        (int(q), int(positions[e]), int(d))
        for q, e, d in zip(found.query_idx, found.entry_idx, found.distance, strict=True)
    }


def _expected(rows: np.ndarray, queries: np.ndarray) -> set[tuple]:
    truth = brute_force_search(rows, queries, 31)
    return {
        (int(q), int(e), int(d))
        for q, e, d in zip(truth.query_idx, truth.entry_idx, truth.distance, strict=True)
    }


def _rebuilt_events(vault: Vault) -> list[dict]:
    with vault.session() as s:
        events = s.scalars(
            select(AuditEvent).where(AuditEvent.action == "hashlist.index_rebuilt")
        ).all()
        return [json.loads(e.details) for e in events]


def test_stored_tables_are_used_after_unlock_without_a_build(listed: tuple) -> None:
    vault, rows, queries = listed
    _, blob = _blob(vault)
    assert packed_version(vault.read_blob(blob)) == 3
    vault = _reopen(vault)
    try:
        [(_, index, positions)] = matching._list_indexes(vault)
        assert index.tables_loaded and index.blocks > 0 and index.builds == 0
        assert _search_pairs(index, positions, queries) == _expected(rows, queries)
        assert index.method == "mih" and index.builds == 0  # searched with the stored tables
        assert matching.list_index_notices(vault) == [] and _rebuilt_events(vault) == []
    finally:
        vault.close()


def test_an_index_in_the_older_format_is_rebuilt_once_with_a_message(listed: tuple) -> None:
    vault, rows, queries = listed
    _, blob = _blob(vault)
    index, positions = unpack_pdq_index(vault.read_blob(blob))
    older = _replace_blob(vault, pack_pdq_rows(np.array(index.rows()), positions, version=2))
    vault = _reopen(vault)
    try:
        [(_, index, positions)] = matching._list_indexes(vault)
        assert _search_pairs(index, positions, queries) == _expected(rows, queries)
        [notice] = matching.list_index_notices(vault)
        assert "'clinic'" in notice and "older format (version 2)" in notice
        assert "rebuilt and stored again" in notice
        [event] = _rebuilt_events(vault)
        assert event["entries"] == ENTRIES and "older format" in event["reason"]
        _, new_blob = _blob(vault)
        assert new_blob.id != older and packed_version(vault.read_blob(new_blob)) == 3
        vault = _reopen(vault)
        [(_, index, _)] = matching._list_indexes(vault)
        assert index.tables_loaded and index.builds == 0
        assert matching.list_index_notices(vault) == [] and len(_rebuilt_events(vault)) == 1
        with vault.session() as s:
            assert s.get(Blob, older) is None  # the old blob is gone
        assert not vault.blobs.path_for(older).exists()
    finally:
        vault.close()


@pytest.mark.parametrize("damage", ["tables", "encrypted file"])
def test_a_damaged_index_is_rebuilt_from_the_entries(listed: tuple, damage: str) -> None:
    vault, rows, queries = listed
    _, blob = _blob(vault)
    if damage == "tables":
        # A readable blob whose search tables are wrong (zeroed entry numbers).
        data = bytearray(vault.read_blob(blob))
        data[-ENTRIES * 4 : -ENTRIES * 2] = bytes(ENTRIES * 2)
        _replace_blob(vault, bytes(data))
    else:
        path = vault.blobs.path_for(blob.id)
        raw = bytearray(path.read_bytes())
        raw[len(raw) // 2] ^= 0x40
        path.write_bytes(bytes(raw))
    vault = _reopen(vault)
    try:
        [(_, index, positions)] = matching._list_indexes(vault)
        assert _search_pairs(index, positions, queries) == _expected(rows, queries)
        [notice] = matching.list_index_notices(vault)
        assert "damaged stored search index" in notice and "rebuilt" in notice
        [event] = _rebuilt_events(vault)
        assert "damaged" in event["reason"]
        vault = _reopen(vault)
        [(_, index, positions)] = matching._list_indexes(vault)
        assert index.tables_loaded and index.builds == 0
        assert _search_pairs(index, positions, queries) == _expected(rows, queries)
    finally:
        vault.close()
