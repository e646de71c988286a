"""A hash list's packed search index in the vault: written, read, kept loaded, rebuilt.

The byte layout is hashing/index_store.py's (the one module that knows every stored index
format); this module moves those bytes in and out of the vault's blob store, keeps each
list's index loaded once per unlocked vault, and rebuilds (and stores again) an index kept
in an older layout or damaged. It sits below both services/hashlists.py (import writes the
index) and services/matching.py (matching searches it), so neither imports the other for
it; matching re-exports ``list_index_notices`` (and ``list_indexes`` as ``_list_indexes``)
for older callers.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any

import numpy as np
from sqlalchemy import select

from ncii_desk.clinic.hashseal import opened
from ncii_desk.errors import NciiDeskError
from ncii_desk.hashing.kinds import PDQ
from ncii_desk.vault.blobs import BlobInfo
from ncii_desk.vault.models import Blob, HashList, HashListEntry
from ncii_desk.vault.store import CaseStore

if TYPE_CHECKING:
    from ncii_desk.hashing.index import HashIndex


def store_packed_index(vault: CaseStore, index: HashIndex, positions: Any) -> BlobInfo:
    """Encrypt a list's search index and its rows' positions as a packed index blob (the
    current version), buffer by buffer: no joined copy of the hashes and tables is made."""
    from ncii_desk.hashing.index_store import ChunkReader, packed_chunks

    # A hash list belongs to no case: under the clinic's (or the vault's) own key.
    return vault.case_blobs(None).put_stream(ChunkReader(packed_chunks(index, positions)))


def read_packed_index(vault: CaseStore, blob: Blob) -> tuple[HashIndex, Any, int | None]:
    """(index, positions, stored version) of a list's index blob, whatever its version;
    VaultError if the blob cannot be read, ValueError if its bytes are damaged."""
    from ncii_desk.hashing.index import HashIndex
    from ncii_desk.hashing.index_store import packed_version, unpack_list_index

    data = vault.read_blob(blob)
    version = packed_version(data)
    index, positions = unpack_list_index(HashIndex, data)
    return index, positions, version


_LIST_INDEXES: weakref.WeakKeyDictionary[CaseStore, dict[str, tuple[Any, Any]]] = (
    weakref.WeakKeyDictionary()
)
_LIST_NOTICES: weakref.WeakKeyDictionary[CaseStore, list[str]] = weakref.WeakKeyDictionary()


def list_index_notices(vault: CaseStore) -> list[str]:
    """Messages about hash-list search indexes rebuilt since the last call (an index stored
    in an older format, or a damaged one): each is also in the audit log."""
    return _LIST_NOTICES.pop(vault, [])


def list_indexes(vault: CaseStore) -> list[tuple[HashList, Any, Any]]:
    """Each imported list's PDQ search index, loaded once per unlocked vault.

    The index blob holds the search tables (packed index version 3), so a list of 10 M
    hashes is ready to match once the blob is read and decrypted. A blob in an older format
    (no tables), a damaged one or none at all is rebuilt from what is stored, written back
    as version 3 (once) and reported (:func:`list_index_notices` and the audit log)."""
    cache = _LIST_INDEXES.setdefault(vault, {})
    out = []
    with vault.session() as s:
        lists = list(s.scalars(select(HashList).order_by(HashList.imported_at)))
    for hl in lists:
        if hl.id not in cache:
            cache[hl.id] = _load_list_index(vault, hl)
        index, positions = cache[hl.id]
        out.append((hl, index, positions))
    return out


def _load_list_index(vault: CaseStore, hl: HashList) -> tuple[Any, Any]:
    from ncii_desk.errors import VaultError
    from ncii_desk.hashing.index_store import PACK_VERSION

    problem = "had no stored search index"
    blob = None
    if hl.pdq_index_blob_id is not None:
        with vault.session() as s:
            blob = s.get(Blob, hl.pdq_index_blob_id)
        if blob is None:
            problem = "had lost its stored search index"
    loaded = None
    if blob is not None:
        try:
            index, positions, version = read_packed_index(vault, blob)
            loaded = index, positions
            if version == PACK_VERSION:
                return loaded
            problem = f"had its search index stored in an older format (version {version})"
        except (VaultError, ValueError) as exc:
            detail = getattr(exc, "message", None) or str(exc)
            problem = f"had a damaged stored search index ({detail})"
    index, positions = loaded if loaded is not None else _index_from_entries(vault, hl)
    _store_list_index(vault, hl, index, positions, problem)
    return index, positions


def _index_from_entries(vault: CaseStore, hl: HashList) -> tuple[Any, Any]:
    """A list's search index built from its entry rows in the database."""
    from ncii_desk.hashing.index import HashIndex, hex_to_rows

    with vault.session() as s:
        rows = s.execute(
            select(HashListEntry.position, HashListEntry.value)
            .where(
                HashListEntry.list_id == hl.id,
                HashListEntry.kind == PDQ.name,
                (HashListEntry.quality.is_(None)) | (HashListEntry.quality >= PDQ.min_quality),
            )
            .order_by(HashListEntry.position)
        ).all()
        values = [opened(s, "hash_list_entries", "value", r.value) for r in rows]
    index = HashIndex(PDQ.bits)
    if rows:
        index.add(hex_to_rows(values, PDQ.bits))
    return index, np.asarray([r.position for r in rows], np.int64)


def _store_list_index(
    vault: CaseStore, hl: HashList, index: Any, positions: Any, problem: str
) -> None:
    """Write a rebuilt index as the list's blob (version 3), drop the old one, say so."""
    from ncii_desk.hashing.index_store import PACK_VERSION

    message = (
        f"Hash list '{hl.name}' {problem}: it was rebuilt and stored again "
        f"(format {PACK_VERSION}); later unlocks use it without rebuilding."
    )
    try:
        info = store_packed_index(vault, index, positions)
    except (NciiDeskError, OSError) as exc:  # matching goes on with the index in memory
        detail = getattr(exc, "message", None) or str(exc)
        _LIST_NOTICES.setdefault(vault, []).append(
            f"Hash list '{hl.name}' {problem}: it was rebuilt for this session but could not "
            f"be stored ({detail}); it will be rebuilt at the next unlock."
        )
        return
    try:
        with vault.transaction() as s:
            row = s.get(HashList, hl.id)
            if row is None:  # the list went away meanwhile
                raise LookupError(hl.id)
            old = row.pdq_index_blob_id
            vault.store_blob(s, info)
            row.pdq_index_blob_id = info.blob_id
            if old is not None and s.get(Blob, old) is not None:
                vault.drop_blob(s, old)
            vault.audit(
                s,
                "hashlist.index_rebuilt",
                hl.id,
                {"name": hl.name, "reason": problem, "entries": len(index)},
            )
    except LookupError:
        vault.blobs.delete(info.blob_id)
        return
    hl.pdq_index_blob_id = info.blob_id
    _LIST_NOTICES.setdefault(vault, []).append(message)
