"""A small but real RFC 3161 time-stamp authority on 127.0.0.1 for the packet tests.

It answers POSTed TimeStampReq messages the way a public TSA does: a TimeStampResp whose
token is CMS SignedData over a TSTInfo (the request's message imprint and nonce, a serial
number, the current time, the TSA's name), with the signed attributes content-type and
message-digest, signed with an ECDSA P-256 key whose certificate (extended key usage
timeStamping, critical) is issued by a test CA and included in the token. ``mode`` makes it
refuse requests instead. Keys and certificates are made in memory for one test.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import certkit
from asn1crypto import algos, cms, core, tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID


@dataclass
class TestCA:
    cert: x509.Certificate
    key: certkit.Key

    @property
    def pem(self) -> bytes:
        return certkit.pem(self.cert)


def new_ca(name: str = "Test TSA Root") -> TestCA:
    key = certkit.new_key()
    cert = certkit.certificate(
        certkit.name(name, "NCII Desk tests"),
        key,
        extensions=[
            (x509.BasicConstraints(ca=True, path_length=None), True),
            (certkit.key_usage(issues_certificates=True), True),
        ],
        days=30,
    )
    return TestCA(cert, key)


def tsa_certificate(ca: TestCA, key: certkit.Key) -> x509.Certificate:
    return certkit.certificate(
        certkit.name("Test Time-Stamp Authority", "NCII Desk tests"),
        key,
        issuer=(ca.cert, ca.key),
        extensions=[
            (x509.BasicConstraints(ca=False, path_length=None), True),
            (certkit.key_usage(commitment=True), True),
            (x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), True),
        ],
        days=30,
    )


def plain_certificate(ca: TestCA, key: certkit.Key) -> x509.Certificate:
    """A certificate for the same key without the time-stamping extended key usage."""
    return certkit.certificate(
        certkit.name("Not A Time-Stamp Authority", "NCII Desk tests"),
        key,
        issuer=(ca.cert, ca.key),
        extensions=[(x509.BasicConstraints(ca=False, path_length=None), True)],
        days=30,
    )


@dataclass
class TimeStampAuthority:
    ca: TestCA
    key: certkit.Key
    cert: x509.Certificate
    #: "grant" answers with a token; "reject" refuses (status rejection, badAlg);
    #: "other-digest" grants a token for a digest other than the one asked.
    mode: str = "grant"
    requests: list[bytes] = field(default_factory=list)
    serial: int = 0

    def answer(self, body: bytes) -> bytes:
        self.requests.append(body)
        req = tsp.TimeStampReq.load(body)
        if self.mode == "reject":
            status = tsp.PKIStatusInfo(
                {
                    "status": "rejection",
                    "status_string": ["test TSA refuses every request"],
                    "fail_info": tsp.PKIFailureInfo({"bad_alg"}),
                }
            ).dump()
            # A refusal is a TimeStampResp holding only its status (no token).
            return bytes(core.Sequence.load(b"\x30" + _der_length(len(status)) + status).dump())
        self.serial += 1
        asn_cert = asn1_x509.Certificate.load(self.cert.public_bytes(serialization.Encoding.DER))
        info = tsp.TSTInfo(
            {
                "version": "v1",
                "policy": "1.3.6.1.4.1.55555.1.1",
                "message_imprint": req["message_imprint"]
                if self.mode == "grant"
                else tsp.MessageImprint(
                    {
                        "hash_algorithm": algos.DigestAlgorithm({"algorithm": "sha256"}),
                        "hashed_message": hashlib.sha256(b"something else").digest(),
                    }
                ),
                "serial_number": self.serial,
                "gen_time": dt.datetime.now(dt.UTC).replace(microsecond=0),
                "nonce": req["nonce"].native,
                "tsa": asn1_x509.GeneralName(name="directory_name", value=asn_cert.subject),
            }
        )
        info_der = info.dump()
        attrs = cms.CMSAttributes(
            [
                cms.CMSAttribute({"type": "content_type", "values": ["tst_info"]}),
                cms.CMSAttribute(
                    {"type": "message_digest", "values": [hashlib.sha256(info_der).digest()]}
                ),
            ]
        )
        signature = self.key.sign(attrs.dump(), ec.ECDSA(hashes.SHA256()))
        signer = cms.SignerInfo(
            {
                "version": "v1",
                "sid": cms.SignerIdentifier(
                    name="issuer_and_serial_number",
                    value=cms.IssuerAndSerialNumber(
                        {"issuer": asn_cert.issuer, "serial_number": asn_cert.serial_number}
                    ),
                ),
                "digest_algorithm": algos.DigestAlgorithm({"algorithm": "sha256"}),
                "signed_attrs": attrs,
                "signature_algorithm": algos.SignedDigestAlgorithm({"algorithm": "sha256_ecdsa"}),
                "signature": signature,
            }
        )
        signed = cms.SignedData(
            {
                "version": "v3",
                "digest_algorithms": [algos.DigestAlgorithm({"algorithm": "sha256"})],
                "encap_content_info": {
                    "content_type": "tst_info",
                    "content": core.ParsableOctetString(info_der),
                },
                "certificates": [asn_cert],
                "signer_infos": [signer],
            }
        )
        token = cms.ContentInfo({"content_type": "signed_data", "content": signed})
        return tsp.TimeStampResp(
            {"status": {"status": "granted"}, "time_stamp_token": token}
        ).dump()


def _der_length(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(raw)]) + raw


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        if self.headers.get("Content-Type") != "application/timestamp-query":
            self.send_error(415)
            return
        reply = self.server.tsa.answer(body)
        self.send_response(200)
        self.send_header("Content-Type", "application/timestamp-reply")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _Server(ThreadingHTTPServer):
    tsa: TimeStampAuthority


@dataclass
class LocalTSA:
    url: str
    tsa: TimeStampAuthority


@contextmanager
def running_tsa() -> Iterator[LocalTSA]:
    """A TSA with a fresh test CA, serving on 127.0.0.1 until the block ends."""
    ca = new_ca()
    key = certkit.new_key()
    authority = TimeStampAuthority(ca, key, tsa_certificate(ca, key))
    server = _Server(("127.0.0.1", 0), _Handler)
    server.tsa = authority
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield LocalTSA(f"http://127.0.0.1:{server.server_address[1]}/tsa", authority)
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
