"""RFC 3161 time stamps of a packet's manifest: asking a TSA, and checking a token offline.

A time-stamp authority (TSA) signs a statement "this SHA-256 digest existed at time T". The
packet asks for one over the SHA-256 of ``manifest.json`` (which lists every other file), and
stores the token (DER TimeStampToken, a CMS SignedData holding the TSTInfo) as
``manifest.tst``. Nothing is sent to the TSA but that digest and a random nonce.

Checking a token offline (:func:`check_token`):

1. its message imprint is SHA-256 and equals the digest of the manifest in hand;
2. its CMS signature verifies with the certificate inside the token: the signed attributes'
   message digest equals the digest of the TSTInfo, and the signature over the signed
   attributes verifies with that certificate's public key (RSA, ECDSA or Ed25519); the
   certificate is marked for time stamping (extended key usage);
3. the time (genTime, UTC) and the TSA's name are reported;
4. only when the user supplies trusted root certificates is the TSA certificate followed to
   one of them; otherwise the result says it was not checked against a trust list.

Requests are built and responses parsed with asn1crypto; signatures are checked with
cryptography; the HTTP request is a plain POST (urllib) of ``application/timestamp-query``.
"""

from __future__ import annotations

import hashlib
import secrets
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from asn1crypto import algos, cms, core, tsp
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID

from ncii_desk.errors import TimestampError

CONTENT_TYPE = "application/timestamp-query"
REPLY_TYPE = "application/timestamp-reply"
MAX_REPLY = 256 * 1024
NO_TRUST_LIST = "TSA certificate not checked against a trust list"
_HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
    "sha1": hashes.SHA1,
}


def request_bytes(digest: bytes, nonce: int) -> bytes:
    """A DER TimeStampReq for a SHA-256 ``digest``, asking for the TSA's certificate."""
    req = tsp.TimeStampReq(
        {
            "version": "v1",
            "message_imprint": tsp.MessageImprint(
                {
                    "hash_algorithm": algos.DigestAlgorithm({"algorithm": "sha256"}),
                    "hashed_message": digest,
                }
            ),
            "nonce": nonce,
            "cert_req": True,
        }
    )
    return bytes(req.dump())


def fetch_token(url: str, digest: bytes, *, timeout: float = 30.0) -> bytes:
    """Ask the TSA at ``url`` to stamp ``digest``; the DER TimeStampToken it granted.

    Raises TimestampError saying what went wrong: no connection, an HTTP error, a refusal
    (with the TSA's own status text), or an answer that is not about this digest.
    """
    if not url.lower().startswith(("http://", "https://")):
        raise TimestampError(f"The time-stamp authority address {url!r} is not an http(s) URL.")
    nonce = secrets.randbits(63)
    request = urllib.request.Request(
        url,
        data=request_bytes(digest, nonce),
        headers={"Content-Type": CONTENT_TYPE, "Accept": REPLY_TYPE},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            body = answer.read(MAX_REPLY + 1)
    except urllib.error.HTTPError as exc:
        raise TimestampError(
            f"The time-stamp authority at {url} answered HTTP {exc.code} ({exc.reason})."
        ) from None
    except (urllib.error.URLError, OSError, TimeoutError) as exc:
        reason = getattr(exc, "reason", exc)
        raise TimestampError(
            f"The time-stamp authority at {url} could not be reached ({reason})."
        ) from None
    if len(body) > MAX_REPLY:
        raise TimestampError(f"The time-stamp authority at {url} sent an oversized answer.")
    return token_from_response(body, digest, nonce, url)


def token_from_response(body: bytes, digest: bytes, nonce: int | None, url: str = "") -> bytes:
    """The token of a DER TimeStampResp, checked to be granted and about ``digest``."""
    where = f" at {url}" if url else ""
    try:
        # Read as a plain sequence: a refusal holds only the status, which asn1crypto's
        # TimeStampResp (its token not marked optional) cannot load.
        parts = core.Sequence.load(body)
        status = tsp.PKIStatusInfo.load(parts[0].dump())
        code = status["status"].native
        texts = status["status_string"].native or []
        failure = status["fail_info"].native
    except (ValueError, TypeError, KeyError) as exc:
        raise TimestampError(
            f"The time-stamp authority{where} sent an answer that is not an RFC 3161 "
            f"time-stamp response ({exc})."
        ) from None
    if code not in ("granted", "granted_with_mods"):
        said = "; ".join(str(t) for t in texts) or "no reason given"
        extra = f", {sorted(failure)}" if failure else ""
        raise TimestampError(
            f"The time-stamp authority{where} refused the request ({code}{extra}: {said})."
        )
    try:
        data = bytes(parts[1].dump())
        tst = _tst_info(cms.ContentInfo.load(data))
    except (ValueError, TypeError, KeyError) as exc:
        raise TimestampError(
            f"The time-stamp authority{where} granted a stamp but sent no readable token ({exc})."
        ) from None
    if tst["message_imprint"]["hashed_message"].native != digest:
        raise TimestampError(
            f"The time-stamp authority{where} stamped a different digest than the one asked."
        )
    if nonce is not None and tst["nonce"].native != nonce:
        raise TimestampError(f"The time-stamp authority{where} answered with the wrong nonce.")
    return data


def _tst_info(info: cms.ContentInfo) -> Any:
    if info["content_type"].native != "signed_data":
        raise ValueError("the token is not CMS signed data")
    encap = info["content"]["encap_content_info"]
    if encap["content_type"].native != "tst_info":
        raise ValueError("the signed content is not a TSTInfo")
    return encap["content"].parsed


@dataclass
class TimestampCheck:
    """The outcome of checking a token; ``problems`` empty means it holds."""

    gen_time: datetime | None = None
    tsa_name: str = ""
    certificate: str = ""  # subject of the TSA certificate in the token
    trust: str = NO_TRUST_LIST
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def time_text(self) -> str:
        if self.gen_time is None:
            return "-"
        return self.gen_time.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "gen_time_utc": None if self.gen_time is None else self.time_text,
            "tsa": self.tsa_name,
            "certificate": self.certificate,
            "trust": self.trust,
            "problems": self.problems,
        }


def check_token(
    token: bytes, digest: bytes, *, roots: list[x509.Certificate] | None = None
) -> TimestampCheck:
    """Check a DER TimeStampToken offline against the SHA-256 ``digest`` (module docstring)."""
    out = TimestampCheck()
    try:
        info = cms.ContentInfo.load(token)
        tst = _tst_info(info)
        imprint = tst["message_imprint"]
        hash_name = imprint["hash_algorithm"]["algorithm"].native
        hashed = imprint["hashed_message"].native
        out.gen_time = tst["gen_time"].native
        tsa = tst["tsa"]
        if tsa.native is not None:
            out.tsa_name = _general_name(tsa)
        signed = info["content"]
        signer_infos = signed["signer_infos"]
        if len(signer_infos) != 1:
            out.problems.append(f"it has {len(signer_infos)} signatures, not one")
            return out
        signer = signer_infos[0]
        certs = [c.chosen for c in signed["certificates"] if c.name == "certificate"]
    except (ValueError, TypeError, KeyError) as exc:
        out.problems.append(f"it cannot be read as an RFC 3161 time-stamp token ({exc})")
        return out
    if hash_name != "sha256":
        out.problems.append(f"its message imprint is {hash_name}, not SHA-256")
    elif hashed != digest:
        out.problems.append(
            "its message imprint is not the SHA-256 of this manifest.json: the manifest was "
            "changed after it was time-stamped, or the token belongs to another packet"
        )
    cert = _signer_certificate(signer, certs)
    if cert is None:
        out.problems.append(
            "the TSA's certificate is not in the token, so its signature cannot be checked"
        )
        return out
    x_cert = x509.load_der_x509_certificate(cert.dump())
    out.certificate = x_cert.subject.rfc4514_string()
    if not out.tsa_name:
        out.tsa_name = out.certificate
    problem = _check_cms_signature(signer, info["content"]["encap_content_info"], x_cert)
    if problem:
        out.problems.append(problem)
    try:
        eku = x_cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
        if ExtendedKeyUsageOID.TIME_STAMPING not in eku:
            out.problems.append("the signing certificate is not one for time stamping")
    except x509.ExtensionNotFound:
        out.problems.append("the signing certificate is not marked for time stamping")
    if roots:
        x_certs = [x509.load_der_x509_certificate(c.dump()) for c in certs]
        out.trust = _chain_to_roots(x_cert, x_certs, roots, out.gen_time, out.problems)
    return out


def _general_name(name: Any) -> str:
    if name.name == "directory_name":
        return str(name.chosen.human_friendly)
    return str(name.native)


def _signer_certificate(signer: Any, certs: list[Any]) -> Any | None:
    sid = signer["sid"]
    for cert in certs:
        if sid.name == "issuer_and_serial_number":
            ias = sid.chosen
            if cert.issuer == ias["issuer"] and cert.serial_number == ias["serial_number"].native:
                return cert
        elif cert.key_identifier == sid.chosen.native:
            return cert
    return None


def _check_cms_signature(signer: Any, encap: Any, cert: x509.Certificate) -> str:
    """ "" when the signer info's signature holds for the TSTInfo, else what is wrong."""
    digest_name = signer["digest_algorithm"]["algorithm"].native
    hash_cls = _HASHES.get(digest_name)
    if hash_cls is None:
        return f"its signature uses an unsupported digest ({digest_name})"
    content = bytes(encap["content"].contents)
    signed_attrs = signer["signed_attrs"]
    if signed_attrs.native is None:
        data = content
    else:
        wanted = hashlib.new(digest_name, content).digest()
        digests = [
            a["values"][0].native for a in signed_attrs if a["type"].native == "message_digest"
        ]
        types = [a["values"][0].native for a in signed_attrs if a["type"].native == "content_type"]
        if digests != [wanted]:
            return "the digest its signature covers is not that of its TSTInfo"
        if types != ["tst_info"]:
            return "its signed attributes do not name a TSTInfo as the content"
        data = b"\x31" + bytes(signed_attrs.dump())[1:]  # signed as a SET OF, not [0]
    signature = bytes(signer["signature"].native)
    key = cert.public_key()
    algo = signer["signature_algorithm"].signature_algo
    try:
        if isinstance(key, rsa.RSAPublicKey) and algo == "rsassa_pkcs1v15":
            key.verify(signature, data, padding.PKCS1v15(), hash_cls())
        elif isinstance(key, rsa.RSAPublicKey) and algo == "rsassa_pss":
            pss = padding.PSS(mgf=padding.MGF1(hash_cls()), salt_length=padding.PSS.AUTO)
            key.verify(signature, data, pss, hash_cls())
        elif isinstance(key, ec.EllipticCurvePublicKey) and algo == "ecdsa":
            key.verify(signature, data, ec.ECDSA(hash_cls()))
        elif isinstance(key, ed25519.Ed25519PublicKey) and algo == "ed25519":
            key.verify(signature, data)
        else:
            return f"its signature algorithm ({algo}) does not fit the certificate's key"
    except InvalidSignature:
        return "the TSA's signature on the token does not verify: the token was altered"
    return ""


def _chain_to_roots(
    cert: x509.Certificate,
    pool: list[x509.Certificate],
    roots: list[x509.Certificate],
    at: datetime | None,
    problems: list[str],
) -> str:
    """Follow issuers from ``cert`` (through ``pool``) to one of ``roots``; the outcome text."""
    current = cert
    for _ in range(8):
        if at is not None and not (
            current.not_valid_before_utc <= at <= current.not_valid_after_utc
        ):
            problems.append(
                f"the certificate {current.subject.rfc4514_string()} was not valid at the "
                "stamped time"
            )
            return "TSA certificate not valid at the stamped time"
        for root in roots:
            if root.subject == current.issuer and _issued_by(current, root):
                return f"TSA certificate chains to the trusted root {root.subject.rfc4514_string()}"
        parents = [c for c in pool if c.subject == current.issuer and c != current]
        parent = next((c for c in parents if _issued_by(current, c)), None)
        if parent is None:
            break
        current = parent
    problems.append("the TSA certificate does not chain to any of the trusted roots given")
    return "TSA certificate does not chain to the trusted roots given"


def _issued_by(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    try:
        cert.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def load_roots(pem_or_der: bytes) -> list[x509.Certificate]:
    """Trusted root certificates from a PEM bundle or one DER certificate."""
    if b"-----BEGIN" in pem_or_der:
        return x509.load_pem_x509_certificates(pem_or_der)
    return [x509.load_der_x509_certificate(pem_or_der)]
