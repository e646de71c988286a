"""The stand-alone packet verifier's own parts: plain-Python Ed25519, its DER reading, and
that its source stays runnable by any Python 3.9+ with the standard library alone."""

from __future__ import annotations

import ast
import random
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ncii_desk.documents import standalone
from ncii_desk.documents.packet_seal import derive_key, raw_public

# RFC 8032, section 7.1, TEST 1 to TEST 3: (secret key, public key, message, signature).
RFC8032 = [
    (
        "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
        "",
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
        "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
    ),
    (
        "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
        "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
        "72",
        "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
        "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
    ),
    (
        "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7",
        "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
        "af82",
        "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac"
        "18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a",
    ),
]


@pytest.mark.parametrize(("secret", "public", "message", "signature"), RFC8032)
def test_rfc8032_vectors(secret: str, public: str, message: str, signature: str) -> None:
    key = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(secret))
    # The vectors are the ones the cryptography library reproduces (so they were copied right).
    assert raw_public(key.public_key()).hex() == public
    assert key.sign(bytes.fromhex(message)).hex() == signature
    pub, msg, sig = bytes.fromhex(public), bytes.fromhex(message), bytes.fromhex(signature)
    assert standalone.ed25519_verify(pub, msg, sig)
    assert not standalone.ed25519_verify(pub, msg + b"\0", sig)
    assert not standalone.ed25519_verify(pub, msg, sig[:63] + bytes([sig[63] ^ 0x01]))


def test_plain_python_ed25519_agrees_with_cryptography() -> None:
    rng = random.Random(8032)
    outcomes = {True: 0, False: 0}
    for n in range(120):
        key = Ed25519PrivateKey.from_private_bytes(rng.randbytes(32))
        pub = raw_public(key.public_key())
        message = rng.randbytes(rng.choice([0, 1, 31, 64, 300]))
        signature = key.sign(message)
        candidates = [(pub, message, signature)]
        bad = bytearray(signature)
        bad[rng.randrange(64)] ^= 1 << rng.randrange(8)
        candidates.append((pub, message, bytes(bad)))
        if message:
            changed = bytearray(message)
            changed[rng.randrange(len(message))] ^= 0x80
            candidates.append((pub, bytes(changed), signature))
        other = raw_public(Ed25519PrivateKey.from_private_bytes(rng.randbytes(32)).public_key())
        candidates.append((other, message, signature))
        # S >= L (signature malleability) must be refused by both.
        s = int.from_bytes(signature[32:], "little") + standalone._L
        if s < 2**256:
            candidates.append((pub, message, signature[:32] + s.to_bytes(32, "little")))
        for p, m, sig in candidates:
            try:
                key_obj = serialization.load_der_public_key(_spki(p))
                assert isinstance(key_obj, type(key.public_key()))
                key_obj.verify(sig, m)
                reference = True
            except Exception:  # InvalidSignature, or a key cryptography refuses
                reference = False
            assert standalone.ed25519_verify(p, m, sig) is reference, (n, p.hex(), sig.hex())
            outcomes[reference] += 1
    assert outcomes[True] == 120 and outcomes[False] >= 360


def _spki(raw: bytes) -> bytes:
    """SubjectPublicKeyInfo DER of a raw Ed25519 public key (OID 1.3.101.112)."""
    return bytes.fromhex("302a300506032b6570032100") + raw


def test_vault_key_is_derived_deterministically_per_vault() -> None:
    secret = bytes(range(32))
    a = derive_key(secret, "2b1c0f3e-8a55-4b39-9a77-0c6f7d8a1e21")
    again = derive_key(secret, "2b1c0f3e-8a55-4b39-9a77-0c6f7d8a1e21")
    other = derive_key(secret, "7d0e3c2a-1111-4b39-9a77-0c6f7d8a1e21")
    assert raw_public(a.public_key()) == raw_public(again.public_key())
    assert raw_public(a.public_key()) != raw_public(other.public_key())
    fp = standalone.fingerprint(raw_public(a.public_key()))
    assert len(fp) == 39 and fp.count("-") == 7
    assert standalone.normal_fingerprint(fp.lower().replace("-", " ")) == fp


def test_verifier_source_is_python_39_and_standard_library_only() -> None:
    source = Path(standalone.__file__).read_text(encoding="utf-8")
    tree = ast.parse(source, feature_version=(3, 9))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0
            imported.add((node.module or "").split(".")[0])
        # 3.10+ syntax and run-time features the 3.9 grammar check does not catch.
        assert not isinstance(node, ast.Match)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            assert node.func.id != "zip" or not node.keywords  # zip(strict=) is 3.10+
    assert imported - {"__future__"} <= set(sys.stdlib_module_names), imported
    assert "ncii_desk" not in imported
    assert "from __future__ import annotations" in source  # annotations never evaluated
    for later in ("datetime.UTC", "bit_count(", "file_digest(", "slots=True", "kw_only="):
        assert later not in source


def test_timestamp_reader_refuses_what_is_not_a_token() -> None:
    for junk in (b"", b"\x30\x03\x02\x01\x00", b"\x04\x02ab", bytes(40)):
        with pytest.raises((standalone.DerError, IndexError)):
            standalone.read_timestamp(junk)
