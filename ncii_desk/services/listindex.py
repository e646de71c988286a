"""A hash list's packed search index in the vault: written and read as one encrypted blob.

The byte layout is hashing/index_store.py's (the one module that knows every stored index
format); this module only moves those bytes in and out of the vault's blob store. It sits
below both services/hashlists.py (import writes the index) and services/matching.py
(matching reads it, and rewrites an index stored in an older layout), so neither imports
the other for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ncii_desk.vault import Vault
from ncii_desk.vault.blobs import BlobInfo
from ncii_desk.vault.models import Blob

if TYPE_CHECKING:
    from ncii_desk.hashing.index import HashIndex


def store_packed_index(vault: Vault, index: HashIndex, positions: Any) -> BlobInfo:
    """Encrypt a list's search index and its rows' positions as a packed index blob (the
    current version), buffer by buffer: no joined copy of the hashes and tables is made."""
    from ncii_desk.hashing.index_store import ChunkReader, packed_chunks

    return vault.blobs.put_stream(ChunkReader(packed_chunks(index, positions)))


def read_packed_index(vault: Vault, blob: Blob) -> tuple[HashIndex, Any, int | None]:
    """(index, positions, stored version) of a list's index blob, whatever its version;
    VaultError if the blob cannot be read, ValueError if its bytes are damaged."""
    from ncii_desk.hashing.index_store import packed_version, unpack_list_index

    data = vault.read_blob(blob)
    version = packed_version(data)
    index, positions = unpack_list_index(data)
    return index, positions, version
