"""Fetch options and what one request and response recorded, with the server's certificate."""

from __future__ import annotations

import ssl
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import version as metadata_version
from typing import Any, Literal

import httpcore
import httpx
from cryptography import x509
from cryptography.hazmat.primitives import hashes

from ncii_desk import TOOL_NAME, __version__
from ncii_desk.errors import CaptureError

#: A current desktop browser: some sites serve other content (or nothing) to unknown tools.
DEFAULT_USER_AGENT = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Safari/537.36"
)
ALLOWED_SCHEMES = ("http", "https")
REDIRECT_CODES = frozenset({301, 302, 303, 307, 308})
PAGE_ACCEPT = (
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
)
MEDIA_ACCEPT = "image/avif,image/webp,image/apng,image/*,video/*,*/*;q=0.8"
READ_CHUNK = 64 * 1024

Expect = Literal["any", "media"]


def utcnow() -> datetime:
    return datetime.now(UTC)


def _size_text(n: int) -> str:
    for unit, size in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if n >= size:
            return f"{n / size:.1f} {unit}"
    return f"{n} bytes"


@dataclass(frozen=True)
class FetchOptions:
    """Limits and choices of one capture; all of them are recorded with it."""

    connect_timeout: float = 15.0
    read_timeout: float = 30.0
    #: Whole resource, redirects included: stops a server that sends data drop by drop.
    total_timeout: float = 120.0
    max_bytes: int = 200 * 1024**2
    max_redirects: int = 10
    user_agent: str = DEFAULT_USER_AGENT
    verify_tls: bool = True
    cookies: bool = False
    #: Use the proxy settings of the environment / system, as a browser would.
    trust_env: bool = True
    #: Connect to loopback, private, link-local and other non-public addresses (refused by
    #: default: see ``address_problem``).
    allow_private_addresses: bool = False
    #: Non-public networks allowed all the same (CIDR text, e.g. an intranet "10.20.0.0/16"),
    #: while every other non-public address stays refused.
    allowed_networks: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "connect_timeout_s": self.connect_timeout,
            "read_timeout_s": self.read_timeout,
            "total_timeout_s": self.total_timeout,
            "max_bytes": self.max_bytes,
            "max_redirects": self.max_redirects,
            "verify_tls": self.verify_tls,
            "cookies": self.cookies,
            "proxy_from_environment": self.trust_env,
            "allow_private_addresses": self.allow_private_addresses,
            "allowed_networks": list(self.allowed_networks),
        }


def tool_versions() -> dict[str, str]:
    """Name and version of everything that took part in a capture (recorded with it)."""
    return {
        "tool": f"{TOOL_NAME} {__version__}",
        "httpx": httpx.__version__,
        "httpcore": httpcore.__version__,
        "warcio": metadata_version("warcio"),
        "openssl": ssl.OPENSSL_VERSION,
    }


# --- one request and response --------------------------------------------------------------


@dataclass
class Exchange:
    """One HTTP request and its response, as sent and as received."""

    url: str
    request_line: str
    request_headers: list[tuple[str, str]]
    started_at: datetime
    ended_at: datetime | None = None
    http_version: str = "HTTP/1.1"
    status: int | None = None
    reason: str = ""
    response_headers: list[tuple[str, str]] = field(default_factory=list)
    #: The body as received: any content-encoding (gzip ...) is kept, chunking is not.
    raw_body: bytes = b""
    server_address: str | None = None
    server_port: int | None = None
    tls: dict[str, Any] = field(default_factory=dict)
    #: The whole response was received (an exchange cut off by a limit is not archived).
    complete: bool = False
    #: Why no connection was made for this hop (a non-public address), if it was refused.
    refused: str | None = None

    def header(self, name: str) -> str | None:
        name = name.lower()
        for key, value in self.response_headers:
            if key.lower() == name:
                return value
        return None

    def headers_dict(self) -> dict[str, Any]:
        """Response headers by name; a repeated header becomes a list of its values."""
        out: dict[str, Any] = {}
        for key, value in self.response_headers:
            if key in out:
                prev = out[key]
                out[key] = [*prev, value] if isinstance(prev, list) else [prev, value]
            else:
                out[key] = value
        return out

    def summary(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "status": self.status,
            "reason": self.reason,
            "location": self.header("location"),
            "server_address": self.server_address,
            "server_port": self.server_port,
            "started_at": _iso(self.started_at),
            "ended_at": _iso(self.ended_at),
            **({"refused": self.refused} if self.refused else {}),
        }


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat().replace("+00:00", "Z")


@dataclass
class Fetched:
    """The outcome of fetching one address: every hop, the final body, or the error."""

    requested_url: str
    started_at: datetime
    tls_verified: bool
    user_agent: str
    exchanges: list[Exchange] = field(default_factory=list)
    ended_at: datetime | None = None
    #: Final body with any content-encoding undone (what a browser would show or save).
    body: bytes | None = None
    sniffed_type: str | None = None
    content_encoding: str | None = None
    proxy: str | None = None
    error: CaptureError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and self.body is not None

    @property
    def final(self) -> Exchange | None:
        return self.exchanges[-1] if self.exchanges else None

    @property
    def final_url(self) -> str | None:
        return self.final.url if self.final else None

    @property
    def status(self) -> int | None:
        return self.final.status if self.final else None

    @property
    def declared_type(self) -> str | None:
        return self.final.header("content-type") if self.final else None

    @property
    def redirect_chain(self) -> list[dict[str, Any]]:
        """Every hop before the final response: where it pointed, when, with what status."""
        return [ex.summary() for ex in self.exchanges[:-1]] if self.exchanges else []

    @property
    def tls(self) -> dict[str, Any]:
        return self.final.tls if self.final else {}


# --- certificates ---------------------------------------------------------------------------


def certificate_info(ssl_object: Any) -> dict[str, Any]:
    """Subject, issuer, validity and SHA-256 fingerprint of the certificate the server showed."""
    if ssl_object is None:
        return {}
    info: dict[str, Any] = {}
    try:
        info["protocol"] = ssl_object.version()
        cipher = ssl_object.cipher()
        if cipher:
            info["cipher"] = cipher[0]
        der = ssl_object.getpeercert(True)
    except (ssl.SSLError, ValueError, OSError):
        return info
    if not der:
        return info
    info["certificate_sha256"] = hashes_sha256(der)
    try:
        cert = x509.load_der_x509_certificate(der)
    except ValueError:
        info["certificate_error"] = "the server's certificate could not be read"
        return info
    info["subject"] = cert.subject.rfc4514_string()
    info["issuer"] = cert.issuer.rfc4514_string()
    info["serial_number"] = format(cert.serial_number, "x")
    info["not_before"] = _iso(cert.not_valid_before_utc)
    info["not_after"] = _iso(cert.not_valid_after_utc)
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName)
        info["subject_alt_names"] = [str(v) for v in san.value.get_values_for_type(x509.DNSName)]
    except x509.ExtensionNotFound:
        info["subject_alt_names"] = []
    return info


def hashes_sha256(der: bytes) -> str:
    digest = hashes.Hash(hashes.SHA256())
    digest.update(der)
    return digest.finalize().hex()
