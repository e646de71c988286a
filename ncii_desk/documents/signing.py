"""Optional digital signature of the packet PDF with a clinic's certificate (pyHanko).

A clinic that has a document-signing certificate (a PKCS#12 ``.p12``/``.pfx`` file) can have
every packet PDF signed with it, so a reader's PDF software shows who prepared the file and
that it was not changed afterwards. The certificate is kept inside the encrypted vault (see
``services.packets.configure_signing``); this module only loads it and signs bytes in memory.

Signing is offline: no timestamp authority is contacted, so the signing time is the one the
computer states. The packet manifest covers the signed PDF, as it covers every other file.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from typing import Any

from ncii_desk.errors import SigningError

SIGNATURE_FIELD = "ClinicSignature"


@dataclass(frozen=True)
class SignerInfo:
    subject: str
    issuer: str
    serial: str
    not_before: str
    not_after: str
    cert_sha256: str

    def as_dict(self) -> dict[str, str]:
        return {
            "subject": self.subject,
            "issuer": self.issuer,
            "serial": self.serial,
            "not_before": self.not_before,
            "not_after": self.not_after,
            "cert_sha256": self.cert_sha256,
        }


def load_signer(pkcs12: bytes, passphrase: str | None) -> Any:
    """A pyHanko signer from PKCS#12 bytes; SigningError names what is wrong."""
    from pyhanko.sign.signers import SimpleSigner

    try:
        signer = SimpleSigner.load_pkcs12_data(
            pkcs12,
            other_certs=[],
            passphrase=None if passphrase is None else passphrase.encode("utf-8"),
        )
    except ValueError:
        raise SigningError(
            "The certificate file could not be opened: its password is wrong, or it is not "
            "a PKCS#12 (.p12 / .pfx) file."
        ) from None
    except Exception as exc:  # pyHanko and asn1crypto raise a variety of parse errors
        raise SigningError(
            f"The certificate file could not be used ({type(exc).__name__})."
        ) from None
    if signer.signing_cert is None or signer.signing_key is None:
        raise SigningError("The certificate file holds no certificate with its private key.")
    return signer


def describe(signer: Any) -> SignerInfo:
    cert = signer.signing_cert
    return SignerInfo(
        subject=cert.subject.human_friendly,
        issuer=cert.issuer.human_friendly,
        serial=format(cert.serial_number, "x"),
        not_before=cert.not_valid_before.isoformat(),
        not_after=cert.not_valid_after.isoformat(),
        cert_sha256=hashlib.sha256(cert.dump()).hexdigest(),
    )


def sign_pdf(
    pdf: bytes,
    signer: Any,
    *,
    reason: str = "",
    location: str = "",
    contact: str = "",
) -> bytes:
    """The same PDF with an incremental signature added (all in memory)."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers

    meta = signers.PdfSignatureMetadata(
        field_name=SIGNATURE_FIELD,
        reason=reason or None,
        location=location or None,
        contact_info=contact or None,
        md_algorithm="sha256",
    )
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
        out = signers.sign_pdf(writer, meta, signer=signer)
    except Exception as exc:  # pyHanko reports key/algorithm problems as many types
        raise SigningError(f"The PDF could not be signed ({type(exc).__name__}: {exc}).") from None
    data: bytes = out.getvalue()
    return data


def page_count(pdf: bytes) -> int:
    """Pages of a PDF (read with pyHanko's parser, a product dependency)."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    return int(reader.root["/Pages"]["/Count"])
