"""Case hand-over: export one case into a single encrypted, signed file, import it elsewhere.

The file format (encryption, chunks, frames) is in ``vault/handover_format.py``. This module
decides what goes in and how it comes out:

* Frames, in order: the case's blobs (``B`` start, ``D`` data pieces, ``E`` end), then its
  rows table by table (``R``), then the sender's audit events about the case (``A``), then
  the manifest (``M``) and the sender vault's Ed25519 signature over it (``S``, the vault's
  packet-signing key). The manifest holds the SHA-256 of every frame before it, the header's
  SHA-256 (so it is bound to this encryption), counts, every blob's SHA-256 and the sender's
  signing key and fingerprint.
* A suspected-minor case (or item) carries hashes only: no blob of it is written, its items
  say ``pixels_kept = false``.
* Import reads the whole file once to verify every chunk, the manifest and the signature
  without writing anything; the user then compares the sender's fingerprint; a second read
  writes blobs and rows in one database transaction, checking that the stream is the one
  verified. Stored files are written first, committed in batches and listed in the
  ``handover.partial_import`` setting; the rows, the sender's audit events and the import's
  own audit event follow in one transaction that also clears that list. A process killed
  mid-way leaves no row of the case: running the same file again goes on from the stored
  files already committed (each checked against the verified file's SHA-256); importing a
  different file first deletes them. Any other failure deletes the files written.

Modules: ``rows`` (what a file carries: tables, rows, keys, fingerprints), ``export``
(writing the file), ``verify`` (reading it once without writing: chunks, manifest,
signature), ``importing`` (writing a verified file's blobs and rows, resuming, history).
"""

from __future__ import annotations

from ncii_desk.services.handover.export import (
    ExportResult,
    _case_filters,
    export_case,
)
from ncii_desk.services.handover.importing import (
    IMPORT_STARTED_ACTION,
    IMPORTED_ACTION,
    PARTIAL_DISCARDED_ACTION,
    PARTIAL_KEY,
    RESUME_BATCH_BYTES,
    RESUME_BATCH_FILES,
    discard_partial_import,
    import_case,
    imported_history,
)
from ncii_desk.services.handover.rows import (
    BLOB_COLUMNS,
    BLOB_PIECE,
    CASE_TABLES,
    EXPORTED_ACTION,
    LOCAL_ID_TABLES,
    MANIFEST_FORMAT,
    REF_COLUMNS,
    SIGNED_PREFIX,
    RecipientKey,
    normal_fingerprint,
    public_key,
    read_recipient_key,
    signing_fingerprint,
)
from ncii_desk.services.handover.verify import (
    HandoverInfo,
    ImportResult,
    _frames,
    verify_file,
)

__all__ = [
    "BLOB_COLUMNS",
    "BLOB_PIECE",
    "CASE_TABLES",
    "EXPORTED_ACTION",
    "IMPORTED_ACTION",
    "IMPORT_STARTED_ACTION",
    "LOCAL_ID_TABLES",
    "MANIFEST_FORMAT",
    "PARTIAL_DISCARDED_ACTION",
    "PARTIAL_KEY",
    "REF_COLUMNS",
    "RESUME_BATCH_BYTES",
    "RESUME_BATCH_FILES",
    "SIGNED_PREFIX",
    "ExportResult",
    "HandoverInfo",
    "ImportResult",
    "RecipientKey",
    "_case_filters",
    "_frames",
    "discard_partial_import",
    "export_case",
    "import_case",
    "imported_history",
    "normal_fingerprint",
    "public_key",
    "read_recipient_key",
    "signing_fingerprint",
    "verify_file",
]
