"""The vault's Ed25519 signature over a packet's manifests, and the files that go with it.

Every vault has one packet-signing key. Its private half is never stored: it is derived
whenever needed from the vault's secret keys with HKDF-SHA256 under its own label
(``ncii-desk/v1/packet-signing/ed25519``, salt = the vault id), so it exists only while the
vault is open, is as safe as the vault's data key, survives passphrase changes and backups,
and is the same for every packet the vault builds. Its public half and fingerprint are
printed in every packet (the PDF's verification page, ``SIGNING-KEY.txt`` and
``manifest.sig``) and in the clinic's settings, so a recipient can compare them.

``manifest.sig`` is a small JSON file beside the manifests. The key signs a short text,
:func:`standalone.signed_statement`: a format line, then the SHA-256 of ``manifest.json`` and
of ``manifest.csv``. ``manifest.json`` lists every other file of the packet with its digest,
including ``sealed/manifest.csv``, so the signature covers every file and all three
manifests. The same statement is checked with the ``cryptography`` library here and with a
plain-Python Ed25519 in the stand-alone ``verify_packet.py`` shipped in every packet.
"""

from __future__ import annotations

import base64
import json
import uuid
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from ncii_desk.documents import standalone
from ncii_desk.vault.keys import hkdf

SIGNATURE_FILE = standalone.SIGNATURE_FILE
TIMESTAMP_FILE = standalone.TIMESTAMP_FILE
SIGNATURE_FORMAT = standalone.SIGNATURE_FORMAT
SIGNED_FILES = standalone.SIGNED_FILES
KEY_FILE = "SIGNING-KEY.txt"
VERIFIER_FILE = "verify_packet.py"
KEY_LABEL = b"ncii-desk/v1/packet-signing/ed25519"

fingerprint = standalone.fingerprint
normal_fingerprint = standalone.normal_fingerprint


@dataclass(frozen=True)
class PublicKeyInfo:
    """What a recipient needs to recognise the clinic's packets."""

    public_key: bytes  # 32 raw bytes
    fingerprint: str

    @property
    def public_key_b64(self) -> str:
        return base64.b64encode(self.public_key).decode("ascii")

    def as_dict(self) -> dict[str, str]:
        return {
            "alg": "Ed25519",
            "public_key": self.public_key_b64,
            "fingerprint": self.fingerprint,
        }


def derive_key(secret: bytes, vault_id: str) -> Ed25519PrivateKey:
    """The vault's packet-signing key, from one of its secret keys (deterministic)."""
    seed = hkdf(secret, KEY_LABEL, uuid.UUID(vault_id).bytes)
    return Ed25519PrivateKey.from_private_bytes(seed)


def raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def public_info(key: Ed25519PrivateKey) -> PublicKeyInfo:
    raw = raw_public(key.public_key())
    return PublicKeyInfo(raw, fingerprint(raw))


def signature_bytes(key: Ed25519PrivateKey, digests: dict[str, str]) -> bytes:
    """The content of manifest.sig for manifests with these SHA-256 digests (by file name)."""
    info = public_info(key)
    statement = standalone.signed_statement(digests)
    doc = {
        "format": SIGNATURE_FORMAT,
        "alg": "Ed25519",
        "public_key": info.public_key_b64,
        "fingerprint": info.fingerprint,
        "signed_files": [{"path": n, "sha256": digests[n]} for n in SIGNED_FILES],
        "signed_text": statement.decode("ascii"),
        "signature": base64.b64encode(key.sign(statement)).decode("ascii"),
    }
    return (json.dumps(doc, indent=2) + "\n").encode("ascii")


@dataclass
class SignatureCheck:
    ok: bool
    problem: str = ""
    fingerprint: str = ""


def check_signature(data: bytes, digests: dict[str, str]) -> SignatureCheck:
    """Whether ``data`` (a manifest.sig) is a valid signature of manifests with ``digests``.

    The signed text is rebuilt from the digests of the files actually present, never taken
    from the signature file. ``fingerprint`` is set whenever the public key could be read.
    """
    try:
        doc: Any = json.loads(data.decode("utf-8"))
        if not isinstance(doc, dict) or doc.get("format") != SIGNATURE_FORMAT:
            raise ValueError(f"it is not an NCII Desk packet signature ({SIGNATURE_FORMAT})")
        if doc.get("alg") != "Ed25519":
            raise ValueError("its algorithm is not Ed25519")
        raw_key = base64.b64decode(str(doc["public_key"]), validate=True)
        signature = base64.b64decode(str(doc["signature"]), validate=True)
        public = Ed25519PublicKey.from_public_bytes(raw_key)
    except (ValueError, KeyError, UnicodeDecodeError) as exc:
        return SignatureCheck(False, f"cannot be read: {exc}")
    fp = fingerprint(raw_key)
    stated = doc.get("fingerprint")
    if stated and normal_fingerprint(str(stated)) != fp:
        return SignatureCheck(False, "the fingerprint it states is not that of its key", fp)
    try:
        public.verify(signature, standalone.signed_statement(digests))
    except InvalidSignature:
        return SignatureCheck(
            False,
            "the signature does not match manifest.json and manifest.csv: the manifests were "
            "changed after the packet was signed (or the signature was)",
            fp,
        )
    return SignatureCheck(True, "", fp)


def key_text(info: PublicKeyInfo, vault_id: str) -> str:
    """SIGNING-KEY.txt: the public key a recipient compares with the clinic's own."""
    return "\n".join(
        [
            "NCII Desk packet signing key",
            "============================",
            "",
            "manifest.sig in this packet is an Ed25519 signature over the SHA-256 digests of",
            "manifest.json and manifest.csv, made with the key below. manifest.json lists every",
            "other file with its digest, so the signature covers the whole packet.",
            "",
            f"Fingerprint:        {info.fingerprint}",
            f"Public key (raw, base64): {info.public_key_b64}",
            f"Vault id:           {vault_id}",
            "",
            "The fingerprint is the first 20 bytes of SHA-256 of the 32-byte public key, in",
            "base32. Ask the clinic for its fingerprint by a separate channel (telephone, its",
            "letterhead) and compare: a packet signed by a different key was not signed by",
            "that clinic's vault, whatever this file says.",
            "",
            "Check the packet with:  python3 verify_packet.py PACKET --expect-key FINGERPRINT",
            "(any Python 3.9 or newer; nothing to install)",
            "",
        ]
    )
