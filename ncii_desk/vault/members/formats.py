"""Formats, labels and errors shared by the member-key modules, and key fingerprints."""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey

from ncii_desk.errors import VaultCorrupt

RECORD_FORMAT = "ncii-desk-member-key"
WRAP_FORMAT = "ncii-desk-case-key-wrap"
CHANGE_FORMAT = "ncii-desk-membership-change"
FORMAT_VERSION = 1
SEED_BYTES = 32
CASE_KEY_BYTES = 32
_X25519_LABEL = b"ncii-desk/v1/member/x25519"
_ED25519_LABEL = b"ncii-desk/v1/member/ed25519"
_RECORD_MAC_LABEL = b"ncii-desk/v1/member/record-mac"
_RECOVERY_LABEL = b"ncii-desk/v1/member/recovery-wrap"
_CASE_WRAP_LABEL = b"ncii-desk/v1/case-key-wrap"
_CHANGE_SIG_LABEL = b"ncii-desk/v1/membership-change|"
_COMMIT_LABEL = b"ncii-desk/v1/case-key-commitment"
_SIGN_OFF_LABEL = b"ncii-desk/v1/letter-sign-off|"
SIGN_OFF_FORMAT = "ncii-desk-letter-sign-off"


class MemberKeyCorrupt(VaultCorrupt):
    """A member's key record was damaged or altered."""

    def __init__(self, message: str, *, member_id: str, entry: str | None = None) -> None:
        super().__init__(
            message,
            file=f"member key record {member_id}",
            entry=entry,
            hint="Do not change this member's keys. Ask the clinic's administrator to restore "
            "the member's key record from a backup; the member's recovery key still opens a "
            "good copy.",
        )


class CaseKeyRefused(VaultCorrupt):
    """A wrapped case key does not open for this member, case and version."""

    def __init__(
        self, message: str, *, case_id: str, version: int, hint: str | None = None
    ) -> None:
        super().__init__(
            message,
            file=f"case key {case_id} version {version}",
            entry="wrap",
            hint=hint
            or "Ask a supervising attorney on the case to add you to it again; if they see the "
            "same error, the clinic server's key table was altered and needs checking.",
        )


class SignOffInvalid(VaultCorrupt):
    """A letter's sign-off does not verify."""

    def __init__(self, message: str, *, document_id: str) -> None:
        super().__init__(
            message,
            file=f"sign-off of document {document_id}",
            entry="signature",
            hint="Do not send this letter as signed off. Ask a supervising attorney on the "
            "case to review and sign it off again.",
        )


class MembershipInvalid(VaultCorrupt):
    """A case's chain of signed membership records does not verify."""

    def __init__(self, message: str, *, case_id: str, seq: int) -> None:
        super().__init__(
            message,
            file=f"membership of case {case_id}",
            entry=f"record {seq}",
            hint="Do not add or remove members until this is resolved: the clinic server's "
            "records were altered. Compare with a case export or backup.",
        )


# --- small helpers ------------------------------------------------------------------------


def key_fingerprint(public_key: bytes) -> str:
    """First 20 bytes of SHA-256 of a raw public key, base32 in groups of four (read aloud
    by phone to compare; the same form as the hand-over keys' fingerprints)."""
    text = base64.b32encode(hashlib.sha256(public_key).digest()[:20]).decode("ascii")
    return "-".join(text[i : i + 4] for i in range(0, len(text), 4))


def _raw_public(key: X25519PublicKey | Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def _uuid_bytes(value: str) -> bytes:
    return uuid.UUID(value).bytes


def _loads(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None
