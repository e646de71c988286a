"""Throwaway keys and X.509 certificates for tests: TLS servers, signed packets, C2PA signers.

Everything is made in memory for one test run and never saved in the repository.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

Key = ec.EllipticCurvePrivateKey


def new_key() -> Key:
    return ec.generate_private_key(ec.SECP256R1())


def name(common_name: str, organisation: str = "") -> x509.Name:
    parts = [x509.NameAttribute(NameOID.COMMON_NAME, common_name)]
    if organisation:
        parts.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation))
    return x509.Name(parts)


def key_usage(*, issues_certificates: bool = False, commitment: bool = False) -> x509.KeyUsage:
    """Signing documents (the default) or, for a test CA, signing certificates and CRLs."""
    return x509.KeyUsage(
        digital_signature=not issues_certificates,
        content_commitment=commitment,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=issues_certificates,
        crl_sign=issues_certificates,
        encipher_only=False,
        decipher_only=False,
    )


def certificate(
    subject: x509.Name,
    key: Key,
    *,
    issuer: tuple[x509.Certificate, Key] | None = None,
    extensions: Sequence[tuple[x509.ExtensionType, bool]] = (),
    days: int = 1,
) -> x509.Certificate:
    """A certificate for ``key``: self-signed, or issued by ``issuer`` (its certificate, key).

    ``extensions`` are (extension, critical) pairs. Valid from a day ago for ``days`` days.
    """
    now = dt.datetime.now(dt.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer[0].subject if issuer else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=days))
    )
    for extension, critical in extensions:
        builder = builder.add_extension(extension, critical=critical)
    return builder.sign(issuer[1] if issuer else key, hashes.SHA256())


def pem_key(key: Key) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)
