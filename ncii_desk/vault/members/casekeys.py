"""Case keys: random data keys by version, wrapped to one member at a time."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ncii_desk.vault.keys import (
    b64d,
    b64e,
    canonical_json,
    hkdf,
)
from ncii_desk.vault.members.formats import (
    _CASE_WRAP_LABEL,
    _COMMIT_LABEL,
    CASE_KEY_BYTES,
    FORMAT_VERSION,
    WRAP_FORMAT,
    CaseKeyRefused,
    _loads,
    _raw_public,
)
from ncii_desk.vault.members.identity import MemberKeys, MemberPublic

# --- case keys ----------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseKey:
    """One version of a case's data key (in memory only)."""

    clinic_id: str
    case_id: str
    version: int
    key: bytes = field(repr=False)


def key_commitment(case_key: CaseKey) -> str:
    """A one-way check value of a case key version, which the signed membership records
    carry: a key the database offers is used only if it matches (see :func:`check_case_key`)."""
    context = canonical_json(
        {"clinic_id": case_key.clinic_id, "case_id": case_key.case_id, "version": case_key.version}
    )
    return hkdf(case_key.key, _COMMIT_LABEL + context).hex()


def _wrap_context(clinic_id: str, case_id: str, version: int, member_id: str) -> bytes:
    return canonical_json(
        {"clinic_id": clinic_id, "case_id": case_id, "key_version": version, "member_id": member_id}
    )


def _case_wrap_key(shared: bytes, ephemeral: bytes, member_x25519: bytes, context: bytes) -> bytes:
    if not any(shared):  # a low-order point: refuse rather than derive from zeros
        raise ValueError("degenerate key exchange")
    return hkdf(shared, _CASE_WRAP_LABEL + ephemeral + member_x25519 + context)


def wrap_case_key(case_key: CaseKey, member: MemberPublic) -> str:
    """``case_key`` wrapped to ``member``, as the text the key table stores."""
    if member.clinic_id != case_key.clinic_id:
        raise ValueError("member of another clinic")
    context = _wrap_context(
        case_key.clinic_id, case_key.case_id, case_key.version, member.member_id
    )
    ephemeral = X25519PrivateKey.generate()
    eph_pub = _raw_public(ephemeral.public_key())
    shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(member.x25519))
    key = _case_wrap_key(shared, eph_pub, member.x25519, context)
    nonce = secrets.token_bytes(12)
    body = {
        "format": WRAP_FORMAT,
        "version": FORMAT_VERSION,
        "clinic_id": case_key.clinic_id,
        "case_id": case_key.case_id,
        "key_version": case_key.version,
        "member_id": member.member_id,
        "ephemeral": b64e(eph_pub),
        "nonce": b64e(nonce),
        "ciphertext": b64e(AESGCM(key).encrypt(nonce, case_key.key, _CASE_WRAP_LABEL + context)),
    }
    return canonical_json(body).decode("ascii")


def unwrap_case_key(wrapped: str, member: MemberKeys, *, case_id: str, version: int) -> CaseKey:
    """Open a wrapped case key for ``member``, expecting it to be ``case_id`` at ``version``.

    The expected values (never the ones the wrap states) go into the key derivation and the
    associated data, so a wrap moved from another member, case or version is refused."""
    body = _loads(wrapped)
    if not isinstance(body, dict) or body.get("format") != WRAP_FORMAT:
        raise CaseKeyRefused(
            f"The stored key of case {case_id} (version {version}) is not a wrapped case key.",
            case_id=case_id,
            version=version,
        )
    if body.get("member_id") != member.member_id:
        raise CaseKeyRefused(
            f"The stored key of case {case_id} (version {version}) was wrapped for another "
            "member, not for you.",
            case_id=case_id,
            version=version,
            hint="Ask a supervising attorney on the case to add you to it.",
        )
    if (
        body.get("case_id") != case_id
        or body.get("key_version") != version
        or body.get("clinic_id") != member.clinic_id
    ):
        raise CaseKeyRefused(
            f"The stored key of case {case_id} (version {version}) belongs to another case, "
            "version or clinic.",
            case_id=case_id,
            version=version,
        )
    context = _wrap_context(member.clinic_id, case_id, version, member.member_id)
    try:
        eph = b64d(body["ephemeral"])
        shared = member.exchange(eph)
        key = _case_wrap_key(shared, eph, member.public.x25519, context)
        secret = AESGCM(key).decrypt(
            b64d(body["nonce"]), b64d(body["ciphertext"]), _CASE_WRAP_LABEL + context
        )
    except (InvalidTag, KeyError, ValueError, TypeError):
        raise CaseKeyRefused(
            f"The stored key of case {case_id} (version {version}) does not open with your "
            "key: it was altered, or copied from another member, case or version.",
            case_id=case_id,
            version=version,
        ) from None
    if len(secret) != CASE_KEY_BYTES:
        raise CaseKeyRefused(
            f"The stored key of case {case_id} (version {version}) has the wrong size.",
            case_id=case_id,
            version=version,
        )
    return CaseKey(member.clinic_id, case_id, version, secret)
