"""Client-side encryption of sensitive columns with the case key (issue 19 §2).

On a clinic server the database is shared, so the columns that name or describe a client
(labels, pseudonyms, notes, original filenames, URLs) are encrypted by the client before they
are written, with the case's key (:class:`ncii_desk.vault.members.CaseKey`). The server stores
and returns a short text token and never sees the value.

Token (ASCII, fits a TEXT column)::

    nf1.<key version>.<base64url(nonce 12 bytes | AES-256-GCM ciphertext and tag)>

* A fresh random nonce per write: equal values give different tokens (nothing to compare).
* Associated data binds clinic id, case id, table, column, row id and key version, so a
  token copied to another row, column or case, or relabelled with another key version, is
  refused.
* The value is padded to a multiple of :data:`PAD_BYTES` bytes before encryption, so the
  stored length shows its size only roughly.
* A failure names the table, column and row (never the value) in :class:`FieldUnreadable`.

``None`` (SQL NULL) is not encrypted: whether a column is empty stays visible.
"""

from __future__ import annotations

import base64
import binascii
import json
import secrets
from collections.abc import Iterable, Mapping
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from ncii_desk.errors import VaultCorrupt
from ncii_desk.vault.keys import canonical_json
from ncii_desk.vault.members import CaseKey

PREFIX = "nf1"
NONCE_BYTES = 12
TAG_BYTES = 16
PAD_BYTES = 16
_AAD_LABEL = b"ncii-desk/v1/field|"

#: The columns a clinic store keeps encrypted, by table. Text columns hold one token; the
#: JSON columns hold one token of the whole JSON document (:meth:`FieldCipher.encrypt_json`),
#: because they carry file names, paths, URLs, HTTP headers and the facts of letters.
#: Names of who did what (operator, reviewer, chosen_by) and the platform a request goes to
#: are sealed too (session 7): the server must not learn who worked a case or where the
#: client's images are hosted.
SENSITIVE_COLUMNS: Mapping[str, tuple[str, ...]] = {
    "cases": ("label", "client_pseudonym", "notes"),
    "items": ("original_filename", "label", "notes", "operator"),
    "captures": ("url", "final_url", "error", "operator", "server_address"),
    "matches": ("target_external", "reviewed_by"),
    "rechecks": ("url", "operator"),
    "removal_requests": ("ticket_id", "platform"),
    "face_references": ("chosen_by",),
}
#: Columns of clinic-wide tables (no case) sealed with the clinic field key instead
#: (:mod:`ncii_desk.clinic.clinicfields`): names of who imported, measured or reviewed,
#: and a hash list's name.
CLINIC_SENSITIVE_COLUMNS: Mapping[str, tuple[str, ...]] = {
    "hash_lists": ("name", "operator"),
    "model_validations": ("operator",),
    "match_bank": ("reviewer",),
    # An entry's label often names the person a picture shows (session 8).
    "hash_list_entries": ("label",),
}
#: JSON documents of clinic-wide tables sealed with the clinic field key (one token each):
#: a validation record repeats its operator's name.
CLINIC_SENSITIVE_JSON_COLUMNS: Mapping[str, tuple[str, ...]] = {
    "model_validations": ("record",),
}
SENSITIVE_JSON_COLUMNS: Mapping[str, tuple[str, ...]] = {
    "cases": ("consent",),
    "items": ("details",),
    # tls: the certificate's subject, issuer and names, i.e. the host names of the site.
    "captures": ("redirect_chain", "headers", "details", "tls"),
    "matches": ("details",),
    "removal_requests": ("urls", "history", "letter_inputs"),
    "rechecks": ("details",),
    # The client's reference faces: a face embedding is biometric data about the client.
    "face_references": ("box", "embedding"),
    # Faces found in a picture (boxes, landmarks, embeddings), image metadata readings,
    # manipulation results and local features. The row names its item, not its case: the
    # sealer finds the case through the item (:mod:`ncii_desk.clinic.sealing`).
    "analyses": ("result",),
}


class FieldUnreadable(VaultCorrupt):
    """An encrypted column value cannot be decrypted; the message names the column."""

    def __init__(self, message: str, *, table: str, column: str, row_id: str, hint: str) -> None:
        super().__init__(message, file=f"{table}.{column}", entry=row_id, hint=hint)
        self.table = table
        self.column = column
        self.row_id = row_id


_ALTERED_HINT = (
    "Nothing was changed. The other values of the case still open; tell the clinic's "
    "administrator which value failed so it can be restored from a backup."
)


_B64U = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def _b64u_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _b64u_decode(text: str) -> bytes:
    if not text or any(ch not in _B64U for ch in text):
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _pad(data: bytes) -> bytes:
    data += b"\x80"
    return data + b"\x00" * (-len(data) % PAD_BYTES)


def _unpad(data: bytes) -> bytes:
    end = data.rstrip(b"\x00")
    if not end.endswith(b"\x80"):
        raise ValueError("bad padding")
    return end[:-1]


class FieldCipher:
    """Encrypts and decrypts one case's sensitive column values.

    ``keys`` are the versions of the case key the member holds (from
    :meth:`ncii_desk.vault.members.CaseKeyring.open`); new values use the newest one."""

    def __init__(self, keys: Iterable[CaseKey]) -> None:
        self._keys = {key.version: key for key in keys}
        if not self._keys:
            raise ValueError("no case key")
        cases = {(key.clinic_id, key.case_id) for key in self._keys.values()}
        if len(cases) != 1:
            raise ValueError("keys of more than one case")
        (self.clinic_id, self.case_id) = cases.pop()
        self.write_version = max(self._keys)

    def derived_keys(self, label: bytes) -> dict[int, bytes]:
        """Version -> a 512-bit key derived from that version of the case key for another
        use named by ``label`` (the deterministic hash sealing of
        :mod:`ncii_desk.clinic.hashseal`); the case key itself never leaves this object."""
        return {
            version: HKDF(
                hashes.SHA256(),
                64,
                None,
                label + canonical_json([self.clinic_id, self.case_id, version]),
            ).derive(key.key)
            for version, key in self._keys.items()
        }

    def _aad(self, table: str, column: str, row_id: str, version: int) -> bytes:
        return _AAD_LABEL + canonical_json(
            [self.clinic_id, self.case_id, table, column, row_id, version]
        )

    def encrypt(self, table: str, column: str, row_id: str, value: str) -> str:
        key = self._keys[self.write_version]
        nonce = secrets.token_bytes(NONCE_BYTES)
        sealed = AESGCM(key.key).encrypt(
            nonce,
            _pad(value.encode("utf-8")),
            self._aad(table, column, row_id, key.version),
        )
        return f"{PREFIX}.{key.version}.{_b64u_encode(nonce + sealed)}"

    def decrypt(self, table: str, column: str, row_id: str, token: str) -> str:
        where = f"{table}.{column} of row {row_id}"

        def fail(message: str, hint: str = _ALTERED_HINT) -> FieldUnreadable:
            return FieldUnreadable(message, table=table, column=column, row_id=row_id, hint=hint)

        parts = token.split(".")
        try:
            if (
                len(parts) != 3
                or parts[0] != PREFIX
                or not (parts[1].isascii() and parts[1].isdigit())
            ):
                raise ValueError("layout")
            version = int(parts[1])
            blob = _b64u_decode(parts[2])
            if len(blob) < NONCE_BYTES + TAG_BYTES:
                raise ValueError("short")
        except (ValueError, binascii.Error):
            raise fail(
                f"The stored value of {where} is not an encrypted value (it was written in "
                "clear, cut off or damaged)."
            ) from None
        key = self._keys.get(version)
        if key is None:
            raise fail(
                f"The stored value of {where} was written with version {version} of the case "
                "key, which you do not hold.",
                hint="Ask a supervising attorney on the case to add you to it again so that "
                "you receive all of its keys.",
            )
        try:
            padded = AESGCM(key.key).decrypt(
                blob[:NONCE_BYTES], blob[NONCE_BYTES:], self._aad(table, column, row_id, version)
            )
            return _unpad(padded).decode("utf-8")
        except (InvalidTag, ValueError):
            raise fail(
                f"The stored value of {where} failed its integrity check: it was changed, or "
                "copied from another row, column or case."
            ) from None

    def encrypt_row(
        self, table: str, row_id: str, values: Mapping[str, str | None]
    ) -> dict[str, str | None]:
        """``values`` with the table's :data:`SENSITIVE_COLUMNS` encrypted (NULL stays
        NULL); other columns pass unchanged."""
        sensitive = SENSITIVE_COLUMNS.get(table, ())
        return {
            column: self.encrypt(table, column, row_id, value)
            if column in sensitive and value is not None
            else value
            for column, value in values.items()
        }

    def decrypt_row(
        self, table: str, row_id: str, values: Mapping[str, str | None]
    ) -> tuple[dict[str, str | None], list[FieldUnreadable]]:
        """The opposite of :meth:`encrypt_row`. A value that fails comes back as None with
        its error in the list, so one damaged value does not hide the rest of a row (or a
        listing); the stored token itself is left as it is."""
        sensitive = SENSITIVE_COLUMNS.get(table, ())
        out: dict[str, str | None] = {}
        problems: list[FieldUnreadable] = []
        for column, value in values.items():
            if column not in sensitive or value is None:
                out[column] = value
                continue
            try:
                out[column] = self.decrypt(table, column, row_id, value)
            except FieldUnreadable as exc:
                out[column] = None
                problems.append(exc)
        return out, problems

    def encrypt_json(self, table: str, column: str, row_id: str, value: Any) -> str:
        return self.encrypt(table, column, row_id, canonical_json(value).decode("utf-8"))

    def decrypt_json(self, table: str, column: str, row_id: str, token: str) -> Any:
        return json.loads(self.decrypt(table, column, row_id, token))


def is_token(value: str) -> bool:
    """Whether a stored text looks like an encrypted value (for scans of a clinic database:
    a sensitive column holding anything else was written in clear)."""
    parts = value.split(".")
    return (
        len(parts) == 3
        and parts[0] == PREFIX
        and parts[1].isascii()
        and parts[1].isdigit()
        and bool(parts[2])
    )
