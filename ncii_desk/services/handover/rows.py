"""What a hand-over file carries: the case tables, their rows, the vault's keys and
fingerprints."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Table

from ncii_desk.documents import packet_seal
from ncii_desk.errors import HandoverCorrupt, InvalidSetting
from ncii_desk.vault import handover_format as fmt
from ncii_desk.vault.models import (
    Analysis,
    Capture,
    Case,
    EvidenceItem,
    FaceReference,
    HashRecord,
    Match,
    Recheck,
    RemovalRequest,
)
from ncii_desk.vault.store import CaseStore

RecipientKey = fmt.RecipientKey
SIGNED_PREFIX = b"ncii-desk case hand-over manifest v1\n"
MANIFEST_FORMAT = "ncii-desk-case-handover-manifest"
EXPORTED_ACTION = "case.exported"
BLOB_PIECE = 256 * 1024

#: Every table keyed to a case, in an order where each row's references come before it.
CASE_TABLES: tuple[Table, ...] = tuple(
    cast(Table, m.__table__)
    for m in (
        Case,
        Capture,
        EvidenceItem,
        HashRecord,
        Analysis,
        Match,
        RemovalRequest,
        Recheck,
        FaceReference,
    )
)
#: Columns that hold a blob id (renamed on import: the receiving vault names its own blobs).
BLOB_COLUMNS = {
    ("items", "blob_id"),
    ("captures", "warc_blob_id"),
    ("removal_requests", "document_blob_id"),
}
#: Columns that name a row of the case (renamed for --as-copy).
REF_COLUMNS = {
    "case_id",
    "item_id",
    "capture_id",
    "duplicate_of",
    "suspect_item_id",
    "target_item_id",
    "analysis_id",
}
#: Tables whose integer ids the receiving vault assigns (they are not carried).
LOCAL_ID_TABLES = {"hashes"}


# --- keys and fingerprints --------------------------------------------------------------------


def public_key(vault: CaseStore) -> RecipientKey:
    """This vault's hand-over public key (X25519), to give to senders."""
    private = fmt.derive_recipient_key(vault.export_key, uuid.UUID(vault.vault_id).bytes)
    return RecipientKey(fmt.raw_x25519_public(private.public_key()), vault.vault_id)


def signing_fingerprint(vault: CaseStore) -> str:
    """The fingerprint of this vault's signing key, which signs its hand-over files."""
    return packet_seal.public_info(
        packet_seal.derive_key(vault.export_key, vault.vault_id)
    ).fingerprint


def read_recipient_key(path: Path) -> RecipientKey:
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidSetting(
            f"The recipient key file {path} could not be read ({exc}).",
            "Give the .pub file the recipient made with 'ncii-desk vault pubkey --out FILE'.",
        ) from None
    return RecipientKey.from_text(text)


# --- rows as JSON -------------------------------------------------------------------------


def _encode_row(table: Table, row: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    dts: list[str] = []
    for name, value in row.items():
        if isinstance(value, datetime):
            dts.append(name)
            out[name] = value.isoformat()
        elif isinstance(value, enum.Enum):
            out[name] = value.value
        else:
            out[name] = value
    return {"t": table.name, "r": out, "dt": dts}


def _decode_row(payload: dict[str, Any]) -> tuple[Table, dict[str, Any]]:
    table = _TABLES_BY_NAME.get(str(payload.get("t")))
    row = payload.get("r")
    if table is None or not isinstance(row, dict):
        raise HandoverCorrupt("The hand-over file holds a record of an unknown kind.")
    try:
        for name in payload.get("dt", []):
            if row.get(name) is not None:
                row[name] = datetime.fromisoformat(row[name])
        for column in table.columns:
            enum_class = getattr(column.type, "enum_class", None)
            if enum_class is not None and row.get(column.name) is not None:
                row[column.name] = enum_class(row[column.name])
    except (TypeError, ValueError):
        raise HandoverCorrupt(
            f"The hand-over file holds a {table.name} record with a value of the wrong kind."
        ) from None
    unknown = set(row) - {c.name for c in table.columns}
    if unknown:
        raise HandoverCorrupt(
            f"The hand-over file has columns this version does not know ({sorted(unknown)[0]}).",
            "Update NCII Desk to the sender's version and import again.",
        )
    return table, row


_TABLES_BY_NAME = {t.name: t for t in CASE_TABLES}
#: Which table each reference column points into (all of them inside the file).
_REF_TARGETS = {
    "case_id": "cases",
    "item_id": "items",
    "suspect_item_id": "items",
    "target_item_id": "items",
    "duplicate_of": "items",
    "capture_id": "captures",
    "analysis_id": "analyses",
}


def normal_fingerprint(text: str) -> str:
    """A key fingerprint as a person typed or pasted it, in the form the hand-over shows, so
    the two can be compared (``--fingerprint`` on the command line)."""
    return fmt.normal_fingerprint(text)
